"""imsmanifest.xml for SCORM 1.2: one organization, one item, one SCO."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from coursepack.tracking.metadata import PackageFacts, vcard
from coursepack.tracking.text import xml_bytes

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
# The schema files the package carries at its root (ADL's content packaging rule).
SCHEMA_FILES = {CP: "imscp_rootv1p1p2.xsd", MD: "imsmd_rootv1p2p1.xsd", ADLCP: "adlcp_rootv1p2.xsd"}


def _cp(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CP}}}{tag}", attrs)
    element.text = text
    return element


def _md(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{MD}}}{tag}")
    element.text = text
    return element


def _langstring(parent: ET.Element, tag: str, text: str, language: str) -> None:
    ET.SubElement(_md(parent, tag), f"{{{MD}}}langstring", {f"{{{XML}}}lang": language}).text = text


def manifest(facts: PackageFacts, launch: str, files: list[str]) -> bytes:
    root = ET.Element(f"{{{CP}}}manifest", {
        "identifier": facts.identifier,
        "version": facts.version,
        f"{{{XSI}}}schemaLocation": " ".join(f"{ns} {path}" for ns, path in SCHEMA_FILES.items()),
    })
    metadata = _cp(root, "metadata")
    _cp(metadata, "schema", "ADL SCORM")
    _cp(metadata, "schemaversion", "1.2")
    metadata.append(_lom(facts))

    organizations = _cp(root, "organizations", default=f"org-{facts.identifier}")
    organization = _cp(organizations, "organization", identifier=f"org-{facts.identifier}")
    _cp(organization, "title", facts.title)
    item = _cp(organization, "item", identifier=f"item-{facts.identifier}", identifierref=f"sco-{facts.identifier}")
    _cp(item, "title", facts.title)
    if facts.mastery_text is not None:
        ET.SubElement(item, f"{{{ADLCP}}}masteryscore").text = facts.mastery_text

    resources = _cp(root, "resources")
    resource = _cp(resources, "resource", identifier=f"sco-{facts.identifier}", type="webcontent", href=launch)
    resource.set(f"{{{ADLCP}}}scormtype", "sco")
    for path in files:
        _cp(resource, "file", href=path)
    return xml_bytes(root, CP, {"adlcp": ADLCP, "imsmd": MD, "xsi": XSI})


def _lom(facts: PackageFacts) -> ET.Element:
    lom = ET.Element(f"{{{MD}}}lom")
    general = _md(lom, "general")
    _langstring(general, "title", facts.title, facts.language)
    _md(general, "language", facts.language)
    _langstring(general, "description", facts.description, facts.language)
    lifecycle = _md(lom, "lifecycle")
    _langstring(lifecycle, "version", facts.version, "x-none")
    for name, role in [*((a, "Author") for a in facts.authors), *((o, "Publisher") for o in [facts.organization] if o)]:
        contribute = _md(lifecycle, "contribute")
        role_element = _md(contribute, "role")
        _langstring(role_element, "source", "LOMv1.0", "x-none")
        _langstring(role_element, "value", role, "x-none")
        _md(_md(contribute, "centity"), "vcard", vcard(name))
    educational = _md(lom, "educational")
    _md(_md(educational, "typicallearningtime"), "datetime", facts.duration)
    if facts.audience:
        _langstring(educational, "description", facts.audience, facts.language)
    return lom
