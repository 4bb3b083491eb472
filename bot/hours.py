"""Opening hours of the Parentline: weekly schedule, England-and-Wales bank holidays, edited closures."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import holidays
import yaml

from handoff.clock import LONDON
from responses.shared import load_yaml

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_FILE = Path(__file__).with_name("hours.yaml")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SMALL_HOURS_END = 6  # before 06:00 "tomorrow" is ambiguous, so the weekday is named instead


class HoursConfigError(ValueError):
    """A hours data file that cannot be used; the message names the file and the entry."""



@dataclass(frozen=True)
class HoursStatus:
    """Whether the line is open at `at`, and the next opening (closed) or this period's close (open)."""

    at: datetime
    open: bool
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    def to_dict(self) -> dict:
        """JSON-ready form with ISO 8601 timestamps carrying their UTC offset."""
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"at": iso(self.at), "open": self.open, "opens_at": iso(self.opens_at), "closes_at": iso(self.closes_at)}


class OpeningHours:
    """Opening-hours rules; every question takes an aware `now` and never reads the clock."""

    def __init__(self, weekly, closures=None, changed_hours=None, source="<memory>"):
        self.weekly = dict(weekly)  # weekday 0-6 -> (open time, close time) or None
        self.closures = dict(closures or {})  # date -> reason
        self.changed_hours = dict(changed_hours or {})  # date -> (open time, close time)
        self.source = str(source)
        self.bank_holidays = holidays.country_holidays("GB", subdiv="ENG")  # expands years on lookup

    def closed_reason(self, day: date) -> str | None:
        """Why `day` is closed beyond the weekly schedule (extra closure or bank holiday), else None."""
        if day in self.closures:
            return self.closures[day] or "closed"
        if day in self.changed_hours:
            return None
        return self.bank_holidays.get(day)

    def period(self, day: date) -> tuple[datetime, datetime] | None:
        """The (open, close) London-aware datetimes of `day`, or None when closed all day."""
        hours = None if self.closed_reason(day) else self.changed_hours.get(day) or self.weekly.get(day.weekday())
        if not hours:
            return None
        return datetime.combine(day, hours[0], LONDON), datetime.combine(day, hours[1], LONDON)

    def status(self, now: datetime) -> HoursStatus:
        """Open or closed at `now`, with the edge the caller needs (closes_at or opens_at)."""
        utc = _utc(now)
        local = utc.astimezone(LONDON)
        today = self.period(local.date())
        if today and _utc(today[0]) <= utc < _utc(today[1]):
            return HoursStatus(at=now, open=True, closes_at=today[1])
        return HoursStatus(at=now, open=False, opens_at=self.next_opening(now))

    def is_open(self, now: datetime) -> bool:
        """True when nurses are answering at `now`."""
        return self.status(now).open

    def next_opening(self, now: datetime) -> datetime:
        """The first opening strictly after `now` (when open: the next period's start)."""
        utc = _utc(now)
        day = utc.astimezone(LONDON).date()
        for _ in range(3700):
            p = self.period(day)
            if p and _utc(p[0]) > utc:
                return p[0]
            day += timedelta(days=1)
        raise HoursConfigError(f"{self.source}: the line never opens again")

    def opened_at(self, now: datetime) -> datetime | None:
        """When the open period `now` is in began; None when closed."""
        utc = _utc(now)
        today = self.period(utc.astimezone(LONDON).date())
        return today[0] if today and _utc(today[0]) <= utc < _utc(today[1]) else None

    def last_closing(self, now: datetime) -> datetime:
        """The latest closing at or before `now` (the start of the closed spell `now` is in, when closed)."""
        utc = _utc(now)
        day = utc.astimezone(LONDON).date()
        for _ in range(3700):
            p = self.period(day)
            if p and _utc(p[1]) <= utc:
                return p[1]
            day -= timedelta(days=1)
        raise HoursConfigError(f"{self.source}: the line was never open before {now.isoformat()}")

    def back_at(self, now: datetime) -> str:
        """When nurses are back, in words relative to `now` in London: "now", "today at 9am", "Monday at 8am"."""
        st = self.status(now)
        if st.open:
            return "now"
        local, when = _utc(now).astimezone(LONDON), st.opens_at
        gap = (when.date() - local.date()).days
        between = (local.date() + timedelta(days=i) for i in range(gap))
        clock = _clock(when.time())
        if gap == 0:
            return f"today at {clock}"
        if gap == 1 and local.hour >= SMALL_HOURS_END:
            return f"tomorrow at {clock}"
        if gap <= 6 and not any(self.closed_reason(d) for d in between):
            return f"{when:%A} at {clock}"
        return f"{when:%A} {when.day} {when:%B} at {clock}"


def _utc(now: datetime) -> datetime:
    """`now` in UTC; naive datetimes are refused."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got {now!r}")
    return now.astimezone(timezone.utc)


def _clock(t: time) -> str:
    """8am, 8:30am, 1pm."""
    hour = t.hour % 12 or 12
    return f"{hour}{'' if not t.minute else f':{t.minute:02d}'}{'am' if t.hour < 12 else 'pm'}"


def _parse_time(value, where: str) -> time:
    """A "HH:MM" time from the data file."""
    m = _TIME.match(str(value).strip()) if isinstance(value, str) else None
    if not m:
        raise HoursConfigError(f"{where}: time {value!r} is not HH:MM, e.g. \"08:00\"")
    return time(int(m[1]), int(m[2]))


def _parse_hours(entry, where: str, extra=()) -> tuple[time, time]:
    """An {open, close} mapping (plus allowed `extra` keys) -> (open, close) with close after open."""
    if not isinstance(entry, dict):
        raise HoursConfigError(f"{where}: expected open and close times, got {entry!r}")
    _keys(entry, {"open", "close", *extra}, {"open", "close"}, where)
    opens, closes = _parse_time(entry["open"], where), _parse_time(entry["close"], where)
    if closes <= opens:
        raise HoursConfigError(f"{where}: close {entry['close']} is not after open {entry['open']}")
    return opens, closes


def _parse_date(value, where: str) -> date:
    """A YYYY-MM-DD date from the data file."""
    try:
        if isinstance(value, str) and _DATE.match(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise HoursConfigError(f"{where}: date {value!r} is not a real YYYY-MM-DD date")


def _keys(entry: dict, allowed: set, required: set, where: str) -> None:
    """Refuse unknown or missing keys."""
    unknown = sorted(map(str, set(entry) - allowed))
    missing = sorted(required - set(entry))
    if unknown:
        raise HoursConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    if missing:
        raise HoursConfigError(f"{where}: missing {', '.join(missing)}")


def _dated_list(data: dict, key: str, src: str, parse) -> dict:
    """Parse a list of dated entries into {date: parse(entry, where)}, refusing duplicate dates."""
    items = data.get(key) or []
    if not isinstance(items, list):
        raise HoursConfigError(f"{src}: {key} must be a list (use [] for none)")
    out = {}
    for i, entry in enumerate(items):
        where = f"{src}: {key}[{i}] {entry!r}"
        if not isinstance(entry, dict) or "date" not in entry:
            raise HoursConfigError(f"{where}: each entry needs a date")
        day = _parse_date(entry["date"], where)
        if day in out:
            raise HoursConfigError(f"{where}: {day} is listed twice")
        out[day] = parse(entry, where)
    return out


def _closure(entry: dict, where: str) -> str:
    """A closure entry -> its reason."""
    _keys(entry, {"date", "reason"}, {"date"}, where)
    return str(entry.get("reason") or "")


def load_hours(path: str | Path | None = None) -> OpeningHours:
    """Load and validate the hours data file (default: the packaged bot/hours.yaml)."""
    src = Path(path) if path else DEFAULT_FILE
    try:
        data = load_yaml(src.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HoursConfigError(f"{src}: cannot read hours file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise HoursConfigError(f"{src}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise HoursConfigError(f"{src}: expected keys weekly, closures, changed_hours")
    _keys(data, {"weekly", "closures", "changed_hours"}, {"weekly"}, str(src))
    week = data["weekly"]
    if not isinstance(week, dict):
        raise HoursConfigError(f"{src}: weekly must map each day to open/close times or closed")
    _keys(week, set(DAYS), set(DAYS), f"{src}: weekly")
    weekly = {}
    for i, name in enumerate(DAYS):
        value = week[name]
        closed = value is None or value is False or str(value).strip().lower() == "closed"
        weekly[i] = None if closed else _parse_hours(value, f"{src}: weekly.{name} {value!r}")
    if not any(weekly.values()):
        raise HoursConfigError(f"{src}: weekly: every day is closed")
    closures = _dated_list(data, "closures", str(src), _closure)
    changed = _dated_list(data, "changed_hours", str(src), lambda e, w: _parse_hours(e, w, {"date", "reason"}))
    both = sorted(set(closures) & set(changed))
    if both:
        raise HoursConfigError(f"{src}: {both[0]} is in both closures and changed_hours; keep one")
    return OpeningHours(weekly, closures, changed, source=src)
