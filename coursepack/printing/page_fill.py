"""A module whose last page holds little is laid out again, tighter.

Questions never split, so a module's last question or two can go over alone and
leave most of a sheet blank in every printed copy. CSS cannot see that, so the
renderer looks at the laid-out pages: each `<section class="module">` whose
last page is filled less than `SHORT` is marked `is-tight` (the print
stylesheet gives it fewer and closer lines to write on) and the document is laid
out once more. The second layout is kept only if it has fewer pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SHORT = 0.4  # of the page's content height
TIGHT = "is-tight"
# The one place the renderer relies on the workbook's markup (templates/pdf/workbook.html).
_MODULE_SECTION = re.compile(r'<section class="module" id="([^"]+)">')


def _boxes(box) -> Iterator:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _page_fill(page) -> tuple[float, list[str]]:
    """How far down the page its content reaches (0 to 1), and the module sections on it."""
    page_box = page._page_box  # WeasyPrint's laid-out page; its first child is the document's root
    top, height = page_box.content_box_y(), page_box.height
    bottom, modules = top, []
    for box in _boxes(page_box.children[0]):
        element = getattr(box, "element", None)
        if element is not None and element.tag == "section" and "module" in (element.get("class") or "").split():
            if element.get("id") not in modules:
                modules.append(element.get("id"))
        kind = type(box).__name__
        if kind in ("LineBox", "BlockReplacedBox", "InlineReplacedBox") or (kind == "BlockBox" and not box.children and box.height):
            bottom = max(bottom, box.position_y + box.margin_height())
    return (bottom - top) / height if height else 1.0, modules


def short_module_endings(document) -> list[str]:
    """The ids of the modules that take more than one page and end on a page filled less than SHORT."""
    last_page: dict[str, int] = {}
    pages_of: dict[str, int] = {}
    fills = []
    for number, page in enumerate(document.pages):
        fill, modules = _page_fill(page)
        fills.append(fill)
        for module in modules:
            last_page[module] = number
            pages_of[module] = pages_of.get(module, 0) + 1
    return [module for module, number in last_page.items() if pages_of[module] > 1 and fills[number] < SHORT]


def tightened(html: str, modules: list[str]) -> str:
    """`html` with the given module sections marked as needing tighter writing space."""
    wanted = set(modules)

    def mark(match: re.Match) -> str:
        if match.group(1) not in wanted:
            return match.group(0)
        return f'<section class="module {TIGHT}" id="{match.group(1)}">'

    return _MODULE_SECTION.sub(mark, html)
