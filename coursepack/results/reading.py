"""Read one learner's results file into a validated `ResultsFile`.

The file is what the packet's "Save my results" writes (format
`coursepack-results`, version 1). Every problem in a file is a `Problem`
naming it, so a trainer sees all the damaged files of a folder in one run.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from coursepack.errors import CourseErrors, Problem

FORMAT = "coursepack-results"
FORMAT_VERSION = 1
STATUSES = ("not_started", "in_progress", "passed", "failed", "completed")
# A results file holds a few kilobytes; anything far larger is some other file.
MAX_BYTES = 20 * 1024 * 1024

Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class _Strict(BaseModel):
    # Strict: a score of "80" or a name of 42 is a damaged file, not something to guess at.
    # Unknown keys are ignored so that a later packet may add some within format version 1.
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class CourseRef(_Strict):
    id: str
    version: str
    title: str


class ModuleResult(_Strict):
    id: str
    title: str
    status: Literal["not_started", "in_progress", "passed", "failed", "completed"]
    best_score: Score | None
    date: date | None


class ResultsFile(_Strict):
    format: Literal["coursepack-results"]
    format_version: Literal[1]
    course: CourseRef
    learner: str
    saved_at: AwareDatetime
    completed_on: date | None
    modules: tuple[ModuleResult, ...] = Field(min_length=1)
    state: dict[str, Any]
    notes: dict[str, Any]

    @field_validator("saved_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("modules")
    @classmethod
    def _unique_ids(cls, modules: tuple[ModuleResult, ...]) -> tuple[ModuleResult, ...]:
        seen: set[str] = set()
        for module in modules:
            if module.id in seen:
                raise ValueError(f"module '{module.id}' is listed twice")
            seen.add(module.id)
        return modules


def read_results(path: Path, shown_as: str) -> ResultsFile:
    """The validated results in `path`; raises CourseErrors naming the file `shown_as`."""

    def fail(message: str, line: int = 0) -> CourseErrors:
        return CourseErrors([Problem(shown_as, line, message)])

    try:
        if path.is_dir():
            raise fail("is a folder, not a results file")
        if path.exists() and not path.is_file():
            raise fail("is not a regular file")  # a pipe or device would block the read
        if path.stat().st_size > MAX_BYTES:
            raise fail(f"is larger than {MAX_BYTES // 1024 // 1024} MB: not a results file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("not a results file: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"not a results file: not valid JSON ({exc.msg}, column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise fail("not a results file: nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise fail(f"not a results file: it has no \"format\": \"{FORMAT}\"")
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise fail(f"written by a newer coursepack (format version {version}); this one reads version {FORMAT_VERSION}")
    try:
        return ResultsFile.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise CourseErrors([Problem(shown_as, 0, _message(e)) for e in errors if not _noise(e, errors)]) from None


def _noise(error: dict, errors: list[dict]) -> bool:
    """pydantic adds 'too short' to a list whose items all failed: the items' errors say it."""
    loc = error["loc"]
    return error["type"] == "too_short" and any(e["loc"][: len(loc)] == loc and e["loc"] != loc for e in errors)


_KINDS = {
    "string_type": "text",
    "float_type": "a number",
    "finite_number": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "date_type": "a date (YYYY-MM-DD) or null",
    "date_parsing": "a date (YYYY-MM-DD) or null",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD) or null",
    "datetime_type": "a date and time in UTC (such as 2026-03-01T14:30:00Z)",
    "datetime_parsing": "a date and time in UTC (such as 2026-03-01T14:30:00Z)",
    "timezone_aware": "a date and time in UTC (such as 2026-03-01T14:30:00Z)",
}


def _message(error: dict) -> str:
    where = _location(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return f"'{where}' is missing"
    if kind == "literal_error" and where.endswith("status"):
        return f"'{where}' is {_show(value)}, but it must be one of: {', '.join(STATUSES)}"
    if kind == "literal_error":
        return f"'{where}' is {_show(value)}, but it must be {error['ctx']['expected']}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"'{where}' is {_show(value)}, but it must be a percentage from 0 to 100, or null"
    if kind == "too_short":
        return f"'{where}' is empty: it must list the course's modules"
    if kind in _KINDS:
        return f"'{where}' must be {_KINDS[kind]}, not {_show(value)}"
    if kind == "value_error":
        return f"'{where}': {error['ctx']['error']}"
    return f"'{where}': {error['msg']}"


def _location(loc: tuple) -> str:
    """('modules', 2, 'status') -> 'modules[2].status', as in the file's JSON."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
