"""The packet's pages, rendered from the course and the theme.

The same partial templates make both forms of the packet: `site` writes one
page per module beside `index.html` (so the lessons' course-relative asset
paths work as they are), `single` puts every page into one document as views
that the script shows one at a time. Only links and ids differ between the
two, and `Site`/`Single` decide those.

What the script needs of the whole course (modules, quiz settings, strings)
is made once per build: the site's pages share it in one script file,
`assets/course-data.js`, and the single document carries it once. So a page's
size does not grow with the number of modules; for the same reason a module
page of a long course lists only its neighbours, and the home page lists all.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from functools import cached_property

from coursepack.model import Course, Module, Segment, TocEntry
from coursepack.media_player import with_players
from coursepack.packet.quiz_view import FILL_BLANK_MAXLENGTH, NUMERIC_MAXLENGTH, QuizView, questions_per_attempt, quiz_settings, quiz_view
from coursepack.packet.single_file import data_uri
from coursepack.packet.state import ATTEMPTS_CAP, fingerprint
from coursepack.theme import Theme

STYLESHEET = "assets/packet.css"
SCRIPT = "assets/packet.js"
# The course's data for the script, shared by every page of the site (a plain
# script that sets a global, since pages opened from disk may not fetch JSON).
COURSE_DATA = "assets/course-data.js"
COURSE_DATA_GLOBAL = "coursepackCourse"
# One fixed file of the site whose localStorage every page shares, from a hidden
# frame: browsers that give each file:// page its own storage (Firefox) then
# still keep one progress for the whole packet.
STORE_PAGE = "assets/store.html"
RESULTS_SECTION = "cp-results"  # the id of the home page's "Save my results" section
HOME_PAGE = "index.html"
COMPLETION_PAGE = "completion.html"
MODULE_LIST = "cp-modules-title"  # the id of the home page's list of every module
# Up to this many modules, a module page lists them all; beyond, it lists its
# neighbours (MAP_NEIGHBOURS on each side) and links to the home page's list.
FULL_MAP_LIMIT = 30
MAP_NEIGHBOURS = 3
SCRIPT_STRING_PREFIX = "packet_js_"
# A book, as the tab's icon: inline, so that no page asks for /favicon.ico.
FAVICON_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
    "<rect width='32' height='32' rx='7' fill='#164e5f'/>"
    "<path d='M8 9.5c3-1.2 5.6-1 8 .8 2.4-1.8 5-2 8-.8v13c-3-1.2-5.6-1-8 .8-2.4-1.8-5-2-8-.8z' "
    "fill='none' stroke='#fff' stroke-width='1.8' stroke-linejoin='round'/>"
    "<path d='M16 10.3v13' stroke='#fff' stroke-width='1.8'/></svg>"
)
FAVICON = data_uri(FAVICON_SVG.encode("utf-8"), "image/svg+xml")


class ModulePage:
    """One module as its page shows it; the lesson and quiz views are made when first shown."""

    def __init__(self, pages: PacketPages, module: Module, index: int):
        self.module = module
        self.index = index
        self.href = pages.form.href(module, pages.course)
        self.prefix = pages.form.prefix(module)  # put before every id of the page, to keep ids unique in one document
        self._pages = pages

    @property
    def id(self) -> str:
        return self.module.id

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        media, strings, language = self.module.lesson.media, self._pages.strings, self._pages.course.language
        segments = tuple(
            replace(segment, html=with_players(segment.html, media, strings, language, "packet"))
            for segment in self.module.lesson.segments_for("learner")
        )
        if self.prefix:
            segments = tuple(_with_prefixed_ids(segment, self.prefix) for segment in segments)
        return segments

    @cached_property
    def toc(self) -> tuple[TocEntry, ...]:
        toc = self.module.lesson.toc
        if self.prefix:
            toc = tuple(TocEntry(entry.level, self.prefix + entry.id, entry.title) for entry in toc)
        return toc

    @property
    def questions_per_attempt(self) -> int:
        return questions_per_attempt(self.module.quiz) if self.module.quiz else 0

    @cached_property
    def quiz(self) -> QuizView | None:
        return quiz_view(self._pages.course, self.module, self._pages.strings["quiz"])


class Site:
    """One file per page: module pages beside index.html."""

    single = False

    def page_name(self, module: Module, course: Course) -> str:
        reserved = {HOME_PAGE, COMPLETION_PAGE}
        name = f"{module.id}.html"
        return f"module-{name}" if name in reserved else name

    def href(self, module: Module, course: Course) -> str:
        return self.page_name(module, course)

    home = HOME_PAGE
    completion = COMPLETION_PAGE
    module_list = f"{HOME_PAGE}#{MODULE_LIST}"
    results = f"{HOME_PAGE}#{RESULTS_SECTION}"
    store: str | None = STORE_PAGE

    def prefix(self, module: Module) -> str:
        return ""


class Single(Site):
    """Every page in one document, each a view with an id of its own."""

    single = True
    home = "#view-home"
    completion = "#view-completion"
    module_list = f"#{MODULE_LIST}"
    results = f"#{RESULTS_SECTION}"
    store = None  # one file: its own localStorage is shared by all its views

    def href(self, module: Module, course: Course) -> str:
        return f"#view-{module.id}"

    def prefix(self, module: Module) -> str:
        return f"{module.id}--"


class PacketPages:
    def __init__(self, course: Course, theme: Theme, form: Site):
        self.course = course
        self.theme = theme
        self.form = form

    @cached_property
    def strings(self) -> dict[str, str]:
        return self.theme.strings(self.course.language)

    @cached_property
    def modules(self) -> tuple[ModulePage, ...]:
        return tuple(ModulePage(self, module, index) for index, module in enumerate(self.course.modules))

    @cached_property
    def course_data(self) -> dict:
        """The course as the script needs it: made once, whatever the number of pages."""
        course = self.course
        return {
            "course": {
                "id": course.id,
                "version": course.version,
                "title": course.title,
                "lang": course.language,
                "completion": course.completion,
                "fingerprint": fingerprint(course),
                "home": self.form.home,
                "certificate": self.form.completion,
                "results": self.form.results,
                "modules": [
                    {
                        "id": page.id,
                        "title": page.module.title,
                        "href": page.href,
                        "quiz": quiz_settings(course, page.module.quiz) if page.module.quiz else None,
                    }
                    for page in self.modules
                ],
            },
            "store": self.form.store,
            "limits": {"fill": FILL_BLANK_MAXLENGTH, "numeric": NUMERIC_MAXLENGTH, "attempts": ATTEMPTS_CAP},
            "strings": {
                key[len(SCRIPT_STRING_PREFIX) :]: value
                for key, value in sorted(self.strings.items())
                if key.startswith(SCRIPT_STRING_PREFIX)
            },
        }

    @cached_property
    def course_data_script(self) -> str:
        """assets/course-data.js: the course's data for every page of the site."""
        return f"window.{COURSE_DATA_GLOBAL} = {script_json(self.course_data)};\n"

    @cached_property
    def course_data_version(self) -> str:
        """A hash of the course data, which the pages put in its address: a web server's
        visitors then never combine new pages with an old copy from their browser's cache."""
        return hashlib.sha256(self.course_data_script.encode("utf-8")).hexdigest()[:12]

    def script_data(self, page: dict | None) -> str:
        """A page's own data for the script, as JSON safe inside a <script> element.

        The single document carries the course's data with it; a site page only
        says which page it is, and finds the course in assets/course-data.js.
        """
        if self.form.single:
            return script_json({**self.course_data, "page": page})
        return script_json({"page": page})

    def course_map(self, page: ModulePage) -> tuple[ModulePage, ...]:
        """The modules a module page lists: all of a short course, else the page's neighbours."""
        if len(self.modules) <= FULL_MAP_LIMIT:
            return self.modules
        size = 2 * MAP_NEIGHBOURS + 1
        start = min(max(page.index - MAP_NEIGHBOURS, 0), len(self.modules) - size)
        return self.modules[start : start + size]

    @cached_property
    def total_time(self) -> str:
        return self.duration(self.course.minutes)

    def context(self, **extra) -> dict:
        course = self.course
        return {
            "course": course,
            "t": self.strings,
            "form": self.form,
            "modules": self.modules,
            "course_map": self.course_map,
            "course_data_src": "" if self.form.single else f"{COURSE_DATA}?v={self.course_data_version}",
            "favicon": FAVICON,
            "total_time": self.total_time,
            "duration": self.duration,
            "fill_maxlength": FILL_BLANK_MAXLENGTH,
            "numeric_maxlength": NUMERIC_MAXLENGTH,
            **extra,
        }

    def duration(self, minutes: int) -> str:
        if minutes < 60:
            return self.strings["minutes"].format(n=minutes)
        hours, rest = divmod(minutes, 60)
        if rest == 0:
            return self.strings["hours"].format(h=hours)
        return self.strings["hours_minutes"].format(h=hours, m=rest)

    # ------------------------------------------------------------ site pages

    def home(self) -> str:
        return self.theme.render(
            "index.html", **self.context(data_json=self.script_data({"kind": "home"}), css="", js="")
        )

    def module(self, page: ModulePage) -> str:
        previous = self.modules[page.index - 1] if page.index else None
        following = self.modules[page.index + 1] if page.index + 1 < len(self.modules) else None
        return self.theme.render(
            "module.html",
            **self.context(
                page=page,
                previous=previous,
                next=following,
                data_json=self.script_data({"kind": "module", "module": page.index}),
                css="",
                js="",
            ),
        )

    def completion(self) -> str:
        return self.theme.render(
            "completion.html", **self.context(data_json=self.script_data({"kind": "completion"}), css="", js="")
        )

    # ------------------------------------------------------------ single document

    def single(self, css: str, js: str) -> str:
        return self.theme.render(
            "single.html",
            **self.context(data_json=self.script_data(None), css=css, js=script_text(js)),
        )


def script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def script_text(source: str) -> str:
    """A script's source, safe to put inside a <script> element."""
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


_ID = re.compile(r"""(?<![\w-])(id|href)=(["'])(#?)([^"']*)\2""")


def _with_prefixed_ids(segment: Segment, prefix: str) -> Segment:
    """The segment with its ids, and the in-page links to them, made unique by `prefix`."""
    def rename(match: re.Match) -> str:
        attribute, quote, hash_, value = match.groups()
        if attribute == "id":
            return f"{attribute}={quote}{prefix}{value}{quote}"
        if hash_ and value:
            return f"{attribute}={quote}#{prefix}{value}{quote}"
        return match.group(0)

    return replace(segment, html=_ID.sub(rename, segment.html))
