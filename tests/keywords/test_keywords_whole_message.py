"""Whole-message keywords: only a message that IS the word counts, never the word in a sentence."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text,result", [
    ("STOP", "stop"), (" Stop! ", "stop"), ("stop.", "stop"), ("stop 🙏", "stop"), ("🛑 STOP 🛑", "stop"),
    ("Stopall", "stop"), ("UNSUBSCRIBE", "stop"), ("cancel", "stop"), ("End", "stop"),
    ("quit!", "stop"), ("revoke", "stop"), ("OPTOUT", "stop"), ("\nstop\n", "stop"),
    ("START", "start"), ("unstop", "start"), ("Start.", "start"),
    ("YES", "yes"), ("yes!", "yes"), ("Yes 👍", "yes"),
    ("Help.", "help"), ("INFO?", "help"), ("help!!", "help"), ("  info  ", "help"), ("HELP?!", "help"),
])
def test_whole_message_keywords(catalogue, text, result):
    assert catalogue.keyword(text) == result


@pytest.mark.parametrize("text", [
    "i just want it all to end", "cant stop crying", "please stop", "stop texting me",
    "help me", "i need help", "yes please", "yes i am", "the end", "where do i start",
    "", "   ", "!!!", "stopp", "s top", "stop stop", "opt out", "info please", "😢",
    None,
])
def test_words_inside_a_sentence_are_never_keywords(catalogue, text):
    assert catalogue.keyword(text) is None


def test_an_edited_catalogue_s_keywords_are_the_ones_used(catalogue_dir):
    from keywords import load_catalogue

    path = catalogue_dir / "keywords.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stop: [", "stop: [stoppit, ", 1),
                    encoding="utf-8")
    assert "stoppit" in path.read_text(encoding="utf-8")
    assert load_catalogue(catalogue_dir).keyword("STOPPIT") == "stop"


def test_keywords_are_not_topics_when_in_a_sentence(catalogue):
    t = catalogue.triage("cant stop crying")
    assert "stop_request" not in t.topics and not t.risk
    t = catalogue.triage("i just want it all to end")
    assert t.risk and t.risk_kind == "risk_self"  # a wish to die, never an opt-out
