"""Synthetic courses for the benchmark: N modules of realistic lessons and quizzes.

Each lesson has front matter with objectives, about 700 words in several
sections, bullet and numbered lists, a table, a definition list, a footnote,
note/tip/warning admonitions and the three learning blocks (scenario, reflect,
trainer); every fifth one shows an image. Each quiz has six questions that
cycle through all eight question types. The same seed gives the same course.

    python bench/synthetic.py OUT_DIR --modules 100
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

TOPICS = [
    "Greeting patrons", "The reference interview", "Holds and renewals", "Computer help",
    "Noise and shared space", "Lost and found", "Fines and fees", "Interlibrary loan",
    "Children's area", "Accessibility at the desk", "Phone and email service", "Difficult conversations",
    "Privacy of patron records", "Events and programs", "Study rooms", "Local history questions",
]
SUBJECTS = [
    "A patron", "The person at the desk", "A new volunteer", "Every staff member", "The shift lead",
    "A parent with two children", "A regular visitor", "Someone who is new to the library",
    "A student with a deadline", "An older patron", "The branch manager", "A colleague on the phone",
]
VERBS = [
    "asks about", "needs help with", "is unsure about", "explains", "checks", "points out",
    "wants to understand", "comes back to", "is frustrated by", "thanks you for", "writes down", "forgets",
]
OBJECTS = [
    "the opening hours", "a book on hold", "the printer queue", "a library card renewal",
    "the quiet study rules", "a missing item", "the self-checkout machine", "a research question",
    "the meeting room booking", "a late fee", "the Wi-Fi password", "the next story time",
]
CLAUSES = [
    "and the queue behind them is growing", "while the phone keeps ringing",
    "even though the sign by the door says otherwise", "because the website was not clear",
    "and it is ten minutes before closing", "after waiting at the wrong counter",
    "so a calm, specific answer matters", "which is a good moment to offer more help",
]
ADVICE = [
    "Look up and acknowledge the person within five seconds.",
    "Ask an open question before you reach for the catalogue.",
    "Repeat the request in your own words to check you understood it.",
    "Offer a next step, even when the answer is no.",
    "Write down names and numbers where you will see them again.",
    "Keep your voice low and your explanation short.",
    "Walk with the patron to the shelf instead of pointing.",
    "Follow up before the patron leaves the building.",
]


class Writer:
    """Deterministic prose from a seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def sentence(self) -> str:
        r = self.rng
        return f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(CLAUSES)}."

    def paragraph(self, sentences: int = 4) -> str:
        parts = [self.sentence() for _ in range(sentences)]
        parts.insert(self.rng.randrange(len(parts)), self.rng.choice(ADVICE))
        return " ".join(parts)

    def items(self, count: int) -> list[str]:
        return self.rng.sample(ADVICE, count)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def lesson_markdown(number: int, title: str, words: Writer, with_image: bool) -> str:
    r = words.rng
    objectives = "\n".join(f"  - {item.rstrip('.')}" for item in words.items(3))
    rows = "\n".join(f"| {r.choice(OBJECTS).capitalize()} | {r.choice(ADVICE)} | {r.randint(1, 15)} min |"
                     for _ in range(4))
    steps = "\n".join(f"{i}. {item}" for i, item in enumerate(words.items(4), 1))
    bullets = "\n".join(f"- **{item.split()[0]}** {' '.join(item.split()[1:])}" for item in words.items(4))
    image = (f"\n![Diagram of the desk for module {number}: queue, welcome point and help point]"
             f"(media/desk-{number}.svg)\n") if with_image else ""
    return f"""---
title: {title}
objectives:
{objectives}
minutes: {r.randint(10, 30)}
---

{words.paragraph(5)}

## Why it matters

{words.paragraph()}

{words.paragraph(3)}[^source]

{bullets}

!!! note
    {words.paragraph(2)}

## At the desk

{words.paragraph()}
{image}
{steps}

| Situation | What to do | Time |
| --- | --- | --- |
{rows}

!!! tip "A phrase that works"
    "{r.choice(ADVICE)}" {words.sentence()}

!!! scenario "A busy afternoon"
    {words.paragraph(4)}

    {words.paragraph(2)}

## Words to know

Hold
:   {words.sentence()}

Renewal
:   {words.sentence()}

!!! warning
    {words.sentence()} Never share a patron's borrowing history.

## Putting it into practice

{words.paragraph(5)}

!!! reflect "Your own desk"
    {words.sentence()} What would you say first?

!!! trainer
    {words.paragraph(2)} Ask two volunteers to act it out.

[^source]: Based on the library's service standards, section {number}.
"""


def quiz_yaml(number: int, words: Writer) -> str:
    r = words.rng
    prefix = f"m{number:04d}"
    makers = [
        lambda k: f"""  - id: {prefix}-q{k}
    type: single
    prompt: "{words.sentence()} What do you do first?"
    choices:
      - text: "{ADVICE[0]}"
        correct: true
      - text: Wait until they speak to you.
        feedback: Waiting makes people feel invisible.
      - text: Point to the sign.
    hint: Think of the first five seconds.
    explanation: "{words.sentence()}"
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: multiple
    prompt: Which of these help when the queue grows?
    choices:
      - text: Walk the line and ask what people need
        correct: true
      - text: Send hold pickups to the self-checkout
        correct: true
      - text: Stop answering the phone
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: true_false
    prompt: "{words.sentence()} You should end the conversation there."
    answer: false
    explanation: Offer a next step, even when the answer is no.
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: fill_blank
    prompt: "Acknowledge every person within five ___."
    answers: [seconds, secs]
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: numeric
    prompt: How many minutes before closing does the last call for printing go out?
    answer: {r.choice([10, 15, 20])}
    tolerance: 0
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: matching
    prompt: Match each request to the place that handles it.
    pairs:
      - prompt: A quick question about the restrooms
        match: Welcome point
      - prompt: Picking up a hold
        match: Checkout
      - prompt: A private research question
        match: Help point
    distractors: [Staff room]
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: ordering
    prompt: Put the steps of a reference interview in order.
    items:
      - Greet and acknowledge
      - Ask an open question
      - Confirm what you heard
      - Find the answer together
      - Check it answered the question
""",
        lambda k: f"""  - id: {prefix}-q{k}
    type: open
    prompt: "{words.sentence()} What would you say?"
    sample_answer: "{r.choice(ADVICE)}"
""",
    ]
    start = number % len(makers)
    questions = "".join(makers[(start + k) % len(makers)](k) for k in range(6))
    return f"title: Check your understanding\npassing_score: 70\nshuffle_choices: true\nquestions:\n{questions}"


def desk_svg(number: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">'
            f'<rect x="10" y="40" width="90" height="40" fill="#cde"/><rect x="115" y="40" width="90" height="40" '
            f'fill="#dec"/><rect x="220" y="40" width="90" height="40" fill="#edc"/>'
            f'<text x="160" y="25" text-anchor="middle" font-size="14">Desk {number}</text></svg>\n')


def make_course(root: Path, modules: int, seed: int = 1) -> Path:
    """Write a course with `modules` modules into `root` (replacing it); returns `root`."""
    if root.exists():
        shutil.rmtree(root)
    (root / "modules").mkdir(parents=True)
    rng = random.Random(seed)
    words = Writer(rng)
    (root / "course.yml").write_text(
        f"id: synthetic-{modules}\ntitle: Service at the library ({modules} modules)\nversion: \"1.0\"\n"
        f"language: en\ndescription: |\n  {words.paragraph(2)}\naudience: Front-line library staff\n"
        "authors: [Benchmark generator]\norganization: Example Public Library\n",
        encoding="utf-8",
    )
    width = max(2, len(str(modules)))
    for number in range(1, modules + 1):
        title = f"{TOPICS[(number - 1) % len(TOPICS)]}, part {(number - 1) // len(TOPICS) + 1}"
        folder = root / "modules" / f"{number:0{width}d}-{slugify(title)}"
        folder.mkdir()
        with_image = number % 5 == 0
        if with_image:
            (folder / "media").mkdir()
            (folder / "media" / f"desk-{number}.svg").write_text(desk_svg(number), encoding="utf-8")
        (folder / "lesson.md").write_text(lesson_markdown(number, title, words, with_image), encoding="utf-8")
        (folder / "quiz.yml").write_text(quiz_yaml(number, words), encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make_course(args.out, args.modules, args.seed)
    print(f"Wrote a course of {args.modules} modules to {args.out}")


if __name__ == "__main__":
    main()
