"""The `helpline` command: a Flask CLI group bound to the app. Logs go to stderr; with --json,
stdout carries only JSON."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import FlaskGroup, with_appcontext

from bot import jobs_cli, settings
from bot.outbox_cli import outbox
from bot.pipeline import Inbound, handle
from handoff import clock, db, phone
from handoff.accounts import AccountError, create_user, deactivate
from handoff.clock import LONDON
from handoff.models import Role
from handoff.queries import open_queue
from keywords import CatalogueError, save_risk_model
from keywords.engine import catalogue_folder

DEMO_NUMBER = "+447700900123"  # Ofcom's drama range: never a real phone


def main() -> None:
    """Entry point of the `helpline` console script."""
    from bot import create_app

    group = FlaskGroup(create_app=lambda: create_app(), help="The helpline triage bot.")
    group.add_command(jobs_cli.run)  # Flask's own `run`, with the scheduler in a thread
    # on the group itself, so it runs without building the app: in production the app refuses
    # to start with stale risk model weights, and this is the command that makes them fresh
    group.add_command(catalogue)
    group.main(prog_name="helpline")


def init_app(app: Flask) -> None:
    """Add the helpline commands to the app's CLI."""
    for command in (simulate, hours, queue, triage, catalogue, user, replay_spool, outbox, jobs_cli.scheduler,
                    jobs_cli.jobs):
        app.cli.add_command(command)


def parse_at(value: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read as UK time."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-11-30T08:00:00+00:00")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


@click.command()
@click.option("--from", "sender", default=DEMO_NUMBER, show_default=True, help="The parent's number.")
@click.option("--at", "at", default=None, help="Pretend it is this time (ISO 8601).")
@click.argument("text")
@with_appcontext
def simulate(sender: str, at: str | None, text: str) -> None:
    """Run TEXT through the same pipeline as /sms and print the reply."""
    now = parse_at(at) if at else clock.now()
    session = db.session()
    outcome = handle(session, current_app.extensions["helpline"],
                     Inbound(phone=phone.normalise(sender), body=text, sid=None, now=now))
    session.commit()
    click.echo("\n\n".join(outcome.replies) if outcome.replies else "(no reply is sent)")
    click.echo(f"[conversation {outcome.conversation_id}, priority {outcome.priority}]", err=True)


@click.command()
@click.option("--at", "ats", multiple=True, help="An instant to ask about (ISO 8601); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
def hours(ats: tuple[str, ...], as_json: bool) -> None:
    """Say whether the Parentline is open, and when it next opens or closes."""
    opening = current_app.extensions["helpline"].hours
    for at in [parse_at(a) for a in ats] or [clock.now()]:
        status = opening.status(at)
        if as_json:
            click.echo(json.dumps(status.to_dict()))
        elif status.open:
            click.echo(f"{at.isoformat()}: open, closes {status.closes_at:%A %d %B at %H:%M}")
        else:
            click.echo(f"{at.isoformat()}: closed, opens {status.opens_at:%A %d %B at %H:%M}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array.")
@with_appcontext
def queue(as_json: bool) -> None:
    """List open conversations in the order nurses see them (full numbers: staff only)."""
    rows = [{
        "conversation_id": c.id, "phone": c.contact.phone, "priority": c.priority.value,
        "status": c.status.value, "waiting_since": c.waiting_since.isoformat() if c.waiting_since else None, "topics": list(c.topics or []),
        "holder": c.holder.email if c.holder else None, "risk_phrases": list(c.risk_phrases or []),
        "texting_blocked": c.contact.is_opted_out,
    } for c in open_queue(db.session())]
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    for r in rows:
        blocked = "  texting blocked until they reply START" if r["texting_blocked"] else ""
        click.echo(f"#{r['conversation_id']:<5} {r['priority']:<7} {r['status']:<8} {phone.masked(r['phone'])}"
                   f"  waiting since {r['waiting_since'] or '-'}  {', '.join(r['topics'])}{blocked}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSON only on stdout.")
@click.option("--at", "at", default=None, help="Decide as at this time (ISO 8601).")
@click.argument("text")
@with_appcontext
def triage(as_json: bool, at: str | None, text: str) -> None:
    """Explain what the webhook would decide for TEXT, as a new conversation."""
    services = current_app.extensions["helpline"]
    now = parse_at(at) if at else clock.now()
    result = services.catalogue.triage(text)
    status = services.hours.status(now)
    reply = services.replies.compose(
        risk_kind=result.risk_kind, topics=result.topics, first=True, open_now=status.open,
        back_at=None if status.open else services.hours.back_at(now), unsafe_to_text=result.unsafe_to_text)
    data = dict(result.to_dict(), reply=[reply])
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo(f"risk: {data['risk']} ({data['risk_kind']}, model {data['risk_score']:.0%})  "
               f"topics: {', '.join(data['topics']) or '-'}")
    for m in data["matches"]:
        click.echo(f"  {m['topic']:<22} {m['score']:5.1f}  {m['phrase']}")
    click.echo(f"reply: {reply}")


@click.group()
def catalogue() -> None:
    """Work with the keyword catalogue (HELPLINE_KEYWORDS_DIR, or the shipped one)."""


@catalogue.command("train")
@click.option("--dir", "directory", default=None,
              help="The catalogue folder (default: HELPLINE_KEYWORDS_DIR, else the shipped one).")
def catalogue_train(directory: str | None) -> None:
    """Train the risk model from risk_examples.txt and save risk_model.json beside it."""
    try:
        configured = (current_app.config if has_app_context() else settings.from_environment()).get("KEYWORDS_DIR")
    except settings.SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    folder = catalogue_folder(directory or configured)
    try:
        trained = save_risk_model(folder)
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from None
    counts = trained.example_counts()
    click.echo(f"saved {folder / 'risk_model.json'}: trained on {sum(counts.values())} examples ("
               + ", ".join(f"{n} {label}" for label, n in counts.items()) + ")")


@click.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["nurse", "supervisor"]), required=True)
@with_appcontext
def user_create(email: str, role: str) -> None:
    """Create an account; the password is read from stdin, or prompted for on a terminal."""
    password = _read_password()
    session = db.session()
    try:
        created = create_user(session, email, Role(role), password, clock.now())
        session.commit()
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created {created.role.value} {created.email}", err=True)


@user.command("deactivate")
@click.argument("email")
@with_appcontext
def user_deactivate(email: str) -> None:
    """Stop an account signing in."""
    session = db.session()
    try:
        deactivate(session, email)
        session.commit()
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"deactivated {email}", err=True)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("no password on stdin")
    if len(lines) > 1 and lines[1] and lines[1] != lines[0]:
        raise click.ClickException("the two passwords on stdin differ")
    return lines[0]


@click.command("replay-spool")
@with_appcontext
def replay_spool() -> None:
    """Store texts the webhook spooled to instance/spool/ when the database failed."""
    folder = Path(current_app.instance_path) / "spool"
    done = 0
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        data = json.loads(path.read_text())
        session = db.session()
        # the parent already had the fallback safety reply; the stored reply records what we would say
        handle(session, current_app.extensions["helpline"], Inbound(
            phone=data["phone"], body=data["body"], sid=data.get("sid"),
            now=datetime.fromisoformat(data["at"]), opt_out_type=data.get("opt_out_type")))
        session.commit()
        path.unlink()
        done += 1
    click.echo(f"replayed {done} spooled text(s)", err=True)
