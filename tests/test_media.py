"""Video and audio: the errors an author can make, and the recording in every format but the
browsers' own (those are in test_packet_engines: the clip plays with captions from disk)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, require, run_coursepack

SAMPLE_MEDIA = REPO / "modules/02-welcome-at-the-desk/media"
LESSON_HEAD = "---\ntitle: Clips\n---\n"
CUES = "WEBVTT\n\n00:00:00.400 --> 00:00:03.000\n<v Staff>Hi! I'll be right with you.\n\n00:00:03.500 --> 00:00:05.000\nWhat can I help you find?\n"


@pytest.fixture
def course(tmp_path) -> Path:
    root = tmp_path / "clips"
    media = root / "modules/01-clips/media"
    media.mkdir(parents=True)
    (root / "course.yml").write_text('id: clips\ntitle: Clips\nversion: "1.0"\noutputs: [html]\n', encoding="utf-8")
    shutil.copy(SAMPLE_MEDIA / "greeting.mp4", media / "greeting.mp4")
    shutil.copy(SAMPLE_MEDIA / "greeting.png", media / "greeting.png")
    shutil.copy(SAMPLE_MEDIA / "phone-call.mp3", media / "call.mp3")
    (media / "greeting.vtt").write_text(CUES, encoding="utf-8")
    (media / "call.vtt").write_text(CUES, encoding="utf-8")
    lesson(root, "Watch first.\n\n![A greeting at the desk](media/greeting.mp4)\n\n![The call](media/call.mp3)\n")
    return root


def lesson(root: Path, body: str) -> None:
    (root / "modules/01-clips/lesson.md").write_text(LESSON_HEAD + body, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_mistake_with_a_recording_is_reported_at_once_and_nothing_is_written(course):
    assert run_coursepack("build", str(course), "-q").returncode == 0
    before = snapshot(course / "output")
    media = course / "modules/01-clips/media"
    (media / "nocaptions.mp4").write_bytes((media / "greeting.mp4").read_bytes())
    (media / "fake.mp4").write_bytes((media / "greeting.png").read_bytes())
    (media / "fake.vtt").write_text(CUES, encoding="utf-8")
    (media / "call.vtt").write_text(
        "WEBVTT\n\n00:00:00.400 --> 00:00:03.000\nFine.\n\n00:00:03.500 -> 00:00:05.000\nLost caption.\n\n"
        "Just some words\nwith no timing\n\n00:00:06.000 --> 00:00:05.000\nBackwards.\n", encoding="utf-8")
    lesson(course, (
        "![A greeting at the desk](media/greeting.mp4)\n\n"  # line 4: fine
        "![No captions here](media/nocaptions.mp4)\n\n"      # line 6
        "![Not a video](media/fake.mp4)\n\n"                 # line 8
        "![The call](media/call.mp3)\n\n"                    # line 10: its captions are broken
        "Text before ![Inline clip](media/greeting.mp4) and after.\n\n"  # line 12
        '<video src="media/greeting.mp4" controls></video>\n'  # line 14
    ))
    result = run_coursepack("check", str(course))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "7 errors; nothing was written."
    where = "modules/01-clips"
    assert lines[:-1] == [
        f"{where}/lesson.md:6: error: 'modules/01-clips/media/nocaptions.mp4' has no captions: add the WebVTT file "
        "modules/01-clips/media/nocaptions.vtt beside it (video and audio need captions so that every learner can follow them)",
        f"{where}/lesson.md:8: error: 'modules/01-clips/media/fake.mp4' is not an MP4 video: its contents are of another kind "
        "(save or export it again as .mp4)",
        f"{where}/lesson.md:12: error: put the recording 'media/greeting.mp4' on a line of its own, as ![what it shows](media/greeting.mp4)",
        f"{where}/lesson.md:14: error: write video and audio as ![what it shows](media/clip.mp4) on a line of its own, not as "
        "<video>: coursepack then gives it captions, a transcript and a printed version",
        f"{where}/media/call.vtt:6: error: this timing line needs '-->' between its times, as in '00:00:01.000 --> 00:00:03.500'; "
        "browsers drop a caption whose timing they cannot read",
        f"{where}/media/call.vtt:9: error: this block is not a cue, a NOTE, a STYLE or a REGION: a cue starts with a timing "
        "line such as '00:00:01.000 --> 00:00:03.500' (and a blank line ends each block)",
        f"{where}/media/call.vtt:12: error: this caption ends before it starts",
    ]
    assert run_coursepack("build", str(course)).returncode == 1
    assert snapshot(course / "output") == before


def test_a_captions_file_must_be_webvtt_and_a_recording_belongs_in_a_lesson(course):
    media = course / "modules/01-clips/media"
    (media / "greeting.vtt").write_text("1\n00:00:00,400 --> 00:00:03,000\nAn SRT file renamed\n", encoding="utf-8")
    (course / "modules/01-clips/quiz.yml").write_text(
        "questions:\n  - id: q\n    type: true_false\n    prompt: \"Watch ![the clip](media/call.mp3) first.\"\n    answer: true\n",
        encoding="utf-8")
    result = run_coursepack("check", str(course))
    assert result.returncode == 1
    assert "modules/01-clips/media/greeting.vtt:1: error: a WebVTT file must start with the line 'WEBVTT'" in result.stderr
    assert "modules/01-clips/quiz.yml:4: error: 'media/call.mp3' is a recording: video and audio belong in a lesson.md" in result.stderr


def test_the_packet_carries_the_player_the_cues_and_the_transcript(course):
    result = run_coursepack("build", str(course), "--format", "html", "-q")
    assert result.returncode == 0, result.stderr
    page = (course / "output/html/clips.html").read_text(encoding="utf-8")
    assert '<video controls preload="metadata" aria-label="A greeting at the desk" playsinline ' \
           'poster="modules/01-clips/media/greeting.png"' in page
    assert 'data-cues="[[400,3000,&quot;Staff: Hi! I&#x27;ll be right with you.&quot;],[3500,5000,&quot;What can I help you find?&quot;]]"' in page
    assert '<source src="modules/01-clips/media/greeting.mp4" type="video/mp4">' in page
    assert "<track" not in page  # refused on file://: the script adds the cues instead
    assert '<summary>Transcript</summary><p><b class="speaker">Staff:</b> Hi! I&#x27;ll be right with you.</p>' \
           '<p>What can I help you find?</p>' in page  # a new speaker (none) starts a paragraph
    assert '<span class="media-length">(0:23)</span>' in page
    for name in ("greeting.mp4", "greeting.png", "call.mp3", "greeting.vtt"):
        assert (course / "output/html/modules/01-clips/media" / name).read_bytes() == \
            (course / "modules/01-clips/media" / name).read_bytes()


def test_the_packages_carry_the_recordings_and_the_cartridge_page_has_a_track(course):
    result = run_coursepack("build", str(course), "--format", "scorm12,scorm2004,cmi5,cc", "-q")
    assert result.returncode == 0, result.stderr
    for package in ("clips-scorm12.zip", "clips-scorm2004.zip", "clips-cmi5.zip"):
        with zipfile.ZipFile(course / "output/lms" / package) as archive:
            names = set(archive.namelist())
        assert {f"course/modules/01-clips/media/{n}" for n in ("greeting.mp4", "greeting.png", "call.mp3")} <= names, package
    with zipfile.ZipFile(course / "output/lms/clips.imscc") as archive:
        page = archive.read("web_resources/lessons/clips.html").decode("utf-8")
        names = set(archive.namelist())
    assert '<track kind="captions" src="../files/modules/01-clips/media/greeting.vtt" srclang="en" label="Captions" default>' in page
    assert {f"web_resources/files/modules/01-clips/media/{n}" for n in ("greeting.mp4", "greeting.vtt", "call.mp3", "call.vtt")} <= names


def test_the_single_file_embeds_the_media_up_to_its_limit(course):
    result = run_coursepack("build", str(course), "--format", "single", "-q")
    assert result.returncode == 0, result.stderr
    page = (course / "output/clips.html").read_text(encoding="utf-8")
    assert 'src="data:video/mp4;base64,' in page and 'poster="data:image/png;base64,' in page
    assert 'src="data:audio/mpeg;base64,' in page
    before = snapshot(course / "output")
    (course / "course.yml").write_text(
        'id: clips\ntitle: Clips\nversion: "1.0"\noutputs: [html]\nsingle_media_limit_mb: 0.2\n', encoding="utf-8")
    refused = run_coursepack("build", str(course), "--format", "single")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        "course.yml: error: the single file would embed 0.3 MB of video and audio (modules/01-clips/media/greeting.mp4 0.2 MB, "
        "modules/01-clips/media/call.mp3 0.1 MB), over single_media_limit_mb: 0.2; raise the limit in course.yml, or build "
        "the html packet instead, which links its recordings rather than embedding them")
    assert snapshot(course / "output") == before


def test_the_printed_editions_hold_the_whole_transcript(sample_build):
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    from coursepack.loading import load_course

    course = load_course(REPO).course
    clips = [media for module in course.modules for media in module.lesson.media]
    assert {m.kind for m in clips} == {"video", "audio"}
    for edition in ("learner", "trainer"):
        text = subprocess.run(["pdftotext", str(sample_build / f"pdf/{course.id}-{edition}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.replace("\u2019", "'").split())
        for clip in clips:
            for cue in clip.cues:
                assert cue.text in flat, (edition, cue.text)


def test_a_poster_added_after_a_build_shows_in_the_next(course):
    """The loader looks for a poster beside a recording: one saved there later is not missed by the caches."""
    (course / "modules/01-clips/media/greeting.png").unlink()
    from coursepack.build import build

    build(course, ["html"])
    page = course / "output/html/clips.html"
    assert "poster=" not in page.read_text(encoding="utf-8")
    shutil.copy(SAMPLE_MEDIA / "greeting.png", course / "modules/01-clips/media/greeting.png")
    report = build(course, ["html"])
    assert not report.nothing_changed
    assert 'poster="modules/01-clips/media/greeting.png"' in page.read_text(encoding="utf-8")
