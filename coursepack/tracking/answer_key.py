"""How each question is reported to an LMS as an interaction.

The packet tells the launch page what a learner answered in readable words;
this key, embedded in the launch page, turns those words into the identifiers
of the interaction types: SCORM 2004 and xAPI share readable identifiers
(`we_notice_you`: words joined by `_`, since Moodle's SCORM 2004 runtime takes
only letters, digits, `_` and `.` in a short identifier), SCORM 1.2 uses the
single characters its specification asks for (`a`, `b`; `1.a` for matching).

The key holds no answers: the packet keeps them out of its pages' source, and
the launch page must not give them away either. Options are listed and
lettered in alphabetical order, so not even their order hints at one. Hence
interactions carry the learner's response and the packet's verdict (`result`),
but no `correct_responses`.
"""

from __future__ import annotations

from typing import Any

from coursepack.model import Course, Matching, MultipleChoice, Ordering, SingleChoice
from coursepack.tracking.text import plain_text, unique_slugs

# SCORM 2004 / xAPI interaction type, then SCORM 1.2's, per question type.
INTERACTION_TYPES = {
    "single": ("choice", "choice"),
    "multiple": ("choice", "choice"),
    "true_false": ("true-false", "true-false"),
    "fill_blank": ("fill-in", "fill-in"),
    "numeric": ("numeric", "numeric"),
    "matching": ("matching", "matching"),
    "ordering": ("sequencing", "sequencing"),
    "open": ("long-fill-in", "fill-in"),  # 1.2 has no long text type
}
# SCORM 1.2 responses are single characters (RTE 3.4.2.4.7).
OPTION_CHARS_12 = "abcdefghijklmnopqrstuvwxyz0123456789"
SOURCE_CHARS_12 = "123456789abcdefghijklmnopqrstuvwxyz"


def answer_key(course: Course) -> dict[str, dict[str, Any]]:
    """For every question of the course, by question id: how to report it."""
    key = {}
    for module, quiz in course.quizzes:
        for question in quiz.questions:
            interaction, interaction12 = INTERACTION_TYPES[question.type]
            entry: dict[str, Any] = {
                "module": module.id,
                "type": question.type,
                "interaction": interaction,
                "interaction12": interaction12,
                "weight": question.points if question.scored else 0,
            }
            if isinstance(question, (SingleChoice, MultipleChoice)):
                entry["options"] = _options([plain_text(c.text.html) for c in question.choices], "choice")
            elif isinstance(question, Ordering):
                entry["options"] = _options([plain_text(i.html) for i in question.items], "step")
            elif isinstance(question, Matching):
                entry["sources"] = _options([plain_text(p.prompt.html) for p in question.pairs], "item", SOURCE_CHARS_12)
                entry["options"] = _options(list(question.options), "match")
            key[question.id] = entry
    return key


def _options(texts: list[str], fallback: str, chars: str = OPTION_CHARS_12) -> list[dict[str, str | None]]:
    """Each text with its identifiers, in an order that says nothing about the answer."""
    texts = sorted(texts, key=lambda text: (text.casefold(), text))
    ids = [slug_.replace("-", "_") for slug_ in unique_slugs(texts, fallback)]
    return [
        {"text": text, "id": id_, "id12": chars[n] if n < len(chars) else None}
        for n, (text, id_) in enumerate(zip(texts, ids))
    ]
