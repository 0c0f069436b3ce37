"""One build: load everything, then let each chosen builder write, then swap.

`check` is the same path with no builders, so both report the same problems.

Speed comes from two caches and from processes:
- the loader reuses modules whose sources did not change (see
  `loading.module_cache`);
- a format whose inputs (the course's digest, the theme's files, the versions
  of coursepack and the libraries that render) are those of the files already
  in the output folder is not built again: its files are kept as they are;
- formats that do need building run side by side in worker processes, each
  writing its own paths into the one staging folder.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Protocol

from coursepack import __version__
from coursepack.builders import BuildContext, registry
from coursepack.errors import CourseErrors, Problem, UnknownFormat
from coursepack.loading import load_course
from coursepack.model import Course
from coursepack.theme import Theme
from coursepack.workers import ignore_interrupts, stop_workers
from coursepack.writer import OutputProblem, OutputTree, StagedOutput, output_lock

CACHE_DIR = ".coursepack-cache"
RENDERING_LIBRARIES = ("jinja2", "markdown", "pymdown-extensions", "weasyprint", "pydantic")


class Progress(Protocol):
    def start(self, name: str, total: int) -> None: ...
    def advance(self, name: str, message: str) -> None: ...
    def finish(self, name: str) -> None: ...


class _Silent:
    def start(self, name: str, total: int) -> None: ...
    def advance(self, name: str, message: str) -> None: ...
    def finish(self, name: str) -> None: ...


@dataclass
class BuildReport:
    course: Course
    output: Path
    formats: list[str]
    written: dict[str, list[str]] = field(default_factory=dict)  # format -> its outputs
    unchanged: list[str] = field(default_factory=list)  # formats whose files were still good
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def check(course_dir: Path, cache_dir: Path | None = None) -> tuple[Course, list[Problem]]:
    """Load and validate the course and its own templates; raises CourseErrors with every problem."""
    theme_problems = Theme(course_dir).problems() if (course_dir / "course.yml").is_file() else []
    try:
        result = load_course(course_dir, known_formats=tuple(registry()), cache_dir=cache_dir)
    except CourseErrors as exc:
        raise CourseErrors([*exc.problems, *theme_problems]) from None
    if theme_problems:
        raise CourseErrors(theme_problems)
    return result.course, list(result.warnings)


def choose_formats(course: Course, requested: list[str] | None) -> list[str]:
    """The formats to build, in build order: those asked for, else the course's, else all."""
    known = registry()
    names = requested or list(course.outputs or known)
    require_known(names)
    return sorted(dict.fromkeys(names), key=list(known).index)


def require_known(names: list[str]) -> None:
    unknown = [n for n in names if n not in registry()]
    if unknown:
        raise UnknownFormat(f"unknown format '{unknown[0]}' (known: {', '.join(registry())})")


def build(
    course_dir: Path,
    formats: list[str] | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    on_wait: Callable[[Path], None] = lambda path: None,
) -> BuildReport:
    """`on_wait` is told when another build is writing the same output and this one waits."""
    started = time.perf_counter()
    progress = progress or _Silent()
    require_known(formats or [])  # before spending time on loading
    out = out or course_dir / "output"
    refuse_unsafe_output(out, course_dir)
    cache_dir = course_dir / CACHE_DIR if use_cache else None
    course, warnings = check(course_dir, cache_dir)
    names = choose_formats(course, formats)
    theme = Theme(course_dir)
    report = BuildReport(course, out, names, warnings=warnings)
    builders = {name: registry()[name](BuildContext(theme=theme)) for name in names}
    keys = {name: _format_key(name, course, theme, builders[name].inputs_key(course)) for name in names}
    owned = {name: builders[name].outputs(course) for name in names}
    try:
        lock = output_lock(out, on_wait)
    except OSError as exc:
        # The lock is a file beside the output: a folder that cannot take it cannot take the output.
        raise OutputProblem(f"cannot write {out}: {exc.strerror or exc}; {out}/ was left as it was") from None
    try:  # the record is read, the output staged and swapped, and the record saved, by one build at a time
        record = _OutputRecord(cache_dir, out)
        stale = [n for n in names if not record.still_good(n, keys[n], owned[n])]
        report.unchanged = [n for n in names if n not in stale]
        for name in report.unchanged:  # what those formats said last time still holds
            report.warnings += record.warnings(name)
            report.notes += record.notes(name)
        if stale:
            with StagedOutput(out) as tree:
                for name in stale:
                    for path in owned[name]:
                        tree.remove(path)
                for name in stale:
                    progress.start(name, builders[name].steps(course))
                results = _run_builders(stale, course, course_dir, cache_dir, tree, progress, jobs)
            for name, (builder_warnings, notes) in results.items():
                report.warnings += builder_warnings
                report.notes += notes
                record.remember(name, keys[name], owned[name], builder_warnings, notes)
            record.save()
    finally:
        lock.release()
    report.written = {name: owned[name] for name in names}
    report.seconds = time.perf_counter() - started
    return report


def refuse_unsafe_output(out: Path, course_dir: Path) -> None:
    """The output folder is replaced whole: never the course, a folder holding it, or its sources."""
    target, course = out.resolve(), course_dir.resolve()
    if target == course or target in course.parents:
        where = "the course folder" if target == course else "a folder that holds the course"
        raise OutputProblem(f"--out '{out}' is {where}, which a build would replace; "
                            "name a folder of its own, such as 'output'")
    for source in ("modules", "templates", CACHE_DIR):
        if target.is_relative_to(course / source):
            raise OutputProblem(f"--out '{out}' is inside the course's {source}/; name a folder of its own, "
                                "such as 'output'")


# ---------------------------------------------------------------- running builders


def _run_builders(names, course, course_dir, cache_dir, tree: OutputTree, progress, jobs):
    """Run each builder; several at once in worker processes when there is more than one."""
    jobs = jobs or os.cpu_count() or 1
    if len(names) == 1 or jobs == 1:
        results = {}
        for name in names:
            results[name] = _run_one(name, course, course_dir, cache_dir, tree.root,
                                     lambda message, name=name: progress.advance(name, message))
            progress.finish(name)
        return results
    # Fork keeps start-up cheap where it exists; the model is picklable for the others.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with context.Manager() as manager:
        messages = manager.Queue()
        listener = threading.Thread(target=_relay, args=(messages, progress), daemon=True)
        listener.start()
        with ProcessPoolExecutor(max_workers=min(jobs, len(names)), mp_context=context,
                                 initializer=ignore_interrupts) as pool:
            try:
                futures = {
                    name: pool.submit(_run_in_worker, name, course, course_dir, cache_dir, tree.root, messages)
                    for name in names
                }
                results = {}
                for name, future in futures.items():
                    results[name] = future.result()  # re-raises a builder's error here
                    progress.finish(name)
            except BaseException:  # Ctrl-C, or one builder failed: the others need not finish
                stop_workers()
                raise
        messages.put(None)
        listener.join(timeout=5)
    return results


def _run_one(name, course, course_dir, cache_dir, staging_root, step):
    context = BuildContext(theme=Theme(course_dir), cache_dir=cache_dir, step=step)
    registry()[name](context).write(course, OutputTree(staging_root))
    return context.warnings, context.notes


def _run_in_worker(name, course, course_dir, cache_dir, staging_root, messages):
    return _run_one(name, course, course_dir, cache_dir, staging_root, lambda message: messages.put((name, message)))


def _relay(messages, progress) -> None:
    while True:
        try:
            item = messages.get()
        except (EOFError, OSError, queue.Empty):
            return
        if item is None:
            return
        progress.advance(*item)


# ---------------------------------------------------------------- skipping unchanged formats


def _format_key(name: str, course: Course, theme: Theme, inputs: str) -> str:
    digest = hashlib.sha256()
    versions = [__version__] + [_version(lib) for lib in RENDERING_LIBRARIES]
    for part in (name, course.digest, theme.digest, inputs, *versions):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


class _OutputRecord:
    """What each format last wrote into an output folder, and from which inputs.

    A format is skipped only when its key matches and every file it wrote is
    still there unchanged in size and modification time.
    """

    def __init__(self, cache_dir: Path | None, out: Path):
        self.out = out
        self.path = None
        self.entries: dict[str, dict] = {}
        if cache_dir is None:
            return
        where = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
        self.path = cache_dir / f"outputs-{where}.json"
        try:
            self.entries = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def still_good(self, name: str, key: str, owned: list[str]) -> bool:
        entry = self.entries.get(name)
        if self.path is None or not entry or entry.get("key") != key:
            return False
        return entry.get("files") == self._stat(owned) and bool(entry["files"])

    def remember(self, name: str, key: str, owned: list[str], warnings: list[Problem], notes: list[str]) -> None:
        self.entries[name] = {
            "key": key,
            "files": self._stat(owned),
            "warnings": [[w.path, w.line, w.message] for w in warnings],
            "notes": notes,
        }

    def warnings(self, name: str) -> list[Problem]:
        return [Problem(path, line, message, "warning") for path, line, message in self.entries[name].get("warnings", [])]

    def notes(self, name: str) -> list[str]:
        return list(self.entries[name].get("notes", []))

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.entries, sort_keys=True))
        except OSError:
            pass

    def _stat(self, owned: list[str]) -> dict[str, list[int]]:
        files = {}
        for path in owned:
            target = self.out / path
            found = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
            for file in found:
                try:
                    info = file.stat()
                except OSError:
                    return {}
                files[str(file.relative_to(self.out))] = [info.st_size, info.st_mtime_ns]
        return files
