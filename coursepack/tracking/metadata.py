"""Course facts every control document describes, in the forms they need."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.model import Course
from coursepack.tracking.text import decimal_text, iso_duration, ncname, plain_text


@dataclass(frozen=True)
class PackageFacts:
    identifier: str  # an xs:ID, stable across versions so an LMS can update the package
    title: str
    description: str
    language: str
    version: str
    minutes: int
    audience: str | None
    authors: tuple[str, ...]
    organization: str | None
    # The course score (percent) that passes, or None when the course is not judged.
    mastery_percent: float | None

    @property
    def duration(self) -> str:
        return iso_duration(self.minutes)

    @property
    def mastery_text(self) -> str | None:
        return None if self.mastery_percent is None else decimal_text(self.mastery_percent)

    @property
    def mastery_scaled(self) -> str | None:
        return None if self.mastery_percent is None else decimal_text(round(self.mastery_percent / 100, 4))


def package_facts(course: Course) -> PackageFacts:
    # Judged by a score only when some quiz has scored questions.
    judged = course.completion == "quizzes" and any(quiz.points_possible for _, quiz in course.quizzes)
    description = plain_text(course.description.html) if course.description else ""
    return PackageFacts(
        identifier=ncname(course.id, "coursepack"),
        title=course.title,
        description=description or course.title,
        language=course.language,
        version=course.version,
        minutes=course.minutes,
        audience=course.audience,
        authors=tuple(course.authors),
        organization=course.organization,
        mastery_percent=course.passing_score if judged else None,
    )


def vcard(name: str, organization: str | None = None) -> str:
    """A minimal vCard 3.0, as LOM's contribute/entity holds one."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vcard_text(name)}"]
    if organization:
        lines.append(f"ORG:{_vcard_text(organization)}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def _vcard_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", " ")
