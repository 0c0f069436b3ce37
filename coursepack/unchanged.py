"""Knowing, before anything is loaded, that a build would change nothing.

A no-op build used to load the whole course (from the module cache) only to
find that every format's files were still good. This module takes one digest
of everything a build reads, in a few milliseconds and without importing the
loader, Markdown, pydantic or Jinja:

- course.yml, and which folders of modules/ the loader would take (names,
  where their links lead);
- each module's lesson.md and quiz.yml (bytes, where links lead);
- every file the last load used (pictures, recordings, captions: their bytes)
  and, beside each, the files whose names begin with its stem, because the
  loader looks for a recording's poster and captions there;
- the theme: a course's own templates and the built-in ones;
- coursepack's version and code and the versions of the rendering libraries
  (passed in by the caller).

Contents are hashed, never trusted from modification times: touching a file
keeps a build a no-op, a changed byte rebuilds. The record of the last
digest per request lives in the cache folder beside the output record; a
build that finds the same digest and every file of the output as it left
it returns at once.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coursepack.file_lock import output_lock_file, shared_hold

COURSE_FILE = "course.yml"
MODULES_DIR = "modules"
MODULE_SOURCES = ("lesson.md", "quiz.yml")
COURSE_TEMPLATES = "templates"
RECORD_LIMIT = 8  # requests (format lists) remembered per output folder


def builtin_templates() -> Path:
    installed = Path(__file__).resolve().parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout


def theme_folders(course_dir: Path | None) -> tuple[list[Path], Path]:
    """A course's own templates folder (when it has one that is not the built-in theme), and the built-in one."""
    builtin = builtin_templates()
    own = course_dir / COURSE_TEMPLATES if course_dir else None
    overrides = [own] if own and own.is_dir() and own.resolve() != builtin.resolve() else []
    return overrides, builtin


# Within one build (`one_theme_reading`), the theme's digest by its folders: the sources'
# digest, the check of the course and the builders each need it, and reading the theme's
# files is a few milliseconds each time.
_theme_digests: dict[tuple[Path, ...], str] | None = None


@contextmanager
def one_theme_reading() -> Iterator[None]:
    """The theme is hashed once inside this block (a build): an edit during it is the next build's."""
    global _theme_digests
    outer, _theme_digests = _theme_digests, {} if _theme_digests is None else _theme_digests
    try:
        yield
    finally:
        _theme_digests = outer


def theme_digest(folders: list[Path]) -> str:
    """A hash of every file of the theme, a course's overrides included."""
    if _theme_digests is None:
        return _hash_theme(folders)
    key = tuple(folders)
    if key not in _theme_digests:
        _theme_digests[key] = _hash_theme(folders)
    return _theme_digests[key]


def _hash_theme(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def installed_versions(distributions: tuple[str, ...]) -> list[str]:
    """The installed version of each distribution, as `importlib.metadata.version` finds it.

    Read from the names of the `NAME-VERSION.dist-info` folders along sys.path
    (the first one wins, as for the import), which is what that function does
    too after importing the email parser and more: that import alone costs
    more than a no-op build. Anything not found so is asked of it."""
    wanted = {_normalized(name): name for name in distributions}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.match(name)
            if match:
                key = _normalized(match.group(1))
                if key in wanted and key not in found:
                    found[key] = match.group(2)
        if len(found) == len(wanted):
            break
    versions = []
    for key, name in wanted.items():
        if key not in found:
            from importlib import metadata

            try:
                found[key] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[key] = "-"
        versions.append(found[key])
    return versions


_DIST_INFO = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*?)-([0-9][^-]*?)\.dist-info$")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


class _Unreadable(Exception):
    """Something could not be read: the loader must look, and will say what is wrong."""


class _Digest:
    def __init__(self, root: Path):
        self.root = root
        self.hash = hashlib.sha256()

    def add(self, *parts: str) -> None:
        for part in parts:
            self.hash.update(part.encode("utf-8", "surrogateescape") + b"\0")

    def place(self, relative: str, resolve: bool = False) -> None:
        """Whether `relative` exists, what it is, and where it leads when it is a link (a link
        may leave the course); with `resolve`, where it leads whatever folder on the way is a link."""
        path = os.path.join(self.root, relative)  # a string: asked of every source of every module
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            self.add(relative, "absent")
            return
        except OSError as exc:
            raise _Unreadable(relative) from exc
        self.add(relative, oct(info.st_mode))
        if resolve or stat.S_ISLNK(info.st_mode):
            self.add(os.path.realpath(path))

    def file(self, relative: str, data: bytes | None = None, resolve: bool = False) -> None:
        """A file's place and bytes (`data` when the caller holds them already)."""
        self.place(relative, resolve)
        path = os.path.join(self.root, relative)
        if data is None:
            if regular_file(path) is None:
                return
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError as exc:
                raise _Unreadable(relative) from exc
        self.add(hashlib.sha256(data).hexdigest())

    def siblings(self, relative: str, listed: dict[str, list[str]]) -> None:
        """The names beside `relative` that begin with its stem (a recording's poster and captions)."""
        try:
            self.add(relative, "beside:", *names_beside(self.root, relative, listed))
        except OSError as exc:
            raise _Unreadable(relative) from exc


def names_beside(root: Path, relative: str, listed: dict[str, list[str]] | None = None) -> list[str]:
    """The names in the folder of `relative` that begin with its stem and a dot: where the
    loader looks for a recording's poster and captions, so a file added there is read."""
    folder, name = os.path.split(relative)
    stem = name.rsplit(".", 1)[0] + "."
    listed = {} if listed is None else listed
    if folder not in listed:
        listed[folder] = sorted(os.listdir(root / folder if folder else root))
    return [n for n in listed[folder] if n.startswith(stem)]


# What `Path.is_file` takes for "no such file": a missing file or folder, a link loop.
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def regular_file(path: str) -> os.stat_result | None:
    """The status of the file at `path`, links followed; None when no file is there, as
    `Path.is_file` says (without building a Path). Any other failure to look raises OSError."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    return info if stat.S_ISREG(info.st_mode) else None


def sources_digest(course_dir: Path, *context: str) -> str | None:
    """A digest of the course's sources and theme, and of `context` (versions, the request);
    None when something cannot be read. Taken before the course is loaded."""
    digest = _Digest(course_dir)
    digest.add(*context)
    try:
        digest.file(COURSE_FILE)
        digest.place(MODULES_DIR)
        for folder in _module_folders(course_dir / MODULES_DIR):
            digest.place(f"{MODULES_DIR}/{folder}")
            for name in MODULE_SOURCES:
                digest.file(f"{MODULES_DIR}/{folder}/{name}")
        overrides, builtin = theme_folders(course_dir)
        digest.add("theme", theme_digest([*overrides, builtin]))
    except (_Unreadable, OSError):
        return None
    return digest.hash.hexdigest()


def used_files_digest(course_dir: Path, used: list[tuple[str, bytes | None]]) -> str | None:
    """A digest of the files a load used besides the sources, each given with its bytes when the
    caller holds them (what the loader read), else read here; None when one cannot be read."""
    digest = _Digest(course_dir)
    listed: dict[str, list[str]] = {}
    try:
        for relative, data in sorted(used, key=lambda item: item[0]):
            digest.file(relative, data, resolve=True)  # a picture may lie in any folder, behind any link
            digest.siblings(relative, listed)
    except (_Unreadable, OSError):
        return None
    return digest.hash.hexdigest()


def whole_key(sources: str, used: str) -> str:
    return hashlib.sha256(f"{sources}\0{used}".encode()).hexdigest()


def _module_folders(modules: Path) -> list[str]:
    """The names the loader takes as module folders: folders (links followed) not hidden by '.' or '_'."""
    try:
        entries = list(os.scandir(modules))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return []
    except OSError as exc:
        raise _Unreadable(MODULES_DIR) from exc
    return sorted(e.name for e in entries if not e.name.startswith((".", "_")) and e.is_dir())


def hold_output(out: Path) -> Callable[[], None] | None:
    """A shared hold on the output's lock (the one `writer.output_lock` takes) while no build
    holds it, and the function that lets it go; None while a build holds it: then this build
    waits for that one like any other."""
    return shared_hold(output_lock_file(out))


class SourcesRecord:
    """Per request (the formats asked for), the digest of the last build into one output folder and what it said."""

    def __init__(self, cache_dir: Path, out: Path):
        where = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
        self.path = cache_dir / f"sources-{where}.json"
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        if not isinstance(self.entries, dict):
            self.entries = {}

    @staticmethod
    def request(formats: list[str] | None) -> str:
        return json.dumps(formats)

    def get(self, formats: list[str] | None) -> dict | None:
        entry = self.entries.get(self.request(formats))
        return entry if isinstance(entry, dict) else None

    def put(self, formats: list[str] | None, entry: dict) -> None:
        self.entries.pop(self.request(formats), None)
        self.entries[self.request(formats)] = entry
        while len(self.entries) > RECORD_LIMIT:  # the oldest first
            self.entries.pop(next(iter(self.entries)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.entries), encoding="utf-8")
            temporary.replace(self.path)  # whole or not at all: a build that reads it holds no lock
        except OSError:
            pass  # a record that cannot be written only costs time
