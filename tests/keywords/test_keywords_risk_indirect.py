"""Indirect risk: hints, plans, goodbyes, symptom x intensity; and the grief that looks like it.

Paraphrases of the kinds of message a fresh evaluation missed (none is an evaluation message
verbatim), and the `near:` context option that several of the broader entries rely on.
"""
from __future__ import annotations

import pytest

from keywords import CatalogueError, load_catalogue

# these two tables are checked by test_keywords_risk.py, beside the outright wording
INDIRECT_RISKY = [
    # risk_self: sleep, plans, goodbyes, affairs in order, places, means kept back
    ("i just want to sleep and not ever wake up", "risk_self"),
    ("i jus wanna go 2 sleep n neva wake up", "risk_self"),
    ("wish my heart would just stop", "risk_self"),
    ("i want this pain to end for good", "risk_self"),
    ("rehomed my dog with my brother, he'll look after him better than me", "risk_self"),
    ("sorted out who will have the cats after", "risk_self"),
    ("put my affairs in order this week", "risk_self"),
    ("explained in the letter why i had to go", "risk_self"),
    ("please tell the kids their mum loved them", "risk_self"),
    ("ive been putting my tablets aside, i know what id do with them", "risk_self"),
    ("been storing up my sleeping tablets for a while", "risk_self"),
    ("keep standing at the canal at night staring into the water", "risk_self"),
    ("i know exactly which bridge", "risk_self"),
    ("honestly thinking of stepping out in front of the next lorry", "risk_self"),
    ("the road looks so easy to just walk into without looking", "risk_self"),
    ("it would be so easy to swerve into the barrier", "risk_self"),
    ("everyone would be doing me a favour if i wasnt here, id be doing them one", "risk_self"),
    ("theyd all be happier without me dragging them down", "risk_self"),
    ("dying doesnt scare me anymore", "risk_self"),
    ("lost the will to keep going", "risk_self"),
    ("im gonna top myself", "risk_self"),
    ("i cant promise ill still be here in the morning", "risk_self"),
    ("i need someone to stop me tonight", "risk_self"),
    # self-harm, any way
    ("scratched my arms so hard they bled", "risk_self"),
    ("held my hand on the hob on purpose", "risk_self"),
    ("i keep punching my own legs when it gets bad", "risk_self"),
    ("carved letters into my thigh with a pin", "risk_self"),
    # risk to others: danger at home, a child, someone low and unreachable
    ("hes kicking the bathroom door in, were hiding", "risk_others"),
    ("if i leave he says hell burn the house down", "risk_others"),
    ("he keeps us locked in when hes out", "risk_others"),
    ("im frightened to be left alone with my son because of the thoughts", "risk_others"),
    ("my brother has been so low, now hes not answering and his phone is off", "risk_others"),
    ("her last text said shes sorry and to look after the dog", "risk_others"),
    # medical red flags in other words
    ("blood keeps pouring and wont slow down", "medical_urgent"),
    ("gone through 3 pads in the last hour", "medical_urgent"),
    ("teeth chattering and burning up, 5 days after the section", "medical_urgent"),
    ("39 point 2 temperature and tummy is agony", "medical_urgent"),
    ("sharp pain down my right side since the ectopic, feel sick", "medical_urgent"),
    ("everything has gone blurry and i keep seeing zigzags", "medical_urgent"),
    ("my face and feet have puffed up and my headache wont go", "medical_urgent"),
    ("i can barely breathe", "medical_urgent"),
    # second round: firearms, crashing the car, sleep wishes, things given away, threats, control
    ("theres a rifle in the shed and i keep thinking about it", "risk_self"),
    ("thinking of just driving into a wall on the way home", "risk_self"),
    ("out in the car with no intention of going back", "risk_self"),
    ("hoping i dont wake up in the morning", "risk_self"),
    ("sold my bike, wont need it much longer", "risk_self"),
    ("gave my dog to my sister yesterday", "risk_self"),
    ("heading up to the old quarry later on my own", "risk_self"),
    ("ive been burning my arm most nights with a lighter", "risk_self"),
    ("he said hed stab anyone who comes near the baby", "risk_others"),
    ("my ex threatened to torch the flat with us inside", "risk_others"),
    ("hes hidden my keys and my phone, im scared to go downstairs", "risk_others"),
]

INDIRECT_SAFE = [
    "we stood on the bridge and dropped petals in the river for her",
    "i wrote a goodbye letter to go in his coffin",
    "i updated my will after she died, it felt sensible",
    "can i drink alcohol with my antidepressants",
    "i felt faint at the inquest but im ok now",
    "i get breathless with anxiety when i think about that day",
    "had a fever last week but its all better now",
    "she was born sleeping with the cord round her neck",
    "i could sleep forever im so tired",
    "ive never self harmed and im not going to start",
    "i dont want to be around pregnant people right now",
    "the fast train to london was packed",
    "my chest hurts from sobbing",
    "i would die for my kids, thats why this hurts",
    "grief is a knife in my chest",
    "im going to kill my husband if he leaves the dishes again lol",
    "we went down to the sea tonight to scatter her ashes",
    "my partner jumped the gun and told his mum before the scan",
    "bought a glue gun to make her memory box",
    "been cutting back on caffeine to help me sleep",
    "they cut the cord and took her straight to nicu",
]


def test_near_needs_the_context_close_by(catalogue):
    # "bleeding" counts with a heavy word within 5 words, not anywhere in a long message
    assert catalogue.triage("bleeding and it wont stop").risk
    far = ("bleeding a little, the midwife says thats fine and we had a lovely day at the park "
           "with the dog and then my mum rang and she wont stop going on about christmas")
    assert not catalogue.triage(far).risk


def test_near_must_be_a_small_number_with_a_context(catalogue_dir):
    risk = catalogue_dir / "risk.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text.replace("medical_urgent:\n", "medical_urgent:\n  - phrase: odd words\n"
                                 "    near: 3\n", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="near: expected 0-30 words, with a 'with:' context"):
        load_catalogue(catalogue_dir)
    risk.write_text(text.replace("medical_urgent:\n", "medical_urgent:\n  - phrase: odd words\n"
                                 "    with: means\n    near: 99\n", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="near: expected 0-30"):
        load_catalogue(catalogue_dir)


# later rounds: each line says whether the text must be urgent; the risky ones are general
# wording taken from what fresh evaluation sets missed, the calm ones from their false alarms
RISKY_OR_NOT = [
    ("help my baby isnt breathing", True),
    ("my toddler is going blue", True),
    ("she isnt waking up", True),
    ("my son stopped breathing in his sleep in march", False),  # the loss itself, told as history
    ("went in to check on her and she wasnt breathing", False),
    ("my partner isnt moving on at all", False),
    ("been sitting in the car by the reservoir every night, just parked there", True),
    ("gave all my things away this week, its easier", True),
    ("ill be with you soon my darling boy", True),
    ("i want my family to know it wasnt anyones fault", True),
    ("my brother said he was off to the beach to be with his son, cant reach him", True),
    ("he keeps saying im next", True),
    ("we go to my babys grave every sunday", False),
    ("we walked to the bridge and sat there for ages remembering her", False),
    ("my partner keeps pushing me away since the loss", False),
    ("i never got to tell her i loved her", False),
    ("took a handful of my sleeping tablets with wine", True),
    ("got all my pills lined up on the bedside table", True),
    ("sitting in the garage with the engine running", True),
    ("you wont hear from me again", True),
    ("my sister keeps saying shell take all her tablets", True),
    ("voices keep telling me to hurt him", True),
    ("he threatened to throw acid at me", True),
    ("i wanted to die when they told me but i feel steadier now", False),
    ("i used to have dark thoughts but ive had lots of help", False),
    ("my 5 year old keeps asking if shes going to die too", False),
    ("climbing over the fence to get the ball back", False),
    ("been looking into ways out, proper ones", True),
    ("i wont be around to see it get easier", True),
    ("my stepdad keeps hitting my mum since the funeral", True),
    ("he told her shes dead if she tells anyone", True),
    ("my friend has cuts all over her arms and wont let me call anyone", True),
    ("ive been leaving the baby crying for hours, i cant go near him", True),
    ("i used to self harm as a teen but not for years", False),
    ("i honestly thought i was going to die in labour, still have nightmares", False),
    ("up at 4am googling the quickest ways to go", True),
    ("ive got a plan and a date", True),
    ("keep staring at the loft hatch wondering if it would hold me", True),
    ("taken 20 paracetamol, how long till they work", True),
    ("she said she wants to take our eldest with her to be with the baby", True),
    ("my mate put a goodbye post on facebook and isnt answering", True),
    ("her boyfriend hits her and its getting worse", True),
    ("he watched me haemorrhage and now he cant sleep", False),
    ("we wrote goodbye letters to put in her coffin", False),
    ("honestly if i fell asleep and didnt wake up id be fine with that", True),
    ("the only way this stops is if im gone", True),
    ("sat in the car with the engine running and the windows shut", True),
    ("my dad keeps talking about going to be with our son", True),
    ("she said shed take all her tablets tonight", True),
    ("my husband cut himself off from his mates", False),
    ("my mum said shed take a bullet for me", False),
    ("whats the overdose limit for paracetamol with co codamol", False),
]


@pytest.mark.parametrize("text,risky", RISKY_OR_NOT)
def test_risk_or_not(catalogue, text, risky):
    assert catalogue.triage(text).risk is risky, (text, catalogue.triage(text).risk_phrases)
