"""The helpline triage bot: the app factory wires keywords, responses and handoff together."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from bot import cli, sender, settings, status, webhook
from bot.services import load_services
from handoff import db, escalation, handover, outbox, retention, stale, web

log = logging.getLogger("helpline")


def create_app(test_config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the app: safe defaults, then the environment (or the test mapping), then components."""
    app = Flask(__name__, instance_path=os.environ.get("HELPLINE_INSTANCE_PATH") or None,
                instance_relative_config=True)
    config = settings.from_environment({} if test_config is not None else None)
    if test_config is not None:
        config.update(test_config)
    settings.check_production(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'helpline.db'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = settings.instance_secret(Path(app.instance_path))
    app.config.update(config)
    app.config.update(
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=60 * int(app.config.get("IDLE_MINUTES") or 30),
    )
    _configure_logging(app)
    _init_components(app)
    return app


def _init_components(app: Flask) -> None:
    app.extensions["helpline"] = load_services(app.config)
    CSRFProtect(app)  # every form; the Twilio webhooks exempt themselves
    db.init_app(app)
    sender.init_app(app)
    # scheduled jobs, each registered by the component it drives; registering starts nothing
    for component in (outbox, escalation, handover, stale, retention):
        component.init_app(app)
    webhook.init_app(app)
    status.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    if not app.config.get("TWILIO_AUTH_TOKEN"):
        log.warning("TWILIO_AUTH_TOKEN is not set: /sms refuses every request until it is")


def _configure_logging(app: Flask) -> None:
    # logs go to stderr, never stdout, so `--json` output stays clean
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per plugin at every start
