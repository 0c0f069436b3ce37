"""`cmi5`: a cmi5 course package with one assignable unit (lms/<id>-cmi5.zip)."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.tracking import cmi5_structure
from coursepack.tracking.budget import worst_case_cmi5_document
from coursepack.tracking.launch import LAUNCH_PAGE, package_files
from coursepack.tracking.metadata import package_facts
from coursepack.writer import OutputTree


class Cmi5Builder(Builder):
    name = "cmi5"
    description = "cmi5 course package (lms/<id>-cmi5.zip)"
    order = 62

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-cmi5.zip"]

    def write(self, course: Course, out: OutputTree) -> None:
        files = package_files(self.context, course, "cmi5")
        structure = cmi5_structure.course_structure(package_facts(course), LAUNCH_PAGE)
        out.write_zip(self.outputs(course)[0], [("cmi5.xml", structure), *files.items()])
        self.context.step("package")
        self.context.notes.append(
            f"cmi5: progress kept in an xAPI state document of at most {worst_case_cmi5_document(course)} characters"
        )
