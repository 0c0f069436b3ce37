"""The print editions, read back as a user's PDF tools read them.

Two fixture courses are built once per module with `coursepack build --format
pdf`: `pdf-worksheet` (every question type, every learning block, unique
MARKER strings for what must or must not reach each edition, a raster image, a
web image, links between modules, a worksheet too long for one page) and
`pdf-french` (French strings, an explicit page size). The sample course's PDFs
come from the session's shared build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, require, run_coursepack

EPOCH = "1718236800"  # 13 June 2024, 00:00 UTC
MM = 72 / 25.4


def _build(tmp_path_factory, name: str) -> tuple[Path, subprocess.CompletedProcess]:
    course = tmp_path_factory.mktemp(name) / name
    shutil.copytree(FIXTURES / name, course)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        result = run_coursepack("build", str(course), "--format", "pdf")
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    assert result.returncode == 0, result.stderr
    return course / "output" / "pdf", result


@pytest.fixture(scope="module")
def tools():
    for tool in ("pdftotext", "pdffonts", "pdftoppm"):
        require(shutil.which(tool) is not None, f"{tool} (poppler-utils)")


@pytest.fixture(scope="module")
def worksheet_build(tmp_path_factory, tools):
    return _build(tmp_path_factory, "pdf-worksheet")


@pytest.fixture(scope="module")
def pdfs(worksheet_build) -> dict[str, Path]:
    folder, _ = worksheet_build
    return {name: folder / f"print-fixture-{name}.pdf" for name in ("learner", "trainer", "certificate")}


@pytest.fixture(scope="module")
def french(tmp_path_factory, tools) -> dict[str, Path]:
    folder, _ = _build(tmp_path_factory, "pdf-french")
    return {name: folder / f"cours-fr-{name}.pdf" for name in ("learner", "trainer", "certificate")}


@pytest.fixture(scope="module")
def sample(sample_build, tools) -> dict[str, Path]:
    return {name: sample_build / "pdf" / f"library-service-{name}.pdf" for name in ("learner", "trainer", "certificate")}


def pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext lays it out."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def text(pdf: Path) -> str:
    return "\n".join(pages(pdf))


def squashed(value: str) -> str:
    return re.sub(r"\s+", "", value).casefold()


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    reader = PdfReader(pdf)
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


LEARNER_ONLY_ABSENT = [
    "TRAINER-MARKER-OSPREY", "TRAINER-MARKER-KESTREL",  # trainer notes
    "EXPLAIN-MARKER", "HINT-MARKER", "FEEDBACK-MARKER",  # what gives answers away
    "SAMPLE-MARKER-OPEN", "Xylopelican", "xylo-pelican", "4817",  # answers
    "Answer key", "Session plan", "Trainer note",
]


# ---------------------------------------------------------------- what each edition holds


def test_learner_workbook_holds_lessons_blocks_and_every_question(pdfs):
    learner = text(pdfs["learner"])
    for expected in ["Learner workbook", "Contents", "Name the three birds of the fixture", "Pelicans fish in groups",
                     "SCENARIO-MARKER-PELICAN", "REFLECT-MARKER-HERON", "FOOTNOTE-MARKER-TERN",
                     "SINGLE-PROMPT", "MULTIPLE-PROMPT", "TRUEFALSE-PROMPT", "FILLBLANK-PROMPT", "NUMERIC-PROMPT",
                     "MATCHING-PROMPT", "ORDERING-PROMPT", "OPEN-PROMPT", "Sings at dawn", "ORDER-ITEM-FOUR",
                     "Tick one answer.", "Tick every answer that applies.", "Number the items from 1 to 4",
                     "answers are not used", "SECOND-MODULE-BODY"]:
        assert expected in learner, expected


def test_learner_workbook_gives_nothing_away(pdfs):
    learner = text(pdfs["learner"]).casefold()  # labels print in capitals
    trainer = text(pdfs["trainer"]).casefold()
    for marker in LEARNER_ONLY_ABSENT:
        assert marker.casefold() in trainer, marker  # so that its absence below means something
        assert marker.casefold() not in learner, marker
    assert "___" not in learner  # the blank is a line to write on, not the source's underscores


def test_trainer_edition_adds_notes_key_hints_and_sample_answers(pdfs):
    trainer = text(pdfs["trainer"])
    for expected in ["Trainer edition", "Session plan", "TRAINER-MARKER-OSPREY", "TRAINER-MARKER-KESTREL",
                     "EXPLAIN-MARKER-SINGLE", "EXPLAIN-MARKER-MULTIPLE", "EXPLAIN-MARKER-TRUEFALSE",
                     "HINT-MARKER-SINGLE", "FEEDBACK-MARKER-WRONG-PELICAN", "SAMPLE-MARKER-OPEN",
                     "Xylopelican", "xylo-pelican", "4817 ± 2", "Answer key: First worksheet",
                     "SCENARIO-MARKER-PELICAN", "REFLECT-MARKER-HERON"]:
        assert expected in trainer, expected


def _space_below(pdf: Path, marker: str) -> tuple[int, float, float]:
    """(page index, top and bottom in points) of the empty space under the line holding `marker`."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(re.findall(r"<page .*?</page>", out, re.DOTALL)):
        words = [(float(y0), float(y1), word) for y0, y1, word in
                 re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)]
        for y0, y1, word in words:
            if marker in word:
                below = [w0 for w0, _, w in words if w0 > y1 + 2 and "Page" not in w and "workbook" not in w and "edition" not in w]
                height = float(re.search(r'height="([\d.]+)"', page).group(1))
                return number, y1, min(below, default=height - 20 * MM)
    raise AssertionError(f"{marker} not found")


def _rules_in(pdf: Path, page: int, top: float, bottom: float, tmp_path: Path) -> int:
    """How many horizontal rules are drawn across the text column between top and bottom."""
    from PIL import Image

    dpi = 50
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), str(pdf),
                    str(tmp_path / "rules")], check=True)
    image = Image.open(next(tmp_path.glob("rules*.png"))).convert("L")
    scale = dpi / 72
    rows, previous = 0, False
    for y in range(int(top * scale) + 2, int(bottom * scale) - 1):
        dark = sum(1 for x in range(image.width) if image.getpixel((x, y)) < 215)
        is_rule = dark > image.width * 0.5
        rows += is_rule and not previous
        previous = is_rule
    return rows


def test_reflections_have_lines_to_write_on_for_learners_only(pdfs, tmp_path):
    page, top, bottom = _space_below(pdfs["learner"], "REFLECT-MARKER-HERON")
    assert bottom - top > 55 * MM
    assert _rules_in(pdfs["learner"], page, top, bottom, tmp_path / "learner") >= 7
    page, top, bottom = _space_below(pdfs["trainer"], "REFLECT-MARKER-HERON")
    # The trainer's box has no lines: at most its own border and a footnote rule below it.
    assert _rules_in(pdfs["trainer"], page, top, bottom, tmp_path / "trainer") <= 2


def test_sample_course_keeps_trainer_notes_and_sample_answers_out_of_the_learner_workbook(sample):
    learner, trainer = text(sample["learner"]), text(sample["trainer"])
    note = "The observer watches only the first five seconds"
    sample_answer = "instead of feeling they asked a silly"
    for phrase in (note, sample_answer, "ANSWER KEY", "TRAINER NOTE"):
        assert phrase.casefold() in trainer.casefold(), phrase
        assert phrase.casefold() not in learner.casefold(), phrase


def test_answer_key_letters_match_the_printed_worksheet(pdfs):
    learner, trainer = text(pdfs["learner"]), text(pdfs["trainer"])
    printed = re.search(r"\b([A-C])\s+Gannet", learner).group(1)
    key = trainer[trainer.index("Answer key: First worksheet"):]
    single = key[key.index("SINGLE-PROMPT"):key.index("MULTIPLE-PROMPT")]
    assert re.search(rf"CORRECT\s+{printed}\s+Gannet", single), single


def test_ordering_items_print_out_of_order_and_the_key_gives_the_order(pdfs):
    learner = text(pdfs["learner"])
    printed = re.findall(r"ORDER-ITEM-(ONE|TWO|THREE|FOUR)", learner)
    assert sorted(printed) == sorted(["ONE", "TWO", "THREE", "FOUR"])
    assert printed != ["ONE", "TWO", "THREE", "FOUR"]
    trainer = text(pdfs["trainer"])
    key = trainer[trainer.index("Answer key: First worksheet"):]
    assert re.findall(r"ORDER-ITEM-(ONE|TWO|THREE|FOUR)", key) == ["ONE", "TWO", "THREE", "FOUR"]


def test_a_question_never_leaves_its_choices_on_another_page(pdfs):
    learner = pages(pdfs["learner"])
    long_pages = [p for p in learner if "LONGQ-" in p]
    assert len(long_pages) >= 2  # the worksheet is long enough to need a page break
    for q in range(1, 13):
        page = next(p for p in learner if f"LONGQ-{q:02d}-PROMPT" in p)
        for c in range(1, 6):
            assert f"LONGQ-{q:02d}-CHOICE-{c}" in page, (q, c)


# ---------------------------------------------------------------- print quality


def _sizes_mm(pdf: Path) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width) / MM), round(float(p.mediabox.height) / MM)) for p in PdfReader(pdf).pages}


def _size_mm(pdf: Path) -> tuple[int, int]:
    (size,) = _sizes_mm(pdf)
    return size


def test_page_sizes_follow_the_course(pdfs, french, sample):
    assert _size_mm(pdfs["learner"]) == (210, 297)  # en-GB: A4
    assert _size_mm(sample["trainer"]) == (216, 279)  # en: US Letter
    assert _size_mm(french["learner"]) == (216, 279)  # page_size: Letter beats French's A4
    assert _sizes_mm(pdfs["trainer"]) == {(210, 297)}  # every page, not only the first


def test_certificate_is_one_landscape_page(pdfs, sample):
    for pdf, size in ((pdfs["certificate"], (297, 210)), (sample["certificate"], (279, 216))):
        assert len(PdfReader(pdf).pages) == 1
        assert _size_mm(pdf) == size
    certificate = squashed(text(pdfs["certificate"]))  # spaced capitals come out as single letters
    for expected in ["Certificate of completion", "Print fixture course", "Version 2.3", "Fixture Library Service",
                     "Learner’s name", "Trainer’s signature", "Date"]:
        assert squashed(expected) in certificate, expected


def test_bookmarks_for_cover_contents_modules_and_quizzes(pdfs):
    learner = outline(pdfs["learner"])
    titles = [(depth, title) for depth, title, _ in learner]
    for entry in [(0, "Cover"), (0, "Contents"), (0, "1. First module"), (1, "Practice"), (1, "First worksheet"),
                  (0, "2. Second module"), (1, "Long worksheet")]:
        assert entry in titles, entry
    assert not any("Answer key" in t or "Session plan" in t for _, t in titles)
    trainer = [(depth, title) for depth, title, _ in outline(pdfs["trainer"])]
    for entry in [(0, "Session plan"), (1, "Answer key: First worksheet"), (1, "Answer key: Long worksheet")]:
        assert entry in trainer, entry
    # Each bookmark lands on its page.
    texts = pages(pdfs["learner"])
    for _, title, page in learner:
        if title.startswith(("1. ", "2. ")):
            assert title[3:] in texts[page - 1], title


def test_contents_page_numbers_and_internal_links_are_right(pdfs):
    texts = pages(pdfs["trainer"])
    contents = next(p for p in texts if "Contents" in p and "Session plan" in p)
    for title in ("First module", "Second module", "Session plan"):
        number = int(re.search(rf"{title}[\s.]*(\d+)\s*$", contents, re.MULTILINE).group(1))
        assert title in texts[number - 1]
    with pikepdf.open(pdfs["trainer"]) as doc:
        names = doc.Root.Names.Dests.Names
        destinations = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        page_of = {page.objgen: n for n, page in enumerate(doc.pages)}
        linked = set()
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                    assert str(annot.Dest) in destinations, f"broken link to {annot.Dest}"
                    linked.add(str(annot.Dest))
        # the lesson's link to the next module, and the contents' links, land on the module's first page
        assert {"m-second-module", "m-first-module-quiz", "session-plan"} <= linked
        target = page_of[destinations["m-second-module"][0].objgen]
        assert "MODULE 2" in texts[target] and "Second module" in texts[target]


def test_running_headers_and_page_n_of_m(pdfs):
    texts = pages(pdfs["learner"])
    total = len(texts)
    assert "Page 1 of" not in texts[0]  # the cover has no running header or footer
    for number, page in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert "Print fixture course" in page
    module_page = next(p for p in texts if "SCENARIO-MARKER-PELICAN" in p)
    assert module_page.lstrip().startswith("Print fixture course") and "First module" in module_page.splitlines()[0]


def test_nothing_is_cut_off_at_the_page_edges(pdfs, sample):
    for pdf in (pdfs["learner"], pdfs["trainer"], pdfs["certificate"], sample["trainer"]):
        out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.DOTALL):
            width, height = float(page.group(1)), float(page.group(2))
            for box in re.finditer(r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', page.group(3)):
                x0, y0, x1, y1 = map(float, box.groups())
                margin = 8 * MM  # inside the printable area of any office printer
                assert margin <= x0 and x1 <= width - margin and margin <= y0 and y1 <= height - margin, (pdf.name, box.group(0))


def test_fonts_are_embedded(pdfs):
    for pdf in pdfs.values():
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = out.splitlines()[2:]
        assert rows
        for row in rows:
            assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), row  # the 'emb' column


def test_images_are_embedded_at_full_resolution(pdfs):
    with pikepdf.open(pdfs["learner"]) as doc:
        sizes = {(int(x.Width), int(x.Height)) for page in doc.pages
                 for x in page.Resources.get("/XObject", {}).values() if x.get("/Subtype") == "/Image"}
    assert (640, 320) in sizes  # the PNG's own pixels, not resampled


def test_a_web_image_is_not_fetched_but_named_in_a_warning(worksheet_build, pdfs):
    _, result = worksheet_build
    assert "modules/01-first-module/lesson.md: warning: image 'https://example.invalid/logo.png'" in result.stderr
    assert "A remote logo that a build must not fetch" in text(pdfs["learner"])


def test_document_metadata(pdfs):
    reader = PdfReader(pdfs["learner"])
    info = reader.metadata
    assert info.title == "Print fixture course: Learner workbook"
    assert info.author == "Ada Tester, Ben Checker"
    assert info.subject == "A small course that uses every part of the print format."
    assert info["/CreationDate"].startswith("D:20240613")
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"
    assert PdfReader(pdfs["certificate"]).metadata.title == "Print fixture course: Certificate of completion"


def test_pdfs_are_tagged_for_accessibility(pdfs):
    for name, pdf in pdfs.items():
        with pikepdf.open(pdf) as doc:
            assert doc.Root.MarkInfo.Marked is True
            assert str(doc.Root.Lang) == "en-GB"
            xmp = doc.Root.Metadata.read_bytes().decode()
            assert 'pdfuaid:part="1"' in xmp, name
            kinds, alts = set(), []

            def walk(node):
                if isinstance(node, pikepdf.Array):
                    for kid in node:
                        walk(kid)
                elif isinstance(node, pikepdf.Dictionary):
                    if "/S" in node:
                        kinds.add(str(node.S))
                        if "/Alt" in node:
                            alts.append(str(node.Alt))
                    if "/K" in node:
                        walk(node.K)

            walk(doc.Root.StructTreeRoot.K)
            assert {"/Document", "/H1", "/P"} <= kinds, (name, kinds)
            if name != "certificate":
                assert {"/H2", "/L", "/LI", "/Link"} <= kinds, (name, kinds)
        if name == "learner":
            assert "/Figure" in kinds and "A chart of fishing grounds with a gold frame and a blue circle" in alts


def structure_problems(pdf: Path) -> list[str]:
    """What a screen reader would trip over: marked content or links that the structure tree does not hold."""
    problems = []
    with pikepdf.open(pdf) as doc:
        root = doc.Root.StructTreeRoot
        nums = list(root.ParentTree.Nums)
        parents = dict(zip((int(k) for k in nums[::2]), nums[1::2]))
        if int(root.get("/ParentTreeNextKey", max(parents) + 1)) <= max(parents):
            problems.append("ParentTreeNextKey is not past the last key")
        elements, documents = {}, []

        def walk(node, parent):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid, parent)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.objgen in elements:
                    problems.append(f"{node.S} is in the tree twice")
                elements[node.objgen] = node
                if str(node.S) == "/Document":
                    documents.append(node)
                if node.P.objgen != parent.objgen:
                    problems.append(f"{node.S} does not name its parent")
                if "/K" in node:
                    walk(node.K, node)

        walk(root.K, root)
        if len(documents) != 1:
            problems.append(f"{len(documents)} Document elements")

        def holds(element, mcid, page):
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            for kid in kids:
                if isinstance(kid, int) and kid == mcid:
                    return element.Pg.objgen == page.objgen
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/MCID") == mcid:
                    return kid.get("/Pg", element.get("/Pg")).objgen == page.objgen
            return False

        keys = set()
        for number, page in enumerate(doc.pages, start=1):
            key = int(page.obj.StructParents)
            if key in keys:
                problems.append(f"page {number} shares its StructParents key")
            keys.add(key)
            ids = [int(operands[1].MCID) for operands, operator in pikepdf.parse_content_stream(page)
                   if operator == pikepdf.Operator("BDC") and isinstance(operands[1], pikepdf.Dictionary)
                   and "/MCID" in operands[1]]
            for mcid in ids:
                element = parents[key][mcid]
                if element.objgen not in elements or not holds(element, mcid, page.obj):
                    problems.append(f"page {number}: marked content {mcid} is not held by its element")
            for annotation in page.obj.get("/Annots", []):
                element = parents.get(int(annotation.get("/StructParent", -1)))
                objects = [] if element is None else [k for k in (element.K if isinstance(element.K, pikepdf.Array) else [element.K])
                                                      if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
                if not any(o.Obj.objgen == annotation.objgen for o in objects) or element.objgen not in elements:
                    problems.append(f"page {number}: a link is not in the structure tree")
    return problems


def test_the_structure_tree_holds_every_page_of_the_joined_parts(pdfs, french, sample):
    for pdf in (pdfs["learner"], pdfs["trainer"], pdfs["certificate"], french["trainer"], sample["trainer"]):
        assert structure_problems(pdf) == [], pdf.name


def test_the_page_numbers_are_marked_as_pagination_artifacts(pdfs):
    with pikepdf.open(pdfs["trainer"]) as doc:
        for page in doc.pages[1:]:
            instructions = pikepdf.parse_content_stream(page)
            marks = [operands for operands, operator in instructions if operator == pikepdf.Operator("BDC")
                     and operands[0] == pikepdf.Name.Artifact and operands[1].get("/Type") == "/Pagination"]
            assert marks, "a page number not marked as an artifact"


def test_every_page_has_ink(pdfs, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "20", str(pdfs["learner"]), str(tmp_path / "p")], check=True)
    shots = sorted(tmp_path.glob("p-*.png"))
    assert len(shots) == len(PdfReader(pdfs["learner"]).pages)
    for shot in shots:
        darkest, _ = Image.open(shot).convert("L").getextrema()
        assert darkest < 128, f"{shot.name} is blank"


def test_french_course_prints_french(french):
    learner = pages(french["learner"])
    everything = "\n".join(learner)
    for expected in ["Cahier du participant", "Sommaire", "Vérifiez vos acquis", "Cochez vrai ou faux.", "Vrai", "Faux",
                     f"Page 2 sur {len(learner)}", "13 juin 2024", "RÉFLEXION : VOTRE ACCUEIL",
                     "1 question. Score pour réussir : 80 %."]:
        assert squashed(expected) in squashed(everything), expected
    certificate = squashed(text(french["certificate"]))
    assert squashed("Nous attestons que") in certificate and squashed("1 module") in certificate
    assert "Corrigé" in text(french["trainer"])


def test_a_footnote_stands_at_the_foot_of_the_page_that_calls_it(pdfs):
    for name in ("learner", "trainer"):
        texts = pages(pdfs[name])
        page = next(p for p in texts if "shallow water" in p)
        assert "FOOTNOTE-MARKER-TERN" in page, name
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[-2].startswith("1. FOOTNOTE-MARKER-TERN"), lines[-3:]  # just above the running footer


def test_an_instruction_the_prompt_already_gives_is_not_printed_again(sample):
    learner = text(sample["learner"])
    question = learner.index("Select all that apply.")
    assert "Tick every answer that applies." not in learner[question:question + 120]
    assert "Tick one answer." in learner  # questions that do not say it get the instruction


def test_an_image_title_is_printed_as_its_caption(pdfs):
    learner = text(pdfs["learner"])
    assert "CAPTION-MARKER: the fishing grounds" in learner
    assert learner.index("CAPTION-MARKER") > learner.index("Read the chart")


def test_one_labelling_scheme_numbers_for_questions_letters_for_answers(pdfs):
    learner = text(pdfs["learner"])
    assert re.search(r"\b[A-D]\s+Dives from the air", learner)  # matching answers keep their letters
    assert not re.search(r"\b[1-3]\s+(Gannet|Pelican|Heron)\b", learner)  # prompts: only a box, no number
    assert not re.search(r"\b[a-d]\s+ORDER-ITEM", learner)  # items to order: only a box for the number
    trainer = text(pdfs["trainer"])
    key = trainer[trainer.index("Answer key: First worksheet"):]
    assert re.search(r"NUMBERS IN THE BOXES, TOP TO BOTTOM\s+\d(·\d){3}", key)  # key labels are set in capitals
