"""The offline packet in a real browser: Chromium opens the built sample course from disk.

Every test runs in a fresh browser context that refuses and records any request
that would leave the disk, and any console error; either fails the test.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coursepack.loading import load_course
from coursepack.model import (
    FillBlank,
    Matching,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    SingleChoice,
    TrueFalse,
)
from coursepack.packet.quiz_view import plain_text
from coursepack.packet.state import worst_case_state_size

try:
    from playwright.sync_api import expect
except ImportError:  # then the browser fixture skips, or fails under CI=true
    expect = None

REPO = Path(__file__).resolve().parent.parent
LOCAL = ("file:", "data:", "blob:", "about:")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def course():
    return load_course(REPO).course


@pytest.fixture(scope="module")
def packet(sample_build) -> Path:
    return sample_build / "html"


@dataclass
class Offline:
    """A browser context for pages opened from disk, with what they tried to do."""

    context: object
    strays: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str):
        page = self.context.new_page()
        page.goto(url)
        return page


def _context(browser, allow: tuple[str, ...] = (), **options) -> Offline:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    options.setdefault("reduced_motion", "reduce")
    context = browser.new_context(**options)
    offline = Offline(context)
    allowed = LOCAL + allow

    def on_request(request):
        if not request.url.startswith(allowed):
            offline.strays.append(request.url)

    def on_console(message):
        if message.type == "error":
            offline.errors.append(message.text)

    context.on("request", on_request)
    context.on("console", on_console)
    context.on("weberror", lambda error: offline.errors.append(str(error.error)))
    context.route(lambda url: not url.startswith(allowed), lambda route: route.abort())
    context.route_web_socket(re.compile(".*"), lambda socket: socket.close())
    return offline


@pytest.fixture
def offline(browser):
    session = _context(browser)
    yield session
    session.context.close()
    assert session.strays == [], "the packet asked for something beyond the disk"
    assert session.errors == [], "the packet wrote errors to the console"


def url(packet: Path, page: str = "index.html") -> str:
    return (packet / page).as_uri()


def state_key(course) -> str:
    return f"coursepack:{course.id}:{course.version}"


def saved_state(page, course) -> dict | None:
    return page.evaluate("key => JSON.parse(localStorage.getItem(key))", state_key(course))


def module_of(course, kind: str):
    """The first module whose quiz has a question of type `kind`."""
    return next(m for m in course.modules if m.quiz and any(q.type == kind for q in m.quiz.questions))


def _exact(text: str) -> re.Pattern:
    return re.compile(r"^\s*" + re.escape(text) + r"\s*$")


# ------------------------------------------------------------------ answering as a learner would


def answer(page, question, right: bool = True, text: str | None = None) -> None:
    """Give a right or a wrong answer to `question` with its controls, then check it."""
    box = page.locator(f"#q-{question.id}")
    if isinstance(question, (SingleChoice, MultipleChoice)):
        if isinstance(question, SingleChoice):
            wanted = [next(c for c in question.choices if c.correct == right)]
        else:
            correct = [c for c in question.choices if c.correct]
            wanted = correct if right else correct[:1] + [c for c in question.choices if not c.correct][:1]
        for choice in wanted:
            label = box.locator(".choice label").filter(has=page.locator(".choice-text", has_text=_exact(plain_text(choice.text.html))))
            label.click()
    elif isinstance(question, TrueFalse):
        value = "true" if question.answer == right else "false"
        box.locator(f"label[for='q-{question.id}-{value}']").click()
    elif isinstance(question, FillBlank):
        box.locator("input").fill(text if text is not None else f"  {question.answers[0].upper()} " if right else "something else")
    elif isinstance(question, Numeric):
        value = question.answer if right else question.answer + question.tolerance + 1
        box.locator("input").fill(text if text is not None else f"{value:g}")
    elif isinstance(question, Matching):
        for row, pair in enumerate(question.pairs):
            if right:
                label = pair.match
            else:
                label = next(o for o in question.options if o != pair.match)
            box.locator(f"#q-{question.id}-r{row}").select_option(label=label)
    elif isinstance(question, Ordering):
        if right:
            put_in_order(page, box, [plain_text(item.html) for item in question.items])
    elif isinstance(question, Open):
        box.locator("textarea").fill(text or "A private answer that must stay in this browser.")
    box.locator('[data-cp="check"]').click()


def put_in_order(page, box, wanted: list[str]) -> None:
    """Reorder with the keyboard only: focus a "Move up" button, press Enter."""
    for target, text in enumerate(wanted):
        while True:
            shown = [re.sub(r"\s+", " ", t).strip() for t in box.locator(".order-text").all_inner_texts()]
            position = shown.index(text)
            if position == target:
                break
            box.locator(".order-item").nth(position).locator('button[data-move="-1"]').press("Enter")


def drawn(page, module) -> list:
    """The module's questions this attempt shows, in the order shown."""
    shown = f'[data-cp="quiz"][data-module="{module.number - 1}"] .question-item:not([hidden]) [data-cp="question"]'
    ids = page.locator(shown).evaluate_all("els => els.map(e => e.id.slice(2))")
    by_id = {q.id: q for q in module.quiz.questions}
    return [by_id[i] for i in ids]


def answer_all(page, module, right: bool = True) -> None:
    for question in drawn(page, module):
        answer(page, question, right)


def answer_module_right(page, course, number: int) -> None:
    """Answer every question of module `number` right, checking the feedback of each."""
    module = course.modules[number]
    questions = drawn(page, module)
    expected = min(module.quiz.pick or 99, len(module.quiz.scored_questions)) + sum(not q.scored for q in module.quiz.questions)
    assert len(questions) == expected
    for position, question in enumerate(questions, start=1):
        box = page.locator(f"#q-{question.id}")
        expect(box.locator(".question-number")).to_have_text(f"Question {position} of {len(questions)}")
        answer(page, question, right=True)
        feedback = box.locator('[data-cp="feedback"]')
        if question.scored:
            expect(feedback).to_have_class(re.compile("is-correct"))
            expect(feedback.locator(".feedback-title")).to_contain_text("Correct")
            expect(feedback).to_contain_text(f"Points: {question.points:g} of {question.points:g}")
            if question.feedback and question.feedback.correct:
                expect(feedback).to_contain_text(plain_text(question.feedback.correct.html))
            expect(box.locator('[data-cp="check"]')).to_have_attribute("aria-disabled", "true")
        else:
            expect(feedback).to_contain_text("Your answer is saved.")
        if question.explanation:
            expect(feedback.locator(".explanation")).to_contain_text(plain_text(question.explanation.html)[:60])
    result = page.locator('[data-cp="quiz-result"]')
    expect(result).to_have_class(re.compile("is-passed"))
    expect(result).to_contain_text("100%")
    expect(result).to_contain_text(f"Passed. The passing score is {module.quiz.passing_score:g}%.")
    entry = saved_state(page, course)["m"][number]
    assert entry["a"] == 1 and entry["b"] == 100


def run_axe(page, js_packages: Path) -> list:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(js_packages / "axe-core" / "axe.min.js"))
    # preload: false, or axe itself tries to fetch the stylesheets, which a file:// page may not do.
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, preload: false})", AXE_TAGS)
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


# ------------------------------------------------------------------ home page


def test_home_page_shows_the_course_and_each_module_status(offline, packet, course):
    page = offline.open(url(packet))
    expect(page).to_have_title(course.title)
    expect(page.locator("h1")).to_have_text(course.title)
    body = page.locator("main")
    expect(body).to_contain_text("Front-desk and circulation staff")
    expect(body).to_contain_text("2 h 30 min")
    cards = page.locator(".module-card")
    expect(cards).to_have_count(len(course.modules))
    for index, module in enumerate(course.modules):
        expect(cards.nth(index)).to_contain_text(module.title)
        expect(cards.nth(index).locator(".badge")).to_have_text("Not started")
    expect(page.locator(".topbar")).to_contain_text("0 of 6 modules complete")
    start = page.locator('[data-cp="continue"]')
    expect(start).to_have_text("Start the course")
    start.click()
    expect(page).to_have_url(url(packet, f"{course.modules[0].id}.html"))


def test_module_page_has_objectives_lesson_contents_and_navigation(offline, packet, course):
    module = course.modules[1]
    page = offline.open(url(packet, f"{module.id}.html"))
    expect(page.locator("h1")).to_have_text(module.title)
    expect(page.locator(".eyebrow")).to_contain_text("Module 2 of 6")
    expect(page.locator(".objectives li")).to_have_count(len(module.objectives))
    toc = page.locator("nav.toc a")
    assert toc.all_inner_texts()[1 : 1 + len(module.lesson.toc)] == [e.title for e in module.lesson.toc]
    image = page.locator(".lesson img")
    expect(image).to_have_attribute("alt", re.compile("service desk zones"))
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator('a[rel="prev"]')).to_have_attribute("href", f"{course.modules[0].id}.html")
    expect(page.locator('a[rel="next"]')).to_have_attribute("href", f"{course.modules[2].id}.html")
    expect(page.locator(".course-map [aria-current=page]")).to_contain_text(module.title)
    # Opening the page counts as a visit.
    expect(page.locator(".module-status .badge")).to_have_text("In progress")
    assert saved_state(page, course)["m"][1]["v"] == 1


# ------------------------------------------------------------------ quizzes


@pytest.mark.parametrize("number", range(6))
def test_wrong_answers_get_feedback_and_fail_and_axe_finds_nothing_before_or_after(offline, packet, course, js_packages, number):
    module = course.modules[number]
    page = offline.open(url(packet, f"{module.id}.html"))
    assert run_axe(page, js_packages) == []
    for question in drawn(page, module):
        answer(page, question, right=False)
        box = page.locator(f"#q-{question.id}")
        feedback = box.locator('[data-cp="feedback"]')
        if not question.scored:
            continue
        expect(feedback).to_have_class(re.compile("is-incorrect"))
        expect(feedback.locator(".feedback-title")).to_contain_text("Not quite")
        expect(feedback).to_contain_text("Points: 0 of 1")
        if question.feedback and question.feedback.incorrect:
            expect(feedback).to_contain_text(plain_text(question.feedback.incorrect.html))
        if isinstance(question, SingleChoice):
            chosen = next(c for c in question.choices if not c.correct)
            marked = box.locator(".choice.is-incorrect")
            expect(marked).to_have_count(1)
            expect(marked.locator(".mark")).to_have_text("Incorrect")
            if chosen.feedback:
                expect(marked.locator(".choice-feedback")).to_have_text(plain_text(chosen.feedback.html))
        if isinstance(question, MultipleChoice):
            expect(box.locator(".choice.is-correct")).to_have_count(1)
            expect(box.locator(".choice.is-incorrect")).to_have_count(1)
            expect(feedback).to_contain_text("You did not select every correct answer.")
        if isinstance(question, Matching):
            expect(box.locator(".match-row.is-incorrect")).to_have_count(len(question.pairs))
            expect(box.locator(".match-row .mark").first).to_have_text("Incorrect")
        if isinstance(question, Ordering):
            assert box.locator(".order-item.is-incorrect").count() >= 1
        if isinstance(question, TrueFalse):
            expect(box.locator(".choice.is-incorrect .mark")).to_have_text("Incorrect")
    result = page.locator('[data-cp="quiz-result"]')
    expect(result).to_have_class(re.compile("is-failed"))
    expect(result).to_contain_text("0%")
    expect(result).to_contain_text("Not passed yet.")
    expect(page.locator(".module-status .badge")).to_have_text("Not passed · 0%")
    hint = page.locator('[data-cp="hint-toggle"]')
    if hint.count():
        hint.first.click()
    assert run_axe(page, js_packages) == []
    # With every kind of feedback showing, the page still reflows at 320 px and at 200% zoom.
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 720})
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, width


def test_score_is_points_earned_over_possible_against_the_passing_score(offline, packet, course):
    module = course.modules[0]  # five questions of one point, passing score 80
    page = offline.open(url(packet, f"{module.id}.html"))
    for position, question in enumerate(drawn(page, module)):
        answer(page, question, right=position != 0)
    result = page.locator('[data-cp="quiz-result"]')
    expect(result).to_contain_text("80%")
    expect(result).to_have_class(re.compile("is-passed"))
    result.locator('[data-cp="retry"]').click()
    expect(page.locator('[data-cp="attempt"]')).to_contain_text("Attempt 2")
    expect(page.locator('.question [data-cp="feedback"].is-correct')).to_have_count(0)
    for position, question in enumerate(drawn(page, module)):
        answer(page, question, right=position >= 2)
    expect(result).to_contain_text("60%")
    expect(result).to_contain_text("Not passed yet.")
    expect(result).to_contain_text("Best score so far: 80%")
    # The best attempt counts.
    expect(page.locator(".module-status .badge")).to_have_text("Passed · 80%")
    assert saved_state(page, course)["m"][0]["b"] == 80


def test_typed_answers_are_compared_as_the_contract_says(offline, packet, course):
    module = module_of(course, "fill_blank")
    page = offline.open(url(packet, f"{module.id}.html"))
    fill = next(q for q in module.quiz.questions if isinstance(q, FillBlank))
    numeric = next(q for q in module.quiz.questions if isinstance(q, Numeric))
    box = page.locator(f"#q-{numeric.id}")
    box.locator("input").fill("ten")
    box.locator('[data-cp="check"]').click()
    expect(box.locator('[data-cp="feedback"]')).to_have_text(re.compile("Type a number"))
    answer(page, numeric, text=" 10.0 ")
    expect(box.locator('[data-cp="feedback"]')).to_have_class(re.compile("is-correct"))
    answer(page, fill, text="  PaTrOnS  ")
    expect(page.locator(f"#q-{fill.id} [data-cp='feedback']")).to_have_class(re.compile("is-correct"))


def test_hint_on_request_and_nothing_checked_without_an_answer(offline, packet, course):
    module, question = next(
        (m, q) for m, quiz in course.quizzes for q in quiz.questions if q.hint and isinstance(q, SingleChoice)
    )
    page = offline.open(url(packet, f"{module.id}.html"))
    box = page.locator(f"#q-{question.id}")
    hint = box.locator(".hint")
    expect(hint).to_be_hidden()
    toggle = box.locator('[data-cp="hint-toggle"]')
    toggle.click()
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(plain_text(question.hint.html))
    expect(toggle).to_have_attribute("aria-expanded", "true")
    box.locator('[data-cp="check"]').click()
    expect(box.locator('[data-cp="feedback"]')).to_have_text("Choose an answer first.")
    assert saved_state(page, course)["m"][course.modules.index(module)].get("r") == {}


def test_everything_works_by_keyboard_with_a_visible_focus_ring(offline, packet, course):
    module = module_of(course, "true_false")
    page = offline.open(url(packet, f"{module.id}.html"))
    question = next(q for q in module.quiz.questions if isinstance(q, TrueFalse))
    box = page.locator(f"#q-{question.id}")
    box.locator("input").first.focus()
    page.keyboard.press("Space")
    ring = box.locator("input:focus + label").evaluate("label => getComputedStyle(label).outlineStyle")
    assert ring == "solid"
    # Move to the answer the question wants with the arrow keys, then Tab to the check button.
    target = "true" if question.answer else "false"
    while page.evaluate("document.activeElement.value") != target:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.dataset.cp, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["check", "solid"]
    page.keyboard.press("Enter")
    expect(box.locator('[data-cp="feedback"]')).to_have_class(re.compile("is-correct"))
    # The result is announced, and the focus stays where the learner is.
    expect(box.locator('[data-cp="feedback"]')).to_have_attribute("aria-live", "polite")
    assert page.evaluate("document.activeElement.dataset.cp") == "check"


_FIRST_TABBABLE = """root => Array.from(root.querySelectorAll('a[href], button, input, select, textarea, summary, video[controls], audio[controls], [tabindex]'))
    .find(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0)"""


def _skip_to_the_lesson(page) -> None:
    """Tab to the skip link, the page's first stop, and follow it with Enter."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")


def test_skip_link_lands_on_the_lesson_past_the_contents_and_course_map(offline, packet, course):
    module = course.modules[1]
    page = offline.open(url(packet, f"{module.id}.html"))
    _skip_to_the_lesson(page)
    lesson = page.locator(".module-main")
    expect(lesson).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is the lesson's first link or control, not "Course home" or the sidebar's links.
    assert page.evaluate("document.activeElement === (%s)(document.querySelector('.module-main'))" % _FIRST_TABBABLE)
    assert page.evaluate("!!document.activeElement.closest('.module-main .lesson')")


def test_skip_link_of_the_single_file_stays_in_the_module_shown(offline, sample_build, course):
    module = course.modules[2]
    page = offline.open(f"{(sample_build / f'{course.id}.html').as_uri()}#view-{module.id}")
    view = page.locator(f"#view-{module.id}")
    expect(view).to_be_visible()
    # Opened at a view's address, the browser starts Tab from that view: go to the skip link itself.
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    expect(view).to_be_visible()
    expect(view.locator(".module-main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#view-%s .module-main .lesson')" % module.id)


_BLOCKS = {
    "note": ".lesson .admonition.note",
    "tip": ".lesson .admonition.tip",
    "warning": ".lesson .admonition.warning",
    "scenario": ".lesson .callout.scenario",
    "reflect": ".lesson .callout.reflect",
}
_LOOK = """block => {
  const style = getComputedStyle(block), title = block.querySelector('.admonition-title, .callout-kind');
  const icon = title && title.querySelector('svg.icon');
  return {look: [style.backgroundColor, style.borderLeftColor, getComputedStyle(title).color].join(' '),
          icon: icon ? icon.innerHTML : null, bar: parseFloat(style.borderLeftWidth),
          weight: +getComputedStyle(title).fontWeight};
}"""


def test_each_lesson_block_type_has_a_look_and_an_icon_of_its_own(offline, packet, course, js_packages):
    module = next(m for m in course.modules if m.id == "policies-with-a-human-face")
    page = offline.open(url(packet, f"{module.id}.html"))
    looks = {name: page.locator(selector).first.evaluate(_LOOK) for name, selector in _BLOCKS.items()}
    assert all(look["icon"] for look in looks.values()), looks
    assert len({look["look"] for look in looks.values()}) == len(looks), looks
    assert len({look["icon"] for look in looks.values()}) == len(looks), looks
    # A warning reads as one: not the scenario's colours, a heavier bar and title than a note.
    assert looks["warning"]["look"] != looks["scenario"]["look"] and looks["tip"]["look"] != looks["reflect"]["look"]
    assert looks["warning"]["bar"] > looks["note"]["bar"] and looks["warning"]["weight"] > looks["note"]["weight"]
    assert run_axe(page, js_packages) == []


def test_ordering_moves_are_announced_and_buttons_stop_at_the_ends(offline, packet, course):
    module = module_of(course, "ordering")
    page = offline.open(url(packet, f"{module.id}.html"))
    question = next(q for q in module.quiz.questions if isinstance(q, Ordering))
    box = page.locator(f"#q-{question.id}")
    expect(box.locator(".order-item").first.locator('button[data-move="-1"]')).to_be_disabled()
    expect(box.locator(".order-item").last.locator('button[data-move="1"]')).to_be_disabled()
    second = box.locator(".order-item").nth(1)
    moved = re.sub(r"\s+", " ", second.locator(".order-text").inner_text()).strip()
    second.locator('button[data-move="-1"]').focus()
    page.keyboard.press("Enter")
    expect(box.locator(".order-text").first).to_have_text(moved)
    expect(page.locator('[data-cp="announce"]')).to_have_text(f"Moved to position 1 of {len(question.items)}: {moved}")
    # The moved item's "Move up" button is now disabled, so the focus went to its "Move down".
    assert page.evaluate("document.activeElement.dataset.move") == "1"
    name = box.locator(".order-item").first.locator('button[data-move="1"]').evaluate(
        "b => b.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent.trim()).join(' ')"
    )
    assert name == f"Move down {moved}"


def test_answers_scores_and_notes_survive_a_reload(offline, packet, course):
    module = course.modules[1]
    page = offline.open(url(packet, f"{module.id}.html"))
    questions = drawn(page, module)
    answer(page, questions[0], right=False)
    answer(page, questions[1], right=True)
    reflection = page.locator("textarea[data-note]").first
    reflection.fill("Note to self: I say 'Next!' too often.")
    page.wait_for_timeout(600)  # notes are saved shortly after typing stops
    orders = page.locator(".choice-text, .match-prompt, .order-text").all_inner_texts()
    page.reload()
    assert page.locator(".choice-text, .match-prompt, .order-text").all_inner_texts() == orders
    for question, verdict in ((questions[0], "is-incorrect"), (questions[1], "is-correct")):
        box = page.locator(f"#q-{question.id}")
        expect(box.locator('[data-cp="feedback"]')).to_have_class(re.compile(verdict))
        expect(box.locator('[data-cp="check"]')).to_have_attribute("aria-disabled", "true")
    expect(page.locator("textarea[data-note]").first).to_have_value("Note to self: I say 'Next!' too often.")
    expect(page.locator('[data-cp="attempt"]')).to_contain_text("2 of 5 questions answered")
    home = offline.open(url(packet))
    expect(home.locator(".module-card").nth(1).locator(".badge")).to_have_text("In progress")
    expect(home.locator('[data-cp="continue"]')).to_have_text("Continue the course")
    expect(home.locator('[data-cp="continue"]')).to_have_attribute("href", f"{module.id}.html")
    expect(home.locator('[data-cp="next-up"]')).to_have_text(f"Up next: {module.title}")


def test_max_attempts_ends_retries_and_each_attempt_reshuffles(offline, packet, course):
    module = next(m for m in course.modules if m.quiz and m.quiz.max_attempts)
    page = offline.open(url(packet, f"{module.id}.html"))
    orders = []
    for attempt in range(1, module.quiz.max_attempts + 1):
        expect(page.locator('[data-cp="attempt"]')).to_contain_text(f"Attempt {attempt} of {module.quiz.max_attempts}")
        orders.append(tuple(page.locator(".choice-text, .match-prompt").all_inner_texts()))
        answer_all(page, module, right=False)
        retry = page.locator('[data-cp="retry"]')
        if attempt < module.quiz.max_attempts:
            expect(page.locator('[data-cp="quiz-result"]')).to_contain_text(f"Attempts left: {module.quiz.max_attempts - attempt}")
            retry.click()
    expect(page.locator('[data-cp="retry"]')).to_have_count(0)
    expect(page.locator('[data-cp="quiz-result"]')).to_contain_text(
        f"You have used your {module.quiz.max_attempts} attempts. Ask your trainer to reset this quiz."
    )
    expect(page.locator('[data-cp="quiz-result"]')).to_contain_text("Not passed. The passing score")
    assert len(set(orders)) > 1, "choices were not reshuffled between attempts"
    page.reload()
    expect(page.locator('[data-cp="retry"]')).to_have_count(0)
    assert saved_state(page, course)["m"][course.modules.index(module)]["a"] == module.quiz.max_attempts


def test_pick_draws_a_new_set_of_questions_per_attempt(offline, packet, course):
    module = next(m for m in course.modules if m.quiz and m.quiz.pick)
    page = offline.open(url(packet, f"{module.id}.html"))
    drawn_sets = set()
    for _ in range(12):  # the same draw twelve times running has a chance below 1 in 10 million
        questions = drawn(page, module)
        assert len(questions) == module.quiz.pick
        expect(page.locator(".question-item:not([hidden])")).to_have_count(module.quiz.pick)
        drawn_sets.add(frozenset(q.id for q in questions))
        if len(drawn_sets) > 1:
            break
        answer_all(page, module, right=True)
        page.locator('[data-cp="retry"]').click()
    assert len(drawn_sets) > 1


# ------------------------------------------------------------------ completion, certificate, reset


def test_right_answers_to_every_question_pass_every_quiz_and_earn_a_printable_certificate(offline, packet, course, js_packages):
    for number, module in enumerate(course.modules):
        page = offline.open(url(packet, f"{module.id}.html"))
        answer_module_right(page, course, number)
        page.close()
    home = offline.open(url(packet))
    expect(home.locator(".topbar")).to_contain_text("6 of 6 modules complete")
    expect(home.locator('[data-cp="summary-score"]')).to_have_text("Course score: 100%")
    expect(home.locator('[data-cp="continue"]')).to_have_text("Review the course")
    for index in range(len(course.modules)):
        expect(home.locator(".module-card").nth(index).locator(".badge")).to_have_text("Passed · 100%")
    home.locator('[data-cp="certificate-link"]').click()
    expect(home).to_have_url(url(packet, "completion.html"))
    expect(home.locator("h1:visible")).to_have_text("Course complete")
    name = home.locator('[data-cp="certificate-name"]')
    name.fill("Ada Lovelace")
    certificate = home.locator(".certificate")
    expect(certificate).to_contain_text("Ada Lovelace")
    expect(certificate).to_contain_text(course.title)
    expect(certificate).to_contain_text("Completed on")
    expect(certificate).to_contain_text("Course score: 100%")
    assert run_axe(home, js_packages) == []
    home.reload()
    expect(name).to_have_value("Ada Lovelace")
    # The seal never covers the certificate's details, from a phone to a wide screen.
    for width in (375, 1024, 1280, 1600, 1920):
        home.set_viewport_size({"width": width, "height": 900})
        seal, meta = (home.locator(f".certificate {part}").bounding_box() for part in (".certificate-seal", ".certificate-meta"))
        assert seal["y"] >= meta["y"] + meta["height"] or seal["x"] >= meta["x"] + meta["width"], width
    home.emulate_media(media="print")
    expect(home.locator(".topbar")).to_be_hidden()
    expect(home.locator(".completion-intro")).to_be_hidden()
    expect(name).to_be_hidden()
    expect(certificate).to_be_visible()
    # Printed: one landscape page, like the PDF certificate.
    from pypdf import PdfReader

    printed = PdfReader(io.BytesIO(home.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    box = printed.pages[0].mediabox
    assert box.width > box.height
    assert "Ada Lovelace" in printed.pages[0].extract_text()


def test_reset_my_progress_forgets_everything(offline, packet, course):
    module = course.modules[0]
    page = offline.open(url(packet, f"{module.id}.html"))
    answer(page, drawn(page, module)[0])
    page.locator("textarea[data-note]").first.fill("private")
    page.wait_for_timeout(600)
    page.goto(url(packet))
    expect(page.locator(".module-card").first.locator(".badge")).to_have_text("In progress")
    page.locator('[data-cp="reset"]').click()
    dialog = page.locator('[data-cp="reset-dialog"]')
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator('[data-cp="reset"]')).to_be_focused()
    page.locator('[data-cp="reset"]').click()
    dialog.get_by_role("button", name="Yes, reset").click()
    expect(page.locator('[data-cp="announce"]')).to_have_text("Your progress has been reset.")
    expect(page.locator(".module-card").first.locator(".badge")).to_have_text("Not started")
    expect(page.locator(".topbar")).to_contain_text("0 of 6 modules complete")
    assert page.evaluate("key => localStorage.getItem(key + ':notes')", state_key(course)) is None


# ------------------------------------------------------------------ the saved state's size


def test_the_largest_state_the_script_saves_stays_within_the_computed_bound(offline, packet, course):
    bound = worst_case_state_size(course)
    for module in course.modules:
        page = offline.open(url(packet, f"{module.id}.html"))
        for question in drawn(page, module):
            box = page.locator(f"#q-{question.id}")
            if isinstance(question, FillBlank):
                answer(page, question, text='"\\' * 40)  # maxlength keeps 60 of them
            elif isinstance(question, Numeric):
                answer(page, question, text="9" * 30)
            elif isinstance(question, MultipleChoice):
                for label in box.locator(".choice label").all():
                    label.click()
                box.locator('[data-cp="check"]').click()
            elif isinstance(question, Matching):
                for select in box.locator("select").all():
                    select.select_option(index=len(question.options))
                box.locator('[data-cp="check"]').click()
            elif isinstance(question, Open):
                answer(page, question, text="x" * 5000)
            else:
                answer(page, question, right=False)
        page.close()
    page = offline.open(url(packet))
    stored = page.evaluate("key => localStorage.getItem(key)", state_key(course))
    state = json.loads(stored)
    assert all("x" * 100 not in json.dumps(entry) for entry in state["m"]), "an open answer entered the state"
    assert len(stored) <= bound
    assert len(stored) >= bound * 0.9, "the bound is far from what the script really saves"


# ------------------------------------------------------------------ an LMS host


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


HOST_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script>
window.records = {saves: [], progress: [], interactions: [], loads: 0};
window.saved = null;
window.coursepackHost = {
  load: function () { window.records.loads++; return window.saved; },
  save: function (state) { window.saved = state; window.records.saves.push(JSON.stringify(state)); },
  progress: function (summary) { window.records.progress.push(summary); },
  interaction: function (record) { window.records.interactions.push(record); }
};
</script></head><body><iframe id="course" title="Course" src="course/{page}" style="width:100%;height:90vh"></iframe></body></html>"""


@pytest.fixture
def served(packet, tmp_path):
    """The packet under course/ beside a host page, served from 127.0.0.1 (one origin, as in an LMS)."""
    shutil.copytree(packet, tmp_path / "course")
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_host_gets_the_state_progress_and_every_checked_answer(browser, served, course):
    folder, origin = served
    session = _context(browser, allow=(origin,))
    try:
        module = course.modules[1]  # single, matching, ordering, true_false, open
        (folder / "host.html").write_text(HOST_PAGE.replace("{page}", f"{module.id}.html"), encoding="utf-8")
        page = session.context.new_page()
        page.goto(f"{origin}/host.html")
        frame = page.frame_locator("#course")
        expect(frame.locator("h1")).to_have_text(module.title)
        inner = page.frame(url=re.compile(r"/course/"))
        questions = drawn(inner, module)
        for position, question in enumerate(questions):
            answer(inner, question, right=position % 2 == 0, text="My private thoughts" if not question.scored else None)
        records = page.evaluate("window.records")
        assert records["loads"] == 1
        # State goes to the host instead of localStorage; private notes never do.
        assert inner.evaluate("key => localStorage.getItem(key)", state_key(course)) is None
        assert all("My private thoughts" not in saved for saved in records["saves"])
        assert "My private thoughts" in inner.evaluate("key => localStorage.getItem(key + ':notes')", state_key(course))
        last = json.loads(records["saves"][-1])
        assert last["v"] == 1 and len(last["m"]) == len(course.modules) and last["m"][1]["v"] == 1
        # One interaction per checked question, as readable text.
        interactions = records["interactions"]
        assert [i["id"] for i in interactions] == [q.id for q in questions]
        for record, question, position in zip(interactions, questions, range(len(questions))):
            assert record["moduleId"] == module.id and record["type"] == question.type
            assert record["weight"] == question.points
            assert record["description"] == plain_text(question.prompt.html)
            assert record["correct"] == (None if not question.scored else position % 2 == 0)
            if isinstance(question, Matching):
                expected = [f"{plain_text(p.prompt.html)}\u2192{p.match if position % 2 == 0 else next(o for o in question.options if o != p.match)}" for p in question.pairs]
                assert record["response"] == expected
            if isinstance(question, Ordering) and position % 2 == 0:
                assert record["response"] == [plain_text(i.html) for i in question.items]
            if isinstance(question, TrueFalse):
                assert record["response"] == [str(question.answer == (position % 2 == 0)).lower()]
            if isinstance(question, SingleChoice):
                assert len(record["response"]) == 1 and record["response"][0] in [plain_text(c.text.html) for c in question.choices]
            if isinstance(question, Open):
                assert record["response"] == []
        summary = records["progress"][-1]
        scored = [q for q in questions if q.scored]
        right = sum(1 for position, q in enumerate(questions) if q.scored and position % 2 == 0)
        expected_score = round(100 * right / len(scored), 2)
        assert summary["location"] == module.id
        assert summary["modules"][module.id] == {"visited": True, "score": expected_score, "passed": False, "attempts": 1}
        assert summary["modules"][course.modules[0].id] == {"visited": False, "score": None, "passed": None, "attempts": 0}
        # No course score until every quiz is taken, as on the home page and the certificate.
        assert summary["score"] is None
        assert summary["completed"] is False and summary["passed"] is None
        # The next page the frame shows resumes from what the host kept.
        inner.goto(f"{origin}/course/index.html")
        expect(frame.locator(".module-card").nth(1).locator(".badge")).to_have_text(f"Not passed · {expected_score:g}%")
        assert page.evaluate("window.records.progress.at(-1).location") is None
    finally:
        session.context.close()
    assert session.strays == [] and session.errors == []


# ------------------------------------------------------------------ accessibility and layout


def test_axe_finds_nothing_on_the_home_and_completion_pages(offline, packet, js_packages):
    for name in ("index.html", "completion.html"):
        page = offline.open(url(packet, name))
        assert run_axe(page, js_packages) == [], name
    page = offline.open(url(packet))
    page.locator('[data-cp="reset"]').click()
    assert run_axe(page, js_packages) == []


@pytest.mark.parametrize("width", [320, 640])
def test_pages_reflow_at_320_px_and_at_200_percent_zoom(browser, packet, course, width):
    """640 CSS pixels is a 1280-pixel window at 200% zoom. (Answered pages: see the wrong-answer test.)"""
    session = _context(browser, viewport={"width": width, "height": 720})
    try:
        pages = ["index.html", "completion.html", *(f"{m.id}.html" for m in course.modules)]
        for name in pages:
            page = session.open(url(packet, name))
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
            page.close()
    finally:
        session.context.close()
    assert session.strays == [] and session.errors == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 2000}, {"width": 375, "height": 1400}])
def test_the_footer_sits_at_the_bottom_of_a_short_page(offline, packet, course, viewport):
    """On a page shorter than the window the footer ends at the window's bottom, not mid-screen."""
    for name in ("completion.html", "index.html"):
        page = offline.open(url(packet, name))
        page.set_viewport_size(viewport)
        bottom = page.locator(".site-footer").evaluate("e => e.getBoundingClientRect().bottom + scrollY")
        window, document = page.evaluate("[innerHeight, document.documentElement.scrollHeight]")
        assert abs(bottom - max(window, document)) < 1, name
        page.close()


@pytest.mark.parametrize("motion, behaviour, duration", [("reduce", "auto", "0s"), ("no-preference", "smooth", "0.4s")])
def test_motion_follows_prefers_reduced_motion(browser, packet, motion, behaviour, duration):
    session = _context(browser, reduced_motion=motion)
    try:
        page = session.open(url(packet))
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == behaviour
        assert page.locator(".meter-fill").first.evaluate("e => getComputedStyle(e).transitionDuration") == duration
    finally:
        session.context.close()


def pdf_page_texts(pdf: Path) -> list[str]:
    """Each page's text, as poppler's pdftotext reads it."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_a_module_prints_without_the_site_around_it(offline, packet, course):
    module = course.modules[2]
    page = offline.open(url(packet, f"{module.id}.html"))
    page.emulate_media(media="print")
    for hidden in (".topbar", ".module-aside", ".pager", ".question-actions", ".site-footer", ".crumbs"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".lesson")).to_be_visible()
    expect(page.locator(".question").first).to_be_visible()
    assert len(page.pdf(format="A4")) > 10_000


def test_every_module_quiz_prints_compactly_with_its_heading_kept_with_a_question(offline, packet, course, tmp_path):
    # Printed from the browser, a quiz reads like a worksheet: no buttons or instructions
    # for them, its heading never alone at the foot of a page, two questions a page or more.
    for module in (m for m in course.modules if m.quiz):
        page = offline.open(url(packet, f"{module.id}.html"))
        page.emulate_media(media="print")
        pdf = tmp_path / f"{module.id}.pdf"
        pdf.write_bytes(page.pdf(format="Letter"))
        pages = pdf_page_texts(pdf)
        heading = page.locator(".quiz-head h2").inner_text().strip()
        starts = [n for n, text in enumerate(pages) if heading in text]
        assert starts, module.id
        first = starts[0]
        after_heading = pages[first].split(heading, 1)[1]
        assert re.search(r"question 1 of", after_heading, re.I), f"{module.id}: quiz heading stranded on page {first + 1}"
        # About two questions a page at the least (before: one a page, and Move buttons).
        assert len(pages) - first <= -(-len(module.quiz.questions) // 2), f"{module.id}: its quiz takes {len(pages) - first} pages"
        text = "\n".join(pages)
        assert "Move up" not in text and "Move down" not in text, module.id
        page.close()


# ------------------------------------------------------------------ the single file


def test_single_file_works_alone(offline, sample_build, course, tmp_path, js_packages):
    alone = tmp_path / "alone" / f"{course.id}.html"
    alone.parent.mkdir()
    shutil.copy(sample_build / f"{course.id}.html", alone)
    page = offline.open(alone.as_uri())
    expect(page.locator("#view-home")).to_be_visible()
    expect(page.locator(f"#view-{course.modules[0].id}")).to_be_hidden()
    assert run_axe(page, js_packages) == []
    page.locator(".module-card a").nth(1).click()
    module = course.modules[1]
    view = page.locator(f"#view-{module.id}")
    expect(view).to_be_visible()
    expect(page.locator("#view-home")).to_be_hidden()
    expect(page).to_have_title(f"{module.title} · {course.title}")
    expect(view.locator("h1")).to_be_focused()
    assert view.locator(".lesson img").evaluate("img => img.src.startsWith('data:') && img.naturalWidth > 0")
    # The table of contents jumps to a heading of this module.
    entry = module.lesson.toc[2]
    view.locator(f'nav.toc a[href="#{module.id}--{entry.id}"]').click()
    expect(page.locator(f"#{module.id}--{entry.id}")).to_be_in_viewport()
    answer_all(page, module, right=True)
    expect(view.locator('[data-cp="quiz-result"]')).to_contain_text("100%")
    assert run_axe(page, js_packages) == []
    page.reload()
    expect(view).to_be_visible()
    expect(view.locator('[data-cp="quiz-result"]')).to_contain_text("100%")
    page.locator(".brand").click()
    expect(page.locator(".module-card").nth(1).locator(".badge")).to_have_text("Passed · 100%")


# ------------------------------------------------------------------ another language, another completion rule


def test_french_course_speaks_french_and_completes_by_visits(offline, fixture_course, tmp_path, run_packet_build):
    out = run_packet_build(fixture_course("packet-fr"), tmp_path / "out")
    page = offline.open((out / "html" / "premier-contact.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator('.question:not([data-type="open"]) [data-cp="check"]').first).to_have_text("Vérifier la réponse")
    expect(page.locator('.question[data-type="open"] [data-cp="check"]')).to_have_text("Enregistrer ma réponse")
    visible = page.locator(".question-item:not([hidden]) [data-cp='question']")
    expect(visible).to_have_count(4)  # pick 3 of the 4 scored, and the open question
    ids = visible.evaluate_all("els => els.map(e => e.id.slice(2))")
    if "delai" in ids:
        box = page.locator("#q-delai")
        box.locator("input").fill("3,55")  # a decimal comma, within the tolerance
        box.locator('[data-cp="check"]').click()
        expect(box.locator('[data-cp="feedback"]')).to_contain_text("Bonne réponse")
    if "nom-du-lieu" in ids:
        box = page.locator("#q-nom-du-lieu")
        box.locator("input").fill(" MÉDIATHÈQUE ")
        box.locator('[data-cp="check"]').click()
        expect(box.locator('[data-cp="feedback"]')).to_contain_text("Bonne réponse")
    expect(page.locator('[data-cp="attempt"]')).to_contain_text("Tentative 1 sur 2")
    # Completion by visits: opening both lessons completes the course, quiz or not.
    page.goto((out / "html" / "module-index.html").as_uri())
    page.goto((out / "html" / "index.html").as_uri())
    expect(page.locator(".topbar")).to_contain_text("2 modules terminés sur 2")
    expect(page.locator('[data-cp="certificate-link"]')).to_be_visible()
    page.goto((out / "html" / "completion.html").as_uri())
    expect(page.locator("h1:visible")).to_have_text("Cours terminé")


@pytest.fixture
def run_packet_build():
    from conftest import run_coursepack

    def build(course_dir: Path, out: Path) -> Path:
        result = run_coursepack("build", str(course_dir), "--format", "html,single", "--out", str(out), "-q")
        assert result.returncode == 0, result.stderr
        return out

    return build
