"""Helpers for the LMS package tests: loopback servers, LMS player pages, a fake LRS,
and a learner who takes the packet's quizzes in a real browser.

Everything listens on 127.0.0.1 on a free port, in threads of the test process.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import sys
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from coursepack.model import (
    Course,
    FillBlank,
    Matching,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    SingleChoice,
    TrueFalse,
)
from coursepack.tracking.text import plain_text

# ---------------------------------------------------------------- a loopback web server


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, dict, dict, bytes], Reply | None]  # method, path, query, headers, body


class LoopbackServer:
    """Serves folders and handler functions on 127.0.0.1, on a free port, from a thread."""

    def __init__(self) -> None:
        self.folders: dict[str, Path] = {}
        self.pages: dict[str, str] = {}
        self.handlers: list[Handler] = []
        server = self

        class Request(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each small reply waits ~40 ms for a delayed ACK

            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = server.answer(self.command, path, query, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_HEAD = do_OPTIONS = do_DELETE = _serve

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                # A browser that leaves a page mid-download closes its connections: not a failure.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.httpd = Server(("127.0.0.1", 0), Request)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def answer(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        for handler in self.handlers:
            reply = handler(method, path, query, headers, body)
            if reply is not None:
                return reply
        if path in self.pages:
            return Reply(body=self.pages[path].encode("utf-8"), content_type="text/html; charset=utf-8")
        for prefix, folder in self.folders.items():
            if path.startswith(prefix):
                target = (folder / path[len(prefix):]).resolve()
                if folder.resolve() in target.parents and target.is_file():
                    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                    if kind.startswith("text/") or kind.endswith("javascript"):
                        kind += "; charset=utf-8"
                    return Reply(body=target.read_bytes(), content_type=kind)
        return Reply(status=404, body=b"not found", content_type="text/plain")

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def unpack(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(target)
    return target


# ---------------------------------------------------------------- an LMS page with scorm-again

SCORM_SETTINGS = {"lmsCommitUrl": False, "autocommit": False, "logLevel": 5}

# The LMS page: scorm-again as the API on this window, the SCO in a frame, and a
# log of every call the SCO makes. `window.preload` (set before the page loads)
# carries the data of an earlier session, as an LMS hands it to a relaunch.
PLAYER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="/js/scorm-again/dist/{bundle}.min.js"></script>
<script>
(function () {{
  var api = new {api_class}({settings});
  if (window.preload) api.loadFromFlattenedJSON(window.preload);
  window.lmsLog = [];
  // An LMS without some parts of the data model (say, interactions) refuses them with 401.
  var refused = {refused}, refusal = null;
  {methods}.forEach(function (name) {{
    var original = api[name].bind(api);
    api[name] = function () {{
      var args = Array.prototype.slice.call(arguments);
      var result;
      if (/GetLastError/.test(name) && refusal) {{
        result = refusal;
        refusal = null;
      }} else if (/GetValue|SetValue/.test(name) && refused.some(function (p) {{ return String(args[0]).indexOf(p) === 0; }})) {{
        refusal = "401";
        result = /SetValue/.test(name) ? "false" : "";
      }} else {{
        refusal = null;
        result = original.apply(null, args);
      }}
      window.lmsLog.push([name].concat(args, [String(result)]));
      return result;
    }};
  }});
  window.{api_name} = api;
  // The other version's API, as a trap: a package must never call it.
  window.{other_name} = new Proxy({{}}, {{ get: function (t, name) {{
    return function () {{ window.lmsLog.push(["WRONG-API", String(name)]); return "false"; }};
  }} }});
}})();
</script>
<style>html,body{{margin:0;height:100%}}iframe{{border:0;width:100%;height:100%}}</style>
</head><body><iframe id="sco" name="sco" title="course" src="{launch}"></iframe></body></html>
"""

SCORM12_METHODS = ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError"]
SCORM2004_METHODS = ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError"]


def player_page(runtime: str, launch: str, settings: dict | None = None, refused: tuple[str, ...] = ()) -> str:
    if runtime == "scorm12":
        names = dict(bundle="scorm12", api_class="Scorm12API", api_name="API", other_name="API_1484_11", methods=SCORM12_METHODS)
    else:
        names = dict(bundle="scorm2004", api_class="Scorm2004API", api_name="API_1484_11", other_name="API", methods=SCORM2004_METHODS)
    return PLAYER.format(
        settings=json.dumps(settings or SCORM_SETTINGS),
        launch=launch,
        refused=json.dumps(list(refused)),
        **{k: json.dumps(v) if k == "methods" else v for k, v in names.items()},
    )


# ---------------------------------------------------------------- the xAPI State API, and a fake LRS for cmi5

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
}


def agent_key(agent: dict) -> str:
    """An agent's identity as an LRS compares agents: its one identifier, not its name."""
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            return json.dumps({ifi: agent[ifi]}, sort_keys=True)
    raise ValueError(f"an agent with no identifier: {agent}")


class StateDocuments:
    """The xAPI State API: documents by activity, agent, registration and state id.

    `read_only` names state ids the content may read but not write (cmi5's LMS.LaunchData).
    """

    def __init__(self, read_only: frozenset[str] = frozenset()):
        self.documents: dict[tuple[str, str, str | None, str], bytes] = {}
        self.read_only = read_only

    def key(self, query: dict) -> tuple[str, str, str | None, str] | None:
        try:
            agent = agent_key(json.loads(query.get("agent", "null")) or {})
        except (ValueError, TypeError):
            return None
        if not query.get("activityId") or not query.get("stateId"):
            return None
        return query["activityId"], agent, query.get("registration"), query["stateId"]

    def get(self, activity_id: str, agent: dict, registration: str | None, state_id: str) -> dict | None:
        data = self.documents.get((activity_id, agent_key(agent), registration, state_id))
        return None if data is None else json.loads(data)

    def put(self, activity_id: str, agent: dict, registration: str | None, state_id: str, document: dict) -> None:
        self.documents[(activity_id, agent_key(agent), registration, state_id)] = json.dumps(document).encode()

    def handle(self, method: str, query: dict, body: bytes) -> Reply:
        key = self.key(query)
        if key is None:
            return Reply(status=400, body=b'{"error": "activityId, agent and stateId are required"}', headers=CORS)
        if method == "GET":
            if key not in self.documents:
                return Reply(status=404, body=b"", headers=CORS)
            return Reply(body=self.documents[key], headers=CORS)
        if key[3] in self.read_only:
            return Reply(status=403, headers=CORS)
        if method == "PUT":
            self.documents[key] = body
            return Reply(status=204, headers=CORS)
        if method == "POST":  # merges JSON objects, as the State API says
            merged = {**json.loads(self.documents.get(key, b"{}")), **json.loads(body)}
            self.documents[key] = json.dumps(merged).encode()
            return Reply(status=204, headers=CORS)
        if method == "DELETE":
            self.documents.pop(key, None)
            return Reply(status=204, headers=CORS)
        return Reply(status=405, headers=CORS)


class FakeLrs:
    """An LMS's fetch URL and a minimal LRS: it records statements and state documents.

    It serves on its own port, so the AU talks to it across origins, as it
    would to a real LMS; hence the CORS answers.
    """

    def __init__(self, server: LoopbackServer, launch_mode: str = "Normal", mastery: float | None = 0.8,
                 move_on: str = "CompletedAndPassed", return_url: str | None = None,
                 refuse: set[str] | None = None):
        self.server = server
        self.token = base64.b64encode(b"learner:" + uuid.uuid4().hex.encode()).decode()
        self.registration = str(uuid.uuid4())
        self.actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "learner-1"}}
        self.activity_id = "https://lms.example.org/activities/" + uuid.uuid4().hex
        self.publisher_id = None  # the AU id from cmi5.xml, set by the test
        self.launch_mode = launch_mode
        self.mastery = mastery
        self.move_on = move_on
        self.return_url = return_url
        # Verbs whose first statement is refused (403), as a strict LRS refuses
        # one it finds invalid; a request carrying it is refused whole.
        self.refuse = set(refuse or ())
        self.refused: list[dict] = []
        self.posts: list[list[str]] = []  # the verbs of each statements request
        self.statements: list[dict] = []
        self.state = StateDocuments(read_only=frozenset({"LMS.LaunchData"}))
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, query, headers
        self.fetches = 0
        self.session_id = ""
        self.lock = threading.Lock()
        server.handlers.append(self.handle)

    @property
    def documents(self) -> dict[str, dict]:
        """The state documents of this learner, activity and registration, by state id."""
        return {
            state_id: json.loads(data)
            for (activity, _, registration, state_id), data in self.state.documents.items()
            if activity == self.activity_id and registration == self.registration
        }

    def new_session(self) -> None:
        self.session_id = str(uuid.uuid4())
        self.fetches = 0
        launch_data = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"id": self.publisher_id, "objectType": "Activity"}]},
                "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": self.session_id},
            },
            "launchMode": self.launch_mode,
            "moveOn": self.move_on,
        }
        if self.mastery is not None:
            launch_data["masteryScore"] = self.mastery
        if self.return_url:
            launch_data["returnURL"] = self.return_url
        self.state.put(self.activity_id, self.actor, self.registration, "LMS.LaunchData", launch_data)

    def launch_url(self, au_url: str) -> str:
        from urllib.parse import urlencode

        self.new_session()
        query = urlencode({
            "endpoint": self.server.url("/xapi/"),
            "fetch": self.server.url(f"/fetch?session={self.session_id}"),
            "actor": json.dumps(self.actor),
            "registration": self.registration,
            "activityId": self.activity_id,
        })
        return f"{au_url}?{query}"

    def handle(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply | None:
        cors = CORS
        if method == "OPTIONS":
            return Reply(status=204, headers=cors)
        with self.lock:
            self.requests.append((method, path, query, headers))
            if path == "/fetch":
                if method != "POST":
                    return Reply(status=405, headers=cors)
                self.fetches += 1
                if self.fetches > 1:
                    answer = {"error-code": "1", "error-text": "The authorization token has already been returned."}
                else:
                    answer = {"auth-token": self.token}
                return Reply(body=json.dumps(answer).encode(), headers=cors)
            if not path.startswith("/xapi/"):
                return None
            if headers.get("authorization") != f"Basic {self.token}" or headers.get("x-experience-api-version") != "1.0.3":
                return Reply(status=401, body=b'{"error": "bad credentials or version"}', headers=cors)
            resource = path[len("/xapi/"):]
            if resource == "statements" and method == "POST":
                received = json.loads(body)
                received = received if isinstance(received, list) else [received]
                self.posts.append([s["verb"]["id"].rsplit("/", 1)[-1] for s in received])
                for statement in received:
                    verb = statement["verb"]["id"].rsplit("/", 1)[-1]
                    if verb in self.refuse:
                        self.refuse.discard(verb)
                        self.refused.append(statement)
                        return Reply(status=403, body=b'{"error": "statement refused"}', headers=cors)
                known = {s["id"] for s in self.statements}
                if any(s["id"] in known for s in received):
                    return Reply(status=409, body=b'{"error": "statement id already stored"}', headers=cors)
                for statement in received:
                    statement["stored-order"] = len(self.statements)
                    self.statements.append(statement)
                return Reply(body=json.dumps([s["id"] for s in received]).encode(), headers=cors)
            if resource == "statements" and method == "GET" and "statementId" in query:
                found = [s for s in self.statements if s["id"] == query["statementId"]]
                if not found:
                    return Reply(status=404, body=b"", headers=cors)
                return Reply(body=json.dumps(found[0]).encode(), headers=cors)
            if resource == "activities/state":
                return self.state.handle(method, query, body)
            if resource == "agents/profile" and method == "GET":
                return Reply(status=404, body=b"", headers=cors)
            return Reply(status=404, body=b"", headers=cors)

    def session_statements(self, session_id: str | None = None) -> list[dict]:
        wanted = session_id or self.session_id
        key = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
        return [s for s in self.statements if s.get("context", {}).get("extensions", {}).get(key) == wanted]


# ---------------------------------------------------------------- a learner at the packet


class LaunchedTab:
    """One launch of a package's launch page by an LMS, in a tab of its own."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(error))
        self.page.goto(url)
        self.packet = self.page.frame_locator("#packet")
        self.packet.locator("main").first.wait_for()

    def open_module(self, module) -> None:
        self.packet.locator(f'a[href="{module.id}.html"]').first.click()
        self.packet.locator("h1", has_text=module.title).wait_for()

    def close(self, heard_the_end: Callable[[], bool]) -> None:
        """The learner leaves (the tab moves on); waits until the LMS has heard the end of the session."""
        self.page.goto("about:blank")
        for _ in range(100):
            if heard_the_end():
                break
            self.page.wait_for_timeout(50)
        assert self.errors == []
        self.page.close()



def module_frame(page, timeout: float = 10_000):
    """The packet's frame inside the launch page (inside the LMS page, if any)."""
    frame = page.frame_locator("#sco").frame_locator("#packet") if page.locator("#sco").count() else page.frame_locator("#packet")
    return frame


def answer_question(frame, question, right: bool = True) -> None:
    """Answer one question through the packet's controls, rightly or wrongly, and check it."""
    box = frame.locator(f"#q-{question.id}")
    if isinstance(question, SingleChoice):
        choice = next(c for c in question.choices if c.correct == right)
        _choice(frame, box, choice).locator("input").check()
    elif isinstance(question, MultipleChoice):
        wanted = [c for c in question.choices if c.correct] if right else [next(c for c in question.choices if not c.correct)]
        for choice in wanted:
            _choice(frame, box, choice).locator("input").check()
    elif isinstance(question, TrueFalse):
        value = question.answer if right else not question.answer
        box.locator(f"#q-{question.id}-{'true' if value else 'false'}").check()
    elif isinstance(question, FillBlank):
        box.locator(f"#q-{question.id}-answer").fill(question.answers[0] if right else "not this")
    elif isinstance(question, Numeric):
        value = question.answer if right else question.answer + question.tolerance + 1
        box.locator(f"#q-{question.id}-answer").fill(f"{value:g}")
    elif isinstance(question, Matching):
        rows = box.locator(".match-row")
        for n in range(rows.count()):
            row = rows.nth(n)
            prompt = row.locator(".match-prompt").inner_text().strip()
            pair = next(p for p in question.pairs if plain_text(p.prompt.html) == prompt)
            match = pair.match if right else next(o for o in question.options if o != pair.match)
            row.locator("select").select_option(label=match)
    elif isinstance(question, Ordering):
        wanted = [plain_text(item.html) for item in question.items]
        if not right:
            wanted = wanted[::-1]
        for position, text in enumerate(wanted):
            item = box.locator(".order-item").filter(has=frame.locator(".order-text", has_text=exact(text)))
            for _ in range(len(wanted)):
                texts = [t.strip() for t in box.locator(".order-item .order-text").all_inner_texts()]
                if texts.index(text) <= position:
                    break
                item.locator('[data-move="-1"]').click()
    elif isinstance(question, Open):
        box.locator(f"#q-{question.id}-answer").fill("A private answer that stays in this browser.")
    box.locator('[data-cp="check"]').click()


def exact(text: str) -> re.Pattern:
    return re.compile(r"^\s*" + re.escape(text) + r"\s*$")


def _choice(frame, box, choice):
    return box.locator(".choice").filter(has=frame.locator(".choice-text", has_text=exact(plain_text(choice.text.html))))


def take_quiz(frame, quiz, right: bool = True) -> None:
    """Answer every question the current attempt shows."""
    for question in quiz.questions:
        if frame.locator(f"#q-{question.id}").is_visible():
            answer_question(frame, question, right)


def correct_module_count(course: Course) -> int:
    return sum(1 for _, quiz in course.quizzes if quiz.points_possible)


# ---------------------------------------------------------------- a small course with every question type

TRAINER_MARKER = "TRAINERONLY-7f3a"
SAMPLE_MARKER = "SAMPLEANSWER-2c9e"

DEMO_COURSE = """\
id: {id}
title: Tracking demo
version: "2.1"
language: {language}
description: A short course that exercises every question type.
authors: [Test Author]
organization: Test Library
passing_score: {passing}
completion: {completion}
"""

DEMO_LESSON = """\
---
title: {title}
minutes: 5
---
Some words about {title}.

!!! reflect "Think"
    What would you do?

!!! trainer
    {marker} Facilitators: ask the room first.
"""

DEMO_QUIZZES = {
    "01-first-steps": """\
questions:
  - id: pick-one
    type: single
    prompt: Which colour is the sky on a clear day?
    choices:
      - text: Green
      - text: Blue
        correct: true
      - text: Red
  - id: pick-some
    type: multiple
    prompt: Which of these are fruit?
    choices:
      - text: Apple
        correct: true
      - text: Carrot
      - text: Pear
        correct: true
  - id: yes-or-no
    type: true_false
    prompt: Water boils at 100 degrees Celsius at sea level.
    answer: true
  - id: the-word
    type: fill_blank
    prompt: "Libraries lend ___ to their members."
    answers: [books, "books and more"]
  - id: how-many
    type: numeric
    prompt: How many days are in a week?
    answer: 7
    tolerance: 0.5
""",
    "02-next-steps": """\
questions:
  - id: pairs
    type: matching
    prompt: Match each place to what happens there.
    pairs:
      - prompt: Desk
        match: Checkout
      - prompt: Corner
        match: Reading
    distractors: [Cooking]
  - id: in-order
    type: ordering
    prompt: Put the steps in order.
    items:
      - Greet
      - Listen
      - Help
  - id: your-view
    type: open
    prompt: What did you learn?
    sample_answer: "{sample} A model answer for the trainer."
""",
}


def write_demo_course(root: Path, *, course_id: str = "tracking-demo", completion: str = "quizzes",
                      passing: int = 80, language: str = "en", quizzes: dict[str, str] | None = None) -> Path:
    """A three-module course (two quizzes covering every question type, one lesson only)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(
        DEMO_COURSE.format(id=course_id, passing=passing, completion=completion, language=language), encoding="utf-8"
    )
    quizzes = DEMO_QUIZZES if quizzes is None else quizzes
    for folder in ("01-first-steps", "02-next-steps", "03-wrap-up"):
        module = root / "modules" / folder
        module.mkdir(parents=True, exist_ok=True)
        title = folder[3:].replace("-", " ").capitalize()
        (module / "lesson.md").write_text(DEMO_LESSON.format(title=title, marker=TRAINER_MARKER), encoding="utf-8")
        if folder in quizzes:
            (module / "quiz.yml").write_text(quizzes[folder].replace("{sample}", SAMPLE_MARKER), encoding="utf-8")
    return root


def build_course(course_dir: Path, formats: list[str], out: Path):
    """Build in this process (the command itself is tested elsewhere); returns the report."""
    from coursepack.build import build

    return build(course_dir, formats, out)


def load(course_dir: Path) -> Course:
    from coursepack.loading import load_course

    return load_course(course_dir).course


def fill_blank_quiz(prefix: str, count: int) -> str:
    """A quiz of `count` fill-in-the-blank questions: the largest saved answers there are."""
    return "questions:\n" + "".join(
        f'  - id: {prefix}-{n}\n    type: fill_blank\n    prompt: "Word number {n} is ___."\n    answers: [word{n}]\n'
        for n in range(count)
    )
