"""The schema: migrations match the models, and the event log only grows."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from handoff import clock
from handoff import operations as ops
from handoff.models import AppendOnlyError, Base, Event, Priority


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


def test_the_database_refuses_to_update_an_event(app):
    session, _ = _conversation(app)
    session.close()
    with pytest.raises(DatabaseError, match="append-only"):
        with app.extensions["db_engine"].begin() as conn:
            conn.execute(text("UPDATE events SET kind = 'rewritten'"))
