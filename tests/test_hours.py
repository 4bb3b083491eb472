"""Opening hours: schedule edges, bank holidays, clock changes, wording and the data file."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.hours import HoursConfigError, HoursStatus, OpeningHours, load_hours
from handoff.clock import LONDON


def at(y, mo, d, h=12, mi=0, s=0):
    """A Europe/London aware datetime."""
    return datetime(y, mo, d, h, mi, s, tzinfo=LONDON)


@pytest.fixture(scope="module")
def hours() -> OpeningHours:
    """The packaged schedule."""
    return load_hours()


@pytest.mark.parametrize("when, is_open", [
    (at(2026, 11, 30, 7, 59, 59), False), (at(2026, 11, 30, 8), True),  # Monday
    (at(2026, 12, 2, 17, 59, 59), True), (at(2026, 12, 2, 18), False),  # Wednesday
    (at(2026, 11, 28, 8, 59, 59), False), (at(2026, 11, 28, 9), True),  # Saturday
    (at(2026, 11, 28, 12, 59, 59), True), (at(2026, 11, 28, 13), False),
    (at(2026, 11, 29, 12), False),  # Sunday
    (at(2026, 4, 3, 12), False), (at(2026, 4, 6, 12), False),  # Good Friday, Easter Monday
    (at(2026, 4, 7, 8), True),
])
def test_edges(hours, when, is_open):
    assert hours.is_open(when) is is_open


def test_status_fields(hours):
    st = hours.status(at(2026, 11, 30, 9))
    assert st == HoursStatus(at=at(2026, 11, 30, 9), open=True, closes_at=at(2026, 11, 30, 18))
    assert hours.status(at(2026, 11, 30, 7)).opens_at == at(2026, 11, 30, 8)
    assert hours.next_opening(at(2026, 11, 30, 9)) == at(2026, 12, 1, 8)  # open: the next period
    with pytest.raises(ValueError):
        hours.status(datetime(2026, 11, 30, 9))
    with pytest.raises(AttributeError):
        st.open = False


def test_instant_in_other_zone(hours):
    """An instant given in UTC or New York is judged by London wall-clock time."""
    utc = datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)  # 08:00 BST
    assert hours.is_open(utc) and not hours.is_open(utc - timedelta(seconds=1))
    assert hours.is_open(utc.astimezone(ZoneInfo("America/New_York")))
    assert hours.status(utc).at is utc


def test_christmas_2026(hours):
    for day in (25, 26, 27, 28):
        assert not hours.is_open(at(2026, 12, day, 12)), day
    assert hours.next_opening(at(2026, 12, 24, 18)) == at(2026, 12, 29, 8)  # Saturday Boxing Day closed
    assert hours.back_at(at(2026, 12, 24, 18, 30)) == "Tuesday 29 December at 8am"


def test_new_year_2028(hours):
    assert not hours.is_open(at(2028, 1, 1, 10)) and not hours.is_open(at(2028, 1, 3, 12))
    assert hours.next_opening(at(2027, 12, 31, 18)) == at(2028, 1, 4, 8)


@pytest.mark.parametrize("day, offset", [(date(2026, 3, 30), "+01:00"), (date(2026, 10, 26), "+00:00")])
def test_morning_after_clock_change(hours, day, offset):
    early, eight = datetime.combine(day, time(7, 30), LONDON), datetime.combine(day, time(8), LONDON)
    d = hours.status(early).to_dict()
    assert d == {"at": f"{day}T07:30:00{offset}", "open": False, "opens_at": f"{day}T08:00:00{offset}", "closes_at": None}
    assert hours.status(eight).to_dict()["closes_at"] == f"{day}T18:00:00{offset}"
    sunday = datetime.combine(day - timedelta(days=1), time(3), LONDON)
    assert hours.next_opening(sunday) == eight


@pytest.mark.parametrize("when, words", [
    (at(2026, 11, 29, 3), "Monday at 8am"),  # small hours: "tomorrow" would be ambiguous
    (at(2026, 11, 29, 20), "tomorrow at 8am"),
    (at(2026, 11, 27, 18, 30), "tomorrow at 9am"),
    (at(2026, 11, 28, 13), "Monday at 8am"),
    (at(2026, 11, 30, 7), "today at 8am"),
    (at(2026, 11, 30, 9), "now"),
    (at(2026, 4, 4, 13), "Tuesday 7 April at 8am"),  # Easter Monday in between
])
def test_back_at(hours, when, words):
    assert hours.back_at(when) == words


def test_govuk_feed_2019_2028(hours):
    """Every GOV.UK weekday bank holiday is closed all day; every other weekday is open at noon."""
    from govuk_bank_holidays.bank_holidays import BankHolidays

    feed = BankHolidays(use_cached_holidays=True).get_holidays(BankHolidays.ENGLAND_AND_WALES)
    gov = {e["date"] for e in feed}
    day, checked = date(2019, 1, 1), 0
    while day <= date(2028, 12, 31):
        if day.weekday() < 5:
            if day in gov:
                assert hours.period(day) is None, day
            else:
                assert hours.is_open(datetime.combine(day, time(12), LONDON)), day
            checked += 1
        day += timedelta(days=1)
    assert checked > 2600 and len({d for d in gov if d.year >= 2019}) > 70


WEEK = "weekly:\n" + "".join(f"  {d}: {{open: '08:00', close: '18:00'}}\n" for d in
                                ("monday", "tuesday", "wednesday", "thursday", "friday")) + \
    "  saturday: {open: '09:00', close: '13:00'}\n  sunday: closed\n"


def write(tmp_path, extra="closures: []\nchanged_hours: []\n", week=WEEK):
    """A data file with the default week (or `week`) plus `extra`."""
    path = tmp_path / "hours.yaml"
    path.write_text(week + extra)
    return path


def test_data_file_closure_and_changed_hours(tmp_path):
    path = write(tmp_path, "closures:\n  - {date: 2026-12-23, reason: staff training}\n"
                           "changed_hours:\n  - {date: 2026-12-31, open: 08:00, close: 12:30}\n"
                           "  - {date: 2026-12-28, open: '10:00', close: '14:00'}\n")
    h = load_hours(str(path))
    assert not h.is_open(at(2026, 12, 23, 12)) and h.is_open(at(2026, 12, 22, 12))
    assert h.next_opening(at(2026, 12, 22, 18)) == at(2026, 12, 24, 8)
    assert h.status(at(2026, 12, 31, 9)).closes_at == at(2026, 12, 31, 12, 30)
    assert not h.is_open(at(2026, 12, 31, 12, 30))
    assert h.back_at(at(2026, 12, 31, 13)) == "Saturday 2 January at 9am"  # New Year's Day in between
    assert h.is_open(at(2026, 12, 28, 10))  # changed hours open a substitute bank holiday
    assert h.back_at(at(2026, 12, 24, 18, 30)) == "Monday 28 December at 10am"

def test_packaged_file_has_no_extras(hours):
    assert hours.closures == {} and hours.changed_hours == {}
    assert load_hours(None).weekly == hours.weekly


@pytest.mark.parametrize("extra, needle", [
    ("closures:\n  - {date: 2026-02-30}\nchanged_hours: []\n", "closures[0]"),
    ("closures:\n  - {date: 24/12/2026}\n", "closures[0]"),
    ("changed_hours:\n  - {date: 2026-12-31, open: '12:00', close: '08:00'}\n", "changed_hours[0]"),
    ("changed_hours:\n  - {date: 2026-12-31, open: '08:00', close: '25:00'}\n", "changed_hours[0]"),
    ("closures:\n  - {date: 2026-12-24, reasn: x}\n", "reasn"),
    ("holidays: []\n", "holidays"),
    ("closures: [\n", "not valid YAML"),
    ("closures:\n  - {date: 2026-12-24}\nchanged_hours:\n  - {date: 2026-12-24, open: '08:00', close: '12:00'}\n",
     "2026-12-24"),
])
def test_broken_files(tmp_path, extra, needle):
    path = write(tmp_path, extra)
    with pytest.raises(HoursConfigError) as err:
        load_hours(path)
    assert str(path) in str(err.value) and needle in str(err.value)


def test_broken_weekly_and_missing_file(tmp_path):
    with pytest.raises(HoursConfigError, match="weekly.saturday"):
        load_hours(write(tmp_path, week=WEEK.replace("'09:00', close: '13:00'", "'13:00', close: '09:00'")))
    with pytest.raises(HoursConfigError, match="weekly: missing sunday"):
        load_hours(write(tmp_path, week=WEEK.replace("  sunday: closed\n", "")))
    with pytest.raises(HoursConfigError, match="nope.yaml"):
        load_hours(tmp_path / "nope.yaml")
