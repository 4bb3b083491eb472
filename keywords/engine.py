"""The loaded catalogue: compiled once, then read-only, so triage() is safe across threads."""
from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

from .entries import load_data
from .loader import CatalogueData, parse_yaml, read_keywords
from .matcher import Index
from .normalise import normalise
from .triage import Triage, decide

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # punctuation, spaces and emoji around a lone keyword


class Catalogue:
    """Keyword catalogue compiled for matching; build it with load_catalogue()."""

    def __init__(self, data: CatalogueData, source: str = "package"):
        self.source = source
        self.settings = data.settings
        self.speak = data.speak
        self.keywords = dict(data.keywords)
        self.phrase_count = len(data.entries)  # phrases as written in the files, of every kind
        contractions: dict[str, list[tuple[str, ...]]] = {}
        for words, short in data.speak.phrases.items():
            if len(short) == 1:
                contractions.setdefault(short[0], []).append(words)
        self._index = Index(data.entries, data.settings.exact_max_letters, data.settings.fillers,
                            data.settings.max_skips, data.realwords, contractions,
                            data.settings.not_inflections)

    def __repr__(self) -> str:
        return f"<Catalogue {self.source}: {self.phrase_count} phrases>"

    def triage(self, text: str) -> Triage:
        """Judge one message: risk first, then the topics it is about."""
        norm = normalise(text or "", self.speak)
        tokens, origin = self._index.split(norm.tokens)
        return decide(norm, origin, self._index.find(tokens), self.settings)

    def keyword(self, text: str) -> str | None:
        """Return this catalogue's keyword result when the whole message is one keyword word."""
        return keyword_of(text, self.keywords)


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Load keywords/catalogue (or `directory`, e.g. a supervisor's edited copy) and compile it."""
    if directory is None:
        root = resources.files("keywords") / "catalogue"
        return Catalogue(load_data(lambda name: (root / name).read_text(encoding="utf-8")))
    folder = Path(directory)
    return Catalogue(load_data(lambda name: (folder / name).read_text(encoding="utf-8")),
                     source=str(folder))


def keyword_of(text: str, table: dict[str, str]) -> str | None:
    """Look up the message in `table` when, stripped of punctuation and emoji, it is one word."""
    core = _EDGES.sub("", (text or "").strip()).lower()
    return table.get(core) if core.isalnum() else None


@functools.cache
def _shipped_keywords() -> dict[str, str]:
    # only keywords.yaml: the webhook may call this before, or without, the whole catalogue
    text = (resources.files("keywords") / "catalogue" / "keywords.yaml").read_text(encoding="utf-8")
    return read_keywords(parse_yaml("keywords.yaml", text))


def whole_message_keyword(text: str) -> str | None:
    """Return "stop", "start", "yes" or "help" when the WHOLE message is such a word, else None."""
    return keyword_of(text, _shipped_keywords())
