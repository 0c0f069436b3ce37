"""The PDF step against WeasyPrint rendering the same documents on its own.

    python bench/pdf_bench.py                      # the sample course, best of 3
    python bench/pdf_bench.py --modules 30         # a synthetic course of 30 modules (bench/synthetic.py)
    python bench/pdf_bench.py COURSE_DIR --repeat 5

Measured, each the best of --repeat rounds (WeasyPrint and coursepack already
imported, as in a build):
- WeasyPrint alone: `HTML(string=...).write_pdf(...)` of the three whole
  documents the step prints (same HTML, same stylesheets, same PDF variant),
  one after the other: what a plain script would do. It runs in a forked
  process of its own, so that its memory (about 10 GB for 1000 modules) is
  neither in this process's peak nor copied into the step's workers;
- the PDF step, cold: `PdfBuilder.write` with an empty cache folder (HTML
  assembly, cache keys, each edition's parts rendered in parallel processes
  and joined, files written);
  the first cold step, which fills the cache for the runs below, is counted
  among them, so `--runs changed` on a large course costs one cold step and
  one change;
- the PDF step in one process (workers=1), to show the step's own overhead;
- the PDF step, warm: the same course again with the cache filled;
- the PDF step after a one-lesson change: one sentence added to the middle
  module's lesson, the cache filled from before the change;
- the peak resident memory of a render process (the largest worker of the
  first, cold, step) and of this process (which joins the parts), the cold
  step's time and CPU time per page, for comparing course sizes, and the
  sizes of the PDFs.
Each step figure is also given as a ratio to WeasyPrint alone (below 1: faster).
Markdown goes to stdout; progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402

from coursepack.builders.base import BuildContext  # noqa: E402
from coursepack.builders.pdf import PdfBuilder, pdf_jobs  # noqa: E402
from coursepack.loading import load_course  # noqa: E402
from coursepack.printing.pdf_render import ASSET_BASE, _fetcher  # noqa: E402
from coursepack.theme import Theme  # noqa: E402
from coursepack.writer import OutputTree  # noqa: E402


def weasyprint_alone(jobs) -> list[bytes]:
    out = []
    for job in jobs:
        fetcher = _fetcher({a.path: a for a in job.assets})
        html = HTML(string=job.html, base_url=ASSET_BASE, url_fetcher=fetcher)
        out.append(html.write_pdf(stylesheets=[CSS(string=job.css, base_url=ASSET_BASE, url_fetcher=fetcher)],
                                  pdf_variant=job.variant))
    return out


def alone_in_child(jobs) -> tuple[float, float, list[int]]:
    """WeasyPrint alone in a forked process: (seconds, CPU seconds, size of each PDF in bytes)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def run() -> None:
        used, started = own_cpu_seconds(), time.perf_counter()
        pdfs = weasyprint_alone(jobs)
        sending.send((time.perf_counter() - started, own_cpu_seconds() - used, [len(pdf) for pdf in pdfs]))

    process = context.Process(target=run)
    process.start()
    result = receiving.recv()
    process.join()
    return result


def pdf_step(course, theme, cache: Path | None, workers: int | None = None) -> None:
    """The pdf format's step; the PDFs of a run with a cache stay beside it, in last-out/."""
    builder = PdfBuilder(BuildContext(theme=theme, cache_dir=cache))
    builder.workers = workers
    with tempfile.TemporaryDirectory() as out:
        builder.write(course, OutputTree(Path(out)))
        if cache is not None:
            kept = cache.parent / "last-out"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(out, kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", nargs="?", type=Path, help="a course folder (default: the sample course)")
    parser.add_argument("--modules", type=int, help="bench a synthetic course of this many modules instead")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", default="alone,step,single,warm,changed",
                        help="which runs, comma-separated (WeasyPrint alone on a 1000-module course needs about "
                             "10 GB: leave 'alone' and 'single' out there)")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1718236800")  # one date: the warm run must hit the cache

    with tempfile.TemporaryDirectory() as scratch:
        if args.modules:
            sys.path.insert(0, str(BENCH))
            from synthetic import make_course  # bench/synthetic.py

            course_dir = Path(scratch) / "course"
            make_course(course_dir, args.modules)
            label = f"synthetic course, {args.modules} modules"
        else:
            course_dir = args.course or REPO
            label = "sample course" if course_dir == REPO else str(course_dir)
        course = load_course(course_dir).course
        theme = Theme(course_dir)
        jobs = pdf_jobs(course, theme)
        wanted = args.runs.split(",")
        say(f"{label}: a first cold step, which fills the cache for the warm and changed runs ...")
        warm_cache = Path(scratch) / "warm"
        used, started = cpu_seconds(), time.perf_counter()
        pdf_step(course, theme, warm_cache)  # also warms fonts and caches, as a build's first PDF would
        first_cold = time.perf_counter() - started, cpu_seconds() - used  # a cold step too: counted as one
        printed = [warm_cache.parent / "last-out" / "pdf" / f"{course.id}-{job.name}.pdf" for job in jobs]
        pages = [len(PdfReader(path).pages) for path in printed]
        sizes = [path.stat().st_size for path in printed]
        # Only the step's workers have ended so far: the largest is the peak of a render process.
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        alone_sizes: list[int] = []

        def alone():
            elapsed, used, alone_sizes[:] = alone_in_child(jobs)
            return elapsed, used

        def cold():
            cache = Path(scratch) / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            pdf_step(course, theme, cache)

        changed_dir = Path(scratch) / "changed"
        changed_dir.mkdir()
        shutil.copy2(course_dir / "course.yml", changed_dir / "course.yml")
        # The sample course's templates/ is the built-in theme itself, not a course's own theme.
        folders = ("modules",) if course_dir.resolve() == REPO else ("modules", "templates")
        for folder in folders:
            if (course_dir / folder).is_dir():
                shutil.copytree(course_dir / folder, changed_dir / folder)
        middle = sorted((changed_dir / "modules").glob("*/lesson.md"))[len(course.modules) // 2]
        middle.write_text(middle.read_text(encoding="utf-8") + "\nOne more sentence, added for the benchmark.\n",
                          encoding="utf-8")
        changed = load_course(changed_dir).course
        changed_theme = Theme(changed_dir)

        def one_lesson_changed():
            cache = Path(scratch) / "before-change"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(warm_cache, cache)
            started = time.perf_counter()
            pdf_step(changed, changed_theme, cache)
            return time.perf_counter() - started

        runs = {
            "alone": alone,
            "step": cold,
            "single": lambda: pdf_step(course, theme, None, workers=1),
            "warm": lambda: pdf_step(course, theme, warm_cache),
            "changed": one_lesson_changed,
        }
        runs = {name: action for name, action in runs.items() if name in wanted}
        # Round after round, each run once: a change in the machine's load then
        # touches every figure alike instead of one of them.
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for round_number in range(1, args.repeat + 1):
            say(f"round {round_number} of {args.repeat} ...")
            for name, action in runs.items():
                used = cpu_seconds()
                started = time.perf_counter()
                inner = action()
                times[name].append(time.perf_counter() - started)
                cpu[name].append(cpu_seconds() - used)
                if isinstance(inner, tuple):  # measured where it ran
                    times[name][-1], cpu[name][-1] = inner
                elif isinstance(inner, float):
                    times[name][-1] = inner
        times.setdefault("step", []).append(first_cold[0])
        cpu.setdefault("step", []).append(first_cold[1])
        best = {name: min(values) for name, values in times.items()}
        best_cpu = {name: min(values) for name, values in cpu.items()}
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cpus = os.cpu_count() or 1
    total = sum(pages)
    print(f"{label}: {len(course.modules)} modules; PDFs of {' + '.join(map(str, pages))} pages "
          f"({', '.join(j.name for j in jobs)}), {course.effective_page_size}, {jobs[0].variant}; "
          f"{cpus} CPUs, load {os.getloadavg()[0]:.1f}; best of {args.repeat}.\n")
    rows = {
        "alone": "WeasyPrint alone, three whole documents one after the other",
        "step": "PDF step, cold (parts in parallel processes, empty cache)",
        "single": "PDF step, cold, one process",
        "warm": "PDF step, warm (unchanged course, from the cache)",
        "changed": "PDF step after a one-lesson change (cache from before)",
    }
    alone = best.get("alone")
    print("| run | seconds | CPU seconds | ratio to WeasyPrint alone | fraction of the cold step |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, title in rows.items():
        if name in best:
            ratio = f"{best[name] / alone:.2f}" if alone else "-"
            fraction = f"{best[name] / best['step']:.1%}" if "step" in best else "-"
            print(f"| {title} | {best[name]:.2f} | {best_cpu[name]:.2f} | {ratio} | {fraction} |")
    if "step" in best:
        print(f"\nCold step: {best['step'] / total * 1000:.1f} ms a page, {best_cpu['step'] / total * 1000:.1f} ms of CPU "
              f"a page, over {total} pages.")
    print(f"Peak resident memory: {worker_peak:.0f} MB in the largest render process, {own_peak:.0f} MB in this one "
          "(which joins the parts).")
    names = [job.name for job in jobs]
    print("PDF sizes: " + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in zip(names, sizes))
          + (" (WeasyPrint alone: " + ", ".join(f"{size / 1e6:.2f} MB" for size in alone_sizes) + ")" if alone_sizes else ""))


def own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def cpu_seconds() -> float:
    """CPU time of this process and of its ended worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
