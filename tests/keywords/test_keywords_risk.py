"""Risk is caught first, through typos, text-speak, capitals and long rambles; grief is not risk."""
from __future__ import annotations

import pytest

from tests.keywords.test_keywords_risk_indirect import INDIRECT_RISKY, INDIRECT_SAFE

RAMBLE = ("sorry this is long. its been 7 months since we lost our boy at 31 weeks and everyone "
          "thinks i am doing ok because i went back to work and i smile in meetings. my partner "
          "works away and the house is empty most nights. {risk}. anyway i dont really know why im "
          "texting, the leaflet from the hospital said you were there for parents like us")

RISKY = [
    # risk_self: said outright, misspelt, in text-speak, in capitals
    ("i am suicidal", "risk_self"),
    ("im suicidal tonight", "risk_self"),
    ("honestly think everyone would be better off without me", "risk_self"),
    ("i keep thinking about ending it all since we lost her", "risk_self"),
    ("i dont want to be here anymore x", "risk_self"),
    ("been googling how many paracetamol it takes to die", "risk_self"),
    ("feel so suicidle today, cant stop thinking about the funeral", "risk_self"),
    ("i wanna kms", "risk_self"),
    ("im going to take all my antidepressants tonight", "risk_self"),
    ("theres no point in me being here without my son", "risk_self"),
    ("Ive started self harming again since the stillbirth", "risk_self"),
    ("cut myself last night, deeper than before", "risk_self"),
    ("ive been hurting myself and hiding it from my husband", "risk_self"),
    ("overdosed on my sleeping pills last night and woke up in hospital", "risk_self"),
    ("i took an od on friday", "risk_self"),
    ("bought a rope today. dont know why im telling you", "risk_self"),
    ("stood on the bridge for an hour last night", "risk_self"),
    ("i keep thinking id be better off dead", "risk_self"),
    ("WHY SHOULD I GET TO BE ALIVE WHEN MY BABY ISNT", "risk_self"),
    ("i just want to be with my angel again", "risk_self"),
    ("planning to join my daughter soon", "risk_self"),
    ("I'm not going to be around much longer", "risk_self"),
    ("written letters to my kids and partner for when im gone", "risk_self"),
    ("Dont see a way out of this pain", "risk_self"),
    ("ive got a plan to end it", "risk_self"),
    ("i wnt to die", "risk_self"),
    ("cnt go on like this", "risk_self"),
    ("i feel like a burden to everyone", "risk_self"),
    ("what is the point of living now", "risk_self"),
    ("scared i'll do something stupid tonight", "risk_self"),
    ("ive been thinking about suicide a lot", "risk_self"),
    ("sucidal thoughts every night since she died", "risk_self"),
    ("my kids would be better off with someone else as their mum", "risk_self"),
    ("i took a load of my mums tablets", "risk_self"),
    ("been saving up my co-codamol", "risk_self"),
    ("i just want to go to sleep and never wake up", "risk_self"),
    ("sat in the car with the engine running in the garage", "risk_self"),
    ("ive got the knife next to me", "risk_self"),
    ("i keep looking at the train tracks on the way home", "risk_self"),
    ("if i wasnt here the pain would stop", "risk_self"),
    ("I hate myself and dont deserve to live", "risk_self"),
    ("im done. goodbye everyone", "risk_self"),
    ("i want to kill my self", "risk_self"),
    ("KMS", "risk_self"),
    ("I want to unalive myself", "risk_self"),
    ("thinking of jumping off the multi storey in town", "risk_self"),
    ("just want it all to stop", "risk_self"),
    ("wish i had died with him in labour", "risk_self"),
    ("i'd rather be dead than feel like this", "risk_self"),
    ("nobody would even notice if i disappeared", "risk_self"),
    ("i tried to hang myself last week", "risk_self"),
    ("downed a bottle of vodka and swallowed a load of pills", "risk_self"),
    ("im sat on the edge of the bath with a blade", "risk_self"),
    ("dont think i'll be here tomorrow", "risk_self"),
    ("life isnt worth living without her", "risk_self"),
    ("planning how to end it", "risk_self"),
    ("I'm going to end it tonight", "risk_self"),
    ("nothing left to live for", "risk_self"),
    ("i dont want to die but i dont want to live like this either", "risk_self"),
    ("DONT WANNA BE ALIVE", "risk_self"),
    ("i've been self-harming", "risk_self"),
    ("been selfharming again", "risk_self"),
    ("i overdosed", "risk_self"),
    ("stockpilling tablets", "risk_self"),
    (RAMBLE.format(risk="some nights i stand at the top of the stairs and think about not being here"),
     "risk_self"),
    (RAMBLE.format(risk="ive got a box of pills in the drawer ive been saving up for a while"),
     "risk_self"),
    # risk_others: domestic abuse, a child in danger, someone else at risk
    ("my husband punched me in the stomach last night", "risk_others"),
    ("he strangled me till i nearly passed out", "risk_others"),
    ("my partner said hed kill me if i left", "risk_others"),
    ("im scared of my boyfriend, he gets so angry since the baby died", "risk_others"),
    ("hes locked me in the bedroom", "risk_others"),
    ("he took my phone and smashed it so im using my sisters", "risk_others"),
    ("my ex keeps turning up and threatening me", "risk_others"),
    ("having thoughts of smothering her with a pillow", "risk_others"),
    ("im frightened i might shake the baby, shes screaming and i cant take it", "risk_others"),
    ("my brother in law keeps saying hes going to kill himself since they lost the twins",
     "risk_others"),
    ("my wife has been talking about ending it and im scared to leave her alone", "risk_others"),
    ("my best friend text me goodbye and isnt answering her phone", "risk_others"),
    ("his dad hits the kids when hes drunk", "risk_others"),
    ("the kids arent safe with him", "risk_others"),
    ("he pushed me down the stairs when i was pregnant", "risk_others"),
    ("im hiding from him in the garden", "risk_others"),
    ("my husband is suicidal since our daughter died", "risk_others"),
    # medical red flags after a loss or birth
    ("soaked through two pads in an hour and now feel really dizzy", "medical_urgent"),
    ("passing clots the size of my fist", "medical_urgent"),
    ("ive got a temperature of 39 and cramping after my erpc", "medical_urgent"),
    ("really bad pain in my shoulder since the ectopic surgery", "medical_urgent"),
    ("my calf is swollen and red 10 days after my c section", "medical_urgent"),
    ("cant catch my breath and chest feels tight", "medical_urgent"),
    ("discharge smells really bad since the d&c", "medical_urgent"),
    ("fainted in the shower this morning, still bleeding a lot", "medical_urgent"),
    ("HEAVY BLEEDING AND FEELING FAINT", "medical_urgent"),
    ("im 30 weeks pregnant again and havent felt the baby move since yesterday", "medical_urgent"),
    ("bleeding so heavy i cant leave the toilet", "medical_urgent"),
    ("got the shivers and feel awful after the medical management", "medical_urgent"),
    # more ways people put it: places, plans, goodbyes, third parties
    ("im on the bridge", "risk_self"),
    ("i want to stop existing", "risk_self"),
    ("i can't see myself being here much longer", "risk_self"),
    ("ive still got the tablets from after my section and i keep counting them", "risk_self"),
    ("i've got a plan and i'm going to do it this weekend", "risk_self"),
    ("i keep wanting to crash my car", "risk_self"),
    ("bought paracetamol from 3 different shops today", "risk_self"),
    ("i looked up how many sleeping tablets would be enough", "risk_self"),
    ("life without her isnt worth it", "risk_self"),
    ("if i die at least ill be with my baby", "risk_self"),
    ("my dad keeps saying he wants to be with his granddaughter, hes not eating", "risk_others"),
    ("my partner has been drinking and said hes going to end it tonight", "risk_others"),
    ("he broke my nose last night and says hell do worse", "risk_others"),
    ("sometimes i feel like throwing the baby against the wall when she screams", "risk_others"),
    ("i had a thought of putting a pillow over her face and it scared me", "risk_others"),
    ("temp is 38.5 and im shivering after the erpc", "medical_urgent"),
    ("pain in my left calf and its swollen", "medical_urgent"),
]

SAFE = [
    "my baby died at 39 weeks and i still cant believe it",
    "she died in scbu after 3 days",
    "the silence in the house is killing me",
    "just killing time before the scan",
    "dying to know if the nurse will call back today",
    "i could kill him sometimes for how calm he is about it all",
    "dead tired all the time since the funeral",
    "nearly died of embarrassment when i cried in tesco",
    "id kill for a full nights sleep",
    "cant stop crying at night",
    "they let my husband cut the cord even though she was already gone",
    "we bought her a tiny knife and fork set before she was born",
    "found out there was no heartbeat at the 12 week scan",
    "it really hit me today that shes not coming home",
    "he passed away in my arms",
    "lost our son to sids in march",
    "my dad died when i was little so grief isnt new but this is different",
    "the hurt is unbearable some days",
    "how long does bleeding last after a miscarriage",
    "when can i start running again after a section",
    "is it normal to still have milk 2 weeks after",
    "the pain of losing him is like nothing else",
    "my heart is broken into pieces",
    "i felt like i was dying inside when they told us",
    "my mum said shed kill me if i didnt eat something",
    "dead busy at the hospital when we went in so we waited ages",
    "i keep beating myself up about not going in sooner",
    "going to have a bath and an early night",
    "we scattered his ashes off the cliff top at hunstanton",
    "we walked over the bridge where we used to take photos",
    "the grief comes in waves and knocks me off my feet",
    "im so tired of pretending im fine",
    "people keep saying at least you can try again",
    "were thinking of trying again in the new year",
    "my partner wants to try for another baby and im not ready",
    "can we have sex again after a miscarriage",
    "is it ok to take paracetamol for the cramps after erpc",
    "how many paracetamol can i take in a day for the pain",
    "the gp gave me sleeping tablets but i dont want to rely on them",
    "i had heavy bleeding at 9 weeks and thats when we knew",
    "i collapsed when they told me there was no heartbeat",
    "bleeding has nearly stopped now, is that normal at 2 weeks",
    "she would have been one tomorrow",
    "the anniversary is coming up and im dreading it",
    "my sister in law announced her pregnancy at christmas dinner",
    "where can we get her hand and footprints done",
    "the coroner wants to do a post mortem",
    "it feels like ive lost a part of myself",
    "we went to the hospital and she was gone",
    "i just want my baby back",
    "i would never hurt my baby but im so exhausted",
    "my rainbow baby kicks me all night, its so reassuring",
    "there was a faint line on the test this morning",
    "that film gave me chills, all about a mum who lost her baby",
    "i threw myself into work after the funeral",
    "drowning myself in work so i dont have to think",
    "ive cut my hours at work to part time",
    "burnt myself on the oven cooking tea, im all over the place",
    "the midwife said the baby died before labour started",
    "end of the day i just sit and stare at her photo",
    "i dont want to be here at work, everyone is pregnant",
    "it kills me that i never heard her cry",
    "we decided to end the pregnancy after the diagnosis at 21 weeks",
    "tried for 3 years before we got pregnant with her",
    "my hormones are all over the place and im crying at adverts",
    "he hasnt been the same since the stillbirth, barely talks",
    "i faint at the sight of blood so the scans were hard",
    "the pain is killing me, physically and mentally",
    "could murder a cup of tea",
    "putting myself first for once",
    "she was born sleeping and we held her for hours",
    "found our baby gone in his moses basket at 11 weeks old",
    "i had a fever in labour and they think thats why she came early",
    "i had a high temperature after the section but antibiotics sorted it",
    "the consultant said id collapsed from blood loss during the birth",
    "we bought a memory box with a little rope handle",
    "he cut himself shaving and i burst into tears, everything sets me off",
    "my partner keeps saying he wants to be with our daughter at the crematorium",
    "my friend said at least you werent further along, i wanted to hit her",
    "im so tired i could die",
    "her funeral is on friday, its all planned now",
    "wrote a letter to my husband about how i feel because talking is hard",
    "i dont see the point of the 6 week check if shes not here",
    "were going to the bridge where we scattered his ashes",
    "id rather not be here at the christmas party",
    "the hospital said to ring if i had a fever or heavy bleeding",
    "i nearly fainted at the funeral",
    "the knife edge of waiting for the scan results",
    "my sister's baby died of sids last year and now mine",
]


@pytest.mark.parametrize("text,kind", RISKY + INDIRECT_RISKY)
def test_risky_messages_are_caught(catalogue, text, kind):
    t = catalogue.triage(text)
    assert t.risk, f"missed: {text!r}"
    assert t.risk_kind == kind, (text, t.risk_kind, t.risk_phrases)
    assert t.risk_phrases


@pytest.mark.parametrize("text", SAFE + INDIRECT_SAFE)
def test_grief_and_idioms_are_not_risk(catalogue, text):
    t = catalogue.triage(text)
    assert not t.risk, (text, t.risk_kind, t.risk_phrases)
    assert t.risk_kind is None and t.risk_phrases == ()


def test_there_are_enough_examples():
    assert len(RISKY) >= 60 and len(SAFE) >= 60


@pytest.mark.parametrize("text", [
    "he hit me again last night and hes still here",
    "my partner went through my phone and read my messages to you",
    "scared to go home, he said he will hurt me",
])
def test_domestic_abuse_is_unsafe_to_text(catalogue, text):
    t = catalogue.triage(text)
    assert t.risk_kind == "risk_others" and t.unsafe_to_text


@pytest.mark.parametrize("text", [
    "scared im going to hurt my baby",
    "my sister said she wants to kill herself",
    "i want to die",
    "bleeding through everything",
])
def test_other_risks_are_not_marked_unsafe(catalogue, text):
    assert catalogue.triage(text).unsafe_to_text is False


def test_self_risk_outranks_other_kinds(catalogue):
    t = catalogue.triage("he hit me and i want to die, and im bleeding through everything")
    assert t.risk_kind == "risk_self"
    assert {"want to die", "hit me", "bleeding through everything"} <= set(t.risk_phrases)
    assert t.unsafe_to_text  # still true: the abuse phrase matched too


def test_negated_but_hopeless_errs_to_urgent(catalogue):
    assert catalogue.triage("im not suicidal but i dont want to be here anymore").risk


def test_risk_is_kept_out_of_topics(catalogue):
    t = catalogue.triage("suicidal since the miscarriage")
    assert t.risk_kind == "risk_self"
    assert t.topics == ("miscarriage",)
    assert not set(t.topics) & {"risk_self", "risk_others", "medical_urgent"}


@pytest.mark.parametrize("text", [
    "when should the bleeding stop after an erpc",
    "when will my periods come back",
    "how long will i bleed for after the tablets",
])
def test_routine_recovery_questions_are_not_urgent(catalogue, text):
    assert not catalogue.triage(text).risk
