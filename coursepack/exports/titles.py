"""Names that LMS admins see: quiz titles and question-bank categories."""

from __future__ import annotations

from coursepack.model import Course, Module, Quiz


def quiz_title(module: Module, quiz: Quiz, strings: dict[str, str]) -> str:
    """`Why service matters: Check your understanding`: quiz titles alone are often alike."""
    return f"{module.title}: {quiz.title or strings['quiz']}"


def category_path(course: Course, module: Module) -> str:
    """A Moodle question category per module, under one for the course.

    Moodle separates category levels with '/' and reads '//' as a slash in a name.
    """
    names = [course.title, f"{module.number:02d} {module.title}"]
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in names)
