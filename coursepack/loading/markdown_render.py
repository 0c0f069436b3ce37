"""Markdown to HTML, with the three learning blocks split out as segments.

Trainer notes never enter the learner's Markdown: `lesson_blocks` cuts them
out of the source first, and each is rendered on its own, so nothing written
in one (a heading, a footnote, an abbreviation, a link reference) exists in
the learner edition. `!!! reflect` and `!!! scenario` are admonitions of the
learner text: a tree processor marks each with comments whose prefix is made
from the lesson's own text (an author cannot write it), and after
Python-Markdown has finished (footnotes, raw HTML, abbreviations resolved),
the HTML is cut at those marks into segments.
"""

from __future__ import annotations

import html as htmllib
import importlib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.util import HTML_PLACEHOLDER_RE
from markdown.treeprocessors import Treeprocessor
from pydantic_core import PydanticCustomError

from coursepack.loading.fenced_code import fenced_code
from coursepack.loading.lesson_blocks import LEARNING_BLOCKS, MAX_DEPTH, SplitLesson, nesting_depth, too_deep
from coursepack.loading.markdown_linear import make_linear
from coursepack.loading.typography import FrenchSpacing, is_french, smarty_config
from coursepack.model import Prose, Reflect, Scenario, Segment, TocEntry, TrainerNote

# Python-Markdown's extensions, by the name its documentation gives each, with our settings.
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
    "smarty",
]
EXTENSION_CONFIGS = {"toc": {"permalink": False, "toc_depth": "2-3"}}


def _extension(name: str, config: dict) -> Extension:
    """The extension `name` made from its module's `makeExtension`, as Python-Markdown
    would: given by name, Python-Markdown first reads every installed package's entry
    points to look for it, which takes longer than a one-lesson rebuild can spare."""
    if name == "fenced_code":
        module = fenced_code  # imported without Pygments
    else:
        module = importlib.import_module(name if "." in name else f"markdown.extensions.{name}")
    return module.makeExtension(**config)


def _markdown(language: str, french: bool, configs: dict[str, dict], own: list[Extension] = ()) -> markdown.Markdown:
    configs = {**EXTENSION_CONFIGS, "smarty": smarty_config(language), **{
        name: {**EXTENSION_CONFIGS.get(name, {}), **config} for name, config in configs.items()}}
    extensions = [_extension(name, configs.get(name, {})) for name in EXTENSIONS]
    md = markdown.Markdown(extensions=[*extensions, *([FrenchSpacing()] if french else []), *own])
    make_linear(md)
    return md


# Text that Python-Markdown (with our extensions) leaves as it is, but for escaping:
# straight quotes are not in it, since `smarty` makes them typographic.
_PLAIN = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F ,.;:?!\u2018\u2019\u201C\u201D\u2013\u2014-]*")
_ORDINAL = re.compile(r"\d(st|nd|rd|th)\b|  |\s$|--|\.\.\.")
# What French spacing would change in a plain text (see typography.french_spacing).
_FRENCH_MARK = re.compile(r"[;:!?]")
_UNTITLED = re.compile(r"^(!!! ?(?:reflect|scenario))[ \t]*$", re.MULTILINE)


@dataclass
class _Block:
    kind: str
    title: str
    nested: bool


class _LearningBlocks(Treeprocessor):
    """Marks each reflect and scenario block; takes out any trainer block it meets."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.blocks: list[_Block] = []
        self.stray_trainer_notes = 0
        self.marker = ""

    def run(self, root: etree.Element) -> None:
        self.blocks = []
        self.stray_trainer_notes = 0
        for parent in list(root.iter()):
            for child in list(parent):
                kind = _block_kind(child)
                if kind is None:
                    continue
                if kind == "trainer":
                    # Trainer notes were cut out of this text; one that is here
                    # came another way (raw HTML): it must not show.
                    parent.remove(child)
                    self.stray_trainer_notes += 1
                    continue
                title = _take_title(child, self.md)
                number = len(self.blocks)
                self.blocks.append(_Block(kind, title, nested=parent is not root))
                if parent is root:
                    begin = etree.Comment(f"{self.marker} begin {kind} {number}")
                    end = etree.Comment(f"{self.marker} end {number}")
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


def _take_title(block: etree.Element, md: markdown.Markdown) -> str:
    for child in list(block):
        if child.tag == "p" and "admonition-title" in (child.get("class") or ""):
            block.remove(child)
            # Typographic quotes are stashed HTML by now (smarty's way): put them back.
            return _unstashed("".join(child.itertext()), md).strip()
    return ""


def _unstashed(text: str, md: markdown.Markdown) -> str:
    """`text` with stashed HTML put back as plain text (tags dropped)."""
    blocks = md.htmlStash.rawHtmlBlocks

    def put_back(match: re.Match) -> str:
        number = int(match.group(1))
        raw = str(blocks[number]) if number < len(blocks) else ""
        return htmllib.unescape(re.sub(r"<[^>]*>", "", raw))

    return HTML_PLACEHOLDER_RE.sub(put_back, text)


class _LearningBlocksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LearningBlocks(md), "learning_blocks", 0)


@dataclass(frozen=True)
class RenderedLesson:
    segments: tuple[Segment, ...]
    toc: tuple[TocEntry, ...]
    nested_blocks: tuple[str, ...]
    stray_trainer_notes: int = 0


class MarkdownRenderer:
    """One configured Python-Markdown, reused for every text of a course.

    Trainer notes have a second one of their own: its footnote and heading ids
    carry the note's number, so they never clash with the lesson's in the
    trainer edition.
    """

    def __init__(self, language: str = "en") -> None:
        # Set from course.yml: whether the course's HTML may hold scripts.
        self.allow_scripts = False
        self._note = 0
        self.use_language(language)

    def use_language(self, language: str | None) -> None:
        """Quotes and spacing for a course in `language` (its course.yml says which)."""
        self.language = language if isinstance(language, str) else "en"
        self._french = is_french(self.language)
        # Each Python-Markdown is made when first used: a build whose lessons all
        # come from the module cache, or whose lessons have no trainer notes, makes fewer.
        self._learner: markdown.Markdown | None = None
        self._trainer: markdown.Markdown | None = None

    @property
    def _md(self) -> markdown.Markdown:
        if self._learner is None:
            self._learner = _markdown(self.language, self._french, {}, [_LearningBlocksExtension()])
        return self._learner

    @property
    def _trainer_md(self) -> markdown.Markdown:
        if self._trainer is None:
            self._trainer = _markdown(self.language, self._french, {
                "toc": {"slugify": self._trainer_slug},
                "footnotes": {"UNIQUE_IDS": True, "SEPARATOR": "-trainer-"},
            })
        return self._trainer

    def inline_or_block(self, text: str, inline: bool = False) -> str:
        """A short text (a prompt, a choice) as HTML; `inline` drops a lone <p>."""
        if _PLAIN.fullmatch(text) and not _ORDINAL.search(text) and not (self._french and _FRENCH_MARK.search(text)):
            # Most quiz texts are plain words: Markdown would only escape them.
            escaped = htmllib.escape(text.strip(), quote=False)
            return escaped if inline else f"<p>{escaped}</p>"
        depth = max(map(nesting_depth, text.expandtabs(4).split("\n")))
        if depth > MAX_DEPTH:
            raise PydanticCustomError("markdown_too_deep", too_deep(depth, "a line of this text"))
        try:
            html = self._convert(text)
        except RecursionError:
            raise PydanticCustomError("markdown_too_deep", "this text is nested too deeply for coursepack to read") from None
        if inline:
            match = re.fullmatch(r"<p>(.*)</p>", html, flags=re.DOTALL)
            if match and "<p>" not in match.group(1):
                return match.group(1)
        return html

    def lesson(self, split: SplitLesson, reflect_prefix: str) -> RenderedLesson:
        """The learner text of `split` and its trainer notes, as segments in order."""
        processor = self._md.treeprocessors["learning_blocks"]
        processor.marker = split.marker
        # An untitled learning block gets no title (Python-Markdown would give it
        # the English word "Reflect"); each output supplies its own heading.
        html = self._convert(_UNTITLED.sub(r'\1 ""', split.learner_text))
        blocks = list(processor.blocks)
        toc = tuple(_flatten_toc(getattr(self._md, "toc_tokens", [])))
        references = dict(self._md.references)
        notes = [
            TrainerNote(title=note.title, html=self._trainer_note(number, note.text, references))
            for number, note in enumerate(split.trainer_notes, start=1)
        ]
        return RenderedLesson(
            segments=tuple(_segments(html, split.marker, blocks, notes, reflect_prefix)),
            toc=toc,
            nested_blocks=tuple(b.kind for b in blocks if b.nested),
            stray_trainer_notes=processor.stray_trainer_notes,
        )

    def _convert(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)

    def _trainer_note(self, number: int, text: str, references: dict) -> str:
        """One note as its own document; it may use the lesson's link references."""
        self._note = number
        self._trainer_md.reset()
        footnotes = self._trainer_md.parser.blockprocessors["footnote"].footnotes
        footnotes.unique_prefix = number
        self._trainer_md.references.update(references)
        return self._trainer_md.convert(text)

    def _trainer_slug(self, value: str, separator: str) -> str:
        return f"trainer-{self._note}{separator}{slugify(value, separator)}"


_MARK = r"<!--{marker} (?:begin (?P<kind>reflect|scenario) (?P<begin>\d+)|end (?P<end>\d+)|trainer (?P<note>\d+))-->"


def _segments(html: str, marker: str, blocks: list[_Block], notes: list[TrainerNote], reflect_prefix: str):
    position = 0
    reflections = 0
    shown: set[int] = set()
    open_block: re.Match | None = None
    for mark in re.finditer(_MARK.format(marker=re.escape(marker)), html):
        if open_block is None and mark.group("note") is not None:
            yield from _prose(html[position : mark.start()])
            number = int(mark.group("note"))
            if number < len(notes) and number not in shown:
                shown.add(number)
                yield notes[number]
            position = mark.end()
        elif open_block is None and mark.group("begin") is not None:
            yield from _prose(html[position : mark.start()])
            open_block, position = mark, mark.end()
        elif open_block is not None and mark.group("end") == open_block.group("begin"):
            body = html[position : mark.start()].strip()
            title = blocks[int(open_block.group("begin"))].title
            if open_block.group("kind") == "reflect":
                reflections += 1
                yield Reflect(id=f"{reflect_prefix}-reflect-{reflections}", title=title, html=body)
            else:
                yield Scenario(title=title, html=body)
            open_block, position = None, mark.end()
    yield from _prose(html[position:])
    # A note whose place was lost still belongs to the trainer edition.
    yield from (note for number, note in enumerate(notes) if number not in shown)


def _prose(html: str):
    html = html.strip()
    if html:
        yield Prose(html)


def _flatten_toc(tokens: list[dict]):
    for token in tokens:
        # The heading's own text, tags left out: "name" has its no-break spaces made plain.
        title = token["name"] if token.get("data-toc-label") or "html" not in token else re.sub(r"<[^>]*>", "", token["html"])
        yield TocEntry(level=token["level"], id=token["id"], title=title)
        yield from _flatten_toc(token.get("children", []))
