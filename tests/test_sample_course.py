"""The sample course is the showcase: complete, clean, and using every feature."""

from __future__ import annotations

import re

from conftest import REPO

from coursepack.loading import load_course
from coursepack.model import QUESTION_CLASSES, Reflect, Scenario, TrainerNote


def test_sample_course_loads_without_warnings():
    result = load_course(REPO)
    assert result.warnings == ()
    assert result.course.id == "library-service"
    assert len(result.course.modules) >= 5


def test_every_module_is_a_full_lesson():
    for module in load_course(REPO).course.modules:
        kinds = {type(s) for s in module.lesson.segments}
        assert {Reflect, Scenario, TrainerNote} <= kinds, module.id
        assert module.objectives, module.id
        assert module.quiz is not None, module.id
        body = (REPO / module.folder / "lesson.md").read_text().split("---", 2)[2]
        words = len(re.findall(r"\S+", body))
        assert 600 <= words <= 1200, (module.id, words)


def test_every_question_type_is_used():
    course = load_course(REPO).course
    used = {q.type for _, quiz in course.quizzes for q in quiz.questions}
    assert used == set(QUESTION_CLASSES)
