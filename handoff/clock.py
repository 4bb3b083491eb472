"""The one clock: every decision about time reads it through `now()`.

Tests freeze and move time with time-machine (the `frozen_clock` fixture), which patches
`datetime.now`; nothing here caches on `time.monotonic` and nothing asks the database for its
`now()`. `LONDON` is the service's one time zone: hours, staff pages and the CLI all read it.
`OpeningTimes` is what `handoff` needs of the opening hours, which `bot.hours` loads.
"""
from datetime import date, datetime, timezone
from typing import Optional, Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class OpeningTimes(Protocol):
    """The opening hours as the jobs ask them (`bot.hours.OpeningHours` answers)."""

    def is_open(self, now: datetime) -> bool:
        """True when nurses are answering at `now`."""

    def opened_at(self, now: datetime) -> Optional[datetime]:
        """When the open period `now` is in began; None when closed."""

    def next_opening(self, now: datetime) -> datetime:
        """The first opening strictly after `now`."""

    def last_closing(self, now: datetime) -> datetime:
        """The latest closing at or before `now`."""

    def period(self, day: date) -> Optional[tuple[datetime, datetime]]:
        """The (open, close) times of `day`, or None when closed all day."""


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
