"""Shared parts of the LMS export tests: building the fixture course, reading packages back.

The fixture course `tests/fixtures/export-nasty` holds every question type,
XML's and GIFT's special characters in every kind of text, Markdown
formatting, an image in a prompt, a trainer note with an image of its own,
an open question with a sample answer, ids that start with a digit, `pick`,
attempts and fractional points. The readers below are written for the tests,
independently of the exporters: they take a package apart the way an LMS
would and return what a learner would get.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from conftest import FIXTURES, run_coursepack

from coursepack.build import build as run_build
from coursepack.loading import load_course
from coursepack.model import Course, Open, TrainerNote

FIXTURE = "export-nasty"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def build(tmp_path_factory, *formats: str, command: bool = False) -> tuple[Path, str]:
    """A copy of the fixture course built with `formats`: (output folder, warnings and notes).

    `command=True` runs `coursepack build` in a process of its own, as a user
    would; otherwise the build runs in this process, which is much faster.
    """
    root = tmp_path_factory.mktemp("export")
    course_dir = root / FIXTURE
    shutil.copytree(FIXTURES / FIXTURE, course_dir)
    out = root / "output"
    if command:
        result = run_coursepack("build", str(course_dir), "--format", ",".join(formats), "--out", str(out))
        assert result.returncode == 0, result.stderr
        return out, result.stdout + result.stderr
    report = run_build(course_dir, list(formats), out)
    return out, "\n".join([*(str(w) for w in report.warnings), *report.notes])


def fixture_course() -> Course:
    return load_course(FIXTURES / FIXTURE).course


def unzip(path: Path, target: Path) -> dict[str, bytes]:
    """Extract a zip into `target`; return its entries by name."""
    with zipfile.ZipFile(path) as archive:
        archive.extractall(target)
        return {name: archive.read(name) for name in archive.namelist()}


def package_files(lms: Path) -> dict[str, bytes]:
    """Every file of every package in `lms/`, zips opened: name -> bytes."""
    files = {}
    for path in sorted(lms.iterdir()):
        if path.suffix in (".zip", ".imscc"):
            with zipfile.ZipFile(path) as archive:
                files.update({f"{path.name}!{n}": archive.read(n) for n in archive.namelist()})
        else:
            files[path.name] = path.read_bytes()
    return files


def trainer_only_texts(course: Course) -> list[str]:
    """Phrases that only trainers may read: trainer notes and sample answers."""
    texts = []
    for module in course.modules:
        for segment in module.lesson.segments:
            if isinstance(segment, TrainerNote):
                texts += _phrases(segment.html)
        for question in module.quiz.questions if module.quiz else ():
            if isinstance(question, Open) and question.sample_answer:
                texts += _phrases(question.sample_answer.html)
    return texts


def _phrases(html: str) -> list[str]:
    words = plain(html).split()
    return [" ".join(words[i : i + 4]) for i in range(0, max(1, len(words) - 3), 4)]


def plain(html: str) -> str:
    """Visible words of an HTML fragment, spaces collapsed (images count by their alt text)."""
    html = re.sub(r"<img\b[^>]*\balt=\"([^\"]*)\"[^>]*>", r" \1 ", html)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ---------------------------------------------------------------- QTI 1.2 read back


@dataclass
class Item:
    ident: str
    title: str
    metadata: dict[str, str]
    prompt: str  # HTML
    choices: dict[str, str] = field(default_factory=dict)  # response_label ident -> text (one response)
    stems: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # response ident -> (stem, options)
    text_entry: bool = False
    correct: set[str] = field(default_factory=set)  # choice idents or typed answers scored 100
    added: dict[str, str] = field(default_factory=dict)  # response ident -> option ident that adds score
    ranges: list[tuple[float, float]] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)  # itemfeedback ident -> HTML
    hint: str | None = None


def read_qti(xml: bytes) -> tuple[ET.Element, list[Item]]:
    """The assessment element and its items, in document order."""
    root = ET.fromstring(xml)
    assessment = root.find(f"{QTI}assessment")
    return assessment, [_item(node) for node in assessment.iter(f"{QTI}item")]


def _item(node: ET.Element) -> Item:
    meta = {
        f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
        for f in node.iter(f"{QTI}qtimetadatafield")
    }
    presentation = node.find(f"{QTI}presentation")
    item = Item(node.get("ident"), node.get("title"), meta, presentation.find(f"{QTI}material/{QTI}mattext").text)
    lids = presentation.findall(f"{QTI}response_lid")
    if len(lids) == 1 and lids[0].find(f"{QTI}material") is None:
        item.choices = _labels(lids[0])
    for lid in lids:
        stem = lid.find(f"{QTI}material/{QTI}mattext")
        if stem is not None:
            item.stems[lid.get("ident")] = (stem.text, _labels(lid))
    item.text_entry = presentation.find(f"{QTI}response_str") is not None
    for condition in node.iter(f"{QTI}respcondition"):
        setvar = condition.find(f"{QTI}setvar")
        if setvar is None:
            continue
        test = condition.find(f"{QTI}conditionvar")
        if setvar.get("action", "Set") == "Add":
            equal = test.find(f"{QTI}varequal")
            item.added[equal.get("respident")] = equal.text
        elif float(setvar.text) == 100:
            both = test.find(f"{QTI}and")
            either = test.find(f"{QTI}or")
            if both is not None:
                item.correct |= {v.text for v in both.findall(f"{QTI}varequal")}
            elif either is not None:
                item.correct |= {v.text for v in either.findall(f"{QTI}varequal")}
                low, high = either.find(f"{QTI}and/{QTI}vargte"), either.find(f"{QTI}and/{QTI}varlte")
                item.ranges.append((float(low.text), float(high.text)))
            else:
                item.correct |= {v.text for v in test.findall(f"{QTI}varequal")}
    for block in node.findall(f"{QTI}itemfeedback"):
        text = block.find(f".//{QTI}mattext").text
        if block.find(f"{QTI}hint") is not None:
            item.hint = text
        else:
            item.feedback[block.get("ident")] = text
    return item


def _labels(lid: ET.Element) -> dict[str, str]:
    return {
        label.get("ident"): label.find(f"{QTI}material/{QTI}mattext").text
        for label in lid.iter(f"{QTI}response_label")
    }
