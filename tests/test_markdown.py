"""Lesson Markdown: the extensions the contract promises, and the learning blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.loading import load_course
from coursepack.model import Prose, Reflect, Scenario, TrainerNote

LESSON = """\
---
title: Everything at once
objectives:
  - Use **every** feature
---
## Tables and lists {: #tables }

| Term | Meaning |
| ---- | ------- |
| ILS  | the catalogue system |

Hold
:   Reserving an item for a patron.[^hold]

```text
fenced code
```

!!! tip
    A tip stays in the lesson.

!!! scenario "Monday morning"
    A patron arrives *early*.

!!! reflect "Your desk"
    What would you do?

!!! trainer
    Secret facilitator note.

Closing words.

*[ILS]: Integrated library system
[^hold]: Holds wait seven days.
"""


@pytest.fixture
def lesson(tmp_path: Path):
    (tmp_path / "course.yml").write_text('id: md\ntitle: Markdown\nversion: "1"\n')
    module = tmp_path / "modules/01-all"
    module.mkdir(parents=True)
    (module / "lesson.md").write_text(LESSON)
    return load_course(tmp_path).course.modules[0]


def test_learning_blocks_become_segments_in_order(lesson):
    kinds = [type(s) for s in lesson.lesson.segments]
    assert kinds == [Prose, Scenario, Reflect, TrainerNote, Prose]
    scenario, reflect, trainer = lesson.lesson.segments[1:4]
    assert scenario.title == "Monday morning" and "<em>early</em>" in scenario.html
    assert reflect.title == "Your desk" and reflect.id == "all-reflect-1"
    assert "Secret facilitator note" in trainer.html


def test_trainer_notes_never_reach_learner_segments(lesson):
    learner = "".join(s.html for s in lesson.lesson.segments_for("learner"))
    assert "Secret facilitator note" not in learner
    trainer = "".join(s.html for s in lesson.lesson.segments_for("trainer"))
    assert "Secret facilitator note" in trainer


def test_markdown_extensions_render(lesson):
    html = lesson.lesson.segments[0].html
    assert '<h2 id="tables">' in html  # attribute lists
    assert "<table>" in html  # tables
    assert "<dt>Hold</dt>" in html  # definition lists
    assert '<abbr title="Integrated library system">ILS</abbr>' in html  # abbreviations
    assert '<code class="language-text">fenced code' in html  # fenced code
    assert 'class="admonition tip"' in html  # admonitions
    closing = lesson.lesson.segments[-1].html
    assert "Holds wait seven days." in closing and 'class="footnote"' in closing  # footnotes


def test_toc_and_objectives(lesson):
    assert [(e.level, e.id, e.title) for e in lesson.lesson.toc] == [(2, "tables", "Tables and lists")]
    assert lesson.objectives[0].html == "Use <strong>every</strong> feature"


def test_minutes_are_estimated_when_not_given(lesson):
    assert lesson.minutes_estimated
    assert lesson.minutes == 1


def test_nested_trainer_block_is_an_error(tmp_path):
    (tmp_path / "course.yml").write_text('id: md\ntitle: Markdown\nversion: "1"\n')
    module = tmp_path / "modules/01-all"
    module.mkdir(parents=True)
    (module / "lesson.md").write_text("---\ntitle: T\n---\n- a list item\n\n    !!! trainer\n        hidden\n")
    from coursepack.errors import CourseErrors

    with pytest.raises(CourseErrors) as caught:
        load_course(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "modules/01-all/lesson.md:6: error: a 'trainer' block must stand at the top level of the lesson,"
        " not inside a list or another block"
    ]


def test_images_are_rebased_to_course_relative_paths_and_carried(tmp_path):
    (tmp_path / "course.yml").write_text('id: md\ntitle: Markdown\nversion: "1"\n')
    media = tmp_path / "modules/01-all/media"
    media.mkdir(parents=True)
    (media / "desk.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "modules/01-all/lesson.md").write_text("---\ntitle: T\n---\n![The desk](media/desk.svg)\n")
    course = load_course(tmp_path).course
    assert 'src="modules/01-all/media/desk.svg"' in course.modules[0].lesson.segments[0].html
    assert [(a.path, a.media_type) for a in course.assets] == [("modules/01-all/media/desk.svg", "image/svg+xml")]


TRICKY_TEXTS = [
    "Ten", "One good visit", "Why? Because: it matters.", "Don't say \"no\" first",
    "Mrs. O'Neil", "It's 3 o'clock", "1st visit", "Use the ILS", "A -- B", "x - y",
    "Staff-only areas", "Hola señora", "Wait…", "Fish & chips", "5 < 6", "*bold*", "1. Item",
    "- item", "  indented", "ends with space ", "Café au lait", "Email: a@b.org", "(c) 2024",
]


def full_markdown(renderer, text: str, inline: bool) -> str:
    """What Python-Markdown itself makes of `text`, without the plain-text shortcut."""
    import re

    html = renderer._convert(text)
    match = re.fullmatch(r"<p>(.*)</p>", html, flags=re.DOTALL)
    return match.group(1) if inline and match and "<p>" not in match.group(1) else html


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_plain_text_shortcut_renders_as_markdown_does(text):
    from coursepack.loading.markdown_render import MarkdownRenderer

    renderer = MarkdownRenderer()
    for inline in (True, False):
        assert renderer.inline_or_block(text, inline) == full_markdown(renderer, text, inline), (text, inline)


def test_plain_text_shortcut_matches_markdown_on_every_sample_quiz_text():
    import yaml

    from conftest import REPO
    from coursepack.loading.markdown_render import MarkdownRenderer

    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    renderer = MarkdownRenderer()
    texts = [t for quiz in sorted(REPO.glob("modules/*/quiz.yml")) for t in strings(yaml.safe_load(quiz.read_text()))]
    assert len(texts) > 100
    for text in texts:
        assert renderer.inline_or_block(text, True) == full_markdown(renderer, text, True), text


def test_fenced_code_renders_the_same_in_a_build_of_its_own():
    # A command-line build imports fenced_code without Pygments (coursepack.loading.fenced_code);
    # this test process may have Pygments already, so the build runs in a new Python.
    import os
    import subprocess
    import sys

    from conftest import REPO

    code = ("from coursepack.loading.markdown_render import MarkdownRenderer\n"
            "print(MarkdownRenderer().inline_or_block('```python\\nif a < b:\\n    print(\"x\")\\n```'))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.stdout == ('<pre><code class="language-python">if a &lt; b:\n'
                             '    print(&quot;x&quot;)\n</code></pre>\n')
