"""Fixtures for the scheduled jobs: a session on the test database, the app's recording sender and hours."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.models import Event, EventKind


@pytest.fixture
def db_session(app: Any) -> Iterator[Session]:
    # no app context pushed: the test client's requests must get their own, or they would share one session
    with app.extensions["db"]() as session:
        yield session


@pytest.fixture
def sender(app: Any) -> Any:
    """The development sender the test app uses: it keeps every text instead of sending it."""
    return app.extensions["sender"]


@pytest.fixture
def hours(app: Any) -> Any:
    """The shipped opening hours: weekdays 8am-6pm, Saturday 9am-1pm, closed Sundays and bank holidays."""
    return app.extensions["helpline"].hours


def events(session: Session, kind: EventKind) -> int:
    """How many events of this kind the log holds."""
    return session.scalar(select(func.count()).select_from(Event).where(Event.kind == kind))
