"""A module quiz as the packet's templates and script see it.

Each question carries its answer only as marks and sealed text (see
`answer_key`). Choices and ordering items appear in a deterministic shuffled
order when the quiz shuffles (ordering items always), so the source order
gives nothing away either; the script reshuffles them for every attempt. A
choice's or item's `key` is its place in the page, and it is what the saved
state records.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from coursepack.model import (
    Course,
    FillBlank,
    Matching,
    Module,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    QuestionBase,
    Quiz,
    SingleChoice,
    TrueFalse,
)
from coursepack.packet.answer_key import build_order, mark, normalise_answer, question_salt, seal

# Longest answers a learner can type into scored questions; they bound the saved state.
FILL_BLANK_MAXLENGTH = 60
NUMERIC_MAXLENGTH = 20

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<(?:br|/p|/li|/div|/h\d|/dd|/dt|/td|/th|/tr)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Option:
    """A choice or an ordering item, at its place (`key`) in the page."""

    key: int
    html: str
    mark: str = ""


@dataclass(frozen=True)
class Row:
    """One prompt of a matching question."""

    index: int
    html: str
    mark: str


@dataclass(frozen=True)
class QuestionView:
    question: QuestionBase
    index: int  # place in the quiz as authored; the state's key for its response
    salt: str
    sealed: str
    prompt_text: str
    choices: tuple[Option, ...] = ()
    rows: tuple[Row, ...] = ()
    options: tuple[str, ...] = ()
    items: tuple[Option, ...] = ()
    marks: tuple[str, ...] = ()  # true_false: the answer; fill_blank: each accepted answer; ordering: each position
    blank: tuple[str, str] = ("", "")

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def type(self) -> str:
        return self.question.type

    @property
    def scored(self) -> bool:
        return self.question.scored


@dataclass(frozen=True)
class QuizView:
    quiz: Quiz
    title: str
    questions: tuple[QuestionView, ...]


def reveal_rule(course: Course, quiz: Quiz) -> str:
    """When the quiz shows the right answers: its own setting, else the course's."""
    return quiz.reveal_answers or course.reveal_answers


def questions_per_attempt(quiz: Quiz) -> int:
    """How many questions one attempt shows: `pick` draws among the scored ones only."""
    if quiz.pick is None:
        return len(quiz.questions)
    return min(quiz.pick, len(quiz.scored_questions)) + len(quiz.questions) - len(quiz.scored_questions)


def points_recoverable(quiz: Quiz) -> bool:
    """Whether the points an attempt earned can be read back exactly from its percentage to 4 places.

    True when every attempt has the same points possible (no `pick`, or a draw among questions
    of equal points) and every question's points are whole hundredths: the percentage's error,
    at most 0.00005% of the points possible, then stays under half a hundredth of a point."""
    points = [question.points for question in quiz.scored_questions]
    if not points:
        return False
    same_every_attempt = quiz.pick is None or len(set(points)) == 1
    hundredths = all(abs(p * 100 - round(p * 100)) < 1e-9 for p in points)
    return same_every_attempt and hundredths and quiz.points_possible < 10_000


def quiz_settings(course: Course, quiz: Quiz) -> dict:
    """What the script needs to run attempts, in short keys."""
    return {
        "pass": quiz.passing_score,
        "max": quiz.max_attempts,
        "pick": quiz.pick,
        "sq": quiz.shuffle_questions,
        "sc": quiz.shuffle_choices,
        "w": quiz.points_possible,
        "x": points_recoverable(quiz),
        "rv": reveal_rule(course, quiz),
    }


def quiz_view(course: Course, module: Module, default_title: str) -> QuizView | None:
    quiz = module.quiz
    if quiz is None:
        return None
    questions = tuple(
        _question_view(course, module, quiz, index, question) for index, question in enumerate(quiz.questions)
    )
    return QuizView(quiz, quiz.title or default_title, questions)


def plain_text(fragment: str) -> str:
    """An HTML fragment as the text a reader sees."""
    text = _TAG.sub("", _BREAK.sub(" ", fragment))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _question_view(course: Course, module: Module, quiz: Quiz, index: int, question: QuestionBase) -> QuestionView:
    salt = question_salt(course, module.id, question)
    reveals = reveal_rule(course, quiz) != "never"
    hidden: dict = {}
    if question.explanation:
        hidden["x"] = question.explanation.html
    if question.feedback and question.feedback.correct:
        hidden["c"] = question.feedback.correct.html
    if question.feedback and question.feedback.incorrect:
        hidden["i"] = question.feedback.incorrect.html
    view: dict = {}
    if isinstance(question, (SingleChoice, MultipleChoice)):
        order = build_order(salt, len(question.choices)) if quiz.shuffle_choices else list(range(len(question.choices)))
        choices = [question.choices[i] for i in order]
        view["choices"] = tuple(
            Option(key, choice.text.html, mark(salt, key, "1" if choice.correct else "0"))
            for key, choice in enumerate(choices)
        )
        if any(choice.feedback for choice in choices):
            hidden["f"] = [choice.feedback.html if choice.feedback else "" for choice in choices]
    elif isinstance(question, TrueFalse):
        view["marks"] = (mark(salt, "true" if question.answer else "false"),)
    elif isinstance(question, FillBlank):
        accepted = sorted({mark(salt, normalise_answer(answer)) for answer in question.answers})
        view["marks"] = tuple(accepted)
        view["blank"] = question.prompt_parts
        if reveals:
            hidden["a"] = question.answers[0]
    elif isinstance(question, Numeric):
        hidden["n"] = [question.answer - question.tolerance, question.answer + question.tolerance]
        if reveals:
            hidden["a"] = [question.answer, question.tolerance]
    elif isinstance(question, Matching):
        options = question.options
        view["options"] = options
        view["rows"] = tuple(
            Row(row, pair.prompt.html, mark(salt, row, options.index(pair.match)))
            for row, pair in enumerate(question.pairs)
        )
    elif isinstance(question, Ordering):
        order = build_order(salt, len(question.items), avoid_identity=True)
        key_of = {authored: key for key, authored in enumerate(order)}
        view["items"] = tuple(Option(key, question.items[authored].html) for key, authored in enumerate(order))
        view["marks"] = tuple(mark(salt, position, key_of[position]) for position in range(len(question.items)))
    elif isinstance(question, Open) and question.sample_answer and reveals:
        hidden["m"] = question.sample_answer.html
    prompt_text = plain_text(question.prompt.html)
    return QuestionView(
        question=question,
        index=index,
        salt=salt,
        sealed=seal(salt, hidden),
        prompt_text=prompt_text,
        **view,
    )
