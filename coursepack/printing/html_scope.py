"""Lesson HTML made fit to sit with every other lesson in one printed document.

Each lesson was rendered on its own, so two lessons may both have a heading
with id "practice" or a footnote "fn:1". In one PDF, ids must be unique and
internal links must land in the right module, so every id and fragment link is
prefixed with the module's anchor. Links to another module's lesson.md become
links to that module's first page; links to other course files cannot be
followed on paper and keep only their text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ID = re.compile(r"""\bid=(["'])(.*?)\1""")
_HREF = re.compile(r"""(\s)href=(["'])(.*?)\2""")
_HEADING = re.compile(r"<(/?)h([1-5])\b")
_LESSON = re.compile(r"^modules/([^/]+)/lesson\.md$")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc=(["'])(.*?)\1""")
_ALT = re.compile(r"""\balt=(["'])(.*?)\1""", re.DOTALL)


def module_anchor(module_id: str) -> str:
    return f"m-{module_id}"


def scope_html(html: str, module_id: str, anchor_of_folder: dict[str, str]) -> str:
    """`html` with ids and fragment links prefixed, and links to files resolved for print."""
    prefix = module_anchor(module_id) + "--"

    def href(match: re.Match) -> str:
        space, quote, url = match.groups()
        if url.startswith("#"):
            return f"{space}href={quote}#{prefix}{url[1:]}{quote}"
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return match.group(0)
        lesson = _LESSON.match(parts.path)
        if lesson and lesson.group(1) in anchor_of_folder:
            target = anchor_of_folder[lesson.group(1)]
            if parts.fragment:
                target = f"{target}--{parts.fragment}"
            return f"{space}href={quote}#{target}{quote}"
        return ""  # a course file: nothing to open on paper

    html = _ID.sub(lambda m: f"id={m.group(1)}{prefix}{m.group(2)}{m.group(1)}", html)
    return _HREF.sub(href, html)


def remote_images(html: str) -> list[str]:
    """The web addresses of images in `html`: a build does not download them."""
    found = []
    for tag in _IMG.findall(html):
        src = _SRC.search(tag)
        if src and urlsplit(src.group(2)).scheme in ("http", "https"):
            found.append(src.group(2))
    return found


def without_remote_images(html: str) -> str:
    """Each image from the web replaced by its alt text, which is what a reader can be given."""

    def replace(match: re.Match) -> str:
        src = _SRC.search(match.group(0))
        if not src or urlsplit(src.group(2)).scheme not in ("http", "https"):
            return match.group(0)
        alt = _ALT.search(match.group(0))
        return f'<span class="missing-image">{alt.group(2) if alt else ""}</span>'

    return _IMG.sub(replace, html)


def demote_headings(html: str) -> str:
    """Headings one level down: the module title is the page's h1, so a lesson's h1 becomes an h2."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)


def has_h1(html: str) -> bool:
    return re.search(r"<h1\b", html) is not None
