"""Claiming is atomic: nurses racing for conversations never hold the same one (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

import pytest
from sqlalchemy import select, update

from handoff.models import Contact, Conversation, Event, Role, Status, User
from handoff.operations import claim, claim_next
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
NURSES = 4
TRIALS = 1_000


def nurses(app: Any) -> list[User]:
    """Four active nurses, loaded and detached so threads can pass them around."""
    with app.extensions["db"]() as session:
        staff = [User(email=f"nurse{i}@example.org", password_hash="x", role=Role.NURSE, created_at=NOW)
                 for i in range(NURSES)]
        session.add_all(staff)
        session.commit()
        return staff


def waiting(app: Any, count: int) -> list[int]:
    """Waiting conversations, one per new number; returns their ids."""
    with app.extensions["db"]() as session:
        found = [Conversation(contact=Contact(phone=f"+4477009{i:05d}", created_at=NOW), waiting_since=NOW,
                              opened_at=NOW) for i in range(count)]
        session.add_all(found)
        session.commit()
        return [c.id for c in found]


def reset(app: Any, ids: list[int]) -> None:
    with app.extensions["db"]() as session:
        session.execute(update(Conversation).where(Conversation.id.in_(ids))
                        .values(status=Status.WAITING, holder_id=None, claimed_at=None))
        session.commit()


class Race:
    """Four threads, each with its own session, that start each round together at a barrier."""

    def __init__(self, app: Any, attempt: Callable[[Any, User], Any], staff: list[User]):
        self.app, self.attempt, self.staff = app, attempt, staff
        self.start, self.done = threading.Barrier(NURSES + 1), threading.Barrier(NURSES + 1)
        self.results: list[Any] = [None] * NURSES
        self.errors: list[BaseException] = []
        self.stopping = False
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(NURSES)]
        for t in self.threads:
            t.start()

    def _run(self, index: int) -> None:
        while True:
            self.start.wait()
            if self.stopping:
                return
            try:
                with self.app.extensions["db"]() as session:
                    self.results[index] = self.attempt(session, self.staff[index])
                    session.commit()
            except BaseException as exc:  # reported by the main thread, not lost in this one
                self.errors.append(exc)
            self.done.wait()

    def round(self) -> list[Any]:
        """Let all four go at once; return what each got."""
        self.start.wait(timeout=60)
        self.done.wait(timeout=60)
        assert not self.errors, self.errors
        return list(self.results)

    def stop(self) -> None:
        self.stopping = True
        self.start.wait(timeout=60)
        for t in self.threads:
            t.join(60)


def holder(app: Any, conversation_id: int) -> tuple[Status, Optional[int]]:
    with app.extensions["db"]() as session:
        row = session.execute(select(Conversation.status, Conversation.holder_id)
                              .where(Conversation.id == conversation_id)).one()
        return row.status, row.holder_id


def test_exactly_one_of_four_nurses_wins_each_claim(app, capsys):
    staff, [conversation_id] = nurses(app), waiting(app, 1)
    race = Race(app, lambda session, nurse: claim(session, conversation_id, nurse, NOW), staff)
    started = time.perf_counter()
    try:
        for trial in range(TRIALS):
            results = race.round()
            winners = [staff[i].id for i, won in enumerate(results) if won]
            assert len(winners) == 1, f"trial {trial}: {len(winners)} winners"
            assert holder(app, conversation_id) == (Status.HELD, winners[0]), f"trial {trial}"
            reset(app, [conversation_id])
    finally:
        race.stop()
    with app.extensions["db"]() as session:
        claimed = session.scalars(select(Event.kind).where(Event.conversation_id == conversation_id,
                                                           Event.kind == "claimed")).all()
    assert len(claimed) == TRIALS  # one event per win, none for a loss
    with capsys.disabled():
        print(f"\n{TRIALS} claim trials x {NURSES} threads on {app.extensions['db_engine'].dialect.name}: "
              f"{time.perf_counter() - started:.1f} s")


def test_four_nurses_taking_next_get_four_different_conversations(app):
    staff, ids = nurses(app), waiting(app, NURSES)
    race = Race(app, lambda session, nurse: getattr(claim_next(session, nurse, NOW), "id", None), staff)
    try:
        for trial in range(100):
            got = race.round()
            assert sorted(got) == sorted(ids), f"trial {trial}: {got}"
            assert {holder(app, c) for c in ids} == {(Status.HELD, n.id) for n in staff}
            reset(app, ids)
    finally:
        race.stop()


def test_take_next_with_fewer_conversations_than_nurses(app):
    staff, ids = nurses(app), waiting(app, 2)
    race = Race(app, lambda session, nurse: getattr(claim_next(session, nurse, NOW), "id", None), staff)
    try:
        for trial in range(50):
            got = race.round()
            assert sorted(c for c in got if c is not None) == sorted(ids) and got.count(None) == 2, f"trial {trial}"
            reset(app, ids)
    finally:
        race.stop()
