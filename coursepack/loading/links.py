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
from urllib.parse import unquote, urlsplit

from coursepack.errors import ProblemLog
from coursepack.loading.html_rewrite import rewrite_html
from coursepack.model import Asset

def media_type(path: str) -> str:
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

    def rebase(self, html: str) -> str:
        """Check every URL in `html`, raw HTML's included; return it with course-relative paths."""
        rewritten, findings = rewrite_html(html, self._rebase_one, self.allow_scripts)
        for finding in findings:
            found = next((n for n in finding.needles if self._mentions(n)), finding.needles[0])
            self._error(found, finding.message)
        return rewritten

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
