"""POST /sms: signatures, storage, idempotency, odd bodies, opt-out words, TwiML."""
from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handoff.models import Contact, Conversation, Direction, Message, Priority
from tests.conftest import at, sign, sms_params

TUESDAY_MORNING = at(2026, 11, 24, 10, 0)
SUNDAY_NIGHT = at(2026, 11, 29, 3, 0)


def texts(response) -> list[str]:
    """The bodies of every <Message> in a TwiML answer (parsed, not string-compared)."""
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return [(m.findtext("Body") or m.text or "") for m in root.iter("Message")]


def count(app, model, *where) -> int:
    with app.extensions["db"]() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture(autouse=True)
def tuesday_morning(frozen_clock):
    frozen_clock.move_to(TUESDAY_MORNING)
    return frozen_clock


# -- forged requests: 403 and nothing stored ---------------------------------------------------

def forged_cases():
    body = "i lost my baby at 20 weeks"
    good = sms_params(body, "+447700900101")
    yield "no signature", good, {}
    yield "wrong token", good, sign(good, token="f" * 32)
    yield "tampered body", dict(good, Body=body + "!"), sign(good)
    yield "tampered sender", dict(good, From="+447700900999"), sign(good)
    yield "signed for another URL", good, sign(good, url="http://localhost/other")
    yield "garbage signature", good, {"X-Twilio-Signature": "AAAA" * 7}


@pytest.mark.parametrize("name,params,headers", list(forged_cases()), ids=[c[0] for c in forged_cases()])
def test_forged_requests_get_403_and_store_nothing(app, client, name, params, headers):
    response = client.post("/sms", data=params, headers=headers)
    assert response.status_code == 403
    assert count(app, Message) == 0
    assert count(app, Contact) == 0


def test_without_an_auth_token_every_request_is_refused(config, monkeypatch, tmp_path):
    from bot import create_app

    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app(dict(config, TWILIO_AUTH_TOKEN=None))
    params = sms_params("hello")
    assert app.test_client().post("/sms", data=params, headers=sign(params)).status_code == 403
    app.extensions["db_engine"].dispose()


def test_public_url_behind_a_tls_terminating_proxy(config, monkeypatch, tmp_path):
    from bot import create_app

    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app(dict(config, PUBLIC_URL="https://sms.example.org"))
    client = app.test_client()
    params = sms_params("is there a person reading these")
    # the proxy speaks plain HTTP to us, but Twilio signed the public https URL
    ok = client.post("/sms", data=params, headers=sign(params, url="https://sms.example.org/sms"),
                     base_url="http://10.0.0.5:8000")
    assert ok.status_code == 200
    params2 = sms_params("is there a person reading these", "+447700900102")
    wrong = client.post("/sms", data=params2, headers=sign(params2, url="http://10.0.0.5:8000/sms"),
                        base_url="http://10.0.0.5:8000")
    assert wrong.status_code == 403
    app.extensions["db_engine"].dispose()


# -- storage and idempotency ------------------------------------------------------------------

def test_a_text_is_stored_queued_and_answered(app, send_sms):
    response = send_sms("i lost my baby at 20 weeks and dont know who to talk to", "+447700900200")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    [reply] = texts(response)
    assert "nurse" in reply.lower()
    with app.extensions["db"]() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.contact.phone == "+447700900200"
        assert [m.direction for m in conversation.messages] == [Direction.IN, Direction.OUT]
        assert conversation.messages[1].body == reply
        assert [e.kind for e in conversation.events][0] == "queued"


def test_a_retried_message_sid_gets_the_same_reply_and_nothing_twice(app, client):
    params = sms_params("had a miscarriage last week", "+447700900201")
    first = client.post("/sms", data=params, headers=sign(params))
    again = client.post("/sms", data=params, headers=sign(params))
    assert again.status_code == 200
    assert texts(again) == texts(first) != []
    assert count(app, Message, Message.direction == Direction.IN) == 1
    assert count(app, Conversation) == 1


def test_twenty_concurrent_copies_of_one_sid_are_stored_once(app):
    params = sms_params("my baby died yesterday at home", "+447700900202")
    headers = sign(params)
    answers: list = []
    barrier = threading.Barrier(20)

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post("/sms", data=params, headers=headers)
        answers.append((response.status_code, tuple(texts(response))))

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [code for code, _ in answers] == [200] * 20
    assert len({reply for _, reply in answers}) == 1
    assert count(app, Message, Message.direction == Direction.IN) == 1
    assert count(app, Message, Message.direction == Direction.OUT) == 1
    assert count(app, Conversation) == 1


def test_follow_up_texts_join_the_open_conversation(app, send_sms):
    send_sms("hi", "+447700900203")
    send_sms("i had a stillbirth in august", "+447700900203")
    assert count(app, Conversation) == 1
    assert count(app, Message, Message.direction == Direction.IN) == 2


# -- odd bodies -------------------------------------------------------------------------------

ODD = {
    "empty": "",
    "emoji and RTL": "💔💔 مرحبا please help 👶🏻",
    "1600 characters": ("my baby died " * 140)[:1600],
    "control characters": "hi\x00\x07 there\r\n\t",
    "html": "<script>alert(1)</script> miscarriage",
    "only spaces": "     ",
    "CJK": "我的宝宝走了",
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_bodies_are_answered_and_stored(app, send_sms, name):
    body = ODD[name]
    response = send_sms(body, "+447700900300")
    assert response.status_code == 200
    texts(response)  # well-formed TwiML
    with app.extensions["db"]() as session:
        stored = session.scalar(select(Message.body).where(Message.direction == Direction.IN))
    assert stored == body.replace("\x00", "\ufffd")


def test_a_missing_sender_or_odd_sender_is_never_rejected(app, client):
    for sender in ("", "CHARITY", "+1 (555) 0100", "12345"):
        params = sms_params("hello", sender)
        assert client.post("/sms", data=params, headers=sign(params)).status_code == 200


def test_uk_numbers_are_stored_in_e164(app, send_sms):
    send_sms("hello", "07700 900 555")
    with app.extensions["db"]() as session:
        assert session.scalar(select(Contact.phone)) == "+447700900555"


def test_a_huge_request_is_refused_without_storing(app, client):
    params = sms_params("x" * 100_000)
    assert client.post("/sms", data=params, headers=sign(params)).status_code == 413
    assert count(app, Message) == 0


# -- keywords and opt-out ---------------------------------------------------------------------

@pytest.mark.parametrize("word", ["STOP", "stop", " Stop! ", "STOPALL", "unsubscribe", "Cancel.", "END",
                                  "quit", "REVOKE", "optout"])
def test_a_stop_word_alone_opts_out_silently_and_queues_nothing(app, send_sms, word):
    response = send_sms(word, "+447700900400")
    assert texts(response) == []
    assert count(app, Conversation) == 0
    with app.extensions["db"]() as session:
        assert session.scalar(select(Contact.opted_out_at)) is not None


def test_twilio_opt_out_type_stop_is_an_opt_out(app, send_sms):
    assert texts(send_sms("Stop please", "+447700900401", OptOutType="STOP")) == []
    assert count(app, Conversation) == 0


@pytest.mark.parametrize("body", ["i just want it all to end", "cant stop crying", "i want to quit my job",
                                  "my friend cancelled on me again"])
def test_stop_words_inside_sentences_are_not_opt_outs(app, send_sms, body):
    send_sms(body, "+447700900402")
    with app.extensions["db"]() as session:
        assert session.scalar(select(Contact.opted_out_at)) is None
    assert count(app, Conversation) == 1


def test_wanting_it_all_to_end_gets_the_safety_reply_and_is_urgent(app, send_sms):
    [reply] = texts(send_sms("i just want it all to end", "+447700900403"))
    assert "999" in reply
    with app.extensions["db"]() as session:
        assert session.scalars(select(Conversation)).one().priority == Priority.URGENT


def test_a_polite_stop_request_says_how_to_stop(app, send_sms):
    [reply] = texts(send_sms("thanks but u can stop them now", "+447700900404"))
    assert "STOP" in reply
    assert count(app, Conversation) == 1


@pytest.mark.parametrize("word", ["HELP", "Help?", " info. ", "help!!"])
def test_help_alone_gives_the_service_details(app, send_sms, word):
    [reply] = texts(send_sms(word, "+447700900405"))
    assert "999" in reply and "07520 631590" in reply and "0300 300 0123" in reply
    assert count(app, Conversation) == 0


def test_twilio_answered_help_adds_nothing_by_default(app, send_sms):
    assert texts(send_sms("HELP", "+447700900406", OptOutType="HELP")) == []


def test_an_opted_out_parent_still_reaches_a_nurse(app, send_sms):
    send_sms("STOP", "+447700900407")
    response = send_sms("sorry i need to talk to someone about my stillbirth", "+447700900407")
    assert response.status_code == 200
    with app.extensions["db"]() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.contact.is_opted_out
    assert count(app, Conversation) == 1


def test_an_opted_out_parent_at_risk_still_gets_the_safety_reply(app, send_sms):
    send_sms("STOP", "+447700900408")
    [reply] = texts(send_sms("i want to kill myself", "+447700900408"))
    assert "999" in reply


def test_start_opts_back_in(app, send_sms):
    send_sms("STOP", "+447700900409")
    assert texts(send_sms("START", "+447700900409")) != []
    with app.extensions["db"]() as session:
        assert session.scalar(select(Contact.opted_out_at)) is None


def test_yes_opts_back_in_only_when_opted_out(app, send_sms):
    send_sms("yes", "+447700900410")
    assert count(app, Conversation) == 1  # an ordinary text from someone not opted out
    send_sms("STOP", "+447700900411")
    send_sms("YES", "+447700900411")
    with app.extensions["db"]() as session:
        contact = session.scalar(select(Contact).where(Contact.phone == "+447700900411"))
        assert contact.opted_out_at is None


# -- bursts, hours, first reply ------------------------------------------------------------------

def test_the_first_reply_says_it_is_automatic_and_how_to_stop(app, send_sms):
    [reply] = texts(send_sms("hiya", "+447700900500"))
    assert "automatic" in reply.lower() and "STOP" in reply


def test_a_burst_gets_one_full_reply_then_one_short_ack_then_quiet(app, send_sms, frozen_clock):
    first = texts(send_sms("hi", "+447700900501"))
    second = texts(send_sms("hello", "+447700900501"))
    third = texts(send_sms("hello?", "+447700900501"))
    assert first and len(second) == 1 and len(second[0]) < len(first[0])
    assert third == []
    frozen_clock.move_to(at(2026, 11, 24, 10, 11))  # the burst window has passed
    assert texts(send_sms("hello again", "+447700900501")) != []


def test_a_follow_up_with_a_new_topic_gets_its_signpost(app, send_sms):
    send_sms("hi", "+447700900508")
    [reply] = texts(send_sms("i had a miscarriage at 8 weeks", "+447700900508"))
    assert "Miscarriage Association" in reply


def test_a_risk_text_in_a_burst_always_gets_the_safety_reply(app, send_sms):
    send_sms("hi", "+447700900502")
    send_sms("hello", "+447700900502")
    [reply] = texts(send_sms("i dont want to be here anymore", "+447700900502"))
    assert "999" in reply
    with app.extensions["db"]() as session:
        assert session.scalars(select(Conversation)).one().priority == Priority.URGENT


def test_out_of_hours_reply_has_safety_advice_and_when_nurses_are_back(app, send_sms, frozen_clock):
    frozen_clock.move_to(SUNDAY_NIGHT)
    [reply] = texts(send_sms("i had a miscarriage last week", "+447700900503"))
    assert "999" in reply and "111" in reply
    assert "Monday at 8am" in reply
    with app.extensions["db"]() as session:
        assert session.scalars(select(Conversation)).one().arrived_out_of_hours


def test_in_hours_reply_says_a_nurse_will_text_back(app, send_sms):
    [reply] = texts(send_sms("i had a miscarriage last week", "+447700900504"))
    assert "nurse" in reply.lower()
    assert "Monday at 8am" not in reply


def test_off_topic_is_low_priority(app, send_sms):
    send_sms("is this the garage about my mot", "+447700900505")
    with app.extensions["db"]() as session:
        assert session.scalars(select(Conversation)).one().priority == Priority.LOW


def test_a_database_failure_still_answers_the_parent_and_spools_the_text(app, send_sms, monkeypatch, tmp_path):
    import bot.webhook

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(bot.webhook, "handle", broken)
    [reply] = texts(send_sms("i want to die", "+447700900506"))
    assert "999" in reply
    spooled = list((tmp_path / "instance" / "spool").glob("*.json"))
    assert len(spooled) == 1 and "i want to die" in spooled[0].read_text()


def test_spooled_texts_are_replayed_into_the_queue(app, send_sms, monkeypatch):
    import bot.webhook

    real = bot.webhook.handle
    monkeypatch.setattr(bot.webhook, "handle", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("down")))
    send_sms("i want to die", "+447700900507")
    monkeypatch.setattr(bot.webhook, "handle", real)
    assert count(app, Conversation) == 0
    result = app.test_cli_runner().invoke(args=["replay-spool"], catch_exceptions=False)
    assert result.exit_code == 0
    with app.extensions["db"]() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert conversation.priority == Priority.URGENT and conversation.contact.phone == "+447700900507"
    assert not list((Path(app.instance_path) / "spool").glob("*.json"))


def test_risk_only_the_model_sees_is_urgent_and_shows_its_words(app, send_sms):
    text = "found the dog a lovely new home. cant take him where im going"
    [reply] = texts(send_sms(text, "+447700900520"))
    assert "999" in reply and "116 123" in reply
    with app.extensions["db"]() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.priority == Priority.URGENT
        assert conversation.risk_phrases and all(p in text for p in conversation.risk_phrases)
