"""Twilio's delivery status callbacks (POST /sms/status): signed, idempotent, never backwards."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional

from flask import Blueprint, Flask, Response, request
from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from bot import clock, db
from bot.sender import MAX_ATTEMPTS, TERMINAL, TWILIO_STATUS, classify, retry_delay
from bot.webhook import verify_twilio_signature
from handoff.models import DELIVERY_RANK, DeliveryStatus, Direction, Message

log = logging.getLogger(__name__)
bp = Blueprint("delivery", __name__)
FAILURES = (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)


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


def record_status(session: Session, sid: str, reported: DeliveryStatus, error_code: Optional[str], now: datetime,
                  *, message_id: Optional[int] = None, attempt: Optional[int] = None) -> Optional[DeliveryStatus]:
    """Apply a reported status to its outbox row if that moves it forward; return the new status or None."""
    row = _find(session, sid, message_id, attempt)
    if row is None:
        log.info("status %s: no outgoing text has this sid, nothing changed", sid[-6:])
        return None
    values = _values(reported, error_code, row.attempts, now)
    new = values["status"]
    # only rows already handed to Twilio, of a lower rank; a retry is never re-armed by a duplicate
    allowed = [s for s, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[reported]
               and s != DeliveryStatus.PENDING and not (s == new == DeliveryStatus.RETRY)]
    same_sid = Message.provider_sid == sid if row.provider_sid else Message.provider_sid.is_(None)
    # compare-and-set: a concurrent callback or a new attempt in between makes this a no-op
    changed = session.execute(
        update(Message).where(Message.id == row.id, Message.attempts == row.attempts, same_sid,
                              Message.status.in_(allowed))
        .values(provider_sid=sid, status_at=now, **values).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        log.info("status %s: %s ignored for outbox %s (not newer)", sid[-6:], reported, row.id)
        return None
    log.info("status %s: outbox %s now %s", sid[-6:], row.id, new)
    return new


def _find(session: Session, sid: str, message_id: Optional[int], attempt: Optional[int]) -> Optional[Row[Any]]:
    """The outgoing row by Twilio's sid, else by the outbox id and attempt in the callback URL."""
    columns = select(Message.id, Message.attempts, Message.provider_sid).where(Message.direction == Direction.OUT)
    row = session.execute(columns.where(Message.provider_sid == sid)).first()
    if row is None and message_id is not None:
        # our send has not stored the sid yet (or timed out although Twilio took the text)
        row = session.execute(columns.where(Message.id == message_id, Message.attempts == (attempt or 1),
                                            Message.provider_sid.is_(None))).first()
    return row


def _values(reported: DeliveryStatus, error_code: Optional[str], attempts: int, now: datetime) -> dict[str, Any]:
    """The columns to store for a reported status: failures get a reason, and maybe a retry."""
    if reported not in FAILURES:
        return {"status": reported, "error_code": None, "error_reason": None, "next_attempt_at": None}
    code = str(error_code) if error_code else None
    retryable, reason = classify(code)
    if retryable and attempts < MAX_ATTEMPTS:
        return {"status": DeliveryStatus.RETRY, "error_code": code, "error_reason": reason,
                "next_attempt_at": now + retry_delay(attempts)}
    if retryable:
        reason = f"Not delivered after {attempts} attempts: {reason}"
    status = DeliveryStatus.FAILED if code in TERMINAL else reported
    return {"status": status, "error_code": code, "error_reason": reason[:255], "next_attempt_at": None}
