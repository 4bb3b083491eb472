"""`helpline scheduler`, `helpline jobs`, and `helpline run` with the scheduler in a thread."""
from __future__ import annotations

import atexit
import json
import signal
import threading
from datetime import datetime
from typing import Any, Optional

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, get_debug_flag, run_command, with_appcontext
from werkzeug.serving import is_running_from_reloader

from bot.scheduler import Runner, quiet_apscheduler
from handoff import clock, db, lease, schedule
from handoff.clock import LONDON
from handoff.models import JobOutcome, JobRun, SchedulerLease


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the scheduled jobs (production: its own service; a second one waits as a standby)."""
    quiet_apscheduler()
    runner = Runner(current_app._get_current_object())  # type: ignore[attr-defined]
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    runner.run_forever()


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="A JSON array on stdout, nothing else.")
@with_appcontext
def jobs(as_json: bool) -> None:
    """List every scheduled job: when it runs, when next, and how its last run went."""
    session, now = db.session(), clock.now()
    holder = lease.current(session)
    runs = schedule.last_runs(session)
    rows = [job_row(job, runs.get(job.id), holder, now) for job in schedule.registered(current_app)]
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    click.echo(_scheduler_line(holder, now))
    for r in rows:
        last = f"{r['last_outcome']} ({_counts(r['last_counts'])})" if r["last_outcome"] else "never run"
        click.echo(f"{r['id']:<11} {r['trigger']:<34} next {_local(r['next_run']) or 'off':<17} last {last}"
                   + (f"\n{'':<12}off: {r['off_because']}" if not r["enabled"] else ""))


def job_row(job: schedule.Job, run: Optional[JobRun], holder: Optional[SchedulerLease],
            now: datetime) -> dict[str, Any]:
    """One job as `helpline jobs --json` shows it."""
    next_run = schedule.next_due(job.trigger, now) if job.trigger is not None else None
    return {
        "id": job.id, "what": job.what, "trigger": job.when or str(job.trigger), "enabled": job.trigger is not None,
        "off_because": None if job.trigger is not None else job.off_because,
        "next_run": next_run.astimezone(LONDON).isoformat() if next_run else None,
        "last_run": run.due_at.isoformat() if run else None,
        "last_outcome": _outcome(run, holder, now) if run else None,
        "last_counts": dict(run.counts or {}) if run else {},
        "last_error": run.error if run else None,
    }


def _outcome(run: JobRun, holder: Optional[SchedulerLease], now: datetime) -> str:
    """ok, failed, running; or interrupted: still marked running, but its scheduler no longer holds the lease."""
    alive = holder is not None and holder.holder == run.runner and holder.expires_at > now
    return "interrupted" if run.outcome == JobOutcome.RUNNING and not alive else run.outcome.value


def _scheduler_line(holder: Optional[SchedulerLease], now: datetime) -> str:
    if holder is None or holder.expires_at <= now:
        return "Scheduler: none active. Jobs run only while `helpline scheduler` (or `helpline run`) is running."
    return f"Scheduler: active ({holder.holder}, lease renewed {int((now - holder.renewed_at).total_seconds())} s ago)."


def _local(iso: Optional[str]) -> str:
    return f"{datetime.fromisoformat(iso).astimezone(LONDON):%a %d %b %H:%M}" if iso else ""


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing to do"


def start_in_thread(app: Flask) -> Runner:
    """Run the scheduler loop in a daemon thread of this process (`helpline run`)."""
    quiet_apscheduler()
    runner = Runner(app)
    threading.Thread(target=runner.run_forever, name="helpline-scheduler", daemon=True).start()
    atexit.register(runner.release)  # the thread dies with the server; its lease need not linger
    return runner


def _run_with_scheduler(**options: Any) -> None:
    """Run the development server and, in a thread, the scheduler: the whole service in one command."""
    ctx = click.get_current_context()
    reload = options.get("reload")
    # with the reloader on, the process that serves is the reloader's child: the scheduler goes there
    if not (get_debug_flag() if reload is None else reload) or is_running_from_reloader():
        start_in_thread(ctx.ensure_object(ScriptInfo).load_app())
    ctx.invoke(run_command, **options)


run = click.Command("run", params=run_command.params, callback=_run_with_scheduler,
                    help="Run the development server, and the scheduled jobs in a thread (development only).",
                    short_help="Run the development server and the scheduler.")
