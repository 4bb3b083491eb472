"""The schedule itself: which jobs, when, how APScheduler runs them; each due time runs once, only under the lease;
`helpline jobs` shows it all; building the app starts nothing."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.jobs_cli import jobs
from bot.scheduler import build_scheduler
from handoff import lease, schedule
from handoff.clock import LONDON
from handoff.models import JobOutcome, JobRun, SchedulerLease
from tests.conftest import NOW, at

pytestmark = pytest.mark.usefixtures("frozen_clock")
ROOT = Path(__file__).resolve().parents[2]
TTL = timedelta(seconds=30)


def job(app, job_id: str) -> schedule.Job:
    return {j.id: j for j in schedule.registered(app)}[job_id]


@pytest.mark.parametrize("retention", [None, 365])
def test_the_schedule(app, config, retention):
    app.extensions["jobs"] = {}
    app.config["RETENTION_DAYS"] = retention
    from handoff import escalation, handover, outbox, retention as retention_module, stale

    for component in (outbox, escalation, handover, stale, retention_module):
        component.init_app(app)
    scheduler = build_scheduler(app, "test")
    assert scheduler.timezone == LONDON
    expected = [("retries", "interval[0:01:00]", 30), ("escalation", "interval[0:01:00]", 30),
                ("handover", "at each opening time", 7200), ("stale", "cron[minute='7']", 3000)]
    if retention:
        expected.append(("retention", "cron[minute='23']", 3000))
    assert [(j.id, str(j.trigger), j.misfire_grace_time) for j in scheduler.get_jobs()] == expected
    assert all(j.coalesce and j.max_instances == 1 and j.func is schedule.run for j in scheduler.get_jobs())
    assert [schedule.next_due(j.trigger, NOW + timedelta(seconds=1)) for j in scheduler.get_jobs()][:4] == [
        NOW + timedelta(minutes=1), NOW + timedelta(minutes=1), at(2026, 12, 1, 8, 0), at(2026, 11, 30, 10, 7)]


def test_a_due_time_missed_while_no_scheduler_ran_is_caught_up_once(app, frozen_clock):
    frozen_clock.move_to(at(2026, 11, 30, 9, 30))  # the scheduler starts after the 8am handover was due
    scheduled = {j.id: j for j in build_scheduler(app, "test").get_jobs()}
    assert scheduled["handover"].next_run_time == at(2026, 11, 30, 8, 0)
    with app.extensions["db"]() as session:
        assert lease.acquire(session, "test", at(2026, 11, 30, 9, 30), TTL)
    assert schedule.run(app, job(app, "handover"), "test").due_at == at(2026, 11, 30, 8, 0)
    scheduled = {j.id: j for j in build_scheduler(app, "test").get_jobs()}
    assert not hasattr(scheduled["handover"], "next_run_time")  # already run: waits for its next opening
    frozen_clock.move_to(at(2026, 11, 30, 10, 1))  # more than two hours late: skipped, not caught up
    scheduled = {j.id: j for j in build_scheduler(app, "other").get_jobs()}
    assert not hasattr(scheduled["handover"], "next_run_time")


def test_each_due_time_runs_once_and_only_under_the_lease(app, frozen_clock, caplog):
    caplog.set_level(logging.INFO)
    retries = job(app, "retries")
    assert schedule.run(app, retries, "me") is None  # no lease: nothing runs
    with app.extensions["db"]() as session:
        assert lease.acquire(session, "me", NOW, TTL)
    first = schedule.run(app, retries, "me")
    assert (first.due_at, first.outcome, first.runner) == (NOW, JobOutcome.OK, "me")
    assert first.counts == {"swept": 0, "attempted": 0, "sent": 0, "retrying": 0, "failed": 0}
    frozen_clock.shift(timedelta(seconds=20))
    assert schedule.run(app, retries, "me") is None  # the same due time: already run
    frozen_clock.shift(timedelta(seconds=40))
    with app.extensions["db"]() as session:
        assert lease.acquire(session, "me", NOW + timedelta(minutes=1), TTL)  # renewed, as the scheduler does
    assert schedule.run(app, retries, "me").due_at == NOW + timedelta(minutes=1)
    assert schedule.run(app, retries, "someone else") is None
    with app.extensions["db"]() as session:
        assert session.scalar(select(func.count()).select_from(JobRun)) == 2
    assert "job retries (due 2026-11-30 10:00:00): swept=0 attempted=0" in caplog.text


def test_a_failed_run_is_recorded_without_its_message(app, caplog):
    def explode(app_, session, now):
        raise ValueError("could not text +447700900123: 'i want to end it'")

    broken = schedule.Job("broken", "Fail", schedule.every(60), explode)
    with app.extensions["db"]() as session:
        assert lease.acquire(session, "me", NOW, TTL)
    with caplog.at_level(logging.INFO):
        record = schedule.run(app, broken, "me")
    assert record.outcome == JobOutcome.FAILED
    assert record.error.startswith("ValueError at jobs/test_schedule.py:")
    assert "900123" not in caplog.text and "end it" not in caplog.text and "ValueError" in caplog.text


def cli_jobs(app) -> list[dict]:
    result = app.test_cli_runner().invoke(jobs, ["--json"], catch_exceptions=False)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_helpline_jobs_json_on_a_fresh_database(app):
    rows = cli_jobs(app)
    assert [r["id"] for r in rows] == ["retries", "escalation", "handover", "stale", "retention"]
    assert all({"id", "next_run", "last_outcome", "trigger"} <= set(r) for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["retries"]["next_run"] == NOW.astimezone(LONDON).isoformat()
    assert by_id["handover"]["next_run"] == "2026-12-01T08:00:00+00:00"
    assert by_id["retention"]["next_run"] is None and by_id["retention"]["enabled"] is False
    assert all(r["last_outcome"] is None for r in rows)


def test_helpline_jobs_shows_the_last_outcome_and_runs_cut_short(app, frozen_clock):
    with app.extensions["db"]() as session:
        assert lease.acquire(session, "me", NOW, TTL)
        session.add(JobRun(job_id="stale", due_at=NOW, runner="me", started_at=NOW, outcome=JobOutcome.RUNNING))
        session.commit()
    schedule.run(app, job(app, "retries"), "me")
    by_id = {r["id"]: r for r in cli_jobs(app)}
    assert (by_id["retries"]["last_outcome"], by_id["retries"]["last_counts"]["sent"]) == ("ok", 0)
    assert by_id["stale"]["last_outcome"] == "running"
    frozen_clock.shift(TTL)  # the lease ran out with the run unfinished: its process died
    assert {r["id"]: r for r in cli_jobs(app)}["stale"]["last_outcome"] == "interrupted"
    text = app.test_cli_runner().invoke(jobs, []).stdout
    assert "Scheduler: none active" in text and "retention" in text and "off: set HELPLINE_RETENTION_DAYS" in text


def test_importing_the_web_app_starts_no_scheduler(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, HELPLINE_INSTANCE_PATH=str(tmp_path),
               HELPLINE_RETRIES_EVERY_SECONDS="1", HELPLINE_ESCALATION_EVERY_SECONDS="1")
    code = "import json, threading, time, wsgi; time.sleep(2.5); print(json.dumps([t.name for t in threading.enumerate()]))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.splitlines()[-1]) == ["MainThread"]
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SchedulerLease)) == 0
        assert conn.scalar(select(func.count()).select_from(JobRun)) == 0
    engine.dispose()


@pytest.mark.parametrize("name, value", [
    ("HELPLINE_ONCALL_NUMBER", "ring Sam"), ("HELPLINE_OUT_OF_HOURS_NUMBER", "999"), ("HELPLINE_RETENTION_DAYS", "7"),
    ("HELPLINE_ESCALATE_URGENT_MINUTES", "0"), ("HELPLINE_SCHEDULER_LEASE_SECONDS", "1"),
    ("HELPLINE_HANDOVER_TEXT", "perhaps"), ("HELPLINE_STALE_DAYS", "-1"), ("HELPLINE_TWILIO_DELETE_AFTER_DAYS", "0"),
])
def test_a_malformed_job_setting_stops_start_up_naming_it(name, value):
    from bot import settings

    with pytest.raises(settings.SettingsError, match=name):
        settings.from_environment({name: value})


def test_the_settings_change_the_jobs(config, tmp_path, monkeypatch):
    from bot import create_app

    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**config, "RETRIES_EVERY_SECONDS": 15, "STALE_DAYS": 0, "HANDOVER_TEXT": False,
                      "TWILIO_DELETE_AFTER_DAYS": 30})
    try:
        by_id = {j.id: j for j in schedule.registered(app)}
        assert str(by_id["retries"].trigger) == "interval[0:00:15]" and by_id["retries"].when == "every 15 s"
        assert by_id["stale"].trigger is None and by_id["stale"].off_because == "HELPLINE_STALE_DAYS is 0"
        assert "text parents" not in by_id["handover"].what
        assert by_id["retention"].trigger is not None and by_id["retention"].what == "Delete Twilio's copies after 30 days"
    finally:
        app.extensions["db_engine"].dispose()
