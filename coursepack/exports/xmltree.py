"""Small helpers over xml.etree.ElementTree for deterministic documents.

Namespace prefixes are written as literal names (`lomimscc:lom`) with their
`xmlns:` attributes set on the root, so that every document carries exactly
the prefixes it declares, independent of ElementTree's process-wide prefix
registry (which other builders may use too).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# Characters XML 1.0 does not allow anywhere, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` without the control characters that would make the document ill-formed."""
    return _NOT_XML.sub("", value)


def element(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    node = ET.Element(tag, {_name(k): xml_text(str(v)) for k, v in attributes.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A child of `parent`; attribute names use `_` for `:` (`xsi_schemaLocation`)."""
    node = element(tag, text, **attributes)
    parent.append(node)
    return node


def _name(key: str) -> str:
    # xmlns_lom -> xmlns:lom, xsi_schemaLocation -> xsi:schemaLocation; plain names stay.
    prefix, _, local = key.partition("_")
    if local and prefix in ("xmlns", "xsi", "xml"):
        return f"{prefix}:{local}"
    return key


def document(root: ET.Element) -> bytes:
    """The whole document: declaration, two-space indentation, UTF-8, final newline."""
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
