"""Signing in and out of the staff pages: redirects, CSRF, lockout, sessions, roles."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from handoff import clock, db
from handoff.accounts import LOCK_AFTER, LOCK_FOR, create_user, deactivate
from handoff.models import AuditEvent, AuditKind, Role
from handoff.web.auth import login_required

PASSWORD = "correct horse battery staple"


def token(page: str) -> str:
    """The CSRF token a form carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def make_user(app, email: str = "nurse@example.org", role: Role = Role.NURSE) -> None:
    with app.app_context():
        create_user(db.session(), email, role, PASSWORD, clock.now())
        db.session().commit()


def sign_in(client, email: str = "nurse@example.org", password: str = PASSWORD, **extra: str):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token(page), **extra})


@pytest.fixture
def nurse(app):
    make_user(app)
    return "nurse@example.org"


def test_anonymous_visitors_are_sent_to_login(client, send_sms):
    send_sms("i had a miscarriage last week")
    for path in ("/queue", "/conversations/1", "/conversations/999"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/queue/live").status_code == 401  # a poll is told, not redirected


def test_login_form_carries_its_csrf_token_and_requires_it(client, nurse):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page and token(page)
    refused = client.post("/login", data={"email": nurse, "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/queue").status_code == 302


def test_signing_in_opens_the_queue_with_a_fresh_session(client, nurse):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get("/queue").status_code == 200


def test_wrong_password_gets_a_calm_generic_message(client, nurse):
    response = sign_in(client, password="not the password")
    assert response.status_code == 200
    assert "We could not sign you in" in response.get_data(as_text=True)
    unknown = sign_in(client, email="nobody@example.org")
    assert "We could not sign you in" in unknown.get_data(as_text=True)  # same words: no probing
    assert client.get("/queue").status_code == 302


def test_failures_slow_down_the_next_try(client, nurse):
    start = clock.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, password="wrong guess")
        sign_in(client, password="wrong again")
        sign_in(client)  # right, but too soon after two failures
        assert client.get("/queue").status_code == 302
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        sign_in(client)
        assert client.get("/queue").status_code == 200


def test_repeated_failures_lock_the_account_for_a_while(client, nurse):
    start = clock.now()
    for k in range(LOCK_AFTER):  # each try waits out the slow-down of the one before
        with time_machine.travel(start + timedelta(seconds=20 * k), tick=False):
            sign_in(client, password="wrong guess")
    with time_machine.travel(start + timedelta(seconds=20 * LOCK_AFTER), tick=False):
        sign_in(client)
    assert client.get("/queue").status_code == 302  # the right password is refused while locked
    with time_machine.travel(start + timedelta(seconds=20 * LOCK_AFTER) + LOCK_FOR + timedelta(minutes=1),
                             tick=False):
        sign_in(client)
        assert client.get("/queue").status_code == 200


def test_a_deactivated_user_is_signed_out(app, client, nurse):
    sign_in(client)
    with app.app_context():
        deactivate(db.session(), nurse)
        db.session().commit()
    assert client.get("/queue").status_code == 302
    assert client.get("/queue").headers["Location"].startswith("/login")


def test_the_session_ends_after_the_idle_timeout(app, client, nurse):
    sign_in(client)
    idle = app.permanent_session_lifetime
    with time_machine.travel(clock.now() + idle - timedelta(minutes=1), tick=False):
        assert client.get("/queue").status_code == 200  # activity keeps it going
    with time_machine.travel(clock.now() + 2 * idle, tick=False):
        assert client.get("/queue").status_code == 302


def test_polling_does_not_keep_an_idle_session_alive(app, client, nurse):
    sign_in(client)
    idle = app.permanent_session_lifetime
    with time_machine.travel(clock.now() + idle / 2, tick=False):
        assert client.get("/queue/live").status_code == 200
    with time_machine.travel(clock.now() + idle + timedelta(minutes=1), tick=False):
        assert client.get("/queue/live").status_code == 401


def test_next_must_be_a_local_path(app, nurse):
    for target in ("https://evil.example/queue", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert sign_in(app.test_client(), next=target).headers["Location"] == "/queue"
    assert sign_in(app.test_client(), next="/queue?x=1").headers["Location"] == "/queue?x=1"


def test_logout_needs_a_post_with_its_token(client, nurse):
    sign_in(client)
    page = client.get("/logout").get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/queue").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(page)}).status_code == 302
    assert client.get("/queue").status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, nurse):
    plain = app.test_client()
    cookie = sign_in(plain).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/login", base_url="https://localhost").get_data(as_text=True)
    response = secure.post("/login", base_url="https://localhost",
                           data={"email": nurse, "password": PASSWORD, "csrf_token": token(page)},
                           headers={"Referer": "https://localhost/login"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_roles_are_checked_on_the_server(app, client, nurse):
    @app.get("/test-supervisors-only")
    @login_required(role="supervisor")
    def supervisors_only() -> str:
        return "secret"

    sign_in(client)
    assert client.get("/test-supervisors-only").status_code == 403
    make_user(app, "lead@example.org", Role.SUPERVISOR)
    lead = app.test_client()
    sign_in(lead, "lead@example.org")
    assert lead.get("/test-supervisors-only").status_code == 200
    assert lead.get("/queue").status_code == 200  # supervisors can do what nurses do


def test_unknown_conversation_is_404(client, nurse):
    sign_in(client)
    assert client.get("/conversations/424242").status_code == 404
    page = client.get("/queue").get_data(as_text=True)
    assert client.post("/conversations/424242/reply", data={"body": "hi", "csrf_token": token(page)}).status_code == 404


def test_a_background_poll_never_resends_the_session_cookie(client, nurse):
    """A poll landing after a form's redirect must not overwrite the newer cookie and its flash."""
    sign_in(client)
    poll = client.get("/queue/live")
    assert poll.status_code == 200
    assert "Set-Cookie" not in poll.headers
    assert "Set-Cookie" in client.get("/queue").headers  # ordinary pages still refresh it


def test_sign_in_failure_and_sign_out_are_audited_with_who_when_and_from_where(app, client, nurse, frozen_clock):
    sign_in(client, password="not the password")
    sign_in(client, email="nobody@example.org")
    sign_in(client)
    page = client.get("/logout").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(page)})
    with app.app_context():
        rows = db.session().scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(r.kind, r.email, r.address, r.created_at) for r in rows] == [
            (AuditKind.SIGN_IN_FAILED, nurse, "127.0.0.1", clock.now()),
            (AuditKind.SIGN_IN_FAILED, "nobody@example.org", "127.0.0.1", clock.now()),
            (AuditKind.SIGNED_IN, nurse, "127.0.0.1", clock.now()),
            (AuditKind.SIGNED_OUT, nurse, "127.0.0.1", clock.now()),
        ]
        assert rows[2].actor_id == rows[3].actor_id is not None and rows[0].actor_id is None
