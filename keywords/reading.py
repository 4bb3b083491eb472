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
OVER, FICTION = "scope_over", "scope_fiction"
SCOPES = (PAST, DENIAL, PRESENT, OVER, FICTION)
ALL = frozenset({"risk_self", "risk_others", "medical_urgent"})
MEDICAL = frozenset({"medical_urgent"})
# a sentence that puts a risk in the past and starts like this explains the sentence before it
# too ("I tried to take my life. That was years ago", "he tried to end it, but hes well now")
_BACK = re.compile(r"^\W*(?:but|though|although|that was|this was|it was|which was|thats|that's)\b", re.I)


def parts(text: str) -> list[str]:
    """The sentences and clauses of a text (the whole text when it has one)."""
    pieces = [p for p in _PARTS.split(text) if p and p.strip()]
    return pieces or [text]


def bounds(pieces: list[str], starts: list[int], total: int) -> list[tuple[int, int, bool]]:
    """Token ranges [start, end) of each non-empty piece, from where each piece's tokens start
    among `total`, and whether the piece explains the one before."""
    ends = starts[1:] + [total]
    return [(a, b, explains_before(p)) for p, a, b in zip(pieces, starts, ends) if b > a] or [(0, total, False)]


def out_of_scope(found: Iterable[Found]) -> frozenset[str]:
    """The risk kinds a part says are over, denied or not real (none when something in it
    brings the risk into the present)."""
    labels = {f.entry.label for f in found if f.entry.kind == "context"}
    if PRESENT in labels:
        return frozenset()
    if labels & {PAST, DENIAL, FICTION}:
        return ALL
    return MEDICAL if OVER in labels else frozenset()


def explains_before(piece: str) -> bool:
    """True when a piece starts by pointing back at the one before ("but", "that was")."""
    return bool(_BACK.match(piece))
