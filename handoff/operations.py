"""Verb-named operations on conversations. Views, the webhook and jobs call only these.

Each takes the actor and `now`, changes the rows, and appends its event; the caller commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handoff.models import (
    Author,
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    Event,
    EventKind,
    Message,
    Outcome,
    Priority,
    Status,
    User,
)
from handoff.queries import queue_order


class NotAllowed(Exception):
    """The actor may not do this (not the holder, opted out, closed ...); the message says why."""


def log(session: Session, conversation: Conversation, kind: EventKind, now: datetime, *,
        actor: Optional[User] = None, actor_kind: Optional[str] = None, **data: Any) -> Event:
    """Append one event to a conversation's log."""
    entry = Event(conversation=conversation, kind=EventKind(kind), created_at=now, data=data,
                  actor_id=actor.id if actor else None,
                  actor_kind=actor_kind or (actor.role.value if actor else "bot"))
    session.add(entry)
    return entry


def contact_for(session: Session, phone: str, now: datetime) -> Contact:
    """The contact row for a number, created on first sight."""
    contact = session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is None:  # a number texting at once from two requests: the unique phone decides
        contact = Contact(phone=phone, created_at=now)
        session.add(contact)
    return contact


def open_conversation(session: Session, contact: Contact) -> Optional[Conversation]:
    """The number's open conversation, if any."""
    if contact.id is None:  # new this transaction: it has none
        return None
    return session.scalar(select(Conversation).where(
        Conversation.contact_id == contact.id, Conversation.status != Status.CLOSED))


def queue(session: Session, contact: Contact, now: datetime, *, priority: Priority, topics: Iterable[str],
          out_of_hours: bool, risk_kind: Optional[str] = None, risk_phrases: Iterable[str] = (),
          unsafe_to_text: bool = False) -> Conversation:
    """Open a conversation for a number and put it in the nurses' queue."""
    conversation = Conversation(
        contact=contact, status=Status.WAITING, priority=priority, waiting_since=now, opened_at=now,
        topics=list(topics), risk_kind=risk_kind, risk_phrases=list(risk_phrases),
        unsafe_to_text=unsafe_to_text, arrived_out_of_hours=out_of_hours, last_parent_text_at=now)
    session.add(conversation)
    log(session, conversation, EventKind.QUEUED, now, priority=priority.value, topics=list(topics),
        out_of_hours=out_of_hours)
    if risk_kind:
        log(session, conversation, EventKind.RISK_FLAGGED, now, risk_kind=risk_kind, phrases=list(risk_phrases))
    return conversation


def add_topics(conversation: Conversation, topics: Iterable[str]) -> None:
    """Record topics seen in a follow-up text."""
    merged = list(conversation.topics or [])
    merged += [t for t in topics if t not in merged]
    conversation.topics = merged


def escalate(session: Session, conversation: Conversation, now: datetime, *, risk_kind: str,
             phrases: Iterable[str], unsafe_to_text: bool = False, texts: int = 1) -> None:
    """Make a conversation urgent because a text showed risk (or the parent's last `texts`
    texts read together did); it jumps the queue."""
    conversation.priority = Priority.URGENT
    if conversation.risk_kind is None:
        conversation.risk_kind = risk_kind
    conversation.risk_phrases = list(dict.fromkeys([*(conversation.risk_phrases or []), *phrases]))
    conversation.unsafe_to_text = conversation.unsafe_to_text or unsafe_to_text
    data = {"texts": texts} if texts > 1 else {}
    log(session, conversation, EventKind.RISK_FLAGGED, now, risk_kind=risk_kind, phrases=list(phrases), **data)


def record_inbound(session: Session, contact: Contact, conversation: Optional[Conversation], body: str,
                   sid: Optional[str], now: datetime, language: Optional[str] = None,
                   made_urgent: bool = False) -> Message:
    """Store a parent's text, on its conversation when one is open: its language when not
    English, and whether it made the conversation urgent."""
    message = Message(contact=contact, conversation=conversation, direction=Direction.IN, author=Author.PARENT, body=body,
                      twilio_sid=sid, status=DeliveryStatus.RECEIVED, created_at=now, status_at=now,
                      language=language, made_urgent=made_urgent)
    session.add(message)
    if conversation is not None:
        conversation.last_parent_text_at = now
        if conversation.waiting_since is None:  # a nurse had answered everything: waiting starts again
            conversation.waiting_since = now
    return message


def record_bot_reply(session: Session, inbound: Message, body: str, segments: int, now: datetime,
                     catalogue_version: Optional[str] = None, model_version: Optional[str] = None) -> Message:
    """Store the bot's reply to a text, sent as the webhook's TwiML answer, with the versions of
    the rules that chose it."""
    message = Message(contact=inbound.contact, conversation=inbound.conversation, direction=Direction.OUT, author=Author.BOT, body=body,
                      reply_to=inbound, status=DeliveryStatus.TWIML, segments=segments,
                      created_at=now, status_at=now, catalogue_version=catalogue_version,
                      model_version=model_version)
    session.add(message)
    return message


def opt_out(session: Session, contact: Contact, now: datetime) -> None:
    """Record that a number asked for no more texts."""
    if contact.opted_out_at is None:
        contact.opted_out_at = now
    conversation = open_conversation(session, contact)
    if conversation is not None:
        log(session, conversation, EventKind.OPTED_OUT, now, actor_kind="parent")


def opt_in(session: Session, contact: Contact, now: datetime) -> None:
    """Record that a number wants texts again (START)."""
    contact.opted_out_at = None
    conversation = open_conversation(session, contact)
    if conversation is not None:
        log(session, conversation, EventKind.OPTED_IN, now, actor_kind="parent")


def claim(session: Session, conversation_id: int, nurse: User, now: datetime) -> bool:
    """Take a waiting conversation; atomic, so two nurses never hold the same one."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == Status.WAITING,
               Conversation.holder_id.is_(None))
        .values(status=Status.HELD, holder_id=nurse.id, claimed_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    conversation = session.get(Conversation, conversation_id, populate_existing=True)
    log(session, conversation, EventKind.CLAIMED, now, actor=nurse)
    return True


def claim_next(session: Session, nurse: User, now: datetime) -> Optional[Conversation]:
    """Take the most urgent, longest-waiting unclaimed conversation, or None if there is none."""
    for _ in range(20):  # a colleague may win a row between our read and our update: try the next
        stmt = (select(Conversation.id).where(Conversation.status == Status.WAITING)
                .order_by(*queue_order()).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        conversation_id = session.scalar(stmt)
        if conversation_id is None:
            return None
        if claim(session, conversation_id, nurse, now):
            return session.get(Conversation, conversation_id)
    return None


def _require_holder(conversation: Conversation, nurse: User) -> None:
    if conversation.status != Status.HELD or conversation.holder_id != nurse.id:
        raise NotAllowed("Only the nurse who holds this conversation can do that.")


def release(session: Session, conversation: Conversation, nurse: User, now: datetime) -> None:
    """Give a held conversation back to the queue, keeping its place."""
    _require_holder(conversation, nurse)
    conversation.status, conversation.holder_id, conversation.claimed_at = Status.WAITING, None, None
    log(session, conversation, EventKind.RELEASED, now, actor=nurse)


def transfer(session: Session, conversation: Conversation, nurse: User, to: User, now: datetime) -> None:
    """Hand a held conversation to a named, active colleague."""
    _require_holder(conversation, nurse)
    if not to.is_active or to.id == nurse.id:
        raise NotAllowed("Choose an active colleague to transfer to.")
    conversation.holder_id, conversation.claimed_at = to.id, now
    log(session, conversation, EventKind.TRANSFERRED, now, actor=nurse, to=to.email)


def close(session: Session, conversation: Conversation, nurse: User, outcome: Outcome, now: datetime) -> None:
    """Close a held conversation with its outcome."""
    _require_holder(conversation, nurse)
    conversation.status, conversation.outcome, conversation.closed_at = Status.CLOSED, outcome, now
    log(session, conversation, EventKind.CLOSED, now, actor=nurse, outcome=outcome.value)


def add_note(session: Session, conversation: Conversation, staff: User, note: str, now: datetime) -> Event:
    """Add an internal note (never sent to the parent)."""
    return log(session, conversation, EventKind.NOTE, now, actor=staff, note=note)


def reply(session: Session, conversation: Conversation, nurse: User, body: str, segments: int,
          now: datetime) -> Message:
    """Write a nurse's reply to the outbox; the sender sends it after the commit."""
    _require_holder(conversation, nurse)
    if conversation.contact.is_opted_out:
        raise NotAllowed("This parent has opted out: texting is blocked until they reply START.")
    message = write_text(session, conversation, Author.NURSE, body, segments, now, author_id=nurse.id)
    conversation.waiting_since = None  # the parent has a nurse's answer: nobody is waiting on us
    log(session, conversation, EventKind.REPLIED, now, actor=nurse, message_id=message.id)
    return message


def write_text(session: Session, conversation: Conversation, author: Author, body: str, segments: int,
               now: datetime, *, author_id: Optional[int] = None) -> Message:
    """Put a text to the parent in the outbox; the caller commits, then hands it to `outbox.deliver`."""
    message = Message(contact=conversation.contact, conversation=conversation, direction=Direction.OUT,
                      author=author, author_id=author_id, body=body, status=DeliveryStatus.PENDING,
                      segments=segments, created_at=now, status_at=now)
    session.add(message)
    session.flush()
    return message


# --- what the scheduled jobs do to a conversation (the actor is the helpline itself) -------------

def mark_waiting_too_long(session: Session, conversation: Conversation, now: datetime, *, waited_minutes: int,
                          alerted: str) -> None:
    """Mark a conversation nobody has taken as waiting too long, saying who was alerted ('' for nobody)."""
    conversation.escalated_at = now
    log(session, conversation, EventKind.ESCALATED, now, actor_kind="system", waited_minutes=waited_minutes,
        alerted=alerted)


def hand_over(session: Session, conversation: Conversation, opening: datetime, now: datetime, *, position: int,
              of: int, texted: bool) -> None:
    """Mark a conversation that waited through a closed spell for the nurses who open at `opening`."""
    conversation.handed_over_at = opening
    log(session, conversation, EventKind.HANDED_OVER, now, actor_kind="system", position=position, of=of,
        texted=texted)


def close_stale(session: Session, conversation: Conversation, now: datetime) -> None:
    """Close a conversation whose parent stopped replying to our last text."""
    conversation.status, conversation.outcome, conversation.closed_at = Status.CLOSED, Outcome.STOPPED_REPLYING, now
    log(session, conversation, EventKind.CLOSED, now, actor_kind="system", outcome=Outcome.STOPPED_REPLYING.value)

