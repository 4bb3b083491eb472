"""The verdict on one message: risk first and kept apart from topics, with what made it so."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

from .matcher import Found
from .normalise import Normalised
from .schema import LOSS_TOPICS, RISK_KINDS, TOPICS
from .signals import gestation, loss_band, teen_marker

_TOPIC_RANK = {t: i for i, t in enumerate(TOPICS)}
_RISK_RANK = {k: i for i, k in enumerate(RISK_KINDS)}
# a gestation is an age, not a loss in pregnancy, once the baby was born alive
_BORN_ALIVE = {"neonatal_death", "sudden_infant_death"}
_FILLERS = {"greeting", "off_topic"}


class Match(NamedTuple):
    """One catalogue phrase found: which, for what, how sure (0-100), where in the normalised text."""

    phrase: str
    topic: str
    score: float
    start: int
    end: int

    def to_dict(self) -> dict:
        """Return the JSON-ready explanation of this match."""
        return {"phrase": self.phrase, "topic": self.topic, "score": round(self.score, 1)}


@dataclass(frozen=True)
class Evidence:
    """The risk model's verdict on a message it scored as risky: why, and where in the text."""

    score: float                           # probability, 0-1
    kind: str                              # risk_self, risk_others or medical_urgent
    spans: list[tuple[str, int, int]]      # (words, first token, end token), strongest first


@dataclass(frozen=True)
class Triage:
    """What a message needs: risk (and its kind), topics in priority order, and the evidence."""

    risk: bool
    risk_kind: str | None
    risk_phrases: tuple[str, ...]
    topics: tuple[str, ...]
    matches: tuple[Match, ...]
    unsafe_to_text: bool
    gestation_weeks: int | None
    risk_score: float = 0.0  # the risk model's probability (0-1), whatever the phrases found
    language: str | None = None   # ISO 639-1 code of another language the text is in, or None
    language_mostly: bool = False  # the text is mostly in that language, not mixed into English
    grandparent: bool = False  # the texter writes as a grandparent ("our granddaughter")

    def to_dict(self) -> dict:
        """Return a JSON-ready dict of the verdict."""
        return {"risk": self.risk, "risk_kind": self.risk_kind,
                "risk_score": round(self.risk_score, 3), "risk_phrases": list(self.risk_phrases),
                "topics": list(self.topics),
                "matches": [m.to_dict() for m in self.matches],
                "unsafe_to_text": self.unsafe_to_text, "gestation_weeks": self.gestation_weeks,
                "language": self.language, "language_mostly": self.language_mostly,
                "grandparent": self.grandparent}


def _span(norm: Normalised, origin: list[int], f: Found) -> tuple[int, int]:
    return norm.spans[origin[f.start]][0], norm.spans[origin[f.end - 1]][1]


def _has_context(f: Found, contexts: dict[str, list[tuple[int, int]]]) -> bool:
    """True when the entry's context is in the message (within `near` words of it, if set)."""
    spans = contexts.get(f.entry.context)
    if not spans:
        return False
    near = f.entry.near
    if near is None:
        return True
    for start, end in spans:
        # words strictly between the two matches; a context overlapping the phrase does not count
        gap = start - f.end if start >= f.end else f.start - end if end <= f.start else -1
        if 0 <= gap <= near:
            return True
    return False


def follows(found: list[Found]) -> dict[tuple[str, int], Found]:
    """The `unless` phrases found, by (their label, where they start)."""
    return {(f.entry.label, f.start): f for f in found if f.entry.kind == "unless"}


def cancelled(f: Found, after: dict[tuple[str, int], Found]) -> Found | None:
    """The `unless` phrase right after `f` that cancels it ("want to be with my baby" + "in
    nicu"), if any; `after` is follows(found)."""
    return after.get((f.entry.unless, f.end)) if f.entry.unless else None


def keep(found: list[Found]) -> list[Found]:
    """Drop guarded matches and those whose required context is absent."""
    contexts: dict[str, list[tuple[int, int]]] = {}
    after = follows(found)
    rest = []
    for f in found:
        kind = f.entry.kind
        if kind == "context":
            contexts.setdefault(f.entry.label, []).append((f.start, f.end))
        elif kind != "unless":
            rest.append(f)
    guards, kept = [], []
    for f in rest:
        e = f.entry
        if e.context and not _has_context(f, contexts):
            continue
        if after and cancelled(f, after):
            continue
        (guards if e.kind == "guard" else kept).append(f)
    if guards:
        # a guard cancels only matches lying wholly inside it: "it hit me" guards "hit me",
        # while "he hit me hard" stays risky even though "hit me hard" is a guard phrase
        kept = [f for f in kept if not any(g.start <= f.start and f.end <= g.end
                                           and f.entry.label in g.entry.blocks for g in guards)]
    return kept


def _numbers(norm: Normalised, topics: set[str], settings) -> tuple[int | None, list[Match]]:
    extra = []
    gest = gestation(norm.text, settings.gestation)
    weeks = None
    if gest:
        weeks, start, end, current = gest
        talks_of_loss = any(t in settings.gestation["loss_words"] for t in norm.tokens)
        if current:  # "im 7 weeks": pregnant now, so a pregnancy after a loss
            extra.append(Match(norm.text[start:end], "next_pregnancy", 100.0, start, end))
        elif talks_of_loss and not topics & _BORN_ALIVE:
            extra.append(Match(norm.text[start:end], loss_band(weeks, settings.gestation), 100.0,
                               start, end))
    teen = teen_marker(norm.text, settings.teen)
    if teen:
        extra.append(Match(teen[0], "teen", 100.0, teen[1], teen[2]))
    return weeks, extra


def _tidy(found: list[Found]) -> list[Found]:
    # one explanation per stretch of text: drop a match lying inside another of the same label
    # ("faint" inside "feel faint"), and inflected twins of the same words ("feels faint")
    ranked = sorted(found, key=lambda f: (f.start - f.end, -f.score))
    out: list[Found] = []
    spans: dict[str, list[tuple[int, int]]] = {}  # label -> spans kept so far
    for f in ranked:
        kept = spans.setdefault(f.entry.label, [])
        if not any(start <= f.start and f.end <= end for start, end in kept):
            kept.append((f.start, f.end))
            out.append(f)
    return out


def _learned(norm: Normalised, origin: list[int], evidence: Evidence) -> list[Match]:
    out = []
    for words, start, end in evidence.spans or [("", 0, 0)]:
        first, last = (norm.spans[origin[start]][0], norm.spans[origin[end - 1]][1]) if end else (0, 0)
        out.append(Match(words or "(risk model)", evidence.kind, evidence.score * 100, first, last))
    return out


def decide(norm: Normalised, origin: list[int], found: list[Found], settings,
           score: float = 0.0, evidence: Evidence | None = None,
           guess: Callable[[], tuple[str | None, float]] | None = None,
           signals: tuple[Match, ...] = ()) -> Triage:
    """Build the Triage from the matches kept after guards and contexts, the risk model's
    `evidence` when it scored the message as risky (used only when no risk phrase matched),
    its `guess()` at the topic, asked only when no phrase named one, and `signals` read from
    the text itself (a temperature)."""
    kept = _tidy(keep(found))
    if score < settings.weak_threshold:  # a weak phrase ("rope") needs the model's support
        kept = [f for f in kept if not f.entry.weak]
    matches = [Match(f.words, f.entry.label, f.score, *_span(norm, origin, f)) for f in kept]
    matches += signals
    risky = [m for m in matches if m.topic in _RISK_RANK]
    if not risky and evidence is not None:
        risky = _learned(norm, origin, evidence)
        matches += risky
    topics = {m.topic for m in matches if m.topic in _TOPIC_RANK}
    weeks, extra = _numbers(norm, topics, settings)
    matches += extra
    topics |= {m.topic for m in extra}
    if not topics - _FILLERS and guess is not None:
        topic, sure = guess()
        if topic is not None and topic not in _FILLERS and sure >= settings.topic_threshold:
            matches.append(Match("(topic model)", topic, sure * 100, 0, 0))
            topics.add(topic)
    if topics - _FILLERS:
        topics -= {"off_topic"}
    elif "off_topic" in topics:
        topics = {"off_topic"}  # "hi, is this the garage?" is a wrong number, not a greeting
    risky.sort(key=lambda m: (_RISK_RANK[m.topic], m.start))
    kind = risky[0].topic if risky else None
    return Triage(
        risk=bool(risky), risk_kind=kind,
        risk_phrases=tuple(dict.fromkeys(m.phrase for m in risky)),
        topics=tuple(sorted(topics, key=_TOPIC_RANK.__getitem__)),
        matches=tuple(sorted(matches, key=lambda m: (m.start, m.end, m.topic))),
        unsafe_to_text=any(f.entry.unsafe for f in kept),
        gestation_weeks=weeks,
        risk_score=score,
    )


__all__ = ["Evidence", "Match", "Triage", "decide", "keep", "follows", "cancelled", "LOSS_TOPICS"]
