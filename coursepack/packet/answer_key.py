"""Answers a page's source does not show in clear text.

The packet checks answers in the browser, so the page must carry enough to
check them. It carries salted hashes instead of answers: a choice holds
`mark(salt, index, "1")` when it is correct and `mark(salt, index, "0")` when
not, so every choice looks alike until the script computes the two marks.
Texts that would give an answer away (feedback, explanations, a numeric
answer's range) are sealed: XORed with a keystream derived from the salt.

This keeps answers out of sight of someone reading the source; it does not
stop someone who runs the page's script by hand, because the salt is in the
page. Salts are derived from the course, so builds stay byte-identical.

The browser side (templates/assets/packet.js) computes the same functions:
keep the two in step.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata

from coursepack.model import Course, QuestionBase

MARK_LENGTH = 16  # hex digits: 64 bits, plenty to tell a match from chance


def question_salt(course: Course, module_id: str, question: QuestionBase) -> str:
    """A salt unique to one question of one course version, stable across builds."""
    content = json.dumps(question.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    seed = "\x00".join([course.id, course.version, module_id, question.id, content])
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:MARK_LENGTH]


def mark(salt: str, *parts: object) -> str:
    text = "|".join([salt, *(str(part) for part in parts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:MARK_LENGTH]


def seal(salt: str, value: object) -> str:
    """`value` as JSON, XORed with a keystream from `salt`, in base64."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(_xor(data, salt)).decode("ascii")


def unseal(salt: str, sealed: str) -> object:
    """The inverse of `seal`, for tests and tools."""
    return json.loads(_xor(base64.b64decode(sealed), salt).decode("utf-8"))


def _xor(data: bytes, salt: str) -> bytes:
    stream = bytearray()
    while len(stream) < len(data):
        stream += hashlib.sha256(f"{salt}|seal|{len(stream) // 32}".encode()).digest()
    return bytes(a ^ b for a, b in zip(data, stream))


def build_order(salt: str, count: int, avoid_identity: bool = False) -> list[int]:
    """A deterministic shuffle of range(count) for the page's source order.

    With `avoid_identity` (for ordering questions, where the authored order is
    the answer) the page never lists the items in the right order, nor in the
    reverse of it, since both give the answer away; the shuffle is drawn again
    until it is neither, so every other order is equally likely. Two items
    have no other order: their order is a salted coin toss, so the page's
    order says nothing about the answer.
    """
    order = sorted(range(count), key=lambda index: mark(salt, "order", index))
    if not avoid_identity or count < 3:
        return order
    identity, reverse = list(range(count)), list(reversed(range(count)))
    attempt = 0
    while order in (identity, reverse):
        attempt += 1
        order = sorted(range(count), key=lambda index: mark(salt, "order", attempt, index))
    return order


def normalise_answer(text: str) -> str:
    """How typed answers are compared: case-insensitive, spaces trimmed and collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).strip()).lower()
