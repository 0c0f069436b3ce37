"""`single`: the offline packet as one self-contained HTML file (<id>.html)."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.packet.pages import SCRIPT, STYLESHEET, PacketPages, Single
from coursepack.packet.single_file import inline_assets
from coursepack.writer import OutputTree


class SingleBuilder(Builder):
    name = "single"
    description = "the whole course in one self-contained HTML file (<id>.html)"
    order = 11

    def outputs(self, course: Course) -> list[str]:
        return [f"{course.id}.html"]

    def render(self, course: Course) -> str:
        pages = PacketPages(course, self.theme, Single())
        css = self.theme.file(STYLESHEET).decode("utf-8")
        js = self.theme.file(SCRIPT).decode("utf-8")
        return inline_assets(pages.single(css, js), course)

    def write(self, course: Course, out: OutputTree) -> None:
        page = self.render(course).encode("utf-8")
        out.write_bytes(f"{course.id}.html", page)
        self.context.notes.append(f"single: {course.id}.html, {len(page) / 1024:.0f} KB")
        self.context.step(f"{course.id}.html")
