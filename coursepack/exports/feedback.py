"""A question's own feedback for a right and for a wrong answer."""

from __future__ import annotations

from coursepack.model import QuestionBase


def verdicts(question: QuestionBase) -> tuple[str, str]:
    """(feedback when right, feedback when wrong) as HTML, '' where the author gave none."""
    feedback = question.feedback
    correct = feedback.correct.html if feedback and feedback.correct else ""
    incorrect = feedback.incorrect.html if feedback and feedback.incorrect else ""
    return correct, incorrect
