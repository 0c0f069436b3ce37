/* coursepack launch page: the SCORM 1.2 adapter (window.API, cmi.core.*).
 * Only SCORM 1.2 calls here: a 1.2 package that wrote 2004 elements would
 * lose its scores in a 1.2 LMS. */
(function () {
  "use strict";

  var T = window.CoursepackTracking;
  var MAX_INTERACTIONS = 250; // beyond what any LMS promises to keep; stop, don't fail

  function findApi() {
    return T.findApi("API");
  }

  function timespan(ms) {
    var total = Math.max(0, ms) / 1000;
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = (total % 60).toFixed(2);
    return pad(hours, 2) + ":" + pad(minutes, 2) + ":" + (seconds.length < 5 ? "0" : "") + seconds;
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function clock(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  function connect() {
    var api = findApi();
    if (!api) return null;
    var ok = String(call(api, "LMSInitialize", "")) === "true";
    if (!ok) return { failed: true };

    function get(element) {
      var value = call(api, "LMSGetValue", element);
      return value === undefined || value === null ? "" : String(value);
    }
    function error() {
      return String(call(api, "LMSGetLastError") || "0");
    }
    function set(element, value) {
      call(api, "LMSSetValue", element, String(value));
      return error() === "0";
    }

    var mode = get("cmi.core.lesson_mode");
    var status = get("cmi.core.lesson_status");
    var mastery = parseFloat(get("cmi.student_data.mastery_score"));
    var suspended = get("cmi.suspend_data");
    var state = null;
    try { state = suspended ? JSON.parse(suspended) : null; } catch (notOurs) { state = null; }
    var readOnly = mode === "review";
    var bestStatus = status; // never report less than the LMS already holds

    var interactionsWork = true;
    var written = {}; // module id -> what was last written for it

    if (!readOnly && (status === "not attempted" || status === "")) {
      set("cmi.core.lesson_status", "incomplete");
      bestStatus = "incomplete";
      call(api, "LMSCommit", "");
    }

    function lessonStatus(verdict) {
      if (verdict.success === "failed") return "failed";
      if (verdict.completed) return verdict.success === "passed" ? "passed" : "completed";
      return "incomplete";
    }

    function exitValue() {
      // Suspend while unfinished, so the LMS keeps suspend_data for the next launch.
      return bestStatus === "completed" || bestStatus === "passed" ? "" : "suspend";
    }

    var objectiveIndex = T.objectiveIndexer(get, set, error);

    return {
      state: state,
      location: get("cmi.core.lesson_location") || null,
      masteryPercent: isNaN(mastery) ? null : mastery,
      readOnly: readOnly,

      report: function (verdict) {
        // The score before the status: some LMSs record 0 otherwise.
        if (verdict.score !== null) {
          set("cmi.core.score.raw", T.round(verdict.score, 2));
          set("cmi.core.score.min", 0);
          set("cmi.core.score.max", 100);
        }
        var next = lessonStatus(verdict);
        // Never take back a finish the LMS holds (say, after the course was updated).
        var settled = bestStatus === "passed" || (bestStatus === "completed" && next !== "passed");
        if (!settled && next !== bestStatus) {
          set("cmi.core.lesson_status", next);
          bestStatus = next;
        }
        set("cmi.core.exit", exitValue());
      },

      // Each module as an objective: its quiz score and status, where the LMS keeps objectives.
      moduleResults: function (summary) {
        T.config.modules.forEach(function (module) {
          var result = (summary.modules || {})[module.id];
          if (!result) return;
          var status = !result.visited ? "not attempted"
            : !module.quiz ? "completed"
            : result.passed === true ? "passed"
            : result.passed === false ? "failed" : "incomplete";
          var score = module.quiz && typeof result.score === "number" ? T.round(result.score, 2) : null;
          var line = status + "|" + score;
          if (written[module.id] === line || status === "not attempted") return;
          var n = objectiveIndex(module.id);
          if (n === null) return;
          if (score !== null) {
            set("cmi.objectives." + n + ".score.raw", score);
            set("cmi.objectives." + n + ".score.min", 0);
            set("cmi.objectives." + n + ".score.max", 100);
          }
          set("cmi.objectives." + n + ".status", status);
          written[module.id] = line;
        });
      },

      interaction: function (answer) {
        if (!interactionsWork) return;
        var n = parseInt(get("cmi.interactions._count"), 10);
        if (error() !== "0" || isNaN(n) || n >= MAX_INTERACTIONS) {
          interactionsWork = false;
          return;
        }
        var prefix = "cmi.interactions." + n + ".";
        // Ids unique across the attempt: the question's id and the entry's place.
        if (!set(prefix + "id", answer.id + "_" + n)) {
          interactionsWork = false; // an LMS without interactions: carry on without them
          return;
        }
        set(prefix + "type", answer.type12);
        set(prefix + "time", clock(new Date()));
        if (answer.weight) set(prefix + "weighting", answer.weight);
        if (answer.response12 !== null) set(prefix + "student_response", answer.response12);
        set(prefix + "result", answer.result === "incorrect" ? "wrong" : answer.result);
      },

      save: function (stateJson, location) {
        if (stateJson !== null) set("cmi.suspend_data", stateJson);
        if (location && location.length <= 255) set("cmi.core.lesson_location", location);
      },

      commit: function () {
        set("cmi.core.exit", exitValue());
        call(api, "LMSCommit", "");
      },

      finish: function (verdict, sessionMs) {
        if (!readOnly) set("cmi.core.exit", exitValue());
        set("cmi.core.session_time", timespan(sessionMs));
        call(api, "LMSCommit", "");
        call(api, "LMSFinish", "");
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
