"""Identifiers that are the same in every build and valid XML names.

Common Cartridge identifiers are `xs:ID`s: NCNames, which must not start with
a digit. Course, module and question ids may (`[a-z0-9][a-z0-9-]*`), so every
identifier starts with a word saying what it names.
"""

from __future__ import annotations

import hashlib


def ident(kind: str, *ids: str) -> str:
    """`quiz-welcome`, `q-lost-customers-2`: a kind word, then the model's ids."""
    return "-".join([kind, *ids])


def file_ident(path: str) -> str:
    """A file's identifier, from its path (which may hold any character)."""
    return "file-" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]
