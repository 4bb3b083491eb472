"""Normalise an SMS once: lowercase, plain apostrophes, text-speak expanded, word tokens.

The same function normalises catalogue phrases at load and messages at triage time, so a
phrase written "don't want to live" and a text reading "dnt wanna live" meet as the same words.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import accumulate
from operator import add, sub
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                         "\u201c": '"', "\u201d": '"', "\u2032": "'"})
# "23+4 weeks" is 23 weeks and 4 days: keep the weeks so the 4 is not read as the gestation
_PLUS_DAYS = re.compile(r"(\d)\s*\+\s*\d+")
# an apostrophe inside a word joins it ("don't" -> "dont"); anywhere else it separates words
_INNER_APOS = re.compile(r"(?<=[a-z0-9])'+(?=[a-z])")
_WORD = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_DIGIT_RUNS = re.compile(r"\d+|[a-z]+")
# "OD'd", "ODd", "OD'ing": lowercased without the apostrophe they would read as "odd", so the
# capitals or the apostrophe are read before case is folded
_OD_PAST = re.compile(r"\bOD'?(?:d|D|ed|ED)\b|\b[oO][dD]'(?:d|D|ed|ED)\b")
_OD_ING = re.compile(r"\bOD'?(?:ing|ING)\b|\b[oO][dD]'(?:ing|ING)\b")
# letters NFKD does not take apart, and Russian written in Cyrillic: read as the Latin letters
# parents use when they write Russian on a phone without Cyrillic ("ne hochu zhit"), so one
# catalogue phrase meets both spellings. NFKD has already made "й" an "и" by then.
_TRANSLIT = str.maketrans({
    "ł": "l", "đ": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g"})


@dataclass(frozen=True)
class TextSpeak:
    """Rewrites from textspeak.yaml, already normalised into token tuples."""

    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: Mapping[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    after_number: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    digits: Mapping[str, str] = field(default_factory=dict)
    units: frozenset[str] = frozenset()

    def __post_init__(self):
        # read-only views: one TextSpeak is shared by every thread that triages
        for name in ("words", "phrases", "after_number", "digits"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        # multi-word rewrites indexed by their first word, longest first (tried per token)
        starts: dict[str, list] = {}
        for key, value in sorted(self.phrases.items(), key=lambda kv: -len(kv[0])):
            starts.setdefault(key[0], []).append((len(key), key, value))
        object.__setattr__(self, "starts", MappingProxyType(starts))


@dataclass(frozen=True)
class Normalised:
    """Normalised text, its tokens, and each token's (start, end) offsets in `text`."""

    text: str
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


EMPTY_SPEAK = TextSpeak()


def plain(text: str) -> str:
    """Lowercase, strip accents and unify quotes, before any word splitting."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_QUOTES)
    if "OD" in text or "'d" in text or "'D" in text:
        text = _OD_ING.sub("overdosing", _OD_PAST.sub("overdosed", text))
    text = text.lower()
    if not text.isascii():
        text = text.translate(_TRANSLIT)
    if "+" in text:
        text = _PLUS_DAYS.sub(r"\1", text)
    if "'" in text:
        text = _INNER_APOS.sub("", text)
    return text.replace("&", " and ")


@lru_cache(maxsize=50_000)
def squeeze(word: str) -> str:
    """Squeeze a letter typed 3+ times to two ("soooo" -> "soo"); cached, as words repeat."""
    return _REPEAT.sub(r"\1\1", word)


def raw_tokens(text: str) -> list[str]:
    """Split plain text into letter/digit words, squeezing letters typed 3+ times to two."""
    return [squeeze(w) for w in _WORD.findall(plain(text))]


def _expand_words(tokens: list[str], speak: TextSpeak) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        if tok in speak.words:
            out.extend(speak.words[tok])
        elif not tok.isalpha() and not tok.isdigit():  # tokens are letters and digits only
            # "10wks", "6yr": split number from unit, then read the unit
            for i, part in enumerate(_DIGIT_RUNS.findall(tok)):
                table = speak.after_number if i and part in speak.after_number else speak.words
                out.extend(table.get(part, (part,)))
        else:
            out.append(tok)
    return out


def _expand_phrases(tokens: list[str], speak: TextSpeak) -> list[str]:
    out: list[str] = []
    i, n, starts = 0, len(tokens), speak.starts
    while i < n:
        for size, key, value in starts.get(tokens[i], ()):
            if tuple(tokens[i:i + size]) == key:
                out.extend(value)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _read_digits(tokens: list[str], speak: TextSpeak) -> list[str]:
    # "want 2 die" -> "want to die", but "lived 2 days" and "my 2 kids" keep their number
    if speak.digits.keys().isdisjoint(tokens):
        return tokens
    out = list(tokens)
    for i in range(1, len(tokens) - 1):
        tok = tokens[i]
        if tok in speak.digits and tokens[i - 1].isalpha() and tokens[i + 1].isalpha() \
                and tokens[i + 1] not in speak.units:
            out[i] = speak.digits[tok]
    return out


def words_of(text: str, speak: TextSpeak = EMPTY_SPEAK) -> tuple[str, ...]:
    """First stage of tokenise(): words split and one-word text-speak rewritten."""
    return tuple(_expand_words(raw_tokens(text), speak))


def finish(words, speak: TextSpeak = EMPTY_SPEAK) -> tuple[str, ...]:
    """Last stage of tokenise(): multi-word rewrites and digits read as words."""
    return tuple(t for t in _read_digits(_expand_phrases(list(words), speak), speak) if t)


def tokenise(text: str, speak: TextSpeak = EMPTY_SPEAK) -> tuple[str, ...]:
    """Return the normalised tokens of `text` (what normalise() joins with spaces)."""
    return finish(words_of(text, speak), speak)


def normalise(text: str, speak: TextSpeak = EMPTY_SPEAK) -> Normalised:
    """Normalise `text` into tokens joined by single spaces, with each token's offsets."""
    tokens = tokenise(text, speak)
    # token i ends after the letters of tokens 0..i and the i spaces between them
    lengths = list(map(len, tokens))
    ends = list(map(add, accumulate(lengths), range(len(tokens))))
    return Normalised(" ".join(tokens), tokens, tuple(zip(map(sub, ends, lengths), ends)))


def normalise_parts(pieces: list[str], speak: TextSpeak = EMPTY_SPEAK) -> tuple[Normalised, list[int]]:
    """Normalise a text given as its pieces (sentences) in one pass: the whole as normalise()
    would give it, save that no text-speak rewrite spans two pieces, and where each piece's
    tokens start."""
    tokens: list[str] = []
    starts: list[int] = []
    for piece in pieces:
        starts.append(len(tokens))
        tokens.extend(tokenise(piece, speak))
    lengths = list(map(len, tokens))
    ends = list(map(add, accumulate(lengths), range(len(tokens))))
    return Normalised(" ".join(tokens), tuple(tokens), tuple(zip(map(sub, ends, lengths), ends))), starts
