"""Configuration from the environment, checked at start-up with errors that name the setting."""
from __future__ import annotations

import pytest

from bot import settings


def test_defaults_need_nothing():
    config = settings.from_environment({})
    assert config["DATABASE_URL"] is None and config["SENDER"] == "outbox"
    settings.check_production(config)  # development: nothing required


@pytest.mark.parametrize("name,value", [("TWILIO_AUTH_TOKEN", "not-hex"), ("TWILIO_ACCOUNT_SID", "XX123"),
                                        ("HELPLINE_PUBLIC_URL", "sms.example.org"), ("SECRET_KEY", "short"),
                                        ("HELPLINE_ANSWER_TWILIO_HELP", "maybe")])
def test_a_malformed_setting_is_named(name, value):
    with pytest.raises(settings.SettingsError, match=name):
        settings.from_environment({name: value})


def test_production_requires_the_secrets():
    config = settings.from_environment({"HELPLINE_ENV": "production"})
    with pytest.raises(settings.SettingsError, match="SECRET_KEY.*TWILIO_ACCOUNT_SID.*TWILIO_AUTH_TOKEN.*TWILIO_FROM"):
        settings.check_production(config)


def test_public_url_loses_its_trailing_slash():
    assert settings.from_environment({"HELPLINE_PUBLIC_URL": "https://sms.example.org/"})["PUBLIC_URL"] == \
        "https://sms.example.org"


def test_a_development_secret_is_generated_once(tmp_path):
    first = settings.instance_secret(tmp_path)
    assert len(first) == 64 and settings.instance_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_fresh_start_with_no_settings_migrates_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    from bot import create_app

    for name in [s.env for s in settings.SETTINGS]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert (tmp_path / "instance" / "helpline.db").exists()
    assert (tmp_path / "instance" / "secret_key").exists()
    assert app.config["TWILIO_AUTH_TOKEN"] is None
    app.extensions["db_engine"].dispose()


def test_several_processes_starting_on_a_fresh_database_do_not_race(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "race.db"
    code = ("import os; os.environ['DATABASE_URL']='sqlite:///%s'; os.environ['HELPLINE_INSTANCE_PATH']='%s';"
            "from bot import create_app; create_app()") % (db, tmp_path / "inst")
    procs = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    import sqlite3
    with sqlite3.connect(db) as con:
        assert con.execute("select version_num from alembic_version").fetchall() == [(migration_head(),)]
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)


def migration_head() -> str:
    """The one head revision of the migrations folder."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "handoff:migrations")
    [head] = ScriptDirectory.from_config(config).get_heads()
    return head
