"""GIFT text: escaping, and what GIFT cannot hold.

Every text goes through `escape`: a backslash before each of GIFT's special
characters `~ = # { } :` (and before a backslash), and line breaks written as
`\\n`, which is how Moodle's own GIFT export keeps a question on its lines.
GIFT carries no files: an image becomes its alt text, a link to a course file
keeps only its words. A question's id number and tags go in the comment lines
just above it, `// [id:…]` and `// [tag:…]`, where Moodle 4 reads them.
"""

from __future__ import annotations

import html as htmllib
import re

from coursepack.exports.text import local_path, replace_images

SPECIAL = "\\~=#{}:"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOCAL_LINK = re.compile(r"""<a\b[^>]*\bhref=(["'])(?P<url>.*?)\1[^>]*>(?P<words>.*?)</a>""", re.DOTALL | re.IGNORECASE)


def escape(text: str) -> str:
    out = "".join("\\" + ch if ch in SPECIAL else ch for ch in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def without_files(html: str, image_label: str) -> tuple[str, bool]:
    """`html` with images as `[Image: alt]` and links to course files unwrapped; and whether anything went."""
    changed = False

    def image(src: str, alt: str) -> str:
        nonlocal changed
        changed = True
        return htmllib.escape(image_label.format(alt=alt or src), quote=False)

    def link(match: re.Match) -> str:
        nonlocal changed
        if local_path(htmllib.unescape(match.group("url"))) is None:
            return match.group(0)
        changed = True
        return match.group("words")

    html = replace_images(html, image)
    return _LOCAL_LINK.sub(link, html), changed


def id_and_tags(idnumber: str, tags: list[str]) -> list[str]:
    """The comment lines Moodle reads a question's id number and tags from.

    As Moodle's GIFT import reads them: `[id:…]` and `[tag:…]` anywhere in the
    question's `//` lines, no control characters, a `]` inside escaped `\\]`,
    and no `<`, `>` or backtick in a tag.
    """

    def token(kind: str, value: str, banned: str = "") -> str:
        value = _CONTROL.sub("", value).translate({ord(c): None for c in banned}).strip()
        return f"[{kind}:{value.replace(']', chr(92) + ']')}]"

    lines = [f"// {token('id', idnumber)}"]
    if tags:
        lines.append("// " + " ".join(token("tag", tag, "<>`") for tag in tags))
    return lines
