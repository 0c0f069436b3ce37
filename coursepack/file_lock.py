"""The output's lock: exclusive for a build, which may take it again without waiting,
and shared for a look at whether the output is as the last build left it.

On Unix it is a plain `fcntl.flock` on the file, which is what filelock does there
too, so a build holding the lock this way and a program holding it with filelock
exclude each other. Importing filelock costs about 70 ms (it imports asyncio for
its asynchronous locks), a tenth of a rebuild after one lesson changed; it is
imported only where `fcntl` is missing (Windows), and its own lock used there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def output_lock_file(destination: Path) -> Path:
    """The lock file beside an output folder; through a link, beside the folder it leads to,
    so that two names of one folder share one lock."""
    real = destination.resolve() if destination.is_symlink() else destination
    return real.with_name(f".{real.name}.lock")


def shared_hold(path: Path) -> Callable[[], None] | None:
    """A shared hold on the lock at `path`, taken at once, and the function that lets it go;
    None while someone holds it exclusively. A lock file no one has made yet is held by no one.
    (filelock has no shared locks: on Windows the hold is exclusive.)"""
    if fcntl is None:
        import filelock

        held = filelock.FileLock(path, is_singleton=True)
        try:
            held.acquire(timeout=0)
        except (filelock.Timeout, OSError):
            return None
        return held.release
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return lambda: None
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None

    def release() -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)

    return release


class Busy(Exception):
    """Another process (or thread) holds the lock."""


class _Held:
    def __init__(self, descriptor: int):
        self.descriptor = descriptor
        self.count = 1


# Per thread, the locks it holds by path: another thread waits as another process does.
_holding = threading.local()


class FileLock:
    def __init__(self, path: Path):
        self.path = os.path.abspath(path)
        self._fallback = None
        if fcntl is None:
            import filelock

            self._fallback = filelock.FileLock(self.path, is_singleton=True)

    def acquire(self, wait: bool = True) -> None:
        """Take the lock, waiting for whoever holds it; raises Busy at once if `wait` is False."""
        if self._fallback is not None:
            import filelock

            try:
                self._fallback.acquire(timeout=-1 if wait else 0)
            except filelock.Timeout:
                raise Busy(self.path) from None
            return
        held = self._held()
        if self.path in held:
            held[self.path].count += 1
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(descriptor)
            raise Busy(self.path) from None
        except BaseException:
            os.close(descriptor)
            raise
        held[self.path] = _Held(descriptor)

    def release(self) -> None:
        if self._fallback is not None:
            self._fallback.release()
            return
        held = self._held()
        entry = held[self.path]
        entry.count -= 1
        if entry.count == 0:
            del held[self.path]
            fcntl.flock(entry.descriptor, fcntl.LOCK_UN)
            os.close(entry.descriptor)

    @staticmethod
    def _held() -> dict[str, _Held]:
        if not hasattr(_holding, "locks"):
            _holding.locks = {}
        return _holding.locks
