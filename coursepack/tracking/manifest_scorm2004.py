"""imsmanifest.xml for SCORM 2004 (4th or 3rd edition): one organization, one item, one SCO.

The two editions' manifests differ here only in `schemaversion`: nothing in
them uses what the 4th edition added (shared data, `adlseq:objectives`, `jump`).

When the course is judged by its quizzes, the item's primary objective is
satisfied by measure at the passing score, so the LMS hands the SCO
`cmi.scaled_passing_score` and judges the score the same way the course does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from coursepack.tracking.metadata import PackageFacts, vcard
from coursepack.tracking.text import xml_bytes

CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The schema files the package carries at its root (ADL's content packaging rule).
SCHEMA_FILES = {
    CP: "imscp_v1p1.xsd",
    ADLCP: "adlcp_v1p3.xsd",
    ADLSEQ: "adlseq_v1p3.xsd",
    ADLNAV: "adlnav_v1p3.xsd",
    IMSSS: "imsss_v1p0.xsd",
    LOM: "lom.xsd",
}
PRIMARY_OBJECTIVE = "course-passed"


def _el(parent: ET.Element, namespace: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{namespace}}}{tag}", attrs)
    element.text = text
    return element


def _cp(parent, tag, text=None, **attrs):
    return _el(parent, CP, tag, text, **attrs)


SCHEMA_VERSIONS = {3: "2004 3rd Edition", 4: "2004 4th Edition"}


def manifest(facts: PackageFacts, launch: str, files: list[str], edition: int = 4) -> bytes:
    root = ET.Element(f"{{{CP}}}manifest", {
        "identifier": facts.identifier,
        "version": facts.version,
        f"{{{XSI}}}schemaLocation": " ".join(f"{ns} {path}" for ns, path in SCHEMA_FILES.items()),
    })
    metadata = _cp(root, "metadata")
    _cp(metadata, "schema", "ADL SCORM")
    _cp(metadata, "schemaversion", SCHEMA_VERSIONS[edition])
    metadata.append(_lom(facts))

    organizations = _cp(root, "organizations", default=f"org-{facts.identifier}")
    organization = _cp(organizations, "organization", identifier=f"org-{facts.identifier}")
    _cp(organization, "title", facts.title)
    item = _cp(organization, "item", identifier=f"item-{facts.identifier}", identifierref=f"sco-{facts.identifier}")
    _cp(item, "title", facts.title)
    item.append(_item_sequencing(facts))
    # One SCO: the LMS's previous/continue buttons would only lead out of the course.
    interface = _el(_el(item, ADLNAV, "presentation"), ADLNAV, "navigationInterface")
    for button in ("previous", "continue"):
        _el(interface, ADLNAV, "hideLMSUI", button)
    sequencing = _el(organization, IMSSS, "sequencing")
    _el(sequencing, IMSSS, "controlMode", choice="true", flow="true")

    resources = _cp(root, "resources")
    resource = _cp(resources, "resource", identifier=f"sco-{facts.identifier}", type="webcontent", href=launch)
    resource.set(f"{{{ADLCP}}}scormType", "sco")
    for path in files:
        _cp(resource, "file", href=path)
    return xml_bytes(root, CP, {"adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "lom": LOM, "xsi": XSI})


def _item_sequencing(facts: PackageFacts) -> ET.Element:
    sequencing = ET.Element(f"{{{IMSSS}}}sequencing")
    if facts.mastery_scaled is not None:
        objectives = _el(sequencing, IMSSS, "objectives")
        primary = _el(objectives, IMSSS, "primaryObjective", objectiveID=PRIMARY_OBJECTIVE, satisfiedByMeasure="true")
        _el(primary, IMSSS, "minNormalizedMeasure", facts.mastery_scaled)
    # The SCO reports completion and success itself; the LMS must not assume them on exit.
    _el(sequencing, IMSSS, "deliveryControls", completionSetByContent="true", objectiveSetByContent="true")
    return sequencing


def _lom(facts: PackageFacts) -> ET.Element:
    lom = ET.Element(f"{{{LOM}}}lom")

    def text(parent, tag, value, language=facts.language):
        _el(_el(parent, LOM, tag), LOM, "string", value, language=language)

    general = _el(lom, LOM, "general")
    text(general, "title", facts.title)
    _el(general, LOM, "language", facts.language)
    text(general, "description", facts.description)
    lifecycle = _el(lom, LOM, "lifeCycle")
    text(lifecycle, "version", facts.version, "x-none")
    for name, role in [*((a, "author") for a in facts.authors), *((o, "publisher") for o in [facts.organization] if o)]:
        contribute = _el(lifecycle, LOM, "contribute")
        role_element = _el(contribute, LOM, "role")
        _el(role_element, LOM, "source", "LOMv1.0")
        _el(role_element, LOM, "value", role)
        _el(contribute, LOM, "entity", vcard(name))
    educational = _el(lom, LOM, "educational")
    _el(_el(educational, LOM, "typicalLearningTime"), LOM, "duration", facts.duration)
    if facts.audience:
        text(educational, "description", facts.audience)
    return lom
