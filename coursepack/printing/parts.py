"""A workbook's HTML cut into the parts it is printed from.

A whole edition as one WeasyPrint document grows in memory and time faster
than the course (a 1000-module workbook would need about 10 GB), and any change
lays out every page again. So each edition is printed as a front part (cover,
contents), a part for the trainer's session plan and one part per module,
each a document of its own, and the PDFs are joined (`pdf_join`). Each part is
the edition's `<head>` with the body content of its stretch: the cut is made
in the rendered HTML, at the workbook's `<section class="module" id="...">`
elements and its `<section class="session-plan" id="...">` (which grows with
the course and prints no page numbers), so a theme's own `pdf/workbook.html`
is cut the same way (one that has no such sections prints as one part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A part starts at each of these sections: they begin a page of their own.
PART_SECTION = re.compile(r'<section class="(?:module|session-plan)(?: [^"]*)?" id="([^"]+)">')
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_LOCAL_LINK = re.compile(r'<a\b[^>]*?\bhref="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')  # not data-id="..."
_METADATA = re.compile(r'<meta name="[^"]*" content="[^"]*">\n?')


@dataclass(frozen=True)
class Part:
    key: str  # "front", or the section's id: stable when modules move
    html: str


def split(html: str) -> list[Part]:
    """The front part, then one part per section that starts one, in print order."""
    body, end = _BODY.search(html), None
    if body:
        end = _BODY_END.search(html, body.end())
    starts = [m.start() for m in PART_SECTION.finditer(html)] if body and end else []
    if not starts:
        return [Part("front", html)]
    head, tail = html[:body.end()], html[end.start():]
    # A later part keeps no document metadata (the joined PDF takes the front's), so that
    # the build date in it does not make every part new each day.
    module_head = _METADATA.sub("", head)
    bounds = starts + [end.start()]
    parts = [Part("front", head + html[body.end():starts[0]] + tail)]
    for start, stop in zip(bounds, bounds[1:]):
        section = html[start:stop]
        parts.append(Part(PART_SECTION.match(section).group(1), module_head + section + tail))
    return parts


def anchors(html: str) -> list[str]:
    """The ids a part's links can land on."""
    return list(dict.fromkeys(_ID.findall(html)))


def links_elsewhere(html: str) -> list[str]:
    """The anchors a part links to that another part holds: they resolve once the parts are joined."""
    own = set(anchors(html))
    return [name for name in dict.fromkeys(_LOCAL_LINK.findall(html)) if name not in own]


def with_page_numbers(html: str, pages: dict[str, int]) -> str:
    """The front part with `data-page` on each link into another part: the contents print it.

    CSS `target-counter()` sees only its own document, so the page each entry
    lands on in the joined PDF is written into the HTML instead."""

    def number(match: re.Match) -> str:
        page = pages.get(match.group(1))
        return match.group(0) if page is None else f'{match.group(0)} data-page="{page}"'

    return _LOCAL_LINK.sub(number, html)
