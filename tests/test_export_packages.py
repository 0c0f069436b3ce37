"""All four quiz exports together: nothing for trainers in any package, same bytes every build,
and the sample course's packages valid against the official schemas."""

from __future__ import annotations

import base64
import sys
import zipfile

import pytest
from test_export_gift import gift_pegjs
from test_export_support import build, fixture_course, package_files, trainer_only_texts

FORMATS = ("cc", "qti", "moodle", "gift")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    first, log = build(tmp_path_factory, *FORMATS, command=True)
    second, _ = build(tmp_path_factory, *FORMATS, command=True)
    return first / "lms", second / "lms", log


def test_builds_are_byte_identical(two_builds):
    first, second, _ = two_builds
    names = sorted(p.name for p in first.iterdir())
    course = fixture_course()
    assert names == sorted([f"{course.id}.imscc", f"{course.id}-qti.zip", f"{course.id}-moodle.xml", f"{course.id}.gift"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_nothing_for_trainers_reaches_any_package(two_builds):
    lms, _, _ = two_builds
    course = fixture_course()
    phrases = trainer_only_texts(course)
    assert any("TRAINER-NOTE-SECRET" in p for p in phrases) and any("SAMPLE-ANSWER-SECRET" in p for p in phrases)
    trainer_image = course.asset("modules/01-specials/media/trainer-only.svg").data
    files = package_files(lms)
    assert len(files) > 10
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        for phrase in phrases:
            assert phrase not in text, (name, phrase)
        assert trainer_image not in data and base64.b64encode(trainer_image).decode() not in text, name
        assert "trainer-only.svg" not in name and not name.endswith((".md", ".yml")), name


def test_every_question_type_is_either_native_or_warned_about(two_builds):
    """No question disappears silently: each type is exported, and a non-native mapping says so."""
    _, _, log = two_builds
    for phrase in (
        "Common Cartridge has no numeric type",
        "Common Cartridge has no matching type",
        "Common Cartridge has no ordering type",
        "Canvas QTI has no ordering type",
        "moodle: ordering questions are Moodle's ordering type",
        "GIFT has no ordering type",
    ):
        assert phrase in log


def test_sample_course_packages_are_valid(sample_build, schemas, tmp_path):
    sys.path.insert(0, str(schemas))
    from validate import errors

    lms = sample_build / "lms"
    checked = 0
    for package, schema_set, pattern in (("library-service.imscc", "imscc_1p1", ".xml"), ("library-service-qti.zip", "qti12", None)):
        with zipfile.ZipFile(lms / package) as archive:
            archive.extractall(tmp_path / package)
            for name in archive.namelist():
                is_quiz = name.endswith(".xml") and (pattern or "/quiz-" in f"/{name}") and not name.endswith("assessment_meta.xml")
                if package.endswith("qti.zip") and name == "imsmanifest.xml":
                    continue
                if is_quiz:
                    assert errors(schema_set, str(tmp_path / package / name)) == [], (package, name)
                    checked += 1
    assert checked == 1 + 6 + 6
    questions = gift_pegjs((lms / "library-service.gift").read_text(encoding="utf-8"))
    assert sum(q["type"] != "Category" for q in questions) == 31
