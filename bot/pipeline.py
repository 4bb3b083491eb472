"""The inbound-text pipeline: risk check, keywords, triage, hours, reply.

One function, `handle`, used by both the webhook and `helpline simulate`. It writes through the
`handoff` operations; the caller commits, so a text, its queue entry and the reply land together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

from sqlalchemy.orm import Session

from handoff import operations as ops
from handoff.models import Conversation, Priority, Status
from handoff.queries import stored_reply
from responses import segments

if TYPE_CHECKING:
    from bot.services import Services

NUL_REPLACEMENT = "\ufffd"
MAX_STORED = 10_000  # Twilio delivers at most 1,600 characters; anything longer is not from Twilio


@dataclass(frozen=True)
class Inbound:
    """A text as Twilio delivered it."""

    phone: str
    body: str
    sid: Optional[str]
    now: datetime
    opt_out_type: Optional[str] = None  # Twilio's OptOutType: STOP, START or HELP


@dataclass
class Outcome:
    """What the pipeline decided, for the webhook, the CLI and tests."""

    replies: list[str] = field(default_factory=list)
    conversation: Optional[Conversation] = None
    duplicate: bool = False
    action: str = "reply"

    # read after the commit, which assigns the ids (the session does not expire on commit)
    @property
    def conversation_id(self) -> Optional[int]:
        return self.conversation.id if self.conversation else None

    @property
    def priority(self) -> Optional[str]:
        return self.conversation.priority.value if self.conversation else None


def clean_body(body: str) -> str:
    """Keep the text as received, except NUL (PostgreSQL cannot hold it) and absurd lengths."""
    return (body or "").replace("\x00", NUL_REPLACEMENT)[:MAX_STORED]


def handle(session: Session, services: "Services", inbound: Inbound) -> Outcome:
    """Run one inbound text through the pipeline; the caller commits."""
    # the pure work first, before the first statement opens the (write) transaction
    body = clean_body(inbound.body)
    triage = services.catalogue.triage(body)  # risk is decided first, inside triage
    keyword = _keyword(services, body, inbound.opt_out_type)
    if inbound.sid:
        previous = stored_reply(session, inbound.sid)
        if previous is not None:
            return Outcome(replies=previous, duplicate=True, action="duplicate")
    contact = ops.contact_for(session, inbound.phone, inbound.now)
    conversation = ops.open_conversation(session, contact)
    if not triage.risk and keyword in ("stop", "start", "help"):
        return _keyword_text(session, services, inbound, body, keyword, contact, conversation)
    if not triage.risk and keyword == "yes" and contact.is_opted_out:
        return _keyword_text(session, services, inbound, body, "start", contact, conversation)
    return _ordinary_text(session, services, inbound, body, triage, contact, conversation)


def _keyword(services, body: str, opt_out_type: Optional[str]) -> Optional[str]:
    twilio = (opt_out_type or "").strip().upper()
    if twilio in ("STOP", "START", "HELP"):
        return twilio.lower()
    return services.catalogue.keyword(body)  # the loaded catalogue's words, edits included


def _keyword_text(session, services, inbound, body, keyword, contact, conversation) -> Outcome:
    message = ops.record_inbound(session, contact, conversation, body, inbound.sid, inbound.now)
    text = None
    if keyword == "stop":
        ops.opt_out(session, contact, inbound.now)
    elif keyword == "start":
        ops.opt_in(session, contact, inbound.now)
        if inbound.opt_out_type is None:  # Twilio confirms START itself when it marks it
            text = services.replies.opted_in()
    elif inbound.opt_out_type is None or services.answer_twilio_help:
        text = services.replies.help_text()
    return _finish(session, services, message, [text] if text else [], inbound.now, conversation,
                   action=keyword)


def _ordinary_text(session, services, inbound, body, triage, contact, conversation) -> Outcome:
    now = inbound.now
    status = services.hours.status(now)
    back_at = None if status.open else services.hours.back_at(now)
    first = conversation is None
    if first:
        conversation = ops.queue(
            session, contact, now, priority=_priority(triage), topics=triage.topics,
            out_of_hours=not status.open, risk_kind=triage.risk_kind, risk_phrases=triage.risk_phrases,
            unsafe_to_text=triage.unsafe_to_text)
        already = set()
    else:
        already = set(conversation.topics or [])
        ops.add_topics(conversation, triage.topics)
        if triage.risk:
            ops.escalate(session, conversation, now, risk_kind=triage.risk_kind,
                         phrases=triage.risk_phrases, unsafe_to_text=triage.unsafe_to_text)
    message = ops.record_inbound(session, contact, conversation, body, inbound.sid, now)
    text = _choose_reply(services, conversation, triage, first, already, status.open, back_at, contact, now)
    return _finish(session, services, message, [text] if text else [], now, conversation)


def _priority(triage) -> Priority:
    if triage.risk:
        return Priority.URGENT
    if triage.topics and set(triage.topics) <= {"off_topic"}:
        return Priority.LOW
    return Priority.NORMAL


def _choose_reply(services, conversation: Conversation, triage, first: bool, already: set[str],
                  open_now: bool, back_at: Optional[str], contact, now: datetime) -> Optional[str]:
    """Risk always gets its safety reply; a burst of texts gets one full reply, then one short ack."""
    compose = services.replies.compose
    if triage.risk:
        conversation.last_full_reply_at = now
        return compose(risk_kind=triage.risk_kind, topics=triage.topics, first=first, open_now=open_now,
                       back_at=back_at, unsafe_to_text=triage.unsafe_to_text)
    if contact.is_opted_out:
        return services.replies.opted_out_hint()
    if first:
        conversation.last_full_reply_at = now
        return compose(risk_kind=None, topics=triage.topics, first=True, open_now=open_now, back_at=back_at)
    if conversation.status == Status.HELD:
        return None  # a nurse is talking with them: the bot keeps out of the way
    window = timedelta(minutes=services.burst_minutes)
    recent = conversation.last_full_reply_at and now - conversation.last_full_reply_at < window
    new_topics = tuple(t for t in triage.topics if t not in already and t not in services.quiet_topics)
    if not recent or new_topics:
        conversation.last_full_reply_at = now
        return compose(risk_kind=None, topics=new_topics or triage.topics, first=False, open_now=open_now,
                       back_at=back_at)
    if conversation.last_ack_at is None or conversation.last_ack_at < conversation.last_full_reply_at:
        conversation.last_ack_at = now
        return services.replies.burst_ack(open_now=open_now, back_at=back_at)
    return None


def _finish(session, services, inbound_message, texts: list[str], now, conversation,
            action="reply") -> Outcome:
    for text in texts:
        ops.record_bot_reply(session, inbound_message, text, segments(text), now, **services.versions)
    return Outcome(replies=texts, conversation=conversation, action=action)
