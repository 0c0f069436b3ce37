"""Modules parsed side by side in worker processes give what parsing them in turn gives:
the same packet, byte for byte, and the same errors and warnings in the same order.

The side-by-side loads run in a new Python, single-threaded as a command-line build is
while it loads: a process with other threads (this one has other tests' browsers)
parses its modules in turn, since a forked child could inherit a lock another thread held.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, require

from coursepack.build import build
from coursepack.errors import CourseErrors
from coursepack.loading import load_course

from test_commands import tree_digest

MODULES = 12  # above module_pool.MIN_MODULES, so that a default build parses them in workers


def in_a_new_process(code: str) -> object:
    """Runs `code` (which prints JSON) in a new Python that can parse in workers; what it printed."""
    require("fork" in multiprocessing.get_all_start_methods(), "a system that can fork processes")
    prelude = ("import json, os\nfrom coursepack.loading import module_pool\n"
               "assert module_pool._can_fork(), 'this process cannot parse in workers'\n")
    result = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def many_modules(course: Path, count: int = MODULES) -> Path:
    """The sample course's modules, again and again, renumbered: `count` modules."""
    sample = Path(__file__).resolve().parent.parent / "modules"
    originals = sorted(p for p in sample.iterdir() if p.is_dir())
    (course / "modules").mkdir(parents=True)
    shutil.copy(sample.parent / "course.yml", course / "course.yml")
    for number in range(1, count + 1):
        source = originals[(number - 1) % len(originals)]
        name = source.name.split("-", 1)[1]
        copy = shutil.copytree(source, course / "modules" / f"{number:02d}-{name}-{number}")
        quiz = copy / "quiz.yml"
        if quiz.exists():  # question ids are the course's: each copy's are its own
            quiz.write_text(re.sub(r"(?m)^(\s*-?\s*id:\s*)([\w-]+)", rf"\1\2-{number}", quiz.read_text(encoding="utf-8")),
                            encoding="utf-8")
    return course


def test_the_pool_parses_in_several_processes_and_keeps_the_order():
    # Each worker's first task waits for another worker's first: tasks this quick could
    # otherwise all be taken by the first worker before the second one runs, on a busy machine.
    # A pool that parses in one process fails here after the barrier's timeout, not by a hang.
    tasks, parent, pids = in_a_new_process(
        "import multiprocessing\n"
        "two_workers = multiprocessing.get_context('fork').Barrier(2, timeout=60)\n"
        "waited = []\n"
        "def parse(task):\n"
        "    if not waited:\n"
        "        waited.append(True)\n"
        "        two_workers.wait()\n"
        "    return task, os.getpid()\n"
        f"tasks = list(range({MODULES * 3}))\n"
        "results = module_pool.parse_in_order(tasks, parse, jobs=2)\n"
        "print(json.dumps([[task for task, _ in results], os.getpid(), sorted({pid for _, pid in results})]))")
    assert tasks == list(range(MODULES * 3))
    assert parent not in pids and len(pids) == 2


def test_a_process_allowed_one_cpu_parses_in_turn():
    """A container or `taskset` may allow fewer CPUs than the machine has: workers are counted
    by the CPUs the process may use, so one allowed CPU gets no workers to wait on each other."""
    require(hasattr(os, "sched_setaffinity"), "CPU affinity masks (Linux)")
    tasks, parent, pids = in_a_new_process(
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        f"tasks = list(range({MODULES * 3}))\n"
        "results = module_pool.parse_in_order(tasks, lambda task: (task, os.getpid()))\n"
        "print(json.dumps([[task for task, _ in results], os.getpid(), sorted({pid for _, pid in results})]))")
    assert tasks == list(range(MODULES * 3))
    assert pids == [parent]


def test_a_course_parsed_in_workers_builds_the_same_packet(tmp_path):
    course = many_modules(tmp_path / "course")
    alone = build(course, ["html", "scorm12"], out=tmp_path / "alone", use_cache=False, jobs=1)
    side_by_side = in_a_new_process(
        "from pathlib import Path\nfrom coursepack.build import build\n"
        f"report = build(Path({str(course)!r}), ['html', 'scorm12'], out=Path({str(tmp_path / 'side')!r}), "
        "use_cache=False, jobs=2)\n"
        "import gc\n"
        "print(json.dumps([report.module_count, [str(w) for w in report.warnings], gc.get_freeze_count(),"
        " gc.isenabled()]))")
    # The cycle collector gets back everything it was kept from while the workers ran: a process
    # that builds again, as `coursepack serve` does, reclaims the old course.
    assert side_by_side == [MODULES, [str(w) for w in alone.warnings], 0, True]
    assert alone.module_count == MODULES
    assert tree_digest(tmp_path / "alone") == tree_digest(tmp_path / "side")


LOAD_IN_WORKERS = """\
from coursepack.errors import CourseErrors
from coursepack.loading import load_course
try:
    print(json.dumps(["warnings", [str(w) for w in load_course({course!r}, jobs=2).warnings]]))
except CourseErrors as exc:
    print(json.dumps(["errors", [str(p) for p in exc.problems]]))
"""


def test_errors_are_the_same_whichever_way_the_modules_are_parsed(tmp_path):
    course = many_modules(tmp_path / "course")
    folders = sorted((course / "modules").iterdir())
    # Mistakes in several modules, of the kinds each pass finds: where a module lies
    # (an id taken twice), its lesson (no title), its quiz (YAML syntax, a wrong type).
    shutil.copytree(folders[0], course / "modules" / f"99-{folders[0].name.split('-', 1)[1]}")
    lesson = folders[4] / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    (folders[7] / "quiz.yml").write_text("questions:\n  - id: q1\n    type: true_false\n    prompt: [unclosed\n",
                                         encoding="utf-8")
    (folders[10] / "quiz.yml").write_text('questions: "none"\n', encoding="utf-8")

    with pytest.raises(CourseErrors) as raised:
        load_course(course, jobs=1)
    alone = [str(problem) for problem in raised.value.problems]
    assert in_a_new_process(LOAD_IN_WORKERS.format(course=str(course))) == ["errors", alone]
    for folder in ("99-", folders[4].name, folders[7].name, folders[10].name):
        assert any(line.startswith(f"modules/{folder}") for line in alone), (folder, alone)


def test_warnings_come_in_the_modules_order_whichever_way_they_are_parsed(tmp_path):
    course = many_modules(tmp_path / "course")
    folders = sorted((course / "modules").iterdir())
    for folder in folders[9], folders[2]:  # a warning each: a folder without a number
        folder.rename(course / "modules" / folder.name.split("-", 1)[1])
    alone = [str(w) for w in load_course(course, jobs=1).warnings]
    assert in_a_new_process(LOAD_IN_WORKERS.format(course=str(course))) == ["warnings", alone]
    assert len([line for line in alone if "no number prefix" in line]) == 2, alone


def test_a_build_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    """`coursepack serve` builds again and again in one process: a build that pauses the
    collector or keeps objects from it must hand it everything back, also when it fails."""
    course = many_modules(tmp_path / "course", count=3)
    build(course, ["html"], out=tmp_path / "out")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (sorted((course / "modules").iterdir())[1] / "quiz.yml").write_text("questions: [unclosed\n", encoding="utf-8")
    with pytest.raises(CourseErrors):
        build(course, ["html"], out=tmp_path / "out")
    assert gc.isenabled() and gc.get_freeze_count() == 0
