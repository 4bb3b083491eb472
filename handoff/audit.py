"""The two append-only logs in words, the audit log's one writer, and the retention purge's permit.

`events` is each conversation's own story (queued, claimed, replied, closed ...); `audit_log` is
who did what across the service (signed in, viewed a conversation, searched, exported ...).
Both refuse UPDATE and DELETE in the database itself; `purge_permit` is the only way to delete.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator, Optional

from sqlalchemy import delete
from sqlalchemy.orm import Session

from handoff.models import AuditEvent, AuditKind, EventKind, PurgePermit, User

# how each conversation event reads in a timeline; {who} is the actor, other fields come from its data
EVENT_WORDS: dict[EventKind, str] = {
    EventKind.QUEUED: "Joined the queue{out_of_hours} as {priority}.",
    EventKind.RISK_FLAGGED: "Risk flagged: {risk}{phrases}{texts}.",
    EventKind.CLAIMED: "{who} took this conversation.",
    EventKind.RELEASED: "{who} released it back to the queue.",
    EventKind.TRANSFERRED: "{who} transferred it to {to}.",
    EventKind.REPLIED: "{who} replied.",
    EventKind.NOTE: "Internal note by {who}",
    EventKind.CLOSED: "{who} closed it: {outcome}.",
    EventKind.OPTED_OUT: "The parent opted out of texts (STOP).",
    EventKind.OPTED_IN: "The parent opted back in to texts (START).",
    EventKind.READ: "{who} read this conversation.",
    EventKind.ESCALATED: "Waiting too long{waited}{alerted}.",
    EventKind.HANDED_OVER: "Handed over to the nurses at opening{position}{texted}.",
}

# how each audit entry reads on /audit
AUDIT_WORDS: dict[AuditKind, str] = {
    AuditKind.SIGNED_IN: "Signed in",
    AuditKind.SIGN_IN_FAILED: "Failed sign-in",
    AuditKind.SIGNED_OUT: "Signed out",
    AuditKind.CONVERSATION_VIEWED: "Viewed a conversation",
    AuditKind.CLAIMED: "Took a conversation",
    AuditKind.NUMBER_REVEALED: "Revealed a phone number",
    AuditKind.SEARCHED: "Searched conversations",
    AuditKind.EXPORTED: "Exported",
    AuditKind.ACCOUNT_CREATED: "Created an account",
    AuditKind.ACCOUNT_DEACTIVATED: "Deactivated an account",
    AuditKind.ROLE_CHANGED: "Changed a role",
    AuditKind.PASSWORD_RESET: "Reset a password",
    AuditKind.CATALOGUE_CHANGED: "Changed a catalogue",
    AuditKind.RETENTION_PURGED: "Retention purge",
    AuditKind.PROVIDER_COPIES_DELETED: "Deleted Twilio's copies of old texts",
}


def record(session: Session, kind: AuditKind, now: datetime, *, actor: Optional[User] = None,
           email: Optional[str] = None, conversation_id: Optional[int] = None, address: Optional[str] = None,
           **data: Any) -> AuditEvent:
    """Append one entry to the audit log; the caller commits (with the action it records)."""
    entry = AuditEvent(kind=AuditKind(kind), actor_id=actor.id if actor else None,
                       email=email or (actor.email if actor else None), conversation_id=conversation_id,
                       address=address, data=data, created_at=now)
    session.add(entry)
    return entry


@contextmanager
def purge_permit(session: Session, now: datetime) -> Iterator[None]:
    """Allow log rows to be deleted inside this block of the caller's transaction, and only there."""
    permit = PurgePermit(created_at=now)
    session.add(permit)
    session.flush()
    try:
        yield
    finally:
        session.execute(delete(PurgePermit).where(PurgePermit.id == permit.id))
        session.expunge(permit)
