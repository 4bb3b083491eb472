"""The header's navigation: each staff area adds its link once, shown to the roles that may open it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for

from handoff.models import User
from handoff.web.auth import ALLOWED


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    role: str  # a key of auth.ALLOWED: who sees the link
    blueprints: tuple[str, ...]  # pages of these blueprints belong to the item's section


def add_nav_item(app: Flask, text: str, endpoint: str, role: str = "nurse", blueprints: tuple[str, ...] = ()) -> None:
    """Add a header link for users with the role; links show in the order they are added."""
    if role not in ALLOWED:
        raise ValueError(f"nav item {text!r}: role must be one of {sorted(ALLOWED)}, not {role!r}")
    app.extensions.setdefault("staff_nav", []).append(NavItem(text, endpoint, role, blueprints))


def nav_items(user: User | None) -> list[dict[str, Any]]:
    """The header links this user may follow, marking the page (current) or section (active) they are in."""
    if user is None:
        return []
    items = []
    for item in current_app.extensions.get("staff_nav", []):
        if user.role in ALLOWED[item.role]:
            current = request.endpoint == item.endpoint
            items.append({"text": item.text, "href": url_for(item.endpoint), "current": current,
                          "active": not current and request.blueprint in item.blueprints})
    return items
