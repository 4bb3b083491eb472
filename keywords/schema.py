"""Fixed vocabulary of the catalogue: topic ids, risk kinds, file names, and the entry record."""
from __future__ import annotations


from responses.shared import LOSS_TOPICS, RISK_KINDS, TOPICS  # one vocabulary with the replies

KEYWORD_RESULTS = ("stop", "start", "yes", "help")

FILES = ("settings.yaml", "textspeak.yaml", "risk.yaml", "topics.yaml", "guards.yaml",
         "languages.yaml", "keywords.yaml", "realwords.txt", "risk_examples.txt")
# the files the risk model's weights are trained from: when one changes, the saved weights are
# stale and are trained again at load. An edit to the phrases or contexts shifts the model's
# features only a little (a typo may resolve to a new word), so it keeps the saved weights until
# `helpline catalogue train` refreshes them; settings.yaml holds only thresholds.
MODEL_SOURCES = ("risk_examples.txt",)
MODEL_FILE = "risk_model.json"  # optional: trained from risk_examples.txt when missing or stale


class CatalogueError(Exception):
    """The catalogue cannot be loaded; the message names the file and the entry."""


class Entry:
    """One expanded catalogue phrase, compiled into the matcher; never changed after load."""

    # a plain slotted class, not a frozen dataclass: the catalogue builds tens of thousands of
    # these at start-up and frozen dataclasses are several times slower to construct
    __slots__ = ("phrase", "pattern", "kind", "label", "threshold", "context", "unsafe", "blocks",
                 "unless", "where", "near", "weak")

    def __init__(self, phrase: str, pattern: list, kind: str, label: str,
                 threshold: int, context: str | None = None, unsafe: bool = False,
                 blocks: frozenset[str] = frozenset(), unless: str | None = None, where: str = "",
                 near: int | None = None, weak: bool = False):
        self.phrase = phrase          # the phrase as written in the file
        self.pattern = pattern        # the phrase parsed (see keywords/pattern.py)
        self.kind = kind              # "risk", "topic", "guard" or "context"
        self.label = label            # risk kind, topic id, context name, or "guard"
        self.threshold = threshold    # lowest per-word similarity (0-100) accepted
        self.context = context        # name of a context that must also be in the message
        self.unsafe = unsafe          # domestic abuse: someone may read the parent's phone
        self.blocks = blocks          # for guards: the labels this guard cancels
        self.unless = unless          # label of the "unless" phrases that cancel this one
        self.where = where            # "risk.yaml: risk_self, phrase 3", for debugging
        self.near = near              # the context must lie within this many words, or None
        self.weak = weak              # risk only if the risk model scores the message too

    def __repr__(self) -> str:
        return f"<Entry {self.label}: {self.phrase!r}>"
