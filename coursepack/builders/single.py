"""`single`: the offline packet as one self-contained HTML file (<id>.html)."""

from __future__ import annotations

from coursepack.builders.base import Builder
from coursepack.errors import CourseErrors, Problem
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
        check_media_size(course)
        page = self.render(course).encode("utf-8")
        out.write_bytes(f"{course.id}.html", page)
        self.context.notes.append(f"single: {course.id}.html, {len(page) / 1024:.0f} KB")
        self.context.step(f"{course.id}.html")


MB = 1_000_000


def check_media_size(course: Course) -> None:
    """The single file carries its video and audio inside: past the course's limit it would be unusable."""
    sizes = {asset.path: len(asset.data) for asset in course.assets}
    used = {media.path: sizes.get(media.path, 0) for module in course.modules for media in module.lesson.media}
    total = sum(used.values())
    if total <= course.single_media_limit_mb * MB:
        return
    largest = ", ".join(f"{path} {size / MB:.1f} MB" for path, size in sorted(used.items(), key=lambda i: -i[1])[:3])
    raise CourseErrors([Problem("course.yml", 0, (
        f"the single file would embed {total / MB:.1f} MB of video and audio ({largest}), over "
        f"single_media_limit_mb: {course.single_media_limit_mb:g}; raise the limit in course.yml, or build the "
        "html packet instead, which links its recordings rather than embedding them"))])
