"""What a nurse does to a conversation: take, reply, release, transfer, close, note.

Each view calls one operation; the operation decides who may do it (only the holder may reply,
release, transfer or close, whatever id is posted) and the view turns a refusal into a message.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for

from handoff import clock, db
from handoff.outbox import deliver
from handoff import operations as ops
from handoff.models import AuditKind, DeliveryStatus, Outcome, User
from handoff.web.auditing import audit_request
from handoff.web.auth import current_user, login_required
from handoff.web.conversation import MAX_REPLY, get_conversation
from responses import segments

log = logging.getLogger(__name__)
bp = Blueprint("actions", __name__, url_prefix="/conversations/<int:conversation_id>")
MAX_NOTE = 4000


def _back(conversation_id: int, anchor: str = "") -> Any:
    return redirect(url_for("conversation.show", conversation_id=conversation_id) + anchor)


def _attempt(conversation_id: int, action: Callable[[], str], anchor: str = "") -> Any:
    """Run one operation and commit; a refusal rolls back and is shown to the nurse."""
    session = db.session()
    try:
        done = action()
    except ops.NotAllowed as refusal:
        session.rollback()
        flash(str(refusal), "error")
        return _back(conversation_id, anchor)
    session.commit()
    flash(done, "success")
    return _back(conversation_id, anchor)


@bp.post("/take")
@login_required()
def take(conversation_id: int) -> Any:
    """Claim a waiting conversation."""
    get_conversation(conversation_id)
    session = db.session()
    if ops.claim(session, conversation_id, current_user(), clock.now()):
        audit_request(AuditKind.CLAIMED, conversation_id=conversation_id)
        session.commit()
        flash("You have taken this conversation.", "success")
    else:
        session.rollback()
        flash("You cannot take this conversation: a colleague holds it, or it is closed.", "error")
    return _back(conversation_id)


@bp.post("/reply")
@login_required()
def reply(conversation_id: int) -> Any:
    """Write the reply to the outbox, commit, then send it."""
    conversation = get_conversation(conversation_id)
    body = request.form.get("body", "").replace("\r\n", "\n").strip()  # browsers post CRLF; texts use LF
    if not body or len(body) > MAX_REPLY:
        flash(f"Write a reply of 1 to {MAX_REPLY} characters before sending.", "error")
        return _back(conversation_id, "#reply")
    session, now = db.session(), clock.now()
    try:
        message = ops.reply(session, conversation, current_user(), body, segments(body), now)
    except ops.NotAllowed as refusal:
        session.rollback()
        flash(str(refusal), "error")
        return _back(conversation_id, "#reply")
    session.commit()  # in the outbox before any attempt, so a retry never sends it twice
    log.info("user %s replied on conversation %s (message %s)", current_user().id, conversation_id, message.id)
    try:
        sent = deliver(session, current_app.extensions["sender"], message.id, clock.now())
    except Exception:  # the text is safe in the outbox; the nurse sees it as queued
        session.rollback()
        log.exception("sending message %s failed", message.id)
        sent = None
    if sent is not None and sent.status == DeliveryStatus.FAILED:
        flash(f"Your reply could not be sent: {sent.error_reason}", "error")
    else:
        flash("Your reply is on its way. Its delivery status shows in the timeline.", "success")
    return _back(conversation_id, "#timeline")


@bp.post("/release")
@login_required()
def release(conversation_id: int) -> Any:
    """Give the conversation back to the queue."""
    conversation = get_conversation(conversation_id)

    def act() -> str:
        ops.release(db.session(), conversation, current_user(), clock.now())
        return "Released back to the queue."
    return _attempt(conversation_id, act)


@bp.post("/transfer")
@login_required()
def transfer(conversation_id: int) -> Any:
    """Hand the conversation to a named colleague."""
    conversation = get_conversation(conversation_id)
    to_id = request.form.get("to", "")
    colleague = db.session().get(User, int(to_id)) if to_id.isdigit() else None

    def act() -> str:
        if colleague is None:
            raise ops.NotAllowed("Choose a colleague to transfer to.")
        ops.transfer(db.session(), conversation, current_user(), colleague, clock.now())
        return f"Transferred to {colleague.email}."
    return _attempt(conversation_id, act)


@bp.post("/close")
@login_required()
def close(conversation_id: int) -> Any:
    """Close the conversation with an outcome."""
    conversation = get_conversation(conversation_id)
    chosen = request.form.get("outcome", "")

    def act() -> str:
        if chosen not in {o.value for o in Outcome}:
            raise ops.NotAllowed("Choose an outcome before closing.")
        ops.close(db.session(), conversation, current_user(), Outcome(chosen), clock.now())
        return f"Closed: {chosen}."
    return _attempt(conversation_id, act)


@bp.post("/note")
@login_required()
def note(conversation_id: int) -> Any:
    """Add an internal note, never sent to the parent."""
    conversation = get_conversation(conversation_id)
    text = request.form.get("note", "").replace("\r\n", "\n").strip()

    def act() -> str:
        if not text or len(text) > MAX_NOTE:
            raise ops.NotAllowed(f"Write a note of 1 to {MAX_NOTE} characters.")
        if not conversation.is_open:
            raise ops.NotAllowed("This conversation is closed: notes can no longer be added.")
        ops.add_note(db.session(), conversation, current_user(), text, clock.now())
        return "Note added."
    return _attempt(conversation_id, act, "#timeline")
