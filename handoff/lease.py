"""Exactly one active scheduler: a lease row in the database that the active scheduler renews.

A scheduler runs jobs only while it holds an unexpired lease. A standby tries to take it every
few seconds and succeeds once the holder has stopped renewing and the lease has run out, so a
process that dies (even `kill -9`) is replaced within one lease period plus one try. Taking and
renewing are single conditional UPDATEs, which SQLite (BEGIN IMMEDIATE) and PostgreSQL (row
locks, re-checked WHERE) both serialise, so two processes never both hold it.

Times are the one clock's (`now` argument): the processes sharing a lease must share a clock
(the same host, or hosts kept in step by NTP); a lease of 30 s tolerates a few seconds' skew.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.models import SchedulerLease

SCHEDULER = "scheduler"


def new_holder() -> str:
    """A name for this process in the lease row: host, pid, and a random tag (pids are reused)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(session: Session, holder: str, now: datetime, ttl: timedelta, name: str = SCHEDULER) -> bool:
    """Renew the lease if `holder` has it, else take it if it has run out; commit; True if held."""
    lease = SchedulerLease.name == name
    renewed = session.execute(update(SchedulerLease).where(lease, SchedulerLease.holder == holder)
                              .values(renewed_at=now, expires_at=now + ttl)
                              .execution_options(synchronize_session=False)).rowcount
    taken = renewed or session.execute(
        update(SchedulerLease).where(lease, SchedulerLease.expires_at <= now)
        .values(holder=holder, acquired_at=now, renewed_at=now, expires_at=now + ttl)
        .execution_options(synchronize_session=False)).rowcount
    if taken or session.scalar(select(SchedulerLease.name).where(lease)) is not None:
        session.commit()
        return bool(taken)
    session.add(SchedulerLease(name=name, holder=holder, acquired_at=now, renewed_at=now, expires_at=now + ttl))
    try:
        session.commit()
    except IntegrityError:  # another process created the row first: it holds the lease
        session.rollback()
        return False
    return True


def holds(session: Session, holder: str, now: datetime, name: str = SCHEDULER) -> bool:
    """True while `holder` has the lease and it has not run out (read in the caller's transaction)."""
    return session.scalar(select(SchedulerLease.name).where(
        SchedulerLease.name == name, SchedulerLease.holder == holder, SchedulerLease.expires_at > now)) is not None


def release(session: Session, holder: str, now: datetime, name: str = SCHEDULER) -> None:
    """Let the lease run out now, so a standby takes over at its next try; commit."""
    session.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                    .values(expires_at=now).execution_options(synchronize_session=False))
    session.commit()


def current(session: Session, name: str = SCHEDULER) -> Optional[SchedulerLease]:
    """The lease row as it stands (it may have run out), or None if no scheduler ever ran."""
    return session.get(SchedulerLease, name, populate_existing=True)
