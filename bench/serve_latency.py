"""How long a save takes to show in the page `coursepack serve` previews.

    python bench/serve_latency.py [--modules N] [--saves 7] [--chromium /usr/bin/chromium]

Copies the sample course (or makes a synthetic one of N modules with
bench/synthetic.py) into a temporary folder, starts `coursepack serve` on it,
opens the first module in Chromium (Playwright), then, for each save, writes a
new sentence into the module's lesson.md and measures the time from the write
to the first frame of the page that shows the sentence. Prints each time and the
median.

The page times itself: a script Playwright adds to every document it loads
looks for the sentence at each animation frame (the step before the browser
paints) and keeps, in sessionStorage, which outlives the reload, the wall-clock
time of the first frame that holds it or of the document's first paint,
whichever is later. Waiting in Playwright for the text instead adds its own
polling, 40 to 70 ms after the page already shows it.
Run it from a folder outside the repository, as bench/README.md says.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_course(root: Path, modules: int | None) -> Path:
    course = root / "course"
    if modules:
        subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(course), "--modules", str(modules)], check=True)
    else:
        # The sample course is course.yml and modules/: the templates/ beside them are the built-in theme.
        course.mkdir()
        shutil.copy(REPO / "course.yml", course)
        shutil.copytree(REPO / "modules", course / "modules")
    return course


def first_module(course: Path) -> tuple[Path, str]:
    folder = sorted(p for p in (course / "modules").iterdir() if p.is_dir())[0]
    return folder / "lesson.md", re.sub(r"^\d+-", "", folder.name)


# Runs in every document before its own scripts: notes when the sentence is first painted,
# the later of the first animation frame whose document holds it and the document's first
# contentful paint (the browser may hold its first paint of a reloaded page for a while).
FIRST_FRAME_PROBE = r"""
(() => {
  const started = performance.now();
  let foundAt, number;
  function look() {
    if (foundAt === undefined) {
      const found = document.body && /Saved sentence number (\d+) at/.exec(document.body.innerText);
      if (found) [foundAt, number] = [performance.now(), found[1]];
    }
    const painted = performance.getEntriesByName("first-contentful-paint")[0];
    if (foundAt !== undefined && painted) {
      const key = "coursepack-bench-seen-" + number;
      const shown = Math.max(foundAt, painted.startTime);
      if (!sessionStorage.getItem(key)) sessionStorage.setItem(key, String(performance.timeOrigin + shown));
    } else if (performance.now() - started < 30000) {
      requestAnimationFrame(look);
    }
  }
  requestAnimationFrame(look);
})();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=None, help="a synthetic course of this many modules (default: the sample course)")
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coursepack-serve-bench-") as tmp:
        course = make_course(Path(tmp), args.modules)
        lesson, module_id = first_module(course)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "coursepack", "serve", str(course), "--port", str(port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for line in server.stdout:  # wait for the first build
                if "Previewing on" in line:
                    break
            rebuilt: list[float] = []  # when the server said it had rebuilt

            def read_server() -> None:
                for line in server.stdout:
                    if "rebuilt in" in line:
                        rebuilt.append(time.perf_counter())

            threading.Thread(target=read_server, daemon=True).start()
            times, server_times = [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium)
                page = browser.new_page()
                page.add_init_script(FIRST_FRAME_PROBE)
                page.goto(f"http://127.0.0.1:{port}/{module_id}.html")
                original = lesson.read_text(encoding="utf-8")
                for n in range(args.saves):
                    marker = f"Saved sentence number {n} at {time.time_ns()}."
                    page.wait_for_timeout(400)  # let the last reload settle
                    start, written = time.perf_counter(), time.time() * 1000
                    lesson.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                    seen = page.wait_for_function("key => sessionStorage.getItem(key)",
                                                  arg=f"coursepack-bench-seen-{n}", timeout=30_000)
                    times.append((float(seen.json_value()) - written) / 1000)
                    server_times.append(rebuilt[-1] - start if rebuilt and rebuilt[-1] > start else float("nan"))
                    print(f"save {n + 1}: {times[-1] * 1000:.0f} ms (rebuilt after {server_times[-1] * 1000:.0f} ms)")
                browser.close()
            what = f"{args.modules} modules" if args.modules else "the sample course"
            print(f"{what}: median {statistics.median(times) * 1000:.0f} ms from the write to the first frame showing the text, "
                  f"of which {statistics.median(server_times) * 1000:.0f} ms until the server had rebuilt "
                  f"(first save {times[0] * 1000:.0f} ms)")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
