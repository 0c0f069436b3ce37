"""`gift`: every module quiz in Moodle's GIFT text format (`lms/<id>.gift`).

Texts are `[html]`: the course's Markdown is rendered already, and Moodle's
own Markdown dialect would read it differently. One `$CATEGORY` per module,
questions titled with their ids, which are also their Moodle id numbers, and
tagged with the course's and the module's ids. What GIFT cannot hold (points,
hints, files, some feedback) is reported as a build warning at the question's
source line; settings it cannot hold, at the quiz's.
"""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.exports.feedback import verdicts
from coursepack.exports.gift import escape, id_and_tags, without_files
from coursepack.exports.shapes import pairing
from coursepack.exports.text import decimal_text
from coursepack.exports.titles import category_path
from coursepack.exports.warnings import note_partial_credit, question_warner, warn_quiz
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


class GiftBuilder(Builder):
    name = "gift"
    description = "module quizzes in Moodle's GIFT format (lms/<id>.gift)"
    order = 73

    def outputs(self, course: Course) -> list[str]:
        return [f"lms/{course.id}.gift"]

    def write(self, course: Course, out: OutputTree) -> None:
        self.strings = self.theme.strings(course.language)
        warn = question_warner(self.context)
        blocks = [f"// {course.title}, version {course.version}: the module quizzes, for Moodle's question bank."]
        for module, quiz in course.quizzes:
            blocks.append(f"$CATEGORY: {category_path(course, module)}")
            if not quiz.shuffle_choices and any(isinstance(q, SHUFFLED) for q in quiz.questions):
                warn_quiz(
                    self.context,
                    module,
                    "GIFT cannot keep choices in order (shuffle_choices is false): Moodle shuffles the choices of "
                    "every question it imports from GIFT, as its site default says; untick \"Shuffle the choices\" "
                    "in those questions after import, or import the Moodle XML export, which keeps the order",
                )
            for question in quiz.questions:
                text, losses = _Question(question, self.strings).gift()
                # No blank line between: Moodle reads a question's comments from its own block.
                blocks.append("\n".join([*id_and_tags(question.id, list(dict.fromkeys([course.id, module.id]))), text]))
                if losses:
                    warn(question, "; ".join(losses))
        out.write_text(f"lms/{course.id}.gift", "\n\n".join(blocks) + "\n")
        hints = sum(1 for _, quiz in course.quizzes for q in quiz.questions if q.hint)
        if hints:
            self.context.notes.append(f"gift: GIFT has no hints: {hints} hint(s) left out (Moodle XML keeps them)")
        if course.quizzes:
            self.context.notes.append(
                "gift: questions only; set the passing score (Grade to pass), attempts, random draws and "
                "question order on the Moodle quiz"
            )
        else:
            self.context.notes.append("gift: the course has no quizzes, so this export holds none")
        note_partial_credit(self.context, course, "gift")
        self.context.step("gift")


# Question types whose choices (or matches) Moodle shuffles.
SHUFFLED = (SingleChoice, MultipleChoice, Matching, Ordering)


class _Question:
    """One question as GIFT, and the list of what it had to leave out."""

    def __init__(self, question: QuestionBase, strings: dict[str, str]):
        self.question = question
        self.strings = strings
        self.losses: list[str] = []
        self.files_lost = False

    def gift(self) -> tuple[str, list[str]]:
        q = self.question
        head = f"::{escape(q.id)}::[html]"
        if isinstance(q, FillBlank):
            before, after = q.prompt_parts
            body = f"{head}{self.text(before)}{{{' '.join(self.fill_blank_answers())}}}{self.text(after)}"
        elif isinstance(q, Matching | Ordering):
            body = head + self.text(pairing(q, self.strings).prompt_html) + self.block(self.pairs())
        else:
            body = head + self.text(q.prompt.html) + self.block(self.answers())
        self.points()
        if self.files_lost:
            self.losses.append("GIFT cannot carry files: images are replaced by their alt text, links to course files by their words")
        return body, self.losses

    # ------------------------------------------------------------ answers per type

    def answers(self) -> list[str]:
        q = self.question
        correct, incorrect = verdicts(q)
        if isinstance(q, SingleChoice):
            return [
                ("=" if c.correct else "~") + self.text(c.text.html) + self.feedback(_own(c), correct if c.correct else incorrect)
                for c in q.choices
            ]
        if isinstance(q, MultipleChoice):
            share = decimal_text(round(100 / sum(c.correct for c in q.choices), 5))
            self.lost(correct, "the feedback for a right answer (GIFT has none for multiple answers)")
            return [
                f"~%{share if c.correct else '-100'}%" + self.text(c.text.html) + self.feedback(_own(c), "" if c.correct else incorrect)
                for c in q.choices
            ]
        if isinstance(q, TrueFalse):
            # GIFT: the first feedback is for a wrong answer, the second for a right one.
            value = "TRUE" if q.answer else "FALSE"
            if correct or incorrect:
                value += "#" + self.text(incorrect) + "#" + self.text(correct)
            return [value]
        if isinstance(q, Numeric):
            lines = [f"#={decimal_text(q.answer)}:{decimal_text(q.tolerance)}" + self.feedback(correct)]
            if incorrect:
                lines.append("~" + self.feedback(incorrect))
            return lines
        if isinstance(q, Open):
            # The sample answer is for trainers: it never enters a package.
            self.lost(correct, "the feedback for a right answer")
            self.lost(incorrect, "the feedback for a wrong answer")
            return []
        raise TypeError(f"no GIFT mapping for question type {q.type}")

    def fill_blank_answers(self) -> list[str]:
        q = self.question
        correct, incorrect = verdicts(q)
        # '*' is Moodle's short-answer wildcard: an author's star stays a star.
        answers = ["=" + self.text(a).replace("*", "\\*") + self.feedback(correct) for a in q.answers]
        if incorrect:
            answers.append("=%0%*" + self.feedback(incorrect))
        return answers + self.explanation()

    def pairs(self) -> list[str]:
        q = self.question
        shape = pairing(q, self.strings)
        if isinstance(q, Ordering):
            self.losses.append(
                "GIFT has no ordering type: exported as a matching question that pairs "
                f"each of the {len(shape.stems)} positions with its item"
            )
        correct, incorrect = verdicts(q)
        self.lost(correct, "the feedback for a right answer (GIFT has none for matching)")
        self.lost(incorrect, "the feedback for a wrong answer (GIFT has none for matching)")
        used = {stem.answer for stem in shape.stems}
        lines = [f"={self.text(stem.html)} -> {self.match(stem.answer)}" for stem in shape.stems]
        lines += [f"= -> {self.match(extra)}" for extra in shape.options if extra not in used]
        return lines

    # ------------------------------------------------------------ pieces

    def block(self, answers: list[str]) -> str:
        lines = answers + self.explanation()
        if not lines:
            return "{}"
        return "{\n" + "".join(f"\t{line}\n" for line in lines) + "}"

    def explanation(self) -> list[str]:
        q = self.question
        return ["####" + self.text(q.explanation.html)] if q.explanation else []

    def feedback(self, *htmls: str) -> str:
        joined = "\n".join(h for h in htmls if h)
        return "#" + self.text(joined) if joined else ""

    def text(self, html: str) -> str:
        html, lost = without_files(html, self.strings["export_image"])
        self.files_lost = self.files_lost or lost
        return escape(html)

    def match(self, text: str) -> str:
        """A matching answer: plain text, where '->' would end it early."""
        if "->" in text:
            self.losses.append("'->' in a matching answer is written '→' (GIFT reads '->' as the pair separator)")
            text = text.replace("->", "→")
        return escape(text)

    def lost(self, html: str, what: str) -> None:
        if html:
            self.losses.append(f"GIFT cannot carry {what}: it is left out")

    def points(self) -> None:
        q = self.question
        if not q.scored:
            self.losses.append("GIFT has no points: Moodle gives this open question 1 point, which the course does not score")
        elif q.points != 1:
            self.losses.append(f"GIFT has no points: Moodle gives this question 1 point instead of {decimal_text(q.points)}")


def _own(choice) -> str:
    return choice.feedback.html if choice.feedback else ""
