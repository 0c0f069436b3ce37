"""Reuse a module loaded by an earlier build when nothing it came from changed.

Loading (Markdown, validation) is most of a no-op build. A module's entry is
keyed by its folder name, lesson.md and quiz.yml bytes, the course settings
that shape it, and the coursepack version; it also records the files its
lesson refers to with their hashes, which are checked on reuse, because a
lesson may use a picture outside its own folder, and the names beside each
that begin with its stem, because the loader looks there for a recording's
poster and captions. Only modules that loaded without problems are stored,
and a load removes the entries it did not use, so that saving a lesson again
and again does not fill the folder.

Entries are pickles, and the cache folder is inside the course folder, which
may come from someone else: each entry is signed with this user's secret
(`coursepack.user_cache`), and one that does not verify is never unpickled.

A process that builds again and again (`coursepack serve`) keeps the entries
the last load of each cache folder used, so that a save unpickles nothing but
what changed: at 100 modules unpickling was most of a rebuild's loading. An
entry is what its key names, in memory as on disk; the files it used are
checked on every reuse either way.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from coursepack import __version__
from coursepack.code_digest import code_digest
from coursepack.loading.source_files import MAX_SOURCE_BYTES
from coursepack.model import Asset, Module
from coursepack.unchanged import names_beside, regular_file
from coursepack.user_cache import signed, verified


@dataclass(frozen=True)
class CachedModule:
    module: Module
    # (course-relative path, sha256, media type) of each file used; the media type as
    # the first load found it, since finding it again reads the system's MIME tables.
    assets: tuple[tuple[str, str, str], ...]
    # The names beside each file used that begin with its stem: a poster or captions
    # file saved beside a recording later must load the module again.
    beside: tuple[tuple[str, ...], ...] = ()


# Cache folder -> {key: entry} of its last load; a few folders, for a process that builds several courses.
_HELD: OrderedDict[Path, dict[str, CachedModule]] = OrderedDict()
_HELD_FOLDERS = 4


def forget_held() -> None:
    """Let go of every entry held in memory: what a new process starts from."""
    _HELD.clear()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def module_key(root: Path, folder_path: str, settings: bytes) -> str | None:
    """The module's cache key; None when a source cannot be read or is too large (loading will say why)."""
    digest = _key_start(__version__, code_digest(), settings).copy()
    digest.update(sha256(folder_path.encode()).encode())
    # Plain strings and one stat per file: this is asked of every module of every build.
    folder = os.path.join(os.fspath(root), folder_path)
    for name in ("lesson.md", "quiz.yml"):
        file = os.path.join(folder, name)
        try:
            info = regular_file(file)
            if info is None:
                digest.update(b"-")
            elif info.st_size > MAX_SOURCE_BYTES:
                return None  # refused when it is loaded: no need to read it here
            else:
                with open(file, "rb") as source:
                    digest.update(sha256(source.read()).encode())
        except OSError:
            return None
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _key_start(version: str, code: str, settings: bytes):
    """What every module's key starts from: the version, the code and the course's settings.

    Every part is an argument, so that the cache cannot hand back a start made
    for another version or code (a test or a long-lived process may change them)."""
    digest = hashlib.sha256()
    for part in (version.encode(), code.encode(), settings):
        digest.update(sha256(part).encode())
    return digest


class ModuleCache:
    def __init__(self, folder: Path | None):
        self.folder = folder / "modules" if folder else None
        # This load's entries replace the last load's: what no module uses any more is let go.
        self.last_load: dict[str, CachedModule] = {}
        self.this_load: dict[str, CachedModule] = {}
        if self.folder is not None:
            self.last_load = _HELD.pop(self.folder, {})
            _HELD[self.folder] = self.this_load
            while len(_HELD) > _HELD_FOLDERS:
                _HELD.popitem(last=False)

    def get(self, key: str, root: Path) -> tuple[Module, list[Asset]] | None:
        if self.folder is None:
            return None
        entry = self.last_load.get(key) or self.this_load.get(key) or self._read(key)
        if entry is None:
            return None
        assets = []
        try:
            if entry.beside != tuple(tuple(names_beside(root, path)) for path, _, _ in entry.assets):
                return None
        except (OSError, AttributeError, ValueError):  # ValueError: an entry of an older shape
            return None
        if entry.assets:  # most modules use no files: no realpath for them
            inside = root.resolve()
        for path, digest, kind in entry.assets:
            if not (root / path).resolve().is_relative_to(inside):
                return None  # now a link out of the course: loading again reports it
            try:
                data = (root / path).read_bytes()
            except OSError:
                return None
            if sha256(data) != digest:
                return None
            assets.append(Asset(path, data, kind))
        self.this_load[key] = entry
        return entry.module, assets

    def _read(self, key: str) -> CachedModule | None:
        try:
            data = verified((self.folder / f"{key}.pickle").read_bytes())
            if data is None:
                return None  # not signed by this user: never unpickled
            return pickle.loads(data)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def put(self, key: str, module: Module, assets: list[Asset], root: Path) -> None:
        if self.folder is None:
            return
        try:
            beside = tuple(tuple(names_beside(root, a.path)) for a in assets)
        except OSError:
            return
        entry = CachedModule(module, tuple((a.path, sha256(a.data), a.media_type) for a in assets), beside)
        try:
            blob = signed(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            if blob is None:
                return  # no private key to sign with: keep nothing rather than something unverifiable
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.tmp"
            temporary.write_bytes(blob)
            temporary.replace(self.folder / f"{key}.pickle")
        except OSError:
            return  # a cache that cannot be written only costs time
        self.this_load[key] = entry

    def keep_only_this_load(self) -> None:
        """Remove the entries this load did not use, once every module was asked for:
        a changed module's older entries, those of removed modules, other settings or
        other code. Without it the folder grows by an entry at every saved change."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError), os.scandir(self.folder) as found:
            for entry in found:
                name = entry.name
                if name.endswith(".pickle") and name[: -len(".pickle")] not in self.this_load:
                    with contextlib.suppress(OSError):  # another build may have removed it first
                        os.unlink(entry.path)
