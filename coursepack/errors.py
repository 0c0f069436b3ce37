"""The one error type for mistakes in a course, and how a location is shown.

Every expected problem is a `Problem` with a course-relative path and a line;
loaders collect them and raise `CourseErrors` once, so authors see every
mistake in one run. Anything else that escapes is a bug in coursepack.

The other errors the command line reports as such (`OutputProblem`,
`UnknownFormat`) are defined here too, so that it can catch them without
importing the build and its libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


class CourseErrors(Exception):
    """One or more problems in a course's sources; the build must stop."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_reading_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Builders may run in worker processes: keep the problems across pickling.
        return (CourseErrors, (self.problems,))


class OutputProblem(Exception):
    """The output folder cannot be used or written; the message says which and why."""


class UnknownFormat(ValueError):
    """A format asked for that no builder makes."""


def _reading_order(problem: Problem) -> tuple:
    return (problem.path, problem.line, problem.message)


@dataclass
class ProblemLog:
    """Collects problems while loading; `raise_if_any` ends the load."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        self.warnings.append(Problem(path, line, message, "warning"))

    def raise_if_any(self) -> None:
        if self.problems:
            raise CourseErrors(self.problems)
