"""The offline packet as files: what the html and single formats write, without a browser."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from coursepack.builders.base import BuildContext
from coursepack.builders.html import HtmlBuilder
from coursepack.builders.single import SingleBuilder
from coursepack.loading import load_course
from coursepack.model import FillBlank, MultipleChoice, Numeric, Ordering, SingleChoice, TrueFalse
from coursepack.packet.answer_key import mark, unseal
from coursepack.packet.quiz_view import plain_text
from coursepack.packet.state import SCORM12_SUSPEND_DATA, worst_case_state, worst_case_state_size
from coursepack.theme import Theme, builtin_templates

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "es", "fr")


@pytest.fixture(scope="module")
def course():
    return load_course(REPO).course


def _builders(course_dir: Path):
    context = BuildContext(theme=Theme(course_dir))
    return HtmlBuilder(context), SingleBuilder(context)


@pytest.fixture(scope="module")
def packet(course) -> dict[str, bytes]:
    return _builders(REPO)[0].packet_files(course)


@pytest.fixture(scope="module")
def single(course) -> str:
    return _builders(REPO)[1].render(course)


class _Page(HTMLParser):
    """Ids, in-page links, external references and questions of one HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.fragments: list[str] = []
        self.references: list[str] = []
        self.questions: list[dict[str, str]] = []
        self.choice_marks: dict[str, list[str]] = {}
        self._question: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        for name in ("href", "src", "action", "poster", "data"):
            value = attributes.get(name)
            if value is None or name == "data":
                continue
            if value.startswith("#"):
                self.fragments.append(value[1:])
            else:
                self.references.append(value)
        if attributes.get("data-cp") == "question":
            self.questions.append(attributes)
            self._question = attributes["id"][2:]
            self.choice_marks[self._question] = []
        if "choice" in (attributes.get("class") or "").split() and "data-k" in attributes:
            self.choice_marks[self._question].append(attributes["data-k"])


# ------------------------------------------------------------------ the html packet


def test_packet_has_a_home_page_a_page_per_module_the_assets_and_the_course_files(course, packet):
    expected = {"index.html", "completion.html", "assets/packet.css", "assets/packet.js", "assets/course-data.js"}
    expected.add("assets/store.html")  # the frame in which every page of the site keeps progress
    expected |= {f"{module.id}.html" for module in course.modules}
    expected |= {asset.path for asset in course.assets}
    assert set(packet) == expected
    assert packet["modules/02-welcome-at-the-desk/media/desk-layout.svg"] == course.asset(
        "modules/02-welcome-at-the-desk/media/desk-layout.svg"
    ).data


def test_html_format_writes_exactly_the_packet_files(sample_build, packet):
    root = sample_build / "html"
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert on_disk == packet


def test_builds_are_byte_identical(course, packet, single):
    html_again, single_again = _builders(REPO)
    assert html_again.packet_files(course) == packet
    assert single_again.render(course) == single


def test_every_page_links_only_to_files_inside_the_packet(packet):
    for path, data in packet.items():
        if not path.endswith(".html"):
            continue
        page = _Page(data.decode("utf-8"))
        for reference in page.references:
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", reference) or reference.startswith("data:"), (path, reference)
            target = reference.split("#")[0].split("?")[0]
            if target and not target.startswith("data:"):
                assert target in packet, f"{path} links to {reference}, which is not in the packet"
        assert set(page.fragments) <= set(page.ids), f"{path}: in-page links without a target"
        assert len(page.ids) == len(set(page.ids)), f"{path}: duplicate ids"


def test_stylesheet_and_script_ask_for_nothing_remote(packet):
    css = packet["assets/packet.css"].decode("utf-8")
    assert "@import" not in css and "@font-face" not in css
    assert re.findall(r"url\((?!\"?'?data:)", css) == []
    script = packet["assets/packet.js"].decode("utf-8")
    for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "EventSource"):
        assert call not in script


def test_trainer_notes_and_sample_answers_never_reach_the_packet(course, packet, single):
    secrets = []
    for module in course.modules:
        secrets += [plain_text(s.html)[:60] for s in module.lesson.segments if s.kind == "trainer"]
        for question in module.quiz.questions if module.quiz else ():
            if getattr(question, "sample_answer", None):
                secrets.append(plain_text(question.sample_answer.html)[:60])
    assert len(secrets) >= 9
    texts = [data.decode("utf-8") for path, data in packet.items() if path.endswith((".html", ".js"))] + [single]
    for secret in secrets:
        for text in texts:
            assert secret not in plain_text(text)


def test_page_source_shows_no_answers(course, packet):
    """Choices look alike, and explanations, feedback and typed answers are sealed."""
    checked = set()
    for module, quiz in course.quizzes:
        source = packet[f"{module.id}.html"].decode("utf-8")
        quiz_source = source[source.index('data-cp="quiz"') : source.index('class="pager"')]
        page = _Page(source)
        visible = plain_text(quiz_source)
        assert "correct" not in quiz_source.lower().replace("data-cp=", "")
        for question in quiz.questions:
            attributes = next(q for q in page.questions if q["id"] == f"q-{question.id}")
            salt = attributes["data-salt"]
            hidden = unseal(salt, attributes["data-seal"])
            if question.explanation:
                assert plain_text(question.explanation.html)[:50] not in visible
                assert hidden["x"] == question.explanation.html
            if isinstance(question, (SingleChoice, MultipleChoice)):
                marks = page.choice_marks[question.id]
                assert len(marks) == len(question.choices)
                assert all(re.fullmatch(r"[0-9a-f]{16}", m) for m in marks)
                # The marks say which choices are right only to someone who computes them.
                right = [m == mark(salt, key, "1") for key, m in enumerate(marks)]
                assert sum(right) == sum(c.correct for c in question.choices)
                for choice in question.choices:
                    if choice.feedback:
                        assert plain_text(choice.feedback.html)[:40] not in visible
                checked.add(question.type)
            if isinstance(question, FillBlank):
                quiz_part = plain_text(source[source.index(f'id="q-{question.id}"') :][:3000])
                for answer in question.answers:
                    assert answer not in quiz_part.split()
                checked.add(question.type)
            if isinstance(question, Numeric):
                assert hidden["n"] == [question.answer - question.tolerance, question.answer + question.tolerance]
                checked.add(question.type)
            if isinstance(question, TrueFalse):
                assert attributes["data-k"] == mark(salt, "true" if question.answer else "false")
                checked.add(question.type)
            if isinstance(question, Ordering):
                start = source.index(f'id="q-{question.id}"')
                shown = re.findall(r'<span class="order-text"[^>]*>(.*?)</span>', source[start:start + 20000])
                shown = shown[: len(question.items)]
                assert shown != [item.html for item in question.items], "items listed in the answer's order"
                assert sorted(shown) == sorted(item.html for item in question.items)
                checked.add(question.type)
    assert checked == {"single", "multiple", "fill_blank", "numeric", "true_false", "ordering"}


def test_pages_need_no_top_frame(packet):
    """The LMS packages show the packet in a frame: nothing may break out of it."""
    for path, data in packet.items():
        if path.endswith((".html", ".js")):
            text = data.decode("utf-8")
            assert "_top" not in text and "window.top" not in text and "top.location" not in text
            assert not re.search(r"""(href|src)=["']/""", text), path


# ------------------------------------------------------------------ the single file


def test_single_file_holds_everything_and_keeps_ids_unique(course, single, sample_build):
    assert (sample_build / f"{course.id}.html").read_text(encoding="utf-8") == single
    page = _Page(single)
    assert len(page.ids) == len(set(page.ids)), sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert set(page.fragments) <= set(page.ids)
    assert [r for r in page.references if not r.startswith("data:")] == []
    assert '<link rel="stylesheet"' not in single and "<script src" not in single
    # The diagram travels inside the file.
    assert "data:image/svg+xml," in single and "desk-layout.svg" not in single
    # A lesson heading's id, and the table of contents' link to it, carry the module's prefix.
    assert 'id="why-service-matters--keep-one-lose-ten"' in single
    assert 'href="#why-service-matters--keep-one-lose-ten"' in single
    assert 'id="why-service-matters--fn:saying"' in single
    for module in course.modules:
        assert f'id="view-{module.id}"' in single


def test_single_file_cannot_end_its_own_script_early(single):
    for block in re.findall(r"<script[^>]*>(.*?)</script>", single, flags=re.DOTALL):
        assert "</script" not in block.lower() and "<!--" not in block


# ------------------------------------------------------------------ the saved state


def test_worst_case_state_of_the_sample_fits_scorm12_suspend_data(course):
    size = worst_case_state_size(course)
    assert size == len(json.dumps(worst_case_state(course), separators=(",", ":")))
    assert 600 < size <= SCORM12_SUSPEND_DATA


def test_worst_case_state_counts_only_the_questions_an_attempt_draws(course):
    module_4 = next(m for m in course.modules if m.quiz and m.quiz.pick)
    entry = worst_case_state(course)["m"][course.modules.index(module_4)]
    assert len(entry["r"]) == module_4.quiz.pick


# ------------------------------------------------------------------ languages


def _catalogue(language: str, name: str) -> dict:
    return yaml.safe_load((builtin_templates() / "i18n" / language / name).read_text(encoding="utf-8"))


def test_packet_strings_are_named_apart_from_other_parts_strings():
    """Catalogues of all parts merge into one: the packet's own keys carry its prefix."""
    assert all(key.startswith("packet_") for key in _catalogue("en", "packet.yml"))


@pytest.mark.parametrize("name", ["common.yml", "packet.yml"])
def test_every_language_has_every_string(name):
    english = _catalogue("en", name)
    for language in LANGUAGES[1:]:
        other = _catalogue(language, name)
        assert set(other) == set(english), language
        for key, value in english.items():
            assert set(re.findall(r"\{\w+\}", other[key])) == set(re.findall(r"\{\w+\}", value)), (language, key)


def test_every_string_the_packet_uses_is_in_the_catalogue():
    strings = _catalogue("en", "packet.yml") | _catalogue("en", "common.yml")
    script = (builtin_templates() / "assets" / "packet.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\btext\("(\w+)"', script))
    used |= set(re.findall(r'"(need_\w+|passed|failed|failed_final|correct|incorrect|choice_correct|choice_incorrect)"', script))
    assert used and {f"packet_js_{key}" for key in used} <= set(strings)
    templates = builtin_templates()
    sources = [p.read_text(encoding="utf-8") for p in [*templates.glob("*.html"), *(templates / "packet").glob("*.html")]]
    for key in set(re.findall(r"\bt\.(\w+)", "".join(sources))):
        assert key in strings, key


def test_french_course_gets_french_pages_and_its_reserved_module_name(fixture_course):
    course_dir = fixture_course("packet-fr")
    course = load_course(course_dir).course
    html, single = _builders(course_dir)
    files = html.packet_files(course)
    # A module whose id is "index" must not replace the home page.
    assert "Pourquoi ce nom" in files["module-index.html"].decode() and "Pourquoi ce nom" not in files["index.html"].decode()
    module_page = files["premier-contact.html"].decode("utf-8")
    assert '<html lang="fr">' in module_page
    assert "Vérifier la réponse" in module_page and "Check answer" not in module_page
    assert "NOTE-FORMATEUR-SECRETE" not in module_page and "REPONSE-MODELE-SECRETE" not in module_page
    document = single.render(course)
    assert "Accueillir le public" in document and "data:image/svg+xml," in document
    assert 'id="premier-contact--le-bon-mot"' in document and 'href="#premier-contact--le-bon-mot"' in document


# ------------------------------------------------------------------ scores against pass marks


def _script_functions(*names: str) -> str:
    """The source of top-level helper functions of the packet's script, to run on their own."""
    script = (builtin_templates() / "assets" / "packet.js").read_text(encoding="utf-8")
    sources = []
    for name in names:
        found = re.search(rf"^  function {name}\(.*?^  }}$", script, flags=re.M | re.S)
        assert found, name
        sources.append(found.group(0))
    return "\n".join(sources)


def test_a_score_exactly_at_the_pass_mark_passes_at_every_whole_pass_mark():
    """0.55 * 100 is 55.00000000000001 and 0.29 * 100 is 28.999999999999996 in JavaScript:
    the packet compares in hundredths of a percent, so a score at the mark passes."""
    import shutil
    import subprocess

    from conftest import require

    require(shutil.which("node") is not None, "node")
    program = _script_functions("round4", "meetsPassMark") + """
    var wrong = [];
    for (var pass = 1; pass <= 100; pass++) {
      for (var possible of [100, 200, 300, 1000]) {
        var earned = pass * possible / 100;
        var exact = (earned / possible) * 100, kept = round4(exact), fraction = (pass / 100) * 100;
        if (!meetsPassMark(exact, pass) || !meetsPassMark(kept, pass) || !meetsPassMark(fraction, pass)) wrong.push([pass, possible, exact]);
      }
      if (meetsPassMark(pass - 0.01, pass) || meetsPassMark(round4(pass - 0.01), pass)) wrong.push([pass, "just below"]);
    }
    console.log(JSON.stringify(wrong));
    """
    result = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


# ------------------------------------------------------------------ typography of each language


def test_english_lesson_text_gets_typographic_quotes(packet):
    page = packet["welcome-at-the-desk.html"].decode("utf-8")
    assert "\u201cWhat can I help you find?\u201d invites a real answer" in page
    assert "someone who isn\u2019t sure" in page
    assert '"What can I help you find?"' not in page and "isn't sure" not in page


def test_french_course_gets_guillemets_and_no_break_spaces_in_text_and_pages(fixture_course):
    course_dir = fixture_course("packet-fr")
    lesson = course_dir / "modules" / "01-premier-contact" / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + '\nDites "bonjour" avant tout ! C\'est utile à 100 %.\n', encoding="utf-8")
    course = load_course(course_dir).course
    page = HtmlBuilder(BuildContext(theme=Theme(course_dir))).packet_files(course)["premier-contact.html"].decode("utf-8")
    # Guillemets with narrow no-break spaces inside, the apostrophe, and the space before ! and %.
    assert "Dites \u00ab\u202fbonjour\u202f\u00bb avant tout\u202f! C\u2019est utile \u00e0 100\u202f%." in page
    assert "souvent \u00e0 l\u2019accueil\u202f?" in page  # the reflect block's text
    assert "saluer quelqu\u2019un\u202f?" in page  # a quiz prompt
    # The page's own strings: "Score de réussite : 70 %" never breaks before ":" or "%".
    assert "Score de r\u00e9ussite\u00a0: 70\u202f%" in page
    assert "Tentatives autoris\u00e9es\u00a0: 2" in page
    assert "Score de r\u00e9ussite: " not in page


def test_an_untitled_block_is_titled_in_the_course_language_in_the_packet_and_the_pdf(fixture_course):
    # Python-Markdown titles `!!! warning` "Warning" whatever the language.
    from coursepack.printing.editions import workbook

    course_dir = fixture_course("packet-fr")
    lesson = course_dir / "modules" / "01-premier-contact" / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n!!! warning\n    Ne laissez jamais le bureau vide.\n\n"
                      '!!! tip "Warning"\n    Un titre choisi reste tel quel.\n', encoding="utf-8")
    course = load_course(course_dir).course
    theme = Theme(course_dir)
    page = HtmlBuilder(BuildContext(theme=theme)).packet_files(course)["premier-contact.html"].decode("utf-8")
    printed = workbook(course, theme, "learner", dt.date(2026, 1, 1)).html
    for html in (page, printed):
        titles = re.findall(r'<p class="admonition-title">(?:<svg.*?</svg>)?([^<]*)</p>', html)
        assert titles == ["Attention", "Warning"], titles


def test_spanish_lesson_text_gets_guillemets(tmp_path):
    from coursepack.loading.markdown_render import MarkdownRenderer

    assert MarkdownRenderer("es").inline_or_block('Diga "hola" primero', inline=True) == "Diga \u00abhola\u00bb primero"
    assert MarkdownRenderer("en").inline_or_block("Say \"hello\" -- it's free...", inline=True) == (
        "Say \u201chello\u201d \u2013 it\u2019s free\u2026")


def test_french_dates_write_the_first_of_a_month_as_1er():
    import datetime

    from coursepack.printing.editions import format_date

    french, english = Theme().strings("fr"), Theme().strings("en")
    assert format_date(datetime.date(2026, 12, 1), french) == "1er d\u00e9cembre 2026"
    assert format_date(datetime.date(2026, 12, 2), french) == "2 d\u00e9cembre 2026"
    assert format_date(datetime.date(2026, 12, 1), english) == "December 1, 2026"


def test_the_certificate_date_of_a_french_course_writes_the_first_of_a_month_as_1er():
    import shutil
    import subprocess

    from conftest import require

    require(shutil.which("node") is not None, "node")
    dates = {}
    for language in ("fr", "en"):
        strings = Theme().strings(language)
        program = (
            f"var COURSE = {{lang: {json.dumps(language)}}}, STRINGS = {json.dumps({k[len('packet_js_'):]: v for k, v in strings.items() if k.startswith('packet_js_')})};\n"
            + _script_functions("text", "longDate")
            + "\nconsole.log(JSON.stringify([longDate(new Date(2026, 11, 1)), longDate(new Date(2026, 11, 2))]));"
        )
        result = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
        dates[language] = json.loads(result.stdout)
    assert dates == {"fr": ["1er d\u00e9cembre 2026", "2 d\u00e9cembre 2026"], "en": ["December 1, 2026", "December 2, 2026"]}
