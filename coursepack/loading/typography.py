"""Typographic quotes and spacing for the course's language.

Authors type straight quotes, `--` and `...`; readers should get the quotes,
dashes and ellipsis of their language. Python-Markdown's `smarty` extension
does the work, given each language's characters. French also puts a narrow
no-break space (U+202F) inside « » and before ; ! ? and %, and a no-break
space (U+00A0) before a colon, so that the mark never starts a line:
`french_spacing` applies those rules to any text, and `FrenchSpacing` to the
text of a lesson (code left as it is).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

_ENGLISH = {"left-double-quote": "\u201c", "right-double-quote": "\u201d"}
# Double quotes by base language; single quotes stay ‘ ’ everywhere, because the
# closing one is also the apostrophe (l’accueil, don’t).
_DOUBLE_QUOTES = {
    "fr": {"left-double-quote": "\u00ab" + NARROW_NBSP, "right-double-quote": NARROW_NBSP + "\u00bb"},
    "es": {"left-double-quote": "\u00ab", "right-double-quote": "\u00bb"},
    "it": {"left-double-quote": "\u00ab", "right-double-quote": "\u00bb"},
    "de": {"left-double-quote": "\u201e", "right-double-quote": "\u201c"},
}
_COMMON = {
    "left-single-quote": "\u2018",
    "right-single-quote": "\u2019",
    "ndash": "\u2013",
    "mdash": "\u2014",
    "ellipsis": "\u2026",
}


def base_language(language: str | None) -> str:
    return (language or "en").split("-")[0].split("_")[0].lower()


def is_french(language: str | None) -> bool:
    return base_language(language) == "fr"


def smarty_config(language: str | None) -> dict:
    """The `smarty` extension's settings for a course in `language`."""
    quotes = _DOUBLE_QUOTES.get(base_language(language), _ENGLISH)
    return {"smart_angled_quotes": False, "substitutions": {**_COMMON, **quotes}}


# A space (or none) before the mark, where French wants a no-break one.
_BEFORE_TALL = re.compile(r"(?<=\S)[ \u00a0\u202f]?([;!?])(?=\s|$|[?!;)\]»\u2019\u201d<])")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]:(?=\s|$)")
_BEFORE_PERCENT = re.compile(r"(?<=[\d}])[ \u00a0\u202f]?%")
_INSIDE_OPEN = re.compile(r"\u00ab[ \u00a0\u202f]?(?=\S)")
_INSIDE_CLOSE = re.compile(r"(?<=\S)[ \u00a0\u202f]?\u00bb")


def french_spacing(text: str) -> str:
    """`text` with the French no-break spaces at its marks: "Score : 60 %" never breaks at them.

    A colon gets one only where a space was typed (a time, a URL or "x:y" has
    none); ; ! ? (at a word's end) and % (after a number) always get one.
    """
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_TALL.sub(lambda m: _spaced_tall(m, text), text)
    text = _BEFORE_PERCENT.sub(NARROW_NBSP + "%", text)
    text = _INSIDE_OPEN.sub("\u00ab" + NARROW_NBSP, text)
    return _INSIDE_CLOSE.sub(NARROW_NBSP + "\u00bb", text)


def _spaced_tall(match: re.Match, text: str) -> str:
    # "?!" and "!!" stay together; a mark after a space-less "?" is its second half.
    before = text[match.start() - 1] if match.start() else ""
    if before in "?!;" and match.group(0) == match.group(1):
        return match.group(1)
    return NARROW_NBSP + match.group(1)


_VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "math"}


class _FrenchSpacing(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        verbatim = element.tag in _VERBATIM
        if element.text and not verbatim and isinstance(element.tag, str):
            element.text = french_spacing(element.text)
        for child in element:
            if not verbatim:
                self._walk(child)
            if child.tail:
                child.tail = french_spacing(child.tail)


class FrenchSpacing(Extension):
    """French no-break spaces in a lesson's text, after the inline patterns have run."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After "inline" (20), before "toc" (5), so that headings in the table of contents have them too.
        md.treeprocessors.register(_FrenchSpacing(md), "french_spacing", 15)
