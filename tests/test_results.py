"""`coursepack results`: learners' saved results files become a trainer's CSV and HTML report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import run_coursepack

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TINY = {"id": "tiny", "version": "1.0", "title": "Tiny course"}
TWO_MODULES = [("welcome", "Welcome"), ("at-the-desk", "At the desk")]


def results_file(folder: Path, name: str, learner: str, modules: list[tuple], *, course=None,
                 completed_on=None, saved_at="2026-11-30T10:00:00.250Z", titles=TWO_MODULES) -> Path:
    """A file as the packet's "Save my results" writes it; `modules` holds (status, score, date)."""
    data = {
        "format": "coursepack-results",
        "format_version": 1,
        "course": course or {"id": "service", "version": "1.0", "title": "Service at the desk"},
        "learner": learner,
        "saved_at": saved_at,
        "completed_on": completed_on,
        "modules": [
            {"id": module_id, "title": title, "status": status, "best_score": score, "date": date}
            for (module_id, title), (status, score, date) in zip(titles, modules)
        ],
        "state": {"answers": {"q1": [1]}},
        "notes": {"reflect-1": "What I would do differently"},
    }
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def two_learners(tmp_path) -> Path:
    results_file(tmp_path, "zoe.json", "Zoé Brunet", [("passed", 100, "2026-11-20"), ("failed", 62.5, "2026-11-21")])
    results_file(tmp_path, "ana.json", "ana Lima", [("passed", 90, "2026-11-18"), ("completed", None, "2026-11-19")],
                 completed_on="2026-11-19", saved_at="2026-11-19T16:02:11Z")
    return tmp_path


def rows(csv_path: Path) -> list[str]:
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte order mark to read UTF-8"
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "every line ends in CRLF"
    return text.split("\r\n")[:-1]


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_learners_files_become_exact_csv_rows(two_learners):
    result = run_coursepack("results", "zoe.json", "ana.json", cwd=two_learners)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "Wrote report/report.csv and report/report.html: 2 learners in 1 course\n"
    assert rows(two_learners / "report/report.csv") == [
        "course,version,learner,module,module_title,status,best_score,date,course_completed_on,saved_at,file",
        "service,1.0,ana Lima,welcome,Welcome,passed,90,2026-11-18,2026-11-19,2026-11-19T16:02:11Z,ana.json",
        "service,1.0,ana Lima,at-the-desk,At the desk,completed,,2026-11-19,2026-11-19,2026-11-19T16:02:11Z,ana.json",
        "service,1.0,Zoé Brunet,welcome,Welcome,passed,100,2026-11-20,,2026-11-30T10:00:00Z,zoe.json",
        "service,1.0,Zoé Brunet,at-the-desk,At the desk,failed,62.5,2026-11-21,,2026-11-30T10:00:00Z,zoe.json",
    ]


def test_the_report_is_the_same_bytes_whatever_the_order_of_the_files(two_learners):
    run_coursepack("results", "zoe.json", "ana.json", "--out", "first", cwd=two_learners)
    run_coursepack("results", "ana.json", "zoe.json", "--out", "second", cwd=two_learners)
    assert tree_digest(two_learners / "first") == tree_digest(two_learners / "second")


def test_without_course_each_course_and_version_has_its_own_table(two_learners, browser, js_packages):
    results_file(two_learners, "bob.json", "Bob", [("in_progress", None, None), ("not_started", None, None)],
                 course={"id": "onboarding", "version": "2", "title": "Onboarding"},
                 titles=[("first-day", "First day"), ("tools", "Tools")])
    results_file(two_learners, "eve.json", "Eve", [("passed", 80, "2026-10-01"), ("passed", 85, "2026-10-02")],
                 course={"id": "service", "version": "0.9", "title": "Service at the desk"}, completed_on="2026-10-02")
    result = run_coursepack("results", "zoe.json", "ana.json", "bob.json", "eve.json", cwd=two_learners)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote report/report.csv and report/report.html: 4 learners in 3 courses\n"
    report = two_learners / "report/report.html"
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(report.as_uri())
        tables = page.locator("section.course")
        assert tables.count() == 3
        assert page.locator("table").count() == 3
        assert tables.locator("h2").all_inner_texts() == ["Onboarding", "Service at the desk", "Service at the desk"]
        assert tables.locator(".facts").all_inner_texts() == [
            "Version 2 · onboarding · 0 of 1 learner finished the course",
            "Version 0.9 · service · 1 of 1 learner finished the course",
            "Version 1.0 · service · 1 of 2 learners finished the course",
        ]
        latest = tables.nth(2)
        assert latest.locator("thead th").all_inner_texts() == [
            "Learner", "Course finished", "1. Welcome", "2. At the desk", "Saved",
        ]
        assert [" | ".join(row.locator("th, td").all_inner_texts()).replace("\n", " ") for row in latest.locator("tbody tr").all()] == [
            "ana Lima | ✓ 2026-11-19 | ✓ Passed 90% 2026-11-18 | ✓ Completed 2026-11-19 | 2026-11-19 16:02 UTC",
            "Zoé Brunet | Not yet | ✓ Passed 100% 2026-11-20 | ✗ Not passed 62.5% 2026-11-21 | 2026-11-30 10:00 UTC",
        ]
        assert "a record, not proof" in page.locator("header").inner_text()
        assert page.locator("link, script, img").count() == 0, "the report is one self-contained file"
        page.add_script_tag(path=str(js_packages / "axe-core" / "axe.min.js"))
        found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        assert [v["id"] for v in found["violations"]] == []
        page.screenshot(path=str(two_learners / "report.png"), full_page=True)
    finally:
        page.close()


def test_with_course_a_file_of_another_course_or_version_is_skipped_by_name(tmp_path, fixture_course):
    course = fixture_course("good-minimal")  # id tiny, version 1.0, one module 'welcome'
    one = [("welcome", "Welcome")]
    results_file(tmp_path, "ana.json", "Ana", [("passed", 100, "2026-11-18")], course=TINY, titles=one)
    results_file(tmp_path, "old.json", "Bob", [("passed", 100, "2026-11-18")], course={**TINY, "version": "0.9"}, titles=one)
    results_file(tmp_path, "other.json", "Eve", [("passed", 100, "2026-11-18")], course={**TINY, "id": "onboarding"}, titles=one)
    result = run_coursepack("results", "ana.json", "old.json", "other.json", "--course", str(course), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "skipped: old.json: course 'tiny' version '0.9', not 'tiny' version '1.0'",
        "skipped: other.json: course 'onboarding' version '1.0', not 'tiny' version '1.0'",
    ]
    assert result.stdout == "Wrote report/report.csv and report/report.html: 1 learner in 1 course; 2 skipped\n"
    assert [row.split(",")[2] for row in rows(tmp_path / "report/report.csv")[1:]] == ["Ana"]
    html = (tmp_path / "report/report.html").read_text(encoding="utf-8")
    assert "<li>old.json: course &#39;tiny&#39; version &#39;0.9&#39;, not &#39;tiny&#39; version &#39;1.0&#39;</li>" in html


def test_with_course_titles_and_language_come_from_the_course(tmp_path, fixture_course):
    course = fixture_course("packet-fr")  # id accueil-fr, version 2.1, language fr
    results_file(tmp_path, "lea.json", "Léa", [("completed", None, "2026-11-18"), ("in_progress", None, None)],
                 course={"id": "accueil-fr", "version": "2.1", "title": "Un titre ancien"},
                 titles=[("index", "Ancien titre"), ("premier-contact", "Ancien titre aussi")])
    result = run_coursepack("results", "lea.json", "--course", str(course), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "report/report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert "<h2 id=\"course-1\">Accueillir le public</h2>" in html
    assert "1. Le premier contact" in html and "2. Un module nommé index" in html
    assert "Pas encore" in html and "Ancien titre" not in html.split("<tbody>")[0]
    # The CSV keeps what the file says, in the course's order of modules.
    assert [row.split(",")[3:6] for row in rows(tmp_path / "report/report.csv")[1:]] == [
        ["premier-contact", "Ancien titre aussi", "in_progress"],
        ["index", "Ancien titre", "completed"],
    ]


def test_with_course_a_file_listing_other_modules_is_an_error(tmp_path, fixture_course):
    course = fixture_course("good-minimal")
    results_file(tmp_path, "ana.json", "Ana", [("passed", 100, "2026-11-18"), ("passed", 90, None)], course=TINY,
                 titles=[("welcome", "Welcome"), ("extra", "Extra")])
    result = run_coursepack("results", "ana.json", "--course", str(course), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ana.json: error: the modules do not match course 'tiny' version '1.0': it lists 'extra', which the course "
        "does not have (was the course changed without a new version? Run without --course to report the file as it is)",
        "1 error; nothing was written.",
    ]


def test_with_course_that_has_mistakes_reports_them_as_build_does(tmp_path, fixture_course):
    course = fixture_course("bad-missing-keys")
    results_file(tmp_path, "ana.json", "Ana", [("passed", 100, "2026-11-18")])
    result = run_coursepack("results", "ana.json", "--course", str(course), cwd=tmp_path)
    assert result.returncode == 1
    assert "course.yml:" in result.stderr and "nothing was written." in result.stderr
    assert not (tmp_path / "report").exists()


def test_a_later_save_by_the_same_learner_replaces_an_earlier_one(two_learners):
    results_file(two_learners, "zoe-monday.json", "Zoé  brunet", [("passed", 100, "2026-11-20"), ("in_progress", None, None)],
                 saved_at="2026-11-23T08:00:00Z")
    result = run_coursepack("results", "zoe.json", "zoe-monday.json", "ana.json", cwd=two_learners)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "skipped: zoe-monday.json: an earlier save by 'Zoé  brunet' (2026-11-23T08:00:00Z) than zoe.json (2026-11-30T10:00:00Z)\n"
    )
    assert [row.split(",")[-1] for row in rows(two_learners / "report/report.csv")[1:]] == ["ana.json"] * 2 + ["zoe.json"] * 2


def test_files_with_no_name_are_never_taken_for_one_learner(tmp_path):
    results_file(tmp_path, "a.json", "", [("passed", 100, None), ("passed", 90, None)])
    results_file(tmp_path, "b.json", " ", [("failed", 10, None), ("not_started", None, None)], saved_at="2026-12-01T08:00:00Z")
    result = run_coursepack("results", "a.json", "b.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote report/report.csv and report/report.html: 2 learners in 1 course\n"
    assert (tmp_path / "report/report.html").read_text(encoding="utf-8").count("<th scope=\"row\">(no name given)</th>") == 2


def test_damaged_files_are_errors_that_name_each_and_nothing_is_written(two_learners):
    before = run_coursepack("results", "zoe.json", "ana.json", cwd=two_learners)
    assert before.returncode == 0
    report_before = tree_digest(two_learners / "report")
    (two_learners / "cut.json").write_text('{"format": "coursepack-results",\n "learner": "Al"\n', encoding="utf-8")
    (two_learners / "notes.txt").write_text("Dear trainer, here are my results.", encoding="utf-8")
    (two_learners / "latin1.json").write_bytes('{"learner": "Zoé"}'.encode("latin-1"))
    wrong = results_file(two_learners, "wrong.json", "Al", [("done", "80", "2026-11-31"), ("passed", 101, None)],
                         saved_at="yesterday")
    data = json.loads(wrong.read_text(encoding="utf-8"))
    del data["course"]["version"]
    data["learner"] = 7
    wrong.write_text(json.dumps(data), encoding="utf-8")
    newer = results_file(two_learners, "newer.json", "Al", [("passed", 100, None)])
    newer.write_text(newer.read_text(encoding="utf-8").replace('"format_version": 1', '"format_version": 2'), encoding="utf-8")
    result = run_coursepack(
        "results", "zoe.json", "cut.json", "notes.txt", "latin1.json", "wrong.json", "newer.json", "missing.json",
        cwd=two_learners,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "cut.json:3: error: not a results file: not valid JSON (Expecting ',' delimiter, column 1)",
        "latin1.json: error: not a results file: not UTF-8 text",
        "missing.json: error: no such file",
        "newer.json: error: written by a newer coursepack (format version 2); this one reads version 1",
        "notes.txt:1: error: not a results file: not valid JSON (Expecting value, column 1)",
        "wrong.json: error: 'course.version' is missing",
        "wrong.json: error: 'learner' must be text, not 7",
        "wrong.json: error: 'modules[0].best_score' must be a number, not \"80\"",
        "wrong.json: error: 'modules[0].date' must be a date (YYYY-MM-DD) or null, not \"2026-11-31\"",
        "wrong.json: error: 'modules[0].status' is \"done\", but it must be one of: not_started, in_progress, passed, failed, completed",
        "wrong.json: error: 'modules[1].best_score' is 101, but it must be a percentage from 0 to 100, or null",
        "wrong.json: error: 'saved_at' must be a date and time in UTC (such as 2026-03-01T14:30:00Z), not \"yesterday\"",
        "12 errors; nothing was written.",
    ]
    assert result.stdout == ""
    assert tree_digest(two_learners / "report") == report_before
    assert not list(two_learners.glob(".report.staging-*"))


def test_exit_statuses(two_learners):
    # No file at all: a usage error, as for any command.
    assert run_coursepack("results", cwd=two_learners).returncode == 2
    # Every file skipped: nothing to report is a problem with the input, like a course mistake.
    results_file(two_learners, "other.json", "Eve", [("passed", 100, None)], course=TINY, titles=[("welcome", "Welcome")])
    course = two_learners / "course"
    course.mkdir()
    (course / "course.yml").write_text('id: service\ntitle: Service\nversion: "2.0"\n', encoding="utf-8")
    (course / "modules/01-welcome").mkdir(parents=True)
    (course / "modules/01-welcome/lesson.md").write_text("---\ntitle: Welcome\n---\nHello.\n", encoding="utf-8")
    nothing = run_coursepack("results", "other.json", "zoe.json", "--course", "course", cwd=two_learners)
    assert nothing.returncode == 1
    assert nothing.stderr.splitlines()[-1] == "error: no results to report: 2 files given, and every one was skipped"
    assert not (two_learners / "report").exists()
    # An --out that would replace a folder of other files is refused, as an output problem (exit 1).
    (two_learners / "documents").mkdir()
    (two_learners / "documents/letter.txt").write_text("keep me", encoding="utf-8")
    refused = run_coursepack("results", "zoe.json", "--out", "documents", cwd=two_learners)
    assert refused.returncode == 1
    assert refused.stderr == "error: --out 'documents' holds other files and no report; name a new folder for the report\n"
    assert run_coursepack("results", "zoe.json", "--out", ".", cwd=two_learners).returncode == 1
    assert [p.name for p in (two_learners / "documents").iterdir()] == ["letter.txt"]
    # A report folder is replaced as a whole, keeping what else the trainer put there.
    assert run_coursepack("results", "zoe.json", cwd=two_learners).returncode == 0
    (two_learners / "report/minutes.txt").write_text("meeting", encoding="utf-8")
    again = run_coursepack("results", "zoe.json", "ana.json", cwd=two_learners)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (two_learners / "report").iterdir()) == ["minutes.txt", "report.csv", "report.html"]


def test_text_a_learner_typed_cannot_become_a_spreadsheet_formula(tmp_path):
    results_file(tmp_path, "x.json", '=HYPERLINK("http://example.com","Click")', [("passed", 100, None)])
    result = run_coursepack("results", "x.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "report/report.csv")[1].split(",")[2:4] == ['"\'=HYPERLINK(""http://example.com""', '""Click"")"']
    html = (tmp_path / "report/report.html").read_text(encoding="utf-8")
    assert "<th scope=\"row\">=HYPERLINK(&#34;http://example.com&#34;,&#34;Click&#34;)</th>" in html
