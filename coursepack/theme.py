"""The theme: Jinja templates and static files, a course's own first.

A course's `templates/` folder shadows any built-in file of the same name. A
template that replaces a built-in one can still extend it by naming it with a
leading '!': `{% extends "!base.html" %}`.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

import jinja2
import yaml

COURSE_TEMPLATES = "templates"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: much faster


def builtin_templates() -> Path:
    installed = Path(__file__).resolve().parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout


class _ThemeLoader(jinja2.BaseLoader):
    def __init__(self, folders: list[Path], builtin: Path):
        self.folders = [jinja2.FileSystemLoader(str(f)) for f in folders]
        self.builtin = jinja2.FileSystemLoader(str(builtin))

    def get_source(self, environment, template):
        if template.startswith("!"):
            return self.builtin.get_source(environment, template[1:])
        for loader in self.folders:
            try:
                return loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                continue
        return self.builtin.get_source(environment, template)


class Theme:
    def __init__(self, course_dir: Path | None = None):
        self.builtin = builtin_templates()
        own = course_dir / COURSE_TEMPLATES if course_dir else None
        self.overrides = [own] if own and own.is_dir() and own.resolve() != self.builtin.resolve() else []

    @cached_property
    def env(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=_ThemeLoader(self.overrides, self.builtin),
            autoescape=jinja2.select_autoescape(["html", "xml", "j2"], default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["tojson_compact"] = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        env.filters["number"] = format_number
        return env

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(**context)

    def file(self, name: str) -> bytes:
        """A static file of the theme (CSS, scripts, fonts), overrides first."""
        for folder in [*self.overrides, self.builtin]:
            candidate = folder / name
            if candidate.is_file():
                return candidate.read_bytes()
        raise FileNotFoundError(f"theme file '{name}' not found")

    @cached_property
    def digest(self) -> str:
        """A hash of every file of the theme, a course's overrides included."""
        digest = hashlib.sha256()
        for folder in [*self.overrides, self.builtin]:
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def strings(self, language: str) -> dict[str, str]:
        """The UI strings for `language`: English, overlaid by its base language, then by itself.

        A language's catalogue is every `i18n/<tag>/*.yml` of the theme, so each
        part of the theme (packet, print, LMS) keeps its strings in a file of its own.
        """
        catalogue: dict[str, str] = {}
        for tag in ["en", *reversed(_fallbacks(language))]:
            catalogue.update(self._catalogue(tag))
        return catalogue

    def _catalogue(self, tag: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for folder in [self.builtin, *self.overrides]:  # a course's own strings win
            for path in sorted((folder / "i18n" / tag).glob("*.yml")):
                merged.update(yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {})
        return merged


def _fallbacks(language: str) -> list[str]:
    parts = language.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def format_number(value: float) -> str:
    """1.0 -> '1', 2.5 -> '2.5'."""
    return f"{value:g}"
