"""Page numbers for an edition printed in parts.

A part cannot print "Page 7 of 412" itself: it does not know where it starts
or how long the whole edition is, and if it did, one page more anywhere would
change every part after it. So the parts print without the margin box that
shows a page counter, and once their lengths are known, small "label" documents
print only that box for every page, with the right numbers; the joiner draws
each label page onto its page. The labels are laid out by the edition's own
stylesheet, so they stand where and as the theme puts them.

The stylesheet is rewritten with tinycss2 (which WeasyPrint itself uses):
- for the parts, each `@page` margin box whose `content` uses `counter(page)`
  or `counter(pages)` gets `content: none`;
- for the labels, every other margin box gets `content: none` (so no running
  header or rule is drawn twice), `counter(pages)` becomes the edition's page
  count, and the page counter starts at the label document's first page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

import tinycss2

CHUNK = 200  # label pages per document: WeasyPrint's layout time grows faster than its page count
_PAGES = re.compile(r"counter\(\s*pages\s*\)")


def _counts_pages(declarations) -> bool:
    for item in declarations:
        if item.type == "declaration" and item.lower_name == "content":
            if re.search(r"counters?\(\s*pages?\s*[,)]", tinycss2.serialize(item.value)):
                return True
    return False


def _items(content) -> list:
    return [item for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
            if item.type in ("declaration", "at-rule", "qualified-rule")]


def _block(item, body: str) -> str:
    return f"@{item.at_keyword}{tinycss2.serialize(item.prelude)}{{{body}}}"


def _declarations(items) -> str:
    return ";".join(item.serialize() for item in items)


def _rewrite_margin_boxes(css: str, box: Callable[[object, list], str | None]) -> str:
    """`css` with each margin box of each `@page` rule replaced by what `box` returns (None: unchanged)."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page" or rule.content is None:
            out.append(rule.serialize())
            continue
        inner = []
        for item in _items(rule.content):
            if item.type == "at-rule" and item.content is not None:
                declarations = _items(item.content)
                replaced = box(item, declarations)
                inner.append(_block(item, _declarations(declarations) if replaced is None else replaced))
            elif item.type == "declaration":
                inner.append(item.serialize() + ";")
            else:
                inner.append(item.serialize())
        out.append(_block(rule, "".join(inner)))
    return "".join(out)


def _is_margin_box(item) -> bool:
    return item.lower_at_keyword != "footnote"


def without_page_numbers(css: str) -> str:
    """The stylesheet a part is printed with: no margin box that counts pages."""
    return _rewrite_margin_boxes(
        css, lambda item, decls: "content:none" if _is_margin_box(item) and _counts_pages(decls) else None)


def labels_only(css: str, first_page: int, total: int) -> str:
    """The stylesheet of a label document starting at page `first_page` of `total`."""

    def box(item, declarations):
        if not _is_margin_box(item):
            return None
        if not _counts_pages(declarations):
            return "content:none"
        return _PAGES.sub(f'"{total}"', _declarations(declarations))

    return _rewrite_margin_boxes(css, box) + f"\n@page :first {{ counter-reset: page {first_page} }}\n"


def label_html(language: str, page_names: Sequence[str]) -> str:
    """One empty page for each of `page_names` (a page's name selects its `@page` rule, as in the part)."""
    sheets = []
    for number, name in enumerate(page_names):
        style = [f"page: {name}"] if name else []
        if number:
            style.append("break-before: page")
        sheets.append(f'<div style="{escape("; ".join(style))}"></div>' if style else "<div></div>")
    return f'<!DOCTYPE html><html lang="{escape(language)}"><body>{"".join(sheets)}</body></html>'


def chunks(page_names: Sequence[str]) -> list[tuple[int, Sequence[str]]]:
    """(first page index, page names) for each label document of an edition."""
    return [(start, page_names[start:start + CHUNK]) for start in range(0, len(page_names), CHUNK)]
