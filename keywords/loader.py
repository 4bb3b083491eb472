"""Read and validate the catalogue files; every problem raises CatalogueError naming file and entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import yaml

from responses.shared import load_yaml

from .normalise import TextSpeak, normalise, raw_tokens, tokenise
from .pattern import parse
from .schema import FILES, KEYWORD_RESULTS, RISK_KINDS, TOPICS, CatalogueError, Entry

_SETTINGS_INTS = {"exact_max_letters": (1, 12), "threshold": (50, 100), "max_skips": (0, 4)}
_GESTATION_INTS = {"miscarriage_below": (4, 30), "stillbirth_from": (20, 30)}
_MODEL_INTS = {"threshold": (1, 99), "weak_threshold": (1, 99), "topic_threshold": (1, 99)}
_TEEN_INTS = {"min_age": (8, 21), "max_age": (8, 21), "min_school_year": (1, 14),
              "max_school_year": (1, 14)}



@dataclass(frozen=True)
class Settings:
    """Matching knobs from settings.yaml."""

    exact_max_letters: int
    threshold: int
    max_skips: int
    fillers: frozenset[str]
    not_inflections: frozenset[str]
    gestation: dict
    teen: dict
    risk_threshold: float = 0.5
    weak_threshold: float = 0.2
    topic_threshold: float = 0.5


@dataclass(frozen=True)
class CatalogueData:
    """Everything read from one catalogue folder, validated."""

    settings: Settings
    speak: TextSpeak
    entries: tuple[Entry, ...]
    keywords: dict[str, str]
    realwords: frozenset[str]
    examples: tuple = ()        # risk_examples.txt, as keywords.model.Example
    model: Any = None           # risk_model.json when it matches `source`, else None (train it)
    source: str = ""            # stamp of the files the risk model is trained from
    version: str = ""           # hash of every file of the catalogue as read (not the weights)
    languages: tuple = ()       # languages.yaml's languages, as keywords.language.Language
    english: frozenset = frozenset()  # the English catalogue files' words
    foreign_speak: Any = None   # text-speak for texts in another language (languages.yaml)


def parse_yaml(name: str, text: str) -> dict:
    """Parse one YAML file into a mapping, or raise CatalogueError naming the file."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{name}: YAML syntax error: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: expected a mapping of sections at the top level")
    return data


def check_keys(where: str, data: dict, allowed: set[str], required: set[str] = frozenset()):
    """Raise if a mapping has a key outside `allowed` or lacks one of `required`."""
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                             f"expected {', '.join(sorted(allowed))}")
    missing = sorted(required - set(data))
    if missing:
        raise CatalogueError(f"{where}: missing key(s) {', '.join(missing)}")


def _int(where: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(f"{where}: expected a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise CatalogueError(f"{where}: {value} is out of range {lo}-{hi}")
    return value


def word_list(where: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: expected a list of words, got {value!r}")
    for i, v in enumerate(value, 1):
        if not isinstance(v, str) or not v.strip():
            hint = " (quote words YAML reads as true/false, such as on, off, yes, no)" \
                if isinstance(v, bool) else ""
            raise CatalogueError(f"{where}, word {i}: expected a word, got {v!r}{hint}")
    return value


def read_settings(data: dict) -> Settings:
    """Validate settings.yaml."""
    w = "settings.yaml"
    check_keys(w, data, set(_SETTINGS_INTS) | {"fillers", "not_inflections", "gestation", "teen",
                                               "risk_model"}, set(_SETTINGS_INTS) | {"risk_model"})
    ints = {k: _int(f"{w}: {k}", data[k], *r) for k, r in _SETTINGS_INTS.items()}
    gest = data.get("gestation") or {}
    check_keys(f"{w}: gestation", gest, set(_GESTATION_INTS) | {"loss_words", "ignore_before",
                                                                  "ignore_after", "current_before",
                                                                  "sure_before", "soft_after"})
    for k, r in _GESTATION_INTS.items():
        gest[k] = _int(f"{w}: gestation: {k}", gest.get(k, r[0]), *r)
    for k in ("loss_words", "ignore_before", "ignore_after", "current_before", "sure_before",
              "soft_after"):
        gest[k] = frozenset(word_list(f"{w}: gestation: {k}", gest.get(k, [])))
    teen = data.get("teen") or {}
    check_keys(f"{w}: teen", teen, set(_TEEN_INTS))
    teen = {k: _int(f"{w}: teen: {k}", teen.get(k, r[0]), *r) for k, r in _TEEN_INTS.items()}
    fillers = frozenset(word_list(f"{w}: fillers", data.get("fillers", [])))
    exempt = frozenset(word_list(f"{w}: not_inflections", data.get("not_inflections", [])))
    model = data["risk_model"]
    if not isinstance(model, dict):
        raise CatalogueError(f"{w}: risk_model: expected a mapping with threshold")
    check_keys(f"{w}: risk_model", model, set(_MODEL_INTS), set(_MODEL_INTS))
    percent = {k: _int(f"{w}: risk_model: {k}", model[k], *r) for k, r in _MODEL_INTS.items()}
    return Settings(fillers=fillers, not_inflections=exempt, gestation=gest, teen=teen,
                    risk_threshold=percent["threshold"] / 100,
                    weak_threshold=percent["weak_threshold"] / 100,
                    topic_threshold=percent["topic_threshold"] / 100, **ints)


def read_textspeak(data: dict) -> TextSpeak:
    """Validate textspeak.yaml into a TextSpeak whose keys are already tokenised."""
    w = "textspeak.yaml"
    check_keys(w, data, {"words", "phrases", "after_number", "digits", "units"})
    maps = {}
    for section in ("words", "phrases", "after_number", "digits"):
        table = data.get(section) or {}
        if not isinstance(table, dict):
            raise CatalogueError(f"{w}: {section}: expected a mapping of text -> replacement")
        for key, value in table.items():
            if not isinstance(key, (str, int)) or not isinstance(value, (str, type(None))):
                raise CatalogueError(f"{w}: {section}: {key!r}: expected text -> text")
        maps[section] = {str(k): tuple(raw_tokens(v or "")) for k, v in table.items()}
    words = {k: v for k, v in maps["words"].items()}
    base = TextSpeak(words=words)
    phrases = {}
    for key, value in maps["phrases"].items():
        tokens = tuple(normalise(key, base).tokens)
        if len(tokens) < 2:
            raise CatalogueError(f"{w}: phrases: {key!r}: a phrase needs two or more words")
        phrases[tokens] = value
    digits = {k: " ".join(v) for k, v in maps["digits"].items()}
    units = frozenset(word_list(f"{w}: units", data.get("units", [])))
    return TextSpeak(words=words, phrases=phrases, after_number=maps["after_number"],
                     digits=digits, units=units)


def read_keywords(data: dict) -> dict[str, str]:
    """Validate keywords.yaml into {word: result}."""
    check_keys("keywords.yaml", data, set(KEYWORD_RESULTS))
    table: dict[str, str] = {}
    for result, words in data.items():
        for i, word in enumerate(word_list(f"keywords.yaml: {result}", words), 1):
            word = word.strip().lower()
            if not word.isalnum():
                raise CatalogueError(f"keywords.yaml: {result}, word {i}: {word!r} must be one word")
            if word in table:
                raise CatalogueError(f"keywords.yaml: {result}, word {i}: {word!r} is already listed")
            table[word] = result
    return table


def read_realwords(text: str) -> frozenset[str]:
    """Read realwords.txt: one word a line, '#' starts a comment."""
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(w for w in words if w)


def _words(text: str, speak: TextSpeak, cache: dict) -> tuple[str, ...]:
    # runs of plain text repeat across a file's phrases ("my", "to the"): normalise each once
    if text not in cache:
        cache[text] = tokenise(text, speak)
    return cache[text]


def read_entries(where: str, items: Any, make: Callable[..., Callable], speak: TextSpeak,
                 settings: Settings, extra: set[str] = frozenset()) -> list[Entry]:
    """Validate a list of phrase entries and parse each into Entry records."""
    if not isinstance(items, list):
        raise CatalogueError(f"{where}: expected a list of phrases")
    out: list[Entry] = []
    seen: dict[str, int] = {}
    cache: dict[str, tuple[str, ...]] = {}

    def parse_phrase(at: str, text: str) -> list:
        return parse(at, text, lambda run: _words(run, speak, cache))

    for n, item in enumerate(items, 1):
        at = f"{where}, phrase {n}"
        item = {"phrase": item} if isinstance(item, str) or item is None else item
        if not isinstance(item, dict):
            raise CatalogueError(f"{at}: expected a phrase or a mapping with 'phrase', got {item!r}")
        check_keys(at, item, {"phrase", "threshold", "note"} | set(extra), {"phrase"})
        phrase = item["phrase"]
        if not isinstance(phrase, str) or not phrase.strip():
            raise CatalogueError(f"{at}: empty phrase")
        key = " ... ".join(normalise(part, speak).text for part in phrase.split("..."))
        if key in seen:
            raise CatalogueError(f"{at}: duplicate phrase {phrase!r} (same as phrase {seen[key]})")
        seen[key] = n
        threshold = _int(f"{at}: threshold", item.get("threshold", settings.threshold), 50, 100)
        build = make(at, item, threshold, parse_phrase)  # validates the entry's other keys
        out.extend(build(phrase, parse_phrase(at, phrase)))
    return out


def check_labels(where: str, found: set[str], allowed: tuple[str, ...], what: str):
    """Raise if a section names a topic id or risk kind that does not exist."""
    unknown = sorted(found - set(allowed))
    if unknown:
        raise CatalogueError(f"{where}: unknown {what} {unknown[0]!r}; "
                             f"expected one of {', '.join(allowed)}")


def read_text(read: Callable[[str], str], name: str, optional: bool = False) -> str | None:
    """Read one catalogue file's text; a missing optional file gives None."""
    try:
        return read(name)
    except FileNotFoundError:
        if optional:
            return None
        raise CatalogueError(f"{name}: cannot read the file (FileNotFoundError)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{name}: cannot read the file ({exc.__class__.__name__})") from None


def read_files(read: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Read every catalogue file through `read(name)`: (YAML ones parsed, raw texts)."""
    out, raw = {}, {}
    for name in FILES:
        raw[name] = text = read_text(read, name)
        out[name] = text if name.endswith(".txt") else parse_yaml(name, text)
    return out, raw


__all__ = ["CatalogueError", "CatalogueData", "Settings", "RISK_KINDS", "TOPICS", "Entry"]
