"""tincan.xml: the activities of an xAPI ("Tin Can") package, as LMSs import them.

The course is the one launchable activity (only one may carry `launch`); each
module follows as an activity of its own, so that reports can name the
modules the package's statements speak of. Ids are the package's: an LMS that
passes `activity_id` at launch normally passes the course's id from here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from coursepack.model import Course
from coursepack.tracking.cmi5_structure import course_iri
from coursepack.tracking.metadata import PackageFacts
from coursepack.tracking.text import plain_text, xml_bytes

TINCAN = "http://projecttincan.com/tincan.xsd"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"


def course_activity_id(facts: PackageFacts) -> str:
    """The launchable activity's id: the course's IRI, as the cmi5 package names the course."""
    return course_iri(facts)


def module_iri(course_id: str, module_id: str) -> str:
    """A module's activity id under the course's (the launch script builds the same)."""
    return f"{course_id}/module/{module_id}"


def tincan_xml(course: Course, facts: PackageFacts, launch: str) -> bytes:
    root = ET.Element(f"{{{TINCAN}}}tincan")
    activities = _el(root, "activities")
    course_id = course_activity_id(facts)
    activity = _el(activities, "activity", id=course_id, type=COURSE_TYPE)
    _text(activity, "name", facts.title, facts.language)
    _text(activity, "description", facts.description, facts.language)
    _text(activity, "launch", launch, facts.language)
    for module in course.modules:
        part = _el(activities, "activity", id=module_iri(course_id, module.id), type=MODULE_TYPE)
        _text(part, "name", module.title, facts.language)
        objectives = "; ".join(plain_text(objective.html) for objective in module.objectives)
        _text(part, "description", objectives or module.title, facts.language)
    return xml_bytes(root, TINCAN, {})


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{TINCAN}}}{tag}", attrs)


def _text(parent: ET.Element, tag: str, value: str, language: str) -> None:
    _el(parent, tag, lang=language).text = value
