"""The only code that writes builds to disk, and it swaps them in atomically.

A build writes into a staging folder beside the destination. The staging
folder starts as a copy of the current output made of hard links (cheap, and
the outputs a build does not remake are kept); every write first unlinks the
path, so the old files are never changed in place. Only when every builder has
succeeded does the staging folder replace the output folder; on failure it is
removed and the output is exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

# A fixed timestamp makes zips byte-identical from build to build.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


class OutputTree:
    """Writes files under one folder by output-relative POSIX paths."""

    def __init__(self, root: Path):
        self.root = root
        self.written: list[str] = []

    def path(self, relative: str) -> Path:
        """A fresh path to write `relative` to, its folder made and old file unlinked."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        self.written.append(relative)
        return target

    def write_bytes(self, relative: str, data: bytes) -> None:
        self.path(relative).write_bytes(data)

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_zip(self, relative: str, entries: Iterable[tuple[str, bytes]], stored: Iterable[str] = ()) -> None:
        """A deterministic zip: entries in the order given, fixed dates and modes."""
        self.write_bytes(relative, zip_bytes(entries, stored))

    def remove(self, relative: str) -> None:
        target = self.root / relative
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()


def zip_bytes(entries: Iterable[tuple[str, bytes]], stored: Iterable[str] = ()) -> bytes:
    import io

    stored = set(stored)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the building machine is
            archive.writestr(info, data, compresslevel=9 if name not in stored else None)
    return buffer.getvalue()


class StagedOutput:
    """`with StagedOutput(out) as tree:` ... the output is replaced only on success."""

    def __init__(self, destination: Path):
        self.destination = destination
        self.staging: Path | None = None

    def __enter__(self) -> OutputTree:
        parent = self.destination.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.destination.name}.staging-", dir=parent))
        if self.destination.is_dir():
            _link_tree(self.destination, self.staging)
        return OutputTree(self.staging)

    def __exit__(self, kind, error, trace) -> None:
        assert self.staging is not None
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        old = None
        if self.destination.exists():
            old = self.destination.with_name(self.staging.name + ".old")
            os.rename(self.destination, old)
        os.rename(self.staging, self.destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            src = Path(folder) / name
            try:
                os.link(src, target / relative / name)
            except OSError:  # a file system without hard links
                shutil.copy2(src, target / relative / name)
