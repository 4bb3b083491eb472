"""Signing in and out, the session's idle timeout, and the one decorator every staff page uses."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for

from handoff import clock, db
from handoff.accounts import LOCK_AFTER, LOCK_FOR, authenticate
from handoff.models import AuditKind, Role, User
from handoff.web.auditing import audit_request

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

MAX_SESSION_SECONDS = 12 * 3600  # a shift: sign in again after this however busy the page
# who may open pages marked with each role; supervisors can do all a nurse can
ALLOWED = {"nurse": {Role.NURSE, Role.SUPERVISOR}, "supervisor": {Role.SUPERVISOR}}
SIGN_IN_FAILED = ("We could not sign you in. Check your email and password and try again. "
                  f"After {LOCK_AFTER} attempts in a row the account is locked for "
                  f"{int(LOCK_FOR.total_seconds() // 60)} minutes.")


def current_user() -> User | None:
    """The signed-in member of staff for this request, once a staff view has loaded them."""
    return g.get("user")


def _idle_seconds() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def load_user(activity: bool = True) -> User | None:
    """Load the session's user; sign out idle, expired, deactivated or deleted accounts."""
    user_id = session.get("uid")
    if user_id is None:
        return None
    now = clock.now().timestamp()
    if now - session.get("seen", 0) > _idle_seconds() or now - session.get("since", 0) > MAX_SESSION_SECONDS:
        session.clear()
        g.signed_out = "You were signed out after a while without activity. Please sign in again."
        return None
    user = db.session().get(User, user_id)
    if user is None or not user.is_active:
        session.clear()
        return None
    if activity:  # background polls do not count: an unattended screen still times out
        session["seen"] = int(now)
    g.user = user
    return user


def login_required(role: str = "nurse", activity: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a signed-in, active user with the role; anonymous visitors go to /login."""
    allowed = ALLOWED[role]

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = load_user(activity=activity)
            if user is None:
                if not activity:  # a poll: tell the page, which says so calmly
                    return jsonify(signed_out=True), 401
                if g.get("signed_out"):
                    flash(g.signed_out, "info")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, so the login cannot be used to redirect away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("queue.queue_page")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("queue.queue_page")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form; sign in with email and password."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if load_user(activity=False) is not None:
            return redirect(next_url)
        return render_template("login.html", next_url=next_url, email="", error=None)
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]  # argon2 of a huge body would tie up a worker
    db_session = db.session()
    user = authenticate(db_session, email, password, clock.now()) if email and password else None
    if user is None:
        audit_request(AuditKind.SIGN_IN_FAILED, email=email.strip().lower()[:254] or None)
    else:
        audit_request(AuditKind.SIGNED_IN, user=user)
    db_session.commit()  # keeps the failed-login count and lockout, or the last login time, and the audit
    if user is None:
        log.info("sign-in refused")
        return render_template("login.html", next_url=next_url, email=email, error=SIGN_IN_FAILED)
    session.clear()  # a new session on sign-in: nothing from before survives, not even the CSRF token
    session.permanent = True
    now = int(clock.now().timestamp())
    session.update(uid=user.id, seen=now, since=now)
    log.info("user %s signed in", user.id)
    return redirect(next_url)


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Any:
    """GET shows a sign-out button; POST (with its CSRF token) signs out."""
    if request.method == "GET":
        return render_template("logout.html", user=load_user(activity=False))
    user = load_user(activity=False)
    if user is not None:
        audit_request(AuditKind.SIGNED_OUT, user=user)
        db.session().commit()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
