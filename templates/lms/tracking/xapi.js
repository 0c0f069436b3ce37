/* coursepack launch page: the xAPI adapter, for LMSs that launch "Tin Can" content.
 *
 * The LMS opens index.html with the launch link's query parameters (the
 * convention Rustici wrote down, which SCORM Cloud, Docebo and Cornerstone
 * follow): endpoint, auth (the Authorization header to send), actor (a JSON
 * agent), and usually registration and activity_id; grouping and
 * activity_platform go into every statement's context, and any parameter not
 * named here is echoed back to the LRS on every request. Without
 * activity_id the course's id from tincan.xml is used.
 *
 * Statements, all ADL verbs: "initialized" at the start; "answered" for
 * each checked question; "completed" for each module once it is done (its
 * quiz passed, or its lesson opened); for the course "completed" and
 * "passed" (with the score) as they happen, once per registration, and
 * "failed" at the end of a session that ends failing; "terminated" last, in
 * a request of its own. The learner's progress, and what was already
 * reported, live in one State API document (stateId "coursepack.state",
 * keyed by activity, agent and registration), so a relaunch resumes.
 * Requests, timestamps and the outbox come from xapi-client.js.
 */
(function () {
  "use strict";

  var T = window.CoursepackTracking;
  var X = window.CoursepackXapi;
  var STATE_ID = "coursepack.state";
  var COURSE_TYPE = "http://adlnet.gov/expapi/activities/course";
  var MODULE_TYPE = "http://adlnet.gov/expapi/activities/module";
  var LAUNCH_NAMES = ["endpoint", "auth", "actor", "registration", "activity_id", "activity_platform", "grouping",
    "Accept-Language", "content_token", "content_endpoint"];

  function launchParameters() {
    var query = new URLSearchParams(window.location.search);
    if (!query.get("endpoint") || !query.get("actor")) return null;
    var echoed = {};
    query.forEach(function (value, name) { if (LAUNCH_NAMES.indexOf(name) < 0) echoed[name] = value; });
    return {
      endpoint: query.get("endpoint"),
      authorization: authorization(query.get("auth")),
      actor: agent(JSON.parse(query.get("actor"))),
      registration: query.get("registration") || null,
      activityId: query.get("activity_id") || T.config.xapi.activityId,
      grouping: query.get("grouping") || null,
      platform: query.get("activity_platform") || null,
      echoed: echoed
    };
  }

  // The header as given ("Basic …"); a bare token is taken for Basic credentials.
  function authorization(auth) {
    if (!auth) return null;
    return /\s/.test(auth.trim()) ? auth.trim() : "Basic " + auth.trim();
  }

  /* The actor as xAPI 1.0 wants it, with one identifier. Some LMSs still
   * send the 0.9 form, each property a list and the account named
   * accountServiceHomePage/accountName. */
  function agent(given) {
    var first = function (value) { return Array.isArray(value) ? value[0] : value; };
    var out = { objectType: "Agent" };
    var mbox = first(given.mbox), sha1 = first(given.mbox_sha1sum), openid = first(given.openid), account = first(given.account);
    if (mbox) out.mbox = /^mailto:/.test(mbox) ? mbox : "mailto:" + mbox;
    else if (sha1) out.mbox_sha1sum = sha1;
    else if (openid) out.openid = openid;
    else if (account) out.account = { homePage: account.homePage || account.accountServiceHomePage, name: account.name || account.accountName };
    var name = first(given.name);
    if (name) out.name = name;
    return out;
  }

  function connect() {
    var launch = launchParameters();
    if (!launch) return null;
    var xapi = X.client(launch.endpoint, function () { return launch.authorization; }, launch.echoed);
    var stateQuery = { activityId: launch.activityId, agent: JSON.stringify(launch.actor), stateId: STATE_ID };
    if (launch.registration) stateQuery.registration = launch.registration;
    return xapi("GET", "activities/state", stateQuery)
      .then(X.readDocument)
      .then(function (saved) { return start(launch, saved || {}, xapi, stateQuery); });
  }

  function start(launch, saved, xapi, stateQuery) {
    var language = T.config.language;
    var names = T.config.xapi;
    var reported = saved.reported || {}; // per registration: completed, passed, the modules done
    var modulesDone = (reported.modules || []).slice();
    var sentThisSession = {};
    var started = Date.now();
    var latest = { state: saved.state || null, location: saved.location || null };
    var outbox = new X.Outbox(xapi, saved.outbox, function () { storeDocument(false); });
    var store = X.stateDocument(xapi, stateQuery, saved, false);
    var nextTimestamp = X.clock();

    function documentBody() {
      var body = { state: latest.state, location: latest.location, reported: reported };
      var pending = outbox.pending();
      if (pending.length) body.outbox = pending;
      return body;
    }

    function storeDocument(keepalive) {
      store(documentBody(), keepalive);
    }

    function words(text) {
      var map = {};
      map[language] = text;
      return map;
    }

    function activity(id, type, name) {
      return { id: id, objectType: "Activity", definition: { type: type, name: words(name) } };
    }

    var course = activity(launch.activityId, COURSE_TYPE, names.title);

    function moduleActivity(moduleId) {
      var title = names.moduleTitles[moduleId] || moduleId;
      return activity(launch.activityId + "/module/" + encodeURIComponent(moduleId), MODULE_TYPE, title);
    }

    function reference(object) {
      return { id: object.id, objectType: "Activity" };
    }

    // `parent`: the activity the object is part of; the course groups everything below it.
    function context(parent) {
      var ctx = { language: language };
      if (launch.registration) ctx.registration = launch.registration;
      if (launch.platform) ctx.platform = launch.platform;
      var activities = {};
      if (parent) activities.parent = [reference(parent)];
      var grouping = parent && parent !== course ? [reference(course)] : [];
      if (launch.grouping) grouping.push({ id: launch.grouping, objectType: "Activity" });
      if (grouping.length) activities.grouping = grouping;
      if (Object.keys(activities).length) ctx.contextActivities = activities;
      return ctx;
    }

    function statement(verb, result, object, parent) {
      var s = {
        id: X.uuid(),
        timestamp: nextTimestamp(),
        actor: launch.actor,
        verb: X.verb(verb),
        object: object || course,
        context: context(parent)
      };
      if (result) s.result = result;
      return s;
    }

    function courseStatement(verb, result) {
      sentThisSession[verb] = true;
      return statement(verb, result);
    }

    function duration() {
      return T.isoDuration(Date.now() - started);
    }

    // A module is done when its quiz is passed, or, under the "visited" rule or without a quiz, once opened.
    function moduleDone(module, summary) {
      if (!summary) return false;
      if (T.config.completion === "visited" || !module.quiz) return !!summary.visited;
      return summary.passed === true;
    }

    var initialized = courseStatement("initialized", null);
    return xapi("POST", "statements", null, initialized).then(function (response) {
      if (!response.ok) throw new Error("initialized statement refused: " + response.status);
      outbox.pump(); // what an earlier launch could not deliver
      return {
        state: latest.state,
        location: latest.location,
        masteryPercent: null, // the launch link carries none: the course's own pass mark
        readOnly: false,

        report: function (verdict) {
          var out = [];
          if (verdict.completed && !reported.completed) {
            out.push(courseStatement("completed", { completion: true, duration: duration() }));
            reported.completed = true;
          }
          // "failed" waits for the end of the session: the learner may still pass in it.
          if (verdict.success === "passed" && !reported.passed) {
            out.push(courseStatement("passed", { score: X.score(verdict.score), success: true, duration: duration() }));
            reported.passed = true;
          }
          if (out.length) outbox.send(out);
        },

        moduleResults: function (summary) {
          var out = [];
          T.config.modules.forEach(function (module) {
            var result = (summary.modules || {})[module.id];
            if (modulesDone.indexOf(module.id) >= 0 || !moduleDone(module, result)) return;
            modulesDone.push(module.id);
            var outcome = { completion: true };
            if (module.scored && typeof result.score === "number") {
              outcome.score = X.score(result.score);
              outcome.success = true;
            }
            out.push(statement("completed", outcome, moduleActivity(module.id), course));
          });
          if (!out.length) return;
          reported.modules = modulesDone.slice();
          outbox.send(out);
        },

        interaction: function (answer) {
          var described = X.interaction(answer, language);
          var object = {
            id: launch.activityId + "/question/" + encodeURIComponent(answer.id),
            objectType: "Activity",
            definition: described.definition
          };
          var parent = answer.moduleId ? moduleActivity(answer.moduleId) : course;
          outbox.send([statement("answered", described.result, object, parent)]);
        },

        save: function (stateJson, location) {
          latest.state = stateJson === null ? null : JSON.parse(stateJson);
          latest.location = location;
        },

        commit: function () {
          storeDocument(false);
        },

        finish: function (verdict) {
          var last = [];
          if (verdict && verdict.success === "failed" && !reported.passed && !sentThisSession.passed) {
            last.push(courseStatement("failed", { score: X.score(verdict.score), success: false, duration: duration() }));
          }
          var terminated = courseStatement("terminated", { duration: duration() });
          // The page is going away and no answer can be awaited. Saved first:
          // what the LRS does not confirm is sent again at the next launch.
          outbox.queue(last.concat([terminated]));
          storeDocument(true);
          outbox.flush();
        },

        exit: null // the launch link names no page to return to
      };
    });
  }
  T.launch(connect);
})();
