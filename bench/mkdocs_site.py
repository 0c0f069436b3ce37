"""The same lesson Markdown as an mkdocs project, for the speed comparison.

Each module's lesson.md (front matter included: mkdocs reads it as page meta)
and its media/ go to docs/<module folder>/, the course description becomes
docs/index.md, and mkdocs gets the Markdown extensions coursepack uses, so both
tools render the same Markdown with the same library. mkdocs renders no quiz:
the comparison leaves coursepack that extra work.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml


def markdown_extensions() -> list:
    """What coursepack's Markdown renderer enables for an English course, with its settings
    (coursepack.loading.markdown_render), taken from there so that the two cannot drift
    apart: the first version of this list had left out `smarty`, about a third of
    coursepack's Markdown time."""
    from coursepack.loading.markdown_render import EXTENSION_CONFIGS, EXTENSIONS
    from coursepack.loading.typography import smarty_config

    configs = {**EXTENSION_CONFIGS, "smarty": smarty_config("en")}
    return [{name: configs[name]} if name in configs else name for name in EXTENSIONS]


def make_mkdocs_project(course: Path, target: Path) -> Path:
    """Write an mkdocs project for `course`'s lessons into `target`; returns its mkdocs.yml."""
    if target.exists():
        shutil.rmtree(target)
    docs = target / "docs"
    docs.mkdir(parents=True)
    info = yaml.safe_load((course / "course.yml").read_text(encoding="utf-8"))
    (docs / "index.md").write_text(f"# {info['title']}\n\n{info.get('description', '')}\n", encoding="utf-8")
    for module in sorted((course / "modules").iterdir()):
        if not module.is_dir():
            continue
        (docs / module.name).mkdir()
        shutil.copy2(module / "lesson.md", docs / module.name / "lesson.md")
        if (module / "media").is_dir():
            shutil.copytree(module / "media", docs / module.name / "media")
    config = {
        "site_name": info["title"],
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": False,  # file-per-page, like an offline packet
        "theme": {"name": "mkdocs"},
        "markdown_extensions": markdown_extensions(),
    }
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target / "mkdocs.yml"
