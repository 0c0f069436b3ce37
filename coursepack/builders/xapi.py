"""`xapi`: an xAPI ("Tin Can") package launched with the Rustici launch link (lms/<id>-xapi.zip)."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.tracking import tincan_structure
from coursepack.tracking.budget import worst_case_xapi_document
from coursepack.tracking.launch import LAUNCH_PAGE, package_files
from coursepack.tracking.metadata import package_facts
from coursepack.writer import OutputTree


class XapiBuilder(Builder):
    name = "xapi"
    description = 'xAPI ("Tin Can") package with tincan.xml (lms/<id>-xapi.zip)'
    order = 64

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-xapi.zip"]

    def write(self, course: Course, out: OutputTree) -> None:
        facts = package_facts(course)
        # The launch link may lack activity_id (Moodle's xAPI launch plugin sends none):
        # the script then uses the course's id from tincan.xml.
        activities = {
            "activityId": tincan_structure.course_activity_id(facts),
            "title": facts.title,
            "moduleTitles": {module.id: module.title for module in course.modules},
        }
        files = package_files(self.context, course, "xapi", extra_config={"xapi": activities})
        manifest = tincan_structure.tincan_xml(course, facts, LAUNCH_PAGE)
        out.write_zip(self.outputs(course)[0], [("tincan.xml", manifest), *files.items()])
        self.context.step("package")
        self.context.notes.append(
            f"xapi: progress kept in an xAPI state document of at most {worst_case_xapi_document(course)} characters"
        )
