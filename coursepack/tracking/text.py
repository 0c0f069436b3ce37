"""Plain text, identifiers and XML bytes for LMS control documents."""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "p", "li", "div"):
            self.parts.append(" ")


def plain_text(markup: str) -> str:
    """The words of an HTML fragment on one line, as an LMS report shows them."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return _SPACE.sub(" ", html.unescape("".join(parser.parts))).strip()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII words joined by '-', e.g. for SCORM 2004 response identifiers."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "")


def unique_slugs(texts: list[str], fallback: str) -> list[str]:
    """One identifier per text, unique within the list, readable where the text allows."""
    seen: set[str] = set()
    result = []
    for position, text in enumerate(texts, start=1):
        base = slug(text) or f"{fallback}-{position}"
        candidate, n = base, 2
        while candidate in seen:
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate)
        result.append(candidate)
    return result


def ncname(text: str, prefix: str) -> str:
    """An xs:ID: `prefix` plus the text's letters, digits and hyphens."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
    return f"{prefix}-{cleaned}" if cleaned else prefix


def decimal_text(value: float) -> str:
    """A number as plain decimal digits (no exponent), as SCORM's CMIDecimal wants."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return "0" if text in ("-0", "") else text


def iso_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def xml_bytes(root: ET.Element, default: str, prefixes: dict[str, str]) -> bytes:
    """Indented UTF-8 XML with a declaration; the same tree always gives the same bytes.

    `default` is the namespace of unprefixed elements, `prefixes` the others'.
    """
    # ElementTree's prefix registry is global: set this document's prefixes for
    # this one call only, so no other format's XML depends on which ran first.
    registry = ET._namespace_map  # noqa: SLF001 (no public way to undo register_namespace)
    saved = dict(registry)
    try:
        for prefix, uri in {"": default, **prefixes}.items():
            ET.register_namespace(prefix, uri)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    finally:
        registry.clear()
        registry.update(saved)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
