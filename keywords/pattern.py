"""Phrase patterns ("(a|b) c", nestable, "(a|)" optional, "..." for a few any words) compiled
into one word automaton.

Expanding every variant of every phrase would multiply out ("(he|she) (hit|kicked) (me|us)"
is 8 phrases; real entries reach thousands), so each phrase becomes a small word NFA and all of
them are merged into one deterministic automaton at load: a dict per state, word -> next state,
with the entries that end there under the key "" (never a word). Matching walks it like a trie.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Union

from .schema import CatalogueError

# a parsed pattern: a sequence of word runs (tuples of tokens), groups (lists of sequences)
# and gaps (ints: up to that many words of any kind)
Seq = list[Union[tuple[str, ...], list, int]]
GAP = "..."        # in a phrase: up to GAP_WORDS words of any kind ("want ... to die")
GAP_WORDS = 3
ANY = "*"          # automaton key for "any word" (never a token: tokens are letters and digits)


def parse(where: str, text: str, tokens_of: Callable[[str], tuple[str, ...]]) -> Seq:
    """Parse a catalogue phrase; `tokens_of` normalises each run of plain text into words."""
    seq, i = _seq(where, text, 0, tokens_of)
    if i < len(text):
        raise CatalogueError(f"{where}: unbalanced brackets or stray '|' in {text!r}")
    if shortest(seq) == 0:
        raise CatalogueError(f"{where}: empty phrase {text!r}")
    if isinstance(seq[0], int) or isinstance(seq[-1], int):
        raise CatalogueError(f"{where}: '{GAP}' must sit between words, not at an end: {text!r}")
    return seq


def _seq(where: str, text: str, i: int, tokens_of) -> tuple[Seq, int]:
    items: Seq = []
    while i < len(text) and text[i] not in "|)":
        if text[i] == "(":
            group, i = [], i + 1
            while True:
                alt, i = _seq(where, text, i, tokens_of)
                group.append(alt)
                if i >= len(text):
                    raise CatalogueError(f"{where}: unbalanced brackets in {text!r}")
                i += 1
                if text[i - 1] == ")":
                    break
            items.append(group)
        else:
            j = min([k for k in (text.find(c, i) for c in "()|") if k >= 0] or [len(text)])
            for n, run in enumerate(text[i:j].split(GAP)):
                if n:
                    items.append(GAP_WORDS)
                words = tokens_of(run)
                if words:
                    items.append(words)
            i = j
    return items, i


def shortest(seq: Seq) -> int:
    """Fewest words any variant of the pattern can have."""
    return sum(len(x) if isinstance(x, tuple) else 0 if isinstance(x, int)
               else min(map(shortest, x)) for x in seq)


class _NFA:
    """Word NFA: transitions by word, plus empty moves where a group may be skipped or rejoins."""

    def __init__(self):
        self.moves: list[dict[str, list[int]]] = [{}]
        self.empty: list[list[int]] = [[]]
        self.ends: dict[int, list] = defaultdict(list)

    def state(self) -> int:
        self.moves.append({})
        self.empty.append([])
        return len(self.moves) - 1

    def add(self, seq: Seq, entry) -> None:
        self.ends[self._build(seq, 0)].append(entry)

    def _build(self, seq: Seq, s: int) -> int:
        for item in seq:
            if isinstance(item, tuple):
                for word in item:
                    t = self.state()
                    self.moves[s].setdefault(word, []).append(t)
                    s = t
            elif isinstance(item, int):
                end = self.state()
                for _ in range(item):  # up to `item` words of any kind, each optional
                    self.empty[s].append(end)
                    t = self.state()
                    self.moves[s].setdefault(ANY, []).append(t)
                    s = t
                self.empty[s].append(end)
                s = end
            else:
                end = self.state()
                for alt in item:
                    self.empty[self._build(alt, s)].append(end)
                s = end
        return s

    def closure(self, states) -> frozenset[int]:
        out, stack = set(states), list(states)
        while stack:
            for t in self.empty[stack.pop()]:
                if t not in out:
                    out.add(t)
                    stack.append(t)
        return frozenset(out)


def compile_patterns(pairs) -> dict:
    """Merge (pattern, entry) pairs into one deterministic automaton; return its start state."""
    nfa = _NFA()
    for seq, entry in pairs:
        nfa.add(seq, entry)
    start = nfa.closure([0])
    nodes: dict[frozenset[int], dict] = {start: {}}
    queue = [start]
    while queue:
        here = queue.pop()
        node = nodes[here]
        done = [e for s in sorted(here) for e in nfa.ends.get(s, ())]
        if done:
            node[""] = done
        step: dict[str, set[int]] = defaultdict(set)
        for s in here:
            for word, targets in nfa.moves[s].items():
                step[word].update(targets)
        if ANY in step:  # a named word may also be taken as "any word"
            for word in step:
                step[word] |= step[ANY]
        for word, targets in step.items():
            there = nfa.closure(targets)
            if there not in nodes:
                nodes[there] = {}
                queue.append(there)
            node[word] = nodes[there]
    return nodes[start]
