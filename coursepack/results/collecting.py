"""Group learners' results by course, keep each learner's latest save, and order everything.

Without an expected course every (id, version) found becomes a course of the
report; with one (`--course`), files of any other course or version are
skipped with a message that names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from coursepack.errors import CourseErrors, Problem
from coursepack.results.reading import ResultsFile


@dataclass(frozen=True)
class ModuleColumn:
    id: str
    title: str


@dataclass(frozen=True)
class ExpectedCourse:
    """The course a report is about, from its course.yml and modules."""

    id: str
    version: str
    title: str
    language: str
    modules: tuple[ModuleColumn, ...]


@dataclass(frozen=True)
class LearnerResults:
    file: str  # as the trainer named it on the command line
    results: ResultsFile

    @property
    def name(self) -> str:
        return self.results.learner


@dataclass(frozen=True)
class CourseResults:
    id: str
    version: str
    title: str
    modules: tuple[ModuleColumn, ...]  # the course's order
    learners: tuple[LearnerResults, ...]  # by name


@dataclass(frozen=True)
class Collection:
    courses: tuple[CourseResults, ...]  # by id, then version
    skipped: tuple[str, ...]  # "FILE: why", in the order of the files given


def saved_at_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def score_text(score: float) -> str:
    """92.5 -> '92.5', 100.0 -> '100'; cut (not rounded) to 2 decimals, so 79.999 never shows as 80."""
    cut = Decimal(repr(score)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    text = f"{cut:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def collect(files: list[LearnerResults], expected: ExpectedCourse | None = None) -> Collection:
    """Raises CourseErrors when a file of the expected course lists other modules than it has."""
    skipped: list[str] = []
    kept: list[LearnerResults] = []
    problems: list[Problem] = []
    for entry in files:
        course = entry.results.course
        if expected and (course.id, course.version) != (expected.id, expected.version):
            skipped.append(
                f"{entry.file}: course '{course.id}' version '{course.version}', "
                f"not '{expected.id}' version '{expected.version}'"
            )
        elif expected and (mismatch := _module_mismatch(entry.results, expected)):
            problems.append(Problem(entry.file, 0, mismatch))
        else:
            kept.append(entry)
    if problems:
        raise CourseErrors(problems)
    latest, older = _latest_per_learner(kept)
    skipped.extend(older)
    groups: dict[tuple[str, str], list[LearnerResults]] = {}
    for entry in latest:
        groups.setdefault((entry.results.course.id, entry.results.course.version), []).append(entry)
    courses = []
    for (course_id, version), entries in sorted(groups.items()):
        entries.sort(key=_learner_order)
        if expected:
            title, modules = expected.title, expected.modules
        else:
            title, modules = _outline(entries)
        courses.append(CourseResults(course_id, version, title, modules, tuple(entries)))
    return Collection(tuple(courses), tuple(skipped))


def _module_mismatch(results: ResultsFile, expected: ExpectedCourse) -> str:
    have = [m.id for m in results.modules]
    want = [m.id for m in expected.modules]
    if set(have) == set(want):
        return ""  # the report shows them in the course's order whatever the file's
    missing = [m for m in want if m not in have]
    unknown = [m for m in have if m not in want]
    parts = []
    if missing:
        parts.append("it lacks " + ", ".join(f"'{m}'" for m in missing))
    if unknown:
        parts.append("it lists " + ", ".join(f"'{m}'" for m in unknown) + ", which the course does not have")
    return (
        f"the modules do not match course '{expected.id}' version '{expected.version}': {'; '.join(parts)} "
        "(was the course changed without a new version? Run without --course to report the file as it is)"
    )


def _learner_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _learner_order(entry: LearnerResults) -> tuple:
    return (_learner_key(entry.name), entry.name, entry.results.saved_at, entry.file)


def _latest_per_learner(entries: list[LearnerResults]) -> tuple[list[LearnerResults], list[str]]:
    """A learner who saved several times counts once, with the latest save."""
    by_learner: dict[tuple, list[LearnerResults]] = {}
    for entry in entries:
        course = entry.results.course
        # Files with no name may be anyone's: each stands alone.
        who = _learner_key(entry.name) or ("", entry.file)
        by_learner.setdefault((course.id, course.version, who), []).append(entry)
    latest, older = [], []
    for saves in by_learner.values():
        saves.sort(key=lambda e: (e.results.saved_at, e.file))
        newest = saves[-1]
        latest.append(newest)
        for save in saves[:-1]:
            older.append(
                f"{save.file}: an earlier save by '{save.name}' ({saved_at_text(save.results.saved_at)}) "
                f"than {newest.file} ({saved_at_text(newest.results.saved_at)})"
            )
    older.sort()
    return latest, older


def _outline(entries: list[LearnerResults]) -> tuple[str, tuple[ModuleColumn, ...]]:
    """A course's title and modules as its newest file says, then any module only older files list."""
    newest_first = sorted(entries, key=lambda e: (e.results.saved_at, e.file), reverse=True)
    modules: dict[str, ModuleColumn] = {}
    for entry in newest_first:
        for module in entry.results.modules:
            modules.setdefault(module.id, ModuleColumn(module.id, module.title))
    return newest_first[0].results.course.title, tuple(modules.values())
