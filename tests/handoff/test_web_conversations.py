"""The queue and conversation pages: taking, replying, the holder rule, reads, live polls."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from handoff import clock, db
from handoff.accounts import create_user
from handoff.models import (
    AuditEvent,
    AuditKind,
    Author,
    Conversation,
    DeliveryStatus,
    Event,
    Message,
    Role,
    Status,
    User,
)

PASSWORD = "correct horse battery staple"
SAD = "i had a miscarriage last week and cant stop crying"
RISK = "i seriously want to end my life"
PARENT = "+447700900001"
OTHER_PARENT = "+447700900002"


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


class Staff:
    """A signed-in member of staff driving the pages through their own test client."""

    def __init__(self, app, email: str, role: Role = Role.NURSE):
        with app.app_context():
            create_user(db.session(), email, role, PASSWORD, clock.now())
            db.session().commit()
            self.id = db.session().scalar(select(User.id).where(User.email == email))
        self.email = email
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        self.client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token(page)})
        self.csrf = token(self.client.get("/queue").get_data(as_text=True))

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, **data: str):
        return self.client.post(path, data={"csrf_token": self.csrf, **data})

    def page(self, path: str) -> str:
        return self.client.get(path, follow_redirects=True).get_data(as_text=True)


@pytest.fixture
def alice(app):
    return Staff(app, "alice@example.org")


@pytest.fixture
def bob(app):
    return Staff(app, "bob@example.org")


def rows(app, model, *where):
    with app.app_context():
        return list(db.session().scalars(select(model).where(*where).order_by(model.id)))


def conversation(app, conversation_id: int) -> Conversation:
    with app.app_context():
        return db.session().get(Conversation, conversation_id)


def test_queue_lists_urgent_first_with_masked_numbers(send_sms, alice):
    send_sms(SAD, PARENT)
    send_sms(RISK, OTHER_PARENT)
    page = alice.page("/queue")
    assert page.index("Number ending 002") < page.index("Number ending 001")
    assert "Urgent" in page and "end my life" in page and "miscarriage" in page
    assert PARENT not in page and OTHER_PARENT not in page and "7700900" not in page
    assert "Nobody yet" in page and "min" in page


def test_queue_shows_opted_out_and_out_of_hours(app, send_sms, alice):
    with time_machine.travel(clock.now().replace(year=2030, month=1, day=6, hour=3), tick=False):  # a Sunday night
        send_sms(SAD, PARENT)
        send_sms("STOP", PARENT)
    page = alice.page("/queue")  # back in the present: alice's session is not years idle
    assert "Out of hours" in page
    assert "Texting blocked until they reply START" in page


def test_take_next_takes_the_urgent_one_first(send_sms, alice):
    send_sms(SAD, PARENT)
    send_sms(RISK, OTHER_PARENT)
    response = alice.post("/queue/take-next")
    assert response.status_code == 302 and response.headers["Location"] == "/conversations/2"
    assert alice.post("/queue/take-next").headers["Location"] == "/conversations/1"
    alice.post("/queue/take-next")
    assert "Nobody is waiting right now" in alice.page("/queue")


def test_only_the_holder_may_reply_transfer_close_or_release(app, send_sms, alice, bob):
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    before = rows(app, Event, Event.kind != "read")
    attempts = [("reply", {"body": "hello from bob"}), ("transfer", {"to": str(bob.id)}),
                ("close", {"outcome": "advice given"}), ("release", {}), ("take", {})]
    for verb, form in attempts:
        response = bob.post(f"/conversations/1/{verb}", **form)
        assert response.status_code == 302
    page = bob.page("/conversations/1")
    assert "Only the nurse who holds this conversation can do that." in page
    held = conversation(app, 1)
    assert held.status == Status.HELD and held.holder_id == alice.id
    assert rows(app, Message, Message.author == Author.NURSE) == []
    assert len(rows(app, Event, Event.kind != "read")) == len(before)


def test_reply_goes_to_the_outbox_and_is_sent(app, send_sms, alice):
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    body = "Hello, I am a nurse on the Parentline.\r\nHow are you today?"
    alice.post("/conversations/1/reply", body=body)
    [message] = rows(app, Message, Message.author == Author.NURSE)
    assert message.body == body.replace("\r\n", "\n") and message.segments == 1
    assert message.status == DeliveryStatus.QUEUED and message.provider_sid
    assert app.extensions["sender"].sent[0]["to"] == PARENT
    page = alice.page("/conversations/1")
    assert "How are you today?" in page and re.search(r"Status: <strong[^>]*>queued</strong>", page)


def test_reply_to_a_parent_who_opted_out_is_refused(app, send_sms, alice):
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    send_sms("STOP", PARENT)
    response = alice.post("/conversations/1/reply", body="Are you still there?")
    page = alice.page(response.headers["Location"])
    assert "opted out: texting is blocked until they reply START" in page
    assert rows(app, Message, Message.author == Author.NURSE) == []
    assert app.extensions["sender"].sent == []


def test_logs_carry_neither_texts_nor_numbers(send_sms, alice, caplog):
    caplog.set_level(logging.DEBUG)
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    alice.post("/conversations/1/reply", body="A private reply about your loss")
    alice.page("/conversations/1")
    assert "private reply" not in caplog.text and "cant stop crying" not in caplog.text
    assert PARENT not in caplog.text and "7700900001" not in caplog.text


def test_release_transfer_note_and_close(app, send_sms, alice, bob):
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    alice.post("/conversations/1/note", note="Called back, no answer.")
    alice.post("/conversations/1/release")
    assert conversation(app, 1).status == Status.WAITING
    alice.post("/conversations/1/take")
    alice.post("/conversations/1/transfer", to=str(bob.id))
    assert conversation(app, 1).holder_id == bob.id
    assert "Choose an outcome" in bob.page(bob.post("/conversations/1/close", outcome="whatever").headers["Location"])
    bob.post("/conversations/1/close", outcome="signposted")
    closed = conversation(app, 1)
    assert closed.status == Status.CLOSED and closed.outcome.value == "signposted"
    kinds = [e.kind for e in rows(app, Event, Event.conversation_id == 1, Event.kind != "read")]
    assert kinds[-6:] == ["claimed", "note", "released", "claimed", "transferred", "closed"]
    assert "Called back, no answer." in bob.page("/conversations/1")


def test_any_nurse_may_read_and_each_read_is_logged(app, send_sms, alice, bob):
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    assert bob.get("/conversations/1").status_code == 200
    reads = rows(app, AuditEvent, AuditEvent.kind == AuditKind.CONVERSATION_VIEWED)
    assert [(e.actor_id, e.conversation_id, e.email) for e in reads][-1] == (bob.id, 1, bob.email)


def test_the_live_poll_logs_a_read_only_when_it_shows_news(app, send_sms, alice):
    send_sms(SAD, PARENT)
    page = alice.page("/conversations/1")
    key = re.search(r'data-poll-key="([^"]+)"', page.split("<main")[1]).group(1)

    def reads() -> int:
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.kind == AuditKind.CONVERSATION_VIEWED))

    assert reads() == 1
    assert alice.get(f"/conversations/1/live?key={key}").get_json() == {"key": key}
    send_sms("are you there", PARENT)
    news = alice.get(f"/conversations/1/live?key={key}").get_json()
    assert news["key"] != key and "are you there" in news["regions"]["timeline"]
    assert reads() == 1  # read less than 5 minutes ago: not logged again
    with time_machine.travel(clock.now() + timedelta(minutes=6), tick=False):
        alice.get(f"/conversations/1/live?key={key}")
    assert reads() == 2


def test_queue_poll_and_urgent_banner(send_sms, alice):
    first = alice.get("/queue/live").get_json()
    send_sms(RISK, OTHER_PARENT)
    second = alice.get("/queue/live").get_json()
    assert first["key"] != second["key"] and "Number ending 002" in second["regions"]["queue-rows"]
    banner = alice.get("/live/alerts").get_json()
    assert banner["count"] == 1 and "Urgent" in banner["regions"]["urgent-banner"]
    assert "Number ending 002" in alice.page("/conversations/1")  # the banner is on every page
    alice.post("/queue/take-next")
    assert alice.get("/live/alerts").get_json()["count"] == 0


def test_conversation_page_has_summary_counter_and_canned_replies(app, send_sms, alice):
    send_sms(RISK, PARENT)
    send_sms(SAD, PARENT)
    alice.post("/queue/take-next")
    page = alice.page("/conversations/1")
    assert "Handoff summary" in page and "Why it is urgent" in page and "end my life" in page
    assert "What the bot already sent" in page and "Earlier conversations" in page
    assert 'id="sms-counter"' in page and "data-gsm-extension" in page
    for _, label, _ in app.extensions["helpline"].replies.canned():
        assert label in page


def test_the_nurse_sees_the_language_and_which_texts_made_it_urgent(app, send_sms, frozen_clock):
    from tests.conftest import at

    frozen_clock.move_to(at(2026, 11, 24, 10, 0))
    send_sms("Dzień dobry, straciłam synka w zeszłym miesiącu", PARENT)
    frozen_clock.move_to(at(2026, 11, 24, 10, 2))
    send_sms("nie śpię, nie jem", PARENT)
    frozen_clock.move_to(at(2026, 11, 24, 10, 4))
    send_sms("nie chcę już żyć bez niego", PARENT)
    nurse = Staff(app, "nurse@example.org")
    queue = nurse.page("/queue")
    assert "Polish" in queue
    page = nurse.page("/conversations/1")
    assert "mostly in Polish" in page and page.count("Made it urgent") == 1
