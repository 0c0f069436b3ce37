"""Course settings that shape the LMS packages."""

from __future__ import annotations

import zipfile

from conftest import run_coursepack


def test_report_failure_as_incomplete_reaches_the_launch_page(fixture_course):
    course = fixture_course("good-minimal")
    (course / "course.yml").write_text((course / "course.yml").read_text() + "report_failure_as: incomplete\n")
    result = run_coursepack("build", str(course), "--format", "scorm12,scorm2004,cmi5", "-q")
    assert result.returncode == 0, result.stderr
    for name in ("tiny-scorm12.zip", "tiny-scorm2004.zip", "tiny-cmi5.zip"):
        with zipfile.ZipFile(course / "output/lms" / name) as package:
            assert '"failedStatus":"incomplete"' in package.read("index.html").decode()


def test_report_failure_as_takes_only_known_values(fixture_course):
    course = fixture_course("good-minimal")
    (course / "course.yml").write_text((course / "course.yml").read_text() + "report_failure_as: never\n")
    result = run_coursepack("check", str(course))
    assert result.returncode == 1
    assert "course.yml:4: error: 'report_failure_as' is 'never', but it must be one of: failed, incomplete" in result.stderr
