"""The parts of the print step that need no rendering: worksheets, ids, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import FIXTURES
from coursepack.loading import load_course
from coursepack.printing.editions import build_date, css_page_label, format_minutes, module_views, points_needed
from coursepack.printing.html_scope import demote_headings, remote_images, scope_html, without_remote_images
from coursepack.printing.pdf_render import used_assets
from coursepack.printing.worksheet import Worksheet, answer_key, letter, print_order, scrambled, worksheet


@pytest.fixture(scope="module")
def course():
    return load_course(FIXTURES / "pdf-worksheet").course


def test_letters_run_past_z():
    assert [letter(n) for n in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_print_orders_are_fixed_and_an_ordering_task_never_prints_solved():
    assert print_order("q1", 6) == print_order("q1", 6)
    assert sorted(print_order("q1", 6)) == list(range(6))
    for count in range(2, 9):
        for key in ("a", "b", "steps", "order-1", "order-2"):
            assert scrambled(key, count) != list(range(count)), (key, count)


def test_worksheets_carry_no_answers(course):
    module = course.modules[0]
    for number, question in enumerate(module.quiz.questions, start=1):
        sheet = repr(worksheet(number, question, module.quiz))
        assert "correct" not in sheet.lower()
        for secret in ("EXPLAIN-MARKER", "HINT-MARKER", "FEEDBACK-MARKER", "SAMPLE-MARKER", "Xylopelican", "4817"):
            assert secret not in sheet


def test_learner_views_have_no_key_and_no_trainer_notes(course):
    learner, trainer = module_views(course, "learner"), module_views(course, "trainer")
    assert all(m.quiz.key is None for m in learner)
    assert all(m.quiz.key for m in trainer)
    assert not any(s.kind == "trainer" for m in learner for s in m.segments)
    assert any(s.kind == "trainer" for m in trainer for s in m.segments)


def test_the_key_names_the_letters_the_worksheet_printed(course):
    module = course.modules[0]
    single = module.quiz.questions[0]
    printed = {o.html: o.label for o in worksheet(1, single, module.quiz).options}
    key = answer_key(1, single, module.quiz)
    assert [o.label for o in key.answers] == [printed["Gannet"]]
    ordering = module.quiz.questions[6]
    printed = [o.html for o in worksheet(7, ordering, module.quiz).options]  # top to bottom, out of order
    boxes = answer_key(7, ordering, module.quiz).answer_text.split("\u00b7")
    assert [int(n) for n in boxes] == [[i.html for i in ordering.items].index(html) + 1 for html in printed]
    matching = module.quiz.questions[5]
    letters = {o.html: o.label for o in worksheet(6, matching, module.quiz).matches}
    assert [o.label for o in answer_key(6, matching, module.quiz).answers] == [letters[p.match] for p in matching.pairs]


def test_points_needed_to_pass(course):
    quiz = course.modules[0].quiz  # 7 scored questions, one worth 2 points: 8 points, 75 %
    assert quiz.points_possible == 8
    assert points_needed(quiz) == 6


def test_ids_and_links_are_scoped_to_their_module():
    html = ('<h2 id="practice">P</h2><a href="#practice">here</a> <a href="modules/02-next/lesson.md">next</a> '
            '<a href="modules/02-next/lesson.md#intro">intro</a> <a href="modules/01-x/media/form.pdf">form</a> '
            '<a href="https://example.org/">web</a>')
    scoped = scope_html(html, "first", {"02-next": "m-next"})
    assert 'id="m-first--practice"' in scoped and 'href="#m-first--practice"' in scoped
    assert 'href="#m-next"' in scoped and 'href="#m-next--intro"' in scoped
    assert "form.pdf" not in scoped and ">form</a>" in scoped  # a course file cannot be opened on paper
    assert 'href="https://example.org/"' in scoped


def test_lesson_headings_move_below_the_module_title():
    assert demote_headings("<h1 id='a'>A</h1><h2>B</h2>") == "<h2 id='a'>A</h2><h3>B</h3>"


def test_web_images_become_their_alt_text():
    html = '<p><img alt="Logo" src="https://example.org/l.png"> <img alt="Chart" src="modules/a/c.png"></p>'
    assert remote_images(html) == ["https://example.org/l.png"]
    assert without_remote_images(html) == '<p><span class="missing-image">Logo</span> <img alt="Chart" src="modules/a/c.png"></p>'


def test_only_assets_the_document_shows_are_part_of_its_job(course):
    assert [a.path for a in used_assets('<img src="modules/01-first-module/media/chart.png">', "", course.assets)] == [
        "modules/01-first-module/media/chart.png"]
    assert used_assets("<p>no images</p>", "", course.assets) == ()


def test_build_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718236800")
    assert build_date() == dt.date(2024, 6, 13)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == dt.date.today()


def test_page_label_and_durations():
    assert css_page_label("Page {page} of {pages}") == '"Page " counter(page) " of " counter(pages)'
    assert css_page_label('{page}/{pages} "x"') == 'counter(page) "/" counter(pages) " \\"x\\""'
    strings = {"print_minutes": "{n} min", "print_hours": "{h} h", "print_hours_minutes": "{h} h {m} min"}
    assert [format_minutes(n, strings) for n in (45, 60, 150)] == ["45 min", "1 h", "2 h 30 min"]


def test_a_blank_keeps_the_words_on_either_side_of_it():
    sheet = Worksheet(1, "fill_blank", "", blank_before="<p>Riverside uses the word ", blank_after=" for patrons.</p>")
    assert sheet.blank_parts() == ("<p>Riverside uses the ", "word ", " for", " patrons.</p>")
    # A word never takes a tag along, so the glued group stays well-formed HTML.
    sheet = Worksheet(1, "fill_blank", "", blank_before="<p>The ", blank_after=".</p>")
    assert sheet.blank_parts() == ("<p>", "The ", ".", "</p>")


def test_a_small_picture_is_enlarged_to_half_the_measure_but_never_past_its_pixels():
    from coursepack.printing.print_html import figures

    html = '<p><img alt="Icon" src="icon.png" title="A small icon" /></p><p><img alt="Dot" src="dot.png" /></p>'
    out = figures(html, {"icon.png": 100, "dot.png": 10}, measure_mm=130)
    assert '<figure class="figure"><img style="width: 50.0%" alt="Icon"' in out  # 26 mm at 96 dpi, shown 65 mm
    assert "<figcaption>A small icon</figcaption>" in out
    assert 'style="width: 5.1%" alt="Dot"' in out  # 2.5 times its 2.6 mm: no more


# ---------------------------------------------------------------- printing in parts

WORKBOOK = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>
<meta name="dcterms.created" content="2024-06-13">
</head><body class="workbook">
<section class="cover" id="cover"><h1>Cover</h1></section>
<ol class="toc"><li><a href="#m-one">One</a></li><li><a class="x" href="#m-two-quiz">Two</a></li></ol>
<section class="module" id="m-one"><h1>One</h1><p><a href="#m-two">next</a></p></section>
<section class="module" id="m-two"><h1>Two</h1><section class="quiz" id="m-two-quiz"></section></section>
</body></html>"""


def test_a_workbook_is_cut_into_a_front_and_one_part_per_module():
    from coursepack.printing.parts import links_elsewhere, split, with_page_numbers

    front, one, two = split(WORKBOOK)
    assert [front.key, one.key, two.key] == ["front", "m-one", "m-two"]
    assert "Cover" in front.html and "m-one\"><h1>" not in front.html
    assert '<section class="quiz" id="m-two-quiz">' in two.html and two.html.rstrip().endswith("</html>")
    # the build date stays on the front: a module's part must not change every day
    assert "2024-06-13" in front.html and "2024-06-13" not in one.html + two.html
    assert links_elsewhere(front.html) == ["m-one", "m-two-quiz"] and links_elsewhere(one.html) == ["m-two"]
    numbered = with_page_numbers(front.html, {"m-one": 3, "m-two-quiz": 9})
    assert '<a href="#m-one" data-page="3">' in numbered and '<a class="x" href="#m-two-quiz" data-page="9">' in numbered
    # a theme's workbook without module sections prints whole
    assert [p.key for p in split("<html><body><p>all in one</p></body></html>")] == ["front"]


def test_page_numbers_leave_the_parts_and_are_all_the_label_documents_print():
    from coursepack.printing.page_labels import labels_only, without_page_numbers

    css = """@page { size: A4; @top-left { content: "Course"; border-bottom: 1pt solid; }
               @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7pt; } }
             @page cover { @bottom-right { content: none; } }
             p { color: red; }"""
    part = without_page_numbers(css)
    assert 'content: "Course"' in part and "counter(page)" not in part and "color: red" in part
    labels = labels_only(css, first_page=201, total=412)
    assert '"Page " counter(page) " of " "412"' in labels and "font-size: 7pt" in labels
    assert 'content: "Course"' not in labels and "@top-left {content:none}" in labels
    assert "@page :first { counter-reset: page 201 }" in labels
