"""What is inside the cmi5 package: cmi5.xml valid against the official
CourseStructure schema, one AU for the course, moveOn and masteryScore from
the course's completion rule and passing score."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest
from tracking_support import build_course, write_demo_course

CMI5 = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmi5-packages")
    made = {
        "quizzes": write_demo_course(root / "quizzes", passing=75),
        "visited": write_demo_course(root / "visited", course_id="visit-only", completion="visited"),
        "digit": write_demo_course(root / "digit", course_id="2024-onboarding", language="fr"),
    }
    archives = {}
    for name, course_dir in made.items():
        build_course(course_dir, ["cmi5"], root / name / "out")
        (archive,) = (root / name / "out" / "lms").glob("*-cmi5.zip")
        archives[name] = zipfile.ZipFile(archive)
    return archives


@pytest.mark.parametrize("name", ["quizzes", "visited", "digit"])
def test_cmi5_xml_is_valid_against_the_course_structure_schema(packages, schemas, tmp_path, name):
    sys.path.insert(0, str(schemas))
    from validate import errors

    target = tmp_path / "cmi5.xml"
    target.write_bytes(packages[name].read("cmi5.xml"))
    assert errors("cmi5", target) == []


def test_the_sample_course_cmi5_xml_is_valid(sample_build, schemas, tmp_path):
    sys.path.insert(0, str(schemas))
    from validate import errors

    target = tmp_path / "cmi5.xml"
    target.write_bytes(zipfile.ZipFile(sample_build / "lms" / "library-service-cmi5.zip").read("cmi5.xml"))
    assert errors("cmi5", target) == []


def test_one_au_launched_from_the_package_with_the_course_rule(packages):
    archive = packages["quizzes"]
    root = ET.fromstring(archive.read("cmi5.xml"))
    (au,) = root.findall(f"{CMI5}au")
    assert not root.findall(f"{CMI5}block")
    assert au.get("moveOn") == "CompletedAndPassed"
    assert au.get("masteryScore") == "0.75"
    assert au.get("launchMethod") == "AnyWindow"
    url = au.findtext(f"{CMI5}url")
    assert url == "index.html" and url in archive.namelist()
    course = root.find(f"{CMI5}course")
    assert course.findtext(f"{CMI5}title/{CMI5}langstring") == "Tracking demo"
    assert course.get("id").startswith("https://") and au.get("id").startswith(course.get("id"))
    assert "imsmanifest.xml" not in archive.namelist()


def test_a_course_completed_by_visits_moves_on_when_completed_without_a_mastery_score(packages):
    au = ET.fromstring(packages["visited"].read("cmi5.xml")).find(f"{CMI5}au")
    assert au.get("moveOn") == "Completed"
    assert au.get("masteryScore") is None


def test_titles_carry_the_course_language(packages):
    root = ET.fromstring(packages["digit"].read("cmi5.xml"))
    assert {e.get("lang") for e in root.iter(f"{CMI5}langstring")} == {"fr"}
    assert packages["digit"].read("index.html").decode().startswith("<!DOCTYPE html>\n<html lang=\"fr\">")
