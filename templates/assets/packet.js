/* coursepack offline packet: quizzes, saved progress, private notes, certificate.
 *
 * Plain script, no framework, no network. The page says which page it is in
 * <script id="cp-data">; the course's data comes from assets/course-data.js,
 * loaded before this script by every page of the site (the single-file packet
 * carries it in <script id="cp-data"> instead). Progress is saved to an LMS host when the page runs
 * in a frame of one (window.parent.coursepackHost), otherwise in the browser under a key made
 * of the course id and version: where depends on the browser (see "storage" below). Private
 * notes (reflections, open answers, the certificate name) always stay in the browser.
 * "Save my results" writes all of it to a file that "Load my results" reads back.
 *
 * The saved state's layout is described in coursepack/packet/state.py, and the
 * answer marks and seals in coursepack/packet/answer_key.py: keep them in step.
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("cp-data");
  if (!dataElement) return;
  var DATA = JSON.parse(dataElement.textContent);
  var SHARED = DATA.course ? DATA : window.coursepackCourse;
  if (!SHARED) return;
  var COURSE = SHARED.course;
  var MODULES = COURSE.modules;
  var LIMITS = SHARED.limits;
  var STRINGS = SHARED.strings;
  var STATE_KEY = "coursepack:" + COURSE.id + ":" + COURSE.version;
  var NOTES_KEY = STATE_KEY + ":notes";
  var DATES_KEY = STATE_KEY + ":dates";
  var NAME_NOTE = "@name";
  var SINGLE = !DATA.page;

  function text(key, values) {
    var template = STRINGS[key] || key;
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function one(selector, root) {
    return (root || document).querySelector(selector);
  }

  var numberFormat = (function () {
    try { return new Intl.NumberFormat(COURSE.lang, { maximumFractionDigits: 1 }); } catch (e) { return null; }
  })();

  function formatNumber(value) {
    return numberFormat ? numberFormat.format(value) : String(Math.round(value * 10) / 10);
  }

  // The score in its ring, written as the language writes a percentage ("66.7%", "66,7 %"):
  // the sign, and its space, smaller than the number, so that the longest fits the ring.
  function scoreRing(score) {
    var written = text("percent", { n: "\u0000" }).split("\u0000");
    var sign = function (part) { return part ? '<span class="result-percent">' + escapeHtml(part) + "</span>" : ""; };
    return '<p class="result-score" aria-hidden="true">' +
      '<span class="result-number">' + sign(written[0]) + escapeHtml(formatNumber(score)) + sign(written[1]) + "</span></p>";
  }

  // A date as the course's language writes it in a sentence; the first of a month
  // has a form of its own in some ("1er décembre"), which Intl does not give.
  function longDate(date) {
    var parts = new Intl.DateTimeFormat(COURSE.lang, { dateStyle: "long" }).formatToParts(date);
    return parts.map(function (part) {
      return part.type === "day" && date.getDate() === 1 ? text("first_of_month") : part.value;
    }).join("");
  }

  function round2(value) {
    return Math.round(value * 100) / 100;
  }

  // A module's score as kept, short enough for SCORM 1.2's resume data; the course
  // score recovers the exact points from it (bestPointsEarned) and rounds once.
  function round4(value) {
    return Math.round(value * 10000) / 10000;
  }

  // Whether a score (percent) reaches a pass mark (percent), in hundredths of a
  // percent, so that 55 reaches 55 whatever the floating point (0.55 * 100 is not 55).
  function meetsPassMark(score, pass) {
    return Math.round(score * 100) >= Math.round(pass * 100);
  }

  // ------------------------------------------------------------ SHA-256 (for answer marks)

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function rotr(x, n) {
    return (x >>> n) | (x << (32 - n));
  }

  function sha256(bytes) {
    var length = bytes.length;
    var padded = new Uint8Array(((length + 72) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length * 8) >>> 0);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var offset = 0; offset < padded.length; offset += 64) {
      var i;
      for (i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (var j = 0; j < 8; j++) outView.setUint32(j * 4, h[j] >>> 0);
    return out;
  }

  function utf8(value) {
    return new TextEncoder().encode(value);
  }

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  // mark(salt, a, b) == answer_key.mark(salt, a, b) in Python.
  function mark(salt) {
    var parts = [salt];
    for (var i = 1; i < arguments.length; i++) parts.push(String(arguments[i]));
    return hex(sha256(utf8(parts.join("|")))).slice(0, 16);
  }

  function unseal(salt, sealed) {
    var raw = atob(sealed);
    var out = new Uint8Array(raw.length);
    var block = null;
    for (var i = 0; i < raw.length; i++) {
      if (i % 32 === 0) block = sha256(utf8(salt + "|seal|" + i / 32));
      out[i] = raw.charCodeAt(i) ^ block[i % 32];
    }
    return JSON.parse(new TextDecoder().decode(out));
  }

  function normaliseAnswer(value) {
    return value.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();
  }

  // ------------------------------------------------------------ storage
  //
  // Where progress is kept, found before anything else runs (`openStore`):
  // - "local": this page's localStorage, where every page of the packet shares it
  //   (a web server's pages, the single file, WebKit and Chromium from disk);
  // - "shared": the site opened from disk where each file is an origin of its own
  //   (Firefox gives each file:// page its own localStorage): every page keeps
  //   progress in a hidden frame loaded from one fixed file, assets/store.html,
  //   and talks to it with postMessage. (WebKit keeps a frame's storage only for
  //   the session, so it is not used where the page's own storage is shared.)
  // - "session": the browser refuses localStorage (Safari from disk): this tab's
  //   sessionStorage carries progress from page to page until the tab is closed,
  //   and every page says so and offers "Save my results";
  // - "memory": nothing at all is kept beyond this page.
  // Each keeps a copy of its values in memory, so reading is synchronous.

  var STORE_TIMEOUT = 3000; // ms to wait for the frame before falling back

  function probe(storage) {
    try {
      storage.setItem(STATE_KEY + ":probe", "1");
      storage.removeItem(STATE_KEY + ":probe");
      return true;
    } catch (e) {
      return false;
    }
  }

  function Store(kind, storage, values) {
    this.kind = kind;
    this.storage = storage || null;
    this.values = values || {};
    this.frame = null;
    this.waiting = [];
  }

  Store.prototype.kept = function () {
    return this.kind === "local" || this.kind === "shared";
  };

  Store.prototype.get = function (key) {
    if (this.storage) {
      try { return this.storage.getItem(key); } catch (e) { /* fall back to the copy */ }
    }
    return Object.prototype.hasOwnProperty.call(this.values, key) ? this.values[key] : null;
  };

  Store.prototype.set = function (key, value) {
    if (value === null) delete this.values[key]; else this.values[key] = value;
    if (this.frame) {
      this.frame.postMessage({ coursepack: "store", op: "set", key: key, value: value }, "*");
    } else if (this.storage) {
      try {
        if (value === null) this.storage.removeItem(key); else this.storage.setItem(key, value);
      } catch (e) { /* full: kept in memory */ }
    }
  };

  // Call `done` once every value set so far is kept (the frame answers in order).
  Store.prototype.flush = function (done) {
    if (!this.frame) return done();
    this.waiting.push(done);
    this.frame.postMessage({ coursepack: "store", op: "ping" }, "*");
  };

  function pageStore() {
    var local = null, session = null;
    try { local = window.localStorage; } catch (e) { local = null; }
    if (local && probe(local)) return new Store("local", local);
    try { session = window.sessionStorage; } catch (e) { session = null; }
    if (session && probe(session)) return new Store("session", session);
    return new Store("memory");
  }

  function openStore(ready) {
    // Only where each file is an origin of its own (Firefox): elsewhere the page's own
    // storage is already the whole packet's, and WebKit would not keep a frame's.
    if (!SHARED.store || window.location.protocol !== "file:" || window.location.origin !== "null" || host) {
      return ready(pageStore());
    }
    var frame = document.createElement("iframe");
    var settled = false, store = null;
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.title = "";
    function settle(opened) {
      if (settled) return;
      settled = true;
      ready(opened);
    }
    window.addEventListener("message", function (event) {
      var message = event.data;
      if (event.source !== frame.contentWindow || !message || message.coursepack !== "store") return;
      if (message.op === "values" && !settled) {
        if (message.refused) {
          frame.remove();
          return settle(pageStore());
        }
        store = new Store("shared", null, message.values || {});
        store.frame = frame.contentWindow;
        settle(store);
      } else if (message.op === "pong" && store) {
        var waiting = store.waiting.shift();
        if (waiting) waiting();
      }
    });
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ coursepack: "store", op: "open", prefix: STATE_KEY }, "*");
    });
    window.setTimeout(function () { settle(pageStore()); }, STORE_TIMEOUT);
    frame.src = SHARED.store;
    document.body.appendChild(frame);
  }

  var host = (function () {
    try {
      if (window.parent !== window && window.parent.coursepackHost) return window.parent.coursepackHost;
    } catch (e) { /* a parent of another origin */ }
    return null;
  })();

  var store = null;

  function emptyState() {
    return { v: 1, f: COURSE.fingerprint, m: MODULES.map(function () { return {}; }) };
  }

  // A saved state, checked against this course; an empty one when it does not fit.
  function checkedState(saved) {
    var state = emptyState();
    if (!saved || saved.v !== 1 || saved.f !== COURSE.fingerprint || !Array.isArray(saved.m)) return state;
    if (typeof saved.l === "number" && saved.l >= 0 && saved.l < MODULES.length) state.l = saved.l;
    if (typeof saved.d === "string" && /^\d{4}-\d\d-\d\d$/.test(saved.d)) state.d = saved.d;
    saved.m.slice(0, MODULES.length).forEach(function (entry, index) {
      if (entry && typeof entry === "object" && !Array.isArray(entry)) state.m[index] = entry;
    });
    return state;
  }

  function loadState() {
    var saved = null;
    try {
      saved = host ? host.load() : JSON.parse(store.get(STATE_KEY) || "null");
      if (typeof saved === "string") saved = JSON.parse(saved);
    } catch (e) {
      saved = null;
    }
    return checkedState(saved);
  }

  function loadRecord(key) {
    try {
      var value = JSON.parse(store.get(key) || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : {};
    } catch (e) {
      return {};
    }
  }

  var state = null;
  var notes = null;
  var dates = null; // the day each module was last completed or attempted, by module id: for results files

  function saveNote(key, value) {
    if (value) notes[key] = value; else delete notes[key];
    store.set(NOTES_KEY, JSON.stringify(notes));
  }

  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
  }

  function dateModule(index) {
    dates[MODULES[index].id] = today();
    store.set(DATES_KEY, JSON.stringify(dates));
  }

  // Save the state and tell the host; called after every change.
  function commit() {
    var summary = progressSummary();
    if (summary.completed && !state.d) state.d = today();
    if (host) {
      try { host.save(JSON.parse(JSON.stringify(state))); } catch (e) { /* the host's problem */ }
      try { if (host.progress) host.progress(summary); } catch (e) { /* the host's problem */ }
    } else {
      store.set(STATE_KEY, JSON.stringify(state));
    }
    refresh(summary);
  }

  // ------------------------------------------------------------ progress

  function entryOf(index) {
    return state.m[index];
  }

  function modulePassed(index) {
    var quiz = MODULES[index].quiz, entry = entryOf(index);
    if (!quiz || !entry.a) return null;
    if (!quiz.w) return true; // only open questions: done once answered
    return typeof entry.b === "number" && meetsPassMark(entry.b, quiz.pass);
  }

  function moduleSummary(index) {
    var entry = entryOf(index), quiz = MODULES[index].quiz;
    return {
      visited: !!entry.v,
      score: quiz && quiz.w && typeof entry.b === "number" ? round2(entry.b) : null,
      passed: modulePassed(index),
      attempts: entry.a || 0
    };
  }

  function moduleDone(index) {
    if (COURSE.completion === "visited" || !MODULES[index].quiz) return !!entryOf(index).v;
    return modulePassed(index) === true;
  }

  // A quiz failed with every attempt used: the learner cannot finish this module
  // until the quiz is reset (see Quiz.prototype.resetAttempts).
  function moduleLocked(index) {
    var quiz = MODULES[index].quiz;
    return !!(quiz && quiz.w && quiz.max && !moduleDone(index) && (entryOf(index).a || 0) >= quiz.max &&
      modulePassed(index) === false);
  }

  function lockedModules() {
    return MODULES.map(function (module, index) { return index; }).filter(moduleLocked);
  }

  // The module a learner can work on next, after `from` if one is left there, else the first
  // one left; null when nothing is left that they can do (done, or locked out).
  function nextToDo(from) {
    function open(index) { return !moduleDone(index) && !moduleLocked(index); }
    for (var i = from + 1; i < MODULES.length; i++) if (open(i)) return i;
    for (var j = 0; j < MODULES.length; j++) if (open(j)) return j;
    return null;
  }

  // The course score is shown, and sent, only once every scored quiz has been taken:
  // a score over some quizzes reads as a failing course, one over what was taken as
  // more than it is. The LMS packages follow the same rule (host-common.js, judge).
  function quizzesTaken() {
    var taken = 0, total = 0;
    MODULES.forEach(function (module, index) {
      if (!module.quiz || !module.quiz.w) return;
      total++;
      if (typeof entryOf(index).b === "number") taken++;
    });
    return { taken: taken, total: total };
  }

  // The points a module's best attempt earned, from its percentage (kept to 4 places).
  // Where every attempt has the same points possible in whole hundredths (`x`), the
  // exact points are recovered, so the course score is rounded once: 1 point of 12
  // kept as 8.3333% would otherwise make 13 of 32 (40.625, so 40.63) read 40.62.
  function bestPointsEarned(index) {
    var quiz = MODULES[index].quiz, points = (entryOf(index).b * quiz.w) / 100;
    return quiz.x ? round2(points) : points;
  }

  function currentModuleIndex() {
    if (SINGLE) {
      return currentView && currentView.getAttribute("data-view") === "module" ? +currentView.getAttribute("data-module") : null;
    }
    return DATA.page.kind === "module" ? DATA.page.module : null;
  }

  function progressSummary() {
    var modules = {};
    var earned = 0, weights = 0, scored = false, quizzes = 0, allPassed = true, finalFail = false;
    MODULES.forEach(function (module, index) {
      var summary = moduleSummary(index);
      modules[module.id] = summary;
      var quiz = module.quiz;
      if (!quiz) return;
      quizzes++;
      if (quiz.w) {
        weights += quiz.w;
        if (summary.score !== null) { scored = true; earned += bestPointsEarned(index); }
      }
      if (summary.passed !== true) {
        allPassed = false;
        if (summary.passed === false && quiz.max && summary.attempts >= quiz.max) finalFail = true;
      }
    });
    var allVisited = MODULES.every(function (module, index) { return !!entryOf(index).v; });
    var location = currentModuleIndex();
    return {
      // A module's id, or the completion page's address (never a module id: those have no dot).
      location: location !== null ? MODULES[location].id : onCompletionPage() ? COURSE.certificate : null,
      modules: modules,
      score: scored && weights && quizzesTaken().taken === quizzesTaken().total ? round2((earned / weights) * 100) : null,
      completed: COURSE.completion === "visited" || !quizzes ? allVisited : allPassed,
      passed: !quizzes ? null : allPassed ? true : finalFail ? false : null
    };
  }

  // ------------------------------------------------------------ icons and small helpers

  var ICONS = {
    check: '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    cross: '<path d="M6.5 6.5l11 11M17.5 6.5l-11 11"/>',
    pen: '<path d="M4 20l1-4.5L15.5 5a2.1 2.1 0 0 1 3 3L8 18.5z"/><path d="M13.5 7l3 3"/>',
    info: '<circle cx="12" cy="12" r="8.5"/><path d="M12 11v5.5"/><circle cx="12" cy="7.8" r=".6"/>',
    award: '<circle cx="12" cy="9" r="5.5"/><path d="M8.7 13.4L7.5 21l4.5-2.5 4.5 2.5-1.2-7.6"/>',
    right: '<path d="M9.5 6l6 6-6 6"/>',
    lock: '<rect x="5.5" y="10.5" width="13" height="9.5" rx="1.5"/><path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5"/>',
    reset: '<path d="M4.5 12a7.5 7.5 0 1 0 2.2-5.3"/><path d="M4.5 4.5v3.8h3.8"/>'
  };

  function icon(name) {
    return '<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">' + ICONS[name] + "</svg>";
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function plain(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  var announcer = one('[data-cp="announce"]');

  function announce(message) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 60);
  }

  function setMark(element, correct) {
    if (!element) return;
    element.className = "mark " + (correct ? "is-correct" : "is-incorrect");
    element.innerHTML = icon(correct ? "check" : "cross") + escapeHtml(text(correct ? "choice_correct" : "choice_incorrect"));
  }

  function clearMark(element) {
    if (!element) return;
    element.className = "mark";
    element.innerHTML = "";
  }

  // A learner's typed text, made safe to save: no control characters, no lone surrogates, capped.
  function cleanText(value, limit) {
    var cleaned = value.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, limit);
    return cleaned.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g, "$1");
  }

  var decimalSeparator = (function () {
    try {
      var parts = new Intl.NumberFormat(COURSE.lang).formatToParts(1.5);
      for (var i = 0; i < parts.length; i++) if (parts[i].type === "decimal") return parts[i].value;
    } catch (e) { /* old browser */ }
    return ".";
  })();

  // The number a learner typed, as their language writes it: "3,5" in French, "1,000" in English.
  function readNumber(value) {
    var cleaned = value.trim().replace(/[\s\u00a0\u202f']/g, "").replace(/\u2212/g, "-");
    if (decimalSeparator === "," && cleaned.indexOf(",") >= 0) cleaned = cleaned.replace(/\./g, "").replace(",", ".");
    else cleaned = cleaned.replace(/,/g, "");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cleaned)) return { number: NaN, text: cleaned };
    return { number: Number(cleaned), text: cleaned };
  }

  function random32() {
    try {
      return window.crypto.getRandomValues(new Uint32Array(1))[0];
    } catch (e) {
      return Math.floor(Math.random() * 4294967296);
    }
  }

  function seededRandom(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(items, random) {
    var copy = items.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = copy[i]; copy[i] = copy[j]; copy[j] = swap;
    }
    return copy;
  }

  function bitSet(mask, bit) {
    return Math.floor(mask / Math.pow(2, bit)) % 2 === 1;
  }

  // ------------------------------------------------------------ questions

  function Question(element, quiz) {
    this.element = element;
    this.quiz = quiz;
    this.item = element.closest("li");
    this.index = +element.getAttribute("data-index");
    this.id = element.id.replace(/^q-/, "");
    this.type = element.getAttribute("data-type");
    this.points = +element.getAttribute("data-points");
    this.scored = this.type !== "open";
    this.salt = element.getAttribute("data-salt");
    this.marks = (element.getAttribute("data-k") || "").split(" ");
    this.sealed = element.getAttribute("data-seal");
    this.feedback = one('[data-cp="feedback"]', element);
    this.checkButton = one('[data-cp="check"]', element);
    this.choices = all(".choice", element);
    this.rows = all(".match-row", element);
    this.orderList = one(".order-list", element);
    this.answerInput = one('[data-cp="answer"]', element);
    this.locked = false;
    var question = this;
    if (this.checkButton) this.checkButton.addEventListener("click", function () { question.check(); });
    var hint = one('[data-cp="hint-toggle"]', element);
    if (hint) hint.addEventListener("click", function () { question.toggleHint(hint); });
    if (this.orderList) this.setUpOrdering();
    if (this.rows.length) this.setUpMatching();
    if (this.answerInput && this.type !== "open") {
      this.answerInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); question.check(); }
      });
    }
    all("input, select", element).forEach(function (control) {
      control.addEventListener("change", function () { question.clearProblem(); });
    });
  }

  Question.prototype.hidden = function () {
    if (!this._hidden) this._hidden = unseal(this.salt, this.sealed);
    return this._hidden;
  };

  Question.prototype.toggleHint = function (button) {
    var hint = document.getElementById(button.getAttribute("aria-controls"));
    var open = hint.hidden;
    hint.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.querySelector("span").textContent = text(open ? "hide_hint" : "show_hint");
  };

  Question.prototype.setNumber = function (number, total) {
    one('[data-cp="number"]', this.element).textContent = text("question_n", { n: number, total: total });
  };

  // Put choices, rows and items in this attempt's order. Always consumes the same random numbers.
  Question.prototype.arrange = function (random, shuffleChoices) {
    var parent;
    if (this.choices.length && this.type !== "true_false" && shuffleChoices) {
      parent = this.choices[0].parentNode;
      shuffled(this.choices, random).forEach(function (choice) { parent.appendChild(choice); });
    } else if (this.rows.length && shuffleChoices) {
      parent = this.rows[0].parentNode;
      shuffled(this.rows, random).forEach(function (row) { parent.appendChild(row); });
    } else if (this.orderList) {
      var keys = shuffled(this.orderItems().map(function (item) { return +item.getAttribute("data-key"); }).sort(function (a, b) { return a - b; }), random);
      if (this.orderCorrect(keys).every(Boolean)) keys.push(keys.shift()); // never start in the right order
      this.showOrder(keys);
    }
  };

  Question.prototype.orderItems = function () {
    return all(".order-item", this.orderList);
  };

  Question.prototype.showOrder = function (keys) {
    var list = this.orderList;
    var items = {};
    this.orderItems().forEach(function (item) { items[item.getAttribute("data-key")] = item; });
    keys.forEach(function (key) { list.appendChild(items[key]); });
    this.updateOrderButtons();
  };

  Question.prototype.orderCorrect = function (keys) {
    var question = this;
    return keys.map(function (key, position) { return mark(question.salt, position, key) === question.marks[position]; });
  };

  // A drop-down shows one line, cut at its width: a chosen match longer than that is
  // written out beneath it too, and once checked every row says which match was chosen.
  Question.prototype.setUpMatching = function () {
    var question = this;
    this.rows.forEach(function (row) {
      one("select", row).addEventListener("change", function () { question.showChoice(row); });
      question.showChoice(row); // a choice the browser kept from an earlier visit
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = window.setTimeout(function () {
        pending = null;
        if (!question.locked) question.rows.forEach(function (row) { question.showChoice(row); });
      }, 150);
    });
  };

  Question.prototype.showChoice = function (row, always) {
    var select = one("select", row), slot = one('[data-cp="row-choice"]', row);
    var option = select.selectedIndex > 0 ? select.options[select.selectedIndex] : null;
    var label = option ? plain(option) : "";
    slot.innerHTML = label && (always || !fitsSelect(select, label)) ?
      "<strong>" + escapeHtml(text("your_match")) + "</strong> " + escapeHtml(label) : "";
  };

  var measuring = null;

  // Whether `label` shows whole in the closed drop-down: its width in the drop-down's font
  // against the room left by the padding and the arrow (2em, more than engines take).
  function fitsSelect(select, label) {
    if (!measuring) measuring = document.createElement("canvas").getContext("2d");
    if (!measuring || !select.clientWidth) return false;
    var style = window.getComputedStyle(select), size = parseFloat(style.fontSize);
    measuring.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
    var room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 2 * size;
    return measuring.measureText(label).width <= room;
  }

  Question.prototype.setUpOrdering = function () {
    var question = this;
    this.orderList.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button || question.locked || button.disabled) return;
      var item = button.closest(".order-item");
      var step = +button.getAttribute("data-move");
      var sibling = step < 0 ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) return;
      question.orderList.insertBefore(item, step < 0 ? sibling : sibling.nextElementSibling);
      question.updateOrderButtons();
      all(".order-item", question.orderList).forEach(function (each) { each.classList.remove("just-moved"); });
      item.classList.add("just-moved");
      var other = one('button[data-move="' + -step + '"]', item);
      (button.disabled ? other : button).focus();
      var items = question.orderItems();
      announce(text("moved", { n: items.indexOf(item) + 1, total: items.length, item: plain(one(".order-text", item)) }));
    });
  };

  Question.prototype.updateOrderButtons = function () {
    var items = this.orderItems(), locked = this.locked;
    items.forEach(function (item, position) {
      one('button[data-move="-1"]', item).disabled = locked || position === 0;
      one('button[data-move="1"]', item).disabled = locked || position === items.length - 1;
    });
  };

  Question.prototype.isCorrectChoice = function (key) {
    var choice = this.choiceByKey(key);
    return mark(this.salt, key, "1") === choice.getAttribute("data-k");
  };

  Question.prototype.choiceByKey = function (key) {
    for (var i = 0; i < this.choices.length; i++) {
      if (this.choices[i].getAttribute("data-key") === String(key)) return this.choices[i];
    }
    return null;
  };

  // The learner's answer in its saved form, or a problem to tell them about.
  Question.prototype.read = function () {
    var checked, value;
    switch (this.type) {
      case "single":
        checked = one("input:checked", this.element);
        return checked ? { value: +checked.value } : { problem: "need_choice" };
      case "multiple":
        value = 0;
        all("input:checked", this.element).forEach(function (input) { value += Math.pow(2, +input.value); });
        return value ? { value: value } : { problem: "need_choices" };
      case "true_false":
        checked = one("input:checked", this.element);
        return checked ? { value: checked.value === "true" ? 1 : 0 } : { problem: "need_choice" };
      case "fill_blank":
        value = cleanText(this.answerInput.value, LIMITS.fill);
        return value.trim() ? { value: value } : { problem: "need_text" };
      case "numeric":
        value = readNumber(cleanText(this.answerInput.value, LIMITS.numeric));
        if (!value.text) return { problem: "need_text" };
        return isNaN(value.number) ? { problem: "need_number" } : { value: value.text };
      case "matching":
        value = [];
        var missing = false;
        this.rows.forEach(function (row) {
          var choice = one("select", row).value;
          if (choice === "") missing = true;
          value[+row.getAttribute("data-row")] = +choice;
        });
        return missing ? { problem: "need_matches" } : { value: value };
      case "ordering":
        return { value: this.orderItems().map(function (item) { return +item.getAttribute("data-key"); }) };
      case "open":
        return this.answerInput.value.trim() ? { value: 1 } : { problem: "need_text" };
    }
    return { problem: "need_choice" };
  };

  // Put a saved answer back into the controls.
  Question.prototype.show = function (value) {
    var question = this;
    switch (this.type) {
      case "single":
        this.choices.forEach(function (choice) { one("input", choice).checked = +choice.getAttribute("data-key") === value; });
        break;
      case "multiple":
        this.choices.forEach(function (choice) { one("input", choice).checked = bitSet(value, +choice.getAttribute("data-key")); });
        break;
      case "true_false":
        this.choices.forEach(function (choice) { one("input", choice).checked = (choice.getAttribute("data-key") === "true") === (value === 1); });
        break;
      case "fill_blank":
      case "numeric":
        this.answerInput.value = value;
        break;
      case "matching":
        this.rows.forEach(function (row) { one("select", row).value = String(value[+row.getAttribute("data-row")]); });
        break;
      case "ordering":
        question.showOrder(value);
        break;
    }
  };

  // Whether the answer is right (null for open questions), with a verdict for each part.
  Question.prototype.evaluate = function (value) {
    var question = this, parts = [], correct = null, missed = false;
    switch (this.type) {
      case "single":
        correct = this.isCorrectChoice(value);
        parts.push({ key: value, correct: correct });
        break;
      case "multiple":
        correct = true;
        this.choices.forEach(function (choice) {
          var key = +choice.getAttribute("data-key");
          var right = question.isCorrectChoice(key), chosen = bitSet(value, key);
          if (chosen) parts.push({ key: key, correct: right });
          if (chosen !== right) correct = false;
          if (right && !chosen) missed = true;
        });
        break;
      case "true_false":
        correct = mark(this.salt, value ? "true" : "false") === this.marks[0];
        parts.push({ key: value ? "true" : "false", correct: correct });
        break;
      case "fill_blank":
        correct = this.marks.indexOf(mark(this.salt, normaliseAnswer(value))) >= 0;
        break;
      case "numeric":
        var range = this.hidden().n, number = readNumber(value).number;
        var slack = 1e-9 * Math.max(1, Math.abs(range[0]), Math.abs(range[1]));
        correct = number >= range[0] - slack && number <= range[1] + slack;
        break;
      case "matching":
        correct = true;
        value.forEach(function (option, row) {
          var right = mark(question.salt, row, option) === one('.match-row[data-row="' + row + '"]', question.element).getAttribute("data-k");
          parts.push({ row: row, correct: right });
          if (!right) correct = false;
        });
        break;
      case "ordering":
        var verdicts = this.orderCorrect(value);
        verdicts.forEach(function (right, position) { parts.push({ key: value[position], correct: right }); });
        correct = verdicts.every(Boolean);
        break;
    }
    return { correct: correct, parts: parts, missed: missed, earned: correct ? this.points : 0 };
  };

  // The answer as readable text, for the host's record of interactions.
  Question.prototype.describe = function (value) {
    var question = this;
    switch (this.type) {
      case "single":
        return [plain(one(".choice-text", this.choiceByKey(value)))];
      case "multiple":
        return this.choices.filter(function (choice) { return bitSet(value, +choice.getAttribute("data-key")); })
          .map(function (choice) { return plain(one(".choice-text", choice)); });
      case "true_false":
        return [value ? "true" : "false"];
      case "fill_blank":
      case "numeric":
        return [value];
      case "matching":
        return value.map(function (option, row) {
          var rowElement = one('.match-row[data-row="' + row + '"]', question.element);
          var select = one("select", rowElement);
          return plain(one(".match-prompt", rowElement)) + "\u2192" + plain(select.options[option + 1]);
        });
      case "ordering":
        return value.map(function (key) { return plain(one('.order-item[data-key="' + key + '"] .order-text', question.element)); });
    }
    return []; // open answers are private
  };

  Question.prototype.check = function () {
    if (this.locked) return;
    var answer = this.read();
    if (answer.problem) return this.showProblem(answer.problem);
    if (this.type === "open") this.quiz.saveOpen(this);
    this.quiz.record(this, answer.value);
  };

  Question.prototype.showProblem = function (problem) {
    this.feedback.className = "feedback is-problem";
    this.feedback.innerHTML = title("info", text(problem));
  };

  Question.prototype.clearProblem = function () {
    if (this.feedback.classList.contains("is-problem")) {
      this.feedback.className = "feedback";
      this.feedback.innerHTML = "";
    }
  };

  Question.prototype.lock = function (locked) {
    this.locked = locked;
    var keepEditable = this.type === "open";
    all("input, select", this.element).forEach(function (control) { control.disabled = locked && !keepEditable; });
    if (this.orderList) this.updateOrderButtons();
    this.element.classList.toggle("is-answered", locked);
    if (this.checkButton && !keepEditable) {
      if (locked) this.checkButton.setAttribute("aria-disabled", "true");
      else this.checkButton.removeAttribute("aria-disabled");
      this.checkButton.textContent = text(locked ? "checked" : "check");
    }
    if (keepEditable) this.locked = false;
  };

  Question.prototype.reset = function () {
    this.lock(false);
    this.feedback.className = "feedback";
    this.feedback.innerHTML = "";
    all("input[type=radio], input[type=checkbox]", this.element).forEach(function (input) { input.checked = false; });
    if (this.answerInput && this.type !== "open") this.answerInput.value = "";
    all("select", this.element).forEach(function (select) { select.value = ""; });
    all(".is-correct, .is-incorrect, .is-answer, .just-moved", this.element).forEach(function (element) {
      element.classList.remove("is-correct", "is-incorrect", "is-answer", "just-moved");
    });
    all('[data-cp="mark"]', this.element).forEach(clearMark);
    all('[data-cp="choice-feedback"], [data-cp="row-answer"], [data-cp="row-choice"]', this.element).forEach(function (element) { element.innerHTML = ""; });
    this.revealed = false;
    // A new attempt starts as the first did: the hint closed until asked for.
    var toggle = one('[data-cp="hint-toggle"]', this.element);
    if (toggle && toggle.getAttribute("aria-expanded") === "true") this.toggleHint(toggle);
  };

  // Show the verdict on the answer and on each of its parts.
  Question.prototype.showResult = function (value) {
    var question = this, result = this.evaluate(value), hidden = this.hidden();
    all(".just-moved", this.element).forEach(function (element) { element.classList.remove("just-moved"); });
    if (this.type === "open") {
      this.feedback.className = "feedback is-saved";
      this.feedback.innerHTML = title("pen", text("open_saved")) + explanation(hidden);
      if (this.quiz.revealsNow()) this.reveal(value);
      return result;
    }
    if (this.answerInput) {
      this.answerInput.classList.add(result.correct ? "is-correct" : "is-incorrect");
      setMark(one('[data-cp="mark"]', this.element), result.correct);
    }
    result.parts.forEach(function (part) {
      var holder;
      if (part.row !== undefined) {
        holder = one('.match-row[data-row="' + part.row + '"]', question.element);
        question.showChoice(holder, true);
      } else if (question.type === "ordering") {
        holder = one('.order-item[data-key="' + part.key + '"]', question.element);
      } else {
        holder = question.choiceByKey(part.key);
      }
      holder.classList.add(part.correct ? "is-correct" : "is-incorrect");
      setMark(one('[data-cp="mark"]', holder), part.correct);
      var said = hidden.f && hidden.f[part.key];
      var slot = one('[data-cp="choice-feedback"]', holder);
      if (said && slot) slot.innerHTML = said;
    });
    var own = result.correct ? hidden.c : hidden.i;
    var verdictText = text(result.correct ? "correct" : "incorrect"), verdict = escapeHtml(verdictText);
    // Feedback that opens with the verdict ("Not quite. Look again...") says it in place of
    // ours, so that it is said once.
    var lead = own ? leadingVerdict(own, verdictText) : null;
    if (lead) { verdict = lead.verdict; own = lead.rest; }
    this.feedback.className = "feedback " + (result.correct ? "is-correct" : "is-incorrect");
    this.feedback.innerHTML =
      titleHtml(result.correct ? "check" : "cross", verdict,
        text("points", { earned: formatNumber(result.earned), possible: formatNumber(this.points) })) +
      (own || "") +
      (result.missed ? "<p>" + escapeHtml(text("missed")) + "</p>" : "") +
      explanation(hidden);
    this.revealed = false;
    if (this.quiz.revealsNow()) this.reveal(value);
    return result;
  };

  // Show the right answer beside the learner's: the right choices they did not pick, the
  // right match of each wrong row, the right order, the typed answer wanted, the model answer.
  Question.prototype.reveal = function (value) {
    if (this.revealed) return;
    this.revealed = true;
    var question = this, hidden = this.hidden(), result = this.evaluate(value), said = "";
    switch (this.type) {
      case "single":
      case "multiple":
        this.choices.forEach(function (choice) {
          var key = +choice.getAttribute("data-key");
          var chosen = question.type === "single" ? key === value : bitSet(value, key);
          if (chosen || !question.isCorrectChoice(key)) return;
          choice.classList.add("is-answer");
          setAnswerMark(one('[data-cp="mark"]', choice), question.type === "multiple" ? "missed_choice" : "right_answer");
        });
        break;
      case "true_false":
        if (result.correct) break;
        this.choices.forEach(function (choice) {
          if (choice.getAttribute("data-key") === (value ? "true" : "false")) return;
          choice.classList.add("is-answer");
          setAnswerMark(one('[data-cp="mark"]', choice), "right_answer");
        });
        break;
      case "matching":
        this.rows.forEach(function (row) {
          var index = +row.getAttribute("data-row");
          if (result.parts[index] && result.parts[index].correct) return;
          var select = one("select", row), wanted = null;
          for (var option = 0; option < select.options.length - 1; option++) {
            if (mark(question.salt, index, option) === row.getAttribute("data-k")) wanted = option;
          }
          if (wanted === null) return;
          one('[data-cp="row-answer"]', row).innerHTML = "<strong>" + escapeHtml(text("right_match")) + "</strong> " +
            escapeHtml(plain(select.options[wanted + 1]));
        });
        break;
      case "ordering":
        if (result.correct) break;
        var keys = this.orderItems().map(function (item) { return +item.getAttribute("data-key"); });
        said = "<ol>" + this.marks.map(function (wanted, position) {
          var key = keys.filter(function (each) { return mark(question.salt, position, each) === wanted; })[0];
          return "<li>" + escapeHtml(plain(one('.order-item[data-key="' + key + '"] .order-text', question.element))) + "</li>";
        }).join("") + "</ol>";
        said = answerBlock(text("right_order"), said);
        break;
      case "fill_blank":
        if (!result.correct && typeof hidden.a === "string") said = answerLine(text("right_answer_is"), hidden.a);
        break;
      case "numeric":
        if (!result.correct && hidden.a) {
          var number = formatNumber(hidden.a[0]) + (hidden.a[1] ? " (\u00b1 " + formatNumber(hidden.a[1]) + ")" : "");
          said = answerLine(text("right_answer_is"), number);
        }
        break;
      case "open":
        if (hidden.m) said = answerBlock(text("model_answer"), hidden.m, "model-answer");
        break;
    }
    if (!said) return;
    // Before the explanation, which says why.
    var why = one(".explanation", this.feedback);
    if (why) why.insertAdjacentHTML("beforebegin", said);
    else this.feedback.insertAdjacentHTML("beforeend", said);
  };

  function answerLine(heading, value) {
    return '<p class="revealed revealed-line"><strong>' + escapeHtml(heading) + "</strong> " + escapeHtml(value) + "</p>";
  }

  function answerBlock(heading, body, extraClass) {
    return '<div class="revealed' + (extraClass ? " " + extraClass : "") + '"><p class="revealed-title">' +
      escapeHtml(heading) + "</p>" + body + "</div>";
  }

  function setAnswerMark(element, key) {
    if (!element) return;
    element.className = "mark is-answer";
    element.innerHTML = icon("check") + escapeHtml(text(key));
  }

  // When feedback HTML begins with the verdict, its first paragraph as the verdict line
  // and the rest; else null.
  function leadingVerdict(html, verdict) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var first = holder.firstElementChild;
    var opening = plain(holder).toLowerCase();
    if (!first || first.tagName !== "P" || opening.indexOf(verdict.toLowerCase()) !== 0) return null;
    var line = first.innerHTML;
    first.remove();
    return { verdict: line, rest: holder.innerHTML };
  }

  // A feedback heading line: an icon, the verdict, and an optional aside such as the points.
  function title(name, verdict, aside) {
    return titleHtml(name, escapeHtml(verdict), aside);
  }

  function titleHtml(name, verdictHtml, aside) {
    return '<p class="feedback-title">' + icon(name) + "<span>" + verdictHtml +
      (aside ? ' <span class="feedback-points">' + escapeHtml(aside) + "</span>" : "") + "</span></p>";
  }

  function explanation(hidden) {
    if (!hidden.x) return "";
    return '<div class="explanation"><p class="explanation-title">' + escapeHtml(text("explanation")) + "</p>" + hidden.x + "</div>";
  }

  // ------------------------------------------------------------ quizzes

  function Quiz(section) {
    var quiz = this;
    this.section = section;
    this.index = +section.getAttribute("data-module");
    this.module = MODULES[this.index];
    this.settings = this.module.quiz;
    this.list = one(".questions", section);
    this.result = one('[data-cp="quiz-result"]', section);
    this.attemptLine = one('[data-cp="attempt"]', section);
    this.questions = all('[data-cp="question"]', section).map(function (element) { return new Question(element, quiz); });
    this.result.addEventListener("click", function (event) {
      if (event.target.closest('[data-cp="retry"]')) quiz.retry();
      var reset = event.target.closest('[data-cp="reset-quiz"]');
      if (reset) quiz.askToReset(reset);
    });
  }

  Quiz.prototype.entry = function () {
    return entryOf(this.index);
  };

  Quiz.prototype.start = function () {
    var entry = this.entry();
    if (typeof entry.s !== "number") {
      entry.s = random32();
      entry.r = {};
    }
    this.arrange();
    var responses = entry.r || {}, quiz = this;
    this.drawn.forEach(function (question) {
      if (Object.prototype.hasOwnProperty.call(responses, question.index)) {
        question.show(responses[question.index]);
        question.showResult(responses[question.index]);
        question.lock(true);
      }
    });
    this.showProgress();
    if (this.complete()) this.showScore(false);
    else if (this.attemptsLeft() <= 0) this.showLocked();
    this.questions.forEach(function (question) {
      if (question.type === "open" && question.answerInput) bindNote(question.answerInput);
    });
    return quiz;
  };

  Quiz.prototype.arrange = function () {
    var random = seededRandom(this.entry().s), settings = this.settings, list = this.list;
    var order = settings.sq ? shuffled(this.questions, random) : this.questions.slice();
    var scored = this.questions.filter(function (question) { return question.scored; });
    var picked = settings.pick && settings.pick < scored.length ? shuffled(scored, random).slice(0, settings.pick) : scored;
    this.drawn = order.filter(function (question) { return !question.scored || picked.indexOf(question) >= 0; });
    var drawn = this.drawn;
    order.forEach(function (question) {
      list.appendChild(question.item);
      question.item.hidden = drawn.indexOf(question) < 0;
    });
    drawn.forEach(function (question, position) { question.setNumber(position + 1, drawn.length); });
    this.questions.forEach(function (question) { question.arrange(random, settings.sc); });
  };

  Quiz.prototype.counted = function () {
    var scored = this.drawn.filter(function (question) { return question.scored; });
    return scored.length ? scored : this.drawn;
  };

  Quiz.prototype.answered = function () {
    var responses = this.entry().r || {};
    return this.counted().filter(function (question) { return Object.prototype.hasOwnProperty.call(responses, question.index); });
  };

  Quiz.prototype.complete = function () {
    return this.answered().length === this.counted().length;
  };

  Quiz.prototype.score = function () {
    var responses = this.entry().r, earned = 0, possible = 0;
    this.drawn.forEach(function (question) {
      if (!question.scored) return;
      possible += question.points;
      if (Object.prototype.hasOwnProperty.call(responses, question.index)) earned += question.evaluate(responses[question.index]).earned;
    });
    return possible ? round4((earned / possible) * 100) : null;
  };

  // Whether the right answers show now: after each check, or once the quiz is over for
  // the learner (this attempt complete, and passed or the last one), or never.
  Quiz.prototype.revealsNow = function () {
    var rule = this.settings.rv;
    if (rule === "after_check") return true;
    if (rule !== "after_last_attempt" || !this.complete()) return false;
    var score = this.score();
    return this.attemptsLeft() <= 0 || score === null || meetsPassMark(score, this.settings.pass);
  };

  Quiz.prototype.revealAll = function () {
    var responses = this.entry().r || {};
    this.drawn.forEach(function (question) {
      if (Object.prototype.hasOwnProperty.call(responses, question.index)) question.reveal(responses[question.index]);
    });
  };

  Quiz.prototype.attemptsLeft = function () {
    if (!this.settings.max) return Infinity;
    return Math.max(0, this.settings.max - (this.entry().a || 0));
  };

  Quiz.prototype.showProgress = function () {
    var entry = this.entry(), attempt = (entry.a || 0) + (this.complete() ? 0 : 1);
    var parts = [];
    if (this.settings.max) parts.push(text("attempt", { n: Math.min(Math.max(attempt, 1), this.settings.max), max: this.settings.max }));
    else if (attempt > 1) parts.push(text("attempt_unlimited", { n: attempt }));
    var responses = entry.r || {};
    var answered = this.drawn.filter(function (question) { return Object.prototype.hasOwnProperty.call(responses, question.index); });
    parts.push(text("answered", { n: answered.length, total: this.drawn.length }));
    this.attemptLine.textContent = parts.join(" \u00b7 ");
  };

  Quiz.prototype.saveOpen = function (question) {
    saveNote(question.answerInput.getAttribute("data-note"), question.answerInput.value);
  };

  Quiz.prototype.record = function (question, value) {
    var entry = this.entry();
    var wasComplete = this.complete();
    entry.r = entry.r || {};
    entry.r[question.index] = value;
    var result = question.showResult(value);
    question.lock(true);
    if (!wasComplete && this.complete()) {
      entry.a = Math.min((entry.a || 0) + 1, this.settings.max || LIMITS.attempts);
      var score = this.score();
      if (score !== null) entry.b = typeof entry.b === "number" ? Math.max(entry.b, score) : score;
      dateModule(this.index);
      if (this.revealsNow()) this.revealAll();
      this.showScore(true);
    }
    this.showProgress();
    commit();
    if (host && host.interaction) {
      try {
        host.interaction({
          id: question.id,
          moduleId: this.module.id,
          type: question.type,
          response: question.describe(value),
          correct: result.correct,
          weight: question.points,
          description: question.element.getAttribute("data-prompt")
        });
      } catch (e) { /* the host's problem */ }
    }
  };

  Quiz.prototype.showScore = function (fresh) {
    var entry = this.entry(), settings = this.settings, left = this.attemptsLeft();
    var score = this.complete() || typeof entry.b !== "number" ? this.score() : entry.b;
    var html, cls;
    if (score === null) {
      cls = "quiz-result is-passed";
      html = '<div class="result-main"><div class="result-text"><p class="result-verdict">' + icon("check") +
        "<span>" + escapeHtml(text("open_complete")) + "</span></p></div></div>";
    } else {
      var passed = meetsPassMark(score, settings.pass);
      cls = "quiz-result " + (passed ? "is-passed" : "is-failed");
      var verdict = passed ? "passed" : left > 0 ? "failed" : "failed_final";
      var details = [];
      if (typeof entry.b === "number" && entry.b > score) details.push(text("best", { score: formatNumber(entry.b) }));
      if (settings.max && left > 0) details.push(text("attempts_left", { n: left }));
      html = '<div class="result-main">' + scoreRing(score) +
        '<div class="result-text"><p class="result-label">' + escapeHtml(text("your_score")) +
        '<span class="visually-hidden">: ' + escapeHtml(text("percent", { n: formatNumber(score) })) + "</span></p>" +
        '<p class="result-verdict">' + icon(passed ? "check" : "cross") + "<span>" + escapeHtml(text(verdict, { pass: formatNumber(settings.pass) })) + "</span></p>" +
        (details.length ? '<p class="result-detail">' + escapeHtml(details.join(" \u00b7 ")) + "</p>" : "") + "</div></div>";
      if (!passed && left <= 0) html += '<div class="result-locked">' + usedAttempts(settings.max) + "</div>";
    }
    // While attempts remain after a failed attempt, trying again is the step to take;
    // otherwise going on is, to where the course really stands.
    var retryFirst = score !== null && !meetsPassMark(score, settings.pass) && left > 0;
    var retry = left > 0 ? '<button type="button" class="button' + (retryFirst ? "" : " quiet") + '" data-cp="retry">' +
      icon("reset") + escapeHtml(text("try_again")) + "</button>" : "";
    var actions = retryFirst ? retry + onward(this.index, true) : onward(this.index, false) + retry;
    if (left <= 0 && score !== null && !meetsPassMark(score, settings.pass)) {
      actions += '<button type="button" class="button quiet" data-cp="reset-quiz">' + icon("reset") + escapeHtml(text("reset_quiz")) + "</button>";
    }
    this.result.className = cls;
    this.result.innerHTML = html + '<div class="result-actions">' + actions + "</div>";
    if (fresh) this.result.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
  };

  // Out of attempts with the last attempt unfinished (a progress loaded from elsewhere):
  // nothing more can be answered, and the best score stands.
  Quiz.prototype.showLocked = function () {
    this.drawn.forEach(function (question) { question.lock(true); });
    this.showScore(false);
  };

  // Where to go from a module's quiz, labelled by where the course really stands.
  function onward(index, quiet) {
    var next = index + 1 < MODULES.length ? MODULES[index + 1] : null;
    var href = next ? next.href : COURSE.certificate, label;
    if (next) label = text("next_module", { title: next.title });
    else label = progressSummary().completed ? text("finish") : text("see_what_is_left");
    return '<a class="button' + (quiet ? " quiet" : "") + '" data-cp="onward" href="' + escapeHtml(href) + '">' +
      escapeHtml(label) + icon("right") + "</a>";
  }

  // What a learner out of attempts at a quiz is told, and what they can do.
  function usedAttempts(max) {
    var said = max === 1 ? text("used_attempts_one") : text("used_attempts", { n: max });
    var kept = text("progress_kept") + (nextToDo(-1) !== null ? " " + text("carry_on") : "");
    return '<p class="result-locked-title">' + icon("lock") + "<span>" + escapeHtml(said) + "</span></p><p>" + escapeHtml(kept) + "</p>";
  }

  // A trainer lets a learner out of attempts start the quiz again: the attempts count
  // starts again; the best score and the rest of the progress are kept.
  Quiz.prototype.askToReset = function (button) {
    var dialog = one('[data-cp="reset-quiz-dialog"]', this.section), quiz = this;
    if (!dialog || !dialog.showModal) {
      if (window.confirm(text("reset_quiz_confirm"))) quiz.resetAttempts();
      return;
    }
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "reset") quiz.resetAttempts();
      else if (button.isConnected) button.focus();
    }, { once: true });
  };

  Quiz.prototype.resetAttempts = function () {
    this.entry().a = 0;
    this.retry();
  };

  Quiz.prototype.retry = function () {
    if (this.attemptsLeft() <= 0) return;
    var entry = this.entry();
    entry.s = random32();
    entry.r = {};
    this.questions.forEach(function (question) { question.reset(); });
    this.arrange();
    this.result.className = "quiz-result";
    this.result.innerHTML = "";
    this.showProgress();
    commit();
    var first = this.drawn[0];
    if (first) {
      var control = one("input, select, textarea, button", first.element);
      first.element.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
      if (control) control.focus({ preventScroll: true });
    }
    announce(this.attemptLine.textContent);
  };

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // ------------------------------------------------------------ private notes

  function bindNote(field) {
    var key = field.getAttribute("data-note");
    if (field.getAttribute("data-bound")) return;
    field.setAttribute("data-bound", "1");
    if (notes[key]) field.value = notes[key];
    var status = field.parentNode.querySelector('[data-cp="saved"]');
    var timer = null;
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        saveNote(key, field.value);
        if (status) status.textContent = text("notes_saved");
      }, 400);
    });
  }

  // ------------------------------------------------------------ what every page shows of the progress

  function badge(index) {
    var entry = entryOf(index), quiz = MODULES[index].quiz, passed = modulePassed(index);
    if (passed !== null && quiz.w) {
      var score = formatNumber(entry.b || 0);
      if (moduleLocked(index)) {
        return '<span class="badge badge-failed">' + icon("lock") + escapeHtml(text("status_locked", { score: score })) + "</span>";
      }
      return passed
        ? '<span class="badge badge-passed">' + icon("check") + escapeHtml(text("status_passed", { score: score })) + "</span>"
        : '<span class="badge badge-failed">' + icon("cross") + escapeHtml(text("status_failed", { score: score })) + "</span>";
    }
    if (moduleDone(index)) return '<span class="badge badge-passed">' + icon("check") + escapeHtml(text("status_complete")) + "</span>";
    if (entry.v) return '<span class="badge badge-progress">' + escapeHtml(text("status_in_progress")) + "</span>";
    return '<span class="badge badge-new">' + escapeHtml(text("status_not_started")) + "</span>";
  }

  function refresh(summary) {
    var total = MODULES.length;
    var done = MODULES.filter(function (module, index) { return moduleDone(index); }).length;
    var percent = Math.round((done / total) * 100) + "%";
    var count = text("progress_count", { n: done, total: total });
    all('[data-cp="progress-text"]').forEach(function (element) { element.textContent = count; });
    all('[data-cp="summary-count"]').forEach(function (element) { element.textContent = count; });
    all('[data-cp="progress-fill"], [data-cp="summary-fill"]').forEach(function (element) { element.style.width = percent; });
    var taken = quizzesTaken();
    all('[data-cp="summary-score"]').forEach(function (element) {
      element.hidden = !taken.total || (summary.score === null && !taken.taken);
      element.textContent = summary.score !== null ? text("course_score", { score: formatNumber(summary.score) })
        : text("course_score_pending", { n: taken.taken, total: taken.total });
    });
    all('[data-cp="pager-finish"]').forEach(function (link) {
      one('[data-cp="pager-dir"]', link).textContent = text(summary.completed ? "finish_short" : "see_what_is_left");
      one('[data-cp="pager-title"]', link).textContent = text(summary.completed ? "certificate_link" : "course_progress");
    });
    all(".module-card[data-module]").forEach(function (card) {
      var index = +card.getAttribute("data-module");
      card.classList.toggle("is-done", moduleDone(index));
      one('[data-cp="status"]', card).innerHTML = badge(index);
    });
    all(".module-layout[data-module]").forEach(function (layout) {
      one('[data-cp="module-status"]', layout).innerHTML = badge(+layout.getAttribute("data-module"));
    });
    all(".course-map li[data-module]").forEach(function (item) {
      var index = +item.getAttribute("data-module"), dot = one('[data-cp="dot"]', item);
      var isDone = moduleDone(index);
      dot.className = "map-dot" + (isDone ? " is-done" : entryOf(index).v ? " is-visited" : "");
      dot.innerHTML = isDone ? icon("check") : String(index + 1);
    });
    showContinue(summary);
    showCompletion(summary);
  }

  function showContinue(summary) {
    var link = one('[data-cp="continue"]');
    if (!link) return;
    var certificate = one('[data-cp="certificate-link"]');
    if (certificate) certificate.hidden = !summary.completed;
    var started = state.m.some(function (entry) { return entry.v; });
    var target = null, locked = lockedModules();
    if (!summary.completed) {
      if (typeof state.l === "number" && !moduleDone(state.l) && !moduleLocked(state.l)) target = state.l;
      else target = nextToDo(-1);
    }
    // Nothing left to do but quizzes out of attempts: the way on is the list of what is left.
    var blocked = !summary.completed && target === null && locked.length > 0;
    var label = summary.completed ? text("review") : blocked ? text("see_what_is_left") : started ? text("continue") : text("start");
    link.href = blocked ? COURSE.certificate : MODULES[target === null ? 0 : target].href;
    link.innerHTML = escapeHtml(label) + icon("right");
    var nextUp = one('[data-cp="next-up"]');
    if (nextUp) {
      nextUp.hidden = !started || target === null;
      if (target !== null) nextUp.innerHTML = escapeHtml(text("next_up")) + " <strong>" + escapeHtml(MODULES[target].title) + "</strong>";
    }
    var lockedNote = one('[data-cp="locked"]');
    if (lockedNote) {
      lockedNote.hidden = !locked.length || summary.completed;
      lockedNote.innerHTML = locked.length ? lockedList(locked) : "";
    }
    link.classList.toggle("quiet", summary.completed);
  }

  // The quizzes a learner is locked out of, each with what to do about it.
  function lockedList(locked) {
    return '<p class="locked-title">' + icon("lock") + "<span>" + escapeHtml(text("locked_title")) + "</span></p><ul>" +
      locked.map(function (index) {
        var module = MODULES[index], max = module.quiz.max;
        return '<li><a href="' + escapeHtml(quizHref(index)) + '">' + escapeHtml(module.title) + "</a>: " +
          escapeHtml(max === 1 ? text("used_attempts_one") : text("used_attempts", { n: max })) + "</li>";
      }).join("") + "</ul>";
  }

  // The quiz's place on its module's page (the single file prefixes its ids with the module's).
  function quizHref(index) {
    return SINGLE ? "#" + MODULES[index].id + "--cp-quiz" : MODULES[index].href + "#cp-quiz";
  }

  function showCompletion(summary) {
    var pending = one('[data-cp="pending"]'), done = one('[data-cp="done"]');
    if (!pending || !done) return;
    pending.hidden = summary.completed;
    done.hidden = !summary.completed;
    var remaining = one('[data-cp="remaining"]');
    remaining.innerHTML = MODULES.map(function (module, index) {
      if (moduleDone(index)) return "";
      if (moduleLocked(index)) {
        var max = module.quiz.max;
        return '<li><a href="' + escapeHtml(quizHref(index)) + '">' + escapeHtml(module.title) + "</a> " + badge(index) +
          '<p class="remaining-why">' + escapeHtml(max === 1 ? text("used_attempts_one") : text("used_attempts", { n: max })) + "</p></li>";
      }
      return '<li><a href="' + escapeHtml(module.href) + '">' + escapeHtml(module.title) + "</a> " + badge(index) + "</li>";
    }).join("");
    var dateSlot = one('[data-cp="certificate-date"]');
    if (state.d) {
      var parts = state.d.split("-");
      var date = new Date(+parts[0], +parts[1] - 1, +parts[2]);
      var shown;
      try { shown = longDate(date); } catch (e) { shown = state.d; }
      dateSlot.textContent = text("completed_on", { date: shown });
    }
    one('[data-cp="certificate-score"]').textContent = summary.score === null ? "" : text("course_score", { score: formatNumber(summary.score) });
    document.body.classList.toggle("is-printing-certificate", summary.completed && onCompletionPage());
  }

  function onCompletionPage() {
    if (SINGLE) return !!currentView && currentView.getAttribute("data-view") === "completion";
    return DATA.page.kind === "completion";
  }

  function setUpCertificate() {
    var input = one('[data-cp="certificate-name"]');
    if (!input) return;
    var shown = one('[data-cp="certificate-shown-name"]');
    var blank = shown.textContent;
    function show() {
      var name = input.value.trim();
      shown.textContent = name || blank;
      shown.classList.toggle("is-empty", !name);
    }
    input.value = notes[NAME_NOTE] || "";
    show();
    input.addEventListener("input", function () {
      saveNote(NAME_NOTE, cleanText(input.value, 80).trim());
      show();
    });
    one('[data-cp="print"]').addEventListener("click", function () { window.print(); });
  }

  function setUpReset() {
    var button = one('[data-cp="reset"]'), dialog = one('[data-cp="reset-dialog"]');
    if (!button) return;
    var flag = "coursepack:reset-done";
    try {
      if (window.sessionStorage.getItem(flag)) {
        window.sessionStorage.removeItem(flag);
        announce(text("reset_done"));
      }
    } catch (e) { /* no session storage */ }
    function reset() {
      state = emptyState();
      notes = {};
      dates = {};
      store.set(NOTES_KEY, null);
      store.set(DATES_KEY, null);
      commit();
      try { window.sessionStorage.setItem(flag, "1"); } catch (e) { /* no session storage */ }
      store.flush(function () { window.location.reload(); });
    }
    button.addEventListener("click", function () {
      if (dialog && dialog.showModal) {
        dialog.returnValue = "";
        dialog.showModal();
      } else if (window.confirm(one("#cp-reset-text").textContent)) {
        reset();
      }
    });
    if (dialog) {
      dialog.addEventListener("close", function () {
        if (dialog.returnValue === "reset") reset();
        else button.focus();
      });
    }
  }

  // ------------------------------------------------------------ results files ("Save my results")
  //
  // A learner's record as a small JSON file, to keep, to hand to a trainer
  // (`coursepack results` reads it) or to load into another browser. Its layout
  // ("format": "coursepack-results", version 1) is fixed; "state" and "notes"
  // are the packet's own, to restore everything.

  var RESULTS_FORMAT = "coursepack-results";

  function slug(value) {
    var cleaned = value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
    return cleaned || "learner";
  }

  function moduleStatus(index) {
    var entry = entryOf(index), quiz = MODULES[index].quiz, passed = modulePassed(index);
    if (quiz && quiz.w && passed !== null) return passed ? "passed" : "failed";
    if (moduleDone(index)) return "completed";
    if (entry.v || entry.a || (entry.r && Object.keys(entry.r).length)) return "in_progress";
    return "not_started";
  }

  function resultsRecord() {
    var learner = notes[NAME_NOTE] || "";
    var summary = progressSummary();
    return {
      format: RESULTS_FORMAT,
      format_version: 1,
      course: { id: COURSE.id, version: COURSE.version, title: COURSE.title },
      learner: learner,
      saved_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      completed_on: summary.completed && state.d ? state.d : null,
      modules: MODULES.map(function (module, index) {
        var status = moduleStatus(index), best = entryOf(index).b;
        return {
          id: module.id,
          title: module.title,
          status: status,
          best_score: module.quiz && module.quiz.w && typeof best === "number" ? round2(best) : null,
          date: status === "not_started" ? null : dates[module.id] || null
        };
      }),
      state: JSON.parse(JSON.stringify(state)),
      notes: JSON.parse(JSON.stringify(notes))
    };
  }

  function resultsFileName() {
    return COURSE.id + "-results-" + slug(notes[NAME_NOTE] || "") + ".json";
  }

  function saveResults(message) {
    var name = resultsFileName();
    var blob = new Blob([JSON.stringify(resultsRecord(), null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 10000);
    showResultsMessage(message, text("results_saved", { file: name }), false);
  }

  function showResultsMessage(element, message, problem) {
    if (!element) return announce(message);
    element.textContent = message;
    element.classList.toggle("is-problem", problem);
  }

  // The problem with a results file for this course, or null when it can be loaded.
  function resultsProblem(record) {
    if (!record || typeof record !== "object" || record.format !== RESULTS_FORMAT || record.format_version !== 1 ||
        !record.course || typeof record.course !== "object") return text("results_damaged");
    if (record.course.id !== COURSE.id) {
      return text("results_other_course", { title: String(record.course.title || record.course.id) });
    }
    var saved = record.state;
    if (!saved || typeof saved !== "object" || !Array.isArray(saved.m) || saved.v !== 1) return text("results_damaged");
    if (saved.f !== COURSE.fingerprint) return text("results_other_version", { version: String(record.course.version) });
    if (record.notes !== undefined && (typeof record.notes !== "object" || Array.isArray(record.notes))) return text("results_damaged");
    return null;
  }

  function loadResults(record, fileName, message) {
    var problem = resultsProblem(record);
    if (problem) return showResultsMessage(message, problem, true);
    state = checkedState(record.state);
    notes = {};
    Object.keys(record.notes || {}).forEach(function (key) {
      if (typeof record.notes[key] === "string") notes[key] = cleanText(record.notes[key], 20000);
    });
    dates = {};
    (Array.isArray(record.modules) ? record.modules : []).forEach(function (module) {
      if (module && typeof module.id === "string" && typeof module.date === "string" && /^\d{4}-\d\d-\d\d$/.test(module.date)) {
        dates[module.id] = module.date;
      }
    });
    store.set(NOTES_KEY, JSON.stringify(notes));
    store.set(DATES_KEY, JSON.stringify(dates));
    commit();
    var done = MODULES.filter(function (module, index) { return moduleDone(index); }).length;
    var said = text("results_loaded", { file: fileName, n: done, total: MODULES.length });
    // Quizzes and notes show what was loaded once the page is made again.
    try { window.sessionStorage.setItem(LOADED_FLAG, said); } catch (e) { /* no session storage */ }
    showResultsMessage(message, said, false);
    if (store.kind !== "memory") store.flush(function () { window.location.reload(); });
  }

  var LOADED_FLAG = "coursepack:results-loaded";

  function setUpResults() {
    var save = one('[data-cp="save-results"]'), input = one('[data-cp="load-results"]');
    var message = one('[data-cp="results-message"]');
    try {
      var loaded = window.sessionStorage.getItem(LOADED_FLAG);
      if (loaded) {
        window.sessionStorage.removeItem(LOADED_FLAG);
        showResultsMessage(message, loaded, false);
      }
    } catch (e) { /* no session storage */ }
    if (save) save.addEventListener("click", function () { saveResults(message); });
    if (!input) return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var record = null;
        try { record = JSON.parse(String(reader.result)); } catch (e) { record = null; }
        input.value = "";
        loadResults(record, file.name, message);
      };
      reader.onerror = function () { showResultsMessage(message, text("results_damaged"), true); };
      reader.readAsText(file);
    });
  }

  // Highlight the section being read in "On this page".
  function setUpTocHighlight(root) {
    if (!("IntersectionObserver" in window)) return;
    all(".toc", root).forEach(function (toc) {
      var links = all("a", toc), targets = [];
      links.forEach(function (link) {
        var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
        if (target) targets.push({ link: link, target: target });
      });
      var observer = new IntersectionObserver(function () {
        var current = null;
        targets.forEach(function (pair) {
          if (pair.target.getBoundingClientRect().top < window.innerHeight * 0.35) current = pair;
        });
        links.forEach(function (link) { link.classList.toggle("is-current", !!current && link === current.link); });
      }, { rootMargin: "0px 0px -60% 0px", threshold: [0, 1] });
      targets.forEach(function (pair) { observer.observe(pair.target); });
    });
  }

  // ------------------------------------------------------------ the single-file packet: one view at a time

  var currentView = null;

  function showView(moveFocus) {
    var views = all(".view");
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var view = target ? target.closest(".view") : null;
    if (!view) view = document.getElementById("view-home");
    var changed = view !== currentView;
    views.forEach(function (each) { each.hidden = each !== view; });
    currentView = view;
    var kind = view.getAttribute("data-view");
    var heading = one("h1", view);
    if (kind === "home") document.title = plain(one("#cp-home-title"));
    else if (kind === "module") document.title = plain(heading) + " \u00b7 " + plain(one("#cp-home-title"));
    else document.title = plain(one(".certificate-title", view)) + " \u00b7 " + plain(one("#cp-home-title"));
    if (kind === "module") visit(+view.getAttribute("data-module"));
    else commit();
    if (target && target !== view) target.scrollIntoView();
    else if (changed) toTop();
    if (changed && moveFocus) {
      var visibleHeading = all("h1", view).filter(function (h) { return !h.closest("[hidden]"); })[0];
      if (visibleHeading) visibleHeading.focus({ preventScroll: true });
    }
  }

  // A view starts at the top of the page, header included, even where the browser
  // scrolled to the view's id by itself when the page loaded.
  function toTop() {
    window.scrollTo(0, 0);
    if (document.readyState !== "complete") {
      window.addEventListener("load", function () { window.setTimeout(function () { window.scrollTo(0, 0); }, 0); }, { once: true });
    }
  }

  function visit(index) {
    var entry = entryOf(index);
    entry.v = 1;
    state.l = index;
    if (!dates[MODULES[index].id]) dateModule(index);
    commit();
  }

  // ------------------------------------------------------------ start

  // Say where progress is kept, and where it is not kept at all, on every page.
  function showStorage() {
    var intro = document.getElementById("progress-intro");
    if (host) {
      if (intro) intro.textContent = intro.getAttribute("data-lms-text");
      return;
    }
    if (store.kept()) return;
    var refused = text(store.kind === "session" ? "storage_session" : "storage_none");
    if (intro) intro.textContent = refused;
    // Made here rather than in every page: only the pages that need it carry it.
    var notice = document.createElement("div");
    notice.className = "storage-notice";
    notice.setAttribute("role", "note");
    notice.innerHTML = "<p>" + icon("info") + "<span>" + escapeHtml(refused) + ' <a href="' + escapeHtml(COURSE.results) + '">' +
      escapeHtml(text("storage_results_link")) + "</a></span></p>";
    var header = one(".topbar");
    if (header) header.parentNode.insertBefore(notice, header.nextSibling);
    else document.body.insertBefore(notice, document.body.firstChild);
  }

  function start() {
    state = loadState();
    notes = loadRecord(NOTES_KEY);
    dates = loadRecord(DATES_KEY);
    showStorage();
    setUp();
    // Where progress is kept, once the page shows it: for tests and stylesheets.
    document.documentElement.setAttribute("data-cp-ready", store.kind);
  }

  // Captions from the cues each player carries: browsers refuse <track> files on file:// pages.
  // Without VTTCue (a very old browser) the transcript below the player still has every word.
  function setUpMedia() {
    if (typeof window.VTTCue !== "function") return;
    all("video[data-cues], audio[data-cues]").forEach(function (player) {
      var cues;
      try {
        cues = JSON.parse(player.getAttribute("data-cues"));
      } catch (error) {
        return;
      }
      var track = player.addTextTrack("captions", player.getAttribute("data-cues-label") || "",
        player.getAttribute("data-cues-lang") || "");
      cues.forEach(function (item) {
        // Cue text is markup of its own; these three are all a plain text needs escaped.
        var markup = String(item[2]).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        var cue = new window.VTTCue(item[0] / 1000, item[1] / 1000, markup);
        cue.plainText = item[2];
        track.addCue(cue);
      });
      if (player.tagName === "VIDEO") {
        track.mode = "showing"; // the player's own captions button turns them off
        return;
      }
      // Audio has no picture to show captions on: the line below the player shows the current one.
      track.mode = "hidden";
      var line = one(".media-cue", player.parentNode);
      if (!line) return;
      track.addEventListener("cuechange", function () {
        var active = track.activeCues;
        line.textContent = active && active.length ? active[0].plainText : "";
      });
    });
  }

  setUpMedia();
  openStore(function (opened) {
    store = opened;
    start();
  });

  // A page brought back by Back or Forward from the browser's page cache shows what it
  // knew when it was left: make it again from the saved progress.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && store && store.kind !== "memory") window.location.reload();
  });

  // The skip link moves the focus to the lesson of the page or view shown (in the
  // single file, following its href would open another view).
  function setUpSkipLink() {
    var link = one('[data-cp="skip"]');
    if (!link) return;
    link.addEventListener("click", function (event) {
      var scope = SINGLE ? currentView : document;
      var target = (scope && one('[data-cp="skip-target"]', scope)) || one("#cp-main");
      event.preventDefault();
      target.focus({ preventScroll: true });
      target.scrollIntoView();
    });
  }

  function setUp() {
    setUpSkipLink();
    all("textarea[data-note]").forEach(bindNote);
    all('[data-cp="quiz"]').forEach(function (section) { new Quiz(section).start(); });
    setUpCertificate();
    setUpReset();
    setUpResults();
    setUpTocHighlight(document);
    if (SINGLE) {
      window.addEventListener("hashchange", function () { showView(true); });
      showView(false);
    } else if (DATA.page.kind === "module") {
      visit(DATA.page.module);
    } else {
      commit();
    }
  }
})();
