"""The HTML of a lesson or quiz text, parsed, checked and written out anew.

Markdown passes an author's raw HTML through as it is. This module reads the
whole rendered HTML with Python's `html.parser` (the parser Python-Markdown
itself uses for raw HTML blocks) and writes every tag again from what it
parsed: names in lower case, every attribute value quoted and escaped, text
escaped, comments and declarations dropped. What a browser reads is then what
was checked, however the source was spelt (`SRC = pic.png`, `<IMG`,
unquoted values): a parser differential has nothing left to hide in.

Every URL the HTML holds (`src`, `href`, `srcset`, `poster`, `data`, CSS
`url(...)` in `style`...) goes through one callback, the same one Markdown's
images and links go through. Scripts, event handlers, `javascript:` URLs and
embedded pages are reported unless the course allows them.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import html5
from html.parser import HTMLParser

# attribute -> what its URL is called in a message; "srcset" and "ping" hold several.
URL_ATTRIBUTES = {
    "src": "image",
    "srcset": "image",
    "poster": "image",
    "data": "file",
    "background": "image",
    "lowsrc": "image",
    "href": "link",
    "xlink:href": "link",
    "action": "link",
    "formaction": "link",
    "cite": "link",
    "longdesc": "link",
    "ping": "link",
    "codebase": "link",
    "manifest": "link",
}
# Elements that run code or load another page (which can run code) into this one.
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base", "meta", "link"}
# Recordings are written with the image syntax, so that each gets its captions and transcript.
PLAYER_ELEMENTS = {"video", "audio", "track"}
_TAG_NAME = re.compile(r"[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)?\Z")
_ATTRIBUTE_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+\Z")
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<url>.*?)(?P=q)\s*\)|@import\s+(?P<q2>["'])(?P<url2>.*?)(?P=q2)""", re.IGNORECASE | re.DOTALL)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")  # what browsers ignore in a URL's scheme
_SAFE_DATA = re.compile(r"data:(?:image/(?!svg)|audio/|video/|font/)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """A problem in the HTML; `needles` are texts to find its line in the source by, best first."""

    needles: tuple[str, ...]
    message: str


# (url, kind, tag) -> the URL to write instead, or None to keep it as it is.
UrlCheck = Callable[[str, str, str], "str | None"]


def rewrite_html(html: str, check_url: UrlCheck, allow_scripts: bool) -> tuple[str, list[Finding]]:
    """`html` written anew, with each URL as `check_url` returns it, and its problems."""
    writer = _Writer(check_url, allow_scripts)
    writer.feed(html)
    writer.close()
    return "".join(writer.out), writer.findings


def script_scheme(url: str) -> str | None:
    """'javascript' or 'vbscript' when a browser would run `url` as code."""
    cleaned = _URL_NOISE.sub("", htmllib.unescape(url)).lower()
    for scheme in ("javascript:", "vbscript:", "livescript:"):
        if cleaned.startswith(scheme):
            return scheme[:-1]
    return None


class LinearStartTags:
    """For an html.parser parser: a `<` that no `>` follows is text, found out at once.

    Python's html.parser (before its 2025 fixes) reads on to the end of the text
    for each such `<`, so that a line of `<a <a <a ...` took time quadratic in
    its length. With no `>` ahead, no start tag can end: it is text either way.
    """

    _scanned: str | None = None
    _last_close = -1

    def check_for_whole_start_tag(self, i: int) -> int:
        if self.rawdata is not self._scanned:
            self._scanned, self._last_close = self.rawdata, self.rawdata.rfind(">")
        if i > self._last_close:
            return -1
        return super().check_for_whole_start_tag(i)


class _Writer(LinearStartTags, HTMLParser):
    def __init__(self, check_url: UrlCheck, allow_scripts: bool):
        super().__init__(convert_charrefs=False)
        self.check_url = check_url
        self.allow_scripts = allow_scripts
        self.out: list[str] = []
        self.findings: list[Finding] = []

    # ------------------------------------------------------------ tags

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if _TAG_NAME.match(tag):
            self.out.append(f"</{tag}>")

    def _tag(self, tag: str, attrs: list, closed: bool) -> None:
        source = self.get_starttag_text() or f"<{tag}"
        if not _TAG_NAME.match(tag):
            self.out.append(_escape_text(source))
            return
        if tag in PLAYER_ELEMENTS:
            self.findings.append(Finding(self._needles(f"<{tag}"), (
                f"write video and audio as ![what it shows](media/clip.mp4) on a line of its own, not as <{tag}>: "
                "coursepack then gives it captions, a transcript and a printed version")))
        if tag in ACTIVE_ELEMENTS:
            self._active(f"<{tag}", f"<{tag}> {_ACTIVE_REASON.get(tag, 'loads another page into the lesson, and that page can run scripts')}")
        written: dict[str, str | None] = {}
        given: dict[str, str | None] = {}
        for name, value in attrs:
            if not _ATTRIBUTE_NAME.match(name) or name in written:
                continue  # browsers keep the first of two; a malformed name is no attribute
            given[name] = value
            written[name] = self._attribute(tag, name, value)
        if "trainer" in (given.get("class") or "").split():
            self.findings.append(Finding(
                self._needles("trainer"),
                "the class 'trainer' does not keep text from learners: write trainer notes as '!!! trainer' blocks",
            ))
        alt = given.get("alt")
        if tag == "img" and (alt is None or not alt.strip()):
            url = (given.get("src") or "").strip()
            self.findings.append(Finding(self._needles(url or "<img"), f"image '{url}' has no alt text: write ![what it shows]({url})"))
        parts = [tag] + [name if value is None else f'{name}="{_escape_attribute(value)}"' for name, value in written.items()]
        self.out.append(f"<{' '.join(parts)}{' /' if closed else ''}>")

    def _attribute(self, tag: str, name: str, value: str | None) -> str | None:
        if name.startswith("on"):
            self._active(name, f"the event handler '{name}' runs a script")
        if name == "srcdoc":
            self._active(name, "'srcdoc' puts a page of its own, which can run scripts, into the lesson")
        if name == "attributename" and value and value.strip().lower().startswith(("on", "href", "xlink:href")):
            self._active(name, f"an animation of '{value.strip()}' can run a script")
        if value is None:
            return None
        scheme = script_scheme(value)
        if scheme:
            self._active(value.strip(), f"'{scheme}:' URLs run a script when followed")
            return value
        if name == "style":
            return self._css(value, tag)
        kind = URL_ATTRIBUTES.get(name)
        if kind is None:
            return value
        if name in ("srcset", "ping"):
            return self._url_list(value, kind, tag, name)
        return self._url(value, kind, tag)

    def _url(self, url: str, kind: str, tag: str) -> str:
        stripped = url.strip()
        if stripped[:5].lower() == "data:":
            if not _SAFE_DATA.match(stripped):
                self._active(stripped[:40], f"a 'data:' URL in <{tag}> can hold a page with scripts: use a file of the course")
            return url
        rewritten = self.check_url(stripped, kind, tag)
        return url if rewritten is None else rewritten

    def _url_list(self, value: str, kind: str, tag: str, name: str) -> str:
        if name == "ping":
            return " ".join(self._url(url, kind, tag) for url in value.split())
        candidates = []
        for candidate in value.split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            if url:
                candidates.append(" ".join(filter(None, (self._url(url, kind, tag), descriptor.strip()))))
        return ", ".join(candidates)

    def _css(self, css: str, tag: str) -> str:
        def one(match: re.Match) -> str:
            url = match.group("url") if match.group("url") is not None else match.group("url2")
            if "\\" in url:
                self.findings.append(Finding(self._needles(url), f"write the CSS URL '{url}' without backslash escapes"))
                return match.group(0)
            scheme = script_scheme(url)
            if scheme:
                self._active(url.strip(), f"'{scheme}:' URLs run a script when followed")
                return match.group(0)
            return f'url("{self._url(url, "image", tag)}")'

        return _CSS_URL.sub(one, css)

    def _active(self, needle: str, message: str) -> None:
        if not self.allow_scripts:
            self.findings.append(Finding(self._needles(needle), f"{message}: coursepack leaves scripts out of lessons unless course.yml says 'allow_scripts: true'"))

    def _needles(self, first: str) -> tuple[str, ...]:
        """`first`, then the tag as the source spelt it (raw HTML comes through as written)."""
        tag = (self.get_starttag_text() or "").split("\n")[0]
        return (first, tag) if tag else (first,)

    # ------------------------------------------------------------ text

    def handle_data(self, data: str) -> None:
        if self.cdata_elem is None:
            self.out.append(_escape_text(data))
        elif self.cdata_elem == "style":
            if "<" in data:
                # In SVG a <style> holds markup: only plain CSS is sure to stay CSS.
                self.findings.append(Finding(("<style",), "a <style> element may hold only CSS, with no '<'"))
                return
            self.out.append(self._css(data, "style"))
        elif re.search(r"</script|<!--", data, re.IGNORECASE) is None:
            self.out.append(data)  # a script the course allows
        else:
            self.findings.append(Finding(("<script",), "a <script> may not hold '</script' or '<!--'"))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};" if f"{name};" in html5 else f"&amp;{name};")

    def handle_charref(self, name: str) -> None:
        try:
            number = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            valid = 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF
        except ValueError:
            valid = False
        self.out.append(f"&#{name};" if valid else f"&amp;#{_escape_text(name)};")

    # Comments, declarations and processing instructions are no part of a
    # lesson: a comment would show in the page source, to any learner.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


_ACTIVE_REASON = {
    "script": "runs a script",
    "base": "changes where every link of the page points",
    "meta": "belongs in the page's head, where it can redirect the page",
    "link": "belongs in the page's head, where it loads files into the page",
}


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")
