"""Leaving objects that live to the end of a step out of the cycle collector's walks.

A loaded course is hundreds of thousands of small objects that live until the
build ends. Each full pass of Python's cycle collector walks every one of them
again, and the passes come more often the more a build allocates; Python makes
one more on its way out (the command line skips that one: `cli.main`). At 1000
modules a one-lesson rebuild spent about a quarter of its time in them. A forked
worker's collector would also write to (and so copy) every page of them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def objects_now_spared() -> Iterator[None]:
    """Every object alive now is left out of the cycle collector's passes until the block ends,
    then handed back to it (so a process that builds again, as `coursepack serve`, can still
    reclaim them). Inside another such block, or when the program that runs coursepack has
    frozen objects of its own, nothing is changed: unfreezing would hand back theirs too."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cycle collection inside the block: for one that makes many objects that all live on
    (a loaded course), which each collection would walk again for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
