"""One build: load everything, then let each chosen builder write, then swap.

`check` is the same path with no builders, so both report the same problems.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from coursepack.builders import BuildContext, registry
from coursepack.errors import Problem
from coursepack.loading import load_course
from coursepack.model import Course
from coursepack.theme import Theme
from coursepack.writer import StagedOutput


CACHE_DIR = ".coursepack-cache"


class UnknownFormat(ValueError):
    pass


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
    written: dict[str, list[str]] = field(default_factory=dict)  # format -> top-level outputs
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def check(course_dir: Path) -> tuple[Course, list[Problem]]:
    """Load and validate; raises CourseErrors with every problem."""
    result = load_course(course_dir, known_formats=tuple(registry()))
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
) -> BuildReport:
    started = time.perf_counter()
    progress = progress or _Silent()
    require_known(formats or [])  # before spending time on loading
    course, warnings = check(course_dir)
    names = choose_formats(course, formats)
    out = out or course_dir / "output"
    context = BuildContext(theme=Theme(course_dir), cache_dir=course_dir / CACHE_DIR)
    report = BuildReport(course, out, names, warnings=warnings)
    with StagedOutput(out) as tree:
        for name in names:
            builder = registry()[name](context)
            context.step = lambda message, name=name: progress.advance(name, message)
            progress.start(name, builder.steps(course))
            owned = builder.outputs(course)
            for path in owned:
                tree.remove(path)
            builder.write(course, tree)
            report.written[name] = owned
            progress.finish(name)
    report.warnings += context.warnings
    report.notes = context.notes
    report.seconds = time.perf_counter() - started
    return report

