"""POST /sms/status: Twilio's delivery callbacks are signed, idempotent and never move a text backwards."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, Optional

import pytest

from handoff.models import (
    Author,
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from handoff.outbox import TERMINAL, deliver, send_retries, status_callback_url
from tests.conftest import ACCOUNT, HELPLINE, NOW, sign

pytestmark = pytest.mark.usefixtures("frozen_clock")
PARENT = "+447700900123"
SID = "SM" + "ab" * 16


def outgoing(app: Any, number: str = PARENT, **values: Any) -> int:
    """An outbox row Twilio has taken (queued, with a sid) unless told otherwise; returns its id."""
    values = {"status": DeliveryStatus.QUEUED, "provider_sid": SID, "attempts": 1, **values}
    with app.extensions["db"]() as session:
        contact = Contact(phone=number, created_at=NOW)
        conversation = Conversation(contact=contact, waiting_since=NOW, opened_at=NOW)
        message = Message(contact=contact, conversation=conversation, direction=Direction.OUT, author=Author.NURSE,
                          body="We are here for you.", segments=1, created_at=NOW, **values)
        session.add(message)
        session.commit()
        return message.id


def stored(app: Any, message_id: int) -> Message:
    with app.extensions["db"]() as session:
        return session.get(Message, message_id)


def post_status(client: Any, status: str, sid: str = SID, error: Optional[str] = None, query: str = "",
                forged: bool = False) -> Any:
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "AccountSid": ACCOUNT, "From": HELPLINE, "To": PARENT, "ApiVersion": "2010-04-01"}
    if error:
        params["ErrorCode"] = error
    headers = sign(params, "http://localhost/sms/status" + query)
    if forged:
        params["MessageStatus"] = "failed"
    return client.post("/sms/status" + query, data=params, headers=headers)


def test_delivered_is_recorded(app, client):
    message_id = outgoing(app)
    response = post_status(client, "delivered")
    assert response.status_code == 204 and response.data == b""
    message = stored(app, message_id)
    assert message.status == DeliveryStatus.DELIVERED and message.status_at is not None


def test_forged_or_unsigned_callbacks_change_nothing(app, client):
    message_id = outgoing(app)
    assert post_status(client, "sent", forged=True).status_code == 403
    assert client.post("/sms/status", data={"MessageSid": SID, "MessageStatus": "failed"}).status_code == 403
    assert stored(app, message_id).status == DeliveryStatus.QUEUED


def test_a_status_never_moves_backwards(app, client):
    message_id = outgoing(app)
    for status, expected in [("sending", "sending"), ("sent", "sent"), ("queued", "sent"), ("delivered", "delivered"),
                             ("sent", "delivered"), ("undelivered", "delivered"), ("delivered", "delivered")]:
        assert post_status(client, status).status_code == 204
        assert stored(app, message_id).status == DeliveryStatus(expected), status


def test_a_repeated_callback_changes_nothing(app, client):
    message_id = outgoing(app)
    post_status(client, "sent")
    first = stored(app, message_id).status_at
    post_status(client, "sent")
    assert stored(app, message_id).status_at == first


@pytest.mark.parametrize("code", sorted(TERMINAL))
@pytest.mark.parametrize("status", ["undelivered", "failed"])
def test_terminal_errors_fail_with_a_reason(app, client, code, status):
    message_id = outgoing(app)
    post_status(client, status, error=code)
    message = stored(app, message_id)
    assert (message.status, message.error_code, message.error_reason) == (DeliveryStatus.FAILED, code, TERMINAL[code])
    assert message.next_attempt_at is None


def test_an_unknown_error_keeps_twilios_status_with_a_reason(app, client):
    message_id = outgoing(app)
    post_status(client, "undelivered", error="30099")
    message = stored(app, message_id)
    assert message.status == DeliveryStatus.UNDELIVERED and "30099" in message.error_reason


def test_an_unreachable_phone_waits_for_a_retry_once(app, client):
    message_id = outgoing(app)
    post_status(client, "undelivered", error="30003")
    message = stored(app, message_id)
    assert (message.status, message.error_code) == (DeliveryStatus.RETRY, "30003") and "reached" in message.error_reason
    assert message.next_attempt_at - message.status_at == timedelta(minutes=2)
    post_status(client, "undelivered", error="30003")  # Twilio may post twice: the retry is not pushed back
    assert stored(app, message_id).next_attempt_at == message.next_attempt_at


def test_a_retried_text_is_sent_again_and_old_callbacks_are_ignored(app, client):
    message_id = outgoing(app)
    post_status(client, "undelivered", error="30003")
    with app.app_context(), app.extensions["db"]() as session:
        assert send_retries(session, app.extensions["sender"], NOW + timedelta(days=1))["attempted"] == 1
    [kept] = app.extensions["sender"].sent
    message = stored(app, message_id)
    assert (message.status, message.attempts, message.provider_sid) == (DeliveryStatus.QUEUED, 2, kept["sid"])
    post_status(client, "delivered")  # the first attempt's sid: no longer this row's
    assert stored(app, message_id).status == DeliveryStatus.QUEUED


def test_delivered_after_a_failure_clears_the_error(app, client):
    message_id = outgoing(app)
    post_status(client, "failed", error="30007")
    post_status(client, "delivered")
    message = stored(app, message_id)
    assert (message.status, message.error_code, message.error_reason) == (DeliveryStatus.DELIVERED, None, None)


def test_an_unknown_sid_changes_nothing_and_logs_no_number(app, client, caplog):
    caplog.set_level("INFO")
    message_id = outgoing(app)
    assert post_status(client, "failed", sid="SM" + "cd" * 16, error="30005").status_code == 204
    assert stored(app, message_id).status == DeliveryStatus.QUEUED
    assert PARENT[-6:] not in caplog.text and HELPLINE[-6:] not in caplog.text


def test_an_unknown_status_changes_nothing(app, client):
    message_id = outgoing(app)
    assert post_status(client, "receiving").status_code == 204
    assert stored(app, message_id).status == DeliveryStatus.QUEUED


def test_a_callback_before_the_sid_is_stored_finds_the_row_by_its_attempt(app, client):
    message_id = outgoing(app, status=DeliveryStatus.SENDING, provider_sid=None)
    post_status(client, "sent", query=f"?message={message_id}&attempt=2")  # an older attempt's callback
    assert stored(app, message_id).status == DeliveryStatus.SENDING
    post_status(client, "sent", query=f"?message={message_id}&attempt=1")
    message = stored(app, message_id)
    assert (message.status, message.provider_sid) == (DeliveryStatus.SENT, SID)


def test_a_timed_out_send_that_twilio_took_is_not_retried(app, client):
    message_id = outgoing(app, status=DeliveryStatus.RETRY, provider_sid=None, next_attempt_at=NOW)
    post_status(client, "delivered", query=f"?message={message_id}&attempt=1")
    with app.app_context(), app.extensions["db"]() as session:
        assert send_retries(session, app.extensions["sender"], NOW + timedelta(days=1))["attempted"] == 0
    assert stored(app, message_id).status == DeliveryStatus.DELIVERED


def test_concurrent_callbacks_never_move_a_text_backwards(app):
    for trial in range(25):
        message_id = outgoing(app, number=f"+4477009{trial:05d}", provider_sid=f"SM{trial:032d}")
        barrier = threading.Barrier(4)

        def post(status: str, sid: str = f"SM{trial:032d}") -> None:
            barrier.wait()
            assert post_status(app.test_client(), status, sid=sid).status_code == 204

        threads = [threading.Thread(target=post, args=(s,)) for s in ("sending", "sent", "delivered", "queued")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert stored(app, message_id).status == DeliveryStatus.DELIVERED


def test_outbox_sender_keeps_texts_and_logs_no_number_or_text(app, caplog):
    caplog.set_level("INFO")
    message_id = outgoing(app, status=DeliveryStatus.PENDING, provider_sid=None, attempts=0)
    with app.test_request_context(), app.extensions["db"]() as session:
        message = deliver(session, app.extensions["sender"], message_id, NOW)
    [kept] = app.extensions["sender"].sent
    assert (kept["to"], kept["sid"], message.status) == (PARENT, message.provider_sid, DeliveryStatus.QUEUED)
    assert kept["status_callback"] == f"http://localhost/sms/status?message={message_id}&attempt=1"
    assert PARENT[-6:] not in caplog.text and "here for you" not in caplog.text


def test_status_callback_url_prefers_the_public_url(app):
    app.config["PUBLIC_URL"] = "https://sms.example.org"
    with app.app_context():
        assert status_callback_url() == "https://sms.example.org/sms/status"
        assert status_callback_url(7, 2) == "https://sms.example.org/sms/status?message=7&attempt=2"
    app.config["PUBLIC_URL"] = None
    with app.app_context():
        assert status_callback_url(7) is None  # a job with no request and no public URL: no callback
