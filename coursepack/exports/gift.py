"""GIFT text: escaping, and what GIFT cannot hold.

Every text goes through `escape`: a backslash before each of GIFT's special
characters `~ = # { } :` (and before a backslash), and line breaks written as
`\\n`, which is how Moodle's own GIFT export keeps a question on its lines.
GIFT carries no files: an image becomes its alt text, a link to a course file
keeps only its words.
"""

from __future__ import annotations

import html as htmllib
import re

from coursepack.exports.text import local_path, replace_images

SPECIAL = "\\~=#{}:"
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
