"""Local images and links in rendered Markdown: checked, collected, re-based.

Authors write paths relative to the file they are editing. The model keeps
every local reference relative to the course folder instead, so that a
renderer can place pages and files wherever its format wants, and carries the
referenced files' bytes as assets, so that no renderer reads the sources.
"""

from __future__ import annotations

import html as htmllib
import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from coursepack.errors import ProblemLog
from coursepack.model import Asset

_REF = re.compile(r"""(?P<attr>\b(?:src|href))=(?P<q>["'])(?P<url>.*?)(?P=q)""")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt=(["'])(.*?)\1""", re.DOTALL)
_SRC = re.compile(r"""\bsrc=(["'])(.*?)\1""")


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
    ):
        self.root = course_root.resolve()
        self.source_path = source_path  # course-relative POSIX path of the file
        self.base = posixpath.dirname(source_path)
        self.lines = source_text.splitlines()
        self.line_offset = line_offset
        self.log = log
        self.assets = assets

    def rebase(self, html: str) -> str:
        """Check every local src/href in `html`; return it with course-relative paths."""
        for img in _IMG.findall(html):
            alt = _ALT.search(img)
            if alt is None or not htmllib.unescape(alt.group(2)).strip():
                src = _SRC.search(img)
                url = htmllib.unescape(src.group(2)) if src else ""
                self._error(url, f"image '{url}' has no alt text: write ![what it shows]({url})")
        return _REF.sub(self._rebase_one, html)

    def _rebase_one(self, match: re.Match) -> str:
        raw = htmllib.unescape(match.group("url"))
        parts = urlsplit(raw)
        if parts.scheme or parts.netloc or raw.startswith("#") or not parts.path:
            return match.group(0)
        kind = "image" if match.group("attr") == "src" else "link"
        if parts.path.startswith("/"):
            self._error(raw, f"{kind} '{raw}' is an absolute path: use a path relative to {posixpath.basename(self.source_path)}")
            return match.group(0)
        relative = posixpath.normpath(posixpath.join(self.base, unquote(parts.path)))
        target = (self.root / relative).resolve()
        if relative.startswith("../") or relative == ".." or not target.is_relative_to(self.root):
            self._error(raw, f"{kind} '{raw}' points outside the course folder")
            return match.group(0)
        if not target.is_file():
            what = "a folder, not a file" if target.is_dir() else "no such file"
            self._error(raw, f"{kind} '{raw}' not found: {relative} is {what}")
            return match.group(0)
        if relative not in self.assets:
            self.assets[relative] = Asset(relative, target.read_bytes(), media_type(relative))
        url = relative + (f"#{parts.fragment}" if parts.fragment else "")
        return f'{match.group("attr")}={match.group("q")}{htmllib.escape(url)}{match.group("q")}'

    def _error(self, url: str, message: str) -> None:
        self.log.error(self.source_path, self.line_of(url), message)

    def line_of(self, needle: str) -> int:
        """The first line of the source that mentions `needle`."""
        if needle:
            for number, line in enumerate(self.lines, start=1):
                if needle in line:
                    return number + self.line_offset
        return self.line_offset + 1 if self.lines else 0
