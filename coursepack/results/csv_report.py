"""report.csv: one row per learner and module, in a form Excel opens as it is.

UTF-8 with a byte order mark (without it Excel reads UTF-8 as the local code
page) and CRLF line ends. Text a learner typed is kept from being read as a
formula.
"""

from __future__ import annotations

import csv
import io

from coursepack.results.collecting import Collection, saved_at_text, score_text

COLUMNS = (
    "course", "version", "learner", "module", "module_title", "status",
    "best_score", "date", "course_completed_on", "saved_at", "file",
)
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_csv(collection: Collection) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for course in collection.courses:
        for learner in course.learners:
            results = learner.results
            by_id = {m.id: m for m in results.modules}
            for column in course.modules:
                module = by_id.get(column.id)
                if module is None:
                    continue  # an older packet of the same version without this module
                writer.writerow([
                    _text(course.id), _text(course.version), _text(results.learner),
                    _text(module.id), _text(module.title), module.status,
                    "" if module.best_score is None else score_text(module.best_score),
                    module.date.isoformat() if module.date else "",
                    results.completed_on.isoformat() if results.completed_on else "",
                    saved_at_text(results.saved_at), _text(learner.file),
                ])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
