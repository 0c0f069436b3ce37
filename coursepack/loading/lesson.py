"""lesson.md: front matter, then Markdown, into a `Lesson` and its metadata."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from coursepack.errors import ProblemLog
from coursepack.loading.lesson_blocks import split_lesson
from coursepack.loading.links import LocalReferences
from coursepack.loading.markdown_render import MarkdownRenderer
from coursepack.loading.source_files import read_source
from coursepack.loading.validation import validate
from coursepack.loading.yaml_source import YamlSyntaxError, load_yaml
from coursepack.model import Asset, Lesson, LessonFile, Segment

WORDS_PER_MINUTE = 200
_FENCE = re.compile(r"^---\s*$")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class LoadedLesson:
    meta: LessonFile
    lesson: Lesson


def load_lesson(
    course_root: Path,
    path: str,
    module_id: str,
    renderer: MarkdownRenderer,
    log: ProblemLog,
    assets: dict[str, Asset],
) -> LoadedLesson | None:
    text = read_source(course_root, path, log)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or not _FENCE.match(lines[0]):
        log.error(path, 1, "lesson.md must start with front matter: a '---' line, 'title: ...', and another '---' line")
        return None
    closing = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if closing is None:
        log.error(path, 1, "the front matter that starts here has no closing '---' line")
        return None
    try:
        data, line_map = load_yaml("\n".join(lines[1:closing]), line_offset=1)
    except YamlSyntaxError as exc:
        log.error(path, exc.line, exc.message)
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        log.error(path, 2, "the front matter must be keys and values, such as 'title: Why service matters'")
        return None
    context = {"render_markdown": lambda t, inline: renderer.inline_or_block(t, inline)}
    meta = validate(LessonFile, data, line_map, path, log, context, what="")

    body = "\n".join(lines[closing + 1 :])
    first_line = closing + 1  # the body's line n is the file's line n + first_line
    split = split_lesson(body, first_line)
    for line, message in split.problems:
        log.error(path, line, message)
    try:
        rendered = renderer.lesson(split, reflect_prefix=module_id)
    except RecursionError:
        # Nesting the line scan cannot see (raw HTML blocks with Markdown inside, say).
        log.error(path, first_line + 1, "the lesson is nested too deeply for coursepack to read: flatten its lists, quotes or HTML")
        return None
    references = LocalReferences(course_root, path, body, first_line, log, assets, renderer.allow_scripts)
    if not split.problems:
        # What the line scan missed, Python-Markdown's tree shows.
        for kind in rendered.nested_blocks:
            log.error(
                path,
                references.line_of(f"!!! {kind}"),
                f"a '{kind}' block must stand at the top level of the lesson, not inside a list or another block",
            )
        if rendered.stray_trainer_notes:
            log.error(path, references.line_of("trainer"), "a trainer note must be written as a '!!! trainer' block at the top level of the lesson")
    segments = tuple(_rebase(segment, references) for segment in rendered.segments)
    if meta is None:
        return None
    learner_text = " ".join(_TAG.sub(" ", s.html) for s in segments if s.kind != "trainer")
    lesson = Lesson(segments=segments, toc=rendered.toc, word_count=len(learner_text.split()),
                    media=tuple(references.media.values()))
    return LoadedLesson(meta, lesson)


def _rebase(segment: Segment, references: LocalReferences) -> Segment:
    return replace(segment, html=references.rebase(segment.html))


def estimate_minutes(word_count: int, question_count: int) -> int:
    """Reading time at 200 words a minute plus a minute per question."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE) + question_count)

