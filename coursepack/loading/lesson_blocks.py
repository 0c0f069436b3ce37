"""A lesson's `!!!` blocks found in its source lines, before Markdown reads it.

Trainer notes are cut out of the lesson here, so that the learner edition is
parsed from a text that never held them: a heading, footnote, abbreviation,
link reference or comment written inside a note cannot reach a learner,
whatever it is. Each note is rendered on its own for the trainer edition.

The scan follows Python-Markdown's own rules for admonitions (a `!!!` line,
then lines indented by four spaces) and for fenced code (its own pattern), and
refuses what Python-Markdown would quietly read another way: a misspelt block
type, a body that is not indented, a learning block inside a list or quote.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from dataclasses import dataclass, field

from markdown.extensions.attr_list import get_attrs_and_remainder

from coursepack.loading.fenced_code import fenced_code

LEARNING_BLOCKS = ("reflect", "scenario", "trainer")
# The usual admonition types (the theme styles note, tip, warning, caution and
# danger; the others look like a note), besides the learning blocks.
ADMONITIONS = ("note", "tip", "warning", "danger", "caution", "important", "hint", "attention", "error")
BLOCK_TYPES = LEARNING_BLOCKS + ADMONITIONS
INDENT = "    "
# Python-Markdown reads each list, quote and indented block by recursion, and
# gives up with Python's stack somewhere past 250 levels: stop well before.
MAX_DEPTH = 50

# Any line that starts, after container prefixes (quotes, list markers,
# indentation), with `!!!`: a block or something meant as one.
_BANG = re.compile(r"^(?P<prefix>(?:[ \t>:]|[-*+][ \t]|\d{1,9}[.)][ \t]|\[\^[^\]]*\]:)*)!!!(?P<rest>.*)$")
_CONTAINERS = re.compile(r"[ >]*(?:(?:[-*+]|\d{1,9}[.)])[ ]+[ >]*)*")
_OPENERS = re.compile(r"(?:[-*+]|\d{1,9}[.)]|>) ?")  # with the one space that belongs to each
# `!!!` after something that is neither a letter nor a container prefix (an
# invisible character, say): no block to Markdown, but meant as one.
_ODD_BANG = re.compile(r"^(?P<lead>[^\w!]*)!!!\s*(?P<word>\w+)")
_TRAINER_IN_CODE = re.compile(r"[ \t>]*!!![ \t]*trainer\b", re.IGNORECASE)
_HEADER = re.compile(r'^(?P<space>[ \t]*)(?P<kind>[^\s"]*)(?:[ \t]+"(?P<title>.*)")?[ \t]*$')


@dataclass(frozen=True)
class TrainerSource:
    title: str
    text: str  # the note's body, de-indented: a Markdown document of its own
    line: int  # of its `!!! trainer` line in the file


@dataclass
class SplitLesson:
    learner_text: str  # the lesson with each trainer note replaced by a marker
    trainer_notes: list[TrainerSource]
    marker: str  # a prefix no author text holds: it is made from the text itself
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line in the file, message)

    def trainer_marker(self, number: int) -> str:
        return f"<!--{self.marker} trainer {number}-->"


def make_marker(text: str) -> str:
    """A comment prefix that cannot occur in `text`: text holding its own hash is out of reach."""
    return "cp-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def split_lesson(body: str, first_line: int = 0) -> SplitLesson:
    """Cut trainer notes out of `body` and check every `!!!` line.

    Problems are reported at file lines: the body's line n is line n + `first_line`.
    """
    # Python-Markdown's own clean-up first, so that both read the same lines.
    text = body.replace("\x02", "").replace("\x03", "").expandtabs(4)
    lines = ["" if not line.strip(" ") else line for line in text.split("\n")]
    code = _fenced_code_lines(lines)
    split = SplitLesson(learner_text="", trainer_notes=[], marker=make_marker(body))
    _leave_out_deep_lines(lines, code, first_line, split.problems)
    learner: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = None if index in code else _BANG.match(line)
        if index in code and code[index] != index and _TRAINER_IN_CODE.match(line):
            split.problems.append((
                index + 1 + first_line,
                f"this '!!! trainer' line is inside the fenced code that starts at line {code[index] + 1 + first_line},"
                " so learners would see it: close the code block before the note",
            ))
        if match is None:
            if index not in code:
                _check_odd_bang(line, index + 1 + first_line, split.problems)
            learner.append(line)
            index += 1
            continue
        number = index + 1 + first_line
        kind, title = _check_header(match, number, split.problems)
        if kind not in LEARNING_BLOCKS or match.group("prefix"):
            learner.append(line)  # Markdown's to read (or already an error)
            index += 1
            continue
        end = _body_end(lines, index + 1)
        _check_body(kind, lines, index + 1, end, number, split.problems, first_line)
        if kind == "trainer":
            body_lines = [text[len(INDENT):] for text in lines[index + 1 : end]]
            split.trainer_notes.append(TrainerSource(title or "", "\n".join(body_lines), number))
            learner += ["", split.trainer_marker(len(split.trainer_notes) - 1), ""]
            index = end
            continue
        learner.append(line)
        index += 1
    split.learner_text = "\n".join(learner)
    return split


def nesting_depth(line: str) -> int:
    """How many lists, quotes and 4-space indents `line` starts inside, at most."""
    prefix = _CONTAINERS.match(line).group()
    openers = len(_OPENERS.findall(prefix))
    return openers + _OPENERS.sub("", prefix).count(" ") // 4


def too_deep(depth: int, what: str = "this line") -> str:
    return f"{what} is nested {depth} levels deep (in lists, quotes and indentation): coursepack reads up to {MAX_DEPTH}"


def _leave_out_deep_lines(lines: list[str], code: dict[int, int], first_line: int, problems: list) -> None:
    """Report the first line nested past MAX_DEPTH; blank every such line, unread by Markdown."""
    reported = False
    for index, line in enumerate(lines):
        if index not in code and line and (depth := nesting_depth(line)) > MAX_DEPTH:
            if not reported:
                problems.append((index + 1 + first_line, too_deep(depth)))
                reported = True
            lines[index] = ""


def _fenced_code_lines(lines: list[str]) -> dict[int, int]:
    """Indices of lines inside fenced code, found as Python-Markdown finds them, with where each block starts."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    inside: dict[int, int] = {}
    index = 0
    while found := fenced_code.FencedBlockPreprocessor.FENCED_BLOCK_RE.search(text, index):
        if found.group("attrs") and get_attrs_and_remainder(found.group("attrs"))[1]:
            index = found.end("attrs")  # not a fence to Python-Markdown either
            continue
        first = bisect.bisect_right(starts, found.start()) - 1
        last = bisect.bisect_right(starts, found.end() - 1) - 1
        inside.update(dict.fromkeys(range(first, last + 1), first))
        index = found.end()
    return inside


def _check_odd_bang(line: str, number: int, problems: list) -> None:
    odd = _ODD_BANG.match(line)
    if odd and difflib.get_close_matches(odd.group("word").lower(), LEARNING_BLOCKS, n=1, cutoff=0.6):
        lead = odd.group("lead").encode("unicode_escape").decode("ascii")
        problems.append((
            number,
            f"this line starts with '{lead}' before '!!!', so it is no block and its text would show to learners:"
            " start the line with '!!!'",
        ))


def _check_header(match: re.Match, number: int, problems: list) -> tuple[str | None, str | None]:
    prefix, rest = match.group("prefix"), match.group("rest")
    header = _HEADER.match(rest)
    if header is None:
        kind, _, title = rest.strip().partition(" ")
        quoted = '"' + title.strip(' "') + '"'
        problems.append((number, f"write a block's title in double quotes: '!!! {kind} {quoted}'"))
        return None, None
    kind, space = header.group("kind"), header.group("space")
    if not kind:
        problems.append((number, f"'!!!' needs a block type after it, one of: {', '.join(BLOCK_TYPES)}"))
        return None, None
    lowered = kind.lower()
    if lowered not in BLOCK_TYPES:
        guess = difflib.get_close_matches(lowered, BLOCK_TYPES, n=1, cutoff=0.6)
        hint = f" (did you mean '{guess[0]}'?)" if guess else f" (expected one of: {', '.join(BLOCK_TYPES)})"
        problems.append((number, f"unknown block type '{kind}'{hint}"))
        return None, None
    if kind != lowered:
        problems.append((number, f"write the block type in lower case: '!!! {lowered}'"))
    if space != " ":
        problems.append((number, f"write exactly one space between '!!!' and '{lowered}'"))
    if prefix and lowered in LEARNING_BLOCKS:
        problems.append((number, f"a '{lowered}' block must stand at the top level of the lesson, not inside a list or another block"))
    return lowered, header.group("title")


def _body_end(lines: list[str], start: int) -> int:
    """Where a block's body ends: at the first non-blank line not indented by four spaces."""
    end = last_text = start
    while end < len(lines) and (lines[end].startswith(INDENT) or not lines[end].strip()):
        end += 1
        if lines[end - 1].strip():
            last_text = end
    return last_text


def _check_body(kind: str, lines: list[str], start: int, end: int, number: int, problems: list, first_line: int) -> None:
    after = next((i for i in range(end, len(lines)) if lines[i].strip()), None)
    depth = None if after is None else len(lines[after]) - len(lines[after].lstrip(" "))
    where = "" if after is None else f" (line {after + 1 + first_line} is {'not indented' if depth == 0 else f'indented by {depth} spaces'})"
    if end == start:
        problems.append((number, f"the '{kind}' block has no text: indent its lines by 4 spaces under '!!! {kind}'{where}"))
        return
    if after is None or depth == 0 and after > end:
        return
    if depth:
        problems.append((after + 1 + first_line, f"this line is indented by {depth} spaces: indent it by 4 spaces to keep it in the '{kind}' block above, or not at all to end the block"))
    else:
        problems.append((after + 1 + first_line, f"this line follows the '{kind}' block with no blank line: indent it by 4 spaces to keep it in the block, or leave a blank line before it"))
