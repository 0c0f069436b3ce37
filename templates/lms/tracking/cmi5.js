/* coursepack launch page: the cmi5 adapter (an AU talking xAPI to the LMS).
 *
 * Launch sequence: read endpoint, fetch, actor, registration and activityId
 * from the query string; POST once to the fetch URL for the auth token; read
 * the LMS.LaunchData state document; read the learner preferences; send
 * "initialized"; then "completed" and "passed" as they happen, "failed" at
 * the end of a session that ends failing, and "terminated" last. The
 * learner's progress lives in a state document of its own (cmi5 has no
 * suspend_data), together with what was already reported, because
 * "completed" and "passed" may be sent only once per registration.
 * Requests, timestamps and the outbox come from xapi-client.js.
 */
(function () {
  "use strict";

  var T = window.CoursepackTracking;
  var X = window.CoursepackXapi;
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY_CMI5 = CMI5 + "context/categories/cmi5";
  var CATEGORY_MOVEON = CMI5 + "context/categories/moveon";
  var MASTERY_EXTENSION = CMI5 + "context/extensions/masteryscore";
  var STATE_ID = "coursepack.state";

  function launchParameters() {
    var query = new URLSearchParams(window.location.search);
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    var found = {};
    for (var i = 0; i < names.length; i++) {
      var value = query.get(names[i]);
      if (!value) return null;
      found[names[i]] = value;
    }
    found.actor = JSON.parse(found.actor);
    return found;
  }

  function connect() {
    var launch = launchParameters();
    if (!launch) return null;
    var authorization = null;
    var xapi = X.client(launch.endpoint, function () { return authorization; });

    function stateQuery(stateId) {
      return {
        activityId: launch.activityId,
        agent: JSON.stringify(launch.actor),
        registration: launch.registration,
        stateId: stateId
      };
    }

    // POST, never GET, and only once: the fetch URL is single-use.
    return fetch(launch.fetch, { method: "POST", credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body["auth-token"]) throw new Error("fetch URL: " + (body["error-text"] || "no auth-token"));
        authorization = "Basic " + body["auth-token"];
        return Promise.all([
          xapi("GET", "activities/state", stateQuery("LMS.LaunchData")).then(X.readDocument),
          xapi("GET", "activities/state", stateQuery(STATE_ID)).then(X.readDocument),
          // Required reading at start; this course has no preference to apply.
          xapi("GET", "agents/profile", { agent: JSON.stringify(launch.actor), profileId: "cmi5LearnerPreferences" })
            .catch(function () { return null; })
        ]);
      })
      .then(function (documents) {
        var launchData = documents[0];
        if (!launchData || !launchData.contextTemplate) throw new Error("no LMS.LaunchData");
        return start(launch, launchData, documents[1] || {}, xapi, stateQuery);
      });
  }

  function start(launch, launchData, saved, xapi, stateQuery) {
    var mode = launchData.launchMode || "Normal";
    var judged = mode === "Normal"; // Browse and Review: only initialized and terminated
    var readOnly = mode === "Review";
    var language = T.config.language;
    var mastery = typeof launchData.masteryScore === "number" ? launchData.masteryScore : null;
    var reported = saved.reported || {}; // per registration: completed, passed
    var sentThisSession = {};
    var leaving = false; // the learner pressed the exit button
    var finishing = null; // the end of the session, when it can be awaited
    var started = Date.now();
    var latest = { state: saved.state || null, location: saved.location || null };
    var outbox = new X.Outbox(xapi, saved.outbox, function () { storeDocument(false); });
    var store = X.stateDocument(xapi, stateQuery(STATE_ID), documentBody(), readOnly);
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

    function context(options) {
      var ctx = JSON.parse(JSON.stringify(launchData.contextTemplate));
      ctx.registration = launch.registration;
      var activities = (ctx.contextActivities = ctx.contextActivities || {});
      (options.categories || []).forEach(function (id) {
        activities.category = (activities.category || []).concat([{ id: id, objectType: "Activity" }]);
      });
      if (options.parent) activities.parent = (activities.parent || []).concat([{ id: launch.activityId, objectType: "Activity" }]);
      if (options.extensions) {
        var extensions = ctx.extensions || {};
        Object.keys(options.extensions).forEach(function (k) { if (!(k in extensions)) extensions[k] = options.extensions[k]; });
        ctx.extensions = extensions;
      }
      return ctx;
    }

    function statement(verb, result, options, object) {
      var s = {
        id: X.uuid(),
        timestamp: nextTimestamp(),
        actor: launch.actor,
        verb: X.verb(verb),
        object: object || { id: launch.activityId, objectType: "Activity" },
        context: context(options)
      };
      if (result) s.result = result;
      return s;
    }

    function defined(verb, result) {
      var moveOn = result && ("success" in result || "completion" in result);
      var extensions = mastery !== null && (verb === "passed" || verb === "failed") ? {} : null;
      if (extensions) extensions[MASTERY_EXTENSION] = mastery;
      sentThisSession[verb] = true;
      return statement(verb, result, {
        categories: moveOn ? [CATEGORY_CMI5, CATEGORY_MOVEON] : [CATEGORY_CMI5],
        extensions: extensions
      });
    }

    function send(statements) {
      return outbox.send(statements);
    }

    function duration() {
      return T.isoDuration(Date.now() - started);
    }

    var initialized = statement("initialized", null, { categories: [CATEGORY_CMI5] });
    sentThisSession.initialized = true;
    return xapi("POST", "statements", null, initialized).then(function (response) {
      if (!response.ok) throw new Error("initialized statement refused: " + response.status);
      outbox.pump(); // what an earlier launch could not deliver
      return {
        state: latest.state,
        location: latest.location,
        masteryPercent: mastery === null ? null : mastery * 100,
        readOnly: readOnly,

        report: function (verdict) {
          if (!judged) return;
          var out = [];
          if (verdict.completed && !reported.completed) {
            out.push(defined("completed", { completion: true, duration: duration() }));
            reported.completed = true;
          }
          // "failed" waits for the end of the session: the learner may still pass in it.
          if (verdict.success === "passed" && !reported.passed) {
            out.push(defined("passed", { score: X.score(verdict.score), success: true, duration: duration() }));
            reported.passed = true;
          }
          if (out.length) send(out);
        },

        interaction: function (answer) {
          var described = X.interaction(answer, language);
          var object = {
            id: launch.activityId + "/question/" + encodeURIComponent(answer.id),
            objectType: "Activity",
            definition: described.definition
          };
          // A "cmi5 allowed" statement: the context template, but not the cmi5 category.
          send([statement("answered", described.result, { parent: true }, object)]);
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
          if (judged && verdict && verdict.success === "failed" && !reported.passed && !sentThisSession.passed) {
            last.push(defined("failed", { score: X.score(verdict.score), success: false, duration: duration() }));
          }
          var terminated = statement("terminated", { duration: duration() }, { categories: [CATEGORY_CMI5] });
          if (leaving) {
            // The exit button can wait: everything due in order, "terminated" last and alone.
            return (finishing = outbox.idle()
              .then(function () { return send(last); })
              .then(function () { return send([terminated]); })
              .then(function () { storeDocument(true); }));
          }
          // The page is going away and no answer can be awaited. Saved first:
          // what the LRS does not confirm is sent again at the next launch.
          outbox.queue(last.concat([terminated]));
          storeDocument(true);
          outbox.flush();
        },

        exit: launchData.returnURL ? function (session) {
          leaving = true;
          session.finish();
          Promise.resolve(finishing).then(function () { window.location.href = launchData.returnURL; });
        } : null
      };
    });
  }
  T.launch(connect);
})();
