"""The command line: build, check, serve, new.

Exit status: 0 done; 1 the course has mistakes (each printed as path:line),
or the output folder cannot be used or written; 2 a usage error or a bug in
coursepack (the traceback only with --debug); 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import atexit
import functools
import gc
import sys
from pathlib import Path

import click

# Only what `--version` and `--help` need is imported here: the build, its
# libraries (Jinja, pydantic, Markdown, WeasyPrint) and rich are imported by the
# commands that use them, so that the program answers at once.
from coursepack import __version__
from coursepack.errors import CourseErrors, OutputProblem, Problem, UnknownFormat

EXIT_COURSE_ERRORS = 1
EXIT_BUG = 2
EXIT_INTERRUPTED = 130  # what shells report for a command ended by Ctrl-C (128 + SIGINT)


@functools.cache
def err():
    """The console for messages (standard error); rich is imported on first use."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@functools.cache
def _stdout():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """`text` shown as it is in a message that err() prints with markup."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        style = "red" if problem.severity == "error" else "yellow"
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        err().print(f"{escape(where)}: [{style}]{problem.severity}[/{style}]: {escape(problem.message)}")


def _guarded(command):
    """Course mistakes exit 1 with their messages; anything else is a bug, exit 2."""

    @functools.wraps(command)
    def run(*args, debug: bool = False, **kwargs):
        try:
            return command(*args, **kwargs)
        except CourseErrors as exc:
            _print_problems(exc.problems)
            err().print(f"{plural(len(exc.problems), 'error')}; nothing was written.")
            sys.exit(EXIT_COURSE_ERRORS)
        except OutputProblem as exc:
            err().print(f"error: {escape(str(exc))}")
            sys.exit(EXIT_COURSE_ERRORS)
        except UnknownFormat as exc:
            err().print(f"error: {exc}")
            sys.exit(EXIT_BUG)
        except KeyboardInterrupt:
            err().print("Stopped by Ctrl-C; the output folder was left as it was.")
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug: say so briefly
            if debug:
                import traceback  # only here: it costs start-up time otherwise

                traceback.print_exc()
            else:
                err().print(f"internal error: {type(exc).__name__}: {exc}")
                err().print("This is a bug in coursepack. Run again with --debug to see where it happened.")
            sys.exit(EXIT_BUG)

    return click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")(run)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _course_dir(value: str) -> Path:
    return Path(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="coursepack")
def cli() -> None:
    """Turn lesson Markdown and quiz YAML into offline HTML, PDFs and LMS packages."""


class _FormatsOption(click.Option):
    """--format, whose help lists the formats: the registry imports the model,
    so that is done only when the help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from coursepack.builders import format_names

        self.help = "Formats to build (default: the course's 'outputs', else all): " + ", ".join(format_names()) + "."
        return super().get_help_record(ctx)


class _RichProgress:
    """The progress bars, made on the first format that is built: a build that has
    nothing to do neither imports rich nor draws anything."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None
        self.tasks: dict[str, int] = {}

    def _bar(self):
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=err(), transient=True,
                                disable=self.quiet or not err().is_terminal)
            self.bar.start()
        return self.bar

    def start(self, name: str, total: int) -> None:
        if not self.quiet:  # with --quiet no bars at all: rich is not even imported
            self.tasks[name] = self._bar().add_task(name, total=total)

    def advance(self, name: str, message: str) -> None:
        if self.quiet:
            return
        self._bar().update(self.tasks[name], advance=1, description=f"{name}: {message}")

    def finish(self, name: str) -> None:
        if self.quiet:
            return
        bar = self._bar()
        task = self.tasks[name]
        bar.update(task, completed=bar.tasks[task].total, description=name)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@cli.command("build")
@click.argument("course_dir", default=".", type=click.Path(file_okay=False))
@click.option("--format", "-f", "formats", metavar="FMT[,FMT...]", cls=_FormatsOption)
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output folder (default: COURSE_DIR/output).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")
@_guarded
def build_command(course_dir: str, formats: str | None, out: str | None, quiet: bool) -> None:
    """Build the course in COURSE_DIR (default: this folder)."""
    from coursepack.build import build

    names = [n.strip() for n in formats.split(",") if n.strip()] if formats else None
    root = _course_dir(course_dir)
    progress = _RichProgress(quiet)
    try:
        report = build(root, names, Path(out) if out else None, progress, on_wait=_say_waiting)
    finally:
        progress.close()
    _print_problems(report.warnings)
    if quiet:
        return
    summary = f"{report.course_id} ({plural(report.module_count, 'module')}; {', '.join(report.formats)})"
    if report.nothing_changed:
        say(f"Nothing changed in {summary}: {_where(report.output)} is up to date ({report.seconds:.2f} s)")
        return
    for note in report.notes:
        say(note)
    written = [p for name, paths in report.written.items() if name not in report.unchanged for p in paths]
    shown = ", ".join(written) if len(written) <= 6 else f"{len(written)} outputs"
    if report.unchanged:
        shown = (shown + "; " if written else "") + f"unchanged: {', '.join(report.unchanged)}"
    say(f"Built {summary}: {shown} in {_where(report.output)} in {report.seconds:.1f} s")


def _say_waiting(output: Path) -> None:
    err().print(f"Waiting for another build writing {escape(_where(output))} to finish…")


def say(text: str) -> None:
    _stdout().print(text, markup=False)


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


@cli.command("check")
@click.argument("course_dir", default=".", type=click.Path(file_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")
@_guarded
def check_command(course_dir: str, quiet: bool) -> None:
    """Validate the course in COURSE_DIR without writing anything."""
    from coursepack.build import check

    course, warnings = check(_course_dir(course_dir))
    _print_problems(warnings)
    if not quiet:
        questions = sum(len(q.questions) for _, q in course.quizzes)
        say(f"{course.id}: {plural(len(course.modules), 'module')}, {plural(questions, 'question')}, no errors.")


@cli.command("new")
@click.argument("course_dir", type=click.Path(file_okay=False))
@_guarded
def new_command(course_dir: str) -> None:
    """Make a new course in COURSE_DIR that builds as it is."""
    from coursepack.starter import create_course

    target = create_course(Path(course_dir))
    say(f"Created a course in {target}/. Next: coursepack build {course_dir}")


@cli.command("serve")
@click.argument("course_dir", default=".", type=click.Path(file_okay=False))
@click.option("--port", "-p", default=8000, show_default=True, help="Port on 127.0.0.1.")
@_guarded
def serve_command(course_dir: str, port: int) -> None:
    """Preview the HTML packet on http://127.0.0.1:PORT, rebuilt on save."""
    from coursepack.serve import serve

    serve(_course_dir(course_dir), port=port, say=say, show_problems=_print_problems)


@cli.command("results")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--course", "course_dir", type=click.Path(file_okay=False),
              help="Report only this course's results (its id and version from its course.yml).")
@click.option("--out", "-o", default="report", show_default=True, type=click.Path(),
              help="Folder for report.csv and report.html.")
@_guarded
def results_command(files: tuple[str, ...], course_dir: str | None, out: str) -> None:
    """Turn learners' saved results files into report.csv and report.html."""
    from coursepack import results

    expected = None
    if course_dir is not None:
        expected, warnings = results.expected_course(_course_dir(course_dir))
        _print_problems(warnings)
    try:
        report = results.make_report(list(files), Path(out), expected)
    except results.NothingToReport as exc:
        err().print(f"error: {escape(str(exc))}")
        sys.exit(EXIT_COURSE_ERRORS)
    for message in report.collection.skipped:
        err().print(f"skipped: {escape(message)}", soft_wrap=True)
    courses = report.collection.courses
    learners = sum(len(c.learners) for c in courses)
    say(
        f"Wrote {' and '.join(_where(report.output) + name for name in report.files)}: {plural(learners, 'learner')} in "
        f"{plural(len(courses), 'course')}" + (f"; {len(report.collection.skipped)} skipped" if report.collection.skipped else "")
    )


def main(argv: list[str] | None = None) -> None:
    _no_collection_on_the_way_out()
    cli.main(args=argv, prog_name="coursepack")


@functools.cache
def _no_collection_on_the_way_out() -> None:
    """On its way out Python runs the cycle collector over every object still alive, though
    the process is about to free them all: after loading 1000 modules that took a quarter
    of a second, a fifth of a one-lesson rebuild. Frozen objects are left out of it. Files
    are closed by the code that writes them, never left to a collection to flush."""
    atexit.register(gc.freeze)  # registered first, so run last: after the workers' pools are shut
