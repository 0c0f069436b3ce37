"""`scorm12`: a SCORM 1.2 package with one SCO (lms/<id>-scorm12.zip)."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.tracking import manifest_scorm12
from coursepack.tracking.budget import SCORM12_SUSPEND_DATA, check_suspend_data
from coursepack.tracking.launch import LAUNCH_PAGE, bundled_schemas, package_files
from coursepack.tracking.metadata import package_facts
from coursepack.writer import OutputTree


class Scorm12Builder(Builder):
    name = "scorm12"
    description = "SCORM 1.2 package (lms/<id>-scorm12.zip)"
    order = 60

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-scorm12.zip"]

    def steps(self, course: Course) -> int:
        return 2

    def write(self, course: Course, out: OutputTree) -> None:
        needed = check_suspend_data(course, SCORM12_SUSPEND_DATA, "SCORM 1.2")
        self.context.step("resume data fits")
        files = package_files(self.context, course, "scorm12")
        manifest = manifest_scorm12.manifest(package_facts(course), LAUNCH_PAGE, list(files))
        entries = [("imsmanifest.xml", manifest), *bundled_schemas(self.context, "scorm12"), *files.items()]
        out.write_zip(self.outputs(course)[0], entries)
        self.context.step("package")
        self.context.notes.append(
            f"scorm12: resume data (suspend_data) needs at most {needed} of the {SCORM12_SUSPEND_DATA} characters SCORM 1.2 allows"
        )
