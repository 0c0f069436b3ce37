"""Each edition printed in parts, through the cache, and joined.

For a workbook (learner or trainer edition):
1. every module part renders (in parallel; an unchanged part comes from the
   cache: its PDF does not depend on where it ends up in the book);
2. the front part renders with the contents' page numbers, which follow from
   the parts' lengths; since its own length moves them, it is laid out again
   until the count holds (once on a warm cache, twice at most in practice);
3. the page labels ("Page 7 of 412") render in documents of `CHUNK` pages;
4. the parts and the labels are joined (`pdf_join`); the joined PDF is kept in
   the cache too, by the keys of everything it is made of.
A document with no module sections (the certificate, or a theme's workbook
without them) is printed whole, as before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from coursepack.printing import page_labels, parts
from coursepack.printing.pdf_cache import PdfCache
from coursepack.printing.pdf_join import PartPdf, join
from coursepack.printing.pdf_render import PdfJob, Rendered, RenderPool, used_assets

_MAX_FRONT_LAYOUTS = 4


@dataclass
class Printed:
    name: str
    pdf: bytes
    warnings: list[str]
    parts: int = 1


class PartPrinter:
    """Prints documents through a cache and one pool of worker processes."""

    def __init__(self, cache: PdfCache, pool: RenderPool, step: Callable[[str], None] = lambda message: None):
        self.cache, self.pool, self.step = cache, pool, step
        self.rendered = 0  # documents laid out by the last `print_all`
        self.reused = 0  # and those taken from the cache

    def print_all(self, stem: str, documents: list[PdfJob]) -> dict[str, Printed]:
        """Each of `documents` (named learner, trainer, certificate) as one PDF."""
        self.rendered = self.reused = 0
        books = {job.name: _Book(job, f"{stem}-{job.name}", parts.split(job.html)) for job in documents}
        whole = [book for book in books.values() if len(book.parts) == 1]
        split = [book for book in books.values() if len(book.parts) > 1]
        module_parts = [job for book in split for job in book.module_jobs()]
        done = self._render([replace(book.job, name=book.stem) for book in whole] + module_parts)
        printed = {book.name: Printed(book.name, done[book.stem].pdf, done[book.stem].warnings) for book in whole}
        for book in whole:
            self.step(book.name)
        fronts = self._fronts(split, done)
        labels = self._render([job for book in split for job in book.label_jobs(fronts[book.name], done)])
        for book in split:
            printed[book.name] = self._joined(book, fronts[book.name], done, labels)
            self.step(book.name)
        return printed

    def _render(self, jobs: list[PdfJob]) -> dict[str, Rendered]:
        """Each job's PDF: from the cache when its inputs are unchanged, else rendered now."""
        results: dict[str, Rendered] = {}
        keys = {job.name: self.cache.key(job) for job in jobs}
        for job in jobs:
            kept = self.cache.get(job.name, keys[job.name])
            if kept is not None:
                results[job.name] = Rendered.from_cache(job.name, *kept)
                self.reused += 1

        def finished(rendered: Rendered) -> None:
            self.cache.put(rendered.name, keys[rendered.name], rendered.pdf, rendered.meta())
            self.rendered += 1

        results.update(self.pool.render([job for job in jobs if job.name not in results], done=finished))
        return results

    def _fronts(self, books: list[_Book], done: dict[str, Rendered]) -> dict[str, Rendered]:
        """Each book's front part, laid out until the page numbers it prints hold."""
        # A first layout as if the front took no pages: its numbers are as wide as the real ones.
        drafts = self._render([book.front_job(0, done, draft=True) for book in books])
        lengths = {book.name: drafts[f"{book.front_name}-draft"].pages for book in books}
        fronts: dict[str, Rendered] = {}
        for _ in range(_MAX_FRONT_LAYOUTS):
            pending = [book for book in books if book.name not in fronts]
            if not pending:
                break
            jobs = {book.name: book.front_job(lengths[book.name], done) for book in pending}
            results = self._render(list(jobs.values()))
            for book in pending:
                front = results[jobs[book.name].name]
                if front.pages == lengths[book.name]:
                    fronts[book.name] = front
                else:
                    lengths[book.name] = front.pages
        for book in books:  # numbers that never settled (a page count that flips): the last layout stands
            fronts.setdefault(book.name, results[jobs[book.name].name])
        return fronts

    def _joined(self, book: _Book, front: Rendered, done: dict[str, Rendered], labels: dict[str, Rendered]) -> Printed:
        members = [front] + [done[name] for name in book.module_names] + [labels[job] for job in book.label_names]
        key = hashlib.sha256("\n".join(hashlib.sha256(m.pdf).hexdigest() for m in members).encode()).hexdigest()
        warnings = list(dict.fromkeys(w for m in members for w in m.warnings))
        kept = self.cache.get(book.stem, key)
        if kept is not None:
            pdf = kept[0]
        else:
            pdf = join([PartPdf(m.pdf, list(m.anchors)) for m in members[:len(book.parts)]],
                       [(start, labels[name].pdf) for start, name in zip(book.label_starts, book.label_names)])
            self.cache.put(book.stem, key, pdf, {"warnings": warnings})
        return Printed(book.name, pdf, warnings, parts=len(book.parts))


class _Book:
    """An edition cut into parts, and the jobs that print it."""

    def __init__(self, job: PdfJob, stem: str, cut: list[parts.Part]):
        self.job, self.stem, self.name, self.parts = job, stem, job.name, cut
        self.part_css = page_labels.without_page_numbers(job.css) if len(cut) > 1 else job.css
        self.front_name = f"{stem}-front"
        self.module_names = [f"{stem}-{part.key}" for part in cut[1:]]
        self.label_starts: list[int] = []
        self.label_names: list[str] = []

    def _job(self, name: str, html: str) -> PdfJob:
        return replace(self.job, name=name, html=html, css=self.part_css,
                       assets=used_assets(html, self.part_css, self.job.assets),
                       links_elsewhere=tuple(parts.links_elsewhere(html)))

    def module_jobs(self) -> list[PdfJob]:
        return [self._job(name, part.html) for name, part in zip(self.module_names, self.parts[1:])]

    def front_job(self, front_pages: int, done: dict[str, Rendered], draft: bool = False) -> PdfJob:
        """The front part, with the page numbers its links lead to if it is `front_pages` long."""
        html = parts.with_page_numbers(self.parts[0].html, self._pages_of_anchors(front_pages, done))
        return self._job(f"{self.front_name}-draft" if draft else self.front_name, html)

    def _pages_of_anchors(self, front_pages: int, done: dict[str, Rendered]) -> dict[str, int]:
        pages, first = {}, front_pages + 1
        for name in self.module_names:
            for anchor, page in done[name].anchors.items():
                pages.setdefault(anchor, first + page)
            first += done[name].pages
        return pages

    def label_jobs(self, front: Rendered, done: dict[str, Rendered]) -> list[PdfJob]:
        names = list(front.page_names) + [n for name in self.module_names for n in done[name].page_names]
        jobs = []
        self.label_starts, self.label_names = [], []
        for start, chunk in page_labels.chunks(names):
            html = page_labels.label_html(_language(self.job.html), chunk)
            css = page_labels.labels_only(self.job.css, start + 1, len(names))
            name = f"{self.stem}-labels-{len(jobs) + 1}"
            jobs.append(PdfJob(name, html, css, used_assets(html, css, self.job.assets), variant=None))
            self.label_starts.append(start)
            self.label_names.append(name)
        return jobs


def _language(html: str) -> str:
    match = re.search(r'<html\b[^>]*\blang="([^"]*)"', html)
    return match.group(1) if match else ""
