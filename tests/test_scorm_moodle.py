"""The SCORM packages as Moodle's SCORM player judges them, on top of scorm-again.

Moodle's runtime (mod/scorm/datamodels/scorm_12.js and scorm_13.js) checks
every value a SCO sets with its own regular expressions, stricter in places
than the SCORM books and than scorm-again: a value it refuses (error 405 in
1.2, 406 in 2004) is simply not stored. The rules below are stated from that
code, as Python regular expressions; each test replays every value the
package set during a learner's run through the sample course against them.
"""

from __future__ import annotations

import re

import pytest
from test_scorm_runtime import Learner, context, lms  # noqa: F401 (fixtures)
from tracking_support import build_course, load, take_quiz, unpack

from conftest import REPO

# ---------------------------------------------------------------- Moodle's rules, stated from its code

ANY = r"[^\n\r\u2028\u2029]"  # what "." matches in JavaScript


def string_of(limit: int) -> str:
    return rf"^[\u0000-\uffff]{{0,{limit}}}$"


# scorm_13.js: the types of the SCORM 2004 data model.
M13 = {
    "CMIString1000": string_of(1000),
    "CMIString4000": string_of(4000),
    "CMIString64000": string_of(64000),
    "CMILangString250": rf"^(\{{lang=([a-zA-Z]{{2,3}}|i|x)(\-[a-zA-Z0-9\-]{{2,8}})?\}})?([^\{{]{ANY}{{0,250}}$)?",
    "CMILangString4000": rf"^(\{{lang=([a-zA-Z]{{2,3}}|i|x)(\-[a-zA-Z0-9\-]{{2,8}})?\}})?([^\{{]{ANY}{{0,4000}}$)?",
    "CMITime": (
        r"^(19[7-9]{1}[0-9]{1}|20[0-2]{1}[0-9]{1}|203[0-8]{1})((-(0[1-9]{1}|1[0-2]{1}))((-(0[1-9]{1}|[1-2]{1}[0-9]{1}"
        r"|3[0-1]{1}))(T([0-1]{1}[0-9]{1}|2[0-3]{1})((:[0-5]{1}[0-9]{1})((:[0-5]{1}[0-9]{1})((\.[0-9]{1,2})"
        r"((Z|([+|-]([0-1]{1}[0-9]{1}|2[0-3]{1})))(:[0-5]{1}[0-9]{1})?)?)?)?)?)?)?)?$"
    ),
    # In the source the seconds' "\." sits in a JavaScript string, so the regular expression gets ".".
    "CMITimespan": (
        r"^P(\d+Y)?(\d+M)?(\d+D)?(T(((\d+H)(\d+M)?(\d+(.\d{1,2})?S)?)|((\d+M)(\d+(.\d{1,2})?S)?)|((\d+(.\d{1,2})?S))))?$"
    ),
    "CMIDecimal": r"^-?([0-9]{1,5})(\.[0-9]{1,18})?$",
    "CMIShortIdentifier": r"^[\w.]{1,250}$",
    "CMILongIdentifier": r"^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})$",
    "CMIFeedback": rf"^{ANY}*$",
    "CMICStatus": r"^completed$|^incomplete$|^not attempted$|^unknown$",
    "CMISStatus": r"^passed$|^failed$|^unknown$",
    "CMIExit": r"^time-out$|^suspend$|^logout$|^normal$|^$",
    "CMIType": r"^true-false$|^choice$|^(long-)?fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$|^other$",
    "CMIResult": r"^correct$|^incorrect$|^unanticipated$|^neutral$|^-?([0-9]{1,4})(\.[0-9]{1,18})?$",
}
SCALED = (-1, 1)
# Element (indexes as "n") -> (type, range or None).
ELEMENTS_13 = {
    "cmi.completion_status": ("CMICStatus", None),
    "cmi.success_status": ("CMISStatus", None),
    "cmi.exit": ("CMIExit", None),
    "cmi.location": ("CMIString1000", None),
    "cmi.suspend_data": ("CMIString64000", None),
    "cmi.session_time": ("CMITimespan", None),
    "cmi.score.scaled": ("CMIDecimal", SCALED),
    "cmi.score.raw": ("CMIDecimal", None),
    "cmi.score.min": ("CMIDecimal", None),
    "cmi.score.max": ("CMIDecimal", None),
    "cmi.objectives.n.id": ("CMILongIdentifier", None),
    "cmi.objectives.n.score.scaled": ("CMIDecimal", SCALED),
    "cmi.objectives.n.score.raw": ("CMIDecimal", None),
    "cmi.objectives.n.score.min": ("CMIDecimal", None),
    "cmi.objectives.n.score.max": ("CMIDecimal", None),
    "cmi.objectives.n.success_status": ("CMISStatus", None),
    "cmi.objectives.n.completion_status": ("CMICStatus", None),
    "cmi.interactions.n.id": ("CMILongIdentifier", None),
    "cmi.interactions.n.type": ("CMIType", None),
    "cmi.interactions.n.timestamp": ("CMITime", None),
    "cmi.interactions.n.weighting": ("CMIDecimal", None),
    "cmi.interactions.n.learner_response": ("CMIFeedback", None),
    "cmi.interactions.n.result": ("CMIResult", None),
    "cmi.interactions.n.description": ("CMILangString250", None),
}
# scorm_13.js's `learner_response` table: per interaction type, the format of
# each node, the second format (matching: the part after "[.]"), the most
# nodes, their delimiter, and whether they must differ.
RESPONSES_13 = {
    "true-false": dict(format=r"^true$|^false$", max=1, delimiter=""),
    "choice": dict(format=M13["CMIShortIdentifier"], max=36, delimiter="[,]", unique=True),
    "fill-in": dict(format=M13["CMILangString250"], max=10, delimiter="[,]"),
    "long-fill-in": dict(format=M13["CMILangString4000"], max=1, delimiter=""),
    "matching": dict(format=M13["CMIShortIdentifier"], format2=M13["CMIShortIdentifier"], max=36,
                     delimiter="[,]", delimiter2="[.]"),
    "sequencing": dict(format=M13["CMIShortIdentifier"], max=36, delimiter="[,]"),
    "numeric": dict(format=M13["CMIDecimal"], max=1, delimiter=""),
    "other": dict(format=M13["CMIString4000"], max=1, delimiter=""),
}

# scorm_12.js (with Moodle's default "SCORM 1.2 standard mode": 255 and 4096 characters).
M12 = {
    "CMIString256": string_of(255),
    "CMIString4096": string_of(4096),
    "CMITime": r"^([0-2]{1}[0-9]{1}):([0-5]{1}[0-9]{1}):([0-5]{1}[0-9]{1})(\.[0-9]{1,2})?$",
    "CMITimespan": r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?$",
    "CMIDecimal": r"^-?([0-9]{0,3})(\.[0-9]*)?$",
    "CMIIdentifier": r"^[\u0021-\u007E]{0,255}$",
    "CMIStatus": r"^passed$|^completed$|^failed$|^incomplete$|^browsed$",
    "CMIStatus2": r"^passed$|^completed$|^failed$|^incomplete$|^browsed$|^not attempted$",
    "CMIExit": r"^time-out$|^suspend$|^logout$|^$",
    "CMIType": r"^true-false$|^choice$|^fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$",
    "CMIResult": r"^correct$|^wrong$|^unanticipated$|^neutral$|^([0-9]{0,3})?(\.[0-9]*)?$",
}
SCORE = (0, 100)
ELEMENTS_12 = {
    "cmi.core.lesson_status": ("CMIStatus", None),
    "cmi.core.lesson_location": ("CMIString256", None),
    "cmi.core.exit": ("CMIExit", None),
    "cmi.core.session_time": ("CMITimespan", None),
    "cmi.core.score.raw": ("CMIDecimal", SCORE),
    "cmi.core.score.min": ("CMIDecimal", SCORE),
    "cmi.core.score.max": ("CMIDecimal", SCORE),
    "cmi.suspend_data": ("CMIString4096", None),
    "cmi.objectives.n.id": ("CMIIdentifier", None),
    "cmi.objectives.n.score.raw": ("CMIDecimal", SCORE),
    "cmi.objectives.n.score.min": ("CMIDecimal", SCORE),
    "cmi.objectives.n.score.max": ("CMIDecimal", SCORE),
    "cmi.objectives.n.status": ("CMIStatus2", None),
    "cmi.interactions.n.id": ("CMIIdentifier", None),
    "cmi.interactions.n.type": ("CMIType", None),
    "cmi.interactions.n.time": ("CMITime", None),
    "cmi.interactions.n.weighting": ("CMIDecimal", (-100, 100)),
    "cmi.interactions.n.student_response": ("CMIString256", None),
    "cmi.interactions.n.result": ("CMIResult", None),
}


def _in_range(value: str, bounds) -> bool:
    if bounds is None:
        return True
    try:
        return bounds[0] <= float(value) <= bounds[1]
    except ValueError:
        return False


def moodle_refuses_13(element: str, value: str, types: dict[str, str]) -> str | None:
    """Why Moodle's SCORM 2004 SetValue would refuse the value, or None. `types`: interaction index -> type."""
    generic = re.sub(r"\.\d+\.", ".n.", element)
    if generic not in ELEMENTS_13:
        return "no Moodle rule is stated here for this element"
    kind, bounds = ELEMENTS_13[generic]
    match = re.search(M13[kind], value)
    # Moodle: `matches != null && (matches.join('').length > 0 || value.length == 0)`
    if match is None or (match.group(0) == "" and value != ""):
        return f"406: not a {kind}"
    if not _in_range(value, bounds):
        return "407: out of range"
    if generic == "cmi.interactions.n.learner_response":
        index = element.split(".")[2]
        rule = RESPONSES_13[types[index]]
        nodes = value.split(rule["delimiter"]) if rule["delimiter"] else [value]
        if len(nodes) > rule["max"]:
            return "351: too many nodes"
        for n, node in enumerate(nodes):
            if "delimiter2" in rule:
                parts = node.split(rule["delimiter2"])
                if len(parts) != 2 or not re.search(rule["format"], parts[0]) or not re.search(rule["format2"], parts[1]):
                    return f"406: {node!r} is not a {types[index]} node"
            elif not re.search(rule["format"], node):
                return f"406: {node!r} is not a {types[index]} node"
            elif rule.get("unique") and node in nodes[:n]:
                return f"406: {node!r} repeated"
    return None


def moodle_refuses_12(element: str, value: str) -> str | None:
    """Why Moodle's SCORM 1.2 LMSSetValue would refuse the value, or None."""
    generic = re.sub(r"\.\d+\.", ".n.", element)
    if generic not in ELEMENTS_12:
        return "no Moodle rule is stated here for this element"
    kind, bounds = ELEMENTS_12[generic]
    if re.search(M12[kind], value) is None:
        return f"405: not a {kind}"
    if not _in_range(value, bounds):
        return "405: out of range"
    return None


def refusals(runtime: str, log: list[list[str]]) -> list[tuple[str, str, str]]:
    """Every value the package set that Moodle would refuse: (element, value, why)."""
    found, types = [], {}
    for entry in log:
        if entry[0] not in ("SetValue", "LMSSetValue"):
            continue
        element, value = entry[1], entry[2]
        if runtime == "scorm12":
            why = moodle_refuses_12(element, value)
        else:
            why = moodle_refuses_13(element, value, types)
            kind = re.fullmatch(r"cmi\.interactions\.(\d+)\.type", element)
            if kind and why is None:
                types[kind.group(1)] = value
        if why:
            found.append((element, value, why))
    return found


def test_the_stated_rules_tell_good_values_from_refused_ones():
    # Values Moodle's own code refuses, and the same values as it takes them.
    types = {"0": "choice", "1": "matching"}
    assert moodle_refuses_13("cmi.interactions.0.learner_response", "library-card[,]blue", types)
    assert moodle_refuses_13("cmi.interactions.0.learner_response", "library_card[,]blue", types) is None
    assert moodle_refuses_13("cmi.interactions.0.learner_response", "blue[,]blue", types)
    assert moodle_refuses_13("cmi.interactions.1.learner_response", "front-desk[.]checkout", types)
    assert moodle_refuses_13("cmi.interactions.1.learner_response", "front_desk[.]check.out", types) is None
    assert moodle_refuses_13("cmi.interactions.0.timestamp", "2026-12-02T18:41:45.123Z", types)
    assert moodle_refuses_13("cmi.interactions.0.timestamp", "2026-12-02T18:41:45Z", types)  # a zone needs a fraction
    assert moodle_refuses_13("cmi.interactions.0.timestamp", "2026-12-02T18:41:45.12Z", types) is None
    assert moodle_refuses_13("cmi.interactions.0.description", "x" * 252, types)
    assert moodle_refuses_13("cmi.interactions.0.description", "x" * 251, types) is None
    assert moodle_refuses_13("cmi.score.raw", "123456", types)
    assert moodle_refuses_13("cmi.score.scaled", "1.5", types)
    assert moodle_refuses_13("cmi.session_time", "PT1H2M3.45S", types) is None
    assert moodle_refuses_13("cmi.session_time", "PT3.456S", types)
    assert moodle_refuses_12("cmi.core.score.raw", "85.19") is None
    assert moodle_refuses_12("cmi.core.score.raw", "101")
    assert moodle_refuses_12("cmi.interactions.0.time", "18:41:45") is None
    assert moodle_refuses_12("cmi.core.session_time", "0:00:05")


# ---------------------------------------------------------------- the sample course, every answer right

RUNTIMES = ["scorm12", "scorm2004", "scorm2004v3"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("moodle-sample")
    build_course(REPO, RUNTIMES, root / "out")
    packages = {r: unpack(root / "out" / "lms" / f"library-service-{r}.zip", root / r) for r in RUNTIMES}
    return load(REPO), packages


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004", "scorm2004v3"])
def test_every_value_the_package_sets_is_one_moodle_stores(context, lms, sample, runtime):  # noqa: F811
    course, packages = sample
    learner = Learner(context, lms, runtime, packages[runtime])
    learner.launch()
    for module in course.modules:
        learner.open_module(module)
        if module.quiz:
            take_quiz(learner.packet, module.quiz)
    learner.settle()
    learner.close()
    log = learner.final_log
    sets = [e for e in log if e[0] in ("SetValue", "LMSSetValue")]
    assert [e for e in sets if e[-1] != "true"] == [], "scorm-again refused these"
    assert refusals(runtime, log) == []
    # Every scored answer of a kind that has a response carries one.
    response = "student_response" if runtime == "scorm12" else "learner_response"
    answered = {e[1].split(".")[2] for e in sets if e[1].endswith("." + response)}
    scored = {e[1].split(".")[2] for e in sets if e[1].endswith(".result") and e[2] in ("correct", "incorrect", "wrong")}
    assert len(scored) >= 25 and scored <= answered


# ---------------------------------------------------------------- Moodle's judgement at the end of a session

def moodle_12_status_at_finish(data: dict) -> str:
    """cmi.core.lesson_status as Moodle stores it at LMSFinish, with its default "mastery
    score overrides status" on (scorm_12.js, StoreData): a score and a mastery score decide."""
    status, raw = data.get("cmi.core.lesson_status", ""), str(data.get("cmi.core.score.raw", ""))
    mastery = str(data.get("cmi.student_data.mastery_score", ""))
    if status == "not attempted":
        status = "completed"
    if data.get("cmi.core.lesson_mode", "normal") == "normal" and data.get("cmi.core.credit", "credit") == "credit":
        if mastery != "" and raw != "":
            status = "passed" if float(raw) >= float(mastery) else "failed"
    return status


@pytest.fixture(scope="module")
def demo_packages(tmp_path_factory):
    from tracking_support import write_demo_course

    root = tmp_path_factory.mktemp("moodle-demo")
    course_dir = write_demo_course(root / "course")
    build_course(course_dir, RUNTIMES, root / "out")
    return load(course_dir), {r: unpack(root / "out" / "lms" / f"tracking-demo-{r}.zip", root / r) for r in RUNTIMES}


def test_a_learner_with_a_module_still_failed_is_not_passed_by_moodle_whatever_the_average(context, lms, demo_packages):  # noqa: F811
    # Module 1 at 100% (5 points), module 2 at 50% (1 of 2), below its pass mark of 80%:
    # the average, 6 of 7 = 85.71%, is above the mastery score, but the course is not passed.
    from tracking_support import answer_question

    course, packages = demo_packages
    first, second, _ = course.modules
    learner = Learner(context, lms, "scorm12", packages["scorm12"])
    # What Moodle gives a graded attempt: the manifest's mastery score, and credit.
    learner.launch(saved={"cmi.student_data.mastery_score": "80", "cmi.core.credit": "credit"})
    learner.open_module(first)
    take_quiz(learner.packet, first.quiz)
    learner.open_module(second)
    scored = [q for q in second.quiz.questions if q.scored]
    answer_question(learner.packet, scored[0], right=True)
    for question in scored[1:]:
        answer_question(learner.packet, question, right=False)
    for question in second.quiz.questions:
        if not question.scored:
            answer_question(learner.packet, question)
    learner.settle()
    data = learner.close()
    assert (data["cmi.student_data.mastery_score"], data["cmi.core.credit"]) == ("80", "credit")
    assert moodle_12_status_at_finish(data) == "incomplete"
