"""The player each format shows for a lesson's recording, in place of the loader's placeholder.

- `packet`: the native `<video>`/`<audio>` carrying its cues; the packet's script
  adds them as a text track, so captions work opened from disk, where browsers
  refuse `<track>` files. A "Transcript" disclosure holds the whole text.
- `lms_page`: the same with a `<track>` of the WebVTT file, for pages an LMS
  serves over http (a cartridge's lesson pages, which run no script of ours).
- `print`: the poster (or a placeholder), the name and running time, and the
  whole transcript.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Literal

from coursepack.model import Cue, Media

# A pause this long between cues starts a new paragraph of the transcript.
PARAGRAPH_PAUSE_MS = 2000
_PLACEHOLDER = re.compile(r'<figure class="media" data-media="([^"]*)"></figure>')

Variant = Literal["packet", "lms_page", "print"]
# The theme's strings name these; a theme that lacks one gets the English.
DEFAULT_LABELS = {
    "media_transcript": "Transcript",
    "media_captions": "Captions",
    "media_video": "Video",
    "media_audio": "Recording",
    "media_download_video": "Download the video",
    "media_download_audio": "Download the recording",
}


def with_players(html_text: str, media: Iterable[Media], strings: dict[str, str], language: str,
                 variant: Variant, url: Callable[[str], str] = lambda path: path) -> str:
    """`html_text` with each placeholder filled; `url` maps a course-relative path to the page's."""
    found = {m.path: m for m in media}
    if not found or "data-media=" not in html_text:
        return html_text
    strings = {**DEFAULT_LABELS, **{k: v for k, v in strings.items() if k in DEFAULT_LABELS}}

    def fill(match: re.Match) -> str:
        clip = found.get(html.unescape(match.group(1)))
        if clip is None:
            return match.group(0)
        return player_html(clip, strings, language, variant, url)

    return _PLACEHOLDER.sub(fill, html_text)


def player_html(media: Media, strings: dict[str, str], language: str, variant: Variant,
                url: Callable[[str], str]) -> str:
    esc = html.escape
    length = f' <span class="media-length">({format_running_time(media.duration_ms)})</span>' if media.duration_ms else ""
    caption = f'<figcaption><span class="media-title">{esc(media.alt)}</span>{length}</figcaption>'
    transcript = transcript_html(media.cues)
    if variant == "print":
        if media.poster:
            picture = f'<img class="media-poster" src="{esc(url(media.poster))}" alt="{esc(media.alt)}">'
        else:
            picture = f'<div class="media-placeholder" aria-hidden="true">{esc(strings["media_" + media.kind])}</div>'
        if media.kind == "audio":
            picture = picture if media.poster else ""
        return (f'<figure class="media media-{media.kind}">{caption}{picture}'
                f'<div class="transcript"><p class="transcript-heading">{esc(strings["media_transcript"])}</p>'
                f"{transcript}</div></figure>")
    attributes = ["controls", 'preload="metadata"', f'aria-label="{esc(media.alt)}"']
    if media.kind == "video":
        attributes.append("playsinline")
        if media.poster:
            attributes.append(f'poster="{esc(url(media.poster))}"')
    track = ""
    if variant == "packet":
        cues = json.dumps(caption_lines(media.cues), ensure_ascii=False, separators=(",", ":"))
        attributes += [f'data-cues="{esc(cues)}"', f'data-cues-label="{esc(strings["media_captions"])}"',
                       f'data-cues-lang="{esc(language)}"']
    else:
        track = (f'<track kind="captions" src="{esc(url(media.captions))}" srclang="{esc(language)}" '
                 f'label="{esc(strings["media_captions"])}" default>')
    fallback = strings["media_download_" + media.kind]
    player = (
        f'<{media.kind} {" ".join(attributes)}>'
        f'<source src="{esc(url(media.path))}" type="{esc(media.media_type)}">{track}'
        f'<a href="{esc(url(media.path))}">{esc(fallback)}</a></{media.kind}>'
    )
    # Audio has no picture to show captions over: the packet shows the current one in a line below.
    line = '<p class="media-cue" aria-hidden="true"></p>' if media.kind == "audio" and variant == "packet" else ""
    return (  # a figcaption comes first or last: first, so that the name is read before the player
        f'<figure class="media media-{media.kind}">{caption}{player}{line}'
        f'<details class="transcript"><summary>{esc(strings["media_transcript"])}</summary>{transcript}</details>'
        "</figure>"
    )


def caption_lines(cues: tuple[Cue, ...]) -> list[list]:
    """[start, end, text] of each cue; the speaker named when it changes, as captions do."""
    lines, speaker = [], None
    for cue in cues:
        named = cue.voice and cue.voice != speaker
        lines.append([cue.start_ms, cue.end_ms, f"{cue.voice}: {cue.text}" if named else cue.text])
        speaker = cue.voice
    return lines


def transcript_html(cues: tuple[Cue, ...]) -> str:
    """The captions as paragraphs: a new one when the speaker changes or after a pause."""
    paragraphs: list[tuple[str | None, list[str]]] = []
    last_end = None
    for cue in cues:
        new_speaker = not paragraphs or cue.voice != paragraphs[-1][0]
        pause = last_end is not None and cue.start_ms - last_end >= PARAGRAPH_PAUSE_MS
        if new_speaker or pause:
            paragraphs.append((cue.voice, []))
        paragraphs[-1][1].append(cue.text)
        last_end = cue.end_ms
    out = []
    for voice, texts in paragraphs:
        speaker = f'<b class="speaker">{html.escape(voice)}:</b> ' if voice else ""
        out.append(f"<p>{speaker}{html.escape(' '.join(texts))}</p>")
    return "".join(out)


def format_running_time(milliseconds: int) -> str:
    """0:20, 2:05, 1:02:09: the way players show it."""
    seconds = max(1, round(milliseconds / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
