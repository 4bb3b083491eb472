"""The scheduler lease: one holder at a time, renewed by it, taken over only once it runs out."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from handoff import lease
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen_clock")
TTL, SECOND = timedelta(seconds=30), timedelta(seconds=1)


def test_the_first_takes_it_a_second_waits_and_takes_over_only_when_it_runs_out(db_session):
    assert lease.acquire(db_session, "a", NOW, TTL)
    assert not lease.acquire(db_session, "b", NOW + SECOND, TTL)
    assert lease.acquire(db_session, "a", NOW + 10 * SECOND, TTL)  # renewed: runs out at +40 s now
    assert not lease.acquire(db_session, "b", NOW + 40 * SECOND - SECOND, TTL)
    assert lease.holds(db_session, "a", NOW + 39 * SECOND) and not lease.holds(db_session, "a", NOW + 40 * SECOND)
    assert lease.acquire(db_session, "b", NOW + 40 * SECOND, TTL)
    assert not lease.acquire(db_session, "a", NOW + 41 * SECOND, TTL)  # a lost it: it cannot renew
    current = lease.current(db_session)
    assert (current.holder, current.acquired_at, current.expires_at) == ("b", NOW + 40 * SECOND, NOW + 70 * SECOND)


def test_a_released_lease_is_taken_at_once(db_session):
    assert lease.acquire(db_session, "a", NOW, TTL)
    lease.release(db_session, "a", NOW + SECOND)
    assert lease.acquire(db_session, "b", NOW + SECOND, TTL)
    lease.release(db_session, "a", NOW + 2 * SECOND)  # not a's to release any more
    assert lease.holds(db_session, "b", NOW + 2 * SECOND)


@pytest.mark.parametrize("before", ["no scheduler ever ran", "the last one's lease ran out"])
def test_many_processes_racing_for_a_free_lease_give_one_holder(app, before):
    barrier, won = threading.Barrier(6), []
    if before != "no scheduler ever ran":
        with app.extensions["db"]() as session:
            assert lease.acquire(session, "gone", NOW - 2 * TTL, TTL)

    def contender(name: str) -> None:
        with app.extensions["db"]() as session:
            barrier.wait()
            if lease.acquire(session, name, NOW, TTL):
                won.append(name)

    threads = [threading.Thread(target=contender, args=(f"p{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1
    with app.extensions["db"]() as session:
        assert lease.current(session).holder == won[0]
