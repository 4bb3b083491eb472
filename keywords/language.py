"""Which language a text is written in, when it is not English: lingua's own models (shipped in
the lingua-language-detector wheel, offline), limited to English and the catalogue's languages.

Most texts are plainly English, and asking lingua costs 0.1-0.3 ms, so it is asked only when the
text has letters English does not use (ł, ș, Cyrillic ...) or long words that are neither English
nor catalogue words. The nurse sees the language; when a text is mostly in it, the bot may add a
short message in that language (responses: languages, when reviewed).
"""
from __future__ import annotations

import re
import threading
from typing import NamedTuple

_FOREIGN_LETTERS = re.compile(r"[\u00c0-\u024f\u0400-\u04ff]")  # accented Latin, Cyrillic
_LONG = 5  # shorter words say little about the language ("nie", "sa", "mai" are English-looking)


class Language(NamedTuple):
    """A language the catalogue knows besides English."""

    code: str   # ISO 639-1, as stored with the text ("pl")
    name: str   # as the nurse reads it ("Polish")


class Identifier:
    """Names the language of a text among English and the catalogue's languages."""

    def __init__(self, languages: tuple[Language, ...], english: frozenset[str]):
        self.languages = {lang.code: lang for lang in languages}
        self.english = english  # long words read as English (word list and catalogue words)
        self._detector = None
        self._lock = threading.Lock()

    def _unknown(self, tokens, shortest: int = _LONG) -> tuple[int, int]:
        # (words of at least `shortest` letters that are not English, all such words)
        words = [t for t in tokens if len(t) >= shortest and t.isalpha()]
        return sum(t not in self.english for t in words), len(words)

    def asks(self, text: str, tokens) -> bool:
        """True when lingua is asked about this text (it may not be plainly English)."""
        unknown, long = self._unknown(tokens)
        return bool(self.languages) and bool(_FOREIGN_LETTERS.search(text) or unknown >= 2
                                             or (unknown and unknown * 3 >= long))

    def identify(self, text: str, tokens) -> tuple[str | None, bool]:
        """(language code, whether the text is mostly in it), or (None, False) for English."""
        if not self.asks(text, tokens):
            return None, False
        unknown, words = self._unknown(tokens, 2)
        found = self.detector().detect_language_of(text)
        code = found.iso_code_639_1.name.lower() if found is not None else None
        if code not in self.languages:
            return None, False
        # mostly: most of its words are not English ones
        return code, not words or unknown * 2 > words

    def detector(self):
        """lingua's detector for English and our languages, built on first use (models load lazily)."""
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from lingua import IsoCode639_1, LanguageDetectorBuilder

                    codes = [IsoCode639_1.EN] + [getattr(IsoCode639_1, c.upper()) for c in self.languages]
                    self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
        return self._detector

    def name(self, code: str | None) -> str | None:
        """The language's name for the nurse ("Polish"), or None."""
        lang = self.languages.get(code or "")
        return lang.name if lang else None


def iso_code_known(code: str) -> bool:
    """True when lingua knows this ISO 639-1 code (catalogue validation)."""
    from lingua import IsoCode639_1

    return bool(re.fullmatch(r"[a-z]{2}", code)) and hasattr(IsoCode639_1, code.upper())
