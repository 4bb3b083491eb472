"""Every reply, and every reply compose() can build, passes the evaluation's rules."""
import itertools
import re

import pytest

from responses import RISK_KINDS, TOPIC_IDS, encoding, load_replies, segments

# Copied as data from /work/shared/eval/triage_eval.py: what a reply for each category must name.
SIGNPOSTS = {
    "risk_self": [r"999"],
    "risk_others": [r"999"],
    "medical_urgent": [r"999", r"111"],
    "miscarriage": [r"miscarriage association"],
    "stillbirth": [r"sands"],
    "neonatal_death": [r"sands"],
    "sudden_infant_death": [r"lullaby trust"],
    "late_loss": [r"healthtalk", r"sands"],
    "partner_relationship": [r"counsell?ing", r"relate"],
    "siblings": [r"just one norfolk"],
    "friends_family": [r"friends?\b.*\bfamily|family\b.*\bfriends?"],
    "low_mood": [r"gp", r"wellbeing"],
    "trauma": [r"gp", r"wellbeing"],
    "memories": [r"keepsakes?", r"candles?", r"trees?", r"lockets?", r"stars?", r"memory box",
                 r"anniversar(y|ies)"],
    "practical": [r"lullaby trust", r"miscarriage association", r"sands", r"nhs\.uk", r"nhs website"],
    "next_pregnancy": [r"midwife", r"obstetrician", r"consultant"],
    "physical_recovery": [r"booklet", r"exercise"],
    "teen": [r"chathealth", r"07480 ?635 ?060"],
    "support_groups": [r"forum", r"support groups?"],
    "hours": [r"8 ?am", r"08:00", r"8:00", r"8\.00"],
    "human": [r"nurse"],
    "help_keyword": [r"0300 ?300 ?0123", r"07520 ?631 ?590", r"parentline"],
}
LOSS_ORGS = [r"miscarriage association", r"sands", r"lullaby trust", r"healthtalk"]
WORD = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\btomorrow\b|\btoday\b", re.I)
HOUR = re.compile(r"\b(8|9)(:00|\.00)?\s*(am|a\.m\.)|\b0?(8|9):00\b", re.I)
# the practical reply must name the organisation for the kind of loss
PRACTICAL_BY_LOSS = {"miscarriage": r"miscarriage association", "stillbirth": r"sands",
                     "neonatal_death": r"sands", "sudden_infant_death": r"lullaby trust",
                     "late_loss": r"healthtalk"}
HURTFUL = ["at least", "everything happens for a reason", "you can try again", "try again",
           "move on", "be strong", "i know how you feel", "god's plan", "angel", "angels",
           "another baby", "for the best", "meant to be", "better place", "time heals"]
BACK_ATS = ["Monday at 8am", "tomorrow at 8am", "Saturday at 9am", "Tuesday 29 December at 8am"]
LONGEST_BACK_AT = "Tuesday 29 December at 8am"
FILLERS = ("greeting", "off_topic")


def names(text, patterns):
    return [p for p in patterns if re.search(r"(?<!\w)(" + p + r")(?!\w)", text, re.I)]


@pytest.fixture(scope="module")
def replies():
    return load_replies()


def assert_sendable(text, budget=3):
    assert encoding(text) == "GSM-7", text
    assert 0 < segments(text) <= budget, f"{segments(text)} segments: {text}"
    assert not names(text.replace("\u2019", "'"), HURTFUL), text
    assert len(names(text, LOSS_ORGS)) <= 2, f"shotgun: {text}"


def assert_out_of_hours(text, back_at):
    assert any(t in text for t in ("999", "A&E", "111")), text
    assert WORD.search(text) and HOUR.search(text), text
    assert back_at in text


def test_every_catalogue_entry_is_sendable(replies):
    texts = dict(replies.all_texts())
    assert len(texts) >= 21 + 3 + 5
    for reply_id, text in texts.items():
        assert_sendable(text.replace("{back_at}", LONGEST_BACK_AT).replace("{baby}", "your grandchild"), budget=3)
        assert "{" not in text.replace("{back_at}", "").replace("{baby}", ""), reply_id


def test_each_topic_has_a_reply(replies):
    ids = {reply_id for reply_id, _ in replies.all_texts()}
    assert {f"topics.{t}" for t in TOPIC_IDS} <= ids
    assert {f"risks.{k}" for k in RISK_KINDS} <= ids


def effective_topic(topics):
    real = [t for t in topics if t not in FILLERS]
    return (real or list(topics) or [None])[0]


def assert_signposted(text, topics):
    topic = effective_topic(topics)
    if topic in SIGNPOSTS:
        assert names(text, SIGNPOSTS[topic]), f"{topics}: no signpost in {text}"
    if topic == "practical":
        loss = next((t for t in topics if t in PRACTICAL_BY_LOSS), None)
        if loss:
            assert names(text, [PRACTICAL_BY_LOSS[loss]]), f"{topics}: {text}"
        else:
            assert names(text, [r"sands"]) and names(text, [r"nhs\.uk"]), text


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("topic", [None, *TOPIC_IDS])
def test_single_topic_replies(replies, topic, first):
    topics = (topic,) if topic else ()
    text = replies.compose(topics=topics, first=first, open_now=True)
    assert_sendable(text)
    assert_signposted(text, topics)
    if topic == "stop_request":  # they asked us to stop: no promise to text back
        assert "text you back" not in text
    else:
        assert "nurse" in text.lower()
    assert text.startswith("Automatic reply") == first
    for back_at in BACK_ATS:
        closed = replies.compose(topics=topics, first=first, open_now=False, back_at=back_at)
        assert_sendable(closed)
        assert_signposted(closed, topics)
        assert_out_of_hours(closed, back_at)


def test_every_topic_pair(replies):
    for pair in itertools.permutations(TOPIC_IDS, 2):
        for first, open_now in itertools.product([True, False], repeat=2):
            text = replies.compose(topics=pair, first=first, open_now=open_now,
                                   back_at=LONGEST_BACK_AT)
            assert_sendable(text)
            assert_signposted(text, pair)
            if not open_now:
                assert_out_of_hours(text, LONGEST_BACK_AT)


@pytest.mark.parametrize("kind", RISK_KINDS)
def test_risk_replies(replies, kind):
    for topic, first, open_now in itertools.product([None, *TOPIC_IDS], [True, False], [True, False]):
        topics = (topic,) if topic else ()
        text = replies.compose(risk_kind=kind, topics=topics, first=first, open_now=open_now,
                               back_at=LONGEST_BACK_AT)
        assert_sendable(text)
        assert "999" in text
        assert names(text, SIGNPOSTS[kind]) == SIGNPOSTS[kind]
        assert text.startswith("If "), "the safety advice comes first"
        if open_now:
            assert "alerted" in text
        else:
            assert_out_of_hours(text, LONGEST_BACK_AT)
            assert "do not wait" in text.lower()


def test_risk_others_opening_is_discreet(replies):
    for first, open_now in itertools.product([True, False], repeat=2):
        text = replies.compose(risk_kind="risk_others", first=first, open_now=open_now,
                               back_at="Monday at 8am")
        preview = text[:100].lower()
        assert not any(w in preview for w in ("abuse", "domestic", "violence", "refuge")), preview
        assert "press 55" in text and "0808 2000 247" in text


def test_risk_self_and_medical_details(replies):
    self_harm = replies.compose(risk_kind="risk_self")
    assert all(s in self_harm for s in ("A&E", "116 123", "SHOUT", "85258"))
    medical = replies.compose(risk_kind="medical_urgent")
    assert "NHS 111" in medical


def test_unsafe_to_text_is_short_and_neutral(replies):
    for kind, open_now in itertools.product([None, *RISK_KINDS], [True, False]):
        text = replies.compose(risk_kind=kind, topics=("miscarriage",), first=True,
                               open_now=open_now, back_at="Monday at 8am", unsafe_to_text=True)
        assert_sendable(text, budget=2)
        assert "999" in text and "press 55" in text
        assert not re.search(r"abuse|domestic|miscarriage|nurse", text, re.I), text
        if not open_now:
            assert_out_of_hours(text, "Monday at 8am")


def test_help_text(replies):
    text = replies.help_text()
    assert_sendable(text, budget=2)
    assert names(text, SIGNPOSTS["help_keyword"]) == SIGNPOSTS["help_keyword"]
    assert "8am to 6pm Monday to Friday, 9am to 1pm Saturday" in text
    assert "Sundays and bank holidays" in text and "emergency call 999" in text


def test_hours_topic_gives_the_hours(replies):
    assert "8am to 6pm Monday to Friday, 9am to 1pm Saturday" in replies.compose(topics=("hours",))


def test_fixed_messages(replies):
    assert_sendable(replies.stop_howto(), budget=1)
    assert "reply STOP" in replies.stop_howto() and "\n" not in replies.stop_howto()
    assert_sendable(replies.opted_in(), budget=1)
    assert_sendable(replies.opted_out_hint(), budget=1)
    assert "START" in replies.opted_out_hint() and "999" in replies.opted_out_hint()
    assert_sendable(replies.burst_ack(True, None), budget=1)
    for back_at in BACK_ATS:
        ack = replies.burst_ack(False, back_at)
        assert_sendable(ack, budget=1)
        assert_out_of_hours(ack, back_at)


def test_canned_replies(replies):
    canned = replies.canned()
    assert 6 <= len(canned) <= 10
    assert len({cid for cid, _, _ in canned}) == len(canned)
    for cid, label, text in canned:
        assert cid and label
        assert_sendable(text, budget=2)
