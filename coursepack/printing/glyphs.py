"""Characters of a course that no installed font can draw.

WeasyPrint draws each character with the first font of the stylesheet's stack
that has it, then with any font fontconfig knows. A character that none has
prints as a box (`.notdef`), and the font is then written with a CMap that
pypdf and pdfminer cannot decode, so the text of the whole body font becomes
unreadable to search and copy in tools built on them. So before rendering, the
print step finds such characters where the author wrote them, says so, and
prints U+FFFD (a replacement mark that fonts do draw) in their place.

Coverage is the union of the character sets fontconfig reports for every
installed font (`fc-list`), which is what WeasyPrint's fallback can reach.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from html import unescape

from coursepack.model import Course, RichText

REPLACEMENT = "\ufffd"
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Coverage:
    """The code points some installed font draws, as sorted, disjoint (first, last) ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, char: str) -> bool:
        point = ord(char)
        i = bisect.bisect_right(self.starts, point) - 1
        return i >= 0 and point <= self.ends[i]


@dataclass(frozen=True)
class Place:
    """Where in the sources some text stands; line 0 when only the file is known."""

    path: str
    line: int
    text: str


@cache
def installed_coverage() -> Coverage | None:
    """What the installed fonts draw, or None where fontconfig cannot tell (then nothing is checked)."""
    tool = shutil.which("fc-list")
    if tool is None:
        return None
    try:
        listing = subprocess.run([tool, "--format", "%{charset}\\n"], capture_output=True, text=True,
                                 timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_charsets(listing.split())


def parse_charsets(ranges: Iterable[str]) -> Coverage:
    """fontconfig's charset notation ("20-7e a0-17f 192") merged into one coverage."""
    spans = []
    for item in ranges:
        first, _, last = item.partition("-")
        try:
            spans.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[list[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return Coverage(tuple(m[0] for m in merged), tuple(m[1] for m in merged))


def needs_glyph(char: str) -> bool:
    """Whether a font must draw `char`: spaces, controls, joiners and variation selectors draw nothing."""
    if char.isspace():
        return False
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zs", "Zl", "Zp"):
        return False
    point = ord(char)
    return not (0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF)


def missing(text: str, coverage: Coverage) -> list[str]:
    """The characters of `text` that no installed font draws, each once, in order."""
    return list(dict.fromkeys(c for c in text if needs_glyph(c) and c not in coverage))


def course_places(course: Course) -> Iterator[Place]:
    """Every text of the course that a PDF prints, with where it was written."""
    yield Place("course.yml", 0, "\n".join(filter(None, [
        course.title, course.audience, course.organization, *course.authors,
        _text(course.description) if course.description else ""])))
    for module in course.modules:
        lesson = module.source.path
        parts = [module.title, *(_text(o) for o in module.objectives)]
        parts += [_html_text(segment.html) for segment in module.lesson.segments]
        parts += [getattr(segment, "title", "") for segment in module.lesson.segments]
        yield Place(lesson, 0, "\n".join(parts))
        if module.quiz is None:
            continue
        if module.quiz.title:
            first = next((q.source for q in module.quiz.questions if q.source), None)
            if first is not None:
                yield Place(first.path, 0, module.quiz.title)
        for question in module.quiz.questions:
            if question.source is not None:
                yield Place(question.source.path, question.source.line, "\n".join(_strings(question)))


def unprintable(course: Course, coverage: Coverage | None = None) -> list[tuple[Place, list[str]]]:
    """Each place that holds characters no installed font draws, with those characters."""
    coverage = coverage or installed_coverage()
    if coverage is None:
        return []
    found = []
    for place in course_places(course):
        chars = missing(place.text, coverage)
        if chars:
            found.append((place, chars))
    return found


def describe(chars: list[str]) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars)


def replacement(coverage: Coverage | None = None) -> str:
    """What prints instead of a character no font draws: U+FFFD where a font has it, else '?'."""
    coverage = coverage or installed_coverage()
    return REPLACEMENT if coverage is not None and REPLACEMENT in coverage else "?"


def _text(rich: RichText) -> str:
    return _html_text(rich.html)


def _html_text(html: str) -> str:
    return unescape(_TAG.sub(" ", html))


def _strings(value) -> Iterator[str]:
    """Every piece of text in a question: prompts, choices, feedback, hints, answers."""
    if isinstance(value, RichText):
        yield _html_text(value.html)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif hasattr(value, "__pydantic_fields__"):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name))
