"""Small factories for job tests: a conversation as it would stand, with its texts; each test overrides what it asserts on."""
from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, Optional

from sqlalchemy.orm import Session

from handoff import clock
from handoff.accounts import create_user
from handoff.models import (
    Author,
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
    Role,
    Status,
    User,
)

_numbers = itertools.cycle(range(100, 1000))  # Ofcom's drama range: never a real phone


def nurse(session: Session, email: str = "nurse@example.org") -> User:
    """An active nurse account."""
    user = create_user(session, email, Role.NURSE, "correct horse battery", clock.now())
    session.commit()
    return user


def conversation(session: Session, *, since: Optional[datetime] = None, priority: Priority = Priority.NORMAL,
                 contact: Optional[Contact] = None, opted_out: bool = False, body: str = "i lost my baby last week",
                 **values: Any) -> Conversation:
    """An open conversation whose parent (a new number unless given) wrote once at `since` (default now)."""
    since = since or clock.now()
    contact = contact or Contact(phone=f"+447700900{next(_numbers)}", created_at=since,
                                 opted_out_at=since if opted_out else None)
    fields = dict(status=Status.WAITING, priority=priority, waiting_since=since, opened_at=since,
                  last_parent_text_at=since, topics=[], risk_phrases=[])
    row = Conversation(contact=contact, **{**fields, **values})
    session.add(row)
    text(session, row, Author.PARENT, body, since)
    session.commit()
    return row


def text(session: Session, conversation: Conversation, author: Author, body: str, at: datetime, *,
         status: Optional[DeliveryStatus] = None, **values: Any) -> Message:
    """A text on a conversation: the parent's in, ours out (already sent as the TwiML answer unless told)."""
    incoming = author == Author.PARENT
    fields = dict(direction=Direction.IN if incoming else Direction.OUT, created_at=at, status_at=at, segments=1,
                  status=status or (DeliveryStatus.RECEIVED if incoming else DeliveryStatus.TWIML))
    message = Message(contact=conversation.contact, conversation=conversation, author=author, body=body,
                      **{**fields, **values})
    session.add(message)
    if incoming:
        conversation.last_parent_text_at = at
    session.flush()
    return message
