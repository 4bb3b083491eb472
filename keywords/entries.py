"""Turn risk.yaml, topics.yaml and guards.yaml into compiled entries, cross-checking names."""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import replace
from typing import Callable

from .loader import (CatalogueData, CatalogueError, Settings, word_list, check_keys, check_labels,
                     read_entries, read_files, read_keywords, read_realwords, read_settings,
                     read_text, read_textspeak)
from .model import EXAMPLES_FILE, RiskModel, read_examples, stamp
from .language import Language, iso_code_known
from .normalise import TextSpeak, normalise
from .schema import MODEL_FILE, MODEL_SOURCES, RISK_KINDS, TOPICS, Entry

log = logging.getLogger(__name__)
_RISK_EXTRA = {"with", "near", "unsafe", "unless", "weak"}
_TOPIC_EXTRA = {"with", "near", "unless"}
_GUARD_EXTRA = {"blocks", "with", "near"}
_PHRASE_WORDS = re.compile(r"[a-z0-9]+")


def _maker(kind: str, label: str) -> Callable:
    def make(where: str, item: dict, threshold: int, parse: Callable) -> Callable:
        unsafe, weak = item.get("unsafe", False), item.get("weak", False)
        for key, value in (("unsafe", unsafe), ("weak", weak)):
            if not isinstance(value, bool):
                raise CatalogueError(f"{where}: {key}: expected true or false, got {value!r}")
        context = item.get("with")
        if context is not None and not isinstance(context, str):
            raise CatalogueError(f"{where}: with: expected the name of a context, got {context!r}")
        near = item.get("near")
        if near is not None and (context is None or isinstance(near, bool)
                                 or not isinstance(near, int) or not 0 <= near <= 30):
            raise CatalogueError(f"{where}: near: expected 0-30 words, with a 'with:' context")
        blocks = item.get("blocks", list(RISK_KINDS))
        if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks) or not blocks:
            raise CatalogueError(f"{where}: blocks: expected a list of risk kinds or topic ids")
        check_labels(f"{where}: blocks", set(blocks), RISK_KINDS + TOPICS, "risk kind or topic")
        blocked = frozenset(blocks) if kind == "guard" else frozenset()
        unless = item.get("unless")
        if unless is not None and (not isinstance(unless, list) or not unless
                                   or not all(isinstance(u, str) and u.strip() for u in unless)):
            raise CatalogueError(f"{where}: unless: expected a list of phrases")
        # "unless" phrases become entries of their own, tied to this one by a private label
        tag = f"unless:{where}" if unless else None
        follows = [Entry(phrase=u, pattern=parse(f"{where}: unless", u), kind="unless", label=tag,
                         threshold=threshold, where=where) for u in unless or ()]

        def build(phrase: str, pattern: list) -> list[Entry]:
            return [Entry(phrase=phrase, pattern=pattern, kind=kind, label=label,
                          threshold=threshold, context=context, unsafe=unsafe, blocks=blocked,
                          unless=tag, where=where, near=near, weak=weak)] + follows
        return build
    return make


def _contexts(name: str, data: dict, speak: TextSpeak, settings: Settings) -> list[Entry]:
    table = data.get("contexts") or {}
    if not isinstance(table, dict):
        raise CatalogueError(f"{name}: contexts: expected a mapping of name -> list of phrases")
    out = []
    for ctx, items in table.items():
        out += read_entries(f"{name}: context {ctx!r}", items, _maker("context", str(ctx)),
                            speak, settings)
    return out


def _risk(data: dict, speak: TextSpeak, settings: Settings) -> list[Entry]:
    check_keys("risk.yaml", data, {"contexts", *RISK_KINDS}, set(RISK_KINDS))
    out = _contexts("risk.yaml", data, speak, settings)
    for kind in RISK_KINDS:
        out += read_entries(f"risk.yaml: {kind}", data[kind], _maker("risk", kind), speak,
                            settings, _RISK_EXTRA)
    return out


def _topics(data: dict, speak: TextSpeak, settings: Settings) -> list[Entry]:
    check_keys("topics.yaml", data, {"contexts", "topics"}, {"topics"})
    table = data["topics"]
    if not isinstance(table, dict):
        raise CatalogueError("topics.yaml: topics: expected a mapping of topic id -> phrases")
    check_labels("topics.yaml: topics", set(map(str, table)), TOPICS, "topic")
    out = _contexts("topics.yaml", data, speak, settings)
    for topic, items in table.items():
        out += read_entries(f"topics.yaml: topic {topic!r}", items, _maker("topic", topic),
                            speak, settings, _TOPIC_EXTRA)
    return out


def foreign_speak(data: dict, speak: TextSpeak) -> TextSpeak:
    """The text-speak used for texts in another language: English text-speak less the words
    that are common words there (Polish "od" is "from", not an overdose)."""
    off = set(word_list("languages.yaml: not_textspeak", data.get("not_textspeak", [])))
    return replace(speak, words={k: v for k, v in speak.words.items() if k not in off})


def _languages(data: dict, speak: TextSpeak, settings: Settings) -> tuple[list[Entry], tuple[Language, ...]]:
    out, languages = [], []
    for code, section in data.items():
        if code == "not_textspeak":
            continue
        where = f"languages.yaml: {code}"
        if not isinstance(code, str) or not iso_code_known(code) or code == "en":
            raise CatalogueError(f"{where}: expected a two-letter ISO 639-1 code of a language "
                                 f"other than English")
        if not isinstance(section, dict):
            raise CatalogueError(f"{where}: expected a mapping with name and phrases")
        check_keys(where, section, {"name", "contexts", "topics", *RISK_KINDS}, {"name"})
        if not isinstance(section["name"], str) or not section["name"].strip():
            raise CatalogueError(f"{where}: name: expected the language's name")
        languages.append(Language(code, section["name"].strip()))
        out += _contexts(where, section, speak, settings)
        for kind in RISK_KINDS:
            out += read_entries(f"{where}: {kind}", section.get(kind) or [], _maker("risk", kind),
                                speak, settings, _RISK_EXTRA)
        topics = section.get("topics") or {}
        if not isinstance(topics, dict):
            raise CatalogueError(f"{where}: topics: expected a mapping of topic id -> phrases")
        check_labels(f"{where}: topics", set(map(str, topics)), TOPICS, "topic")
        for topic, items in topics.items():
            out += read_entries(f"{where}: topic {topic!r}", items, _maker("topic", topic),
                                speak, settings, _TOPIC_EXTRA)
    return out, tuple(languages)


def _guards(data: dict, speak: TextSpeak, settings: Settings) -> list[Entry]:
    check_keys("guards.yaml", data, {"guards"}, {"guards"})
    return read_entries("guards.yaml: guards", data["guards"], _maker("guard", "guard"), speak,
                        settings, _GUARD_EXTRA)


def _check_contexts(entries: list[Entry]):
    names = {e.label for e in entries if e.kind == "context"}
    for e in entries:
        if e.context is not None and e.context not in names:
            raise CatalogueError(f"{e.where}: with: unknown context {e.context!r}; "
                                 f"defined: {', '.join(sorted(names)) or 'none'}")


def load_data(read: Callable[[str], str]) -> CatalogueData:
    """Read and validate a whole catalogue folder through `read(name) -> text`."""
    files, raw = read_files(read)
    settings = read_settings(files["settings.yaml"])
    speak = read_textspeak(files["textspeak.yaml"])
    entries = (_risk(files["risk.yaml"], speak, settings)
               + _topics(files["topics.yaml"], speak, settings)
               + _guards(files["guards.yaml"], speak, settings))
    abroad = foreign_speak(files["languages.yaml"], speak)
    foreign, languages = _languages(files["languages.yaml"], abroad, settings)
    english = frozenset(w for e in entries for w in _PHRASE_WORDS.findall(normalise(e.phrase, speak).text))
    entries += foreign
    _check_contexts(entries)
    source = stamp({name: raw[name] for name in MODEL_SOURCES})
    saved = read_text(read, MODEL_FILE, optional=True)
    model = None
    if saved is not None:
        try:
            model = RiskModel.from_json(saved)
        except CatalogueError as exc:  # derived from the examples: train it again instead
            log.warning("%s; training the risk model from the examples instead", exc)
    return CatalogueData(settings=settings, speak=speak, entries=tuple(entries),
                         keywords=read_keywords(files["keywords.yaml"]),
                         realwords=read_realwords(files["realwords.txt"]),
                         examples=read_examples(raw[EXAMPLES_FILE]),
                         model=model if model is not None and model.source == source else None,
                         source=source, version=_version(raw), languages=languages,
                         english=english, foreign_speak=abroad)


def _version(raw: dict[str, str]) -> str:
    """A short hash of every catalogue file as read: which rules were in force."""
    digest = hashlib.sha256()
    for name in sorted(raw):
        digest.update(b"\0" + name.encode() + b"\0" + raw[name].encode("utf-8"))
    return digest.hexdigest()[:16]
