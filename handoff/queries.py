"""Read-only queries over conversations: the queue and its order, timelines, staff lists."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from handoff.models import (AuditEvent, AuditKind, Conversation, Direction, Event, EventKind, Message, Priority,
                            Status, User)


def queue_order() -> tuple[Any, ...]:
    """Urgent first, then normal, then low; within each, longest waiting first, answered ones last."""
    rank = case({Priority.URGENT.value: 0, Priority.NORMAL.value: 1}, value=Conversation.priority, else_=2)
    return rank, Conversation.waiting_since.asc().nulls_last(), Conversation.id


def open_queue(session: Session) -> list[Conversation]:
    """Every open conversation, in the order nurses see them."""
    stmt = select(Conversation).where(Conversation.status != Status.CLOSED).order_by(*queue_order())
    return list(session.scalars(stmt))


def stored_reply(session: Session, sid: str) -> list[str] | None:
    """The replies already given to an inbound MessageSid, or None if that text is new."""
    inbound_id = session.scalar(select(Message.id).where(Message.twilio_sid == sid))
    if inbound_id is None:
        return None
    bodies = session.scalars(select(Message.body).where(Message.reply_to_id == inbound_id).order_by(Message.id))
    return list(bodies)


def recent_parent_texts(session: Session, conversation_id: int, since: datetime, limit: int) -> list[Message]:
    """The parent's latest texts on a conversation since a time, oldest first (at most `limit`)."""
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.direction == Direction.IN,
                              Message.created_at >= since)
        .order_by(Message.id.desc()).limit(limit))
    return list(reversed(list(rows)))


# --- read-only queries for the nurse inbox -------------------------------------------------------

def timeline(session: Session, conversation_id: int) -> list[Message | Event]:
    """A conversation's texts and log events merged by time (reads left out: they are audit)."""
    messages = session.scalars(select(Message).where(Message.conversation_id == conversation_id))
    events = session.scalars(select(Event).where(Event.conversation_id == conversation_id, Event.kind != EventKind.READ))
    items: list[Message | Event] = [*messages, *events]
    # an event written in the same instant as a text (a reply's "replied") sorts after it
    return sorted(items, key=lambda item: (item.created_at, isinstance(item, Event), item.id))


def earlier_conversations(session: Session, conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """Other conversations with the same number, newest first."""
    stmt = (select(Conversation).where(Conversation.contact_id == conversation.contact_id,
                                       Conversation.id != conversation.id)
            .order_by(Conversation.opened_at.desc(), Conversation.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def urgent_waiting(session: Session) -> list[Conversation]:
    """Urgent conversations nobody holds yet, longest waiting first."""
    stmt = (select(Conversation).where(Conversation.status == Status.WAITING,
                                       Conversation.priority == Priority.URGENT)
            .order_by(Conversation.waiting_since.asc().nulls_last(), Conversation.id))
    return list(session.scalars(stmt))


def active_staff(session: Session) -> list[User]:
    """Every active account, by email: the colleagues a conversation can be transferred to."""
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.email)))


def last_read_at(session: Session, conversation_id: int, user_id: int) -> datetime | None:
    """When this member of staff last had a view of this conversation audited."""
    return session.scalar(select(func.max(AuditEvent.created_at)).where(
        AuditEvent.conversation_id == conversation_id, AuditEvent.kind == AuditKind.CONVERSATION_VIEWED,
        AuditEvent.actor_id == user_id))
