"""Matching: normalisation, whole-word windows, typo tolerance, explanations, thread safety."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from keywords import Match, Triage
from keywords.matcher import stem
from keywords.normalise import normalise


@pytest.mark.parametrize("raw,expected", [
    ("I’m SOOOO tired", "im soo tired"),
    ("don't", "dont"),
    ("do not want", "dont want"),
    ("u r gonna b ok", "youre going to b ok"),
    ("lost her at 10wks", "lost her at 10 weeks"),
    ("my 6yr old", "my 6 year old"),
    ("neo-natal unit", "neonatal unit"),
    ("still born", "stillborn"),
    ("mc last wk", "miscarriage last week"),
    ("kms", "kill myself"),
    ("want 2 die", "want to die"),
    ("lived 2 days", "lived 2 days"),
    ("my oh doesnt get it", "my partner doesnt get it"),
    ("evening x", "evening"),
    ("23+4 weeks", "23 weeks"),
    ("Café — A&E!!", "cafe ae"),
    ("OD'd last night", "overdosed last night"),
])
def test_normalise(catalogue, raw, expected):
    assert normalise(raw, catalogue.speak).text == expected


def test_normalised_offsets_point_at_the_tokens(catalogue):
    n = normalise("I   can't   cope!!", catalogue.speak)
    assert [n.text[s:e] for s, e in n.spans] == list(n.tokens) == ["i", "cant", "cope"]


@pytest.mark.parametrize("word,root", [
    ("tablets", "tablet"), ("tablet", "tablet"), ("cutting", "cut"), ("overdosed", "overdos"),
    ("overdose", "overdos"), ("babies", "baby"), ("stopped", "stop"),
])
def test_stem(word, root):
    assert stem(word) == root


@pytest.mark.parametrize("text", [
    "my friend came round",        # "end" inside "friend"
    "good news for once",          # "od" inside "good"
    "the endless paperwork",       # "end" inside "endless"
    "the ropey old pram",          # "rope" inside "ropey"
    "a stockpot of soup",          # "stock" is not "stockpiling"
    "the ambulance was slow",
])
def test_no_fragment_inside_another_word_is_a_risk(catalogue, text):
    t = catalogue.triage(text)
    assert not t.risk, (text, t.risk_phrases)


def test_fragments_never_match_inside_words(catalogue):
    assert not catalogue.triage("my friend came round").risk
    assert not catalogue.triage("good good good").risk
    assert catalogue.triage("took an od").risk
    assert catalogue.triage("end it").risk


@pytest.mark.parametrize("typo,phrase", [
    ("sucide", "suicide"), ("suicdal", "suicidal"), ("sucidal", "suicidal"),
    ("suicidle", "suicid"), ("overdoze", "overdose"), ("suicde", "suicide"),
])
def test_long_words_forgive_typos(catalogue, typo, phrase):
    t = catalogue.triage(f"{typo} thoughts again")
    assert phrase in " ".join(t.risk_phrases), t.to_dict()
    assert any(m.score < 100 for m in t.matches if m.topic == "risk_self")


@pytest.mark.parametrize("typo,topic", [
    ("stilborn", "stillbirth"), ("stillbourne", "stillbirth"), ("miscarridge", "miscarriage"),
    ("misscarriage", "miscarriage"), ("neonatle", "neonatal_death"), ("funral", "practical"),
])
def test_topic_words_forgive_typos(catalogue, typo, topic):
    assert topic in catalogue.triage(f"our {typo} last year").topics


@pytest.mark.parametrize("text", [
    "putting myself first",        # a real word one letter from "cutting" is not a typo of it
    "the bride wore white",        # nor "bride" of "bridge"
    "tables and chairs",           # nor "tables" of "tablets"
])
def test_real_words_are_not_read_as_typos(catalogue, text):
    t = catalogue.triage(text)
    assert not t.risk and not any(m.score < 100 for m in t.matches), t.to_dict()


def test_short_words_must_be_exact(catalogue):
    assert not catalogue.triage("i want to dye my hair").risk
    assert not catalogue.triage("i want to diet").risk
    assert catalogue.triage("i want to die").risk


def test_filler_words_may_sit_inside_a_phrase(catalogue):
    assert catalogue.triage("i dont really want to live").risk
    assert catalogue.triage("whats the point of me even being here").risk


def test_inflections_of_long_words_match(catalogue):
    assert catalogue.triage("she has been stockpiling her tablets").risk
    assert catalogue.triage("i stockpiled my tablet").risk


def test_match_records_phrase_topic_score_and_offsets(catalogue):
    t = catalogue.triage("I want to die")
    m = next(m for m in t.matches if m.topic == "risk_self")
    assert isinstance(m, Match) and m.score == 100
    text = normalise("I want to die", catalogue.speak).text
    assert text[m.start:m.end] == "want to die"


def test_to_dict_is_json_ready(catalogue):
    t = catalogue.triage("lost her at 22 weeks and im bleeding through everything")
    d = json.loads(json.dumps(t.to_dict()))
    assert set(d) == {"risk", "risk_kind", "risk_phrases", "topics", "matches",
                      "unsafe_to_text", "gestation_weeks", "risk_score", "language", "language_mostly", "grandparent"}
    assert d["risk_kind"] == "medical_urgent" and d["gestation_weeks"] == 22
    assert d["topics"] == ["late_loss"]
    assert all(set(m) == {"phrase", "topic", "score"} for m in d["matches"])


def test_triage_is_frozen(catalogue):
    t = catalogue.triage("hi")
    assert isinstance(t, Triage)
    with pytest.raises(AttributeError):
        t.risk = True  # type: ignore[misc]


def test_empty_and_odd_input(catalogue):
    for text in ("", "   ", "🙂🙂", "....", "12345", "x" * 5000):
        t = catalogue.triage(text)
        assert not t.risk and t.risk_kind is None


def test_triage_is_thread_safe(catalogue):
    texts = ["i want to die", "hi", "lost her at 21 weeks", "he hit me", "is this a bot"] * 40
    expected = [catalogue.triage(x).to_dict() for x in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda x: catalogue.triage(x).to_dict(), texts))
    assert got == expected


def test_long_ramble_with_risk_in_the_middle(catalogue):
    text = ("we lost our son at 24 weeks in march. " * 8 + "honestly i have been thinking about "
            "ending it all. " + "work have been kind and my mum comes round most days. " * 6)
    t = catalogue.triage(text)
    assert t.risk_kind == "risk_self" and t.gestation_weeks == 24 and "stillbirth" in t.topics


def test_run_together_and_split_words(catalogue):
    assert catalogue.triage("ive been selfharming").risk          # "self harming" typed as one
    assert "stillbirth" in catalogue.triage("a still born son").topics


def test_contractions_meet_phrases_written_apart(catalogue):
    # "she is" becomes "shes" in the text; phrases may still spell it out across a group
    assert catalogue.triage("i want to be where she is").risk


def test_gap_takes_a_few_words_of_any_kind(catalogue):
    t = catalogue.triage("all i can think about is joining him")
    assert t.risk_kind == "risk_self"
    assert any("joining him" in p for p in t.risk_phrases)


def test_unless_cancels_a_phrase_when_context_follows(catalogue):
    assert catalogue.triage("i just want to be with my baby").risk
    assert not catalogue.triage("i just want to be with my baby in the chapel of rest").risk
    assert catalogue.triage("im scared of him, he hits me").risk
    assert not catalogue.triage("im scared of him getting ill, our rainbow boy").risk


def test_not_inflections_keep_unrelated_words_apart(catalogue):
    # "even" must not be read as "evening" (a greeting) through a shared stem
    assert "greeting" not in catalogue.triage("we didnt even get to hold her").topics
    assert "greeting" in catalogue.triage("evening all").topics


def test_third_person_wishes_are_risk_to_others(catalogue):
    t = catalogue.triage("my dad keeps saying he wants to be with his granddaughter")
    assert t.risk_kind == "risk_others"
    assert catalogue.triage("i want to be with my son").risk_kind == "risk_self"
