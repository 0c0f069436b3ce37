"""cmi5.xml: the course and its one assignable unit (AU).

One AU for the whole course: the packet is one unit that the learner moves
through freely, and its completion rule (every module quiz passed, or every
lesson opened) is course-wide, so no single module could report it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from coursepack.tracking.metadata import PackageFacts
from coursepack.tracking.text import xml_bytes

CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
ID_BASE = "https://coursepack.invalid/courses/"  # reserved domain: a name, never fetched


def course_iri(facts: PackageFacts) -> str:
    return ID_BASE + facts.identifier.removeprefix("coursepack-")


def move_on(facts: PackageFacts) -> str:
    return "CompletedAndPassed" if facts.mastery_scaled is not None else "Completed"


def course_structure(facts: PackageFacts, launch: str) -> bytes:
    root = ET.Element(f"{{{CMI5}}}courseStructure")
    course = _el(root, "course", id=course_iri(facts))
    _text(course, "title", facts.title, facts.language)
    _text(course, "description", facts.description, facts.language)
    attributes = {"id": course_iri(facts) + "/au", "moveOn": move_on(facts), "launchMethod": "AnyWindow"}
    if facts.mastery_scaled is not None:
        attributes["masteryScore"] = facts.mastery_scaled
    au = _el(root, "au", **attributes)
    _text(au, "title", facts.title, facts.language)
    _text(au, "description", facts.description, facts.language)
    _el(au, "url").text = launch
    return xml_bytes(root, CMI5, {})


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{CMI5}}}{tag}", attrs)


def _text(parent: ET.Element, tag: str, value: str, language: str) -> None:
    _el(_el(parent, tag), "langstring", lang=language).text = value
