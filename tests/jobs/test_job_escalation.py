"""The `escalation` job: urgent after 5 minutes, normal after 30, while open; urgent out of hours only to its contact."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from handoff import operations as ops
from handoff.escalation import Policy, escalate_waiting
from handoff.models import Conversation, EventKind, Priority, Status
from handoff.web.present import event_text
from tests import factories
from tests.conftest import NOW, at
from tests.jobs.conftest import events

pytestmark = pytest.mark.usefixtures("frozen_clock")
SECOND = timedelta(seconds=1)
ONCALL, NIGHT = "+447700900901", "+447700900902"
POLICY = Policy(oncall=ONCALL, inbox_url="https://sms.example.org")
NOTHING = {"overdue": 0, "alerted": 0, "marked": 0}


def reread(session, conversation: Conversation) -> Conversation:
    return session.get(Conversation, conversation.id, populate_existing=True)


@pytest.mark.parametrize("priority, limit", [(Priority.URGENT, 5), (Priority.NORMAL, 30)])
def test_a_parent_nobody_has_taken_is_escalated_at_the_limit_once(db_session, sender, hours, priority, limit):
    conversation = factories.conversation(db_session, since=NOW, priority=priority)
    assert escalate_waiting(db_session, sender, hours, NOW + timedelta(minutes=limit) - SECOND, POLICY) == NOTHING
    assert not reread(db_session, conversation).is_waiting_too_long and sender.sent == []
    counts = escalate_waiting(db_session, sender, hours, NOW + timedelta(minutes=limit), POLICY)
    assert counts == {"overdue": 1, "alerted": 1, "marked": 1}
    assert reread(db_session, conversation).is_waiting_too_long
    [alert] = sender.sent
    assert alert["to"] == ONCALL and alert["status_callback"] is None
    assert alert["body"].startswith("Parentline: 1 parent is waiting too long with no nurse")
    assert "https://sms.example.org/queue" in alert["body"]
    assert escalate_waiting(db_session, sender, hours, NOW + timedelta(hours=3), POLICY) == NOTHING  # once per wait
    assert len(sender.sent) == 1 and events(db_session, EventKind.ESCALATED) == 1


def test_the_alert_names_no_parent_and_quotes_nothing(db_session, sender, hours):
    for n in range(3):
        factories.conversation(db_session, since=NOW, priority=Priority.URGENT if n else Priority.NORMAL,
                               body="my number is 07700 900123 and i want to end it")
    escalate_waiting(db_session, sender, hours, NOW + timedelta(minutes=30), POLICY)
    [alert] = sender.sent
    assert "3 parents are waiting too long with no nurse (2 urgent)" in alert["body"]
    assert not re.search(r"\d{4}", alert["body"]) and "end it" not in alert["body"]
    assert len(alert["body"]) <= 160  # one text


def test_low_priority_and_held_conversations_are_never_escalated(db_session, sender, hours):
    factories.conversation(db_session, since=NOW, priority=Priority.LOW)
    held = factories.conversation(db_session, since=NOW, priority=Priority.URGENT)
    assert ops.claim(db_session, held.id, factories.nurse(db_session), NOW)
    db_session.commit()
    assert escalate_waiting(db_session, sender, hours, NOW + timedelta(hours=4), POLICY) == NOTHING


def test_a_new_text_after_a_nurse_answered_starts_a_new_wait(db_session, sender, hours):
    conversation = factories.conversation(db_session, since=NOW, priority=Priority.URGENT)
    escalate_waiting(db_session, sender, hours, NOW + timedelta(minutes=5), POLICY)
    nurse = factories.nurse(db_session)
    ops.claim(db_session, conversation.id, nurse, NOW + timedelta(minutes=6))
    ops.reply(db_session, conversation, nurse, "I am here, can I call you?", 1, NOW + timedelta(minutes=7))
    ops.release(db_session, conversation, nurse, NOW + timedelta(minutes=8))
    assert not conversation.is_waiting_too_long
    later = NOW + timedelta(minutes=20)
    ops.record_inbound(db_session, conversation.contact, conversation, "please call", None, later)
    db_session.commit()
    assert escalate_waiting(db_session, sender, hours, later + timedelta(minutes=5) - SECOND, POLICY) == NOTHING
    assert escalate_waiting(db_session, sender, hours, later + timedelta(minutes=5), POLICY)["marked"] == 1
    assert len(sender.sent) == 2 and events(db_session, EventKind.ESCALATED) == 2


def test_a_wait_that_began_while_closed_counts_from_the_opening(db_session, sender, hours):
    opening = at(2026, 11, 30, 8, 0)  # Monday
    normal = factories.conversation(db_session, since=at(2026, 11, 29, 22, 0))  # Sunday night
    urgent = factories.conversation(db_session, since=at(2026, 11, 29, 22, 0), priority=Priority.URGENT)
    assert escalate_waiting(db_session, sender, hours, at(2026, 11, 29, 23, 0), POLICY) == NOTHING  # no night contact
    assert escalate_waiting(db_session, sender, hours, opening + timedelta(minutes=5) - SECOND, POLICY) == NOTHING
    assert escalate_waiting(db_session, sender, hours, opening + timedelta(minutes=5), POLICY)["marked"] == 1
    assert reread(db_session, urgent).is_waiting_too_long and not reread(db_session, normal).is_waiting_too_long
    assert escalate_waiting(db_session, sender, hours, opening + timedelta(minutes=30) - SECOND, POLICY)["marked"] == 0
    assert escalate_waiting(db_session, sender, hours, opening + timedelta(minutes=30), POLICY)["marked"] == 1
    [event] = [e for e in reread(db_session, normal).events if e.kind == EventKind.ESCALATED]
    assert event_text(event) == "Waiting too long after 30 min with no nurse; the on-call contact was alerted."


def test_out_of_hours_only_urgent_parents_escalate_and_only_to_the_night_contact(db_session, sender, hours):
    night = Policy(oncall=ONCALL, out_of_hours=NIGHT)
    sunday = at(2026, 11, 29, 14, 0)
    factories.conversation(db_session, since=sunday)
    urgent = factories.conversation(db_session, since=sunday, priority=Priority.URGENT)
    assert escalate_waiting(db_session, sender, hours, sunday + timedelta(minutes=5) - SECOND, night) == NOTHING
    assert escalate_waiting(db_session, sender, hours, sunday + timedelta(hours=5), night) == {
        "overdue": 1, "alerted": 1, "marked": 1}
    assert [t["to"] for t in sender.sent] == [NIGHT]
    [event] = [e for e in reread(db_session, urgent).events if e.kind == EventKind.ESCALATED]
    assert event.data == {"waited_minutes": 300, "alerted": "out-of-hours"} and event.actor_kind == "system"


def test_with_no_contact_set_the_queue_is_still_marked(db_session, sender, hours):
    conversation = factories.conversation(db_session, since=NOW, priority=Priority.URGENT)
    assert escalate_waiting(db_session, sender, hours, NOW + timedelta(minutes=5), Policy()) == {
        "overdue": 1, "alerted": 0, "marked": 1}
    assert reread(db_session, conversation).is_waiting_too_long and sender.sent == []
    [event] = [e for e in reread(db_session, conversation).events if e.kind == EventKind.ESCALATED]
    assert event_text(event) == "Waiting too long after 5 min with no nurse."


def test_the_queue_shows_waiting_too_long(app, db_session, sender, hours):
    from tests.handoff.test_web_conversations import Staff

    conversation = factories.conversation(db_session, since=NOW - timedelta(minutes=10), priority=Priority.URGENT)
    nurse = Staff(app, "nurse@example.org")
    assert "Waiting too long" not in nurse.page("/queue")
    escalate_waiting(db_session, sender, hours, NOW, POLICY)
    assert f'id="row-{conversation.id}"' in nurse.page("/queue") and "Waiting too long" in nurse.page("/queue")
    assert reread(db_session, conversation).status == Status.WAITING
