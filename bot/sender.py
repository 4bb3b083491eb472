"""The SMS sender adapters behind `handoff.outbox.SmsSender`: Twilio, and a development outbox.

The outbox itself (claiming, delivering, retrying, delivery reports) lives in `handoff.outbox`;
the app picks one sender here by HELPLINE_SENDER and hands it to `handoff` in
`app.extensions["sender"]`.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from flask import Flask

from bot.settings import SettingsError
from handoff.outbox import RETRYABLE, SendError, SendResult, classify

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15


@dataclass
class OutboxSender:
    """Development and tests: sends nothing, keeps every text in memory for the developer."""

    sent: list[dict[str, Optional[str]]] = field(default_factory=list)
    deletions: list[datetime] = field(default_factory=list)

    def send(self, to: str, body: str, status_callback: Optional[str]) -> SendResult:
        sid = "SMdev" + secrets.token_hex(14)
        self.sent.append({"sid": sid, "to": to, "body": body, "status_callback": status_callback})
        log.info("outbox sender kept text %s, nothing sent", sid[-6:])
        return SendResult(provider_sid=sid, status="queued")

    def delete_copies(self, before: datetime, limit: int) -> tuple[int, int]:
        """No provider keeps copies in development; note that we were asked."""
        self.deletions.append(before)
        return 0, 0


class TwilioSender:
    """Sends through the official twilio REST client."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: Optional[str] = None):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        # without a timeout a stalled connection would hold a web worker forever
        http = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
        # TWILIO_REGION/TWILIO_EDGE in the environment would rewrite a local API base's host
        environment: Optional[dict[str, str]] = {} if api_base else None
        self.client = Client(account_sid, auth_token, http_client=http, environment=environment)
        if api_base:  # a local stand-in for Twilio's API in tests; never the internet
            self.client.api.base_url = api_base
        self.from_number = from_number

    def send(self, to: str, body: str, status_callback: Optional[str]) -> SendResult:
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException, TwilioServiceException

        kwargs: dict[str, Any] = {"to": to, "from_": self.from_number, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            code = str(exc.code or exc.status)
            retryable, reason = classify(code, exc.status)
            raise SendError(code, reason, retryable) from None
        except RequestException as exc:
            # refused connection, reset, or timeout: see `deliver` for why this is retried
            raise SendError("network", RETRYABLE["network"], True) from exc
        return SendResult(provider_sid=message.sid, status=str(message.status or "queued"))

    def delete_copies(self, before: datetime, limit: int) -> tuple[int, int]:
        """Delete Twilio's copies of texts to and from our number sent before `before`, up to `limit` of each."""
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        deleted = kept = 0
        for ours in ({"to": self.from_number}, {"from_": self.from_number}):
            try:
                sids = [m.sid for m in self.client.messages.list(date_sent_before=before, limit=limit, **ours)]
            except (TwilioRestException, RequestException) as exc:
                raise SendError(str(getattr(exc, "code", None) or "network"), "Twilio's message list failed", True) from None
            for sid in sids:
                if self._delete(sid):
                    deleted += 1
                else:
                    kept += 1
        return deleted, kept

    def _delete(self, sid: str) -> bool:
        """Delete one message resource; True if it is gone (already gone counts)."""
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        try:
            self.client.messages(sid).delete()
        except TwilioRestException as exc:
            # 404: deleted already; anything else (a text still being sent, say) waits for the next run
            return exc.status == 404
        except RequestException:
            return False
        return True

    def close(self) -> None:
        """Close pooled connections."""
        session = getattr(self.client.http_client, "session", None)
        if session is not None:
            session.close()


def init_app(app: Flask) -> None:
    """Choose the sender by HELPLINE_SENDER: 'outbox' (default) or 'twilio'."""
    if app.config.get("SENDER") != "twilio":
        app.extensions["sender"] = OutboxSender()
        return
    missing = [k for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM") if not app.config.get(k)]
    if missing:
        raise SettingsError(f"{', '.join(missing)} must be set when HELPLINE_SENDER=twilio")
    if not app.config.get("PUBLIC_URL"):
        log.warning("HELPLINE_PUBLIC_URL is not set: texts sent outside a web request get no status callback")
    app.extensions["sender"] = TwilioSender(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"],
                                            app.config["TWILIO_FROM"], app.config.get("TWILIO_API_BASE"))
