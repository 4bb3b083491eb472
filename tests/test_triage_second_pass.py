"""Issue 11 through /sms: what a parent gets for each case the second pass fixed, conversation-
level risk, languages, and the versions stored with each bot reply."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from handoff.models import Conversation, Direction, Message, Priority
from responses import segments
from tests.conftest import at

TUESDAY_MORNING = at(2026, 11, 24, 10, 0)


def texts(response) -> list[str]:
    """The bodies of every <Message> in a TwiML answer."""
    root = ET.fromstring(response.get_data(as_text=True))
    return [(m.findtext("Body") or m.text or "") for m in root.iter("Message")]


def conversation(app, phone: str = "+447700900001") -> Conversation:
    with app.extensions["db"]() as session:
        return session.scalars(select(Conversation).join(Conversation.contact)
                               .where(Conversation.contact.has(phone=phone))).one()


@pytest.fixture(autouse=True)
def tuesday_morning(frozen_clock):
    frozen_clock.move_to(TUESDAY_MORNING)
    return frozen_clock


def test_a_parent_afraid_of_hurting_their_crying_baby_is_urgent_risk_to_others(app, send_sms):
    reply = " ".join(texts(send_sms("he wont stop crying and im scared i might shake him")))
    c = conversation(app)
    assert c.priority == Priority.URGENT and c.risk_kind == "risk_others"
    assert "999" in reply


def test_a_teenager_asking_that_nobody_is_told_gets_the_confidentiality_answer(app, send_sms):
    reply = " ".join(texts(send_sms("im 15 and i lost the baby. please dont tell my mum")))
    assert "private" in reply and "ChatHealth" in reply and "07480 635060" in reply
    assert "Samaritans" not in reply and conversation(app).priority != Priority.URGENT


def test_a_teenager_at_risk_keeps_chathealth_in_the_safety_reply(app, send_sms):
    reply = " ".join(texts(send_sms("im 16 and i want to kill myself since i lost the baby")))
    assert "116 123" in reply and "ChatHealth" in reply and segments(reply) <= 3


def test_a_bleeding_question_gets_when_to_call_111_and_999(app, send_sms):
    reply = " ".join(texts(send_sms("is it normal to still have light bleeding 4 weeks after my miscarriage?")))
    assert "111" in reply and "999" in reply and "booklet" not in reply
    assert conversation(app).priority != Priority.URGENT


@pytest.mark.parametrize("body", ["had a mc last week", "m/c at 8 wks, what happens now", "2nd misc this year"])
def test_text_speak_for_miscarriage_gets_the_miscarriage_association(send_sms, body):
    assert "Miscarriage Association" in " ".join(texts(send_sms(body)))


def test_pregnant_again_and_terrified_names_the_midwife(send_sms):
    reply = " ".join(texts(send_sms("pregnant again after our stillbirth and terrified")))
    assert "midwife" in reply


def test_my_baby_died_is_not_asked_what_happened(send_sms):
    reply = " ".join(texts(send_sms("my baby died")))
    assert "sorry" in reply and "what has happened" not in reply and "Tell us" not in reply


def test_a_grandparent_is_not_told_your_baby(send_sms):
    reply = " ".join(texts(send_sms("our granddaughter was stillborn on tuesday, our daughter is broken")))
    assert "your grandchild" in reply and "your baby" not in reply and "Sands" in reply


def test_a_request_to_talk_to_someone_gets_the_human_reply(send_sms):
    reply = " ".join(texts(send_sms("i just need to talk to someone")))
    assert "real person" in reply and "keepsake" not in reply


def test_two_minutes_before_friday_closing_warns_the_line_is_closing(send_sms, frozen_clock):
    frozen_clock.move_to(at(2026, 11, 27, 17, 58))
    reply = " ".join(texts(send_sms("how do i tell my son about his sister")))
    assert "close soon" in reply and "tomorrow at 9am" in reply and "999" in reply


def test_four_texts_in_a_minute_get_one_reply_and_one_follow_up(send_sms, frozen_clock):
    frozen_clock.move_to(at(2026, 11, 29, 3, 0))  # Sunday night: the closed-hours block
    bodies = ["hi", "we lost our son at 39 weeks", "my wife wont talk to me", "do you do groups"]
    replies = []
    for minute, body in enumerate(bodies):
        frozen_clock.move_to(at(2026, 11, 29, 3, minute))
        replies.append(texts(send_sms(body)))
    sent = [r for rs in replies for r in rs]
    assert len(sent) == 2, sent
    assert sum("Closed now" in r for r in sent) == 1  # the closed-hours block once per burst
    assert all(segments(r) <= 2 for r in sent)


@pytest.mark.parametrize("body", ["i lost my baby at 20 weeks", "hi", "when are you open",
                                  "we lost our son at 39 weeks and my wife wont talk to me"])
@pytest.mark.parametrize("when", [TUESDAY_MORNING, at(2026, 11, 29, 3, 0)])
def test_first_replies_are_at_most_two_segments(send_sms, frozen_clock, body, when):
    frozen_clock.move_to(when)
    assert segments("\n".join(texts(send_sms(body)))) <= 2


def test_risk_spread_over_several_texts_is_caught_at_the_text_that_makes_it_clear(app, send_sms, frozen_clock):
    bodies = ["i keep looking up how many paracetamol it takes", "its not for the baby",
              "its for me. i cant do this anymore"]
    got = []
    for minute, body in enumerate(bodies):
        frozen_clock.move_to(at(2026, 11, 24, 10, 2 * minute))
        got.append(" ".join(texts(send_sms(body))))
    assert "999" in got[-1]
    c = conversation(app)
    assert c.priority == Priority.URGENT
    with app.extensions["db"]() as session:
        marked = session.scalars(select(Message.body).where(Message.direction == Direction.IN,
                                                            Message.made_urgent)).all()
    assert bodies[-1] in marked  # the queue can show which texts made it urgent


def test_in_an_urgent_conversation_every_text_is_answered_with_999(app, send_sms, frozen_clock):
    send_sms("i want to end it all tonight")
    frozen_clock.move_to(at(2026, 11, 24, 10, 1))
    reply = texts(send_sms("sorry. its about my son, he died in march"))
    assert len(reply) == 1 and "999" in reply[0] and segments(reply[0]) == 1


@pytest.mark.parametrize("body,language,kind", [
    ("Nie chcę już żyć bez mojej córeczki", "pl", "risk_self"),
    ("Po poronieniu bardzo mocno krwawię i mdleję", "pl", "medical_urgent"),
    ("Nebenoriu gyventi be savo sūnelio", "lt", "risk_self"),
    ("Po persileidimo labai stipriai kraujuoju", "lt", "medical_urgent"),
    ("Não quero mais viver sem o meu bebé", "pt", "risk_self"),
    ("Estou a sangrar muito depois do aborto espontâneo", "pt", "medical_urgent"),
    ("Nu mai vreau să trăiesc fără copilul meu", "ro", "risk_self"),
    ("Sângerez foarte mult după avortul spontan", "ro", "medical_urgent"),
    ("Es vairs negribu dzīvot bez sava dēliņa", "lv", "risk_self"),
    ("Pēc spontānā aborta ļoti stipri asiņoju", "lv", "medical_urgent"),
    ("Я не хочу больше жить без моего малыша", "ru", "risk_self"),
    ("После выкидыша сильное кровотечение", "ru", "medical_urgent"),
])
def test_risk_and_red_flags_in_each_language_are_urgent_and_the_nurse_sees_the_language(
        app, send_sms, body, language, kind):
    reply = " ".join(texts(send_sms(body)))
    c = conversation(app)
    assert c.priority == Priority.URGENT and c.risk_kind == kind and c.language == language
    assert "999" in reply


def test_english_mixed_with_another_language_is_still_caught(app, send_sms):
    reply = " ".join(texts(send_sms("my wife is bleeding a lot, krwawi bardzo mocno, what do i do")))
    assert conversation(app).priority == Priority.URGENT and "999" in reply


def test_the_message_in_the_parents_language_is_off_until_reviewed(app, send_sms):
    assert len(texts(send_sms("Poroniłam w zeszłym tygodniu, gdzie szukać pomocy?"))) == 1
    assert conversation(app).language == "pl"


def test_a_reviewed_translation_is_sent_as_its_own_message(config, monkeypatch, tmp_path, frozen_clock):
    import responses

    from bot import create_app
    from tests.conftest import sign, sms_params

    from pathlib import Path

    edited = tmp_path / "replies.yaml"
    text = (Path(responses.__file__).with_name("replies.yaml")).read_text(encoding="utf-8")
    start = text.index("  pl:\n", text.index("\nlanguages:"))
    edited.write_text(text[:start] + text[start:].replace("reviewed: false", "reviewed: true", 1),
                      encoding="utf-8")
    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app(dict(config, REPLIES_FILE=str(edited)))
    params = sms_params("Poroniłam w zeszłym tygodniu, gdzie szukać pomocy?")
    sent = texts(app.test_client().post("/sms", data=params, headers=sign(params)))
    app.extensions["db_engine"].dispose()
    assert len(sent) == 2 and "999" in sent[1] and "tłumacza" in sent[1] and segments(sent[1]) <= 2


def test_every_bot_reply_stores_the_catalogue_and_model_versions(app, send_sms):
    send_sms("i lost my baby at 20 weeks")
    services = app.extensions["helpline"]
    with app.extensions["db"]() as session:
        reply = session.scalars(select(Message).where(Message.direction == Direction.OUT)).one()
    assert reply.catalogue_version == services.versions["catalogue_version"]
    assert services.catalogue.version in reply.catalogue_version
    assert services.replies.version in reply.catalogue_version
    assert reply.model_version == services.catalogue.model_version and len(reply.model_version) == 16


def test_a_stop_word_added_through_the_keywords_dir_is_honoured(config, monkeypatch, tmp_path):
    import shutil

    import keywords
    from bot import create_app
    from handoff.models import Contact
    from tests.conftest import sign, sms_params

    folder = tmp_path / "catalogue"
    shutil.copytree(keywords.__path__[0] + "/catalogue", folder)
    path = folder / "keywords.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stop: [", "stop: [stoppit, ", 1), encoding="utf-8")
    monkeypatch.setenv("HELPLINE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app(dict(config, KEYWORDS_DIR=str(folder)))
    params = sms_params("Stoppit")
    app.test_client().post("/sms", data=params, headers=sign(params))
    with app.extensions["db"]() as session:
        assert session.scalars(select(Contact)).one().opted_out_at is not None
    app.extensions["db_engine"].dispose()


def _conversations():
    from pathlib import Path
    import json

    path = Path(__file__).parent / "keywords" / "data" / "conversations_own.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("conv", _conversations(), ids=lambda c: c["id"])
def test_our_own_conversations(app, send_sms, frozen_clock, conv):
    from datetime import timedelta

    when, got = TUESDAY_MORNING, []
    for k, body in enumerate(conv["texts"]):
        if k:
            when += timedelta(minutes=conv["minutes_between"][k - 1])
        frozen_clock.move_to(when)
        got.append(" ".join(texts(send_sms(body))))
    urgent = conversation(app).priority == Priority.URGENT
    if conv["risk"]:
        first = conv["risk_from_text"] - 1
        assert urgent and any("999" in g or "111" in g for g in got[first:]), got
    else:
        assert not urgent, got
