"""The PDF step's cache and processes: reuse only what is unchanged, never a wrong PDF.

The builder runs in-process here, on a copy of the small French fixture, with
a cache folder of its own; each test starts from a fresh copy.
"""

from __future__ import annotations

import datetime as dt
import re
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, require
from coursepack.builders.base import BuildContext
from coursepack.builders.pdf import PdfBuilder, pdf_jobs
from coursepack.loading import load_course
from coursepack.printing import pdf_cache
from coursepack.printing.editions import editions
from coursepack.printing.pdf_render import ARCHIVAL, PdfJob, RenderPool, render
from coursepack.theme import Theme
from coursepack.writer import OutputTree

NAMES = ("learner", "trainer", "certificate")


@pytest.fixture
def course_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718236800")
    target = tmp_path / "course"
    shutil.copytree(FIXTURES / "pdf-french", target)
    return target


def build(course_dir: Path, cache: Path | None, out: Path, warnings: list | None = None) -> tuple[dict[str, bytes], str]:
    """One run of the PDF step; returns the PDFs and the step's summary note."""
    context = BuildContext(theme=Theme(course_dir), cache_dir=cache)
    PdfBuilder(context).write(load_course(course_dir).course, OutputTree(out))
    if warnings is not None:
        warnings.extend(str(w) for w in context.warnings)
    return {name: (out / "pdf" / f"cours-fr-{name}.pdf").read_bytes() for name in NAMES}, context.notes[-1]


def test_an_unchanged_course_comes_from_the_cache(course_dir, tmp_path):
    first, note = build(course_dir, tmp_path / "cache", tmp_path / "out1")
    # learner and trainer: a front part (laid out twice: without, then with its page numbers),
    # the module's part and one document of page labels each; the trainer's session plan; the certificate whole
    assert "printed in 6 parts: 10 laid out, 0 from the cache" in note
    second, note = build(course_dir, tmp_path / "cache", tmp_path / "out2")
    assert ": 0 laid out," in note
    assert second == first


def test_two_cold_builds_give_the_same_bytes(course_dir, tmp_path):
    first, _ = build(course_dir, tmp_path / "cache1", tmp_path / "out1")
    second, _ = build(course_dir, tmp_path / "cache2", tmp_path / "out2")
    assert first == second


def test_a_change_re_renders_only_the_part_it_shows_in(course_dir, tmp_path):
    first, _ = build(course_dir, tmp_path / "cache", tmp_path / "out1")
    quiz = course_dir / "modules" / "01-accueil" / "quiz.yml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "    explanation: NOUVELLE-EXPLICATION\n", encoding="utf-8")
    second, note = build(course_dir, tmp_path / "cache", tmp_path / "out2")
    assert ": 1 laid out," in note  # an explanation prints in the trainer edition's module only
    assert second["learner"] == first["learner"] and second["certificate"] == first["certificate"]
    assert "NOUVELLE-EXPLICATION" in "".join(p.extract_text() for p in PdfReader(tmp_path / "out2/pdf/cours-fr-trainer.pdf").pages)
    # The replaced entries left the cache: one entry per document and part remains.
    kept = [p.name.rsplit("-", 1)[0] for p in (tmp_path / "cache" / "pdf").glob("*.pdf")]
    assert sorted(kept) == sorted(set(kept))
    assert {"cours-fr-certificate", "cours-fr-learner", "cours-fr-trainer", "cours-fr-trainer-m-accueil",
            "cours-fr-trainer-front", "cours-fr-trainer-labels-1"} <= set(kept)


def test_the_entries_of_a_deleted_module_leave_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718236800")
    course_dir = tmp_path / "course"
    shutil.copytree(FIXTURES / "pdf-worksheet", course_dir)

    def entries() -> set[str]:
        context = BuildContext(theme=Theme(course_dir), cache_dir=tmp_path / "cache")
        PdfBuilder(context).write(load_course(course_dir).course, OutputTree(tmp_path / "out"))
        return {p.name.rsplit("-", 1)[0] for p in (tmp_path / "cache" / "pdf").glob("*.pdf")}

    assert "print-fixture-learner-m-second-module" in entries()
    shutil.rmtree(course_dir / "modules" / "02-second-module")
    (course_dir / "modules" / "01-first-module" / "lesson.md").write_text("---\ntitle: First module\n---\n\nShort now.\n", encoding="utf-8")
    kept = entries()
    assert not any("second-module" in stem for stem in kept), kept
    assert {"print-fixture-learner", "print-fixture-learner-m-first-module"} <= kept


def test_a_damaged_cache_entry_is_rendered_again(course_dir, tmp_path):
    build(course_dir, tmp_path / "cache", tmp_path / "out1")
    (entry,) = (tmp_path / "cache" / "pdf").glob("cours-fr-learner-m-accueil-*.pdf")
    entry.write_bytes(entry.read_bytes()[:1000])  # as if the disk had filled up mid-write
    pdfs, note = build(course_dir, tmp_path / "cache", tmp_path / "out2")
    assert ": 1 laid out," in note
    assert len(PdfReader(tmp_path / "out2/pdf/cours-fr-learner.pdf").pages) > 1


def test_a_course_stylesheet_override_applies_and_its_warnings_repeat_from_the_cache(course_dir, tmp_path):
    override = course_dir / "templates" / "pdf" / "print.css"
    override.parent.mkdir(parents=True)
    override.write_text('{% include "!pdf/print.css" %}\n.module-title { colr: red; }\n', encoding="utf-8")
    first, second = [], []
    build(course_dir, tmp_path / "cache", tmp_path / "out1", first)
    _, note = build(course_dir, tmp_path / "cache", tmp_path / "out2", second)
    assert ": 0 laid out," in note
    assert any("colr" in w and "cours-fr-learner.pdf" in w for w in first), first
    assert sorted(second) == sorted(first)


def test_other_fonts_or_another_date_mean_new_pdfs(course_dir, tmp_path, monkeypatch):
    build(course_dir, tmp_path / "cache", tmp_path / "out1")
    monkeypatch.setattr(pdf_cache, "font_fingerprint", lambda: "a font was installed")
    _, note = build(course_dir, tmp_path / "cache", tmp_path / "out2")
    assert ": 10 laid out, 0 from the cache" in note
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718323200")  # the next day: a new date on every cover
    pdfs, note = build(course_dir, tmp_path / "cache", tmp_path / "out3")
    # the fronts (twice each) and the certificate's metadata; the later parts and the labels stay
    assert ": 5 laid out, 5 from the cache" in note
    assert PdfReader(tmp_path / "out3/pdf/cours-fr-learner.pdf").metadata["/CreationDate"].startswith("D:20240614")


def test_html_is_deterministic_for_a_given_date(course_dir):
    course, theme = load_course(course_dir).course, Theme(course_dir)
    date = dt.date(2024, 6, 13)
    assert [d.html + d.css for d in editions(course, theme, date)] == [d.html + d.css for d in editions(course, theme, date)]
    assert "13 juin 2024" in editions(course, theme, date)[0].html  # the cover


def test_pdfs_render_in_worker_processes(course_dir):
    jobs = pdf_jobs(load_course(course_dir).course, Theme(course_dir))
    with RenderPool(workers=2) as pool:
        results = pool.render(jobs)
    assert sorted(results) == sorted(NAMES)
    assert all(r.pdf.startswith(b"%PDF-") for r in results.values())
    assert {r.process for r in results.values()}.isdisjoint({os.getpid()})
    assert len({r.process for r in results.values()}) == 2


def test_archival_pdfs_are_pdf_a_and_still_tagged(course_dir):
    course = load_course(course_dir).course.model_copy(update={"pdf_archival": True})
    jobs = {job.name: job for job in pdf_jobs(course, Theme(course_dir))}
    assert {job.variant for job in jobs.values()} == {ARCHIVAL}
    rendered = render(jobs["certificate"])
    path = course_dir / "archival.pdf"
    path.write_bytes(rendered.pdf)
    with pikepdf.open(path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
        assert "/OutputIntents" in pdf.Root
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "fr"


def test_cache_key_covers_assets_variant_and_html(course_dir, monkeypatch):
    monkeypatch.setattr(pdf_cache, "font_fingerprint", lambda: "fonts")
    cache = pdf_cache.PdfCache(None)
    base = PdfJob("learner", "<p>a</p>", "p {}")
    from coursepack.model import Asset

    keys = {
        cache.key(base),
        cache.key(PdfJob("learner", "<p>b</p>", "p {}")),
        cache.key(PdfJob("learner", "<p>a</p>", "p { color: red }")),
        cache.key(PdfJob("learner", "<p>a</p>", "p {}", variant=ARCHIVAL)),
        cache.key(PdfJob("learner", "<p>a</p>", "p {}", assets=(Asset("m/a.png", b"1", "image/png"),))),
        cache.key(PdfJob("learner", "<p>a</p>", "p {}", assets=(Asset("m/a.png", b"2", "image/png"),))),
    }
    assert len(keys) == 6
    assert cache.key(base) == pdf_cache.PdfCache(None).key(base)


def test_a_module_grown_by_a_page_moves_the_numbers_after_it_and_nothing_else_is_laid_out(tmp_path, monkeypatch):
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718236800")
    course_dir = tmp_path / "course"
    shutil.copytree(FIXTURES / "pdf-worksheet", course_dir)

    def learner(out: str) -> tuple[list[str], str]:
        context = BuildContext(theme=Theme(course_dir), cache_dir=tmp_path / "cache")
        PdfBuilder(context).write(load_course(course_dir).course, OutputTree(tmp_path / out))
        pdf = tmp_path / out / "pdf" / "print-fixture-learner.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        return text.split("\f")[:-1], context.notes[-1]

    before, _ = learner("out1")
    lesson = course_dir / "modules" / "01-first-module" / "lesson.md"
    added = "\n\n".join(f"A paragraph added to make the first module longer, number {n}." for n in range(40))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\n" + added + "\n", encoding="utf-8")
    after, note = learner("out2")
    assert len(after) > len(before)
    # Laid out again: both editions' first module, their fronts (the contents' numbers moved)
    # and their page labels (the page count moved); the second module's parts come from the cache.
    assert ": 6 laid out," in note, note
    second = next(n for n, text in enumerate(after, start=1) if "MODULE 2" in text)
    contents = next(text for text in after if "Contents" in text)
    assert re.search(rf"Second module[\s.]*{second}\b", contents), contents
    for number, text in enumerate(after[1:], start=2):
        assert f"Page {number} of {len(after)}" in text
