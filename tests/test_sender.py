"""Outbound texts through the real twilio REST client, against a local fake of Twilio's Messages API."""
from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.outbox_cli import outbox
from handoff.models import (
    Author,
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from handoff.outbox import TERMINAL, deliver, due_retries, send_retries
from tests.conftest import ACCOUNT, HELPLINE, NOW, TOKEN

pytestmark = pytest.mark.usefixtures("frozen_clock")
PARENT = "+447700900123"
PATH = re.compile(r"^/2010-04-01/Accounts/(AC\w{32})/Messages\.json$")
ONE = re.compile(r"^/2010-04-01/Accounts/(AC\w{32})/Messages/(SM\w+)\.json$")


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: records each request, answers sends from a script, and keeps
    the copies Twilio would (`messages`), which can be listed and deleted."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[tuple[int, Optional[int]]] = []  # (HTTP status, Twilio code); default 201
        self.messages: dict[str, dict[str, Any]] = {}  # sid -> the message resource Twilio keeps
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization", ""), "form": form})
                match = PATH.match(self.path)
                http, code = fake.answers.pop(0) if fake.answers else (201, None)
                if http == 0:  # drop the connection without an answer, like a network failure
                    return
                if not match:
                    http, code = 404, 20404
                self._json(http, fake.created(match.group(1), form) if http == 201 else fake.error(http, code))

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"method": "GET", "path": url.path, "query": query})
                if not PATH.match(url.path):
                    return self._json(404, fake.error(404, 20404))
                found = fake.listed(query)
                self._json(200, {"messages": found, "next_page_uri": None, "previous_page_uri": None,
                                 "first_page_uri": self.path, "page": 0, "page_size": len(found), "start": 0,
                                 "end": max(0, len(found) - 1), "uri": self.path})

            def do_DELETE(self) -> None:
                fake.requests.append({"method": "DELETE", "path": self.path})
                match = ONE.match(self.path)
                message = fake.messages.get(match.group(2)) if match else None
                if message is None:
                    return self._json(404, fake.error(404, 20404))
                if message["status"] in ("accepted", "queued", "sending"):  # Twilio keeps texts still on their way
                    return self._json(409, fake.error(409, 20009))
                del fake.messages[match.group(2)]
                self.send_response(204)
                self.end_headers()

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass  # keep numbers out of the test output

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def created(self, account: str, form: dict[str, str]) -> dict[str, Any]:
        """Accept a text: Twilio's answer, and the copy it keeps."""
        return self.keep("SM" + uuid.uuid4().hex, form.get("To"), form.get("From"), datetime.now(timezone.utc),
                         status="queued", body=form.get("Body"), account=account)

    def keep(self, sid: str, to: Optional[str], from_: Optional[str], sent: datetime, status: str = "delivered",
             body: Optional[str] = "", account: str = ACCOUNT) -> dict[str, Any]:
        """Hold a copy of a text as Twilio does, sent at `sent`."""
        self.messages[sid] = {
            "sid": sid, "account_sid": account, "status": status, "to": to, "from": from_, "body": body,
            "direction": "outbound-api", "api_version": "2010-04-01", "num_segments": "1", "num_media": "0",
            "error_code": None, "error_message": None, "price": None, "date_created": formatdate(sent.timestamp(), usegmt=True),
            "date_updated": formatdate(sent.timestamp(), usegmt=True), "date_sent": formatdate(sent.timestamp(), usegmt=True),
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}
        return self.messages[sid]

    def listed(self, query: dict[str, str]) -> list[dict[str, Any]]:
        """The kept copies matching a list request's To, From and DateSent< filters."""
        before = datetime.fromisoformat(query["DateSent<"].replace("Z", "+00:00")) if "DateSent<" in query else None
        return [m for m in self.messages.values()
                if all(m[name.lower()] == query[name] for name in ("To", "From") if name in query)
                and (before is None or parsedate_to_datetime(m["date_sent"]) < before)][:int(query.get("PageSize", 50))]

    @staticmethod
    def error(http: int, code: Optional[int]) -> dict[str, Any]:
        return {"code": code, "message": f"fake error {code}", "status": http,
                "more_info": f"https://www.twilio.com/docs/errors/{code}"}


@pytest.fixture
def fake_twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeTwilio()
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    thread.join(5)


@pytest.fixture
def config(config: dict[str, Any], fake_twilio: FakeTwilio) -> dict[str, Any]:
    return {**config, "SENDER": "twilio", "TWILIO_API_BASE": fake_twilio.base, "PUBLIC_URL": "https://sms.example.org"}


@pytest.fixture(autouse=True)
def close_sender(app: Any) -> Iterator[None]:
    yield
    app.extensions["sender"].close()


def outgoing(app: Any, number: str = PARENT, body: str = "Hello, this is Sam, a nurse at the Parentline.",
             **values: Any) -> int:
    """One outbox row on a new conversation; returns its id."""
    with app.extensions["db"]() as session:
        contact = Contact(phone=number, created_at=NOW, opted_out_at=values.pop("opted_out_at", None))
        conversation = Conversation(contact=contact, waiting_since=NOW, opened_at=NOW)
        message = Message(contact=contact, conversation=conversation, direction=Direction.OUT, author=Author.NURSE,
                          body=body, segments=1, created_at=NOW, **{"status": DeliveryStatus.PENDING, **values})
        session.add(message)
        session.commit()
        return message.id


def send(app: Any, message_id: int, now: datetime = NOW) -> Optional[Message]:
    with app.app_context(), app.extensions["db"]() as session:
        return deliver(session, app.extensions["sender"], message_id, now)


def stored(app: Any, message_id: int) -> Message:
    with app.extensions["db"]() as session:
        return session.get(Message, message_id)


def test_a_text_goes_through_the_twilio_client_and_keeps_its_sid(app, fake_twilio):
    message_id = outgoing(app)
    message = send(app, message_id)
    assert message.status == DeliveryStatus.QUEUED and message.attempts == 1
    [request] = fake_twilio.requests
    assert PATH.match(request["path"]).group(1) == ACCOUNT
    assert request["form"] == {"To": PARENT, "From": HELPLINE, "Body": "Hello, this is Sam, a nurse at the Parentline.",
                               "StatusCallback": f"https://sms.example.org/sms/status?message={message_id}&attempt=1"}
    assert base64.b64decode(request["auth"].removeprefix("Basic ")).decode() == f"{ACCOUNT}:{TOKEN}"
    assert stored(app, message_id).provider_sid.startswith("SM") and stored(app, message_id).error_code is None


@pytest.mark.parametrize("http, code, status", [
    (429, 20429, DeliveryStatus.RETRY), (500, 20500, DeliveryStatus.RETRY), (503, None, DeliveryStatus.RETRY),
    (400, 30003, DeliveryStatus.RETRY), (400, 21610, DeliveryStatus.FAILED), (400, 21211, DeliveryStatus.FAILED),
    (400, 30007, DeliveryStatus.FAILED), (400, 21617, DeliveryStatus.FAILED),
])
def test_twilio_errors_fail_or_wait_for_a_retry(app, fake_twilio, http, code, status):
    fake_twilio.answers.append((http, code))
    message = send(app, outgoing(app))
    assert message.status == status and message.provider_sid is None
    assert message.error_code == str(code or http) and message.error_reason
    if status == DeliveryStatus.RETRY:
        assert message.next_attempt_at == NOW + timedelta(minutes=2)
    else:
        assert message.next_attempt_at is None
    if str(code) in TERMINAL:
        assert message.error_reason == TERMINAL[str(code)]


def test_opted_out_reason_is_readable(app, fake_twilio):
    fake_twilio.answers.append((400, 21610))
    assert "opted out" in send(app, outgoing(app)).error_reason


def test_a_dropped_connection_waits_for_a_retry(app, fake_twilio):
    fake_twilio.answers.append((0, None))
    message = send(app, outgoing(app))
    assert (message.status, message.error_code) == (DeliveryStatus.RETRY, "network")
    assert len(fake_twilio.requests) == 1


def test_a_row_is_sent_once_however_often_deliver_is_called(app, fake_twilio):
    message_id = outgoing(app)
    assert send(app, message_id) is not None
    assert send(app, message_id) is None
    assert len(fake_twilio.requests) == 1


def test_racing_workers_send_a_row_once(app, fake_twilio):
    message_id, barrier, results = outgoing(app), threading.Barrier(4), []

    def worker() -> None:
        barrier.wait()
        results.append(send(app, message_id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1 and len(fake_twilio.requests) == 1


def test_send_retries_resends_a_due_row_once(app, fake_twilio):
    fake_twilio.answers.append((429, 20429))
    message_id = outgoing(app)
    send(app, message_id)
    with app.app_context(), app.extensions["db"]() as session:
        sender = app.extensions["sender"]
        assert send_retries(session, sender, NOW + timedelta(minutes=1))["attempted"] == 0
        assert [m.id for m in due_retries(session, NOW + timedelta(minutes=2))] == [message_id]
        session.commit()
        assert send_retries(session, sender, NOW + timedelta(minutes=3))["attempted"] == 1
        assert send_retries(session, sender, NOW + timedelta(minutes=30))["attempted"] == 0
    assert len(fake_twilio.requests) == 2
    message = stored(app, message_id)
    assert (message.status, message.attempts, message.error_code) == (DeliveryStatus.QUEUED, 2, None)
    assert fake_twilio.requests[1]["form"]["StatusCallback"].endswith(f"message={message_id}&attempt=2")


def test_retries_back_off_and_give_up(app, fake_twilio):
    fake_twilio.answers.append((500, 20500))
    message = send(app, outgoing(app, status=DeliveryStatus.RETRY, attempts=3, next_attempt_at=NOW))
    assert (message.status, message.next_attempt_at) == (DeliveryStatus.RETRY, NOW + timedelta(minutes=16))
    fake_twilio.answers.append((500, 20500))
    message = send(app, message.id, NOW + timedelta(minutes=16))
    assert message.status == DeliveryStatus.FAILED and message.error_reason.startswith("Not delivered after 5 attempts")


def test_an_opted_out_parent_is_not_texted(app, fake_twilio):
    message = send(app, outgoing(app, opted_out_at=NOW))
    assert message.status == DeliveryStatus.FAILED and "opted out" in message.error_reason
    assert fake_twilio.requests == []


def test_outbox_command_masks_numbers(app, fake_twilio):
    fake_twilio.answers.append((400, 21211))
    send(app, outgoing(app))
    outgoing(app, number="+447700900456", body="A second reply")
    result = app.test_cli_runner().invoke(outbox, [])
    assert result.exit_code == 0, result.output
    assert "+44770090" not in result.output and "*123" in result.output and "*456" in result.output
    assert "failed" in result.output and "pending" in result.output and "A second reply" in result.output
    rows = json.loads(app.test_cli_runner().invoke(outbox, ["--json", "--status", "failed"]).output)
    assert [(r["to"], r["error_code"]) for r in rows] == [("********123", "21211")]
