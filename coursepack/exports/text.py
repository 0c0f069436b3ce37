"""Plain text, numbers and local file references in the rendered Markdown.

The model holds every text as HTML whose local `src`/`href` values are paths
relative to the course folder (`modules/02-x/media/a.svg`). Exports need to
point those at wherever their package puts the files, to list the files, or,
where a format can carry no file, to put the image's alt text in its place.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

_ATTRIBUTE = re.compile(r"""\b(?P<attr>src|href|poster)=(?P<q>["'])(?P<url>.*?)(?P=q)""")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt=(["'])(.*?)\1""", re.DOTALL)
_SRC = re.compile(r"""\bsrc=(["'])(.*?)\1""", re.DOTALL)
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "pre", "dl", "dt", "dd"}


def local_path(url: str) -> str | None:
    """The course-relative file a URL names, or None for web links and anchors."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("#", "/")):
        return None
    return unquote(parts.path)


def local_references(html: str) -> list[str]:
    """Course-relative paths of the files `html` shows or links to, in order, once each."""
    found: dict[str, None] = {}
    for match in _ATTRIBUTE.finditer(html):
        path = local_path(htmllib.unescape(match.group("url")))
        if path:
            found.setdefault(path)
    return list(found)


def rewrite_local(html: str, url_for: Callable[[str], str]) -> str:
    """`html` with every local src/href replaced by `url_for(course-relative path)`.

    A fragment (`#part`) is kept after the new URL.
    """

    def replace(match: re.Match) -> str:
        raw = htmllib.unescape(match.group("url"))
        path = local_path(raw)
        if path is None:
            return match.group(0)
        fragment = urlsplit(raw).fragment
        url = url_for(path) + (f"#{fragment}" if fragment else "")
        return f'{match.group("attr")}={match.group("q")}{htmllib.escape(url)}{match.group("q")}'

    return _ATTRIBUTE.sub(replace, html)


def url_path(path: str) -> str:
    """A file path as a URL path (spaces and the like percent-encoded)."""
    return quote(path, safe="/")


def replace_images(html: str, replacement: Callable[[str, str], str]) -> str:
    """`html` with each <img> replaced by `replacement(src, alt)` (HTML)."""

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        alt = _ALT.search(tag)
        return replacement(
            htmllib.unescape(src.group(2)) if src else "",
            htmllib.unescape(alt.group(2)) if alt else "",
        )

    return _IMG.sub(replace, html)


def has_images(html: str) -> bool:
    return bool(_IMG.search(html))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of `html`, one line per block, spaces collapsed; images become their alt text."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(html: str) -> str:
    """`plain_text` on a single line, for places that take no line breaks."""
    return " ".join(plain_text(html).split())


def decimal_text(value: float) -> str:
    """A number as people write it: 10, 2.5, 0.001, never 1e-03 or 10.0."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
