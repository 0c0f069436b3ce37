"""The only code that writes builds to disk, and it swaps them in atomically.

A build writes into a staging folder beside the destination. The staging
folder starts as a copy of the current output made of hard links (cheap, and
the outputs a build does not remake are kept); every write first unlinks the
path, so the old files are never changed in place. Only when every builder has
succeeded does the staging folder replace the output folder; on failure it is
removed and the output is exactly as it was.

Faults are recoverable: a lock beside the output lets one build at a time
stage and swap (another waits); staging folders that a killed build left
behind are removed by the next one, and when a crash fell between the two
renames of the swap, the previous output is renamed back before anything
else happens.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # Windows: filelock's lock instead
    fcntl = None

from coursepack.errors import OutputProblem

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
        target = self.path(relative)
        try:
            target.write_bytes(data)
        except OSError as exc:  # a failed write (a full disk) names no file: name it
            if exc.filename is None:
                raise OSError(exc.errno, exc.strerror, str(target)) from None
            raise

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


def output_lock(destination: Path, on_wait: Callable[[Path], None] = lambda path: None) -> _Lock:
    """The output's lock, acquired (waiting for another build if need be); `.release()` it.

    One lock object per path in a process, so a build that holds it may
    acquire it again (the count is kept) instead of waiting on itself.
    """
    real = destination.resolve() if destination.is_symlink() else destination
    real.parent.mkdir(parents=True, exist_ok=True)
    path = real.with_name(f".{real.name}.lock")
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(str(path.absolute()), _FlockLock(path) if fcntl else _PortableLock(path))
    lock.acquire(lambda: on_wait(destination))
    return lock


class _Lock(Protocol):
    def acquire(self, waiting: Callable[[], None]) -> None: ...
    def release(self) -> None: ...


class _FlockLock:
    """`flock` on the lock file, the lock filelock takes on Unix (so either waits for the other),
    without importing filelock, which brings asyncio and costs a rebuild about 70 ms.

    Threads of one process take turns through an RLock; the file is locked once,
    by the first acquire, and unlocked by the last release. On a file system
    without `flock`, filelock's own fallback takes over."""

    def __init__(self, path: Path):
        self.path = path
        self.turn = threading.RLock()
        self.count = 0
        self.descriptor: int | None = None
        self.fallback: _PortableLock | None = None

    def acquire(self, waiting: Callable[[], None]) -> None:
        told = False
        if not self.turn.acquire(blocking=False):
            waiting()
            told = True
            self.turn.acquire()
        try:
            if self.count == 0:
                self._lock_file(waiting if not told else lambda: None)
            self.count += 1
        except BaseException:
            self.turn.release()
            raise

    def _lock_file(self, waiting: Callable[[], None]) -> None:
        if self.fallback is not None:
            self.fallback.acquire(waiting)
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting()
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError as exc:
            os.close(descriptor)
            if exc.errno not in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
                raise
            self.fallback = _PortableLock(self.path)
            self.fallback.acquire(waiting)
            return
        self.descriptor = descriptor

    def release(self) -> None:
        self.count -= 1
        try:
            if self.count == 0:
                if self.fallback is not None:
                    self.fallback.release()
                elif self.descriptor is not None:
                    fcntl.flock(self.descriptor, fcntl.LOCK_UN)
                    os.close(self.descriptor)  # the file stays: removing it would split the waiters
                    self.descriptor = None
        finally:
            self.turn.release()


class _PortableLock:
    """filelock's lock, where there is no `flock` (Windows, some network file systems)."""

    def __init__(self, path: Path):
        import filelock

        self.timeout = filelock.Timeout
        self.lock = filelock.FileLock(path, is_singleton=True)

    def acquire(self, waiting: Callable[[], None]) -> None:
        try:
            self.lock.acquire(timeout=0)
        except self.timeout:
            waiting()
            self.lock.acquire()

    def release(self) -> None:
        self.lock.release()


_LOCKS: dict[str, _Lock] = {}
_LOCKS_GUARD = threading.Lock()


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
        self.lock: _Lock | None = None

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
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            src = Path(folder) / name
            try:
                os.link(src, target / relative / name)
            except OSError:  # a file system without hard links
                shutil.copy2(src, target / relative / name)
