"""The files every LMS package shares: the packet, the launch page and its scripts.

Layout inside a package:

    index.html            the launch page: finds the LMS, keeps the one
                          connection, shows the packet in a full-window frame
    tracking/host-common.js, [tracking/xapi-client.js,] tracking/<runtime>.js
    course/...            the HTML packet, exactly as the packet builder makes it

The launch page's href needs no query parameters (some LMSs drop them), and
it reads everything else from a JSON configuration embedded in it, which an
LMS administrator can also edit: `failedStatus` is "failed" by default, and
"incomplete" for LMSs that lock a learner out after a failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from coursepack.builders.base import BuildContext
from coursepack.builders.html import HtmlBuilder  # the packet's own builder
from coursepack.model import Course
from coursepack.packet.pages import COMPLETION_PAGE, HOME_PAGE, Site  # the packet's naming of its pages
from coursepack.tracking.answer_key import answer_key

LAUNCH_PAGE = "index.html"
PACKET = "course/"
SCRIPTS = "tracking/"
TEMPLATES = "lms/tracking/"
Runtime = Literal["scorm12", "scorm2004", "cmi5", "xapi"]
FailedStatus = Literal["failed", "incomplete"]
# What each runtime's adapter needs before it, after host-common.js.
RUNTIME_LIBRARIES: dict[str, tuple[str, ...]] = {"cmi5": ("xapi-client.js",), "xapi": ("xapi-client.js",)}


def package_files(
    context: BuildContext,
    course: Course,
    runtime: Runtime,
    failed_status: FailedStatus | None = None,
    extra_config: dict | None = None,
) -> dict[str, bytes]:
    """Every file of the package except its control document, by path.

    `extra_config` adds what only this runtime's adapter reads to the launch configuration."""
    packet = HtmlBuilder(context).packet_files(course)
    files = {PACKET + path: data for path, data in sorted(packet.items())}
    theme = context.theme
    strings = theme.strings(course.language)
    config = launch_config(course, packet, strings, failed_status or course.report_failure_as)
    config.update(extra_config or {})
    scripts = ("host-common.js", *RUNTIME_LIBRARIES.get(runtime, ()), f"{runtime}.js")
    files[LAUNCH_PAGE] = theme.render(
        TEMPLATES + "launch.html",
        course=course,
        t=strings,
        runtime=runtime,
        scripts=[SCRIPTS + script for script in scripts],
        home=config["home"],
        config_json=_script_json(config),
    ).encode("utf-8")
    for script in scripts:
        files[SCRIPTS + script] = theme.file(TEMPLATES + script)
    return dict(sorted(files.items()))


def launch_config(course: Course, packet: dict[str, bytes], strings: dict[str, str], failed_status: FailedStatus) -> dict:
    """What the launch page's scripts need to know about the course."""
    return {
        "course": course.id,
        "language": course.language,
        "completion": course.completion,
        "passingScore": course.passing_score,
        "failedStatus": failed_status,
        "home": PACKET + HOME_PAGE,
        # The packet bookmarks its completion page by that page's address.
        "completionPage": {"location": Site.completion, "page": PACKET + COMPLETION_PAGE},
        "modules": [
            {
                "id": module.id,
                "page": _module_page(course, module, packet),
                "quiz": module.quiz is not None,
                "scored": bool(module.quiz and module.quiz.points_possible),
            }
            for module in course.modules
        ],
        "questions": answer_key(course),
        "trueFalseWords": {"true": strings.get("answer_true", "True"), "false": strings.get("answer_false", "False")},
        "strings": {
            "no_lms": strings["tracking_no_lms"],
            "lms_failed": strings["tracking_lms_failed"],
            "review": strings["tracking_review"],
        },
    }


def _module_page(course: Course, module, packet: dict[str, bytes]) -> str | None:
    page = Site().page_name(module, course)
    return PACKET + page if page in packet else None


# Where each standard's schema files come from, first folder first: the 3rd edition
# has its own ADL and IMS files, and shares the IEEE LOM binding with the 4th.
SCHEMA_FOLDERS = {"scorm12": ("scorm12",), "scorm2004": ("scorm2004",), "scorm2004v3": ("scorm2004v3", "scorm2004")}


def bundled_schemas(context: BuildContext, standard: Literal["scorm12", "scorm2004", "scorm2004v3"]) -> list[tuple[str, bytes]]:
    """The official schema files a SCORM package carries at its root."""
    found: dict[str, bytes] = {}
    for name in SCHEMA_FOLDERS[standard]:
        folder: Path = context.theme.builtin / TEMPLATES / "schemas" / name
        for path in folder.rglob("*"):
            if path.suffix in (".xsd", ".dtd"):
                found.setdefault(path.relative_to(folder).as_posix(), path.read_bytes())
    return sorted(found.items())


def _script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
