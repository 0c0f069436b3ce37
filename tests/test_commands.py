"""The commands as a user runs them: build, check, new, --version, build.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_coursepack

from coursepack import __version__


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_version():
    result = run_coursepack("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"coursepack, version {__version__}"


# Runs the command as `python -m coursepack` does, then lists what it imported.
_IMPORTS_PROBE = """
import json, runpy, sys
listing, sys.argv = sys.argv[1], ["coursepack", *sys.argv[2:]]
try:
    runpy.run_module("coursepack", run_name="__main__")
except SystemExit:
    pass
with open(listing, "w") as out:
    json.dump(sorted(sys.modules), out)
"""
_HEAVY = ("jinja2", "pydantic", "weasyprint", "markdown", "rich", "coursepack.builders", "coursepack.model")


@pytest.mark.parametrize("argument", ["--version", "--help"])
def test_version_and_help_import_none_of_the_build_libraries(argument, tmp_path):
    """`--version` and `--help` answer before anything a build needs is imported."""
    listing = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE, str(listing), argument],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert "coursepack" in result.stdout
    imported = json.loads(listing.read_text())
    assert "coursepack.cli" in imported
    assert [m for m in imported if any(m == heavy or m.startswith(heavy + ".") for heavy in _HEAVY)] == []


def test_build_writes_the_html_packet_and_a_summary(fixture_course):
    course = fixture_course("good-minimal")
    result = run_coursepack("build", str(course), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (course / "output/html/index.html").is_file()
    assert "Built tiny (1 module; html): html in" in result.stdout


def test_build_quiet_prints_nothing(fixture_course):
    course = fixture_course("good-minimal")
    result = run_coursepack("build", str(course), "--format", "html", "-q")
    assert result.returncode == 0
    assert result.stdout == ""


def test_build_out_option(fixture_course, tmp_path):
    course = fixture_course("good-minimal")
    result = run_coursepack("build", str(course), "--format", "html", "--out", str(tmp_path / "elsewhere"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere/html/index.html").is_file()
    assert not (course / "output").exists()


def test_unknown_format_is_a_usage_error(fixture_course):
    course = fixture_course("good-minimal")
    result = run_coursepack("build", str(course), "--format", "html,epub")
    assert result.returncode == 2
    assert "unknown format 'epub'" in result.stderr
    assert not (course / "output").exists()


def test_unknown_format_in_course_yml_has_a_location(fixture_course):
    course = fixture_course("good-minimal")
    (course / "course.yml").write_text((course / "course.yml").read_text() + "outputs: [html, epub]\n")
    result = run_coursepack("check", str(course))
    assert result.returncode == 1
    assert "course.yml:4: error: unknown output format 'epub' (known: " in result.stderr


def test_failed_build_leaves_previous_output_exactly_as_it_was(fixture_course):
    course = fixture_course("good-minimal")
    assert run_coursepack("build", str(course), "--format", "html").returncode == 0
    before = tree_digest(course / "output")
    lesson = course / "modules/01-welcome/lesson.md"
    lesson.write_text(lesson.read_text().replace("Hello.", "Changed.\n\n![](missing.png)"))
    result = run_coursepack("build", str(course), "--format", "html")
    assert result.returncode == 1
    assert "modules/01-welcome/lesson.md:6: error:" in result.stderr
    assert tree_digest(course / "output") == before
    assert [p.name for p in course.iterdir() if "staging" in p.name] == []


def test_building_one_format_keeps_the_others(fixture_course):
    course = fixture_course("good-minimal")
    keep = course / "output/pdf/kept.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("from an earlier build")
    assert run_coursepack("build", str(course), "--format", "html").returncode == 0
    assert keep.read_text() == "from an earlier build"


def test_two_builds_give_identical_bytes(fixture_course, tmp_path):
    course = fixture_course("good-minimal")
    for out in ("one", "two"):
        result = run_coursepack("build", str(course), "--format", "html", "--out", str(tmp_path / out))
        assert result.returncode == 0, result.stderr
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_new_makes_a_course_that_checks_and_builds(tmp_path):
    target = tmp_path / "Staff Induction"
    result = run_coursepack("new", str(target))
    assert result.returncode == 0, result.stderr
    check = run_coursepack("check", str(target))
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("staff-induction: 2 modules, 3 questions, no errors.")
    build = run_coursepack("build", str(target), "--format", "html")
    assert build.returncode == 0, build.stderr
    assert (target / "output/html/index.html").is_file()
    # What the build made stays out of git; the sources do not.
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(target)], check=True)
        status = subprocess.run(["git", "-C", str(target), "status", "--porcelain", "--untracked-files=all"],
                                capture_output=True, text=True, check=True).stdout
        tracked = sorted(line[3:] for line in status.splitlines())
        assert tracked == [".gitignore", "course.yml", *sorted(str(p.relative_to(target)) for p in (target / "modules").rglob("*") if p.is_file())]


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "existing.txt").write_text("keep me")
    result = run_coursepack("new", str(tmp_path))
    assert result.returncode != 0
    assert "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.txt"]


def test_check_writes_nothing(fixture_course):
    course = fixture_course("good-minimal")
    before = sorted(p.relative_to(course) for p in course.rglob("*"))
    assert run_coursepack("check", str(course)).returncode == 0
    assert sorted(p.relative_to(course) for p in course.rglob("*")) == before


def test_build_py_builds_the_course_in_its_folder(tmp_path):
    """`python build.py` at the repository root is `coursepack build .`."""
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--format", "html", "--out", str(tmp_path / "out")],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "out/html/index.html").read_text()
    assert "Excellent public service at the library" in index


def test_course_dir_defaults_to_the_current_folder(fixture_course):
    course = fixture_course("good-minimal")
    result = run_coursepack("build", "--format", "html", cwd=course)
    assert result.returncode == 0, result.stderr
    assert (course / "output/html/index.html").is_file()


def test_internal_error_is_short_and_exits_2(fixture_course, monkeypatch):
    """A bug in a builder is not the author's fault: no traceback unless asked."""
    from click.testing import CliRunner

    from coursepack import cli
    from coursepack.builders.html import HtmlBuilder

    def broken(self, course, out):
        raise RuntimeError("boom")

    monkeypatch.setattr(HtmlBuilder, "write", broken)
    course = fixture_course("good-minimal")
    result = CliRunner().invoke(cli.cli, ["build", str(course), "--format", "html"])
    assert result.exit_code == 2
    assert "internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output
    assert not (course / "output").exists()
    debug = CliRunner().invoke(cli.cli, ["build", str(course), "--format", "html", "--debug"])
    assert debug.exit_code == 2
    assert "Traceback" in debug.output or isinstance(debug.exc_info[1], SystemExit)


def test_installed_wheel_builds_a_course_outside_the_repository(tmp_path):
    """`pip install .` (not editable) carries the templates: build from any folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    _share_dependencies_with(python)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(REPO)],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr
    course = tmp_path / "elsewhere"
    assert subprocess.run([str(venv / "bin" / "coursepack"), "new", str(course)], capture_output=True).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(venv / "bin" / "coursepack"), "build", "--format", "html"],
        cwd=course, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stderr
    where = subprocess.run(
        [str(python), "-c", "import coursepack, sys; print(coursepack.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    ).stdout
    assert str(venv) in where, "the test must use the installed copy, not the checkout"
    assert (course / "output/html/index.html").is_file()
    installed = Path(where.strip()).parent
    missing = [
        str(p.relative_to(REPO)) for p in (REPO / "coursepack").rglob("*.py")
        if not (installed / p.relative_to(REPO / "coursepack")).is_file()
    ]
    assert missing == [], "modules left out of the wheel: list their packages in pyproject.toml"


def _share_dependencies_with(python: Path) -> None:
    """Let a new venv import the libraries of the interpreter running the tests.

    `venv --system-site-packages` would not do: from inside a venv it links the
    base interpreter's packages, which lack coursepack's dependencies. A .pth
    file naming this interpreter's site folders adds them after the venv's own
    (plain path lines: their .pth files, such as an editable coursepack, are not run).
    """
    import site

    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    lines = [f for f in dict.fromkeys(folders) if Path(f).is_dir()]
    (Path(target) / "_outer_site_packages.pth").write_text("\n".join(lines) + "\n")
