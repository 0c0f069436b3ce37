"""The only code that writes builds to disk, and it swaps them in atomically.

A build writes into a staging folder beside the destination. The staging
folder starts as a copy of the current output made of hard links (cheap, and
the outputs a build does not remake are kept). A file written with the bytes
it already holds stays the link it is (reading is far cheaper than writing
again, and most of a packet is unchanged after one lesson changed); any other
write first unlinks the path, so the old files are never changed in place.
What a remade format wrote before but not this time is removed after it has
written. Only when every builder has succeeded does the staging folder
replace the output folder; on failure it is removed and the output is exactly
as it was.

Faults are recoverable: a lock beside the output lets one build at a time
stage and swap (another waits); staging folders that a killed build left
behind are removed by the next one, and when a crash fell between the two
renames of the swap, the previous output is renamed back before anything
else happens.
"""

from __future__ import annotations

import os
import posixpath
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from coursepack.errors import OutputProblem
from coursepack.file_lock import Busy, FileLock, output_lock_file

# A fixed timestamp makes zips byte-identical from build to build.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


class OutputTree:
    """Writes files under one folder by output-relative POSIX paths."""

    def __init__(self, root: Path):
        self.root = root
        self.written: list[str] = []
        self._folders: set[Path] = set()  # folders known to exist under root

    def path(self, relative: str) -> Path:
        """A fresh path to write `relative` to, its folder made and old file unlinked."""
        target = self.root / relative
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
            self._folders = {folder for folder in self._folders if not folder.is_relative_to(target)}
        else:
            target.unlink(missing_ok=True)
        self.written.append(relative)
        return target

    def write_bytes(self, relative: str, data: bytes) -> None:
        if _holds(self.root / relative, data):  # the last build's file, linked: keep it
            self.written.append(relative)
            return
        target = self.path(relative)
        try:
            target.write_bytes(data)
        except OSError as exc:  # a failed write (a full disk) names no file: name it
            if exc.filename is None:
                raise OSError(exc.errno, exc.strerror, str(target)) from None
            raise

    def keep_only_written(self, owned: Iterable[str]) -> None:
        """Remove what is under `owned` (a format's paths) that was not written since
        this tree was made: the files of the last build that this one no longer makes."""
        written = {posixpath.normpath(path) for path in self.written}
        self._folders.clear()  # some may be removed below

        def unwritten(path: str) -> bool:
            return not any(part in written for part in _self_and_parents(path))

        for path in owned:
            target = self.root / path
            if target.is_symlink() or not target.is_dir():
                if os.path.lexists(target) and unwritten(path):
                    target.unlink()
                continue
            for folder, dirs, files in os.walk(target, topdown=False):
                links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
                for name in (*files, *links):
                    file = os.path.join(folder, name)
                    if unwritten(Path(file).relative_to(self.root).as_posix()):
                        os.unlink(file)
                if not os.listdir(folder) and unwritten(Path(folder).relative_to(self.root).as_posix()):
                    os.rmdir(folder)

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_zip(self, relative: str, entries: Iterable[tuple[str, bytes]], stored: Iterable[str] = ()) -> None:
        """A deterministic zip: entries in the order given, fixed dates and modes."""
        self.write_bytes(relative, zip_bytes(entries, stored))


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a plain file holding exactly `data`."""
    try:
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(target, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _self_and_parents(relative: str) -> list[str]:
    parts = posixpath.normpath(relative).split("/")
    return ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]


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


def output_lock(destination: Path, on_wait: Callable[[Path], None] = lambda path: None) -> FileLock:
    """The output's lock, acquired (waiting for another build if need be); `.release()` it.

    A build that holds it may acquire it again (the count is kept) instead of
    waiting on itself.
    """
    lock_file = output_lock_file(destination)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_file)
    try:
        lock.acquire(wait=False)
    except Busy:
        on_wait(destination)
        lock.acquire()
    return lock


class StagedOutput:
    """`with StagedOutput(out) as tree:` ... the output is replaced only on success.

    An output that is a symbolic link (say, to a shared drive) stays a link:
    the folder it points to is the one replaced. `on_wait` is told when
    another build holds the output and this one waits for it.
    """

    def __init__(self, destination: Path, on_wait: Callable[[Path], None] = lambda path: None):
        self.shown = destination
        self.destination = destination.resolve() if destination.is_symlink() else destination
        self.on_wait = on_wait
        self.staging: Path | None = None
        self.lock: FileLock | None = None

    def __enter__(self) -> OutputTree:
        try:
            self._lock()
            self._recover()
            self.staging = self._make_staging()
            if self.destination.is_dir():
                _link_tree(self.destination, self.staging)
        except OSError as exc:
            self._release()
            raise OutputProblem(describe_os_error(exc, self, building=False)) from None
        except BaseException:
            self._release()
            raise
        return OutputTree(self.staging)

    def __exit__(self, kind, error, trace) -> None:
        assert self.staging is not None
        try:
            if kind is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                if isinstance(error, OSError):
                    raise OutputProblem(describe_os_error(error, self)) from None
                return
            try:
                self._swap()
            except OSError as exc:
                shutil.rmtree(self.staging, ignore_errors=True)
                raise OutputProblem(describe_os_error(exc, self)) from None
        finally:
            self._release()

    def _swap(self) -> None:
        old = None
        if self.destination.exists():
            old = self.destination.with_name(self.staging.name + ".old")
            os.rename(self.destination, old)
        os.rename(self.staging, self.destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    @property
    def _prefix(self) -> str:
        return f".{self.destination.name}.staging-"

    def _lock(self) -> None:
        self.lock = output_lock(self.shown, self.on_wait)

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _recover(self) -> None:
        """Undo what a killed build left: with the lock held, no other build owns these."""
        leftovers = sorted(p for p in self.destination.parent.glob(self._prefix + "*") if p.is_dir())
        previous = [p for p in leftovers if p.name.endswith(".old")]
        if previous and not self.destination.exists():
            # The crash fell between the swap's two renames: the old output is complete.
            os.rename(max(previous, key=lambda p: p.stat().st_mtime_ns), self.destination)
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)

    def _make_staging(self) -> Path:
        # os.mkdir applies the umask (tempfile.mkdtemp would make it 0700), so a
        # shared output folder stays readable by the others who share it.
        while True:
            staging = self.destination.with_name(self._prefix + secrets.token_hex(4))
            try:
                os.mkdir(staging, 0o777)
                return staging
            except FileExistsError:
                continue

    def shown_path(self, path: str | os.PathLike) -> str | None:
        """A path in the staging folder or the output, as the output path the user knows; else None."""
        path = Path(os.path.abspath(path))
        for root in (self.staging, self.destination):
            if root is not None and path.is_relative_to(os.path.abspath(root)):
                return str(self.shown / path.relative_to(os.path.abspath(root)))
        return None


def describe_os_error(exc: OSError, staged: StagedOutput, building: bool = True) -> str:
    """'cannot write output/html/index.html: No space left on device' (never a staging name)."""
    reason = exc.strerror or str(exc)
    kept = f"{staged.shown}/ was left as it was"
    if exc.filename is None:
        return f"cannot write into {staged.shown}/: {reason}; {kept}"
    shown = staged.shown_path(exc.filename)
    if shown is None and building:  # a file the builders read, such as a theme file
        return f"cannot read {exc.filename}: {reason}; {kept}"
    return f"cannot write {shown or exc.filename}: {reason}; {kept}"


def _link_tree(source: Path, target: Path) -> None:
    # Plain strings, not Paths: at 1000 modules this links thousands of files, and
    # building a Path for each took a fifth of the time.
    source, target = os.fspath(source), os.fspath(target)
    for folder, dirs, files in os.walk(source):
        into = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(into, exist_ok=True)
        for name in files:
            src = os.path.join(folder, name)
            try:
                os.link(src, os.path.join(into, name))
            except OSError:  # a file system without hard links
                shutil.copy2(src, os.path.join(into, name))
