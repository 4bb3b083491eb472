"""The `handover` job: at each opening, the conversations that waited through the night go to the nurses.

It runs at every opening time of the same hours file the webhook reads (weekdays 8am, Saturday
9am, none on bank holidays or closures). Every open conversation still waiting on an answer from
before the opening is marked for the first nurses in, in queue order (urgent first, then longest
waiting). With HELPLINE_HANDOVER_TEXT on (the default), each parent who wrote while the line was
closed gets one short text that the nurses are in, never an opted-out number and never a
conversation marked unsafe to text. Marks carry the opening they belong to, so a second run (or a
catch-up run after a restart) hands nothing over twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from apscheduler.triggers.base import BaseTrigger
from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from handoff import operations as ops
from handoff import schedule
from handoff.clock import OpeningTimes
from handoff.models import Author, Conversation, Status
from handoff.outbox import FAILURES, SmsSender, deliver
from handoff.queries import queue_order
from responses import segments

TICK = timedelta(microseconds=1)


class OpeningTrigger(BaseTrigger):
    """An APScheduler trigger that fires at each opening time of the hours file."""

    def __init__(self, hours: OpeningTimes):
        self.hours = hours

    def get_next_fire_time(self, previous_fire_time: Optional[datetime], now: datetime) -> Optional[datetime]:
        # the first opening at or after `now`, or after the previous one: never the same time twice
        start = now if previous_fire_time is None else previous_fire_time + TICK
        return self.hours.next_opening(start - TICK)

    def __str__(self) -> str:
        return "at each opening time"

    def __repr__(self) -> str:
        return f"<OpeningTrigger ({self.hours})>"


def waiting_at(session: Session, opening: datetime) -> list[Conversation]:
    """Open conversations waiting since before `opening` and not yet handed over for it, in queue order."""
    return list(session.scalars(select(Conversation).where(
        Conversation.status != Status.CLOSED, Conversation.waiting_since < opening,
        or_(Conversation.handed_over_at.is_(None), Conversation.handed_over_at < opening))
        .order_by(*queue_order())))


def hand_over_waiting(session: Session, sender: SmsSender, hours: OpeningTimes, now: datetime, *,
                      nurses_in: Optional[str]) -> dict[str, int]:
    """The `handover` job: mark the night's conversations and text their parents `nurses_in`; commit."""
    opening = hours.opened_at(now)
    if opening is None:  # run while closed (by hand, say): nobody is in to hand over to
        return {"handed_over": 0, "texted": 0, "text_failed": 0}
    closed_from = hours.last_closing(opening)
    handed = waiting_at(session, opening)
    texts = []
    for position, conversation in enumerate(handed, 1):
        text = nurses_in if nurses_in and _may_text(conversation, closed_from) else None
        if text:
            texts.append(ops.write_text(session, conversation, Author.BOT, text, segments(text), now).id)
        ops.hand_over(session, conversation, opening, now, position=position, of=len(handed), texted=bool(text))
    session.commit()  # marks and texts together, so no parent is texted twice for one opening
    sent = [deliver(session, sender, message_id, now) for message_id in texts]
    failed = sum(message is not None and message.status in FAILURES for message in sent)
    return {"handed_over": len(handed), "texted": len(texts), "text_failed": failed}


def _may_text(conversation: Conversation, closed_from: datetime) -> bool:
    """Wrote while we were closed, has not opted out, and is not a conversation unsafe to text."""
    wrote = conversation.last_parent_text_at
    return (wrote is not None and wrote >= closed_from and not conversation.contact.is_opted_out
            and not conversation.unsafe_to_text)


def init_app(app: Flask) -> None:
    """Register the `handover` job at each opening time of the app's hours."""
    hours = app.extensions["helpline"].hours
    text_parents = bool(app.config.get("HANDOVER_TEXT", True))

    def body(app_: Flask, session: Session, now: datetime) -> dict[str, int]:
        replies = app_.extensions["helpline"].replies
        return hand_over_waiting(session, app_.extensions["sender"], hours, now,
                                 nurses_in=replies.nurses_in() if text_parents else None)

    schedule.register(app, schedule.Job(
        "handover", "Hand the night's conversations to the first nurses in"
        + ("; text parents who wrote while closed" if text_parents else ""),
        OpeningTrigger(hours), body, when="at each opening time (hours file)", grace=timedelta(hours=2)))
