"""Start-up time of `coursepack --version` and `--help` against mkdocs'.

    python bench/startup.py                 # 20 runs of each command, median
    python bench/startup.py --runs 50 --mkdocs-python PATH

Each command runs as `python -m TOOL ARG` in a fresh process from an empty
temporary folder outside the repository (PYTHONPATH pointing at it), so
neither tool finds a project to read; the figure is the median wall time,
after one run not counted.
mkdocs is taken from bench/.venv (which `python bench/run.py` makes), else
from this Python, else from --mkdocs-python; when none has it, the report
says so and compares with mkdocs' start-up measured earlier on the
development machine (REFERENCE_SECONDS).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_PYTHON = BENCH / ".venv" / "bin" / "python"
REFERENCE_SECONDS = 0.15  # `mkdocs --version` on the development machine, 2 CPUs, Python 3.11
ARGUMENTS = ("--version", "--help")


def median_seconds(commands: list[list[str]], runs: int, cwd: Path) -> list[float]:
    """The median wall time of each command; their runs alternate, so a change in
    the machine's load falls on all of them alike."""
    # Bytecode may be written, as pip writes it for an installed package; the
    # first run, not counted, writes it and warms the file cache.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(REPO), NO_COLOR="1")
    times: list[list[float]] = [[] for _ in commands]
    for attempt in range(runs + 1):
        for command, taken in zip(commands, times):
            started = time.perf_counter()
            subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            if attempt:
                taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times]


def has_mkdocs(python: str) -> bool:
    return subprocess.run([python, "-c", "import mkdocs"], capture_output=True).returncode == 0


def find_mkdocs(given: str | None) -> str | None:
    candidates = [given] if given else [str(VENV_PYTHON), sys.executable]
    return next((p for p in candidates if Path(p).exists() and has_mkdocs(p)), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    parser.add_argument("--mkdocs-python", help="a Python that has mkdocs installed")
    options = parser.parse_args()
    mkdocs = find_mkdocs(options.mkdocs_python)
    with tempfile.TemporaryDirectory() as empty:
        cwd = Path(empty)
        rows = []
        for argument in ARGUMENTS:
            commands = [[sys.executable, "-m", "coursepack", argument]]
            if mkdocs:
                commands.append([mkdocs, "-m", "mkdocs", argument])
            ours, *theirs = median_seconds(commands, options.runs, cwd)
            rows.append((argument, ours, theirs[0] if theirs else None))
    print(f"Median of {options.runs} runs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.2f}.")
    if not mkdocs:
        print(f"mkdocs is missing (not in {VENV_PYTHON} nor this Python; `python bench/run.py` installs it): "
              f"the ratio is to {REFERENCE_SECONDS:.2f} s, mkdocs' start-up measured earlier.")
    print()
    print("| command | coursepack | mkdocs | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for argument, ours, theirs in rows:
        baseline = theirs if theirs is not None else REFERENCE_SECONDS
        shown = f"{theirs * 1000:.0f} ms" if theirs is not None else f"({REFERENCE_SECONDS * 1000:.0f} ms)"
        print(f"| `{argument}` | {ours * 1000:.0f} ms | {shown} | {ours / baseline:.2f} |")


if __name__ == "__main__":
    main()
