"""The `retention` job: closed conversations older than the period are deleted in batches with all they carry,
under the purge permit, and the audit log keeps the counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handoff import audit
from handoff import operations as ops
from handoff.models import (
    AuditEvent,
    AuditKind,
    Author,
    Contact,
    Conversation,
    Event,
    Message,
    Outcome,
    PurgePermit,
    Status,
)
from handoff.retention import apply_retention, purge_closed
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
YEAR, SECOND = timedelta(days=365), timedelta(seconds=1)
NOTHING = {"conversations": 0, "messages": 0, "events": 0, "contacts": 0}


def closed(session, closed_at, **values) -> Conversation:
    """A conversation the bot answered and a nurse closed at `closed_at`."""
    conversation = factories.conversation(session, since=closed_at - timedelta(days=1), **values)
    inbound = conversation.messages[0]
    factories.text(session, conversation, Author.BOT, "Thank you for texting.", inbound.created_at, reply_to=inbound)
    nurse = factories.nurse(session, f"nurse{conversation.id}@example.org")
    ops.claim(session, conversation.id, nurse, closed_at - SECOND)
    ops.close(session, conversation, nurse, Outcome.SIGNPOSTED, closed_at)
    audit.record(session, AuditKind.CONVERSATION_VIEWED, closed_at, actor=nurse, conversation_id=conversation.id)
    session.commit()
    return conversation


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_closed_conversation_goes_just_after_the_period_with_its_texts_events_and_number(db_session):
    conversation = closed(db_session, NOW)
    assert purge_closed(db_session, NOW + YEAR, YEAR) == NOTHING  # exactly a year: kept
    assert purge_closed(db_session, NOW + YEAR + SECOND, YEAR) == {
        "conversations": 1, "messages": 2, "events": 2, "contacts": 1}  # events: claimed, closed
    assert db_session.get(Conversation, conversation.id) is None
    assert count(db_session, Message) == count(db_session, Event) == count(db_session, Contact) == 0
    assert count(db_session, PurgePermit) == 0
    [entry] = db_session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.RETENTION_PURGED)).all()
    assert entry.data == {"older_than_days": 365, "conversations": 1, "messages": 2, "events": 2, "contacts": 1}
    assert entry.actor_id is None and entry.conversation_id is None
    # who read it outlives it; a second run finds nothing and writes nothing
    assert count(db_session, AuditEvent, AuditEvent.kind == AuditKind.CONVERSATION_VIEWED) == 1
    assert purge_closed(db_session, NOW + 2 * YEAR, YEAR) == NOTHING
    assert count(db_session, AuditEvent, AuditEvent.kind == AuditKind.RETENTION_PURGED) == 1


def test_open_and_recent_conversations_and_numbers_still_in_use_stay(db_session):
    old_open = factories.conversation(db_session, since=NOW - 3 * YEAR)
    recent = closed(db_session, NOW - YEAR + timedelta(days=1))
    returning = closed(db_session, NOW - 2 * YEAR)
    factories.conversation(db_session, since=NOW, contact=returning.contact)
    assert purge_closed(db_session, NOW, YEAR)["conversations"] == 1
    assert db_session.get(Conversation, old_open.id).status == Status.WAITING
    assert db_session.get(Conversation, recent.id) is not None
    assert db_session.scalar(select(Contact).where(Contact.phone == returning.contact.phone)) is not None


def test_an_opted_out_number_is_kept_so_it_is_never_texted_again(db_session):
    conversation = closed(db_session, NOW - 2 * YEAR, opted_out=True)
    assert purge_closed(db_session, NOW, YEAR)["contacts"] == 0
    contact = db_session.scalar(select(Contact).where(Contact.phone == conversation.contact.phone))
    assert contact.is_opted_out and count(db_session, Message) == 0


def test_a_lone_keyword_text_and_its_reply_go_by_their_own_age(db_session):
    contact = Contact(phone="+447700900555", created_at=NOW - 2 * YEAR)
    stop = Message(contact=contact, direction="in", author=Author.PARENT, body="HELP", status="received",
                   created_at=NOW - 2 * YEAR)
    db_session.add_all([stop, Message(contact=contact, direction="out", author=Author.BOT, body="Parentline ...",
                                      status="replied", reply_to=stop, created_at=NOW - 2 * YEAR)])
    db_session.commit()
    assert purge_closed(db_session, NOW, YEAR) == {"conversations": 0, "messages": 2, "events": 0, "contacts": 1}


def test_large_purges_go_in_batches_each_with_its_audit_entry(db_session):
    for _ in range(5):
        closed(db_session, NOW - 2 * YEAR)
    assert purge_closed(db_session, NOW, YEAR, batch=2)["conversations"] == 5
    entries = db_session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.RETENTION_PURGED)).all()
    assert [e.data["conversations"] for e in entries] == [2, 2, 1]
    assert count(db_session, Conversation) == 0


def test_off_until_a_period_is_set(db_session, sender):
    closed(db_session, NOW - 10 * YEAR)
    assert apply_retention(db_session, sender, NOW, None, None) == {}
    assert count(db_session, Conversation) == 1 and sender.deletions == []
