"""The queue page, "Take next", and the polls that keep the queue and the urgent banner current."""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for

from handoff import clock, db
from handoff import operations as ops
from handoff.models import AuditKind, Conversation
from handoff.web.auditing import audit_request
from handoff.queries import open_queue, urgent_waiting
from handoff.web.auth import current_user, login_required

log = logging.getLogger(__name__)
bp = Blueprint("queue", __name__)


def _fingerprint(parts: list[Any]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def queue_state(conversations: list[Conversation]) -> str:
    """What the queue holds, ignoring the clock: changes when a text arrives or a colleague claims."""
    return _fingerprint([(c.id, c.status.value, c.holder_id, c.priority.value, c.waiting_since,
                          c.unsafe_to_text, c.contact.opted_out_at is not None, list(c.topics or []),
                          list(c.risk_phrases or [])) for c in conversations])


def urgent_key(urgent: list[Conversation]) -> str:
    """Changes when the set of urgent, unclaimed conversations changes."""
    return _fingerprint([c.id for c in urgent])


def _summary(conversations: list[Conversation]) -> str:
    waiting = [c for c in conversations if c.holder_id is None]
    urgent = sum(1 for c in waiting if c.priority.value == "urgent")
    return f"Queue updated: {len(waiting)} waiting, {urgent} urgent, {len(conversations) - len(waiting)} held."


@bp.get("/")
@login_required()
def home() -> Any:
    """The inbox starts at the queue."""
    return redirect(url_for("queue.queue_page"))


@bp.get("/queue")
@login_required()
def queue_page() -> Any:
    """Open conversations: urgent first, then longest waiting."""
    conversations = open_queue(db.session())
    return render_template("queue.html", conversations=conversations, now=clock.now(),
                           state=queue_state(conversations), me=current_user())


@bp.get("/queue/live")
@login_required(activity=False)
def queue_live() -> Any:
    """The queue's rows as an HTML fragment, polled by the open queue page."""
    conversations = open_queue(db.session())
    rows = render_template("_queue_rows.html", conversations=conversations, now=clock.now(), me=current_user())
    return jsonify(key=queue_state(conversations), regions={"queue-rows": rows}, announce=_summary(conversations))


@bp.post("/queue/take-next")
@login_required()
def take_next() -> Any:
    """Claim the most urgent, longest-waiting unclaimed conversation and open it."""
    session = db.session()
    conversation = ops.claim_next(session, current_user(), clock.now())
    if conversation is not None:
        audit_request(AuditKind.CLAIMED, conversation_id=conversation.id)
    session.commit()
    if conversation is None:
        flash("Nobody is waiting right now.", "info")
        return redirect(url_for("queue.queue_page"))
    log.info("user %s took conversation %s", current_user().id, conversation.id)
    return redirect(url_for("conversation.show", conversation_id=conversation.id))


@bp.get("/live/alerts")
@login_required(activity=False)
def alerts() -> Any:
    """Urgent conversations nobody holds, for the banner on every staff page."""
    urgent = urgent_waiting(db.session())
    banner = render_template("_urgent_banner.html", urgent=urgent, now=clock.now())
    return jsonify(key=urgent_key(urgent), regions={"urgent-banner": banner},
                   count=len(urgent))
