"""The `stale` job: our text was the last and the parent has been quiet for 7 days: closed, "parent stopped replying"."""
from __future__ import annotations

from datetime import timedelta

import pytest

from handoff import operations as ops
from handoff.models import Author, Conversation, DeliveryStatus, EventKind, Outcome, Priority, Status
from handoff.stale import close_stale_conversations
from handoff.web.present import event_text
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
WEEK, SECOND = timedelta(days=7), timedelta(seconds=1)


def answered(session, priority=Priority.NORMAL, status=DeliveryStatus.DELIVERED, **values) -> Conversation:
    """A conversation a nurse answered at NOW (her text reached the parent unless told), then silence."""
    conversation = factories.conversation(session, since=NOW - timedelta(hours=1), priority=priority, **values)
    nurse = factories.nurse(session, f"nurse{conversation.id}@example.org")
    ops.claim(session, conversation.id, nurse, NOW - timedelta(minutes=30))
    message = ops.reply(session, conversation, nurse, "Would you like to talk?", 1, NOW)
    message.status = status
    session.commit()
    return conversation


def reread(session, conversation):
    return session.get(Conversation, conversation.id, populate_existing=True)


def test_a_conversation_closes_seven_days_after_our_last_text_and_only_once(db_session):
    conversation = answered(db_session)
    assert close_stale_conversations(db_session, NOW + WEEK - SECOND, WEEK) == {"closed": 0}
    assert reread(db_session, conversation).is_open
    assert close_stale_conversations(db_session, NOW + WEEK, WEEK) == {"closed": 1}
    closed = reread(db_session, conversation)
    assert (closed.status, closed.outcome, closed.closed_at) == (Status.CLOSED, Outcome.STOPPED_REPLYING, NOW + WEEK)
    [event] = [e for e in closed.events if e.kind == EventKind.CLOSED]
    assert event.actor_kind == "system" and event_text(event) == "The helpline closed it: parent stopped replying."
    assert close_stale_conversations(db_session, NOW + 2 * WEEK, WEEK) == {"closed": 0}


def test_a_bot_reply_counts_as_ours(db_session):
    conversation = factories.conversation(db_session, since=NOW)
    factories.text(db_session, conversation, Author.BOT, "Thank you for texting the Parentline.", NOW)
    db_session.commit()
    assert close_stale_conversations(db_session, NOW + WEEK, WEEK) == {"closed": 1}


def test_never_when_the_parent_wrote_last(db_session):
    conversation = answered(db_session)
    ops.record_inbound(db_session, conversation.contact, conversation, "thank you", None, NOW + timedelta(days=1))
    db_session.commit()
    assert close_stale_conversations(db_session, NOW + 10 * WEEK, WEEK) == {"closed": 0}


def test_never_an_urgent_conversation_no_nurse_has_answered(db_session):
    urgent = factories.conversation(db_session, since=NOW, priority=Priority.URGENT)
    factories.text(db_session, urgent, Author.BOT, "If you are in danger now, call 999.", NOW)
    db_session.commit()
    assert close_stale_conversations(db_session, NOW + 10 * WEEK, WEEK) == {"closed": 0}
    answered(db_session, priority=Priority.URGENT)  # a nurse did answer this one
    assert close_stale_conversations(db_session, NOW + WEEK, WEEK) == {"closed": 1}
    assert reread(db_session, urgent).is_open


@pytest.mark.parametrize("status", [DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED, DeliveryStatus.RETRY,
                                    DeliveryStatus.PENDING, DeliveryStatus.SENDING])
def test_never_when_our_last_text_may_not_have_arrived(db_session, status):
    answered(db_session, status=status)
    assert close_stale_conversations(db_session, NOW + 10 * WEEK, WEEK) == {"closed": 0}
