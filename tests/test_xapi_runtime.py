"""The xAPI package in Chromium, launched as an LMS launches "Tin Can" content,
its statements stored by Ralph, a real LRS, and its progress in the State API.

The package is served from one loopback origin and the LMS's LRS endpoint from
another, so the content talks to it across origins as it would in production.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from conftest import require
from lrs_support import RALPH_PYTHON, Ralph, XapiLms
from tracking_support import (
    LaunchedTab,
    LoopbackServer,
    answer_question,
    build_course,
    load,
    take_quiz,
    unpack,
    write_demo_course,
)

VERBS = "http://adlnet.gov/expapi/verbs/"
TINCAN = "{http://projecttincan.com/tincan.xsd}"
COURSE_VERBS = {"initialized", "completed", "passed", "failed", "terminated"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("xapi-demo")
    course_dir = write_demo_course(root / "course", passing=75)
    build_course(course_dir, ["xapi"], root / "out")
    package = unpack(root / "out" / "lms" / "tracking-demo-xapi.zip", root / "package")
    activities = ET.parse(package / "tincan.xml").getroot().findall(f"{TINCAN}activities/{TINCAN}activity")
    return load(course_dir), [a.get("id") for a in activities], package


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    require(RALPH_PYTHON.exists(), "Ralph's LRS (tests/.lrs-venv, made by tests/install-tools.sh)")
    with Ralph(tmp_path_factory.mktemp("ralph")) as lrs:
        yield lrs


@pytest.fixture(scope="module")
def content(demo):
    with LoopbackServer() as server:
        server.folders["/content/"] = demo[2]
        yield server


@pytest.fixture
def lms(ralph, demo):
    with LoopbackServer() as server:
        yield XapiLms(server, ralph, activity_id=demo[1][0])


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


def verb(statement: dict) -> str:
    return statement["verb"]["id"].removeprefix(VERBS)


class Launch(LaunchedTab):
    """One launch of the package by the LMS, in its own tab."""

    def __init__(self, context, content, lms: XapiLms, **parameters):
        self.lms = lms
        self.seen = len(lms.statements())
        super().__init__(context, lms.launch_url(content.url("/content/index.html"), **parameters))

    def leave(self) -> list[dict]:
        """The learner leaves; this launch's statements as Ralph stored them, in timestamp order.

        The last requests leave together when the page ends and may arrive in
        any order: the launch is over once "terminated" is stored and nothing
        more arrives between two looks."""
        counts = []

        def ended() -> bool:
            statements = self.lms.statements()[self.seen:]
            counts.append(len(statements))
            return any(verb(s) == "terminated" for s in statements) and counts[-2:] == [len(statements)] * 2

        self.close(ended)
        return self.lms.statements()[self.seen:]


def course_verbs(statements: list[dict], course_id: str) -> list[str]:
    return [verb(s) for s in statements if s["object"]["id"] == course_id]


def check_launch_rules(statements: list[dict], lms: XapiLms, course_id: str) -> None:
    """What every launch's statements must be."""
    assert len({s["timestamp"] for s in statements}) == len(statements), "two statements share a timestamp"
    assert verb(statements[0]) == "initialized" and verb(statements[-1]) == "terminated"
    for statement in statements:
        uuid.UUID(statement["id"])
        assert statement["actor"] == lms.actor
        if lms.registration:
            assert statement["context"]["registration"] == lms.registration
        assert statement["verb"]["id"].startswith(VERBS)  # ADL verbs only
        if verb(statement) in ("completed", "passed", "failed", "terminated") and statement["object"]["id"] == course_id:
            assert re.fullmatch(r"PT(\d+H)?(\d+M)?[\d.]+S", statement["result"]["duration"])
    # One statement per request, each accepted by Ralph.
    others = [post for post in lms.posts if post != (1, 200)]
    assert lms.posts and not others, f"(statements, status) of requests not of one accepted statement: {others}"


def test_a_passing_launch_records_answers_modules_score_and_completion(context, content, lms, demo):
    course, ids, _ = demo
    course_id, module_ids = ids[0], ids[1:]
    first, second, _ = course.modules
    launch = Launch(context, content, lms)
    launch.open_module(first)
    take_quiz(launch.packet, first.quiz)
    launch.open_module(second)
    take_quiz(launch.packet, second.quiz)
    statements = launch.leave()

    check_launch_rules(statements, lms, course_id)
    assert course_verbs(statements, course_id) == ["initialized", "completed", "passed", "terminated"]
    passed = next(s for s in statements if verb(s) == "passed")
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 100.0, "min": 0.0, "max": 100.0}
    completed = next(s for s in statements if verb(s) == "completed" and s["object"]["id"] == course_id)
    assert completed["result"]["completion"] is True
    assert passed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"

    # Each module done is "completed", with its quiz score, under the course; the ids are tincan.xml's.
    done = [s for s in statements if verb(s) == "completed" and s["object"]["id"] != course_id]
    assert [s["object"]["id"] for s in done] == module_ids[:2]
    assert all(s["result"]["completion"] is True and s["result"]["success"] is True for s in done)
    assert done[0]["result"]["score"]["scaled"] == 1.0
    assert all(s["context"]["contextActivities"]["parent"] == [{"id": course_id, "objectType": "Activity"}] for s in done)

    answered = [s for s in statements if verb(s) == "answered"]
    assert len(answered) == 8
    first_answer = answered[0]
    assert first_answer["object"]["id"] == course_id + "/question/pick-one"
    assert first_answer["object"]["definition"]["interactionType"] == "choice"
    assert first_answer["result"] == {"response": "blue", "success": True}
    assert first_answer["context"]["contextActivities"]["parent"] == [{"id": module_ids[0], "objectType": "Activity"}]
    assert first_answer["context"]["contextActivities"]["grouping"] == [{"id": course_id, "objectType": "Activity"}]
    assert [a["result"].get("response") for a in answered[5:7]] == [
        "desk[.]checkout[,]corner[.]reading", "greet[,]listen[,]help"]
    assert "result" not in answered[7]  # an open question's answer stays in the packet

    # The launch link's auth is the Authorization of every request to the LRS.
    calls = [(m, p) for m, p, q, h in lms.requests if m != "OPTIONS"]
    assert ("GET", "/lrs/activities/state") == calls[0]
    assert all(h["authorization"] == lms.auth and h["x-experience-api-version"] == "1.0.3"
               for m, p, q, h in lms.requests if m != "OPTIONS")

    document = lms.document()
    assert document["reported"] == {"completed": True, "passed": True, "modules": ["first-steps", "next-steps"]}
    assert document["location"] == "next-steps"
    assert "private answer" not in json.dumps(document)


def test_a_relaunch_resumes_where_the_learner_was_and_repeats_nothing(context, content, lms, demo):
    course, ids, _ = demo
    course_id = ids[0]
    first, second, _ = course.modules

    launch = Launch(context, content, lms)
    launch.open_module(first)
    take_quiz(launch.packet, first.quiz)
    launch.open_module(second)
    answer_question(launch.packet, second.quiz.questions[0])
    one = launch.leave()
    check_launch_rules(one, lms, course_id)
    assert course_verbs(one, course_id) == ["initialized", "terminated"]
    assert lms.document()["location"] == "next-steps"

    launch = Launch(context, content, lms)
    assert launch.page.locator("#packet").get_attribute("src").endswith("next-steps.html")
    rows = launch.packet.locator(f"#q-{second.quiz.questions[0].id} .match-row select")
    assert rows.first.is_disabled()  # the answer given in the first launch, checked and kept
    for question in second.quiz.questions[1:]:
        answer_question(launch.packet, question)
    two = launch.leave()
    check_launch_rules(two, lms, course_id)
    assert course_verbs(two, course_id) == ["initialized", "completed", "passed", "terminated"]
    modules = [s["object"]["id"] for s in two if verb(s) == "completed" and s["object"]["id"] != course_id]
    assert modules == [ids[2]]  # the first module was reported in the first launch

    three = Launch(context, content, lms).leave()  # a third visit, to look back
    assert [verb(s) for s in three] == ["initialized", "terminated"]


def test_a_launch_that_ends_failing_sends_failed_with_the_score(context, content, lms, demo):
    course, ids, _ = demo
    launch = Launch(context, content, lms)
    for module in course.modules[:2]:
        launch.open_module(module)
        take_quiz(launch.packet, module.quiz, right=False)
    statements = launch.leave()
    check_launch_rules(statements, lms, ids[0])
    assert course_verbs(statements, ids[0]) == ["initialized", "failed", "terminated"]
    failed = next(s for s in statements if verb(s) == "failed")
    assert failed["result"]["success"] is False
    assert failed["result"]["score"]["scaled"] < 0.75
    assert "modules" not in lms.document()["reported"] or lms.document()["reported"]["modules"] == []


def test_a_launch_link_without_activity_id_or_registration_uses_tincan_xml(context, content, lms, demo):
    # Moodle's xAPI launch plugin, for one, sends neither.
    lms.registration = None
    course, ids, _ = demo
    launch = Launch(context, content, lms, activity_id=None, registration=None)
    launch.open_module(course.modules[0])
    take_quiz(launch.packet, course.modules[0].quiz)
    statements = launch.leave()
    check_launch_rules(statements, lms, ids[0])
    assert course_verbs(statements, ids[0]) == ["initialized", "terminated"]
    assert all("registration" not in s.get("context", {}) for s in statements)
    assert lms.state.get(ids[0], lms.actor, None, "coursepack.state")["location"] == "first-steps"


def test_an_actor_in_the_0_9_form_is_sent_as_xapi_1_0(context, content, lms, demo):
    # SCORM Cloud still launches with each property a list and the account's old names.
    given = {"objectType": "Agent", "name": ["Lee Learner"],
             "account": [{"accountServiceHomePage": "https://lms.example.org", "accountName": "learner-09"}]}
    lms.actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "learner-09"},
                 "name": "Lee Learner"}
    course, ids, _ = demo
    launch = Launch(context, content, lms, actor=json.dumps(given))
    statements = launch.leave()
    check_launch_rules(statements, lms, ids[0])  # every statement's actor is the 1.0 form, which Ralph accepted
    assert lms.document() is not None


def test_grouping_platform_and_unknown_parameters_go_back_to_the_lrs(context, content, lms, demo):
    # As SCORM Cloud launches: its own parameters, which its LRS wants back on every request.
    course, ids, _ = demo
    lms.echoed = {"externalRegistration": "PL3EC77RF53VR6WJ", "externalConfiguration": "PL3EC77RF53VR6WK"}
    launch = Launch(context, content, lms, grouping=ids[0], activity_platform="Example LMS",
                    content_token=str(uuid.uuid4()), content_endpoint=lms.server.url("/content/"), **lms.echoed)
    launch.open_module(course.modules[0])
    answer_question(launch.packet, course.modules[0].quiz.questions[0])
    statements = launch.leave()
    check_launch_rules(statements, lms, ids[0])
    for statement in statements:
        assert statement["context"]["platform"] == "Example LMS"
        assert {"id": ids[0], "objectType": "Activity"} in statement["context"]["contextActivities"]["grouping"]
    calls = [q for m, p, q, h in lms.requests if m != "OPTIONS"]
    assert all({k: q.get(k) for k in lms.echoed} == lms.echoed for q in calls)
    assert not any("content_token" in q or "grouping" in q for q in calls)  # the launch's own, not the LRS's


def test_a_course_completed_by_visits_reports_each_module_opened_and_no_score(context, lms, demo, tmp_path):
    course_dir = write_demo_course(tmp_path / "course", course_id="visit-only", completion="visited")
    build_course(course_dir, ["xapi"], tmp_path / "out")
    package = unpack(tmp_path / "out" / "lms" / "visit-only-xapi.zip", tmp_path / "package")
    ids = [a.get("id") for a in ET.parse(package / "tincan.xml").getroot().iter(f"{TINCAN}activity")]
    lms.activity_id = ids[0]
    course = load(course_dir)
    with LoopbackServer() as content:
        content.folders["/content/"] = package
        launch = Launch(context, content, lms)
        for module in course.modules:
            launch.open_module(module)
        statements = launch.leave()
    check_launch_rules(statements, lms, ids[0])
    assert course_verbs(statements, ids[0]) == ["initialized", "completed", "terminated"]
    done = [s for s in statements if verb(s) == "completed" and s["object"]["id"] != ids[0]]
    assert [s["object"]["id"] for s in done] == ids[1:]
    assert all(s["result"] == {"completion": True} for s in done)


def test_wrong_credentials_keep_the_packet_working_and_say_so(context, content, lms):
    launch = Launch(context, content, lms, auth="Basic " + "d3Jvbmc6d3Jvbmc=")
    assert "did not answer" in launch.page.locator("#notice").inner_text()
    assert lms.statements()[launch.seen:] == []
    launch.close(lambda: True)


def test_without_launch_parameters_the_packet_works_and_says_so(context, content):
    page = context.new_page()
    page.goto(content.url("/content/index.html"))
    assert "saved in this browser only" in page.locator("#notice").inner_text()
    page.frame_locator("#packet").locator("main").first.wait_for()
    page.close()
