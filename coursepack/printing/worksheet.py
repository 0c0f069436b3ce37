"""Quiz questions laid out for pen and paper, and their answer key.

A `Worksheet` holds only what a learner may see: prompts, choices in print
order, boxes and lines to fill. The answers live in a separate `KeyEntry`, which
only the trainer edition receives, so a learner page cannot show an answer by
mistake in a template.

Orders that the paper fixes once and for all (shuffled choices, the scrambled
items of an ordering question) are derived from the question's id, so every
build prints the same worksheet and the answer key matches it.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass

from coursepack.model import (
    FillBlank,
    Matching,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    Quiz,
    SingleChoice,
    TrueFalse,
)

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GRID_JOIN = "\u00b7"  # between the parts of one answer in the grid: "2 D·A·B", never read as more numbers


def letter(n: int) -> str:
    """A, B, ... Z, AA, AB, ...: the label of the n-th (from 0) choice or answer."""
    return _ALPHABET[n] if n < 26 else letter(n // 26 - 1) + _ALPHABET[n % 26]


@dataclass(frozen=True)
class Option:
    """A line a learner ticks, numbers or matches: its label and its text."""

    label: str
    html: str
    note: str = ""  # in the answer key: what a matching prompt is matched with


@dataclass(frozen=True)
class Worksheet:
    """One question as printed for the learner, with no answer in it."""

    number: int
    kind: str  # the question type
    prompt_html: str
    options: tuple[Option, ...] = ()  # choices, items to order, or prompts to match
    matches: tuple[Option, ...] = ()  # matching: the lettered answers to pick from
    unused_matches: bool = False  # matching: some answers match nothing
    blank_before: str = ""  # fill_blank: the prompt around the blank
    blank_after: str = ""
    instructed: bool = False  # the prompt already says how to answer ("Select all that apply.")

    def blank_parts(self) -> tuple[str, str, str, str]:
        """The fill-in prompt as (text, word before the blank, word after it, text): the two
        words are printed with the blank and never wrap away from it."""
        head, before = _split_last_word(self.blank_before)
        after, rest = _split_first_word(self.blank_after)
        return head, before, after, rest


@dataclass(frozen=True)
class KeyEntry:
    """The answer to one printed question, for the trainer."""

    number: int
    kind: str
    prompt_html: str
    answers: tuple[Option, ...] = ()  # the correct options, in the order they count
    answer_text: str = ""  # true/false, fill-in and numeric answers, as text
    also_accepted: tuple[str, ...] = ()
    sample_answer_html: str = ""
    explanation_html: str = ""
    hint_html: str = ""
    wrong_choices: tuple[tuple[Option, str], ...] = ()  # (choice, why it is wrong) for choice questions
    points: float = 1
    scored: bool = True
    grid: str = ""  # the answer in a few characters, for the answer grid ("B", "A·C", "2·1·4·3")


def print_order(key: str, count: int) -> list[int]:
    """A fixed pseudo-random permutation of range(count), derived from `key`."""
    return sorted(range(count), key=lambda i: hashlib.sha256(f"{key}:{i}".encode()).hexdigest())


def scrambled(key: str, count: int) -> list[int]:
    """Like `print_order`, but never the identity: an ordering task must not print solved."""
    order = print_order(key, count)
    if order == list(range(count)):
        order = order[1:] + order[:1]
    return order


def worksheet(number: int, question, quiz: Quiz) -> Worksheet:
    prompt = question.prompt.html
    if isinstance(question, (SingleChoice, MultipleChoice)):
        return Worksheet(number, question.type, prompt, options=_choices(question, quiz))
    if isinstance(question, FillBlank):
        before, after = question.prompt_parts
        return Worksheet(number, question.type, prompt, blank_before=before, blank_after=after)
    if isinstance(question, Matching):
        # Prompts are not numbered: on a page, numbers belong to questions and letters to answers.
        prompts = tuple(Option("", p.prompt.html) for p in question.pairs)
        matches = tuple(Option(letter(i), htmllib.escape(m)) for i, m in enumerate(question.options))
        return Worksheet(number, question.type, prompt, options=prompts, matches=matches,
                         unused_matches=len(matches) > len(prompts))
    if isinstance(question, Ordering):
        order = scrambled(question.id, len(question.items))
        items = tuple(Option("", question.items[i].html) for i in order)
        return Worksheet(number, question.type, prompt, options=items)
    return Worksheet(number, question.type, prompt)  # true_false, numeric, open


def answer_key(number: int, question, quiz: Quiz) -> KeyEntry:
    common = {
        "prompt_html": question.prompt.html,
        "explanation_html": question.explanation.html if question.explanation else "",
        "hint_html": question.hint.html if question.hint else "",
        "points": question.points,
        "scored": question.scored,
    }
    if isinstance(question, (SingleChoice, MultipleChoice)):
        printed = _choices(question, quiz)
        source = [question.choices[i] for i in _choice_order(question, quiz)]
        right = tuple(o for o, c in zip(printed, source) if c.correct)
        wrong = tuple((o, c.feedback.html) for o, c in zip(printed, source) if not c.correct and c.feedback)
        return KeyEntry(number, question.type, answers=right, wrong_choices=wrong,
                        grid=GRID_JOIN.join(o.label for o in right), **common)
    if isinstance(question, TrueFalse):
        return KeyEntry(number, question.type, answer_text="true" if question.answer else "false", **common)
    if isinstance(question, FillBlank):
        first, *others = question.answers
        return KeyEntry(number, question.type, answer_text=first, also_accepted=tuple(others), grid=first, **common)
    if isinstance(question, Numeric):
        text = f"{question.answer:g}" + (f" ± {question.tolerance:g}" if question.tolerance else "")
        return KeyEntry(number, question.type, answer_text=text, grid=text, **common)
    if isinstance(question, Matching):
        # In the order the prompts print: the letter each box needs, the prompt, the answer it names.
        label = {m: letter(i) for i, m in enumerate(question.options)}
        pairs = tuple(Option(label[p.match], p.prompt.html, note=htmllib.escape(p.match)) for p in question.pairs)
        return KeyEntry(number, question.type, answers=pairs, grid=GRID_JOIN.join(label[p.match] for p in question.pairs),
                        **common)
    if isinstance(question, Ordering):
        order = scrambled(question.id, len(question.items))
        steps = tuple(Option(str(i + 1), item.html) for i, item in enumerate(question.items))
        boxes = GRID_JOIN.join(str(i + 1) for i in order)  # the number each box needs, top to bottom
        return KeyEntry(number, question.type, answers=steps, answer_text=boxes, grid=boxes, **common)
    assert isinstance(question, Open)
    sample = question.sample_answer.html if question.sample_answer else ""
    return KeyEntry(number, question.type, sample_answer_html=sample, **common)


def _choice_order(question: SingleChoice | MultipleChoice, quiz: Quiz) -> list[int]:
    # Authors often write the right answer first; when they ask for shuffled
    # choices, the paper gets one fixed shuffle instead of their order.
    if quiz.shuffle_choices:
        return print_order(question.id, len(question.choices))
    return list(range(len(question.choices)))


def _choices(question: SingleChoice | MultipleChoice, quiz: Quiz) -> tuple[Option, ...]:
    order = _choice_order(question, quiz)
    return tuple(Option(letter(shown), question.choices[i].text.html) for shown, i in enumerate(order))



_LAST_WORD = re.compile(r"[^\s<>]*\s*$")
_FIRST_WORD = re.compile(r"^\s*[^\s<>]*")


def _split_last_word(html: str) -> tuple[str, str]:
    """`html` cut before its last word; a word never takes a tag with it."""
    cut = _LAST_WORD.search(html).start()
    return html[:cut], html[cut:]


def _split_first_word(html: str) -> tuple[str, str]:
    cut = _FIRST_WORD.match(html).end()
    return html[:cut], html[cut:]
