"""Build warnings about what a format cannot carry, at the question's source line."""

from __future__ import annotations

from collections.abc import Callable

from coursepack.builders.base import BuildContext
from coursepack.model import Module, QuestionBase


def question_warner(context: BuildContext) -> Callable[[QuestionBase, str], None]:
    def warn(question: QuestionBase, message: str) -> None:
        where = question.source
        context.warn(where.path if where else "", where.line if where else 0, f"question '{question.id}': {message}")

    return warn


def warn_quiz(context: BuildContext, module: Module, message: str) -> None:
    context.warn(f"{module.folder}/quiz.yml", 0, message)
