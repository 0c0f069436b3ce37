"""Read a course folder into one validated `Course`, reporting every problem.

`load_course` reads everything first, collects each mistake with its
`path:line`, and raises `CourseErrors` once at the end. It knows nothing about
outputs beyond the names of the formats a course may ask for.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from coursepack import __version__
from coursepack.errors import CourseErrors, Problem, ProblemLog
from coursepack.loading.lesson import estimate_minutes, load_lesson
from coursepack.loading.links import LocalReferences
from coursepack.loading.markdown_render import MarkdownRenderer
from coursepack.loading.module_cache import ModuleCache, module_key, sha256
from coursepack.loading.validation import validate
from coursepack.loading.yaml_source import LineMap, YamlSyntaxError, load_yaml
from coursepack.model import ID_PATTERN, Asset, Course, CourseFile, Module, Quiz, SourceRef, slug_of

COURSE_FILE = "course.yml"
MODULES_DIR = "modules"
_NUMBERED = re.compile(r"^(\d+)[-_]?(.*)$")


@dataclass(frozen=True)
class LoadResult:
    course: Course
    warnings: tuple[Problem, ...]


def load_course(
    course_dir: Path | str, known_formats: tuple[str, ...] = (), cache_dir: Path | None = None
) -> LoadResult:
    """Load and validate the course in `course_dir`; raise CourseErrors on any mistake.

    With a `cache_dir`, modules whose sources did not change since the last
    load are taken from there instead of being parsed again.
    """
    root = Path(course_dir)
    log = ProblemLog()
    if not (root / COURSE_FILE).is_file():
        where = "this folder" if str(course_dir) in ("", ".") else f"'{course_dir}'"
        log.error(COURSE_FILE, 0, f"{where} is not a course: it has no course.yml (coursepack new FOLDER makes a new course)")
        log.raise_if_any()
    renderer = MarkdownRenderer()
    assets: dict[str, Asset] = {}
    info = _load_course_file(root, renderer, known_formats, log, assets)
    default_passing = info.passing_score if info else 80
    cache = ModuleCache(cache_dir)
    modules = _load_modules(root, renderer, default_passing, log, assets, cache)
    _check_question_ids(modules, log)
    log.raise_if_any()
    assert info is not None  # an invalid course.yml logged an error above
    course_yml = (root / COURSE_FILE).read_bytes()
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


def read_yaml(root: Path, path: str, log: ProblemLog) -> tuple[object, LineMap] | None:
    try:
        text = (root / path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        log.error(path, 1, f"not UTF-8 text ({exc.reason})")
        return None
    try:
        return load_yaml(text)
    except YamlSyntaxError as exc:
        log.error(path, exc.line, exc.message)
        return None


def _markdown_for(root: Path, path: str, renderer: MarkdownRenderer, log: ProblemLog, assets):
    """How a YAML file's Markdown fields become HTML, with their images and links checked."""
    text = (root / path).read_text(encoding="utf-8-sig")
    references = LocalReferences(root, path, text, 0, log, assets, renderer.allow_scripts)
    return lambda markdown, inline: references.rebase(renderer.inline_or_block(markdown, inline))


def _load_course_file(root, renderer, known_formats, log, assets) -> CourseFile | None:
    loaded = read_yaml(root, COURSE_FILE, log)
    if loaded is None:
        return None
    data, lines = loaded
    if not isinstance(data, dict):
        log.error(COURSE_FILE, 1, "course.yml must hold keys and values, such as 'title: My course'")
        return None
    renderer.allow_scripts = data.get("allow_scripts") is True  # before its own Markdown is read
    context = {
        "render_markdown": _markdown_for(root, COURSE_FILE, renderer, log, assets),
        "known_formats": known_formats,
    }
    return validate(CourseFile, data, lines, COURSE_FILE, log, context)


def _load_modules(root: Path, renderer, default_passing: float, log: ProblemLog, assets, cache) -> list[Module]:
    modules_dir = root / MODULES_DIR
    folders = sorted(
        (p for p in modules_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
        key=_folder_order,
    ) if modules_dir.is_dir() else []
    if not folders:
        log.error(MODULES_DIR, 0, "the course has no modules: add a folder such as modules/01-welcome holding a lesson.md")
        return []
    modules = []
    seen: dict[str, str] = {}
    for position, folder in enumerate(folders, start=1):
        folder_path = f"{MODULES_DIR}/{folder.name}"
        module_id = slug_of(folder.name)
        if not _NUMBERED.match(folder.name):
            log.warn(folder_path, 0, "module folder has no number prefix (such as '01-'): it is placed after the numbered ones")
        if not re.match(ID_PATTERN, module_id):
            log.error(folder_path, 0, f"module id '{module_id}' (the folder name without its number) may hold only lower-case letters, digits and '-'")
        elif module_id in seen:
            log.error(folder_path, 0, f"module id '{module_id}' is also the id of {seen[module_id]}")
        seen.setdefault(module_id, folder_path)
        key = module_key(root, folder_path, repr((default_passing, renderer.allow_scripts)).encode())
        cached = cache.get(key, root)
        if cached is not None:
            module, used = cached
            module = replace(module, number=position)
        else:
            errors_before = len(log.problems)
            used_by_module: dict[str, Asset] = {}
            module = _load_module(root, folder_path, module_id, position, renderer, default_passing, log, used_by_module)
            used = list(used_by_module.values())
            if module is not None:
                module = replace(module, digest=_digest(key, *(sha256(a.data) for a in used)))
                if len(log.problems) == errors_before:
                    cache.put(key, module, used)
        for asset in used:
            assets.setdefault(asset.path, asset)
        if module is not None:
            modules.append(module)
    return modules


def _folder_order(folder: Path) -> tuple:
    match = _NUMBERED.match(folder.name)
    return (0, int(match.group(1)), folder.name) if match else (1, 0, folder.name)


def _load_module(root, folder_path, module_id, position, renderer, default_passing, log, assets) -> Module | None:
    lesson_path = f"{folder_path}/lesson.md"
    quiz_path = f"{folder_path}/quiz.yml"
    if not (root / lesson_path).is_file():
        log.error(folder_path, 0, "module folder has no lesson.md")
        loaded = None
    else:
        loaded = load_lesson(root, lesson_path, module_id, renderer, log, assets)
    quiz = _load_quiz(root, quiz_path, renderer, default_passing, log, assets) if (root / quiz_path).is_file() else None
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
    data, lines = loaded
    if data is None:
        log.error(path, 1, "quiz.yml is empty: give it 'questions:', or delete it")
        return None
    if not isinstance(data, dict):
        log.error(path, 1, "quiz.yml must hold keys and values, with the questions under 'questions:'")
        return None
    context = {
        "render_markdown": _markdown_for(root, path, renderer, log, assets),
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
