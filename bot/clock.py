"""The one clock: every decision about time reads it through `now()`.

Tests move time with time-machine, which patches `datetime.now`; nothing here caches on
`time.monotonic` and nothing asks the database for its `now()`.
"""
from datetime import datetime, timezone


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
