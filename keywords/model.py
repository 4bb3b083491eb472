"""A learned second opinion on risk, and on topic, trained on labelled example messages.

Phrases (risk.yaml) catch what they name, but parents hint at danger in endless other ways
("found the dog a new home, cant take him where im going"). This linear model reads a message's
words (typos resolved to catalogue words, endings stripped), pairs of words side by side or one
apart, and the catalogue contexts it contains (means, place, despair, ...), and scores how much
it looks like the risk examples in risk_examples.txt rather than the others. At or above
settings.yaml's `risk_model: threshold` the message is urgent even when no phrase matched; a
phrase match is urgent whatever the model says. A second small model picks the kind of risk,
and a third the topic, used only when no phrase in topics.yaml names one.

The weights are trained with scikit-learn and kept in risk_model.json, stamped with a hash of
the examples they were trained from. When the stamp no longer matches (a supervisor added
examples) loading trains them afresh, which takes several seconds, and `helpline catalogue
train` saves them so that the next start is quick again. Run it after editing phrases too: the
features use the catalogue's words and contexts (see keywords/schema.py: MODEL_SOURCES).
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, NamedTuple, Sequence

from .schema import MODEL_FILE, RISK_KINDS, TOPICS, CatalogueError

EXAMPLES_FILE = "risk_examples.txt"
CALM = "calm"
# a calm example may instead name its topic: the topic model learns from those
TOPIC_LABELS = tuple(t for t in TOPICS if t != "stop_request")
LABELS = (CALM,) + RISK_KINDS + TOPIC_LABELS
# bump when features() changes: saved weights made for other features must not be used
FEATURES_VERSION = 6

# L2 strength of the fit (scikit-learn's C): smaller is smoother; chosen on held-out sets
C_RISK = 1.0
C_KIND = 1.0
C_TOPIC = 1.0
# weights nearer zero than this are dropped from the saved model: on held-out messages that
# changed no verdict, and it keeps risk_model.json a third of the size
PRUNE = 0.05
TOPIC_PRUNE = 0.1  # the same for the topic model, whose 20 columns would otherwise fill 6 MB
_MIN_EXAMPLES = 20  # of each label: fewer cannot train anything useful


@dataclass(frozen=True)
class Example:
    """One labelled message from risk_examples.txt."""

    label: str
    text: str
    line: int


def read_examples(text: str, name: str = EXAMPLES_FILE) -> tuple[Example, ...]:
    """Read `LABEL | message` lines ('#' starts a comment line); errors name the line."""
    out: list[Example] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, bar, message = line.partition("|")
        label, message = label.strip(), message.strip()
        if not bar:
            raise CatalogueError(f"{name}, line {n}: expected 'LABEL | message', got {line[:60]!r}")
        if label not in LABELS:
            raise CatalogueError(f"{name}, line {n}: unknown label {label!r}; "
                                 f"expected one of {', '.join(LABELS)}")
        if not message:
            raise CatalogueError(f"{name}, line {n}: the message is empty")
        key = " ".join(message.lower().split())
        if key in seen:
            raise CatalogueError(f"{name}, line {n}: the same message is already on line {seen[key]}")
        seen[key] = n
        out.append(Example(label, message, n))
    groups = {kind: (kind,) for kind in RISK_KINDS}
    groups["calm or topic"] = (CALM,) + TOPIC_LABELS
    for what, labels in groups.items():
        count = sum(e.label in labels for e in out)
        if count < _MIN_EXAMPLES:
            raise CatalogueError(f"{name}: needs at least {_MIN_EXAMPLES} {what} examples to "
                                 f"train the risk model; has {count}")
    return tuple(out)


def stamp(sources: Mapping[str, str]) -> str:
    """Hash of every text the weights depend on (catalogue files and examples)."""
    fit = f"features {FEATURES_VERSION} c {C_RISK} {C_KIND} {C_TOPIC} prune {PRUNE} {TOPIC_PRUNE}"
    digest = hashlib.sha256(fit.encode())
    for name in sorted(sources):
        digest.update(b"\0" + name.encode() + b"\0" + sources[name].encode("utf-8"))
    return digest.hexdigest()


class Features(NamedTuple):
    """What the model reads in a message: its words, pairs of words next to each other or one
    word apart ("want ... die"), and the names of the catalogue contexts found in it."""

    words: frozenset
    pairs: frozenset
    skips: frozenset
    contexts: frozenset

    def names(self) -> list[str]:
        """Each feature as the text used in risk_model.json: "w rope", "b sandwich bag", ..."""
        return (["w " + w for w in self.words] + ["b " + " ".join(p) for p in self.pairs]
                + ["s " + " ".join(p) for p in self.skips] + ["x " + c for c in self.contexts])


_KINDS = ("w", "b", "s", "x")  # the name prefix of each field of Features, in order
# Alone, these words say more about how a message was written than about danger, and the model
# learnt the style of its examples from them ("ive", "be"): they count only in pairs
# ("want to", "not be here"). Measured on held-out sets: fewer false alarms, same recall.
FUNCTION_WORDS = frozenset("""
    i me my you your ur u he she it its we they them their his her him our us the a an and or but
    so to of in on at for with is am are was were be been being have has had ive im id do does
    did this that these those just really there then than when what how who as by from up out
    about if all any some mine yours can could would should will wont cant dont didnt doesnt
    isnt wasnt not no""".split())


def features(words: Sequence[str | None], contexts: Iterable[str]) -> Features:
    """The features of a message from its words (typos resolved, endings stripped); a None
    stands for a word hidden from the model, which then makes no pair either."""
    pairs, skips = zip(words, words[1:]), zip(words, words[2:])
    if None in words:
        pairs = ((a, b) for a, b in pairs if a is not None and b is not None)
        skips = ((a, b) for a, b in skips if a is not None and b is not None)
    return Features(frozenset(words) - FUNCTION_WORDS - {None}, frozenset(pairs),
                    frozenset(skips), frozenset(contexts))


def _key(name: str):
    kind, _, rest = name.partition(" ")
    if kind not in _KINDS or not rest:
        raise ValueError(f"unknown feature {name!r}")
    return (kind, rest) if kind in ("w", "x") else (kind, tuple(rest.split(" ")))


def _tables(weights: Mapping[str, object]) -> tuple[dict, ...]:
    # one dict per field of Features, keyed as that field holds its items, so scoring looks up
    # the message's own words and pairs rather than building a string per feature
    tables: tuple[dict, ...] = tuple({} for _ in _KINDS)
    for name, value in weights.items():
        kind, key = _key(name)
        tables[_KINDS.index(kind)][key] = value
    return tables


@dataclass(frozen=True)
class RiskModel:
    """Weights of the two linear models: risk or calm, then which kind of risk."""

    source: str
    bias: float
    weights: Mapping[str, float]
    kind_bias: tuple[float, ...]
    kind_weights: Mapping[str, tuple[float, ...]]
    topics: tuple[str, ...] = ()
    topic_bias: tuple[float, ...] = ()
    topic_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    _risk: tuple = field(init=False, repr=False, compare=False)
    _kind: tuple = field(init=False, repr=False, compare=False)
    _topic: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_risk", _tables(self.weights))
        object.__setattr__(self, "_kind", _tables({  # (kind index, weight) pairs, as for topics
            name: tuple(enumerate(row)) for name, row in self.kind_weights.items()}))
        index = {t: i for i, t in enumerate(self.topics)}
        object.__setattr__(self, "_topic", _tables({  # sparse: (topic index, weight) pairs
            name: tuple((index[t], w) for t, w in row.items()) for name, row in self.topic_weights.items()}))

    def probability(self, feats: Features) -> float:
        """Probability (0-1) that a message with these features shows a risk."""
        z = self.bias
        for table, items in zip(self._risk, feats):
            z += sum(map(table.__getitem__, filter(table.__contains__, items)))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def kind(self, feats: Features) -> str:
        """The most likely kind of risk for a message already judged risky."""
        totals = _totals(self.kind_bias, self._kind, feats)
        return RISK_KINDS[max(range(len(totals)), key=totals.__getitem__)]

    def topic(self, feats: Features) -> tuple[str | None, float]:
        """The most likely topic of a calm message, and its probability (0-1)."""
        if not self.topics:
            return None, 0.0
        totals = _totals(self.topic_bias, self._topic, feats)
        top = max(totals)
        shares = [math.exp(t - top) for t in totals]  # softmax, shifted so nothing overflows
        best = max(range(len(totals)), key=totals.__getitem__)
        return self.topics[best], shares[best] / sum(shares)

    def evidence(self, feats: Features, top: int = 3) -> list[str]:
        """The features that pushed hardest towards risk, strongest first ("w rope", ...)."""
        scored = sorted(((self.weights.get(name, 0.0), name) for name in feats.names()), reverse=True)
        return [name for w, name in scored[:top] if w > 0]

    def to_json(self) -> str:
        """Serialise for risk_model.json (stable order, so a retrain diffs cleanly)."""
        return json.dumps({
            "about": "Generated by `helpline catalogue train` from risk_examples.txt: do not edit.",
            "source": self.source, "features_version": FEATURES_VERSION, "kinds": list(RISK_KINDS),
            "bias": self.bias, "kind_bias": list(self.kind_bias),
            "weights": dict(sorted(self.weights.items())),
            "kind_weights": {k: list(v) for k, v in sorted(self.kind_weights.items())},
            "topics": list(self.topics), "topic_bias": list(self.topic_bias),
            "topic_weights": {k: dict(v) for k, v in sorted(self.topic_weights.items())},
        }, indent=0) + "\n"

    @classmethod
    def from_json(cls, text: str, name: str = MODEL_FILE) -> RiskModel:
        """Read risk_model.json; a damaged file raises CatalogueError."""
        try:
            data = json.loads(text)
            if data["kinds"] != list(RISK_KINDS):
                raise ValueError("the kinds of risk have changed")
            return cls(source=str(data["source"]), bias=float(data["bias"]),
                       weights={str(k): float(v) for k, v in data["weights"].items()},
                       kind_bias=tuple(float(v) for v in data["kind_bias"]),
                       kind_weights={str(k): tuple(float(x) for x in v)
                                     for k, v in data["kind_weights"].items()},
                       topics=tuple(str(t) for t in data["topics"]),
                       topic_bias=tuple(float(v) for v in data["topic_bias"]),
                       topic_weights={str(k): {str(t): float(w) for t, w in v.items()}
                                      for k, v in data["topic_weights"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CatalogueError(f"{name}: not a risk model this version can read ({exc}); "
                                 f"run `helpline catalogue train` to make it again") from None


def _totals(bias: tuple[float, ...], tables: tuple, feats: Features) -> list[float]:
    # a multi-class model's score per class: its bias plus the (class, weight) pairs of the
    # message's features
    totals = list(bias)
    for table, items in zip(tables, feats):
        for key in filter(table.__contains__, items):
            for i, w in table[key]:
                totals[i] += w
    return totals


def _columns(fit, names, wanted: Sequence[str], sparse: bool = False) -> tuple[tuple, dict]:
    # a multi-class fit's bias and per-feature weights, in the order of `wanted`; sparse keeps
    # only the classes a feature counts for ({topic: weight}), each at least TOPIC_PRUNE
    order = [list(fit.classes_).index(k) for k in wanted]
    bias = tuple(round(float(fit.intercept_[i]), 4) for i in order)
    weights: dict = {}
    for j, n in enumerate(names):
        row = tuple(round(float(fit.coef_[i, j]), 4) for i in order)
        if sparse:
            kept = {k: w for k, w in zip(wanted, row) if abs(w) >= TOPIC_PRUNE}
            if kept:
                weights[str(n)] = kept
        elif max(map(abs, row)) >= PRUNE:
            weights[str(n)] = row
    return bias, weights


def train(examples: Sequence[Example], featurise, source: str) -> RiskModel:
    """Fit the three models (risk or not, which risk, which topic) on the examples;
    `featurise(text)` gives a message's features."""
    from sklearn.feature_extraction import DictVectorizer  # only when (re)training
    from sklearn.linear_model import LogisticRegression

    rows = [dict.fromkeys(featurise(e.text).names(), 1) for e in examples]
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    names = vec.get_feature_names_out()
    risky = [e.label in RISK_KINDS for e in examples]
    fit = LogisticRegression(C=C_RISK, class_weight="balanced", max_iter=5000).fit(x, risky)
    weights = {str(n): round(float(w), 4) for n, w in zip(names, fit.coef_[0]) if abs(w) >= PRUNE}
    which = [i for i, r in enumerate(risky) if r]
    kinds = LogisticRegression(C=C_KIND, class_weight="balanced", max_iter=5000)
    kinds.fit(x[which], [examples[i].label for i in which])
    kind_bias, kind_weights = _columns(kinds, names, RISK_KINDS)  # read_examples: all are there
    about = [i for i, e in enumerate(examples) if e.label in TOPIC_LABELS]
    found = sorted({examples[i].label for i in about}, key=TOPIC_LABELS.index)
    topic_bias, topic_weights = (), {}
    if len(found) > 2:
        topics = LogisticRegression(C=C_TOPIC, max_iter=5000)
        topics.fit(x[about], [examples[i].label for i in about])
        topic_bias, topic_weights = _columns(topics, names, found, sparse=True)
    return RiskModel(source=source, bias=round(float(fit.intercept_[0]), 4), weights=weights,
                     kind_bias=kind_bias, kind_weights=kind_weights, topics=tuple(found),
                     topic_bias=topic_bias, topic_weights=topic_weights)


__all__ = ["RiskModel", "Example", "read_examples", "features", "stamp", "train",
           "EXAMPLES_FILE", "MODEL_FILE", "LABELS"]
