"""Read a course folder into one validated `Course`, reporting every problem.

`load_course` reads everything first, collects each mistake with its
`path:line`, and raises `CourseErrors` once at the end. It knows nothing about
outputs beyond the names of the formats a course may ask for.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from coursepack import __version__
from coursepack.errors import CourseErrors, Problem, ProblemLog
from coursepack.loading.lesson import estimate_minutes, load_lesson
from coursepack.loading.links import LocalReferences
from coursepack.loading.markdown_render import MarkdownRenderer
from coursepack.loading.module_cache import ModuleCache, module_key, sha256
from coursepack.loading.module_pool import parse_in_order
from coursepack.loading.source_files import check_location, name_with_backslash, read_source, unreadable
from coursepack.loading.validation import validate
from coursepack.loading.yaml_source import LineMap, YamlSyntaxError, load_yaml
from coursepack.model import ID_PATTERN, Asset, Course, CourseFile, Module, Quiz, SourceRef, slug_of

COURSE_FILE = "course.yml"
MODULES_DIR = "modules"
LESSON_FILE = "lesson.md"
QUIZ_FILE = "quiz.yml"
_NUMBERED = re.compile(r"^(\d+)[-_]?(.*)$")


@dataclass(frozen=True)
class LoadResult:
    course: Course
    warnings: tuple[Problem, ...]


def load_course(
    course_dir: Path | str, known_formats: tuple[str, ...] = (), cache_dir: Path | None = None,
    jobs: int | None = None,
) -> LoadResult:
    """Load and validate the course in `course_dir`; raise CourseErrors on any mistake.

    With a `cache_dir`, modules whose sources did not change since the last
    load are taken from there instead of being parsed again. The modules to
    parse are parsed in up to `jobs` worker processes (None: one per CPU) when
    there are enough of them (`module_pool`).
    """
    root = Path(course_dir)
    log = ProblemLog()
    if not os.path.lexists(root / COURSE_FILE):
        where = "this folder" if str(course_dir) in ("", ".") else f"'{course_dir}'"
        log.error(COURSE_FILE, 0, f"{where} is not a course: it has no course.yml (coursepack new FOLDER makes a new course)")
        log.raise_if_any()
    renderer = MarkdownRenderer()
    assets: dict[str, Asset] = {}
    info, course_yml = _load_course_file(root, renderer, known_formats, log, assets)
    default_passing = info.passing_score if info else 80
    cache = ModuleCache(cache_dir)
    modules = _load_modules(root, renderer, default_passing, log, assets, cache, jobs)
    _check_question_ids(modules, log)
    _check_asset_names(assets, log)
    log.raise_if_any()
    assert info is not None  # an invalid course.yml logged an error above
    course = Course.model_construct(
        **dict(info),
        modules=tuple(modules),
        assets=tuple(sorted(assets.values(), key=lambda a: a.path)),
        digest=_digest(__version__, course_yml, *(m.digest for m in modules)),
        outline_digest=_digest(__version__, course_yml, *(_outline(m) for m in modules)),
    )
    return LoadResult(course, tuple(log.warnings))


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(sha256(part if isinstance(part, bytes) else part.encode()).encode())
    return digest.hexdigest()


def _outline(module: Module) -> str:
    """What a page about the whole course may show of a module: all but the lesson body."""
    quiz = module.quiz
    return repr((
        module.id, module.number, module.title, [o.html for o in module.objectives], module.minutes,
        quiz and (quiz.title, quiz.passing_score, quiz.pick, quiz.max_attempts, quiz.points_possible,
                  [(q.id, q.type, q.points) for q in quiz.questions]),
    ))


def read_yaml(root: Path, path: str, log: ProblemLog) -> tuple[object, LineMap, str] | None:
    """The data of a YAML source, its lines, and its text; None after logging a problem."""
    text = read_source(root, path, log)
    if text is None:
        return None
    try:
        data, lines = load_yaml(text)
    except YamlSyntaxError as exc:
        log.error(path, exc.line, exc.message)
        return None
    return data, lines, text


def _markdown_for(root: Path, path: str, text: str, renderer: MarkdownRenderer, log: ProblemLog, assets):
    """How a YAML file's Markdown fields become HTML, with their images and links checked."""
    references = LocalReferences(root, path, text, 0, log, assets, renderer.allow_scripts)
    return lambda markdown, inline: references.rebase(renderer.inline_or_block(markdown, inline))


def _load_course_file(root, renderer, known_formats, log, assets) -> tuple[CourseFile | None, str]:
    """course.yml, validated, and its text (for the course's digest)."""
    loaded = read_yaml(root, COURSE_FILE, log)
    if loaded is None:
        return None, ""
    data, lines, text = loaded
    if not isinstance(data, dict):
        log.error(COURSE_FILE, 1, "course.yml must hold keys and values, such as 'title: My course'")
        return None, text
    renderer.allow_scripts = data.get("allow_scripts") is True  # before its own Markdown is read
    renderer.use_language(data.get("language"))
    context = {
        "render_markdown": _markdown_for(root, COURSE_FILE, text, renderer, log, assets),
        "known_formats": known_formats,
    }
    return validate(CourseFile, data, lines, COURSE_FILE, log, context), text


def _load_modules(root: Path, renderer, default_passing: float, log: ProblemLog, assets, cache,
                  jobs: int | None) -> list[Module]:
    modules_dir = root / MODULES_DIR
    if os.path.lexists(modules_dir) and not check_location(root, MODULES_DIR, log):
        return []
    try:
        folders = sorted(
            (p for p in modules_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
            key=_folder_order,
        ) if modules_dir.is_dir() else []
    except OSError as exc:
        log.error(MODULES_DIR, 0, unreadable(exc))
        return []
    if not folders:
        log.error(MODULES_DIR, 0, "the course has no modules: add a folder such as modules/01-welcome holding a lesson.md")
        return []
    seen: dict[str, str] = {}
    places: list[_ModulePlace] = []
    for position, folder in enumerate(folders, start=1):
        folder_path = f"{MODULES_DIR}/{folder.name}"
        module_id = slug_of(folder.name)
        place_log = ProblemLog()
        if not _NUMBERED.match(folder.name):
            place_log.warn(folder_path, 0, "module folder has no number prefix (such as '01-'): it is placed after the numbered ones")
        if "\\" in folder.name:
            pass  # reported with the other checks of where a module lies
        elif not re.match(ID_PATTERN, module_id):
            place_log.error(folder_path, 0, f"module id '{module_id}' (the folder name without its number) may hold only lower-case letters, digits and '-'")
        elif module_id in seen:
            place_log.error(folder_path, 0, f"module id '{module_id}' is also the id of {seen[module_id]}")
        seen.setdefault(module_id, folder_path)
        place = _ModulePlace(position, folder_path, module_id, place_log)
        places.append(place)
        if not _sources_inside(root, folder_path, place_log):
            continue
        place.key = module_key(root, folder_path, repr((default_passing, renderer.allow_scripts, renderer.language)).encode())
        place.cached = cache.get(place.key, root) if place.key else None
        place.parse = place.cached is None

    def parse(place: _ModulePlace) -> tuple[Module | None, list[Asset], ProblemLog]:
        parse_log, used = ProblemLog(), {}
        module = _load_module(root, place.folder_path, place.module_id, place.position, renderer, default_passing,
                              parse_log, used)
        return module, list(used.values()), parse_log

    to_parse = [place for place in places if place.parse]
    parsed = dict(zip((place.position for place in to_parse), parse_in_order(to_parse, parse, jobs)))
    modules = []
    for place in places:  # in the modules' order, as if each had been read after the one before
        log.problems += place.log.problems
        log.warnings += place.log.warnings
        if place.cached is not None:
            module, used = place.cached
            module = replace(module, number=place.position)
        elif place.position in parsed:
            module, used, parse_log = parsed[place.position]
            log.problems += parse_log.problems
            log.warnings += parse_log.warnings
            if module is not None:
                module = replace(module, digest=_digest(place.key or "", *(sha256(a.data) for a in used)))
                if not parse_log.problems and place.key:
                    cache.put(place.key, module, used, root)
        else:
            continue  # a module outside the course: reported above
        for asset in used:
            assets.setdefault(asset.path, asset)
        if module is not None:
            modules.append(module)
    cache.keep_only_this_load()
    return modules


@dataclass
class _ModulePlace:
    """A module folder as the first pass over them found it: what it is, what was said of where
    it lies, and whether it comes from the module cache or must be parsed."""

    position: int
    folder_path: str
    module_id: str
    log: ProblemLog
    key: str | None = None
    cached: tuple[Module, list[Asset]] | None = None
    parse: bool = False


def _sources_inside(root: Path, folder_path: str, log: ProblemLog) -> bool:
    """Whether a module folder and the sources in it lie inside the course, links followed.

    Checked before the module cache is asked, so that a link never reuses a module."""
    if not check_location(root, folder_path, log):
        return False
    return all([  # a list, so that both files are reported
        check_location(root, f"{folder_path}/{name}", log)
        for name in (LESSON_FILE, QUIZ_FILE)
        if os.path.lexists(os.path.join(root, folder_path, name))  # a string: asked of every module
    ])


def _folder_order(folder: Path) -> tuple:
    match = _NUMBERED.match(folder.name)
    return (0, int(match.group(1)), folder.name) if match else (1, 0, folder.name)


def _load_module(root, folder_path, module_id, position, renderer, default_passing, log, assets) -> Module | None:
    lesson_path = f"{folder_path}/{LESSON_FILE}"
    quiz_path = f"{folder_path}/{QUIZ_FILE}"
    if not os.path.lexists(root / lesson_path):
        log.error(folder_path, 0, "module folder has no lesson.md")
        loaded = None
    else:
        loaded = load_lesson(root, lesson_path, module_id, renderer, log, assets)
    has_quiz = os.path.lexists(root / quiz_path)
    quiz = _load_quiz(root, quiz_path, renderer, default_passing, log, assets) if has_quiz else None
    if loaded is None:
        return None
    questions = len(quiz.questions) if quiz else 0
    minutes = loaded.meta.minutes or estimate_minutes(loaded.lesson.word_count, questions)
    return Module(
        id=module_id,
        number=position,
        folder=folder_path,
        title=loaded.meta.title,
        objectives=loaded.meta.objectives,
        minutes=minutes,
        minutes_estimated=loaded.meta.minutes is None,
        lesson=loaded.lesson,
        quiz=quiz,
        source=SourceRef(lesson_path, 1),
    )


def _load_quiz(root, path, renderer, default_passing, log, assets) -> Quiz | None:
    loaded = read_yaml(root, path, log)
    if loaded is None:
        return None
    data, lines, text = loaded
    if data is None:
        log.error(path, 1, "quiz.yml is empty: give it 'questions:', or delete it")
        return None
    if not isinstance(data, dict):
        log.error(path, 1, "quiz.yml must hold keys and values, with the questions under 'questions:'")
        return None
    context = {
        "render_markdown": _markdown_for(root, path, text, renderer, log, assets),
        "default_passing_score": default_passing,
    }
    quiz = validate(Quiz, data, lines, path, log, context)
    if quiz is None:
        return None
    located = tuple(
        q.model_copy(update={"source": SourceRef(path, lines.line_of(("questions", i)))})
        for i, q in enumerate(quiz.questions)
    )
    return quiz.model_copy(update={"questions": located})


def _check_asset_names(assets: dict[str, Asset], log: ProblemLog) -> None:
    # Each becomes a zip entry; a backslash there is a folder separator for some
    # tools, and '\..\' would write outside the folder the zip is unpacked into.
    for path in assets:
        if "\\" in path:
            log.error(path, 0, name_with_backslash())


def _check_question_ids(modules: list[Module], log: ProblemLog) -> None:
    first: dict[str, SourceRef] = {}
    for module in modules:
        for question in module.quiz.questions if module.quiz else ():
            if question.id in first:
                log.error(
                    question.source.path,
                    question.source.line,
                    f"question id '{question.id}' is used twice: it is also the id of the question at {first[question.id]}",
                )
            else:
                first[question.id] = question.source


__all__ = ["CourseErrors", "LoadResult", "load_course"]
