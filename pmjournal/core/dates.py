"""Dates as people type them: "yesterday 15:00", "last fri", "3 days ago", ISO.

Everything returned is timezone-aware. A time without an offset is taken in
the local zone (dateutil's tzlocal, so a date across a DST change gets the
offset it had then). Anything we cannot read raises DateError: a guess would
put a wrong date into evidence.
"""

import re
from datetime import UTC, datetime, time, timedelta

from .errors import DateError

# dateutil is imported where it is used: a command that parses no date (an
# export, a list without --since) should not pay ~15 ms to load it.

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_UNITS = {
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "y": "years",
    "year": "years",
    "years": "years",
}
_TIME = re.compile(r"^(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_AGO = re.compile(r"^(\d+|an?|one)\s+([a-z]+)\s+ago$")
_IN = re.compile(r"^in\s+(\d+|an?|one)\s+([a-z]+)$")
_DAY = re.compile(r"^(?:(last|next|this)\s+)?([a-z]+)(?:\s+(.+))?$")

HINT = "try 'yesterday 15:00', 'last fri', '3 days ago' or 2026-11-23T15:00"


def local_zone():
    from dateutil import tz

    return tz.tzlocal()


def now() -> datetime:
    return datetime.now(local_zone())


def _time_of_day(text: str) -> time | None:
    m = _TIME.match(text.strip())
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif m.group(2) is None:
        return None  # a bare number is a day of the month, not an hour
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _count(word: str) -> int:
    return 1 if word in ("a", "an", "one") else int(word)


def _relative(text: str, ref: datetime) -> datetime | None:
    if text == "now":
        return ref.replace(microsecond=0)
    for pattern, sign in ((_AGO, -1), (_IN, 1)):
        m = pattern.match(text)
        if m and m.group(2) in _UNITS:
            from dateutil.relativedelta import relativedelta

            delta = relativedelta(**{_UNITS[m.group(2)]: sign * _count(m.group(1))})
            return (ref + delta).replace(microsecond=0)
    m = _DAY.match(text)
    if not m:
        return None
    which, word, rest = m.groups()
    today = ref.date()
    if word in ("today", "yesterday", "tomorrow") and not which:
        day = today + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[word])
    elif word in _WEEKDAYS:
        diff = (today.weekday() - _WEEKDAYS[word]) % 7
        if which == "next":
            day = today + timedelta(days=(7 - diff) or 7)
        elif which == "last":
            day = today - timedelta(days=diff or 7)
        else:  # "fri" / "this fri": the most recent one, today included
            day = today - timedelta(days=diff)
    else:
        return None
    at = time(0, 0)
    if rest:
        parsed = _time_of_day(rest)
        if parsed is None:
            return None
        at = parsed
    return datetime.combine(day, at, tzinfo=ref.tzinfo)


def parse_when(text: str, ref: datetime | None = None) -> datetime:
    """Parse what a person typed into an aware datetime, or raise DateError."""
    cleaned = " ".join(str(text).strip().lower().split())
    if not cleaned:
        raise DateError("empty date; " + HINT, field="occurred_at")
    ref = ref or now()
    try:
        result = _relative(cleaned, ref)
        if result is None:
            only_time = _time_of_day(cleaned)
            if only_time is not None:
                result = datetime.combine(ref.date(), only_time, tzinfo=ref.tzinfo)
        if result is None:
            result = _absolute(str(text).strip(), ref)
    except DateError:
        raise
    except (ValueError, OverflowError, TypeError, ArithmeticError) as err:
        raise DateError(f"cannot understand the date {text!r}; {HINT}", field="occurred_at") from err
    try:
        # A date at the edge of the calendar, or an offset beyond ±24 h, fails
        # only when used: find out now, while we can still say which input it was.
        result.astimezone(UTC)
    except OverflowError as err:
        raise DateError(
            f"the date {text!r} is out of range: in UTC it falls outside the years 1 to 9999", field="occurred_at"
        ) from err
    except (ValueError, TypeError, ArithmeticError) as err:
        raise DateError(f"cannot understand the date {text!r}; {HINT}", field="occurred_at") from err
    return result


# A date as the journal stores it (dates.iso): every date in a journal or an export.
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


def iso_when(text: str, ref: datetime | None = None) -> str:
    """iso(parse_when(text, ref)): a date as the journal stores it.

    A date already written that way (every date an import or a script passes on from
    a journal) reads back as the same text, so it is taken as it is: dateutil costs
    ~0.3 ms a date, most of an import's time. Only text that fromisoformat reads and
    writes back identically, and that converts to UTC, is taken so; anything else goes
    through parse_when (tests/test_import_stream.py compares the two).
    """
    if text.__class__ is str and _STORED.fullmatch(text):
        try:
            when = datetime.fromisoformat(text)
            when.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
        else:
            if iso(when) == text:
                return text
    return iso(parse_when(text, ref))


def _absolute(text: str, ref: datetime) -> datetime:
    """A written-out date through dateutil, refusing what it would have to guess.

    Parsed twice with different default months and days: if the two readings
    differ, the text did not say the month or the day ("march", "2026", "30"),
    and a guess would put a wrong date into evidence. The year defaults to the
    current one ("Nov 23"). A time-zone name dateutil does not know ("EST") is
    refused rather than silently dropped.
    """
    import warnings

    from dateutil import parser as du_parser

    with warnings.catch_warnings():
        warnings.simplefilter("error", du_parser.UnknownTimezoneWarning)
        try:
            first = du_parser.parse(text, default=datetime(ref.year, 1, 1))
            second = du_parser.parse(text, default=datetime(ref.year, 3, 3))
        except du_parser.UnknownTimezoneWarning as err:
            raise DateError(
                f"unknown time zone in {text!r}; write it as an offset, e.g. 2026-11-23 15:00 -05:00", field="occurred_at"
            ) from err
    if first.month != second.month:
        raise DateError(f"{text!r} does not say the month; write a full date such as 2026-11-23", field="occurred_at")
    if first.day != second.day:
        raise DateError(f"{text!r} does not say the day; write a full date such as 2026-11-23", field="occurred_at")
    if first.tzinfo is None:
        first = first.replace(tzinfo=ref.tzinfo)
    return first


def has_time(text: str) -> bool:
    """Whether the text names a time of day (so an 'until' bound is not end-of-day)."""
    t = text.lower()
    return bool(re.search(r"\d:\d|\d\s*(am|pm)\b|ago|now|^in ", t))


def parse_bound(text: str, end: bool = False, ref: datetime | None = None) -> datetime:
    """A --since/--until bound; a bare day as `until` includes that whole day."""
    when = parse_when(text, ref)
    if end and not has_time(text) and when.time() == time(0, 0):
        try:
            when = when + timedelta(days=1) - timedelta(microseconds=1)
        except OverflowError:
            when = when.replace(hour=23, minute=59, second=59, microsecond=999999)  # 31 Dec 9999
    return when


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def describe(dt: datetime) -> str:
    """How a date was understood, for a person: 'Mon 23 Nov 2026 15:00 +08:00'."""
    offset = dt.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{dt.strftime('%a %d %b %Y %H:%M')} {offset}".strip()

