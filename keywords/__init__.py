"""Keyword triage for the baby-loss Parentline: risk first, then topics, typo-tolerant.

Pure: stdlib, rapidfuzz, PyYAML and scikit-learn (to train the risk model) only. No Flask, no
database, no network.

    cat = load_catalogue()          # keywords/catalogue/*.yaml, validated and compiled once
    t = cat.triage("text")          # -> Triage(risk, risk_kind, risk_score, risk_phrases, topics, ...)
    save_risk_model()               # train risk_model.json from risk_examples.txt and save it
    cat.keyword("STOP")             # -> "stop" (only when the whole message is the keyword)
"""
from .engine import Catalogue, load_catalogue, save_risk_model
from .loader import CatalogueError
from .schema import RISK_KINDS, TOPICS
from .triage import Match, Triage

__all__ = ["load_catalogue", "save_risk_model", "Catalogue", "CatalogueError", "Triage", "Match",
           "TOPICS", "RISK_KINDS"]
