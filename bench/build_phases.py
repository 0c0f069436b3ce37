"""Where one build's time goes: the wall time of each of its parts, in one process.

    python bench/build_phases.py COURSE                   # a build as it comes (cold, no-op, ...)
    python bench/build_phases.py COURSE --touch-lesson    # after a sentence added to the middle lesson
    python bench/build_phases.py COURSE --cold            # caches and output removed first

It runs `coursepack build COURSE --format html --out COURSE/output -q` in this
process with the parts below timed by wrapping their functions, and prints a
Markdown table. A cProfile of the same build inflates the many small calls
several times over; wrapping a dozen functions costs nothing that shows.
The parts overlap as they nest (loading holds the modules' parsing and
unpickling); "the rest" is the build's time outside the parts named at its
top level. Time in worker processes (modules parsed side by side) is counted
in the parent's wait for them. It imports what a build with something to do
needs before the build starts (to time the imports as one part), so a no-op
build, which imports none of it, is measured by `bench/run.py` instead.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse
import functools
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

# (module, attribute, label, depth): depth 0 parts add up to the build, deeper ones are inside the one above.
PARTS = [
    ("coursepack.build", "sources_digest", "the sources' digest (before anything is loaded)", 0),
    ("coursepack.build", "_nothing_changed", "comparing it with the last build's (the files it used hashed)", 0),
    ("coursepack.build", "check", "loading the course", 0),
    ("coursepack.loading", "_load_course_file", "course.yml", 1),
    ("coursepack.loading", "_sources_inside", "checking each module's files lie inside the course", 1),
    ("coursepack.loading", "module_key", "hashing each module's files (its cache key)", 1),
    ("coursepack.loading.module_cache", "ModuleCache._read", "reading and unpickling module cache entries", 1),
    ("coursepack.loading", "parse_in_order", "parsing the modules not in the cache", 1),
    ("coursepack.writer", "StagedOutput.__enter__", "staging: the lock, linking the last output", 0),
    ("coursepack.build", "_run_builders", "the builders", 0),
    ("coursepack.writer", "_holds", "comparing written files with the staged ones", 1),
    ("coursepack.writer", "OutputTree.keep_only_written", "removing what the build no longer makes", 1),
    ("coursepack.writer", "StagedOutput.__exit__", "the swap: replacing the output, removing the old one", 0),
    ("coursepack.build", "_format_key", "the formats' keys (what each depends on, hashed)", 0),
    ("coursepack.build", "_OutputRecord.still_good", "checking the output is as the last build left it", 0),
    ("coursepack.build", "_OutputRecord.remember", "recording the output's files (their sizes and times)", 0),
    ("coursepack.build", "_OutputRecord.save", "writing that record", 0),
    ("coursepack.build", "_remember_sources", "recording the sources' digest for the next no-op", 0),
]


def wrap(times: dict[str, float], module_name: str, attribute: str, label: str) -> None:
    module = sys.modules[module_name]
    owner_name, _, name = attribute.rpartition(".")
    owner = getattr(module, owner_name) if owner_name else module
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path)
    parser.add_argument("--touch-lesson", action="store_true", help="change the middle module's lesson first")
    parser.add_argument("--cold", action="store_true", help="remove the caches and the output first")
    args = parser.parse_args()
    course = args.course.resolve()
    out = course / "output"

    imports_started = time.perf_counter()
    import coursepack.build  # what a build with something to do imports, timed as one part
    import coursepack.builders.html
    import coursepack.cli
    import coursepack.loading
    import coursepack.loading.module_cache
    import coursepack.writer
    imported = time.perf_counter()

    # The benchmark's own preparations, imported after the imports timed above.
    from run import forget, touch_one_lesson

    if args.cold:
        forget(course, out)
    if args.touch_lesson:
        touch_one_lesson(course, 0)

    times: dict[str, float] = {}
    for module_name, attribute, label, _ in PARTS:
        wrap(times, module_name, attribute, label)
    build_started = time.perf_counter()
    try:
        coursepack.cli.main(["build", str(course), "--format", "html", "--out", str(out), "-q"])
    except SystemExit as exit:
        if exit.code:
            sys.exit(f"the build failed ({exit.code}): no figures")
    built = time.perf_counter()
    top = sum(times.get(label, 0.0) for _, _, label, depth in PARTS if depth == 0)
    rows = [
        ("this script starting (its imports, its arguments)", imports_started - STARTED, 0),
        ("importing click, pydantic and the model, Jinja, Markdown, PyYAML, the html builder",
         imported - imports_started, 0),
        *((label, times.get(label, 0.0), depth) for _, _, label, depth in PARTS),
        ("the rest of the build (the theme, the builders made, the report)", built - build_started - top, 0),
    ]
    print("| part | seconds |\n| --- | ---: |")
    for label, seconds, depth in rows:
        print(f"| {'&nbsp;&nbsp;' * 2 * depth}{label} | {seconds:.3f} |")
    print(f"| **in this process, in all** (without the interpreter's own start) | **{built - STARTED:.3f}** |")


if __name__ == "__main__":
    main()
