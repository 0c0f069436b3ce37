"""`cc`: the Common Cartridge 1.1 against the official CC 1.1 schemas, taken apart as an LMS would."""

from __future__ import annotations

import posixpath
import re
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from conftest import FIXTURES, REPO
from test_export_support import QTI, build, fixture_course, plain, read_qti, unzip

from coursepack.build import build as run_build
from coursepack.loading import load_course
from coursepack.model import FillBlank, Matching, MultipleChoice, Numeric, Open, Ordering, SingleChoice, TrueFalse

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
FILEBASE = "$IMS-CC-FILEBASE$"


@pytest.fixture(scope="module")
def cartridge(tmp_path_factory):
    out, log = build(tmp_path_factory, "cc")
    course = fixture_course()
    folder = tmp_path_factory.mktemp("cartridge")
    entries = unzip(out / "lms" / f"{course.id}.imscc", folder)
    return course, folder, entries, log


def _manifest(entries) -> ET.Element:
    return ET.fromstring(entries["imsmanifest.xml"])


def _resources(entries) -> dict[str, ET.Element]:
    return {r.get("identifier"): r for r in _manifest(entries).iter(f"{CP}resource")}


def test_manifest_and_every_quiz_are_valid_against_the_cc_1_1_schemas(cartridge, schemas):
    course, folder, entries, _ = cartridge
    sys.path.insert(0, str(schemas))
    from validate import errors

    xml_files = [name for name in entries if name.endswith(".xml")]
    assert len(xml_files) == 1 + len(course.quizzes)
    for name in xml_files:
        assert errors("imscc_1p1", str(folder / name)) == [], name


def test_identifiers_never_start_with_a_digit(cartridge):
    course, _, entries, _ = cartridge
    assert course.id[0].isdigit() and any(m.id[0].isdigit() for m in course.modules)  # the fixture tries hard
    names = []
    for name, data in entries.items():
        if name.endswith(".xml"):
            for node in ET.fromstring(data).iter():
                names += [node.get(a) for a in ("identifier", "identifierref", "ident") if node.get(a)]
    assert names and all(re.match(r"^[A-Za-z_][\w.-]*$", n) for n in names), names


def test_cartridge_follows_the_profile_rules_the_schema_cannot_check(cartridge):
    """The CC 1.1 Schematron rules that matter for import, and every file accounted for."""
    _, _, entries, _ = cartridge
    manifest = _manifest(entries)
    resources = _resources(entries)
    listed = set()
    for resource in resources.values():
        files = [f.get("href") for f in resource.findall(f"{CP}file")]
        listed |= set(files)
        if resource.get("type") == "imsqti_xmlv1p2/imscc_xmlv1p1/assessment":
            assert len(files) == 1 and resource.get("href") is None
        if resource.get("href") is not None:
            assert resource.get("href") in files
        for dependency in resource.findall(f"{CP}dependency"):
            assert dependency.get("identifierref") in resources
            assert dependency.get("identifierref") != resource.get("identifier")
    assert listed == set(entries) - {"imsmanifest.xml"}
    for item in manifest.iter(f"{CP}item"):
        if item.get("identifierref"):
            assert item.find(f"{CP}item") is None
            target = resources[item.get("identifierref")]
            if target.get("type") == "webcontent":
                assert target.get("href")


def test_organization_has_one_folder_per_module_with_its_lesson_and_quiz(cartridge):
    course, _, entries, _ = cartridge
    resources = _resources(entries)
    root = _manifest(entries).find(f"{CP}organizations/{CP}organization/{CP}item")
    folders = root.findall(f"{CP}item")
    assert [f.findtext(f"{CP}title") for f in folders] == [f"{m.number}. {m.title}" for m in course.modules]
    for folder, module in zip(folders, course.modules):
        kinds = [resources[i.get("identifierref")].get("type") for i in folder.findall(f"{CP}item")]
        expected = ["webcontent"] + (["imsqti_xmlv1p2/imscc_xmlv1p1/assessment"] if module.quiz else [])
        assert kinds == expected


def test_lesson_pages_carry_their_images_and_only_what_learners_see(cartridge):
    course, _, entries, _ = cartridge
    module = course.modules[0]
    page_name = next(n for n in entries if n.endswith(f"/{module.id}.html"))
    page = entries[page_name].decode("utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert sources, "the lesson's image is missing from its page"
    for src in sources:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_name), src))
        assert entries[target] == course.asset("modules/01-specials/media/map.svg").data
    text = plain(page)
    assert "Your {own} notes" in text and "A = B # C" in text  # reflection and scenario, titles intact
    assert "x < y & z > w" in text
    assert "TRAINER-NOTE-SECRET" not in page
    assert not any(name.endswith("trainer-only.svg") or name.endswith(".md") for name in entries)
    # A link to another module's lesson.md leads to that module's page, not to the source file.
    link = re.search(r'<a href="([^"]+)">next module</a>', page).group(1)
    assert posixpath.normpath(posixpath.join(posixpath.dirname(page_name), link)) in entries


def test_quiz_images_resolve_from_the_quiz_folder(cartridge):
    course, _, entries, _ = cartridge
    resources = _resources(entries)
    module, _ = course.quizzes[0]
    quiz = resources[f"quiz-{module.id}"]
    quiz_file = quiz.find(f"{CP}file").get("href")
    _, items = read_qti(entries[quiz_file])
    sources = [s for item in items for s in re.findall(r'src="([^"]+)"', item.prompt)]
    assert sources and all(s.startswith(FILEBASE) for s in sources)
    for src in sources:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(quiz_file), src[len(FILEBASE) :]))
        assert entries[target] == course.asset("modules/01-specials/media/map.svg").data
        holder = next(r for r in resources.values() if target in [f.get("href") for f in r.findall(f"{CP}file")])
        assert holder.get("identifier") in [d.get("identifierref") for d in quiz.findall(f"{CP}dependency")]


def test_every_question_survives_with_its_type_prompt_and_answer(cartridge):
    course, _, entries, _ = cartridge
    for module, quiz in course.quizzes:
        assessment, items = read_qti(entries[f"quiz-{module.id}/assessment.xml"])
        by_ident = {item.ident: item for item in items}
        for question in quiz.questions:
            if isinstance(question, Matching | Ordering):
                _check_split(question, [i for i in items if i.ident.startswith(f"q-{question.id}-")])
                continue
            item = by_ident.pop(f"q-{question.id}")
            assert plain(item.prompt) == plain(question.prompt.html)
            profile = item.metadata["cc_profile"]
            if isinstance(question, SingleChoice | MultipleChoice):
                assert profile == ("cc.multiple_choice.v0p1" if isinstance(question, SingleChoice) else "cc.multiple_response.v0p1")
                assert {plain(item.choices[i]) for i in item.correct} == {plain(c.text.html) for c in question.choices if c.correct}
                assert len(item.choices) == len(question.choices)
            elif isinstance(question, TrueFalse):
                assert profile == "cc.true_false.v0p1" and set(item.choices) == {"true", "false"}
                assert item.correct == {"true" if question.answer else "false"}
            elif isinstance(question, FillBlank):
                assert profile == "cc.fib.v0p1" and item.text_entry
                assert item.correct == set(question.answers)
            elif isinstance(question, Numeric):
                assert profile == "cc.fib.v0p1" and item.text_entry
                low, high = question.answer - question.tolerance, question.answer + question.tolerance
                assert item.correct and all(low <= float(a) <= high for a in item.correct)
                assert f"{question.answer:g}" in item.correct
            elif isinstance(question, Open):
                assert profile == "cc.essay.v0p1" and item.text_entry and not item.correct
            if question.scored:  # whole numbers, in proportion to the points (see the weights test)
                assert item.metadata["cc_weighting"].isdigit()
            if question.explanation:
                assert plain(item.feedback["general_fb"]) == plain(question.explanation.html)
        assert assessment.find(f"{QTI}section") is not None


def _check_split(question, parts):
    """Matching and ordering: one multiple-choice item per stem, the right option marked."""
    if isinstance(question, Matching):
        stems = [(plain(p.prompt.html), p.match) for p in question.pairs]
    else:
        stems = [(f"Position {n}", plain(item.html)) for n, item in enumerate(question.items, start=1)]
    assert len(parts) == len(stems)
    for part, (stem, answer) in zip(parts, stems):
        assert part.metadata["cc_profile"] == "cc.multiple_choice.v0p1"
        assert plain(question.prompt.html) in plain(part.prompt) and stem in plain(part.prompt)
        assert [plain(part.choices[i]) for i in part.correct] == [answer]


def test_build_warns_where_the_cartridge_cannot_carry_a_question(cartridge):
    course, _, _, log = cartridge
    questions = {q.id: q for _, quiz in course.quizzes for q in quiz.questions}
    expected = {
        "specials-numeric": "no numeric type",
        "specials-matching": "no matching type",
        "specials-ordering": "no ordering type",
    }
    for question_id, words in expected.items():
        source = questions[question_id].source
        assert re.search(rf"{re.escape(f'{source.path}:{source.line}')}: warning: question '{question_id}': [^\n]*{words}", log), question_id
    assert re.search(r"modules/02-3d-printing/quiz\.yml: warning: [^\n]*cannot draw 2 of the 3 questions", log)
    # 0.5 points: every weight of that quiz doubled; the first quiz's split parts: sixths and quarters.
    assert re.search(r"modules/02-3d-printing/quiz\.yml: warning: [^\n]*multiplied by 2[^\n]*add up to 5 instead of 2\.5", log)
    assert re.search(r"modules/01-specials/quiz\.yml: warning: [^\n]*multiplied by 12", log)
    assert "Open edX (cc2olx) reads no item weights" in log


def test_lesson_page_passes_axe(cartridge, browser, js_packages):
    course, folder, entries, _ = cartridge
    page_file = folder / next(n for n in entries if n.endswith(f"/{course.modules[0].id}.html"))
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(path=str(js_packages / "axe-core" / "axe.min.js"))
        result = page.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        )
        assert [v["id"] for v in result["violations"]] == []
        assert page.evaluate("document.images[0].naturalWidth") > 0  # the image loads from the cartridge
    finally:
        page.close()


def test_answers_are_marked_the_way_moodles_cartridge_import_reads_them(cartridge):
    """Moodle finds true/false answers by the idents 'true'/'false', the right answers of a
    multiple-response item by `case="Yes"` outside `not`, a choice's score in the last
    condition naming it first, and a fill-in's accepted answers in the first condition that
    scores."""
    course, _, entries, _ = cartridge
    for module, quiz in course.quizzes:
        root = ET.fromstring(entries[f"quiz-{module.id}/assessment.xml"])
        for item in root.iter(f"{QTI}item"):
            profile = next(f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield") if f.findtext(f"{QTI}fieldlabel") == "cc_profile")
            conditions = list(item.iter(f"{QTI}respcondition"))
            if profile == "cc.multiple_response.v0p1":
                scoring = [c for c in conditions if c.findtext(f"{QTI}setvar") == "100"]
                assert len(scoring) == 1
                both = scoring[0].find(f"{QTI}conditionvar/{QTI}and")
                right = [v for v in both.findall(f"{QTI}varequal")]
                assert right and all(v.get("case") == "Yes" for v in right)
            if profile in ("cc.multiple_choice.v0p1", "cc.true_false.v0p1"):
                labels = [l.get("ident") for l in item.iter(f"{QTI}response_label")]
                for label in labels:
                    naming = [c for c in conditions if c.findtext(f"{QTI}conditionvar/{QTI}varequal") == label]
                    assert len(naming) <= 1  # one condition per choice: score and feedback together
            if profile == "cc.fib.v0p1":
                # Moodle's accepted answers: the varequals placed directly in the first condition that sets 100.
                first = next(c for c in conditions if c.findtext(f"{QTI}setvar") == "100")
                accepted = {v.text for v in first.findall(f"{QTI}conditionvar/{QTI}varequal")}
                question = next(q for q in quiz.questions if f"q-{q.id}" == item.get("ident"))
                assert accepted == set(getattr(question, "answers", None) or accepted), question.id
            general = [c for c in conditions if c.get("continue") == "Yes"]
            assert all(d.get("linkrefid") == "general_fb" for c in general for d in c.findall(f"{QTI}displayfeedback"))


# ---------------------------------------------------------------- as Open edX's cc2olx reads answers
#
# cc2olx (openedx/cc2olx, content_processors/qti.py) reads a choice item's right
# answers, and a fill-in item's accepted answers, by walking the item's
# respconditions in order: every `varequal` directly in a condition's
# `conditionvar` counts as a right answer (for choice items, when there is none,
# those directly in its `and` or `or`), and the walk stops after the first
# condition whose `continue` is "No", which is also what a missing `continue`
# means. Nothing after that condition is read. A fill-in item with no answer so
# read is an error there (it takes the first as the main answer).

ANSWER_ORDER_FIXTURE = "cc-answer-order"


def _cartridge_of(course_name: str, tmp_path):
    """The sample course's or a fixture course's cartridge, built in `tmp_path`: (course, entries)."""
    source = REPO if course_name == "sample" else FIXTURES / course_name
    run_build(source, ["cc"], tmp_path / "out", use_cache=False)
    course = load_course(source).course
    return course, unzip(tmp_path / "out" / "lms" / f"{course.id}.imscc", tmp_path / "cartridge")


def _cc2olx_answers(item: ET.Element) -> list[str]:
    profile = next(
        f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield") if f.findtext(f"{QTI}fieldlabel") == "cc_profile"
    )
    answers = []
    for condition in item.findall(f"{QTI}resprocessing/{QTI}respcondition"):
        found = condition.findall(f"{QTI}conditionvar/{QTI}varequal")
        if not found and profile != "cc.fib.v0p1":
            found = condition.findall(f"{QTI}conditionvar/{QTI}and/{QTI}varequal") + condition.findall(
                f"{QTI}conditionvar/{QTI}or/{QTI}varequal"
            )
        answers += [v.text for v in found if v.text not in answers]
        if condition.get("continue", "No") == "No":
            break
    return answers


def _cc2olx_reading(entries, course) -> dict[str, list[set[str]]]:
    """Question id -> for each of its items, the right answers as cc2olx reads them, as texts."""
    read: dict[str, list[set[str]]] = {}
    for module, _ in course.quizzes:
        root = ET.fromstring(entries[f"quiz-{module.id}/assessment.xml"])
        for item in root.iter(f"{QTI}item"):
            choices = item.findall(f"{QTI}presentation/{QTI}response_lid/{QTI}render_choice/{QTI}response_label")
            labels = {c.get("ident"): plain(c.findtext(f"{QTI}material/{QTI}mattext")) for c in choices}
            texts = {labels.get(answer, answer) for answer in _cc2olx_answers(item)}
            # A split question's parts are titled "<id> (n/count)".
            read.setdefault(item.get("title").split(" (")[0], []).append(texts)
    return read


def _expected_answers(question) -> list[set[str]]:
    if isinstance(question, SingleChoice | MultipleChoice):
        return [{plain(c.text.html) for c in question.choices if c.correct}]
    if isinstance(question, TrueFalse):
        return [{"True" if question.answer else "False"}]
    if isinstance(question, FillBlank):
        return [set(question.answers)]
    if isinstance(question, Numeric):
        return [{f"{question.answer:g}"}] if question.tolerance == 0 else [None]
    if isinstance(question, Matching):
        return [{pair.match} for pair in question.pairs]
    if isinstance(question, Ordering):
        return [{plain(item.html)} for item in question.items]
    return [set()]


@pytest.mark.parametrize("course_name", ["sample", ANSWER_ORDER_FIXTURE])
def test_every_right_answer_reads_right_in_open_edx_cc2olx(course_name, tmp_path):
    """Right answers first and accepted answers together, so cc2olx marks exactly the right ones."""
    course, entries = _cartridge_of(course_name, tmp_path)
    read = _cc2olx_reading(entries, course)
    questions = [q for _, quiz in course.quizzes for q in quiz.questions]
    assert set(read) == {q.id for q in questions}
    for question in questions:
        expected = _expected_answers(question)
        if expected == [None]:  # a tolerance: the spellings are checked with the other readers
            assert read[question.id][0], question.id
        else:
            assert read[question.id] == expected, question.id
    if course_name == "sample":
        assert read["skipped-step"] == [{"follow-up", "follow up", "followup", "following up"}]
    else:
        assert read["assembly-point"] == [{"The front lawn by the flagpole"}]


# ---------------------------------------------------------------- item weights as importers read them
#
# Moodle's cartridge importer (backup/cc/entity11.quiz.class.php, get_defaultgrade)
# takes an item's points as PHP's (int) of its cc_weighting, if that is 0..99, and 1
# otherwise or without one. Canvas's converter (QTIMigrationTool, CCWeighting) takes
# cc_weighting as the item's points_possible as written. The CC 1.1 QTI profile
# (RULE 2c of its Schematron) allows only whole numbers from 1 to 99.


def _moodle_weight(entry: str | None) -> Fraction:
    whole = re.match(r"\s*[+-]?\d+", entry or "")
    value = int(whole.group()) if whole else 0
    return Fraction(value) if entry is not None and 0 <= value <= 99 else Fraction(1)


def _canvas_weight(entry: str | None) -> Fraction:
    return Fraction(entry) if entry is not None else Fraction(1)


@pytest.mark.parametrize("course_name", ["sample", ANSWER_ORDER_FIXTURE, "export-nasty"])
def test_each_question_keeps_its_share_of_the_quiz_in_moodle_and_canvas(course_name, tmp_path):
    course, entries = _cartridge_of(course_name, tmp_path)
    split_seen = False
    for module, quiz in course.quizzes:
        root = ET.fromstring(entries[f"quiz-{module.id}/assessment.xml"])
        weights: dict[str, list[str | None]] = {}
        for item in root.iter(f"{QTI}item"):
            fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")}
            weights.setdefault(item.get("title").split(" (")[0], []).append(fields.get("cc_weighting"))
        scored = quiz.scored_questions
        total_points = sum(Fraction(str(q.points)) for q in scored)
        for rule in (_moodle_weight, _canvas_weight):
            total = sum(rule(w) for q in scored for w in weights[q.id])
            for question in scored:
                share = sum(rule(w) for w in weights[question.id]) / total
                assert share == Fraction(str(question.points)) / total_points, (rule.__name__, question.id)
        for question in scored:
            split_seen |= len(weights[question.id]) > 1
            assert all(re.fullmatch(r"[1-9]\d?", w or "") for w in weights[question.id]), (question.id, weights[question.id])
    assert split_seen
