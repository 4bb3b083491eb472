"""Browser fixtures: Debian's chromium through Playwright, and the app served on a free local port.

Never downloads a browser; chromium is told to stay off the network. Each test gets a fresh
database and its own threaded server, whose PUBLIC_URL is its real address so that Twilio
signatures made for that address are valid.
"""
from __future__ import annotations

import re
import socket
import threading
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from handoff import clock, db
from handoff.accounts import create_user
from handoff.models import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "correct horse battery staple"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One chromium for the whole run; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def config(config: dict[str, Any], port: int) -> dict[str, Any]:
    """The shared test config, served at its real address and polled quickly."""
    return {**config, "PUBLIC_URL": f"http://127.0.0.1:{port}", "STAFF_POLL_MS": 500}


@dataclass
class LiveServer:
    app: Any
    url: str

    def post(self, path: str, params: dict[str, str]) -> int:
        """POST a form signed as Twilio signs it, over real HTTP; returns the status."""
        signature = RequestValidator(self.app.config["TWILIO_AUTH_TOKEN"]).compute_signature(self.url + path, params)
        request = urllib.request.Request(self.url + path, data=urllib.parse.urlencode(params).encode(),
                                         headers={"X-Twilio-Signature": signature})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    def text(self, body: str, sender: str) -> int:
        """A parent's text arriving from Twilio."""
        sid = "SM" + uuid.uuid4().hex
        return self.post("/sms", {"MessageSid": sid, "SmsSid": sid, "AccountSid": self.app.config["TWILIO_ACCOUNT_SID"],
                                  "From": sender, "To": self.app.config["TWILIO_FROM"], "Body": body,
                                  "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"})

    def status(self, provider_sid: str, status: str) -> int:
        """Twilio's delivery status callback for one sent text."""
        return self.post("/sms/status", {"MessageSid": provider_sid, "SmsSid": provider_sid, "MessageStatus": status,
                                         "SmsStatus": status, "AccountSid": self.app.config["TWILIO_ACCOUNT_SID"],
                                         "From": self.app.config["TWILIO_FROM"], "To": "+447700900001",
                                         "ApiVersion": "2010-04-01"})

    def user(self, email: str, role: Role = Role.NURSE) -> str:
        with self.app.app_context():
            create_user(db.session(), email, role, PASSWORD, clock.now())
            db.session().commit()
        return email


@pytest.fixture
def live(app: Any, port: int) -> Iterator[LiveServer]:
    """The app on 127.0.0.1:<port> in a thread, threaded like a real server."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{port}")
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile at tablet width."""
    ctx = browser.new_context(viewport={"width": 768, "height": 1024})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def sign_in(live: LiveServer) -> Any:
    """Sign a page in through the form, as a nurse would."""
    def sign(page: Any, email: str) -> None:
        page.goto(live.url + "/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/queue$"))
    return sign


@pytest.fixture
def axe() -> Any:
    """Check a page with axe: no serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page: Any) -> None:
        violations = checker.run(page).response["violations"]
        bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in violations if v["impact"] in SERIOUS]
        assert not bad, "\n".join(bad)
    return check
