"""The builder interface: one subclass per output format.

A build runs in this order, owned by `coursepack.build`: load and validate the
course (all problems at once), pick the builders, stage the output, let each
builder `write` its files into the staging tree, then swap the tree in.
A builder gets only the validated model, the theme and a place to write;
it never opens a course's sources. Its `outputs` name what it owns under
`output/`, so a build of some formats keeps the others' files.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from coursepack.errors import Problem
from coursepack.model import Course
from coursepack.theme import Theme
from coursepack.writer import OutputTree


@dataclass
class BuildContext:
    theme: Theme
    warnings: list[Problem] = field(default_factory=list)
    # Called with a short description of each step, for progress display.
    step: Callable[[str], None] = lambda message: None
    notes: list[str] = field(default_factory=list)  # lines for the build summary
    # A folder a builder may keep content-addressed results in between builds;
    # None disables caching. Keys must cover everything a result depends on.
    cache_dir: Path | None = None

    def warn(self, path: str, line: int, message: str) -> None:
        self.warnings.append(Problem(path, line, message, "warning"))


class Builder(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    # Lower numbers build first; formats that reuse another's files come later.
    order: ClassVar[int] = 50

    def __init__(self, context: BuildContext):
        self.context = context
        self.theme = context.theme

    @abstractmethod
    def outputs(self, course: Course) -> list[str]:
        """Paths under output/ that this format writes (files or folders)."""

    @abstractmethod
    def write(self, course: Course, out: OutputTree) -> None:
        """Render `course` into `out`."""

    def inputs_key(self, course: Course) -> str:
        """Anything else the output depends on (a date it prints, fonts), for
        deciding whether files from an earlier build are still good."""
        return ""

    def steps(self, course: Course) -> int:
        """How many `context.step` calls `write` makes, for a progress bar."""
        return 1
