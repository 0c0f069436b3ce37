"""The trainer's report from learners' saved results files (`coursepack results`).

    files --reading--> ResultsFile each --collecting--> Collection
          --csv_report / html_report--> report.csv, report.html --writer--> --out

Every damaged file is reported at once and nothing is written; files of
another course are skipped by name. The report is swapped into `--out` in one
step, like a build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from coursepack.errors import CourseErrors, Problem
from coursepack.results.collecting import Collection, ExpectedCourse, LearnerResults, ModuleColumn, collect
from coursepack.results.csv_report import report_csv
from coursepack.results.html_report import report_html
from coursepack.results.reading import read_results
from coursepack.writer import OutputProblem, StagedOutput

REPORT_FILES = ("report.csv", "report.html")


class NothingToReport(ValueError):
    """Every file given was skipped."""


class UnsafeOutput(OutputProblem):
    """--out names a folder that is not a report's: replacing it could lose files."""


@dataclass(frozen=True)
class Report:
    collection: Collection
    output: Path
    files: tuple[str, ...]  # written, relative to output


def expected_course(course_dir: Path) -> tuple[ExpectedCourse, list[Problem]]:
    """The course a report is about, read by the course loader (CourseErrors if it has mistakes)."""
    from coursepack.build import check

    course, warnings = check(course_dir)
    modules = tuple(ModuleColumn(m.id, m.title) for m in course.modules)
    return ExpectedCourse(course.id, course.version, course.title, course.language, modules), warnings


def make_report(files: list[str], out: Path, expected: ExpectedCourse | None = None) -> Report:
    """Read, check and collect every file, then write report.csv and report.html into `out`."""
    _refuse_unsafe_output(out)
    problems: list[Problem] = []
    entries: list[LearnerResults] = []
    seen: set[Path] = set()
    for name in files:
        path = Path(name)
        real = path.resolve()
        if real in seen:
            continue  # named twice, say by two overlapping patterns
        seen.add(real)
        try:
            entries.append(LearnerResults(name, read_results(path, name)))
        except CourseErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise CourseErrors(problems)
    collection = collect(entries, expected)
    if not collection.courses:
        raise NothingToReport(f"no results to report: {_files(len(files))} given, and every one was skipped")
    language = expected.language if expected else "en"
    with StagedOutput(out) as tree:
        tree.write_bytes("report.csv", report_csv(collection))
        tree.write_text("report.html", report_html(collection, language))
    return Report(collection, out, REPORT_FILES)


def _files(n: int) -> str:
    return f"{n} file{'' if n == 1 else 's'}"


def _refuse_unsafe_output(out: Path) -> None:
    """The whole folder is replaced: refuse one that holds other things and no report."""
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"--out '{out}' is a file; name a folder for the report")
    if not out.is_dir():
        return
    here = Path.cwd().resolve()
    if out.resolve() in (here, *here.parents):
        raise UnsafeOutput(f"--out '{out}' is this folder or one above it; name a folder for the report, such as 'report'")
    names = set(os.listdir(out))
    if names and not names & set(REPORT_FILES):
        raise UnsafeOutput(f"--out '{out}' holds other files and no report; name a new folder for the report")
