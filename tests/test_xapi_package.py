"""What is inside the xAPI ("Tin Can") package: tincan.xml at the root, as
Rustici's packaging notes describe it (there is no official schema here to
validate against), the launch page and its scripts, and nothing for the trainer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from conftest import run_coursepack
from tracking_support import SAMPLE_MARKER, TRAINER_MARKER, build_course, load, write_demo_course

TINCAN = "{http://projecttincan.com/tincan.xsd}"
COURSE = "http://adlnet.gov/expapi/activities/course"
MODULE = "http://adlnet.gov/expapi/activities/module"
# An activity's children, in the order tincan.xsd gives them.
ACTIVITY_CHILDREN = ["name", "description", "launch", "resource", "interactionType", "correctResponsePatterns",
                     "choices", "scale", "source", "target", "steps", "extensions"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("xapi-packages")
    made = {
        "quizzes": write_demo_course(root / "quizzes", passing=75),
        "french": write_demo_course(root / "french", course_id="2024-onboarding", language="fr"),
    }
    archives = {}
    for name, course_dir in made.items():
        build_course(course_dir, ["xapi"], root / name / "out")
        (archive,) = (root / name / "out" / "lms").glob("*-xapi.zip")
        archives[name] = zipfile.ZipFile(archive)
    archives["course"] = load(made["quizzes"])
    archives["out"] = root / "quizzes" / "out"
    archives["dir"] = made["quizzes"]
    return archives


def activities(archive: zipfile.ZipFile) -> list[ET.Element]:
    root = ET.fromstring(archive.read("tincan.xml"))
    assert root.tag == f"{TINCAN}tincan"
    assert [child.tag for child in root] == [f"{TINCAN}activities"]
    found = root.findall(f"{TINCAN}activities/{TINCAN}activity")
    assert [child.tag for child in root[0]] == [f"{TINCAN}activity"] * len(found)
    return found


def test_tincan_xml_has_the_structure_lms_importers_read(packages):
    archive = packages["quizzes"]
    assert "tincan.xml" in archive.namelist() and archive.namelist().count("tincan.xml") == 1
    found = activities(archive)
    for activity in found:
        tags = [child.tag.removeprefix(TINCAN) for child in activity]
        assert set(tags) <= set(ACTIVITY_CHILDREN), tags
        assert tags == sorted(tags, key=ACTIVITY_CHILDREN.index), f"out of the schema's order: {tags}"
        assert tags.count("name") == 1 and tags.count("description") == 1
        assert re.fullmatch(r"https://[^\s]+", activity.get("id"))
    ids = [a.get("id") for a in found]
    assert len(set(ids)) == len(ids)
    # Only one activity of a package may be launched; it is the course.
    launchable = [a for a in found if a.find(f"{TINCAN}launch") is not None]
    assert len(launchable) == 1
    (course,) = launchable
    assert course is found[0]
    assert course.get("type") == COURSE
    assert course.findtext(f"{TINCAN}name") == "Tracking demo"
    assert course.findtext(f"{TINCAN}description") == "A short course that exercises every question type."
    launch = course.find(f"{TINCAN}launch")
    assert launch.text == "index.html" and launch.text in archive.namelist()
    assert launch.get("lang") == "en"


def test_each_module_is_an_activity_under_the_course(packages):
    found = activities(packages["quizzes"])
    course_id = found[0].get("id")
    modules = found[1:]
    assert [m.get("id") for m in modules] == [f"{course_id}/module/{m.id}" for m in packages["course"].modules]
    assert {m.get("type") for m in modules} == {MODULE}
    assert [m.findtext(f"{TINCAN}name") for m in modules] == [m.title for m in packages["course"].modules]


def test_names_carry_the_course_language(packages):
    archive = packages["french"]
    langs = {e.get("lang") for a in activities(archive) for e in a}
    assert langs == {"fr"}
    assert archive.read("index.html").decode().startswith('<!DOCTYPE html>\n<html lang="fr">')
    # An id that starts with a digit is still an IRI.
    assert activities(archive)[0].get("id").endswith("/2024-onboarding")


def test_the_launch_page_loads_the_xapi_scripts_and_no_other_standard(packages):
    archive = packages["quizzes"]
    names = archive.namelist()
    assert "imsmanifest.xml" not in names and "cmi5.xml" not in names
    scripts = [n for n in names if n.startswith("tracking/")]
    assert scripts == ["tracking/host-common.js", "tracking/xapi-client.js", "tracking/xapi.js"]
    page = archive.read("index.html").decode()
    assert re.findall(r'<script src="([^"]+)"', page) == scripts
    config = re.search(r'<script type="application/json" id="coursepack-launch">(.*?)</script>', page, re.S).group(1)
    assert activities(archive)[0].get("id") in config  # the id used when the launch link has no activity_id


def test_nothing_for_the_trainer_reaches_the_package(packages):
    archive = packages["quizzes"]
    for name in archive.namelist():
        data = archive.read(name)
        assert TRAINER_MARKER.encode() not in data, name
        assert SAMPLE_MARKER.encode() not in data, name


def test_builds_are_byte_identical(packages, tmp_path):
    build_course(packages["dir"], ["xapi"], tmp_path / "again")
    name = "tracking-demo-xapi.zip"
    assert (packages["out"] / "lms" / name).read_bytes() == (tmp_path / "again" / "lms" / name).read_bytes()


def test_build_format_xapi_writes_only_the_xapi_package(tmp_path):
    course = write_demo_course(tmp_path / "course")
    result = run_coursepack("build", str(course), "--format", "xapi", "-q")
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(course / "output").as_posix() for p in (course / "output").rglob("*") if p.is_file())
    assert written == ["lms/tracking-demo-xapi.zip"]


def test_a_build_of_every_format_includes_the_xapi_package(sample_build):
    archive = zipfile.ZipFile(sample_build / "lms" / "library-service-xapi.zip")
    assert activities(archive)[0].findtext(f"{TINCAN}launch") == "index.html"


def test_a_course_whose_outputs_name_xapi_builds_it_by_default(tmp_path):
    course = write_demo_course(tmp_path / "course")
    with (course / "course.yml").open("a", encoding="utf-8") as settings:
        settings.write("outputs: [xapi, gift]\n")
    result = run_coursepack("build", str(course), "-q")
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(course / "output").as_posix() for p in (course / "output").rglob("*") if p.is_file())
    assert written == ["lms/tracking-demo-xapi.zip", "lms/tracking-demo.gift"]
