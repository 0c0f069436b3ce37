"""Every mistake in a course is reported with its exact path:line, all at once."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run_coursepack

EXPECTED = {
    "bad-yaml-syntax": [
        "modules/01-welcome/quiz.yml:5: error: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence on line 4)",
    ],
    "bad-unknown-keys": [
        "course.yml:4: error: unknown key 'pasing_score' (did you mean 'passing_score'?)",
        "modules/01-welcome/lesson.md:3: error: unknown key 'objective' (did you mean 'objectives'?)",
        "modules/01-welcome/quiz.yml:6: error: question 'q1': unknown key 'hnt' (did you mean 'hint'?)",
    ],
    "bad-missing-keys": [
        "course.yml:1: error: missing required key 'version'",
        "modules/01-welcome/quiz.yml:2: error: question 'q1': missing required key 'prompt'",
    ],
    "bad-wrong-types": [
        'course.yml:3: error: \'version\' must be text: write it in quotes, e.g. version: "1.0"',
        "course.yml:4: error: 'passing_score' must be a number, not 'high'",
        "modules/01-welcome/lesson.md:3: error: 'minutes' must be a whole number, not 'soon'",
        "modules/01-welcome/quiz.yml:1: error: 'shuffle_choices' must be true or false, not 'sometimes'",
        "modules/01-welcome/quiz.yml:7: error: question 'q1': 'text' must be text: YAML reads this as the yes/no value true: put the text in quotes",
    ],
    "bad-ids": [
        "course.yml:1: error: 'id' is 'Tiny_Course', but it may hold only lower-case letters, digits and '-', and must start with a letter or digit",
        "modules/01-welcome/quiz.yml:2: error: question 'Question One': 'id' is 'Question One', but it may hold only lower-case letters, digits and '-', and must start with a letter or digit",
    ],
    "bad-duplicate-question-id": [
        "modules/02-more/quiz.yml:3: error: question id 'q1' is used twice: it is also the id of the question at modules/01-welcome/quiz.yml:2",
    ],
    "bad-question-rules": [
        "modules/01-welcome/quiz.yml:3: error: question 'essay': unknown question type 'essay' (expected one of: single, multiple, true_false, fill_blank, numeric, matching, ordering, open)",
        "modules/01-welcome/quiz.yml:5: error: question 'no-correct' has type 'single' but 0 correct choices",
        "modules/01-welcome/quiz.yml:11: error: question 'greeting' has type 'single' but 2 correct choices",
        "modules/01-welcome/quiz.yml:19: error: question 'none-correct' has type 'multiple' but no correct choice",
        "modules/01-welcome/quiz.yml:25: error: question 'no-blank' has type 'fill_blank' but its prompt holds '___' 0 times (it must hold it exactly once)",
        "modules/01-welcome/quiz.yml:29: error: question 'two-blanks' has type 'fill_blank' but its prompt holds '___' 2 times (it must hold it exactly once)",
        "modules/01-welcome/quiz.yml:36: error: question 'not-a-number': answer 'ten' is not a number",
        "modules/01-welcome/quiz.yml:37: error: question 'one-pair' has type 'matching' but 1 pair (it needs at least 2)",
        "modules/01-welcome/quiz.yml:42: error: question 'one-item' has type 'ordering' but 1 item (it needs at least 2)",
    ],
    "bad-pick-and-scores": [
        "course.yml:4: error: 'passing_score' is -5, but it must be a percentage from 0 to 100",
        "modules/01-welcome/quiz.yml:1: error: 'passing_score' is 120, but it must be a percentage from 0 to 100",
    ],
    "bad-media": [
        "modules/01-welcome/lesson.md:6: error: image 'media/desk.png' not found: modules/01-welcome/media/desk.png is no such file",
        "modules/01-welcome/lesson.md:8: error: image 'media/present.png' has no alt text: write ![what it shows](media/present.png)",
        "modules/01-welcome/lesson.md:10: error: image '../../../outside.png' points outside the course folder",
        "modules/01-welcome/lesson.md:12: error: link '../../../../etc/passwd' points outside the course folder",
        "modules/01-welcome/lesson.md:12: error: link 'media/handout.pdf' not found: modules/01-welcome/media/handout.pdf is no such file",
    ],
    "bad-module-without-lesson": ["modules/02-empty: error: module folder has no lesson.md"],
    "bad-lesson-without-title": ["modules/01-welcome/lesson.md:2: error: missing required key 'title'"],
    "bad-empty-modules": [
        "modules: error: the course has no modules: add a folder such as modules/01-welcome holding a lesson.md",
    ],
    "bad-not-a-course": [
        "course.yml: error: 'bad-not-a-course' is not a course: it has no course.yml (coursepack new FOLDER makes a new course)",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_reports_every_mistake_with_its_location(name):
    result = run_coursepack("check", name, cwd=FIXTURES)
    problems = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert problems == EXPECTED[name]
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    count = len(EXPECTED[name])
    assert result.stderr.splitlines()[-1] == f"{count} error{'s' if count > 1 else ''}; nothing was written."


def test_every_bad_fixture_is_covered():
    on_disk = {p.name for p in FIXTURES.glob("bad-*")}
    assert on_disk == set(EXPECTED)


def test_the_good_fixture_is_clean():
    result = run_coursepack("check", "good-minimal", cwd=FIXTURES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tiny: 1 module, 1 question, no errors."
