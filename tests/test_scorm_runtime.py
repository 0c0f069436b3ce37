"""The SCORM packages in Chromium, with scorm-again as the LMS.

Each test unpacks a built package, serves it with an LMS page (scorm-again's
API on the LMS window, the package in a frame, every call logged) from one
loopback server, and acts as a learner through the packet's own controls.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tracking_support import (
    LoopbackServer,
    build_course,
    load,
    player_page,
    take_quiz,
    unpack,
    write_demo_course,
    answer_question,
)

from coursepack.model import Course

RUNTIMES = ["scorm12", "scorm2004"]
# The 3rd edition package runs the same launch page as the 4th (tests/test_scorm_packages.py
# proves the files identical); the main journeys run it too.
EDITIONS = [*RUNTIMES, "scorm2004v3"]
API = {"scorm12": "API", "scorm2004": "API_1484_11", "scorm2004v3": "API_1484_11"}


@dataclass
class Demo:
    course: Course
    packages: dict[str, Path]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    root = tmp_path_factory.mktemp("scorm-demo")
    course_dir = write_demo_course(root / "course")
    build_course(course_dir, EDITIONS, root / "out")
    packages = {runtime: unpack(root / "out" / "lms" / f"tracking-demo-{runtime}.zip", root / runtime) for runtime in EDITIONS}
    return Demo(load(course_dir), packages)


@pytest.fixture(scope="module")
def lms(js_packages):
    with LoopbackServer() as server:
        server.folders["/js/"] = js_packages
        yield server


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


class Learner:
    """One learner's launches of one package in the LMS page."""

    def __init__(self, context, lms: LoopbackServer, runtime: str, package: Path, refused: tuple[str, ...] = ()):
        self.context, self.lms, self.runtime = context, lms, runtime
        self.name = f"/{runtime}-{id(self)}"
        lms.folders[self.name + "/pkg/"] = package
        lms.pages[self.name + "/lms.html"] = player_page(runtime, self.name + "/pkg/index.html", refused=refused)
        self.page = None

    def launch(self, saved: dict | None = None):
        self.page = self.context.new_page()
        errors = []
        self.page.on("pageerror", lambda error: errors.append(error))
        self.errors = errors
        if saved is not None:
            self.page.add_init_script(f"window.preload = {json.dumps(saved)};")
        self.page.goto(self.lms.url(self.name + "/lms.html"))
        self.packet.locator("main").first.wait_for()
        return self.page

    @property
    def launch_frame(self):
        return self.page.frame_locator("#sco")

    @property
    def packet(self):
        return self.launch_frame.frame_locator("#packet")

    def open_module(self, module) -> None:
        self.packet.locator(f'a[href="{module.id}.html"]').first.click()
        self.packet.locator("h1", has_text=module.title).wait_for()

    def cmi(self) -> dict:
        return self.page.evaluate(f"window.{API[self.runtime]}.getFlattenedCMI()")

    def log(self) -> list[list[str]]:
        return self.page.evaluate("window.lmsLog")

    def settle(self) -> None:
        # The host commits on the next turn of the event loop after a change.
        self.page.wait_for_timeout(50)

    def close(self) -> dict:
        """Unload the package as an LMS does when the learner leaves; the LMS's data after it."""
        data = self.page.evaluate(
            f"() => {{ document.getElementById('sco').remove(); return window.{API[self.runtime]}.getFlattenedCMI(); }}"
        )
        self.final_log = self.log()
        assert self.errors == []
        self.page.close()
        return data


def sets(log: list[list[str]], element: str) -> list[str]:
    return [entry[2] for entry in log if entry[0] in ("LMSSetValue", "SetValue") and entry[1] == element]


def interactions(data: dict, runtime: str) -> list[dict]:
    found: dict[int, dict] = {}
    for key, value in data.items():
        match = re.fullmatch(r"cmi\.interactions\.(\d+)\.(\w+)", key)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [found[n] for n in sorted(found)]


# ---------------------------------------------------------------- a learner who passes


@pytest.mark.parametrize("runtime", EDITIONS)
def test_a_passing_learner_is_recorded_completed_passed_with_score_and_interactions(context, lms, demo, runtime):
    learner = Learner(context, lms, runtime, demo.packages[runtime])
    learner.launch()
    first, second, last = demo.course.modules
    learner.open_module(first)
    take_quiz(learner.packet, first.quiz)
    learner.settle()
    during = learner.cmi()
    if runtime == "scorm12":
        assert during["cmi.core.lesson_status"] == "incomplete"  # set at launch: the LMS sees the attempt
        assert "cmi.core.score.raw" not in during or during["cmi.core.score.raw"] in ("", None)
    else:
        assert during["cmi.completion_status"] == "incomplete"
    learner.open_module(second)
    take_quiz(learner.packet, second.quiz)
    learner.open_module(last)
    learner.settle()
    data = learner.close()
    log = learner.final_log

    assert not [entry for entry in log if entry[0] == "WRONG-API"], "called the other SCORM version's API"
    if runtime == "scorm12":
        assert data["cmi.core.lesson_status"] == "passed"
        assert float(data["cmi.core.score.raw"]) == 100
        assert (data["cmi.core.score.min"], data["cmi.core.score.max"]) in (("0", "100"), (0, 100))
        assert data["cmi.core.exit"] == ""  # finished: a normal exit
        assert re.fullmatch(r"\d{2,4}:\d\d:\d\d(\.\d\d?)?", data["cmi.core.session_time"])
        status_at = next(i for i, e in enumerate(log) if e[:3] == ["LMSSetValue", "cmi.core.lesson_status", "passed"])
        score_at = max(i for i, e in enumerate(log) if e[:2] == ["LMSSetValue", "cmi.core.score.raw"])
    else:
        assert data["cmi.completion_status"] == "completed"
        assert data["cmi.success_status"] == "passed"
        assert float(data["cmi.score.scaled"]) == 1 and float(data["cmi.score.raw"]) == 100
        assert data["cmi.exit"] == "normal"
        assert re.fullmatch(r"PT(\d+H)?(\d+M)?[\d.]+S", data["cmi.session_time"])
        status_at = next(i for i, e in enumerate(log) if e[:3] == ["SetValue", "cmi.success_status", "passed"])
        score_at = max(i for i, e in enumerate(log) if e[:2] == ["SetValue", "cmi.score.scaled"])
    assert score_at < status_at, "the score must reach the LMS before the status"
    assert [e[0] for e in log].count("LMSInitialize" if runtime == "scorm12" else "Initialize") == 1
    assert log[-1][0] in ("LMSFinish", "Terminate")

    answers = interactions(data, runtime)
    assert len(answers) == 8
    assert len({a["id"] for a in answers}) == 8, "interaction ids must be unique"
    types = [a["type"] for a in answers]
    if runtime == "scorm12":
        assert types == ["choice", "choice", "true-false", "fill-in", "numeric", "matching", "sequencing", "fill-in"]
        responses = [a.get("student_response") for a in answers]
        assert responses[:7] == ["a", "a,c", "t", "books", "7", "2.a,1.c", "a,c,b"]
        assert [a["result"] for a in answers] == ["correct"] * 7 + ["neutral"]
    else:
        assert types == ["choice", "choice", "true-false", "fill-in", "numeric", "matching", "sequencing", "long-fill-in"]
        responses = [a.get("learner_response") for a in answers]
        assert responses[:7] == ["blue", "apple[,]pear", "true", "books", "7",
                                 "desk[.]checkout[,]corner[.]reading", "greet[,]listen[,]help"]
        assert [a["result"] for a in answers] == ["correct"] * 7 + ["neutral"]
        assert answers[0]["description"] == "Which colour is the sky on a clear day?"
    # The open answer's text stays private in the browser.
    assert "private answer" not in json.dumps(data)
    # Each module is an objective with its quiz's result, where the LMS keeps objectives.
    objectives = {data[k]: k.rsplit(".", 1)[0] for k in data if re.fullmatch(r"cmi\.objectives\.\d+\.id", k)}
    assert set(objectives) >= {"first-steps", "next-steps", "wrap-up"}
    one = objectives["first-steps"]
    if runtime == "scorm12":
        assert (data[f"{one}.status"], float(data[f"{one}.score.raw"])) == ("passed", 100)
        assert data[objectives["wrap-up"] + ".status"] == "completed"
    else:
        assert (data[f"{one}.success_status"], data[f"{one}.completion_status"]) == ("passed", "completed")
        assert data[objectives["wrap-up"] + ".completion_status"] == "completed"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_failing_learner_is_recorded_failed_with_the_failed_module(context, lms, demo, runtime):
    learner = Learner(context, lms, runtime, demo.packages[runtime])
    learner.launch()
    first, second, _ = demo.course.modules
    learner.open_module(first)
    take_quiz(learner.packet, first.quiz)
    learner.open_module(second)
    take_quiz(learner.packet, second.quiz, right=False)
    data = learner.close()
    objectives = {data[k]: k.rsplit(".", 1)[0] for k in data if re.fullmatch(r"cmi\.objectives\.\d+\.id", k)}
    assert {"first-steps", "next-steps"} <= set(objectives)
    one, two = objectives["first-steps"], objectives["next-steps"]
    if runtime == "scorm12":
        assert (data[f"{one}.status"], float(data[f"{one}.score.raw"])) == ("passed", 100)
        assert data[f"{two}.status"] == "failed"
        assert data["cmi.core.lesson_status"] == "failed"
    else:
        assert (data[f"{one}.success_status"], data[f"{one}.completion_status"]) == ("passed", "completed")
        assert data[f"{two}.success_status"] == "failed"
        assert data["cmi.success_status"] == "failed" and data["cmi.completion_status"] == "incomplete"


# ---------------------------------------------------------------- resume


@pytest.mark.parametrize("runtime", EDITIONS)
def test_a_relaunch_resumes_at_the_bookmark_with_the_answers(context, lms, demo, runtime):
    learner = Learner(context, lms, runtime, demo.packages[runtime])
    learner.launch()
    first, second, _ = demo.course.modules
    learner.open_module(first)
    take_quiz(learner.packet, first.quiz)
    learner.open_module(second)
    matching = second.quiz.questions[0]
    answer_question(learner.packet, matching)
    saved = learner.close()

    suspend, location = ("cmi.suspend_data", "cmi.core.lesson_location") if runtime == "scorm12" else ("cmi.suspend_data", "cmi.location")
    assert saved[location] == "next-steps"
    assert saved["cmi.core.exit" if runtime == "scorm12" else "cmi.exit"] == "suspend"
    state = json.loads(saved[suspend])
    assert state["m"][0]["a"] == 1 and state["m"][0]["b"] == 100

    # A new session with what the LMS kept: the learner is back on module 2 with the answer in place.
    learner.launch(saved=saved)
    packet_src = learner.launch_frame.locator("#packet").get_attribute("src")
    assert packet_src.endswith("next-steps.html")
    box = learner.packet.locator(f"#q-{matching.id}")
    box.locator('[data-cp="feedback"]').wait_for()
    rows = box.locator(".match-row")
    chosen = {rows.nth(n).locator(".match-prompt").inner_text().strip(): rows.nth(n).locator("select option:checked").inner_text()
              for n in range(rows.count())}
    assert chosen == {"Desk": "Checkout", "Corner": "Reading"}
    assert box.locator("select").first.is_disabled()  # a checked answer stays locked

    # and can finish the course in the second session.
    for question in second.quiz.questions[1:]:
        answer_question(learner.packet, question)
    learner.settle()
    data = learner.close()
    if runtime == "scorm12":
        assert data["cmi.core.lesson_status"] == "passed"
    else:
        assert (data["cmi.completion_status"], data["cmi.success_status"]) == ("completed", "passed")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_learner_who_left_on_the_completion_page_comes_back_to_it(context, lms, demo, runtime):
    learner = Learner(context, lms, runtime, demo.packages[runtime])
    learner.launch()
    for module in demo.course.modules:
        learner.open_module(module)
        if module.quiz:
            take_quiz(learner.packet, module.quiz)
    learner.packet.locator('[data-cp="pager-finish"]').click()
    learner.packet.locator("[data-cp='certificate-name']").wait_for()
    learner.settle()
    saved = learner.close()
    assert saved["cmi.core.lesson_location" if runtime == "scorm12" else "cmi.location"] == "completion.html"

    learner.launch(saved=saved)
    assert learner.launch_frame.locator("#packet").get_attribute("src").endswith("course/completion.html")
    learner.packet.locator("[data-cp='certificate-name']").wait_for()
    learner.close()


# ---------------------------------------------------------------- failing, and the "incomplete" option


def test_a_failing_learner_can_be_reported_incomplete_instead_of_failed(context, lms, demo, tmp_path):
    # The option an LMS administrator sets in the launch page, for LMSs that lock a learner out after "failed".
    package = tmp_path / "package"
    shutil.copytree(demo.packages["scorm12"], package)
    launch_page = package / "index.html"
    page_text = launch_page.read_text(encoding="utf-8")
    assert '"failedStatus":"failed"' in page_text
    launch_page.write_text(page_text.replace('"failedStatus":"failed"', '"failedStatus":"incomplete"'), encoding="utf-8")

    learner = Learner(context, lms, "scorm12", package)
    learner.launch()
    for module in demo.course.modules[:2]:
        learner.open_module(module)
        take_quiz(learner.packet, module.quiz, right=False)
    data = learner.close()
    assert data["cmi.core.lesson_status"] == "incomplete"
    assert data.get("cmi.core.score.raw") in (None, "")  # a failing score would let the LMS infer "failed"
    assert data["cmi.core.exit"] == "suspend"


# ---------------------------------------------------------------- commits


def test_commits_follow_results_not_keystrokes_and_happen_when_hidden(context, lms, demo):
    context.clock.install()  # time flows, and can be moved ahead
    learner = Learner(context, lms, "scorm12", demo.packages["scorm12"])
    learner.launch()
    first = demo.course.modules[0]
    learner.open_module(first)
    commits = lambda: [e[0] for e in learner.log()].count("LMSCommit")

    before = commits()
    blank = learner.packet.locator("#q-the-word-answer")
    blank.press_sequentially("a long answer typed key by key", delay=5)
    learner.settle()
    assert commits() == before, "typing must not commit"

    take_quiz(learner.packet, first.quiz, right=False)
    learner.settle()
    after_quiz = commits()
    assert after_quiz >= before + len(first.quiz.questions)  # one per checked answer

    # "Try again" changes the saved state but no result: it waits for the next periodic commit...
    learner.packet.locator('[data-cp="retry"]').click()
    learner.settle()
    assert commits() == after_quiz
    learner.page.clock.fast_forward("03:01")
    assert commits() == after_quiz + 1

    # ... or for the page to be hidden, whichever comes first.
    take_quiz(learner.packet, first.quiz, right=False)
    learner.packet.locator('[data-cp="retry"]').click()
    learner.settle()
    count = commits()
    learner.launch_frame.locator("body").evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    assert commits() == count + 1
    learner.close()


# ---------------------------------------------------------------- LMSs with less, or none


def test_an_lms_without_interactions_or_objectives_still_gets_status_and_score(context, lms, demo):
    learner = Learner(context, lms, "scorm12", demo.packages["scorm12"], refused=("cmi.interactions", "cmi.objectives"))
    learner.launch()
    for module in demo.course.modules[:2]:
        learner.open_module(module)
        take_quiz(learner.packet, module.quiz)
    data = learner.close()
    assert data["cmi.core.lesson_status"] == "passed" and float(data["cmi.core.score.raw"]) == 100
    tries = [e for e in learner.final_log if e[0] == "LMSSetValue" and e[1].startswith("cmi.interactions.")]
    assert len(tries) <= 1, "after the LMS refused one interaction, the package stops trying"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_api_is_found_from_a_window_the_lms_opened_with_a_wrapper_frame(context, lms, demo, runtime):
    name = f"/opener-{runtime}"
    lms.folders[name + "/pkg/"] = demo.packages[runtime]
    lms.pages[name + "/lms.html"] = player_page(runtime, "about:blank")
    lms.pages[name + "/wrapper.html"] = (
        '<!DOCTYPE html><title>Course window</title><iframe id="inner" title="course" src="pkg/index.html"></iframe>'
    )
    page = context.new_page()
    page.goto(lms.url(name + "/lms.html"))
    with page.expect_popup() as opened:
        page.evaluate(f"window.open({json.dumps(name + '/wrapper.html')}, 'course')")
    popup = opened.value
    popup.frame_locator("#inner").frame_locator("#packet").locator("main").first.wait_for()
    popup.evaluate("document.getElementById('inner').remove()")  # the learner closes the course
    calls = [entry[0] for entry in page.evaluate("window.lmsLog")]
    begin, end = ("LMSInitialize", "LMSFinish") if runtime == "scorm12" else ("Initialize", "Terminate")
    assert calls.count(begin) == 1 and calls[-1] == end
    assert popup.locator("#inner").count() == 0
    popup.close()
    page.close()


def test_without_an_lms_the_packet_keeps_progress_in_the_browser(context, lms, demo, js_packages):
    lms.folders["/alone/"] = demo.packages["scorm2004"]
    page = context.new_page()
    page.goto(lms.url("/alone/index.html"))
    notice = page.locator("#notice")
    notice.wait_for()
    assert "saved in this browser only" in notice.inner_text()
    page.add_script_tag(path=str(js_packages / "axe-core" / "axe.min.js"))
    found = page.evaluate(
        "axe.run(document, {iframes: false, runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    assert found["violations"] == []  # the launch page itself; the packet has its own checks
    packet = page.frame_locator("#packet")
    first = demo.course.modules[0]
    packet.locator(f'a[href="{first.id}.html"]').first.click()
    answer_question(packet, first.quiz.questions[0])
    page.reload()
    packet.locator(f'a[href="{first.id}.html"]').first.click()
    packet.locator(f"#q-{first.quiz.questions[0].id} [data-cp='feedback']").wait_for()
    assert packet.locator(f"#q-{first.quiz.questions[0].id} input:checked").count() == 1
    page.close()


# ---------------------------------------------------------------- the worst case of suspend_data


def test_the_largest_state_a_learner_can_make_fits_scorm12_and_matches_the_build_bound(context, lms, tmp_path):
    from coursepack.packet.state import worst_case_state

    from tracking_support import fill_blank_quiz

    course_dir = write_demo_course(
        tmp_path / "course", course_id="near-limit",
        quizzes={"01-first-steps": fill_blank_quiz("a", 15), "02-next-steps": fill_blank_quiz("b", 15)},
    )
    report = build_course(course_dir, ["scorm12"], tmp_path / "out")
    note = next(n for n in report.notes if n.startswith("scorm12:"))
    bound = int(re.search(r"at most (\d+) of the 4096", note).group(1))
    assert 3900 < bound <= 4096
    course = load(course_dir)

    # Everything at its largest (attempts at the cap, the completion date, a full first quiz) except
    # the second quiz, whose answers the learner now types in as long as the packet allows.
    state = worst_case_state(course)
    state["m"][1]["r"] = {}
    saved = {"cmi.core.lesson_status": "incomplete", "cmi.core.lesson_location": "first-steps",
             "cmi.suspend_data": json.dumps(state, separators=(",", ":"))}
    learner = Learner(context, lms, "scorm12", unpack(tmp_path / "out" / "lms" / "near-limit-scorm12.zip", tmp_path / "pkg"))
    learner.launch(saved=saved)
    second = course.modules[1]
    learner.open_module(second)
    for question in second.quiz.questions:
        box = learner.packet.locator(f"#q-{question.id}")
        box.locator("input.blank").fill('"' * 80)  # every character needs escaping in JSON
        box.locator('[data-cp="check"]').click()
    learner.settle()
    data = learner.close()
    written = [e for e in learner.final_log if e[:2] == ["LMSSetValue", "cmi.suspend_data"]]
    assert written[-1][-1] == "true"
    assert len(data["cmi.suspend_data"]) == bound <= 4096
    assert json.loads(data["cmi.suspend_data"])["m"][1]["r"]["0"] == '"' * 60


# ---------------------------------------------------------------- the course score, rounded once

POINTS_QUIZ = """\
questions:
{questions}
"""


def points_question(qid: str, points: float) -> str:
    return f"  - id: {qid}\n    type: true_false\n    prompt: Statement {qid}.\n    answer: true\n    points: {points}\n"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_course_score_is_the_points_earned_over_the_points_possible_rounded_once(context, lms, tmp_path, runtime):
    # 0 of 8, 1 of 12 and 12 of 12 points: 13 of 32 is 40.625%, so 40.63. Rounding the
    # module's 8.3333% first and the course's score after gives 40.62.
    quizzes = {
        "01-first-steps": POINTS_QUIZ.format(questions=points_question("eight", 8)),
        "02-next-steps": POINTS_QUIZ.format(questions=points_question("one", 1) + points_question("eleven", 11)),
        "03-wrap-up": POINTS_QUIZ.format(questions=points_question("twelve", 12)),
    }
    course_dir = write_demo_course(tmp_path / "course", course_id="points-demo", quizzes=quizzes)
    build_course(course_dir, [runtime], tmp_path / "out")
    package = unpack(tmp_path / "out" / "lms" / f"points-demo-{runtime}.zip", tmp_path / runtime)
    course = load(course_dir)
    right = {"eight": False, "one": True, "eleven": False, "twelve": True}
    learner = Learner(context, lms, runtime, package)
    learner.launch()
    for module in course.modules:
        learner.open_module(module)
        for question in module.quiz.questions:
            answer_question(learner.packet, question, right[question.id])
    learner.settle()
    raw = "cmi.core.score.raw" if runtime == "scorm12" else "cmi.score.raw"
    assert learner.cmi()[raw] == "40.63"
    if runtime == "scorm2004":
        assert learner.cmi()["cmi.score.scaled"] == "0.4063"
    learner.close()
