"""Shared fixtures: fixture courses, a built sample course, a real browser.

Tools a test needs from the machine (Chromium, poppler, node packages) are
skipped when missing on a developer's machine, but under CI=true a missing
tool is a failure: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
JS = Path(__file__).resolve().parent / "js" / "node_modules"
SCHEMAS = REPO.parent / "shared" / "schemas"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip on a developer's machine, fail in CI, when a tool is missing."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{what} is missing, and CI must not skip it", pytrace=False)
        pytest.skip(f"{what} is missing")


def run_coursepack(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the command as a user would, in a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "coursepack", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
    )


@pytest.fixture
def fixture_course(tmp_path):
    """Copy a fixture course from tests/fixtures/NAME into a temporary folder."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        # Without what a build may have left there: each test starts from the sources alone.
        shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns(".coursepack-cache", "output"))
        return target

    return copy


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample course at the repository root, built once with every format."""
    out = tmp_path_factory.mktemp("sample") / "output"
    result = run_coursepack("build", str(REPO), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # Chromium resolves some hosts on its own; send any such lookup nowhere.
                "--host-resolver-rules=MAP * 127.255.255.254:9 , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def js_packages() -> Path:
    require((JS / "axe-core").is_dir() and (JS / "scorm-again").is_dir(), "tests/js/node_modules (npm install in tests/js)")
    return JS


@pytest.fixture(scope="session")
def schemas() -> Path:
    require((SCHEMAS / "validate.py").exists(), "../shared/schemas (the official XSDs)")
    return SCHEMAS
