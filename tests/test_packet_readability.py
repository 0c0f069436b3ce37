"""Long text stays readable: matching answers at any width, the score ring's number.

Measured in Chromium by geometry, at a phone's width (375 px) and a desktop's (1280 px).
"""

from __future__ import annotations

import math

import pytest

from test_packet_browser import (  # noqa: F401  (fixtures)
    expect,
    offline,
    run_axe,
    run_packet_build,
)
from test_packet_journey import write_course

WIDTHS = (375, 1280)

# ------------------------------------------------------------------ the score ring

RING_COURSE = """id: ring-{language}
title: Ring
version: "1"
language: {language}
passing_score: 60
"""

THREE_QUESTIONS = "questions:\n" + "".join(
    f'  - id: t{n}\n    type: true_false\n    prompt: "Statement {n}."\n    answer: true\n' for n in (1, 2, 3)
)

# Where the number sits in its ring: the farthest corner of the number's line boxes from the
# ring's centre, against the radius inside the ring's border.
RING_GEOMETRY = """ring => {
  const box = ring.getBoundingClientRect(), style = getComputedStyle(ring);
  const radius = box.width / 2 - parseFloat(style.borderTopWidth);
  const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
  const range = document.createRange();
  range.selectNodeContents(ring);
  let far = 0;
  for (const r of range.getClientRects()) {
    for (const [x, y] of [[r.left, r.top], [r.right, r.top], [r.left, r.bottom], [r.right, r.bottom]]) {
      far = Math.max(far, Math.hypot(x - cx, y - cy));
    }
  }
  return {radius: radius, far: far, round: Math.abs(box.width - box.height) < 0.5, text: ring.textContent};
}"""


def take_quiz(page, right: int) -> None:
    """Answer the three statements, `right` of them rightly, and check each."""
    for n in (1, 2, 3):
        value = "true" if n <= right else "false"
        page.locator(f"label[for='q-t{n}-{value}']").click()
        page.locator(f"#q-t{n} [data-cp='check']").click()


@pytest.mark.parametrize(
    "language, shown",
    [
        ("en", {0: "0%", 2: "66.7%", 3: "100%"}),
        ("fr", {0: "0\u00a0%", 2: "66,7\u00a0%", 3: "100\u00a0%"}),
        ("es", {0: "0\u00a0%", 2: "66,7\u00a0%", 3: "100\u00a0%"}),
    ],
)
def test_the_score_ring_holds_its_number_with_room_to_spare(offline, tmp_path, run_packet_build, js_packages, language, shown):
    source = write_course(tmp_path / language, RING_COURSE.format(language=language), [THREE_QUESTIONS])
    html = run_packet_build(source, tmp_path / "out") / "html"
    page = offline.open((html / "part-1.html").as_uri())
    for right, text in shown.items():
        take_quiz(page, right)
        ring = page.locator('[data-cp="quiz-result"] .result-score')
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            expect(ring).to_have_text(text)
            geometry = ring.evaluate(RING_GEOMETRY)
            assert geometry["text"] == text and geometry["round"]
            # Clear of the ring by a tenth of its radius at least, whatever the number.
            assert geometry["far"] <= 0.9 * geometry["radius"], (width, geometry)
        assert run_axe(page, js_packages) == []
        page.locator('[data-cp="retry"]').click()
