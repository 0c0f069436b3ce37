/* coursepack launch page: talking xAPI to an LRS, for the cmi5 and xAPI packages.
 *
 * Owns the requests (headers, query strings, one Authorization for the whole
 * launch), statement ids and timestamps, the State API document that holds the
 * learner's progress, and the outbox: statements leave one per request, in
 * order, each response checked, and what the LRS has not confirmed is kept
 * for the next launch. What to say, and when, is each adapter's business
 * (cmi5.js, xapi.js).
 */
(function () {
  "use strict";

  var X = (window.CoursepackXapi = {});
  X.VERSION = "1.0.3";
  X.ADL_VERBS = "http://adlnet.gov/expapi/verbs/";
  X.INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction";
  var MAX_TRIES = 3; // a statement the LRS refused this often is given up

  X.uuid = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  };

  /* A function (method, resource, query, body, keepalive) -> fetch promise
   * against the LRS at `endpoint`. `authorization` is read at each request,
   * so an adapter may learn it after connecting; `extraQuery` goes on every
   * request (parameters an LMS asked to have echoed back). */
  X.client = function (endpoint, authorization, extraQuery) {
    var base = endpoint.replace(/\/?$/, "/");
    return function (method, resource, query, body, keepalive) {
      var all = {};
      Object.keys(extraQuery || {}).forEach(function (k) { all[k] = extraQuery[k]; });
      Object.keys(query || {}).forEach(function (k) { all[k] = query[k]; });
      var search = Object.keys(all).map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(all[k]);
      }).join("&");
      var headers = { "X-Experience-API-Version": X.VERSION };
      var credentials = authorization();
      if (credentials) headers.Authorization = credentials; // none: the LRS lets this page in on its own terms
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(base + resource + (search ? "?" + search : ""), {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        keepalive: !!keepalive,
        credentials: "omit"
      });
    };
  };

  // A State API document's body, or null when there is none yet.
  X.readDocument = function (response) {
    if (response.status === 404) return null;
    if (!response.ok) throw new Error("xAPI request failed: " + response.status);
    return response.text().then(function (text) { return text ? JSON.parse(text) : null; });
  };

  /* Each statement's timestamp is later than the one before it: at the
   * page's end the requests leave together and can reach the LRS in any
   * order, and the timestamps still say which came first ("terminated"
   * last). */
  X.clock = function () {
    var last = 0;
    return function () {
      last = Math.max(Date.now(), last + 1);
      return new Date(last).toISOString();
    };
  };

  X.verb = function (name) {
    return { id: X.ADL_VERBS + name, display: { "en-US": name } };
  };

  // A score in percent as xAPI's result.score.
  X.score = function (percent) {
    var T = window.CoursepackTracking;
    return { scaled: T.round(percent / 100, 4), raw: Math.round(percent), min: 0, max: 100 };
  };

  /* The activity definition of a checked question (T.describe's record),
   * and its result: an empty result SHOULD NOT be sent (xAPI), so an open
   * question, whose answer stays private, gets none (null). */
  X.interaction = function (answer, language) {
    var key = answer.key || {};
    var definition = { type: X.INTERACTION_TYPE, name: {}, interactionType: answer.type };
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
    return { definition: definition, result: Object.keys(result).length ? result : null };
  };

  /* The state document: written only when its body changed since the last
   * write (or the read it started from), and never in a read-only launch. */
  X.stateDocument = function (xapi, query, initial, readOnly) {
    var storedJson = JSON.stringify(initial);
    return function store(body, keepalive) {
      var json = JSON.stringify(body);
      if (readOnly || json === storedJson) return;
      storedJson = json;
      xapi("PUT", "activities/state", query, body, keepalive)
        .catch(function (e) { if (window.console) console.warn("coursepack: progress not saved", e); });
    };
  };

  /* Statements leave one per request, in order, and each response is
   * checked: one statement the LRS refuses cannot take others with it.
   * Until the LRS accepts a statement it stays in the outbox, which the
   * state document carries (`pending`), so a statement refused or cut off by
   * the page's end is sent again at the next launch (the LRS keeps one copy
   * of a statement id). `settled` is called after each answer, to save the
   * document. */
  X.Outbox = function (xapi, saved, settled) {
    this.xapi = xapi;
    this.settled = settled;
    this.inFlight = null;
    this.entries = (saved || []).map(function (e) { return { statement: e.statement, tries: e.tries || 0, carried: true }; });
  };

  X.Outbox.prototype.pending = function () {
    return this.entries.map(function (e) { return { statement: e.statement, tries: e.tries }; });
  };

  X.Outbox.prototype.queue = function (statements) {
    this.entries = this.entries.concat(statements.map(function (s) { return { statement: s, tries: 0 }; }));
  };

  X.Outbox.prototype.send = function (statements) {
    this.queue(statements);
    return this.pump();
  };

  // Resolves once the request under way (if any) has its answer.
  X.Outbox.prototype.idle = function () {
    return Promise.resolve(this.inFlight);
  };

  // A statement carried over from an earlier launch may have arrived after all.
  X.Outbox.prototype.known = function (entry) {
    if (!entry.carried) return Promise.resolve(false);
    return this.xapi("GET", "statements", { statementId: entry.statement.id })
      .then(function (response) { return response.ok; }, function () { return false; });
  };

  X.Outbox.prototype.post = function (entry, keepalive) {
    var xapi = this.xapi;
    entry.tries++;
    return this.known(entry).then(function (there) {
      return there ? { ok: true } : xapi("POST", "statements", null, entry.statement, keepalive);
    }).then(function (response) {
      // 409: the LRS already holds this statement id (sent before the page ended).
      var accepted = response.ok || response.status === 409;
      if (!accepted) throw new Error("statement " + entry.statement.verb.id + " refused: " + response.status);
    });
  };

  X.Outbox.prototype.delivered = function (entry) {
    this.entries = this.entries.filter(function (e) { return e !== entry; });
  };

  X.Outbox.prototype.given = function (entry) {
    // Refused too often: the LRS will not take it; keep the others moving.
    if (entry.tries >= MAX_TRIES) this.delivered(entry);
  };

  X.Outbox.prototype.pump = function () {
    var self = this;
    if (this.inFlight) return this.inFlight;
    // Not one the page's end already sent (`flush`), which a request answered after it would repeat.
    var next = this.entries.filter(function (e) { return !e.held && !e.posting; })[0];
    if (!next) return Promise.resolve();
    next.posting = true;
    this.inFlight = this.post(next, true)
      .then(function () { self.delivered(next); }, function (e) {
        next.posting = false;
        if (window.console) console.warn("coursepack: " + e.message);
        next.held = true; // retried at the next launch
        self.given(next);
      })
      .then(function () { self.inFlight = null; self.settled(); return self.pump(); });
    return this.inFlight;
  };

  // At the page's end no answer can be awaited: every statement still due
  // goes in a request of its own that outlives the page (one refused in
  // this session waits for the next launch).
  X.Outbox.prototype.flush = function () {
    var self = this;
    this.entries.forEach(function (entry) {
      if (entry.posting || entry.held) return;
      entry.posting = true;
      self.post(entry, true).then(function () { self.delivered(entry); }, function () { self.given(entry); });
    });
  };
})();
