"""Rebuilds reuse what did not change, and never give a different result."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from coursepack import build as build_module
from coursepack.build import build
from coursepack.loading import module_cache

from test_commands import tree_digest


def html_of(out: Path) -> str:
    return "".join(p.read_text() for p in sorted((out / "html").glob("*.html")))


@pytest.fixture
def course(fixture_course):
    return fixture_course("good-minimal")


def test_unchanged_course_is_not_built_again(course):
    first = build(course, ["html"])
    assert first.unchanged == []
    index = course / "output/html/index.html"
    before = index.stat().st_mtime_ns
    second = build(course, ["html"])
    assert second.unchanged == ["html"]
    assert index.stat().st_mtime_ns == before


def test_a_changed_lesson_shows_in_the_next_build(course):
    build(course, ["html"])
    lesson = course / "modules/01-welcome/lesson.md"
    lesson.write_text(lesson.read_text().replace("Hello.", "Hello, library staff."))
    report = build(course, ["html"])
    assert report.unchanged == []
    assert "Hello, library staff." in html_of(course / "output")


def test_a_changed_template_override_rebuilds(course):
    build(course, ["html"])
    (course / "templates").mkdir()
    (course / "templates/base.html").write_text(
        '{% extends "!base.html" %}{% block title %}Riverside · {{ super() }}{% endblock %}'
    )
    report = build(course, ["html"])
    assert report.unchanged == []
    assert "<title>Riverside · " in (course / "output/html/index.html").read_text()


def test_a_changed_image_outside_the_module_folder_is_picked_up(course):
    (course / "media").mkdir()
    (course / "media/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><title>old</title></svg>")
    lesson = course / "modules/01-welcome/lesson.md"
    lesson.write_text(lesson.read_text() + "\n![Library logo](../../media/logo.svg)\n")
    build(course, ["html"])
    (course / "media/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><title>new</title></svg>")
    report = build(course, ["html"])
    assert report.unchanged == []
    assert "new" in (course / "output/html/media/logo.svg").read_text()


def test_a_deleted_output_file_is_written_again(course):
    build(course, ["html"])
    (course / "output/html/index.html").unlink()
    report = build(course, ["html"])
    assert report.unchanged == []
    assert (course / "output/html/index.html").is_file()


def test_a_new_coursepack_version_invalidates_everything(course, monkeypatch):
    build(course, ["html"])
    monkeypatch.setattr(build_module, "__version__", "99.0")
    monkeypatch.setattr(module_cache, "__version__", "99.0")
    assert build(course, ["html"]).unchanged == []


def test_cached_build_equals_a_clean_build(course, tmp_path):
    build(course, ["html"])
    lesson = course / "modules/01-welcome/lesson.md"
    lesson.write_text(lesson.read_text() + "\nA second paragraph.\n")
    build(course, ["html"])
    clean = tmp_path / "clean"
    shutil.copytree(course, clean, ignore=shutil.ignore_patterns("output", ".coursepack-cache"))
    build(clean, ["html"], use_cache=False)
    assert tree_digest(course / "output") == tree_digest(clean / "output")


def test_formats_built_in_parallel_equal_those_built_one_by_one(fixture_course):
    one = fixture_course("good-minimal")
    two = one.parent / "copy"
    shutil.copytree(one, two)
    formats = ["html", "single"]
    build(one, formats, jobs=1, use_cache=False)
    build(two, formats, jobs=2, use_cache=False)
    assert tree_digest(one / "output") == tree_digest(two / "output")


def test_a_reused_format_repeats_its_warnings(fixture_course):
    course = fixture_course("good-minimal")
    quiz = course / "modules/01-welcome/quiz.yml"
    quiz.write_text(quiz.read_text() + "  - id: q2\n    type: open\n    prompt: Say more.\n")
    first = build(course, ["gift"])
    second = build(course, ["gift"])
    assert second.unchanged == ["gift"]
    assert first.warnings and [str(w) for w in second.warnings] == [str(w) for w in first.warnings]
    assert second.notes == first.notes
