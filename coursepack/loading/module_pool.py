"""Parsing the modules a load must read in forked worker processes, when that pays.

Parsing (Python-Markdown, YAML, validation) is most of a full build, and each
module is parsed on its own: the renderer is reset for every text and keeps
nothing from one module to the next. So the modules can be parsed side by side
and come back in their order, giving what parsing them one after the other gives.

Only where a process can fork while it has a single thread (as the format
workers in `coursepack.build` do): a forked worker starts at once with
everything imported and the course's settings in hand, and no other thread can
hold a lock that the child would inherit locked. Elsewhere (Windows cannot
fork, and a worker started from scratch costs more than it saves; `coursepack
serve` has its watchers and server running), the modules are parsed in this
process.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from coursepack.workers import ignore_interrupts, stop_workers, usable_cpus

Task = TypeVar("Task")
Result = TypeVar("Result")

# Below this many modules to parse, starting the workers costs about what it saves:
# forking and collecting two workers took 15-25 ms on 2 CPUs, and a module 10-20 ms to parse.
MIN_MODULES = 8
CHUNKS_PER_WORKER = 4  # small enough that no worker waits long on another, large enough to send few messages

# What the workers run: set before they are forked, so that they inherit it, closures and all.
_parse: Callable | None = None


def parse_in_order(tasks: Sequence[Task], parse: Callable[[Task], Result], jobs: int | None = None) -> list[Result]:
    """`parse(task)` for each task, in the tasks' order: in worker processes when there are
    enough tasks and CPUs (at most `jobs` workers; None: one per CPU this process may use)."""
    global _parse
    workers = min(jobs or usable_cpus(), len(tasks) // (MIN_MODULES // 2))
    if len(tasks) < MIN_MODULES or workers < 2 or not _can_fork():
        return [parse(task) for task in tasks]
    from concurrent.futures import ProcessPoolExecutor

    from coursepack.collector import objects_now_spared

    _parse = parse
    try:
        # A worker's cycle collector would otherwise walk (and so copy) every object this process holds.
        with objects_now_spared(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts,
        ) as pool:
            try:
                chunk = max(1, len(tasks) // (workers * CHUNKS_PER_WORKER))
                return list(pool.map(_parse_one, tasks, chunksize=chunk))
            except BaseException:  # Ctrl-C, or a bug in a worker: the others need not finish
                stop_workers()
                raise
    finally:
        _parse = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _parse_one(task):
    return _parse(task)
