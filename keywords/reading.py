"""Reading a text in parts: long messages put a risk in one sentence among ordinary ones
("...and what do I do about his room. I've decided tonight is the night."), and a risk said in a
sentence that also says it is over or denied ("I took an overdose in 2019", "I'm not going to do
anything daft") is not a risk now.

A text is split into sentences and clauses ("but", ";", "and now"); each part is matched and
scored on its own, and the message is risky when a part is. Scope cues are catalogue contexts
(risk.yaml: scope_past, scope_denial, scope_present), found by the same matcher.
"""
from __future__ import annotations

import re
from typing import Iterable

from .matcher import Found

# sentence ends, line breaks, and the joins where parents turn from one thing to another
_PARTS = re.compile(
    r"(?<=[.!?])\s+|[\r\n]+|;\s*|\s+-+\s+|(?:,\s*|\s+)(?=(?:but|although|though|and now|now|so now|"
    r"except|whereas|only now)\s)", re.I)
PAST, DENIAL, PRESENT = "scope_past", "scope_denial", "scope_present"
SCOPES = (PAST, DENIAL, PRESENT)


def parts(text: str) -> list[str]:
    """The sentences and clauses of a text (the whole text when it has one)."""
    pieces = [p for p in _PARTS.split(text) if p and p.strip()]
    return pieces or [text]


def bounds(pieces: list[str], count, total: int) -> list[tuple[int, int]]:
    """Token ranges [start, end) of each piece in the whole text's tokens, where `count(piece)`
    gives a piece's token count; one range for the whole when the pieces do not add up (a
    text-speak rewrite spanning two pieces)."""
    out, at = [], 0
    for piece in pieces:
        n = count(piece)
        if n:
            out.append((at, at + n))
            at += n
    return out if at == total and out else [(0, total)]


def out_of_scope(found: Iterable[Found]) -> bool:
    """True when a part says its risk is over or denied, and nothing brings it into the present."""
    labels = {f.entry.label for f in found if f.entry.kind == "context"}
    return bool(labels & {PAST, DENIAL}) and PRESENT not in labels
