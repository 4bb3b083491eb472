"""Time-driven jobs: each component registers its own in its `init_app`; `bot.scheduler` runs them.

Registering a job is only data in `app.extensions["jobs"]`: building the app starts nothing, so
web workers never run jobs. A job's body takes the app, a session and `now`, does what is due and
not yet done, and returns counts (never text or numbers), so running it twice changes nothing.

`run` is what the scheduler calls at a due time: it records the run in `job_runs` under the
(job, due time) pair, which is unique, and only while this process holds the scheduler lease, so
a job runs at most once per due time whatever the processes do.

To add a job (a spool replay, say) from any component::

    schedule.register(app, Job("spool", "Store spooled texts", every(60), replay_spooled))
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff import clock, lease
from handoff.clock import LONDON
from handoff.models import JobOutcome, JobRun

log = logging.getLogger(__name__)

Counts = dict[str, int]
Body = Callable[[Flask, Session, datetime], Counts]
# interval jobs count from a fixed instant, so every process agrees on the due times
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
KEEP_RUNS = timedelta(days=14)  # `job_runs` history kept for `helpline jobs` and for looking back


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id, what it does, when (None: turned off by a setting), and its body."""

    id: str
    what: str
    trigger: Optional[BaseTrigger]
    body: Body
    when: str = ""  # the trigger in words, for `helpline jobs`
    grace: timedelta = timedelta(seconds=30)  # how late a due run may still start (after a restart too)
    off_because: str = ""  # shown when the trigger is None


def every(seconds: int) -> IntervalTrigger:
    """Every `seconds`, on a grid shared by all processes."""
    return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=timezone.utc)


def hourly(minute: int) -> CronTrigger:
    """Every hour at this minute past."""
    return CronTrigger(minute=minute, timezone=LONDON)



def register(app: Flask, job: Job) -> None:
    """Add a job to the app's schedule; ids are unique."""
    jobs = app.extensions.setdefault("jobs", {})
    if job.id in jobs:
        raise ValueError(f"a job with id {job.id!r} is already registered")
    jobs[job.id] = job


def registered(app: Flask) -> list[Job]:
    """Every registered job, in registration order."""
    return list(app.extensions.get("jobs", {}).values())


def next_due(trigger: BaseTrigger, now: datetime) -> Optional[datetime]:
    """The first due time at or after `now`."""
    return trigger.get_next_fire_time(None, now)


def last_due(trigger: BaseTrigger, now: datetime, grace: timedelta) -> Optional[datetime]:
    """The latest due time in (now - grace, now], or None: the due time a run starting now serves."""
    due, candidate = None, trigger.get_next_fire_time(None, now - grace + timedelta(microseconds=1))
    while candidate is not None and candidate <= now:
        due = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(microseconds=1))
    return due


def has_run(session: Session, job_id: str, due: datetime) -> bool:
    """True if a run for this due time has been recorded (by any process)."""
    return session.scalar(select(JobRun.id).where(JobRun.job_id == job_id, JobRun.due_at == due)) is not None


def last_runs(session: Session) -> dict[str, JobRun]:
    """Each job's latest recorded run."""
    latest = select(JobRun.job_id, func.max(JobRun.due_at).label("due")).group_by(JobRun.job_id).subquery()
    rows = session.scalars(select(JobRun).join(latest, (JobRun.job_id == latest.c.job_id)
                                               & (JobRun.due_at == latest.c.due)))
    return {run.job_id: run for run in rows}


def run(app: Flask, job: Job, holder: str) -> Optional[JobRun]:
    """Run a job once for its current due time, if this process holds the lease; record and log it."""
    now = clock.now()
    due = last_due(job.trigger, now, job.grace) if job.trigger is not None else None
    if due is None:
        log.warning("job %s: started too late for any due time, skipped", job.id)
        return None
    with app.app_context():
        session = app.extensions["db"]()
        try:
            record = _claim(session, job.id, due, holder, now)
            if record is not None:
                _execute(app, job, session, record)
            return record
        finally:
            session.close()


def _claim(session: Session, job_id: str, due: datetime, holder: str, now: datetime) -> Optional[JobRun]:
    """Record the start of a run, unless the lease is not ours or this due time already ran."""
    if not lease.holds(session, holder, now):
        session.rollback()
        log.warning("job %s (due %s): this process does not hold the scheduler lease, skipped", job_id, _at(due))
        return None
    record = JobRun(job_id=job_id, due_at=due, runner=holder, started_at=now, outcome=JobOutcome.RUNNING, counts={})
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        log.info("job %s (due %s): already run, skipped", job_id, _at(due))
        return None
    return record


def _execute(app: Flask, job: Job, session: Session, record: JobRun) -> None:
    started = time.monotonic()
    try:
        counts = job.body(app, session, clock.now())
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded and logged; the next due time tries again
        session.rollback()
        _finish(session, record, JobOutcome.FAILED, {}, _where(exc))
        log.error("job %s (due %s): failed after %.1f s: %s", job.id, _at(record.due_at),
                  time.monotonic() - started, record.error)
        return
    _finish(session, record, JobOutcome.OK, counts, None)
    log.info("job %s (due %s): %s in %.1f s", job.id, _at(record.due_at),
             " ".join(f"{k}={v}" for k, v in counts.items()) or "nothing to do", time.monotonic() - started)


def _finish(session: Session, record: JobRun, outcome: JobOutcome, counts: Counts, error: Optional[str]) -> None:
    now = clock.now()
    record.outcome, record.counts, record.error, record.finished_at = outcome, dict(counts), error, now
    session.execute(delete(JobRun).where(JobRun.job_id == record.job_id, JobRun.due_at < now - KEEP_RUNS))
    session.commit()


def _where(exc: BaseException) -> str:
    """An error's type and the line that raised it; never its message, which may quote a text or a number."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" at {'/'.join(frame.filename.rsplit('/', 2)[-2:])}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}{place}"[:255]


def _at(when: datetime) -> str:
    return f"{when.astimezone(LONDON):%Y-%m-%d %H:%M:%S}"
