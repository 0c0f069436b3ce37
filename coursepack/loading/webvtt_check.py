"""A captions file (WebVTT) read strictly, with a 1-based line for each problem.

Browsers, and WebVTT libraries, silently drop a block they cannot read: one
timing line with a single dash (`00:00:01.000 -> 00:00:03.000`) and that
caption never shows. So every block must be a cue, a NOTE, a STYLE or a REGION,
each checked here at its line; the cues' text and speakers are then read with
webvtt-py.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from coursepack.model import Cue

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_LOOSE_TIMING = re.compile(r"\d+:\d+.*-+>|-+>.*\d+:\d+")
_KEYWORD_BLOCKS = ("NOTE", "STYLE", "REGION")
EXAMPLE = "00:00:01.000 --> 00:00:03.500"


@dataclass(frozen=True)
class VttProblem:
    line: int
    message: str


def read_captions(data: bytes) -> tuple[tuple[Cue, ...], list[VttProblem]]:
    """The cues of a WebVTT file, or every problem it has."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return (), [VttProblem(line, "is not UTF-8 text: save the captions file as UTF-8")]
    lines = re.split(r"\r\n|\r|\n", text)
    problems: list[VttProblem] = []
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        return (), [VttProblem(1, "a WebVTT file must start with the line 'WEBVTT'")]
    timings: list[tuple[int, int, int]] = []  # (line, start ms, end ms) of each cue
    for first, block in _blocks(lines):
        word = block[0].split(None, 1)[0] if block[0].strip() else ""
        if word in _KEYWORD_BLOCKS and re.match(rf"{word}(?:[ \t]|$)", block[0]):
            continue
        at = 0 if "-->" in block[0] else 1 if len(block) > 1 and "-->" in block[1] else None
        if at is None:
            loose = next((i for i, line in enumerate(block[:2]) if _LOOSE_TIMING.search(line)), None)
            if loose is not None:
                problems.append(VttProblem(first + loose, f"this timing line needs '-->' between its times, as in '{EXAMPLE}'; "
                                                          "browsers drop a caption whose timing they cannot read"))
            else:
                problems.append(VttProblem(first, "this block is not a cue, a NOTE, a STYLE or a REGION: a cue starts with a "
                                                  f"timing line such as '{EXAMPLE}' (and a blank line ends each block)"))
            continue
        timing = _TIMING.match(block[at].strip())
        if timing is None:
            problems.append(VttProblem(first + at, f"this timing line cannot be read: write it as '{EXAMPLE}' "
                                                   "(hours optional, minutes and seconds below 60, three decimals)"))
            continue
        start, end = _ms(timing.groups()[:4]), _ms(timing.groups()[4:])
        if end <= start:
            problems.append(VttProblem(first + at, "this caption ends before it starts"))
            continue
        if timings and start < timings[-1][1]:
            problems.append(VttProblem(first + at, "captions must come in the order of their start times"))
        for offset, line in enumerate(block[at + 1:], start=at + 1):
            if "-->" in line:
                problems.append(VttProblem(first + offset, "a caption's text may not hold '-->': a blank line must end the caption before"))
        timings.append((first + at, start, end))
    if not problems and not timings:
        problems.append(VttProblem(1, f"has no captions: add cues such as '{EXAMPLE}' followed by their text"))
    if problems:
        return (), problems
    return _cues(text, timings)


def _blocks(lines: list[str]):
    """(first line number, lines) of each block after the header; blank lines separate blocks."""
    index = 1
    while index < len(lines) and lines[index].strip():
        index += 1  # the header's own lines
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines[index:], start=index + 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _ms(parts) -> int:
    hours, minutes, seconds, millis = parts
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _cues(text: str, timings: list[tuple[int, int, int]]) -> tuple[tuple[Cue, ...], list[VttProblem]]:
    import webvtt  # here: most builds read no captions file (and a module from the cache none)
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_string(text).captions
    except MalformedFileError as exc:
        return (), [VttProblem(1, f"cannot be read as WebVTT ({exc})")]
    if len(captions) != len(timings):
        return (), [VttProblem(1, "cannot be read as WebVTT: some cues were not understood")]
    cues = []
    for caption, (_, start, end) in zip(captions, timings):
        plain = html.unescape(" ".join(part.strip() for part in caption.text.splitlines() if part.strip()))
        cues.append(Cue(start, end, plain, caption.voice or None))
    return tuple(cues), []
