"""What keywords/ and responses/ share: the vocabulary of topics and risk kinds, and the one
strict YAML loader every catalogue and data file is read with.

It lives here, in the smaller pure package, so that `keywords` can import it without pulling in
anything heavier, and `responses` still imports nothing of `keywords`.
"""
from __future__ import annotations

from typing import Any

import yaml

RISK_KINDS = ("risk_self", "risk_others", "medical_urgent")
# Most important first: a triage's topics are ordered this way and replies use the first two, so
# a question about bleeding leads, then a loss type, and what the parent asks about (hours) comes before how (a human).
TOPICS = (
    "confidential", "teen", "bleeding", "sudden_infant_death", "stillbirth", "neonatal_death",
    "late_loss", "miscarriage", "loss", "practical", "low_mood", "trauma", "next_pregnancy",
    "physical_recovery", "siblings", "partner_relationship", "friends_family", "memories",
    "support_groups", "hours", "human", "stop_request", "greeting", "off_topic",
)
# the kinds of loss: they pick the organisation a practical reply names, and a gestation's band
LOSS_TOPICS = ("miscarriage", "late_loss", "stillbirth", "neonatal_death", "sudden_infant_death")


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML that refuses a key written twice (PyYAML would keep the last one silently) and
    leaves times and dates (18:00, 2026-12-24) as text for the file's own checks."""


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


def _int_or_text(loader, node):
    # YAML 1.1 reads 18:00 as the base-60 number 1080: keep it as text
    return node.value if ":" in node.value else yaml.SafeLoader.construct_yaml_int(loader, node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)
StrictLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def load_yaml(text: str) -> Any:
    """Parse YAML text strictly; raises yaml.YAMLError (a duplicate key is one)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
