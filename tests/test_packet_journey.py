"""The learner's way through the packet: no dead ends, and every page telling the same story.

Chromium opens the built sample course from disk, as in test_packet_browser.py.
Some tests walk the whole way with the quiz controls; others start from a saved
progress put in the browser's storage, to reach a state of the course quickly.
"""

from __future__ import annotations

import re

import pytest

from test_packet_browser import (  # noqa: F401  (fixtures)
    answer_all,
    course,
    expect,
    offline,
    packet,
    run_axe,
    run_packet_build,
    saved_state,
    state_key,
    url,
)


def put_progress(page, course, entries: dict[int, dict], keep: bool = False) -> None:
    """Save a progress with `entries` for the modules at those indexes (keeping what the others
    have saved, with `keep`; else they are new), then show the page again."""
    page.evaluate(
        """([key, entries, keep]) => {
          const course = window.coursepackCourse.course;
          const saved = keep ? JSON.parse(localStorage.getItem(key)).m : [];
          const m = course.modules.map((_, i) => entries[i] || saved[i] || {});
          localStorage.setItem(key, JSON.stringify({v: 1, f: course.fingerprint, m}));
        }""",
        [state_key(course), {str(index): entry for index, entry in entries.items()}, keep],
    )
    page.reload()


def passed(score: float = 100) -> dict:
    return {"v": 1, "a": 1, "b": score}


def limited(course):
    """The sample's module whose quiz allows a few attempts, and its index."""
    index, module = next((i, m) for i, m in enumerate(course.modules) if m.quiz and m.quiz.max_attempts)
    return index, module


# ------------------------------------------------------------------ out of attempts


def test_out_of_attempts_says_so_and_every_page_agrees(offline, packet, course, js_packages):
    index, module = limited(course)
    tries = module.quiz.max_attempts
    page = offline.open(url(packet, f"{module.id}.html"))
    for attempt in range(tries):
        answer_all(page, module, right=False)
        if attempt < tries - 1:
            page.locator('[data-cp="retry"]').click()
    result = page.locator('[data-cp="quiz-result"]')
    expect(result).to_contain_text(f"You have used your {tries} attempts. Ask your trainer to reset this quiz.")
    expect(result).to_contain_text("The rest of your progress is kept.")
    expect(result.locator('[data-cp="retry"]')).to_have_count(0)
    # The last module, nothing complete: the way on is what is left, not "Finish the course".
    onward = result.locator('[data-cp="onward"]')
    expect(onward).to_have_text("See what is left")
    expect(onward).to_have_attribute("href", "completion.html")
    expect(page.locator(".module-status .badge")).to_have_text("Out of attempts · 0%")
    expect(page.locator('[data-cp="pager-finish"]')).to_contain_text("See what is left")
    assert run_axe(page, js_packages) == []

    home = offline.open(url(packet))
    expect(home.locator(".module-card").nth(index).locator(".badge")).to_have_text("Out of attempts · 0%")
    locked = home.locator('[data-cp="locked"]')
    expect(locked).to_be_visible()
    expect(locked).to_contain_text(f"{module.title}: You have used your {tries} attempts.")
    expect(locked.locator("a")).to_have_attribute("href", f"{module.id}.html#cp-quiz")
    # "Up next" is a module the learner can still do, never the locked one.
    expect(home.locator('[data-cp="next-up"]')).not_to_contain_text(module.title)
    expect(home.locator('[data-cp="continue"]')).not_to_have_attribute("href", f"{module.id}.html")
    assert run_axe(home, js_packages) == []

    completion = offline.open(url(packet, "completion.html"))
    item = completion.locator('[data-cp="remaining"] li', has_text=module.title)
    expect(item).to_contain_text("Out of attempts · 0%")
    expect(item).to_contain_text(f"You have used your {tries} attempts. Ask your trainer to reset this quiz.")
    expect(item.locator("a")).to_have_attribute("href", f"{module.id}.html#cp-quiz")


def test_a_trainer_resets_a_quiz_out_of_attempts_and_keeps_the_rest_of_the_progress(offline, packet, course):
    index, module = limited(course)
    page = offline.open(url(packet, f"{module.id}.html"))
    put_progress(page, course, {0: passed(), index: {"v": 1, "a": module.quiz.max_attempts, "b": 40}})
    reset = page.locator('[data-cp="reset-quiz"]')
    expect(reset).to_have_text("Trainer: reset this quiz")
    reset.click()
    dialog = page.locator('[data-cp="reset-quiz-dialog"]')
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"this gives the learner {module.quiz.max_attempts} new attempts")
    dialog.get_by_role("button", name="Cancel").click()
    expect(reset).to_be_focused()
    reset.click()
    dialog.get_by_role("button", name="Reset the quiz").click()
    expect(page.locator('[data-cp="attempt"]')).to_contain_text(f"Attempt 1 of {module.quiz.max_attempts}")
    expect(page.locator('[data-cp="quiz-result"]')).to_be_hidden()
    state = saved_state(page, course)
    assert state["m"][index].get("a", 0) == 0 and state["m"][index]["b"] == 40
    assert state["m"][0] == passed()
    expect(page.locator(".module-status .badge")).to_have_text("In progress")


def test_when_only_locked_quizzes_are_left_the_home_page_leads_to_what_is_left(offline, packet, course):
    index, module = limited(course)
    page = offline.open(url(packet))
    entries = {i: passed() for i in range(len(course.modules))}
    entries[index] = {"v": 1, "a": module.quiz.max_attempts, "b": 20}
    put_progress(page, course, entries)
    expect(page.locator('[data-cp="next-up"]')).to_be_hidden()
    go = page.locator('[data-cp="continue"]')
    expect(go).to_have_text("See what is left")
    expect(go).to_have_attribute("href", "completion.html")
    expect(page.locator('[data-cp="locked"]')).to_contain_text(module.title)
    expect(page.locator('[data-cp="certificate-link"]')).to_be_hidden()


# ------------------------------------------------------------------ the last module's buttons


def test_the_last_module_says_finish_only_when_the_course_is_finished(offline, packet, course):
    last = course.modules[-1]
    page = offline.open(url(packet, f"{last.id}.html"))
    answer_all(page, last, right=True)
    onward = page.locator('[data-cp="onward"]')
    expect(onward).to_have_text("See what is left")
    pager = page.locator('[data-cp="pager-finish"]')
    expect(pager).to_contain_text("See what is left")
    expect(pager).to_contain_text("Your course progress")
    # Every other module passed too: now it is the end of the course.
    put_progress(page, course, {i: passed() for i in range(len(course.modules) - 1)}, keep=True)
    expect(onward).to_have_text("Finish the course")
    expect(onward).to_have_attribute("href", "completion.html")
    expect(pager).to_contain_text("Finish")
    expect(pager).to_contain_text("Your certificate")


def test_a_failed_quiz_with_attempts_left_offers_try_again_first(offline, packet, course):
    module = course.modules[0]
    page = offline.open(url(packet, f"{module.id}.html"))
    answer_all(page, module, right=False)
    buttons = page.locator('[data-cp="quiz-result"] .result-actions > *')
    expect(buttons.first).to_have_attribute("data-cp", "retry")
    expect(buttons.first).not_to_have_class(re.compile(r"\bquiet\b"))
    expect(buttons.nth(1)).to_have_class(re.compile(r"\bquiet\b"))
    # Passed: going on comes first, trying again (to do better) second.
    buttons.first.click()
    answer_all(page, module, right=True)
    expect(buttons.first).to_have_attribute("data-cp", "onward")
    expect(buttons.first).not_to_have_class(re.compile(r"\bquiet\b"))
    expect(buttons.nth(1)).to_have_attribute("data-cp", "retry")
    expect(buttons.nth(1)).to_have_class(re.compile(r"\bquiet\b"))


# ------------------------------------------------------------------ the course score


def test_no_course_score_until_every_quiz_is_taken(offline, packet, course):
    page = offline.open(url(packet))
    score = page.locator('[data-cp="summary-score"]')
    expect(score).to_be_hidden()
    put_progress(page, course, {0: passed(), 1: passed()})
    quizzes = len(course.quizzes)
    expect(score).to_have_text(f"Course score: shown once you have taken all {quizzes} quizzes (2 taken so far)")
    assert "33" not in score.inner_text()
    entries = {i: passed() for i in range(len(course.modules))}
    entries[0] = passed(50)
    put_progress(page, course, entries)
    weights = sum(q.points_possible for _, q in course.quizzes)
    expected = round(100 - 50 * course.modules[0].quiz.points_possible / weights, 1)
    expect(score).to_have_text(f"Course score: {expected:g}%")


def write_course(folder, course_yml: str, quizzes: list[str]):
    """A small course: one module per quiz given (its YAML), each with a short lesson."""
    folder.mkdir(parents=True)
    (folder / "course.yml").write_text(course_yml, encoding="utf-8")
    for number, quiz in enumerate(quizzes, start=1):
        module = folder / "modules" / f"0{number}-part-{number}"
        module.mkdir(parents=True)
        (module / "lesson.md").write_text(f"---\ntitle: Part {number}\n---\nSome words for part {number}.\n", encoding="utf-8")
        (module / "quiz.yml").write_text(quiz, encoding="utf-8")
    return folder


ONE_QUESTION = """questions:
  - id: q{n}
    type: true_false
    prompt: "The sky is blue."
    answer: true
"""


def test_the_certificate_follows_the_same_course_score_rule(offline, tmp_path, run_packet_build):
    source = write_course(
        tmp_path / "visits",
        'id: visits\ntitle: By visits\nversion: "1"\ncompletion: visited\n',
        [ONE_QUESTION.replace("{n}", "1"), ONE_QUESTION.replace("{n}", "2")],
    )
    html = run_packet_build(source, tmp_path / "out") / "html"
    page = offline.open((html / "part-1.html").as_uri())
    page.locator("label[for='q-q1-true']").click()
    page.locator("#q-q1 [data-cp='check']").click()
    page.goto((html / "part-2.html").as_uri())
    page.goto((html / "completion.html").as_uri())
    expect(page.locator("h1:visible")).to_have_text("Course complete")
    # Complete by visits, one quiz of two taken: no course score, here as on the home page.
    expect(page.locator('[data-cp="certificate-score"]')).to_have_text("")
    page.goto((html / "index.html").as_uri())
    expect(page.locator('[data-cp="summary-score"]')).to_contain_text("shown once you have taken all 2 quizzes (1 taken so far)")
    page.goto((html / "part-2.html").as_uri())
    page.locator("label[for='q-q2-false']").click()
    page.locator("#q-q2 [data-cp='check']").click()
    page.goto((html / "completion.html").as_uri())
    expect(page.locator('[data-cp="certificate-score"]')).to_have_text("Course score: 50%")
