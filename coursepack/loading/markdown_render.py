"""Markdown to HTML, with the three learning blocks split out as segments.

`!!! reflect`, `!!! scenario` and `!!! trainer` are admonitions with a meaning
of their own. A tree processor marks each one at the top level of the document
with comments; after Python-Markdown has finished (so footnotes, raw HTML and
abbreviations are all resolved), the HTML is cut at those marks into a sequence
of segments. Trainer notes thereby never sit inside a learner's HTML: the
renderers for learners simply never receive them.
"""

from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from coursepack.model import Prose, Reflect, Scenario, Segment, TocEntry, TrainerNote

LEARNING_BLOCKS = ("reflect", "scenario", "trainer")
EXTENSIONS = [
    "tables",
    "fenced_code",
    "footnotes",
    "def_list",
    "abbr",
    "attr_list",
    "md_in_html",
    "admonition",
    "sane_lists",
    "toc",
    "pymdownx.tilde",
    "pymdownx.smartsymbols",
]
EXTENSION_CONFIGS = {"toc": {"permalink": False, "toc_depth": "2-3"}}

# Text that Python-Markdown (with our extensions) leaves as it is, but for escaping.
_PLAIN = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F ,.;:?!'\"\u2018\u2019\u201C\u201D\u2013\u2014-]*")
_ORDINAL = re.compile(r"\d(st|nd|rd|th)\b|  |\s$")
_BEGIN = re.compile(r"<!--cp-begin (\w+) (\d+)-->")
_UNTITLED = re.compile(r"^([ \t]*!!![ \t]+(?:reflect|scenario|trainer))[ \t]*$", re.MULTILINE)


@dataclass
class _Block:
    kind: str
    title: str
    nested: bool


class _LearningBlocks(Treeprocessor):
    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.blocks: list[_Block] = []

    def run(self, root: etree.Element) -> None:
        self.blocks = []
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                kind = _block_kind(child)
                if kind is None:
                    continue
                title = _take_title(child)
                number = len(self.blocks)
                self.blocks.append(_Block(kind, title, nested=parent is not root))
                if parent is root:
                    begin = etree.Comment(f"cp-begin {kind} {number}")
                    end = etree.Comment(f"cp-end {number}")
                    inner = list(child)
                    position = list(parent).index(child)
                    parent.remove(child)
                    for offset, element in enumerate([begin, *inner, end]):
                        parent.insert(position + offset, element)
                    if child.text and child.text.strip():
                        begin.tail = child.text


def _block_kind(element: etree.Element) -> str | None:
    if element.tag != "div":
        return None
    classes = (element.get("class") or "").split()
    if "admonition" not in classes:
        return None
    for kind in LEARNING_BLOCKS:
        if kind in classes:
            return kind
    return None


def _take_title(block: etree.Element) -> str:
    for child in list(block):
        if child.tag == "p" and "admonition-title" in (child.get("class") or ""):
            block.remove(child)
            return "".join(child.itertext()).strip()
    return ""


class _LearningBlocksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LearningBlocks(md), "learning_blocks", 0)


@dataclass(frozen=True)
class RenderedLesson:
    segments: tuple[Segment, ...]
    toc: tuple[TocEntry, ...]
    nested_blocks: tuple[str, ...]


class MarkdownRenderer:
    """One configured Python-Markdown, reused for every text of a course."""

    def __init__(self) -> None:
        self._blocks = _LearningBlocksExtension()
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, self._blocks], extension_configs=EXTENSION_CONFIGS
        )

    def inline_or_block(self, text: str, inline: bool = False) -> str:
        """A short text (a prompt, a choice) as HTML; `inline` drops a lone <p>."""
        if _PLAIN.fullmatch(text) and not _ORDINAL.search(text):
            # Most quiz texts are plain words: Markdown would only escape them.
            escaped = htmllib.escape(text.strip(), quote=False)
            return escaped if inline else f"<p>{escaped}</p>"
        html = self._convert(text)
        if inline:
            match = re.fullmatch(r"<p>(.*)</p>", html, flags=re.DOTALL)
            if match and "<p>" not in match.group(1):
                return match.group(1)
        return html

    def lesson(self, text: str, reflect_prefix: str) -> RenderedLesson:
        # An untitled learning block gets no title (Python-Markdown would give it
        # the English word "Reflect"); each output supplies its own heading.
        html = self._convert(_UNTITLED.sub(r'\1 ""', text))
        processor = self._md.treeprocessors["learning_blocks"]
        blocks = list(processor.blocks)
        toc = tuple(_flatten_toc(getattr(self._md, "toc_tokens", [])))
        return RenderedLesson(
            segments=tuple(_segments(html, blocks, reflect_prefix)),
            toc=toc,
            nested_blocks=tuple(b.kind for b in blocks if b.nested),
        )

    def _convert(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


def _segments(html: str, blocks: list[_Block], reflect_prefix: str):
    position = 0
    reflections = 0
    for match in _BEGIN.finditer(html):
        if match.start() < position:
            continue
        kind, number = match.group(1), int(match.group(2))
        end_mark = f"<!--cp-end {number}-->"
        end = html.index(end_mark, match.end())
        before = html[position : match.start()].strip()
        if before:
            yield Prose(before)
        body = html[match.end() : end].strip()
        title = blocks[number].title
        if kind == "reflect":
            reflections += 1
            yield Reflect(id=f"{reflect_prefix}-reflect-{reflections}", title=title, html=body)
        elif kind == "scenario":
            yield Scenario(title=title, html=body)
        else:
            yield TrainerNote(title=title, html=body)
        position = end + len(end_mark)
    rest = html[position:].strip()
    if rest:
        yield Prose(rest)


def _flatten_toc(tokens: list[dict]):
    for token in tokens:
        yield TocEntry(level=token["level"], id=token["id"], title=token["name"])
        yield from _flatten_toc(token.get("children", []))
