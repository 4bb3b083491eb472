"""A supervisor's mistake in replies.yaml stops start-up with a message naming file and entry."""
from importlib import resources

import pytest
import yaml

from responses import RepliesError, load_replies

ORIGINAL = resources.files("responses").joinpath("replies.yaml").read_text(encoding="utf-8")


def write(tmp_path, data=None, raw=None):
    path = tmp_path / "replies.yaml"
    text = raw if raw is not None else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def catalogue():
    return yaml.safe_load(ORIGINAL)


def broken(tmp_path, data=None, raw=None):
    path = write(tmp_path, data, raw)
    with pytest.raises(RepliesError) as info:
        load_replies(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_a_faithful_copy_loads(tmp_path):
    replies = load_replies(write(tmp_path, catalogue()))
    assert dict(replies.all_texts()) == dict(load_replies().all_texts())


def test_bad_yaml(tmp_path):
    message = broken(tmp_path, raw=ORIGINAL + "\ntopics: [unclosed\n")
    assert "YAML" in message and "line" in message


def test_duplicate_key(tmp_path):
    raw = ORIGINAL.replace("topics:\n", "topics:\n  teen:\n    text: Hello there.\n", 1)
    assert "duplicate key 'teen'" in broken(tmp_path, raw=raw)


def test_curly_quote_names_the_character_and_where(tmp_path):
    data = catalogue()
    data["topics"]["miscarriage"]["text"] = "We\u2019re " + data["topics"]["miscarriage"]["text"]
    message = broken(tmp_path, data)
    assert "topics.miscarriage" in message
    assert "U+2019" in message and "position 2" in message and "use \"'\" instead" in message


def test_over_budget(tmp_path):
    data = catalogue()
    data["topics"]["low_mood"]["text"] += " Please look after yourself." * 8
    message = broken(tmp_path, data)
    assert "topics.low_mood" in message and "segments" in message and "budget is 2" in message


def test_budget_above_the_cap(tmp_path):
    data = catalogue()
    data["messages"]["opted_in"]["budget"] = 3
    assert "messages.opted_in: `budget` must be a whole number of segments from 1 to 1" in broken(tmp_path, data)


def test_composed_reply_over_budget(tmp_path):
    data = catalogue()
    data["parts"]["out_of_hours"]["text"] += " Please text us again if you need to." * 3
    message = broken(tmp_path, data)
    assert "first, out-of-hours reply" in message and "topics." in message


def test_missing_signpost(tmp_path):
    data = catalogue()
    data["topics"]["miscarriage"]["text"] = "We are so sorry. A charity can help: 01924 200799."
    message = broken(tmp_path, data)
    assert "topics.miscarriage" in message and "missing its signpost" in message
    assert "miscarriage association" in message


def test_missing_yaml_signpost(tmp_path):
    data = catalogue()
    data["topics"]["stillbirth"]["text"] = data["topics"]["stillbirth"]["text"].replace("0808 164 3332", "")
    assert "topics.stillbirth" in broken(tmp_path, data)


@pytest.mark.parametrize("entry, suffix, expected", [
    ("in_hours", " Hello {name}.", "unknown placeholder {name}"),
    ("in_hours", " Back {back_at}.", "only filled in"),
    ("in_hours", " A { stray.", "stray brace"),
])
def test_placeholders(tmp_path, entry, suffix, expected):
    data = catalogue()
    data["parts"][entry]["text"] += suffix
    message = broken(tmp_path, data)
    assert f"parts.{entry}" in message and expected in message


def test_out_of_hours_needs_back_at(tmp_path):
    data = catalogue()
    data["parts"]["out_of_hours"]["text"] = "We are closed. In danger? Call 999."
    assert "parts.out_of_hours: must say when nurses are back" in broken(tmp_path, data)


def test_unknown_entry_field_and_section(tmp_path):
    data = catalogue()
    data["topics"]["misscarriage"] = {"text": "Hello."}
    data["topics"]["teen"]["signpots"] = "ChatHealth"
    data["extras"] = {}
    message = broken(tmp_path, data)
    assert "topics.misscarriage: unknown reply id" in message
    assert "topics.teen: unknown field 'signpots'" in message
    assert "extras: unknown section" in message


def test_missing_required_reply(tmp_path):
    data = catalogue()
    del data["topics"]["memories"]
    del data["risks"]["risk_self"]
    message = broken(tmp_path, data)
    assert "topics.memories: missing required reply" in message
    assert "risks.risk_self: missing required reply" in message


def test_text_must_be_a_string(tmp_path):
    data = catalogue()
    data["messages"]["stop_howto"]["text"] = 123
    assert "messages.stop_howto: `text` must be a non-empty string" in broken(tmp_path, data)


@pytest.mark.parametrize("phrase", ["At least you have memories.", "Stay strong.", "Time to move on."])
def test_hurtful_phrase(tmp_path, phrase):
    data = catalogue()
    data["topics"]["greeting"]["text"] += " " + phrase
    message = broken(tmp_path, data)
    assert "topics.greeting" in message and "hurtful phrase" in message


def test_more_than_two_loss_organisations(tmp_path):
    data = catalogue()
    data["topics"]["greeting"]["text"] = "Sands, Healthtalk and the Lullaby Trust can help."
    assert "topics.greeting: names 3 loss organisations" in broken(tmp_path, data)


def test_risk_others_opening_must_stay_neutral(tmp_path):
    data = catalogue()
    data["risks"]["risk_others"]["text"] = "Domestic abuse? " + data["risks"]["risk_others"]["text"]
    assert "risks.risk_others: first sentence says" in broken(tmp_path, data)


def test_canned_count_and_labels(tmp_path):
    data = catalogue()
    data["canned"] = data["canned"][:2] + [{"id": "x", "text": "Hello."}]
    message = broken(tmp_path, data)
    assert "canned: has 3 replies; want 6 to 10" in message
    assert "canned.x: needs a label" in message


def test_every_problem_is_reported_at_once(tmp_path):
    data = catalogue()
    data["topics"]["teen"]["text"] += " \u2013"
    data["topics"]["hours"]["text"] += " {when}"
    error = pytest.raises(RepliesError, load_replies, write(tmp_path, data)).value
    assert {entry for entry, _ in error.problems} == {"topics.teen", "topics.hours"}


def test_missing_file(tmp_path):
    assert "cannot be read" in str(pytest.raises(RepliesError, load_replies, tmp_path / "no.yaml").value)
