"""The process that runs the scheduled jobs: APScheduler 3 behind the database lease.

Web workers never run jobs: building the app only registers them (`handoff.schedule`). In
production run `helpline scheduler` as its own service, beside the web app; a second one started
on another host, or by mistake, is a standby: it waits without running anything and takes over
within a lease period (HELPLINE_SCHEDULER_LEASE_SECONDS, 30) plus one try (a third of that) after
the first dies. In development `helpline run` runs the same loop in a thread of the dev server.

Each job is an APScheduler job with an explicit id, coalescing missed runs into one, at most one
instance at a time, in Europe/London. A due time missed while no scheduler was active (a
restart, a takeover) runs once at start if it is still within the job's grace.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Optional

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from handoff import clock, lease, schedule
from handoff.clock import LONDON

log = logging.getLogger(__name__)
THREADS = 4  # jobs run side by side (a slow retention run never holds up retries), each one at a time


def build_scheduler(app: Flask, holder: str, now: Optional[datetime] = None) -> BlockingScheduler:
    """A blocking scheduler holding every enabled job of the app; not started."""
    now = now or clock.now()
    scheduler = BlockingScheduler(timezone=LONDON, executors={"default": ThreadPoolExecutor(THREADS)},
                                  job_defaults={"coalesce": True, "max_instances": 1})
    for job in schedule.registered(app):
        if job.trigger is None:
            continue
        missed = _missed(app, job, now)
        scheduler.add_job(schedule.run, job.trigger, args=(app, job, holder), id=job.id, name=job.what,
                          coalesce=True, max_instances=1, misfire_grace_time=int(job.grace.total_seconds()),
                          **({"next_run_time": missed} if missed else {}))
    return scheduler


def _missed(app: Flask, job: schedule.Job, now: datetime) -> Optional[datetime]:
    """The due time within the job's grace that no process has run yet, if any."""
    due = schedule.last_due(job.trigger, now, job.grace)
    if due is None:
        return None
    with app.app_context(), app.extensions["db"]() as session:
        return None if schedule.has_run(session, job.id, due) else due


class Runner:
    """Wait for the lease; run the jobs while it is held; wait again if it is lost; release it on stop."""

    def __init__(self, app: Flask, holder: Optional[str] = None):
        self.app, self.holder = app, holder or lease.new_holder()
        self.ttl = timedelta(seconds=int(app.config.get("SCHEDULER_LEASE_SECONDS") or 30))
        self.try_every = max(1.0, self.ttl.total_seconds() / 3)
        self.stopping = threading.Event()
        self._scheduler: Optional[BlockingScheduler] = None

    def run_forever(self) -> None:
        """Run until `stop`: standby while another process holds the lease, active while we do."""
        log.info("scheduler %s: starting, lease %d s", self.holder, self.ttl.total_seconds())
        standby = False
        while not self.stopping.is_set():
            if self._take():
                self._run_active()
                standby = False
                continue
            if not standby:
                log.info("scheduler %s: standby, another scheduler holds the lease", self.holder)
                standby = True
            self.stopping.wait(self.try_every)
        self.release()

    def release(self) -> None:
        """Give the lease up now, so a standby need not wait for it to run out."""
        with self.app.app_context(), self.app.extensions["db"]() as session:
            lease.release(session, self.holder, clock.now())
        log.info("scheduler %s: stopped, lease released", self.holder)

    def stop(self) -> None:
        """Stop running jobs and leave (from a signal handler or another thread)."""
        self.stopping.set()
        self._shutdown()

    def _take(self) -> bool:
        try:
            with self.app.app_context(), self.app.extensions["db"]() as session:
                return lease.acquire(session, self.holder, clock.now(), self.ttl)
        except Exception as exc:  # noqa: BLE001 - the database may be down for a while: keep trying
            log.warning("scheduler %s: could not reach the lease (%s)", self.holder, type(exc).__name__)
            return False

    def _run_active(self) -> None:
        scheduler = build_scheduler(self.app, self.holder)
        scheduler.add_job(self._renew, IntervalTrigger(seconds=self.try_every, timezone=LONDON), id="lease",
                          name="renew the scheduler lease", coalesce=True, max_instances=1)
        self._scheduler = scheduler
        log.info("scheduler %s: active, running %s", self.holder,
                 ", ".join(j.id for j in scheduler.get_jobs() if j.id != "lease"))
        if not self.stopping.is_set():
            scheduler.start()  # blocks until shutdown
        self._scheduler = None

    def _renew(self) -> None:
        if self.stopping.is_set():
            self._shutdown()
        elif not self._take():
            log.error("scheduler %s: lost the lease; jobs stop here and this process goes back to standby",
                      self.holder)
            self._shutdown()

    def _shutdown(self) -> None:
        scheduler = self._scheduler
        if scheduler is not None and scheduler.state != STATE_STOPPED:
            scheduler.shutdown(wait=False)


def quiet_apscheduler() -> None:
    """APScheduler logs every run at INFO; our own line per run says more, with counts."""
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
