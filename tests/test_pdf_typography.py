"""The typesetting of the print editions, read back from the sample course's PDFs.

What a reader notices on paper, measured with poppler (`pdffonts`, `pdftotext
-layout` and `-bbox-layout`): one pair of type families, lines of a readable
length, contents whose page numbers line up, a session plan kept whole with its
total once, an answer grid to mark by, no page left mostly empty but at a
module's end, and a blank certificate with no date printed on it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, require, run_coursepack
from coursepack.loading import load_course
from coursepack.printing.editions import certificate, format_date
from coursepack.theme import Theme

EPOCH = "1718236800"  # 13 June 2024
NAMES = ("learner", "trainer", "certificate")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict[str, Path]:
    for tool in ("pdftotext", "pdffonts"):
        require(shutil.which(tool) is not None, f"{tool} (poppler-utils)")
    out = tmp_path_factory.mktemp("typeset")
    result = run_coursepack("build", str(REPO), "--format", "pdf", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return {name: out / "pdf" / f"library-service-{name}.pdf" for name in NAMES}


def pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def bbox_pages(pdf: Path, layout: bool = False) -> list[str]:
    mode = "-bbox-layout" if layout else "-bbox"
    out = subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.findall(r"<page .*?</page>", out, re.DOTALL)


def words(page: str) -> list[tuple[float, float, float, float, str]]:
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)]


def families(pdf: Path) -> set[str]:
    """Type families of the embedded fonts: 'ABCDEF+Noto-Sans-Bold-Italic' is Noto-Sans."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [row.split()[0].split("+", 1)[-1] for row in out.splitlines()[2:]]
    return {re.sub(r"(-(Bold|Italic|Regular))+$", "", name) for name in names}


def test_one_pair_of_type_families_as_in_the_html_packet(sample):
    for name in ("learner", "trainer"):
        assert families(sample[name]) == {"Noto-Sans", "Noto-Serif"}, name
    assert families(sample["certificate"]) == {"Noto-Serif"}


def test_body_lines_hold_60_to_75_characters(sample):
    """Full lines of paragraphs (a block's last line is short by nature), averaged over the workbook."""
    lengths = []
    for page in bbox_pages(sample["learner"], layout=True):
        for block in re.findall(r"<block .*?</block>", page, re.DOTALL):
            lines = re.findall(r"<line .*?</line>", block, re.DOTALL)
            if len(lines) >= 3:
                lengths += [len(" ".join(re.findall(r">([^<]*)</word>", line))) for line in lines[:-1]]
    assert len(lengths) > 100
    assert 60 <= sum(lengths) / len(lengths) <= 75, sum(lengths) / len(lengths)


def test_contents_numbers_are_right_aligned_after_identical_leaders(sample):
    page = next(p for p in bbox_pages(sample["trainer"]) if ">Contents<" in p)
    rows: dict[float, list] = {}
    for word in words(page):
        rows.setdefault(round(word[3]), []).append(word)
    entries = [sorted(row) for row in rows.values() if any(re.fullmatch(r"\.+", w[4]) for w in row)]
    assert len(entries) >= 13  # session plan, 6 modules, 6 quizzes, 6 keys
    numbers = [row[-1] for row in entries]
    assert all(n[4].isdigit() for n in numbers), [n[4] for n in numbers]
    assert max(n[2] for n in numbers) - min(n[2] for n in numbers) < 0.5  # one right edge
    dots = [w for row in entries for w in row if re.fullmatch(r"\.+", w[4])]
    widths = {round((w[2] - w[0]) / len(w[4]), 1) for w in dots}
    heights = {round(w[3] - w[1], 1) for w in dots}
    assert len(widths) == 1 and len(heights) == 1, (widths, heights)  # the same dots in every entry


def test_session_plan_is_whole_on_one_page_with_its_total_once_after_the_last_row(sample):
    texts = pages(sample["trainer"])
    totals = [(n, m) for n, page in enumerate(texts) for m in re.finditer(r"Total\s+2 h 30 min", page)]
    assert len(totals) == 1, totals
    page = texts[totals[0][0]]
    assert "0:00" in page and "2:10" in page  # the first and the last module start
    assert page.index("2:10") < totals[0][1].start()


def test_each_answer_key_opens_with_a_one_line_answer_grid(sample):
    trainer = "\n".join(pages(sample["trainer"]))
    keys = [m.end() for m in re.finditer(r"Answer key: Check your understanding", trainer)]
    assert len(keys) == 6
    head = re.sub(r"\s+", "", trainer[keys[0]:keys[0] + 300])
    assert head.startswith("Points:5.Passmark:4(80%).1102B3False4patrons5A·B·E"), head


def ink_depth(pdf: Path, tmp_path: Path) -> list[float]:
    """How far down its text block each page is inked, from 0 (empty) to 1 (full).

    Rendered, not read as text: the ruled lines of a reflection or an open question
    fill a page as much as words do. The text block is the page less its margins
    (30 mm above, 22 mm below); the running header and footer stand outside it."""
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    subprocess.run(["pdftoppm", "-gray", "-r", "50", str(pdf), str(tmp_path / "p")], check=True)
    depths = []
    for image in sorted(tmp_path.glob("p-*.pgm")):
        data = image.read_bytes()
        magic, width, height, _maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5"
        width, height = int(width), int(height)
        page_mm = height / 50 * 25.4
        top, bottom = round(height * 31 / page_mm), round(height * (page_mm - 23) / page_mm)
        inked = [y for y in range(top, bottom) if min(pixels[y * width:(y + 1) * width]) < 235]
        depths.append((max(inked) - top) / (bottom - top) if inked else 0.0)
    return depths


# A page breaks before the first block that does not fit, so an inner page can lose at most
# the height of one block that may not split: a question with its choices, a heading with its
# first lines. The sample course's tallest is an open question with its five ruled lines, about
# 80 mm or 35% of the text block, so an inner page is at least 60% full. (Threshold: 235 of 255,
# since a thin grey rule drawn at 50 dpi comes out a light grey.)
LEAST_INNER_PAGE_FILL = 0.6


@pytest.mark.parametrize("name", ["learner", "trainer"])
def test_no_page_is_mostly_empty_except_where_a_module_ends(sample, name, tmp_path):
    texts = pages(sample[name])
    depths = ink_depth(sample[name], tmp_path)
    assert len(depths) == len(texts)
    # Modules start a page; the page before each (and the last) is a module's last, short by nature.
    starts = [i for i, page in enumerate(texts) if re.search(r"^\s*MODULE \d+ ·", page, re.MULTILINE)]
    assert len(starts) == 6
    module_ends = {i - 1 for i in starts} | {len(texts) - 1}
    first_module = starts[0]
    sparse = [(i + 1, round(depth, 2)) for i, depth in enumerate(depths)
              if i >= first_module and i not in module_ends and depth < LEAST_INNER_PAGE_FILL]
    assert sparse == [], f"{name}: pages (number, fill) mostly empty inside a module: {sparse}"


def test_no_learner_module_ends_on_a_page_with_one_question_alone(sample, tmp_path):
    """A module's last page is short by nature, but a worksheet's last question or two going
    over alone (under 40% of a page) wastes a sheet in every learner's copy. Such a module is
    laid out again with fewer, closer writing lines (module 2 of the sample course did end
    on a page 28% full)."""
    texts = pages(sample["learner"])
    depths = ink_depth(sample["learner"], tmp_path)
    starts = [i for i, page in enumerate(texts) if re.search(r"^\s*MODULE \d+ ·", page, re.MULTILINE)]
    module_ends = [i - 1 for i in starts[1:]] + [len(texts) - 1]
    short = [(i + 1, round(depths[i], 2)) for i in module_ends if depths[i] < 0.4]
    assert short == [], f"modules ending on a nearly empty page (number, fill): {short}"


def test_a_blank_certificate_leaves_the_date_to_be_written(sample):
    text = "\n".join(pages(sample["certificate"]))
    assert re.search(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b",
                     text) is None
    spaced_out = re.sub(r"\s+", "", text)  # letter-spaced captions come out in pieces
    assert "DATE" in spaced_out and "LEARNER’SNAME" in spaced_out


def test_a_certificate_made_out_to_a_learner_carries_the_date():
    course, theme = load_course(REPO).course, Theme(REPO)
    date = dt.date(2024, 6, 13)
    named = certificate(course, theme, date, learner="Ada Lovelace").html
    assert "Ada Lovelace" in named and format_date(date, theme.strings("en")) in named
    assert format_date(date, theme.strings("en")) not in certificate(course, theme, date).html


def test_an_answer_key_starts_on_the_page_of_its_first_answer(sample):
    for page in pages(sample["trainer"]):
        if "Answer key: Check your understanding" in page:
            after = page.split("Answer key: Check your understanding", 1)[1]
            assert "CORRECT" in after or "SAMPLE ANSWER" in after, after[:300]
