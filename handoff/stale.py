"""The `stale` job: a conversation whose parent went quiet after our last text closes by itself.

Closed with the outcome "parent stopped replying" when the last message is ours (the bot's or a
nurse's), it reached Twilio, and HELPLINE_STALE_DAYS (7) have passed without a reply. Never when
the last message is the parent's (they are waiting on us), never when our last text failed or is
still being sent (the parent may not have it), and never an urgent conversation no nurse has
replied to. A parent who writes again later starts a new conversation.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from handoff import operations as ops
from handoff import schedule
from handoff.models import Author, Conversation, DeliveryStatus, Direction, Message, Priority, Status

# an outgoing text in one of these may never have reached the parent
NOT_ARRIVED = (DeliveryStatus.PENDING, DeliveryStatus.RETRY, DeliveryStatus.SENDING,
               DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)


def stale(session: Session, now: datetime, quiet_for: timedelta) -> list[Conversation]:
    """Open conversations whose last message is a text of ours that arrived, older than `quiet_for`."""
    last_id = (select(func.max(Message.id)).where(Message.conversation_id == Conversation.id)
               .correlate(Conversation).scalar_subquery())
    last = aliased(Message)
    nurse_replied = exists().where(Message.conversation_id == Conversation.id, Message.author == Author.NURSE)
    return list(session.scalars(
        select(Conversation).join(last, last.id == last_id)
        .where(Conversation.status != Status.CLOSED, last.direction == Direction.OUT,
               last.created_at <= now - quiet_for, last.status.not_in(NOT_ARRIVED),
               or_(Conversation.priority != Priority.URGENT, nurse_replied))
        .order_by(Conversation.id)))


def close_stale_conversations(session: Session, now: datetime, quiet_for: timedelta) -> dict[str, int]:
    """The `stale` job: close each stale conversation with "parent stopped replying"; commit."""
    closing = stale(session, now, quiet_for)
    for conversation in closing:
        ops.close_stale(session, conversation, now)
    session.commit()
    return {"closed": len(closing)}


def init_app(app: Flask) -> None:
    """Register the `stale` job hourly; HELPLINE_STALE_DAYS=0 turns it off."""
    days = int(app.config.get("STALE_DAYS") if app.config.get("STALE_DAYS") is not None else 7)
    schedule.register(app, schedule.Job(
        "stale", f"Close conversations where our text was the last and {days} days passed with no reply",
        schedule.hourly(minute=7) if days else None,
        lambda app_, session, now: close_stale_conversations(session, now, timedelta(days=days)),
        when="hourly at 7 minutes past", grace=timedelta(minutes=50),
        off_because="HELPLINE_STALE_DAYS is 0"))

