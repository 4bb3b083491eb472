"""The risk model: examples a supervisor edits, weights kept fresh, and risk no phrase names."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from keywords import CatalogueError, load_catalogue, save_risk_model
from keywords.model import features, read_examples

# messages that no risk phrase names: the model has to see the danger in them
UNNAMED_RISK = [
    ("found the dog a lovely new home. cant take him where im going", "risk_self"),
    ("sorted the life insurance and wrote to each of the kids. feel calm now its decided", "risk_self"),
]
CALM = [
    "took paracetamol for the cramps like the epu said",
    "what time do you open on saturday",
    "we scattered her ashes at the beach where we got engaged",
]


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _set_threshold(folder: Path, percent: int) -> None:
    settings = folder / "settings.yaml"
    text, count = re.subn(r"(?m)^  threshold: \d+$", f"  threshold: {percent}",
                          settings.read_text(encoding="utf-8"))
    assert count == 1
    settings.write_text(text, encoding="utf-8")


def test_the_shipped_weights_match_the_shipped_examples(catalogue):
    # otherwise every process would train at start-up: run `helpline catalogue train`
    assert catalogue.model_was_saved


@pytest.mark.parametrize("text,kind", UNNAMED_RISK)
def test_the_model_catches_risk_no_phrase_names(catalogue, catalogue_dir, text, kind):
    verdict = catalogue.triage(text)
    assert verdict.risk and verdict.risk_kind == kind
    assert verdict.risk_score >= catalogue.settings.risk_threshold
    assert verdict.risk_phrases, "the nurse sees which words made it urgent"
    assert all(p in _plain(text) for p in verdict.risk_phrases)
    _set_threshold(catalogue_dir, 99)  # the phrases alone do not catch it
    assert not load_catalogue(catalogue_dir).triage(text).risk


@pytest.mark.parametrize("text", CALM)
def test_calm_messages_score_low(catalogue, text):
    verdict = catalogue.triage(text)
    assert not verdict.risk and verdict.risk_score < catalogue.settings.risk_threshold


def test_the_evidence_points_into_the_message(catalogue):
    text, _ = UNNAMED_RISK[0]
    verdict = catalogue.triage(text)
    learned = [m for m in verdict.matches if m.topic == verdict.risk_kind]
    assert learned
    for m in learned:
        assert 0 <= m.start < m.end and _plain(text)[m.start:m.end] == m.phrase


def test_a_phrase_match_is_urgent_whatever_the_model_says(catalogue_dir):
    _set_threshold(catalogue_dir, 99)
    assert load_catalogue(catalogue_dir).triage("i am suicidal").risk


def test_an_added_example_retrains_at_load_and_train_saves_it(catalogue_dir):
    examples = catalogue_dir / "risk_examples.txt"
    examples.write_text(examples.read_text(encoding="utf-8")
                        + "risk_self | the zorblax plan is set for friday, im ready\n", encoding="utf-8")
    stale = load_catalogue(catalogue_dir)
    assert not stale.model_was_saved  # trained afresh, because the examples changed
    assert "w zorblax" in stale.model.weights
    save_risk_model(catalogue_dir)
    fresh = load_catalogue(catalogue_dir)
    assert fresh.model_was_saved and fresh.model.weights == stale.model.weights


def test_a_phrase_edit_keeps_the_saved_weights(catalogue_dir):
    # only new examples make the weights stale; a phrase edit restarts quickly
    risk = catalogue_dir / "risk.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace(
        "risk_self:\n", "risk_self:\n  - zorblax tonight\n", 1), encoding="utf-8")
    edited = load_catalogue(catalogue_dir)
    assert edited.model_was_saved and edited.triage("zorblax tonight").risk


def test_features_are_words_pairs_skips_and_contexts():
    # "to" alone is a function word: it counts only in its pairs
    f = features(["want", "to", "die"], ["despair"])
    assert set(f.names()) == {"w want", "w die", "b want to", "b to die", "s want die", "x despair"}


@pytest.mark.parametrize("line,error", [
    ("risk_self the text", "expected 'LABEL | message'"),
    ("danger | the text", "unknown label 'danger'"),
    ("calm |   ", "the message is empty"),
])
def test_a_bad_example_line_is_named(catalogue_dir, line, error):
    examples = catalogue_dir / "risk_examples.txt"
    lines = examples.read_text(encoding="utf-8").splitlines()
    examples.write_text("\n".join(lines + [line]) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"risk_examples.txt, line {len(lines) + 1}: {error}"):
        load_catalogue(catalogue_dir)


def test_a_repeated_example_is_named():
    text = "\n".join(f"{label} | message {i} for {label}" for label in
                     ("calm", "risk_self", "risk_others", "medical_urgent") for i in range(20))
    assert len(read_examples(text)) == 80
    with pytest.raises(CatalogueError, match="line 81: the same message is already on line 1"):
        read_examples(text + "\ncalm | Message 0 for  calm")


def test_too_few_examples_of_a_label_stop_start_up():
    text = "\n".join(f"{label} | message {i} for {label}" for label in
                     ("calm", "risk_self", "risk_others") for i in range(25))
    with pytest.raises(CatalogueError, match="at least 20 medical_urgent examples"):
        read_examples(text)


def test_damaged_weights_are_named_and_trained_again(catalogue, catalogue_dir, caplog):
    # the weights are made from the examples, so a damaged file costs time, not triage
    (catalogue_dir / "risk_model.json").write_text('{"weights": [', encoding="utf-8")
    again = load_catalogue(catalogue_dir)
    assert "risk_model.json: not a risk model" in caplog.text
    assert not again.model_was_saved and again.model.weights == catalogue.model.weights


def test_the_saved_weights_are_readable_json(catalogue_dir):
    data = json.loads((catalogue_dir / "risk_model.json").read_text(encoding="utf-8"))
    assert data["kinds"] == ["risk_self", "risk_others", "medical_urgent"]
    assert all(name.split(" ")[0] in {"w", "b", "s", "x"} for name in data["weights"])


def test_the_shipped_catalogue_loads_without_scikit_learn():
    code = ("import sys, keywords; keywords.load_catalogue().triage('hello'); "
            "assert 'sklearn' not in sys.modules")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# messages whose topic no phrase in topics.yaml names: the topic model does
UNNAMED_TOPIC = [
    ("my daughter asked if she made the baby die because she said she didnt want a sister", "siblings"),
    ("crying in the supermarket because of the nappy aisle. this is my life now", "low_mood"),
]


@pytest.mark.parametrize("text,topic", UNNAMED_TOPIC)
def test_the_topic_model_names_a_topic_no_phrase_does(catalogue, catalogue_dir, text, topic):
    verdict = catalogue.triage(text)
    assert verdict.topics == (topic,) and not verdict.risk
    assert any(m.phrase == "(topic model)" and m.topic == topic for m in verdict.matches)
    settings = catalogue_dir / "settings.yaml"
    settings.write_text(re.sub(r"(?m)^  topic_threshold: \d+$", "  topic_threshold: 99",
                               settings.read_text(encoding="utf-8")), encoding="utf-8")
    assert load_catalogue(catalogue_dir).triage(text).topics == ()


def test_a_phrase_topic_is_never_replaced_by_the_model(catalogue):
    verdict = catalogue.triage("what time do you open on saturday")
    assert verdict.topics == ("hours",)
    assert not any(m.phrase == "(topic model)" for m in verdict.matches)
