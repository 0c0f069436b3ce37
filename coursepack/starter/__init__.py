"""`coursepack new`: a small course that passes `check` and builds as it is."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import click


# What a build writes beside the sources: none of it belongs in version control.
GITIGNORE = """\
# Made by coursepack build; made again from the sources at any time.
/output/
/.coursepack-cache/
/.output.lock
/.output.staging-*
"""


def create_course(target: Path) -> Path:
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} already exists and is not empty; choose a new folder")
    starter = Path(str(resources.files(__package__) / "files"))
    shutil.copytree(starter, target, dirs_exist_ok=True)
    course_id = re.sub(r"[^a-z0-9]+", "-", target.resolve().name.lower()).strip("-") or "my-course"
    if not re.match(r"[a-z0-9]", course_id):
        course_id = f"course-{course_id}"
    course_file = target / "course.yml"
    course_file.write_text(course_file.read_text(encoding="utf-8").replace("my-course", course_id), encoding="utf-8")
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return target
