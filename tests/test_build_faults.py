"""Faults around a build: Ctrl-C, kill -9, two builds at once, a full or read-only
disk, a shared or linked output folder, and an --out that would replace the course.

Each runs the real command in its own process (group), as a terminal would.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

from conftest import REPO, require, run_coursepack

ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its digest: 'as it was' means this is equal."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(course: Path) -> list[str]:
    return sorted(p.name for p in course.iterdir() if ".staging-" in p.name)


def start_build(course: Path, *args: str, **popen) -> subprocess.Popen:
    """A build in a process group of its own, so that a signal reaches it and its workers, as from a terminal."""
    return subprocess.Popen([sys.executable, "-m", "coursepack", "build", str(course), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True, **popen)


def wait_for_staging(course: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not leftovers(course):
        assert process.poll() is None, "the build ended before it began writing"
        assert time.monotonic() < deadline, "the build never began writing"
        time.sleep(0.02)


def group_is_gone(pgid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def course(fixture_course):
    return fixture_course("pdf-worksheet")


@pytest.fixture
def built(course):
    """The course built once (html and scorm12), then a lesson changed so that the next build has work to do."""
    result = run_coursepack("build", str(course), "--format", "html,scorm12", "-q")
    assert result.returncode == 0, result.stderr
    lesson = sorted(course.glob("modules/*/lesson.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    return course


def test_ctrl_c_exits_130_with_one_line_and_leaves_the_output_as_it_was(built):
    before = snapshot(built / "output")
    build = start_build(built, "--format", "html,pdf,scorm12")
    wait_for_staging(built, build)
    time.sleep(0.5)  # well inside the builders' work, the PDFs' included
    os.killpg(build.pid, signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130
    assert err == "Stopped by Ctrl-C; the output folder was left as it was.\n"
    assert out == ""
    assert group_is_gone(build.pid), "a worker process outlived the build"
    assert snapshot(built / "output") == before
    assert leftovers(built) == []


def test_a_killed_build_leaves_nothing_that_the_next_build_keeps(built):
    before = snapshot(built / "output")
    build = start_build(built, "--format", "html,pdf")
    wait_for_staging(built, build)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert group_is_gone(build.pid)
    assert leftovers(built), "kill -9 should have left its staging folder"
    assert snapshot(built / "output") == before  # the kill never touched the output
    again = run_coursepack("build", str(built), "--format", "html", "-q")
    assert again.returncode == 0, again.stderr
    assert leftovers(built) == []
    assert (built / "output/html/index.html").is_file() and list((built / "output/lms").glob("*.zip"))


def test_a_crash_between_the_swaps_two_renames_is_undone_by_the_next_build(built):
    """The swap renames output/ aside, then the staging folder in: a crash between leaves no output/."""
    before = snapshot(built / "output")
    os.rename(built / "output", built / ".output.staging-1a2b3c4d.old")
    (built / ".output.staging-1a2b3c4d/html").mkdir(parents=True)
    result = run_coursepack("build", str(built), "--format", "pdf", "-q")
    assert result.returncode == 0, result.stderr
    after = snapshot(built / "output")
    assert {k: v for k, v in after.items() if not k.startswith("pdf/")} == before  # html and lms came back
    assert any(k.startswith("pdf/") for k in after)
    assert leftovers(built) == []


def test_two_builds_into_one_output_wait_for_each_other_and_both_are_kept(built):
    holder = filelock.FileLock(built / ".output.lock")
    holder.acquire()  # a third build is writing: both must wait, then run one after the other
    try:
        first = start_build(built, "--format", "html")
        second = start_build(built, "--format", "scorm2004")
        time.sleep(3)
        assert first.poll() is None and second.poll() is None, "a build went on while another held the output"
    finally:
        holder.release()
    results = [process.communicate(timeout=120) for process in (first, second)]
    for process, (out, err) in zip((first, second), results):
        assert process.returncode == 0, err
        assert err.startswith(f"Waiting for another build writing {built / 'output'}/ to finish…\n")
        assert out.splitlines()[-1].startswith("Built ")
    assert (built / "output/html/index.html").is_file()
    assert len(list((built / "output/lms").glob("*-scorm2004.zip"))) == 1
    assert len(list((built / "output/lms").glob("*-scorm12.zip"))) == 1  # from the build before both
    assert leftovers(built) == []


def test_the_output_is_made_with_the_umask_so_a_shared_drive_can_read_it(course):
    result = subprocess.run([sys.executable, "-m", "coursepack", "build", str(course), "--format", "html", "-q"],
                            capture_output=True, text=True, env=ENV, preexec_fn=lambda: os.umask(0o002))
    assert result.returncode == 0, result.stderr
    output = course / "output"
    assert oct(output.stat().st_mode & 0o777) == oct(0o775)
    assert oct((output / "html").stat().st_mode & 0o777) == oct(0o775)
    assert oct((output / "html/index.html").stat().st_mode & 0o777) == oct(0o664)


def test_an_output_that_is_a_link_to_a_shared_folder_stays_a_link(course, tmp_path):
    shared = tmp_path / "shared-drive/course-output"
    shared.mkdir(parents=True)
    (course / "output").symlink_to(shared)
    for formats in ("html", "scorm12"):
        result = run_coursepack("build", str(course), "--format", formats, "-q")
        assert result.returncode == 0, result.stderr
    assert (course / "output").is_symlink() and (course / "output").resolve() == shared.resolve()
    assert (shared / "html/index.html").is_file() and list((shared / "lms").glob("*-scorm12.zip"))
    assert leftovers(course) == [] and leftovers(shared.parent) == []


@pytest.mark.parametrize(("out", "says"), [
    (".", "is the course folder"),
    ("..", "is a folder that holds the course"),
    ("modules/extra", "is inside the course's modules/"),
    ("templates", "is inside the course's templates/"),
])
def test_an_out_that_would_replace_the_course_or_its_sources_is_refused(course, out, says):
    (course / "notes.txt").write_text("saved while the build ran", encoding="utf-8")
    before = snapshot(course.parent)
    result = run_coursepack("build", ".", "--out", out, cwd=course)
    assert result.returncode == 1
    assert result.stderr == f"error: --out '{out}' {says}" + (
        ", which a build would replace; " if "holds" in says or "is the course" in says else "; "
    ) + "name a folder of its own, such as 'output'\n"
    assert snapshot(course.parent) == before


def test_a_full_disk_is_an_error_naming_the_file_and_the_output_is_as_it_was(built):
    """A file-size limit makes the first large write fail as a full disk does (EFBIG instead of ENOSPC)."""
    before = snapshot(built / "output")

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run([sys.executable, "-m", "coursepack", "build", str(built), "--format", "html,scorm12"],
                            capture_output=True, text=True, env=ENV, preexec_fn=small_files)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: cannot write {built / 'output'}/"), line
    assert line.endswith(f": File too large; {built / 'output'}/ was left as it was"), line
    assert ".staging-" not in line
    assert snapshot(built / "output") == before
    assert leftovers(built) == []


def test_a_read_only_output_folder_is_an_error_naming_it(course, tmp_path):
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(readonly)], capture_output=True)
    require(mounted.returncode == 0, "permission to mount a read-only tmpfs (root)")
    try:
        result = run_coursepack("build", str(course), "--format", "html", "--out", str(readonly / "output"))
    finally:
        subprocess.run(["umount", str(readonly)], check=True)
    assert result.returncode == 1
    assert result.stderr == (f"error: cannot write {readonly / 'output'}: Read-only file system; "
                             f"{readonly / 'output'}/ was left as it was\n")
