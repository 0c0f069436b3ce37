"""Mutated sample-course sources never crash coursepack, print a traceback, or leak a trainer note.

Hypothesis mutates a copy of the sample course (course.yml, every lesson.md and
quiz.yml): lines deleted, duplicated, swapped or re-indented, YAML and Markdown
special characters inserted, files cut short, bytes that are not UTF-8, deep
nesting, huge numbers, YAML aliases, and near-misses of `!!! trainer`. Then
`coursepack check` runs, and on a course it accepts, `coursepack build --format
html,single`. Neither may exit 2 (a bug), print a traceback, hang or exhaust
memory; a failed build writes nothing; and no text of the sample course's
trainer notes may appear in any learner output.

The run is derandomized and sized for CI (about a minute). To search longer,
with a new random seed each run:

    COURSEPACK_FUZZ_EXAMPLES=1000 python -m pytest -q tests/test_fuzz_sources.py
"""

from __future__ import annotations

import difflib
import html
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["course.yml", *sorted(
    str(p.relative_to(REPO)) for pattern in ("modules/*/lesson.md", "modules/*/quiz.yml") for p in REPO.glob(pattern)
)]
BY_HAND = "COURSEPACK_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("COURSEPACK_FUZZ_EXAMPLES", "45"))
TIMEOUT_S = 30  # one command on the sample course takes about a second
MEMORY_LIMIT = 2 * 1024**3  # a blow-up becomes a MemoryError (exit 2), not a stalled machine
NGRAM = 6  # six words in a row from a trainer note are that note, not chance

KINDS = (
    "delete_line", "duplicate_line", "swap_lines", "reindent", "insert_text", "insert_line",
    "truncate", "bad_bytes", "reencode", "deep_nesting", "huge_number", "alias",
    "reindent_trainer_note", "near_miss_trainer",
)
INDENTS = [b"", b" ", b"  ", b"   ", b"     ", b"        ", b"\t", b"    \t"]
TOKENS = [
    b":", b": ", b"- ", b"#", b" #", b"&a ", b"*a", b"!", b"!!str ", b"|", b">", b"%", b"@", b"`", b"{", b"}",
    b"[", b"]", b"\"", b"'", b"\t", b"?", b",", b"\\", b"\x00", b"\x1b", b"\xe2\x80\xae", b"\xef\xbb\xbf",
    b"<!--", b"-->", b"<!--cp-end 0-->", b"<!--cp-begin reflect 1-->", b"[^1]", b"[x]", b"*", b"**", b"_",
    b"<div>", b"</div>", b"<script>", b"&#0;", b"&amp", b"\\ud800", b"\"\\ud800\"", b"${x}", b"{{ x }}", b"{% if %}",
    b"[" * 300, b"![pic](missing.png)", b"![](media/desk-layout.svg)", b"[link](../../course.yml)", b"~~~",
]
LINES = [
    b"---", b"...", b"```", b"~~~", b"# Heading", b"* * *", b"> quote", b"- item", b"1. item", b"|a|b|", b"|-|-|",
    b"<!-- open comment", b"-->", b"<!--cp-end 0-->", b"[^1]: a footnote", b"*[HTML]: Hyper Text",
    b"[ref]: http://example.com \"title\"", b"!!! note", b"!!! reflect \"Think\"", b"!!! scenario", b"!!! trainer",
    b"??? tip", b"!!!", b"key: value", b"key:", b"- - - x", b"? complex key", b"<<: *a", b"!!python/object:os.system x",
    b"title:", b"id: Not An Id", b"type: unknown", b"questions: []", b"modules: 3", b"\t- tabbed",
]
HUGE_NUMBERS = [
    b"1" + b"0" * 4300, b"1e309", b"-1e309", b".inf", b"-.inf", b".nan", b"0x7fffffffffffffffffff", b"1_000_000",
    b"-0", b"9" * 40, b"0.8", b"1e-400", b"0o777", b"99999999999999999999.5",
]
BAD_BYTES = [b"\xff", b"\xe9", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xfe\xff", b"\xf4\x90\x80\x80"]
ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"]
NEAR_MISSES = [
    (b"!!!  trainer", None), (b"!!! trainr", None), (b"!!! Trainer", None), (b"!!! trainers", None),
    (b"!! trainer", None), (b"!!!trainer", None), (b"??? trainer", None), (b"???+ trainer", None),
    (b"!!! trainer \"Notes\"", None), (b"!!! trainer inline", None), (b"!!! trainer:", None), (b" !!! trainer", None),
    (b"!!! trainer", b""), (b"!!! trainer", b"  "), (b"!!! trainer", b"\t"), (b"!!! trainer", b"   "),
    (b"- !!! trainer", None), (b"> !!! trainer", None),
]
HEADER = re.compile(rb"^([ \t]*)!!!\s*trainer\b")
WORDS = re.compile(r"\w+")


MUTATION = st.tuples(
    st.sampled_from(SOURCES), st.sampled_from(KINDS), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6)
)


# --- the mutations -----------------------------------------------------------------------------

def split_lines(data: bytes) -> list[bytes]:
    return [line for line in re.split(rb"(?<=\n)", data) if line]


def trainer_regions(lines: list[bytes]) -> list[tuple[int, int]]:
    """(header, last body line) of each `!!! trainer` block: what lines may not leave."""
    regions = []
    for start, line in enumerate(lines):
        match = HEADER.match(line)
        if not match:
            continue
        indent = len(match.group(1).expandtabs(4))
        end = start
        for n in range(start + 1, len(lines)):
            text = lines[n].rstrip(b"\r\n")
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            if text.strip():
                end = n
        regions.append((start, end))
    return regions


def _region_of(n: int, regions: list[tuple[int, int]]) -> tuple[int, int] | None:
    return next((r for r in regions if r[0] <= n <= r[1]), None)


def mutate(data: bytes, kind: str, a: int, b: int, c: int) -> bytes:
    """`data` changed by one mutation; moves that would carry a trainer note's lines out of it are no-ops.

    Carrying a note's text out of its block (deleting its header, swapping a body line with a line
    outside) makes that text ordinary lesson text, which a learner may rightly see.
    """
    lines = split_lines(data)
    if not lines:
        lines = [b""]
    regions = trainer_regions(lines)
    i = a % len(lines)
    inside = _region_of(i, regions)

    def indented(new: bytes) -> bytes:
        # A line put inside a trainer note stays inside it.
        return b"    " + new if _region_of(i, regions) and i != inside[0] else new

    if kind == "delete_line":
        if inside and inside[0] == i:
            return data
        del lines[i]
    elif kind == "duplicate_line":
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        j = (i + 1) % len(lines)
        if _region_of(j, regions) != inside or (inside and inside[0] in (i, j)):
            return data
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "reindent":
        if inside:
            return data  # that is reindent_trainer_note
        lines[i] = INDENTS[b % len(INDENTS)] + lines[i].lstrip(b" \t")
    elif kind == "reindent_trainer_note":
        if not regions:
            return data
        start, end = regions[a % len(regions)]
        n = start + b % (end - start + 1)
        lines[n] = INDENTS[c % len(INDENTS)] + lines[n].lstrip(b" \t")
    elif kind == "insert_text":
        if inside and inside[0] == i:
            return data  # a changed header is near_miss_trainer
        line = lines[i]
        col = b % (len(line.rstrip(b"\r\n")) + 1)
        lines[i] = line[:col] + TOKENS[c % len(TOKENS)] + line[col:]
    elif kind == "insert_line":
        lines.insert(i, indented(LINES[b % len(LINES)]) + b"\n")
    elif kind == "truncate":
        return data[: a % (len(data) + 1)]
    elif kind == "bad_bytes":
        col = b % (len(lines[i]) + 1)
        lines[i] = lines[i][:col] + BAD_BYTES[c % len(BAD_BYTES)] + lines[i][col:]
    elif kind == "reencode":
        return data.decode("utf-8", errors="replace").encode(ENCODINGS[b % len(ENCODINGS)], errors="replace")
    elif kind == "deep_nesting":
        depth = [50, 100, 250, 500, 1000, 3000][b % 6]
        style = c % 4
        if style == 0:
            nested = [b"deep: " + b"[" * depth + b"]" * depth + b"\n"]
        elif style == 1:
            nested = [b"deep:\n", *(b"  " * (n + 1) + b"k:\n" for n in range(depth))]
        elif style == 2:
            nested = [b"> " * depth + b"quoted\n"]
        else:
            nested = [b"    " * n + b"- item\n" for n in range(min(depth, 400))]
        lines[i:i] = [indented(n) for n in nested]
    elif kind == "huge_number":
        numbered = [n for n, line in enumerate(lines) if re.search(rb"\d", line)]
        if not numbered:
            return data
        n = numbered[a % len(numbered)]
        lines[n] = re.sub(rb"\d+(\.\d+)?", lambda _: HUGE_NUMBERS[b % len(HUGE_NUMBERS)], lines[n], count=1)
    elif kind == "alias":
        variant = b % 5
        if variant == 0:  # "billion laughs"
            bomb = [b"lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"] + [
                b"lol%d: &l%d [%s]\n" % (n, n, b", ".join([b"*l%d" % (n - 1)] * 9)) for n in range(1, 9)
            ]
        elif variant == 1:
            bomb = [b"x: *undefined\n"]
        elif variant == 2:
            bomb = [b"x: &self [*self]\n"]  # a list that holds itself
        elif variant == 3:
            bomb = [b"base: &base {title: Aliased}\n", b"merged:\n", b"  <<: *base\n"]
        else:
            bomb = [b"anchor: &t " + lines[i].strip() + b"\n", b"again: *t\n"]
        start = 1 if lines[0].strip() == b"---" else 0  # into a lesson's front matter
        lines[start:start] = bomb
    elif kind == "near_miss_trainer":
        if not regions:
            return data
        start, end = regions[a % len(regions)]
        header, body_indent = NEAR_MISSES[b % len(NEAR_MISSES)]
        if c % 3 == 0:  # a character slipped into the header
            col = c % (len(lines[start].rstrip(b"\r\n")) + 1)
            header, body_indent = lines[start][:col] + TOKENS[(c // 3) % len(TOKENS)] + lines[start][col:].rstrip(b"\r\n"), None
        lines[start] = header + b"\n"
        if body_indent is not None:
            for n in range(start + 1, end + 1):
                if lines[n].strip():
                    lines[n] = body_indent + lines[n].lstrip(b" \t")
    return b"".join(lines)


def describe(mutations) -> str:
    return "; ".join(f"{kind} in {path} ({a}, {b}, {c})" for path, kind, a, b, c in mutations)


# --- what a learner may not see ----------------------------------------------------------------

def _ngrams(text: str) -> set[tuple[str, ...]]:
    words = WORDS.findall(text.lower())
    return {tuple(words[n:n + NGRAM]) for n in range(len(words) - NGRAM + 1)}


def _trainer_text_and_the_rest() -> tuple[str, str]:
    trainer, rest = [], []
    for path in SOURCES:
        lines = split_lines((REPO / path).read_bytes())
        inside = {n for start, end in trainer_regions(lines) for n in range(start + 1, end + 1)}
        for n, line in enumerate(lines):
            (trainer if n in inside else rest).append(line.decode("utf-8"))
    return "".join(trainer), "".join(rest)


def _trainer_ngrams() -> set[tuple[str, ...]]:
    trainer, rest = _trainer_text_and_the_rest()
    # A note may quote its lesson: only what is in no learner source is the note's own.
    return _ngrams(trainer) - _ngrams(rest)


TRAINER_NGRAMS = _trainer_ngrams()


def visible_text(raw: str) -> str:
    """The words of an output file: tags dropped, entities and JSON escapes decoded."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)
    text = re.sub(r"<[^>]*>", " ", text)
    return html.unescape(text)


def leaked_trainer_text(output: Path) -> list[str]:
    leaks = []
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        found = _ngrams(visible_text(path.read_bytes().decode("utf-8", errors="replace"))) & TRAINER_NGRAMS
        if found:
            leaks.append(f"{path.relative_to(output)}: \"{' '.join(sorted(found)[0])}\"")
    return leaks


# --- running coursepack as a user would ---------------------------------------------------------

def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def coursepack(*args: str) -> tuple[int, str]:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "coursepack", *args], capture_output=True, text=True, errors="replace",
            timeout=TIMEOUT_S, preexec_fn=_limits,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
        )
    except subprocess.TimeoutExpired:
        return -1, f"still running after {TIMEOUT_S} s"
    return result.returncode, result.stdout + result.stderr


def copy_sample(target: Path) -> None:
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    shutil.copy2(REPO / "course.yml", target / "course.yml")
    shutil.copytree(REPO / "modules", target / "modules", ignore=ignore)


def problems_after(mutations, folder: Path) -> list[str]:
    """Run check, then build on a clean course; what broke a promise, if anything."""
    course = folder / "course"
    course.mkdir(parents=True)
    copy_sample(course)
    diffs = []
    for path, kind, a, b, c in mutations:
        before = (course / path).read_bytes()
        after = mutate(before, kind, a, b, c)
        (course / path).write_bytes(after)
        if after != before:
            diff = difflib.unified_diff(before.decode("utf-8", "replace").splitlines(),
                                        after.decode("utf-8", "replace").splitlines(), path, path, n=1, lineterm="")
            diffs.append("\n".join(line[:200] for line in list(diff)[:30]))
    broken = []
    status, printed = coursepack("check", str(course))
    broken += _broken("check", status, printed)
    if status == 0:
        out = folder / "output"
        status, printed = coursepack("build", str(course), "--format", "html,single", "--out", str(out), "-q")
        broken += _broken("build", status, printed)
        if status == 1:
            broken.append("build: check said no errors, but build found some:\n" + printed[-2000:])
            if out.exists():
                broken.append("build: a failed build wrote output/")
        if status == 0:
            broken += [f"trainer text in a learner output: {leak}" for leak in leaked_trainer_text(out)]
    if broken:
        broken.append("the mutation:\n" + "\n".join(diffs))
    return broken


def _broken(command: str, status: int, printed: str) -> list[str]:
    found = []
    if status not in (0, 1):
        found.append(f"{command}: exit {status}: {printed[-2000:]}")
    elif "Traceback (most recent call last)" in printed:
        found.append(f"{command}: printed a traceback: {printed[-2000:]}")
    return found


# --- the tests ----------------------------------------------------------------------------------

def test_the_unchanged_sample_course_shows_no_trainer_text_and_the_search_would_see_one(tmp_path):
    assert len(TRAINER_NGRAMS) > 300, "the sample course's trainer notes are what the search looks for"
    assert problems_after([], tmp_path / "unchanged") == []
    # The same search finds a note that a learner can see: the property can fail.
    course = tmp_path / "shown" / "course"
    course.mkdir(parents=True)
    copy_sample(course)
    lesson = course / "modules/01-why-service-matters/lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("!!! trainer", "!!! note"), encoding="utf-8")
    assert coursepack("build", str(course), "--format", "html,single", "--out", str(tmp_path / "shown/out"), "-q")[0] == 0
    assert leaked_trainer_text(tmp_path / "shown/out") != []


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not BY_HAND,
    database=None,
    # In CI a failure is reported as found; shrinking it would cost minutes of builds.
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink] if BY_HAND else [Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_sources_never_crash_nor_leak_trainer_notes(mutations):
    with tempfile.TemporaryDirectory(prefix="coursepack-fuzz-") as folder:
        broken = problems_after(mutations, Path(folder))
    assert not broken, describe(mutations) + "\n" + "\n".join(broken)
