"""The shapes a question takes in formats that lack its type.

Matching and ordering both become *pairing*: stems, each with the one option
that belongs to it, drawn from a shared list of options. A matching question
is that already; an ordering question pairs each position ("Position 1") with
the item that belongs there. Formats with a matching type write a pairing as
one matching question; formats without one write one multiple-choice item per
stem. A numeric answer, where a format only compares text, becomes the
spellings of the accepted numbers.
"""

from __future__ import annotations

import html as htmllib
import math
from dataclasses import dataclass

from coursepack.exports.text import decimal_text, one_line
from coursepack.model import Matching, Numeric, Ordering

# More accepted spellings than this, and a numeric answer keeps only its value.
MAX_SPELLINGS = 21


@dataclass(frozen=True)
class Stem:
    html: str  # what the learner pairs: a matching prompt, or a position label
    answer: str  # the option that belongs to it, plain text


@dataclass(frozen=True)
class Pairing:
    prompt_html: str
    stems: tuple[Stem, ...]
    options: tuple[str, ...]  # plain text, in a stable order that gives nothing away


def pairing(question: Matching | Ordering, strings: dict[str, str]) -> Pairing:
    if isinstance(question, Matching):
        stems = tuple(Stem(pair.prompt.html, pair.match) for pair in question.pairs)
        return Pairing(question.prompt.html, stems, question.options)
    items = [one_line(item.html) for item in question.items]
    stems = tuple(
        Stem(htmllib.escape(strings["export_position"].format(n=n)), item)
        for n, item in enumerate(items, start=1)
    )
    instruction = f'<p>{htmllib.escape(strings["export_order_instruction"])}</p>'
    return Pairing(
        question.prompt.html + "\n" + instruction,
        stems,
        tuple(sorted(set(items), key=lambda text: (text.casefold(), text))),
    )


@dataclass(frozen=True)
class NumberAsText:
    spellings: tuple[str, ...]
    loss: str | None  # what a learner loses, None when nothing


def number_as_text(question: Numeric) -> NumberAsText:
    """The typed answers that stand for a numeric answer where only text is compared."""
    answer, tolerance = float(question.answer), float(question.tolerance)
    exact = decimal_text(answer)
    if tolerance == 0:
        return NumberAsText((exact,), f"only the text '{exact}' is accepted (not '{exact}.0' or the number in words)")
    low, high = math.ceil(answer - tolerance), math.floor(answer + tolerance)
    if answer.is_integer() and tolerance.is_integer() and high - low + 1 <= MAX_SPELLINGS:
        spellings = tuple(str(n) for n in range(low, high + 1))
        return NumberAsText(
            spellings, f"the whole numbers {low} to {high} are accepted as text; other numbers within the tolerance are not"
        )
    return NumberAsText((exact,), f"only the text '{exact}' is accepted: the tolerance of ±{decimal_text(tolerance)} is lost")
