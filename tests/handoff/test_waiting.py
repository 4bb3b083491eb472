"""'Waiting' means one thing everywhere: since the parent's oldest text that no nurse has answered."""
from __future__ import annotations

from datetime import timedelta

import pytest

from handoff import clock
from handoff import operations as ops
from handoff.accounts import create_user
from handoff.models import Priority, Role
from handoff.queries import open_queue

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _parent_writes(session, phone, first=False):
    contact = ops.contact_for(session, phone, clock.now())
    conversation = ops.open_conversation(session, contact)
    if conversation is None:
        conversation = ops.queue(session, contact, clock.now(), priority=Priority.NORMAL, topics=[],
                                 out_of_hours=False)
    ops.record_inbound(session, contact, conversation, "hello", None, clock.now())
    session.commit()
    return conversation


def test_waiting_resets_when_a_nurse_replies_and_starts_again_when_the_parent_writes(app, frozen_clock):
    session = app.extensions["db"]()
    nurse = create_user(session, "nurse@example.org", Role.NURSE, "x" * 12, clock.now())
    first = clock.now()
    conversation = _parent_writes(session, "+447700900001")
    frozen_clock.shift(timedelta(minutes=5))
    _parent_writes(session, "+447700900001")
    assert conversation.waiting_since == first  # the oldest unanswered text counts
    ops.claim(session, conversation.id, nurse, clock.now())
    ops.reply(session, conversation, nurse, "We are here.", 1, clock.now())
    session.commit()
    assert conversation.waiting_since is None
    frozen_clock.shift(timedelta(minutes=7))
    _parent_writes(session, "+447700900001")
    assert conversation.waiting_since == clock.now()
    session.close()


def test_answered_conversations_sort_after_those_still_waiting(app, frozen_clock):
    session = app.extensions["db"]()
    nurse = create_user(session, "nurse@example.org", Role.NURSE, "x" * 12, clock.now())
    answered = _parent_writes(session, "+447700900001")
    frozen_clock.shift(timedelta(minutes=1))
    waiting = _parent_writes(session, "+447700900002")
    ops.claim(session, answered.id, nurse, clock.now())
    ops.reply(session, answered, nurse, "We are here.", 1, clock.now())
    session.commit()
    assert [c.id for c in open_queue(session)] == [waiting.id, answered.id]
    session.close()
