"""Admonition titles as the course's language says them, and an icon for each type.

Python-Markdown writes `<div class="admonition warning"><p class="admonition-title">`,
and titles a block the author left untitled with its type in English ("Warning").
`with_block_titles` puts the theme's word for the type there instead ("Attention" in
French; the packet and the PDFs both use it), and `with_block_icons` puts the type's
icon in the packet's title, so that each type is told apart by its shape as well as
by its colour.
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


_DEFAULT_TITLE = re.compile(r'(<div class="admonition ([\w-]+)[^"]*">\s*<p class="admonition-title">)([^<]*)(</p>)')


def with_block_titles(html: str, strings: dict) -> Markup:
    """`html` with each untitled block's English type name replaced by the theme's `block_<type>` string."""
    def title(match: re.Match) -> str:
        kind, text = match.group(2), match.group(3)
        word = strings.get(f"block_{kind}")
        if word is None or text != kind.capitalize():
            return match.group(0)
        return match.group(1) + str(Markup.escape(word)) + match.group(4)

    return Markup(_DEFAULT_TITLE.sub(title, str(html)))


def with_block_icons(html: str, icon: Callable[[str], str]) -> Markup:
    """`html` (a lesson's trusted HTML) with `icon(name)` at the start of each admonition title."""
    return Markup(_TITLE.sub(lambda m: m.group(1) + str(icon(ICON_OF_BLOCK.get(m.group(2), "info"))), str(html)))
