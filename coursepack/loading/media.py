"""Video and audio in a lesson: the recording checked and described, its captions read.

A lesson names a recording with the image syntax, `![alt](media/greeting.mp4)`,
on a line of its own. The recording must be what its name says; its captions
are the WebVTT file beside it (`media/greeting.vtt`), and a poster (`.png` or
`.jpg`) may sit there too. The lesson's HTML keeps a placeholder,
`<figure class="media" data-media="PATH"></figure>`, that each format fills
with a player of its own (see `coursepack.media_player`).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from coursepack.loading.webvtt_check import VttProblem, read_captions
from coursepack.model import Cue, Media

# suffix -> (kind, media type for <source type>, what a message calls it)
MEDIA_FILES = {
    ".mp4": ("video", "video/mp4", "an MP4 video"),
    ".webm": ("video", "video/webm", "a WebM video"),
    ".mp3": ("audio", "audio/mpeg", "an MP3 recording"),
    ".m4a": ("audio", "audio/mp4", "an M4A (AAC) recording"),
    ".ogg": ("audio", "audio/ogg", "an Ogg recording"),
    ".opus": ("audio", "audio/ogg", "an Opus recording"),
}
POSTER_SUFFIXES = (".png", ".jpg", ".jpeg")


def is_media(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in MEDIA_FILES


@dataclass(frozen=True)
class MediaFault:
    """A problem with a recording: at the lesson's reference (`path` None) or in another file at its line."""

    message: str
    path: str | None = None
    line: int = 0


def describe(root: Path, relative: str, data: bytes, alt: str) -> tuple[Media | None, list[MediaFault]]:
    """The recording at course-relative `relative` (its bytes `data`) with its captions, or what is wrong."""
    suffix = posixpath.splitext(relative)[1].lower()
    kind, media_type, called = MEDIA_FILES[suffix]
    faults = []
    if not _looks_like(suffix, data):
        faults.append(MediaFault(f"'{relative}' is not {called}: its contents are of another kind (save or export it again as {suffix})"))
    stem = posixpath.splitext(relative)[0]
    captions = stem + ".vtt"
    cues: tuple[Cue, ...] = ()
    caption_file = root / captions
    if caption_file.exists() and not caption_file.resolve().is_relative_to(root.resolve()):
        faults.append(MediaFault(f"the captions file {captions} points outside the course folder: copy it in"))
    elif not caption_file.is_file():
        faults.append(MediaFault(
            f"'{relative}' has no captions: add the WebVTT file {captions} beside it "
            "(video and audio need captions so that every learner can follow them)"))
    else:
        try:
            cues, problems = read_captions(caption_file.read_bytes())
        except OSError as exc:
            problems = [VttProblem(0, f"cannot be read ({exc.strerror or exc})")]
        faults += [MediaFault(p.message, captions, p.line) for p in problems]
    poster = next((stem + s for s in POSTER_SUFFIXES if (root / (stem + s)).is_file()), None)
    if poster and not (root / poster).resolve().is_relative_to(root.resolve()):
        faults.append(MediaFault(f"the poster {poster} points outside the course folder: copy it in"))
    if faults:
        return None, faults
    duration = running_time_ms(suffix, data)
    return Media(relative, kind, media_type, alt, captions, cues, poster, duration), []


def _looks_like(suffix: str, data: bytes) -> bool:
    """The file's first bytes, against what its suffix promises."""
    head = data[:4096]
    if suffix in (".mp4", ".m4a"):
        return head[4:8] == b"ftyp"
    if suffix == ".webm":
        return head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]
    if suffix == ".mp3":
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if suffix == ".opus":
        return head[:4] == b"OggS" and b"OpusHead" in head[:128]
    return head[:4] == b"OggS"


def running_time_ms(suffix: str, data: bytes) -> int | None:
    """How long the recording plays, from its own header; None when it does not say."""
    if suffix == ".webm":
        return _webm_duration_ms(data)
    import mutagen

    try:
        found = mutagen.File(io.BytesIO(data))
    except Exception:  # mutagen raises its own error per format for a damaged header
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    return round(length * 1000) if length else None


# ---------------------------------------------------------------- WebM (Matroska) duration

_SEGMENT, _INFO, _TIMECODE_SCALE, _DURATION = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489


def _webm_duration_ms(data: bytes) -> int | None:
    """Segment > Info > Duration (a float in TimecodeScale units, nanoseconds each by default)."""
    try:
        position = _skip_element(data, 0)  # the EBML header
        element, size, body = _element_at(data, position)
        if element != _SEGMENT:
            return None
        end = min(len(data), body + size)
        while body < end:
            element, size, start = _element_at(data, body)
            if element == _INFO:
                return _info_duration_ms(data[start:start + size])
            body = start + size
    except (IndexError, struct.error, ValueError):
        return None
    return None


def _info_duration_ms(info: bytes) -> int | None:
    scale, duration, position = 1_000_000, None, 0
    while position < len(info):
        element, size, start = _element_at(info, position)
        value = info[start:start + size]
        if element == _TIMECODE_SCALE:
            scale = int.from_bytes(value, "big")
        elif element == _DURATION:
            duration = struct.unpack(">f" if size == 4 else ">d", value)[0]
        position = start + size
    return round(duration * scale / 1_000_000) if duration else None


def _vint(data: bytes, position: int, keep_marker: bool) -> tuple[int, int]:
    first = data[position]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError("not an EBML number")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[position + 1:position + length]:
        value = (value << 8) | byte
    return value, position + length


def _element_at(data: bytes, position: int) -> tuple[int, int, int]:
    element, position = _vint(data, position, keep_marker=True)
    size, position = _vint(data, position, keep_marker=False)
    return element, size, position


def _skip_element(data: bytes, position: int) -> int:
    _, size, start = _element_at(data, position)
    return start + size


PLACEHOLDER = '<figure class="media" data-media="{path}"></figure>'
PARAGRAPH_OF_ONE_IMAGE = re.compile(r"<p>\s*(<img\s[^>]*>)\s*</p>")
IMAGE_TAG = re.compile(r"<img\s[^>]*>")
QUOTED_ATTRIBUTE = re.compile(r'([a-z][a-z0-9:-]*)="([^"]*)"')


def placeholders(html_text: str, media: dict[str, Media]) -> tuple[str, list[str]]:
    """`html_text` with each recording's image replaced by its placeholder; the paths of those not alone on a line.

    `html_text` is written anew by `html_rewrite`, so every attribute is quoted and escaped.
    """
    def source(tag: str) -> str:
        return html.unescape(dict(QUOTED_ATTRIBUTE.findall(tag)).get("src", ""))

    def alone(match: re.Match) -> str:
        path = source(match.group(1))
        return PLACEHOLDER.format(path=html.escape(path)) if path in media else match.group(0)

    html_text = PARAGRAPH_OF_ONE_IMAGE.sub(alone, html_text)
    inline = [path for tag in IMAGE_TAG.findall(html_text) if (path := source(tag)) in media]
    return html_text, inline
