"""Staff web pages: sign-in, the queue and conversations. `init_app` wires them into the app."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError

from handoff import db
from handoff.queries import urgent_waiting
from handoff.web import actions, auth, conversation, nav, present, queue
from responses.sms import GSM7_BASIC, GSM7_EXTENSION

HERE = Path(__file__).resolve().parent.parent
# templates and static files shared by the staff blueprints; /assets keeps clear of any app /static
assets = Blueprint("staff", __name__, template_folder=str(HERE / "templates"),
                   static_folder=str(HERE / "static"), static_url_path="/assets")
POLL_ENDPOINTS = {"queue.queue_live", "queue.alerts", "conversation.live"}
# scripts and styles only from this site; no framing; forms only post here
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request came over HTTPS.

    Deciding per request (rather than flipping app.config, which threads share) lets one app
    serve plain http://localhost in development and HTTPS in production; behind a proxy that
    ends TLS, set HELPLINE_SECURE_COOKIES=1 or an https HELPLINE_PUBLIC_URL.
    """

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        # A background poll must not re-send the cookie it came with: landing after a form's
        # redirect, it would overwrite the newer cookie (and the flash message it carries).
        if request.endpoint in POLL_ENDPOINTS and not session.modified:
            return False
        return super().should_set_cookie(app, session)

    def get_cookie_secure(self, app: Flask) -> bool:
        public_url = str(app.config.get("PUBLIC_URL") or "")
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure or public_url.startswith("https://")


def init_app(app: Flask) -> None:
    """Register the staff blueprints, the session cookie rules, error pages and headers."""
    app.session_interface = StaffSessionInterface()
    app.config.setdefault("STAFF_POLL_MS", 4000)  # live pages poll this often (at most 5 s)
    present.init_app(app)
    for blueprint in (assets, auth.bp, queue.bp, conversation.bp, actions.bp):
        app.register_blueprint(blueprint)
    nav.add_nav_item(app, "Queue", "queue.queue_page", blueprints=("queue", "conversation"))
    app.jinja_env.globals["asset"] = asset
    app.context_processor(_layout_context)
    app.after_request(_staff_headers)
    app.register_error_handler(403, _error_page(403, "You do not have access to this page",
                                                "Your account's role does not allow this page."))
    app.register_error_handler(404, _error_page(404, "Page not found",
                                                "There is nothing at this address. It may have been mistyped."))
    app.register_error_handler(CSRFError, _error_page(
        400, "This form has expired", "For your security, forms expire. Go back, reload the page and try again."))


@functools.cache
def _asset_version(filename: str) -> str:
    return hashlib.sha256((HERE / "static" / filename).read_bytes()).hexdigest()[:10]


def asset(filename: str) -> str:
    """The URL of a staff CSS or JS file, versioned by its content so browsers never run a stale one."""
    return url_for("staff.static", filename=filename, v=_asset_version(filename))


def is_webhook() -> bool:
    """Twilio's endpoints all live under /sms."""
    return request.path == "/sms" or request.path.startswith("/sms/")


def _error_page(code: int, title: str, detail: str) -> Any:
    def handler(error: Exception) -> Any:
        if is_webhook():
            return error  # Twilio gets Flask's plain answers, not staff pages
        return render_template("error.html", title=title, detail=detail), code
    return handler


def _layout_context() -> dict[str, Any]:
    """What the base layout needs: the user, their header links, the urgent banner and the counter's alphabet."""
    user = auth.current_user()
    full_page = request.endpoint not in POLL_ENDPOINTS  # fragments for polls have no banner
    urgent = urgent_waiting(db.session()) if user is not None and full_page else []
    return {
        "user": user,
        "nav_items": nav.nav_items(user) if full_page else [],
        "urgent": urgent,
        "urgent_key": queue.urgent_key(urgent),
        "poll_ms": min(5000, int(current_app.config["STAFF_POLL_MS"])),
        "gsm_basic": "".join(sorted(GSM7_BASIC)),
        "gsm_extension": "".join(sorted(GSM7_EXTENSION)),
    }


def _staff_headers(response: Response) -> Response:
    """Staff pages carry parents' words: never cached, never framed, scripts only from here."""
    if not is_webhook():
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint != "staff":  # the CSS and JS may be cached; pages may not
            response.headers["Cache-Control"] = "no-store"
    return response
