"""The `retention` job deletes Twilio's own copies through its REST API (the real twilio client, against the local
fake Messages API of tests/test_sender.py): only texts to or from our number, only past the period, once."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from handoff.models import AuditEvent, AuditKind
from handoff.retention import delete_provider_copies
from tests.conftest import HELPLINE, NOW
from tests.test_sender import FakeTwilio, fake_twilio  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("frozen_clock")
MONTH, PARENT, ELSEWHERE = timedelta(days=30), "+447700900123", "+447700900999"


@pytest.fixture
def config(config: dict[str, Any], fake_twilio: FakeTwilio) -> dict[str, Any]:  # noqa: F811
    return {**config, "SENDER": "twilio", "TWILIO_API_BASE": fake_twilio.base}


@pytest.fixture
def twilio(app: Any) -> Iterator[Any]:
    yield app.extensions["sender"]
    app.extensions["sender"].close()


def test_copies_older_than_the_period_are_deleted_once_and_the_audit_log_counts_them(db_session, twilio,
                                                                                     fake_twilio):  # noqa: F811
    fake_twilio.keep("SMold1", HELPLINE, PARENT, NOW - MONTH - timedelta(seconds=1))  # a parent's text to us
    fake_twilio.keep("SMold2", PARENT, HELPLINE, NOW - MONTH - timedelta(days=3))  # our reply
    fake_twilio.keep("SMnew", PARENT, HELPLINE, NOW - MONTH + timedelta(seconds=1))
    fake_twilio.keep("SMother", ELSEWHERE, "+447700900888", NOW - 2 * MONTH)  # not our number
    fake_twilio.keep("SMsending", PARENT, HELPLINE, NOW - 2 * MONTH, status="sending")
    assert delete_provider_copies(db_session, twilio, NOW, MONTH) == {"twilio_deleted": 2, "twilio_not_deleted": 1}
    assert set(fake_twilio.messages) == {"SMnew", "SMother", "SMsending"}
    lists = [r["query"] for r in fake_twilio.requests if r.get("method") == "GET"]
    assert [(q.get("To"), q.get("From")) for q in lists] == [(HELPLINE, None), (None, HELPLINE)]
    assert all(q["DateSent<"].startswith("2026-10-31T10:00:00") for q in lists)
    [entry] = db_session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.PROVIDER_COPIES_DELETED))
    assert entry.data == {"older_than_days": 30, "deleted": 2, "not_deleted": 1}
    fake_twilio.messages["SMsending"]["status"] = "delivered"
    assert delete_provider_copies(db_session, twilio, NOW, MONTH)["twilio_deleted"] == 1  # the next run
    assert delete_provider_copies(db_session, twilio, NOW, MONTH) == {
        "twilio_deleted": 0, "twilio_not_deleted": 0}
    assert set(fake_twilio.messages) == {"SMnew", "SMother"}


def test_a_listing_twilio_refuses_is_counted_and_tried_again_next_run(db_session, twilio, fake_twilio,
                                                                     monkeypatch):  # noqa: F811
    fake_twilio.keep("SMold", HELPLINE, PARENT, NOW - 2 * MONTH)
    monkeypatch.setattr(fake_twilio, "listed", lambda query: (_ for _ in ()).throw(ConnectionResetError()))
    assert delete_provider_copies(db_session, twilio, NOW, MONTH) == {"twilio_deleted": 0, "twilio_failed": 1}
    monkeypatch.undo()
    assert delete_provider_copies(db_session, twilio, NOW, MONTH)["twilio_deleted"] == 1
