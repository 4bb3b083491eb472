"""Read replies.yaml, check its shape, and lint it: a broken catalogue stops start-up."""
import hashlib
from importlib import resources
from pathlib import Path

import yaml

from .composer import Replies
from .lint import lint
from .shared import load_yaml
from .schema import (CANNED_COUNT, CANNED_FIELDS, ENTRY_FIELDS, LANGUAGE_BUDGET, SECTIONS, Reply,
                     RepliesError, cap_for)

RESOURCE = "replies.yaml"



def load_replies(path=None) -> Replies:
    """Load and lint the reply catalogue (the packaged replies.yaml unless a path is given)."""
    if path is None:
        source = resources.files(__package__).joinpath(RESOURCE)
    else:
        source = Path(path)
    try:
        raw = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RepliesError(source, [("file", f"cannot be read: {e}")]) from e
    replies = parse(raw, str(source))
    problems = lint(replies)
    if problems:
        raise RepliesError(source, problems)
    return replies


def parse(raw: str, source: str = "<string>") -> Replies:
    """Build a Replies from YAML text, checking keys and field types (not the wording)."""
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as e:
        raise RepliesError(source, [("YAML", f"is not valid YAML: {e}")]) from e
    if not isinstance(data, dict):
        raise RepliesError(source, [("file", "must be a mapping of sections (parts, risks, ...)")])
    problems, entries = [], {}
    for key in data:
        if key not in SECTIONS and key not in ("canned", "languages"):
            problems.append((str(key), f"unknown section; expected {', '.join([*SECTIONS, 'canned', 'languages'])}"))
    for section, ids in SECTIONS.items():
        items = data.get(section)
        if not isinstance(items, dict):
            problems.append((section, "missing section (a mapping of reply ids to entries)"))
            continue
        for key in items:
            if key not in ids:
                problems.append((f"{section}.{key}", f"unknown reply id; expected one of {', '.join(ids)}"))
        for reply_id in ids:
            if reply_id not in items:
                problems.append((f"{section}.{reply_id}", "missing required reply"))
                continue
            reply = _entry(f"{section}.{reply_id}", items[reply_id], ENTRY_FIELDS, problems)
            if reply:
                entries[reply.id] = reply
    canned = _canned(data.get("canned"), problems)
    languages = _languages(data.get("languages") or {}, problems)
    if problems:
        raise RepliesError(source, problems)
    return Replies(entries, canned, source, hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16],
                   languages)


def _languages(items, problems) -> dict[str, tuple[Reply, bool]]:
    """languages: code -> {text, reviewed}: the message in that language, off until reviewed."""
    if not isinstance(items, dict):
        problems.append(("languages", "must map language codes (pl, lt ...) to {text, reviewed}"))
        return {}
    out = {}
    for code, item in items.items():
        where = f"languages.{code}"
        if not isinstance(code, str) or not code.isalpha() or len(code) != 2 or code != code.lower():
            problems.append((where, "must be a two-letter ISO 639-1 code such as pl"))
            continue
        reviewed = item.get("reviewed") if isinstance(item, dict) else None
        if not isinstance(reviewed, bool):
            problems.append((where, "`reviewed` must be true (a fluent speaker has checked the text) or false"))
            continue
        reply = _entry(where, {k: v for k, v in item.items() if k != "reviewed"}, {"text", "signpost"}, problems,
                       cap=LANGUAGE_BUDGET)
        if reply:
            out[code] = (reply, reviewed)
    return out


def _canned(items, problems) -> list[Reply]:
    if not isinstance(items, list):
        problems.append(("canned", "missing section (a list of entries with id, label and text)"))
        return []
    out, seen = [], set()
    for n, item in enumerate(items, 1):
        cid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(cid, str) or not cid.strip():
            problems.append((f"canned[{n}]", "needs an id"))
            continue
        if cid in seen:
            problems.append((f"canned.{cid}", "id used twice"))
        seen.add(cid)
        reply = _entry(f"canned.{cid}", item, CANNED_FIELDS, problems)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append((f"canned.{cid}", "needs a label (what nurses see in the menu)"))
        elif reply:
            out.append(Reply(reply.id, reply.text, reply.budget, reply.signpost, label.strip()))
    low, high = CANNED_COUNT
    if not low <= len(items) <= high:
        problems.append(("canned", f"has {len(items)} replies; want {low} to {high}"))
    return out


def _entry(entry_id: str, item, fields, problems, cap: int | None = None) -> Reply | None:
    """Check one entry's fields and types; record problems and return None when unusable."""
    if not isinstance(item, dict):
        problems.append((entry_id, "must be a mapping with at least `text`"))
        return None
    for key in item:
        if key not in fields:
            problems.append((entry_id, f"unknown field {key!r}; expected {', '.join(sorted(fields))}"))
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append((entry_id, "`text` must be a non-empty string (quote it if in doubt)"))
        return None
    cap = cap or cap_for(entry_id)
    budget = item.get("budget", cap)
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= cap:
        problems.append((entry_id, f"`budget` must be a whole number of segments from 1 to {cap}"))
        return None
    signpost = item.get("signpost", [])
    signpost = [signpost] if isinstance(signpost, str) else signpost
    if not isinstance(signpost, list) or not all(isinstance(s, str) and s.strip() for s in signpost):
        problems.append((entry_id, "`signpost` must be a string or a list of strings"))
        return None
    return Reply(entry_id, text.strip(), budget, tuple(s.strip() for s in signpost))
