"""Every character printed: a course in many scripts, and a character no font draws.

The fixture `pdf-scripts` has a line of Greek, Cyrillic, Arabic, Hebrew,
Devanagari, Japanese, Chinese and Korean, in the lesson and in its quiz. A
missing glyph shows in a WeasyPrint PDF as a font written with an embedded CMap
instead of Identity-H (the case pypdf cannot decode), so `pdffonts` tells it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, require, run_coursepack
from coursepack.printing.glyphs import missing, parse_charsets

GREETINGS = {
    "Greek": "Καλημέρα σας",
    "Russian": "Добро пожаловать",
    "Arabic": "مرحبا بكم في المكتبة",
    "Hebrew": "ברוכים הבאים לספרייה",
    "Hindi": "पुस्तकालय में आपका स्वागत है",
    "Japanese": "図書館へようこそ",
    "Chinese": "欢迎来到图书馆",
    "Korean": "도서관에 오신 것을 환영합니다",
}


def _build(course: Path) -> subprocess.CompletedProcess:
    result = run_coursepack("build", str(course), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    return result


def _fonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, encoding) of each font, as pdffonts lists them."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for row in out.splitlines()[2:]:
        name, _type, encoding, *_ = re.split(r"\s{2,}", row.strip())  # columns are set apart by 2+ spaces
        rows.append((name, encoding))
    return rows


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def tools():
    require(shutil.which("pdffonts") is not None, "pdffonts (poppler-utils)")
    require(shutil.which("fc-list") is not None, "fc-list (fontconfig)")


@pytest.fixture(scope="module")
def scripts(tmp_path_factory, tools):
    course = tmp_path_factory.mktemp("scripts") / "pdf-scripts"
    shutil.copytree(FIXTURES / "pdf-scripts", course)
    result = _build(course)
    return course / "output" / "pdf", result


def test_every_script_prints_with_its_own_font_and_no_missing_glyph(scripts):
    folder, result = scripts
    assert "warning" not in result.stderr, result.stderr
    for name in ("learner", "trainer"):
        fonts = _fonts(folder / f"scripts-{name}.pdf")
        assert all(encoding == "Identity-H" for _, encoding in fonts), fonts  # a CMap of its own: a missing glyph
        families = {font.split("+", 1)[1] for font, _ in fonts}
        for face in ("Noto-Sans-Arabic", "Noto-Sans-Hebrew", "Noto-Sans-Devanagari", "Noto-Sans-CJK-JP"):
            assert face in families, (name, families)


def test_pypdf_reads_the_text_of_every_script(scripts):
    folder, _ = scripts
    for name in ("learner", "trainer"):
        text = _text(folder / f"scripts-{name}.pdf")
        assert "Patrons come from everywhere" in text
        for language, greeting in GREETINGS.items():
            assert greeting in text, (name, language)
        assert "日本語" in text and "図書館" in text


def test_a_character_no_font_draws_is_reported_where_it_was_written(tmp_path, tools):
    course = tmp_path / "pdf-scripts"
    shutil.copytree(FIXTURES / "pdf-scripts", course)
    lesson = course / "modules" / "01-greetings" / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA private sign: \ue000 here.\n", encoding="utf-8")
    quiz = course / "modules" / "01-greetings" / "quiz.yml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("- text: 日本語", '- text: "日本語 \U000e0080"'),
                    encoding="utf-8")
    result = _build(course)
    assert ("modules/01-greetings/lesson.md: warning: no installed font draws '\ue000' (U+E000): "
            "the PDFs print '\ufffd' in its place") in result.stderr
    assert "modules/01-greetings/quiz.yml:2: warning: no installed font draws '\U000e0080' (U+E0080)" in result.stderr
    assert ".notdef" not in result.stderr  # not WeasyPrint's message, which names no source
    learner = course / "output" / "pdf" / "scripts-learner.pdf"
    assert all(encoding == "Identity-H" for _, encoding in _fonts(learner))
    text = _text(learner)
    assert "A private sign: \ufffd here." in text and "Patrons come from everywhere" in text


def test_a_missing_glyph_shows_in_pdffonts_as_the_tests_above_expect(tmp_path, tools):
    """The check the tests rely on can fail: a glyph WeasyPrint cannot find gives a font with its own CMap."""
    from weasyprint import HTML

    HTML(string="<p>A private sign: \ue000 here.</p>").write_pdf(tmp_path / "box.pdf")
    assert any(encoding != "Identity-H" for _, encoding in _fonts(tmp_path / "box.pdf"))


def test_coverage_comes_from_fontconfig_charsets():
    coverage = parse_charsets("20-7e a0-17f 3b1 e000-e00f".split())
    assert missing("Ab α\ue005 ω\u200d\ufe0f", coverage) == ["ω"]  # joiners and selectors draw nothing
    assert "\ue010" not in coverage and "~" in coverage
