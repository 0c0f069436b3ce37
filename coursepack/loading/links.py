"""Local images and links in rendered Markdown: checked, collected, re-based.

Authors write paths relative to the file they are editing. The model keeps
every local reference relative to the course folder instead, so that a
renderer can place pages and files wherever its format wants, and carries the
referenced files' bytes as assets, so that no renderer reads the sources.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from html import unescape
from urllib.parse import unquote, urlsplit

from coursepack.errors import ProblemLog
from coursepack.loading import media as recordings
from coursepack.loading.html_rewrite import rewrite_html
from coursepack.model import Asset, Media

LESSON_FILE = "lesson.md"


def media_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in recordings.MEDIA_FILES:  # the same on every machine, whatever its MIME tables say
        return recordings.MEDIA_FILES[suffix][1]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class LocalReferences:
    """Checks and re-bases the local references of one source file."""

    def __init__(
        self,
        course_root: Path,
        source_path: str,
        source_text: str,
        line_offset: int,
        log: ProblemLog,
        assets: dict[str, Asset],
        allow_scripts: bool = False,
    ):
        self.root = course_root.resolve()
        self.source_path = source_path  # course-relative POSIX path of the file
        self.base = posixpath.dirname(source_path)
        self.lines = source_text.splitlines()
        self.folded = [line.casefold() for line in self.lines]
        self.line_offset = line_offset
        self.log = log
        self.assets = assets
        self.allow_scripts = allow_scripts
        self._last_line: dict[str, int] = {}
        self.media: dict[str, Media] = {}  # the recordings found, by course-relative path

    def rebase(self, html: str) -> str:
        """Check every URL in `html`, raw HTML's included; return it with course-relative paths.

        A recording's image becomes the placeholder its player is made from."""
        rewritten, findings = rewrite_html(html, self._rebase_one, self.allow_scripts)
        for finding in findings:
            found = next((n for n in finding.needles if self._mentions(n)), finding.needles[0])
            self._error(found, finding.message)
        return self._recordings(rewritten)

    def _recordings(self, html: str) -> str:
        """Describe each recording the HTML shows, in order, each mistake at the line of its own mention."""
        found: dict[str, Media] = {}
        alone = {m.start(1) for m in recordings.PARAGRAPH_OF_ONE_IMAGE.finditer(html)}
        for tag in recordings.IMAGE_TAG.finditer(html):
            attributes = dict(recordings.QUOTED_ATTRIBUTE.findall(tag.group(0)))
            path = unescape(attributes.get("src", ""))
            if path not in self.assets or not recordings.is_media(path):
                continue
            written = posixpath.relpath(path, self.base or ".")
            line = self.line_of(written)  # asked once per mention: the next mention is looked for further on
            if posixpath.basename(self.source_path) != LESSON_FILE:
                self.log.error(self.source_path, line, f"'{written}' is a recording: video and audio belong in a lesson.md")
                continue
            if tag.start() not in alone:
                self.log.error(self.source_path, line,
                               f"put the recording '{written}' on a line of its own, as ![what it shows]({written})")
                continue
            if path in found or path in self.media:
                continue
            alt = unescape(attributes.get("alt", "")).strip()
            media, faults = recordings.describe(self.root, path, self.assets[path].data, alt)
            for fault in faults:
                self.log.error(fault.path or self.source_path, fault.line if fault.path else line, fault.message)
            if media is not None:
                found[path] = media
                for extra in filter(None, (media.captions, media.poster)):
                    if extra not in self.assets:
                        self.assets[extra] = Asset(extra, (self.root / extra).read_bytes(), media_type(extra))
        self.media.update(found)
        html, _ = recordings.placeholders(html, {**self.media})
        return html

    def _rebase_one(self, raw: str, kind: str, tag: str) -> str | None:
        try:
            parts = urlsplit(raw)
        except ValueError as exc:  # such as an unclosed '[' in the host
            self._error(raw, f"{kind} '{raw}' is not a valid URL ({exc})")
            return None
        if parts.scheme or parts.netloc or raw.startswith("#") or not parts.path:
            return None
        if parts.path.startswith("/"):
            self._error(raw, f"{kind} '{raw}' is an absolute path: use a path relative to {posixpath.basename(self.source_path)}")
            return None
        relative = posixpath.normpath(posixpath.join(self.base, unquote(parts.path)))
        target = (self.root / relative).resolve()
        if relative.startswith("../") or relative == ".." or not target.is_relative_to(self.root):
            self._error(raw, f"{kind} '{raw}' points outside the course folder")
            return None
        if not target.is_file():
            what = "a folder, not a file" if target.is_dir() else "no such file"
            self._error(raw, f"{kind} '{raw}' not found: {relative} is {what}")
            return None
        if relative not in self.assets:
            self.assets[relative] = Asset(relative, target.read_bytes(), media_type(relative))
        return relative + (f"#{parts.fragment}" if parts.fragment else "")

    def _error(self, needle: str, message: str) -> None:
        self.log.error(self.source_path, self.line_of(needle), message)

    def _mentions(self, needle: str) -> bool:
        folded = needle.casefold()
        return bool(needle) and any(folded in line for line in self.folded)

    def line_of(self, needle: str) -> int:
        """The line of the source that mentions `needle`, in any case.

        The same needle asked again is looked for after its last line first,
        so that a second mistake is reported where it is.
        """
        if needle and self.lines:
            folded = needle.casefold()
            last = self._last_line.get(folded, -1)
            order = [*range(last + 1, len(self.lines)), *range(0, last + 1)]
            for index in order:
                if folded in self.folded[index]:
                    self._last_line[folded] = index
                    return index + 1 + self.line_offset
        return self.line_offset + 1 if self.lines else 0
