"""`gift`: the GIFT file parsed back by an independent GIFT parser (gift-pegjs, run in node)."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess

import pytest
from conftest import JS, require
from test_export_support import build, fixture_course, plain

from coursepack.exports.gift import escape, id_and_tags
from coursepack.model import FillBlank, Matching, MultipleChoice, Numeric, Open, Ordering, SingleChoice, TrueFalse

GIFT_TYPES = {
    SingleChoice: "MC",
    MultipleChoice: "MC",
    TrueFalse: "TF",
    FillBlank: "Short",
    Numeric: "Numerical",
    Matching: "Matching",
    Ordering: "Matching",
    Open: "Essay",
}
PARSE = "const {parse} = require('gift-pegjs'); const fs = require('fs'); process.stdout.write(JSON.stringify(parse(fs.readFileSync(0, 'utf8'))));"


def gift_pegjs(text: str) -> list[dict]:
    require(shutil.which("node") is not None, "node")
    require((JS / "gift-pegjs").is_dir(), "gift-pegjs in tests/js/node_modules (npm ci in tests/js)")
    result = subprocess.run(["node", "-e", PARSE], input=text, capture_output=True, text=True, cwd=JS.parent)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    out, log = build(tmp_path_factory, "gift")
    course = fixture_course()
    text = (out / "lms" / f"{course.id}.gift").read_text(encoding="utf-8")
    return course, text, gift_pegjs(text), log


def _subanswer(pair: dict) -> str:
    # gift-pegjs 1.0.2 leaves an escaped character in a matching answer as its
    # internal placeholder (`\\~` -> `&&126;`); Moodle turns it back. So do we.
    return re.sub(r"&&(\d+);", lambda m: chr(int(m.group(1))), pair["subanswer"])


def _image_as_text(html: str) -> str:
    return re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', lambda m: htmllib.escape(f"[Image: {htmllib.unescape(m.group(1))}]", quote=False), html)


def test_escaping_survives_an_independent_parser():
    nasty = "a ~ b = c # d { e } f : g \\ h\nline two -> not a pair"
    parsed = gift_pegjs(f"::t::[html]{escape(nasty)}{{=ok}}\n")
    assert [q["stem"]["text"] for q in parsed] == [nasty]


def test_every_question_survives_with_its_type_prompt_and_answer(parsed):
    course, _, questions, _ = parsed
    categories = [q["title"] for q in questions if q["type"] == "Category"]
    assert len(categories) == len(course.quizzes)
    by_title = {q["title"]: q for q in questions if q["type"] != "Category"}
    expected_questions = [q for _, quiz in course.quizzes for q in quiz.questions]
    assert sorted(by_title) == sorted(q.id for q in expected_questions)
    for question in expected_questions:
        got = by_title[question.id]
        assert got["type"] == GIFT_TYPES[type(question)], question.id
        assert got["stem"]["format"] == "html"
        stem = got["stem"]["text"]
        if isinstance(question, FillBlank):
            before, after = question.prompt_parts
            # gift-pegjs shows the answer set as "_____ " where it stood.
            assert stem == f"{before}_____ {after.lstrip()}"
        elif isinstance(question, Ordering):
            assert stem.startswith(question.prompt.html)
        else:
            assert stem == _image_as_text(question.prompt.html), question.id
        if question.explanation:
            assert got["globalFeedback"]["text"] == question.explanation.html
        if isinstance(question, SingleChoice):
            right = [c["text"]["text"] for c in got["choices"] if c["isCorrect"]]
            assert right == [c.text.html for c in question.choices if c.correct]
        elif isinstance(question, MultipleChoice):
            right = [c["text"]["text"] for c in got["choices"] if (c["weight"] or 0) > 0]
            assert right == [c.text.html for c in question.choices if c.correct]
            assert all(c["weight"] < 0 for c in got["choices"] if c["text"]["text"] not in right)
            assert abs(sum(c["weight"] for c in got["choices"] if c["weight"] > 0) - 100) < 0.001
        elif isinstance(question, TrueFalse):
            assert got["isTrue"] is question.answer
        elif isinstance(question, FillBlank):
            right = [c["text"]["text"].replace("\\*", "*") for c in got["choices"] if c["weight"] is None]
            assert right == list(question.answers)
        elif isinstance(question, Numeric):
            answer = got["choices"][0]["text"] if isinstance(got["choices"], list) else got["choices"]
            assert (answer["number"], answer["range"]) == (question.answer, question.tolerance)
        elif isinstance(question, Matching):
            pairs = [(p["subquestion"]["text"], _subanswer(p)) for p in got["matchPairs"]]
            expected = [(p.prompt.html, p.match.replace("->", "→")) for p in question.pairs]
            assert pairs == expected + [("", d) for d in question.distractors]
        elif isinstance(question, Ordering):
            pairs = [(p["subquestion"]["text"], _subanswer(p)) for p in got["matchPairs"]]
            assert pairs == [(f"Position {n}", plain(i.html)) for n, i in enumerate(question.items, start=1)]


def test_true_false_feedback_keeps_gifts_order(parsed):
    """GIFT: the first feedback is for a wrong answer, the second for a right one."""
    course, _, questions, _ = parsed
    question = next(q for _, quiz in course.quizzes for q in quiz.questions if isinstance(q, TrueFalse) and q.feedback)
    got = next(q for q in questions if q.get("title") == question.id)
    first, second = got["trueFeedback"]["text"], got["falseFeedback"]["text"]
    assert (first, second) == (question.feedback.incorrect.html, question.feedback.correct.html)


def test_build_warns_about_what_gift_cannot_carry(parsed):
    course, text, _, log = parsed
    questions = {q.id: q for _, quiz in course.quizzes for q in quiz.questions}
    for question_id, words in {
        "specials-single": "GIFT has no points",
        "specials-ordering": "GIFT has no ordering type",
        "specials-matching": "'->' in a matching answer",
        "specials-open": "open question 1 point",
    }.items():
        source = questions[question_id].source
        assert re.search(rf"{re.escape(f'{source.path}:{source.line}')}: warning: question '{question_id}': [^\n]*{re.escape(words)}", log)
    assert re.search(r"specials-single'[^\n]*images are replaced by their alt text", log)
    assert "gift: GIFT has no hints: 2 hint(s) left out" in log
    assert "map.svg" not in text


# ---------------------------------------------------------------- as Moodle's GIFT import reads it
#
# Moodle (question/format/gift/format.php and qformat_default::readquestions) splits
# the file into questions at blank lines; in each, the lines that start with `//`
# (after trimming) are its comments, and a block with nothing else is no question.
# extract_idnumber_and_tags_from_comment then takes the first `[id:…]` (no `]` or
# control character inside, `\]` for a `]`) as the id number, and every `[tag:…]`
# (no `]`, `<`, `>` or control character) as a tag, each trimmed.

_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")


def _moodle_questions(text: str) -> dict[str, tuple[str, list[str]]]:
    """Question name -> (id number, tags), as Moodle's GIFT import reads them."""
    found = {}
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        comments = "".join(line + "\n" for line in lines if line.startswith("//"))
        rest = "\n".join(line for line in lines if not line.startswith("//"))
        if not rest or rest.startswith("$CATEGORY:"):
            continue
        name = re.match(r"::((?:\\.|[^:])*)::", rest).group(1)
        idnumber = _ID.search(comments)
        tags = [t.replace("\\]", "]").strip() for t in _TAG.findall(comments)]
        found[name] = (idnumber.group(1).replace("\\]", "]").strip() if idnumber else "", tags)
    return found


def test_every_question_has_its_id_and_tags_where_moodle_reads_them(parsed):
    course, text, _, _ = parsed
    read = _moodle_questions(text)
    expected = {q.id: (q.id, [course.id, m.id]) for m, quiz in course.quizzes for q in quiz.questions}
    assert read == expected


def test_build_warns_that_moodle_shuffles_every_gift_question(tmp_path_factory):
    out, log = build(tmp_path_factory, "gift")
    # The fixture's second quiz keeps the default, shuffle_choices: false, and has a choice question.
    assert re.search(r"modules/02-3d-printing/quiz\.yml: warning: GIFT cannot keep choices in order", log)
    assert not re.search(r"modules/01-specials/quiz\.yml: warning: GIFT cannot keep choices", log)
    assert "gift: questions only; set the passing score" in log


def test_id_and_tag_lines_survive_moodles_reading_with_awkward_characters():
    lines = id_and_tags("a]b", ["x <y> `z", "t]", "tab\there"])
    assert _moodle_questions("\n".join([*lines, "::q::{TRUE}"])) == {"q": ("a]b", ["x y z", "t]", "tabhere"])}
