"""`qti`: every module quiz as QTI 1.2, zipped the way Canvas exports and imports quizzes.

    imsmanifest.xml                    one imsqti_xmlv1p2 resource per quiz (Canvas's own manifest form)
    quiz-<module>/quiz-<module>.xml    the quiz (QTI 1.2, Canvas `question_type` metadata)
    quiz-<module>/assessment_meta.xml  Canvas's quiz settings: points, attempts, shuffling
    web_resources/<course path>        images the quizzes show, as `$IMS-CC-FILEBASE$/<course path>`
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from coursepack.builders.base import Builder
from coursepack.exports.files import quiz_texts, used_files
from coursepack.exports.idents import file_ident, ident
from coursepack.exports.qti import QtiItems, metadata, questestinterop
from coursepack.exports.text import decimal_text, local_references, rewrite_local, url_path
from coursepack.exports.titles import quiz_title
from coursepack.exports.warnings import note_partial_credit, question_warner, warn_quiz
from coursepack.exports.xmltree import document, element, sub
from coursepack.model import Course, Module, Quiz
from coursepack.writer import OutputTree

MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
FILES = "web_resources"


class QtiBuilder(Builder):
    name = "qti"
    description = "module quizzes as a QTI 1.2 zip for Canvas (lms/<id>-qti.zip)"
    order = 71

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-qti.zip"]

    def steps(self, course: Course) -> int:
        return len(course.quizzes) + 1

    def write(self, course: Course, out: OutputTree) -> None:
        strings = self.theme.strings(course.language)
        entries: list[tuple[str, bytes]] = []
        for module, quiz in course.quizzes:
            folder = ident("quiz", module.id)
            entries.append((f"{folder}/{folder}.xml", self._assessment(module, quiz, strings)))
            entries.append((f"{folder}/assessment_meta.xml", self._settings(module, quiz, strings)))
            self.context.step(module.id)
        files = used_files(course, [t for _, quiz in course.quizzes for t in quiz_texts(quiz)])
        entries += [(f"{FILES}/{f.path}", f.data) for f in files]
        manifest = self._manifest(course, [f.path for f in files])
        out.write_zip(f"lms/{course.id}-qti.zip", [("imsmanifest.xml", manifest), *entries])
        hints = sum(1 for _, quiz in course.quizzes for q in quiz.questions if q.hint)
        if hints:
            self.context.notes.append(f"qti: Canvas quizzes have no hints: the {hints} hint(s) stay in the QTI files, unused")
        if not course.quizzes:
            self.context.notes.append("qti: the course has no quizzes, so this export holds none")
        note_partial_credit(self.context, course, "qti")
        self.context.step("zip")

    def _assessment(self, module: Module, quiz: Quiz, strings) -> bytes:
        writer = QtiItems(
            "canvas",
            strings,
            html=lambda text: rewrite_local(text, lambda path: "$IMS-CC-FILEBASE$/" + url_path(path)),
            warn=question_warner(self.context),
        )
        root = questestinterop("canvas")
        assessment = sub(root, "assessment", ident=ident("quiz", module.id), title=quiz_title(module, quiz, strings))
        attempts = str(quiz.max_attempts) if quiz.max_attempts else "unlimited"
        metadata(assessment, [("cc_maxattempts", attempts)])
        section = sub(assessment, "section", ident="root_section")
        if quiz.pick is not None:
            section = self._question_group(module, quiz, section, strings)
        for question in quiz.questions:
            for item in writer.items(question):
                section.append(item)
        return document(root)

    def _question_group(self, module: Module, quiz: Quiz, root_section: ET.Element, strings) -> ET.Element:
        """`pick` as a Canvas question group: draw that many, each worth the same."""
        points = {q.points for q in quiz.scored_questions}
        if len(points) > 1:
            warn_quiz(
                self.context,
                module,
                f"Canvas gives every question drawn from a group the same points: the {quiz.pick} drawn questions "
                f"are worth {decimal_text(quiz.points_possible / quiz.pick)} each, whatever their own points",
            )
        group = sub(root_section, "section", ident=ident("group", module.id), title=quiz_title(module, quiz, strings))
        selection = sub(sub(group, "selection_ordering"), "selection")
        sub(selection, "selection_number", str(quiz.pick))
        extension = sub(selection, "selection_extension")
        sub(extension, "points_per_item", decimal_text(quiz.points_possible / quiz.pick))
        return group

    def _settings(self, module: Module, quiz: Quiz, strings) -> bytes:
        root = element(
            "quiz",
            identifier=ident("quiz", module.id),
            xmlns=CANVAS_NAMESPACE,
            xmlns_xsi="http://www.w3.org/2001/XMLSchema-instance",
            xsi_schemaLocation=f"{CANVAS_NAMESPACE} https://canvas.instructure.com/xsd/cccv1p0.xsd",
        )
        sub(root, "title", quiz_title(module, quiz, strings))
        # Canvas has no passing score: say it in the description learners see.
        lines = []
        if quiz.passing_score is not None:
            lines.append(strings["export_passing_score"].format(score=decimal_text(quiz.passing_score)))
        if quiz.max_attempts:
            lines.append(strings["export_attempts"].format(n=quiz.max_attempts))
        sub(root, "description", "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines))
        sub(root, "shuffle_answers", "true" if quiz.shuffle_choices else "false")
        sub(root, "scoring_policy", "keep_highest")
        sub(root, "quiz_type", "assignment")
        sub(root, "points_possible", decimal_text(quiz.points_possible))
        sub(root, "show_correct_answers", "true")
        sub(root, "allowed_attempts", str(quiz.max_attempts) if quiz.max_attempts else "-1")
        sub(root, "one_question_at_a_time", "false")
        sub(root, "cant_go_back", "false")
        sub(root, "available", "false")
        return document(root)

    def _manifest(self, course: Course, file_paths: list[str]) -> bytes:
        root = element(
            "manifest",
            identifier=ident("qti", course.id),
            xmlns=MANIFEST_NAMESPACE,
            xmlns_imsmd=IMSMD,
            xmlns_xsi="http://www.w3.org/2001/XMLSchema-instance",
            xsi_schemaLocation=f"{MANIFEST_NAMESPACE} http://www.imsglobal.org/xsd/imscp_v1p1.xsd {IMSMD} http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd",
        )
        meta = sub(root, "metadata")
        sub(meta, "schema", "IMS Content")
        sub(meta, "schemaversion", "1.1.3")
        general = sub(sub(meta, "imsmd:lom"), "imsmd:general")
        sub(sub(general, "imsmd:title"), "imsmd:string", f"{course.title} {course.version}")
        sub(root, "organizations")
        resources = sub(root, "resources")
        file_ids = {path: file_ident(path) for path in file_paths}
        for module, quiz in course.quizzes:
            folder = ident("quiz", module.id)
            resource = sub(resources, "resource", identifier=folder, type="imsqti_xmlv1p2")
            sub(resource, "file", href=f"{folder}/{folder}.xml")
            sub(resource, "dependency", identifierref=ident("settings", module.id))
            used = {p for text in quiz_texts(quiz) for p in local_references(text)}
            for path, file_id in file_ids.items():
                if path in used:
                    sub(resource, "dependency", identifierref=file_id)
            settings = sub(
                resources,
                "resource",
                identifier=ident("settings", module.id),
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{folder}/assessment_meta.xml",
            )
            sub(settings, "file", href=f"{folder}/assessment_meta.xml")
        for path, file_id in file_ids.items():
            resource = sub(resources, "resource", identifier=file_id, type="webcontent", href=f"{FILES}/{path}")
            sub(resource, "file", href=f"{FILES}/{path}")
        return document(root)
