"""Dates as people type them: "yesterday 15:00", "last fri", "3 days ago", ISO,
and the Chinese forms ("昨天 15:00", "上周五", "3天前", "11月24日"), whatever the
interface language: a person may type either.

Everything returned is timezone-aware. A time without an offset is taken in
the local zone (local_zone: the time zone database's rules, so a date across a DST change
gets the offset it had then). Anything we cannot read raises DateError: a guess would
put a wrong date into evidence.
"""

import os as _os
import re
import time as _clock
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from .errors import DateError
from .i18n import N_, _, language, pgettext

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
# "3 days ago", "in 2 weeks", and a time of day after a count of days or more ("2 days ago 09:30")
_AGO = re.compile(r"^(\d+|an?|one)\s+([a-z]+)\s+ago(?:\s+(.+))?$")
_IN = re.compile(r"^in\s+(\d+|an?|one)\s+([a-z]+)(?:\s+(.+))?$")
_DAY = re.compile(r"^(?:(last|next|this)\s+)?([a-z]+)(?:\s+(.+))?$")
# "tomorrow afternoon" names no hour: refused with one to write (noon is 12:00, _time_of_day).
_PARTS_OF_DAY = {"morning": "9:00", "afternoon": "15:00", "evening": "19:00", "night": "21:00"}

# TRANSLATORS: examples of dates the parser reads; give the Chinese ones in Chinese:
# 试试 '昨天 15:00'、'上周五'、'3天前' 或 2026-11-23T15:00
HINT = N_("try 'yesterday 15:00', 'last fri', '3 days ago' or 2026-11-23T15:00")
# TRANSLATORS: the same for a due date (follow up by, review by, a commitment's), in days to
# come; give the Chinese ones in Chinese: 试试 '明天 15:00'、'下周五'、'两周后' 或 2026-12-15
AHEAD_HINT = N_("try 'tomorrow 15:00', 'next fri', 'in 2 weeks' or 2026-12-15")
_NO_DAY = N_("{text!r} does not say the day; write a full date such as 2026-11-23")
_NO_MONTH = N_("{text!r} does not say the month; write a full date such as 2026-11-23")


class _StandardZone(tzinfo):
    """dateutil's tzlocal() where the zone has no daylight saving time: for every date the
    offset -time.timezone, no DST, the name time.tzname[0] (what tzlocal answers then)."""

    __slots__ = ("_offset", "_name")

    def __init__(self, offset: timedelta, name: str):
        self._offset, self._name = offset, name

    def utcoffset(self, dt):
        return self._offset

    def dst(self, dt):
        return _NO_DST

    def tzname(self, dt):
        return self._name

    def __getinitargs__(self):  # pickle and copy
        return self._offset, self._name

    def __repr__(self) -> str:
        return "tzlocal()"


_NO_DST = timedelta(0)


def local_zone():
    """The local zone, with the rules of the time zone database: $TZ when it names a zone
    (`Europe/Dublin`), else /etc/localtime. dateutil's tzlocal(), used before, trusts
    time.timezone and time.altzone and was an hour off all year in Dublin (whose winter time
    is its "daylight saving" one) and during Ramadan in Casablanca (time.daylight is 0 there).
    A $TZ the database does not know (a POSIX rule such as `EST5EDT,M3.2.0,M11.1.0`, or none
    at all) gets what the C library says: one fixed offset where it knows no DST
    (_StandardZone), else tzlocal(). Looked up once per $TZ (a test may change it)."""
    key = zone_key()
    zone = _ZONES.get(key)
    if zone is None:
        zone = _ZONES[key] = _find_local_zone(key[0])
    return zone


_ZONES: dict = {}


def zone_key() -> tuple:
    """What tells one local zone from another in this process ($TZ and what tzset() made of it)."""
    tz = _ENVIRON.get(_TZ)
    return tz.decode(errors="replace") if isinstance(tz, bytes) else tz, _clock.tzname, _clock.timezone, _clock.altzone, _clock.daylight


# os.environ's own store, which its writes update too: read directly, an unset $TZ is a
# dict miss (~30 ns), where os.environ.get("TZ") raises and catches a KeyError inside (~570
# ns, a third of display.short_date's time on each row of a table).
_ENVIRON = getattr(_os.environ, "_data", _os.environ)
_TZ = _os.environ.encodekey("TZ") if _ENVIRON is not _os.environ else "TZ"


def _find_local_zone(name: str | None):
    import zoneinfo

    try:
        if name is not None:
            return zoneinfo.ZoneInfo(name.removeprefix(":")) if name.strip(":") else _c_library_zone()
        with open("/etc/localtime", "rb") as fh:
            return zoneinfo.ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return _c_library_zone()


def _c_library_zone():
    if not _clock.daylight:
        return _StandardZone(timedelta(seconds=-_clock.timezone), _clock.tzname[0])
    from dateutil import tz

    return tz.tzlocal()


def now() -> datetime:
    return datetime.now(local_zone())


def _time_of_day(text: str) -> time | None:
    if text.strip() in ("noon", "midday"):
        return time(12, 0)
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


def at_time_of_day(moved: datetime | None, rest: str | None, unit: str, read=None) -> datetime | None:
    """`moved` at the time of day `rest` says ("2 days ago 09:30", 两天前下午3点 with dates_zh's
    `read`), which only a count of days or more leaves open; None when `rest` is no time of
    day, or follows hours or minutes."""
    if not rest:
        return moved
    at = (read or _time_of_day)(rest)
    if at is None or unit in ("minutes", "hours"):
        return None
    return moved.replace(hour=at.hour, minute=at.minute, second=0)


def counted(ref: datetime, delta, unit: str, ahead: bool) -> datetime:
    """`ref` moved by `delta` ("3 days ago", "in 2 weeks"). A due date counted in days or more
    ("follow up in 3 days") is that day, as "mon" is: it kept the time it was typed at
    (07 Dec 11:37), where a due date is a day."""
    moved = (ref + delta).replace(microsecond=0)
    if ahead and unit not in ("minutes", "hours"):
        moved = moved.replace(hour=0, minute=0, second=0)
    return moved


def _relative(text: str, ref: datetime, ahead: bool = False) -> datetime | None:
    if text == "now":
        return ref.replace(microsecond=0)
    for pattern, sign in ((_AGO, -1), (_IN, 1)):
        m = pattern.match(text)
        if m and m.group(2) in _UNITS:
            from dateutil.relativedelta import relativedelta

            unit = _UNITS[m.group(2)]
            moved = counted(ref, relativedelta(**{unit: sign * _count(m.group(1))}), unit, ahead)
            return at_time_of_day(moved, m.group(3), unit)
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
        elif ahead and not which:  # "fri" as a due date: the coming one, today included (a due date is a day)
            day = today + timedelta(days=(_WEEKDAYS[word] - today.weekday()) % 7)
        else:  # "fri" / "this fri": the most recent one, today included
            day = today - timedelta(days=diff)
    else:
        return None
    at = time(0, 0)
    if rest:
        parsed = _time_of_day(rest)
        if parsed is None and rest in _PARTS_OF_DAY:
            raise DateError(
                # TRANSLATORS: {part} is a part of the day as typed (afternoon, morning...), {example} the text with an hour
                _("{text!r} does not say the hour of the {part}; write it, as in {example!r}").format(
                    text=text, part=rest, example=f"{which + ' ' if which else ''}{word} {_PARTS_OF_DAY[rest]}"
                ),
                field="occurred_at",
            )
        if parsed is None:
            return None
        at = parsed
    when = datetime.combine(day, at, tzinfo=ref.tzinfo)
    return weekday_gone_by(when, ref, ahead) if word in _WEEKDAYS and not which else when


def weekday_gone_by(when: datetime, ref: datetime, ahead: bool) -> datetime:
    """`when` read from a weekday named alone ("fri 16:00", 周五下午4点): on that weekday, at an
    hour still to come, a When (not `ahead`) is last week's. An entry's When has happened: it
    was today's, in the future, and refused (docs/guide.md's own example, on Fridays)."""
    if not ahead and when.date() == ref.date() and when > ref:
        return when - timedelta(days=7)
    return when


# Text with a CJK character is read by dates_zh.py (imported only then): such text
# never reaches dateutil, so what its rules do not read is refused rather than half-read.


def _has_cjk(text: str) -> bool:
    # Not a regex: compiling a character class this wide costs 2.5 ms of every command's start.
    return any("\u3000" <= c <= "\u303f" or "\u4e00" <= c <= "\u9fff" for c in text)


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ]|\s*$)")


def _day_named(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) a date like "29 Feb 2025" or "31 april" names, read as dateutil
    reads it (its year: this one if it names none), whether or not the month has that day."""
    day = _ISO_DAY.match(text)
    if day is not None:
        return tuple(int(part) for part in day.groups())
    from dateutil import parser

    try:
        found = parser.parser()._parse(text)[0]  # the fields it read, before a date is made of them
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    if found is None or found.month is None or found.day is None:
        return None
    return (found.year if found.year is not None else now().year), found.month, found.day


def _cannot(text: str, ahead: bool = False) -> DateError:
    day = _day_named(text)
    if day is not None:
        year, month, number = day
        if 1 <= month <= 12 and year >= 1:
            import calendar

            last = calendar.monthrange(year, month)[1]
            if not 1 <= number <= last:
                # "2026-02-30" was "cannot understand the date", as if the form were wrong
                return DateError(
                    _("{text!r}: {year}-{month:02d} has no day {number} (it ends on the {last})").format(
                        text=text, year=year, month=month, number=number, last=last
                    ),
                    field="occurred_at",
                )
    err = DateError(
        _("cannot understand the date {text!r}; {hint}").format(text=text, hint=_(AHEAD_HINT if ahead else HINT)),
        field="occurred_at",
    )
    err.cannot = True  # parse_when gives a due date the examples of days to come
    return err


_ZONED = re.compile(r"^(.*\S)\s+(utc|gmt|z|[+-]\d{2}(?::?\d{2})?)$")


def _in_zone(text: str, ref: datetime, ahead: bool) -> datetime | None:
    """'15:00 -05:00', 'yesterday 15:00 utc', 'last fri 09:00 +08:00': a time of day in the
    zone the offset names, on the day the words say as that zone counts days (at 05:51 UTC
    on the 4th it is still the 3rd at -08:00: '15:00 -08:00' is the 3rd's). The guide's own
    example, '15:00 -05:00', was refused as a date that does not say its month."""
    m = _ZONED.match(text)
    if m is None:
        return None
    words, zone = m.groups()
    if zone in ("utc", "gmt", "z"):
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = (1 if zone[0] == "+" else -1) * timedelta(hours=hours, minutes=minutes)
    zone = timezone(offset)
    there = ref.astimezone(zone)  # today, yesterday, fri: as the days run there, not here
    at = _time_of_day(words)
    if at is not None:
        return datetime.combine(there.date(), at, tzinfo=zone)
    if _DAY.match(words) and not _AGO.match(words) and not _IN.match(words) and words != "now":
        return _relative(words, there, ahead)
    return None


def parse_when(text: str, ref: datetime | None = None, ahead: bool = False) -> datetime:
    """Parse what a person typed into an aware datetime, or raise DateError.

    `ahead`: the text is a due date (follow up by, review by, a commitment's), so what it
    leaves open reads forward: "fri" is the coming Friday, not the last one, and "5 Jan"
    typed in December is next January's. "last fri", "this fri", a year or a full date
    say it all."""
    # NFKC: full-width digits, colon and space ("１５：００") read as their ASCII twins.
    cleaned = " ".join(unicodedata.normalize("NFKC", str(text)).strip().lower().split())
    if not cleaned:
        raise DateError(_("empty date; {hint}").format(hint=_(HINT)), field="occurred_at")
    ref = ref or now()
    try:
        if _has_cjk(cleaned):
            from .dates_zh import chinese

            result = chinese(cleaned, ref, text, ahead)
        else:
            result = _relative(cleaned, ref, ahead)
            if result is None:
                only_time = _time_of_day(cleaned)
                if only_time is not None:
                    result = datetime.combine(ref.date(), only_time, tzinfo=ref.tzinfo)
            if result is None:
                result = _in_zone(cleaned, ref, ahead)
            if result is None:
                result = _absolute(unicodedata.normalize("NFKC", str(text)).strip(), ref, str(text).strip(), ahead)
    except DateError as err:
        if ahead and getattr(err, "cannot", False):
            raise _cannot(text, ahead) from None
        raise
    except (ValueError, OverflowError, TypeError, ArithmeticError) as err:
        raise _cannot(text, ahead) from err
    try:
        # A date at the edge of the calendar, or an offset beyond ±24 h, fails
        # only when used: find out now, while we can still say which input it was.
        result.astimezone(UTC)
    except OverflowError as err:
        raise _out_of_range(text) from err
    except (ValueError, TypeError, ArithmeticError) as err:
        raise _cannot(text) from err
    return result


# The years a date stored may have (a filter's bound may be any: --until 9999-12-31): 1 Jan 0001 was taken, then shown a day back in New York (year 0)
# and every read ended in an OverflowError; 9999-12-31 the same a day on (a robustness hunt).
_YEARS = (1000, 9998)


def _out_of_range(text) -> DateError:
    return DateError(
        _("the date {text!r} is out of range: pmjournal keeps dates from the year {first} to {last}").format(
            text=text, first=_YEARS[0], last=_YEARS[1]
        ),
        field="occurred_at",
    )


# A date as the journal stores it (dates.iso): every date in a journal or an export.
# (an offset may have seconds: a zone's local mean time before it took a standard one, as
# add stores "1920-05-01T09:00:00+01:19:32" in Amsterdam; an import refused it, a robustness hunt)
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}(?::\d{2})?")


def iso_when(text: str, ref: datetime | None = None, ahead: bool = False) -> str:
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
                if not _YEARS[0] <= when.year <= _YEARS[1]:
                    raise _out_of_range(text)
                return text
    when = parse_when(text, ref, ahead)
    if not _YEARS[0] <= when.year <= _YEARS[1]:
        raise _out_of_range(text)
    return iso(when)


# A written-out date that leaves nothing to guess: YYYY-MM-DD, or with HH:MM or HH:MM:SS
# after a space or a T, no zone. dateutil reads each such text that makes a valid datetime as
# exactly that naive datetime (tests/core/test_dates_fast.py compares them), so _absolute
# reads it without importing dateutil's parser (~8 ms of `pmjournal add --when`).
_PLAIN_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?")


def _plain_iso(text: str) -> datetime | None:
    """The naive datetime dateutil reads from `text`, when it is a plain ISO date as
    above; None for anything else (dateutil then reads it, or refuses it)."""
    m = _PLAIN_ISO.fullmatch(text)
    if m is None:
        return None
    try:
        return datetime(*(int(part or 0) for part in m.groups()))
    except ValueError:
        return None  # month 13, 30 February, 24:00, year 0: dateutil decides


# Two numbers and maybe a year, which may be read either way round (1/12/2026, 3.4., 05-06-26).
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?\.?(?:\s|$)")


def _absolute(text: str, ref: datetime, shown: str, ahead: bool = False) -> datetime:
    """A written-out date through dateutil, refusing what it would have to guess.

    Parsed twice with different default months and days: if the two readings
    differ, the text did not say the month or the day ("march", "2026", "30"),
    and a guess would put a wrong date into evidence. The year defaults to the
    current one ("Nov 23"). A time-zone name dateutil does not know ("EST") is
    refused rather than silently dropped. `shown` is the text as typed, for the message.
    """
    plain = _plain_iso(text)
    if plain is not None:
        return plain.replace(tzinfo=ref.tzinfo)
    numeric = _DAY_MONTH.match(text)
    if numeric and numeric.group(1) != numeric.group(2) and max(map(int, numeric.group(1, 2))) <= 12:
        # 1/12/2026 is 1 December in most of the world and January 12 in the US: dateutil read
        # it month first, and 23.11.2026 day first. Either guess puts a wrong date into evidence.
        a, b = int(numeric.group(1)), int(numeric.group(2))
        year = numeric.group(3) or str(ref.year)
        year = year if len(year) == 4 else f"20{year}"
        raise DateError(
            # TRANSLATORS: {text} as typed (1/12/2026); {day_first} and {month_first} the two readings (2026-12-01, 2026-01-12)
            _("{text!r} could be read day first or month first; write {day_first} or {month_first}").format(
                text=shown, day_first=f"{year}-{b:02d}-{a:02d}", month_first=f"{year}-{a:02d}-{b:02d}"
            ),
            field="occurred_at",
        )
    import warnings

    from dateutil import parser as du_parser

    with warnings.catch_warnings():
        warnings.simplefilter("error", du_parser.UnknownTimezoneWarning)
        try:
            first = du_parser.parse(text, default=datetime(ref.year, 1, 1))
            second = du_parser.parse(text, default=datetime(ref.year, 3, 3))
        except du_parser.UnknownTimezoneWarning as err:
            raise DateError(
                _("unknown time zone in {text!r}; write it as an offset, e.g. 2026-11-23 15:00 -05:00").format(text=shown),
                field="occurred_at",
            ) from err
    if first.month != second.month:
        raise DateError(_(_NO_MONTH).format(text=shown), field="occurred_at")
    if first.day != second.day:
        raise DateError(_(_NO_DAY).format(text=shown), field="occurred_at")
    if ahead and first.date() < ref.date():
        # Read again with next year as the default: a date whose year moves did not say it.
        later = du_parser.parse(text, default=datetime(ref.year + 1, 1, 1))
        if later.year != first.year:
            first = later  # "5 Jan" typed in December, as a due date: next January's
    if first.tzinfo is None:
        first = first.replace(tzinfo=ref.tzinfo)
    return first


def has_time(text: str) -> bool:
    """Whether the text names a time of day (so an 'until' bound is not end-of-day):
    a clock time, a count back or ahead ("3 days ago", "3天前"), or now."""
    t = unicodedata.normalize("NFKC", text).lower()
    return bool(re.search(r"\d:\d|\d\s*(am|pm)\b|ago|now|^in |[点时]|[前后]\s*$|现在", t))


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


def utc_stamp(at: datetime | None = None) -> str:
    """`at` (an aware time; default now) in UTC, as records and statements stamp it."""
    return (datetime.now(UTC) if at is None else at.astimezone(UTC)).isoformat(timespec="milliseconds")


# How a day is written: a pattern per language in the catalogs (the codes of
# strftime, read by day_in below rather than by strftime, which would follow the C
# library's locale), with the weekday and month names translated one by one; the
# same msgids as the Markdown export's (markdown.py), so a day reads the same on the
# screen and in the document. English comes out as strftime wrote it before.
_DATE_CODE = re.compile(r"%(-?)([aAbBdmYHMz%])")
_NAMES: dict[str, tuple] = {}


def day_names() -> tuple:
    """(weekdays, month abbreviations, month names) in the language in use."""
    lang = language()
    if lang not in _NAMES:
        _NAMES[lang] = (
            (
                pgettext("weekday", "Mon"),
                pgettext("weekday", "Tue"),
                pgettext("weekday", "Wed"),
                pgettext("weekday", "Thu"),
                pgettext("weekday", "Fri"),
                pgettext("weekday", "Sat"),
                pgettext("weekday", "Sun"),
            ),
            (
                pgettext("month abbreviation", "Jan"),
                pgettext("month abbreviation", "Feb"),
                pgettext("month abbreviation", "Mar"),
                pgettext("month abbreviation", "Apr"),
                pgettext("month abbreviation", "May"),
                pgettext("month abbreviation", "Jun"),
                pgettext("month abbreviation", "Jul"),
                pgettext("month abbreviation", "Aug"),
                pgettext("month abbreviation", "Sep"),
                pgettext("month abbreviation", "Oct"),
                pgettext("month abbreviation", "Nov"),
                pgettext("month abbreviation", "Dec"),
            ),
            (
                pgettext("month", "January"),
                pgettext("month", "February"),
                pgettext("month", "March"),
                pgettext("month", "April"),
                pgettext("month", "May"),
                pgettext("month", "June"),
                pgettext("month", "July"),
                pgettext("month", "August"),
                pgettext("month", "September"),
                pgettext("month", "October"),
                pgettext("month", "November"),
                pgettext("month", "December"),
            ),
        )
    return _NAMES[lang]


def day_in(pattern: str, day: date, names: tuple | None = None) -> str:
    """`day` as `pattern` says, in the language in use (or with `names`, day_names() of
    another): %a weekday, %b / %B month abbreviated / named, %d %m day and month (%-d %-m
    without a leading zero), %Y year, %H %M hour and minute, %z the offset as +08:00."""
    weekdays, abbreviations, months = names or day_names()
    pieces, tail = _template(pattern)
    out = []
    for literal, bare, c in pieces:
        out.append(literal)
        if c == "a":
            out.append(weekdays[day.weekday()])
        elif c == "b":
            out.append(abbreviations[day.month - 1])
        elif c == "B":
            out.append(months[day.month - 1])
        elif c == "d":
            out.append(str(day.day) if bare else f"{day.day:02d}")
        elif c == "m":
            out.append(str(day.month) if bare else f"{day.month:02d}")
        elif c == "Y":
            out.append(str(day.year))
        elif c in "HM":
            value = (getattr(day, "hour", 0), getattr(day, "minute", 0))[c == "M"]
            out.append(str(value) if bare else f"{value:02d}")
        elif c == "z":
            offset = day.strftime("%z") if isinstance(day, datetime) else ""
            out.append(f"{offset[:3]}:{offset[3:]}" if offset else "")
        else:
            out.append("%")
    out.append(tail)
    return "".join(out)


_TEMPLATES: dict[str, tuple] = {}


def _template(pattern: str) -> tuple:
    """`pattern` cut once into (text before, "-" or "", code) pieces and the text after the
    last code: an export formats tens of thousands of days with the same few patterns, and
    a regex substitution with a callback each time was most of what a day cost."""
    found = _TEMPLATES.get(pattern)
    if found is None:
        pieces, at = [], 0
        for m in _DATE_CODE.finditer(pattern):
            pieces.append((pattern[at : m.start()], m.group(1), m.group(2)))
            at = m.end()
        if len(_TEMPLATES) > 256:  # the catalogs' patterns are a handful; never let it grow
            _TEMPLATES.clear()
        found = _TEMPLATES[pattern] = (tuple(pieces), pattern[at:])
    return found


def written_day(day: date, weekday: bool = False) -> str:
    """A day as a person reads it, in the language in use at call time: '24 Nov 2026'
    ('Tue 24 Nov 2026' with the weekday), '2026年11月24日' ('2026年11月24日 周二')."""
    if weekday:
        # TRANSLATORS: a day with its weekday: %a weekday (Mon), %d day (01), %-d day (1), %b month (Nov), %B month (November), %m month (11), %-m month (11), %Y year.
        return day_in(pgettext("date pattern", "%a %d %b %Y"), day)
    # TRANSLATORS: a day without its weekday (the same codes as "%a %d %b %Y").
    return day_in(pgettext("date pattern", "%-d %b %Y"), day)


def describe(dt: datetime) -> str:
    """How a date was understood, for a person, in the language in use at call
    time: 'Mon 23 Nov 2026 15:00 +08:00', '2026年11月23日 周一 15:00 +08:00'."""
    offset = dt.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    # TRANSLATORS: a time in its own UTC offset: {day} as "%a %d %b %Y" says, {time} 15:00, {offset} +08:00.
    text = _("{day} {time} {offset}").format(
        day=written_day(dt, weekday=True), time=f"{dt.hour:02d}:{dt.minute:02d}", offset=offset
    )
    return text if offset else text.rstrip()


def describe_shorter(dt: datetime, ref: datetime) -> list[str]:
    """describe(dt), then shorter ways to say it for a narrow screen, each leaving out only
    what `ref` (now, where the reader is) already says: the offset when it is the reader's,
    then the year when it is this one. 'Thu 03 Dec 2026 15:00 +08:00', 'Thu 03 Dec 2026
    15:00', 'Thu 03 Dec 15:00'."""
    said = [describe(dt)]
    at = f"{dt.hour:02d}:{dt.minute:02d}"
    if dt.utcoffset() != ref.utcoffset():
        return said
    said.append(f"{written_day(dt, weekday=True)} {at}")
    if dt.year == ref.year:
        # TRANSLATORS: a day of this year with its weekday (the codes of "%a %d %b %Y"), where the screen is narrow.
        pattern = pgettext("date pattern", "%a %d %b")
        said.append(f"{day_in(pattern, dt)} {at}")
    return said


def day_in_offset_of(iso: str, other: str) -> str:
    """The calendar day of `iso` as read in the UTC offset of `other` (both ISO times): a loop
    done at 20:00 -05:00 on the 20th is the 21st for an entry at 01:00 +08:00 on the 21st."""
    try:
        at, there = datetime.fromisoformat(iso), datetime.fromisoformat(other)
    except (TypeError, ValueError):
        return str(iso)[:10]
    if at.tzinfo is None or there.tzinfo is None:
        return iso[:10]
    return at.astimezone(there.tzinfo).date().isoformat()
