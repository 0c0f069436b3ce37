"""Python-Markdown's link and footnote patterns, in time linear in the text.

For each `[` of a paragraph, Python-Markdown looks for its closing `]` by
reading on to the end of the paragraph: a line of 24,000 `[` took minutes.
The same answers come here from one pass over the paragraph's brackets (a
stack), kept while Python-Markdown tries one `[` after another on the same
text. Link destinations `(...)` without a title are matched the same way. The
footnote pattern `[^label]` gets a label that stops at the next `[`,
so that a failed try reads no further than the next try starts. Raw HTML
blocks are read by md_in_html's parser with `LinearStartTags`.
"""

from __future__ import annotations

import bisect
import re
import types

import markdown
from markdown.extensions.md_in_html import HTMLExtractorExtra
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.preprocessors import Preprocessor

from coursepack.loading.html_rewrite import LinearStartTags

_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")
_QUOTE = re.compile(r"[\"']")
_PAREN_OR_QUOTE = re.compile(r"[()\"']")
# Brackets read one by one before the text's table is made: most links close
# within a few, and a text changes (so needs a new table) after every link.
_NEAR = 32
_FOOTNOTE = re.compile(r"\[\^([^\]\[]*)\]")


class _Closing:
    """For one text at a time: where the closing character of each opening one is."""

    def __init__(self, pair: re.Pattern, opener: str) -> None:
        self.pair, self.opener = pair, opener
        self.text: str | None = None
        self.closing: dict[int, int] = {}

    def has(self, text: str) -> bool:
        """Whether the table of `text` is made already."""
        return text is self.text

    def of(self, text: str) -> dict[int, int]:
        if text is not self.text:
            opened: list[int] = []
            closing: dict[int, int] = {}
            for found in self.pair.finditer(text):
                if found.group() == self.opener:
                    opened.append(found.start())
                elif opened:
                    closing[opened.pop()] = found.start()
            self.text, self.closing = text, closing
        return self.closing


class _Positions:
    """For one text at a time: the positions of a pattern's matches, to ask of a range."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.text: str | None = None
        self.positions: list[int] = []

    def any_in(self, text: str, start: int, end: int) -> bool:
        if text is not self.text:
            self.text, self.positions = text, [m.start() for m in self.pattern.finditer(text)]
        first = bisect.bisect_left(self.positions, start)
        return first < len(self.positions) and self.positions[first] < end


class _Extractor(LinearStartTags, HTMLExtractorExtra):
    pass


class _RawHtmlBlocks(Preprocessor):
    """md_in_html's raw HTML block preprocessor, with `_Extractor` as its parser."""

    def run(self, lines: list[str]) -> list[str]:
        parser = _Extractor(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


def make_linear(md: markdown.Markdown) -> None:
    """Give `md`'s link patterns and footnote pattern their linear forms."""
    brackets, parens, quotes = _Closing(_BRACKET, "["), _Closing(_PAREN, "("), _Positions(_QUOTE)

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        # What LinkInlineProcessor.getText returns, for the `[` just before `index`.
        if index == 0 or data[index - 1] != "[":
            return LinkInlineProcessor.getText(self, data, index)
        depth = 1
        for seen, found in enumerate(() if brackets.has(data) else _BRACKET.finditer(data, index)):
            depth += 1 if found.group() == "[" else -1
            if depth == 0:
                return data[index : found.start()], found.end(), True
            if seen == _NEAR:
                break
        else:
            if not brackets.has(data):
                return data[index:], len(data), False
        close = brackets.of(data).get(index - 1)
        if close is None:
            return data[index:], len(data), False
        return data[index:close], close + 1, True

    def get_link(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        # A destination with no quote in it (so no title) needs only its parentheses
        # matched; anything else is left to LinkInlineProcessor.getLink.
        found = self.RE_LINK.match(data, pos=index)
        if not found or found.group(1) or data[index : index + 1] != "(":
            return LinkInlineProcessor.getLink(self, data, index)
        start, depth = found.end(), 1
        for seen, mark in enumerate(() if parens.has(data) else _PAREN_OR_QUOTE.finditer(data, start)):
            if mark.group() in "\"'":
                return LinkInlineProcessor.getLink(self, data, index)
            depth += 1 if mark.group() == "(" else -1
            if depth == 0:
                return self.unescape(data[start : mark.start()]).strip(), None, mark.end(), True
            if seen == _NEAR:
                break
        else:
            if not parens.has(data):
                return "", None, index, False
        close = parens.of(data).get(index)
        if quotes.any_in(data, start, len(data) if close is None else close):
            return LinkInlineProcessor.getLink(self, data, index)
        if close is None:
            return "", None, index, False
        return self.unescape(data[start:close]).strip(), None, close + 1, True

    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            pattern.getText = types.MethodType(get_text, pattern)
            pattern.getLink = types.MethodType(get_link, pattern)
    if "html_block" in md.preprocessors:
        md.preprocessors.register(_RawHtmlBlocks(md), "html_block", 20)
    if "footnote" in md.inlinePatterns:
        md.inlinePatterns["footnote"].compiled_re = _FOOTNOTE
