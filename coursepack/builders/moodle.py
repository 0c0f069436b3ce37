"""`moodle`: every module quiz as Moodle XML (`lms/<id>-moodle.xml`), for Moodle's question bank.

One question category per module under one for the course. Texts are HTML
(`format="html"`, escaped, not CDATA); images and files travel inside the
text that uses them, base64-encoded, as Moodle's own export does. Moodle XML
holds questions only: passing score, attempts and random draws are settings
of the Moodle quiz the questions are added to. Ordering questions are
Moodle's ordering type (`qtype_ordering`, standard since Moodle 4.4), marked
all-or-nothing as the course marks them.
"""

from __future__ import annotations

import base64
import posixpath
import xml.etree.ElementTree as ET
from urllib.parse import quote

from coursepack.builders.base import Builder
from coursepack.exports.feedback import verdicts
from coursepack.exports.files import is_source_file
from coursepack.exports.shapes import pairing
from coursepack.exports.text import decimal_text, rewrite_local
from coursepack.exports.titles import category_path
from coursepack.exports.warnings import note_partial_credit, question_warner
from coursepack.exports.xmltree import document, element, sub
from coursepack.model import (
    Course,
    FillBlank,
    Matching,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    QuestionBase,
    SingleChoice,
    TrueFalse,
)
from coursepack.writer import OutputTree

PENALTY = "0.3333333"  # Moodle's default: a third of the mark lost per extra try
# The fractions Moodle accepts for an answer, in percent (its grade options).
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)


class MoodleXmlBuilder(Builder):
    name = "moodle"
    description = "module quizzes as Moodle XML (lms/<id>-moodle.xml)"
    order = 72

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}-moodle.xml"]

    def write(self, course: Course, out: OutputTree) -> None:
        self.course = course
        self.strings = self.theme.strings(course.language)
        self.warn = question_warner(self.context)
        root = element("quiz")
        for module, quiz in course.quizzes:
            self.tags = list(dict.fromkeys([course.id, module.id]))
            category = sub(root, "question", type="category")
            sub(sub(category, "category"), "text", category_path(course, module))
            sub(sub(category, "info", format="html"), "text", "")
            for question in quiz.questions:
                root.append(self._question(question, quiz.shuffle_choices))
        out.write_bytes(f"lms/{course.id}-moodle.xml", document(root))
        if course.quizzes:
            self.context.notes.append(
                "moodle: questions only; set the passing score (Grade to pass), attempts and random draws on the Moodle quiz"
            )
        if not course.quizzes:
            self.context.notes.append("moodle: the course has no quizzes, so this export holds none")
        note_partial_credit(self.context, course, "moodle", types=("multiple", "matching"))
        if any(isinstance(q, Ordering) for _, quiz in course.quizzes for q in quiz.questions):
            self.context.notes.append(
                "moodle: ordering questions are Moodle's ordering type, standard since Moodle 4.4 (before, the qtype_ordering plugin)"
            )
        self.context.step("moodle")

    # ------------------------------------------------------------ questions

    def _question(self, question: QuestionBase, shuffle: bool) -> ET.Element:
        kind = {
            SingleChoice: "multichoice",
            MultipleChoice: "multichoice",
            TrueFalse: "truefalse",
            FillBlank: "shortanswer",
            Numeric: "numerical",
            Matching: "matching",
            Ordering: "ordering",
            Open: "essay",
        }[type(question)]
        node = element("question", type=kind)
        sub(sub(node, "name"), "text", question.id)
        self._text(node, "questiontext", self._prompt(question))
        self._text(node, "generalfeedback", question.explanation.html if question.explanation else "")
        sub(node, "defaultgrade", decimal_text(question.points if question.scored else 0))
        sub(node, "penalty", PENALTY)
        sub(node, "hidden", "0")
        sub(node, "idnumber", question.id)
        tags = sub(node, "tags")
        for tag in self.tags:
            sub(sub(tags, "tag"), "text", tag)
        if isinstance(question, SingleChoice | MultipleChoice):
            self._choices(node, question, shuffle)
        elif isinstance(question, TrueFalse):
            self._true_false(node, question)
        elif isinstance(question, FillBlank):
            self._short_answer(node, question)
        elif isinstance(question, Numeric):
            self._numerical(node, question)
        elif isinstance(question, Matching):
            self._matching(node, question, shuffle)
        elif isinstance(question, Ordering):
            self._ordering(node, question)
        else:
            self._essay(node)
        if question.hint:
            self._text(node, "hint", question.hint.html)
        return node

    def _prompt(self, question: QuestionBase) -> str:
        if isinstance(question, Matching):
            return pairing(question, self.strings).prompt_html
        return question.prompt.html

    def _choices(self, node, question, shuffle: bool) -> None:
        multiple = isinstance(question, MultipleChoice)
        sub(node, "single", "false" if multiple else "true")
        sub(node, "shuffleanswers", "true" if shuffle else "false")
        sub(node, "answernumbering", "abc")
        sub(node, "showstandardinstruction", "0")
        self._combined_feedback(node, question, partially=multiple)
        correct = sum(c.correct for c in question.choices)
        share = round(100 / correct, 5)
        if multiple and not any(abs(share - f) < 0.001 for f in MOODLE_FRACTIONS):
            self.warn(question, f"Moodle cannot give each of {correct} correct choices an equal share: its import may refuse the question")
        for choice in question.choices:
            if multiple:
                fraction = decimal_text(share) if choice.correct else "-100"
            else:
                fraction = "100" if choice.correct else "0"
            answer = self._text(node, "answer", choice.text.html, fraction=fraction)
            self._text(answer, "feedback", choice.feedback.html if choice.feedback else "")

    def _true_false(self, node, question: TrueFalse) -> None:
        correct, incorrect = verdicts(question)
        for value in (True, False):
            right = value == question.answer
            answer = sub(node, "answer", fraction="100" if right else "0", format="moodle_auto_format")
            sub(answer, "text", "true" if value else "false")
            self._text(answer, "feedback", correct if right else incorrect)

    def _short_answer(self, node, question: FillBlank) -> None:
        sub(node, "usecase", "0")
        correct, incorrect = verdicts(question)
        for text in question.answers:
            # '*' is Moodle's wildcard; an author's star is a star.
            answer = sub(node, "answer", fraction="100", format="moodle_auto_format")
            sub(answer, "text", text.replace("*", "\\*"))
            self._text(answer, "feedback", correct)
        if incorrect:
            answer = sub(node, "answer", fraction="0", format="moodle_auto_format")
            sub(answer, "text", "*")
            self._text(answer, "feedback", incorrect)

    def _numerical(self, node, question: Numeric) -> None:
        correct, incorrect = verdicts(question)
        answer = sub(node, "answer", fraction="100", format="moodle_auto_format")
        sub(answer, "text", decimal_text(question.answer))
        self._text(answer, "feedback", correct)
        sub(answer, "tolerance", decimal_text(question.tolerance))
        if incorrect:
            other = sub(node, "answer", fraction="0", format="moodle_auto_format")
            sub(other, "text", "*")
            self._text(other, "feedback", incorrect)
            sub(other, "tolerance", "0")
        sub(node, "unitgradingtype", "0")
        sub(node, "unitpenalty", "0.1000000")
        sub(node, "showunits", "3")  # no units
        sub(node, "unitsleft", "0")

    def _matching(self, node, question: Matching, shuffle: bool) -> None:
        shape = pairing(question, self.strings)
        sub(node, "shuffleanswers", "true" if shuffle else "false")
        self._combined_feedback(node, question, partially=True)
        for stem in shape.stems:
            pair = self._text(node, "subquestion", stem.html)
            sub(sub(pair, "answer"), "text", stem.answer)
        used = {stem.answer for stem in shape.stems}
        for extra in (o for o in shape.options if o not in used):
            pair = self._text(node, "subquestion", "")
            sub(sub(pair, "answer"), "text", extra)

    def _ordering(self, node, question: Ordering) -> None:
        # Without these Moodle's importer would show a random 6 of the items and give part marks.
        for tag, value in [
            ("layouttype", "VERTICAL"),
            ("selecttype", "ALL"),
            ("selectcount", str(len(question.items))),
            ("gradingtype", "ALL_OR_NOTHING"),
            ("showgrading", "SHOW"),
            ("numberingstyle", "none"),
        ]:
            sub(node, tag, value)
        self._combined_feedback(node, question, partially=False)
        sub(node, "shownumcorrect", "1")  # this type reads a value, not the empty element
        # In the right order: Moodle numbers them so, and shuffles them for the learner.
        for n, item in enumerate(question.items, start=1):
            self._text(node, "answer", item.html, fraction=str(n))

    def _essay(self, node) -> None:
        # graderinfo stays empty: sample answers are for trainers, never in a package.
        for tag, value in [
            ("responseformat", "editor"),
            ("responserequired", "1"),
            ("responsefieldlines", "10"),
            ("attachments", "0"),
            ("attachmentsrequired", "0"),
        ]:
            sub(node, tag, value)
        self._text(node, "graderinfo", "")
        self._text(node, "responsetemplate", "")

    def _combined_feedback(self, node, question, partially: bool) -> None:
        correct, incorrect = verdicts(question)
        self._text(node, "correctfeedback", correct)
        self._text(node, "partiallycorrectfeedback", incorrect if partially else "")
        self._text(node, "incorrectfeedback", incorrect)
        if partially:
            sub(node, "shownumcorrect")

    # ------------------------------------------------------------ texts and files

    def _text(self, parent, tag: str, html: str, **attributes: str) -> ET.Element:
        """A Moodle text field: `<tag format="html"><text>…</text><file …/></tag>`."""
        node = sub(parent, tag, **attributes, format="html")
        files: dict[str, bytes] = {}

        def embed(path: str) -> str:
            if is_source_file(path):
                return "#"
            try:
                data = self.course.asset(path).data
            except KeyError:
                return path
            name = posixpath.basename(path)
            while name in files and files[name] != data:
                name = f"{len(files) + 1}-{posixpath.basename(path)}"
            files[name] = data
            return "@@PLUGINFILE@@/" + quote(name)

        sub(node, "text", rewrite_local(html, embed))
        for name, data in files.items():
            sub(node, "file", base64.b64encode(data).decode("ascii"), name=name, path="/", encoding="base64")
        return node
