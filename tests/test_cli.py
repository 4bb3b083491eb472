"""The `helpline` CLI: JSON output, hours, queue, simulate, triage, users."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from handoff.models import Role, User


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)
    return run


def test_hours_json_one_object_per_at_in_order(cli):
    result = cli("hours", "--json", "--at", "2026-11-24T07:59:59+00:00", "--at", "2026-11-24T08:00:00+00:00",
                 "--at", "2026-11-28T13:00:00+00:00", "--at", "2026-12-28T10:00:00+00:00")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["open"] for r in rows] == [False, True, False, False]
    assert rows[0]["opens_at"] == "2026-11-24T08:00:00+00:00" and rows[0]["closes_at"] is None
    assert rows[1]["closes_at"] == "2026-11-24T18:00:00+00:00" and rows[1]["opens_at"] is None
    assert rows[2]["opens_at"] == "2026-11-30T08:00:00+00:00"
    assert rows[3]["opens_at"] == "2026-12-29T08:00:00+00:00"  # substitute bank holiday for Boxing Day
    assert set(rows[0]) == {"at", "open", "opens_at", "closes_at"}


def test_hours_after_the_clocks_go_forward(cli):
    result = cli("hours", "--json", "--at", "2026-03-30T06:59:59+00:00", "--at", "2026-03-30T07:00:00+00:00")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["open"] for r in rows] == [False, True]  # 08:00 BST is 07:00 UTC
    assert rows[0]["opens_at"] == "2026-03-30T08:00:00+01:00"


def test_hours_refuses_a_bad_time(cli):
    result = cli("hours", "--at", "next tuesday")
    assert result.exit_code != 0 and "ISO 8601" in result.stderr


def test_queue_json_in_the_order_nurses_see_it(cli, send_sms):
    send_sms("hi there", "+447700900601")
    send_sms("is this the garage about my mot", "+447700900602")
    send_sms("i want to kill myself", "+447700900603")
    result = cli("queue", "--json")
    rows = json.loads(result.stdout)
    assert [r["phone"] for r in rows] == ["+447700900603", "+447700900601", "+447700900602"]
    assert [r["priority"] for r in rows] == ["urgent", "normal", "low"]
    assert {"conversation_id", "phone", "priority", "status", "waiting_since", "topics"} <= set(rows[0])
    assert rows[0]["status"] == "waiting"


def test_simulate_prints_a_sensible_reply(cli):
    result = cli("simulate", "i lost my baby")
    assert result.exit_code == 0
    assert "automatic" in result.stdout.lower()
    assert "nurse" in result.stdout.lower()


def test_simulate_at_a_closed_time_gives_when_nurses_are_back(cli):
    result = cli("simulate", "--from", "+447700900604", "--at", "2026-11-27T18:30:00+00:00", "my baby was stillborn")
    assert "tomorrow at 9am" in result.stdout and "999" in result.stdout


def test_triage_json_explains_the_decision(cli):
    result = cli("triage", "--json", "i want to kill myself")
    data = json.loads(result.stdout)
    assert data["risk"] is True and data["risk_kind"] == "risk_self"
    assert data["matches"] and {"phrase", "topic", "score"} <= set(data["matches"][0])
    assert "999" in data["reply"][0]


def test_triage_json_shows_the_risk_models_score(cli):
    data = json.loads(cli("triage", "--json", "found the dog a lovely new home. cant take him where im going").stdout)
    assert data["risk"] is True and data["risk_score"] >= 0.6
    assert data["risk_phrases"] and "999" in data["reply"][0]


def test_catalogue_train_saves_fresh_weights(cli, tmp_path):
    import keywords
    folder = tmp_path / "catalogue"
    shutil.copytree(Path(keywords.__file__).with_name("catalogue"), folder)
    (folder / "risk_model.json").unlink()
    result = cli("catalogue", "train", "--dir", str(folder))
    assert result.exit_code == 0 and "trained on" in result.stdout and "risk_self" in result.stdout
    assert keywords.load_catalogue(folder).model_was_saved
    (folder / "risk_examples.txt").write_text("nonsense without a label\n", encoding="utf-8")
    result = cli("catalogue", "train", "--dir", str(folder))
    assert result.exit_code != 0 and "risk_examples.txt, line 1" in result.output


def test_user_create_reads_the_password_from_stdin(app, cli):
    result = cli("user", "create", "Nurse@Example.org", "--role", "nurse", input="a long enough password\n")
    assert result.exit_code == 0
    with app.extensions["db"]() as session:
        user = session.scalars(select(User)).one()
    assert user.email == "nurse@example.org" and user.role == Role.NURSE
    assert user.password_hash.startswith("$argon2id$")


def test_user_create_refuses_a_mismatched_confirmation(cli):
    result = cli("user", "create", "a@example.org", "--role", "nurse", input="first password 1\nsecond password 2\n")
    assert result.exit_code != 0


def test_user_deactivate(app, cli):
    cli("user", "create", "b@example.org", "--role", "supervisor", input="a long enough password\n")
    assert cli("user", "deactivate", "b@example.org").exit_code == 0
    with app.extensions["db"]() as session:
        assert session.scalars(select(User)).one().is_active is False


def test_the_console_script_prints_only_json_on_stdout(database_url, tmp_path):
    """The real `helpline` executable, started with only the environment the checks use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, TWILIO_AUTH_TOKEN="0" * 32, TWILIO_ACCOUNT_SID="AC" + "1" * 32,
               TWILIO_FROM="+447520631590", SECRET_KEY="ab" * 32, FLASK_DEBUG="0",
               HELPLINE_INSTANCE_PATH=str(tmp_path / "instance"))
    exe = Path(sys.executable).with_name("helpline")
    done = subprocess.run([str(exe), "hours", "--json", "--at", "2026-11-29T03:00:00+00:00"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert row == {"at": "2026-11-29T03:00:00+00:00", "open": False, "opens_at": "2026-11-30T08:00:00+00:00",
                   "closes_at": None}
