"""YAML that remembers where each item came from.

PyYAML's composed nodes carry line numbers; we construct plain Python data and
keep, beside it, the line of every mapping key and sequence item, addressed by
the path of keys and indexes that leads to it.

A course may come from anyone, so composing is bounded: nesting deeper than
`MAX_DEPTH`, and aliases that would copy more than `ALIAS_BUDGET` items in all
(the "billion laughs"), are refused at their line before anything is built
from them. Scalars that no output can carry (lone surrogates, control
characters written as escapes, integers too long to read) are refused too.
The parser's commonest complaints get a plain-language explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, SequenceNode
from yaml.resolver import Resolver

Path = tuple[str | int, ...]

MAX_DEPTH = 100
ALIAS_BUDGET = 10_000
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:\s+(.*?)\s*$")


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


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that coursepack will not read; its message stands alone."""


class _BoundedComposer(Composer):
    """PyYAML's composer, refusing deep nesting and large alias expansions."""

    def __init__(self):
        super().__init__()
        self._depth = 0
        self._copied = 0  # items that aliases have copied so far

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = self.anchors.get(event.anchor)
            if node is not None:
                self._count_alias(event, node)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=f"items are nested more than {MAX_DEPTH} levels deep here", problem_mark=event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        node.expanded_size = 1 + sum(
            child.expanded_size
            for child in (
                (part for pair in node.value for part in pair) if isinstance(node, MappingNode)
                else node.value if isinstance(node, SequenceNode) else ()
            )
        )
        return node

    def _count_alias(self, event, node) -> None:
        size = getattr(node, "expanded_size", None)
        if size is None:  # the anchored item is still open: it would contain itself
            raise _Refused(
                problem=f"the alias *{event.anchor} stands inside the item it names, which would repeat it forever",
                problem_mark=event.start_mark,
            )
        self._copied += size
        if self._copied > ALIAS_BUDGET:
            raise _Refused(
                problem=f"the aliases (*name) up to here copy more than {ALIAS_BUDGET:,} items; "
                "coursepack refuses that much repetition: write the items out, or copy less",
                problem_mark=event.start_mark,
            )


class _Loader(yaml.SafeLoader, _BoundedComposer):
    """The pure-Python loader: its messages are the ones shown to authors."""

    def __init__(self, stream):
        super().__init__(stream)
        _BoundedComposer.__init__(self)
        self.last_plain = None

    def scan_plain(self):
        # Remembered to tell where a run-on plain scalar began (see _explain).
        self.last_plain = super().scan_plain()
        return self.last_plain


class _Constructor(SafeConstructor):
    """Builds scalars, refusing those no output could carry."""

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str):
            if match := _SURROGATE.search(value):
                raise _Refused(
                    problem=f"the escape \\u{ord(match.group()):04x} is half of a character (a lone UTF-16 surrogate): "
                    "write the character itself instead",
                    problem_mark=node.start_mark,
                )
            if match := _UNSHOWABLE.search(value):
                raise _Refused(
                    problem=f"this text holds the control character U+{ord(match.group()):04X}, which no output can show: remove it",
                    problem_mark=node.start_mark,
                )
        return value

    def construct_object(self, node, deep=False):
        # A scalar whose form promises a type it cannot have (`2024-13-45`,
        # `!!float abc`, 5,000 digits) makes PyYAML's constructors raise
        # plain Python errors: say which value, at its line.
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, ArithmeticError, AttributeError, TypeError):
            if node.tag == "tag:yaml.org,2002:int" and len(node.value) > 100:
                problem = "this number is too long to read: put it in quotes if it is text"
            else:
                kind = _TYPE_NAMES.get(node.tag, f"'{node.tag.rpartition(':')[2]}'")
                shown = f"'{node.value}'" if isinstance(node.value, str) and len(node.value) <= 60 else "this value"
                problem = f"{shown} cannot be read as {kind}: put it in quotes if it is text"
            raise _Refused(problem=problem, problem_mark=node.start_mark) from None


_TYPE_NAMES = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}


try:
    from yaml._yaml import CParser

    class _FastComposer(_BoundedComposer, CParser, Resolver):
        """libyaml's parser (fast, not recursive) under the bounded Python composer:
        libyaml's own composer recurses in C and would crash on deep nesting."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            Resolver.__init__(self)
            _BoundedComposer.__init__(self)

except ImportError:  # PyYAML built without libyaml
    _FastComposer = None


def _compose(text: str):
    """Compose with libyaml's parser when it is there (much faster); its error
    messages differ, so a document with a syntax error is composed again in
    Python to report it."""
    if _FastComposer is not None:
        loader = _FastComposer(text)
        try:
            return loader.get_single_node()
        except _Refused:
            raise
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        exc.last_plain = loader.last_plain
        raise
    finally:
        loader.dispose()


def load_yaml(text: str, line_offset: int = 0) -> tuple[object, LineMap]:
    """Parse one YAML document; lines are shifted by `line_offset`.

    Raises YamlSyntaxError with the line of the first syntax problem.
    """
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(exc, text)
        raise YamlSyntaxError(line + line_offset, message) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1 + line_offset, f"invalid YAML: {exc}") from None
    lines: dict[Path, int] = {}
    if node is None:
        return None, LineMap(lines, 1 + line_offset)
    constructor = _Constructor()
    try:
        data = _construct(node, (), lines, constructor, line_offset)
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(exc, text)
        raise YamlSyntaxError(line + line_offset, message) from None
    return data, LineMap(lines, 1 + line_offset)


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The 1-based line and message for a YAML error, in plain words where we can."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    problem = exc.problem or "invalid YAML"
    if isinstance(exc, _Refused):
        return line, problem
    said = f" (the parser says: {problem})"
    if "found character '\\t' that cannot start any token" in problem:
        return line, f"invalid YAML: a tab character here: YAML allows only spaces to indent or separate items; replace the tab with spaces{said}"
    if problem == "mapping values are not allowed here":
        return _colon_in_text(exc, text, line, said)
    if problem.startswith("expected <block end>"):
        return _misaligned(text, line, said)
    context = exc.context_mark
    if exc.context and context and mark and context.line != mark.line:
        problem = f"{problem} ({exc.context} on line {context.line + 1})"
    elif exc.context:
        problem = f"{exc.context}, {problem}"
    return line, f"invalid YAML: {problem}"


def _misaligned(text: str, line: int, said: str) -> tuple[int, str]:
    """A line the parser cannot fit into the structure above it. When it is
    indented more than the line before, the one before is usually the mistake
    (a key indented too little, whose value is already on its own line)."""
    lines = text.splitlines()
    before = next(
        (number for number in range(line - 1, 0, -1) if lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#")),
        None,
    ) if line <= len(lines) else None
    if before is not None and all(
        measure(lines[line - 1]) > measure(lines[before - 1]) for measure in (_indent, _spaces)
    ):
        return before, (
            f"invalid YAML: line {line} is indented more than this line but cannot belong to it: "
            f"check this line's indentation (the keys of one item must start in the same column){said}"
        )
    return line, (
        "invalid YAML: this line is not lined up with the lines above it: the keys of one item, "
        f"and the '-' of each item of one list, must start in the same column{said}"
    )


def _spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indent(line: str) -> int:
    """The column of a line's first key or value, after any '- ' of list items."""
    return len(line) - len(re.sub(r"^[ ]*(?:-[ ]+)*", "", line))


def _colon_in_text(exc, text: str, line: int, said: str) -> tuple[int, str]:
    """A ': ' where YAML cannot start a key: in a value on one line, or in the
    continuation of a value from an earlier line (often a key indented too little)."""
    lines = text.splitlines()
    plain = getattr(exc, "last_plain", None)
    if plain is not None and plain.start_mark.line + 1 < line:
        start = plain.start_mark.line + 1
        found = _KEY_LINE.match(lines[start - 1]) if start <= len(lines) else None
        after = f"the text after '{found.group(1)}:'" if found else "the text that starts here"
        return start, (
            f"invalid YAML: {after} runs on into line {line}, where a ': ' cannot start a key: "
            f"check the indentation of this line and line {line}, or put the text in quotes if the ': ' belongs to it{said}"
        )
    found = _KEY_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if found:
        key, value = found.groups()
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return line, f"invalid YAML: the text after '{key}:' holds ': ', which YAML reads as a new key: put the text in quotes, e.g. {key}: {quoted}{said}"
    return line, f"invalid YAML: a ': ' here, which YAML reads as a new key: put the text in quotes{said}"


def _construct(node, path: Path, lines, constructor, offset):
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, MappingNode):
        merge_keys = sum(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value)
        own = len(node.value) - merge_keys
        constructor.flatten_mapping(node)
        # Merged pairs (`<<: *defaults`) come first; the mapping's own keys may override them.
        merged = len(node.value) - own
        result = {}
        own_keys = set()
        for position, (key_node, value_node) in enumerate(node.value):
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if position >= merged:
                if key in own_keys:
                    raise YamlSyntaxError(key_node.start_mark.line + 1 + offset, f"duplicate key '{key}'")
                own_keys.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1 + offset
            result[key] = _construct(value_node, path + (key,), lines, constructor, offset)
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(item, path + (index,), lines, constructor, offset)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)

