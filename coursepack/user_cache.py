"""The user's own cache folder, and a secret kept there.

A course folder comes from others (a shared drive, a zip from a colleague), so
nothing found in it may run code: compiled templates live here instead, and
what coursepack keeps in the course's `.coursepack-cache/` as pickles is signed
with this user's secret, so that an entry planted by someone else is not loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

KEY_FILE = "cache-key"
KEY_BYTES = 32


def user_cache_dir() -> Path:
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "coursepack"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "coursepack"
    return Path.home() / ".cache" / "coursepack"


def private_folder(folder: Path) -> Path | None:
    """`folder`, made if need be, when only this user can write it and its parent; else None."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if hasattr(os, "getuid"):
            for checked in (folder, folder.parent):
                info = checked.stat()
                if info.st_uid != os.getuid() or info.st_mode & 0o022:
                    return None
    except OSError:
        return None
    return folder


@cache
def secret() -> bytes | None:
    """This user's key for signing cache entries (made on first use); None when it cannot be kept."""
    folder = private_folder(user_cache_dir())
    if folder is None:
        return None
    path = folder / KEY_FILE
    try:
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(secrets.token_bytes(KEY_BYTES))
            key = path.read_bytes()
    except FileExistsError:  # another build made it at the same moment
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


def signed(data: bytes) -> bytes | None:
    key = secret()
    return None if key is None else hmac.new(key, data, hashlib.sha256).digest() + data


def verified(blob: bytes) -> bytes | None:
    """The data of a `signed` blob, or None when this user's key did not sign it."""
    key = secret()
    if key is None or len(blob) < 32:
        return None
    mac, data = blob[:32], blob[32:]
    return data if hmac.compare_digest(mac, hmac.new(key, data, hashlib.sha256).digest()) else None
