"""`cc`: an IMS Common Cartridge 1.1 (`lms/<id>.imscc`), what Moodle and Canvas both import.

Inside the cartridge:

    imsmanifest.xml                       organization: one folder per module, holding its lesson and quiz
    web_resources/lessons/<module>.html   the lesson for learners, with lesson.css beside it
    web_resources/files/<course path>     the images and files the lessons and quizzes use
    quiz-<module>/assessment.xml          the module quiz, QTI 1.2 in the cartridge's assessment profile

Quiz texts reach their files as `$IMS-CC-FILEBASE$../web_resources/files/...`,
relative to the quiz's folder as the specification says (Moodle resolves it
so; Canvas matches the path).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from coursepack.builders.base import Builder
from coursepack.exports.files import is_source_file, quiz_texts, used_files
from coursepack.exports.idents import file_ident, ident
from coursepack.exports.qti import QtiItems, metadata, questestinterop
from coursepack.exports.text import decimal_text, local_references, plain_text, rewrite_local, url_path
from coursepack.exports.titles import quiz_title
from coursepack.exports.warnings import note_partial_credit, question_warner, warn_quiz
from coursepack.exports.weights import MAX_WEIGHT, exact
from coursepack.exports.weights import scale as weight_scale
from coursepack.exports.xmltree import document, element, sub
from coursepack.model import Course, Module, Quiz
from coursepack.writer import OutputTree

CC_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
SCHEMA_LOCATION = (
    f"{CC_NAMESPACE} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd "
    f"{LOM_MANIFEST} http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd"
)
WEBCONTENT = "webcontent"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
LESSONS = "web_resources/lessons"
FILES = "web_resources/files"
STYLESHEET = "lesson.css"
STYLE_RESOURCE = "style"


@dataclass
class _Lesson:
    module: Module
    html: str  # the page


@dataclass
class _Assessment:
    module: Module
    quiz: Quiz
    xml: bytes


class CommonCartridgeBuilder(Builder):
    name = "cc"
    description = "IMS Common Cartridge 1.1 for Moodle and Canvas (lms/<id>.imscc)"
    order = 70

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}.imscc"]

    def steps(self, course: Course) -> int:
        return len(course.modules) + 1

    def write(self, course: Course, out: OutputTree) -> None:
        strings = self.theme.strings(course.language)
        lessons = [self._lesson(course, module, strings) for module in course.modules]
        assessments = [self._assessment(course, module, quiz, strings) for module, quiz in course.quizzes]
        for module in course.modules:
            self.context.step(module.id)
        texts = [t for m in course.modules for t in _lesson_texts(m)] + [t for _, q in course.quizzes for t in quiz_texts(q)]
        files = used_files(course, texts)
        manifest = self._manifest(course, lessons, assessments, [f.path for f in files], strings)
        entries = [("imsmanifest.xml", manifest)]
        entries += [(f"{LESSONS}/{lesson.module.id}.html", lesson.html.encode("utf-8")) for lesson in lessons]
        entries.append((f"{LESSONS}/{STYLESHEET}", self.theme.file(f"lms/cc/{STYLESHEET}")))
        entries += [(f"{FILES}/{f.path}", f.data) for f in files]
        entries += [(_assessment_path(a.module), a.xml) for a in assessments]
        out.write_zip(f"lms/{course.id}.imscc", entries)
        note_partial_credit(self.context, course, "cc")
        if course.quizzes:
            self.context.notes.append(
                "cc: Open edX (cc2olx) reads no item weights: there every item counts 1 point, "
                "each part of a matching or ordering question too"
            )
        self.context.step("cartridge")

    # ------------------------------------------------------------ lessons

    def _lesson(self, course: Course, module: Module, strings) -> _Lesson:
        pages = {f"{m.folder}/lesson.md": f"{m.id}.html" for m in course.modules}

        def url(path: str) -> str:
            if path in pages:
                return pages[path]
            if is_source_file(path):
                return "#"
            return f"../files/{url_path(path)}"

        segments = [
            {"kind": s.kind, "title": getattr(s, "title", ""), "html": rewrite_local(s.html, url)}
            for s in module.lesson.segments_for("learner")
        ]
        page = self.theme.render(
            "lms/cc/lesson.html",
            course=course,
            module=module,
            objectives=[rewrite_local(o.html, url) for o in module.objectives],
            segments=segments,
            t=strings,
            stylesheet=STYLESHEET,
        )
        return _Lesson(module, page)

    # ------------------------------------------------------------ quizzes

    def _assessment(self, course: Course, module: Module, quiz: Quiz, strings) -> _Assessment:
        filebase = f"$IMS-CC-FILEBASE$../{FILES}/"
        scale = self._weight_scale(module, quiz)
        writer = QtiItems(
            "cc",
            strings,
            html=lambda text: rewrite_local(text, lambda path: filebase + url_path(path)),
            warn=question_warner(self.context),
            shuffle=quiz.shuffle_choices,
            weight_scale=scale,
        )
        if quiz.pick is not None:
            warn_quiz(
                self.context,
                module,
                f"Common Cartridge cannot draw {quiz.pick} of the {len(quiz.questions)} questions at random: "
                "the cartridge's quiz asks them all (set a random draw in the LMS after import)",
            )
        root = questestinterop("cc")
        assessment = sub(root, "assessment", ident=ident("quiz", module.id), title=quiz_title(module, quiz, strings))
        fields = [
            ("cc_profile", "cc.exam.v0p1"),
            ("qmd_assessmenttype", "Examination"),
            ("qmd_scoretype", "Percentage"),
            ("qmd_feedbackpermitted", "Yes"),
            ("qmd_hintspermitted", "Yes" if any(q.hint for q in quiz.questions) else "No"),
            ("cc_maxattempts", str(quiz.max_attempts) if quiz.max_attempts else "unlimited"),
        ]
        metadata(assessment, fields)
        if quiz.passing_score is not None:
            # The profile has no passing score: state it where people read it.
            rubric = sub(assessment, "rubric")
            score = strings["export_passing_score"].format(score=decimal_text(quiz.passing_score))
            sub(sub(rubric, "material"), "mattext", score, texttype="text/plain")
        section = sub(assessment, "section", ident=ident("section", module.id))
        for question in quiz.questions:
            for item in writer.items(question):
                section.append(item)
        return _Assessment(module, quiz, document(root))

    def _weight_scale(self, module: Module, quiz: Quiz) -> int | None:
        scale = weight_scale(quiz.questions, split=True)
        total = sum(exact(q.points) for q in quiz.scored_questions)
        if scale is None:
            warn_quiz(
                self.context,
                module,
                f"Common Cartridge item weights are whole numbers from 1 to {MAX_WEIGHT}, and no whole factor makes "
                "this quiz's weights so: items whose weight is not whole are left unweighted (Moodle and Canvas count them 1 point)",
            )
        elif scale > 1:
            warn_quiz(
                self.context,
                module,
                f"Common Cartridge item weights are whole numbers: every weight in this quiz is multiplied by {scale}, "
                "so that each question, and each part of a split matching or ordering question, keeps its share; "
                f"the quiz's points in Moodle and Canvas add up to {decimal_text(float(total * scale))} instead of "
                f"{decimal_text(float(total))}, and every percentage is the same",
            )
        return scale

    # ------------------------------------------------------------ manifest

    def _manifest(self, course: Course, lessons, assessments, file_paths: list[str], strings) -> bytes:
        root = element(
            "manifest",
            identifier=ident("cartridge", course.id),
            xmlns=CC_NAMESPACE,
            xmlns_lomimscc=LOM_MANIFEST,
            xmlns_xsi="http://www.w3.org/2001/XMLSchema-instance",
            xsi_schemaLocation=SCHEMA_LOCATION,
        )
        self._metadata(root, course)
        organization = sub(sub(root, "organizations"), "organization", identifier="organization", structure="rooted-hierarchy")
        top = sub(organization, "item", identifier="organization-root")
        quizzes = {a.module.id: a for a in assessments}
        for module in course.modules:
            folder = sub(top, "item", identifier=ident("module", module.id))
            sub(folder, "title", f"{module.number}. {module.title}")
            lesson = sub(folder, "item", identifier=ident("module-lesson", module.id), identifierref=ident("lesson", module.id))
            sub(lesson, "title", module.title)
            if module.id in quizzes:
                quiz = quizzes[module.id].quiz
                item = sub(folder, "item", identifier=ident("module-quiz", module.id), identifierref=ident("quiz", module.id))
                sub(item, "title", quiz_title(module, quiz, strings))

        resources = sub(root, "resources")
        file_ids = {path: file_ident(path) for path in file_paths}
        for lesson in lessons:
            page = f"{LESSONS}/{lesson.module.id}.html"
            resource = sub(resources, "resource", identifier=ident("lesson", lesson.module.id), type=WEBCONTENT, href=page)
            sub(resource, "file", href=page)
            sub(resource, "dependency", identifierref=STYLE_RESOURCE)
            for path in _used(file_ids, _lesson_texts(lesson.module)):
                sub(resource, "dependency", identifierref=file_ids[path])
        style = sub(resources, "resource", identifier=STYLE_RESOURCE, type=WEBCONTENT)
        sub(style, "file", href=f"{LESSONS}/{STYLESHEET}")
        for assessment in assessments:
            resource = sub(resources, "resource", identifier=ident("quiz", assessment.module.id), type=ASSESSMENT)
            sub(resource, "file", href=_assessment_path(assessment.module))
            for path in _used(file_ids, quiz_texts(assessment.quiz)):
                sub(resource, "dependency", identifierref=file_ids[path])
        for path, file_id in file_ids.items():
            resource = sub(resources, "resource", identifier=file_id, type=WEBCONTENT)
            sub(resource, "file", href=f"{FILES}/{path}")
        return document(root)

    @staticmethod
    def _metadata(root: ET.Element, course: Course) -> None:
        meta = sub(root, "metadata")
        sub(meta, "schema", "IMS Common Cartridge")
        sub(meta, "schemaversion", "1.1.0")
        lom = sub(meta, "lomimscc:lom")
        general = sub(lom, "lomimscc:general")
        identifier = sub(general, "lomimscc:identifier")
        sub(identifier, "lomimscc:catalog", "coursepack")
        sub(identifier, "lomimscc:entry", f"{course.id} {course.version}")
        sub(sub(general, "lomimscc:title"), "lomimscc:string", course.title, language=course.language)
        sub(general, "lomimscc:language", course.language)
        description = plain_text(course.description.html) if course.description else ""
        version = f"Version {course.version}"
        text = f"{description}\n\n{version}" if description else version
        sub(sub(general, "lomimscc:description"), "lomimscc:string", text, language=course.language)
        if course.authors or course.organization:
            life_cycle = sub(lom, "lomimscc:lifeCycle")
            for name, role in [(a, "author") for a in course.authors] + (
                [(course.organization, "publisher")] if course.organization else []
            ):
                contribute = sub(life_cycle, "lomimscc:contribute")
                sub(sub(contribute, "lomimscc:role"), "lomimscc:value", role)
                sub(contribute, "lomimscc:entity", name)


def _assessment_path(module: Module) -> str:
    return f"{ident('quiz', module.id)}/assessment.xml"



def _lesson_texts(module: Module) -> list[str]:
    return [s.html for s in module.lesson.segments_for("learner")] + [o.html for o in module.objectives]


def _used(file_ids: dict[str, str], htmls: list[str]) -> list[str]:
    paths = {p for html in htmls for p in local_references(html)}
    return [p for p in file_ids if p in paths]
