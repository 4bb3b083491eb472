"""Read-only queries over conversations: the queue and its order."""
from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from handoff.models import Conversation, Message, Priority, Status


def queue_order() -> tuple[Any, ...]:
    """Urgent first, then normal, then low; within each, longest waiting first."""
    rank = case({Priority.URGENT.value: 0, Priority.NORMAL.value: 1}, value=Conversation.priority, else_=2)
    return rank, Conversation.waiting_since, Conversation.id


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
