"""`moodle`: Moodle XML read back question by question.

Moodle publishes no schema for its XML question format, so there is no XSD
to validate against; the file is parsed as Moodle's importer reads it
(element paths, `format`, `fraction`, embedded files).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from test_export_support import build, fixture_course, plain

from coursepack.model import FillBlank, Matching, MultipleChoice, Numeric, Open, Ordering, SingleChoice, TrueFalse

MOODLE_TYPES = {
    SingleChoice: "multichoice",
    MultipleChoice: "multichoice",
    TrueFalse: "truefalse",
    FillBlank: "shortanswer",
    Numeric: "numerical",
    Matching: "matching",
    Ordering: "ordering",
    Open: "essay",
}


@pytest.fixture(scope="module")
def questions(tmp_path_factory):
    out, log = build(tmp_path_factory, "moodle")
    course = fixture_course()
    root = ET.parse(out / "lms" / f"{course.id}-moodle.xml").getroot()
    return course, root, log


def _answers(node) -> list[tuple[float, str, str]]:
    return [
        (float(a.get("fraction")), a.findtext("text") or "", a.findtext("feedback/text") or "")
        for a in node.findall("answer")
    ]


def test_one_category_per_module_then_its_questions(questions):
    course, root, _ = questions
    expected = []
    for module, quiz in course.quizzes:
        expected.append(("category", f"{module.number:02d} {module.title}"))
        expected += [(MOODLE_TYPES[type(q)], q.id) for q in quiz.questions]
    got = []
    for node in root.findall("question"):
        if node.get("type") == "category":
            path = node.findtext("category/text")
            assert path.startswith("$course$/top/")
            # '//' is a slash inside a name; single slashes separate levels.
            got.append(("category", re.split(r"(?<!/)/(?!/)", path)[-1].replace("//", "/")))
        else:
            got.append((node.get("type"), node.findtext("name/text")))
    assert got == expected


def test_every_question_survives_with_its_type_prompt_and_answer(questions):
    course, root, _ = questions
    nodes = {n.findtext("idnumber"): n for n in root.findall("question") if n.get("type") != "category"}
    for _, quiz in course.quizzes:
        for question in quiz.questions:
            node = nodes[question.id]
            assert node.find("questiontext").get("format") == "html"
            if isinstance(question, Matching):
                assert plain(question.prompt.html) in plain(node.findtext("questiontext/text"))
            else:
                assert plain(node.findtext("questiontext/text")) == plain(question.prompt.html)
            assert float(node.findtext("defaultgrade")) == (question.points if question.scored else 0)
            answers = _answers(node)
            if isinstance(question, SingleChoice | MultipleChoice):
                assert node.findtext("single") == ("true" if isinstance(question, SingleChoice) else "false")
                right = {plain(text) for fraction, text, _ in answers if fraction > 0}
                assert right == {plain(c.text.html) for c in question.choices if c.correct}
                assert abs(sum(f for f, _, _ in answers if f > 0) - 100) < 0.001
            elif isinstance(question, TrueFalse):
                assert [text for fraction, text, _ in answers if fraction == 100] == [str(question.answer).lower()]
            elif isinstance(question, FillBlank):
                right = [text.replace("\\*", "*") for fraction, text, _ in answers if fraction == 100]
                assert right == list(question.answers) and node.findtext("usecase") == "0"
            elif isinstance(question, Numeric):
                node_answer = next(a for a in node.findall("answer") if a.get("fraction") == "100")
                assert float(node_answer.findtext("text")) == question.answer
                assert float(node_answer.findtext("tolerance")) == question.tolerance
            elif isinstance(question, Matching):
                pairs = [(plain(s.findtext("text") or ""), s.findtext("answer/text")) for s in node.findall("subquestion")]
                expected = [(plain(p.prompt.html), p.match) for p in question.pairs] + [("", d) for d in question.distractors]
                assert pairs == expected
            elif isinstance(question, Ordering):
                assert [plain(text) for _, text, _ in answers] == [plain(i.html) for i in question.items]
            elif isinstance(question, Open):
                assert answers == [] and (node.findtext("graderinfo/text") or "") == ""
            if question.explanation:
                assert plain(node.findtext("generalfeedback/text")) == plain(question.explanation.html)
            if question.hint:
                assert plain(node.findtext("hint/text")) == plain(question.hint.html)


def test_feedback_lands_in_moodles_fields(questions):
    course, root, _ = questions
    nodes = {n.findtext("idnumber"): n for n in root.findall("question") if n.get("type") != "category"}
    single = nodes["specials-single"]
    question = next(q for _, quiz in course.quizzes for q in quiz.questions if q.id == "specials-single")
    assert plain(single.findtext("correctfeedback/text")) == plain(question.feedback.correct.html)
    assert plain(single.findtext("incorrectfeedback/text")) == plain(question.feedback.incorrect.html)
    for choice, (_, text, feedback) in zip(question.choices, _answers(single)):
        assert plain(text) == plain(choice.text.html)
        assert plain(feedback) == (plain(choice.feedback.html) if choice.feedback else "")
    blank = nodes["specials-blank"]
    wildcard = [(f, t, fb) for f, t, fb in _answers(blank) if t == "*"]
    assert wildcard == [(0.0, "*", "<p>No # it is the backslash.</p>")]


def test_images_travel_inside_the_question(questions):
    course, root, _ = questions
    node = next(n for n in root.findall("question") if n.findtext("idnumber") == "specials-single")
    text = node.findtext("questiontext/text")
    files = {f.get("name"): f for f in node.findall("questiontext/file")}
    assert re.findall(r'src="@@PLUGINFILE@@/([^"]+)"', text) == ["map.svg"]
    assert files["map.svg"].get("encoding") == "base64"
    assert base64.b64decode(files["map.svg"].text) == course.asset("modules/01-specials/media/map.svg").data


def test_build_says_moodle_xml_holds_questions_only_and_which_moodle_orders(questions):
    _, _, log = questions
    assert "moodle: questions only" in log
    assert "ordering questions are Moodle's ordering type, standard since Moodle 4.4" in log
    assert "specials-ordering" not in log  # nothing lost, nothing to warn about


# Moodle's ordering type (question/type/ordering/questiontype.php, import_from_xml) reads
# the items from the <answer>s in order (their fractions are renumbered 1, 2, … from that
# order), layouttype (VERTICAL unless HORIZONTAL/HORI/H/1), selecttype (ALL or EXACT: every
# item shown; anything else, or none: a random subset of selectcount, default 6), gradingtype
# (ALL_OR_NOTHING; none: relative to the next item, part marks), showgrading (HIDE/FALSE/NO
# hide it), numberingstyle (none, 123, abc, ABCD, iii, IIII), the combined feedback, and
# shownumcorrect as a value (an empty element reads as off).


def test_ordering_questions_are_moodles_ordering_type_as_its_importer_reads_them(questions):
    course, root, _ = questions
    nodes = {n.findtext("idnumber"): n for n in root.findall("question") if n.get("type") != "category"}
    orderings = [q for _, quiz in course.quizzes for q in quiz.questions if isinstance(q, Ordering)]
    assert orderings
    for question in orderings:
        node = nodes[question.id]
        assert node.get("type") == "ordering"
        items = [plain(a.findtext("text")) for a in node.findall("answer")]
        assert items == [plain(i.html) for i in question.items] and len(items) >= 2
        assert all(a.get("format") == "html" for a in node.findall("answer"))
        assert node.findtext("selecttype").upper() in ("ALL", "EXACT")  # every item, not a random subset
        assert node.findtext("layouttype").upper() not in ("HORIZONTAL", "HORI", "H", "1")
        assert node.findtext("gradingtype").upper() == "ALL_OR_NOTHING"  # as the course marks it
        assert node.findtext("showgrading").upper() not in ("HIDE", "FALSE", "NO")
        assert node.findtext("numberingstyle") in ("none", "123", "abc", "ABCD", "iii", "IIII")
        assert node.findtext("shownumcorrect") == "1"
        assert node.find("subquestion") is None
        if question.explanation:
            assert plain(node.findtext("generalfeedback/text")) == plain(question.explanation.html)


def test_every_question_is_tagged_with_its_course_and_module(questions):
    course, root, _ = questions
    nodes = {n.findtext("idnumber"): n for n in root.findall("question") if n.get("type") != "category"}
    for module, quiz in course.quizzes:
        for question in quiz.questions:
            assert [t.findtext("text") for t in nodes[question.id].findall("tags/tag")] == [course.id, module.id]
