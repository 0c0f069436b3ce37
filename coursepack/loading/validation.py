"""Turn pydantic's validation errors into `path:line: error:` problems."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from coursepack.model import QUESTION_CLASSES, QuestionBase, RichText

from coursepack.errors import ProblemLog
from coursepack.loading.yaml_source import LineMap, Path

_KIND_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "dataclass_type": "a mapping of keys to values",
}


def validate(
    model: type[BaseModel],
    data: Any,
    lines: LineMap,
    path: str,
    log: ProblemLog,
    context: dict | None = None,
    what: str = "",
) -> Any:
    """Validate `data` as `model`; on failure log every problem and return None."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        for loc, message in describe(exc, data, model, what):
            log.error(path, lines.line_of(loc), message)
        return None


def describe(exc: ValidationError, data: Any, model: type[BaseModel], what: str = "") -> list[tuple[Path, str]]:
    errors = exc.errors(include_url=False)
    paths = [_data_path(data, e["loc"]) for e in errors]
    found = []
    for error, path in zip(errors, paths):
        # pydantic adds "too short" for a list whose items all failed: noise.
        if error["type"] == "too_short" and any(p[: len(path)] == path and p != path for p in paths):
            continue
        message = _message(error, path, data, model, what)
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = path + ("type",)
        elif "at" in error.get("ctx", {}):  # a model-level check about one key
            path = path + (error["ctx"]["at"],)
        found.append((path, message))
    return found


def _data_path(data: Any, loc: tuple) -> Path:
    """The path into the YAML data, without the union tags pydantic inserts."""
    path: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part == node.get("type"):
            continue  # discriminated-union tag
        elif isinstance(node, dict):
            node = None  # a missing or unknown key: keep it in the path
        else:
            continue
        path.append(part)
    return tuple(path)


def _subject(path: Path, data: Any, what: str) -> str:
    """'question 'greeting'' for an item with an id, else the file's subject."""
    node = data
    subject = what
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str) and "type" in node:
            subject = f"question '{node['id']}'"
    return subject


def _message(error: dict, path: Path, data: Any, model: type[BaseModel], what: str) -> str:
    kind = error["type"]
    key = path[-1] if path else ""
    subject = _subject(path, data, what)
    prefix = f"{subject}: " if subject else ""
    value = error.get("input")
    if kind == "missing":
        return f"{prefix}missing required key '{key}'"
    if kind == "extra_forbidden":
        return f"{prefix}unknown key '{key}'{_suggestion(str(key), path, data, model)}"
    if kind == "union_tag_invalid":
        expected = error["ctx"]["expected_tags"].replace("'", "")
        return f"{prefix}unknown question type '{error['ctx']['tag']}' (expected one of: {expected})"
    if kind == "union_tag_not_found":
        return f"{prefix}missing required key 'type'"
    if kind == "string_pattern_mismatch":
        return f"{prefix}'{key}' is '{value}', but it may hold only lower-case letters, digits and '-', and must start with a letter or digit"
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"{prefix}'{key}' is '{value}', but it must be one of: {expected}"
    if kind == "finite_number":
        return f"{prefix}'{key}' must be a finite number, not {_show(value)}"
    if kind == "number_too_large" or (kind == "float_type" and _too_large(value)):
        return f"{prefix}'{key}' is a number too large to use ({len(str(abs(value)))} digits)"
    if kind in ("greater_than_equal", "less_than_equal") and key == "passing_score":
        return f"{prefix}'passing_score' is {value}, but it must be a percentage from 0 to 100"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{prefix}'{key}' is {value}, but it {error['msg'].lower().replace('input should', 'must')}"
    if kind == "too_short":
        return f"{prefix}'{key}' {error['msg'].lower().replace('tuple', 'list').replace('list should', 'must')}"
    if kind in _KIND_NAMES:
        return f"{prefix}'{key}' must be {_KIND_NAMES[kind]}, not {_show(value)}"
    if isinstance(key, int) and kind.startswith("text"):
        return f"{prefix}{error['msg']}"
    if key and kind.startswith("text"):
        return f"{prefix}'{key}' must be text: {error['msg']}"
    return f"{error['msg']}" if "question '" in error["msg"] or not prefix else f"{prefix}{error['msg']}"


def _too_large(value: Any) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    try:
        float(value)
    except OverflowError:
        return True
    return False


def _show(value: Any) -> str:
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value) if isinstance(value, str) else str(value)


def _suggestion(key: str, path: Path, data: Any, model: type[BaseModel]) -> str:
    allowed = _allowed_keys(path[:-1], data, model)
    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _allowed_keys(path: Path, data: Any, model: type[BaseModel]) -> list[str]:
    """The keys allowed in the mapping at `path`: the fields of its model."""
    node = data
    current: Any = model
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return []
        if isinstance(part, str):
            current = _item_model(current, part)
        if current is QuestionBase and isinstance(node, dict):
            current = QUESTION_CLASSES.get(node.get("type"), QuestionBase)
    if current is None:
        return []
    return [name for name in current.model_fields if name != "source"]


def _item_model(owner: Any, key: str) -> type[BaseModel] | None:
    """The model of the mapping(s) held by `owner.key`, looking through lists and unions."""
    if owner is None or key not in owner.model_fields:
        return None
    pending = [owner.model_fields[key].annotation]
    while pending:
        annotation = pending.pop(0)
        if isinstance(annotation, type) and issubclass(annotation, QuestionBase):
            return QuestionBase
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation is not RichText:
            return annotation
        pending.extend(typing.get_args(annotation))
    return None
