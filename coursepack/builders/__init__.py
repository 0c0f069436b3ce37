"""The registry of output formats.

Every module in this package that defines a `Builder` subclass with a `name`
is a format: `--format` accepts exactly these names. Adding a format is adding
a module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from coursepack.builders.base import Builder, BuildContext


@cache
def registry() -> dict[str, type[Builder]]:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    found = {}
    pending = list(Builder.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "name" in cls.__dict__:
            found[cls.name] = cls
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def format_names() -> tuple[str, ...]:
    return tuple(registry())


__all__ = ["Builder", "BuildContext", "registry", "format_names"]
