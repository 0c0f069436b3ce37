"""The theme: Jinja templates and static files, a course's own first.

A course's `templates/` folder shadows any built-in file of the same name. A
template that replaces a built-in one can still extend it by naming it with a
leading '!': `{% extends "!base.html" %}`.

Courses are exchanged between trainers, so a course's templates are not
trusted: when a course has templates of its own, every template renders in
Jinja's immutable sandbox (no underscore attributes, no changing the course,
bounded `range`, `*` and `**`), a mistake in one is the author's
(`templates/x.html:LINE: error: ...`), and no file of the course's theme may
lie outside the course folder through a link.
"""

from __future__ import annotations

import json
import operator
import os
from functools import cached_property
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from coursepack.code_digest import code_digest
from coursepack.errors import CourseErrors, Problem
from coursepack.loading.typography import french_spacing, is_french
from coursepack.packet.block_icons import with_block_icons, with_block_titles
from coursepack.unchanged import builtin_templates, theme_digest, theme_folders
from coursepack.user_cache import private_folder, user_cache_dir

COURSE_TEMPLATES = "templates"
STRINGS_FOLDER = "i18n"
# Files of the theme rendered as templates; all the others (scripts, stylesheets
# of the packet and the LMS, schemas) are copied as they are.
TEMPLATE_SUFFIXES = (".html", ".xml", ".j2", ".jinja")
CSS_TEMPLATES = ("pdf/print.css", "pdf/certificate.css")
SANDBOX_MAX_SIZE = 10_000_000  # the longest string or list a course template may make with * or **
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: much faster


class _ThemeLoader(jinja2.BaseLoader):
    def __init__(self, folders: list[Path], builtin: Path, course_dir: Path | None):
        self.folders = [jinja2.FileSystemLoader(str(f)) for f in folders]
        self.builtin = jinja2.FileSystemLoader(str(builtin))
        self.course_dir = course_dir

    def get_source(self, environment, template):
        if template.startswith("!"):
            return self.builtin.get_source(environment, template[1:])
        for loader in self.folders:
            try:
                source, filename, uptodate = loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                continue
            _require_inside(Path(filename), self.course_dir)
            return source, filename, uptodate
        return self.builtin.get_source(environment, template)


class _CourseSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded so that one line cannot fill the memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if isinstance(left, (int, float)) and isinstance(right, (int, float)) and abs(left) > 1 and right > 64:
                raise jinja2.exceptions.SecurityError(f"{left} ** {right} is too large for a template")
            return operator.pow(left, right)
        if isinstance(right, int) and hasattr(left, "__len__") or isinstance(left, int) and hasattr(right, "__len__"):
            count, sequence = (right, left) if isinstance(right, int) else (left, right)
            if count * len(sequence) > SANDBOX_MAX_SIZE:
                raise jinja2.exceptions.SecurityError("a repeated string or list this long is too large for a template")
        return operator.mul(left, right)


def _compiled_templates(sandboxed: bool) -> jinja2.BytecodeCache | None:
    """Templates compiled by an earlier build, which spares a rebuild most of Jinja's work.

    Kept in the user's own cache folder (see `coursepack.user_cache`), used only
    when no one else can write it, and never in the course's cache: a course
    comes from others, and compiled code found there would run outside the
    sandbox. A sandbox compiles templates differently, and a new coursepack or
    Jinja may too, so each has files of its own; Jinja checks each file against
    its template's text."""
    folder = private_folder(user_cache_dir() / "templates")
    if folder is None:
        return None  # another user's, or one others may write: compile each time
    kind = "sandbox" if sandboxed else "trusted"
    return jinja2.FileSystemBytecodeCache(
        str(folder), pattern=f"{kind}-{jinja2.__version__}-{code_digest()[:16]}-%s.cache")


class Theme:
    def __init__(self, course_dir: Path | None = None, keep_compiled: bool = False):
        self.course_dir = course_dir
        self.overrides, self.builtin = theme_folders(course_dir)
        self.keep_compiled = keep_compiled

    @property
    def sandboxed(self) -> bool:
        """A course with templates of its own renders every template in the sandbox."""
        return bool(self.overrides)

    @cached_property
    def env(self) -> jinja2.Environment:
        kind = _CourseSandbox if self.sandboxed else jinja2.Environment
        env = kind(
            loader=_ThemeLoader(self.overrides, self.builtin, self.course_dir),
            autoescape=jinja2.select_autoescape(["html", "xml", "j2"], default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            bytecode_cache=_compiled_templates(self.sandboxed) if self.keep_compiled else None,
        )
        env.filters["tojson_compact"] = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        env.filters["number"] = format_number
        env.filters["with_block_icons"] = with_block_icons
        env.filters["with_block_titles"] = with_block_titles
        return env

    def render(self, template: str, **context) -> str:
        """The template rendered; a mistake in a course's own template raises CourseErrors at its line."""
        try:
            return self.env.get_template(template).render(**context)
        except CourseErrors:
            raise
        except Exception as exc:
            problem = self.template_problem(exc)
            if problem is None:
                raise
            raise CourseErrors([problem]) from None

    def template_problem(self, exc: BaseException) -> Problem | None:
        """The course template line where `exc` was raised; None if no course template is to blame."""
        if not self.overrides or self.course_dir is None:
            return None
        places = [(getattr(exc, "filename", None), getattr(exc, "lineno", None))]
        trace = exc.__traceback__
        frames = []
        while trace is not None:
            frames.append((trace.tb_frame.f_code.co_filename, trace.tb_lineno))
            trace = trace.tb_next
        places += reversed(frames)  # the innermost course template is the one at fault
        for filename, line in places:
            where = filename and self._course_relative(filename)
            if where:
                return Problem(where, line or 0, _describe_template_error(exc))
        return None

    def _course_relative(self, filename: str) -> str | None:
        """`templates/NAME` for a file of the course's templates folder, else None."""
        templates = os.path.abspath(self.course_dir / COURSE_TEMPLATES)
        path = os.path.abspath(filename)
        if os.path.commonpath([templates, path]) != templates:
            return None
        return (Path(COURSE_TEMPLATES) / os.path.relpath(path, templates)).as_posix()

    def file(self, name: str) -> bytes:
        """A static file of the theme (CSS, scripts, fonts), overrides first."""
        for folder in [*self.overrides, self.builtin]:
            candidate = folder / name
            if candidate.is_file():
                if folder is not self.builtin:
                    _require_inside(candidate, self.course_dir)
                return candidate.read_bytes()
        raise FileNotFoundError(f"theme file '{name}' not found")

    def problems(self) -> list[Problem]:
        """What `check` finds in a course's own theme: outside links, templates that do not compile, bad strings."""
        if self.course_dir is None:
            return []
        own = self.course_dir / COURSE_TEMPLATES
        if not own.is_dir() or own.resolve() == self.builtin.resolve():
            return []
        root = self.course_dir.resolve()
        if not own.resolve().is_relative_to(root):
            return [Problem(COURSE_TEMPLATES, 0, _OUTSIDE)]
        problems: list[Problem] = []
        for path in sorted(own.rglob("*")):
            where = path.relative_to(self.course_dir).as_posix()
            try:
                target = path.resolve()
            except (OSError, RuntimeError):  # a loop of links
                problems.append(Problem(where, 0, "is a link that leads nowhere (a loop of links)"))
                continue
            if not target.is_relative_to(root):
                problems.append(Problem(where, 0, _OUTSIDE))
                continue
            if not path.is_file():
                continue
            name = path.relative_to(own).as_posix()
            if name.startswith(STRINGS_FOLDER + "/") and path.suffix in (".yml", ".yaml"):
                problems += _strings_problems(path, where, self._builtin_strings)[1]
            elif path.suffix in TEMPLATE_SUFFIXES or name in CSS_TEMPLATES:
                problems += self._template_problems(name, where)
        return problems

    def _template_problems(self, name: str, where: str) -> list[Problem]:
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)
            tree = self.env.parse(source, name)
            self.env.compile(tree, name)  # finds unknown filters and tests too
        except jinja2.TemplateSyntaxError as exc:
            return [Problem(where, exc.lineno or 0, _describe_template_error(exc))]
        except UnicodeDecodeError as exc:
            return [Problem(where, 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]
        except CourseErrors as exc:
            return exc.problems
        problems = []
        for node in tree.find_all((jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import,
                                   jinja2.nodes.FromImport)):
            named = node.template
            if not isinstance(named, jinja2.nodes.Const) or not isinstance(named.value, str):
                continue  # a name computed while rendering: checked then
            if isinstance(node, jinja2.nodes.Include) and node.ignore_missing:
                continue
            try:
                self.env.loader.get_source(self.env, named.value)
            except jinja2.TemplateNotFound:
                problems.append(Problem(where, node.lineno, f"template '{named.value}' not found "
                                        f"(neither in {COURSE_TEMPLATES}/ nor in the built-in theme)"))
            except CourseErrors as exc:
                problems += exc.problems
        return problems

    @cached_property
    def digest(self) -> str:
        """A hash of every file of the theme, a course's overrides included."""
        return theme_digest([*self.overrides, self.builtin])

    def strings(self, language: str) -> dict[str, str]:
        """The UI strings for `language`: English, overlaid by its base language, then by itself.

        A language's catalogue is every `i18n/<tag>/*.yml` of the theme, so each
        part of the theme (packet, print, LMS) keeps its strings in a file of its own.
        """
        catalogue: dict[str, str] = {}
        for tag in ["en", *reversed(_fallbacks(language))]:
            catalogue.update(self._catalogue(tag))
        if is_french(language):
            # Typed with plain spaces; printed with no-break ones, so that "60 %" never breaks.
            catalogue = {key: french_spacing(value) if isinstance(value, str) else value for key, value in catalogue.items()}
        return catalogue

    @cached_property
    def _builtin_strings(self) -> dict[str, object]:
        """Every built-in string by name, in any language: what shape an override must have."""
        shapes: dict[str, object] = {}
        for path in sorted((self.builtin / STRINGS_FOLDER).glob("*/*.yml")):
            for name, value in (yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}).items():
                shapes.setdefault(name, value)
        return shapes

    def _catalogue(self, tag: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for folder in [self.builtin, *self.overrides]:  # a course's own strings win
            for path in sorted((folder / STRINGS_FOLDER / tag).glob("*.yml")):
                if folder is self.builtin:
                    merged.update(yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {})
                    continue
                _require_inside(path, self.course_dir)
                strings, problems = _strings_problems(path, path.relative_to(self.course_dir).as_posix(),
                                                      self._builtin_strings)
                if problems:
                    raise CourseErrors(problems)
                merged.update(strings)
        return merged


_OUTSIDE = "is a link to a place outside the course folder; copy the file into the course instead"


def _require_inside(path: Path, course_dir: Path | None) -> None:
    """A file of a course's theme must be in the course folder, after following links."""
    if course_dir is None or path.resolve().is_relative_to(course_dir.resolve()):
        return
    where = path.absolute().relative_to(course_dir.absolute()).as_posix() if path.absolute().is_relative_to(
        course_dir.absolute()) else str(path)
    raise CourseErrors([Problem(where, 0, _OUTSIDE)])


def _strings_problems(path: Path, where: str, builtin: dict[str, object]) -> tuple[dict[str, str], list[Problem]]:
    """A course's UI strings file: a mapping of names to texts, or the problems in it.

    A string the built-in theme keeps as a list (month names) or a mapping (instruction
    cues) is overridden with one of the same shape, so that a copy of the built-in
    `templates/` is a valid course theme."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return {}, [Problem(where, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); "
                            "save the file as UTF-8")]
    try:
        strings = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return {}, [Problem(where, mark.line + 1 if mark else 1, f"not valid YAML: {reason}")]
    if strings is None:
        return {}, []
    if not isinstance(strings, dict):
        return {}, [Problem(where, 1, "UI strings must be a mapping of names to texts (name: text)")]
    problems = [Problem(where, 1, problem) for name, value in strings.items()
                if (problem := _string_shape_problem(name, value, builtin.get(name)))]
    return ({} if problems else {name: value if isinstance(value, (str, list, dict)) else str(value)
                                 for name, value in strings.items()}), problems


def _is_text(value: object) -> bool:
    return isinstance(value, (str, int, float))


def _string_shape_problem(name: object, value: object, builtin: object) -> str | None:
    """Why `value` cannot stand for the built-in string `name`, or None."""
    if isinstance(builtin, list) and not (isinstance(value, list) and len(value) == len(builtin)
                                          and all(_is_text(v) for v in value)):
        return f"the UI string '{name}' must be a list of {len(builtin)} texts, as in the built-in theme"
    if isinstance(builtin, dict) and not (isinstance(value, dict) and all(
            isinstance(key, str) and (_is_text(v) or isinstance(v, list) and all(_is_text(x) for x in v))
            for key, v in value.items())):
        return f"the UI string '{name}' must be a mapping of names to texts or lists of texts, as in the built-in theme"
    if not isinstance(builtin, (list, dict)) and (not isinstance(name, str) or not _is_text(value)):
        return f"the UI string '{name}' must be text, not {type(value).__name__}"
    return None


def _describe_template_error(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"not allowed in a course template: {str(exc).rstrip('.')} (templates run in a sandbox: see the README, Theming)"
    if isinstance(exc, jinja2.TemplatesNotFound):
        return f"template {', '.join(repr(n) for n in exc.templates)} not found"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template '{exc.name}' not found (neither in {COURSE_TEMPLATES}/ nor in the built-in theme)"
    if isinstance(exc, jinja2.UndefinedError):
        return f"template error: {exc.message}"
    return f"template error: {type(exc).__name__}: {exc}"


def _fallbacks(language: str) -> list[str]:
    parts = language.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def format_number(value: float) -> str:
    """1.0 -> '1', 2.5 -> '2.5'."""
    return f"{value:g}"
