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
 */
(function () {
  "use strict";

  var T = window.CoursepackTracking;
  var XAPI_VERSION = "1.0.3";
  var ADL = "http://adlnet.gov/expapi/verbs/";
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY_CMI5 = CMI5 + "context/categories/cmi5";
  var CATEGORY_MOVEON = CMI5 + "context/categories/moveon";
  var MASTERY_EXTENSION = CMI5 + "context/extensions/masteryscore";
  var INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction";
  var STATE_ID = "coursepack.state";
  var MAX_TRIES = 3; // a statement the LRS refused this often is given up

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

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function connect() {
    var launch = launchParameters();
    if (!launch) return null;
    var base = launch.endpoint.replace(/\/?$/, "/");
    var authorization = null;

    function xapi(method, resource, query, body, keepalive) {
      var search = Object.keys(query || {}).map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(query[k]);
      }).join("&");
      var headers = { "X-Experience-API-Version": XAPI_VERSION, Authorization: authorization };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(base + resource + (search ? "?" + search : ""), {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        keepalive: !!keepalive,
        credentials: "omit"
      });
    }

    function stateQuery(stateId) {
      return {
        activityId: launch.activityId,
        agent: JSON.stringify(launch.actor),
        registration: launch.registration,
        stateId: stateId
      };
    }

    function readDocument(response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error("xAPI request failed: " + response.status);
      return response.text().then(function (text) { return text ? JSON.parse(text) : null; });
    }

    // POST, never GET, and only once: the fetch URL is single-use.
    return fetch(launch.fetch, { method: "POST", credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body["auth-token"]) throw new Error("fetch URL: " + (body["error-text"] || "no auth-token"));
        authorization = "Basic " + body["auth-token"];
        return Promise.all([
          xapi("GET", "activities/state", stateQuery("LMS.LaunchData")).then(readDocument),
          xapi("GET", "activities/state", stateQuery(STATE_ID)).then(readDocument),
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
    var outbox = (saved.outbox || []).map(function (e) { return { statement: e.statement, tries: e.tries || 0, carried: true }; });
    var leaving = false; // the learner pressed the exit button
    var finishing = null; // the end of the session, when it can be awaited
    var inFlight = null;
    var started = Date.now();
    var latest = { state: saved.state || null, location: saved.location || null };
    var storedJson = JSON.stringify(documentBody());

    function documentBody() {
      var body = { state: latest.state, location: latest.location, reported: reported };
      if (outbox.length) body.outbox = outbox.map(function (e) { return { statement: e.statement, tries: e.tries }; });
      return body;
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

    /* Each statement's timestamp is later than the one before it: at the
     * page's end the requests leave together and can reach the LRS in any
     * order, and the timestamps still say which came first ("terminated"
     * last, as cmi5 requires). */
    var lastTimestamp = 0;
    function nextTimestamp() {
      lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
      return new Date(lastTimestamp).toISOString();
    }

    function statement(verb, result, options, object) {
      var s = {
        id: uuid(),
        timestamp: nextTimestamp(),
        actor: launch.actor,
        verb: { id: ADL + verb, display: { "en-US": verb } },
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

    /* Statements leave one per request, in order, and each response is
     * checked: one statement the LRS refuses cannot take others with it.
     * Until the LRS accepts a statement it stays in the outbox, which the
     * state document carries, so a statement refused or cut off by the
     * page's end is sent again at the next launch (the LRS keeps one copy of
     * a statement id). "terminated" always has a request of its own. */
    function queue(statements) {
      outbox = outbox.concat(statements.map(function (s) { return { statement: s, tries: 0 }; }));
    }

    function send(statements) {
      queue(statements);
      return pump();
    }

    // A statement carried over from an earlier launch may have arrived after all.
    function known(entry) {
      if (!entry.carried) return Promise.resolve(false);
      return xapi("GET", "statements", { statementId: entry.statement.id })
        .then(function (response) { return response.ok; }, function () { return false; });
    }

    function post(entry, keepalive) {
      entry.tries++;
      return known(entry).then(function (there) {
        return there ? { ok: true } : xapi("POST", "statements", null, entry.statement, keepalive);
      }).then(function (response) {
        // 409: the LRS already holds this statement id (sent before the page ended).
        var accepted = response.ok || response.status === 409;
        if (!accepted) throw new Error("statement " + entry.statement.verb.id + " refused: " + response.status);
      });
    }

    function delivered(entry) {
      outbox = outbox.filter(function (e) { return e !== entry; });
    }

    function given(entry) {
      // Refused too often: the LRS will not take it; keep the others moving.
      if (entry.tries >= MAX_TRIES) delivered(entry);
    }

    function pump() {
      if (inFlight) return inFlight;
      var next = outbox.filter(function (e) { return !e.held; })[0];
      if (!next) return Promise.resolve();
      next.posting = true;
      inFlight = post(next, true)
        .then(function () { delivered(next); }, function (e) {
          next.posting = false;
          if (window.console) console.warn("coursepack: " + e.message);
          next.held = true; // retried at the next launch
          given(next);
        })
        .then(function () { inFlight = null; storeDocument(false); return pump(); });
      return inFlight;
    }

    // At the page's end no answer can be awaited: every statement still due
    // goes in a request of its own that outlives the page (one refused in
    // this session waits for the next launch).
    function flush() {
      outbox.forEach(function (entry) {
        if (entry.posting || entry.held) return;
        entry.posting = true;
        post(entry, true).then(function () { delivered(entry); }, function () { given(entry); });
      });
    }

    function duration() {
      return T.isoDuration(Date.now() - started);
    }

    function score(percent) {
      return { scaled: T.round(percent / 100, 4), raw: Math.round(percent), min: 0, max: 100 };
    }

    function storeDocument(keepalive) {
      var json = JSON.stringify(documentBody());
      if (readOnly || json === storedJson) return;
      storedJson = json;
      xapi("PUT", "activities/state", stateQuery(STATE_ID), documentBody(), keepalive)
        .catch(function (e) { if (window.console) console.warn("coursepack: progress not saved", e); });
    }

    var initialized = statement("initialized", null, { categories: [CATEGORY_CMI5] });
    sentThisSession.initialized = true;
    return xapi("POST", "statements", null, initialized).then(function (response) {
      if (!response.ok) throw new Error("initialized statement refused: " + response.status);
      pump(); // what an earlier launch could not deliver
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
            out.push(defined("passed", { score: score(verdict.score), success: true, duration: duration() }));
            reported.passed = true;
          }
          if (out.length) send(out);
        },

        interaction: function (answer) {
          var key = answer.key || {};
          var definition = {
            type: INTERACTION_TYPE,
            name: {},
            interactionType: answer.type
          };
          definition.name[language] = answer.description || answer.id;
          var component = function (o) {
            var description = {};
            description[language] = o.text;
            return { id: o.id, description: description };
          };
          if (answer.type === "choice" || answer.type === "sequencing") definition.choices = (key.options || []).map(component);
          if (answer.type === "matching") {
            definition.source = (key.sources || []).map(component);
            definition.target = (key.options || []).map(component);
          }
          var result = {};
          if (answer.response !== null) result.response = answer.response;
          if (answer.correct === true || answer.correct === false) result.success = answer.correct;
          var object = {
            id: launch.activityId + "/question/" + encodeURIComponent(answer.id),
            objectType: "Activity",
            definition: definition
          };
          // A "cmi5 allowed" statement: the context template, but not the cmi5 category.
          // xAPI: an empty result SHOULD NOT be sent, so an open question's statement has none.
          send([statement("answered", Object.keys(result).length ? result : null, { parent: true }, object)]);
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
            last.push(defined("failed", { score: score(verdict.score), success: false, duration: duration() }));
          }
          var terminated = statement("terminated", { duration: duration() }, { categories: [CATEGORY_CMI5] });
          if (leaving) {
            // The exit button can wait: everything due in order, "terminated" last and alone.
            return (finishing = Promise.resolve(inFlight)
              .then(function () { return send(last); })
              .then(function () { return send([terminated]); })
              .then(function () { storeDocument(true); }));
          }
          // The page is going away and no answer can be awaited. Saved first:
          // what the LRS does not confirm is sent again at the next launch.
          queue(last.concat([terminated]));
          storeDocument(true);
          flush();
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
