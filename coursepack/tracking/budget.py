"""The resume data's worst case, against what each LMS standard can hold.

The packet's whole progress state travels in `cmi.suspend_data`, written as
the packet's compact JSON with nothing added, so its worst case is the
packet's own bound. SCORM 1.2 holds 4096 characters, and strict LMSs drop
longer data, which loses the learner's place silently; so a course that could
outgrow the limit fails the build, pointing at the quiz that weighs most.
"""

from __future__ import annotations

import dataclasses
import json

from coursepack.errors import CourseErrors, Problem
from coursepack.model import Course

SCORM12_SUSPEND_DATA = 4096
SCORM2004_SUSPEND_DATA = 64000  # 3rd and 4th editions


def worst_case_suspend_data(course: Course) -> int:
    """The most characters of suspend_data any learner of `course` can need."""
    from coursepack.packet.state import worst_case_state_size

    return worst_case_state_size(course)


def worst_case_cmi5_document(course: Course) -> int:
    """The largest state document the cmi5 AU writes: the packet's state, the bookmark, what was reported."""
    bookmark = max((len(json.dumps(module.id)) for module in course.modules), default=0)
    wrapper = len('{"state":,"location":,"reported":{"completed":true,"passed":true}}')
    return worst_case_suspend_data(course) + max(bookmark, len("null")) + wrapper


def worst_case_xapi_document(course: Course) -> int:
    """The largest state document the xAPI package writes: as cmi5's, plus the modules reported done."""
    modules = sum(len(json.dumps(module.id)) + 1 for module in course.modules)
    return worst_case_cmi5_document(course) + len(',"modules":[]') + modules


def check_suspend_data(course: Course, limit: int, standard: str, roomier: str = "the SCORM 2004 or cmi5 package") -> int:
    """The worst case, or CourseErrors when it exceeds `limit`; `roomier` names formats that have room."""
    needed = worst_case_suspend_data(course)
    if needed <= limit:
        return needed
    module, share = _heaviest_quiz(course, needed)
    advice = (
        f"the {standard} package's resume data (suspend_data) can reach {needed} characters, "
        f"over the {limit} that {standard} allows; LMSs that enforce the limit would lose the "
        "learner's place and answers."
    )
    if module is None:
        raise CourseErrors([Problem("course.yml", 0, advice + " Shorten the course or split it into several courses.")])
    first = module.quiz.questions[0].source
    path = first.path if first else f"{module.folder}/quiz.yml"
    raise CourseErrors([
        Problem(
            path,
            0,
            advice + f" This quiz takes the most ({share} characters): shorten its answers, split the "
            f"module, or offer {roomier} instead, which has room for it.",
        )
    ])


def _heaviest_quiz(course: Course, total: int):
    """The module whose quiz adds most to the worst case, and how much it adds."""
    best, best_share = None, 0
    for position, module in enumerate(course.modules):
        if module.quiz is None:
            continue
        modules = list(course.modules)
        modules[position] = dataclasses.replace(module, quiz=None)
        share = total - worst_case_suspend_data(course.model_copy(update={"modules": tuple(modules)}))
        if share > best_share:
            best, best_share = module, share
    return best, best_share
