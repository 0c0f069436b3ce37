"""HTML to PDF with WeasyPrint, in parallel worker processes.

A `PdfJob` is everything one PDF is made of: the HTML, the print stylesheet,
the course files it shows, the PDF variant, and the anchors it links to that
another part of the same edition holds (see `parts`). Images are served from the
model's assets by `ModelFetcher`; nothing is read from the course folder and
nothing is fetched from the network, so a build prints the same with or
without a connection.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from urllib.parse import unquote

from coursepack.collector import objects_now_spared
from coursepack.model import Asset
from coursepack.printing.margin_artifacts import margins_as_artifacts
from coursepack.printing.page_fill import short_module_endings, tightened
from coursepack.workers import ignore_interrupts, stop_workers, usable_cpus

# Relative URLs in the HTML resolve against this base; `.invalid` never
# resolves (RFC 2606), and the fetcher answers it from the model alone.
ASSET_BASE = "https://course.invalid/"
ACCESSIBLE = "pdf/ua-1"  # tagged, with a structure tree and the document language
ARCHIVAL = "pdf/a-2a"  # PDF/A-2 level A: archival and tagged

_URL = re.compile(r"""\b(?:src|href)=["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


@dataclass(frozen=True)
class PdfJob:
    name: str
    html: str
    css: str
    assets: tuple[Asset, ...] = ()
    variant: str | None = ACCESSIBLE  # None: untagged, for page labels drawn onto tagged pages
    links_elsewhere: tuple[str, ...] = ()


@dataclass
class Rendered:
    name: str
    pdf: bytes
    warnings: list[str] = field(default_factory=list)
    process: int = field(default_factory=os.getpid)  # which process rendered it
    page_names: tuple[str, ...] = ()  # the @page name of each page ("" for the default page)
    anchors: dict[str, int] = field(default_factory=dict)  # each id, and the page (from 0) it stands on

    @property
    def pages(self) -> int:
        return len(self.page_names)

    def meta(self) -> dict:
        """What the cache keeps beside the PDF."""
        return {"warnings": self.warnings, "page_names": list(self.page_names), "anchors": self.anchors}

    @classmethod
    def from_cache(cls, name: str, pdf: bytes, meta: dict) -> Rendered:
        return cls(name, pdf, [str(w) for w in meta["warnings"]],
                   page_names=tuple(meta["page_names"]), anchors=dict(meta["anchors"]))


def used_assets(html: str, css: str, assets: Iterable[Asset]) -> tuple[Asset, ...]:
    """The course files the document refers to, in path order."""
    wanted = set()
    for match in _URL.finditer(html + "\n" + css):
        url = unescape(match.group(1) or match.group(2))
        wanted.add(unquote(url.split("#", 1)[0].split("?", 1)[0]))
    return tuple(a for a in sorted(assets, key=lambda a: a.path) if a.path in wanted)


class NotFetched(Exception):
    """A URL that printing does not follow: builds use no network and no files outside the model."""


def _asset_response(url: str, assets: dict[str, Asset]):
    path = unquote(url[len(ASSET_BASE):].split("#", 1)[0].split("?", 1)[0])
    if path not in assets:
        raise FileNotFoundError(f"'{path}' is not a file of the course")
    return assets[path]


@cache
def _fetcher_class():
    """Serves course files from the model and data: URLs; refuses everything else.

    Made on first use, so that importing coursepack does not load WeasyPrint
    (most of a command's start-up time otherwise)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ModelFetcher(URLFetcher):
        def __init__(self, assets: dict[str, Asset]):
            super().__init__(allowed_protocols=("https", "data"))
            self.assets = assets

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(ASSET_BASE):
                asset = _asset_response(url, self.assets)
                return URLFetcherResponse(url, asset.data, {"Content-Type": asset.media_type})
            raise NotFetched(f"{url} is not a file of the course")

    return ModelFetcher


def _fetcher(assets: dict[str, Asset]):
    return _fetcher_class()(assets)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# Parsed stylesheets with their font configuration, kept by each process: every part of an
# edition has the same stylesheet, and parsing it (with its fonts) took about half the time
# of printing a module's part; the PDFs come out the same, whatever was printed before.
_STYLESHEETS: OrderedDict = OrderedDict()
_STYLESHEETS_KEPT = 4


def _stylesheet_key(job: PdfJob) -> bytes:
    digest = hashlib.sha256(job.css.encode("utf-8"))
    for asset in job.assets:
        if asset.path in job.css:  # what the stylesheet itself shows (a theme's background picture)
            digest.update(asset.path.encode("utf-8") + hashlib.sha256(asset.data).digest())
    return digest.digest()


def render(job: PdfJob) -> Rendered:
    """One PDF; WeasyPrint's warnings (an image it could not show, say) come back with it."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        fetcher = _fetcher({a.path: a for a in job.assets})
        key = _stylesheet_key(job)
        if key in _STYLESHEETS:
            _STYLESHEETS.move_to_end(key)
        else:
            fonts = FontConfiguration()
            stylesheet = CSS(string=job.css, base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)
            _STYLESHEETS[key] = fonts, stylesheet, list(collect.messages)
            while len(_STYLESHEETS) > _STYLESHEETS_KEPT:
                _STYLESHEETS.popitem(last=False)
        fonts, stylesheet, css_warnings = _STYLESHEETS[key]
        collect.messages[:] = css_warnings  # the stylesheet's own warnings, for every document it prints

        def layout(html: str):
            return HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
                stylesheets=[stylesheet], font_config=fonts)

        document = layout(job.html)
        short = short_module_endings(document)
        if short:
            tighter = layout(tightened(job.html, short))
            if len(tighter.pages) < len(document.pages):
                document = tighter
        anchors = {name: number for number, page in reversed(list(enumerate(document.pages))) for name in page.anchors}
        if job.links_elsewhere and document.pages:
            # A stand-in for each anchor of another part, so that WeasyPrint keeps the link (as a
            # named destination); joining the parts makes the name lead to the real place.
            stand_ins = document.pages[0].anchors
            for name in job.links_elsewhere:
                stand_ins.setdefault(name, (0, 0, 0, 0))
        pdf = document.write_pdf(pdf_variant=job.variant)
        if job.variant is not None:
            pdf = margins_as_artifacts(pdf)
    finally:
        logger.removeHandler(collect)
    names = tuple(page._page_box.page_type.name or "" for page in document.pages)
    return Rendered(job.name, pdf, collect.messages, page_names=names, anchors=anchors)


class RenderPool:
    """Worker processes that render PDFs, started on first need and kept for the rest of a build."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or usable_cpus()
        self._pool: ProcessPoolExecutor | None = None
        self._spared = ExitStack()

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self._pool is not None:
            if kind is not None:  # Ctrl-C or an error: stop rendering now rather than finish every document
                stop_workers()
            self._pool.shutdown(wait=kind is None, cancel_futures=True)
            self._pool = None
        self._spared.close()

    def render(self, jobs: list[PdfJob], done: Callable[[Rendered], None] = lambda rendered: None) -> dict[str, Rendered]:
        """Render `jobs`, several at a time in worker processes when there is more than one."""
        results: dict[str, Rendered] = {}
        if len(jobs) <= 1 or self.workers <= 1:
            for job in jobs:
                results[job.name] = render(job)
                done(results[job.name])
            return results
        if self._pool is None:
            context = _process_context()
            if context.get_start_method() == "fork":
                # The cycle collector of a forked worker would walk (and so copy) every object the
                # course left in this process: a few hundred MB per worker for a large course.
                self._spared.enter_context(objects_now_spared())
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=ignore_interrupts)
        # The largest documents first, so that the pool does not wait on one at the end.
        ordered = sorted(jobs, key=lambda job: len(job.html), reverse=True)
        for future in as_completed([self._pool.submit(render, job) for job in ordered]):
            rendered = future.result()
            results[rendered.name] = rendered
            done(rendered)
        return results


def _process_context():
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    # Forking is the fastest start (WeasyPrint is already imported), and safe
    # while this process has a single thread: no other thread can be holding a
    # lock that the child would inherit locked.
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    # Otherwise (a progress bar, a file watcher), start from a clean server
    # process that imports WeasyPrint once and forks the workers.
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["coursepack.printing.pdf_render"])
        return context
    return multiprocessing.get_context("spawn")
