"""The outbox: every text we send, its delivery state, and the one retry policy.

Every outgoing text is a row in `messages` (direction out) before `deliver` is called; `deliver`
claims the row with a conditional UPDATE first, so two workers, or a retry racing a first
attempt, never send the same row twice. Twilio's status callbacks (`record_status`) and failed
sends (`deliver`) go through the same `failure_values`, so a failure means the same whichever way
it is reported.

The provider is behind `SmsSender`; the app hands its sender (Twilio, or the development outbox)
in. This module never imports `bot`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Optional, Protocol

from flask import Flask, current_app, has_app_context, has_request_context, url_for
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from handoff import schedule
from handoff.models import DELIVERY_RANK, Contact, DeliveryStatus, Direction, Message

log = logging.getLogger(__name__)

# Twilio error codes whose text will never arrive: the message fails with a reason a nurse can read
TERMINAL = {
    "21610": "The parent has opted out (replied STOP) at the network; they must text START first.",
    "21211": "The phone number is not valid.",
    "21614": "The number cannot receive texts.",
    "30005": "Unknown number, or the phone is switched off for good.",
    "30006": "The number is a landline or cannot be reached by text.",
    "30007": "The network filtered the text as unwanted.",
}
# codes worth another go later; the retry job sends them again, with a growing delay
RETRYABLE = {
    "429": "Twilio asked us to slow down; the text will be sent again shortly.",
    "20429": "Twilio asked us to slow down; the text will be sent again shortly.",
    "20003": "Twilio refused our credentials; the text will be tried again (tell the administrator).",
    "30001": "Twilio's queue was full; the text will be sent again shortly.",
    "30003": "The phone could not be reached (switched off or no signal); we will try again.",
    "30008": "The network reported an unknown error; we will try again.",
    "network": "Twilio did not answer; we will try again (the text may arrive twice).",
    "error": "Sending failed unexpectedly; we will try again.",
    "stuck": "The send was interrupted before Twilio answered; we will try again (the text may arrive twice).",
}
# Twilio's message statuses, as our outbox statuses
TWILIO_STATUS = {
    "accepted": DeliveryStatus.QUEUED, "scheduled": DeliveryStatus.QUEUED, "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENDING, "sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED, "partially_delivered": DeliveryStatus.SENT,
    "undelivered": DeliveryStatus.UNDELIVERED, "failed": DeliveryStatus.FAILED, "canceled": DeliveryStatus.FAILED,
}
FAILURES = (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)
SERVER_ERROR = "Twilio had a problem on its side; the text will be sent again shortly."
RETRY_AFTER = timedelta(minutes=2)  # doubles with each attempt
MAX_ATTEMPTS = 5
# Twilio answers within the sender's 15 s timeout, so a claim this old was cut short by a crash
STUCK_AFTER = timedelta(minutes=5)
# a pending row this old was committed but never handed to `deliver` (the worker died in between)
ORPHANED_AFTER = timedelta(minutes=2)


# --- the provider interface -----------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # Twilio's status on acceptance, usually "queued" or "accepted"


class SendError(Exception):
    """The provider refused or could not take the text."""

    def __init__(self, code: str, reason: str, retryable: bool):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.retryable = code, reason, retryable


class SmsSender(Protocol):
    """What the outbox needs from an SMS provider; `bot.sender` has the Twilio and development ones."""

    def send(self, to: str, body: str, status_callback: Optional[str]) -> SendResult:
        """Hand one text to the provider; raise SendError if it refuses."""

    def delete_copies(self, before: datetime, limit: int) -> tuple[int, int]:
        """Delete up to `limit` of the provider's own copies of texts to or from us sent before `before`.

        Return (deleted, not deleted); raise SendError if the provider cannot be asked at all.
        """


# --- the one retry policy -------------------------------------------------------------------------

def classify(code: Optional[str], http_status: Optional[int] = None) -> tuple[bool, str]:
    """Say whether a Twilio error is worth retrying, and the reason to show the nurse."""
    code = str(code or http_status or "")
    if code in TERMINAL:
        return False, TERMINAL[code]
    if code in RETRYABLE:
        return True, RETRYABLE[code]
    if http_status is not None and (http_status == 429 or http_status >= 500):
        return True, SERVER_ERROR
    return False, f"Twilio could not deliver the text (error {code or 'unknown'})."


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt: 2, 4, 8 ... minutes."""
    return RETRY_AFTER * 2 ** max(0, attempts - 1)


def failure_values(code: Optional[str], reason: str, retryable: bool, attempts: int, now: datetime, *,
                   given_up: DeliveryStatus = DeliveryStatus.FAILED) -> dict[str, Any]:
    """The columns for a failed attempt: a retry while attempts remain, else `given_up` with the reason."""
    if retryable and attempts < MAX_ATTEMPTS:
        return {"status": DeliveryStatus.RETRY, "error_code": code, "error_reason": reason,
                "next_attempt_at": now + retry_delay(attempts)}
    if retryable:
        reason = f"Not delivered after {attempts} attempts: {reason}"
    status = DeliveryStatus.FAILED if code in TERMINAL else given_up
    return {"status": status, "error_code": code, "error_reason": reason[:255], "next_attempt_at": None}


# --- sending ------------------------------------------------------------------------------------

def status_callback_url(message_id: Optional[int] = None, attempt: Optional[int] = None) -> Optional[str]:
    """Where Twilio should post delivery updates: HELPLINE_PUBLIC_URL/sms/status, or None if unknown."""
    # with the outbox id and attempt in the query, a callback finds its row even before the
    # provider sid is stored, or when our request timed out although Twilio took the text
    if has_app_context() and current_app.config.get("PUBLIC_URL"):
        url = f"{current_app.config['PUBLIC_URL']}/sms/status"
    elif has_request_context():
        url = url_for("delivery.status_callback", _external=True)
    else:
        return None
    return url if message_id is None else f"{url}?message={message_id}&attempt={attempt or 1}"


class _Claimed(NamedTuple):
    phone: str
    body: str
    attempts: int
    opted_out: bool


def _claim(session: Session, message_id: int, now: datetime) -> Optional[_Claimed]:
    """Move a pending or retry row to sending; None if another worker got there first."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.direction == Direction.OUT,
               Message.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY]))
        # a fresh attempt forgets the last sid, so that attempt's late callbacks cannot touch it
        .values(status=DeliveryStatus.SENDING, attempts=Message.attempts + 1, status_at=now,
                next_attempt_at=None, provider_sid=None)
        .execution_options(synchronize_session=False))
    row = None
    if claimed.rowcount == 1:
        row = session.execute(
            select(Contact.phone, Message.body, Message.attempts, Contact.opted_out_at)
            .join(Contact, Contact.id == Message.contact_id).where(Message.id == message_id)).one()
    # the claim is durable before the text leaves, and no transaction (on SQLite: no write
    # lock) stays open while we wait for Twilio
    session.commit()
    return None if row is None else _Claimed(row.phone, row.body, row.attempts, row.opted_out_at is not None)


def deliver(session: Session, sender: SmsSender, message_id: int, now: datetime) -> Optional[Message]:
    """Send one committed outbox row once; commit, and return it updated (None if not ours to send)."""
    job = _claim(session, message_id, now)
    if job is None:
        return None
    if job.opted_out:  # STOP may have arrived between writing the reply and this (re)try
        error = SendError("opted-out", "The parent has opted out (texted STOP); nothing was sent.", False)
        return _failed(session, message_id, job.attempts, error, now)
    try:
        result = sender.send(job.phone, job.body, status_callback_url(message_id, job.attempts))
    except SendError as exc:
        # A timeout or dropped connection (code "network") is ambiguous: Twilio may have taken
        # the text. We retry anyway: a parent waiting after a loss is better served by a rare
        # duplicate than by a reply that silently never arrives. The id in the status callback
        # URL lets Twilio's callback mark the row sent before the retry is due, which closes
        # most of that window.
        return _failed(session, message_id, job.attempts, exc, now)
    except Exception:
        log.exception("outbox %s: sender raised", message_id)  # never leave the row stuck in sending
        return _failed(session, message_id, job.attempts, SendError("error", RETRYABLE["error"], True), now)
    return _finish(session, message_id, job.attempts, now, provider_sid=result.provider_sid,
                   status=_accepted_status(result.status), error_code=None, error_reason=None)


def _accepted_status(twilio_status: str) -> DeliveryStatus:
    reported = TWILIO_STATUS.get(twilio_status, DeliveryStatus.QUEUED)
    return reported if reported in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED) else DeliveryStatus.QUEUED


def _failed(session: Session, message_id: int, attempts: int, exc: SendError, now: datetime) -> Message:
    """Record a refused send: retry later, or fail for good with the reason."""
    values = failure_values(exc.code, exc.reason, exc.retryable, attempts, now)
    log.info("outbox %s: attempt %d refused (%s), now %s", message_id, attempts, exc.code, values["status"])
    return _finish(session, message_id, attempts, now, **values)


def _finish(session: Session, message_id: int, attempts: int, now: datetime, *, status: DeliveryStatus,
            provider_sid: Optional[str] = None, **values: Any) -> Message:
    """Store an attempt's result, unless a status callback has already moved the row on."""
    mine = (Message.id == message_id, Message.attempts == attempts)
    if provider_sid is not None:
        session.execute(update(Message).where(*mine).values(provider_sid=provider_sid)
                        .execution_options(synchronize_session=False))
    session.execute(update(Message).where(*mine, Message.status == DeliveryStatus.SENDING)
                    .values(status=status, status_at=now, **values).execution_options(synchronize_session=False))
    message = session.get(Message, message_id, populate_existing=True)
    session.commit()
    return message


def due_retries(session: Session, now: datetime, limit: int = 100) -> list[Message]:
    """Outgoing texts whose retry is due, or left pending by a worker that died, oldest first."""
    due = or_(and_(Message.status == DeliveryStatus.RETRY, Message.next_attempt_at <= now),
              and_(Message.status == DeliveryStatus.PENDING, Message.created_at <= now - ORPHANED_AFTER))
    return list(session.scalars(
        select(Message).where(Message.direction == Direction.OUT, due)
        .order_by(func.coalesce(Message.next_attempt_at, Message.created_at), Message.id).limit(limit)))


def sweep_stuck(session: Session, now: datetime) -> int:
    """Put texts stuck in "sending" since a crash back to retry (or failed, past the cap); commit."""
    # a row with a provider sid is in Twilio's hands (its own "sending"): its callbacks move it on
    stuck = session.execute(select(Message.id, Message.attempts).where(
        Message.direction == Direction.OUT, Message.status == DeliveryStatus.SENDING,
        Message.provider_sid.is_(None), Message.status_at <= now - STUCK_AFTER)).all()
    for row in stuck:
        values = failure_values("stuck", RETRYABLE["stuck"], True, row.attempts, now)
        session.execute(update(Message).where(Message.id == row.id, Message.attempts == row.attempts,
                                              Message.status == DeliveryStatus.SENDING)
                        .values(status_at=now, **values).execution_options(synchronize_session=False))
    session.commit()
    return len(stuck)


def send_retries(session: Session, sender: SmsSender, now: datetime) -> dict[str, int]:
    """The `retries` job: sweep stuck sends, then send what is due once; return counts by result."""
    swept = sweep_stuck(session, now)
    ids = [m.id for m in due_retries(session, now)]
    session.commit()  # end the read before any network call
    results = [m.status for m in (deliver(session, sender, i, now) for i in ids) if m is not None]
    failed = sum(status in FAILURES for status in results)
    retrying = results.count(DeliveryStatus.RETRY)
    return {"swept": swept, "attempted": len(results), "sent": len(results) - failed - retrying,
            "retrying": retrying, "failed": failed}


def init_app(app: Flask) -> None:
    """Register the `retries` job (every HELPLINE_RETRIES_EVERY_SECONDS, default 60)."""
    seconds = int(app.config.get("RETRIES_EVERY_SECONDS") or 60)
    schedule.register(app, schedule.Job(
        "retries", "Send texts whose retry is due; put texts stuck in sending back to retry",
        schedule.every(seconds), lambda app_, session, now: send_retries(session, app_.extensions["sender"], now),
        when=f"every {seconds} s"))


# --- delivery reports ----------------------------------------------------------------------------

def record_status(session: Session, sid: str, reported: DeliveryStatus, error_code: Optional[str], now: datetime,
                  *, message_id: Optional[int] = None, attempt: Optional[int] = None) -> Optional[DeliveryStatus]:
    """Apply a reported status to its outbox row if that moves it forward; return the new status or None."""
    row = _find(session, sid, message_id, attempt)
    if row is None:
        log.info("status %s: no outgoing text has this sid, nothing changed", sid[-6:])
        return None
    values = _reported_values(reported, error_code, row.attempts, now)
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


def _reported_values(reported: DeliveryStatus, error_code: Optional[str], attempts: int,
                     now: datetime) -> dict[str, Any]:
    """The columns to store for a reported status: failures go through the retry policy."""
    if reported not in FAILURES:
        return {"status": reported, "error_code": None, "error_reason": None, "next_attempt_at": None}
    code = str(error_code) if error_code else None
    retryable, reason = classify(code)
    # a report of an unknown failure keeps Twilio's own word (undelivered or failed)
    return failure_values(code, reason, retryable, attempts, now, given_up=reported)
