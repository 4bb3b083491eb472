"""Regression over the fresh evaluation sets in data/: risk stays caught, grief stays calm."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

SETS = sorted((Path(__file__).parent / "data").glob("fresh_set*.jsonl"))


def _rows() -> list[dict]:
    return [json.loads(line) for path in SETS for line in path.read_text().splitlines() if line.strip()]


def test_the_sets_are_there():
    assert len(SETS) == 15 and len(_rows()) > 3300


def test_risk_recall_and_false_alarms_hold(catalogue):
    rows = _rows()
    risky = [r for r in rows if r["risk"] is True]
    calm = [r for r in rows if r["risk"] is False]
    missed = [r["body"] for r in risky if not catalogue.triage(r["body"]).risk]
    alarms = [r["body"] for r in calm if catalogue.triage(r["body"]).risk]
    assert len(missed) <= len(risky) // 100, missed  # at most 1% missed
    assert len(alarms) <= len(calm) // 100, alarms  # at most 1% false alarms


@pytest.mark.parametrize("kind", ["risk_self", "risk_others", "medical_urgent"])
def test_every_kind_is_caught(catalogue, kind):
    rows = [r for r in _rows() if r["risk"] is True and r["category"] == kind]
    caught = sum(catalogue.triage(r["body"]).risk for r in rows)
    assert rows and caught >= len(rows) - 1, (kind, caught, len(rows))
