/* coursepack launch page: the SCORM 2004 adapter, 3rd and 4th edition (window.API_1484_11).
 * Only SCORM 2004 calls here: a 2004 package that wrote cmi.core.* would
 * lose its scores in a 2004 LMS. */
(function () {
  "use strict";

  var T = window.CoursepackTracking;
  var MAX_INTERACTIONS = 250; // beyond what any LMS promises to keep; stop, don't fail
  // Moodle's real number: at most 5 integer digits (it refuses a longer one with error 406).
  var MOODLE_DECIMAL = /^-?\d{1,5}(\.\d{1,18})?$/;

  function findApi() {
    return T.findApi("API_1484_11");
  }

  function connect() {
    var api = findApi();
    if (!api) return null;
    var ok = String(call(api, "Initialize", "")) === "true";
    if (!ok) return { failed: true };

    function error() {
      return String(call(api, "GetLastError") || "0");
    }
    // Reading an element the LMS has no value for is error 403: that is "".
    function get(element) {
      var value = call(api, "GetValue", element);
      return error() !== "0" || value === undefined || value === null ? "" : String(value);
    }
    function set(element, value) {
      call(api, "SetValue", element, String(value));
      return error() === "0";
    }

    var mode = get("cmi.mode");
    var completion = get("cmi.completion_status");
    var success = get("cmi.success_status");
    var passing = parseFloat(get("cmi.scaled_passing_score"));
    var suspended = get("cmi.suspend_data");
    var state = null;
    try { state = suspended ? JSON.parse(suspended) : null; } catch (notOurs) { state = null; }
    var readOnly = mode === "review";

    var interactionsWork = true;
    var written = {};

    if (!readOnly && (completion === "not attempted" || completion === "unknown" || completion === "")) {
      set("cmi.completion_status", "incomplete");
      completion = "incomplete";
      call(api, "Commit", "");
    }

    function exitValue() {
      // Suspend while unfinished: with "normal" the next launch starts a new attempt with no data.
      return completion === "completed" ? "normal" : "suspend";
    }

    var objectiveIndex = T.objectiveIndexer(get, set, error);

    function setScore(prefix, percent) {
      // The score before any status: some LMSs record 0 otherwise.
      set(prefix + "score.scaled", T.round(percent / 100, 4));
      set(prefix + "score.raw", T.round(percent, 2));
      set(prefix + "score.min", 0);
      set(prefix + "score.max", 100);
    }

    return {
      state: state,
      location: get("cmi.location") || null,
      masteryPercent: isNaN(passing) ? null : passing * 100,
      readOnly: readOnly,

      report: function (verdict) {
        if (verdict.score !== null) setScore("cmi.", verdict.score);
        // Never take back a finish the LMS holds (say, after the course was updated).
        if (verdict.completed && completion !== "completed") {
          set("cmi.completion_status", "completed");
          completion = "completed";
        }
        if (verdict.success !== "unknown" && success !== "passed" && verdict.success !== success) {
          set("cmi.success_status", verdict.success);
          success = verdict.success;
        }
        set("cmi.exit", exitValue());
      },

      // Each module as an objective: its quiz score and statuses, where the LMS keeps objectives.
      moduleResults: function (summary) {
        T.config.modules.forEach(function (module) {
          var result = (summary.modules || {})[module.id];
          if (!result || !result.visited) return;
          var done = module.quiz ? result.passed === true : true;
          var judged = module.quiz && result.passed !== null && result.passed !== undefined;
          var score = module.quiz && typeof result.score === "number" ? T.round(result.score, 2) : null;
          var line = done + "|" + (judged ? result.passed : "") + "|" + score;
          if (written[module.id] === line) return;
          var n = objectiveIndex(module.id);
          if (n === null) return;
          var prefix = "cmi.objectives." + n + ".";
          if (score !== null) setScore(prefix, score);
          if (judged) set(prefix + "success_status", result.passed ? "passed" : "failed");
          set(prefix + "completion_status", done ? "completed" : "incomplete");
          written[module.id] = line;
        });
      },

      interaction: function (answer) {
        if (!interactionsWork) return;
        var n = parseInt(get("cmi.interactions._count"), 10);
        if (isNaN(n) || n >= MAX_INTERACTIONS) {
          interactionsWork = false;
          return;
        }
        var prefix = "cmi.interactions." + n + ".";
        // Ids unique across the attempt: the question's id and the entry's place.
        if (!set(prefix + "id", answer.id + "_" + n)) {
          interactionsWork = false; // an LMS without interactions: carry on without them
          return;
        }
        set(prefix + "type", answer.type);
        // SCORM 2004's time type allows two fractional digits; toISOString gives three.
        set(prefix + "timestamp", new Date().toISOString().slice(0, 22) + "Z");
        if (answer.weight) set(prefix + "weighting", answer.weight);
        if (answer.response !== null && !(answer.type === "numeric" && !MOODLE_DECIMAL.test(answer.response))) {
          set(prefix + "learner_response", answer.response);
        }
        set(prefix + "result", answer.result);
        if (answer.description) set(prefix + "description", answer.description.slice(0, 250).replace(/^\{+/, ""));
      },

      save: function (stateJson, location) {
        if (stateJson !== null) set("cmi.suspend_data", stateJson);
        if (location && location.length <= 1000) set("cmi.location", location);
      },

      commit: function () {
        set("cmi.exit", exitValue());
        call(api, "Commit", "");
      },

      finish: function (verdict, sessionMs) {
        if (!readOnly) set("cmi.exit", exitValue());
        set("cmi.session_time", T.isoDuration(sessionMs));
        call(api, "Commit", "");
        call(api, "Terminate", "");
      }
    };
  }

  function call(api, name) {
    try {
      return api[name].apply(api, Array.prototype.slice.call(arguments, 2));
    } catch (broken) {
      if (window.console) console.warn("coursepack: " + name + " failed", broken);
      return "";
    }
  }

  T.launch(connect);
})();
