"""lesson.md cannot leak trainer notes, crash the build, run scripts or stall it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import FIXTURES, REPO, run_coursepack
from coursepack.build import build
from coursepack.errors import CourseErrors
from coursepack.loading import load_course
from coursepack.model import TrainerNote

LESSON_PATH = "modules/01-lesson/lesson.md"

# What the trainer note in tests/fixtures/lesson-trainer-leaks defines.
FROM_THE_NOTE = {
    "heading": "Heading from the trainer note",
    "footnote": "Footnote from the trainer note",
    "abbreviation": "Abbreviation from the trainer note",
    "link reference": "handbook-from-the-note",
    "link title": "Link title from the trainer note",
    "text after a comment like the end marker": "after-the-comment",
}


# ---------------------------------------------------------------- helpers


def write_course(root: Path, body: str, course_extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(f'id: safety\ntitle: Safety\nversion: "1"\n{course_extra}', encoding="utf-8")
    folder = root / "modules/01-lesson"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lesson.md").write_text(f"---\ntitle: A lesson\n---\n{body}", encoding="utf-8")
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(CourseErrors) as caught:
        load_course(root)
    return [str(p) for p in caught.value.problems]


def lesson_of(root: Path):
    return load_course(root).course.modules[0].lesson


def body_line(n: int) -> int:
    """The file line of the body's line `n`: write_course puts three lines of front matter first."""
    return n + 3


# ---------------------------------------------------------------- trainer notes in every learner output


@pytest.fixture(scope="module")
def leak_build(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("leaks") / "course"
    shutil.copytree(FIXTURES / "lesson-trainer-leaks", course)
    out = course / "output"
    build(course, ["html", "single", "pdf", "cc", "scorm12"], out=out, use_cache=False, jobs=1)
    return out


def _zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".html", ".xml", ".js", ".json"))
        )


def _pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return text.replace("\u2010\n", "")  # words the print editions hyphenate at a line's end


LEARNER_OUTPUTS = {
    "html packet page": lambda out: (out / "html/desk.html").read_text(encoding="utf-8"),
    "single file": lambda out: (out / "leaks.html").read_text(encoding="utf-8"),
    "learner PDF": lambda out: _pdf_text(out / "pdf/leaks-learner.pdf"),
    "Common Cartridge": lambda out: _zip_text(out / "lms/leaks.imscc"),
    "SCORM 1.2 package": lambda out: _zip_text(out / "lms/leaks-scorm12.zip"),
}


@pytest.mark.parametrize("output", LEARNER_OUTPUTS)
@pytest.mark.parametrize("what", FROM_THE_NOTE)
def test_nothing_defined_in_a_trainer_note_reaches_a_learner_output(leak_build, output, what):
    text = LEARNER_OUTPUTS[output](leak_build)
    assert "Closing words" in text  # the lesson itself is there
    assert FROM_THE_NOTE[what] not in text


def test_the_trainer_pdf_keeps_the_whole_note(leak_build):
    text = _pdf_text(leak_build / "pdf/leaks-trainer.pdf")
    for what in ("heading", "footnote", "text after a comment like the end marker"):
        assert FROM_THE_NOTE[what] in text, what


def test_the_trainer_note_applies_its_own_definitions():
    lesson = load_course(FIXTURES / "lesson-trainer-leaks").course.modules[0].lesson
    (note,) = [s for s in lesson.segments if isinstance(s, TrainerNote)]
    assert '<abbr title="Abbreviation from the trainer note">ILS</abbr>' in note.html
    assert 'href="https://trainer.example/handbook-from-the-note"' in note.html
    assert '<h2 id="trainer-1-heading-from-the-trainer-note">' in note.html
    assert "Footnote from the trainer note" in note.html and "after-the-comment" in note.html
    assert [entry.title for entry in lesson.toc] == ["Welcome"]


def test_a_trainer_note_may_use_the_lessons_link_references(tmp_path):
    write_course(tmp_path, "See [the guide][guide].\n\n[guide]: https://example.org/guide\n\n!!! trainer\n    Hand out [the guide][guide].\n")
    note = [s for s in lesson_of(tmp_path).segments if isinstance(s, TrainerNote)][0]
    assert '<a href="https://example.org/guide">the guide</a>' in note.html


def test_trainer_footnote_ids_do_not_clash_with_the_lessons(tmp_path):
    write_course(
        tmp_path,
        "Text.[^a]\n\n[^a]: Lesson note.\n\n!!! trainer\n    One.[^a]\n\n    [^a]: First.\n\n!!! trainer\n    Two.[^a]\n\n    [^a]: Second.\n",
    )
    html = "".join(s.html for s in lesson_of(tmp_path).segments_for("trainer"))
    ids = [part.split('"')[1] for part in html.split(' id=')[1:]]
    assert len(ids) == len(set(ids)) == 6


# ---------------------------------------------------------------- comments like the internal markers


@pytest.mark.parametrize(
    "comment",
    ["<!--cp-begin reflect 1-->", "<!--cp-end 0-->", "<!--cp-begin trainer 0-->", "<!--cp-begin reflect 7-->\n\n!!! reflect\n    Why?"],
)
def test_a_comment_like_an_internal_marker_is_only_a_comment(tmp_path, comment):
    write_course(tmp_path, f"Before.\n\n{comment}\n\nAfter.\n")
    html = "".join(s.html for s in lesson_of(tmp_path).segments)
    assert "Before." in html and "After." in html


# ---------------------------------------------------------------- near-miss block syntax is an error


def at(line: int, message: str) -> str:
    return f"{LESSON_PATH}:{body_line(line)}: error: {message}"


NEAR_MISSES = {
    "misspelt type": (
        "!!! trainr\n    Secret.\n",
        [at(1, "unknown block type 'trainr' (did you mean 'trainer'?)")],
    ),
    "two spaces": (
        "!!!  trainer\n    Secret.\n",
        [at(1, "write exactly one space between '!!!' and 'trainer'")],
    ),
    "body indented by 2": (
        "!!! trainer\n  Secret.\n",
        [at(1, "the 'trainer' block has no text: indent its lines by 4 spaces under '!!! trainer' (line 5 is indented by 2 spaces)")],
    ),
    "body not indented": (
        "!!! trainer\nSecret.\n",
        [at(1, "the 'trainer' block has no text: indent its lines by 4 spaces under '!!! trainer' (line 5 is not indented)")],
    ),
    "empty body": (
        'Text.\n\n!!! reflect "Your turn"\n',
        [at(3, "the 'reflect' block has no text: indent its lines by 4 spaces under '!!! reflect'")],
    ),
    "second line indented by 2": (
        "!!! trainer\n    Secret one.\n  Secret two.\n",
        [at(3, "this line is indented by 2 spaces: indent it by 4 spaces to keep it in the 'trainer' block above, or not at all to end the block")],
    ),
    "text straight after the block": (
        "!!! trainer\n    Secret one.\nSecret two.\n",
        [at(3, "this line follows the 'trainer' block with no blank line: indent it by 4 spaces to keep it in the block, or leave a blank line before it")],
    ),
    "inside a list": (
        "- An item\n\n    !!! trainer\n        Secret.\n",
        [at(3, "a 'trainer' block must stand at the top level of the lesson, not inside a list or another block")],
    ),
    "inside a quote": (
        "> !!! trainer\n>     Secret.\n",
        [at(1, "a 'trainer' block must stand at the top level of the lesson, not inside a list or another block")],
    ),
    "inside a footnote": (
        "Text.[^1]\n\n[^1]: !!! trainer\n    Secret.\n",
        [at(3, "a 'trainer' block must stand at the top level of the lesson, not inside a list or another block")],
    ),
    "indented by 3": (
        "   !!! trainer\n    Secret.\n",
        [at(1, "a 'trainer' block must stand at the top level of the lesson, not inside a list or another block")],
    ),
    "title without quotes": (
        "!!! scenario Monday morning\n    A patron arrives.\n",
        [at(1, "write a block's title in double quotes: '!!! scenario \"Monday morning\"'")],
    ),
    "upper case": (
        "!!! Trainer\n    Secret.\n",
        [at(1, "write the block type in lower case: '!!! trainer'")],
    ),
    "invisible character first": (
        "\u200b!!! trainer\n    Secret.\n",
        [at(1, "this line starts with '\\u200b' before '!!!', so it is no block and its text would show to learners: start the line with '!!!'")],
    ),
    "note inside fenced code": (
        "```\nExample:\n!!! trainer\n    Secret.\n```\n",
        [at(3, "this '!!! trainer' line is inside the fenced code that starts at line 4, so learners would see it: close the code block before the note")],
    ),
}


@pytest.mark.parametrize("case", NEAR_MISSES)
def test_near_miss_block_syntax_is_an_error_at_its_line(tmp_path, case):
    body, expected = NEAR_MISSES[case]
    assert problems_of(write_course(tmp_path, body)) == expected


TRAINER_CLASS = "the class 'trainer' does not keep text from learners: write trainer notes as '!!! trainer' blocks"


@pytest.mark.parametrize(
    "body, line, message",
    [
        ('<div class="trainer">Secret.</div>', 3, TRAINER_CLASS),
        ("Secret.\n{: .trainer }", 4, TRAINER_CLASS),
        (
            '<div class="admonition trainer" markdown="1">\nSecret.\n</div>',
            3,
            "a trainer note must be written as a '!!! trainer' block at the top level of the lesson",
        ),
    ],
)
def test_html_with_the_trainer_class_is_an_error(tmp_path, body, line, message):
    assert problems_of(write_course(tmp_path, f"Text.\n\n{body}\n")) == [at(line, message)]


@pytest.mark.parametrize(
    "body",
    [
        "```text\n!!! trainr\n    shown as code\n```\n",
        "- An item\n\n    !!! note\n        A note in a list is fine.\n",
        '!!! tip ""\n    Untitled.\n\n!!! warning "Careful"\n    Titled.\n',
    ],
)
def test_well_formed_blocks_and_code_are_not_errors(tmp_path, body):
    assert lesson_of(write_course(tmp_path, body)).segments


def test_a_near_miss_fails_check_with_status_1_and_leaves_output_alone(tmp_path):
    course = write_course(tmp_path, "!!! trainr\n    Secret.\n")
    (course / "output").mkdir()
    (course / "output/keep.txt").write_text("previous build")
    result = run_coursepack("build", str(course), "--format", "html")
    assert result.returncode == 1
    assert f"{LESSON_PATH}:4: error: unknown block type 'trainr' (did you mean 'trainer'?)" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in (course / "output").iterdir()] == ["keep.txt"]


# ---------------------------------------------------------------- raw HTML: parsed, checked, written anew


@pytest.fixture
def media_course(tmp_path: Path):
    """A course whose lesson has media/pic.png beside it; returns (root, write(body))."""

    def write(body: str, course_extra: str = "") -> Path:
        write_course(tmp_path, body, course_extra)
        (tmp_path / "modules/01-lesson/media").mkdir(exist_ok=True)
        (tmp_path / "modules/01-lesson/media/pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (tmp_path / "secret.png").write_bytes(b"outside the module, inside the course")
        return tmp_path

    return write


def learner_html(root: Path) -> str:
    return "".join(s.html for s in lesson_of(root).segments_for("learner"))


def test_unquoted_raw_image_with_alt_text_is_accepted_and_rebased(media_course):
    html = learner_html(media_course("Text.\n\n<img src=media/pic.png alt=Picture>\n"))
    assert '<img src="modules/01-lesson/media/pic.png" alt="Picture">' in html


def test_raw_html_is_written_anew_in_one_spelling(media_course):
    html = learner_html(media_course('<P CLASS=lead TITLE=\'a "b"\'>Hi <!-- a note for me --> there</P>\n'))
    assert html == '<p class="lead" title="a &quot;b&quot;">Hi  there</p>'


RAW_URL_MISTAKES = {
    "unquoted": ("<img src=media/missing.png alt=Missing>", "image 'media/missing.png' not found: modules/01-lesson/media/missing.png is no such file"),
    "upper case": ('<IMG SRC="media/missing.png" ALT="Missing">', "image 'media/missing.png' not found: modules/01-lesson/media/missing.png is no such file"),
    "spaced": ('<img src = "media/missing.png" alt = "Missing">', "image 'media/missing.png' not found: modules/01-lesson/media/missing.png is no such file"),
    "srcset": ('<img src="media/pic.png" srcset="media/pic.png 1x, media/big.png 2x" alt="Pic">', "image 'media/big.png' not found: modules/01-lesson/media/big.png is no such file"),
    # (<video> and <audio> are refused whole: recordings are written with the image syntax.)
    "poster": ('<div poster="../../../outside.png"></div>', "image '../../../outside.png' points outside the course folder"),
    "source": ("<picture><source srcset=../../../pic.png></picture>", "image '../../../pic.png' points outside the course folder"),
    "style url": ("<div style=\"background: URL( '../../../outside.png' )\">x</div>", "image '../../../outside.png' points outside the course folder"),
    "style element": ("<style>p { background: url(../../../outside.png) }</style>", "image '../../../outside.png' points outside the course folder"),
    "href": ("<a HREF=../../../../etc/passwd>x</a>", "link '../../../../etc/passwd' points outside the course folder"),
    "broken URL": ("<a href=https://[example.org>x</a>", "link 'https://[example.org' is not a valid URL (Invalid IPv6 URL)"),
    "absolute": ("<img src=/etc/pic.png alt=x>", "image '/etc/pic.png' is an absolute path: use a path relative to lesson.md"),
    "no alt": ("<img src=media/pic.png>", "image 'media/pic.png' has no alt text: write ![what it shows](media/pic.png)"),
    "empty alt": ('<img src="media/pic.png" alt=" ">', "image 'media/pic.png' has no alt text: write ![what it shows](media/pic.png)"),
}


@pytest.mark.parametrize("case", RAW_URL_MISTAKES)
def test_every_url_in_raw_html_gets_markdowns_checks_at_its_line(media_course, case):
    html, message = RAW_URL_MISTAKES[case]
    root = media_course(f"First line.\n\nSecond paragraph.\n\n{html}\n")
    assert problems_of(root) == [at(5, message)]


def test_the_second_of_two_mistakes_is_reported_at_its_own_line(media_course):
    root = media_course("<img src=media/pic.png>\n\nText.\n\n<img src=media/pic.png>\n")
    message = "image 'media/pic.png' has no alt text: write ![what it shows](media/pic.png)"
    assert problems_of(root) == [at(1, message), at(5, message)]


OPT_IN = ": coursepack leaves scripts out of lessons unless course.yml says 'allow_scripts: true'"
SCRIPTS = {
    "script element": ("<script>alert(1)</script>", "<script> runs a script"),
    "upper-case script": ("<SCRIPT SRC=media/pic.png></SCRIPT>", "<script> runs a script"),
    "event handler": ("<img src=media/pic.png alt=Pic onerror=alert(1)>", "the event handler 'onerror' runs a script"),
    "handler in markdown attribute list": ("## Heading {: onclick=\"alert(1)\" }", "the event handler 'onclick' runs a script"),
    "javascript link": ('<a href=" JaVaScRiPt:alert(1)">x</a>', "'javascript:' URLs run a script when followed"),
    "javascript with a tab": ('<a href="java&#x09;script:alert(1)">x</a>', "'javascript:' URLs run a script when followed"),
    "javascript markdown link": ("[x](javascript:alert(1))", "'javascript:' URLs run a script when followed"),
    "embedded page": ('<iframe src="media/pic.png"></iframe>', "<iframe> loads another page into the lesson, and that page can run scripts"),
    "srcdoc": ('<div srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></div>', "'srcdoc' puts a page of its own, which can run scripts, into the lesson"),
    "data page": ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', "a 'data:' URL in <a> can hold a page with scripts: use a file of the course"),
    "svg animation": ('<svg><animate attributeName="href" to="x"/></svg>', "an animation of 'href' can run a script"),
}


@pytest.mark.parametrize("case", SCRIPTS)
def test_scripts_are_refused_at_their_line(media_course, case):
    html, message = SCRIPTS[case]
    root = media_course(f"First line.\n\n{html}\n")
    assert problems_of(root) == [at(3, message + OPT_IN)]


@pytest.mark.parametrize("case", ["script element", "event handler", "javascript link", "embedded page"])
def test_a_course_may_allow_scripts(media_course, case):
    html, _ = SCRIPTS[case]
    root = media_course(f"First line.\n\n{html}\n", course_extra="allow_scripts: true\n")
    written = learner_html(root)
    assert ("alert(1)" in written) or ("<iframe" in written)


def test_scripts_in_quiz_texts_are_refused_at_their_line(media_course):
    root = media_course("Text.\n")
    (root / "modules/01-lesson/quiz.yml").write_text(
        "questions:\n  - id: q1\n    type: true_false\n    prompt: 'Is <b onmouseover=alert(1)>this</b> safe?'\n    answer: false\n"
    )
    assert problems_of(root) == [
        "modules/01-lesson/quiz.yml:4: error: the event handler 'onmouseover' runs a script" + OPT_IN
    ]


def test_allowing_scripts_must_be_true_or_false(media_course):
    root = media_course("Text.\n", course_extra="allow_scripts: sometimes\n")
    assert problems_of(root) == ["course.yml:4: error: 'allow_scripts' must be true or false, not 'sometimes'"]


# ---------------------------------------------------------------- deep nesting and long lines


def nested_list(depth: int) -> str:
    return "".join("    " * level + "- item\n" for level in range(depth))


@pytest.mark.parametrize(
    "body, line, depth",
    [
        (nested_list(246), 51, 51),
        ("Text.\n\n" + ">" * 300 + " deep\n", 3, 300),
        ("- " * 300 + "deep\n", 1, 300),
    ],
    ids=["list 246 deep", "quote 300 deep", "list markers on one line"],
)
def test_deep_nesting_is_an_error_at_its_line(tmp_path, body, line, depth):
    assert problems_of(write_course(tmp_path, body)) == [
        at(line, f"this line is nested {depth} levels deep (in lists, quotes and indentation): coursepack reads up to 50")
    ]


def test_nesting_the_line_scan_cannot_see_is_still_an_error(tmp_path):
    # Each definition holds the next one: Python-Markdown recurses once per line.
    assert problems_of(write_course(tmp_path, "a\n: b\n" * 1000)) == [
        at(1, "the lesson is nested too deeply for coursepack to read: flatten its lists, quotes or HTML")
    ]


def test_deep_nesting_in_a_quiz_text_is_an_error_at_its_line(tmp_path):
    root = write_course(tmp_path, "Text.\n")
    prompt = "\\n".join("    " * level + "- item" for level in range(100))
    (root / "modules/01-lesson/quiz.yml").write_text(
        f'questions:\n  - id: q1\n    type: true_false\n    prompt: "{prompt}"\n    answer: true\n'
    )
    assert problems_of(root) == [
        "modules/01-lesson/quiz.yml:4: error: question 'q1': a line of this text is nested 100 levels deep"
        " (in lists, quotes and indentation): coursepack reads up to 50"
    ]


_TIMED_LOAD = """
import sys, time
from coursepack.loading import load_course
times = []
for _ in range(2):
    started = time.perf_counter()
    load_course(sys.argv[1])
    times.append(time.perf_counter() - started)
print(min(times))
"""


def load_seconds(root: Path, body: str, limit: float = 30) -> float:
    """How long loading a course with this lesson body takes, in a process stopped after `limit` s."""
    write_course(root, body + "\n")
    try:
        result = subprocess.run(
            [sys.executable, "-c", _TIMED_LOAD, str(root)],
            cwd=REPO, capture_output=True, text=True, timeout=limit, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {len(body):,} characters took more than {limit} s")
    assert result.returncode == 0, result.stderr
    return float(result.stdout)


LONG_LINES = {
    "[": lambda n: "[" * n,
    "![": lambda n: "![" * (n // 2),
    "[^": lambda n: "[^" * (n // 2),
    "[a](": lambda n: "[a](" * (n // 4),
    "nested brackets": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "many links": lambda n: "[a](https://example.org/) " * (n // 26),
    "unclosed tags": lambda n: "<a " * (n // 3),
    "unclosed tags in raw HTML": lambda n: "<div>\n" + "<a " * (n // 3) + "\n</div>",
}


@pytest.mark.parametrize("case", LONG_LINES)
def test_a_long_line_loads_in_time_linear_in_its_size(tmp_path, case):
    make = LONG_LINES[case]
    once = load_seconds(tmp_path / "a", make(24_000))
    four_times = load_seconds(tmp_path / "b", make(96_000))
    assert once < 3, f"24,000 characters took {once:.1f} s"
    # Quadratic time would make this 16 times as long; allow for a busy machine.
    assert four_times < 8 * once + 0.5, f"{once:.2f} s, then {four_times:.2f} s for four times as much"


# ---------------------------------------------------------------- any lesson around a trainer note

LEARNER_PARTS = [
    "Plain words about the ILS.",
    "## A heading",
    "- a list item\n- another",
    "1. first\n2. second",
    "> a quote",
    "Term\n:   its definition",
    "[ref]: https://example.org/lesson",
    "*[ILS]: Integrated library system",
    "A footnote.[^1]\n\n[^1]: The lesson's own footnote.",
    "<!--cp-end 0-->",
    "<!--cp-begin reflect 1-->",
    "<!--cp-begin trainer 0-->",
    "<div markdown=\"1\">\n*inside*\n</div>",
    "<pre>",
    "<div>",
    "`code` and [a link](https://example.org)",
    "```text\nfenced\n```",
    '!!! reflect "Think"\n    What would you do?',
    '!!! scenario "A case"\n    A patron arrives.',
    "!!! note\n    A note.",
    "    indented code",
    "| a | b |\n| - | - |\n| 1 | 2 |",
]
TRAINER_LINES = [
    "SECRET plain line.",
    "## SECRET heading",
    "[^s]: SECRET footnote.",
    "Uses a footnote.[^s]",
    "*[ILS]: SECRET abbreviation",
    "[ref]: https://example.org/SECRET",
    "<!--cp-end 0-->",
    "<!--cp-end 1-->",
    "<div>SECRET in raw HTML",
    "- SECRET list item",
    "SECRET [ref] and ILS",
]


def _mutate(text: str, data) -> str:
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        position = data.draw(st.integers(0, len(text)), label="at")
        if data.draw(st.booleans(), label="delete") and text:
            text = text[: max(0, position - 1)] + text[position:]
        else:
            text = text[:position] + data.draw(st.sampled_from(list(" \n!\"[]()<>*-#:`>")), label="insert") + text[position:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_lesson_leaks_a_trainer_note_or_crashes(data):
    parts = []
    for _ in range(data.draw(st.integers(1, 6), label="parts")):
        if data.draw(st.booleans(), label="trainer note"):
            lines = data.draw(st.lists(st.sampled_from(TRAINER_LINES), min_size=1, max_size=5), label="note")
            parts.append("!!! trainer\n" + "\n".join("    " + line if line else "" for line in lines))
        else:
            parts.append(_mutate(data.draw(st.sampled_from(LEARNER_PARTS), label="part"), data))
    body = "".join(part + data.draw(st.sampled_from(["\n", "\n\n"]), label="gap") for part in parts)
    with tempfile.TemporaryDirectory() as folder:
        root = write_course(Path(folder), body)
        try:
            lesson = lesson_of(root)
        except CourseErrors:
            return  # a mistake reported with its line is a right answer
    learner = " ".join(s.html for s in lesson.segments_for("learner")) + " ".join(e.title for e in lesson.toc)
    assert "SECRET" not in learner
    assert body.count("!!! trainer") == sum(isinstance(s, TrainerNote) for s in lesson.segments)


def test_a_script_the_course_allows_reaches_the_packet_and_lms_packages(media_course, tmp_path):
    root = media_course('Text.\n\n<script>document.title = "allowed"</script>\n', course_extra="allow_scripts: true\n")
    out = tmp_path / "out"
    build(root, ["html", "scorm12"], out=out, use_cache=False, jobs=1)
    assert '<script>document.title = "allowed"</script>' in (out / "html/lesson.html").read_text(encoding="utf-8")
    assert 'document.title = "allowed"' in _zip_text(out / "lms/safety-scorm12.zip")
