"""The learner's saved progress, and how large it can get.

The packet's script (templates/assets/packet.js) saves one compact JSON
object, to localStorage or to an LMS host. Under SCORM 1.2 it must fit the
4096 characters of `cmi.suspend_data`, so its layout is small and fixed:

    {"v": 1,                      layout version
     "f": "1a2b3c4d",             fingerprint of the course's structure
     "l": 2,                      index of the module page opened last
     "d": "2025-03-01",           the day the course was completed
     "m": [                       one entry per module, in course order
       {"v": 1,                   visited
        "a": 2,                   attempts completed (capped, see ATTEMPTS_CAP)
        "b": 83.3333,             best score of a completed attempt, percent, to 4 decimals
        "s": 123456789,           seed of the current attempt's shuffle and pick
        "r": {"0": 2, ...}}]}     checked answers of the current attempt, by question index

A response is an index where it can be: `single` the choice's key, `multiple`
the keys as a bitmask, `true_false` 1 or 0, `matching` the option index per
row, `ordering` the item keys in the learner's order, `open` 1 (the text itself
stays in the browser). Only `fill_blank` and `numeric` keep text, capped by
the inputs' maxlength. Private notes never enter this object.

The day each module was last attempted (or first opened) is kept beside
this object, not in it, for results files only; so are private notes.

Keys are left out when empty, so a fresh state is a few dozen characters.
Keep this module and the script in step.
"""

from __future__ import annotations

import hashlib
import json

from coursepack.model import (
    Course,
    FillBlank,
    Matching,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    QuestionBase,
    Quiz,
    SingleChoice,
    TrueFalse,
)
from coursepack.packet.quiz_view import FILL_BLANK_MAXLENGTH, NUMERIC_MAXLENGTH

STATE_VERSION = 1
# With unlimited attempts the count stops growing here, to keep the state bounded.
ATTEMPTS_CAP = 999
SEED_MAX = 2**32 - 1
SCORM12_SUSPEND_DATA = 4096


def fingerprint(course: Course) -> str:
    """Changes when saved answers would no longer fit the course (ids, types, counts)."""
    parts = []
    for module in course.modules:
        parts.append(module.id)
        for question in module.quiz.questions if module.quiz else ():
            parts.append(f"{question.id}:{question.type}:{_size(question)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:8]


def _size(question: QuestionBase) -> int:
    if isinstance(question, (SingleChoice, MultipleChoice)):
        return len(question.choices)
    if isinstance(question, Matching):
        return len(question.pairs) * 100 + len(question.options)
    if isinstance(question, Ordering):
        return len(question.items)
    return 0


def worst_case_state(course: Course) -> dict:
    """The largest state the script can save for this course."""
    last = len(course.modules) - 1
    modules = []
    for module in course.modules:
        entry: dict = {"v": 1}
        if module.quiz is not None:
            entry.update(_worst_quiz(module.quiz))
        modules.append(entry)
    return {"v": STATE_VERSION, "f": fingerprint(course), "l": last, "d": "2000-01-01", "m": modules}


def worst_case_state_size(course: Course) -> int:
    """The JSON length of `worst_case_state`, as the script writes it."""
    return len(json.dumps(worst_case_state(course), ensure_ascii=False, separators=(",", ":")))


def _worst_quiz(quiz: Quiz) -> dict:
    attempts = quiz.max_attempts or ATTEMPTS_CAP
    responses = {str(index): _worst_response(question) for index, question in enumerate(quiz.questions)}
    if quiz.pick is not None:
        # An attempt draws `pick` scored questions; open questions are always shown.
        scored = [str(i) for i, q in enumerate(quiz.questions) if q.scored]
        longest = sorted(scored, key=lambda key: _length(responses[key]) + len(key), reverse=True)
        for key in longest[quiz.pick :]:
            del responses[key]
    return {"a": attempts, "b": 33.3333, "s": SEED_MAX, "r": responses}


def _length(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _worst_response(question: QuestionBase) -> object:
    if isinstance(question, SingleChoice):
        return len(question.choices) - 1
    if isinstance(question, MultipleChoice):
        return 2 ** len(question.choices) - 1
    if isinstance(question, TrueFalse):
        return 1
    if isinstance(question, FillBlank):
        return '"' * FILL_BLANK_MAXLENGTH  # every character escaped in JSON
    if isinstance(question, Numeric):
        return "9" * NUMERIC_MAXLENGTH
    if isinstance(question, Matching):
        return [len(question.options) - 1] * len(question.pairs)
    if isinstance(question, Ordering):
        return list(range(len(question.items)))
    if isinstance(question, Open):
        return 1
    raise TypeError(f"unknown question type {question.type}")
