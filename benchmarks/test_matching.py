"""Matching speed: a 600-character message against the shipped and a generated 1,000-phrase catalogue.

Run with `.venv/bin/pytest benchmarks --benchmark-only`. These record figures (median per call);
they are not timed asserts. Targets: <= 1 ms median (shipped), <= 2 ms (1,000 phrases).
"""
from __future__ import annotations

import random
import shutil
from importlib import resources
from pathlib import Path

import pytest

from keywords import load_catalogue

MESSAGE = (
    "sorry for the long message. we lost our little girl at 23 wks in the spring and everyone "
    "keeps saying it gets easier but it doesnt. my partner has gone back to work and acts like "
    "nothing happened, my mum keeps asking when we will try again and i cant face the baby "
    "shower next week. i havent showered properly in days, im drinking wine every night and i "
    "keep having flashbacks to the delivery room. some nights i think everyone would be better "
    "off without me. the hospital bracelet is in her memory box and i cant look at it. is there "
    "a suport group near norwich, and what are your opening hours? thanks x"
)
_SYLLABLES = ["ba", "ko", "ri", "stel", "mon", "der", "pha", "lu", "gri", "ten", "vo", "sha",
              "mi", "cor", "dal", "wen", "tro", "fi", "zan", "pel", "quo", "bri", "nok", "sa"]


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def write_generated_catalogue(folder: Path, phrases: int = 1000, seed: int = 7) -> Path:
    """Write a catalogue folder with `phrases` generated phrases (plus the shipped support files)."""
    source = resources.files("keywords") / "catalogue"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("settings.yaml", "textspeak.yaml", "keywords.yaml", "realwords.txt",
                 "risk_examples.txt"):
        shutil.copyfile(str(source / name), folder / name)
    # the shipped guards name contexts defined in the shipped risk.yaml; these stand alone
    (folder / "guards.yaml").write_text("guards:\n  - dead busy\n  - killing time\n",
                                        encoding="utf-8")
    (folder / "languages.yaml").write_text("{}\n", encoding="utf-8")  # English only
    rng = random.Random(seed)
    vocab = _pseudo_words(rng, 1500) + MESSAGE.replace(",", " ").replace(".", " ").split()
    made: set[str] = set()
    while len(made) < phrases:
        made.add(" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 4))))
    ordered = sorted(made)
    risk, topics = ordered[:150], ordered[150:]
    kinds = ("risk_self", "risk_others", "medical_urgent")
    lines = ["# generated for benchmarks"]
    for i, kind in enumerate(kinds):
        lines.append(f"{kind}:")
        lines += [f"  - {p!r}" for p in risk[i::3]]
    (folder / "risk.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = ("miscarriage", "stillbirth", "low_mood", "trauma", "memories", "practical", "hours")
    lines = ["# generated for benchmarks", "topics:"]
    for i, topic in enumerate(ids):
        lines.append(f"  {topic}:")
        lines += [f"    - {p!r}" for p in topics[i::len(ids)]]
    (folder / "topics.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shipped():
    return load_catalogue()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    cat = load_catalogue(directory=write_generated_catalogue(tmp_path_factory.mktemp("gen")))
    assert cat.phrase_count >= 1000
    return cat


def test_message_is_600_characters():
    assert 580 <= len(MESSAGE) <= 620


def test_shipped_catalogue_600_chars(benchmark, shipped):
    t = benchmark(shipped.triage, MESSAGE)
    assert t.risk and t.gestation_weeks == 23


def test_generated_1000_phrases_600_chars(benchmark, generated):
    benchmark(generated.triage, MESSAGE)


def test_shipped_catalogue_600_chars_fresh_typos(benchmark, shipped):
    # a different misspelling every call, so no word lookup is ever repeated from a warm path
    counter = iter(range(10**9))
    benchmark(lambda: shipped.triage(MESSAGE + f" stilbornx{next(counter)}"))


def test_load_shipped_catalogue(benchmark):
    benchmark.pedantic(load_catalogue, rounds=3, iterations=1)
