"""Rendered PDFs kept between builds, by a hash of everything they depend on.

The key covers the HTML, the stylesheet, the bytes of every course file the
document shows, the PDF variant, the versions of coursepack, WeasyPrint and
its layout libraries, and the fonts installed on the machine (a font added,
removed or updated can change every line break). A PDF is reused only when all
of that is unchanged, so the cache can make a build faster but never different.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

from coursepack import __version__
from coursepack.code_digest import code_digest
from coursepack.printing.pdf_render import PdfJob

FOLDER = "pdf"
_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "pyphen", "fonttools", "pillow", "pikepdf")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
              "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")


class PdfCache:
    def __init__(self, folder: Path | None):
        self.folder = folder / FOLDER if folder else None
        self._fonts: str | None = None
        self.used: set[str] = set()  # the documents asked for since this cache was opened

    def key(self, job: PdfJob) -> str:
        digest = hashlib.sha256()
        for part in (_producer(), _library_versions(), self.fonts(), str(job.variant),
                     job.html, job.css, "\n".join(job.links_elsewhere)):
            _add(digest, part.encode("utf-8"))
        for asset in job.assets:
            _add(digest, asset.path.encode("utf-8"))
            _add(digest, asset.media_type.encode("utf-8"))
            _add(digest, hashlib.sha256(asset.data).digest())
        return digest.hexdigest()

    def joined_key(self, members: list[bytes], label_starts: list[int]) -> str:
        """The key of an edition joined from these parts and label documents (by the joiner's code too)."""
        digest = hashlib.sha256()
        _add(digest, f"{_producer()} pikepdf {_version('pikepdf')}".encode("utf-8"))
        _add(digest, repr(label_starts).encode("utf-8"))
        for member in members:
            _add(digest, hashlib.sha256(member).digest())
        return digest.hexdigest()

    def fonts(self) -> str:
        """A fingerprint of the installed fonts, taken once per build."""
        if self._fonts is None:
            self._fonts = font_fingerprint()
        return self._fonts

    def get(self, stem: str, key: str) -> tuple[bytes, dict] | None:
        """A PDF kept earlier, and what its rendering told (its warnings, which a build repeats)."""
        self.used.add(stem)
        if self.folder is None:
            return None
        try:
            data = (self.folder / f"{stem}-{key}.pdf").read_bytes()
            meta = json.loads((self.folder / f"{stem}-{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        # A file cut short (a full disk, a killed build) is not a PDF: render again.
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
            return None
        if not isinstance(meta, dict) or not isinstance(meta.get("warnings"), list):
            return None
        return data, meta

    def put(self, stem: str, key: str, data: bytes, meta: dict) -> None:
        """Keep a PDF and what its rendering told, written atomically; drop older entries of the same document."""
        self.used.add(stem)
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # The description goes first: an entry counts only once its PDF is there too.
            _write_atomically(self.folder / f"{stem}-{key}.json", json.dumps(meta, sort_keys=True).encode("utf-8"))
            _write_atomically(self.folder / f"{stem}-{key}.pdf", data)
            for old in self.folder.glob(f"{stem}-*"):
                if old.stem != f"{stem}-{key}" and len(old.stem) == len(stem) + 65:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time next build

    def forget_unused(self, prefix: str) -> None:
        """Drop the entries of documents named `prefix...` that this build did not ask for (a module deleted)."""
        if self.folder is None:
            return
        for entry in self.folder.glob(f"{prefix}*"):
            stem, _, key = entry.stem.rpartition("-")
            if len(key) == 64 and stem not in self.used:
                entry.unlink(missing_ok=True)


def _write_atomically(target: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, target)


def _add(digest, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "big"))
    digest.update(data)


def _producer() -> str:
    """The coursepack that made an entry: its version and the digest of its code."""
    return f"coursepack {__version__} {code_digest()}"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@cache
def _library_versions() -> str:
    versions = [f"{name} {_version(name)}" for name in _LIBRARIES]
    try:
        from weasyprint.text.ffi import pango

        versions.append(f"pango {pango.pango_version()}")
    except Exception:  # an unusual build of WeasyPrint: its version above still counts
        pass
    return "\n".join(versions)


def font_fingerprint() -> str:
    """Every font file fontconfig can use, with its size and modification time."""
    files = _fontconfig_files()
    if files is None:
        files = sorted(str(p) for d in _FONT_DIRS for p in _walk(Path(d).expanduser()))
    lines = []
    for name in files:
        try:
            stat = os.stat(name)
            lines.append(f"{name}\t{stat.st_size}\t{stat.st_mtime_ns}")
        except OSError:
            lines.append(f"{name}\t-")
    return "\n".join(lines)


def _fontconfig_files() -> list[str] | None:
    tool = shutil.which("fc-list")
    if tool is None:
        return None
    try:
        listing = subprocess.run([tool, "--format", "%{file}\\n"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted(set(line for line in listing.stdout.splitlines() if line))


def _walk(folder: Path):
    if folder.is_dir():
        yield from (p for p in folder.rglob("*") if p.is_file())
