"""QTI 1.2 items, in the two dialects LMSs import.

`cc` is the Common Cartridge 1.1 profile of QTI 1.2 (`cc_profile` item types;
no `or`, no ranges, no ordering or matching), which Moodle and Canvas both
import from a cartridge. `canvas` is QTI 1.2 as Canvas exports and imports
it (`question_type` metadata, matching, numeric ranges, question groups).

Response processing is laid out for the importers that read it rather than
run it: each choice has one condition (Moodle's cartridge importer takes a
choice's score and feedback from the conditions that name it first), the
scoring condition comes first and holds every accepted answer (Open edX's
cc2olx takes every answer tested up to the first `continue="No"` condition
as right, and Moodle the answers of the first condition that scores), the
question's explanation is the only `continue="Yes"` feedback (Moodle turns
those into general feedback), true/false choices are identified `true` and
`false` (Moodle requires it), the correct choices of a multiple-response
question are compared with `case="Yes"` (how Moodle finds them), and feedback
identifiers follow Canvas's names (`general_fb`, `correct_fb`,
`general_incorrect_fb`, `<choice>_fb`).
"""

from __future__ import annotations

import html as htmllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from coursepack.exports.idents import ident
from coursepack.exports.shapes import Pairing, number_as_text, pairing
from coursepack.exports.text import decimal_text, one_line
from coursepack.exports.weights import exact
from coursepack.exports.xmltree import element, sub
from coursepack.model import (
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

Dialect = Literal["cc", "canvas"]
NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SCHEMA_LOCATION = {
    "cc": "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd",
    "canvas": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd",
}
CC_PROFILE = {
    "single": "cc.multiple_choice.v0p1",
    "multiple": "cc.multiple_response.v0p1",
    "true_false": "cc.true_false.v0p1",
    "fill_blank": "cc.fib.v0p1",
    "numeric": "cc.fib.v0p1",
    "matching": "cc.multiple_choice.v0p1",
    "ordering": "cc.multiple_choice.v0p1",
    "open": "cc.essay.v0p1",
}
CANVAS_TYPE = {
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "true_false": "true_false_question",
    "fill_blank": "short_answer_question",
    "numeric": "numerical_question",
    "matching": "matching_question",
    "ordering": "matching_question",
    "open": "essay_question",
}
RESPONSE = "response1"
GENERAL, CORRECT, INCORRECT, HINT = "general_fb", "correct_fb", "general_incorrect_fb", "hint_fb"


def questestinterop(dialect: Dialect) -> ET.Element:
    return element(
        "questestinterop",
        xmlns=NAMESPACE,
        xmlns_xsi="http://www.w3.org/2001/XMLSchema-instance",
        xsi_schemaLocation=f"{NAMESPACE} {SCHEMA_LOCATION[dialect]}",
    )


def metadata(parent: ET.Element, fields: list[tuple[str, str]]) -> ET.Element:
    node = sub(parent, "qtimetadata")
    for label, entry in fields:
        field = sub(node, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)
    return node


@dataclass(frozen=True)
class _Choice:
    ident: str
    html: str
    correct: bool
    feedback_html: str | None = None


class QtiItems:
    """Writes a question as one QTI item (or, in `cc`, several where it must).

    `html` points a text's local files at where the package keeps them;
    `warn(question, message)` reports what the dialect cannot carry.
    """

    def __init__(
        self,
        dialect: Dialect,
        strings: dict[str, str],
        html: Callable[[str], str],
        warn: Callable[[QuestionBase, str], None],
        shuffle: bool = False,
        weight_scale: int | None = 1,
    ):
        self.dialect = dialect
        self.strings = strings
        self.html = html
        self.warn = warn
        self.shuffle = shuffle
        # `cc`: every item weight is multiplied by this (see exports.weights);
        # None where no factor makes them whole, and fractional weights are left out.
        self.weight_scale = weight_scale

    # ------------------------------------------------------------ per type

    def items(self, question: QuestionBase) -> list[ET.Element]:
        item_id = ident("q", question.id)
        split = isinstance(question, Matching | Ordering)
        if self.dialect == "cc" and question.scored and not split and self._weight(question.points) is None:
            self.warn(
                question,
                f"Moodle reads Common Cartridge weights as whole numbers: the weight of "
                f"{decimal_text(question.points)} point(s) is left out, so Moodle gives 1",
            )
        if isinstance(question, SingleChoice | MultipleChoice):
            choices = [
                _Choice(f"c{n}", c.text.html, c.correct, c.feedback.html if c.feedback else None)
                for n, c in enumerate(question.choices, start=1)
            ]
            return [self._choice_item(question, item_id, question.prompt.html, choices, question.points)]
        if isinstance(question, TrueFalse):
            choices = [
                _Choice("true", self.strings["export_true"], question.answer),
                _Choice("false", self.strings["export_false"], not question.answer),
            ]
            return [self._choice_item(question, item_id, question.prompt.html, choices, question.points)]
        if isinstance(question, FillBlank):
            return [self._text_item(question, item_id, list(question.answers))]
        if isinstance(question, Numeric):
            if self.dialect == "canvas":
                return [self._numeric_item(question, item_id)]
            as_text = number_as_text(question)
            self.warn(
                question,
                "Common Cartridge has no numeric type: exported as fill-in-the-blank, so " + as_text.loss,
            )
            return [self._text_item(question, item_id, list(as_text.spellings))]
        if isinstance(question, Matching | Ordering):
            shape = pairing(question, self.strings)
            if self.dialect == "canvas":
                if isinstance(question, Ordering):
                    self.warn(
                        question,
                        "Canvas QTI has no ordering type: exported as a matching question that pairs "
                        f"each of the {len(shape.stems)} positions with its item",
                    )
                return [self._matching_item(question, item_id, shape)]
            return self._split_items(question, item_id, shape)
        if isinstance(question, Open):
            return [self._essay_item(question, item_id)]
        raise TypeError(f"no QTI mapping for question type {question.type}")

    def _choice_item(self, question, item_id, prompt_html, choices: list[_Choice], points, title=None, last=True, first=True):
        multiple = isinstance(question, MultipleChoice)
        item, presentation, processing = self._item(question, item_id, prompt_html, points, title)
        lid = sub(presentation, "response_lid", ident=RESPONSE, rcardinality="Multiple" if multiple else "Single")
        render = sub(lid, "render_choice", shuffle="Yes" if self.shuffle else "No")
        for choice in choices:
            label = sub(render, "response_label", ident=choice.ident)
            self._material(label, choice.html, inline=True)
        feedback = _Feedback(question, self, with_explanation=last, with_hint=first)
        feedback.explanation(processing)
        if multiple:
            condition = _condition(processing, continue_="No")
            both = sub(sub(condition, "conditionvar"), "and")
            for choice in choices:
                target = both if choice.correct else sub(both, "not")
                sub(target, "varequal", choice.ident, respident=RESPONSE, case="Yes")
            sub(condition, "setvar", "100", action="Set", varname="SCORE")
            feedback.show(condition, CORRECT)
        # One condition per choice, holding its score and all its feedback; the
        # right choice's first, as cc2olx takes every choice named before the
        # first continue="No" condition as right.
        for choice in choices if multiple else sorted(choices, key=lambda c: not c.correct):
            own = f"{choice.ident}_fb" if choice.feedback_html else None
            if own:
                feedback.add(own, choice.feedback_html)
            scores = choice.correct and not multiple
            verdict = None if multiple and choice.correct else (CORRECT if choice.correct else INCORRECT)
            if not (scores or own or feedback.has(verdict)):
                continue
            condition = _condition(processing, continue_="No")
            sub(sub(condition, "conditionvar"), "varequal", choice.ident, respident=RESPONSE)
            if scores:
                sub(condition, "setvar", "100", action="Set", varname="SCORE")
            if own:
                feedback.show(condition, own)
            feedback.show(condition, verdict)
        feedback.otherwise(processing, INCORRECT if multiple else None)
        feedback.write(item)
        return item

    def _text_item(self, question, item_id, answers: list[str]):
        item, presentation, processing = self._item(question, item_id, question.prompt.html, question.points)
        response = sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        render = sub(response, "render_fib", fibtype="String", prompt="Box", columns="30")
        sub(render, "response_label", ident="answer1", rshuffle="No")
        feedback = _Feedback(question, self)
        feedback.explanation(processing)
        # Every accepted answer in one condition, each a varequal of its own, as
        # Canvas exports them: Moodle and cc2olx take the accepted answers from
        # the first condition that scores (cc2olx: up to the first continue="No")
        # and read only varequals placed directly in it, not inside an <or>.
        condition = _condition(processing, continue_="No")
        test = sub(condition, "conditionvar")
        for answer in answers:
            sub(test, "varequal", answer, respident=RESPONSE, case="No")
        sub(condition, "setvar", "100", action="Set", varname="SCORE")
        feedback.show(condition, CORRECT)
        feedback.otherwise(processing, INCORRECT)
        feedback.write(item)
        return item

    def _numeric_item(self, question: Numeric, item_id):
        item, presentation, processing = self._item(question, item_id, question.prompt.html, question.points)
        response = sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        render = sub(response, "render_fib", fibtype="Decimal")
        sub(render, "response_label", ident="answer1")
        feedback = _Feedback(question, self)
        feedback.explanation(processing)
        condition = _condition(processing, continue_="No")
        either = sub(sub(condition, "conditionvar"), "or")
        sub(either, "varequal", decimal_text(question.answer), respident=RESPONSE)
        within = sub(either, "and")
        sub(within, "vargte", decimal_text(question.answer - question.tolerance), respident=RESPONSE)
        sub(within, "varlte", decimal_text(question.answer + question.tolerance), respident=RESPONSE)
        sub(condition, "setvar", "100", action="Set", varname="SCORE")
        feedback.show(condition, CORRECT)
        feedback.otherwise(processing, INCORRECT)
        feedback.write(item)
        return item

    def _matching_item(self, question, item_id, shape: Pairing):
        item, presentation, processing = self._item(question, item_id, shape.prompt_html, question.points)
        option_ids = {text: f"o{n}" for n, text in enumerate(shape.options, start=1)}
        for n, stem in enumerate(shape.stems, start=1):
            lid = sub(presentation, "response_lid", ident=f"response_{n}")
            sub(sub(lid, "material"), "mattext", one_line(stem.html), texttype="text/plain")
            render = sub(lid, "render_choice")
            for text, option_id in option_ids.items():
                sub(sub(sub(render, "response_label", ident=option_id), "material"), "mattext", text)
        feedback = _Feedback(question, self)
        feedback.explanation(processing)
        share = decimal_text(round(100 / len(shape.stems), 4))
        for n, stem in enumerate(shape.stems, start=1):
            condition = _condition(processing, continue_="Yes")
            sub(sub(condition, "conditionvar"), "varequal", option_ids[stem.answer], respident=f"response_{n}")
            sub(condition, "setvar", share, action="Add", varname="SCORE")
        if feedback.has(CORRECT):
            condition = _condition(processing, continue_="No")
            every = sub(sub(condition, "conditionvar"), "and")
            for n, stem in enumerate(shape.stems, start=1):
                sub(every, "varequal", option_ids[stem.answer], respident=f"response_{n}")
            feedback.show(condition, CORRECT)
        feedback.otherwise(processing, INCORRECT)
        feedback.write(item)
        return item

    def _split_items(self, question, item_id, shape: Pairing):
        """One multiple-choice item per stem, sharing the question's points."""
        count = len(shape.stems)
        share = exact(question.points) / count
        kind = "ordering" if isinstance(question, Ordering) else "matching"
        loss = (
            f"Common Cartridge has no {kind} type: exported as {count} multiple-choice items, "
            f"one per {'position' if kind == 'ordering' else 'pair'}, sharing its {decimal_text(question.points)} point(s)"
        )
        if self._weight(share) is None:
            loss += " (Moodle reads cartridge weights as whole numbers: there each item counts 1 point)"
        self.warn(question, loss)
        items = []
        for n, stem in enumerate(shape.stems, start=1):
            choices = [
                _Choice(f"c{k}", htmllib.escape(text, quote=False), text == stem.answer)
                for k, text in enumerate(shape.options, start=1)
            ]
            prompt = f"{shape.prompt_html}\n<p><strong>{stem.html}</strong></p>"
            items.append(
                self._choice_item(
                    question,
                    f"{item_id}-{n}",
                    prompt,
                    choices,
                    share,
                    title=f"{question.id} ({n}/{count})",
                    first=n == 1,
                    last=n == count,
                )
            )
        return items

    def _essay_item(self, question: Open, item_id):
        # The sample answer is for trainers: it never enters a package.
        item, presentation, processing = self._item(question, item_id, question.prompt.html, 0)
        response = sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        sub(sub(response, "render_fib", rows="8"), "response_label", ident="answer1", rshuffle="No")
        feedback = _Feedback(question, self)
        feedback.explanation(processing)
        condition = _condition(processing, continue_="No")
        sub(sub(condition, "conditionvar"), "other")
        feedback.write(item)
        return item

    # ------------------------------------------------------------ parts

    def _item(self, question, item_id, prompt_html, points, title=None):
        item = element("item", ident=item_id, title=title or question.id)
        fields = []
        if self.dialect == "cc":
            fields.append(("cc_profile", CC_PROFILE[question.type]))
            weight = self._weight(points)
            if weight is not None:
                fields.append(("cc_weighting", str(weight)))
            if isinstance(question, Open):
                fields.append(("qmd_computerscored", "No"))
        else:
            fields.append(("question_type", CANVAS_TYPE[question.type]))
            fields.append(("points_possible", decimal_text(float(points))))
        metadata(sub(item, "itemmetadata"), fields)
        presentation = sub(item, "presentation")
        self._material(presentation, prompt_html)
        processing = element("resprocessing")
        outcomes = sub(processing, "outcomes")
        sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
        item.append(processing)
        return item, presentation, processing

    def _weight(self, points) -> int | None:
        """The item's whole-number weight in the cartridge, or None where it has none."""
        weight = exact(points) * (self.weight_scale or 1)
        return int(weight) if weight.denominator == 1 else None

    def _material(self, parent, html: str, inline: bool = False) -> None:
        html = self.html(html)
        mattext = sub(sub(parent, "material"), "mattext")
        if inline and "<" not in html and "&" not in html:
            mattext.text = html
            mattext.set("texttype", "text/plain")
        else:
            mattext.text = html
            mattext.set("texttype", "text/html")



def _condition(processing: ET.Element, continue_: str) -> ET.Element:
    return sub(processing, "respcondition", **{"continue": continue_})


class _Feedback:
    """The itemfeedback blocks of one item and the conditions that show them."""

    def __init__(self, question: QuestionBase, writer: QtiItems, with_explanation=True, with_hint=True):
        self.writer = writer
        self.blocks: dict[str, str] = {}
        self.hint = question.hint.html if with_hint and question.hint else None
        if with_explanation and question.explanation:
            self.blocks[GENERAL] = question.explanation.html
        if question.feedback and question.feedback.correct:
            self.blocks[CORRECT] = question.feedback.correct.html
        if question.feedback and question.feedback.incorrect:
            self.blocks[INCORRECT] = question.feedback.incorrect.html

    def has(self, ident: str | None) -> bool:
        return ident is not None and ident in self.blocks

    def add(self, ident: str, html: str) -> None:
        self.blocks[ident] = html

    def show(self, condition: ET.Element, ident: str | None) -> None:
        if self.has(ident):
            sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=ident)

    def explanation(self, processing: ET.Element) -> None:
        """Shown whatever the answer: Moodle makes it the general feedback."""
        if self.has(GENERAL):
            condition = _condition(processing, continue_="Yes")
            sub(sub(condition, "conditionvar"), "other")
            self.show(condition, GENERAL)

    def otherwise(self, processing: ET.Element, ident: str | None) -> None:
        if self.has(ident):
            condition = _condition(processing, continue_="No")
            sub(sub(condition, "conditionvar"), "other")
            self.show(condition, ident)

    def write(self, item: ET.Element) -> None:
        for block_id, html in self.blocks.items():
            block = sub(item, "itemfeedback", ident=block_id)
            self.writer._material(sub(block, "flow_mat"), html)
        if self.hint:
            block = sub(item, "itemfeedback", ident=HINT)
            self.writer._material(sub(sub(sub(block, "hint"), "hintmaterial"), "flow_mat"), self.hint)
