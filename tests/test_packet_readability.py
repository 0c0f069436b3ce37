"""Long text stays readable: matching answers at any width, the score ring's number.

Measured in Chromium by geometry, at a phone's width (375 px) and a desktop's (1280 px).
"""

from __future__ import annotations

import re

import pytest

from test_packet_browser import (  # noqa: F401  (fixtures)
    course,
    expect,
    offline,
    packet,
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
        # French typography puts a narrow no-break space before "%"; Spanish a no-break space.
        ("fr", {0: "0\u202f%", 2: "66,7\u202f%", 3: "100\u202f%"}),
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


# ------------------------------------------------------------------ long matching answers

LONG = "\"Let me look into what happened, then I will tell you what I found and what we can do next.\""
MEDIUM = "Cards are for residents, and notices must reach the right person"
SHORT = "Checkout"

MATCHING_COURSE = 'id: matching\ntitle: Matching\nversion: "1"\n'

MATCHING_QUIZ = f"""questions:
  - id: long
    type: matching
    prompt: "Match each phrase to a better one."
    pairs:
      - prompt: "\\"The system doesn't make mistakes.\\""
        match: '{LONG}'
      - prompt: A new card needs ID and proof of address
        match: {MEDIUM}
      - prompt: "\\"Calm down.\\""
        match: "I see this has been frustrating."
  - id: short
    type: matching
    prompt: "Match each need to a desk zone."
    pairs:
      - prompt: A patron wants to pick up a book on hold.
        match: {SHORT}
      - prompt: A visitor asks where the restrooms are.
        match: Welcome point
"""

# Whether the chosen option's whole text can be read in a row: in the closed drop-down (its
# width in the drop-down's font within the room the padding and arrow leave), or written
# out in the row, on lines that are neither cut nor beyond the row or the window.
READABLE = """([row, label]) => {
  const select = row.querySelector("select"), style = getComputedStyle(select);
  const size = parseFloat(style.fontSize);
  const context = document.createElement("canvas").getContext("2d");
  context.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 1.5 * size;
  const chosen = select.options[select.selectedIndex].text;
  const rowBox = row.getBoundingClientRect();
  const written = Array.from(row.querySelectorAll("p, span, div")).filter(element => {
    if (element.contains(select) || !element.getClientRects().length) return false;
    if (!element.textContent.replace(/\\s+/g, " ").includes(label)) return false;
    const box = element.getBoundingClientRect();
    return element.scrollWidth <= element.clientWidth && box.left >= rowBox.left - 0.5
      && box.right <= rowBox.right + 0.5 && box.right <= innerWidth && box.height > 0;
  });
  return {
    inDropDown: chosen === label && context.measureText(label).width <= room,
    writtenOut: written.length > 0,
    rowWhole: row.scrollWidth <= row.clientWidth && document.documentElement.scrollWidth <= innerWidth,
  };
}"""


def choose(box, row: int, label: str) -> None:
    box.locator(f'.match-row[data-row="{row}"] select').select_option(label=label)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_matching_answer_can_be_read_whole_before_and_after_checking(offline, tmp_path, run_packet_build, js_packages, width):
    source = write_course(tmp_path / "matching", MATCHING_COURSE, [MATCHING_QUIZ])
    html = run_packet_build(source, tmp_path / "out") / "html"
    page = offline.open((html / "part-1.html").as_uri())
    page.set_viewport_size({"width": width, "height": 900})
    box = page.locator("#q-long")
    # The first two rows get the long answers, one of them wrongly.
    chosen = {0: LONG, 1: LONG, 2: MEDIUM}
    for row, label in chosen.items():
        choose(box, row, label)
    for row, label in chosen.items():
        seen = page.evaluate(READABLE, [box.locator(f'.match-row[data-row="{row}"]').element_handle(), label])
        assert seen["rowWhole"], (row, seen)
        assert seen["inDropDown"] or seen["writtenOut"], (row, label, seen)
    box.locator('[data-cp="check"]').click()
    expect(box.locator('[data-cp="feedback"]')).to_have_class(re.compile("is-incorrect"))
    for row, label in chosen.items():
        line = box.locator(f'.match-row[data-row="{row}"] [data-cp="row-choice"]')
        expect(line).to_have_text(f"Your match: {label}")
        seen = page.evaluate(READABLE, [box.locator(f'.match-row[data-row="{row}"]').element_handle(), label])
        assert seen["rowWhole"] and seen["writtenOut"], (row, seen)
    # The right match stays said, for the rows answered wrongly.
    expect(box.locator('.match-row[data-row="1"] [data-cp="row-answer"]')).to_have_text(f"Correct match: {MEDIUM}")
    expect(box.locator('.match-row[data-row="2"] [data-cp="row-answer"]')).to_have_text("Correct match: I see this has been frustrating.")
    assert run_axe(page, js_packages) == []


def test_a_short_matching_answer_is_not_said_twice_before_checking(offline, tmp_path, run_packet_build):
    source = write_course(tmp_path / "matching", MATCHING_COURSE, [MATCHING_QUIZ])
    html = run_packet_build(source, tmp_path / "out") / "html"
    page = offline.open((html / "part-1.html").as_uri())
    box = page.locator("#q-short")
    choose(box, 0, SHORT)
    choose(box, 1, "Welcome point")
    expect(box.locator('[data-cp="row-choice"]:visible')).to_have_count(0)
    box.locator('[data-cp="check"]').click()
    expect(box.locator('.match-row[data-row="0"] [data-cp="row-choice"]')).to_have_text(f"Your match: {SHORT}")


# ------------------------------------------------------------------ small screens

# Whether any word of the element's text is split over two lines.
SPLIT_WORDS = """element => {
  const split = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) split.push(match[0]);
    }
  }
  return split;
}"""


def test_on_a_phone_the_way_in_is_on_the_first_screen_and_words_stay_whole(offline, packet, course, js_packages):
    from test_packet_browser import url

    page = offline.open(url(packet))
    page.set_viewport_size({"width": 375, "height": 667})  # a small phone
    start = page.locator('[data-cp="continue"]')
    expect(start).to_be_visible()
    box = start.bounding_box()
    assert box["y"] + box["height"] <= 667, "'Start the course' is below the first screen"
    shown = page.evaluate("""name => [...document.querySelectorAll('body *')].filter(e =>
        e.children.length === 0 && e.textContent.trim().toLowerCase() === name.toLowerCase() && e.getClientRects().length
        && e.getBoundingClientRect().top < innerHeight).length""", course.organization)
    assert shown == 1, "the organisation's name is shown more than once on the first screen"
    assert run_axe(page, js_packages) == []

    for module in course.modules:
        page.goto(url(packet, f"{module.id}.html"))
        for table in page.locator(".lesson table").all():
            assert table.evaluate(SPLIT_WORDS) == [], module.id


@pytest.mark.parametrize("width", (375, 900))
def test_below_the_two_column_width_the_course_map_follows_the_lesson(offline, packet, course, width):
    from test_packet_browser import url

    page = offline.open(url(packet, f"{course.modules[1].id}.html"))
    page.set_viewport_size({"width": width, "height": 800})
    course_map = page.locator(".course-map")
    expect(course_map).to_be_visible()
    assert course_map.locator("a").count() == len(course.modules)
    assert course_map.bounding_box()["y"] > page.locator(".module-main").bounding_box()["y"]
    course_map.locator("a").nth(2).click()
    expect(page.locator("h1")).to_have_text(course.modules[2].title)
