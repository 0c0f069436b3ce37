"""Whatever an author's files hold, a build ends in clear errors, never in a crash.

Each case is a tiny course built in a temporary folder that already holds an
`output/` from an earlier build: the build must print exactly the expected
`path:line: error:` lines, exit 1, print no traceback, and leave `output/` as
it was. Builds run in a separate process with bounded time and memory.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

COURSE_YML = 'id: tiny\ntitle: Tiny course\nversion: "1.0"\n'
LESSON = "---\ntitle: Welcome\n---\nHello.\n"
QUIZ = "questions:\n  - id: q1\n    type: true_false\n    prompt: The sky is blue.\n    answer: true\n"
LESSON_PATH = "modules/01-welcome/lesson.md"
QUIZ_PATH = "modules/01-welcome/quiz.yml"
SAVE_AS = "save it as UTF-8 (in most editors: 'Save As', then the encoding 'UTF-8')"
MEMORY_LIMIT = 1 << 30  # bytes of address space for one build


def make_course(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """The one-module course, with `files` (course-relative path: text, bytes, or None to leave out)."""
    contents = {"course.yml": COURSE_YML, LESSON_PATH: LESSON, QUIZ_PATH: QUIZ, **(files or {})}
    for path, content in contents.items():
        if content is None:
            continue
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(*args: str, prefix: list[str] = (), timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "coursepack", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_build_fails(course: Path, expected: list[str], prefix: list[str] = (), timeout: float = 60) -> None:
    output = course / "output"
    output.mkdir(exist_ok=True)
    (output / "index.html").write_text("the previous build\n")
    before = snapshot(output)
    result = run("build", str(course), prefix=prefix, timeout=timeout)
    problems = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert problems == expected, result.stderr
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(output) == before


def check_passes(course: Path) -> str:
    result = run("check", str(course))
    assert result.returncode == 0, result.stderr
    return result.stdout


# ------------------------------------------------------------------ encodings


def test_a_latin1_lesson_is_reported_at_the_line_of_its_first_bad_byte(tmp_path):
    lesson = "---\ntitle: Welcome\n---\nHello.\n\nCaf\u00e9 au lait.\n".encode("latin-1")
    course = make_course(tmp_path, {LESSON_PATH: lesson})
    assert_build_fails(course, [
        f"{LESSON_PATH}:6: error: not UTF-8 text: byte 0xE9 on this line is not UTF-8"
        f" (the file looks like Latin-1 or Windows-1252); {SAVE_AS}",
    ])


def test_a_windows1252_quiz_is_reported_at_the_line_of_its_first_bad_byte(tmp_path):
    quiz = QUIZ.replace("The sky is blue.", "The \u201csky\u201d is blue.").encode("cp1252")
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:4: error: not UTF-8 text: byte 0x93 on this line is not UTF-8"
        f" (the file looks like Latin-1 or Windows-1252); {SAVE_AS}",
    ])


def test_utf16_and_utf32_files_are_named_as_such(tmp_path):
    course = make_course(tmp_path, {
        "course.yml": COURSE_YML.encode("utf-16"),  # with its byte order mark
        LESSON_PATH: LESSON.encode("utf-16-le"),  # without one
        QUIZ_PATH: QUIZ.encode("utf-32"),
    })
    assert_build_fails(course, [
        f"course.yml:1: error: not UTF-8 text: the file is saved as UTF-16; {SAVE_AS}",
        f"{LESSON_PATH}:1: error: not UTF-8 text: it holds NUL bytes, as UTF-16 and UTF-32 files do; {SAVE_AS}",
        f"{QUIZ_PATH}:1: error: not UTF-8 text: the file is saved as UTF-32; {SAVE_AS}",
    ])


def test_a_utf8_byte_order_mark_is_accepted_in_every_source(tmp_path):
    bom = "\ufeff"
    course = make_course(tmp_path, {
        "course.yml": bom + COURSE_YML,
        LESSON_PATH: bom + LESSON.replace("Hello.", "Caf\u00e9."),
        QUIZ_PATH: bom + QUIZ,
    })
    assert check_passes(course).strip() == "tiny: 1 module, 1 question, no errors."


def test_a_control_character_is_reported_at_its_line(tmp_path):
    course = make_course(tmp_path, {LESSON_PATH: LESSON + "Ring \x07 the bell.\n"})
    assert_build_fails(course, [
        f"{LESSON_PATH}:5: error: this line holds the control character U+0007, which no output can show: delete it",
    ])


# ------------------------------------------------------------------ YAML values


def quiz_with(*lines: str) -> str:
    """The quiz's one question with extra `lines` (its keys, indented by four spaces)."""
    return QUIZ + "".join(f"    {line}\n" for line in lines)


def test_nesting_too_deep_is_refused_at_its_line(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: quiz_with("hint: " + "[" * 493 + "]" * 493)})
    assert_build_fails(course, [f"{QUIZ_PATH}:6: error: items are nested more than 100 levels deep here"])


def test_an_integer_too_long_to_read_is_refused_at_its_line(tmp_path):
    course = make_course(tmp_path, {"course.yml": COURSE_YML + "organization: " + "9" * 4301 + "\n"})
    assert_build_fails(course, ["course.yml:4: error: this number is too long to read: put it in quotes if it is text"])


def test_values_whose_form_promises_an_impossible_type_are_refused_at_their_line(tmp_path):
    course = make_course(tmp_path, {"course.yml": COURSE_YML + "organization: 2024-13-45\naudience: !!float many\n"})
    assert_build_fails(course, [
        "course.yml:4: error: '2024-13-45' cannot be read as a date: put it in quotes if it is text",
    ])
    (course / "course.yml").write_text(COURSE_YML + "audience: !!float many\n")
    assert_build_fails(course, ["course.yml:4: error: 'many' cannot be read as a number: put it in quotes if it is text"])


def test_a_numeric_answer_too_large_for_a_float_is_refused(tmp_path):
    quiz = "questions:\n  - id: big\n    type: numeric\n    prompt: How many?\n    answer: 1" + "0" * 309 + "\n"
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [f"{QUIZ_PATH}:5: error: question 'big': 'answer' is a number too large to use (310 digits)"])


def test_a_lone_surrogate_escape_is_refused_by_check_already(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: QUIZ.replace("The sky is blue.", '"The sky \\ud800 is blue."')})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:4: error: the escape \\ud800 is half of a character (a lone UTF-16 surrogate): write the character itself instead",
    ])
    result = run("check", str(course))
    assert result.returncode == 1 and "lone UTF-16 surrogate" in result.stderr


def test_not_a_number_and_infinity_are_refused(tmp_path):
    quiz = (
        "questions:\n"
        "  - id: nan\n    type: numeric\n    prompt: How many?\n    answer: .nan\n"
        "  - id: inf\n    type: numeric\n    prompt: How many?\n    answer: .inf\n"
        "  - id: heavy\n    type: true_false\n    prompt: Heavy?\n    answer: true\n    points: .inf\n"
        "  - id: loose\n    type: numeric\n    prompt: How many?\n    answer: 3\n    tolerance: -.inf\n"
    )
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:5: error: question 'nan': 'answer' must be a finite number, not .nan",
        f"{QUIZ_PATH}:9: error: question 'inf': 'answer' must be a finite number, not .inf",
        f"{QUIZ_PATH}:14: error: question 'heavy': 'points' must be a finite number, not .inf",
        f"{QUIZ_PATH}:19: error: question 'loose': 'tolerance' must be a finite number, not -.inf",
    ])


def test_points_and_numeric_ranges_stay_numbers_every_output_can_write(tmp_path):
    quiz = (
        "questions:\n"
        "  - id: heavy\n    type: true_false\n    prompt: Heavy?\n    answer: true\n    points: 1.0e+300\n"
        "  - id: wide\n    type: numeric\n    prompt: How many?\n    answer: 1.0e+308\n    tolerance: 1.0e+308\n"
    )
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:6: error: question 'heavy': 'points' is 1e+300, but it must be less than or equal to 1000",
        f"{QUIZ_PATH}:11: error: question 'wide': 'answer' plus or minus 'tolerance' is too large a number",
    ])


def test_a_passing_score_written_as_a_fraction_asks_for_the_percentage(tmp_path):
    course = make_course(tmp_path, {
        "course.yml": COURSE_YML + "passing_score: 0.8\n",
        QUIZ_PATH: "passing_score: 0.75\n" + QUIZ,
    })
    assert_build_fails(course, [
        "course.yml:4: error: 'passing_score' is 0.8, but it is a percentage: did you mean 80?",
        f"{QUIZ_PATH}:1: error: 'passing_score' is 0.75, but it is a percentage: did you mean 75?",
    ])


# ------------------------------------------------------------------ aliases

BILLION_LAUGHS = COURSE_YML + "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)
)


def test_billion_laughs_is_refused_quickly_at_the_alias_that_goes_over_the_budget(tmp_path):
    assert len(BILLION_LAUGHS) < 600
    course = make_course(tmp_path, {"course.yml": BILLION_LAUGHS})
    # Under unknown keys, too: aliases are counted before any key is looked at.
    assert_build_fails(course, [
        "course.yml:8: error: the aliases (*name) up to here copy more than 10,000 items;"
        " coursepack refuses that much repetition: write the items out, or copy less",
    ], timeout=20)


def test_an_alias_inside_the_item_it_names_is_refused(tmp_path):
    course = make_course(tmp_path, {"course.yml": COURSE_YML + "loop: &self [a, *self]\n"})
    assert_build_fails(course, [
        "course.yml:4: error: the alias *self stands inside the item it names, which would repeat it forever",
    ])


def test_small_aliases_and_merge_keys_still_work(tmp_path):
    quiz = (
        "questions:\n"
        "  - &base\n    id: q1\n    type: true_false\n    prompt: The sky is blue.\n    answer: true\n"
        "  - <<: *base\n    id: q2\n"
    )
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert check_passes(course).strip() == "tiny: 1 module, 2 questions, no errors."


# ------------------------------------------------------------------ YAML syntax in plain words

RAW = " (the parser says: {})"
MISALIGNED = (
    "invalid YAML: this line is not lined up with the lines above it: the keys of one item,"
    " and the '-' of each item of one list, must start in the same column"
)


def test_a_tab_is_explained(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: QUIZ.replace("    answer: true", "\tanswer: true")})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:5: error: invalid YAML: a tab character here: YAML allows only spaces to indent or separate"
        " items; replace the tab with spaces" + RAW.format("found character '\\t' that cannot start any token"),
    ])


def test_a_colon_in_a_prompt_suggests_quotes(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: QUIZ.replace("The sky is blue.", 'Remember: the "sky" is blue.')})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:4: error: invalid YAML: the text after 'prompt:' holds ': ', which YAML reads as a new key:"
        ' put the text in quotes, e.g. prompt: "Remember: the \\"sky\\" is blue."'
        + RAW.format("mapping values are not allowed here"),
    ])


def test_a_key_indented_less_than_its_siblings_is_explained(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: QUIZ.replace("    prompt:", "  prompt:")})
    assert_build_fails(course, [f"{QUIZ_PATH}:4: error: {MISALIGNED}" + RAW.format("expected <block end>, but found '?'")])


CHOICES = (
    "questions:\n"
    "  - id: q1\n"
    "    type: single\n"
    "    prompt: Which?\n"
    "    choices:\n"
    "      - text: This one\n"
    "        correct: true\n"
    "      - text: That one\n"
    "        feedback: {feedback}\n"
    "      - text: The other\n"
)


def test_a_dedented_feedback_is_reported_at_its_own_line(tmp_path):
    # Indented like the question's keys, the feedback's text runs on into the next
    # line, where the parser stops: the mistake is on the line before.
    quiz = CHOICES.format(feedback="Not that one.").replace("        feedback:", "    feedback:")
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:9: error: invalid YAML: the text after 'feedback:' runs on into line 10, where a ': '"
        " cannot start a key: check the indentation of this line and line 10, or put the text in quotes if"
        " the ': ' belongs to it" + RAW.format("mapping values are not allowed here"),
    ])


def test_a_dedented_quoted_feedback_is_reported_at_its_own_line(tmp_path):
    quiz = CHOICES.format(feedback='"Not that one."').replace("        feedback:", "    feedback:")
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:9: error: invalid YAML: line 10 is indented more than this line but cannot belong to it:"
        " check this line's indentation (the keys of one item must start in the same column)"
        + RAW.format("expected <block end>, but found '<block sequence start>'"),
    ])


def test_a_feedback_indented_one_space_too_little_is_reported_at_its_line(tmp_path):
    quiz = CHOICES.format(feedback="Not that one.").replace("        feedback:", "       feedback:")
    course = make_course(tmp_path, {QUIZ_PATH: quiz})
    assert_build_fails(course, [
        f"{QUIZ_PATH}:9: error: {MISALIGNED}" + RAW.format("expected <block end>, but found '<block mapping start>'"),
    ])


# ------------------------------------------------------------------ files that cannot be read


def test_an_unreadable_file_is_named_in_process(tmp_path, monkeypatch):
    from coursepack.errors import CourseErrors
    from coursepack.loading import load_course

    course = make_course(tmp_path)
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "lesson.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CourseErrors) as raised:
        load_course(course)
    assert [str(p) for p in raised.value.problems] == [
        f"{LESSON_PATH}: error: cannot be read: permission denied (make it readable for the user running coursepack)",
    ]


# Root reads any file whatever its mode, through two capabilities: a build run
# as root drops them (with util-linux's setpriv) to meet a file it cannot read.
WITHOUT_ROOTS_READ_ALL = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all"]


@pytest.mark.parametrize("closed", [LESSON_PATH, QUIZ_PATH, "modules"])
def test_an_unreadable_file_or_folder_is_named(tmp_path, closed):
    as_root = os.geteuid() == 0
    if as_root and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv, which could take away root's right to read any file")
    course = make_course(tmp_path)
    (course / closed).chmod(0)
    try:
        assert_build_fails(course, [
            f"{closed}: error: cannot be read: permission denied (make it readable for the user running coursepack)",
        ], prefix=WITHOUT_ROOTS_READ_ALL if as_root else [])
    finally:
        (course / closed).chmod(0o755)  # so that pytest can remove it


def test_a_folder_where_a_file_belongs_is_named(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: None, LESSON_PATH: None})
    (course / QUIZ_PATH).mkdir(parents=True)
    (course / LESSON_PATH).mkdir()
    assert_build_fails(course, [
        f"{LESSON_PATH}: error: is a folder, but a file was expected here",
        f"{QUIZ_PATH}: error: is a folder, but a file was expected here",
    ])


# ------------------------------------------------------------------ links out of the course


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the course holding what a link might pull in."""
    folder = make_course(tmp_path / "elsewhere", {"modules/01-welcome/media/secret.png": b"\x89PNG secret"})
    (folder / "notes.md").write_text(LESSON)
    return folder


def test_a_linked_module_folder_lesson_or_quiz_outside_the_course_is_refused(tmp_path, outside):
    course = make_course(tmp_path / "course", {
        "modules/02-linked-folder/lesson.md": None,
        "modules/03-linked-files/lesson.md": None,
    })
    (course / "modules/02-linked-folder").symlink_to(outside / "modules/01-welcome")
    (course / "modules/03-linked-files").mkdir()
    (course / "modules/03-linked-files/lesson.md").symlink_to(outside / "notes.md")
    (course / "modules/03-linked-files/quiz.yml").symlink_to(outside / QUIZ_PATH)
    where = outside.resolve()
    assert_build_fails(course, [
        f"modules/02-linked-folder: error: is a link to {where}/modules/01-welcome, outside the course folder:"
        " put a copy inside the course instead",
        f"modules/03-linked-files/lesson.md: error: is a link to {where}/notes.md, outside the course folder:"
        " put a copy inside the course instead",
        f"modules/03-linked-files/quiz.yml: error: is a link to {where}/{QUIZ_PATH}, outside the course folder:"
        " put a copy inside the course instead",
    ])


def test_a_linked_course_yml_or_modules_folder_outside_the_course_is_refused(tmp_path, outside):
    course = tmp_path / "course"
    course.mkdir()
    (course / "course.yml").symlink_to(outside / "course.yml")
    (course / "modules").symlink_to(outside / "modules")
    where = outside.resolve()
    assert_build_fails(course, [
        f"course.yml: error: is a link to {where}/course.yml, outside the course folder: put a copy inside the course instead",
        f"modules: error: is a link to {where}/modules, outside the course folder: put a copy inside the course instead",
    ])


def test_a_linked_media_file_outside_the_course_is_refused(tmp_path, outside):
    course = make_course(tmp_path / "course", {LESSON_PATH: LESSON + "\n![A secret](media/secret.png)\n"})
    (course / "modules/01-welcome/media").mkdir()
    (course / "modules/01-welcome/media/secret.png").symlink_to(outside / "modules/01-welcome/media/secret.png")
    assert_build_fails(course, [f"{LESSON_PATH}:6: error: image 'media/secret.png' points outside the course folder"])


def test_links_that_stay_inside_the_course_are_followed(tmp_path):
    course = make_course(tmp_path, {"shared/intro.md": LESSON.replace("Hello.", "Shared."), LESSON_PATH: None})
    (course / LESSON_PATH).symlink_to(course / "shared/intro.md")
    assert check_passes(course).strip() == "tiny: 1 module, 1 question, no errors."


def test_a_module_reused_from_the_cache_is_refused_once_it_became_a_link_out(tmp_path, outside):
    course = make_course(tmp_path / "course")
    assert run("build", str(course), "--format", "html", "-q").returncode == 0
    (course / QUIZ_PATH).unlink()
    (course / QUIZ_PATH).symlink_to(outside / QUIZ_PATH)  # the same bytes as before, so the same cache key
    assert_build_fails(course, [
        f"{QUIZ_PATH}: error: is a link to {outside.resolve()}/{QUIZ_PATH}, outside the course folder:"
        " put a copy inside the course instead",
    ])


def test_a_file_name_with_a_backslash_is_refused(tmp_path):
    # A zip entry 'media\..\..\x' is a path out of the folder for tools that read '\' as '/'.
    name = "media/a\\..\\..\\desk.png"
    course = make_course(tmp_path, {LESSON_PATH: LESSON + f'\n<img src="{name}" alt="The desk">\n'})
    (course / "modules/01-welcome" / name).parent.mkdir(parents=True)
    (course / "modules/01-welcome" / name).write_bytes(b"\x89PNG")
    assert_build_fails(course, [
        f"modules/01-welcome/{name}: error: the name holds a backslash ('\\'), which Windows and zip tools"
        " read as a folder separator: rename it",
    ])


# ------------------------------------------------------------------ ordering questions in the page source


def _ordering_quiz(count: int, questions: int) -> str:
    quiz = "questions:\n"
    for number in range(questions):
        items = "".join(f"      - step-{position}\n" for position in range(count))
        quiz += f"  - id: order-{count}-{number}\n    type: ordering\n    prompt: Put them in order.\n    items:\n{items}"
    return quiz


def _listed_orders(page: str) -> list[list[int]]:
    """For each ordering question of a page, the authored positions of its items as listed."""
    questions = re.findall(r'<ol class="order-list".*?</ol>', page, re.DOTALL)
    return [[int(n) for n in re.findall(r'class="order-text"[^>]*>step-(\d+)<', question)] for question in questions]


@pytest.mark.parametrize("count", [2, 4])
def test_the_page_source_does_not_give_away_an_ordering_answer(tmp_path, count):
    course = make_course(tmp_path, {QUIZ_PATH: _ordering_quiz(count, 40)})
    result = run("build", str(course), "--format", "html", "-q")
    assert result.returncode == 0, result.stderr
    page = next(p for p in (course / "output").rglob("*.html") if 'class="order-list"' in p.read_text())
    orders = _listed_orders(page.read_text())
    assert len(orders) == 40 and all(sorted(order) == list(range(count)) for order in orders)
    right, reverse = list(range(count)), list(reversed(range(count)))
    if count == 2:
        # Two items have only two orders: each is listed by a coin toss, so neither says which is right.
        assert 10 <= orders.count(right) <= 30 and orders.count(right) + orders.count(reverse) == 40
    else:
        assert right not in orders and reverse not in orders
        assert len({tuple(order) for order in orders}) > 10


# ------------------------------------------------------------------ mutated YAML never crashes the loader

SAMPLE_QUIZ = REPO / "modules/02-welcome-at-the-desk/quiz.yml"
NASTY_VALUES = [" 2024-13-45", " 1" + "0" * 400, " .nan", " -.inf", ' "\\ud800"', ' "\\x07"', " " + "[" * 300 + "]" * 300, " !!float x", " 0.5"]
YAML_SIGNIFICANT = list(" \t\n:-#&*!|>'\"[]{},?%@`\\") + ["\u00e9", "\ud800", "\x00", "\ufeff"]


@st.composite
def mutated(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        number = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["insert", "delete", "dedent", "indent", "duplicate", "alias", "value"]))
        line = lines[number]
        at = draw(st.integers(0, len(line)))
        if edit == "insert":
            line = line[:at] + draw(st.sampled_from(YAML_SIGNIFICANT)) + line[at:]
        elif edit == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 3)):]
        elif edit == "dedent":
            line = line[1:] if line.startswith(" ") else line
        elif edit == "indent":
            line = " " + line
        elif edit == "duplicate":
            lines.insert(number, line)
        elif edit == "alias":
            line = line[:at] + draw(st.sampled_from(["&a ", "*a", "<<: *a", "[*a, *a]", "&a [*a]"])) + line[at:]
        else:  # a whole value replaced
            key = re.match(r"^(\s*(?:- )?[a-z_]+:)", line)
            line = (key.group(1) if key else line) + draw(st.sampled_from(NASTY_VALUES))
        lines[number] = line
        text = "\n".join(lines)
    return text


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(course_yml=mutated(COURSE_YML + "passing_score: 75\nauthors: [Ann, Bo]\n"), quiz=mutated(SAMPLE_QUIZ.read_text()))
def test_mutated_yaml_gives_course_errors_never_a_crash(course_yml, quiz):
    from coursepack.errors import CourseErrors
    from coursepack.loading import load_course

    with tempfile.TemporaryDirectory() as folder:
        files = {"course.yml": course_yml.encode("utf-8", "surrogatepass"), QUIZ_PATH: quiz.encode("utf-8", "surrogatepass")}
        course = make_course(Path(folder), files)
        try:
            load_course(course)
        except CourseErrors as errors:
            assert all(problem.path in ("course.yml", QUIZ_PATH) for problem in errors.problems)


def test_a_module_folder_name_with_a_backslash_is_refused(tmp_path):
    folder = "modules/02-a\\..\\b"
    course = make_course(tmp_path, {f"{folder}/lesson.md": LESSON})
    assert_build_fails(course, [
        f"{folder}: error: the name holds a backslash ('\\'), which Windows and zip tools read as a folder separator: rename it",
    ])


def test_front_matter_gets_the_same_plain_words_at_the_lesson_line(tmp_path):
    lesson = "---\nobjectives:\n  - Greet, then listen\ntitle: Welcome: the desk\n---\nHello.\n"
    course = make_course(tmp_path, {LESSON_PATH: lesson})
    assert_build_fails(course, [
        f"{LESSON_PATH}:4: error: invalid YAML: the text after 'title:' holds ': ', which YAML reads as a new key:"
        ' put the text in quotes, e.g. title: "Welcome: the desk"' + RAW.format("mapping values are not allowed here"),
    ])


def test_a_list_item_read_as_a_mapping_because_of_a_colon_suggests_quotes(tmp_path):
    lesson = "---\ntitle: Welcome\nobjectives:\n  - Greet: then listen\n---\nHello.\n"
    course = make_course(tmp_path, {LESSON_PATH: lesson})
    assert_build_fails(course, [
        f"{LESSON_PATH}:4: error: expected text, not a mapping: YAML reads 'Greet: then listen' as a key and a value"
        " because of the ': '; put the text in quotes",
    ])


def test_a_pipe_where_a_file_belongs_is_refused_without_waiting(tmp_path):
    course = make_course(tmp_path, {QUIZ_PATH: None})
    os.mkfifo(course / QUIZ_PATH)
    assert_build_fails(course, [
        f"{QUIZ_PATH}: error: is not a regular file (it is a pipe, socket or device): put a file here",
    ], timeout=20)


def test_a_huge_source_file_is_refused_before_it_is_read(tmp_path):
    course = make_course(tmp_path)
    with open(course / LESSON_PATH, "ab") as lesson:
        lesson.truncate(50 * 10**6)  # sparse: no disk space used
    assert_build_fails(course, [f"{LESSON_PATH}: error: is 50 MB, more than the 10 MB coursepack reads from such a file"])
