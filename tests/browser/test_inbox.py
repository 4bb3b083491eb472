"""The nurse inbox in a real browser: sign in, live queue, take next, reply, delivery, close."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from handoff import db
from handoff.models import Author, Message
from responses import segments

pytestmark = pytest.mark.browser

SAD = "i had a miscarriage last week and cant stop crying"
RISK = "i seriously want to end my life"
PARENT = "+447700900001"
OTHER = "+447700900002"


def mark_page(page) -> None:
    """Leave a mark that a reload would wipe, to prove updates arrive without one."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true")


def nurse_sid(live) -> str:
    with live.app.app_context():
        return db.session().scalar(select(Message.provider_sid).where(Message.author == Author.NURSE))


def test_sign_in_and_the_login_page_is_accessible(live, context, sign_in, axe):
    live.user("nurse@example.org")
    page = context.new_page()
    page.goto(live.url + "/queue")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)queue$"))
    axe(page)
    page.get_by_label("Email address").fill("nurse@example.org")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not sign you in")
    axe(page)
    sign_in(page, "nurse@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")


def test_a_text_appears_on_the_open_queue_and_as_an_urgent_banner(live, context, sign_in, axe):
    page = context.new_page()
    sign_in(page, live.user("nurse@example.org"))
    expect(page.get_by_text("Nobody is waiting")).to_be_visible()
    mark_page(page)
    assert live.text(SAD, PARENT) == 200
    expect(page.locator("#queue-rows")).to_contain_text("Number ending 001")
    assert live.text(RISK, OTHER) == 200
    expect(page.locator(".queue-item").first).to_contain_text("Urgent")
    expect(page.locator(".queue-item").first).to_contain_text("end my life")
    expect(page.locator("#urgent-banner")).to_contain_text("Number ending 002")
    assert_not_reloaded(page)
    axe(page)


def test_take_next_reply_delivery_and_close(live, context, sign_in, axe):
    live.text(SAD, PARENT)
    page = context.new_page()
    sign_in(page, live.user("nurse@example.org"))
    page.get_by_role("button", name="Take next").click()
    page.wait_for_url(re.compile(r"/conversations/1$"))
    expect(page.locator("#summary")).to_contain_text("Held by you")
    axe(page)

    mark_page(page)
    live.text("are you still there? it is really hard tonight", PARENT)
    expect(page.locator("#timeline")).to_contain_text("it is really hard tonight")
    assert_not_reloaded(page)

    page.get_by_label("Your reply").fill("x" * 200)
    expect(page.locator("#sms-chars")).to_have_text("200 characters")
    expect(page.locator("#sms-segments")).to_have_text("2 segments (GSM-7)")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(re.compile(r"/conversations/1(#.*)?$"))
    expect(page.locator("#timeline .entry--nurse")).to_contain_text("Status: queued")

    mark_page(page)
    assert live.status(nurse_sid(live), "sent") in (200, 204)
    assert live.status(nurse_sid(live), "delivered") in (200, 204)
    expect(page.locator("#timeline .entry--nurse")).to_contain_text("Status: delivered")
    assert_not_reloaded(page)

    page.get_by_label("Outcome").select_option("advice given")
    page.get_by_role("button", name="Close conversation").click()
    expect(page.get_by_role("status").filter(has_text="Closed: advice given")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Closed")


def test_counter_matches_the_server_segment_rules(live, context, sign_in):
    live.text(SAD, PARENT)
    page = context.new_page()
    sign_in(page, live.user("nurse@example.org"))
    page.get_by_role("button", name="Take next").click()
    box = page.get_by_label("Your reply")
    samples = ["", "hi", "a" * 160, "a" * 161, "a" * 306, "a" * 307, "{" * 80, "{" * 81, "a" * 152 + "€",
               "a" * 153 + "€" + "b", "é" * 170, "\u2019" + "a" * 69, "\u2019" + "a" * 70, "😊" * 35,
               "😊" * 36, "a" * 66 + "😊" + "b", "line one\nline two " * 12, "[x]|~^\\" * 30]
    for text in samples:
        box.fill(text)
        expected = segments(text.strip())
        shown = page.locator("#sms-segments").text_content()
        assert shown.startswith(f"{expected} segment"), (text, shown)
    box.fill("It\u2019s ok \U0001F49C")
    expect(page.locator("#sms-ucs2")).to_be_visible()
    expect(page.locator("#sms-ucs2")).to_contain_text("\u201c\u2019\u201d")
    page.get_by_label("Canned reply").select_option(index=0)
    box.fill("")
    page.get_by_role("button", name="Insert into reply").click()
    assert box.input_value() == live.app.extensions["helpline"].replies.canned()[0][2]


def test_two_nurses_taking_next_at_once_get_different_conversations(live, browser, sign_in):
    live.text(SAD, PARENT)
    live.text(SAD, OTHER)
    pages = []
    for email in ("alice@example.org", "bob@example.org"):
        ctx = browser.new_context(viewport={"width": 768, "height": 1024})
        page = ctx.new_page()
        sign_in(page, live.user(email))
        pages.append(page)
    for page in pages:  # both forms are submitted before either answer comes back
        page.evaluate("document.getElementById('take-next').requestSubmit()")
    taken = []
    for page in pages:
        page.wait_for_url(re.compile(r"/conversations/\d+$"))
        taken.append(page.url.rsplit("/", 1)[1])
        expect(page.locator("#summary")).to_contain_text("Held by you")
        page.context.close()
    assert sorted(taken) == ["1", "2"]


def test_an_urgent_text_is_announced_on_a_conversation_page(live, context, sign_in):
    live.text(SAD, PARENT)
    page = context.new_page()
    sign_in(page, live.user("nurse@example.org"))
    page.get_by_role("button", name="Take next").click()
    page.wait_for_url(re.compile(r"/conversations/1$"))
    expect(page.locator("#urgent-banner")).to_be_empty()
    live.text(RISK, OTHER)
    banner = page.get_by_role("alert").filter(has_text="Urgent")
    expect(banner).to_contain_text("Number ending 002")
    banner.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/conversations/2$"))
    expect(page.get_by_role("button", name="Take")).to_be_visible()


def test_keyboard_reaches_the_skip_link_first(live, context, sign_in):
    page = context.new_page()
    sign_in(page, live.user("nurse@example.org"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_the_design_system_runs_under_the_csp_from_this_site_only(live, context, sign_in):
    live.text(SAD, PARENT)
    page = context.new_page()
    problems, elsewhere = [], []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(live.url) else elsewhere.append(request.url))
    sign_in(page, live.user("nurse@example.org"))
    page.get_by_role("button", name="Take next").click()
    page.wait_for_url(re.compile(r"/conversations/1$"))
    for module in ("nhsuk-header", "nhsuk-skip-link", "nhsuk-character-count"):
        expect(page.locator(f"[data-module={module}]")).to_have_attribute(f"data-{module}-init", "")
    page.get_by_label("Your reply").fill("a" * 1300)
    expect(page.get_by_text("You have 300 characters remaining")).to_be_visible()
    header = page.evaluate("getComputedStyle(document.querySelector('.nhsuk-header')).backgroundColor")
    assert header == "rgb(0, 94, 184)"  # NHS blue: the vendored stylesheet is in force
    assert not problems and not elsewhere, (problems, elsewhere)
