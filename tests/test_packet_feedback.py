"""Feedback that teaches: right answers revealed by the quiz's rule, every verdict said once.

Chromium opens built packets from disk, as in test_packet_browser.py.
"""

from __future__ import annotations

import re

import pytest

from coursepack.model import FillBlank, Matching, MultipleChoice, Numeric, Open, Ordering, SingleChoice, TrueFalse
from coursepack.packet.answer_key import unseal
from coursepack.packet.quiz_view import plain_text
from test_packet_browser import (  # noqa: F401  (fixtures)
    answer,
    answer_all,
    course,
    drawn,
    expect,
    module_of,
    offline,
    packet,
    run_axe,
    run_packet_build,
    url,
)
from test_packet_journey import write_course


def first(module, kind):
    return next(q for q in module.quiz.questions if isinstance(q, kind))


# ------------------------------------------------------------------ revealed after each check (the default)


def test_after_a_wrong_answer_each_question_shows_the_right_one(offline, packet, course, js_packages):
    for kinds in ((Numeric, SingleChoice, TrueFalse, FillBlank, MultipleChoice), (Matching, Ordering)):
        module = next(m for m in course.modules if m.quiz and all(any(isinstance(q, k) for q in m.quiz.questions) for k in kinds))
        page = offline.open(url(packet, f"{module.id}.html"))
        for question in drawn(page, module):
            if question.scored:
                answer(page, question, right=False)
        for kind in kinds:
            question = first(module, kind)
            box = page.locator(f"#q-{question.id}")
            feedback = box.locator('[data-cp="feedback"]')
            if kind is SingleChoice:
                right = next(c for c in question.choices if c.correct)
                shown = box.locator(".choice.is-answer")
                expect(shown).to_have_count(1)
                expect(shown.locator(".choice-text")).to_have_text(plain_text(right.text.html))
                expect(shown.locator(".mark")).to_have_text("Correct answer")
            elif kind is MultipleChoice:
                # The answer() helper picks one right and one wrong choice: the other right ones are missed.
                missed = [c for c in question.choices if c.correct][1:]
                marked = box.locator(".choice.is-answer")
                expect(marked).to_have_count(len(missed))
                for choice in missed:
                    expect(marked.filter(has_text=plain_text(choice.text.html)).locator(".mark")).to_have_text("Correct, not selected")
            elif kind is TrueFalse:
                expect(box.locator(f"#q-{question.id}-{str(question.answer).lower()} + label .mark")).to_have_text("Correct answer")
            elif kind is FillBlank:
                expect(feedback.locator(".revealed")).to_have_text(f"Correct answer: {question.answers[0]}")
            elif kind is Numeric:
                expect(feedback.locator(".revealed")).to_have_text(re.compile(rf"^Correct answer: {question.answer:g}\b"))
            elif kind is Matching:
                for row, pair in enumerate(question.pairs):
                    expect(box.locator(f'.match-row[data-row="{row}"] [data-cp="row-answer"]')).to_have_text(f"Correct match: {pair.match}")
            elif kind is Ordering:
                expect(feedback.locator(".revealed li")).to_have_text([plain_text(item.html) for item in question.items])
            if question.explanation and feedback.locator(".revealed").count():
                # The answer comes before the explanation of it.
                assert feedback.locator(".revealed ~ .explanation").count() == 1
        assert run_axe(page, js_packages) == []
        page.close()


def test_right_answers_reveal_nothing_more(offline, packet, course):
    module = course.modules[0]
    page = offline.open(url(packet, f"{module.id}.html"))
    answer_all(page, module, right=True)
    expect(page.locator(".is-answer")).to_have_count(0)
    expect(page.locator(".revealed")).to_have_count(0)


def test_the_verdict_is_said_once(offline, packet, course):
    module = course.modules[0]
    question = next(q for q in module.quiz.questions if q.feedback and q.feedback.incorrect)
    assert plain_text(question.feedback.incorrect.html).startswith("Not quite")
    page = offline.open(url(packet, f"{module.id}.html"))
    answer(page, question, right=False)
    feedback = page.locator(f"#q-{question.id} [data-cp='feedback']")
    expect(feedback.locator(".feedback-title")).to_contain_text(plain_text(question.feedback.incorrect.html))
    assert feedback.inner_text().count("Not quite") == 1


def test_typed_answers_are_styled_right_or_wrong(offline, packet, course):
    module = module_of(course, "numeric")
    page = offline.open(url(packet, f"{module.id}.html"))
    numeric, fill = first(module, Numeric), first(module, FillBlank)
    answer(page, numeric, right=True)
    answer(page, fill, right=False)
    for question, verdict, said in ((numeric, "is-correct", "Correct"), (fill, "is-incorrect", "Incorrect")):
        box = page.locator(f"#q-{question.id}")
        expect(box.locator("input")).to_have_class(re.compile(verdict))
        expect(box.locator('[data-cp="mark"]')).to_have_text(said)
    colours = [page.locator(f"#q-{q.id} input").evaluate("e => getComputedStyle(e).borderTopColor") for q in (numeric, fill)]
    assert colours[0] != colours[1]


def test_an_open_answer_is_said_saved_once_then_a_model_answer_shows(offline, packet, course):
    module, question = next(
        (m, q) for m, quiz in course.quizzes for q in quiz.questions if isinstance(q, Open) and q.sample_answer
    )
    page = offline.open(url(packet, f"{module.id}.html"))
    box = page.locator(f"#q-{question.id}")
    expect(box.locator(".model-answer")).to_have_count(0)
    answer(page, question, text="My own answer")
    page.wait_for_timeout(600)  # past the notes' save delay, in case it also said "saved"
    expect(box.locator(".model-answer")).to_contain_text(plain_text(question.sample_answer.html)[:60])
    assert len(re.findall(r"\bsaved\b", box.inner_text(), flags=re.I)) == 1


def test_try_again_closes_the_hint(offline, packet, course):
    module = course.modules[0]
    page = offline.open(url(packet, f"{module.id}.html"))
    toggle = page.locator('[data-cp="hint-toggle"]').first
    toggle.click()
    expect(page.locator(".hint").first).to_be_visible()
    answer_all(page, module, right=False)
    page.locator('[data-cp="retry"]').click()
    expect(page.locator(".hint").first).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text("Show hint")
    expect(page.locator(".is-answer, .revealed, input.is-incorrect")).to_have_count(0)


def test_a_module_card_counts_the_questions_an_attempt_shows(offline, packet, course):
    index, module = next((i, m) for i, m in enumerate(course.modules) if m.quiz and m.quiz.pick)
    page = offline.open(url(packet))
    expect(page.locator(".module-card").nth(index)).to_contain_text(f"Quiz: {module.quiz.pick} questions")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_score_ring_holds_its_number(offline, packet, course, width):
    module = course.modules[0]
    page = offline.open(url(packet, f"{module.id}.html"))
    page.set_viewport_size({"width": width, "height": 800})
    answer_all(page, module, right=True)
    ring = page.locator(".result-score")
    expect(ring).to_have_text("100%")
    for shown in ("100", "66.7", "100"):  # the widest scores, "100%" as the script wrote it last
        room = ring.evaluate(
            """(ring, shown) => {
              const number = ring.querySelector('.result-number');
              number.firstChild.textContent = shown;
              const box = number.getBoundingClientRect(), outer = ring.getBoundingClientRect();
              const inner = outer.width - 2 * parseFloat(getComputedStyle(ring).borderTopWidth);
              // The number's box, corners included, inside the inner circle.
              return inner / 2 - Math.hypot(box.width, box.height) / 2;
            }""",
            shown,
        )
        assert room >= 2, f"{shown}% runs over its ring at {width} px ({room:.1f} px to spare)"


# ------------------------------------------------------------------ other rules


QUIZ = """max_attempts: 2
{rule}
questions:
  - id: fill-{n}
    type: fill_blank
    prompt: "The colour of the sky is ___."
    answers: [blue]
  - id: pick-{n}
    type: single
    prompt: "Pick the right one."
    choices:
      - text: Wrong
      - text: Right
        correct: true
  - id: think-{n}
    type: open
    prompt: "What do you think?"
    sample_answer: "MODEL-ANSWER-{n}"
"""


@pytest.fixture
def rules_packet(tmp_path, run_packet_build):
    source = write_course(
        tmp_path / "rules",
        'id: rules\ntitle: Rules\nversion: "1"\nreveal_answers: after_last_attempt\n',
        [QUIZ.format(rule="", n=1), QUIZ.format(rule="reveal_answers: never", n=2)],
    )
    return run_packet_build(source, tmp_path / "out") / "html"


def _answer_wrong(page, n):
    page.locator(f"#q-fill-{n} input").fill("green")
    page.locator(f"#q-fill-{n} [data-cp='check']").click()
    page.locator(f"#q-pick-{n} label", has_text="Wrong").click()
    page.locator(f"#q-pick-{n} [data-cp='check']").click()
    page.locator(f"#q-think-{n} textarea").fill("Mine")
    page.locator(f"#q-think-{n} [data-cp='check']").click()


def test_after_last_attempt_reveals_answers_only_when_no_attempt_is_left(offline, rules_packet):
    page = offline.open((rules_packet / "part-1.html").as_uri())
    _answer_wrong(page, 1)
    expect(page.locator('[data-cp="quiz-result"]')).to_contain_text("Attempts left: 1")
    expect(page.locator(".is-answer, .revealed")).to_have_count(0)
    page.locator('[data-cp="retry"]').click()
    _answer_wrong(page, 1)
    expect(page.locator("#q-pick-1 .choice.is-answer")).to_contain_text("Right")
    expect(page.locator("#q-fill-1 .revealed")).to_have_text("Correct answer: blue")
    expect(page.locator("#q-think-1 .model-answer")).to_contain_text("MODEL-ANSWER-1")
    page.reload()
    expect(page.locator("#q-fill-1 .revealed")).to_have_text("Correct answer: blue")


def test_never_reveals_nothing_and_the_page_does_not_even_hold_it(offline, rules_packet):
    page = offline.open((rules_packet / "part-2.html").as_uri())
    for _ in range(2):
        _answer_wrong(page, 2)
        retry = page.locator('[data-cp="retry"]')
        if retry.count():
            retry.click()
    expect(page.locator('[data-cp="quiz-result"]')).to_contain_text("You have used your 2 attempts")
    expect(page.locator(".is-answer, .revealed, .model-answer")).to_have_count(0)
    sealed = {
        element["id"]: unseal(element["salt"], element["seal"])
        for element in page.locator('[data-cp="question"]').evaluate_all(
            "els => els.map(e => ({id: e.id, salt: e.dataset.salt, seal: e.dataset.seal}))"
        )
    }
    assert "a" not in sealed["q-fill-2"] and "m" not in sealed["q-think-2"]
    assert "MODEL-ANSWER-2" not in page.content()


def test_a_wrong_reveal_setting_is_an_error_at_its_line(tmp_path):
    from conftest import run_coursepack

    source = write_course(
        tmp_path / "bad",
        'id: bad\ntitle: Bad\nversion: "1"\nreveal_answers: sometimes\n',
        ["reveal_answers: later\n" + QUIZ.format(rule="", n=1)],
    )
    result = run_coursepack("check", str(source))
    assert result.returncode == 1
    assert "course.yml:4: error: 'reveal_answers' is 'sometimes', but it must be one of: after_check, after_last_attempt, never" in result.stderr
    assert "modules/01-part-1/quiz.yml:1: error: 'reveal_answers' is 'later'" in result.stderr
