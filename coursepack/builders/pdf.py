"""`pdf`: the learner workbook, the trainer edition and a certificate, for print.

The HTML of each edition is assembled here (`coursepack.printing.editions`),
then each edition prints in parts, in parallel processes, and is joined
(`coursepack.printing.in_parts`); a part whose inputs have not changed since
the last build comes from the cache instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.printing.editions import build_date, editions
from coursepack.printing.glyphs import describe, replacement, unprintable
from coursepack.printing.html_scope import remote_images
from coursepack.printing.in_parts import PartPrinter
from coursepack.printing.pdf_cache import PdfCache, font_fingerprint
from coursepack.printing.pdf_render import ACCESSIBLE, ARCHIVAL, PdfJob, RenderPool, used_assets
from coursepack.writer import OutputTree

ROOT = "pdf"


def pdf_path(course: Course, name: str) -> str:
    return f"{ROOT}/{course.id}-{name}.pdf"


def pdf_jobs(course: Course, theme, unprintable: Iterable[str] = ()) -> list[PdfJob]:
    """The three documents, ready to render (also what the benchmark renders).

    Characters in `unprintable` (no installed font draws them) print as a
    replacement mark: a box from a missing glyph would also make the font's
    text unreadable to PDF text extractors."""
    # PDF/A is opt-in: archives want it, but PDF/UA is the better default for readers.
    variant = ARCHIVAL if course.pdf_archival else ACCESSIBLE
    swap = {ord(c): replacement() for c in unprintable}
    return [
        PdfJob(doc.name, doc.html.translate(swap), doc.css, used_assets(doc.html, doc.css, course.assets), variant)
        for doc in editions(course, theme)
    ]


class PdfBuilder(Builder):
    name = "pdf"
    description = "printable learner workbook, trainer edition and certificate (pdf/)"
    order = 30
    workers: int | None = None  # processes for rendering; None: one per CPU, at most one per PDF

    def outputs(self, course: Course) -> list[str]:
        return [ROOT]

    def steps(self, course: Course) -> int:
        return 3

    def inputs_key(self, course: Course) -> str:
        """What the PDFs depend on beyond the course and the theme: the date they print, the fonts."""
        return f"{build_date().isoformat()}\n{font_fingerprint()}"

    def write(self, course: Course, out: OutputTree) -> None:
        started = time.perf_counter()
        self._warn_remote_images(course)
        documents = pdf_jobs(course, self.theme, self._warn_unprintable(course))
        cache = PdfCache(self.context.cache_dir)
        with RenderPool(self.workers) as pool:
            printer = PartPrinter(cache, pool, step=self.context.step)
            printed = printer.print_all(course.id, documents)
        cache.forget_unused(f"{course.id}-")
        for job in documents:
            path = pdf_path(course, job.name)
            for message in printed[job.name].warnings:
                self.context.warn(path, 0, message)
            out.write_bytes(path, printed[job.name].pdf)
        parts = sum(p.parts for p in printed.values())
        self.context.notes.append(
            f"pdf: {len(documents)} PDFs ({course.effective_page_size}) printed in {parts} parts: "
            f"{printer.rendered} laid out, {printer.reused} from the cache, in {time.perf_counter() - started:.1f} s"
        )

    def _warn_unprintable(self, course: Course) -> set[str]:
        """Warn where the course uses characters no installed font draws; return those characters."""
        chars: set[str] = set()
        mark = replacement()
        for place, missing in unprintable(course):
            chars.update(missing)
            self.context.warn(place.path, place.line,
                              f"no installed font draws {describe(missing)}: the PDFs print '{mark}' in its place; "
                              "install a font that has it (for example one of the Noto families) or write it another way")
        return chars

    def _warn_remote_images(self, course: Course) -> None:
        for module in course.modules:
            for segment in module.lesson.segments:
                for url in dict.fromkeys(remote_images(segment.html)):
                    self.context.warn(module.source.path, 0, f"image '{url}' is on the web, so the PDFs show its alt "
                                      "text instead: save the image in the course folder to print it")
