"""The pure parts the pipeline needs, loaded and checked once at start-up."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from bot.hours import OpeningHours, load_hours
from keywords import Catalogue, load_catalogue
from responses import Replies, load_replies


@dataclass(frozen=True)
class Services:
    catalogue: Catalogue
    replies: Replies
    hours: OpeningHours
    burst_minutes: int = 10
    answer_twilio_help: bool = False
    quiet_topics: frozenset[str] = field(default_factory=lambda: frozenset({"greeting"}))

    @property
    def versions(self) -> dict[str, str]:
        """The rules in force, stored with every bot reply: catalogue files and model weights."""
        return {"catalogue_version": f"keywords {self.catalogue.version} replies {self.replies.version}",
                "model_version": self.catalogue.model_version}


def load_services(config: Mapping[str, Any]) -> Services:
    """Load the keyword catalogue, the replies and the hours; a broken file stops start-up."""
    return Services(
        # production never trains the risk model inside a web worker: stale weights stop start-up
        catalogue=_catalogue(config.get("KEYWORDS_DIR"), config.get("HELPLINE_ENV") != "production"),
        replies=_replies(config.get("REPLIES_FILE")),
        hours=_hours(config.get("HOURS_FILE")),
        burst_minutes=int(config.get("BURST_MINUTES") or 10),
        answer_twilio_help=bool(config.get("ANSWER_TWILIO_HELP")),
    )


# Loaded once per process and path: several apps in one process (tests) share the compiled
# catalogues, which are read-only. A restart reads the files again.
@lru_cache(maxsize=8)
def _catalogue(directory: str | None, train: bool = True) -> Catalogue:
    return load_catalogue(Path(directory) if directory else None, train=train)


@lru_cache(maxsize=8)
def _replies(path: str | None) -> Replies:
    return load_replies(path)


@lru_cache(maxsize=8)
def _hours(path: str | None) -> OpeningHours:
    return load_hours(path)
