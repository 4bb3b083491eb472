"""The `retention` job: closed conversations older than the retention period are deleted.

Off until the service sets HELPLINE_RETENTION_DAYS (at least 30). Each hour it deletes, in batches,
every conversation closed longer ago than that, with everything that hangs off it: its texts,
its log events (under `audit.purge_permit`, the only way log rows can go) and any row of any
table that refers to those texts or conversations (a search index, say). Texts that never
belonged to a conversation (a lone STOP) go by their own age, and so does a phone number once
nothing refers to it, unless it opted out: the opt-out is kept so we never text it again.
Each batch writes one audit entry of counts, in the same transaction as the deletions; the
audit log keeps who read what, which outlives the conversation.

With HELPLINE_TWILIO_DELETE_AFTER_DAYS set, Twilio's own copies of texts to and from our number
are deleted through its REST API once they are that old.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable, Optional

from flask import Flask
from sqlalchemy import Column, Table, delete, exists, select
from sqlalchemy.orm import Session

from handoff import audit, schedule
from handoff.models import AuditKind, Base, Contact, Conversation, Message, Status
from handoff.outbox import SendError, SmsSender

log = logging.getLogger(__name__)
BATCH = 500  # conversations per transaction: short locks, bounded memory
MAX_BATCHES = 40  # per run; the next run carries on


def purge_closed(session: Session, now: datetime, keep: timedelta, *, batch: int = BATCH,
                 max_batches: int = MAX_BATCHES) -> dict[str, int]:
    """Delete conversations closed before `now - keep`, batch by batch, each with its audit entry; commit."""
    cutoff, totals = now - keep, Counter[str]()
    for _ in range(max_batches):
        conversation_ids = list(session.scalars(select(Conversation.id).where(
            Conversation.status == Status.CLOSED, Conversation.closed_at < cutoff)
            .order_by(Conversation.id).limit(batch)))
        loose_ids = list(session.scalars(select(Message.id).where(
            Message.conversation_id.is_(None), Message.created_at < cutoff).order_by(Message.id).limit(batch)))
        if not conversation_ids and not loose_ids:
            break
        counts = _purge_batch(session, conversation_ids, loose_ids, now)
        audit.record(session, AuditKind.RETENTION_PURGED, now, older_than_days=keep.days, **counts)
        session.commit()
        totals.update(counts)
    return {"conversations": totals["conversations"], "messages": totals["messages"],
            "events": totals["events"], "contacts": totals["contacts"]}


def _purge_batch(session: Session, conversation_ids: list[int], loose_ids: list[int],
                 now: datetime) -> dict[str, int]:
    contact_ids = set(session.scalars(select(Conversation.contact_id).where(Conversation.id.in_(conversation_ids))))
    contact_ids |= set(session.scalars(select(Message.contact_id).where(Message.id.in_(loose_ids))))
    # a conversation's texts go with it; a lone text's reply goes with it, whatever the batch holds
    message_ids = list(session.scalars(select(Message.id).where(
        Message.conversation_id.in_(conversation_ids) | Message.id.in_(loose_ids) | Message.reply_to_id.in_(loose_ids))))
    counts = Counter[str]()
    with audit.purge_permit(session, now):
        counts.update(_delete_referring(session, Message.__table__, message_ids))
        counts["messages"] += session.execute(delete(Message).where(Message.id.in_(message_ids))).rowcount
        counts.update(_delete_referring(session, Conversation.__table__, conversation_ids))
        counts["conversations"] += session.execute(
            delete(Conversation).where(Conversation.id.in_(conversation_ids))).rowcount
    counts["contacts"] = _delete_forgotten_contacts(session, contact_ids)
    return dict(counts)


def _delete_referring(session: Session, target: Table, ids: list[int]) -> Counter[str]:
    """Delete the rows of every other table that refer to these rows of `target` (events, search entries ...)."""
    counts = Counter[str]()
    for table, column in _referring(target):
        counts[table.name] += session.execute(delete(table).where(column.in_(ids))).rowcount
    return counts


def _referring(target: Table) -> Iterable[tuple[Table, Column]]:
    for table in reversed(Base.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table is target and table is not target and table is not Message.__table__:
                yield table, key.parent


def _delete_forgotten_contacts(session: Session, contact_ids: set[int]) -> int:
    """Delete numbers nothing refers to any more, except those that opted out."""
    referred = exists().where(Conversation.contact_id == Contact.id) | exists().where(Message.contact_id == Contact.id)
    return session.execute(delete(Contact).where(Contact.id.in_(contact_ids), Contact.opted_out_at.is_(None),
                                                 ~referred)).rowcount


def delete_provider_copies(session: Session, sender: SmsSender, now: datetime, after: timedelta,
                           limit: int = 2000) -> dict[str, int]:
    """Delete the provider's copies of texts older than `after`; audit the counts; commit."""
    try:
        deleted, kept = sender.delete_copies(now - after, limit)
    except SendError as exc:
        log.warning("retention: Twilio's copies could not be listed (%s); the next run tries again", exc.code)
        return {"twilio_deleted": 0, "twilio_failed": 1}
    if deleted or kept:
        audit.record(session, AuditKind.PROVIDER_COPIES_DELETED, now, older_than_days=after.days, deleted=deleted,
                     not_deleted=kept)
        session.commit()
    return {"twilio_deleted": deleted, "twilio_not_deleted": kept}


def apply_retention(session: Session, sender: SmsSender, now: datetime, keep: Optional[timedelta],
                    provider_keep: Optional[timedelta]) -> dict[str, int]:
    """The `retention` job: our copies past `keep`, then the provider's past `provider_keep` (None: off)."""
    counts = purge_closed(session, now, keep) if keep else {}
    if provider_keep:
        counts |= delete_provider_copies(session, sender, now, provider_keep)
    return counts


def init_app(app: Flask) -> None:
    """Register the `retention` job hourly; it is off until a retention period is set."""
    days, provider_days = app.config.get("RETENTION_DAYS"), app.config.get("TWILIO_DELETE_AFTER_DAYS")
    keep = timedelta(days=int(days)) if days else None
    provider_keep = timedelta(days=int(provider_days)) if provider_days else None
    what = " and ".join(filter(None, [keep and f"delete conversations closed over {keep.days} days ago",
                                      provider_keep and f"delete Twilio's copies after {provider_keep.days} days"]))
    what = what or "delete conversations closed longer ago than the retention period"
    schedule.register(app, schedule.Job(
        "retention", what[0].upper() + what[1:],
        schedule.hourly(minute=23) if keep or provider_keep else None,
        lambda app_, session, now: apply_retention(session, app_.extensions["sender"], now, keep, provider_keep),
        when="hourly at 23 minutes past", grace=timedelta(minutes=50),
        off_because="set HELPLINE_RETENTION_DAYS (or HELPLINE_TWILIO_DELETE_AFTER_DAYS) to turn it on"))
