"""A course's own templates are the author's code, not coursepack's, and not trusted.

They render in Jinja's sandbox, their mistakes are reported at `templates/...:LINE`
by `check` and `build` (exit 1, nothing written), and no theme file may come from
outside the course folder through a link.
"""

from __future__ import annotations

import os

from conftest import run_coursepack

EXTENDS = '{% extends "!base.html" %}\n'


def course_with(fixture_course, files: dict[str, str | bytes]):
    course = fixture_course("good-minimal")
    for name, content in files.items():
        path = course / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return course


def refused(course, *messages: str) -> None:
    """`check` and `build` both report exactly these errors, exit 1, and write nothing."""
    expected = "\n".join(messages) + f"\n{len(messages)} error{'s' if len(messages) > 1 else ''}; nothing was written.\n"
    for command in (["check"], ["build", "--format", "html"]):
        result = run_coursepack(*command, str(course))
        assert (result.returncode, result.stderr) == (1, expected), (command, result.stdout)
    assert not (course / "output").exists()


def test_a_course_template_that_reaches_for_python_runs_nothing(fixture_course, tmp_path):
    marker = tmp_path / "ran"
    payload = f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}\n" + payload + "\n{% endblock %}\n"})
    result = run_coursepack("build", str(course), "--format", "html")
    assert not marker.exists(), "the template ran a shell command"
    assert result.returncode == 1
    assert result.stderr == (
        "templates/base.html:3: error: not allowed in a course template: access to attribute '__init__' of "
        "'type' object is unsafe (templates run in a sandbox: see the README, Theming)\n"
        "1 error; nothing was written.\n")
    assert not (course / "output").exists()


def test_a_huge_repetition_in_a_course_template_is_refused_not_run(fixture_course):
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}{{ 'x' * 10 ** 12 }}{% endblock %}\n"})
    result = run_coursepack("build", str(course), "--format", "html")
    assert result.returncode == 1
    assert result.stderr.startswith("templates/base.html:2: error: not allowed in a course template: ")


def test_sandboxed_course_templates_still_extend_and_include_the_built_in_theme(fixture_course):
    course = course_with(fixture_course, {
        "base.html": EXTENDS + '{% block title %}Riverside · {{ super() }}{% endblock %}\n',
        "packet/footer.html": '{% include "!packet/footer.html" %}<p>{{ course.title|upper }} by the desk team</p>\n',
    })
    result = run_coursepack("build", str(course), "--format", "html,pdf")
    assert result.returncode == 0, result.stderr
    home = (course / "output/html/index.html").read_text(encoding="utf-8")
    assert "<title>Riverside · " in home
    assert "TINY COURSE by the desk team" in home


def test_a_syntax_error_in_a_course_template_is_reported_at_its_line(fixture_course):
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}\n{{ course.title }\n{% endblock %}\n"})
    refused(course, "templates/base.html:3: error: template syntax error: unexpected '}'")


def test_an_unknown_filter_in_a_course_template_is_found_by_check(fixture_course):
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}{{ course.title|shout }}{% endblock %}\n"})
    refused(course, "templates/base.html:2: error: template syntax error: No filter named 'shout'.")


def test_a_missing_include_in_a_course_template_is_reported_at_its_line(fixture_course):
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}\n\n{% include 'banner.html' %}{% endblock %}\n"})
    refused(course, "templates/base.html:4: error: template 'banner.html' not found "
                    "(neither in templates/ nor in the built-in theme)")


def test_an_undefined_variable_in_a_course_template_fails_the_build_at_its_line(fixture_course):
    course = course_with(fixture_course, {"base.html": EXTENDS + "{% block title %}\n{{ course.title }} {{ organisation.name }}{% endblock %}\n"})
    result = run_coursepack("build", str(course), "--format", "html")
    assert (result.returncode, result.stderr) == (
        1, "templates/base.html:3: error: template error: 'organisation' is undefined\n1 error; nothing was written.\n")
    assert not (course / "output").exists()


def test_broken_and_non_utf8_ui_strings_of_a_course_are_reported_at_their_lines(fixture_course):
    course = course_with(fixture_course, {
        "i18n/en/packet.yml": "start: Begin\nnext: [Next\n",
        "i18n/en/common.yml": "start: Begin\nfinish: Fini\xe9\n".encode("latin-1"),
        "i18n/fr/packet.yml": "- just\n- a list\n",
    })
    refused(course,
            "templates/i18n/en/common.yml:2: error: not UTF-8 text (byte 0xe9 cannot be read); save the file as UTF-8",
            "templates/i18n/en/packet.yml:3: error: not valid YAML: did not find expected ',' or ']'",
            "templates/i18n/fr/packet.yml:1: error: UI strings must be a mapping of names to texts (name: text)")


def test_a_theme_file_linked_from_outside_the_course_is_refused(fixture_course, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("/* a file of someone else's */\n", encoding="utf-8")
    course = course_with(fixture_course, {})
    (course / "templates/assets").mkdir(parents=True)
    os.symlink(secret, course / "templates/assets/packet.css")
    os.symlink(tmp_path, course / "templates/pdf")
    refused(course,
            "templates/assets/packet.css: error: is a link to a place outside the course folder; "
            "copy the file into the course instead",
            "templates/pdf: error: is a link to a place outside the course folder; copy the file into the course instead")


def test_a_theme_file_linked_within_the_course_is_used(fixture_course):
    course = course_with(fixture_course, {"shared.css": "body { color: #123456; }\n"})
    (course / "templates/assets").mkdir()
    os.symlink("../shared.css", course / "templates/assets/packet.css")
    result = run_coursepack("build", str(course), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (course / "output/html/assets/packet.css").read_text(encoding="utf-8") == "body { color: #123456; }\n"


def test_a_course_with_a_copy_of_the_built_in_templates_checks_and_prints(fixture_course):
    # "Copy templates/ and change what you need" must work: the built-in strings include
    # month names (a list) and instruction cues (a mapping), and a copy keeps them.
    import shutil

    from conftest import REPO

    course = fixture_course("good-minimal")
    shutil.copytree(REPO / "templates", course / "templates")
    result = run_coursepack("check", str(course))
    assert result.returncode == 0, result.stderr
    built = run_coursepack("build", str(course), "--format", "pdf,html", "-q")
    assert built.returncode == 0, built.stderr


def test_a_ui_string_of_the_wrong_shape_is_reported(fixture_course):
    course = course_with(fixture_course, {
        "i18n/en/print.yml": "print_months: [Jan, Feb]\nprint_instruction_cues: tick one\nprint_correct: [Right]\n",
    })
    refused(course,
            "templates/i18n/en/print.yml:1: error: the UI string 'print_correct' must be text, not list",
            "templates/i18n/en/print.yml:1: error: the UI string 'print_instruction_cues' must be a mapping of names "
            "to texts or lists of texts, as in the built-in theme",
            "templates/i18n/en/print.yml:1: error: the UI string 'print_months' must be a list of 12 texts, as in the built-in theme")
