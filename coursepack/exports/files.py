"""The course files an export carries: exactly those its learner-facing HTML uses."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from coursepack.exports.text import local_references
from coursepack.model import Asset, Course, Quiz

# A link to a course's own source would carry its raw text, trainer notes
# included, into a learner package: such links are never followed.
SOURCE_FILES = ("course.yml", "lesson.md", "quiz.yml")


def is_source_file(path: str) -> bool:
    return posixpath.basename(path) in SOURCE_FILES


def used_files(course: Course, htmls: Iterable[str]) -> list[Asset]:
    """The assets that `htmls` show or link to, sorted by path; sources excluded."""
    known = {asset.path: asset for asset in course.assets}
    paths = {path for html in htmls for path in local_references(html)}
    return [known[p] for p in sorted(paths) if p in known and not is_source_file(p)]


def quiz_texts(quiz: Quiz) -> list[str]:
    """Every text of a quiz that learners see, as HTML; sample answers are for trainers and left out."""
    texts = []
    for question in quiz.questions:
        texts.append(question.prompt.html)
        texts += [field.html for field in (question.hint, question.explanation) if field]
        if question.feedback:
            texts += [f.html for f in (question.feedback.correct, question.feedback.incorrect) if f]
        for choice in getattr(question, "choices", ()):
            texts.append(choice.text.html)
            if choice.feedback:
                texts.append(choice.feedback.html)
        texts += [pair.prompt.html for pair in getattr(question, "pairs", ())]
        texts += [item.html for item in getattr(question, "items", ())]
    return texts
