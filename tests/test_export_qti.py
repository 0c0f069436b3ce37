"""`qti`: the Canvas QTI 1.2 zip against the official QTI 1.2 schema, read back question by question.

The zip's imsmanifest.xml follows Canvas's own quiz export (the CC 1.1
namespace with an "IMS Content 1.1.3" schema), which no published schema
describes: it is checked here file by file instead.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import pytest
from test_export_support import QTI, build, fixture_course, plain, read_qti, unzip

from coursepack.model import FillBlank, Matching, MultipleChoice, Numeric, Open, Ordering, SingleChoice, TrueFalse

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
CANVAS = "{http://canvas.instructure.com/xsd/cccv1p0}"
CANVAS_TYPES = {
    SingleChoice: "multiple_choice_question",
    MultipleChoice: "multiple_answers_question",
    TrueFalse: "true_false_question",
    FillBlank: "short_answer_question",
    Numeric: "numerical_question",
    Matching: "matching_question",
    Ordering: "matching_question",
    Open: "essay_question",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out, log = build(tmp_path_factory, "qti")
    course = fixture_course()
    folder = tmp_path_factory.mktemp("qti")
    entries = unzip(out / "lms" / f"{course.id}-qti.zip", folder)
    return course, folder, entries, log


def test_every_quiz_is_valid_qti_1_2(package, schemas):
    course, folder, entries, _ = package
    sys.path.insert(0, str(schemas))
    from validate import errors

    quizzes = [n for n in entries if re.fullmatch(r"quiz-[^/]+/quiz-[^/]+\.xml", n)]
    assert len(quizzes) == len(course.quizzes)
    for name in quizzes:
        assert errors("qti12", str(folder / name)) == [], name


def test_manifest_lists_every_file_of_the_zip(package):
    course, _, entries, _ = package
    manifest = ET.fromstring(entries["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    listed = {f.get("href") for r in resources.values() for f in r.findall(f"{CP}file")}
    assert listed == set(entries) - {"imsmanifest.xml"}
    quizzes = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quizzes) == len(course.quizzes)
    for quiz in quizzes:
        for dependency in quiz.findall(f"{CP}dependency"):
            assert dependency.get("identifierref") in resources
    assert all(not i[0].isdigit() for i in resources)


def test_every_question_survives_with_its_type_prompt_and_answer(package):
    course, _, entries, _ = package
    for module, quiz in course.quizzes:
        _, items = read_qti(entries[f"quiz-{module.id}/quiz-{module.id}.xml"])
        assert [i.ident for i in items] == [f"q-{q.id}" for q in quiz.questions]
        for question, item in zip(quiz.questions, items):
            assert item.metadata["question_type"] == CANVAS_TYPES[type(question)]
            assert float(item.metadata["points_possible"]) == (question.points if question.scored else 0)
            if isinstance(question, Ordering):
                assert plain(question.prompt.html) in plain(item.prompt)
            else:
                assert plain(item.prompt) == plain(question.prompt.html)
            if isinstance(question, SingleChoice | MultipleChoice):
                assert {plain(item.choices[i]) for i in item.correct} == {plain(c.text.html) for c in question.choices if c.correct}
            elif isinstance(question, TrueFalse):
                assert [item.choices[i] for i in item.correct] == ["True" if question.answer else "False"]
            elif isinstance(question, FillBlank):
                assert item.correct == set(question.answers)
            elif isinstance(question, Numeric):
                assert [float(a) for a in item.correct] == [question.answer]
                assert item.ranges == [(question.answer - question.tolerance, question.answer + question.tolerance)]
            elif isinstance(question, Matching | Ordering):
                if isinstance(question, Matching):
                    expected = [(plain(p.prompt.html), p.match) for p in question.pairs]
                else:
                    expected = [(f"Position {n}", plain(i.html)) for n, i in enumerate(question.items, start=1)]
                got = [(stem, options[item.added[ident]]) for ident, (stem, options) in item.stems.items()]
                assert got == expected
                if isinstance(question, Matching):
                    assert set(question.distractors) <= set(next(iter(item.stems.values()))[1].values())
            elif isinstance(question, Open):
                assert item.text_entry and not item.correct
            if question.explanation:
                assert plain(item.feedback["general_fb"]) == plain(question.explanation.html)


def test_feedback_reaches_the_choice_it_belongs_to(package):
    course, _, entries, _ = package
    module, quiz = course.quizzes[0]
    question = quiz.questions[0]
    xml = ET.fromstring(entries[f"quiz-{module.id}/quiz-{module.id}.xml"])
    item = next(i for i in xml.iter(f"{QTI}item") if i.get("ident") == f"q-{question.id}")
    feedback = {f.get("ident"): plain(f.find(f".//{QTI}mattext").text) for f in item.iter(f"{QTI}itemfeedback")}
    labels = {plain(l.find(f".//{QTI}mattext").text): l.get("ident") for l in item.iter(f"{QTI}response_label")}
    for choice in question.choices:
        shown = []
        for condition in item.iter(f"{QTI}respcondition"):
            equal = condition.find(f"{QTI}conditionvar/{QTI}varequal")
            if equal is not None and equal.text == labels[plain(choice.text.html)]:
                shown += [feedback[d.get("linkrefid")] for d in condition.findall(f"{QTI}displayfeedback")]
        verdict = question.feedback.correct if choice.correct else question.feedback.incorrect
        expected = ([plain(choice.feedback.html)] if choice.feedback else []) + [plain(verdict.html)]
        assert shown == expected, choice.text.source


def test_quiz_settings_and_random_draws(package):
    course, _, entries, log = package
    for module, quiz in course.quizzes:
        settings = ET.fromstring(entries[f"quiz-{module.id}/assessment_meta.xml"])
        assert settings.findtext(f"{CANVAS}allowed_attempts") == (str(quiz.max_attempts) if quiz.max_attempts else "-1")
        assert float(settings.findtext(f"{CANVAS}points_possible")) == quiz.points_possible
        assert f"{quiz.passing_score:g} %" in settings.findtext(f"{CANVAS}description")
        assessment, _ = read_qti(entries[f"quiz-{module.id}/quiz-{module.id}.xml"])
        number = assessment.find(f".//{QTI}selection_number")
        assert (number.text if number is not None else None) == (str(quiz.pick) if quiz.pick else None)
    assert "Canvas QTI has no ordering type" in log


def test_quiz_images_travel_in_the_zip(package):
    course, _, entries, _ = package
    module, _ = course.quizzes[0]
    xml = entries[f"quiz-{module.id}/quiz-{module.id}.xml"].decode("utf-8")
    sources = re.findall(r'src="\$IMS-CC-FILEBASE\$/([^"]+)"', ET.fromstring(xml).find(f".//{QTI}mattext").text)
    assert sources == ["modules/01-specials/media/map.svg"]
    assert entries[f"web_resources/{sources[0]}"] == course.asset(sources[0]).data
