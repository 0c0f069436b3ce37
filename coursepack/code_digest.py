"""A digest of coursepack's own code, part of every cache key.

The caches are keyed by what they render and by coursepack's version; a
checkout whose code changed without a new version number (a developer's, or
one updated with `git pull`) must not reuse what older code rendered.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
