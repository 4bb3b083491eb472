"""Reading a conversation: the page with its handoff summary and timeline, and its poll."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from handoff import clock, db
from handoff.models import AuditKind, Author, Conversation, Direction, Event, Message, User
from handoff.queries import active_staff, earlier_conversations, last_read_at, timeline
from handoff.web.auditing import audit_request
from handoff.web.auth import current_user, login_required

bp = Blueprint("conversation", __name__)
READ_LOG_EVERY = timedelta(minutes=5)  # a page left open is audited when it shows news, not per poll
MAX_REPLY = 1600  # Twilio refuses longer bodies


def get_conversation(conversation_id: int) -> Conversation:
    """The conversation, or 404."""
    conversation = db.session().get(Conversation, conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def conversation_state(conversation: Conversation, items: list[Message | Event]) -> str:
    """Changes when a text arrives, a status moves, a risk is flagged or the holder changes."""
    parts = [conversation.status.value, conversation.holder_id, conversation.priority.value,
             conversation.unsafe_to_text, conversation.contact.opted_out_at is not None,
             [(type(i).__name__, i.id, getattr(i, "status", None)) for i in items]]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _context(conversation: Conversation) -> dict[str, Any]:
    session = db.session()
    items = timeline(session, conversation.id)
    me = current_user()
    author_ids = {i.author_id for i in items if isinstance(i, Message) and i.author_id}
    return {
        "c": conversation, "items": items, "now": clock.now(), "me": me,
        "state": conversation_state(conversation, items),
        "bot_texts": [i for i in items if isinstance(i, Message) and i.author == Author.BOT],
        "parent_texts": sum(1 for i in items if isinstance(i, Message) and i.direction == Direction.IN),
        "earlier": earlier_conversations(session, conversation),
        "is_holder": conversation.holder_id == me.id,
        "authors": {u.id: u.email for u in (session.get(User, a) for a in author_ids) if u is not None},
    }


@bp.get("/conversations/<int:conversation_id>")
@login_required()
def show(conversation_id: int) -> Any:
    """The whole conversation; every opening is logged as a read."""
    conversation = get_conversation(conversation_id)
    session = db.session()
    audit_request(AuditKind.CONVERSATION_VIEWED, conversation_id=conversation.id)
    session.commit()
    context = _context(conversation)
    replies = current_app.extensions["helpline"].replies
    colleagues = [u for u in active_staff(session) if u.id != current_user().id]
    return render_template("conversation.html", canned=replies.canned(), colleagues=colleagues,
                           max_reply=MAX_REPLY, **context)


@bp.get("/conversations/<int:conversation_id>/live")
@login_required(activity=False)
def live(conversation_id: int) -> Any:
    """The summary and timeline as HTML fragments, polled by the open conversation page."""
    conversation = get_conversation(conversation_id)
    context = _context(conversation)
    if request.args.get("key") == context["state"]:
        return jsonify(key=context["state"])  # nothing new: the page keeps what it has
    session, me, now = db.session(), current_user(), clock.now()
    last = last_read_at(session, conversation.id, me.id)
    if last is None or now - last >= READ_LOG_EVERY:
        audit_request(AuditKind.CONVERSATION_VIEWED, conversation_id=conversation.id, update=True)
        session.commit()
    return jsonify(key=context["state"], announce="This conversation has been updated.",
                   holder_id=conversation.holder_id, status=conversation.status.value,
                   regions={"summary": render_template("_summary.html", **context),
                            "timeline": render_template("_timeline.html", **context)})
