"""Shared fixtures: an app on a fresh database (SQLite by default, PostgreSQL when
HELPLINE_TEST_DATABASE_URL is set), signed Twilio requests, and a guard against real network use."""
from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import time_machine
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from handoff.clock import LONDON
from handoff.db import make_engine, migrate, normalise_url
from handoff.models import Base

# The instant every frozen test starts at: Monday 30 November 2026, 10:00 in London (the line is open).
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
HELPLINE = "+447520631590"
PG_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL")


def pytest_report_header(config: Any) -> str:
    return f"helpline database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly on any connection that is not to this machine: tests never call Twilio."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise RuntimeError(f"a test tried to reach {host}: only loopback is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    """Stop the one clock at NOW for this test; `.move_to(when)` and `.shift(delta)` move it.

    Every test that fixes a time uses this, so that the code under test reads the same clock the
    test reasons about, whatever today's date is.
    """
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this run, migrated once; dropped at the end."""
    if not PG_URL:
        yield None
        return
    name = f"helpline_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(PG_URL).rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per run."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(pg_database: str | None, sqlite_template: Path, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    if pg_database:
        engine = create_engine(pg_database)
        with engine.begin() as conn:
            tables = ", ".join(Base.metadata.tables)  # every table the models know, whoever added it
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return pg_database
    path = tmp_path / "helpline.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """The test configuration; a test changes only what it asserts on."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_FROM": HELPLINE,
        "TESTING": True,
    }


@pytest.fixture
def app(config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from bot import create_app

    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(config)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def sign(params: dict[str, str], url: str = "http://localhost/sms", token: str = TOKEN) -> dict[str, str]:
    """Headers Twilio would send for these params posted to url."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


def sms_params(body: str, sender: str = "+447700900001", sid: str | None = None, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an inbound text."""
    sid = sid or "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT, "From": sender, "To": HELPLINE,
            "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01", **extra}


@pytest.fixture
def send_sms(client):
    """POST a correctly signed inbound text; returns the response."""
    def send(body: str, sender: str = "+447700900001", **extra: str):
        params = sms_params(body, sender, **extra)
        return client.post("/sms", data=params, headers=sign(params))
    return send


def at(*args: int) -> datetime:
    """A UK wall-clock time, aware."""
    return datetime(*args, tzinfo=LONDON)
