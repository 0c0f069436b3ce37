"""Rendered packet pages kept between builds, by a hash of everything they show.

A module page is keyed by the module's digest (its sources and the files they
use), the course's outline digest (course.yml and every module's title, number,
minutes and quiz summary, which the page's navigation and headings show), the
theme's digest (templates, stylesheet, script, strings), coursepack's version
and code, and the versions of the libraries that render; a page about the
whole course by the outline and the theme. Any change to one of these gives a
new key, so the cache can make a build faster but never different. A key is never made from
an empty digest: a model made without digests is always rendered.

Each entry is `<stem>-<key>.html` holding a SHA-256 of the page, a newline and
the page; an entry that does not match its hash, or cannot be read, counts as
missing. Entries are written atomically, and a new entry of a page replaces
the older ones of the same page, so the folder holds about one entry per page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

from coursepack import __version__
from coursepack.code_digest import code_digest

FOLDER = "packet"
# The libraries between the model and the page: the templates' engine and its escaping.
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "pymdown-extensions")
_KEY_LENGTH = 64
_SUFFIX = ".html"


class PageCache:
    """Rendered pages of one packet layout (`layout`), in `folder`/packet; None disables it."""

    def __init__(self, folder: Path | None, layout: str, theme_digest: str):
        self.folder = folder / FOLDER if folder else None
        self.common = (f"coursepack {__version__} {code_digest()}", _library_versions(), f"layout {layout}", f"theme {theme_digest}")
        self.rendered = 0  # pages rendered by this build, for the build summary and tests
        self.reused = 0
        self._entries: dict[str, list[str]] | None = None  # stem -> entry file names, listed on first write

    def page(self, stem: str, parts: tuple[str, ...], render: Callable[[], str]) -> bytes:
        """The page `stem`, from the cache when an entry of the same `parts` is there, else rendered."""
        key = self.key(*parts)
        if key is not None:
            kept = self.get(stem, key)
            if kept is not None:
                self.reused += 1
                return kept
        data = render().encode("utf-8")
        self.rendered += 1
        if key is not None:
            self.put(stem, key, data)
        return data

    def key(self, *parts: str) -> str | None:
        """A hash of the common parts and `parts`; None when caching is off or a part is unknown."""
        if self.folder is None or not all(parts) or not all(self.common):
            return None
        digest = hashlib.sha256()
        for part in (*self.common, *parts):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()

    def get(self, stem: str, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            entry = (self.folder / _entry_name(stem, key)).read_bytes()
        except OSError:
            return None
        checksum, newline, data = entry.partition(b"\n")
        if not newline or hashlib.sha256(data).hexdigest().encode("ascii") != checksum:
            return None
        return data

    def put(self, stem: str, key: str, data: bytes) -> None:
        """Keep a page, written atomically; drop older entries of the same page."""
        if self.folder is None:
            return
        name = _entry_name(stem, key)
        temporary: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            checksum = hashlib.sha256(data).hexdigest().encode("ascii")
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".tmp-", delete=False) as handle:
                temporary = handle.name
                handle.write(checksum + b"\n" + data)
            os.replace(temporary, self.folder / name)
            temporary = None
            listing = self._listing()
            for old in listing.pop(stem, []):
                if old != name:
                    (self.folder / old).unlink(missing_ok=True)
            listing[stem] = [name]
        except OSError:
            pass  # a cache that cannot be written only costs time next build
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def _listing(self) -> dict[str, list[str]]:
        if self._entries is None:
            self._entries = {}
            assert self.folder is not None
            with os.scandir(self.folder) as found:
                for entry in found:
                    stem = _stem_of(entry.name)
                    if stem is not None:
                        self._entries.setdefault(stem, []).append(entry.name)
        return self._entries


def _entry_name(stem: str, key: str) -> str:
    return f"{stem}-{key}{_SUFFIX}"


def _stem_of(name: str) -> str | None:
    """The page an entry's file name belongs to, or None for anything else in the folder."""
    tail = _KEY_LENGTH + len(_SUFFIX)
    if name.startswith(".") or not name.endswith(_SUFFIX) or len(name) <= tail + 1 or name[-tail - 1] != "-":
        return None
    return name[: -tail - 1]


@cache
def _library_versions() -> str:
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    return "\n".join(versions)
