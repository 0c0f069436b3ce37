"""The output's lock: one build at a time, whoever else holds it (another process,
another thread, filelock), while the build holding it may take it again."""

from __future__ import annotations

import threading

import filelock
import pytest

from coursepack.file_lock import Busy, FileLock


def test_the_holder_takes_it_again_and_others_wait_until_it_is_let_go(tmp_path):
    path = tmp_path / ".output.lock"
    lock = FileLock(path)
    lock.acquire()
    lock.acquire(wait=False)  # the same thread again: counted, no waiting on itself
    outcome = []

    def other_thread() -> None:
        try:
            FileLock(path).acquire(wait=False)
            outcome.append("took it")
        except Busy:
            outcome.append("busy")

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert outcome == ["busy"]
    with pytest.raises(filelock.Timeout):  # another program, with filelock, is kept out as well
        filelock.FileLock(path).acquire(timeout=0)
    lock.release()
    with pytest.raises(filelock.Timeout):  # still held once
        filelock.FileLock(path).acquire(timeout=0)
    lock.release()
    other = filelock.FileLock(path)
    other.acquire(timeout=0)
    try:
        with pytest.raises(Busy):
            FileLock(path).acquire(wait=False)
    finally:
        other.release()
    FileLock(path).acquire(wait=False)  # free again
    FileLock(path).release()
