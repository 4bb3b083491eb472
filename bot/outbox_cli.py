"""`helpline outbox`: the outgoing texts and their delivery status, numbers masked."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from handoff import db, phone
from handoff.models import Contact, DeliveryStatus, Direction, Message


@click.command("outbox")
@click.option("--limit", default=20, show_default=True, help="How many of the latest texts.")
@click.option("--status", "statuses", multiple=True, help="Only this status (repeatable): "
              + ", ".join(s.value for s in DeliveryStatus if s != DeliveryStatus.RECEIVED))
@click.option("--json", "as_json", is_flag=True, help="A JSON array.")
@with_appcontext
def outbox(limit: int, statuses: tuple[str, ...], as_json: bool) -> None:
    """Print the latest outgoing texts, newest first, with delivery status (last 3 digits only)."""
    try:
        wanted = [DeliveryStatus(s) for s in statuses]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--status")
    stmt = (select(Message, Contact.phone).join(Contact, Contact.id == Message.contact_id)
            .where(Message.direction == Direction.OUT).order_by(Message.id.desc()).limit(limit))
    if wanted:
        stmt = stmt.where(Message.status.in_(wanted))
    rows = [_row(message, number) for message, number in db.session().execute(stmt)]
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    if not rows:
        click.echo("(the outbox is empty)")
    for r in rows:
        error = f"  [{r['error_code']}: {r['error_reason']}]" if r["error_code"] else ""
        click.echo(f"#{r['id']:<5} {r['created_at'][:19]}  {r['status']:<11} {r['to']:>11}  "
                   f"{r['author']:<5} x{r['attempts']}{error}\n       " + str(r["body"]).replace("\n", "\n       "))


def _row(message: Message, number: str) -> dict[str, object]:
    return {
        "id": message.id, "created_at": message.created_at.isoformat(), "status": message.status.value,
        "to": phone.masked(number), "author": message.author.value, "attempts": message.attempts,
        "conversation_id": message.conversation_id, "provider_sid": message.provider_sid,
        "error_code": message.error_code, "error_reason": message.error_reason, "body": message.body,
    }
