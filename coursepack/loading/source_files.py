"""Reading a course's source files: the one place their bytes become text.

Every loader (YAML and Markdown alike) reads through `read_source`, so every
file gets the same checks: it must lie inside the course folder once links are
followed, its name must be one a zip file carries safely, it must be readable,
and it must be UTF-8 text (a UTF-8 byte order mark is dropped). A failed check
is a problem at the file's path, or at the line of the first bad byte.
"""

from __future__ import annotations

import codecs
import errno
import functools
import os
import re
import stat
from pathlib import Path

from coursepack.errors import ProblemLog

# Books run to 1 MB of text: more than this in a lesson or quiz is a mistake,
# and reading it would only fill the memory.
MAX_SOURCE_BYTES = 10 * 10**6
SAVE_AS_UTF8 = "save it as UTF-8 (in most editors: 'Save As', then the encoding 'UTF-8')"
# Characters no output format can carry (XML forbids them); tab, CR and LF are fine.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def outside_course(root: Path, path: str) -> Path | None:
    """Where `path` really leads when links take it out of the course folder, else None."""
    if _no_link_below(str(root), path):
        return None  # in half the time or less: this is asked of every source of every module
    target = Path(os.path.realpath(root / path))
    return None if target.is_relative_to(_real(os.path.abspath(root))) else target


def _no_link_below(root: str, path: str) -> bool:
    """Whether no part of `path` is '..' or a link: then it lies inside `root` whatever `root` is."""
    parts = path.split("/")
    if ".." in parts or os.path.isabs(path):
        return False
    place = root
    for part in parts:
        place = os.path.join(place, part)
        try:
            if stat.S_ISLNK(os.lstat(place).st_mode):
                return False
        except FileNotFoundError:
            return True  # nothing below a missing part can be a link
        except OSError:
            return False
    return True


@functools.lru_cache(maxsize=16)
def _real(root: str) -> Path:
    return Path(os.path.realpath(root))


def check_location(root: Path, path: str, log: ProblemLog) -> bool:
    """Whether a file or folder the build reads may be read: inside the course, with a safe name."""
    if "\\" in path:
        log.error(path, 0, name_with_backslash())
        return False
    target = outside_course(root, path)
    if target is not None:
        log.error(path, 0, f"is a link to {target}, outside the course folder: put a copy inside the course instead")
        return False
    return True


def name_with_backslash() -> str:
    return "the name holds a backslash ('\\'), which Windows and zip tools read as a folder separator: rename it"


def read_source(root: Path, path: str, log: ProblemLog) -> str | None:
    """The text of the course-relative file `path`, or None after logging why it cannot be had."""
    data = read_source_bytes(root, path, log)
    if data is None:
        return None
    text, line, problem = decode(data)
    if problem:
        log.error(path, line, problem)
        return None
    return text


def read_source_bytes(root: Path, path: str, log: ProblemLog, limit: int = MAX_SOURCE_BYTES) -> bytes | None:
    """The bytes of the course-relative file `path` (a source, or a file a source uses),
    or None after logging why it cannot be had."""
    if not check_location(root, path, log):
        return None
    file = root / path
    try:
        status = file.stat()
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(file))
        if not stat.S_ISREG(status.st_mode):  # reading a pipe would wait forever
            log.error(path, 0, "is not a regular file (it is a pipe, socket or device): put a file here")
            return None
        if status.st_size > limit:
            log.error(path, 0, f"is {status.st_size / 1e6:.0f} MB, more than the {limit // 10**6} MB coursepack reads from such a file")
            return None
        return file.read_bytes()
    except OSError as exc:
        log.error(path, 0, unreadable(exc))
        return None


def decode(data: bytes) -> tuple[str, int, str]:
    """(text, 0, "") for UTF-8 text; else ("", line, message) about the first bad byte."""
    if data.startswith(_UTF32_BOMS):
        return "", 1, f"not UTF-8 text: the file is saved as UTF-32; {SAVE_AS_UTF8}"
    if data.startswith(_UTF16_BOMS):
        return "", 1, f"not UTF-8 text: the file is saved as UTF-16; {SAVE_AS_UTF8}"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        guess = "UTF-16" if b"\x00" in data[: exc.start + 1] else "Latin-1 or Windows-1252"
        return "", line, f"not UTF-8 text: byte 0x{byte:02X} on this line is not UTF-8 (the file looks like {guess}); {SAVE_AS_UTF8}"
    bad = _FORBIDDEN.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        if bad.group() == "\x00" and text.count("\x00") * 4 > len(text):  # UTF-16: every other byte, in English
            return "", line, f"not UTF-8 text: it holds NUL bytes, as UTF-16 and UTF-32 files do; {SAVE_AS_UTF8}"
        return "", line, f"this line holds the control character U+{ord(bad.group()):04X}, which no output can show: delete it"
    return text, 0, ""


def unreadable(exc: OSError) -> str:
    """Why a file or folder could not be read, in an author's words."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied (make it readable for the user running coursepack)"
    if exc.errno == errno.EISDIR:
        return "is a folder, but a file was expected here"
    return f"cannot be read: {exc.strerror or exc}"
