"""The registry of output formats.

`FORMATS` names each format and the module of this package that defines its
`Builder`, in build order, so that a build imports only the builders it runs
(importing all of them costs more than a one-lesson rebuild can spare).
Adding a format is adding a module here and its line in `FORMATS`: a test
scans the package and fails when the two disagree.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from coursepack.builders.base import Builder, BuildContext

# Format name -> module, in build order (the builders' `order`, then the name).
FORMATS = {
    "html": "html",
    "single": "single",
    "pdf": "pdf",
    "scorm12": "scorm12",
    "scorm2004": "scorm2004",
    "scorm2004v3": "scorm2004",
    "cmi5": "cmi5",
    "xapi": "xapi",
    "cc": "cc",
    "qti": "qti",
    "moodle": "moodle",
    "gift": "gift",
}


def format_names() -> tuple[str, ...]:
    """Every format, in build order, without importing any builder."""
    return tuple(FORMATS)


def builder_class(name: str) -> type[Builder]:
    """The builder of one format; imports its module only."""
    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    for cls in vars(module).values():
        if isinstance(cls, type) and issubclass(cls, Builder) and cls.__dict__.get("name") == name:
            return cls
    raise LookupError(f"{module.__name__} defines no builder named '{name}'")


@cache
def scanned() -> dict[str, tuple[str, type[Builder]]]:
    """Every builder the package defines, found by importing all its modules:
    name -> (module, class), in build order. What `FORMATS` must agree with."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    found = {}
    pending = list(Builder.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "name" in cls.__dict__ and cls.__module__.startswith(f"{__name__}."):
            found[cls.name] = (cls.__module__.rpartition(".")[2], cls)
    return dict(sorted(found.items(), key=lambda item: (item[1][1].order, item[0])))


__all__ = ["Builder", "BuildContext", "FORMATS", "builder_class", "format_names", "scanned"]
