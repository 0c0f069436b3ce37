"""Every page a learner or an LMS opens is valid HTML in the W3C Nu HTML checker.

The checker is the one the W3C runs (npm `vnu-jar`, on Debian's Java). It reads
the sample course's packet pages, the single file, each LMS package's launch
page and the Common Cartridge's lesson pages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import JS, REPO, require, run_coursepack

VNU = JS / "vnu-jar" / "build" / "dist" / "vnu.jar"
LMS_FORMATS = ("scorm12", "scorm2004", "cmi5", "xapi", "cc")


def nu_errors(pages: list[Path]) -> list[str]:
    """The checker's errors for these pages, as `file:line: message`."""
    require(shutil.which("java") is not None, "Java (Debian's default-jre-headless)")
    require(VNU.is_file(), "the Nu HTML checker (npm vnu-jar in tests/js)")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stderr or run.stdout)
    return [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
            for m in report["messages"] if m["type"] == "error"]


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("nu") / "output"
    formats = ",".join(("html", "single") + LMS_FORMATS)
    built = run_coursepack("build", str(REPO), "--format", formats, "--out", str(out), "-q")
    assert built.returncode == 0, built.stderr
    pages = sorted((out / "html").glob("*.html")) + sorted(out.glob("*.html"))  # the packet, the single file
    for package in sorted((out / "lms").glob("*.zip")) + sorted((out / "lms").glob("*.imscc")):
        unpacked = out / "unpacked" / package.name
        with zipfile.ZipFile(package) as archive:
            archive.extractall(unpacked)
        if package.suffix == ".imscc":
            pages += sorted(unpacked.rglob("*.html"))  # the cartridge's lesson pages
        else:
            pages.append(unpacked / "index.html")  # the launch page
    return pages


def test_the_checker_reports_a_broken_page(tmp_path):
    # The test below means something only if the checker sees errors where there are some.
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html lang="en"><title>x</title><link rel="icon" href="data:a b"><p><div></p>',
                      encoding="utf-8")
    errors = nu_errors([broken])
    assert any("Space is not allowed" in e for e in errors), errors


def test_every_packet_page_and_launch_page_is_valid_html(sample_pages):
    names = [p.name for p in sample_pages]
    assert {"completion.html", "library-service.html"} <= set(names)
    assert names.count("index.html") == 5  # the packet's home page and four launch pages
    assert len(sample_pages) > 15  # the cartridge's lesson pages too
    assert nu_errors(sample_pages) == []
