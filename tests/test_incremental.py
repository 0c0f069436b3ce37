"""Rebuilds reuse what did not change, and never give a different result."""

from __future__ import annotations

import hashlib
import os
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


# ---------------------------------------------------------------- a build that has nothing to do


def test_a_second_build_with_nothing_changed_says_so_and_leaves_the_output_as_it_was(course):
    from conftest import run_coursepack

    first = run_coursepack("build", str(course), "--format", "html")
    assert first.returncode == 0, first.stderr
    before = tree_digest(course / "output")
    times = {p: p.stat().st_mtime_ns for p in (course / "output").rglob("*")}
    second = run_coursepack("build", str(course), "--format", "html")
    assert second.returncode == 0, second.stderr
    assert "Nothing changed in tiny (1 module; html)" in second.stdout
    assert "up to date" in second.stdout
    assert tree_digest(course / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (course / "output").rglob("*")} == times


def test_a_build_with_nothing_changed_does_not_load_the_course(course, monkeypatch):
    build(course, ["html"])
    from coursepack import loading

    def must_not_load(*args, **kwargs):
        raise AssertionError("the course was loaded")

    monkeypatch.setattr(loading, "load_course", must_not_load)
    report = build(course, ["html"])
    assert report.nothing_changed and report.unchanged == ["html"]
    assert report.course_id == "tiny" and report.module_count == 1


def test_a_touched_lesson_with_the_same_bytes_changes_nothing(course):
    build(course, ["html"])
    build(course, ["html"])
    lesson = course / "modules/01-welcome/lesson.md"
    later = lesson.stat().st_mtime_ns + 5 * 10**9
    os.utime(lesson, ns=(later, later))
    assert build(course, ["html"]).nothing_changed


def test_one_changed_byte_rebuilds_even_with_the_same_size_and_time(course):
    build(course, ["html"])
    lesson = course / "modules/01-welcome/lesson.md"
    info = lesson.stat()
    lesson.write_text(lesson.read_text().replace("Hello.", "Jello."))
    os.utime(lesson, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert lesson.stat().st_size == info.st_size
    report = build(course, ["html"])
    assert not report.nothing_changed
    assert "Jello." in html_of(course / "output")


def test_an_edited_output_file_is_written_again(course):
    build(course, ["html"])
    index = course / "output/html/index.html"
    good = index.read_bytes()
    index.write_text("edited by hand")
    report = build(course, ["html"])
    assert not report.nothing_changed
    assert index.read_bytes() == good


def test_a_new_module_folder_is_built(course):
    build(course, ["html"])
    (course / "modules/02-more").mkdir()
    (course / "modules/02-more/lesson.md").write_text("---\ntitle: More\n---\n\nA second module.\n")
    report = build(course, ["html"])
    assert not report.nothing_changed
    assert report.module_count == 2
    assert "A second module." in html_of(course / "output")


def test_a_changed_setting_rebuilds(course):
    build(course, ["html"])
    settings = course / "course.yml"
    settings.write_text(settings.read_text().replace("Tiny course", "Small course"))
    report = build(course, ["html"])
    assert not report.nothing_changed
    assert "Small course" in (course / "output/html/index.html").read_text()


def test_changed_code_or_libraries_rebuild(course, monkeypatch):
    build(course, ["html"])
    monkeypatch.setattr(build_module, "code_digest", lambda: "other code")
    assert not build(course, ["html"]).nothing_changed
    monkeypatch.undo()
    build(course, ["html"])
    assert build(course, ["html"]).nothing_changed
    versions = build_module.installed_versions(build_module.RENDERING_LIBRARIES)
    monkeypatch.setattr(build_module, "installed_versions", lambda names: [*versions[:-1], "99.0"])
    assert not build(course, ["html"]).nothing_changed


def test_a_new_caption_file_beside_a_used_file_rebuilds(course):
    """The loader looks beside a recording for its poster and captions: a new one there is read."""
    (course / "media").mkdir()
    (course / "media/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><title>logo</title></svg>")
    lesson = course / "modules/01-welcome/lesson.md"
    lesson.write_text(lesson.read_text() + "\n![Library logo](../../media/logo.svg)\n")
    build(course, ["html"])
    assert build(course, ["html"]).nothing_changed
    (course / "media/unrelated.png").write_bytes(b"not used")
    assert build(course, ["html"]).nothing_changed
    (course / "media/logo.vtt").write_text("WEBVTT\n")
    assert not build(course, ["html"]).nothing_changed


def test_each_list_of_formats_is_remembered_apart(course):
    build(course, ["html"])
    gift = build(course, ["gift"]).written["gift"]
    assert build(course, ["html"]).nothing_changed
    assert build(course, ["gift"]).nothing_changed
    for path in gift:
        (course / "output" / path).unlink()
    assert build(course, ["html"]).nothing_changed
    assert not build(course, ["gift"]).nothing_changed
    assert all((course / "output" / path).is_file() for path in gift)


def test_compiled_templates_are_kept_for_the_user_never_in_the_course(course, tmp_path, monkeypatch):
    """A course comes from others: compiled code found in it would run outside the sandbox."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (course / "templates").mkdir()
    (course / "templates/base.html").write_text('{% extends "!base.html" %}{% block title %}Own · {{ super() }}{% endblock %}')
    build(course, ["html"])
    kept = list((tmp_path / "user-cache/coursepack/templates").iterdir())
    assert kept and all(p.name.startswith("sandbox-") for p in kept)
    assert not [p for p in course.rglob("*") if p.name.startswith(("sandbox-", "trusted-"))]
    (course / "templates/base.html").write_text('{% extends "!base.html" %}{% block title %}Mine · {{ super() }}{% endblock %}')
    build(course, ["html"])
    assert "<title>Mine · " in (course / "output/html/index.html").read_text()


class _Planted:
    """What someone could leave in a course's cache folder: unpickling it would create a file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_cache_entry_planted_in_the_course_folder_is_never_unpickled(fixture_course, tmp_path):
    # A course folder comes from others, with its .coursepack-cache/ too: an entry this
    # user did not write is not loaded, so nothing in it runs.
    import pickle

    course = fixture_course("packet-engines")
    build(course, ["html"])
    entries = sorted((course / ".coursepack-cache" / "modules").glob("*.pickle"))
    assert len(entries) >= 2
    marker = tmp_path / "ran"
    for entry in entries:
        entry.write_bytes(pickle.dumps(_Planted(marker)))
    module_cache.forget_held()  # as the next build, in a process of its own, starts
    lessons = sorted((course / "modules").glob("*/lesson.md"))
    lessons[0].write_text(lessons[0].read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = build(course, ["html"])
    assert not marker.exists(), "an entry planted in the course's cache was unpickled"
    assert report.unchanged == [] and "One more line." in html_of(course / "output")


def test_a_module_from_the_cache_carries_the_same_files_and_media_types_as_a_fresh_load(tmp_path):
    from coursepack.loading import load_course

    (tmp_path / "course.yml").write_text('id: cached\ntitle: Cached\nversion: "1"\n')
    media = tmp_path / "modules/01-all/media"
    media.mkdir(parents=True)
    (media / "desk.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (media / "form.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "modules/01-all/lesson.md").write_text(
        "---\ntitle: T\n---\n![The desk](media/desk.svg)\n\n[The form](media/form.pdf)\n")
    cache = tmp_path / ".coursepack-cache"

    def files(course):
        return [(a.path, a.data, a.media_type) for a in course.assets]

    fresh = load_course(tmp_path, cache_dir=cache).course
    cached = load_course(tmp_path, cache_dir=cache).course
    assert files(fresh) == files(cached) == files(load_course(tmp_path).course)
    assert [a.media_type for a in cached.assets] == ["image/svg+xml", "application/pdf"]
    assert cached.modules[0].lesson == fresh.modules[0].lesson


def test_files_whose_bytes_did_not_change_are_kept_as_they_were(fixture_course):
    course = fixture_course("packet-engines")
    build(course, ["html"])
    out = course / "output" / "html"
    before = {p.relative_to(out): p.stat() for p in out.rglob("*") if p.is_file()}
    lesson = course / "modules" / "01-greeting" / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(course, ["html"])
    after = {p.relative_to(out): p.stat() for p in out.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    changed = {str(path) for path in after if (after[path].st_ino, after[path].st_mtime_ns)
               != (before[path].st_ino, before[path].st_mtime_ns)}
    # One more line changes no minutes and no outline: only the module's own page is new.
    assert changed == {"greeting.html"}
    assert "One more line." in (out / "greeting.html").read_text(encoding="utf-8")


def test_files_a_build_no_longer_makes_are_removed_as_from_a_clean_build(fixture_course, tmp_path):
    course = fixture_course("packet-engines")
    build(course, ["html"])
    (course / "output" / "html" / "assets" / "extra").mkdir()
    (course / "output" / "html" / "assets" / "extra" / "left.txt").write_text("an old file")
    shutil.rmtree(sorted((course / "modules").iterdir())[-1])
    build(course, ["html"])
    clean = tmp_path / "clean"
    shutil.copytree(course, clean, ignore=shutil.ignore_patterns("output", ".coursepack-cache"))
    build(clean, ["html"], use_cache=False)
    assert tree_digest(course / "output") == tree_digest(clean / "output")
    folders = sorted(p.relative_to(course / "output") for p in (course / "output").rglob("*") if p.is_dir())
    assert folders == sorted(p.relative_to(clean / "output") for p in (clean / "output").rglob("*") if p.is_dir())


def test_a_process_that_builds_again_unpickles_only_what_changed(fixture_course, tmp_path, monkeypatch):
    # `coursepack serve` rebuilds in one process: the modules the last build used are kept in memory.
    import pickle

    course = fixture_course("packet-engines")
    build(course, ["html"])
    reads = []
    monkeypatch.setattr(module_cache.pickle, "loads", lambda data: reads.append(1) or pickle.loads(data))
    lessons = sorted((course / "modules").glob("*/lesson.md"))
    assert len(lessons) >= 2
    lessons[-1].write_text(lessons[-1].read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = build(course, ["html"])
    assert reads == [], "a module the last build used was read from disk again"
    assert report.unchanged == [] and "One more line." in html_of(course / "output")
    clean = shutil.copytree(course, tmp_path / "clean", ignore=shutil.ignore_patterns(".coursepack-cache", "output"))
    build(clean, ["html"], use_cache=False)
    assert tree_digest(course / "output/html") == tree_digest(clean / "output/html")


def test_a_module_cached_by_another_version_or_code_is_loaded_again(tmp_path, monkeypatch):
    from coursepack.loading import load_course

    (tmp_path / "course.yml").write_text('id: cached\ntitle: Cached\nversion: "1"\n')
    (tmp_path / "modules/01-only").mkdir(parents=True)
    (tmp_path / "modules/01-only/lesson.md").write_text("---\ntitle: T\n---\nSome text.\n")
    cache = tmp_path / ".coursepack-cache"
    reused = []
    get = module_cache.ModuleCache.get
    monkeypatch.setattr(module_cache.ModuleCache, "get",
                        lambda self, key, root: reused.append(found := get(self, key, root)) or found)
    load_course(tmp_path, cache_dir=cache)
    load_course(tmp_path, cache_dir=cache)
    assert reused[-1] is not None, "an unchanged module was not reused"
    monkeypatch.setattr(module_cache, "__version__", "99.0")
    load_course(tmp_path, cache_dir=cache)
    assert reused[-1] is None, "a module cached by another version was reused"
    monkeypatch.setattr(module_cache, "code_digest", lambda: "other code")
    load_course(tmp_path, cache_dir=cache)
    assert reused[-1] is None, "a module cached by other code was reused"


def test_the_module_cache_keeps_one_entry_per_module(fixture_course, monkeypatch):
    # Every saved change gives a module a new entry: the old ones must not pile up.
    course = fixture_course("packet-engines")
    (course / "modules/03-extra").mkdir()
    (course / "modules/03-extra/lesson.md").write_text("---\ntitle: Extra\n---\nA third module.\n")
    build(course, ["html"])
    entries = course / ".coursepack-cache" / "modules"
    modules = sorted((course / "modules").iterdir())
    assert len(list(entries.glob("*.pickle"))) == len(modules)
    lesson = modules[0] / "lesson.md"
    for line in ("One more line.", "And another."):
        lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
        build(course, ["html"])
    shutil.rmtree(modules[-1])
    build(course, ["html"])
    assert len(list(entries.glob("*.pickle"))) == len(modules) - 1
    # What is kept is what the next build, in a process of its own, reuses.
    module_cache.forget_held()
    reused = []
    get = module_cache.ModuleCache.get
    monkeypatch.setattr(module_cache.ModuleCache, "get",
                        lambda self, key, root: reused.append(found := get(self, key, root)) or found)
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA last line.\n", encoding="utf-8")
    report = build(course, ["html"])
    assert report.unchanged == [] and "A last line." in html_of(course / "output")
    assert sum(found is not None for found in reused) == len(modules) - 2
