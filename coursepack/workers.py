"""Worker processes that stay quiet on Ctrl-C, so that the main process alone says what happened.

A terminal's Ctrl-C reaches every process of the build. Workers ignore it; the
main process stops them (`stop_workers`) and reports the interruption once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal


def usable_cpus() -> int:
    """The CPUs this process may run on: a container or `taskset` may allow fewer than the
    machine has, and a worker per CPU of the machine would then only wait its turn."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS and Windows have no affinity masks to read
        return os.cpu_count() or 1


def ignore_interrupts() -> None:
    """A pool initializer: Ctrl-C is for the main process; a stop request ends this worker's own workers too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_and_exit)


def stop_workers() -> None:
    """End this process's worker processes now (their half-written files are discarded with the staging folder)."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=5)


def _stop_and_exit(signum, frame) -> None:
    stop_workers()
    os._exit(128 + signum)
