"""`html`: the offline packet as a folder of pages that works opened from disk.

`packet_files` gives every file of the packet in memory, so that the LMS
formats can put the same packet into their packages.
"""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.packet.pages import COMPLETION_PAGE, HOME_PAGE, SCRIPT, STYLESHEET, PacketPages, Site
from coursepack.writer import OutputTree

ROOT = "html"


class HtmlBuilder(Builder):
    name = "html"
    description = "offline course packet: a folder of pages (html/index.html)"
    order = 10

    def outputs(self, course: Course) -> list[str]:
        return [ROOT]

    def packet_files(self, course: Course) -> dict[str, bytes]:
        """Every file of the packet, by its path relative to the packet's root."""
        pages = PacketPages(course, self.theme, Site())
        files: dict[str, bytes] = {}
        # Course files first: the packet's own pages and assets win a clash of names.
        for asset in course.assets:
            files[asset.path] = asset.data
        files[HOME_PAGE] = pages.home().encode("utf-8")
        for page in pages.modules:
            files[page.href] = pages.module(page).encode("utf-8")
        files[COMPLETION_PAGE] = pages.completion().encode("utf-8")
        files[STYLESHEET] = self.theme.file(STYLESHEET)
        files[SCRIPT] = self.theme.file(SCRIPT)
        return files

    def write(self, course: Course, out: OutputTree) -> None:
        files = self.packet_files(course)
        for path in sorted(files):
            out.write_bytes(f"{ROOT}/{path}", files[path])
        size = sum(len(data) for data in files.values())
        self.context.notes.append(f"html: {len(files)} files, {size / 1024:.0f} KB")
        self.context.step("pages")
