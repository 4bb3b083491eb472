"""Reading a text in sentences (scope: past, denied, not real, a medical alarm over), numbers
that are red flags in any language, and naming the language of a text."""
from __future__ import annotations

import pytest

from keywords.reading import parts
from keywords.signals import fever


@pytest.mark.parametrize("text", [
    "Sorry this is long. I need to know who I ring about cancelling the pram, and whether the "
    "hospital keeps her blanket. My husband is dealing with the bank. I have saved my tablets and "
    "tonight I am going to take them all.",
    "I used to self harm as a teenager. Now I am cutting again every night since she died.",
    "im not suicidal but ive got the pills lined up and i keep counting them",
    "Last year I took an overdose after our loss and I keep thinking about doing it again.",
])
def test_a_risk_in_one_sentence_of_a_text_counts(catalogue, text):
    assert catalogue.triage(text).risk


@pytest.mark.parametrize("text", [
    "After our first loss in 2019 I took an overdose. I'm well now and I want to ask about groups.",
    "I used to self harm but I've stopped and I've had support from my GP.",
    "my dad tried to take his life after our baby died but hes been well 2 yrs now",
    "When they told me there was no heartbeat I screamed that I wanted to die too. That was 8 "
    "months ago now and I am doing better with counselling.",
    "Don't worry, I'm not going to do anything stupid. I just want to talk about my son.",
    "watching eastenders, the mum in the baby storyline says shes going to end it all",
    "ngl i joked to my mate id jump off the roof if i failed my mocks. im fine",
    "Every time I drive past the hospital my chest goes tight and I cant breathe, then it passes.",
    "i dont want to die, i just want to stop feeling like this",
    "Packing away her clothes is killing me. Is there a charity that takes baby clothes?",
    "honestly id rather die than go to another baby shower",
])
def test_a_risk_that_is_over_denied_or_not_real_does_not(catalogue, text):
    assert not catalogue.triage(text).risk, catalogue.triage(text).risk_phrases


def test_a_long_text_is_read_in_sentences_and_clauses():
    assert parts("We lost him in May. I'm ok now; thanks") == ["We lost him in May.", "I'm ok now", "thanks"]
    assert parts("i tried to end it but im well now") == ["i tried to end it", "but im well now"]
    assert parts("short text") == ["short text"]


@pytest.mark.parametrize("text,reading", [
    ("temp 39.5 and shivering", "39.5"), ("39,4 gorączki", "39,4"), ("температура 39.7", "39.7"),
    ("it was 38 degrees this morning", "38 degrees"), ("40C", "40C"),
    ("born at 39 weeks", None), ("39+2", None), ("£38.50 for the flowers", None), ("38.5 weeks", None),
])
def test_a_temperature_is_read_in_any_language(text, reading):
    assert fever(text) == reading


def test_a_temperature_after_a_loss_is_a_medical_red_flag(catalogue):
    t = catalogue.triage("hello, karščiuoju 39.5, 5 days after stillbirth")
    assert t.risk and t.risk_kind == "medical_urgent" and "39.5" in t.risk_phrases


@pytest.mark.parametrize("text,code,mostly", [
    ("Nie chcę już żyć, mam tabletki", "pl", True),
    ("Я не хочу жить. Мой ребёнок умер", "ru", True),
    ("sângerez foarte mult după avort spontan", "ro", True),
    ("es vairs negribu dzīvot", "lv", True),
    ("aš nebenoriu gyventi be jo", "lt", True),
    ("não quero mais viver sem o meu bebé", "pt", True),
    ("my wife is bleeding a lot, krwawi bardzo mocno, what do i do", "pl", False),
])
def test_the_language_is_named(catalogue, text, code, mostly):
    t = catalogue.triage(text)
    assert (t.language, t.language_mostly) == (code, mostly)


@pytest.mark.parametrize("text", ["i lost my baby at 20 weeks", "hubby is lovely, fab night out x",
                                  "can i come to the group on tuesday", "SB at 37+2. need someone"])
def test_plain_english_is_english_and_lingua_is_not_asked(catalogue, text):
    from keywords.normalise import raw_tokens

    assert catalogue.triage(text).language is None
    assert not catalogue.languages.asks(text, raw_tokens(text))


def test_polish_od_is_not_read_as_an_overdose(catalogue):
    t = catalogue.triage("Nie śpię od tygodnia, ale spokojnie, nic sobie nie zrobię.")
    assert not t.risk and t.language == "pl"
