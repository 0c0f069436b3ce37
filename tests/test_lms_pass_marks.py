"""A score exactly at the pass mark passes, at every whole pass mark, in every LMS runtime.

In JavaScript `0.55 * 100` is `55.00000000000001`: a runtime that compares a
score with a pass mark scaled by floating-point arithmetic records a learner
at exactly 55% as failed. Each test launches the package once per pass mark
1-100 with the LMS's own passing score set to it (SCORM 2004's
`cmi.scaled_passing_score`, SCORM 1.2's `cmi.student_data.mastery_score`,
cmi5's `masteryScore`) and hands the launch page a finished course whose
score is exactly that mark, as the packet reports it.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from tracking_support import FakeLrs, LoopbackServer, build_course, unpack, write_demo_course

PASS_MARKS = range(1, 101)

# The packet's report of a course whose every module quiz scored `score`.
SUMMARY_AT = """(T, score) => {
  var modules = {};
  T.config.modules.forEach(function (m) {
    modules[m.id] = { visited: true, score: m.scored ? score : null, passed: m.scored ? true : null, attempts: 1 };
  });
  return { location: null, modules: modules, score: score, completed: true, passed: true };
}"""

# An LMS page that launches the package once per call of `launchAt`, each time
# with a fresh scorm-again API holding the given LMS data.
PLAYER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="/js/scorm-again/dist/{bundle}.min.js"></script>
<script>
var summaryAt = {summary};
window.launchAt = function (preload, score) {{
  var api = new {api_class}({{lmsCommitUrl: false, autocommit: false, logLevel: 5}});
  api.loadFromFlattenedJSON(preload);
  window.{api_name} = api;
  var frame = document.createElement("iframe");
  frame.src = "/pkg/index.html";
  document.body.appendChild(frame);
  return new Promise(function (resolve) {{
    var wait = setInterval(function () {{
      var launch = frame.contentWindow;
      if (!launch || !launch.coursepackHost) return;
      clearInterval(wait);
      launch.coursepackHost.progress(summaryAt(launch.CoursepackTracking, score));
      setTimeout(function () {{
        var data = api.getFlattenedCMI();
        frame.remove();
        resolve(data);
      }}, 0);
    }}, 5);
  }});
}};
</script></head><body></body></html>
"""


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("pass-marks")
    course_dir = write_demo_course(root / "course", passing=50)
    formats = ["scorm12", "scorm2004", "cmi5"]
    build_course(course_dir, formats, root / "out")
    return {f: unpack(root / "out" / "lms" / f"tracking-demo-{f}.zip", root / f) for f in formats}


def player(runtime: str) -> str:
    names = {
        "scorm12": dict(bundle="scorm12", api_class="Scorm12API", api_name="API"),
        "scorm2004": dict(bundle="scorm2004", api_class="Scorm2004API", api_name="API_1484_11"),
    }[runtime]
    return PLAYER.format(summary=SUMMARY_AT, **names)


@pytest.mark.parametrize("runtime", ["scorm12", "scorm2004"])
def test_a_score_at_the_lms_pass_mark_is_recorded_passed_in_scorm(browser, js_packages, packages, runtime):
    with LoopbackServer() as lms:
        lms.folders["/js/"] = js_packages
        lms.folders["/pkg/"] = packages[runtime]
        lms.pages["/lms.html"] = player(runtime)
        page = browser.new_page()
        page.goto(lms.url("/lms.html"))
        recorded = {}
        for mark in PASS_MARKS:
            if runtime == "scorm12":
                preload = {"cmi.student_data.mastery_score": str(mark)}
            else:
                # What an LMS derives from a manifest's minNormalizedMeasure of mark/100.
                preload = {"cmi.scaled_passing_score": json.loads(f"0.{mark:02d}" if mark < 100 else "1")}
            data = page.evaluate("([preload, score]) => launchAt(preload, score)", [preload, mark])
            recorded[mark] = data["cmi.core.lesson_status"] if runtime == "scorm12" else data["cmi.success_status"]
        page.close()
    failed = [mark for mark, status in recorded.items() if status != "passed"]
    assert failed == [], f"a score exactly at these pass marks was not recorded passed: {failed}"


def test_a_score_at_the_lms_mastery_score_is_sent_passed_in_cmi5(browser, packages):
    package = packages["cmi5"]
    au = re.search(r'<au id="([^"]+)"', (package / "cmi5.xml").read_text()).group(1)
    with LoopbackServer() as content, LoopbackServer() as lms:
        content.folders["/au/"] = package
        lrs = FakeLrs(lms)
        lrs.publisher_id = au
        page = browser.new_page()
        sent = {}
        for mark in PASS_MARKS:
            lrs.registration = str(uuid.uuid4())  # a new registration: "passed" may be sent again
            lrs.mastery = json.loads(f"0.{mark:02d}" if mark < 100 else "1")
            page.goto(lrs.launch_url(content.url("/au/index.html")))
            page.wait_for_function("() => window.coursepackHost && CoursepackTracking.session")
            page.evaluate(f"(score) => coursepackHost.progress(({SUMMARY_AT})(CoursepackTracking, score))", mark)
            # "passed" goes out at once; "failed" when the session ends.
            wait_for_verbs(page, lrs, {"passed"}, tries=20)
            page.evaluate("() => CoursepackTracking.session.finish()")
            sent[mark] = wait_for_verbs(page, lrs, {"terminated"})
        page.close()
    wrong = [mark for mark, verbs in sent.items() if "passed" not in verbs or "failed" in verbs]
    assert wrong == [], f"a score exactly at these mastery scores was not sent as passed: { {m: sent[m] for m in wrong} }"


def wait_for_verbs(page, lrs: FakeLrs, wanted: set[str], tries: int = 200) -> list[str]:
    for _ in range(tries):
        verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in lrs.session_statements()]
        if wanted <= set(verbs):
            break
        page.wait_for_timeout(10)
    return verbs
