"""Start-up checks the editable data files: a broken one stops the app with a clear message,
and an edited one changes behaviour with no code change."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import keywords
import responses
from bot import create_app
from bot.hours import HoursConfigError
from keywords import CatalogueError
from responses import RepliesError

KEYWORDS_DIR = Path(keywords.__file__).with_name("catalogue")
REPLIES = Path(responses.__file__).with_name("replies.yaml")


@pytest.fixture
def make_app(config, tmp_path, monkeypatch):
    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(**overrides):
        app = create_app(dict(config, **overrides))
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions["db_engine"].dispose()


def test_a_broken_keyword_catalogue_stops_start_up_naming_the_file(make_app, tmp_path):
    folder = tmp_path / "catalogue"
    shutil.copytree(KEYWORDS_DIR, folder)
    topics = folder / "topics.yaml"
    topics.write_text(topics.read_text().replace("  miscarriage:\n", "  miscarriage:\n    - ''\n", 1))
    with pytest.raises(CatalogueError, match=r"topics\.yaml.*miscarriage"):
        make_app(KEYWORDS_DIR=str(folder))


def test_a_broken_reply_catalogue_stops_start_up_naming_the_entry(make_app, tmp_path):
    broken = tmp_path / "replies.yaml"
    text = REPLIES.read_text()
    broken.write_text(text.replace("Automatic reply.", "This is an \u2018automatic\u2019 reply.", 1))
    with pytest.raises(RepliesError, match=r"replies\.yaml.*intro"):
        make_app(REPLIES_FILE=str(broken))


def test_a_broken_hours_file_stops_start_up(make_app, tmp_path):
    broken = tmp_path / "hours.yaml"
    broken.write_text("weekly: {}\nclosures: [{date: 2026-02-30}]\nchanged_hours: []\n")
    with pytest.raises(HoursConfigError, match="hours.yaml"):
        make_app(HOURS_FILE=str(broken))


def test_an_edited_catalogue_changes_what_the_bot_does(make_app, tmp_path):
    from tests.conftest import sign, sms_params

    folder = tmp_path / "catalogue"
    shutil.copytree(KEYWORDS_DIR, folder)
    body = "the quokka scheme letter came today"
    before = make_app().test_client()
    params = sms_params(body, "+447700900701")
    assert "Sands" not in before.post("/sms", data=params, headers=sign(params)).get_data(as_text=True)

    topics = folder / "topics.yaml"
    topics.write_text(topics.read_text().replace("  stillbirth:\n", "  stillbirth:\n    - quokka scheme\n", 1))
    after = make_app(KEYWORDS_DIR=str(folder)).test_client()
    params = sms_params(body, "+447700900702")
    assert "Sands" in after.post("/sms", data=params, headers=sign(params)).get_data(as_text=True)


def test_production_refuses_stale_risk_weights_until_the_cli_trains_them(make_app, tmp_path):
    folder = tmp_path / "catalogue"
    shutil.copytree(KEYWORDS_DIR, folder)
    examples = folder / "risk_examples.txt"
    examples.write_text(examples.read_text(encoding="utf-8")
                        + "risk_self | stood at the edge of the quarry again tonight\n", encoding="utf-8")
    production = dict(HELPLINE_ENV="production", SENDER="twilio", PUBLIC_URL="https://sms.example.org",
                      KEYWORDS_DIR=str(folder))
    with pytest.raises(CatalogueError, match=r"risk_model\.json.*helpline catalogue train"):
        make_app(**production)
    # the command that mends it runs without the app, so production settings cannot block it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_"))}
    env.update(HELPLINE_ENV="production", HELPLINE_KEYWORDS_DIR=str(folder))
    run = subprocess.run([str(Path(sys.executable).with_name("helpline")), "catalogue", "train"],
                         env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr
    assert make_app(**production).extensions["helpline"].catalogue.model_was_saved
