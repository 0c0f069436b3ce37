"""An icon at the start of each admonition's title (note, tip, warning, danger).

Python-Markdown writes `<div class="admonition warning"><p class="admonition-title">`;
the packet puts the block type's icon in that title, so that each type is told
apart by its shape as well as by its colour.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

# Admonition types without a look of their own share the nearest one's icon.
ICON_OF_BLOCK = {
    "note": "info",
    "important": "info",
    "tip": "hint",
    "hint": "hint",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "danger": "danger",
    "error": "danger",
}
_TITLE = re.compile(r'(<div class="admonition ([\w-]+)[^"]*">\s*<p class="admonition-title">)')


def with_block_icons(html: str, icon: Callable[[str], str]) -> Markup:
    """`html` (a lesson's trusted HTML) with `icon(name)` at the start of each admonition title."""
    return Markup(_TITLE.sub(lambda m: m.group(1) + str(icon(ICON_OF_BLOCK.get(m.group(2), "info"))), str(html)))
