"""Item weights in a Common Cartridge, where a question's parts share its points.

The cartridge's QTI profile allows item weights (`cc_weighting`) that are
whole numbers from 1 to 99; Moodle reads them as whole numbers, Canvas as
they are. A matching or ordering question becomes one item per part, and
those parts must share its points. So every weight of a quiz is multiplied
by the smallest whole factor that makes each one whole: each question keeps
its share of the quiz, and so do the percentages a learner gets, while the
quiz's total in the LMS is that many times the course's.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from coursepack.model import Matching, Ordering, QuestionBase

MAX_WEIGHT = 99


def exact(points: float | Fraction) -> Fraction:
    """Points as an exact fraction: 0.1 is one tenth, not its binary neighbour."""
    return points if isinstance(points, Fraction) else Fraction(Decimal(repr(float(points))))


def parts(question: QuestionBase) -> int:
    """How many items the question becomes where a format lacks its type."""
    if isinstance(question, Matching):
        return len(question.pairs)
    if isinstance(question, Ordering):
        return len(question.items)
    return 1


def scale(questions: tuple[QuestionBase, ...], split: bool) -> int | None:
    """The smallest whole factor that makes every item's weight whole and at most 99, or None.

    `split`: matching and ordering questions become one item per part.
    """
    shares = [exact(q.points) / (parts(q) if split else 1) for q in questions if q.scored]
    factor = math.lcm(*(share.denominator for share in shares)) if shares else 1
    if any(share * factor > MAX_WEIGHT for share in shares):
        return None
    return factor
