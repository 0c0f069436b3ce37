"""`scorm2004` and `scorm2004v3`: a SCORM 2004 package with one SCO, 4th or 3rd edition.

Both editions run the same launch page and adapter (the run-time data model the
adapter uses is the same in both); they differ in the manifest's schema version
and the schema files the package carries.
"""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.tracking import manifest_scorm2004
from coursepack.tracking.budget import SCORM2004_SUSPEND_DATA, check_suspend_data
from coursepack.tracking.launch import LAUNCH_PAGE, bundled_schemas, package_files
from coursepack.tracking.metadata import package_facts
from coursepack.writer import OutputTree


class Scorm2004Builder(Builder):
    name = "scorm2004"
    description = "SCORM 2004 4th edition package (lms/<id>-scorm2004.zip)"
    order = 61
    edition = 4

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-{self.name}.zip"]

    def steps(self, course: Course) -> int:
        return 2

    def write(self, course: Course, out: OutputTree) -> None:
        needed = check_suspend_data(course, SCORM2004_SUSPEND_DATA, "SCORM 2004", roomier="the cmi5 package")
        self.context.step("resume data fits")
        files = package_files(self.context, course, "scorm2004")
        manifest = manifest_scorm2004.manifest(package_facts(course), LAUNCH_PAGE, list(files), self.edition)
        entries = [("imsmanifest.xml", manifest), *bundled_schemas(self.context, self.name), *files.items()]
        out.write_zip(self.outputs(course)[0], entries)
        self.context.step("package")
        self.context.notes.append(
            f"{self.name}: resume data (suspend_data) needs at most {needed} of the {SCORM2004_SUSPEND_DATA} characters SCORM 2004 allows"
        )


class Scorm2004v3Builder(Scorm2004Builder):
    name = "scorm2004v3"
    description = "SCORM 2004 3rd edition package, for LMSs that take no 4th edition (lms/<id>-scorm2004v3.zip)"
    order = 61  # after scorm2004 by name
    edition = 3
