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
from handoff.queries import recent_parent_texts, stored_reply
from bot.replying import ReplyChoice
from responses import segments

if TYPE_CHECKING:
    from bot.services import Services

NUL_REPLACEMENT = "\ufffd"
MAX_STORED = 10_000  # Twilio delivers at most 1,600 characters; anything longer is not from Twilio
# risk spread over a parent's texts is judged over their latest few, read together
CONVERSATION_WINDOW = timedelta(hours=6)
CONVERSATION_TEXTS = 5


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
    was_urgent = not first and conversation.priority == Priority.URGENT
    earlier = [] if first or triage.risk else recent_parent_texts(
        session, conversation.id, now - CONVERSATION_WINDOW, CONVERSATION_TEXTS - 1)
    risk = triage if triage.risk else _across(services, earlier, body)
    if first:
        conversation = ops.queue(
            session, contact, now, priority=_priority(triage), topics=triage.topics,
            out_of_hours=not status.open, risk_kind=triage.risk_kind, risk_phrases=triage.risk_phrases,
            unsafe_to_text=triage.unsafe_to_text)
        already = set()
    else:
        already = set(conversation.topics or [])
        ops.add_topics(conversation, triage.topics)
        if risk is not None:
            ops.escalate(session, conversation, now, risk_kind=risk.risk_kind, phrases=risk.risk_phrases,
                         unsafe_to_text=risk.unsafe_to_text, texts=len(earlier) + 1 if risk is not triage else 1)
    if triage.language_mostly and not conversation.language:
        conversation.language = triage.language  # the nurse sees it, and may book an interpreter
    message = ops.record_inbound(session, contact, conversation, body, inbound.sid, now,
                                 language=triage.language, made_urgent=risk is not None)
    if risk is not None and risk is not triage:  # urgent only read together: mark them all
        for text in earlier:
            text.made_urgent = True
    choice = ReplyChoice(services, conversation, triage, risk, first, already, status, back_at, now)
    text = choice.choose(contact, was_urgent)
    texts = [text] if text else []
    if text and triage.language_mostly and (own := services.replies.in_language(triage.language)):
        texts.append(own)  # a short word in their language, once a fluent speaker has checked it
    return _finish(session, services, message, texts, now, conversation)


def _across(services, earlier, body: str):
    """The risk the parent's recent texts show read together, when this one alone does not."""
    if not earlier:
        return None
    together = services.catalogue.triage("\n".join([*(m.body for m in earlier), body]))
    return together if together.risk else None


def _priority(triage) -> Priority:
    if triage.risk:
        return Priority.URGENT
    if triage.topics and set(triage.topics) <= {"off_topic"}:
        return Priority.LOW
    return Priority.NORMAL


def _finish(session, services, inbound_message, texts: list[str], now, conversation,
            action="reply") -> Outcome:
    for text in texts:
        ops.record_bot_reply(session, inbound_message, text, segments(text), now, **services.versions)
    return Outcome(replies=texts, conversation=conversation, action=action)
