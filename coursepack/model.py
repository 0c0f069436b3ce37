"""The course model: one validated, frozen, typed description of a course.

Loaders build it from the source files; builders render it. It does no I/O and
knows no output format. The classes that mirror a source file (`CourseFile`,
`LessonFile`, `Quiz` and the question types) are also its schema: pydantic
validates the YAML against them, and `coursepack.loading.validation` turns
pydantic's complaints into `path:line` messages.

Markdown fields are `RichText`: the author's source and its rendering, made by
the Markdown renderer that the loader passes in the validation context.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
QUESTION_ID_PATTERN = r"^[a-z0-9-]+$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
BLANK = "___"
MAX_POINTS = 1000


class RichText(BaseModel):
    """Markdown as the author wrote it, and as HTML."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built when first validated: most builds never need it

    source: str
    html: str

    def __str__(self) -> str:
        return self.source


def _as_text(value: Any) -> str:
    # YAML reads `Yes`, `No`, `On` as booleans: an author who meant the word
    # gets told to quote it rather than seeing "True" in a quiz.
    if isinstance(value, bool):
        raise PydanticCustomError(
            "text_was_boolean",
            "YAML reads this as the yes/no value {value}: put the text in quotes",
            {"value": str(value).lower()},
        )
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        # `- Greet: then listen` is a mapping to YAML: the author meant one text.
        key, inner = next(iter(value.items()))
        if isinstance(inner, (str, int, float)) or inner is None:
            raise PydanticCustomError(
                "text_type",
                "expected text, not a mapping: YAML reads '{key}: {inner}' as a key and a value because of the ': ';"
                " put the text in quotes",
                {"key": key, "inner": "" if inner is None else inner},
            )
    if not isinstance(value, str):
        raise PydanticCustomError("text_type", "expected text, not a {kind}", {"kind": _kind(value)})
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _rich(inline: bool):
    def convert(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, RichText):
            return value
        text = _as_text(value)
        render = (info.context or {}).get("render_markdown")
        html = render(text, inline=inline) if render else text
        return RichText(source=text, html=html)

    return BeforeValidator(convert)


Text = Annotated[str, BeforeValidator(_as_text)]
Markdown = Annotated[RichText, _rich(inline=False)]
InlineMarkdown = Annotated[RichText, _rich(inline=True)]
def _whole_percent(value: float) -> float:
    # 0.8 for 80 % is the commonest slip: a score that low is never meant.
    if 0 < value < 1:
        raise PydanticCustomError(
            "percent_as_fraction",
            "'passing_score' is {value}, but it is a percentage: did you mean {percent}?",
            {"value": value, "percent": f"{value * 100:g}"},
        )
    return value


Percent = Annotated[float, Field(ge=0, le=100), AfterValidator(_whole_percent)]


# When a quiz shows the right answers: as soon as a question is checked, once the
# quiz is over for the learner (passed, or every attempt used), or never.
RevealAnswers = Literal["after_check", "after_last_attempt", "never"]


class Schema(BaseModel):
    # No NaN or infinity: `.nan` or `.inf` in YAML is a mistake, and no output can show it.
    # Each class is built when first validated: a build that loads every module from the cache
    # validates only course.yml, and most builds never need the question classes.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)


@dataclass(frozen=True)
class SourceRef:
    """Where something came from, for messages about it after loading."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# ---------------------------------------------------------------- quizzes


class Feedback(Schema):
    correct: Markdown | None = None
    incorrect: Markdown | None = None


class QuestionBase(Schema):
    id: Annotated[str, Field(pattern=QUESTION_ID_PATTERN)]
    prompt: Markdown
    hint: Markdown | None = None
    explanation: Markdown | None = None
    feedback: Feedback | None = None
    # Bounded so that a quiz's total stays a number every output can write.
    points: Annotated[float, Field(gt=0, le=MAX_POINTS)] = 1
    # Filled in by the loader; not an author's key.
    source: SourceRef | None = Field(default=None, exclude=True)

    scored: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _source_is_not_a_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and "source" in data and not isinstance(data["source"], SourceRef):
            raise PydanticCustomError("unknown_key", "unknown key 'source'", {})
        return data


class Choice(Schema):
    text: InlineMarkdown
    correct: bool = False
    feedback: Markdown | None = None


class SingleChoice(QuestionBase):
    type: Literal["single"]
    choices: tuple[Choice, ...]

    @model_validator(mode="after")
    def _one_correct(self) -> "SingleChoice":
        _need_choices(self)
        count = sum(c.correct for c in self.choices)
        if count != 1:
            raise PydanticCustomError(
                "correct_count",
                "question '{id}' has type 'single' but {count} correct choices",
                {"id": self.id, "count": count},
            )
        return self


class MultipleChoice(QuestionBase):
    type: Literal["multiple"]
    choices: tuple[Choice, ...]

    @model_validator(mode="after")
    def _some_correct(self) -> "MultipleChoice":
        _need_choices(self)
        if not any(c.correct for c in self.choices):
            raise PydanticCustomError(
                "correct_count",
                "question '{id}' has type 'multiple' but no correct choice",
                {"id": self.id},
            )
        return self


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _need_choices(question: SingleChoice | MultipleChoice) -> None:
    if len(question.choices) < 2:
        raise PydanticCustomError(
            "too_few",
            "question '{id}' needs at least 2 choices, has {count}",
            {"id": question.id, "count": len(question.choices)},
        )


class TrueFalse(QuestionBase):
    type: Literal["true_false"]
    answer: bool


class FillBlank(QuestionBase):
    type: Literal["fill_blank"]
    answers: tuple[Text, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_blank(self) -> "FillBlank":
        count = self.prompt.source.count(BLANK)
        if count != 1:
            raise PydanticCustomError(
                "blank_count",
                "question '{id}' has type 'fill_blank' but its prompt holds '___' {count} times"
                " (it must hold it exactly once)",
                {"id": self.id, "count": count},
            )
        return self

    @property
    def prompt_parts(self) -> tuple[str, str]:
        """The prompt's HTML before and after the blank."""
        before, _, after = self.prompt.html.partition(BLANK)
        return before, after


class Numeric(QuestionBase):
    type: Literal["numeric"]
    answer: float
    tolerance: Annotated[float, Field(ge=0)] = 0

    @field_validator("answer", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PydanticCustomError(
                "not_a_number", "answer '{value}' is not a number", {"value": value}
            )
        try:
            return float(value)
        except OverflowError:
            raise PydanticCustomError("number_too_large", "too large", {}) from None

    @model_validator(mode="after")
    def _finite_range(self) -> "Numeric":
        # The packet checks answer ± tolerance: both ends must be numbers.
        if not all(math.isfinite(end) for end in (self.answer - self.tolerance, self.answer + self.tolerance)):
            raise PydanticCustomError(
                "range_too_large",
                "question '{id}': 'answer' plus or minus 'tolerance' is too large a number",
                {"id": self.id, "at": "tolerance"},
            )
        return self


class MatchPair(Schema):
    prompt: InlineMarkdown
    match: Text


class Matching(QuestionBase):
    type: Literal["matching"]
    pairs: tuple[MatchPair, ...]
    distractors: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _two_pairs(self) -> "Matching":
        if len(self.pairs) < 2:
            raise PydanticCustomError(
                "too_few",
                "question '{id}' has type 'matching' but {count} (it needs at least 2)",
                {"id": self.id, "count": _count(len(self.pairs), "pair")},
            )
        return self

    @property
    def options(self) -> tuple[str, ...]:
        """Every match a learner may pick, in a stable order."""
        return tuple(sorted({p.match for p in self.pairs} | set(self.distractors), key=str.casefold))


class Ordering(QuestionBase):
    type: Literal["ordering"]
    items: tuple[InlineMarkdown, ...]

    @model_validator(mode="after")
    def _two_items(self) -> "Ordering":
        if len(self.items) < 2:
            raise PydanticCustomError(
                "too_few",
                "question '{id}' has type 'ordering' but {count} (it needs at least 2)",
                {"id": self.id, "count": _count(len(self.items), "item")},
            )
        return self


class Open(QuestionBase):
    type: Literal["open"]
    sample_answer: Markdown | None = None
    scored: ClassVar[bool] = False


Question = Annotated[
    Union[SingleChoice, MultipleChoice, TrueFalse, FillBlank, Numeric, Matching, Ordering, Open],
    Field(discriminator="type"),
]
QUESTION_CLASSES: dict[str, type[QuestionBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls
    for cls in (SingleChoice, MultipleChoice, TrueFalse, FillBlank, Numeric, Matching, Ordering, Open)
}


class Quiz(Schema):
    title: Text | None = None
    passing_score: Percent | None = Field(default=None, validate_default=True)
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    pick: Annotated[int, Field(ge=1)] | None = None
    max_attempts: Annotated[int, Field(ge=0)] = 0
    reveal_answers: RevealAnswers | None = None  # None: the course's setting
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("passing_score", mode="after")
    @classmethod
    def _course_default(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return (info.context or {}).get("default_passing_score")
        return value

    @model_validator(mode="after")
    def _pick_fits(self) -> "Quiz":
        if self.pick is not None and self.pick > len(self.questions):
            raise PydanticCustomError(
                "pick_too_large",
                "'pick' is {pick} but the quiz has only {count}",
                {"pick": self.pick, "count": _count(len(self.questions), "question"), "at": "pick"},
            )
        return self

    @property
    def scored_questions(self) -> tuple:
        return tuple(q for q in self.questions if q.scored)

    @property
    def points_possible(self) -> float:
        """Points of one attempt; with `pick`, questions are assumed to weigh alike."""
        points = [q.points for q in self.scored_questions]
        if self.pick is not None and points:
            return sum(sorted(points, reverse=True)[: self.pick])
        return sum(points)


# ---------------------------------------------------------------- lessons


class LessonFile(Schema):
    """The front matter of a lesson.md."""

    title: Text
    objectives: tuple[InlineMarkdown, ...] = ()
    minutes: Annotated[int, Field(ge=1)] | None = None


@dataclass(frozen=True)
class Prose:
    html: str
    kind: Literal["prose"] = "prose"


@dataclass(frozen=True)
class Reflect:
    """A prompt for private notes; `id` is stable across builds of the course."""

    id: str
    title: str
    html: str
    kind: Literal["reflect"] = "reflect"


@dataclass(frozen=True)
class Scenario:
    title: str
    html: str
    kind: Literal["scenario"] = "scenario"


@dataclass(frozen=True)
class TrainerNote:
    title: str
    html: str
    kind: Literal["trainer"] = "trainer"


Segment = Prose | Reflect | Scenario | TrainerNote


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Cue:
    """One caption of a recording: from `start_ms` to `end_ms`, plain text (its speaker apart)."""

    start_ms: int
    end_ms: int
    text: str
    voice: str | None = None


@dataclass(frozen=True)
class Media:
    """A video or audio recording in a lesson, with its captions (the WebVTT file beside it).

    Paths are course-relative; the lesson's HTML already holds the player, and
    formats that need more (print, a cartridge's <track>) find it here.
    """

    path: str
    kind: Literal["video", "audio"]
    media_type: str
    alt: str
    captions: str
    cues: tuple[Cue, ...]
    poster: str | None = None
    duration_ms: int | None = None


@dataclass(frozen=True)
class Lesson:
    segments: tuple[Segment, ...]
    toc: tuple[TocEntry, ...]
    word_count: int
    media: tuple[Media, ...] = ()

    def segments_for(self, audience: Literal["learner", "trainer"]) -> tuple[Segment, ...]:
        """What a given reader may see: trainer notes only reach the trainer."""
        if audience == "trainer":
            return self.segments
        return tuple(s for s in self.segments if not isinstance(s, TrainerNote))

    @property
    def reflections(self) -> tuple[Reflect, ...]:
        return tuple(s for s in self.segments if isinstance(s, Reflect))


@dataclass(frozen=True)
class Module:
    id: str
    number: int
    folder: str
    title: str
    objectives: tuple[RichText, ...]
    minutes: int
    minutes_estimated: bool
    lesson: Lesson
    quiz: Quiz | None
    source: SourceRef
    # A hash of everything the module was made from (its sources, the files
    # they use, the settings and coursepack version that shaped it), so that
    # builders can tell which of their results are still good.
    digest: str = ""


# ---------------------------------------------------------------- course


@dataclass(frozen=True)
class Asset:
    """A file a lesson refers to, by its course-relative POSIX path."""

    path: str
    data: bytes
    media_type: str


class CourseFile(Schema):
    """course.yml."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Text
    version: str
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN)] = "en"
    description: Markdown | None = None
    audience: Text | None = None
    authors: tuple[Text, ...] = ()
    organization: Text | None = None
    passing_score: Percent = 80
    completion: Literal["quizzes", "visited"] = "quizzes"
    # Self-study quizzes teach best when a wrong answer is followed by the right one.
    reveal_answers: RevealAnswers = "after_check"
    outputs: tuple[str, ...] | None = None
    page_size: Literal["A4", "Letter"] | None = None
    # Some LMSs lock a learner out once "failed" is recorded: such courses
    # report a learner below the passing score as "incomplete" instead.
    report_failure_as: Literal["failed", "incomplete"] = "failed"
    # PDF/A-2a for archives instead of PDF/UA-1 (both tagged).
    pdf_archival: bool = False
    # Lessons may hold scripts, event handlers and embedded pages (refused otherwise).
    allow_scripts: bool = False
    # The single file embeds video and audio; past this it fails rather than grow unusable.
    single_media_limit_mb: Annotated[float, Field(gt=0)] = 25

    @field_validator("version", mode="before")
    @classmethod
    def _quoted_version(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise PydanticCustomError(
                "version_not_text",
                "'version' must be text: write it in quotes, e.g. version: \"{value}\"",
                {"value": value},
            )
        return value

    @field_validator("authors", mode="before")
    @classmethod
    def _one_author(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("outputs", mode="before")
    @classmethod
    def _known_formats(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        known = (info.context or {}).get("known_formats")
        if known and isinstance(value, list):
            unknown = [v for v in value if v not in known]
            if unknown:
                raise PydanticCustomError(
                    "unknown_format",
                    "unknown output format '{name}' (known: {known})",
                    {"name": unknown[0], "known": ", ".join(known)},
                )
        return value


class Course(CourseFile):
    """The whole course: course.yml plus its modules and the files they use."""

    modules: tuple[Module, ...]
    assets: tuple[Asset, ...] = ()
    # A hash of course.yml and every module's digest: equal digests, equal courses.
    digest: str = ""
    # A hash of course.yml and the list of modules (ids, titles, minutes, quizzes):
    # what pages that show the whole course, such as navigation, depend on.
    outline_digest: str = ""

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def quizzes(self) -> tuple[tuple[Module, Quiz], ...]:
        return tuple((m, m.quiz) for m in self.modules if m.quiz is not None)

    @property
    def effective_page_size(self) -> str:
        """US and Canadian readers get Letter, everyone else A4, unless the course says."""
        if self.page_size:
            return self.page_size
        region = self.language.split("-")[1:2]
        if self.language.lower() in ("en", "es-us", "fr-ca") or region in (["US"], ["CA"]):
            return "Letter"
        return "A4"

    def asset(self, path: str) -> Asset:
        for asset in self.assets:
            if asset.path == path:
                return asset
        raise KeyError(path)


def slug_of(folder: str) -> str:
    """A module folder's id: its name without the numeric prefix."""
    return re.sub(r"^\d+[-_]?", "", folder)
