"""`html`: the offline packet as a folder of pages that works opened from disk.

`iter_packet_files` makes the files one at a time: `write` writes each as it
comes, so that one page at a time is in memory, and `packet_files` collects
them for the LMS formats, which put the same packet into their packages.
Pages come from the page cache when nothing they show has changed.
"""

from __future__ import annotations

from collections.abc import Iterator

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.packet.page_cache import PageCache
from coursepack.packet.pages import (
    COMPLETION_PAGE,
    COURSE_DATA,
    HOME_PAGE,
    SCRIPT,
    STORE_PAGE,
    STYLESHEET,
    PacketPages,
    Site,
)
from coursepack.writer import OutputTree

ROOT = "html"
LAYOUT = "html"  # the name of this layout of pages in the page cache's keys


class HtmlBuilder(Builder):
    name = "html"
    description = "offline course packet: a folder of pages (html/index.html)"
    order = 10

    def outputs(self, course: Course) -> list[str]:
        return [ROOT]

    def packet_files(self, course: Course) -> dict[str, bytes]:
        """Every file of the packet, by its path relative to the packet's root."""
        return dict(self.iter_packet_files(course))

    def iter_packet_files(self, course: Course, cache: PageCache | None = None) -> Iterator[tuple[str, bytes]]:
        """Each file of the packet as (path, bytes), made when it is asked for."""
        cache = cache or PageCache(self.context.cache_dir, LAYOUT, self.theme.digest)
        pages = PacketPages(course, self.theme, Site())
        own = {HOME_PAGE, COMPLETION_PAGE, STYLESHEET, SCRIPT, STORE_PAGE, COURSE_DATA, *(page.href for page in pages.modules)}
        # The packet's own pages and assets win a clash of names with a course's files.
        for asset in course.assets:
            if asset.path not in own:
                yield asset.path, asset.data
        # Every page names the course data's version; the data shows more than the
        # outline (the saved state's fingerprint counts choices), and is cheap to make.
        shared = (course.outline_digest, pages.course_data_version, self._other_modules(course))
        yield HOME_PAGE, cache.page("index", ("home", *shared), pages.home)
        for page in pages.modules:
            stem = page.href.removesuffix(".html")
            parts = ("module", page.module.digest, *shared)
            yield page.href, cache.page(stem, parts, lambda page=page: pages.module(page))
        yield COMPLETION_PAGE, cache.page("completion", ("completion", *shared), pages.completion)
        yield COURSE_DATA, pages.course_data_script.encode("utf-8")
        yield STYLESHEET, self.theme.file(STYLESHEET)
        yield SCRIPT, self.theme.file(SCRIPT)
        yield STORE_PAGE, self.theme.file(STORE_PAGE)

    def _other_modules(self, course: Course) -> str:
        """What a page may show of the modules it is not about.

        The built-in templates show their outline only (titles, objectives,
        minutes, quizzes: the outline digest). A course's own page templates
        receive the whole course and may show anything of it, so then every
        page depends on every module."""
        custom = any(
            any(folder.glob("*.html")) or any((folder / "packet").glob("*.html")) for folder in self.theme.overrides
        )
        return f"whole course {course.digest}" if custom else "outline"

    def write(self, course: Course, out: OutputTree) -> None:
        cache = PageCache(self.context.cache_dir, LAYOUT, self.theme.digest)
        count = size = 0
        for path, data in self.iter_packet_files(course, cache):
            out.write_bytes(f"{ROOT}/{path}", data)
            count += 1
            size += len(data)
        rendered = f"{cache.rendered} page{'' if cache.rendered == 1 else 's'} rendered"
        reused = f", {cache.reused} unchanged" if cache.reused else ""
        self.context.notes.append(f"html: {count} files, {size / 1024:.0f} KB, {rendered}{reused}")
        self.context.step("pages")
