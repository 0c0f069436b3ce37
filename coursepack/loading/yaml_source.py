"""YAML that remembers where each item came from.

PyYAML's composed nodes carry line numbers; we construct plain Python data and
keep, beside it, the line of every mapping key and sequence item, addressed by
the path of keys and indexes that leads to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlSyntaxError(Exception):
    line: int
    message: str


@dataclass(frozen=True)
class LineMap:
    """Lines (1-based) of the items of one YAML document."""

    lines: dict[Path, int]
    first_line: int = 1

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)


class _Loader(yaml.SafeLoader):
    pass


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str):
    """Compose with libyaml when it is there (much faster); its error messages
    differ, so a document with an error is composed again in Python to report it."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


def load_yaml(text: str, line_offset: int = 0) -> tuple[object, LineMap]:
    """Parse one YAML document; lines are shifted by `line_offset`.

    Raises YamlSyntaxError with the line of the first syntax problem.
    """
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        problem = exc.problem or "invalid YAML"
        context = exc.context_mark
        if exc.context and context and mark and context.line != mark.line:
            problem = f"{problem} ({exc.context} on line {context.line + 1 + line_offset})"
        elif exc.context:
            problem = f"{exc.context}, {problem}"
        raise YamlSyntaxError(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1 + line_offset, f"invalid YAML: {exc}") from None
    lines: dict[Path, int] = {}
    if node is None:
        return None, LineMap(lines, 1 + line_offset)
    constructor = _Loader(text)
    try:
        data = _construct(node, (), lines, constructor, line_offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlSyntaxError(
            (mark.line + 1 if mark else 1) + line_offset, f"invalid YAML: {exc.problem}"
        ) from None
    finally:
        constructor.dispose()
    return data, LineMap(lines, 1 + line_offset)


def _construct(node, path: Path, lines, constructor, offset):
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise YamlSyntaxError(
                    key_node.start_mark.line + 1 + offset, f"duplicate key '{key}'"
                )
            lines[path + (key,)] = key_node.start_mark.line + 1 + offset
            result[key] = _construct(value_node, path + (key,), lines, constructor, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, path + (index,), lines, constructor, offset)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
