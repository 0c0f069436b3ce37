"""The packet at scale: pages that do not grow with the course, and a page cache that is never wrong.

Courses are generated here: every module has the same lesson and quiz, so
pages of two courses differ only where the number of modules shows.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from coursepack.build import CACHE_DIR, build
from coursepack.builders.base import BuildContext
from coursepack.builders.html import HtmlBuilder
from coursepack.builders.single import SingleBuilder
from coursepack.loading import load_course
from coursepack.packet.pages import FULL_MAP_LIMIT, MAP_NEIGHBOURS, PacketPages
from coursepack.theme import Theme

from test_commands import tree_digest
from test_packet_browser import _context, run_axe

NEIGHBOURS = 2 * MAP_NEIGHBOURS + 1


def write_course(folder: Path, modules: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "course.yml").write_text('id: long-course\ntitle: A long course\nversion: "1.0"\n', encoding="utf-8")
    for n in range(1, modules + 1):
        module = folder / "modules" / f"{n:03d}-topic-{n}"
        module.mkdir(parents=True)
        (module / "lesson.md").write_text(
            f"---\ntitle: Topic {n}\nminutes: 10\n---\n\n## At the desk\n\n"
            "Greet the person, listen to the whole question, then offer a next step.\n\n"
            '!!! reflect "Your desk"\n    What do you say first?\n',
            encoding="utf-8",
        )
        (module / "quiz.yml").write_text(
            "questions:\n"
            f"  - id: greet-{n}\n    type: single\n    prompt: What comes first?\n    choices:\n"
            "      - text: A greeting\n        correct: true\n      - text: The catalogue\n"
            f"  - id: listen-{n}\n    type: true_false\n    prompt: Listen to the whole question.\n    answer: true\n",
            encoding="utf-8",
        )
    return folder


def packet_of(course_dir: Path) -> dict[str, bytes]:
    course = load_course(course_dir).course
    return HtmlBuilder(BuildContext(theme=Theme(course_dir))).packet_files(course)


def course_map(page: str) -> list[str]:
    """The module titles a module page's course map links to."""
    start = page.index('<nav class="course-map')
    nav = page[start : page.index("</nav>", start)]
    return re.findall(r'<span class="map-title">(?:<span class="visually-hidden">[^<]*</span>)?([^<]*)</span>', nav)


@pytest.fixture(scope="module")
def long_course_dirs(tmp_path_factory) -> dict[int, Path]:
    """Generated courses of 40 and 80 modules, and one short enough to list every module."""
    root = tmp_path_factory.mktemp("long")
    return {n: write_course(root / str(n), n) for n in (FULL_MAP_LIMIT, 40, 80)}


@pytest.fixture(scope="module")
def long_courses(long_course_dirs) -> dict[int, dict[str, bytes]]:
    return {n: packet_of(folder) for n, folder in long_course_dirs.items()}


# ------------------------------------------------------------------ pages that do not grow with the course


def test_module_pages_of_a_long_course_list_their_neighbours_and_link_to_every_module(long_courses):
    packet = long_courses[80]
    middle = packet["topic-40.html"].decode("utf-8")
    assert course_map(middle) == [f"Topic {n}" for n in range(37, 44)]
    assert 'aria-current="page"><span class="map-dot" data-cp="dot" aria-hidden="true">40</span>' in middle
    assert '<a href="index.html#cp-modules-title">' in middle and "All 80 modules" in middle
    # At the ends the window keeps its size rather than running off the course.
    assert course_map(packet["topic-1.html"].decode()) == [f"Topic {n}" for n in range(1, NEIGHBOURS + 1)]
    assert course_map(packet["topic-80.html"].decode()) == [f"Topic {n}" for n in range(81 - NEIGHBOURS, 81)]
    # The home page still lists every module, under the heading the link points to.
    home = packet["index.html"].decode("utf-8")
    assert 'id="cp-modules-title"' in home
    assert len(re.findall(r'<li class="module-card"', home)) == 80


def test_a_course_up_to_the_limit_lists_every_module_on_every_page(long_courses):
    page = long_courses[FULL_MAP_LIMIT]["topic-15.html"].decode("utf-8")
    assert course_map(page) == [f"Topic {n}" for n in range(1, FULL_MAP_LIMIT + 1)]
    assert "cp-modules-title" not in page


def test_module_pages_do_not_grow_with_the_number_of_modules(long_courses):
    # Not the 40-module course's last page: the end of a course has buttons of its own.
    for name in ("topic-1.html", "topic-20.html", "topic-39.html"):
        # "Module 20 of 40" and "of 80": the same length; nothing else may differ in size.
        assert abs(len(long_courses[80][name]) - len(long_courses[40][name])) <= 8, name
    for packet in long_courses.values():
        assert b'"modules":[' not in packet["topic-20.html"]  # the course's data is not in the page


def test_the_course_data_is_one_shared_script_that_every_page_loads(long_courses):
    packet = long_courses[40]
    data = packet["assets/course-data.js"].decode("utf-8")
    assert data.startswith("window.coursepackCourse = {") and data.count('"href":') == 40
    # Its address carries its hash, so that a browser's cached copy of an older one is not used.
    version = hashlib.sha256(packet["assets/course-data.js"]).hexdigest()[:12]
    for path, content in packet.items():
        if path.endswith(".html") and not path.startswith(("modules/", "assets/")):
            text = content.decode("utf-8")
            scripts = re.findall(r'<script src="([^"]+)"></script>', text)
            assert scripts == [f"assets/course-data.js?v={version}", "assets/packet.js"], path


def test_the_single_file_carries_the_course_data_once_and_compact_navigation(long_course_dirs):
    course_dir = long_course_dirs[40]
    course = load_course(course_dir).course
    document = SingleBuilder(BuildContext(theme=Theme(course_dir))).render(course)
    assert document.count('"fingerprint":') == 1
    assert "<script src" not in document
    # 40 views, each with a map of its neighbours: not 40 × 40 entries.
    assert document.count('<span class="map-title">') == 40 * NEIGHBOURS
    assert document.count('<a href="#cp-modules-title">') == 40


def test_a_module_page_of_a_long_course_passes_axe_and_leads_to_the_full_list(browser, js_packages, long_courses, tmp_path):
    packet = tmp_path / "html"
    for path, data in long_courses[40].items():
        (packet / path).parent.mkdir(parents=True, exist_ok=True)
        (packet / path).write_bytes(data)
    session = _context(browser)
    try:
        page = session.open((packet / "topic-20.html").as_uri())
        assert page.evaluate("window.coursepackCourse.course.modules.length") == 40
        assert page.locator(".course-map li").count() == NEIGHBOURS
        assert run_axe(page, js_packages) == []
        page.get_by_role("link", name="All 40 modules").click()
        page.wait_for_url(re.compile(r"index\.html#cp-modules-title$"))
        assert page.locator(".module-card").count() == 40
        # The visit was recorded through the shared data: the home page shows it.
        assert "In progress" in page.locator('.module-card[data-module="19"]').inner_text()
    finally:
        session.context.close()
    assert session.strays == [] and session.errors == []


# ------------------------------------------------------------------ the page cache


@pytest.fixture
def cached_course(tmp_path):
    return write_course(tmp_path / "course", 12)


def rendered_pages(monkeypatch) -> list[str]:
    """Collects the name of every page the packet renders from now on."""
    names: list[str] = []
    for kind in ("home", "completion"):
        original = getattr(PacketPages, kind)
        monkeypatch.setattr(PacketPages, kind, lambda self, original=original, kind=kind: names.append(kind) or original(self))
    module = PacketPages.module
    monkeypatch.setattr(PacketPages, "module", lambda self, page: names.append(page.id) or module(self, page))
    return names


def clean_build_of(course_dir: Path, tmp_path: Path) -> dict[str, str]:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(course_dir, clean, ignore=shutil.ignore_patterns("output", CACHE_DIR))
    build(clean, ["html"], use_cache=False)
    return tree_digest(clean / "output")


def test_a_changed_lesson_renders_only_its_own_page_again(cached_course, monkeypatch):
    first = build(cached_course, ["html"])
    assert any("14 pages rendered" in note for note in first.notes), first.notes
    lesson = cached_course / "modules/005-topic-5/lesson.md"
    lesson.write_text(lesson.read_text() + "\nA sentence added to module five.\n")
    rendered = rendered_pages(monkeypatch)
    second = build(cached_course, ["html"])
    assert rendered == ["topic-5"]
    assert any("1 page rendered, 13 unchanged" in note for note in second.notes), second.notes
    assert "A sentence added to module five." in (cached_course / "output/html/topic-5.html").read_text()


def test_a_build_from_the_cache_equals_a_clean_build_after_each_kind_of_change(cached_course, tmp_path, monkeypatch):
    build(cached_course, ["html"])
    rendered = rendered_pages(monkeypatch)
    changes = {
        "lesson": lambda: _append(cached_course / "modules/003-topic-3/lesson.md", "\nMore on module three.\n"),
        # A title shows in the neighbours' navigation, on the home page and in the course data.
        "title": lambda: _replace(cached_course / "modules/007-topic-7/lesson.md", "title: Topic 7", "title: Renamed seven"),
        # A third choice changes the fingerprint of the saved state in the course data.
        "choices": lambda: _replace(
            cached_course / "modules/002-topic-2/quiz.yml", "The catalogue\n", "The catalogue\n      - text: A shrug\n"
        ),
        # A course's own template may show anything of other modules, such as the next one's length.
        "template": lambda: _write(
            cached_course / "templates/module.html",
            '{% extends "!module.html" %}{% block title %}Riverside · {{ super() }} · next: '
            '{{ next.module.lesson.word_count if next else 0 }} words{% endblock %}',
        ),
        "lesson shown by the course's template on another page": lambda: _append(
            cached_course / "modules/009-topic-9/lesson.md", "\nFive more words for nine.\n"
        ),
        "strings": lambda: _write(cached_course / "templates/i18n/en/packet.yml", "packet_finish: All done\n"),
        "course": lambda: _replace(cached_course / "course.yml", "title: A long course", "title: A longer course"),
    }
    for name, change in changes.items():
        change()
        rendered.clear()
        build(cached_course, ["html"])
        assert rendered, f"{name}: nothing rendered again"
        assert tree_digest(cached_course / "output") == clean_build_of(cached_course, tmp_path), name
    assert "Renamed seven" in (cached_course / "output/html/topic-8.html").read_text()
    assert "All done" in (cached_course / "output/html/topic-12.html").read_text()


def test_a_damaged_cache_entry_is_rendered_again(cached_course, tmp_path, monkeypatch):
    build(cached_course, ["html"])
    entries = sorted((cached_course / CACHE_DIR / "packet").glob("*.html"))
    assert len(entries) == 14
    entries[0].write_bytes(entries[0].read_bytes()[:-40])  # cut short
    entries[1].write_bytes(entries[1].read_bytes().replace(b"Topic", b"Tapic"))  # changed
    entries[2].write_bytes(b"")
    (cached_course / "output").rename(tmp_path / "old-output")  # so that the format is built again
    rendered = rendered_pages(monkeypatch)
    build(cached_course, ["html"])
    assert len(rendered) == 3
    assert tree_digest(cached_course / "output") == clean_build_of(cached_course, tmp_path)


def test_the_cache_keeps_one_entry_per_page(cached_course):
    build(cached_course, ["html"])
    for n in range(3):
        _append(cached_course / "modules/001-topic-1/lesson.md", f"\nChange {n}.\n")
        build(cached_course, ["html"])
    entries = [p.name for p in (cached_course / CACHE_DIR / "packet").iterdir()]
    assert len(entries) == 14 and len([e for e in entries if e.startswith("topic-1-")]) == 1


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
