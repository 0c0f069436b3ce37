"""The benchmark, in one command, on this machine, in one run:

    python bench/run.py                 # courses of 10, 100 and 1000 modules (a few minutes)
    python bench/run.py --quick         # 10 and 100 modules, one run each (a smoke test)

For each size it generates a synthetic course (bench/synthetic.py) and
measures, each figure the best of --repeat runs of the command a user types:
- a full HTML build (`coursepack build --format html`, caches and output removed
  first) against `mkdocs build` of the same lesson Markdown, per page;
- the peak memory (maximum resident set) of the build process;
- a no-op rebuild and a rebuild after one lesson changed, as a fraction of the
  full build;
then the scaling from 100 to 1000 modules (time per page at 1000 over time per
page at 100: 1.0 is linear), and the PDF step (bench/pdf_bench.py, when present).

mkdocs is installed on first use into bench/.venv (from bench/requirements.txt),
a virtual environment that shares this Python's packages, so both tools render
Markdown with the same library. The figures go to stdout as Markdown tables
and, with --json FILE, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from mkdocs_site import make_mkdocs_project  # noqa: E402
from synthetic import make_course  # noqa: E402

from coursepack import __version__  # noqa: E402
from coursepack.build import CACHE_DIR  # noqa: E402

VENV = BENCH / ".venv"
TARGETS = {
    "per_page_vs_mkdocs": 1.0,  # coursepack's time per page over mkdocs': at most this
    "scaling": 1.2,  # time per page at 1000 over at 100; 1.0 is linear, this allows for noise
    "noop_fraction": 0.05,
    "one_lesson_fraction": {100: 0.15, 1000: 0.10},  # by the number of modules
    "peak_mb_1000": 500,
}


@dataclass
class Measured:
    seconds: float  # the best wall time
    cpu: float  # the least CPU time (user + system, the process and the workers it waited for)
    peak_mb: float  # the largest maximum resident set over the runs
    runs: list[float] = field(default_factory=list)


@dataclass
class SizeResult:
    modules: int
    pages: int
    coursepack: Measured
    mkdocs: Measured | None
    noop: Measured | None = None
    one_lesson: Measured | None = None

    @property
    def per_page_ms(self) -> float:
        return 1000 * self.coursepack.seconds / self.pages

    @property
    def mkdocs_per_page_ms(self) -> float | None:
        return 1000 * self.mkdocs.seconds / self.pages if self.mkdocs else None


# ---------------------------------------------------------------- measuring


def run_measured(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Run a command to its end: its wall time and CPU time in seconds, its peak resident memory in MB."""
    # Bytecode may be written and read, as for an installed package (see `write_bytecode`).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(REPO), NO_COLOR="1")
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{output.read().decode(errors='replace')}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports kilobytes


def write_bytecode() -> None:
    """Compile coursepack's modules first, as pip does when it installs a package: else
    the first build measured, or every build when PYTHONDONTWRITEBYTECODE is set in the
    environment, compiles them all from source (40 to 80 ms a build here)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "coursepack")], check=True,
                   stdout=subprocess.DEVNULL)


def best_of(repeat: int, command: list[str], before=None, cwd: Path | None = None) -> Measured:
    runs, cpus, peaks = [], [], []
    for attempt in range(repeat):
        if before:
            before(attempt)
        seconds, cpu, peak = run_measured(command, cwd)
        runs.append(round(seconds, 3))
        cpus.append(round(cpu, 3))
        peaks.append(peak)
    return Measured(min(runs), min(cpus), round(max(peaks), 1), runs)


def coursepack_build(course: Path, out: Path, fmt: str = "html") -> list[str]:
    return [sys.executable, "-m", "coursepack", "build", str(course), "--format", fmt, "--out", str(out), "-q"]


def forget(course: Path, out: Path) -> None:
    """Remove the output and the caches, so that the next build does all the work."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(course / CACHE_DIR, ignore_errors=True)


def touch_one_lesson(course: Path, attempt: int) -> None:
    """Change the wording of the middle module's lesson, as an author saving it would."""
    modules = sorted(p for p in (course / "modules").iterdir() if p.is_dir())
    lesson = modules[len(modules) // 2] / "lesson.md"
    with lesson.open("a", encoding="utf-8") as handle:
        handle.write(f"\nOne more sentence, edit {attempt + 1}.\n")


# ---------------------------------------------------------------- mkdocs


def this_pythons_site_folders() -> list[str]:
    """The folders this Python takes packages from: a virtual environment's own, and the
    base interpreter's too when the environment shares them."""
    folders = site.getsitepackages() + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    return [p for p in dict.fromkeys(folders) if Path(p).is_dir()]


def share_this_pythons_packages(python: Path) -> None:
    """Let bench/.venv see the packages of the Python running the benchmark, and only those.

    `--system-site-packages` would share the base interpreter's packages: run
    from a virtual environment (as the README's commands are), coursepack's
    dependencies (Python-Markdown, pymdown-extensions) would be missing there,
    or be other versions. A .pth file adds this Python's site folders (with
    their own .pth files, so editable installs count too), so both tools
    render with the same libraries. Written on every run: the environment
    the benchmark runs from may have changed since bench/.venv was made."""
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    lines = "".join(f"import site; site.addsitedir({folder!r})\n" for folder in this_pythons_site_folders())
    (Path(purelib) / "benchmark-shares-packages.pth").write_text(lines, encoding="utf-8")


def made_by() -> str:
    """Which interpreter bench/.venv must be made from: the base of the one running this."""
    base = getattr(sys, "_base_executable", sys.executable)
    return f"{os.path.realpath(base)} {platform.python_version()}\n"


def mkdocs_python() -> tuple[str | None, str]:
    """The Python of bench/.venv with mkdocs installed (made on first use), or None and why not."""
    python = VENV / "bin" / "python"
    marker = VENV / "made-by.txt"
    if python.exists() and (not marker.is_file() or marker.read_text(encoding="utf-8") != made_by()):
        shutil.rmtree(VENV)  # made by another Python: its packages would not load here
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if made.returncode != 0:
            return None, f"could not make {VENV}: {made.stderr.strip()[-300:]}"
        marker.write_text(made_by(), encoding="utf-8")
    share_this_pythons_packages(python)
    probe = subprocess.run([str(python), "-c", "import mkdocs"], capture_output=True)
    if probe.returncode != 0:
        installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(BENCH / "requirements.txt")],
                                   capture_output=True, text=True)
        if installed.returncode != 0:
            return None, f"could not install mkdocs: {installed.stderr.strip()[-300:]}"
    # Both tools must render with the same libraries, from the same folders.
    same = "import markdown, pymdownx; print(markdown.__file__); print(pymdownx.__file__)"
    theirs = subprocess.run([str(python), "-c", same], capture_output=True, text=True)
    ours = subprocess.run([sys.executable, "-c", same], capture_output=True, text=True)
    if theirs.returncode != 0 or theirs.stdout != ours.stdout:
        return None, (f"mkdocs in {VENV} does not render with this Python's Markdown libraries: "
                      f"{(theirs.stderr.strip() or theirs.stdout.strip())[-300:]}")
    version = subprocess.run([str(python), "-c", "import mkdocs; print(mkdocs.__version__)"],
                             capture_output=True, text=True)
    return str(python), f"mkdocs {version.stdout.strip()}"


# ---------------------------------------------------------------- the run


def measure_size(modules: int, work: Path, repeat: int, mkdocs: str | None, rebuilds: bool) -> SizeResult:
    course = make_course(work / f"course-{modules}", modules)
    out = work / f"out-{modules}"
    say(f"{modules} modules: full HTML builds ...")
    full = best_of(repeat, coursepack_build(course, out), before=lambda _: forget(course, out))
    pages = len(list((out / "html").rglob("*.html")))
    mk = None
    if mkdocs:
        say(f"{modules} modules: mkdocs builds ...")
        config = make_mkdocs_project(course, work / f"mkdocs-{modules}")
        mk = best_of(repeat, [mkdocs, "-m", "mkdocs", "build", "-q", "-f", str(config)], cwd=config.parent)
    result = SizeResult(modules, pages, full, mk)
    if rebuilds:
        say(f"{modules} modules: no-op and one-lesson rebuilds ...")
        result.noop = best_of(repeat, coursepack_build(course, out))
        result.one_lesson = best_of(repeat, coursepack_build(course, out), before=lambda n: touch_one_lesson(course, n))
    return result


def pdf_step(repeat: int) -> str:
    """The PDF step against WeasyPrint alone: bench/pdf_bench.py reports it, when it is there."""
    script = BENCH / "pdf_bench.py"
    if not script.exists():
        return "bench/pdf_bench.py is not in this checkout: the PDF step was not measured.\n"
    say("PDF step: bench/pdf_bench.py ...")
    result = subprocess.run([sys.executable, str(script), "--repeat", str(repeat)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        return f"bench/pdf_bench.py failed ({result.returncode}):\n\n```\n{result.stderr.strip()[-2000:]}\n```\n"
    return result.stdout


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> dict:
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "coursepack": f"{__version__} at {git.stdout.strip() or '?'}{' with local changes' if dirty.stdout.strip() else ''}",
        "load_before": round(os.getloadavg()[0], 2),
    }


# ---------------------------------------------------------------- the report


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def report(info: dict, sizes: list[SizeResult], pdf: str, mkdocs_note: str) -> str:
    lines = [
        "## Machine",
        "",
        f"{info['cpus']} CPUs, Python {info['python']}, {info['system']}; coursepack {info['coursepack']}; "
        f"{mkdocs_note}. Load average (1 min) {info['load_before']} before, {info['load_after']} after.",
        "",
        "Start-up alone (`--version`, included in every build time below): "
        + ", ".join(f"{tool} {seconds:.2f} s" for tool, seconds in info["startup"].items()) + ".",
        "",
        "## HTML build against mkdocs (the command as typed, start-up included)",
        "",
        "| modules | pages | coursepack wall (CPU) | per page | mkdocs wall (CPU) | per page "
        "| ratio wall (CPU) | peak memory coursepack / mkdocs |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        mk, cp = s.mkdocs, s.coursepack
        lines.append(
            f"| {s.modules} | {s.pages} | {cp.seconds:.2f} s ({cp.cpu:.2f} s) | {s.per_page_ms:.1f} ms | "
            + (f"{mk.seconds:.2f} s ({mk.cpu:.2f} s) | {s.mkdocs_per_page_ms:.1f} ms | "
               f"{cp.seconds / mk.seconds:.2f} ({cp.cpu / mk.cpu:.2f}) | " if mk else "– | – | – | ")
            + f"{cp.peak_mb:.0f} MB / {f'{mk.peak_mb:.0f} MB' if mk else '–'} |"
        )
    lines += ["", "Wall: the best of the runs; CPU: user + system time, which a busy machine disturbs less. "
              "ratio: coursepack's time over mkdocs' for the same pages; below 1 is faster than mkdocs.", ""]
    rebuilt = [s for s in sizes if s.noop]
    if rebuilt:
        lines += ["## Rebuilds, as a fraction of the full build", "",
                  "| modules | full wall (CPU) | no-op wall (CPU) | fraction wall (CPU) "
                  "| one lesson changed wall (CPU) | fraction wall (CPU) |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: |"]
        for s in rebuilt:
            full = s.coursepack
            lines.append(f"| {s.modules} | {full.seconds:.2f} s ({full.cpu:.2f} s) "
                         f"| {s.noop.seconds:.2f} s ({s.noop.cpu:.2f} s) | {fractions(s.noop, full)} "
                         f"| {s.one_lesson.seconds:.2f} s ({s.one_lesson.cpu:.2f} s) | {fractions(s.one_lesson, full)} |")
        lines += ["", "Start-up included; a no-op build reuses the output and the caches of the "
                  "full build before it. The CPU fraction is the steadier one on a busy machine."]
        lines.append("")
    scaling = scaling_ratio(sizes)
    if scaling is not None:
        lines += ["## Scaling from 100 to 1000 modules", "",
                  f"Time per page at 1000 modules over time per page at 100: **{scaling:.2f}** "
                  f"(CPU time: {scaling_ratio(sizes, cpu=True):.2f}; 1.0 is linear)."]
        reference = scaling_ratio(sizes, tool="mkdocs")
        if reference is not None:
            lines += ["", f"The same ratio for mkdocs, for reference: {reference:.2f} "
                      f"(CPU time: {scaling_ratio(sizes, cpu=True, tool='mkdocs'):.2f})."]
        lines.append("")
    lines += ["## Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    for name, measured, ok in targets(sizes):
        lines.append(f"| {name} | {measured} | {verdict(ok)} |")
    lines += ["", "## PDF step", "", pdf.strip(), ""]
    return "\n".join(lines)


def fractions(part: Measured, whole: Measured) -> str:
    return f"{part.seconds / whole.seconds:.1%} ({part.cpu / whole.cpu:.1%})"


def scaling_ratio(sizes: list[SizeResult], cpu: bool = False, tool: str = "coursepack") -> float | None:
    """Time per page at 1000 modules over time per page at 100 (pages counted alike)."""
    by_size = {s.modules: s for s in sizes}
    if 100 not in by_size or 1000 not in by_size or getattr(by_size[100], tool) is None:
        return None
    small, large = by_size[100], by_size[1000]

    def time_of(size: SizeResult) -> float:
        measured = getattr(size, tool)
        return measured.cpu if cpu else measured.seconds

    return (time_of(large) / large.pages) / (time_of(small) / small.pages)


def targets(sizes: list[SizeResult]) -> list[tuple[str, str, bool | None]]:
    largest = max(sizes, key=lambda s: s.modules)
    rows = []
    if largest.mkdocs:
        ratio = largest.per_page_ms / largest.mkdocs_per_page_ms
        cpu_ratio = largest.coursepack.cpu / largest.mkdocs.cpu
        rows.append((f"HTML build at least as fast per page as mkdocs ({largest.modules} modules)",
                     f"{ratio:.2f}× mkdocs' time per page (CPU {cpu_ratio:.2f}×)",
                     ratio <= TARGETS["per_page_vs_mkdocs"]))
    else:
        rows.append(("HTML build at least as fast per page as mkdocs", "mkdocs not run", None))
    scaling = scaling_ratio(sizes)
    rows.append(("linear scaling, 100 to 1000 modules",
                 f"{scaling:.2f} (CPU {scaling_ratio(sizes, cpu=True):.2f})" if scaling is not None else "not measured",
                 None if scaling is None else scaling <= TARGETS["scaling"]))
    for s in sizes:
        if s.noop:
            fraction = s.noop.seconds / s.coursepack.seconds
            rows.append((f"no-op rebuild under 5% of a full build ({s.modules} modules)",
                         f"{fractions(s.noop, s.coursepack)} wall (CPU)", fraction < TARGETS["noop_fraction"]))
    for s in sizes:
        limit = TARGETS["one_lesson_fraction"].get(s.modules)
        if s.one_lesson and limit:
            fraction = s.one_lesson.seconds / s.coursepack.seconds
            rows.append((f"one lesson changed under {limit:.0%} of a full build ({s.modules} modules)",
                         f"{fractions(s.one_lesson, s.coursepack)} wall (CPU)", fraction < limit))
    big = [s for s in sizes if s.modules == 1000]
    rows.append(("peak memory under 500 MB at 1000 modules",
                 f"{big[0].coursepack.peak_mb:.0f} MB" if big else "not measured",
                 big[0].coursepack.peak_mb < TARGETS["peak_mb_1000"] if big else None))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="module counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    parser.add_argument("--quick", action="store_true", help="10 and 100 modules, one run each")
    parser.add_argument("--no-mkdocs", action="store_true", help="skip the mkdocs comparison")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF step")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="generate and build in this folder and keep it")
    args = parser.parse_args()
    sizes = [10, 100] if args.quick else [int(n) for n in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat

    write_bytecode()
    info = machine()
    mkdocs, mkdocs_note = (None, "mkdocs skipped") if args.no_mkdocs else mkdocs_python()
    if mkdocs is None and not args.no_mkdocs:
        say(f"mkdocs comparison skipped: {mkdocs_note}")
    info["startup"] = {"coursepack": best_of(repeat, [sys.executable, "-m", "coursepack", "--version"]).seconds,
                       # the floor under any command of a Python program on this machine
                       "the interpreter alone (`python -c pass`)": best_of(repeat, [sys.executable, "-c", "pass"]).seconds}
    if mkdocs:
        info["startup"]["mkdocs"] = best_of(repeat, [mkdocs, "-m", "mkdocs", "--version"]).seconds
    work = args.keep or Path(tempfile.mkdtemp(prefix="coursepack-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = [measure_size(n, work, repeat, mkdocs, rebuilds=n >= 100) for n in sizes]
        pdf = "Skipped (--no-pdf).\n" if args.no_pdf else pdf_step(repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = round(os.getloadavg()[0], 2)
    print(report(info, results, pdf, mkdocs_note if mkdocs else "mkdocs not run"))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "sizes": [asdict(s) for s in results],
                                         "targets": targets(results)}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
