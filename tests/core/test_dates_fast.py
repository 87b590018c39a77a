"""What dates.py reads without dateutil reads as dateutil does.

`pmjournal add` does not import dateutil for a plain ISO date (`--when "2026-11-30 12:00"`)
or, in a zone without daylight saving time, for the local zone: both must give exactly
what dateutil gives, since the date is stored and hashed.
"""

import os
import random
import time
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import pytest
from dateutil import parser as du_parser
from dateutil import tz

from pmjournal.core import dates
from pmjournal.core.errors import DateError


def dateutil_reading(text: str) -> datetime | None:
    """What _absolute took from dateutil: the same naive datetime under both defaults."""
    try:
        first = du_parser.parse(text, default=datetime(2026, 1, 1))
        second = du_parser.parse(text, default=datetime(2026, 3, 3))
    except (ValueError, OverflowError):
        return None
    assert first == second and first.tzinfo is None, text
    return first


def plain_texts():
    for year in ("2026", "2024", "2000", "1900", "0001", "0099", "0100", "0999", "1000", "9999", "0000"):
        for month in ("00", "01", "02", "09", "10", "12", "13"):
            for day in ("00", "01", "09", "10", "28", "29", "30", "31", "32"):
                yield f"{year}-{month}-{day}"
    for clock in ("00:00", "09:05", "12:00", "23:59", "24:00", "12:60", "07:30:00", "23:59:59", "12:00:60", "00:00:01"):
        for sep in (" ", "T"):
            for day in ("2026-11-30", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31"):
                yield f"{day}{sep}{clock}"


def test_plain_iso_dates_read_as_dateutil_reads_them():
    taken = 0
    for text in plain_texts():
        ours = dates._plain_iso(text)
        if ours is not None:
            taken += 1
            assert ours == dateutil_reading(text), text
    assert taken > 300


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-30 12:00 +05:00",
        "2026-11-30T12:00Z",
        "2026-11-30 12:00 UTC",
        "2026-11-30 12",
        "2026-11-30 12:00:00.5",
        "2026-11-30t12:00",
        "2026-11-30  12:00",
        "2026/11/30",
        "30-11-2026",
        "26-11-30",
        "2026-1-30",
        "２０２６-11-30",
        "٢٠٢٦-11-30",
        "2026-11-30 12:00 pm",
        "20261130",
    ],
)
def test_anything_else_goes_to_dateutil(text):
    assert dates._plain_iso(text) is None


def stored(text: str, ref: datetime) -> str:
    """What the journal would store for `text` (or the one-line refusal)."""
    try:
        return dates.iso_when(text, ref)
    except DateError as err:
        return f"refused: {err}"


def test_parse_when_stores_the_same_text_either_way(monkeypatch):
    ref = datetime(2026, 11, 25, 10, 30, tzinfo=dates.local_zone())
    texts = list(plain_texts())
    fast = [stored(t, ref) for t in texts]
    monkeypatch.setattr(dates, "_plain_iso", lambda text: None)
    assert fast == [stored(t, ref) for t in texts]


ZONES = [
    "Asia/Shanghai",
    "UTC",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Africa/Casablanca",
    "Etc/GMT+12",
    "Pacific/Kiritimati",
    "<+0330>-3:30",
    "XYZ-5:30:15",
    "Europe/Dublin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]


@pytest.fixture
def zone():
    saved = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def database_zone(name: str):
    """The zone `name` as the time zone database has it; None for a POSIX rule it does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


@pytest.mark.parametrize("name", ZONES)
def test_local_zone_has_the_time_zone_databases_rules(zone, name):
    """dateutil's tzlocal() (the local zone before) trusts time.timezone and time.altzone: it was
    an hour off all year in Dublin, and during Ramadan in Casablanca."""
    zone(name)
    ours, theirs = dates.local_zone(), database_zone(name)
    if theirs is None:  # a POSIX rule: what the C library says, fixed where it knows no DST
        theirs = tz.tzlocal()
        assert time.daylight or not isinstance(ours, tz.tzlocal)
    naive = [datetime(year, month, day, hour) for year in (1, 1900, 1970, 1988, 2026, 2038, 9999) for month in (1, 4, 7, 10, 12)
             for day in (1, 28) for hour in (0, 2, 12, 23)]
    for dt in naive:
        a, b = dt.replace(tzinfo=ours), dt.replace(tzinfo=theirs)
        assert a.isoformat() == b.isoformat() and a.tzname() == b.tzname()
    for stamp in range(-2_000_000_000, 4_000_000_000, 86_400 * 97 + 3_607):
        assert datetime.fromtimestamp(stamp, ours).isoformat() == datetime.fromtimestamp(stamp, theirs).isoformat()
    now = dates.now()
    assert abs(now - datetime.now(theirs)) < timedelta(seconds=5)
    assert now.isoformat()[-6:] == datetime.now(theirs).isoformat()[-6:]


def test_dublins_winter_and_casablancas_ramadan_are_right():
    """What the C library and the database say, where tzlocal() was an hour off."""
    saved = os.environ.get("TZ")
    try:
        for name, iso, local in (
            ("Europe/Dublin", "2026-11-20T23:30:00+00:00", "2026-11-20T23:30:00+00:00"),
            ("Europe/Dublin", "2026-07-20T23:30:00+00:00", "2026-07-21T00:30:00+01:00"),
            ("Africa/Casablanca", "2026-03-08T01:30:00-05:00", "2026-03-08T06:30:00+00:00"),
        ):
            os.environ["TZ"] = name
            time.tzset()
            assert datetime.fromisoformat(iso).astimezone(dates.local_zone()).isoformat() == local, name
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.parametrize("name", ZONES)
def test_short_date_is_the_local_time_a_conversion_gives(zone, name):
    """The trail's When (display.short_date) adds a shift worked out once per day and offset:
    the same as converting each time, on and around the days daylight saving time starts and ends."""
    from pmjournal.core.display import short_date

    zone(name)
    local = database_zone(name) or dates.local_zone()  # the database's rules where it knows the zone
    rng = random.Random(name)
    for _n in range(3000):
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 366 * 24 * 60))
        offset = rng.choice([timedelta(hours=8), timedelta(hours=-5), timedelta(0), timedelta(hours=5, minutes=45), timedelta(hours=-9, minutes=-30)])
        iso = at.astimezone(timezone(offset)).isoformat()
        assert short_date(iso) == at.astimezone(local).strftime("%Y-%m-%d %H:%M"), iso


def test_short_date_follows_a_change_of_zone_in_the_process(zone):
    """Its shifts were kept by time.timezone and time.daylight, which Halifax and Santiago share."""
    from pmjournal.core.display import short_date

    zone("America/Halifax")
    assert short_date("2026-07-15T12:00:00+00:00") == "2026-07-15 09:00"
    zone("America/Santiago")
    assert short_date("2026-07-15T12:00:00+00:00") == "2026-07-15 08:00"
