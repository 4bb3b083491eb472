"""Compose the bot's replies from a loaded catalogue."""
import re
from collections.abc import Iterable, Iterator
from functools import partial

from .schema import (BABY, BABY_WORDS, COMPOSED_BUDGET, FILLER_TOPICS, LOSS_ORGS, LOSS_TOPICS,
                     MAX_LOSS_ORGS, NO_CALLBACK_TOPICS, REPLY_BUDGET, RISK_KINDS, SUBSUMES, TOPIC_IDS,
                     Reply, mentions)
from .sms import segments, to_gsm7

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _essential(reply: Reply, warm: bool = False) -> list[str]:
    """The sentences of a reply that carry what it must name (its first, if none does), and
    with `warm` its first sentence too."""
    sentences = _SENTENCE_END.split(reply.text)
    must = reply.must_name()
    return [s for i, s in enumerate(sentences) if mentions(s, must) or (warm and i == 0)] or sentences[:1]


def _join(blocks: Iterable[str]) -> str:
    return "\n".join(b for b in blocks if b)


class Replies:
    """The reply catalogue: compose() for the bot, plus the fixed messages and canned replies."""

    def __init__(self, entries: dict[str, Reply], canned: list[Reply], source: str = "",
                 version: str = "", languages: dict[str, tuple[Reply, bool]] | None = None):
        self.entries = dict(entries)
        self.canned_replies = list(canned)
        self.source = source
        self.version = version  # a short hash of replies.yaml as read
        # language code -> (the short message in it, reviewed by a fluent speaker)
        self.languages = dict(languages or {})

    def __getitem__(self, reply_id: str) -> Reply:
        return self.entries[reply_id]

    def _text(self, reply_id: str, back_at: str | None = None) -> str:
        text = self.entries[reply_id].text
        if back_at is not None:
            text = text.replace("{back_at}", back_at)
        return text

    def _back_at(self, back_at: str | None) -> str:
        # the bot normally phrases it; a plain fallback keeps a closed reply honest without it
        if back_at and back_at.strip():
            return to_gsm7(back_at.strip())
        return self._text("parts.back_at_fallback")

    def compose(self, risk_kind=None, topics=(), first=False, open_now=True, back_at=None,
                unsafe_to_text=False, bare=False, closing_at=None, relation=None) -> str:
        """Compose the immediate reply to an inbound text (rules in the package docstring);
        `bare`: the topic replies alone, `closing_at`: the line closes soon and nurses are back
        then, `relation`: "grandparent" says "your grandchild" for "your baby"."""
        return self._compose(risk_kind, topics, first, open_now, back_at, unsafe_to_text, bare,
                             closing_at).replace("{" + BABY + "}", BABY_WORDS.get(relation, BABY_WORDS[None]))

    def _compose(self, risk_kind, topics, first, open_now, back_at, unsafe_to_text, bare,
                 closing_at) -> str:
        if risk_kind is not None and risk_kind not in RISK_KINDS:
            raise ValueError(f"unknown risk kind {risk_kind!r}; expected one of {RISK_KINDS}")
        topics = (topics,) if isinstance(topics, str) else tuple(topics or ())
        unknown = [t for t in topics if t not in TOPIC_IDS]
        if unknown:
            raise ValueError(f"unknown topic id(s) {unknown}; expected ids from {TOPIC_IDS}")
        back = None if open_now else self._back_at(back_at)
        if unsafe_to_text:
            return self.unsafe_frame(open_now, back)
        if risk_kind:
            return self.risk_frame(self.entries[f"risks.{risk_kind}"], first, open_now, back,
                                   teen="teen" in topics or "confidential" in topics)
        bodies = self._bodies(topics) or [self.entries["parts.general"]]
        if bare:
            return _join(r.text for r in bodies[:1])
        return self._fit(bodies, first, open_now, back, closing_at)

    def _bodies(self, topics: tuple[str, ...]) -> list[Reply]:
        """Pick the topic replies: the first two distinct, fillers only when alone."""
        wanted = list(dict.fromkeys(topics))
        if any(t not in FILLER_TOPICS for t in wanted):
            wanted = [t for t in wanted if t not in FILLER_TOPICS]
        covered = {t for w in wanted for t in SUBSUMES.get(w, ())}
        wanted = [t for t in wanted if t not in covered]
        bodies = [self._topic_reply(t, topics) for t in wanted[:2]]
        if len(bodies) == 2:
            first_orgs, second_orgs = (set(mentions(r.text, LOSS_ORGS)) for r in bodies)
            shotgun = len(first_orgs | second_orgs) > MAX_LOSS_ORGS
            if shotgun or (second_orgs and second_orgs <= first_orgs):  # or the same org twice
                bodies = bodies[:1]
        return bodies

    def _topic_reply(self, topic: str, topics: tuple[str, ...]) -> Reply:
        if topic == "practical":  # name the organisation for their kind of loss
            loss = next((t for t in topics if t in LOSS_TOPICS), None)
            if loss:
                return self.entries[f"practical_by_loss.{loss}"]
        return self.entries[f"topics.{topic}"]

    def frame(self, bodies: list[str], first: bool, open_now: bool, back_at: str | None,
              callback: bool = True, closing_at: str | None = None) -> str:
        """Put the intro and the in-hours or out-of-hours block around topic texts."""
        head = [self._text("parts.intro")] if first else []
        if open_now and closing_at:  # open, but not for long: say when nurses are back
            tail = self._text("parts.closing_soon", to_gsm7(closing_at))
        elif open_now:
            tail = self._text("parts.in_hours") if callback else ""
        else:
            tail = self._text("parts.out_of_hours", back_at or self._back_at(None))
        return _join(head + bodies + [tail])

    def risk_frame(self, risk: Reply, first: bool, open_now: bool, back_at: str | None,
                   teen: bool = False) -> str:
        """Put the risk reply first, then who is alerted, then (if they still fit) ChatHealth
        for a young person, then the intro."""
        if open_now:
            tail = self._text("parts.risk_in_hours")
        else:
            tail = self._text("parts.risk_out_of_hours", back_at or self._back_at(None))
        text = _join([risk.text, tail])
        for extra, wanted in ((self._text("parts.teen_risk"), teen), (self._text("parts.intro"), first)):
            if wanted and segments(_join([text, extra])) <= COMPOSED_BUDGET:
                text = _join([text, extra])
        return text

    def unsafe_frame(self, open_now: bool, back_at: str | None) -> str:
        """Return the short, neutral reply for someone it may not be safe to text."""
        if open_now:
            return self._text("parts.unsafe_to_text")
        tail = self._text("parts.unsafe_out_of_hours", back_at or self._back_at(None))
        return _join([self._text("parts.unsafe_to_text"), tail])

    def _fit(self, bodies: list[Reply], first: bool, open_now: bool, back_at: str | None,
             closing_at: str | None = None) -> str:
        """Drop the second topic, then the first topic's optional sentences, to fit the budget."""
        frame = partial(self.frame, first=first, open_now=open_now, back_at=back_at,
                        callback=not any(r.id.split(".")[1] in NO_CALLBACK_TOPICS for r in bodies),
                        closing_at=closing_at)
        text = frame([r.text for r in bodies])
        if segments(text) <= REPLY_BUDGET:
            return text
        if len(bodies) > 1:  # both topics, each cut to the sentences that carry its signpost,
            # the first keeping its opening words of sympathy if they fit
            for warm in (True, False):
                text = frame([" ".join(_essential(r, warm and r is bodies[0])) for r in bodies])
                if segments(text) <= REPLY_BUDGET:
                    return text
            text = frame([bodies[0].text])
        if segments(text) <= REPLY_BUDGET:
            return text
        sentences = _SENTENCE_END.split(bodies[0].text)
        kept = _essential(bodies[0])
        for sentence in sentences:  # add back what fits, keeping the original order
            if sentence in kept:
                continue
            trial = [s for s in sentences if s in kept or s == sentence]
            if segments(frame([" ".join(trial)])) <= REPLY_BUDGET:
                kept = trial
        return frame([" ".join(s for s in sentences if s in kept)])

    def help_text(self) -> str:
        """Return the reply to HELP or INFO: who we are, how to reach us, hours, 999."""
        return self._text("messages.help")

    def stop_howto(self) -> str:
        """Return the one line telling people to reply STOP for no more texts."""
        return self._text("messages.stop_howto")

    def burst_ack(self, open_now: bool, back_at: str | None = None) -> str:
        """Return the short acknowledgement for a follow-up text in a burst."""
        if open_now:
            return self._text("messages.burst_ack_open")
        return self._text("messages.burst_ack_closed", self._back_at(back_at))

    def urgent_ack(self, open_now: bool, back_at: str | None = None) -> str:
        """Return the short reply to a text in an urgent conversation: a nurse is alerted, 999."""
        if open_now:
            return self._text("messages.urgent_ack_open")
        return self._text("messages.urgent_ack_closed", self._back_at(back_at))

    def in_language(self, code: str | None) -> str | None:
        """Return the short message in the parent's language, once a fluent speaker has
        reviewed it (replies.yaml: languages); None until then."""
        reply, reviewed = self.languages.get(code or "", (None, False))
        return reply.text if reply is not None and reviewed else None

    def opted_in(self) -> str:
        """Return the confirmation sent after START: texts are back on."""
        return self._text("messages.opted_in")

    def opted_out_hint(self) -> str:
        """Return the reply to someone who opted out and texts again: how to turn texts back on."""
        return self._text("messages.opted_out_hint")

    def nurses_in(self) -> str:
        """Return the one text at opening to a parent who wrote while we were closed: nurses are in."""
        return self._text("messages.nurses_in")

    def canned(self) -> list[tuple[str, str, str]]:
        """Return the canned replies nurses can insert, as (id, label, text)."""
        return [(r.id.split(".", 1)[1], r.label, r.text) for r in self.canned_replies]

    def all_texts(self) -> Iterator[tuple[str, str]]:
        """Yield (reply id, template text) for every entry, canned replies included."""
        for reply in [*self.entries.values(), *self.canned_replies]:
            yield reply.id, reply.text
