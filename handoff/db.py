"""The database: engine and session per app, migrations under a lock at start-up."""
from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATION_LOCK_KEY = 7_520_631_590  # any constant: PostgreSQL advisory lock id for migrations


def normalise_url(url: str) -> str:
    """Pick psycopg 3 for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE transactions."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    lock_path = _write_lock_path(engine)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
        # the driver's own transaction handling is off so that BEGIN IMMEDIATE below is ours:
        # a writer takes the lock at BEGIN, so two webhooks never deadlock upgrading a read lock
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        if lock_path is not None:
            record.info["write_lock"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _close_lock(dbapi_connection: Any, record: Any) -> None:
        fd = record.info.pop("write_lock", None)
        if fd is not None:
            os.close(fd)

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # SQLite's own busy handler sleeps and polls (up to 100 ms a try), which collapses
        # throughput when several web processes write at once; a kernel file lock queues them
        # and wakes the next one the moment the lock is free.
        fd = conn.info.get("write_lock")
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    # These events fire just before SQLAlchemy ends the transaction; we end it ourselves first so
    # the file lock is released only once SQLite's lock is (SQLAlchemy's own commit is then a no-op).
    @event.listens_for(engine, "commit")
    def _commit_then_release(conn: Any) -> None:
        conn.connection.dbapi_connection.commit()
        _unlock(conn)

    @event.listens_for(engine, "rollback")
    def _rollback_then_release(conn: Any) -> None:
        conn.connection.dbapi_connection.rollback()
        _unlock(conn)

    return engine


def _unlock(conn: Any) -> None:
    fd = conn.info.get("write_lock")
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _write_lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".write-lock"


def migrate(engine: Engine) -> None:
    """Bring the schema to head under a lock, so processes starting together do not race."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "handoff:migrations")
    with _migration_lock(engine):
        with engine.connect() as connection:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                # Alembic rebuilds a SQLite table to change a column; with foreign keys enforced,
                # dropping the old copy would fail (or cascade). The pragma only takes effect
                # outside a transaction, so it goes straight to the driver before any BEGIN.
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if sqlite:
                    _check_foreign_keys(connection.connection.dbapi_connection)


def _check_foreign_keys(dbapi_connection: Any) -> None:
    """After a migration with foreign keys off: refuse to go on if any reference is broken."""
    broken = dbapi_connection.execute("PRAGMA foreign_key_check").fetchall()
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} broken reference(s), e.g. {broken[0]}")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    """Create the engine and session factory, migrate, and close sessions after each request."""
    url = app.config["DATABASE_URL"]
    engine = make_engine(url)
    if app.config.get("MIGRATE_ON_START", True):
        migrate(engine)
    app.extensions["db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_engine"] = engine
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The request's (or CLI command's) database session."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"]()
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        if exc is not None:
            db_session.rollback()
        db_session.close()
