"""How compose() picks and fits the parts of a reply."""
import pytest

from responses import LOSS_TOPICS, RepliesError, load_replies, segments

INTRO = "Automatic reply."


@pytest.fixture(scope="module")
def replies():
    return load_replies()


@pytest.mark.parametrize("loss, org", [
    ("miscarriage", "Miscarriage Association"), ("stillbirth", "Sands"), ("neonatal_death", "Sands"),
    ("sudden_infant_death", "Lullaby Trust"), ("late_loss", "healthtalk.org"), (None, "nhs.uk"),
])
def test_practical_names_the_organisation_for_the_loss(replies, loss, org):
    topics = ("practical", "low_mood", loss) if loss else ("practical",)
    text = replies.compose(topics=topics)
    assert org in text
    assert text.startswith("Some decisions can wait")


def test_every_loss_topic_has_a_practical_variant(replies):
    texts = dict(replies.all_texts())
    assert all(f"practical_by_loss.{loss}" in texts for loss in LOSS_TOPICS)


def test_second_topic_is_added_when_it_fits(replies):
    text = replies.compose(topics=("low_mood", "friends_family"))
    assert "Norfolk Wellbeing Service" in text and "friends and family" in text
    assert segments(text) <= 3


def test_second_topic_is_dropped_when_it_does_not_fit(replies):
    text = replies.compose(topics=("miscarriage", "low_mood"), first=True, open_now=False,
                           back_at="Tuesday 29 December at 8am")
    assert "Miscarriage Association" in text and "Wellbeing" not in text
    assert segments(text) <= 3


def test_second_topic_is_dropped_rather_than_naming_three_organisations(replies):
    text = replies.compose(topics=("late_loss", "miscarriage"))
    assert "Healthtalk" in text and "Miscarriage Association" not in text


def test_fillers_only_when_alone(replies):
    assert "What is on your mind" in replies.compose(topics=("greeting",))
    text = replies.compose(topics=("greeting", "siblings", "off_topic"))
    assert "Just One Norfolk" in text and "Hello" not in text and "meant to text" not in text


def test_no_topics_gives_the_general_reply(replies):
    assert "what is on your mind" in replies.compose(topics=())
    assert replies.compose(topics=()) == replies.compose()


def test_repeated_topics_and_a_bare_string(replies):
    assert replies.compose(topics=("teen", "teen")) == replies.compose(topics=("teen",))
    assert replies.compose(topics="teen") == replies.compose(topics=["teen"])


def test_unknown_ids_are_programming_errors(replies):
    with pytest.raises(ValueError, match="unknown topic"):
        replies.compose(topics=("misscarriage",))
    with pytest.raises(ValueError, match="unknown risk kind"):
        replies.compose(risk_kind="risk")


def test_intro_leads_a_first_reply(replies):
    assert replies.compose(topics=("memories",), first=True).startswith(INTRO)
    assert INTRO not in replies.compose(topics=("memories",), first=False)


def test_risk_comes_first_and_replaces_topics(replies):
    text = replies.compose(risk_kind="risk_self", topics=("miscarriage",), first=True)
    assert text.startswith("If you might act") and "Miscarriage" not in text
    assert text.endswith("Reply STOP to stop texts.")


def test_open_ignores_back_at_and_closed_without_it_falls_back(replies):
    assert replies.compose(open_now=True, back_at="Monday at 8am") == replies.compose()
    text = replies.compose(open_now=False, back_at=None)
    assert "nurses are back at 8am on the next working day, or 9am if that is a Saturday." in text
    assert "nurses are back Monday at 8am." in replies.compose(open_now=False, back_at=" Monday at 8am ")


def test_back_at_is_made_gsm7(replies):
    text = replies.compose(open_now=False, back_at="Monday\u00a0at 8am")
    assert "Monday at 8am" in text


def test_a_long_back_at_shortens_the_topic_but_keeps_signpost_and_safety(replies):
    back_at = "on Wednesday 30 September, after the bank holiday, at 8am"
    text = replies.compose(topics=("low_mood",), first=True, open_now=False, back_at=back_at)
    assert "GP" in text and "Norfolk Wellbeing Service" in text
    assert "999" in text and back_at in text
    assert "Grief can weigh" not in text
    assert segments(text) <= 3


def test_burst_ack(replies):
    assert "Monday at 8am" in replies.burst_ack(False, "Monday at 8am")
    assert "next working day" in replies.burst_ack(False, None)
    assert "{" not in replies.burst_ack(True, "Monday at 8am")


def test_canned_and_all_texts(replies):
    canned = replies.canned()
    assert all(isinstance(c, tuple) and len(c) == 3 for c in canned)
    ids = [reply_id for reply_id, _ in replies.all_texts()]
    assert all(f"canned.{cid}" in ids for cid, _, _ in canned)
    assert len(ids) == len(set(ids))


def test_replies_error_is_an_exception_with_problems():
    error = RepliesError("x.yaml", [("topics.teen", "is wrong")])
    assert isinstance(error, Exception)
    assert "x.yaml: topics.teen: is wrong" in str(error)
