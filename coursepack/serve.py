"""`coursepack serve`: a live preview of the HTML packet while an author writes.

The packet is built into a temporary folder and served on 127.0.0.1. Watchers
report saves in course.yml, modules/ and templates/; the main thread rebuilds
and open pages reload themselves through an EventSource stream. A failed
rebuild leaves the last good build in place (the build swaps output in only on
success), and pages show its errors over that build until the next good one.

What the preview adds to a page (a script, a stylesheet, the error panel) is
added as the page is served: the built files stay exactly what
`coursepack build` writes.
"""

from __future__ import annotations

import errno
import functools
import html
import io
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
import watchfiles

from coursepack.build import build, check
from coursepack.errors import CourseErrors, Problem

HOST = "127.0.0.1"
COURSE_FILE = "course.yml"
PORT_TRIES = 10  # a busy port moves the preview to the next free one, this far
WATCHED_FILES = (COURSE_FILE,)
WATCHED_FOLDERS = ("modules", "templates")
# How long watchfiles waits for quiet after a change before reporting it (its default is
# 50 ms): an editor's save (write, rename) takes a few milliseconds, so the files of one
# save come as one report, and saves that come while a rebuild runs make one rebuild after it.
WATCH_STEP_MS = 20
KEEPALIVE_SECONDS = 15  # lets a stream notice a closed tab
SWAP_WAIT_SECONDS = 30  # a request for a file that a build is swapping in waits at most this
# A page on another site can point a name of its own at 127.0.0.1 (DNS rebinding)
# and read the preview through it; the Host header tells such requests apart.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_EVENT_STREAMS = 32  # each open tab holds a thread; far more than an author opens

PREVIEW_ROUTE = "/__coursepack__/"
EVENTS_ROUTE = PREVIEW_ROUTE + "events"
PANEL_ID = "coursepack-preview-problems"

Say = Callable[[str], None]
ShowProblems = Callable[[list[Problem]], None]


def serve(course_dir: Path, port: int, say: Say, show_problems: ShowProblems) -> None:
    """Preview `course_dir` on http://127.0.0.1:PORT until Ctrl-C (port 0: any free port).

    Raises CourseErrors only when the folder is not a course at all; every
    other mistake is shown in the page and the terminal while serving goes on.
    """
    if not (Path(course_dir) / COURSE_FILE).is_file():
        check(Path(course_dir))  # says why this folder is not a course
    course_dir = Path(course_dir).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="coursepack-serve-"))
    out = workdir / "output"
    state = PreviewState()
    watcher = SourceWatcher(course_dir)
    server: ThreadingHTTPServer | None = None
    rebuild = functools.partial(_rebuild, course_dir, out, state, say, show_problems)
    stop_on_terminate = _TerminateAsInterrupt()
    try:
        # Listening before the first build finds a busy port at once; requests wait for the build.
        server = _bind(port, PreviewHandler.bound_to(out / "html", state), say)
        watcher.start()  # before the first build, so that no save is missed
        rebuild(changed=())
        threading.Thread(target=server.serve_forever, name="coursepack-http", daemon=True).start()
        say(f"Previewing on http://{HOST}:{server.server_port}/ (rebuilt on save; Ctrl-C stops)")
        while True:
            rebuild(changed=watcher.next_changes())
    except KeyboardInterrupt:
        say("Stopped the preview.")
    finally:
        with stop_on_terminate.ignoring_interrupts():  # a second Ctrl-C must not leave files behind
            state.stop()
            watcher.stop()
            if server is not None:
                server.shutdown()
                server.server_close()
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- building


class PreviewState:
    """What the pages need to know about the builds, shared with the request threads."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.session = uuid.uuid4().hex[:8]  # a restarted preview reloads open pages too
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.has_site = False
        self.building = False
        self.stopping = False
        self.streams = threading.BoundedSemaphore(MAX_EVENT_STREAMS)

    @property
    def token(self) -> str:
        """Changes with every finished build, failed or not: pages showing an older one reload."""
        return f"{self.session}-{self.version}"

    def begin_build(self) -> None:
        with self.changed:
            self.building = True

    def end_build(self, problems: list[Problem] | None) -> None:
        """`problems` None: the build was interrupted and changed nothing."""
        with self.changed:
            self.building = False
            if problems is not None:
                self.problems = tuple(problems)
                self.has_site = self.has_site or not problems
                self.version += 1
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def wait_for_token(self, seen: str | None, timeout: float) -> str | None:
        """The current token once it differs from `seen` (or after `timeout`); None when stopping."""
        with self.changed:
            self.changed.wait_for(lambda: self.stopping or self.token != seen, timeout)
            return None if self.stopping else self.token

    def wait_while_building(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: not self.building or self.stopping, timeout)


def _rebuild(course_dir: Path, out: Path, state: PreviewState, say: Say, show_problems: ShowProblems,
             changed: Iterable[str]) -> bool:
    """Build the packet into `out`, tell the terminal and the pages; True on success."""
    changed = sorted(changed)
    state.begin_build()
    problems: list[Problem] | None = None
    started = time.perf_counter()
    try:
        try:
            report = build(course_dir, formats=["html"], out=out)
        except CourseErrors as exc:
            problems = list(exc.problems)
        except Exception as exc:  # a broken template override, or a bug: keep serving either way
            problems = [_problem_from_exception(exc, course_dir)]
        else:
            problems = []
    finally:
        state.end_build(problems)
    seconds = time.perf_counter() - started
    why = f"{_describe(changed)} changed: " if changed else ""
    if problems:
        show_problems(problems)
        shows = "still showing the last good build" if state.has_site else "the preview shows them until it builds"
        say(f"{why}{_count(len(problems), 'error')}; {shows}.")
        return False
    show_problems(report.warnings)
    say(f"{why}{'rebuilt' if changed else 'Built ' + report.course_id} in {seconds:.2f} s.")
    return True


def _describe(paths: list[str]) -> str:
    return ", ".join(paths) if len(paths) <= 3 else f"{paths[0]} and {len(paths) - 1} more files"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _problem_from_exception(exc: Exception, course_dir: Path) -> Problem:
    """An error raised while rendering: in the course's own templates it is the author's, else a bug."""
    message = f"{type(exc).__name__}: {exc}"
    templates = course_dir / "templates"
    places = [(getattr(exc, "filename", None), getattr(exc, "lineno", None))]
    places += [(frame.filename, frame.lineno) for frame in reversed(traceback.extract_tb(exc.__traceback__))]
    for filename, line in places:
        if filename and Path(filename).resolve().is_relative_to(templates):
            where = Path(filename).resolve().relative_to(course_dir).as_posix()
            return Problem(where, line or 0, f"template error: {message}")
    return Problem("coursepack", 0, f"internal error: {message} (a bug in coursepack; "
                   "`coursepack build --format html --debug` shows where it happened)")


# ---------------------------------------------------------------- watching


class _EitherSet:
    """Stops a watch when either event is set (watchfiles only asks `is_set`)."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class SourceWatcher:
    """Collects saves in course.yml, modules/ and templates/ as course-relative paths.

    Only those are watched (not the whole course folder, which may hold output/,
    .git or node_modules). One watcher looks at the course folder itself, for
    course.yml and for modules/ or templates/ appearing or going; another looks
    inside those two folders and starts again when they do.
    """

    def __init__(self, course_dir: Path):
        self.root = course_dir
        self.saves: queue.Queue[set[str]] = queue.Queue()
        self.stopped = threading.Event()
        self.folders_moved = threading.Event()
        self.threads = [
            threading.Thread(target=self._watch_course_folder, name="coursepack-watch-top", daemon=True),
            threading.Thread(target=self._watch_source_folders, name="coursepack-watch-tree", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=2)

    def next_changes(self) -> set[str]:
        """Waits for a save, then takes every other one already reported (watchfiles waited for quiet)."""
        changed: set[str] = set()
        while not changed:
            try:
                changed = self.saves.get(timeout=0.5)  # a timeout keeps Ctrl-C responsive
            except queue.Empty:
                continue
        while True:
            try:
                changed |= self.saves.get_nowait()
            except queue.Empty:
                return changed

    def _report(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        paths = {Path(path).relative_to(self.root).as_posix() for _, path in changes}
        if paths:
            self.saves.put(paths)

    def _top_level(self, change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        return name in WATCHED_FILES or (name in WATCHED_FOLDERS and change != watchfiles.Change.modified)

    def _watch_course_folder(self) -> None:
        while not self.stopped.is_set():
            for changes in self._watch([self.root], self._top_level, recursive=False, stop=self.stopped):
                if any(Path(path).name in WATCHED_FOLDERS for _, path in changes):
                    self.folders_moved.set()
                self._report(changes)

    def _watch_source_folders(self) -> None:
        while not self.stopped.is_set():
            self.folders_moved.clear()
            folders = [self.root / name for name in WATCHED_FOLDERS if (self.root / name).is_dir()]
            stop = _EitherSet(self.stopped, self.folders_moved)
            if not folders:
                while not stop.is_set():
                    self.stopped.wait(0.2)
                continue
            for changes in self._watch(folders, watchfiles.DefaultFilter(), recursive=True, stop=stop):
                self._report(changes)

    def _watch(self, paths: list[Path], watch_filter, recursive: bool, stop) -> Iterator[set]:
        """watchfiles.watch until `stop` is set, or until a watched folder vanishes."""
        try:
            yield from watchfiles.watch(*paths, watch_filter=watch_filter, recursive=recursive,
                                        step=WATCH_STEP_MS, stop_event=stop, raise_interrupt=False)
        except (OSError, RuntimeError):  # the watch on a vanished folder fails; start again shortly
            self.folders_moved.set()
            self.stopped.wait(0.2)


# ---------------------------------------------------------------- serving


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """One line, not socketserver's traceback; a tab closed mid-answer is not worth one."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"preview: a request failed: {type(error).__name__}: {error}", file=sys.stderr)


def _bind(port: int, handler, say: Say) -> ThreadingHTTPServer:
    last = port + PORT_TRIES - 1 if port else port
    for candidate in range(port, last + 1):
        try:
            server = PreviewServer((HOST, candidate), handler)
        except (OSError, OverflowError) as exc:
            if getattr(exc, "errno", None) != errno.EADDRINUSE:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise click.BadParameter(f"cannot listen on {HOST}:{candidate}: {reason}",
                                         param_hint="'--port'") from None
            continue
        if candidate != port:
            say(f"Port {port} is in use; using {candidate} instead.")
        return server
    raise click.BadParameter(
        f"port {port} is in use" + (f", and so are the next {PORT_TRIES - 1}" if last != port else "")
        + "; choose another with --port", param_hint="'--port'")


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the last good build, with the preview's additions in every HTML page."""

    state: PreviewState

    @classmethod
    def bound_to(cls, site: Path, state: PreviewState):
        handler = type("BoundPreviewHandler", (cls,), {"state": state})
        return functools.partial(handler, directory=str(site))

    def log_message(self, format: str, *args) -> None:  # the terminal is for the author's messages
        pass

    def end_headers(self) -> None:
        tag = getattr(self, "_entity_tag", None)  # files but pages are revalidated by it; a page has the build's token in it
        if tag:
            self.send_header("ETag", tag)
        self.send_header("Cache-Control", "no-cache" if tag else "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self._refused():
            return
        if urlsplit(self.path).path == EVENTS_ROUTE:
            self._stream_builds()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._refused():
            super().do_HEAD()

    def _refused(self) -> bool:
        """Answers a request that is not a local page's, or names no possible file; True if so."""
        host = (self.headers.get("Host") or HOST).strip().lower()
        name = host if host.startswith("[") else host.rsplit(":", 1)[0]
        if name not in LOCAL_HOSTS:
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "The preview answers only http://127.0.0.1 and localhost")
            return True
        path = unquote(urlsplit(self.path).path, errors="surrogatepass")
        if "\x00" in path or any("\ud800" <= c <= "\udfff" for c in path):
            self.send_error(HTTPStatus.BAD_REQUEST, "No file has such a name")
            return True
        return False

    def list_directory(self, path):  # a preview shows pages, not the folders behind them
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_head(self):
        route = urlsplit(self.path).path
        if route.startswith(PREVIEW_ROUTE):
            return self._preview_file(route.removeprefix(PREVIEW_ROUTE))
        with self.state.changed:
            has_site, problems, token = self.state.has_site, self.state.problems, self.state.token
        if not has_site:
            return self._send_html(HTTPStatus.SERVICE_UNAVAILABLE, first_build_failed_page(problems, token))
        target = Path(self.translate_path(self.path))
        if not target.exists():  # perhaps mid-swap: the build renames the new output into place
            self.state.wait_while_building(SWAP_WAIT_SECONDS)
        if target.is_dir() and route.endswith("/"):
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            try:
                page = target.read_bytes()
            except OSError:
                return super().send_head()
            return self._send_html(HTTPStatus.OK, with_preview(page, problems, token))
        if target.is_file():
            # The build keeps a file whose bytes did not change as the same file (inode, time), so a
            # reload after a save gets a 304 for it, and the browser keeps what it compiled of it.
            try:
                facts = target.stat()
            except OSError:  # gone since: the handler says so
                return super().send_head()
            self._entity_tag = f'"{facts.st_ino:x}-{facts.st_mtime_ns:x}-{facts.st_size:x}"'
            if self.headers.get("If-None-Match") == self._entity_tag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.end_headers()
                return None
        return super().send_head()

    def _send_html(self, status: HTTPStatus, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _preview_file(self, name: str):
        kinds = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}
        if name not in kinds:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        body = (PREVIEW_SCRIPT if name == "preview.js" else PREVIEW_STYLE).encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kinds[name])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _stream_builds(self) -> None:
        """Server-sent events: the current build token now, then each new one."""
        self.close_connection = True
        if not self.state.streams.acquire(blocking=False):
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE, "Too many open preview pages")
            self.send_header("Retry-After", "5")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            seen = None
            self.wfile.write(b"retry: 1000\n\n")
            while (token := self.state.wait_for_token(seen, KEEPALIVE_SECONDS)) is not None:
                self.wfile.write(f"event: build\ndata: {token}\n\n".encode() if token != seen else b": still here\n\n")
                self.wfile.flush()
                seen = token
        except (BrokenPipeError, ConnectionResetError):  # the page went away
            pass
        finally:
            self.state.streams.release()


# ---------------------------------------------------------------- what pages get


def with_preview(page: bytes, problems: tuple[Problem, ...], token: str) -> bytes:
    """The page with the reload script, and the error panel when the last build failed."""
    addition = _preview_tags(token)
    if problems:
        addition = _problem_panel(problems, "The last change did not build. Below is the last good build.") + addition
    text = page.decode("utf-8", errors="replace")
    end = text.lower().rfind("</body>")
    text = text[:end] + addition + text[end:] if end >= 0 else text + addition
    return text.encode("utf-8")


def first_build_failed_page(problems: tuple[Problem, ...], token: str) -> bytes:
    panel = _problem_panel(problems, "The course does not build yet. Fix these and save: this page reloads by itself.",
                           over_page=False)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Build failed · coursepack preview</title>\n</head>\n"
        f'<body class="coursepack-preview-failed">\n<main>\n{panel}</main>\n{_preview_tags(token)}</body>\n</html>\n'
    ).encode("utf-8")


def _preview_tags(token: str) -> str:
    return (
        f'<link rel="stylesheet" href="{PREVIEW_ROUTE}preview.css">\n'
        f'<script src="{PREVIEW_ROUTE}preview.js" data-build="{html.escape(token)}"></script>\n'
    )


def _problem_panel(problems: tuple[Problem, ...], lead: str, over_page: bool = True) -> str:
    """The errors, as a panel over a page (which the author may hide) or as a page of their own."""
    heading = "h2" if over_page else "h1"
    items = "".join(f"<li><code>{html.escape(str(problem))}</code></li>\n" for problem in problems)
    hide = '<button type="button" data-coursepack-dismiss>Hide</button>\n' if over_page else ""
    return (
        f'<section id="{PANEL_ID}" role="alert" aria-labelledby="{PANEL_ID}-title">\n'
        f'<{heading} id="{PANEL_ID}-title">{_count(len(problems), "error")} in the course</{heading}>\n'
        f"<p>{html.escape(lead)}</p>\n<ul>\n{items}</ul>\n{hide}</section>\n"
    )


# Served from the preview's own route rather than inline, so that a page's
# Content-Security-Policy allowing only same-origin scripts still lets it run.
PREVIEW_SCRIPT = """\
(function () {
  "use strict";
  var shown = document.currentScript.getAttribute("data-build");
  var source = null;
  // A hidden tab lets go of its stream: browsers allow few open connections per host.
  function listen() {
    if (source) return;
    source = new EventSource("/__coursepack__/events");
    source.addEventListener("build", function (event) {
      if (event.data !== shown) {
        source.close();
        location.reload();
      }
    });
  }
  function pause() {
    if (source) source.close();
    source = null;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") pause(); else listen();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-coursepack-dismiss]")) {
      document.getElementById("coursepack-preview-problems").hidden = true;
    }
  });
  if (document.visibilityState !== "hidden") listen();
})();
"""

PREVIEW_STYLE = """\
#coursepack-preview-problems {
  position: fixed; inset: 0 0 auto 0; z-index: 2147483647;
  max-height: 60vh; overflow: auto; box-sizing: border-box;
  margin: 0; padding: 1rem 1.25rem; border-bottom: 4px solid #8b0000;
  background: #fff4f4; color: #1a1a1a; box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; text-align: left;
}
#coursepack-preview-problems[hidden] { display: none; }
#coursepack-preview-problems h1, #coursepack-preview-problems h2 { margin: 0 0 0.25rem; font-size: 1.15rem; color: #8b0000; }
#coursepack-preview-problems p { margin: 0 0 0.5rem; }
#coursepack-preview-problems ul { margin: 0 0 0.75rem; padding-left: 1.25rem; }
#coursepack-preview-problems li { margin: 0.2rem 0; }
#coursepack-preview-problems code {
  font: 0.95rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere;
}
#coursepack-preview-problems button {
  font: inherit; padding: 0.2rem 0.9rem; border: 1px solid #8b0000; border-radius: 4px;
  background: #fff; color: #8b0000; cursor: pointer;
}
#coursepack-preview-problems button:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
body.coursepack-preview-failed { margin: 0; background: #fff; }
body.coursepack-preview-failed #coursepack-preview-problems { position: static; max-height: none; min-height: 100vh; }
"""


# ---------------------------------------------------------------- stopping


class _TerminateAsInterrupt:
    """SIGTERM (a closed terminal, a process manager) stops the preview as Ctrl-C does.

    Signal handlers belong to the main thread; elsewhere (a test calling
    `serve` in a thread) this does nothing.
    """

    def __init__(self) -> None:
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:
            self.previous = signal.signal(signal.SIGTERM, self._interrupt)

    @staticmethod
    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    @contextmanager
    def ignoring_interrupts(self):
        if not self.active:
            yield
            return
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, self.previous)
