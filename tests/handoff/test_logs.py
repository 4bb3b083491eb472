"""Both logs are typed: every kind has its words, and the words read well for real events."""
from __future__ import annotations

import pytest

from handoff.audit import AUDIT_WORDS, EVENT_WORDS
from handoff.models import AuditKind, Event, EventKind, User
from handoff.web.present import event_text


def test_every_event_and_audit_kind_has_its_words():
    assert set(EVENT_WORDS) == set(EventKind)
    assert set(AUDIT_WORDS) == set(AuditKind)
    assert all(words.strip() for words in [*EVENT_WORDS.values(), *AUDIT_WORDS.values()])


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_kind_reads_as_a_sentence_without_placeholders(kind):
    nurse = User(email="nurse@example.org")
    line = event_text(Event(kind=kind, actor=nurse, actor_kind="nurse", data={
        "priority": "urgent", "out_of_hours": True, "risk_kind": "risk_self", "phrases": ["end it"],
        "to": "colleague@example.org", "outcome": "signposted"}))
    assert "{" not in line and "None" not in line and len(line) > 10


def test_event_words_use_the_data_they_are_given():
    assert event_text(Event(kind=EventKind.QUEUED, actor_kind="bot", data={"priority": "urgent", "out_of_hours": True})) \
        == "Joined the queue out of hours as urgent."
    assert event_text(Event(kind=EventKind.RISK_FLAGGED, actor_kind="bot",
                            data={"risk_kind": "risk_self", "phrases": ["end it all"]})) \
        == "Risk flagged: risk to the parent's own safety (\u201cend it all\u201d)."
