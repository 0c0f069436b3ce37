"""Build warnings about what a format cannot carry, at the question's source line."""

from __future__ import annotations

from collections.abc import Callable

from coursepack.builders.base import BuildContext
from coursepack.model import Course, Module, QuestionBase


def question_warner(context: BuildContext) -> Callable[[QuestionBase, str], None]:
    def warn(question: QuestionBase, message: str) -> None:
        where = question.source
        context.warn(where.path if where else "", where.line if where else 0, f"question '{question.id}': {message}")

    return warn


def warn_quiz(context: BuildContext, module: Module, message: str) -> None:
    context.warn(f"{module.folder}/quiz.yml", 0, message)


PARTIAL_CREDIT_TYPES = ("multiple", "matching", "ordering")


def note_partial_credit(context: BuildContext, course: Course, label: str, types: tuple[str, ...] = PARTIAL_CREDIT_TYPES) -> None:
    """LMS types give part marks where the course scores all-or-nothing: say so once per build.

    `types`: the course's question types that the format's LMS marks in part.
    """
    count = sum(1 for _, quiz in course.quizzes for q in quiz.questions if q.type in types)
    if count:
        names = {"multiple": "multiple-answer", "matching": "matching", "ordering": "ordering"}
        kinds = [names[t] for t in types]
        listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
        context.notes.append(
            f"{label}: {count} {listed} question(s) get partial credit in the LMS; "
            "the course scores every question all-or-nothing"
        )
