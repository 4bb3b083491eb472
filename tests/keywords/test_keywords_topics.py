"""Topics: every topic is recognised from everyday texting, ordered by priority, with numbers read."""
from __future__ import annotations

import pytest

from keywords import RISK_KINDS, TOPICS

EXAMPLES = {
    "confidential": [
        "r u allowed to tell my school",
        "will you tell my mum? im 15",
        "is this confidential",
        "please dont tell my parents about the baby",
    ],
    "bleeding": [
        "is it normal to still be bleeding 3 weeks after",
        "how long will i bleed for after the d&c",
        "still spotting 5 weeks later, is that ok",
    ],
    "loss": [
        "my baby died",
        "our son passed away on sunday",
        "we lost our little girl last week",
    ],
    "miscarriage": [
        "had a miscarrage last week and feel so empty",
        "they said it was an ectopic and i needed surgery",
        "my second mc this year",
        "missed miscarridge found at the 12 week scan",
        "lost the baby at 7 weeks",
        "chemical pregnancy again, is that still a loss",
        "booked in for an erpc on monday",
        "miscarried at home on my own",
    ],
    "stillbirth": [
        "our daughter was stillborn in june",
        "stilborn son, 3 months ago",
        "she was born sleeping at 40 weeks",
        "he died in the womb and i had to give birth to him",
        "no heartbeat at 37 weeks, we were induced the next day",
        "STILL BORN BABY BOY",
    ],
    "neonatal_death": [
        "our son died in nicu after 2 weeks",
        "she was in the neonatal unit for a month",
        "they turned off the machines on tuesday",
        "he only lived for 3 hours",
        "twins in scbu, one didnt make it",
        "she passed away in special care",
    ],
    "sudden_infant_death": [
        "we lost our son to sids at 4 months",
        "found her not breathing in the morning",
        "cot death, 6 weeks ago, the police came",
        "he died in his sleep at 10 weeks old",
        "the coroner still hasnt told us anything",
    ],
    "late_loss": [
        "we had a tfmr at 21 weeks",
        "the anomaly scan showed she had edwards syndrome",
        "lost him at 22 weeks",
        "termination for medical reasons last month",
        "late miscarriage at 23 weeks",
        "my waters broke early and she was born at 20 weeks",
    ],
    "practical": [
        "how do we pay for the funeral",
        "do i need to register him",
        "when will we get the post mortem results",
        "what happens at an inquest",
        "can i still get maternity pay",
        "do we get a birth certificate",
        "the funeral director needs an answer about cremation",
    ],
    "low_mood": [
        "i cant cope anymore with the crying",
        "not coping at all, havent left the house in days",
        "drinking every night to get to sleep",
        "i feel so numb and empty",
        "think im depressed",
        "my anxiety is through the roof",
        "havent eaten properly in a week",
    ],
    "trauma": [
        "i keep having flashbacks to the delivery room",
        "nightmares every night about the scan",
        "keep replaying the moment they told us",
        "the sound of sirens takes me straight back there",
        "i think i have ptsd from the birth",
    ],
    "next_pregnancy": [
        "just found out im pregnant again and terrified",
        "how soon can we try again",
        "we are ttc after our loss",
        "got a bfp today",
        "will i get extra scans in my next pregnancy",
        "scared to get pregnant again",
    ],
    "physical_recovery": [
        "when can i go back to the gym",
        "my milk came in and its torture",
        "stitches still sore 3 weeks on",
        "periods havent come back yet, is that normal",
        "is it safe to exercise after a c section",
        "my body doesnt feel like mine",
    ],
    "teen": [
        "im 16 and was pregnant, my mum doesnt know",
        "i'm 15 and lost the baby",
        "aged 17, had a miscarriage",
        "in year 11 and cant concentrate at school",
        "im in sixth form and nobody knows",
        "too young for this, im only 14",
    ],
    "siblings": [
        "how do i explain it to my 4 year old",
        "our eldest keeps asking when the baby is coming home",
        "my son is asking where his sister went",
        "the kids keep asking about heaven",
        "big sister drew a picture for the baby",
    ],
    "partner_relationship": [
        "me and my husband keep arguing about everything",
        "he acts like nothing has happened",
        "we grieve so differently",
        "my boyfriend wont talk about it",
        "our relationship is falling apart since",
        "he sleeps on the sofa now",
    ],
    "friends_family": [
        "my mum keeps saying it wasnt meant to be",
        "friends have stopped asking how i am",
        "my best friend is pregnant and i cant face her",
        "invited to a baby shower, cant go",
        "nobody says his name anymore",
        "people dont know what to say to me",
    ],
    "memories": [
        "ideas for her first birthday in heaven",
        "it would have been his due date next week",
        "where can i get a memory box",
        "want a tattoo with her footprints",
        "first christmas without her",
        "anniversary is coming up",
        "what to write on the headstone",
    ],
    "support_groups": [
        "is there a support group near norwich",
        "i want to talk to other mums who get it",
        "any facebook groups for dads",
        "is there a forum for baby loss",
        "any meet ups in kings lynn",
    ],
    "hours": [
        "what are your opening hours",
        "are you open on saturday",
        "can i ring someone tonight",
        "what time do you close",
        "is it text only or can i call you",
    ],
    "human": [
        "is this a real person",
        "can i speak to a nurse please",
        "am i talking to a bot",
        "is anyone reading these",
        "i need a proper person not a machine",
    ],
    "stop_request": [
        "please stop texting me",
        "unsubscribe me please",
        "dont want these messages any more thank you",
        "can you take me off the list",
        "no more texts please",
    ],
    "greeting": [
        "hi",
        "Hello?",
        "hiya x",
        "good evening",
        "hey there",
        "my health visitor gave me this number",
    ],
    "off_topic": [
        "is this the garage, is my car ready",
        "who won the game last night",
        "claim your prize now",
        "wrong number sorry",
        "pizza at 7?",
    ],
}


@pytest.mark.parametrize("topic,text", [(t, x) for t, xs in EXAMPLES.items() for x in xs])
def test_topic_is_found(catalogue, topic, text):
    t = catalogue.triage(text)
    assert topic in t.topics, (text, t.topics, t.risk_kind)
    assert not t.risk, (text, t.risk_phrases)


def test_every_topic_has_examples():
    assert set(EXAMPLES) == set(TOPICS)


def test_topics_follow_priority_order(catalogue):
    t = catalogue.triage("im 16 and we lost her to sids, the funeral is friday and my mum doesnt get it")
    assert t.topics[:3] == ("teen", "sudden_infant_death", "practical")
    assert list(t.topics) == sorted(t.topics, key=TOPICS.index)


def test_topics_never_contain_risk_kinds(catalogue):
    t = catalogue.triage("i want to die, the miscarriage was yesterday and im bleeding through pads")
    assert t.risk and not set(t.topics) & set(RISK_KINDS)


def test_nothing_matched_gives_no_topics(catalogue):
    t = catalogue.triage("ok")
    assert t.topics == () and not t.risk and t.matches == ()


def test_off_topic_only_when_nothing_else(catalogue):
    assert catalogue.triage("is this the garage about my mot").topics == ("off_topic",)
    assert catalogue.triage("hiya is this the garage").topics == ("off_topic",)
    assert "off_topic" not in catalogue.triage("missed my football quiz, had a miscarriage").topics


@pytest.mark.parametrize("text,weeks,topic", [
    ("we lost her at 21 weeks", 21, "late_loss"),
    ("she was born at 23 wks", 23, "late_loss"),
    ("lost the baby at 10wks", 10, "miscarriage"),
    ("our son was born at 26 weeks and didnt survive the day", 26, "stillbirth"),
    ("no heartbeat at twenty eight weeks", 28, "stillbirth"),
    ("lost at 23+4 weeks", 23, "late_loss"),
])
def test_gestation_adds_the_loss_type(catalogue, text, weeks, topic):
    t = catalogue.triage(text)
    assert t.gestation_weeks == weeks
    assert topic in t.topics
    assert any(m.topic == topic and "weeks" in m.phrase for m in t.matches)


def test_late_miscarriage_is_a_late_loss(catalogue):
    t = catalogue.triage("late miscarriage at 23 weeks")
    assert "late_loss" in t.topics and t.topics.index("late_loss") == 0


@pytest.mark.parametrize("text,weeks", [
    ("sids took him at 9 weeks", 9),              # an age after birth, not a gestation
    ("she died at 3 wks in nicu", 3),
    ("im 10 weeks pregnant again", 10),           # a pregnancy now, not a loss
])
def test_gestation_without_a_pregnancy_loss_adds_no_loss_band(catalogue, text, weeks):
    t = catalogue.triage(text)
    assert t.gestation_weeks == weeks
    assert not {"miscarriage", "late_loss", "stillbirth"} & set(t.topics), t.topics


@pytest.mark.parametrize("text", [
    "5 weeks ago today", "its been 6 weeks since the funeral", "she was 9 weeks old",
    "i waited 2 weeks for results",
])
def test_durations_and_ages_are_not_gestations(catalogue, text):
    assert catalogue.triage(text).gestation_weeks is None


@pytest.mark.parametrize("text", [
    "my 15 year old is struggling since her brother died",   # a parent's child, not the texter
    "im 19 weeks and scared",                                 # weeks, not an age
    "im 32 and this is my third loss",                        # an adult
    "our eldest is in year 2",                                # a primary-school sibling
])
def test_teen_needs_the_texters_own_teenage_age(catalogue, text):
    assert "teen" not in catalogue.triage(text).topics


def test_teen_leads_even_with_a_loss_type(catalogue):
    t = catalogue.triage("im 17 and we lost our baby in nicu")
    assert t.topics[:2] == ("teen", "neonatal_death")


@pytest.mark.parametrize("topic,text", [
    ("sudden_infant_death", "went in to check on her and she wasnt breathing"),
    ("trauma", "the panic attacks come every time i smell the hospital soap"),
    ("trauma", "i cant drive past the maternity unit any more"),
    ("hours", "are you open over the bank holiday"),
    ("hours", "how long until someone gets back to me"),
    ("siblings", "is there a story book for talking about death with a 4 yr old"),
    ("friends_family", "dreading telling everyone at work tomorrow"),
    ("low_mood", "started smoking again since she died"),
    ("next_pregnancy", "too scared to get excited about this pregnancy"),
])
def test_more_everyday_wording_finds_its_topic(catalogue, topic, text):
    assert topic in catalogue.triage(text).topics, text
