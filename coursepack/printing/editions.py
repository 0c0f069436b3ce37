"""One HTML document per PDF: learner workbook, trainer edition, certificate.

What each reader may see is decided here, once. The learner edition is built
from the learner's segments of each lesson and from worksheets that carry no
answers; the answer key, hints and trainer notes exist only in the trainer
edition's context, so no template can print them for a learner.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass, replace
from typing import Literal

from coursepack import __version__
from coursepack.media_player import with_players
from coursepack.model import Course, Module, Quiz, RichText, Segment
from coursepack.printing.html_scope import demote_headings, has_h1, module_anchor, scope_html, without_remote_images
from coursepack.printing.print_html import figures, footnotes_in_place
from coursepack.printing.worksheet import KeyEntry, Worksheet, answer_key, worksheet
from coursepack.theme import Theme

Edition = Literal["learner", "trainer"]
PAGE_MM = {"A4": (210, 297), "Letter": (215.9, 279.4)}  # portrait width, height
# The width of the text block on either paper: about 65 characters of 10.5 pt Noto Sans a line.
MEASURE_MM = 130
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PrintDocument:
    """The HTML and print stylesheet of one PDF."""

    name: str  # learner, trainer or certificate
    html: str
    css: str


@dataclass(frozen=True)
class QuizView:
    anchor: str
    title: str
    passing_score: float | None
    points_possible: float
    points_needed: float
    worksheets: tuple[Worksheet, ...]
    key: tuple[KeyEntry, ...] | None  # None in the learner edition


@dataclass(frozen=True)
class ModuleView:
    id: str
    anchor: str
    number: int
    title: str
    objectives: tuple[RichText, ...]
    minutes: int
    starts_at: int  # minutes into the course, for the session plan
    segments: tuple[Segment, ...]
    quiz: QuizView | None


def build_date() -> dt.date:
    """Today, unless SOURCE_DATE_EPOCH fixes the date, as reproducible builds do."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def format_date(date: dt.date, strings: dict) -> str:
    months = strings["print_months"]
    day = strings.get("print_first_of_month", "1") if date.day == 1 else str(date.day)
    return strings["print_date_format"].format(day=day, month=months[date.month - 1], year=date.year)


def format_minutes(minutes: int, strings: dict) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return strings["print_minutes"].format(n=minutes)
    if not rest:
        return strings["print_hours"].format(h=hours)
    return strings["print_hours_minutes"].format(h=hours, m=rest)


def plural(strings: dict, key: str, n: int, **values) -> str:
    """The string `key`, or `key_one` when there is one of a thing, filled in with n."""
    template = strings.get(f"{key}_one", strings[key]) if n == 1 else strings[key]
    return template.format(n=n, **values)


def plain_text(html: str) -> str:
    return " ".join(_TAG.sub(" ", html).split())


def module_views(course: Course, edition: Edition, strings: dict | None = None) -> tuple[ModuleView, ...]:
    cues = (strings or {}).get("print_instruction_cues") or {}
    # Lessons link to each other by folder name (modules/NAME/lesson.md).
    anchors = {m.folder.rsplit("/", 1)[-1]: module_anchor(m.id) for m in course.modules}
    widths = pixel_widths(course)
    views, clock = [], 0
    for module in course.modules:
        segments = tuple(
            replace(s, html=with_players(s.html, module.lesson.media, strings or {}, course.language, "print"))
            for s in module.lesson.segments_for(edition)
        )
        demote = any(has_h1(s.html) for s in segments)
        placed = footnotes_in_place([s.html for s in segments])
        segments = [replace(s, html=figures(html, widths, MEASURE_MM)) for s, html in zip(segments, placed)]
        scoped = tuple(_scoped(s, module, anchors, demote) for s in segments)
        views.append(ModuleView(
            id=module.id,
            anchor=module_anchor(module.id),
            number=module.number,
            title=module.title,
            objectives=module.objectives,
            minutes=module.minutes,
            starts_at=clock,
            segments=scoped,
            quiz=_quiz_view(module, module.quiz, edition, cues) if module.quiz else None,
        ))
        clock += module.minutes
    return tuple(views)


def pixel_widths(course: Course) -> dict[str, int]:
    """The width in pixels of each raster image of the course (a vector image has no such size)."""
    from PIL import Image, UnidentifiedImageError

    widths = {}
    for asset in course.assets:
        if asset.media_type.startswith("image/") and asset.media_type != "image/svg+xml":
            try:
                widths[asset.path] = Image.open(io.BytesIO(asset.data)).size[0]
            except (OSError, UnidentifiedImageError):
                pass
    return widths


def _scoped(segment: Segment, module: Module, anchors: dict[str, str], demote: bool) -> Segment:
    html = without_remote_images(scope_html(segment.html, module.id, anchors))
    if demote:
        html = demote_headings(html)
    if getattr(segment, "title", "").casefold() == segment.kind:
        # An untitled block is titled with its kind ("Trainer"); the label already says it.
        return replace(segment, html=html, title="")
    return replace(segment, html=html)


def _quiz_view(module: Module, quiz: Quiz, edition: Edition, cues: dict) -> QuizView:
    questions = list(enumerate(quiz.questions, start=1))
    sheets = (worksheet(n, q, quiz) for n, q in questions)
    return QuizView(
        anchor=f"{module_anchor(module.id)}-quiz",
        title=quiz.title or "",
        passing_score=quiz.passing_score,
        points_possible=quiz.points_possible,
        points_needed=points_needed(quiz),
        worksheets=tuple(replace(ws, instructed=says_how_to_answer(ws, cues)) for ws in sheets),
        key=tuple(answer_key(n, q, quiz) for n, q in questions) if edition == "trainer" else None,
    )


def says_how_to_answer(sheet: Worksheet, cues: dict) -> bool:
    """Whether the prompt already tells the learner how to answer: the instruction is then said once."""
    prompt = plain_text(sheet.prompt_html).casefold()
    return any(cue.casefold() in prompt for cue in cues.get(sheet.kind, ()))


def points_needed(quiz: Quiz) -> float:
    """The fewest points that pass: at or above the passing score."""
    needed = quiz.points_possible * (quiz.passing_score or 0) / 100
    scored = quiz.scored_questions
    if all(float(q.points).is_integer() for q in scored):
        return math.ceil(round(needed, 9))
    return round(needed, 2)


def _common(course: Course, theme: Theme, date: dt.date) -> dict:
    strings = theme.strings(course.language)
    return {
        "course": course,
        "t": strings,
        "date": format_date(date, strings),
        "date_iso": date.isoformat(),
        "generator": f"coursepack {__version__}",
        "authors": list(course.authors) or ([course.organization] if course.organization else []),
        "page_size": course.effective_page_size,
        "page_mm": PAGE_MM[course.effective_page_size],
        "measure_mm": MEASURE_MM,
        "total_time": format_minutes(course.minutes, strings),
        "format_minutes": lambda minutes: format_minutes(minutes, strings),
        "plural": lambda key, n, **values: plural(strings, key, n, **values),
        "css_string": css_string,
        "css_page_label": css_page_label,
    }


def workbook(course: Course, theme: Theme, edition: Edition, date: dt.date) -> PrintDocument:
    common = _common(course, theme, date)
    strings = common["t"]
    label = strings[f"print_{edition}_edition"]
    context = {
        **common,
        "edition": edition,
        "edition_label": label,
        "document_title": f"{course.title}: {label}",
        "subject": plain_text(course.description.html) if course.description else label,
        "modules": module_views(course, edition, strings),
    }
    return PrintDocument(edition, theme.render("pdf/workbook.html", **context), theme.render("pdf/print.css", **context))


def certificate(course: Course, theme: Theme, date: dt.date, learner: str = "") -> PrintDocument:
    """A certificate to fill in by hand, or made out to `learner`: only then does it carry a date,
    since blank ones are printed in advance."""
    common = _common(course, theme, date)
    label = common["t"]["print_certificate"]
    context = {**common, "document_title": f"{course.title}: {label}", "subject": label, "learner": learner}
    return PrintDocument("certificate", theme.render("pdf/certificate.html", **context),
                         theme.render("pdf/certificate.css", **context))


def editions(course: Course, theme: Theme, date: dt.date | None = None) -> list[PrintDocument]:
    date = date or build_date()
    return [workbook(course, theme, "learner", date), workbook(course, theme, "trainer", date),
            certificate(course, theme, date)]


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, for generated content such as running headers."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def css_page_label(template: str) -> str:
    """'Page {page} of {pages}' as CSS content: strings around page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", template)
    tokens = []
    for part in parts:
        if part == "{page}":
            tokens.append("counter(page)")
        elif part == "{pages}":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(css_string(part))
    return " ".join(tokens)
