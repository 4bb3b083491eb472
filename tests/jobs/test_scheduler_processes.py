"""Real processes: two `helpline scheduler`s run each job once per due time and hand over after `kill -9`;
gunicorn's workers run no job; `helpline run` runs the web app and the jobs.

The jobs run every second and the lease lasts 3 s here, so a takeover that takes 30 to 40 s with the
defaults takes a few seconds. Times are the real clock's: these are separate processes.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy import func, select

from handoff import clock, lease
from handoff.clock import LONDON
from handoff.models import Author, DeliveryStatus, JobRun, Message, SchedulerLease
from handoff.outbox import send_retries
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RAN = re.compile(r"job (\w+) \(due ([^)]+)\): (?!.*skipped).* in [\d.]+ s$", re.M)
LEASE_SECONDS = 3


class Process:
    """A command of ours running in the background, its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        with open(log, "w") as out:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, pattern: str, times: int = 1, timeout: float = 60) -> float:
        """Wait until the output matches `times` times; return when (time.monotonic)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.output())) >= times:
                return time.monotonic()
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in {self.log.name}:\n{self.output()[-3000:]}")

    def stop(self, how: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(how)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def start(database_url: str, tmp_path: Path):
    """Start one of our commands against the test database with second-long jobs and a 3 s lease."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, HELPLINE_INSTANCE_PATH=str(tmp_path / "instance"),
               HELPLINE_RETRIES_EVERY_SECONDS="1", HELPLINE_ESCALATION_EVERY_SECONDS="1",
               HELPLINE_SCHEDULER_LEASE_SECONDS=str(LEASE_SECONDS), PYTHONUNBUFFERED="1")
    started: list[Process] = []

    def run(name: str, *args: str) -> Process:
        process = Process([str(BIN / args[0]), *args[1:]], env, tmp_path / f"{name}.log")
        started.append(process)
        return process
    yield run
    for process in started:
        process.stop(signal.SIGKILL)


def ran(output: str) -> list[tuple[str, str]]:
    """(job, due time) of every run a log shows."""
    return RAN.findall(output)


def test_two_schedulers_run_each_job_once_per_due_time_and_the_standby_takes_over_after_kill_9(start, app):
    first = start("first", "helpline", "scheduler")
    first.wait_for(r"active, running")
    second = start("second", "helpline", "scheduler")
    second.wait_for(r"standby, another scheduler holds the lease")
    first.wait_for(r"job retries \(due ", times=3)
    assert ran(second.output()) == []  # the standby ran nothing while the first was alive
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    killed = time.monotonic()
    took_over = second.wait_for(r"active, running", timeout=60) - killed
    second.wait_for(r"job retries \(due ", times=3)
    second.stop()
    runs = ran(first.output()) + ran(second.output())
    assert [key for key, n in Counter(runs).items() if n > 1] == []  # never twice
    assert {job for job, _ in ran(first.output())} >= {"retries", "escalation"}
    assert {job for job, _ in ran(second.output())} >= {"retries", "escalation"}
    assert took_over < 60
    print(f"\nstandby took over {took_over:.1f} s after kill -9 (lease {LEASE_SECONDS} s)")
    with app.extensions["db"]() as session:
        recorded = session.execute(select(JobRun.job_id, JobRun.due_at, JobRun.runner)).all()
        keys = {(r.job_id, f"{r.due_at.astimezone(LONDON):%Y-%m-%d %H:%M:%S}") for r in recorded}
        # every run logged is recorded, once; kill -9 may have cut one short between the two
        assert len(keys) == len(recorded) and set(runs) <= keys and len(keys) - len(runs) <= 1
        assert len({r.runner for r in recorded}) == 2
        assert lease.current(session).expires_at <= clock.now()  # the second let it go when stopped


def due_work(app) -> list[int]:
    """A retry that is due, a text stuck in sending, and one a dead worker left pending: real times."""
    now = clock.now()
    with app.extensions["db"]() as session:
        conversation = factories.conversation(session, since=now - timedelta(hours=1))
        rows = [factories.text(session, conversation, Author.NURSE, "We are here.", now - timedelta(minutes=10),
                               **values)
                for values in ({"status": DeliveryStatus.RETRY, "attempts": 1, "next_attempt_at": now},
                               {"status": DeliveryStatus.SENDING, "attempts": 1},
                               {"status": DeliveryStatus.PENDING})]
        session.commit()
        return [row.id for row in rows]


def statuses(app, ids: list[int]) -> list[Optional[DeliveryStatus]]:
    with app.extensions["db"]() as session:
        return [session.get(Message, i).status for i in ids]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_workers_run_no_job(start, app):
    ids = due_work(app)
    port = free_port()
    web = start("gunicorn", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app")
    web.wait_for(r"TWILIO_AUTH_TOKEN is not set", times=3)  # each worker has built the app
    for _ in range(300):  # wait until every worker has built the app and served
        try:
            if all(urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).status == 200
                   for _ in range(6)):
                break
        except OSError:
            time.sleep(0.1)
    time.sleep(3.5)  # more than three due times of every-second jobs
    assert statuses(app, ids) == [DeliveryStatus.RETRY, DeliveryStatus.SENDING, DeliveryStatus.PENDING]
    with app.extensions["db"]() as session:
        assert session.scalar(select(func.count()).select_from(JobRun)) == 0
        assert session.scalar(select(func.count()).select_from(SchedulerLease)) == 0
    assert ran(web.output()) == [] and web.output().count("Booting worker") == 3
    web.stop()
    with app.extensions["db"]() as session:  # the same work is due: the job itself would have done it
        counts = send_retries(session, app.extensions["sender"], clock.now())
        assert (counts["swept"], counts["attempted"]) == (1, 2)  # the swept one waits for its backoff


def test_helpline_run_serves_the_app_and_runs_the_jobs(start, app):
    ids = due_work(app)
    port = free_port()
    dev = start("run", "helpline", "run", "--port", str(port))
    dev.wait_for(r"active, running")
    deadline = time.monotonic() + 30
    while statuses(app, ids)[0] == DeliveryStatus.RETRY and time.monotonic() < deadline:
        time.sleep(0.2)
    # the due retry and the orphan went out; the stuck one is back to retry, waiting for its backoff
    assert statuses(app, ids) == [DeliveryStatus.QUEUED, DeliveryStatus.RETRY, DeliveryStatus.QUEUED]
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).status == 200
    dev.stop(signal.SIGINT)  # Ctrl-C
    assert dev.proc.returncode is not None
    with app.extensions["db"]() as session:
        assert lease.current(session).expires_at <= clock.now()  # given up on the way out


