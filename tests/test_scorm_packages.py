"""What is inside the SCORM packages: manifests valid against the official
schemas, one SCO, the course's metadata and mastery score, every file listed,
nothing for trainers, no answers in the launch page, and byte-identical builds.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from tracking_support import (
    SAMPLE_MARKER,
    TRAINER_MARKER,
    build_course,
    fill_blank_quiz,
    load,
    write_demo_course,
)

from conftest import REPO, require, run_coursepack
from coursepack.model import TrainerNote
from coursepack.packet.state import worst_case_state_size
from coursepack.tracking.text import plain_text

CP12 = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP12 = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_v1p3}"
IMSSS = "{http://www.imsglobal.org/xsd/imsss}"
LOM = "{http://ltsc.ieee.org/xsd/LOM}"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
SETS = {"scorm12": "scorm12", "scorm2004": "scorm2004_4th"}


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Small courses, each built in every LMS format: name -> (course folder, lms folder)."""
    root = tmp_path_factory.mktemp("scorm-packages")
    made = {
        "quizzes": write_demo_course(root / "quizzes", passing=75),
        "visited": write_demo_course(root / "visited", course_id="visit-only", completion="visited"),
        "digit": write_demo_course(root / "digit", course_id="2024-onboarding", language="es"),
    }
    built = {}
    for name, course_dir in made.items():
        build_course(course_dir, ["scorm12", "scorm2004", "scorm2004v3", "cmi5"], root / f"out-{name}")
        built[name] = (course_dir, root / f"out-{name}" / "lms")
    return built


def package(courses, name: str, runtime: str) -> zipfile.ZipFile:
    course_dir, lms = courses[name]
    return zipfile.ZipFile(lms / f"{load(course_dir).id}-{runtime}.zip")


def manifest(archive: zipfile.ZipFile) -> ET.Element:
    return ET.fromstring(archive.read("imsmanifest.xml"))


@pytest.fixture(scope="module")
def validate(schemas):
    sys.path.insert(0, str(schemas))
    from validate import errors

    return errors


# ---------------------------------------------------------------- schemas


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("name", ["quizzes", "visited", "digit"])
def test_manifests_are_valid_against_the_official_schemas(courses, validate, tmp_path, name, runtime):
    target = tmp_path / "imsmanifest.xml"
    target.write_bytes(package(courses, name, runtime).read("imsmanifest.xml"))
    assert validate(SETS[runtime], target) == []
    other = "scorm2004" if runtime == "scorm12" else "scorm12"
    assert validate(SETS[other], target) != [], "the schema set must tell the two versions apart"


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
def test_the_sample_course_packages_are_valid(sample_build, validate, tmp_path, runtime):
    archive = zipfile.ZipFile(sample_build / "lms" / f"library-service-{runtime}.zip")
    target = tmp_path / "imsmanifest.xml"
    target.write_bytes(archive.read("imsmanifest.xml"))
    assert validate(SETS[runtime], target) == []


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
def test_the_schema_files_the_manifest_names_are_in_the_package(courses, runtime):
    archive = package(courses, "quizzes", runtime)
    locations = manifest(archive).get(XSI_LOCATION).split()
    names = set(archive.namelist())
    for schema_file in locations[1::2]:
        assert schema_file in names
    if runtime == "scorm2004":
        assert {"lom.xsd", "common/elementTypes.xsd", "vocab/strict.xsd", "xml.xsd", "XMLSchema.dtd"} <= names


# ---------------------------------------------------------------- SCORM 2004 3rd edition

THIRD_EDITION = REPO / "tests" / "js" / "scorm2004-3rd-edition"  # from npm (tests/install-tools.sh)
THIRD_EDITION_NAMESPACES = {
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
    "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
}


@pytest.fixture(scope="module")
def third_edition(schemas):
    """ADL's SCORM 2004 3rd edition schemas; the IEEE LOM binding (the same in both editions) from ../shared."""
    import xmlschema

    require((THIRD_EDITION / "imscp_v1p1.xsd").exists(), "the SCORM 2004 3rd edition schemas (sh tests/install-tools.sh)")
    locations = [(ns, str(THIRD_EDITION / name)) for ns, name in THIRD_EDITION_NAMESPACES.items()]
    locations.append(("http://ltsc.ieee.org/xsd/LOM", str(schemas / "scorm2004_4th" / "lom.xsd")))
    local_xml = (THIRD_EDITION / "xml.xsd").as_uri()
    return xmlschema.XMLSchema10(
        str(THIRD_EDITION / "imscp_v1p1.xsd"), locations=locations, allow="local",
        uri_mapper=lambda url: local_xml if url == "http://www.w3.org/2001/xml.xsd" else url,
    )


@pytest.mark.parametrize("name", ["quizzes", "visited", "digit"])
def test_scorm2004v3_manifests_are_valid_against_the_3rd_edition_schemas(courses, third_edition, validate, tmp_path, name):
    target = tmp_path / "imsmanifest.xml"
    target.write_bytes(package(courses, name, "scorm2004v3").read("imsmanifest.xml"))
    assert [str(e) for e in third_edition.iter_errors(str(target))] == []
    assert manifest(package(courses, name, "scorm2004v3")).findtext(f"{CP}metadata/{CP}schemaversion") == "2004 3rd Edition"


def test_the_3rd_edition_schemas_refuse_what_only_the_4th_edition_has(courses, third_edition, validate, tmp_path):
    # A 4th-edition-only element (adlcp:data, shared data) in the item: the 3rd edition set must refuse it,
    # so that the test above tells the editions apart.
    text = package(courses, "quizzes", "scorm2004v3").read("imsmanifest.xml").decode("utf-8")
    fourth = re.sub(r"(<title>[^<]*</title>\s*)(<imsss:sequencing>)",
                    r'\1<adlcp:data><adlcp:map targetID="shared"/></adlcp:data>\2', text, count=1)
    assert fourth != text
    target = tmp_path / "imsmanifest.xml"
    target.write_text(fourth, encoding="utf-8")
    assert validate("scorm2004_4th", target) == []
    assert list(third_edition.iter_errors(str(target)))


def test_scorm2004v3_carries_the_3rd_edition_schema_files_unchanged(courses, third_edition):
    archive = package(courses, "quizzes", "scorm2004v3")
    names = set(archive.namelist())
    for path in sorted(THIRD_EDITION.iterdir()):
        assert archive.read(path.name) == path.read_bytes(), path.name
    assert {"lom.xsd", "common/elementTypes.xsd", "vocab/strict.xsd"} <= names
    for schema_file in manifest(archive).get(XSI_LOCATION).split()[1::2]:
        assert schema_file in names


def test_scorm2004v3_runs_the_same_launch_page_and_course_as_scorm2004(courses):
    third, fourth = package(courses, "quizzes", "scorm2004v3"), package(courses, "quizzes", "scorm2004")
    course_files = sorted(n for n in fourth.namelist() if n.startswith(("course/", "tracking/")) or n == "index.html")
    assert course_files and course_files == sorted(n for n in third.namelist() if n.startswith(("course/", "tracking/")) or n == "index.html")
    for name in course_files:
        assert third.read(name) == fourth.read(name), name


# ---------------------------------------------------------------- one SCO, launched plainly


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
def test_one_sco_whose_launch_needs_no_query_parameters(courses, runtime):
    cp = CP12 if runtime == "scorm12" else CP
    archive = package(courses, "quizzes", runtime)
    root = manifest(archive)
    organizations = root.findall(f"{cp}organizations/{cp}organization")
    items = root.findall(f".//{cp}item")
    resources = root.findall(f"{cp}resources/{cp}resource")
    assert len(organizations) == 1 and len(items) == 1 and len(resources) == 1
    item, resource = items[0], resources[0]
    assert item.get("identifierref") == resource.get("identifier")
    assert item.get("parameters") is None
    scorm_type = resource.get(f"{ADLCP12}scormtype") if runtime == "scorm12" else resource.get(f"{ADLCP}scormType")
    assert scorm_type == "sco"
    assert resource.get("href") == "index.html" and "?" not in resource.get("href")
    assert "index.html" in archive.namelist()


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
def test_every_file_of_the_course_is_listed_in_the_resource(courses, runtime):
    cp = CP12 if runtime == "scorm12" else CP
    archive = package(courses, "quizzes", runtime)
    listed = {f.get("href") for f in manifest(archive).iter(f"{cp}file")}
    content = {n for n in archive.namelist() if n != "imsmanifest.xml" and not n.endswith((".xsd", ".dtd"))}
    assert listed == content
    assert {"index.html", "course/index.html", "course/first-steps.html", f"tracking/{runtime}.js"} <= content


def test_scorm12_metadata_and_mastery_score(courses):
    root = manifest(package(courses, "quizzes", "scorm12"))
    metadata = root.find(f"{CP12}metadata")
    assert metadata.findtext(f"{CP12}schema") == "ADL SCORM"
    assert metadata.findtext(f"{CP12}schemaversion") == "1.2"
    md = "{http://www.imsglobal.org/xsd/imsmd_rootv1p2p1}"
    assert metadata.findtext(f".//{md}general/{md}title/{md}langstring") == "Tracking demo"
    assert metadata.findtext(f".//{md}lifecycle/{md}version/{md}langstring") == "2.1"
    assert root.findtext(f".//{CP12}item/{ADLCP12}masteryscore") == "75"
    assert root.get("version") == "2.1"

    visited = manifest(package(courses, "visited", "scorm12"))
    assert visited.find(f".//{ADLCP12}masteryscore") is None  # nothing to pass: the LMS must not judge a score


def test_scorm2004_metadata_and_passing_measure(courses):
    root = manifest(package(courses, "quizzes", "scorm2004"))
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == "2004 4th Edition"
    assert root.findtext(f".//{LOM}general/{LOM}title/{LOM}string") == "Tracking demo"
    assert root.findtext(f".//{LOM}typicalLearningTime/{LOM}duration") == "PT15M"
    primary = root.find(f".//{CP}item/{IMSSS}sequencing/{IMSSS}objectives/{IMSSS}primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext(f"{IMSSS}minNormalizedMeasure") == "0.75"
    controls = root.find(f".//{CP}item/{IMSSS}sequencing/{IMSSS}deliveryControls")
    assert controls.get("completionSetByContent") == controls.get("objectiveSetByContent") == "true"

    visited = manifest(package(courses, "visited", "scorm2004"))
    assert visited.find(f".//{IMSSS}primaryObjective") is None


def test_identifiers_are_valid_ids_even_when_the_course_id_starts_with_a_digit(courses):
    root = manifest(package(courses, "digit", "scorm2004"))
    identifiers = [root.get("identifier")] + [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in identifiers), identifiers


# ---------------------------------------------------------------- what must not be inside


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004", "cmi5"])
def test_nothing_for_the_trainer_reaches_a_package(courses, runtime):
    archive = package(courses, "quizzes", runtime)
    for name in archive.namelist():
        data = archive.read(name)
        assert TRAINER_MARKER.encode() not in data, name
        assert SAMPLE_MARKER.encode() not in data, name


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004", "cmi5"])
def test_nothing_for_the_trainer_in_the_sample_course_packages(sample_build, runtime):
    course = load(REPO)
    secrets = [plain_text(s.html)[:60] for m in course.modules for s in m.lesson.segments if isinstance(s, TrainerNote)]
    secrets += [plain_text(q.sample_answer.html)[:60] for _, quiz in course.quizzes for q in quiz.questions
                if getattr(q, "sample_answer", None)]
    assert len(secrets) >= 6
    archive = zipfile.ZipFile(sample_build / "lms" / f"library-service-{runtime}.zip")
    text = "\n".join(plain_text(archive.read(n).decode("utf-8")) for n in archive.namelist() if n.endswith(".html"))
    for secret in secrets:
        assert secret not in text


def test_the_launch_page_gives_no_answer_away(courses):
    page = package(courses, "quizzes", "scorm2004").read("index.html").decode("utf-8")
    config = re.search(r'<script type="application/json" id="coursepack-launch">(.*?)</script>', page, re.S).group(1)
    assert "books and more" not in config  # an accepted fill-in answer
    assert '"correct' not in config and '"answer"' not in config
    pick_one = re.search(r'"pick-one":\{.*?"options":\[(.*?)\]', config).group(1)
    assert re.findall(r'"text":"(\w+)"', pick_one) == ["Blue", "Green", "Red"]  # alphabetical, not authored


def test_each_package_carries_only_its_own_standard(courses):
    for runtime, foreign in [("scorm12", ("API_1484_11", "cmi.completion_status", "cmi.success_status", "Terminate")),
                             ("scorm2004", ("LMSInitialize", "cmi.core.", "LMSFinish", "window.API "))]:
        archive = package(courses, "quizzes", runtime)
        scripts = [n for n in archive.namelist() if n.startswith("tracking/")]
        assert scripts == ["tracking/host-common.js", f"tracking/{runtime}.js"]
        adapter = archive.read(f"tracking/{runtime}.js").decode("utf-8")
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", adapter, flags=re.S)  # comments may name the other version
        for word in foreign:
            assert word not in code, f"{runtime}.js mentions {word}"


def test_builds_are_byte_identical(courses, tmp_path):
    course_dir, lms = courses["quizzes"]
    build_course(course_dir, ["scorm12", "scorm2004", "cmi5"], tmp_path / "again")
    for runtime in ("scorm12", "scorm2004", "cmi5"):
        name = f"tracking-demo-{runtime}.zip"
        assert (lms / name).read_bytes() == (tmp_path / "again" / "lms" / name).read_bytes()


# ---------------------------------------------------------------- the resume data budget


def test_a_course_that_cannot_fit_scorm12_fails_with_a_clear_error(tmp_path):
    course_dir = write_demo_course(
        tmp_path / "course", course_id="too-big",
        quizzes={"01-first-steps": fill_blank_quiz("a", 10), "02-next-steps": fill_blank_quiz("b", 22)},
    )
    out = tmp_path / "out"
    result = run_coursepack("build", str(course_dir), "--format", "scorm12", "--out", str(out))
    assert result.returncode == 1
    message = result.stderr
    assert "modules/02-next-steps/quiz.yml: error:" in message  # the quiz that weighs most
    assert "over the 4096 that SCORM 1.2 allows" in message
    assert re.search(r"can reach \d{4} characters", message)
    assert "Traceback" not in message
    assert not (out / "lms").exists()

    # SCORM 2004 has room for it, and the build summary says how much it needs.
    result = run_coursepack("build", str(course_dir), "--format", "scorm2004", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "lms" / "too-big-scorm2004.zip").exists()
    needed = worst_case_state_size(load(course_dir))
    assert needed > 4096
    assert f"scorm2004: resume data (suspend_data) needs at most {needed} of the 64000" in result.stdout
