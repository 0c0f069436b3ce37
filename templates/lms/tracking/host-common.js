/* coursepack launch page: what SCORM 1.2, SCORM 2004 and cmi5 share.
 *
 * The launch page keeps the one LMS connection for the whole launch and shows
 * the packet in a frame. The packet's pages find `window.parent.coursepackHost`
 * and hand it their state, a progress summary after every change, and each
 * checked answer. A runtime adapter (scorm12.js, scorm2004.js, cmi5.js) turns
 * these into its standard's calls; this file decides what to report and when
 * to commit: on every change of status or score, after a quiz check, on a move
 * to another module, when the page is hidden, and every few minutes, but never
 * per keystroke.
 */
(function () {
  "use strict";

  var COMMIT_EVERY_MS = 3 * 60 * 1000;
  var T = (window.CoursepackTracking = {});

  T.config = JSON.parse(document.getElementById("coursepack-launch").textContent);

  /* ------------------------------------------------------------ judging */

  function round(value, places) {
    var factor = Math.pow(10, places);
    return Math.round(value * factor) / factor;
  }
  T.round = round;

  /* Whether a score reaches a pass mark, both in percent, compared in whole
   * hundredths of a percent, as the packet compares them: a pass mark from
   * the LMS arrives scaled (0.55), and 0.55 * 100 is 55.00000000000001. */
  function meetsPassMark(score, pass) {
    return Math.round(score * 100) >= Math.round(pass * 100);
  }
  T.meetsPassMark = meetsPassMark;

  var MAX_LEVELS = 10;

  // The standard SCORM discovery of the LMS's API object (`name` is "API" for
  // 1.2, "API_1484_11" for 2004): this window's parents, then the opener's.
  function findIn(win, name) {
    for (var level = 0; win && level <= MAX_LEVELS; level++) {
      try {
        if (win[name]) return win[name];
      } catch (crossOrigin) { /* a frame of another site: keep looking upward */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  T.findApi = function (name) {
    var api = findIn(window, name);
    if (!api) {
      // An LMS that opens the course in a window of its own (perhaps inside a wrapper frame).
      try {
        var opener = window.opener || (window.top && window.top.opener);
        if (opener) api = findIn(opener, name);
      } catch (crossOrigin) { api = null; }
    }
    return api;
  };

  // Module objectives: `cmi.objectives.n.*` is the same in SCORM 1.2 and 2004.
  // Returns moduleId -> index, adding objectives as needed; null once the LMS
  // shows it keeps no objectives, so the package carries on without them.
  T.objectiveIndexer = function (get, set, error) {
    var objectives = null; // module id -> index; null until read, false when unsupported
    return function (moduleId) {
      if (objectives === null) {
        objectives = {};
        var count = parseInt(get("cmi.objectives._count"), 10);
        if (error() !== "0" || isNaN(count)) {
          objectives = false;
        } else {
          for (var i = 0; i < count; i++) objectives[get("cmi.objectives." + i + ".id")] = i;
          objectives._next = count;
        }
      }
      if (objectives === false) return null;
      if (!(moduleId in objectives)) {
        var n = objectives._next;
        if (!set("cmi.objectives." + n + ".id", moduleId)) {
          objectives = false;
          return null;
        }
        objectives[moduleId] = n;
        objectives._next = n + 1;
      }
      return objectives[moduleId];
    };
  };

  /* What the course's rule makes of a progress summary.
   * `masteryPercent` is the LMS's passing score if it sent one (it may differ
   * from the course's), else the course's. The score is reported once every
   * module quiz has been checked (a partial course score would read as a
   * failure under the LMS's own mastery rule), and one at or above the pass
   * mark only once the course is passed. */
  T.judge = function (summary, masteryPercent) {
    var config = T.config;
    var quizModules = config.modules.filter(function (m) { return m.scored; });
    var modules = summary.modules || {};
    var allChecked = quizModules.length > 0 && quizModules.every(function (m) {
      return modules[m.id] && modules[m.id].score !== null && modules[m.id].score !== undefined;
    });
    var score = allChecked && typeof summary.score === "number" ? round(summary.score, 2) : null;
    var success = "unknown";
    if (config.completion === "quizzes" && score !== null) {
      var mastery = masteryPercent === null || masteryPercent === undefined ? config.passingScore : masteryPercent;
      var reaches = meetsPassMark(score, mastery);
      if (summary.completed) {
        success = reaches ? "passed" : "failed";
      } else {
        // A module quiz not passed yet (or locked): not passed, whatever the average.
        success = reaches && summary.passed !== false ? "unknown" : "failed";
        // LMSs that judge by the score would pass a score at the pass mark (Moodle's
        // default "mastery score overrides status" in SCORM 1.2, SCORM 2004's scaled
        // passing score): such a score waits until every module is passed.
        if (reaches) score = null;
      }
    }
    if (success === "failed" && config.failedStatus === "incomplete") {
      // Some LMSs lock a learner out after "failed"; this option reports
      // neither it nor the failing score (from which the LMS would infer it).
      success = "unknown";
      score = null;
    }
    return { completed: !!summary.completed, success: success, score: score };
  };

  T.sameVerdict = function (a, b) {
    return !!a && !!b && a.completed === b.completed && a.success === b.success && a.score === b.score;
  };

  /* ------------------------------------------------------------ interactions */

  function normalise(text) {
    return String(text).normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();
  }

  function findOption(options, text) {
    var wanted = normalise(text);
    for (var i = 0; i < (options || []).length; i++) {
      if (normalise(options[i].text) === wanted) return options[i];
    }
    return null;
  }

  function allFound(list) {
    return list.length > 0 && list.every(function (x) { return x; });
  }

  // A free-text answer as SCORM's fill-in accepts it: one line, no leading
  // "{" (read as a language tag), no "[,]" delimiters inside.
  function freeText(text, limit) {
    var line = String(text).replace(/\s+/g, " ").trim().replace(/^\{+/, "").split("[,]").join(",").split("[.]").join(".");
    return line.length > limit ? line.slice(0, limit) : line;
  }

  // A typed number as SCORM's decimal (no exponent, at most 10 integer digits), or null.
  function numberText(text) {
    var value = Number(String(text).trim().replace(",", "."));
    var decimal = isFinite(value) && String(text).trim() !== "" ? String(value) : "";
    return /^-?\d{1,10}(\.\d{1,18})?$/.test(decimal) ? decimal : null;
  }

  /* The packet's record of a checked question, in the words of each standard:
   * `response` for SCORM 2004 and xAPI, `response12` for SCORM 1.2 (null when
   * the answer cannot be put in that standard's form). */
  T.describe = function (record) {
    var key = T.config.questions[record.id] || {};
    var answer = (record.response || []).map(String);
    var result = record.correct === true ? "correct" : record.correct === false ? "incorrect" : "neutral";
    var out = {
      id: record.id,
      moduleId: record.moduleId || key.module,
      kind: record.type || key.type,
      type: key.interaction || "other",
      type12: key.interaction12 || "performance",
      weight: typeof record.weight === "number" ? record.weight : key.weight || 0,
      description: String(record.description || ""),
      result: result,
      correct: record.correct,
      response: null,
      response12: null,
      key: key
    };
    var picked, rows;
    switch (out.kind) {
      case "single":
      case "multiple":
      case "ordering":
        picked = answer.map(function (text) { return findOption(key.options, text); });
        if (out.kind === "multiple") picked.sort(function (a, b) { return key.options.indexOf(a) - key.options.indexOf(b); });
        if (allFound(picked)) {
          out.response = picked.map(function (o) { return o.id; }).join("[,]");
          if (picked.every(function (o) { return o.id12; })) out.response12 = picked.map(function (o) { return o.id12; }).join(",");
        }
        break;
      case "matching":
        rows = answer.map(function (text) {
          var parts = splitRow(text, key.sources);
          var source = parts && findOption(key.sources, parts[0]);
          var target = parts && findOption(key.options, parts[1]);
          return source && target ? [source, target] : null;
        });
        if (allFound(rows)) {
          out.response = rows.map(function (r) { return r[0].id + "[.]" + r[1].id; }).join("[,]");
          if (rows.every(function (r) { return r[0].id12 && r[1].id12; })) {
            out.response12 = rows.map(function (r) { return r[0].id12 + "." + r[1].id12; }).join(",");
          }
        }
        break;
      case "true_false":
        var truth = trueFalse(answer[0]);
        if (truth !== null) {
          out.response = truth ? "true" : "false";
          out.response12 = truth ? "t" : "f";
        }
        break;
      case "numeric":
        out.response = out.response12 = answer.length ? numberText(answer[0]) : null;
        break;
      case "fill_blank":
        if (answer.length) {
          out.response = freeText(answer.join(" "), 250);
          out.response12 = freeText(answer.join(" "), 255);
        }
        break;
      default: // open: the packet keeps the text; only the fact of an answer is reported
        break;
    }
    return out;
  };

  // A matching row comes as "prompt→match"; a prompt may hold an arrow itself.
  function splitRow(text, sources) {
    text = String(text);
    var arrow = "\u2192";
    for (var at = text.lastIndexOf(arrow); at > 0; at = text.lastIndexOf(arrow, at - 1)) {
      if (findOption(sources, text.slice(0, at))) return [text.slice(0, at), text.slice(at + 1)];
    }
    return null;
  }

  function trueFalse(text) {
    if (text === undefined || text === null) return null;
    var value = normalise(text);
    var words = T.config.trueFalseWords || {};
    if (value === "true" || value === normalise(words["true"] || "true")) return true;
    if (value === "false" || value === normalise(words["false"] || "false")) return false;
    return null;
  }

  /* ------------------------------------------------------------ time */

  T.isoDuration = function (ms) {
    var seconds = Math.max(0, ms) / 1000;
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = round(seconds % 60, 2);
    return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + rest + "S";
  };

  /* ------------------------------------------------------------ the session */

  /* Runs one launch against an adapter that has connected to the LMS.
   * The adapter implements: state (initial state object or null), location,
   * masteryPercent, readOnly, report(verdict), moduleResults(summary),
   * interaction(description), save(stateJson, location), commit(),
   * finish(verdict, sessionMs). */
  function Session(adapter) {
    this.adapter = adapter;
    this.started = Date.now();
    this.stateJson = adapter.state ? JSON.stringify(adapter.state) : null;
    this.location = adapter.location || null;
    this.verdict = null;
    this.savedJson = this.stateJson;
    this.savedLocation = this.location;
    this.commitTimer = null;
    this.finished = false;
    var self = this;
    this.interval = setInterval(function () { if (self.dirty()) self.commit(); }, COMMIT_EVERY_MS);
  }

  Session.prototype.dirty = function () {
    return this.stateJson !== this.savedJson || this.location !== this.savedLocation;
  };

  Session.prototype.host = function () {
    var self = this;
    return {
      load: function () {
        return self.stateJson ? JSON.parse(self.stateJson) : null;
      },
      save: function (state) {
        if (self.finished || self.adapter.readOnly) return;
        self.stateJson = JSON.stringify(state);
      },
      progress: function (summary) {
        if (self.finished || self.adapter.readOnly) return;
        var moved = summary.location !== undefined && summary.location !== self.location;
        if (summary.location !== undefined) self.location = summary.location;
        var verdict = T.judge(summary, self.adapter.masteryPercent);
        var changed = !T.sameVerdict(verdict, self.verdict);
        self.verdict = verdict;
        if (self.adapter.moduleResults) self.adapter.moduleResults(summary);
        if (changed) self.adapter.report(verdict);
        if (changed || moved) self.commitSoon();
      },
      interaction: function (record) {
        if (self.finished || self.adapter.readOnly) return;
        self.adapter.interaction(T.describe(record));
        self.commitSoon();
      }
    };
  };

  // One commit for everything one user action caused (state, progress, answers).
  Session.prototype.commitSoon = function () {
    var self = this;
    if (this.commitTimer === null) {
      this.commitTimer = setTimeout(function () { self.commit(); }, 0);
    }
  };

  Session.prototype.commit = function () {
    if (this.commitTimer !== null) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    if (this.finished || this.adapter.readOnly) return;
    this.adapter.save(this.stateJson, this.location);
    this.savedJson = this.stateJson;
    this.savedLocation = this.location;
    this.adapter.commit();
  };

  Session.prototype.finish = function () {
    if (this.finished) return;
    if (!this.adapter.readOnly) {
      this.commitTimer !== null && clearTimeout(this.commitTimer);
      this.commitTimer = null;
      this.adapter.save(this.stateJson, this.location);
    }
    this.finished = true;
    clearInterval(this.interval);
    this.adapter.finish(this.verdict, Date.now() - this.started);
  };

  /* ------------------------------------------------------------ the page */

  function pageFor(location) {
    if (location === T.config.completionPage.location) return T.config.completionPage.page;
    var modules = T.config.modules;
    for (var i = 0; i < modules.length; i++) {
      if (modules[i].id === location && modules[i].page) return modules[i].page;
    }
    return T.config.home;
  }

  T.notice = function (text) {
    var box = document.getElementById("notice");
    document.getElementById("notice-text").textContent = text;
    box.hidden = false;
    document.getElementById("notice-close").onclick = function () { box.hidden = true; };
  };

  T.showPacket = function (location) {
    var frame = document.getElementById("packet");
    document.getElementById("loading").hidden = true;
    frame.hidden = false;
    frame.src = pageFor(location);
  };

  /* Start the launch: `connect` returns an adapter, null when there is no
   * LMS, or a promise of either. Without an LMS the packet keeps its
   * progress in the browser, as the offline packet does. */
  T.launch = function (connect) {
    Promise.resolve()
      .then(connect)
      .catch(function (error) {
        if (window.console) console.warn("coursepack: LMS connection failed", error);
        return { failed: true };
      })
      .then(function (adapter) {
        if (!adapter || adapter.failed) {
          T.notice(T.config.strings[adapter && adapter.failed ? "lms_failed" : "no_lms"]);
          T.showPacket(null);
          return;
        }
        var session = new Session(adapter);
        T.session = session;
        window.coursepackHost = session.host();
        if (adapter.readOnly) T.notice(T.config.strings.review);
        var end = function () { session.finish(); };
        window.addEventListener("pagehide", end);
        document.addEventListener("visibilitychange", function () {
          if (document.visibilityState === "hidden" && session.dirty()) session.commit();
        });
        if (adapter.exit) {
          document.getElementById("exit-bar").hidden = false;
          document.getElementById("exit").onclick = function () { adapter.exit(session); };
        }
        T.showPacket(session.location);
      });
  };
})();
