"""The format table: every builder the package defines is in it, in build order,
and a build imports only the builders of the formats it was asked for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import FIXTURES, REPO

from coursepack.builders import FORMATS, builder_class, format_names, scanned


def test_the_table_names_every_builder_the_package_defines_in_build_order():
    found = scanned()
    assert list(FORMATS) == list(found)  # the same names, in the builders' `order`
    assert FORMATS == {name: module for name, (module, _) in found.items()}
    assert {name: builder_class(name) for name in FORMATS} == {name: cls for name, (_, cls) in found.items()}


def test_the_command_line_lists_every_format():
    result = subprocess.run([sys.executable, "-m", "coursepack", "build", "--help"], capture_output=True,
                            text=True, env={**os.environ, "COLUMNS": "400", "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert ", ".join(format_names()) in " ".join(result.stdout.split())


def test_an_html_build_imports_no_other_builder(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "good-minimal", course)
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from coursepack.build import build\n"
        f"build(Path({str(course)!r}), ['html'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('coursepack.builders.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["coursepack.builders.base", "coursepack.builders.html"]
    assert (course / "output" / "html" / "index.html").is_file()
