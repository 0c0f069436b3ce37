"""The offline packet in the three browser engines, opened from disk, closed and opened again.

Chromium (Playwright), Firefox with its own default settings (firefox-esr through
puppeteer-core, tests/js/firefox_driver.mjs) and WebKitGTK (a small browser on
python3-gi, tests/js/webkit_driver.py) each get a profile folder of their own,
kept between launches, so "close the browser and open it again" is real. A
learner passes module 1, sees it on the home page, restarts the browser, still
sees it, finishes the course, reaches the certificate, saves their results and
loads them into a fresh profile. WebKit with Safari's policy on file:// pages
(NeedsStorageAccessFromFileURLsQuirk off) refuses localStorage: there the packet
must say so on every page and carry the learner on through the results file.

Console errors and uncaught errors fail every test; the first test proves that
each engine's capture sees one.
"""

from __future__ import annotations

import csv
import datetime
import json
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # then the browser fixture skips, or fails under CI=true
    expect = None

from conftest import CHROMIUM, FIXTURES, REPO, require, run_coursepack
from coursepack.loading import load_course
from coursepack.model import FillBlank, MultipleChoice, Numeric, SingleChoice, TrueFalse
from coursepack.packet.quiz_view import plain_text

JS = Path(__file__).resolve().parent / "js"
FIREFOX = "/usr/bin/firefox-esr"
SYSTEM_PYTHON = "/usr/bin/python3"  # the Python that has python3-gi and the WebKit bindings
XVFB_RUN = "/usr/bin/xvfb-run"
ENGINES = ("chromium", "firefox", "webkit")
ANSWER_TIMEOUT = 60  # seconds a driver may take for one command (a browser start included)
SAVED_CLAIM = "Your progress is saved in this browser"


# ------------------------------------------------------------------ one browser, one start


class Session:
    """One start of one browser with a profile folder, driven the same way in each engine."""

    errors: list[str]
    closed = False

    def goto(self, url: str) -> None: ...
    def eval(self, js: str): ...
    def click(self, selector: str) -> None: ...
    def upload(self, selector: str, path: Path) -> None: ...
    def download(self, selector: str) -> Path: ...
    def console_errors(self) -> list[str]: ...
    def close(self) -> None: ...

    def wait(self, js: str, timeout: float = 10.0):
        """The value of `js` once it is truthy."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.eval(js)
            except DriverError:
                value = None  # a page in the middle of loading
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout:g} s for {js!r}; last value {value!r}")

    def open(self, url: str) -> str:
        """Go to a packet page; answer where it keeps progress, once it shows it."""
        self.goto(url)
        return self.wait("document.documentElement.getAttribute('data-cp-ready')")


class DriverError(Exception):
    pass


class ChromiumSession(Session):
    def __init__(self, browser, profile: Path, downloads: Path):
        self.errors = []
        self.downloads = downloads
        self.context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=["--disable-background-networking", "--disable-component-update", "--no-first-run"],
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        self.context.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.context.on("weberror", lambda error: self.errors.append(str(error.error)))
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()

    def goto(self, url):
        self.page.goto(url)

    def eval(self, js):
        try:
            return self.page.evaluate(f"() => ({js})")
        except Exception as error:  # the page navigated while it ran
            raise DriverError(str(error)) from error

    def click(self, selector):
        self.page.click(selector)

    def upload(self, selector, path):
        self.page.set_input_files(selector, str(path))

    def download(self, selector):
        with self.page.expect_download() as info:
            self.page.click(selector)
        target = self.downloads / info.value.suggested_filename
        info.value.save_as(target)
        return target

    def console_errors(self):
        return list(self.errors)

    def close(self):
        self.closed = True
        self.context.close()


class PipeSession(Session):
    """A driver process that reads JSON commands on stdin and answers each on stdout."""

    def __init__(self, command: list[str], downloads: Path, log: Path):
        self.downloads = downloads
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=JS
        )
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._answer()  # "ready"

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def _answer(self):
        try:
            line = self.answers.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"the browser driver did not answer; its log: {self.log.name}") from None
        if line is None:
            raise AssertionError(f"the browser driver stopped; its log:\n{Path(self.log.name).read_text()[-3000:]}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise DriverError(answer["error"])
        return answer.get("value")

    def call(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def goto(self, url):
        self.call(cmd="goto", url=url)

    def eval(self, js):
        return self.call(cmd="eval", js=js)

    def download(self, selector):
        before = set(self.downloads.iterdir())
        self.click(selector)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            done = [p for p in set(self.downloads.iterdir()) - before if p.suffix == ".json" and p.stat().st_size]
            if done:
                time.sleep(0.3)  # the browser may still be writing it
                return done[0]
            time.sleep(0.1)
        raise AssertionError(f"no file was downloaded into {self.downloads}")

    def console_errors(self):
        return self.call(cmd="errors")

    def close(self):
        self.closed = True
        try:
            self.call(cmd="quit")
        except (AssertionError, DriverError, BrokenPipeError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class FirefoxSession(PipeSession):
    def __init__(self, profile: Path, downloads: Path):
        super().__init__(
            ["node", str(JS / "firefox_driver.mjs"), "--profile", str(profile), "--downloads", str(downloads)],
            downloads,
            profile.parent / f"{profile.name}-firefox.log",
        )

    def click(self, selector):
        self.call(cmd="click", selector=selector)

    def upload(self, selector, path):
        self.call(cmd="upload", selector=selector, path=str(path))


class WebKitSession(PipeSession):
    def __init__(self, profile: Path, downloads: Path, refuse_file_storage: bool = False):
        command = [
            XVFB_RUN, "-a", "-s", "-screen 0 1400x1000x24",
            SYSTEM_PYTHON, str(JS / "webkit_driver.py"), "--data", str(profile), "--downloads", str(downloads),
        ]
        if refuse_file_storage:
            command.append("--refuse-file-storage")
        super().__init__(command, downloads, profile.parent / f"{profile.name}-webkit.log")

    def click(self, selector):
        # WebKitGTK gives its embedder no input events to send: click from the page.
        found = self.eval(
            f"(function (e) {{ if (!e) return false; e.scrollIntoView({{block: 'center', behavior: 'instant'}}); e.click(); return true; }})"
            f"(document.querySelector({json.dumps(selector)}))"
        )
        assert found, f"no element {selector}"

    def upload(self, selector, path):
        self.call(cmd="choose_file", path=str(path))
        self.click(selector)


# ------------------------------------------------------------------ fixtures


def _webkit_available() -> bool:
    if not (Path(SYSTEM_PYTHON).exists() and Path(XVFB_RUN).exists()):
        return False
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def engines(request):
    """Start a session of an engine: start(engine, profile, refuse_file_storage=False)."""
    checked: dict[str, bool] = {}

    def start(engine: str, profile: Path, refuse_file_storage: bool = False) -> Session:
        downloads = profile.parent / f"{profile.name}-downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        profile.mkdir(parents=True, exist_ok=True)
        if engine == "chromium":
            return ChromiumSession(request.getfixturevalue("browser"), profile, downloads)
        if engine == "firefox":
            if "firefox" not in checked:
                require(Path(FIREFOX).exists(), f"Firefox ({FIREFOX})")
                require(shutil.which("node") is not None, "node")
                require((JS / "node_modules" / "puppeteer-core").is_dir(), "puppeteer-core (npm ci in tests/js)")
                checked["firefox"] = True
            return FirefoxSession(profile, downloads)
        if "webkit" not in checked:
            require(_webkit_available(), "WebKitGTK (python3-gi, gir1.2-webkit2-4.1, xvfb)")
            checked["webkit"] = True
        return WebKitSession(profile, downloads, refuse_file_storage)

    return start


@pytest.fixture(scope="module")
def packets(tmp_path_factory) -> Path:
    """The engines' fixture course built as `html` and `single`."""
    # A copy, so that the build's cache is not written into the repository's fixture.
    course = shutil.copytree(FIXTURES / "packet-engines", tmp_path_factory.mktemp("engines") / "course",
                             ignore=shutil.ignore_patterns(".coursepack-cache", "output"))
    out = course.parent / "output"
    result = run_coursepack("build", str(course), "--format", "html,single", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def sample_packets(tmp_path_factory) -> Path:
    """The sample course at the repository root, built as `html` and `single`."""
    out = tmp_path_factory.mktemp("sample-engines") / "output"
    result = run_coursepack("build", str(REPO), "--format", "html,single", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def session_of(engines, tmp_path):
    """Start sessions that are closed at the end of the test, with no console error allowed."""
    started: list[Session] = []

    def start(engine: str, profile: str, refuse_file_storage: bool = False) -> Session:
        session = engines(engine, tmp_path / profile, refuse_file_storage)
        started.append(session)
        return session

    yield start
    for session in started:
        if not session.closed:
            session.close()


def finish(session: Session) -> None:
    """Close a session that must have written no error to the console."""
    errors = session.console_errors()
    session.close()
    assert errors == [], "the packet wrote errors to the console"


# ------------------------------------------------------------------ a learner's actions


def site(packets: Path, page: str = "index.html") -> str:
    return (packets / "html" / page).as_uri()


def single(packets: Path, view: str = "") -> str:
    return (packets / "desk-basics.html").as_uri() + (f"#view-{view}" if view else "")


def pick_choice(session: Session, question: str, choice: str) -> None:
    """Click the choice whose text is `choice` ("true"/"false" for true/false questions)."""
    picked = session.eval(
        f"""(function () {{
          var box = document.getElementById({json.dumps('q-' + question)});
          var input = document.getElementById({json.dumps('q-' + question + '-' + choice)});
          if (!input) {{
            var wanted = Array.prototype.filter.call(box.querySelectorAll('.choice'), function (c) {{
              return c.querySelector('.choice-text').textContent.replace(/\\s+/g, ' ').trim() === {json.dumps(choice)};
            }})[0];
            input = wanted && wanted.querySelector('input');
          }}
          return input ? input.id : null;
        }})()"""
    )
    assert picked, f"question {question} has no choice {choice!r}"
    session.click(f"label[for='{picked}']")


def answer_right(session: Session, question) -> None:
    """Answer a single, multiple, true/false, fill-in or numeric question right, then check it."""
    if isinstance(question, TrueFalse):
        pick_choice(session, question.id, "true" if question.answer else "false")
    elif isinstance(question, (SingleChoice, MultipleChoice)):
        for choice in question.choices:
            if choice.correct:
                pick_choice(session, question.id, plain_text(choice.text.html))
    elif isinstance(question, FillBlank):
        type_into(session, f"#q-{question.id} [data-cp='answer']", question.answers[0])
    elif isinstance(question, Numeric):
        type_into(session, f"#q-{question.id} [data-cp='answer']", f"{question.answer:g}")
    else:
        raise AssertionError(f"no way to answer {question.type} here")
    session.click(f"#q-{question.id} [data-cp='check']")


def choose(session: Session, question: str, choice: str) -> None:
    pick_choice(session, question, choice)
    session.click(f"#q-{question} [data-cp='check']")


def pass_module_1(session: Session) -> None:
    choose(session, "greet-first", "A greeting")
    choose(session, "smile", "true")
    session.wait("(document.querySelector('[data-cp=\"quiz-result\"]') || {}).textContent.indexOf('Passed') >= 0")


def pass_module_2(session: Session) -> None:
    choose(session, "next-step", "true")
    session.wait("(document.querySelector('[data-cp=\"quiz-result\"]') || {}).textContent.indexOf('Passed') >= 0")


def type_into(session: Session, selector: str, value: str) -> None:
    session.eval(
        f"(function (e) {{ e.value = {json.dumps(value)}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})"
        f"(document.querySelector({json.dumps(selector)}))"
    )


def status_of(session: Session, module: int) -> str:
    return session.eval(
        f"document.querySelector('.module-card[data-module=\"{module}\"] [data-cp=\"status\"]').textContent.trim()"
    )


def wait_status(session: Session, module: int, wanted: str) -> None:
    session.wait(
        f"document.querySelector('.module-card[data-module=\"{module}\"] [data-cp=\"status\"]').textContent.trim() === {json.dumps(wanted)}"
    )


def visible(selector: str) -> str:
    """JS: whether the first element matching `selector` is shown (not hidden, not in a hidden view)."""
    return f"(function (e) {{ return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0; }})(document.querySelector({json.dumps(selector)}))"


NOTE = "A greeting, then my name."
LEARNER = "Zoë Martin"
SECOND_LEARNER = "Ana Ortiz"


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reports_console_errors_and_keeps_its_own_file_storage_rules(session_of, engine, tmp_path):
    """The capture of console errors works, and the engine runs with its own defaults.

    Firefox's default, security.fileuri.strict_origin_policy=true, gives each
    file:// page its own localStorage (puppeteer would turn it off): a value set
    by one file is not seen by another. Chromium and WebKitGTK share it."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "writes.html").write_text(
        "<!DOCTYPE html><title>w</title><script>localStorage.setItem('probe', 'written');"
        "console.error('deliberate error for the test');</script>",
        encoding="utf-8",
    )
    (pages / "reads.html").write_text(
        "<!DOCTYPE html><title>r</title><script>window.seen = localStorage.getItem('probe');</script>", encoding="utf-8"
    )
    session = session_of(engine, "profile")
    session.goto((pages / "writes.html").as_uri())
    session.goto((pages / "reads.html").as_uri())
    seen = session.eval("window.seen")
    errors = session.console_errors()
    assert any("deliberate error for the test" in error for error in errors), errors
    if engine == "firefox":
        assert seen is None, "Firefox runs with strict_origin_policy off: every check would pass falsely"
    else:
        assert seen == "written"


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_survives_a_restart_and_the_results_file_carries_it_to_a_fresh_profile(session_of, engine, packets):
    today = datetime.date.today().isoformat()

    # First start: pass module 1 in both forms of the packet, write a note.
    session = session_of(engine, "learner")
    kept = session.open(site(packets))
    # Firefox gives each file its own storage: the site keeps progress in assets/store.html's frame.
    assert kept == ("shared" if engine == "firefox" else "local")
    assert SAVED_CLAIM in session.eval("document.getElementById('progress-intro').textContent")
    assert not session.eval(visible(".storage-notice"))
    assert status_of(session, 0) == "Not started"
    session.open(site(packets, "greeting.html"))
    pass_module_1(session)
    type_into(session, "textarea[data-note='greeting-reflect-1']", NOTE)
    session.wait("document.querySelector('.note-field [data-cp=\"saved\"]').textContent.length > 0")
    session.eval("history.back()")  # the home page again, perhaps from the browser's page cache
    session.wait("location.pathname.endsWith('/index.html')")
    wait_status(session, 0, "Passed · 100%")
    assert session.eval("document.querySelector('[data-cp=\"summary-count\"]').textContent") == "1 of 2 modules complete"
    # The single file keeps its progress in its own page's localStorage: in Firefox the
    # file's own; elsewhere the one every file:// page shares, so the site's shows there.
    assert session.open(single(packets)) == "local"
    if engine == "firefox":
        assert status_of(session, 0) == "Not started"
        session.goto(single(packets, "greeting"))
        pass_module_1(session)
        session.goto(single(packets, "home"))
    wait_status(session, 0, "Passed · 100%")
    finish(session)

    # Second start, same profile: still there; finish the course, reach the certificate, save.
    session = session_of(engine, "learner")
    session.open(site(packets))
    wait_status(session, 0, "Passed · 100%")
    assert status_of(session, 1) == "Not started"
    session.open(site(packets, "greeting.html"))
    assert session.eval("document.querySelector(\"textarea[data-note='greeting-reflect-1']\").value") == NOTE
    session.open(single(packets))
    wait_status(session, 0, "Passed · 100%")
    session.open(site(packets, "closing.html"))
    pass_module_2(session)
    session.open(site(packets, "completion.html"))
    session.wait(visible("[data-cp='done']"))
    assert not session.eval(visible("[data-cp='pending']"))
    type_into(session, "[data-cp='certificate-name']", LEARNER)
    assert session.eval("document.querySelector('[data-cp=\"certificate-shown-name\"]').textContent") == LEARNER
    session.open(site(packets))
    session.wait(visible("[data-cp='certificate-link']"))
    saved = session.download("#save-results")
    finish(session)

    assert saved.name == "desk-basics-results-zoe-martin.json"
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["format"] == "coursepack-results" and record["format_version"] == 1
    assert record["course"] == {"id": "desk-basics", "version": "1.0", "title": "Desk basics"}
    assert record["learner"] == LEARNER
    assert record["completed_on"] == today
    assert datetime.datetime.strptime(record["saved_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert record["modules"] == [
        {"id": "greeting", "title": "Greeting", "status": "passed", "best_score": 100, "date": today},
        {"id": "closing", "title": "Closing", "status": "passed", "best_score": 100, "date": today},
    ]
    assert record["notes"]["greeting-reflect-1"] == NOTE and record["notes"]["@name"] == LEARNER
    assert record["state"]["m"][0]["b"] == 100

    # A fresh profile: nothing yet; load the file, see everything again.
    session = session_of(engine, "another-browser")
    session.open(site(packets))
    assert status_of(session, 0) == "Not started"
    session.upload("#load-results", saved)
    session.wait("document.querySelector('[data-cp=\"results-message\"]').textContent.indexOf('2 of 2 modules complete') >= 0")
    wait_status(session, 0, "Passed · 100%")
    wait_status(session, 1, "Passed · 100%")
    session.open(site(packets, "completion.html"))
    session.wait(visible("[data-cp='done']"))
    assert session.eval("document.querySelector('[data-cp=\"certificate-name\"]').value") == LEARNER
    session.open(site(packets, "greeting.html"))
    assert session.eval("document.querySelector(\"textarea[data-note='greeting-reflect-1']\").value") == NOTE
    # A second learner on this browser: the same progress under another name, saved.
    session.open(site(packets, "completion.html"))
    type_into(session, "[data-cp='certificate-name']", SECOND_LEARNER)
    session.open(site(packets))
    session.wait(visible("[data-cp='certificate-link']"))
    second = session.download("#save-results")
    finish(session)

    # The trainer turns both files, as this engine wrote them, into the report.
    assert second.name == "desk-basics-results-ana-ortiz.json"
    report = saved.parent / "report"
    result = run_coursepack("results", str(saved), str(second), "--course", str(FIXTURES / "packet-engines"),
                            "--out", str(report))
    assert result.returncode == 0, result.stderr
    with open(report / "report.csv", encoding="utf-8-sig", newline="") as csv_file:
        table = [(r["learner"], r["module"], r["status"], r["best_score"], r["date"]) for r in csv.DictReader(csv_file)]
    assert sorted(table) == sorted(
        (learner, module, "passed", "100", today)
        for learner in (LEARNER, SECOND_LEARNER) for module in ("greeting", "closing")
    )
    assert LEARNER in (report / "report.html").read_text(encoding="utf-8")


def test_where_storage_is_refused_every_page_says_so_and_the_results_file_carries_the_learner_on(session_of, packets):
    """WebKit with Safari's policy for file:// pages: localStorage throws SecurityError."""
    session = session_of("webkit", "safari-policy", refuse_file_storage=True)
    assert session.open(site(packets)) == "session"
    assert session.eval("(function () { try { localStorage.length; return 'allowed'; } catch (e) { return e.name; } })()") == "SecurityError"
    notice = "This browser does not let the course keep your progress once you close this tab or window."
    for url in (site(packets), site(packets, "greeting.html"), site(packets, "completion.html"), single(packets, "closing")):
        session.open(url)
        assert session.eval(visible(".storage-notice")), url
        assert notice in session.eval("document.querySelector('.storage-notice').textContent"), url
        assert SAVED_CLAIM not in session.eval("document.body.innerText"), url
        link = session.eval("document.querySelector('.storage-notice a').getAttribute('href')")
        assert link in ("index.html#cp-results", "#cp-results"), url
    session.open(site(packets, "greeting.html"))
    pass_module_1(session)
    session.open(site(packets))  # the tab carries progress from page to page
    wait_status(session, 0, "Passed · 100%")
    assert notice in session.eval("document.getElementById('progress-intro').textContent")
    saved = session.download("#save-results")
    finish(session)

    # Reopened: the browser kept nothing, as the page said; the file brings it all back.
    session = session_of("webkit", "safari-policy", refuse_file_storage=True)
    session.open(site(packets))
    assert status_of(session, 0) == "Not started"
    session.upload("#load-results", saved)
    session.wait("document.querySelector('[data-cp=\"results-message\"]').textContent.indexOf('1 of 2 modules complete') >= 0")
    wait_status(session, 0, "Passed · 100%")
    session.open(site(packets, "greeting.html"))
    assert session.eval("document.querySelector('#q-smile [data-cp=\"check\"]').getAttribute('aria-disabled')") == "true"
    finish(session)


def test_a_results_file_of_another_course_or_a_damaged_one_changes_nothing(browser, packets, tmp_path):
    context = browser.new_context()
    errors: list[str] = []
    context.on("console", lambda message: message.type == "error" and errors.append(message.text))
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page = context.new_page()
    page.goto(site(packets, "greeting.html"))
    page.wait_for_selector("html[data-cp-ready]")
    choose_in = ChromiumPage(page)
    pass_module_1(choose_in)
    page.goto(site(packets))
    key = "coursepack:desk-basics:1.0"
    before = page.evaluate("key => localStorage.getItem(key)", key)
    assert json.loads(before)["m"][0]["b"] == 100
    record = {
        "format": "coursepack-results", "format_version": 1,
        "course": {"id": "other-course", "version": "2.0", "title": "Another course"},
        "learner": "Sam", "saved_at": "2026-01-01T00:00:00Z", "completed_on": None, "modules": [],
        "state": {"v": 1, "f": "00000000", "m": []}, "notes": {},
    }
    cases = {
        "other.json": (json.dumps(record), "This file holds results of another course (Another course). Nothing was changed."),
        "version.json": (
            json.dumps({**record, "course": {"id": "desk-basics", "version": "0.9", "title": "Desk basics"}}),
            "This file holds results of another version of this course (0.9). Nothing was changed.",
        ),
        "damaged.json": ('{"format": "coursepack-results", "format_', "This file is not a results file of this course, or it is damaged. Nothing was changed."),
    }
    for name, (content, said) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        page.set_input_files("#load-results", str(path))
        message = page.locator("[data-cp='results-message']")
        expect(message).to_have_text(said)
        expect(message).to_have_class(re.compile("is-problem"))
        assert page.evaluate("key => localStorage.getItem(key)", key) == before, name
        assert status_of(ChromiumPage(page), 0) == "Passed · 100%"
    context.close()
    assert errors == []


class ChromiumPage(Session):
    """A page of an ordinary (not persistent) Chromium context, for the helpers above."""

    def __init__(self, page):
        self.page = page

    def eval(self, js):
        return self.page.evaluate(f"() => ({js})")

    def click(self, selector):
        self.page.click(selector)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_sample_course_keeps_module_1_through_a_restart(session_of, engine, sample_packets):
    course = load_course(REPO).course
    module = course.modules[0]
    home = (sample_packets / "html" / "index.html").as_uri()
    session = session_of(engine, "sample")
    session.open(home)
    assert status_of(session, 0) == "Not started"
    session.open((sample_packets / "html" / f"{module.id}.html").as_uri())
    for question in module.quiz.questions:
        answer_right(session, question)
    session.wait("document.querySelector('[data-cp=\"quiz-result\"]').textContent.indexOf('Passed') >= 0")
    session.open(home)
    wait_status(session, 0, "Passed · 100%")
    finish(session)

    session = session_of(engine, "sample")
    session.open(home)
    wait_status(session, 0, "Passed · 100%")
    assert session.eval("document.querySelector('[data-cp=\"summary-count\"]').textContent") == f"1 of {len(course.modules)} modules complete"
    finish(session)


@pytest.mark.parametrize("engine", ["firefox"])
def test_reset_clears_the_progress_every_page_shares(session_of, engine, packets):
    """In Firefox the site's progress is in assets/store.html's frame: a reset must clear it there."""
    session = session_of(engine, "reset")
    session.open(site(packets, "greeting.html"))
    pass_module_1(session)
    session.open(site(packets))
    wait_status(session, 0, "Passed · 100%")
    session.click("[data-cp='reset']")
    session.click("[data-cp='reset-dialog'] button[value='reset']")
    session.wait("(document.querySelector('[data-cp=announce]') || {textContent: ''}).textContent.indexOf('reset') >= 0")
    assert status_of(session, 0) == "Not started"
    finish(session)
    session = session_of(engine, "reset")
    session.open(site(packets))
    assert status_of(session, 0) == "Not started"
    session.open(site(packets, "greeting.html"))
    assert session.eval("document.querySelector('#q-smile [data-cp=check]').getAttribute('aria-disabled')") is None
    finish(session)


# ------------------------------------------------------------------ video and audio

PLAYS_AT_4_2 = """(function () {
  var video = document.querySelector('figure.media-video video');
  video.muted = true;
  video.currentTime = 4.2;
  var playing = video.play();
  if (playing) playing.catch(function () {});  // no sound device: the seek still shows the cue
  return true;
})()"""
CUE_SHOWN = """(function () {
  var video = document.querySelector('figure.media-video video');
  var track = video.textTracks[0];
  if (!track || track.mode !== 'showing' || video.currentTime < 4.1 || !track.activeCues || !track.activeCues.length) return null;
  return track.activeCues[0].text;
})()"""


@pytest.mark.parametrize("engine", ENGINES)
def test_the_sample_clip_plays_from_disk_with_its_captions_and_transcript(session_of, engine, sample_packets):
    """Captions shown from the cues the page carries: a <track> file would be refused on file://."""
    course = load_course(REPO).course
    module = next(m for m in course.modules if any(media.kind == "video" for media in m.lesson.media))
    clip = next(media for media in module.lesson.media if media.kind == "video")
    session = session_of(engine, "media")
    session.open((sample_packets / "html" / f"{module.id}.html").as_uri())
    session.wait("document.querySelector('figure.media-video video').readyState >= 1", timeout=20)
    session.eval(PLAYS_AT_4_2)
    cue = next(c for c in clip.cues if c.start_ms <= 4200 < c.end_ms)
    shown = session.wait(CUE_SHOWN, timeout=20)
    assert shown.endswith(cue.text.replace("&", "&amp;"))
    transcript = session.eval("document.querySelector('figure.media-video details.transcript').textContent")
    assert all(c.text in transcript for c in clip.cues)
    audio_cues = session.eval("document.querySelector('figure.media-audio audio').textTracks[0].cues.length")
    assert audio_cues == len(next(m for m in module.lesson.media if m.kind == "audio").cues)
    finish(session)
