"""report.html: one table per course (learners by modules), self-contained and printable."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.results.collecting import Collection, CourseResults, LearnerResults, score_text
from coursepack.theme import Theme

TEMPLATE = "results/report.html"
STYLESHEET = "results/report.css"
DONE = ("passed", "completed")


@dataclass(frozen=True)
class Cell:
    status: str  # a module status, or "" when the learner's file does not list the module
    label: str
    score: str
    date: str


@dataclass(frozen=True)
class Row:
    learner: str
    finished: str  # the completion date, or ""
    saved_at: str  # ISO 8601, for <time datetime>
    saved_text: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    anchor: str
    title: str
    facts: str
    modules: tuple[str, ...]
    rows: tuple[Row, ...]


def report_html(collection: Collection, language: str = "en", theme: Theme | None = None) -> str:
    theme = theme or Theme()
    t = theme.strings(language)
    learners = sum(len(c.learners) for c in collection.courses)
    latest = max((entry.results.saved_at for c in collection.courses for entry in c.learners), default=None)
    return theme.render(
        TEMPLATE,
        t=t,
        lang=language,
        css=theme.file(STYLESHEET).decode("utf-8"),
        title=t["results_title"] + (f" – {collection.courses[0].title}" if len(collection.courses) == 1 else ""),
        summary=t["results_summary"].format(
            learners=_plural(t, "results_learners", learners), courses=_plural(t, "results_courses", len(collection.courses))
        ),
        latest=t["results_latest_save"].format(date=_moment(latest)) if latest else "",
        tables=[_table(course, n, t) for n, course in enumerate(collection.courses, start=1)],
        skipped=collection.skipped,
    )


def _table(course: CourseResults, number: int, t: dict[str, str]) -> Table:
    finished = sum(1 for entry in course.learners if entry.results.completed_on)
    facts = " · ".join([
        t["results_version"].format(version=course.version),
        course.id,
        t["results_finished_count"].format(finished=finished, learners=_plural(t, "results_learners", len(course.learners))),
    ])
    modules = tuple(t["results_module_n"].format(n=n, title=m.title) for n, m in enumerate(course.modules, start=1))
    return Table(f"course-{number}", course.title, facts, modules, tuple(_row(entry, course, t) for entry in course.learners))


def _row(learner: LearnerResults, course: CourseResults, t: dict[str, str]) -> Row:
    results = learner.results
    by_id = {m.id: m for m in results.modules}
    cells = []
    for column in course.modules:
        module = by_id.get(column.id)
        if module is None:
            cells.append(Cell("", t["results_not_in_file"], "", ""))
            continue
        score = "" if module.best_score is None else t["results_score"].format(score=score_text(module.best_score))
        cells.append(Cell(module.status, t[f"results_status_{module.status}"], score, module.date.isoformat() if module.date else ""))
    return Row(
        learner=results.learner.strip() or t["results_no_name"],
        finished=results.completed_on.isoformat() if results.completed_on else "",
        saved_at=results.saved_at.isoformat().replace("+00:00", "Z"),
        saved_text=_moment(results.saved_at),
        cells=tuple(cells),
    )


def _moment(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _plural(t: dict[str, str], key: str, n: int) -> str:
    return (t.get(f"{key}_one", t[key]) if n == 1 else t[key]).format(n=n)
