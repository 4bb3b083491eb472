"""Which reply a text gets: safety first, then one reply per burst of texts.

- A text showing risk, alone or read with the parent's texts just before it, gets the safety
  reply and makes the conversation urgent (risk read only across texts, in a conversation that is
  already urgent, gets the short urgent acknowledgement instead of the whole safety reply again).
- In an urgent conversation every other text gets the one-segment urgent acknowledgement, with
  999, unless a nurse holds the conversation.
- Otherwise the first text gets a full reply; follow-ups within the burst window get at most one
  short reply (a new topic's words alone, or the acknowledgement), then quiet until it passes.
- Near closing time the hours line warns that the line closes soon.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from handoff.models import Conversation, Priority, Status

CLOSING_WARNING = timedelta(minutes=30)  # a text this close to closing is told the line closes soon


@dataclass
class ReplyChoice:
    """What the bot knows when it answers one text."""

    services: Any
    conversation: Conversation
    triage: Any             # the text's own verdict
    risk: Any               # the verdict that showed risk (the text's, or its texts together), or None
    first: bool
    already: set[str]       # topics the conversation had before this text
    status: Any             # the opening hours now
    back_at: Optional[str]  # when nurses are back, when closed
    now: datetime

    def choose(self, contact, was_urgent: bool) -> Optional[str]:
        """The reply to send, or None for quiet; updates the conversation's burst marks."""
        c = self.conversation
        if self.risk is not None and not (self.risk is not self.triage and was_urgent):
            c.last_full_reply_at = self.now
            return self._compose(self.triage.topics, risk=self.risk)
        if contact.is_opted_out:
            return self.services.replies.opted_out_hint()
        if self.first:
            c.last_full_reply_at = self.now
            return self._compose(self.triage.topics)
        if c.status == Status.HELD:
            return None  # a nurse is talking with them: the bot keeps out of the way
        if c.priority == Priority.URGENT:
            return self.services.replies.urgent_ack(open_now=self.status.open, back_at=self.back_at)
        return self._follow_up()

    def _follow_up(self) -> Optional[str]:
        c, now = self.conversation, self.now
        quiet = self.services.quiet_topics
        new = tuple(t for t in self.triage.topics if t not in self.already and t not in quiet)
        window = timedelta(minutes=self.services.burst_minutes)
        if not (c.last_full_reply_at and now - c.last_full_reply_at < window):
            c.last_full_reply_at = now
            return self._compose(new or self.triage.topics)
        if c.last_ack_at is not None and c.last_ack_at >= c.last_full_reply_at:
            return None  # the burst has had its one follow-up reply
        c.last_ack_at = now
        if new:  # the new topic's words alone: no second intro or hours block inside a burst
            return self.services.replies.compose(topics=new, bare=True, relation=self._relation())
        return self.services.replies.burst_ack(open_now=self.status.open, back_at=self.back_at)

    def _compose(self, topics, risk=None) -> str:
        return self.services.replies.compose(
            risk_kind=risk.risk_kind if risk else None, topics=topics, first=self.first,
            open_now=self.status.open, back_at=self.back_at,
            unsafe_to_text=bool(risk and risk.unsafe_to_text), closing_at=self._closing(),
            relation=self._relation())

    def _closing(self) -> Optional[str]:
        # when the line closes within CLOSING_WARNING: when nurses are back after it
        closes = self.status.closes_at if self.status.open else None
        if closes is None or closes - self.now > CLOSING_WARNING:
            return None
        return self.services.hours.back_at(closes)

    def _relation(self) -> Optional[str]:
        return "grandparent" if self.triage.grandparent else None
