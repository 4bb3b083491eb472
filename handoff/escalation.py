"""The `escalation` job: a parent waiting too long with no nurse is marked, and someone is told.

While the line is open, an urgent conversation nobody has taken for HELPLINE_ESCALATE_URGENT_MINUTES
(5), or a normal one past HELPLINE_ESCALATE_NORMAL_MINUTES (30), is marked "waiting too long" on
the queue and the on-call contact gets one text for the lot. A wait that began while closed counts
from the opening, so the overnight queue does not all escalate at 8am; the handover sorts it.
While closed, only urgent conversations escalate, and only to the out-of-hours contact if one is
set; otherwise they wait at the top of the queue for the first nurse in.

"Waiting" is `Conversation.waiting_since`, as on the queue. Each wait is escalated once
(`escalated_at` at or after `waiting_since`); a new text from the parent starts a new wait. The
alert names no parent and quotes nothing: a count, and where to look.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Optional

from flask import Flask
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from handoff import operations as ops
from handoff import schedule
from handoff.clock import OpeningTimes
from handoff.models import Conversation, Priority, Status
from handoff.outbox import SendError, SmsSender
from handoff.queries import queue_order

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """How long is too long, and who is told."""

    urgent_after: timedelta = timedelta(minutes=5)
    normal_after: timedelta = timedelta(minutes=30)
    oncall: Optional[str] = None  # HELPLINE_ONCALL_NUMBER
    out_of_hours: Optional[str] = None  # HELPLINE_OUT_OF_HOURS_NUMBER
    inbox_url: Optional[str] = None  # HELPLINE_PUBLIC_URL, for the link in the alert

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Policy":
        """The policy the settings describe."""
        return cls(urgent_after=timedelta(minutes=int(config.get("ESCALATE_URGENT_MINUTES") or 5)),
                   normal_after=timedelta(minutes=int(config.get("ESCALATE_NORMAL_MINUTES") or 30)),
                   oncall=config.get("ONCALL_NUMBER") or None, out_of_hours=config.get("OUT_OF_HOURS_NUMBER") or None,
                   inbox_url=config.get("PUBLIC_URL") or None)


def overdue(session: Session, hours: OpeningTimes, now: datetime, policy: Policy) -> list[Conversation]:
    """Conversations nobody holds whose current wait is past its limit and not yet escalated."""
    opened = hours.opened_at(now)
    if opened is not None:
        limits = {Priority.URGENT: policy.urgent_after, Priority.NORMAL: policy.normal_after}
    else:
        limits = {Priority.URGENT: policy.urgent_after} if policy.out_of_hours else {}
    # max(waiting_since, opened) <= cutoff, written as both <= cutoff
    clauses = [and_(Conversation.priority == priority, Conversation.waiting_since <= now - after)
               for priority, after in limits.items() if opened is None or opened <= now - after]
    if not clauses:
        return []
    not_yet = or_(Conversation.escalated_at.is_(None), Conversation.escalated_at < Conversation.waiting_since)
    return list(session.scalars(select(Conversation).where(
        Conversation.status == Status.WAITING, Conversation.waiting_since.is_not(None), not_yet, or_(*clauses))
        .order_by(*queue_order())))


def alert_text(conversations: list[Conversation], inbox_url: Optional[str]) -> str:
    """The alert: how many are waiting too long, how many urgent, where to look. No parent is named."""
    count, urgent = len(conversations), sum(c.priority == Priority.URGENT for c in conversations)
    who = "1 parent is" if count == 1 else f"{count} parents are"
    detail = "" if not urgent else " (urgent)" if urgent == count else f" ({urgent} urgent)"
    where = f"{inbox_url}/queue" if inbox_url else "the inbox"
    return f"Parentline: {who} waiting too long with no nurse{detail}. Please check {where}"


def escalate_waiting(session: Session, sender: SmsSender, hours: OpeningTimes, now: datetime,
                     policy: Policy) -> dict[str, int]:
    """The `escalation` job: alert whoever is on for the overdue conversations, then mark them; commit."""
    due = overdue(session, hours, now, policy)
    if not due:
        return {"overdue": 0, "alerted": 0, "marked": 0}
    on_call = hours.opened_at(now) is not None
    contact, role = (policy.oncall, "on-call") if on_call else (policy.out_of_hours, "out-of-hours")
    sent = _alert(sender, contact, role, due, policy)
    if sent is None:  # a retryable failure: mark nothing, so the next run alerts again
        session.rollback()
        return {"overdue": len(due), "alerted": 0, "marked": 0, "alert_failed": 1}
    opened = hours.opened_at(now)
    for conversation in due:
        start = max(conversation.waiting_since, opened) if opened else conversation.waiting_since
        ops.mark_waiting_too_long(session, conversation, now, waited_minutes=int((now - start).total_seconds() // 60),
                                  alerted=role if sent else "")
    session.commit()
    return {"overdue": len(due), "alerted": int(sent), "marked": len(due)}


def _alert(sender: SmsSender, contact: Optional[str], role: str, due: list[Conversation],
           policy: Policy) -> Optional[bool]:
    """Text the contact; True if sent, False if there is nobody to tell or they cannot be texted, None to retry."""
    if not contact:
        return False
    try:
        sender.send(contact, alert_text(due, policy.inbox_url), None)
    except SendError as exc:
        log.error("escalation: the %s contact could not be texted (%s)%s", role, exc.code,
                  ", will try again" if exc.retryable else "; check the number in the settings")
        return None if exc.retryable else False
    return True


def init_app(app: Flask) -> None:
    """Register the `escalation` job (every HELPLINE_ESCALATION_EVERY_SECONDS, default 60)."""
    seconds = int(app.config.get("ESCALATION_EVERY_SECONDS") or 60)
    policy = Policy.from_config(app.config)

    def body(app_: Flask, session: Session, now: datetime) -> dict[str, int]:
        return escalate_waiting(session, app_.extensions["sender"], app_.extensions["helpline"].hours, now, policy)

    schedule.register(app, schedule.Job(
        "escalation", "Mark parents waiting too long with no nurse; alert the on-call contact",
        schedule.every(seconds), body, when=f"every {seconds} s"))
