"""How loading one lesson grows with its size, for text made to be slow.

    python bench/lesson_sizes.py                 # 12,000 to 96,000 characters
    python bench/lesson_sizes.py --sizes 6000,24000 --repeat 3

Each case is a lesson body of N characters; the table gives the best of
`--repeat` loads (front matter to model, as `coursepack check` does) and the
factor between two sizes: about 2 where time is linear in the size, about 4
where it is quadratic.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coursepack.errors import CourseErrors  # noqa: E402
from coursepack.loading import load_course  # noqa: E402

CASES = {
    "[ repeated": lambda n: "[" * n,
    "![ repeated": lambda n: "![" * (n // 2),
    "[^ repeated": lambda n: "[^" * (n // 2),
    "[a]( repeated": lambda n: "[a](" * (n // 4),
    "[ then ]": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "<a repeated": lambda n: "<a " * (n // 3),
    "<a in a <div>": lambda n: "<div>\n" + "<a " * (n // 3) + "\n</div>",
    "*a repeated": lambda n: "*a" * (n // 2),
    "plain lines": lambda n: "a word\n" * (n // 7),
    "links": lambda n: "[a](b.html) " * (n // 12),
    "abbreviation lines": lambda n: "".join(f"*[A{i}]: x\n" for i in range(n // 10)),
    "rule lines": lambda n: "***\n" * (n // 4),
    "heading lines": lambda n: "# h\n" * (n // 4),
}


def load_seconds(body: str, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "course.yml").write_text('id: bench\ntitle: Bench\nversion: "1"\n')
        module = root / "modules/01-lesson"
        module.mkdir(parents=True)
        (module / "lesson.md").write_text(f"---\ntitle: Bench\n---\n{body}\n")
        (module / "b.html").write_text("<p>b</p>")
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                load_course(root)
            except CourseErrors:
                pass  # a reported mistake is a result too
            best = min(best, time.perf_counter() - started)
        return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12000,24000,48000,96000")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| case | " + " | ".join(f"{n:,} chars" for n in sizes) + " | growth per doubling |")
    print("| --- |" + " ---: |" * (len(sizes) + 1))
    for name, make in CASES.items():
        times = [load_seconds(make(n), args.repeat) for n in sizes]
        growth = (times[-1] / times[0]) ** (1 / max(1, len(sizes) - 1)) if times[0] > 0 else float("nan")
        print(f"| {name} | " + " | ".join(f"{t:.3f} s" for t in times) + f" | x{growth:.1f} |", flush=True)


if __name__ == "__main__":
    main()
