"""`coursepack serve` as an author meets it: the preview runs as its own process,
the page is open in Chromium, and the lesson is edited on disk.

A save shows in the open page by itself; a broken save shows its `path:line`
errors over the last good build, in the page and in the terminal; fixing it
recovers; Ctrl-C stops the preview and leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO

from coursepack.build import check
from coursepack.errors import CourseErrors

START_SECONDS = 30
CHANGE_MS = 10_000  # a save shows in the page well within this
PANEL = "#coursepack-preview-problems"
LESSON = "modules/01-welcome/lesson.md"
QUIZ = "modules/01-welcome/quiz.yml"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#4a7"/></svg>'


def lesson(body: str) -> str:
    return f"---\ntitle: Welcome\n---\n{body}\n"


class Preview:
    """`coursepack serve COURSE --port PORT` in a process of its own, its terminal output collected."""

    def __init__(self, course: Path, port: int, temp: Path):
        temp.mkdir(exist_ok=True)
        self.temp = temp
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1",
               "COLUMNS": "200", "TMPDIR": str(temp)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coursepack", "serve", str(course), "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        self.output = {"stdout": [], "stderr": []}
        self.readers = [
            threading.Thread(target=self._collect, args=(self.process.stdout, self.output["stdout"]), daemon=True),
            threading.Thread(target=self._collect, args=(self.process.stderr, self.output["stderr"]), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def text(self, stream: str) -> str:
        return "\n".join(self.output[stream])

    def wait_for(self, stream: str, pattern: str, seconds: float = 10) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if match := re.search(pattern, self.text(stream)):
                return match
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"no {pattern!r} on {stream} within {seconds} s; stdout:\n{self.text('stdout')}\n"
                    f"stderr:\n{self.text('stderr')}", pytrace=False)

    def url(self) -> str:
        return self.wait_for("stdout", r"Previewing on (http://127\.0\.0\.1:\d+/)", START_SECONDS).group(1)

    def site(self) -> Path:
        """The folder the preview builds into (under the TMPDIR it was given)."""
        (workdir,) = self.temp.glob("coursepack-serve-*")
        return workdir / "output" / "html"

    def interrupt(self) -> int:
        """Ctrl-C, as in the terminal; the exit status."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=10)
        for reader in self.readers:
            reader.join(timeout=5)
        return status


@pytest.fixture
def start_preview(tmp_path):
    started: list[Preview] = []

    def start(course: Path, port: int = 0) -> Preview:
        preview = Preview(course, port, tmp_path / f"tmp{len(started)}")
        started.append(preview)
        return preview

    yield start
    for preview in started:
        if preview.process.poll() is None:
            preview.process.kill()
            preview.process.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def errors_from_check(course: Path) -> list[str]:
    """What `coursepack check` reports for the course, line by line: what the preview must show."""
    with pytest.raises(CourseErrors) as raised:
        check(course)
    lines = [str(problem) for problem in raised.value.problems]
    assert all(re.match(r"modules/01-welcome/\S+:\d+: error: ", line) for line in lines), lines
    return lines


def test_saves_show_in_the_open_page_and_a_broken_save_keeps_the_last_good_build(fixture_course, start_preview, page):
    from playwright.sync_api import expect

    course = fixture_course("good-minimal")
    (course / LESSON).write_text(lesson("The desk opens at nine."), encoding="utf-8")
    (course / "modules/01-welcome/media").mkdir()
    (course / "modules/01-welcome/media/desk.svg").write_text(SVG, encoding="utf-8")
    preview = start_preview(course)
    url = preview.url()
    preview.wait_for("stdout", r"Built tiny in ")

    site = preview.site()
    (built,) = [p for p in site.rglob("*.html") if "The desk opens at nine." in p.read_text(encoding="utf-8")]
    assert "__coursepack__" not in built.read_text(encoding="utf-8"), "the preview's script leaked into the build"
    page.goto(url + built.relative_to(site).as_posix())
    body = page.locator("body")
    expect(body).to_contain_text("The desk opens at nine.")
    expect(page.locator(PANEL)).to_have_count(0)

    # A save shows in the page that is already open, without touching it.
    (course / LESSON).write_text(lesson("The desk opens at half past nine."), encoding="utf-8")
    expect(body).to_contain_text("The desk opens at half past nine.", timeout=CHANGE_MS)
    preview.wait_for("stdout", re.escape(f"{LESSON} changed: rebuilt in"))

    # A broken save: an image without alt text, in a lesson whose words changed too.
    (course / LESSON).write_text(lesson("The desk opens at ten.\n\n![](media/desk.svg)"), encoding="utf-8")
    expected = errors_from_check(course)
    panel = page.locator(PANEL)
    expect(panel).to_be_visible(timeout=CHANGE_MS)
    for line in expected:
        expect(panel).to_contain_text(line)
        preview.wait_for("stderr", re.escape(line))
    expect(body).to_contain_text("The desk opens at half past nine.")  # the last good build
    expect(body).not_to_contain_text("The desk opens at ten.")
    preview.wait_for("stdout", "1 error; still showing the last good build")

    # The author can put the panel aside to read the page under it.
    panel.get_by_role("button", name="Hide").click()
    expect(panel).to_be_hidden()

    # Fixed: the page recovers with the new words and the image.
    (course / LESSON).write_text(lesson("The desk opens at ten.\n\n![The desk](media/desk.svg)"), encoding="utf-8")
    expect(body).to_contain_text("The desk opens at ten.", timeout=CHANGE_MS)
    expect(page.locator(PANEL)).to_have_count(0)
    expect(page.get_by_role("img", name="The desk")).to_be_visible()

    assert preview.interrupt() == 0
    assert "Stopped the preview." in preview.text("stdout")
    assert "Traceback" not in preview.text("stderr")
    assert list(preview.temp.iterdir()) == [], "the temporary build folder was left behind"


def test_a_replaced_picture_shows_after_a_save_and_unchanged_files_are_not_sent_again(fixture_course, start_preview,
                                                                                       page):
    """Files other than pages are revalidated by their entity tag, so a reload after a save
    gets a 304 for what did not change and the new bytes for what did."""
    from playwright.sync_api import expect

    course = fixture_course("good-minimal")
    picture = course / "modules/01-welcome/media/desk.svg"
    picture.parent.mkdir()
    picture.write_text(SVG, encoding="utf-8")
    (course / LESSON).write_text(lesson("The desk.\n\n![The desk](media/desk.svg)"), encoding="utf-8")
    preview = start_preview(course)
    url = preview.url()
    preview.wait_for("stdout", r"Built tiny in ")
    (built,) = [p for p in preview.site().rglob("*.html") if "The desk." in p.read_text(encoding="utf-8")]
    page.goto(url + built.relative_to(preview.site()).as_posix())
    image = page.get_by_role("img", name="The desk")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 120

    statuses: dict[str, int] = {}
    page.on("response", lambda response: statuses.__setitem__(response.url.rsplit("/", 1)[-1], response.status))
    picture.write_text(SVG.replace('width="120"', 'width="200"').replace('rect width="120"', 'rect width="200"'),
                       encoding="utf-8")
    page.wait_for_function("() => { const img = document.querySelector('img[alt=\"The desk\"]');"
                           " return img && img.complete && img.naturalWidth === 200; }", timeout=CHANGE_MS)
    assert statuses.get("desk.svg") == 200, statuses
    assert statuses.get("packet.css") == 304, statuses  # unchanged: not sent again
    assert preview.interrupt() == 0


def test_a_course_that_never_built_shows_its_errors_until_fixed(fixture_course, start_preview, page):
    from playwright.sync_api import expect

    course = fixture_course("good-minimal")
    good_quiz = (course / QUIZ).read_text(encoding="utf-8")
    (course / QUIZ).write_text("questions:\n  - id: q1\n    type: true_false\n    prompt: [unclosed\n", encoding="utf-8")
    expected = errors_from_check(course)

    # A port already taken by something else: the preview moves on and says so.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        preview = start_preview(course, busy)
        url = preview.url()
        assert f":{busy}/" not in url
        preview.wait_for("stdout", rf"Port {busy} is in use; using \d+ instead\.")

    response = page.goto(url)
    assert response.status == 503
    panel = page.locator(PANEL)
    for line in expected:
        expect(panel).to_contain_text(line)
        preview.wait_for("stderr", re.escape(line))

    (course / QUIZ).write_text(good_quiz, encoding="utf-8")
    expect(page.locator("body")).to_contain_text("Tiny course", timeout=CHANGE_MS)
    expect(page.locator(PANEL)).to_have_count(0)

    # course.yml is watched too, not only the modules.
    course_file = course / "course.yml"
    course_file.write_text(course_file.read_text(encoding="utf-8").replace("Tiny course", "Desk basics"),
                           encoding="utf-8")
    expect(page.locator("body")).to_contain_text("Desk basics", timeout=CHANGE_MS)
    assert preview.interrupt() == 0


def test_a_folder_that_is_not_a_course_is_refused_at_once(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "coursepack", "serve", str(tmp_path), "--port", "0"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.returncode == 1
    assert "is not a course: it has no course.yml" in result.stderr


def raw_get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    """A request as a browser or another site's page would send it, the path not re-encoded."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_preview_answers_only_local_pages_and_never_shows_a_traceback(fixture_course, start_preview):
    course = fixture_course("good-minimal")
    preview = start_preview(course)
    url = preview.url()
    port = url.rstrip("/").rsplit(":", 1)[1]
    assert raw_get(url, "/")[0] == 200
    assert raw_get(url, "/", host=f"localhost:{port}")[0] == 200
    # DNS rebinding: another site's name pointed at 127.0.0.1 reaches the port, but not the course.
    status, body = raw_get(url, "/", host=f"attacker.example:{port}")
    assert status == 421 and b"Welcome" not in body
    assert raw_get(url, "/", host=f"127.0.0.1.attacker.example:{port}")[0] == 421
    # Names no file can have: a clear 400, not a traceback in the author's terminal.
    for path in ("/%00", "/index.html%00.png", "/%ED%A0%80.html"):
        assert raw_get(url, path)[0] == 400, path
    # Folders are not listed.
    (preview.site() / "extra").mkdir()
    (preview.site() / "extra/notes.txt").write_text("not for listing", encoding="utf-8")
    status, body = raw_get(url, "/extra/")
    assert status == 404 and b"notes.txt" not in body
    assert preview.interrupt() == 0
    assert "Traceback" not in preview.text("stderr") and "Traceback" not in preview.text("stdout")
    assert preview.text("stderr") == ""


def test_open_event_streams_are_bounded(fixture_course, start_preview):
    import http.client
    from urllib.parse import urlsplit

    from coursepack.serve import EVENTS_ROUTE, MAX_EVENT_STREAMS

    preview = start_preview(fixture_course("good-minimal"))
    where = urlsplit(preview.url())
    streams = []
    try:
        for _ in range(MAX_EVENT_STREAMS):
            connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
            connection.request("GET", EVENTS_ROUTE)
            response = connection.getresponse()
            assert response.status == 200
            assert response.readline() == b"retry: 1000\n"
            streams.append(connection)
        status, _ = raw_get(preview.url(), EVENTS_ROUTE)
        assert status == 503  # one more is turned away, at once
        assert raw_get(preview.url(), "/")[0] == 200  # pages are still served
    finally:
        for connection in streams:
            connection.close()
    assert preview.interrupt() == 0
