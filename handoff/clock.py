"""The one clock: every decision about time reads it through `now()`.

Tests freeze and move time with time-machine (the `frozen_clock` fixture), which patches
`datetime.now`; nothing here caches on `time.monotonic` and nothing asks the database for its
`now()`. `LONDON` is the service's one time zone: hours, staff pages and the CLI all read it.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
