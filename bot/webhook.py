"""Twilio's inbound webhook: signature first, then the pipeline, then TwiML."""
from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy.exc import IntegrityError, OperationalError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from handoff import clock, db, phone
from bot.pipeline import Inbound, handle

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)
ATTEMPTS = 4  # concurrent first texts from one number collide on a unique index; the retry joins

FALLBACK = ("Sorry, something went wrong our side, but your message is safe with us. "
            "If you are in danger call 999. For urgent advice call NHS 111. Samaritans: 116 123.")


def init_app(app: Flask) -> None:
    """Register /sms; it needs TWILIO_AUTH_TOKEN to accept anything."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def signed_url() -> str:
    """The URL Twilio signed: HELPLINE_PUBLIC_URL behind a TLS-terminating proxy, else our own."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def verify_twilio_signature() -> None:
    """Abort with 403 unless the request carries Twilio's valid signature."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    if not RequestValidator(token).validate(signed_url(), request.form, signature):
        log.warning("rejected a request with a bad Twilio signature")
        abort(403)


def twiml(texts: list[str]) -> Response:
    """TwiML with one <Message> per text, or an empty <Response/>."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return Response(str(response), mimetype="application/xml")


@bp.post("/sms")
def inbound_sms() -> Response:
    """Take one text from Twilio: store it, queue it, answer it, in one transaction."""
    verify_twilio_signature()
    form = request.form
    inbound = Inbound(phone=phone.normalise(form.get("From", "")), body=form.get("Body", ""),
                      sid=form.get("MessageSid") or form.get("SmsSid") or None, now=clock.now(),
                      opt_out_type=form.get("OptOutType") or None)
    services = current_app.extensions["helpline"]
    for attempt in range(ATTEMPTS):
        session = db.session()
        try:
            outcome = handle(session, services, inbound)
            session.commit()
            log.info("sms %s: %s conversation=%s priority=%s", (inbound.sid or "")[-6:], outcome.action,
                     outcome.conversation_id, outcome.priority)
            return twiml(outcome.replies)
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            log.warning("sms %s: retrying after %s (attempt %d)", (inbound.sid or "")[-6:],
                     type(exc).__name__, attempt + 1)
        except Exception:
            session.rollback()
            log.exception("sms %s: pipeline failed", (inbound.sid or "")[-6:])
            break
    _spool(inbound)
    return twiml([FALLBACK])


def _spool(inbound: Inbound) -> None:
    """Keep a text we could not store in a private file, so nothing is lost; staff replay it."""
    folder = Path(current_app.instance_path) / "spool"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{clock.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.json"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle_:
        json.dump({"phone": inbound.phone, "body": inbound.body, "sid": inbound.sid,
                   "at": inbound.now.isoformat(), "opt_out_type": inbound.opt_out_type}, handle_)
    log.error("sms %s: spooled to %s for replay (helpline replay-spool)", (inbound.sid or "")[-6:], name)
