"""Twilio's delivery status callbacks (POST /sms/status): signed, idempotent, never backwards."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, request

from bot.webhook import verify_twilio_signature
from handoff import clock, db
from handoff.outbox import TWILIO_STATUS, record_status

log = logging.getLogger(__name__)
bp = Blueprint("delivery", __name__)


def init_app(app: Flask) -> None:
    """Register /sms/status; like /sms it is signed by Twilio, so exempt from CSRF."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


@bp.post("/sms/status")
def status_callback() -> Response:
    """Take one delivery update from Twilio; answer 204 whether or not it changes anything."""
    verify_twilio_signature()
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    reported = TWILIO_STATUS.get(form.get("MessageStatus") or form.get("SmsStatus") or "")
    if not sid or reported is None:
        log.info("status %s: ignored status %r", sid[-6:], form.get("MessageStatus"))
        return Response(status=204)
    session = db.session()
    record_status(session, sid, reported, form.get("ErrorCode") or None, clock.now(),
                  message_id=request.args.get("message", type=int), attempt=request.args.get("attempt", type=int))
    session.commit()
    return Response(status=204)
