"""The cmi5 package in Chromium, launched by a fake LMS whose LRS records every statement.

The package is served from one loopback origin and the LMS/LRS from another,
so the AU talks to it across origins as it would in production.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from tracking_support import (
    FakeLrs,
    LaunchedTab,
    LoopbackServer,
    answer_question,
    build_course,
    load,
    take_quiz,
    unpack,
    write_demo_course,
)

from coursepack.tracking.cmi5_structure import course_iri

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
VERBS = "http://adlnet.gov/expapi/verbs/"
DEFINED = {"initialized", "completed", "passed", "failed", "terminated"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmi5-demo")
    course_dir = write_demo_course(root / "course", passing=75)
    build_course(course_dir, ["cmi5"], root / "out")
    package = unpack(root / "out" / "lms" / "tracking-demo-cmi5.zip", root / "package")
    return load(course_dir), package


@pytest.fixture(scope="module")
def content(demo):
    with LoopbackServer() as server:
        server.folders["/au/"] = demo[1]
        yield server


@pytest.fixture
def lms():
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


def make_lrs(lms, demo, **options) -> FakeLrs:
    lrs = FakeLrs(lms, **options)
    lrs.publisher_id = au_id(demo[1])
    return lrs


def au_id(package: Path) -> str:
    return re.search(r'<au id="([^"]+)"', (package / "cmi5.xml").read_text()).group(1)


def verb(statement: dict) -> str:
    return statement["verb"]["id"].removeprefix(VERBS)


def categories(statement: dict) -> set[str]:
    return {a["id"] for a in statement.get("context", {}).get("contextActivities", {}).get("category", [])}


class Session(LaunchedTab):
    """One launch of the AU by the LMS, in its own tab."""

    def __init__(self, context, content, lrs: FakeLrs):
        self.lrs = lrs
        super().__init__(context, lrs.launch_url(content.url("/au/index.html")))
        self.session_id = lrs.session_id

    def leave(self) -> list[dict]:
        """The learner leaves (the tab moves on); the session's statements, in timestamp order.

        At the page's end the requests can reach the LRS in any order; the
        timestamps, one later than the other, say in which order they were made."""
        self.close(lambda: any(verb(s) == "terminated" for s in self.lrs.session_statements(self.session_id)))
        # The page's last requests may still be on their way after `terminated`: wait
        # until nothing more arrives for a moment (a loaded machine delays them).
        count, quiet_since, give_up = -1, time.monotonic(), time.monotonic() + 5
        while time.monotonic() - quiet_since < 0.4 and time.monotonic() < give_up:
            now = len(self.lrs.session_statements(self.session_id))
            if now != count:
                count, quiet_since = now, time.monotonic()
            time.sleep(0.05)
        return sorted(self.lrs.session_statements(self.session_id), key=lambda s: s["timestamp"])


def check_session_rules(statements: list[dict], lrs: FakeLrs) -> None:
    """What cmi5 requires of every session's statements."""
    verbs = [verb(s) for s in statements]
    assert len({s["timestamp"] for s in statements}) == len(statements), "two statements share a timestamp"
    assert verbs[0] == "initialized" and verbs[-1] == "terminated"
    defined = [v for v in verbs if v in DEFINED]
    assert len(defined) == len(set(defined)), f"a cmi5 verb repeated in one session: {defined}"
    assert not {"passed", "failed"} <= set(defined)
    for statement in statements:
        uuid.UUID(statement["id"])
        assert statement["actor"] == lrs.actor
        assert statement["timestamp"].endswith("Z")
        context = statement["context"]
        assert context["registration"] == lrs.registration
        assert context["extensions"][SESSION]
        assert {"id": lrs.publisher_id, "objectType": "Activity"} in context["contextActivities"]["grouping"]
        result = statement.get("result", {})
        if verb(statement) in DEFINED:
            assert statement["object"]["id"] == lrs.activity_id
            assert CMI5_CATEGORY in categories(statement)
            assert (MOVEON_CATEGORY in categories(statement)) == ("success" in result or "completion" in result)
            assert ("score" in result) == (verb(statement) in ("passed", "failed"))
        else:  # "cmi5 allowed": the context template, never the cmi5 category
            assert CMI5_CATEGORY not in categories(statement)
        if verb(statement) in ("completed", "passed", "failed", "terminated"):
            assert re.fullmatch(r"PT(\d+H)?(\d+M)?[\d.]+S", result["duration"])


def test_a_passing_session_sends_the_cmi5_statements_in_order(context, content, lms, demo):
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=0.75)
    session = Session(context, content, lrs)
    first, second, last = course.modules
    session.open_module(first)
    take_quiz(session.packet, first.quiz)
    session.open_module(second)
    take_quiz(session.packet, second.quiz)
    statements = session.leave()

    check_session_rules(statements, lrs)
    assert lrs.fetches == 1
    methods = [(m, p) for m, p, q, h in lrs.requests]
    assert ("POST", "/fetch") in methods and ("GET", "/fetch") not in methods
    for method, path, query, headers in lrs.requests:
        if path.startswith("/xapi/"):
            assert headers["authorization"] == f"Basic {lrs.token}"
            assert headers["x-experience-api-version"] == "1.0.3"
    assert [m for m, p in methods if p == "/xapi/activities/state"][:2] == ["GET", "GET"]  # LaunchData first
    assert ("GET", "/xapi/agents/profile") in methods  # learner preferences read at start

    defined = [verb(s) for s in statements if verb(s) in DEFINED]
    assert defined == ["initialized", "completed", "passed", "terminated"]
    passed = next(s for s in statements if verb(s) == "passed")
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}
    assert passed["context"]["extensions"][MASTERY] == 0.75
    completed = next(s for s in statements if verb(s) == "completed")
    assert completed["result"]["completion"] is True

    answered = [s for s in statements if verb(s) == "answered"]
    assert len(answered) == 8
    first_answer = answered[0]
    assert first_answer["object"]["definition"]["interactionType"] == "choice"
    assert first_answer["object"]["definition"]["name"] == {"en": "Which colour is the sky on a clear day?"}
    assert {c["id"] for c in first_answer["object"]["definition"]["choices"]} == {"blue", "green", "red"}
    assert first_answer["result"] == {"response": "blue", "success": True}
    assert first_answer["context"]["contextActivities"]["parent"] == [{"id": lrs.activity_id, "objectType": "Activity"}]
    assert [a["result"].get("response") for a in answered[5:7]] == [
        "desk[.]checkout[,]corner[.]reading", "greet[,]listen[,]help"]
    # xAPI: an empty result SHOULD NOT be sent (a strict LRS rejects it); an open
    # question's answer stays private, so its statement carries no result at all.
    assert all(a.get("result") != {} for a in answered)
    assert "result" not in answered[7]

    document = lrs.documents["coursepack.state"]
    assert document["reported"] == {"completed": True, "passed": True}
    assert "private answer" not in json.dumps(document)


def test_a_relaunch_resumes_and_never_repeats_completed_or_passed(context, content, lms, demo):
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=0.75)
    first, second, _ = course.modules

    session = Session(context, content, lrs)
    session.open_module(first)
    take_quiz(session.packet, first.quiz)
    session.open_module(second)
    answer_question(session.packet, second.quiz.questions[0])
    one = session.leave()
    check_session_rules(one, lrs)
    assert [verb(s) for s in one if verb(s) in DEFINED] == ["initialized", "terminated"]
    assert lrs.documents["coursepack.state"]["location"] == "next-steps"

    session = Session(context, content, lrs)
    assert session.page.locator("#packet").get_attribute("src").endswith("next-steps.html")
    rows = session.packet.locator(f"#q-{second.quiz.questions[0].id} .match-row select")
    assert rows.first.is_disabled()  # the answer given in the first session, checked and kept
    for question in second.quiz.questions[1:]:
        answer_question(session.packet, question)
    two = session.leave()
    check_session_rules(two, lrs)
    assert [verb(s) for s in two if verb(s) in DEFINED] == ["initialized", "completed", "passed", "terminated"]

    session = Session(context, content, lrs)  # a third visit, to look back
    three = session.leave()
    assert [verb(s) for s in three if verb(s) in DEFINED] == ["initialized", "terminated"]


def test_a_session_that_ends_failing_sends_failed_once_at_the_end(context, content, lms, demo):
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=0.75)
    session = Session(context, content, lrs)
    for module in course.modules[:2]:
        session.open_module(module)
        take_quiz(session.packet, module.quiz, right=False)
    statements = session.leave()
    check_session_rules(statements, lrs)
    assert [verb(s) for s in statements if verb(s) in DEFINED] == ["initialized", "failed", "terminated"]
    failed = next(s for s in statements if verb(s) == "failed")
    assert failed["result"]["success"] is False
    assert failed["result"]["score"]["scaled"] < 0.75
    assert failed["context"]["extensions"][MASTERY] == 0.75


def test_the_lms_mastery_score_decides_passed(context, content, lms, demo):
    # Every quiz passed at the course's 75 %, but the LMS asks for 100 %: completed, then failed.
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=1.0)
    session = Session(context, content, lrs)
    first, second, _ = course.modules
    session.open_module(first)
    answer_question(session.packet, first.quiz.questions[0], right=False)  # 4 of 5: passed at 75 %
    for question in first.quiz.questions[1:]:
        answer_question(session.packet, question)
    session.open_module(second)
    take_quiz(session.packet, second.quiz)
    statements = session.leave()
    check_session_rules(statements, lrs)
    assert [verb(s) for s in statements if verb(s) in DEFINED] == ["initialized", "completed", "failed", "terminated"]
    assert next(s for s in statements if verb(s) == "failed")["result"]["score"]["scaled"] < 1


def test_a_refused_statement_takes_no_other_with_it_and_is_sent_again_at_the_next_launch(context, content, lms, demo):
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=0.75, refuse={"completed"})
    first, second, _ = course.modules
    session = Session(context, content, lrs)
    session.open_module(first)
    take_quiz(session.packet, first.quiz)
    session.open_module(second)
    take_quiz(session.packet, second.quiz)
    one = session.leave()
    assert [s["verb"]["id"] for s in lrs.refused] == [VERBS + "completed"]
    assert [verb(s) for s in one if verb(s) in DEFINED] == ["initialized", "passed", "terminated"]
    assert len([s for s in one if verb(s) == "answered"]) == 8
    assert all(len(verbs) == 1 for verbs in lrs.posts), f"statements sent together: {lrs.posts}"
    # Kept for the next launch ("terminated" too: the page ended before its answer came).
    assert VERBS + "completed" in [e["statement"]["verb"]["id"] for e in lrs.documents["coursepack.state"]["outbox"]]

    two = Session(context, content, lrs).leave()
    assert [verb(s) for s in two if verb(s) in DEFINED] == ["initialized", "terminated"]
    again = lrs.session_statements(session.session_id)  # the first session's statements, now complete
    assert sorted(verb(s) for s in again if verb(s) in DEFINED) == ["completed", "initialized", "passed", "terminated"]
    assert [s["id"] for s in again if verb(s) == "completed"] == [lrs.refused[0]["id"]]
    assert len({s["id"] for s in lrs.statements}) == len(lrs.statements)
    # Only the last session's own "terminated" may still wait for a confirmation.
    left = [e["statement"]["verb"]["id"] for e in lrs.documents["coursepack.state"].get("outbox", [])]
    assert left in ([], [VERBS + "terminated"])


def test_terminated_is_sent_on_its_own_when_failed_is_refused(context, content, lms, demo):
    course, package = demo
    lrs = make_lrs(lms, demo, mastery=0.75, refuse={"failed"})
    session = Session(context, content, lrs)
    for module in course.modules[:2]:
        session.open_module(module)
        take_quiz(session.packet, module.quiz, right=False)
    statements = session.leave()
    assert [verb(s) for s in statements if verb(s) in DEFINED] == ["initialized", "terminated"]
    assert [s["verb"]["id"] for s in lrs.refused] == [VERBS + "failed"]
    assert ["terminated"] in lrs.posts


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_only_initialized_and_terminated(context, content, lms, demo, mode):
    course, package = demo
    lrs = make_lrs(lms, demo, launch_mode=mode)
    session = Session(context, content, lrs)
    for module in course.modules[:2]:
        session.open_module(module)
        take_quiz(session.packet, module.quiz)
    statements = session.leave()
    check_session_rules(statements, lrs)
    assert [verb(s) for s in statements if verb(s) in DEFINED] == ["initialized", "terminated"]
    if mode == "Review":
        assert "coursepack.state" not in lrs.documents  # nothing recorded in review
        assert not [s for s in statements if verb(s) == "answered"]


def test_the_returnurl_exit_button_terminates_then_returns_to_the_lms(context, content, lms, demo):
    lms.pages["/back.html"] = "<!DOCTYPE html><title>LMS</title><h1>Back in the LMS</h1>"
    lrs = make_lrs(lms, demo, return_url=lms.url("/back.html"))
    session = Session(context, content, lrs)
    session.page.get_by_role("button", name="Exit course").click()
    session.page.get_by_role("heading", name="Back in the LMS").wait_for()
    for _ in range(100):
        if any(verb(s) == "terminated" for s in lrs.session_statements(session.session_id)):
            break
        session.page.wait_for_timeout(50)
    verbs = [verb(s) for s in lrs.session_statements(session.session_id)]
    assert verbs == ["initialized", "terminated"]
    session.page.close()


def test_without_launch_parameters_the_packet_works_and_says_so(context, content):
    page = context.new_page()
    page.goto(content.url("/au/index.html"))
    assert "saved in this browser only" in page.locator("#notice").inner_text()
    page.frame_locator("#packet").locator("main").first.wait_for()
    page.close()
