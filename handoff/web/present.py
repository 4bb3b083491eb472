"""How things read on staff pages: times, waits, labels. Numbers are only ever shown masked."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from handoff import clock, phone
from handoff.audit import EVENT_WORDS
from handoff.clock import LONDON
from handoff.models import NURSE_OUTCOMES, DeliveryStatus, Event, Message, Priority, Status


PRIORITY_LABELS = {Priority.URGENT: "Urgent", Priority.NORMAL: "Normal", Priority.LOW: "Low"}
# the design system's tag colours; the word is always written, the colour only repeats it
PRIORITY_TAGS = {Priority.URGENT: "nhsuk-tag--red", Priority.NORMAL: "nhsuk-tag--blue", Priority.LOW: "nhsuk-tag--grey"}
RISK_LABELS = {
    "risk_self": "risk to the parent's own safety",
    "risk_others": "risk to someone else's safety",
    "medical_urgent": "symptoms that may need urgent medical care",
}
# the four states a nurse needs, from the outbox's finer ones
DELIVERY_LABELS = {
    DeliveryStatus.PENDING: "queued", DeliveryStatus.RETRY: "queued, will retry",
    DeliveryStatus.QUEUED: "queued", DeliveryStatus.SENDING: "queued", DeliveryStatus.SENT: "sent",
    DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.UNDELIVERED: "failed",
    DeliveryStatus.FAILED: "failed", DeliveryStatus.TWIML: "sent as the automatic reply",
    DeliveryStatus.RECEIVED: "received",
}

DELIVERY_TAGS = {"delivered": "nhsuk-tag--green", "failed": "nhsuk-tag--red", "queued, will retry": "nhsuk-tag--orange",
                 "queued": "nhsuk-tag--grey"}

ACTOR_NAMES = {"parent": "The parent", "bot": "The bot", "system": "The helpline"}
# who the `escalation` job alerted, as the timeline says it
ALERTED = {"on-call": "; the on-call contact was alerted",
           "out-of-hours": "; the out-of-hours contact was alerted"}


def uk_time(value: datetime | None) -> str:
    """A time as nurses read it, UK wall clock: '14:05' today, 'yesterday 14:05', else 'Tue 3 Mar, 14:05'."""
    if value is None:
        return ""
    local, today = value.astimezone(LONDON), clock.now().astimezone(LONDON).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if (today - local.date()).days == 1:
        return f"yesterday {local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b}{'' if local.year == today.year else f' {local.year}'}, {local:%H:%M}"


def waited(since: datetime | None, now: datetime) -> str:
    """How long since a time, in words a glance can take: '12 min', '2 h 5 min', '3 days'."""
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def topic_label(topic: str) -> str:
    """A topic id as words: 'sudden_infant_death' -> 'sudden infant death'."""
    return topic.replace("_", " ")


def risk_label(kind: str | None) -> str:
    """What a risk kind means, in words."""
    return RISK_LABELS.get(kind or "", (kind or "").replace("_", " "))


def delivery_label(status: DeliveryStatus) -> str:
    """queued / sent / delivered / failed."""
    return DELIVERY_LABELS.get(status, status.value)


def delivery_tag(status: DeliveryStatus) -> str:
    """The tag colour for a delivery state: green delivered, red failed, grey still queued."""
    return DELIVERY_TAGS.get(delivery_label(status), "nhsuk-tag--blue")


def status_label(status: Status) -> str:
    """A conversation's state in words."""
    return {Status.WAITING: "Waiting for a nurse", Status.HELD: "Held", Status.CLOSED: "Closed"}[status]


def event_text(event: Event) -> str:
    """One line describing a log event (notes show their text separately)."""
    data = event.data or {}
    phrases = ", ".join(f"\u201c{p}\u201d" for p in data.get("phrases", []))
    fields = {
        "who": event.actor.email if event.actor else ACTOR_NAMES.get(event.actor_kind, "System"),
        "out_of_hours": " out of hours" if data.get("out_of_hours") else "",
        "priority": data.get("priority", "normal"), "risk": risk_label(data.get("risk_kind")),
        "phrases": f" ({phrases})" if phrases else "", "to": data.get("to", "a colleague"),
        "outcome": data.get("outcome", ""),
        "waited": f" after {data['waited_minutes']} min with no nurse" if data.get("waited_minutes") else "",
        "alerted": ALERTED.get(data.get("alerted", ""), ""),
        "position": f" ({data['position']} of {data['of']})" if data.get("position") else "",
        "texted": "; the parent was told nurses are in" if data.get("texted") else "",
        "texts": f", read over the parent's last {data['texts']} texts together" if data.get("texts") else "",
    }
    return EVENT_WORDS[event.kind].format_map(fields)


def language_name(code: str | None) -> str:
    """The name of a language the bot recognised ("pl" -> "Polish"), for the nurse."""
    services = current_app.extensions.get("helpline")
    name = services.catalogue.languages.name(code) if services is not None else None
    return name or (code or "")


def init_app(app: Flask) -> None:
    """Make the helpers available in templates."""
    app.jinja_env.filters.update(uk_time=uk_time, masked=phone.masked, topic=topic_label,
                                 risk=risk_label, delivery=delivery_label, delivery_tag=delivery_tag, event_text=event_text,
                                 status_label=status_label, language=language_name)
    app.jinja_env.globals.update(PRIORITY_LABELS=PRIORITY_LABELS, PRIORITY_TAGS=PRIORITY_TAGS,
                                 OUTCOMES=list(NURSE_OUTCOMES),
                                 Status=Status, Priority=Priority, waited=waited)
    app.jinja_env.tests["message"] = lambda item: isinstance(item, Message)
