"""The `handover` job: at each opening, the conversations that waited while closed are marked in queue order, and
parents who wrote while closed get one text that the nurses are in."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from handoff import operations as ops
from handoff.handover import OpeningTrigger, hand_over_waiting
from handoff.models import Author, Conversation, DeliveryStatus, Direction, EventKind, Message, Priority
from handoff.web.present import event_text
from tests import factories
from tests.conftest import at
from tests.jobs.conftest import events

pytestmark = pytest.mark.usefixtures("frozen_clock")
MONDAY_8AM = at(2026, 11, 30, 8, 0)
SECOND = timedelta(seconds=1)
NURSES_IN = "The Parentline nurses are in now and have your message."


@pytest.mark.parametrize("now, opening", [
    (at(2026, 12, 4, 18, 0), at(2026, 12, 5, 9, 0)),  # Friday close -> Saturday 9am
    (at(2026, 12, 5, 13, 0), at(2026, 12, 7, 8, 0)),  # Saturday close -> Monday
    (at(2026, 12, 7, 8, 0), at(2026, 12, 7, 8, 0)),  # at an opening: that opening
    (at(2026, 12, 24, 18, 0), at(2026, 12, 29, 8, 0)),  # Christmas, Boxing Day (Sat) and its substitute Monday
    (datetime(2026, 6, 1, 0, 0, tzinfo=timezone.utc), at(2026, 6, 1, 8, 0)),  # 8am BST is 7am UTC
])
def test_the_trigger_fires_at_each_opening_of_the_hours_file(hours, now, opening):
    trigger = OpeningTrigger(hours)
    assert trigger.get_next_fire_time(None, now) == opening
    assert trigger.get_next_fire_time(opening, opening) > opening  # never the same time twice


def test_the_hours_know_when_this_opening_began_and_the_last_closing(hours):
    assert hours.opened_at(MONDAY_8AM - SECOND) is None
    assert hours.opened_at(MONDAY_8AM) == hours.opened_at(at(2026, 11, 30, 17, 59)) == MONDAY_8AM
    assert hours.last_closing(MONDAY_8AM) == at(2026, 11, 28, 13, 0)  # Saturday 1pm
    assert hours.last_closing(at(2026, 11, 30, 18, 0)) == at(2026, 11, 30, 18, 0)


@pytest.fixture
def night(db_session):
    """Who is waiting on Monday morning, and who is not."""
    rows = {
        "sunday": factories.conversation(db_session, since=at(2026, 11, 29, 20, 0)),
        "urgent_since_saturday": factories.conversation(db_session, since=at(2026, 11, 28, 12, 30),
                                                        priority=Priority.URGENT),
        "opted_out": factories.conversation(db_session, since=at(2026, 11, 29, 21, 0), opted_out=True),
        "unsafe": factories.conversation(db_session, since=at(2026, 11, 29, 22, 0), priority=Priority.URGENT,
                                         unsafe_to_text=True),
        "after_opening": factories.conversation(db_session, since=MONDAY_8AM),
        "answered": factories.conversation(db_session, since=at(2026, 11, 29, 20, 0), waiting_since=None),
    }
    return rows


def test_before_opening_nothing_happens(db_session, sender, hours, night):
    counts = hand_over_waiting(db_session, sender, hours, MONDAY_8AM - SECOND, nurses_in=NURSES_IN)
    assert counts == {"handed_over": 0, "texted": 0, "text_failed": 0} and sender.sent == []


def test_at_opening_the_night_is_handed_over_in_queue_order_and_texted_once(db_session, sender, hours, night):
    counts = hand_over_waiting(db_session, sender, hours, MONDAY_8AM, nurses_in=NURSES_IN)
    assert counts == {"handed_over": 4, "texted": 1, "text_failed": 0}
    handed = {name: db_session.get(Conversation, c.id, populate_existing=True) for name, c in night.items()}
    positions = {name: c.events[-1].data["position"] for name, c in handed.items() if c.is_handed_over}
    assert positions == {"urgent_since_saturday": 1, "unsafe": 2, "sunday": 3, "opted_out": 4}
    [text] = sender.sent
    assert text["to"] == night["sunday"].contact.phone and text["body"] == NURSES_IN
    [row] = db_session.query(Message).filter(Message.direction == Direction.OUT, Message.author == Author.BOT).all()
    assert row.conversation_id == night["sunday"].id and row.status == DeliveryStatus.QUEUED
    assert event_text(handed["sunday"].events[-1]) == \
        "Handed over to the nurses at opening (3 of 4); the parent was told nurses are in."
    again = hand_over_waiting(db_session, sender, hours, MONDAY_8AM + timedelta(minutes=5), nurses_in=NURSES_IN)
    assert again == {"handed_over": 0, "texted": 0, "text_failed": 0} and len(sender.sent) == 1
    assert events(db_session, EventKind.HANDED_OVER) == 4


def test_with_the_text_turned_off_no_parent_is_texted(db_session, sender, hours, night):
    counts = hand_over_waiting(db_session, sender, hours, MONDAY_8AM, nurses_in=None)
    assert counts["handed_over"] == 4 and counts["texted"] == 0 and sender.sent == []


def test_a_conversation_still_waiting_at_the_next_opening_is_handed_over_again(db_session, sender, hours, night):
    hand_over_waiting(db_session, sender, hours, MONDAY_8AM, nurses_in=NURSES_IN)
    nurse = factories.nurse(db_session)
    ops.claim(db_session, night["sunday"].id, nurse, MONDAY_8AM + SECOND)
    ops.reply(db_session, night["sunday"], nurse, "Hello, I am here.", 1, MONDAY_8AM + 2 * SECOND)
    db_session.commit()
    tuesday = at(2026, 12, 1, 8, 0)
    counts = hand_over_waiting(db_session, sender, hours, tuesday, nurses_in=NURSES_IN)
    assert counts == {"handed_over": 4, "texted": 0, "text_failed": 0}  # the three left, and Monday's 8am one
    assert not db_session.get(Conversation, night["sunday"].id).is_handed_over
