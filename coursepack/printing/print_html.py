"""Lesson HTML set for the page: footnotes at the foot of their page, pictures as figures.

Python-Markdown writes footnotes as a list at the end of the lesson, which on
paper lands pages after the reference; WeasyPrint can place a footnote at the
foot of the page that cites it when its text stands where it is called. An
image alone in its paragraph becomes a figure, captioned with the title the
author gave it (`![alt](file.png "Title")`).
"""

from __future__ import annotations

import re
from html import unescape

_NOTES = re.compile(r'<div class="footnote">.*?</div>', re.DOTALL)
_NOTE = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>', re.DOTALL)
_BACKREF = re.compile(r'(?:&#160;|\s)*<a class="footnote-backref"[^>]*>.*?</a>', re.DOTALL)
_REF = re.compile(r'<sup id="fnref(\d*):([^"]+)"><a class="footnote-ref" href="#fn:[^"]+">([^<]*)</a></sup>')
_LONE_IMAGE = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>")
_TITLE = re.compile(r"""\btitle=(["'])(.*?)\1""", re.DOTALL)
_SRC = re.compile(r"""\bsrc=(["'])(.*?)\1""")
_SIZED = re.compile(r"""\s(?:width|style)=""")
PX_MM = 25.4 / 96  # a CSS pixel


def footnotes_in_place(htmls: list[str]) -> list[str]:
    """The segments of one lesson with each footnote's text moved to its first reference."""
    notes: dict[str, str] = {}
    for html in htmls:
        for block in _NOTES.findall(html):
            for name, body in _NOTE.findall(block):
                notes[name] = _inline(body)
    if not notes:
        return htmls

    def ref(match: re.Match) -> str:
        repeat, name, number = match.groups()
        if name not in notes or repeat:
            return f"<sup>{number}</sup>"  # a second call of the same note: its number only
        return f'<span class="print-footnote">{notes[name]}</span>'

    return [_REF.sub(ref, _NOTES.sub("", html)) for html in htmls]


def _inline(body: str) -> str:
    body = _BACKREF.sub("", body).strip()
    body = re.sub(r"</p>\s*<p>", "<br />", body)
    return re.sub(r"</?p>", "", body).strip()


def figures(html: str, pixel_widths: dict[str, int], measure_mm: float) -> str:
    """Each image alone in a paragraph as a figure, with its title as the caption.

    A raster image prints at its pixel size (96 to the inch) up to the measure;
    a small one would be a stamp at that size, so it is enlarged up to half the
    measure, and never beyond 2.5 times, where its pixels would show."""

    def figure(match: re.Match) -> str:
        image = match.group(1)
        src = _SRC.search(image)
        width = pixel_widths.get(unescape(src.group(2))) if src else None
        if width and not _SIZED.search(image):  # an author's own size stands
            natural = width * PX_MM
            printed = min(measure_mm, max(natural, min(measure_mm / 2, natural * 2.5)))
            image = image.replace("<img ", f'<img style="width: {printed / measure_mm * 100:.1f}%" ', 1)
        title = _TITLE.search(image)
        caption = f"<figcaption>{title.group(2)}</figcaption>" if title and unescape(title.group(2)).strip() else ""
        return f'<figure class="figure">{image}{caption}</figure>'

    return _LONE_IMAGE.sub(figure, html)
