"""Find catalogue phrases in a normalised message: whole words only, forgiving typos in long words.

Built once at load into read-only tables, so one Index serves many threads:
- every phrase is compiled into one word automaton (keywords/pattern.py), walked from each
  token of the message;
- a message word resolves to catalogue words by exact lookup, then by inflection (same stem),
  then, for long words that are not real English words, by rapidfuzz over a small bucket of
  catalogue words with the same first letter and a similar length. That keeps the fuzzy step
  to a few dozen candidates however big the catalogue grows.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from rapidfuzz import fuzz, process

from .pattern import ANY, compile_patterns
from .schema import Entry

INFLECTION_SCORE = 95.0  # "tablet" for "tablets": surer than a typo, less than the word itself
_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """Strip one common English ending so inflections of a word share a key."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    else:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                word = word[:-len(suffix)]
                break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "cutting" -> "cutt" -> "cut"
    return word


class Found(NamedTuple):
    """A phrase found: its entry, token positions [start, end), weakest word score, words matched."""

    entry: Entry
    start: int
    end: int
    score: float
    words: str


def _walk(root: dict):
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(child for word, child in node.items() if word)


def _named(node: dict):
    return ((word, child) for word, child in node.items() if word and word != ANY)


def _words(walked) -> str:
    parts = []
    while walked:
        parts.extend(reversed(walked[0]))
        walked = walked[1]
    return " ".join(reversed(parts))


class Index:
    """Read-only lookup tables compiled from the catalogue entries."""

    def __init__(self, entries, exact_max_letters: int, fillers, max_skips: int, realwords,
                 contractions=None, not_inflections=frozenset()):
        self.exact_max = exact_max_letters
        self.fillers = frozenset(fillers)
        self.max_skips = max_skips
        self.realwords = frozenset(realwords)
        self.root = compile_patterns((e.pattern, e) for e in entries if e.kind != "unless")
        # `unless` phrases only matter right where their phrase ends ("want to be with my baby"
        # + "in nicu"): they are walked from those places only, not from every word
        self.unless_root = compile_patterns((e.pattern, e) for e in entries if e.kind == "unless")
        vocab: set[str] = set()
        compounds: dict[str, tuple[str, str]] = {}
        for node in (*_walk(self.root), *_walk(self.unless_root)):
            for a, child in _named(node):
                vocab.add(a)
                compounds.update((a + b, (a, b)) for b, _ in _named(child))  # "selfharm" typed
        self.vocab = frozenset(vocab)
        # a pattern's runs of text are normalised one by one, so "(he|she) is" keeps "she is"
        # apart while the message reads "shes": offer the message's contractions spelt out too
        self.uncontract = MappingProxyType({
            short: tuple(v for v in words if all(w in vocab for w in v))
            for short, words in (contractions or {}).items()})
        self.compounds = MappingProxyType({k: v for k, v in compounds.items() if k not in vocab})
        self.cutoff = min((e.threshold for e in entries if e.threshold < 100), default=100)
        stems, buckets = defaultdict(list), defaultdict(list)
        for word in sorted(w for w in vocab if len(w) > exact_max_letters and w.isalpha()):
            if word not in not_inflections:
                stems[stem(word)].append(word)
            for size in range(len(word) - 2, len(word) + 3):
                buckets[(word[0], size)].append(word)
        self.stems = MappingProxyType({k: tuple(v) for k, v in stems.items()})
        self.buckets = MappingProxyType({k: tuple(v) for k, v in buckets.items()})
        # words seen again and again ("the", "baby", a common typo) resolve once; lru_cache is
        # thread-safe, and bounded so a flood of random text cannot grow it without limit
        self.options = lru_cache(maxsize=50_000)(self._options)
        self.steps = lru_cache(maxsize=50_000)(self._steps)

    def _options(self, token: str) -> tuple[tuple, bool]:
        # (the catalogue words this token may be, whether any of them starts a phrase)
        found = [((w,), s, 1) for w, s in self.resolve(token)]
        found += [(words, 100.0, 1) for words in self.uncontract.get(token, ())]
        return tuple(found), any(seq[0] in self.root for seq, _, _ in found)

    def _steps(self, token: str) -> tuple[tuple, bool]:
        # options() as the walk reads them: (first word, other words, words, score, step)
        options, starting = self.options(token)
        return tuple((seq[0], seq[1:], seq, score, step) for seq, score, step in options), starting

    def resolve(self, token: str) -> list[tuple[str, float]]:
        """Return the catalogue words `token` may stand for, each with a 0-100 score."""
        out = [(token, 100.0)] if token in self.vocab else []
        if not token.isalpha():
            return out
        out += [(w, INFLECTION_SCORE) for w in self.stems.get(stem(token), ()) if w != token]
        if out or self.cutoff >= 100 or len(token) <= self.exact_max or token in self.realwords:
            return out
        choices = self.buckets.get((token[0], len(token)))
        if choices:
            best = process.extractOne(token, choices, scorer=fuzz.ratio, score_cutoff=self.cutoff)
            if best:
                out.append((best[0], best[1]))
        return out

    def split(self, tokens: tuple[str, ...]) -> tuple[list[str], list[int]]:
        """Split run-together catalogue phrases ("selfharm"); return tokens and source positions."""
        if self.compounds.keys().isdisjoint(tokens):  # the usual case: nothing to split
            return list(tokens), list(range(len(tokens)))
        out, origin = [], []
        for i, tok in enumerate(tokens):
            parts = self.compounds.get(tok) if tok not in self.vocab else None
            for part in parts or (tok,):
                out.append(part)
                origin.append(i)
        return out, origin

    def _alternatives(self, tokens: list[str]) -> tuple[list[tuple], list[bool]]:
        alts, starts = [], []
        for i, tok in enumerate(tokens):
            options, starting = self.steps(tok)
            if i + 1 < len(tokens) and tok + tokens[i + 1] in self.vocab:
                joined = tok + tokens[i + 1]  # "over dose" typed apart
                options += ((joined, (), (joined,), 100.0, 2),)
                starting = True
            alts.append(options)
            starts.append(starting)
        return alts, starts

    def find(self, tokens: list[str]) -> list[Found]:
        """Find every phrase whose words appear in order, allowing a few filler words between."""
        alts, starts = self._alternatives(tokens)
        # (entry id, start) -> (score, end, entry, walked): the best reading of each phrase found
        best: dict[tuple[int, int], tuple] = {}
        self._walk(self.root, tokens, alts, [i for i, s in enumerate(starts) if s], best)
        ends = {end for _, end, entry, _ in best.values() if entry.unless and end < len(tokens)}
        if ends:
            self._walk(self.unless_root, tokens, alts, sorted(ends), best)
        found = [Found(entry, start, end, low, _words(walked))
                 for (_, start), (low, end, entry, walked) in best.items()]
        found.sort(key=lambda f: (f.start, f.end))
        return found

    def _walk(self, root: dict, tokens: list[str], alts: list, starts: list[int], best: dict):
        n, fillers, max_skips = len(tokens), self.fillers, self.max_skips
        for start in starts:
            # the words walked are kept as a linked list ((words, earlier), ...) and only joined
            # into text for the readings kept, which are few next to the steps taken
            stack = [(root, start, 100.0, 0, None)]
            while stack:
                node, pos, score, skips, path = stack.pop()
                named = False
                for first, rest, seq, word_score, step in alts[pos]:
                    child = node.get(first)
                    if rest and child is not None:
                        for word in rest:
                            child = child.get(word)
                            if child is None:
                                break
                    if child is None:
                        continue
                    named = True
                    low = score if score < word_score else word_score
                    walked = (seq, path)
                    ending = child.get("")
                    end = pos + step
                    if ending:
                        for entry in ending:
                            # the surest reading wins; at equal scores the longest (a guard must
                            # cover all it speaks for: "if i had a fever or heavy bleeding")
                            if low >= entry.threshold:
                                key = (id(entry), start)
                                old = best.get(key)
                                if old is None or (old[0], old[1]) < (low, end):
                                    best[key] = (low, end, entry, walked)
                    # walk on only where the phrase can go on: most words end a phrase or a path
                    if end < n and len(child) > (ending is not None):
                        stack.append((child, end, low, skips, walked))
                if pos + 1 < n:
                    if not named and ANY in node:  # a gap ("...") in a phrase takes this word
                        stack.append((node[ANY], pos + 1, score, skips, ((tokens[pos],), path)))
                    if node is not root and skips < max_skips and tokens[pos] in fillers:
                        stack.append((node, pos + 1, score, skips + 1, path))
