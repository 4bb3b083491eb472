"""The loaded catalogue: compiled once, then read-only, so triage() is safe across threads."""
from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from .entries import load_data
from .language import Identifier
from .reading import PRESENT, SCOPES, bounds, out_of_scope, parts
from .loader import CatalogueData, CatalogueError
from .matcher import Found, Index, stem
from .model import FUNCTION_WORDS, LABELS, Features, RiskModel, features, train
from .normalise import Normalised, normalise_parts, raw_tokens
from .schema import MODEL_FILE, RISK_KINDS
from .signals import fever
from .triage import Evidence, Match, Triage, cancelled, decide, follows

log = logging.getLogger(__name__)
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # punctuation, spaces and emoji around a lone keyword
# risk models trained in this process, by the stamp of what they were trained from: copies of
# one catalogue (tests, several apps in one process) train once
_TRAINED: dict[str, RiskModel] = {}
_TRAINING = threading.Lock()
_RISK = frozenset(RISK_KINDS)
GRANDPARENT = "grandparent"  # the topics.yaml context that shows a grandparent is writing


class Catalogue:
    """Keyword catalogue compiled for matching; build it with load_catalogue()."""

    def __init__(self, data: CatalogueData, source: str = "package", train: bool = True):
        self.source = source
        self.settings = data.settings
        self.speak = data.speak
        self.foreign_speak = data.foreign_speak or data.speak
        self.keywords = dict(data.keywords)
        self.phrase_count = len(data.entries)  # phrases as written in the files, of every kind
        contractions: dict[str, list[tuple[str, ...]]] = {}
        for words, short in data.speak.phrases.items():
            if len(short) == 1:
                contractions.setdefault(short[0], []).append(words)
        self._index = Index(data.entries, data.settings.exact_max_letters, data.settings.fillers,
                            data.settings.max_skips, data.realwords, contractions,
                            data.settings.not_inflections)
        self._canonical = functools.lru_cache(maxsize=50_000)(self._canonical_word)
        self.languages = Identifier(data.languages, data.realwords | data.english)
        self.model_was_saved = data.model is not None  # False: trained at this load
        if data.model is None and not train:
            raise CatalogueError(
                f"{MODEL_FILE} in {source}: the saved risk model is missing, damaged or older than "
                f"risk_examples.txt; run `helpline catalogue train` (same HELPLINE_KEYWORDS_DIR) "
                f"before starting: production does not train inside a web worker")
        self.model = data.model or self._train(data)
        self._examples = data.examples
        self._source = data.source
        self.version = data.version  # the catalogue files as read
        self.model_version = self.model.source[:16]  # the weights (stamped with their examples)

    def __repr__(self) -> str:
        return f"<Catalogue {self.source}: {self.phrase_count} phrases>"

    def triage(self, text: str) -> Triage:
        """Judge one message: risk first, then the topics it is about."""
        text = text or ""
        language, mostly = self.languages.identify(text, raw_tokens(text))
        r = self._look(text, language)
        score, best = self._score(r)
        evidence = None
        if score >= self.settings.risk_threshold:
            evidence = Evidence(score, self.model.kind(best),
                                self._spans(self.model.evidence(best), r.tokens, r.words, r.found))
        hot = fever(text)
        verdict = decide(r.norm, r.origin, r.found, self.settings, score, evidence,
                         lambda: self.model.topic(r.feats),
                         (Match(hot, "medical_urgent", 100.0, 0, 0),) if hot else ())
        elder = any(f.entry.label == GRANDPARENT and f.entry.kind == "context" for f in r.found)
        if language or elder:
            return replace(verdict, language=language, language_mostly=mostly, grandparent=elder)
        return verdict

    def _score(self, r: "_Reading") -> tuple[float, Features]:
        # the whole text, less the sentences that put their risk in the past or deny it. Scoring
        # each sentence on its own was tried: the model, taught on texts of a sentence or two,
        # then alarms at ordinary sentences of long texts ("I'm an absolute wreck") far more
        # often than it finds a risk the phrases miss (on the long fresh set A: 4 more risks
        # caught for 26 more false alarms), so sentences count through the phrases and scope.
        return self.model.probability(r.feats), r.feats

    def _look(self, text: str, language: str | None) -> "_Reading":
        # normalise, match, split into sentences, scope them, and read the model's words; a
        # text in another language is read without English text-speak that collides with it
        speak = self.foreign_speak if language else self.speak
        pieces = parts(text)
        norm, starts = normalise_parts(pieces, speak)
        tokens, origin = self._index.split(norm.tokens)
        found = self._index.find(tokens)
        ranges = _ranges(bounds(pieces, starts, len(norm.tokens)), origin, len(norm.tokens))
        found, hidden = _scoped(found, ranges)
        words, feats = self._read(tokens, found, hidden)
        return _Reading(norm, tokens, origin, found, ranges, hidden, words, feats)

    def example_counts(self) -> dict[str, int]:
        """How many examples of each label the risk model was trained from."""
        return {label: sum(e.label == label for e in self._examples) for label in LABELS}

    def features(self, text: str) -> Features:
        """The risk model's features of a message (see keywords/model.py)."""
        text = text or ""
        return self._look(text, self.languages.identify(text, raw_tokens(text))[0]).feats

    def _read(self, tokens: list[str], found: list[Found],
              out: frozenset[int] = frozenset()) -> tuple[list[str | None], Features]:
        # the words the model reads, and its features. Words a guard or an `unless` explains
        # away ("at the end of my rope", "want to be with my baby in the chapel of rest"), and
        # sentences that put their risk in the past or deny it (`out`), are hidden from it too,
        # as None: the catalogue has already judged that wording safe.
        canonical = self._canonical
        words: list[str | None] = [canonical(t) for t in tokens]
        hidden = _explained(found) | out
        for i in hidden:
            words[i] = None
        return words, features(words, self._labels(tokens, found, hidden, 0, len(tokens)))

    @staticmethod
    def _labels(tokens, found, hidden, start: int, end: int) -> set[str]:
        # the contexts found in tokens [start, end); a context met only through a common word
        # ("him" is an `abuser` word) tells nothing, nor one the catalogue explained away
        return {f.entry.label for f in found
                if f.entry.kind == "context" and start <= f.start < end
                and f.entry.label not in SCOPES
                and not FUNCTION_WORDS.issuperset(tokens[f.start:f.end])
                and not (hidden and hidden.issuperset(range(f.start, f.end)))}

    def _canonical_word(self, token: str) -> str:
        # the catalogue word a token stands for (typos and endings forgiven), without its ending
        if token not in self._index.vocab:
            options, _ = self._index.options(token)
            token = next((seq[0] for seq, _, _ in options if len(seq) == 1), token)
        return stem(token) if len(token) > 4 else token

    @staticmethod
    def _spans(names: list[str], tokens: list[str], words: list[str | None],
               found: list[Found]) -> list[tuple[str, int, int]]:
        # where in the message each of the model's strongest features lies, as token positions
        out = []
        for name in names:
            kind, _, rest = name.partition(" ")
            if kind == "x":
                hit = next((f for f in found if f.entry.kind == "context" and f.entry.label == rest), None)
                if hit:
                    out.append((" ".join(tokens[hit.start:hit.end]), hit.start, hit.end))
                continue
            want = rest.split(" ")
            last = {"w": 0, "b": 1, "s": 2}[kind]  # offset of the feature's last word
            for i in range(len(words) - last):
                if words[i] == want[0] and words[i + last] == want[-1]:
                    # one explanation per stretch of text: "going" adds nothing to "im going"
                    if not any(a <= i and i + last + 1 <= b for _, a, b in out):
                        out.append((" ".join(tokens[i:i + last + 1]), i, i + last + 1))
                    break
        return out

    def _train(self, data: CatalogueData) -> RiskModel:
        with _TRAINING:
            model = _TRAINED.get(data.source)
            if model is None:
                log.warning("risk model: training from %d examples in %s (risk_model.json is "
                            "missing or older than the examples; `helpline catalogue train` saves "
                            "it)", len(data.examples), self.source)
                model = _TRAINED[data.source] = train(data.examples, self.features, data.source)
            return model

    def keyword(self, text: str) -> str | None:
        """Return this catalogue's keyword result when the whole message is one keyword word."""
        return keyword_of(text, self.keywords)


class _Reading(NamedTuple):
    """One message as the catalogue reads it."""

    norm: Normalised
    tokens: list[str]
    origin: list[int]        # each token's position in norm.tokens (compounds split)
    found: list[Found]       # the phrases found, less risks in out-of-scope sentences
    ranges: list[tuple[int, int, bool]]  # each sentence's tokens [start, end), and whether it
    # explains the sentence before it
    hidden: frozenset[int]   # tokens of out-of-scope sentences
    words: list[str | None]  # what the model reads
    feats: Features


def _ranges(spans: list[tuple[int, int, bool]], origin: list[int], total: int) -> list[tuple[int, int, bool]]:
    """Sentence ranges among the matcher's tokens, which split run-together words ("selfharm")."""
    if len(origin) == total:
        return spans
    starts = [next((i for i, o in enumerate(origin) if o >= a), len(origin)) for a, _, _ in spans]
    return [(a, b, back) for a, b, (_, _, back) in zip(starts, starts[1:] + [len(origin)], spans)]


def _scoped(found: list[Found], ranges: list[tuple[int, int, bool]]) -> tuple[list[Found], frozenset[int]]:
    """Drop risk phrases in sentences that put their risk in the past, deny it or make it not
    real (a medical alarm over or explained: medical ones only), and give the token positions
    of the sentences whose every risk is cancelled, to hide from the model."""
    kinds = [out_of_scope(f for f in found if start <= f.start < end) for start, end, _ in ranges]
    for i in range(1, len(ranges)):
        before = ranges[i - 1]
        if ranges[i][2] and kinds[i] and not kinds[i - 1] and not _present(found, before):
            kinds[i - 1] = kinds[i]  # "...tried to end it, but hes well now": both sentences
    if not any(kinds):
        return found, frozenset()
    cut: dict[int, frozenset[str]] = {}
    for (start, end, _), gone in zip(ranges, kinds):
        cut.update(dict.fromkeys(range(start, end), gone))
    kept = [f for f in found if not (f.entry.kind == "risk" and f.entry.label in cut.get(f.start, ()))]
    return kept, frozenset(i for i, gone in cut.items() if len(gone) == len(RISK_KINDS))


def _present(found: list[Found], span: tuple[int, int, bool]) -> bool:
    return any(f.entry.label == PRESENT and f.entry.kind == "context" and span[0] <= f.start < span[1]
               for f in found)


def _explained(found: list[Found]) -> set[int]:
    """Token positions inside a risk guard, or inside a risk phrase cancelled by its `unless`."""
    out: set[int] = set()
    after = follows(found)
    for f in found:
        e = f.entry
        if e.kind == "guard" and e.blocks & _RISK:
            out.update(range(f.start, f.end))
        elif e.kind == "risk" and after and (until := cancelled(f, after)):
            out.update(range(f.start, until.end))
    return out


def catalogue_folder(directory: str | Path | None = None) -> Path:
    """The folder a catalogue is read from: `directory`, or the one shipped in the package."""
    return Path(directory) if directory is not None else Path(str(resources.files("keywords") / "catalogue"))


def load_catalogue(directory: str | Path | None = None, train: bool = True) -> Catalogue:
    """Load keywords/catalogue (or `directory`, e.g. a supervisor's edited copy) and compile it;
    with train=False, stale or missing risk model weights raise CatalogueError instead of
    being trained (about 20 s) at load."""
    folder = catalogue_folder(directory)
    return Catalogue(load_data(lambda name: (folder / name).read_text(encoding="utf-8")),
                     source="package" if directory is None else str(folder), train=train)


def save_risk_model(directory: str | Path | None = None) -> Catalogue:
    """Train the risk model afresh from the folder's catalogue and risk_examples.txt and save
    risk_model.json there, so that later loads need not train; return the catalogue."""
    folder = catalogue_folder(directory)
    catalogue = load_catalogue(folder)
    model = train(catalogue._examples, catalogue.features, catalogue._source)
    target = folder / MODEL_FILE
    spare = target.with_name(target.name + ".new")
    spare.write_text(model.to_json(), encoding="utf-8")
    spare.replace(target)  # atomic: a reader sees the old file or the new one, never half
    return catalogue


def keyword_of(text: str, table: dict[str, str]) -> str | None:
    """Look up the message in `table` when, stripped of punctuation and emoji, it is one word."""
    core = _EDGES.sub("", (text or "").strip()).lower()
    return table.get(core) if core.isalnum() else None
