"""Make the sample course's recordings: a narrated greeting clip (MP4) and a phone call (MP3).

Run by hand (needs the Debian packages ffmpeg and espeak-ng); the files it
writes are committed, so neither building nor testing the course needs them.
Each line is spoken on its own, so that the captions' times are exact.

    python tools/make_sample_media.py
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import wave
from pathlib import Path

MEDIA = Path(__file__).resolve().parent.parent / "modules/02-welcome-at-the-desk/media"
VOICES = {"Narrator": "en-us", "Staff": "en-us+f3", "Patron": "en-us+m3", "Dana": "en-us+f3", "Caller": "en-us+m3"}
GAP_MS = 400
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

GREETING = [
    ("Narrator", "A patron walks up while you are finishing an email."),
    ("Staff", "Hi! I'll be right with you."),
    ("Narrator", "Finish the keystroke, not the task. Then look up."),
    ("Staff", "Thanks for waiting. What can I help you find today?"),
    ("Patron", "I'm looking for books on starting a small business."),
    ("Staff", "Great choice. Let me show you where they are."),
]
PHONE_CALL = [
    ("Dana", "Riverside Library, this is Dana. I'm helping someone in person right now."),
    ("Dana", "Can I take your number and call you back within fifteen minutes?"),
    ("Caller", "Sure. It's five five five, zero one four two."),
    ("Dana", "Thank you. I'll call you back by five o'clock."),
]


def speak(lines, folder: Path) -> tuple[Path, list[tuple[int, int, str, str]]]:
    """One WAV of every line with a pause after each, and each line's (start, end, speaker, text)."""
    cues, parts, now = [], [], GAP_MS
    for number, (speaker, text) in enumerate(lines):
        part = folder / f"line{number}.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[speaker], "-s", "150", "-w", str(part), text], check=True)
        with wave.open(str(part)) as sound:
            length = round(sound.getnframes() * 1000 / sound.getframerate())
        cues.append((now, now + length, speaker, text))
        parts.append(part)
        now += length + GAP_MS
    listing = folder / "lines.txt"
    silence = folder / "gap.wav"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono",
                    "-t", str(GAP_MS / 1000), str(silence)], check=True)
    # A pause first, then each line followed by a pause: the times `cues` counted.
    listing.write_text(f"file '{silence}'\n" + "".join(f"file '{part}'\nfile '{silence}'\n" for part in parts))
    whole = folder / "whole.wav"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-ar", "22050", "-ac", "1", str(whole)], check=True)
    return whole, cues


def stamp(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_captions(path: Path, cues) -> None:
    blocks = ["WEBVTT", "NOTE Made by tools/make_sample_media.py; each cue is one spoken line."]
    blocks += [f"{stamp(start)} --> {stamp(end)}\n<v {speaker}>{text}" for start, end, speaker, text in cues]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def drawtext(text: str, start: int, end: int, y: str, size: int, font: str, color: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\u2019").replace(":", "\\:").replace(",", "\\,")
    return (f"drawtext=fontfile={font}:text='{escaped}':fontsize={size}:fontcolor={color}:"
            f"x=(w-text_w)/2:y={y}:enable='between(t\\,{start / 1000:.3f}\\,{end / 1000:.3f})'")


def wrap(text: str, width: int = 34) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def greeting_video(folder: Path) -> None:
    sound, cues = speak(GREETING, folder)
    total = cues[-1][1] + GAP_MS
    filters = [drawtext("A welcome in five seconds", 0, total, "28", 30, BOLD, "white")]
    for number, (start, end, speaker, text) in enumerate(cues):
        until = cues[number + 1][0] if number + 1 < len(cues) else total
        filters.append(drawtext(speaker, start, until, "120", 28, BOLD, "#ffd479"))
        for row, part in enumerate(wrap(text)):
            filters.append(drawtext(part, start, until, str(170 + row * 44), 32, FONT, "white"))
    filters.append(drawtext("Look up  ·  Acknowledge  ·  Open the door", 0, total, "h-50", 22, FONT, "#cfe3ff"))
    video = MEDIA / "greeting.mp4"
    subprocess.run([
        "ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"color=c=#1f4e79:s=640x360:r=12:d={total / 1000:.3f}",
        "-i", str(sound), "-vf", ",".join(filters), "-c:v", "libx264", "-profile:v", "main", "-pix_fmt", "yuv420p",
        "-crf", "30", "-c:a", "aac", "-b:a", "48k", "-ar", "22050", "-movflags", "+faststart",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-shortest", str(video)], check=True)
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-ss", "1.5", "-i", str(video), "-frames:v", "1",
                    str(MEDIA / "greeting.png")], check=True)
    write_captions(MEDIA / "greeting.vtt", cues)


def phone_call_audio(folder: Path) -> None:
    sound, cues = speak(PHONE_CALL, folder)
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(sound), "-c:a", "libmp3lame", "-b:a", "48k",
                    "-map_metadata", "-1", "-fflags", "+bitexact", str(MEDIA / "phone-call.mp3")], check=True)
    write_captions(MEDIA / "phone-call.vtt", cues)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as temp:
        greeting_video(Path(temp))
    with tempfile.TemporaryDirectory() as temp:
        phone_call_audio(Path(temp))
    print(json.dumps({p.name: p.stat().st_size for p in sorted(MEDIA.iterdir())}, indent=1))
