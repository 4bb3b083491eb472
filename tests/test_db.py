"""The schema: migrations match the models, and the event log only grows."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DatabaseError, StatementError

from handoff import audit, clock
from handoff import operations as ops
from handoff.models import (
    AppendOnlyError,
    AuditEvent,
    AuditKind,
    Base,
    Event,
    Priority,
    PurgePermit,
)


def test_the_migrations_build_exactly_the_models(app):
    with app.extensions["db_engine"].connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def _conversation(app):
    session = app.extensions["db"]()
    contact = ops.contact_for(session, "+447700900900", clock.now())
    conversation = ops.queue(session, contact, clock.now(), priority=Priority.NORMAL, topics=["greeting"],
                             out_of_hours=False)
    session.commit()
    return session, conversation


def test_the_orm_refuses_to_change_or_delete_an_event(app):
    session, conversation = _conversation(app)
    event = conversation.events[0]
    event.kind = "rewritten"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.get(Event, event.id))
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.close()


def _audited(app):
    with app.extensions["db"]() as session:
        audit.record(session, AuditKind.SEARCHED, clock.now(), email="nurse@example.org", terms="sleep")
        session.commit()


@pytest.mark.parametrize("table", ["events", "audit_log"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET created_at = created_at", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_or_delete_a_log_row(app, table, statement):
    session, _ = _conversation(app)
    session.close()
    _audited(app)
    with pytest.raises(DatabaseError, match="append-only"):
        with app.extensions["db_engine"].begin() as conn:
            conn.execute(text(statement.format(table=table)))
    with app.extensions["db_engine"].connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1


def test_only_a_purge_permit_lets_log_rows_be_deleted_and_it_leaves_no_trace(app):
    session, conversation = _conversation(app)
    _audited(app)
    with audit.purge_permit(session, clock.now()):
        session.execute(delete(Event).where(Event.conversation_id == conversation.id))
        session.execute(delete(AuditEvent))
    session.commit()
    assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert session.scalar(select(func.count()).select_from(PurgePermit)) == 0
    session.close()
    _audited(app)
    with pytest.raises(DatabaseError, match="append-only"):  # the permit went with the purge
        with app.extensions["db_engine"].begin() as conn:
            conn.execute(delete(AuditEvent))


def test_a_misspelt_kind_cannot_be_stored(app):
    session, conversation = _conversation(app)
    session.add(Event(conversation=conversation, kind="claimd", actor_kind="nurse", data={}, created_at=clock.now()))
    with pytest.raises(StatementError):
        session.commit()
    session.rollback()
    session.add(AuditEvent(kind="signed_inn", data={}, created_at=clock.now()))
    with pytest.raises(StatementError):
        session.commit()
    session.close()
