"""Settings from the environment: one table, each row a variable, a coercer and a default.

Start-up fails with a message naming the setting when a required one is missing or malformed.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from handoff import phone


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true/false, 1/0, yes/no or on/off")


def _url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("expected an http(s) URL such as https://sms.example.org")
    return value.rstrip("/")


def _token(value: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{32}", value.strip()):
        raise ValueError("expected the 32 hex digits of the Twilio auth token")
    return value.strip()


def _account(value: str) -> str:
    if not re.fullmatch(r"AC[0-9a-fA-F]{32}", value.strip()):
        raise ValueError("expected AC followed by 32 hex digits")
    return value.strip()


def _secret(value: str) -> str:
    if len(value) < 32:
        raise ValueError("expected at least 32 characters")
    return value


def _sender(value: str) -> str:
    if value not in ("outbox", "twilio"):
        raise ValueError("expected 'outbox' or 'twilio'")
    return value


def _int(value: str) -> int:
    return int(value)


def _at_least(low: int) -> Callable[[str], int]:
    def coerce(value: str) -> int:
        number = int(value)
        if number < low:
            raise ValueError(f"expected a whole number of at least {low}")
        return number
    return coerce


def _phone(value: str) -> str:
    number = phone.normalise(value)
    if not re.fullmatch(r"\+\d{8,15}", number):
        raise ValueError("expected a phone number that can take texts, such as +447700900123")
    return number


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    coerce: Callable[[str], object]
    default: object = None
    required_in_production: bool = False


# name in the environment -> Flask config key, coercer, default
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "DATABASE_URL", str, None),
    Setting("SECRET_KEY", "SECRET_KEY", _secret, None, required_in_production=True),
    Setting("TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID", _account, None, required_in_production=True),
    Setting("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN", _token, None, required_in_production=True),
    Setting("TWILIO_FROM", "TWILIO_FROM", str, None, required_in_production=True),
    Setting("HELPLINE_PUBLIC_URL", "PUBLIC_URL", _url, None),
    Setting("HELPLINE_ENV", "HELPLINE_ENV", str, "development"),
    Setting("HELPLINE_SENDER", "SENDER", _sender, "outbox"),
    Setting("HELPLINE_TWILIO_API_BASE", "TWILIO_API_BASE", _url, None),
    Setting("HELPLINE_HOURS_FILE", "HOURS_FILE", str, None),
    Setting("HELPLINE_KEYWORDS_DIR", "KEYWORDS_DIR", str, None),
    Setting("HELPLINE_REPLIES_FILE", "REPLIES_FILE", str, None),
    Setting("HELPLINE_ANSWER_TWILIO_HELP", "ANSWER_TWILIO_HELP", _bool, False),
    Setting("HELPLINE_BURST_MINUTES", "BURST_MINUTES", _int, 10),
    Setting("HELPLINE_IDLE_MINUTES", "IDLE_MINUTES", _int, 30),
    Setting("HELPLINE_SECURE_COOKIES", "SESSION_COOKIE_SECURE", _bool, False),
    # scheduled jobs (`helpline scheduler`)
    Setting("HELPLINE_SCHEDULER_LEASE_SECONDS", "SCHEDULER_LEASE_SECONDS", _at_least(3), 30),
    Setting("HELPLINE_RETRIES_EVERY_SECONDS", "RETRIES_EVERY_SECONDS", _at_least(1), 60),
    Setting("HELPLINE_ESCALATION_EVERY_SECONDS", "ESCALATION_EVERY_SECONDS", _at_least(1), 60),
    Setting("HELPLINE_ESCALATE_URGENT_MINUTES", "ESCALATE_URGENT_MINUTES", _at_least(1), 5),
    Setting("HELPLINE_ESCALATE_NORMAL_MINUTES", "ESCALATE_NORMAL_MINUTES", _at_least(1), 30),
    Setting("HELPLINE_ONCALL_NUMBER", "ONCALL_NUMBER", _phone, None),
    Setting("HELPLINE_OUT_OF_HOURS_NUMBER", "OUT_OF_HOURS_NUMBER", _phone, None),
    Setting("HELPLINE_HANDOVER_TEXT", "HANDOVER_TEXT", _bool, True),
    Setting("HELPLINE_STALE_DAYS", "STALE_DAYS", _at_least(0), 7),
    # records are kept for years, not days: a typo of 3 for 365 must not empty the database
    Setting("HELPLINE_RETENTION_DAYS", "RETENTION_DAYS", _at_least(30), None),
    Setting("HELPLINE_TWILIO_DELETE_AFTER_DAYS", "TWILIO_DELETE_AFTER_DAYS", _at_least(1), None),
)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Read every setting from the environment, coerced; raise SettingsError naming the bad one."""
    environ = os.environ if environ is None else environ
    config: dict[str, object] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            config[setting.key] = setting.default
            continue
        try:
            config[setting.key] = setting.coerce(raw)
        except ValueError as exc:
            raise SettingsError(f"{setting.env} is malformed: {exc}") from None
    return config


def check_production(config: Mapping[str, object]) -> None:
    """In production every required setting must be present."""
    if config.get("HELPLINE_ENV") != "production":
        return
    missing = [s.env for s in SETTINGS if s.required_in_production and not config.get(s.key)]
    if missing:
        raise SettingsError(f"{', '.join(missing)} must be set when HELPLINE_ENV=production")
    if config.get("SENDER") != "twilio":
        raise SettingsError("HELPLINE_SENDER must be 'twilio' when HELPLINE_ENV=production")
    if not config.get("PUBLIC_URL"):
        # texts sent by the scheduler (retries) need it for Twilio's status callbacks
        raise SettingsError("HELPLINE_PUBLIC_URL must be set when HELPLINE_ENV=production")


def instance_secret(instance_path: Path) -> str:
    """Return the development secret key, generated once into the instance folder."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another process made it first
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # a concurrent writer may not have flushed yet
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise SettingsError(f"{path} is empty: delete it and start again")
