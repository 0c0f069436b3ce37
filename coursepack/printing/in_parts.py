"""Each edition printed in parts, through the cache, and joined.

For a workbook (learner or trainer edition):
1. every part after the front (the session plan, the modules) renders, in
   parallel (an unchanged part comes from the cache: its PDF does not depend
   on where it ends up in the book), and beside them a draft of the front part with stand-in page numbers, for its length;
2. the front part renders with the contents' page numbers, which follow from
   the draft's length and the parts' lengths, and beside it the page labels
   ("Page 7 of 412", in documents of `page_labels.CHUNK` pages); if the front
   comes out of another length than its draft, both are laid out again;
3. the parts and the labels are joined (`pdf_join`); the joined PDF is kept in
   the cache too, by what it is made of.
A document with no such sections (the certificate, or a theme's workbook
without them) is printed whole, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from coursepack.printing import page_labels, parts
from coursepack.printing.pdf_cache import PdfCache
from coursepack.printing.pdf_join import PartPdf, join
from coursepack.printing.pdf_render import PdfJob, Rendered, RenderPool, used_assets

_MAX_FRONT_LAYOUTS = 4
_PLACEHOLDER = 888  # as wide as most page numbers in a proportional face's figures


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
        # The fronts' drafts (for their length) lay out beside the other parts.
        first_round = ([replace(book.job, name=book.stem) for book in whole]
                       + [job for book in split for job in book.later_jobs()]
                       + [book.draft_job() for book in split])
        done = self._render(first_round)
        printed = {book.name: Printed(book.name, done[book.stem].pdf, done[book.stem].warnings) for book in whole}
        for book in whole:
            self.step(book.name)
        finished = self._fronts_and_labels(split, done)
        for book in split:
            front, labels = finished[book.name]
            printed[book.name] = self._joined(book, front, done, labels)
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

    def _fronts_and_labels(self, books: list[_Book], done: dict[str, Rendered]):
        """Each book's front part, laid out until the page numbers it prints hold, and its page labels.

        The labels are laid out beside the front, for the front's length in its draft: when the
        front comes out longer or shorter, both are laid out again."""
        expected = {book.name: done[book.draft_name].page_names for book in books}
        finished: dict[str, tuple[Rendered, list[Rendered]]] = {}
        pending = list(books)
        for attempt in range(1, _MAX_FRONT_LAYOUTS + 1):
            jobs = {book.name: (book.front_job(len(expected[book.name]), done),
                                book.label_jobs(expected[book.name], done)) for book in pending}
            results = self._render([job for front, labels in jobs.values() for job in (front, *labels)])
            still = []
            for book in pending:
                front_job, label_jobs = jobs[book.name]
                front = results[front_job.name]
                # Numbers that never settle (a length that flips) keep the last layout.
                if front.page_names == expected[book.name] or attempt == _MAX_FRONT_LAYOUTS:
                    finished[book.name] = front, [results[job.name] for job in label_jobs]
                else:
                    expected[book.name] = front.page_names
                    still.append(book)
            pending = still
            if not pending:
                break
        return finished

    def _joined(self, book: _Book, front: Rendered, done: dict[str, Rendered], labels: list[Rendered]) -> Printed:
        members = [front] + [done[name] for name in book.later_names] + labels
        key = self.cache.joined_key([m.pdf for m in members], book.label_starts)
        warnings = list(dict.fromkeys(w for m in members for w in m.warnings))
        kept = self.cache.get(book.stem, key)
        if kept is not None:
            pdf = kept[0]
        else:
            pdf = join([PartPdf(m.pdf, list(m.anchors)) for m in members[:len(book.parts)]],
                       [(start, label.pdf) for start, label in zip(book.label_starts, labels)])
            self.cache.put(book.stem, key, pdf, {"warnings": warnings})
        return Printed(book.name, pdf, warnings, parts=len(book.parts))


class _Book:
    """An edition cut into parts, and the jobs that print it."""

    def __init__(self, job: PdfJob, stem: str, cut: list[parts.Part]):
        self.job, self.stem, self.name, self.parts = job, stem, job.name, cut
        self.part_css = page_labels.without_page_numbers(job.css) if len(cut) > 1 else job.css
        self.front_name = f"{stem}-front"
        self.draft_name = f"{stem}-front-draft"
        self.later_names = [f"{stem}-{part.key}" for part in cut[1:]]
        self.label_starts: list[int] = []

    def _job(self, name: str, html: str) -> PdfJob:
        return replace(self.job, name=name, html=html, css=self.part_css,
                       assets=used_assets(html, self.part_css, self.job.assets),
                       links_elsewhere=tuple(parts.links_elsewhere(html)))

    def later_jobs(self) -> list[PdfJob]:
        return [self._job(name, part.html) for name, part in zip(self.later_names, self.parts[1:])]

    def draft_job(self) -> PdfJob:
        """The front part with stand-in page numbers: laid out for its length alone."""
        placeholder = {name: _PLACEHOLDER for name in parts.links_elsewhere(self.parts[0].html)}
        return self._job(self.draft_name, parts.with_page_numbers(self.parts[0].html, placeholder))

    def front_job(self, front_pages: int, done: dict[str, Rendered]) -> PdfJob:
        """The front part, with the page numbers its links lead to if it is `front_pages` long."""
        html = parts.with_page_numbers(self.parts[0].html, self._pages_of_anchors(front_pages, done))
        return self._job(self.front_name, html)

    def _pages_of_anchors(self, front_pages: int, done: dict[str, Rendered]) -> dict[str, int]:
        pages, first = {}, front_pages + 1
        for name in self.later_names:
            for anchor, page in done[name].anchors.items():
                pages.setdefault(anchor, first + page)
            first += done[name].pages
        return pages

    def label_jobs(self, front_pages: tuple[str, ...], done: dict[str, Rendered]) -> list[PdfJob]:
        """The page label documents, for a front part whose pages have these @page names."""
        names = list(front_pages) + [n for name in self.later_names for n in done[name].page_names]
        jobs = []
        self.label_starts = []
        for start, chunk in page_labels.chunks(names):
            html = page_labels.label_html(_language(self.job.html), chunk)
            css = page_labels.labels_only(self.job.css, start + 1, len(names))
            jobs.append(PdfJob(f"{self.stem}-labels-{len(jobs) + 1}", html, css,
                               used_assets(html, css, self.job.assets), variant=None))
            self.label_starts.append(start)
        return jobs


def _language(html: str) -> str:
    match = re.search(r'<html\b[^>]*\blang="([^"]*)"', html)
    return match.group(1) if match else ""
