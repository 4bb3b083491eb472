"""segments() must count exactly as the evaluation's sms.py does; reimplemented here as data."""
import random

import pytest

from responses import encoding, non_gsm7, segments, to_gsm7

# The reference rules, copied from /work/shared/eval/sms.py (not imported: tests stay in-repo).
REF_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
REF_GSM7_EXT = set("^{}\\[~]|€\f")


def reference_segments(text):
    if not text:
        return 0
    if all(c in REF_GSM7 or c in REF_GSM7_EXT for c in text):
        units, single, multi = [2 if c in REF_GSM7_EXT else 1 for c in text], 160, 153
    else:
        units, single, multi = [len(c.encode("utf-16-le")) // 2 for c in text], 70, 67
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for u in units:
        if used + u > multi:
            parts, used = parts + 1, 0
        used += u
    return parts


BASIC = sorted(REF_GSM7)
EXT = sorted(REF_GSM7_EXT)
BMP = list("’‘“”–—…çáłńś中é\u00a0\t`")  # é is GSM-7: a near miss on purpose
ASTRAL = ["😀", "👍", "🐻", "⭐", "🗓", "📧", "\U0001F3FD"]

EDGES = [
    "", "a", "a" * 160, "a" * 161, "a" * 306, "a" * 307, "a" * 459, "a" * 460,
    "€" * 80, "€" * 81, "a" * 152 + "€", "a" * 152 + "€" + "a" * 10, "a" * 153 + "€" * 4,
    "a" * 158 + "{", "a" * 159 + "}", "a" * 151 + "[]" + "a" * 200, "\f" * 80, "\f" * 81,
    "a" * 70, "’" * 70, "’" * 71, "😀" * 35, "😀" * 36, "a" * 66 + "😀" + "a" * 10,
    "a" * 65 + "😀" + "a" * 70, "😀" * 67, "a" * 133 + "😀", "ç", "Ç", "a" * 160 + "ç",
    "~" * 76 + "a" * 9, "|" * 153,
]


@pytest.mark.parametrize("text", EDGES, ids=lambda t: f"{len(t)}:{t[:3]!r}")
def test_segments_match_reference_on_edges(text):
    assert segments(text) == reference_segments(text)


def _random_text(rng):
    kind = rng.random()
    pool = BASIC if kind < 0.4 else BASIC + EXT if kind < 0.7 else BASIC + EXT + BMP + ASTRAL
    length = rng.choice([rng.randint(0, 40), rng.randint(60, 80), rng.randint(130, 175),
                         rng.randint(140, 480), rng.randint(300, 700)])
    weights = None if pool is BASIC else [8 if c in REF_GSM7 else 1 for c in pool]
    return "".join(rng.choices(pool, weights=weights, k=length))


def test_segments_match_reference_on_random_texts():
    rng = random.Random(20261124)
    for _ in range(4000):
        text = _random_text(rng)
        assert segments(text) == reference_segments(text), repr(text)


def test_encoding_and_non_gsm7_agree_with_the_reference_sets():
    rng = random.Random(7)
    for _ in range(500):
        text = _random_text(rng)
        bad = [c for c in text if c not in REF_GSM7 and c not in REF_GSM7_EXT]
        assert non_gsm7(text) == list(dict.fromkeys(bad))
        assert encoding(text) == ("UCS-2" if bad else "GSM-7")
    assert encoding("") == "GSM-7"


@pytest.mark.parametrize("given, plain", [
    ("We’re here – “always”…", "We're here - \"always\"..."),
    ("8am\u00a0to\u20096pm", "8am to 6pm"),
    ("café naïve façade", "café naive facade"),
    ("zero\u200bwidth", "zerowidth"),
    ("Ça va", "Ça va"),
])
def test_to_gsm7_replaces_typography(given, plain):
    assert to_gsm7(given) == plain
    assert encoding(plain) == "GSM-7"


def test_to_gsm7_leaves_what_it_cannot_replace():
    assert to_gsm7("thanks 😀") == "thanks 😀"
    assert non_gsm7(to_gsm7("thanks 😀 ’")) == ["😀"]
