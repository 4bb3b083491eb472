"""The `retries` job: due retries go out once with the backoff and cap; stuck and orphaned texts are recovered."""
from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.models import Author, DeliveryStatus, Message
from handoff.outbox import MAX_ATTEMPTS, ORPHANED_AFTER, STUCK_AFTER, send_retries
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
SECOND = timedelta(seconds=1)


def outgoing(session, **values) -> Message:
    conversation = factories.conversation(session, since=NOW - timedelta(hours=1))
    message = factories.text(session, conversation, Author.NURSE, "We are here for you.", NOW, **values)
    session.commit()
    return message


def reread(session, message: Message) -> Message:
    return session.get(Message, message.id, populate_existing=True)


def test_a_due_retry_is_sent_once_just_after_its_time_and_not_before(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.RETRY, attempts=1, next_attempt_at=NOW + timedelta(minutes=2))
    assert send_retries(db_session, sender, NOW + timedelta(minutes=2) - SECOND)["attempted"] == 0
    assert sender.sent == []
    counts = send_retries(db_session, sender, NOW + timedelta(minutes=2))
    assert (counts["attempted"], counts["sent"]) == (1, 1)
    assert [t["body"] for t in sender.sent] == ["We are here for you."]
    assert (reread(db_session, message).status, reread(db_session, message).attempts) == (DeliveryStatus.QUEUED, 2)
    assert send_retries(db_session, sender, NOW + timedelta(minutes=3))["attempted"] == 0  # a second run: nothing
    assert len(sender.sent) == 1


def test_a_text_stuck_in_sending_goes_back_to_retry_after_five_minutes_noting_it_may_arrive_twice(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.SENDING, attempts=1, status_at=NOW)
    assert send_retries(db_session, sender, NOW + STUCK_AFTER - SECOND)["swept"] == 0
    assert reread(db_session, message).status == DeliveryStatus.SENDING
    assert send_retries(db_session, sender, NOW + STUCK_AFTER)["swept"] == 1
    swept = reread(db_session, message)
    assert swept.status == DeliveryStatus.RETRY and "may arrive twice" in swept.error_reason
    assert swept.next_attempt_at == NOW + STUCK_AFTER + timedelta(minutes=2)  # the usual backoff
    assert send_retries(db_session, sender, NOW + STUCK_AFTER + SECOND) == {
        "swept": 0, "attempted": 0, "sent": 0, "retrying": 0, "failed": 0}
    assert send_retries(db_session, sender, swept.next_attempt_at)["sent"] == 1
    assert len(sender.sent) == 1


def test_a_text_twilio_has_taken_is_never_swept(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.SENDING, attempts=1, provider_sid="SM" + "1" * 32)
    assert send_retries(db_session, sender, NOW + timedelta(hours=1))["swept"] == 0
    assert reread(db_session, message).status == DeliveryStatus.SENDING and sender.sent == []


def test_a_stuck_text_past_the_cap_fails_for_good(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.SENDING, attempts=MAX_ATTEMPTS, status_at=NOW)
    assert send_retries(db_session, sender, NOW + STUCK_AFTER)["swept"] == 1
    failed = reread(db_session, message)
    assert failed.status == DeliveryStatus.FAILED and failed.error_reason.startswith(f"Not delivered after {MAX_ATTEMPTS}")
    assert send_retries(db_session, sender, NOW + timedelta(days=1))["attempted"] == 0 and sender.sent == []


def test_a_pending_text_a_dead_worker_left_is_sent_after_two_minutes(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.PENDING)
    assert send_retries(db_session, sender, NOW + ORPHANED_AFTER - SECOND)["attempted"] == 0
    assert send_retries(db_session, sender, NOW + ORPHANED_AFTER)["sent"] == 1
    assert reread(db_session, message).attempts == 1
    assert send_retries(db_session, sender, NOW + ORPHANED_AFTER + SECOND)["attempted"] == 0 and len(sender.sent) == 1


def test_terminal_failures_are_left_alone(db_session, sender):
    message = outgoing(db_session, status=DeliveryStatus.FAILED, attempts=1, error_code="21211",
                       error_reason="The phone number is not valid.")
    assert send_retries(db_session, sender, NOW + timedelta(days=1))["attempted"] == 0
    assert reread(db_session, message).status == DeliveryStatus.FAILED and sender.sent == []
