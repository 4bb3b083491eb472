"""Keyword triage for the baby-loss Parentline: risk first, then topics, typo-tolerant.

Pure: stdlib, rapidfuzz and PyYAML only. No Flask, no database, no network.

    cat = load_catalogue()          # keywords/catalogue/*.yaml, validated and compiled once
    t = cat.triage("text")          # -> Triage(risk, risk_kind, risk_phrases, topics, ...)
    whole_message_keyword("STOP")   # -> "stop" (only when the whole message is the keyword)
"""
from .engine import Catalogue, load_catalogue, whole_message_keyword
from .loader import CatalogueError
from .schema import RISK_KINDS, TOPICS
from .triage import Match, Triage

__all__ = ["load_catalogue", "Catalogue", "CatalogueError", "Triage", "Match",
           "whole_message_keyword", "TOPICS", "RISK_KINDS"]
