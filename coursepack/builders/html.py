"""`html`: a multi-page site that works opened from disk."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.model import Course
from coursepack.writer import OutputTree

ROOT = "html"


class HtmlBuilder(Builder):
    name = "html"
    description = "multi-page offline site (html/index.html)"
    order = 10

    def outputs(self, course: Course) -> list[str]:
        return [ROOT]

    def steps(self, course: Course) -> int:
        return len(course.modules) + 1

    def write(self, course: Course, out: OutputTree) -> None:
        strings = self.theme.strings(course.language)
        common = {"course": course, "t": strings, "root": ""}
        out.write_text(f"{ROOT}/index.html", self.theme.render("index.html", **common))
        self.context.step("index")
        modules = course.modules
        for position, module in enumerate(modules):
            page = self.theme.render(
                "module.html",
                module=module,
                previous=modules[position - 1] if position else None,
                next=modules[position + 1] if position + 1 < len(modules) else None,
                **common,
            )
            out.write_text(f"{ROOT}/{module.id}.html", page)
            self.context.step(module.id)
        out.write_bytes(f"{ROOT}/assets/course.css", self.theme.file("assets/course.css"))
        for asset in course.assets:
            out.write_bytes(f"{ROOT}/{asset.path}", asset.data)
