"""One build: load everything, then let each chosen builder write, then swap.

`check` is the same path with no builders, so both report the same problems.

Speed comes from caches and from processes:
- before anything is loaded, one digest of everything the build reads
  (`coursepack.unchanged`) is compared with the last build's: when it is the
  same and the output is as that build left it, nothing is loaded or written;
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
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from coursepack import __version__
from coursepack.code_digest import code_digest
from coursepack.collector import collection_paused, objects_now_spared
from coursepack.errors import CourseErrors, OutputProblem, Problem, UnknownFormat
from coursepack.unchanged import (SourcesRecord, hold_output, installed_versions, one_theme_reading, sources_digest,
                                  used_files_digest, whole_key)

if TYPE_CHECKING:
    from coursepack.model import Course
    from coursepack.theme import Theme
    from coursepack.writer import OutputTree

# The loader, the builders and their libraries (pydantic, Markdown, Jinja) are
# imported only when a build has something to do: a no-op build never needs them.

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
    course: Course | None  # None when nothing changed: the course was not loaded
    output: Path
    formats: list[str]
    written: dict[str, list[str]] = field(default_factory=dict)  # format -> its outputs
    unchanged: list[str] = field(default_factory=list)  # formats whose files were still good
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    course_id: str = ""
    module_count: int = 0
    nothing_changed: bool = False  # no source changed and the output was intact: nothing was loaded


def check(course_dir: Path, cache_dir: Path | None = None, jobs: int | None = None) -> tuple[Course, list[Problem]]:
    """Load and validate the course and its own templates; raises CourseErrors with every problem.
    `jobs`: at most this many worker processes parse modules (None: one per CPU)."""
    from coursepack.builders import format_names
    from coursepack.loading import load_course
    from coursepack.theme import Theme

    theme_problems = Theme(course_dir).problems() if (course_dir / "course.yml").is_file() else []
    try:
        result = load_course(course_dir, known_formats=format_names(), cache_dir=cache_dir, jobs=jobs)
    except CourseErrors as exc:
        raise CourseErrors([*exc.problems, *theme_problems]) from None
    if theme_problems:
        raise CourseErrors(theme_problems)
    return result.course, list(result.warnings)


def choose_formats(course: Course, requested: list[str] | None) -> list[str]:
    """The formats to build, in build order: those asked for, else the course's, else all."""
    from coursepack.builders import format_names

    known = format_names()
    names = requested or list(course.outputs or known)
    require_known(names)
    return sorted(dict.fromkeys(names), key=known.index)


def require_known(names: list[str]) -> None:
    from coursepack.builders import format_names

    unknown = [n for n in names if n not in format_names()]
    if unknown:
        raise UnknownFormat(f"unknown format '{unknown[0]}' (known: {', '.join(format_names())})")


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
    with one_theme_reading(), ExitStack() as after_loading:
        return _build(course_dir, formats, out, progress, jobs, use_cache, on_wait, after_loading)


def _build(course_dir, formats, out, progress, jobs, use_cache, on_wait, after_loading: ExitStack) -> BuildReport:
    started = time.perf_counter()
    progress = progress or _Silent()
    out = out or course_dir / "output"
    refuse_unsafe_output(out, course_dir)
    cache_dir = course_dir / CACHE_DIR if use_cache else None
    sources = record = None
    if cache_dir is not None:
        # Before anything is loaded: then a change during the build is seen by the next one.
        sources = sources_digest(course_dir, *_request_context(formats))
        record = SourcesRecord(cache_dir, out)
        quick = _nothing_changed(course_dir, out, cache_dir, record, formats, sources)
        if quick is not None:
            quick.seconds = time.perf_counter() - started
            return quick

    from coursepack.builders import BuildContext, builder_class
    from coursepack.theme import Theme
    from coursepack.writer import StagedOutput, output_lock

    require_known(formats or [])  # before spending time on loading
    # The loaded course lives to the end of the build: the cycle collector need not walk it
    # while it is made (about 1000 unpickled modules: 110 ms instead of 225) nor after.
    with collection_paused():
        course, warnings = check(course_dir, cache_dir, jobs)
    after_loading.enter_context(objects_now_spared())
    names = choose_formats(course, formats)
    theme = Theme(course_dir)
    report = BuildReport(course, out, names, warnings=warnings, course_id=course.id, module_count=len(course.modules))
    builders = {name: builder_class(name)(BuildContext(theme=theme)) for name in names}
    inputs = {name: builders[name].inputs_key(course) for name in names}
    versions = installed_versions(RENDERING_LIBRARIES)
    keys = {name: _format_key(name, course, theme, inputs[name], versions) for name in names}
    owned = {name: builders[name].outputs(course) for name in names}
    try:
        lock = output_lock(out, on_wait)
    except OSError as exc:
        # The lock is a file beside the output: a folder that cannot take it cannot take the output.
        raise OutputProblem(f"cannot write {out}: {exc.strerror or exc}; {out}/ was left as it was") from None
    try:  # the record is read, the output staged and swapped, and the record saved, by one build at a time
        outputs = _OutputRecord(cache_dir, out)
        stale = [n for n in names if not outputs.still_good(n, keys[n], owned[n])]
        report.unchanged = [n for n in names if n not in stale]
        for name in report.unchanged:  # what those formats said last time still holds
            report.warnings += outputs.warnings(name)
            report.notes += outputs.notes(name)
        if stale:
            with StagedOutput(out) as tree:
                for name in stale:
                    progress.start(name, builders[name].steps(course))
                results = _run_builders(stale, course, course_dir, cache_dir, tree, progress, jobs)
            for name, (builder_warnings, notes) in results.items():
                report.warnings += builder_warnings
                report.notes += notes
                outputs.remember(name, keys[name], owned[name], builder_warnings, notes)
            outputs.save()
        # Formats that depend on more than the sources (the date a PDF prints, the fonts)
        # must be asked each time: only a build of none of those can be known to change nothing.
        if record is not None and sources is not None and not any(inputs.values()):
            _remember_sources(record, formats, course_dir, sources, course, report, keys, owned)
    finally:
        lock.release()
    report.written = {name: owned[name] for name in names}
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------- knowing that nothing changed


def _request_context(formats: list[str] | None) -> list[str]:
    """What besides the sources decides a build's result: the request and the code that answers it."""
    versions = installed_versions(RENDERING_LIBRARIES)
    return ["whole course 1", SourcesRecord.request(formats), __version__, code_digest(), *versions]


def _nothing_changed(course_dir: Path, out: Path, cache_dir: Path, record: SourcesRecord,
                     formats: list[str] | None, sources: str | None) -> BuildReport | None:
    """The report of the last build when no source changed and its output is as it left it; else None."""
    entry = record.get(formats)
    if sources is None or entry is None:
        return None
    release = hold_output(out)
    if release is None:  # another build is writing this output: wait for it, then look again
        return None
    try:
        used = used_files_digest(course_dir, [(path, None) for path in entry["used"]])
        if used is None or whole_key(sources, used) != entry["key"]:
            return None
        names = list(entry["formats"])
        outputs = _OutputRecord(cache_dir, out)
        if not all(outputs.still_good(name, *entry["keys"][name]) for name in names):
            return None  # a file of the output was deleted or edited: build again to restore it
        return BuildReport(
            None, out, names,
            written={name: entry["keys"][name][1] for name in names},
            unchanged=names,
            warnings=[Problem(path, line, message, severity) for path, line, message, severity in entry["warnings"]],
            notes=list(entry["notes"]),
            course_id=entry["course_id"],
            module_count=entry["module_count"],
            nothing_changed=True,
        )
    except (KeyError, TypeError, ValueError):  # a record from another version of this code
        return None
    finally:
        release()


def _remember_sources(record: SourcesRecord, formats, course_dir: Path, sources: str, course: Course,
                      report: BuildReport, keys: dict[str, str], owned: dict[str, list[str]]) -> None:
    """The digest this build started from and what it said, for the next build to compare with."""
    used_files = [(asset.path, asset.data) for asset in course.assets]  # the bytes the loader read
    used = used_files_digest(course_dir, used_files)
    if used is None:
        return
    record.put(formats, {
        "key": whole_key(sources, used),
        "used": [path for path, _ in used_files],
        "formats": report.formats,
        "keys": {name: [keys[name], owned[name]] for name in report.formats},
        "warnings": [[w.path, w.line, w.message, w.severity] for w in report.warnings],
        "notes": report.notes,
        "course_id": course.id,
        "module_count": len(course.modules),
    })


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
    from coursepack.workers import ignore_interrupts, stop_workers, usable_cpus

    jobs = jobs or usable_cpus()
    if len(names) == 1 or jobs == 1:
        results = {}
        for name in names:
            results[name] = _run_one(name, course, course_dir, cache_dir, tree.root,
                                     lambda message, name=name: progress.advance(name, message))
            progress.finish(name)
        return results
    import multiprocessing  # only here: a build of one format needs no workers
    import threading
    from concurrent.futures import ProcessPoolExecutor

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
    from coursepack.builders import BuildContext, builder_class
    from coursepack.theme import Theme
    from coursepack.writer import OutputTree

    theme = Theme(course_dir, keep_compiled=cache_dir is not None)
    context = BuildContext(theme=theme, cache_dir=cache_dir, step=step)
    builder = builder_class(name)(context)
    tree = OutputTree(staging_root)  # it holds links to the last build's files
    builder.write(course, tree)
    tree.keep_only_written(builder.outputs(course))
    return context.warnings, context.notes


def _run_in_worker(name, course, course_dir, cache_dir, staging_root, messages):
    return _run_one(name, course, course_dir, cache_dir, staging_root, lambda message: messages.put((name, message)))


def _relay(messages, progress) -> None:
    import queue

    while True:
        try:
            item = messages.get()
        except (EOFError, OSError, queue.Empty):
            return
        if item is None:
            return
        progress.advance(*item)


# ---------------------------------------------------------------- skipping unchanged formats


def _format_key(name: str, course: Course, theme: Theme, inputs: str, versions: list[str]) -> str:
    digest = hashlib.sha256()
    for part in (name, course.digest, theme.digest, inputs, __version__, *versions):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


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
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.entries, sort_keys=True))
            temporary.replace(self.path)  # whole or not at all: a no-op build reads it without the lock
        except OSError:
            pass

    def _stat(self, owned: list[str]) -> dict[str, list[int]]:
        files = {}
        for path in owned:
            target = self.out / path
            if target.is_dir():
                found = [os.path.join(folder, name) for folder, _, names in os.walk(target) for name in names]
            else:
                found = [str(target)]
            for file in found:
                try:
                    info = os.stat(file)
                except OSError:
                    return {}
                files[os.path.relpath(file, self.out)] = [info.st_size, info.st_mtime_ns]
        return files
