"""Dates as people type them: "yesterday 15:00", "last fri", "3 days ago", ISO,
and the Chinese forms ("昨天 15:00", "上周五", "3天前", "11月24日"), whatever the
interface language: a person may type either.

Everything returned is timezone-aware. A time without an offset is taken in
the local zone (dateutil's tzlocal, so a date across a DST change gets the
offset it had then). Anything we cannot read raises DateError: a guess would
put a wrong date into evidence.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone

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
_AGO = re.compile(r"^(\d+|an?|one)\s+([a-z]+)\s+ago$")
_IN = re.compile(r"^in\s+(\d+|an?|one)\s+([a-z]+)$")
_DAY = re.compile(r"^(?:(last|next|this)\s+)?([a-z]+)(?:\s+(.+))?$")

# TRANSLATORS: examples of dates the parser reads; give the Chinese ones in Chinese:
# 试试 '昨天 15:00'、'上周五'、'3天前' 或 2026-11-23T15:00
HINT = N_("try 'yesterday 15:00', 'last fri', '3 days ago' or 2026-11-23T15:00")
_NO_DAY = N_("{text!r} does not say the day; write a full date such as 2026-11-23")
_NO_MONTH = N_("{text!r} does not say the month; write a full date such as 2026-11-23")


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


# -- Chinese ----------------------------------------------------------------
#
# Read when the text holds a CJK character; such text never reaches dateutil, so
# what these rules do not read is refused rather than half-read. Spaces do not
# matter ("昨天15点" = "昨天 15点"). Weeks start on Monday, as they do in China:
# 上周五 is the Friday of last week, 这周五 / 本周五 the Friday of this one (in the
# future on a Wednesday), 下周三 the Wednesday of next week; a bare 周五 / 星期五 is,
# like a bare "fri", the most recent Friday, today included. A clock hour from 1 to
# 12 with 点 and no 上午 / 下午 is refused: in speech 3点 is as often 15:00 as 03:00.

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff]")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?:[0-9]{1,4}|[零〇一二两三四五六七八九十]{1,3})"
_ZH_DAY_WORDS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
}
_ZH_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_WEEK = {"上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0, "下": 1, "下个": 1}
_ZH_UNITS = {
    "分钟": "minutes",
    "小时": "hours",
    "个小时": "hours",
    "钟头": "hours",
    "个钟头": "hours",
    "天": "days",
    "周": "weeks",
    "星期": "weeks",
    "个星期": "weeks",
    "礼拜": "weeks",
    "个礼拜": "weeks",
    "个月": "months",
    "年": "years",
}
# The hours each part of the day takes ("下午3点" is 15:00), as (lowest, highest, added):
# an hour outside them is refused ("下午15点"). 中午 runs from 11 to 2, across noon.
_ZH_PERIODS = {
    "凌晨": (0, 6, 0),
    "早上": (1, 11, 0),
    "早晨": (1, 11, 0),
    "上午": (1, 11, 0),
    "中午": (11, 2, 0),
    "下午": (1, 11, 12),
    "傍晚": (4, 8, 12),
    "晚上": (5, 11, 12),
}
_ZH_RELATIVE = re.compile(
    rf"^(?P<n>{_NUM}|半)(?P<unit>{'|'.join(sorted(_ZH_UNITS, key=len, reverse=True))})(?:以|之)?(?P<dir>前|后)$"
)
_ZH_DAY = re.compile(
    "^(?:"
    rf"(?P<word>{'|'.join(sorted(_ZH_DAY_WORDS, key=len, reverse=True))})"
    r"|(?P<which>上个|这个|下个|上|这|本|下)?(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天])"
    rf"|(?:(?P<year>\d{{4}})年)?(?P<month>{_NUM})月(?P<day>{_NUM})[日号]"
    r"|(?P<iso_y>\d{4})[-/](?P<iso_m>\d{1,2})[-/](?P<iso_d>\d{1,2})"
    r")(?:(?:周|星期|礼拜)(?P<check>[一二三四五六日天]))?"
)
_ZH_TIME = re.compile(
    rf"^(?P<period>{'|'.join(_ZH_PERIODS)})?"
    rf"(?:(?P<hour>{_NUM})[点时](?:整|(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<minute>{_NUM})分?)?"
    r"|(?P<hh>\d{1,2}):(?P<mm>\d{2}))$"
)
# 昨晚 / 今晚 / 明晚 / 今早 / 明早 are a day and a part of it.
_ZH_SHORT_WORDS = {"昨晚": "昨天晚上", "今晚": "今天晚上", "明晚": "明天晚上", "今早": "今天早上", "明早": "明天早上"}
_ZH_SHORT = re.compile(f"^(?:{'|'.join(_ZH_SHORT_WORDS)})")
_ZH_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")
# Text that names a span but not a day in it ("11月", "上周", "上个月 15:00", "24号"):
# refused with what is missing.
_ZH_NO_DAY = re.compile(rf"^(?:(?:\d{{4}}年)?{_NUM}月|(?:上个|下个|这个|上|下|这|本)(?:周|星期|礼拜|月))")
_ZH_NO_MONTH = re.compile(rf"^(?:\d{{4}}年|{_NUM}[日号])")


def _zh_int(word: str) -> int | None:
    """12, 十二, 两, 二十四, 零五 as a number (up to 99 in Chinese numerals); None if it is none."""
    if word.isascii():
        return int(word)
    if len(word) == 1 and word in _ZH_DIGITS:
        return _ZH_DIGITS[word]
    if "十" not in word:
        return _ZH_DIGITS[word[1]] if len(word) == 2 and word[0] in "零〇" and word[1] in _ZH_DIGITS else None
    tens, _sep, ones = word.partition("十")
    if tens == "两" or (tens and tens not in _ZH_DIGITS) or (ones and ones not in _ZH_DIGITS) or "两" in ones:
        return None
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _zh_number(word: str, text: str) -> int:
    number = _zh_int(word)
    if number is None:
        raise _cannot(text)
    return number


def _cannot(text: str) -> DateError:
    return DateError(_("cannot understand the date {text!r}; {hint}").format(text=text, hint=_(HINT)), field="occurred_at")


def _zh_relative(cleaned: str, ref: datetime, text: str) -> datetime | None:
    m = _ZH_RELATIVE.match(cleaned)
    if not m:
        return None
    from dateutil.relativedelta import relativedelta

    unit = _ZH_UNITS[m.group("unit")]
    sign = -1 if m.group("dir") == "前" else 1
    if m.group("n") == "半":
        if unit != "hours":
            raise _cannot(text)  # 半天, 半个月: how long is that?
        delta = relativedelta(minutes=sign * 30)
    else:
        delta = relativedelta(**{unit: sign * _zh_number(m.group("n"), text)})
    return (ref + delta).replace(microsecond=0)


def _zh_day(m: re.Match, ref: datetime, text: str) -> date:
    today = ref.date()
    if m.group("word"):
        return today + timedelta(days=_ZH_DAY_WORDS[m.group("word")])
    if m.group("weekday"):
        weekday = _ZH_WEEKDAY[m.group("weekday")]
        which = m.group("which")
        if which is None:  # 周五: the most recent one, today included (as "fri")
            return today - timedelta(days=(today.weekday() - weekday) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * _ZH_WEEK[which] + weekday)
    if m.group("iso_y"):
        year, month, day = (int(m.group(g)) for g in ("iso_y", "iso_m", "iso_d"))
    else:
        year = int(m.group("year")) if m.group("year") else ref.year
        month, day = _zh_number(m.group("month"), text), _zh_number(m.group("day"), text)
    if not 1 <= month <= 12:
        raise DateError(_("{text!r}: there is no month {month}").format(text=text, month=month), field="occurred_at")
    if not 1 <= year <= 9999:
        raise _cannot(text)
    import calendar  # here: only a written-out Chinese day needs it

    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateError(
            _("{text!r} is not a day in the calendar: month {month} of {year} has {days} days").format(
                text=text, month=month, year=year, days=days
            ),
            field="occurred_at",
        )
    return date(year, month, day)


def _zh_time(rest: str, text: str) -> time | None:
    m = _ZH_TIME.match(rest)
    if not m:
        return _time_of_day(rest)  # "15:00", "3pm" after a Chinese day
    period = m.group("period")
    if m.group("hh") is not None:
        hour, minute = int(m.group("hh")), int(m.group("mm"))
    else:
        hour = _zh_number(m.group("hour"), text)
        if m.group("half"):
            minute = 30
        elif m.group("quarter"):
            minute = 15 if m.group("quarter") == "一刻" else 45
        else:
            minute = _zh_number(m.group("minute"), text) if m.group("minute") else 0
    if hour > 23:
        raise DateError(
            _("{text!r}: there is no hour {hour}; hours run from 0 to 23").format(text=text, hour=hour), field="occurred_at"
        )
    if minute > 59:
        raise DateError(
            _("{text!r}: there is no minute {minute}; minutes run from 0 to 59").format(text=text, minute=minute),
            field="occurred_at",
        )
    if period:
        low, high, added = _ZH_PERIODS[period]
        if period == "中午":  # 11, 12, then 1 and 2 in the afternoon
            if hour not in (11, 12, 1, 2):
                raise _zh_period_error(text, period, low, high)
            return time(hour + 12 if hour <= 2 else hour, minute)
        if not low <= hour <= high:
            raise _zh_period_error(text, period, low, high)
        return time(hour + added, minute)
    if m.group("hh") is None and 1 <= hour <= 12:
        # 3点 said aloud is 03:00 or 15:00; only the writer knows which.
        if hour == 12:
            first, second = "中午12点", "0点"
        else:
            first, second = f"上午{hour}点", f"{'下午' if hour < 6 else '晚上'}{hour}点"
        raise DateError(
            # TRANSLATORS: {first} and {second} are Chinese times, e.g. 上午3点 and 下午3点
            _("{text!r} could be {first} or {second}; write one of them").format(text=text, first=first, second=second),
            field="occurred_at",
        )
    return time(hour, minute)


def _zh_is_time(rest: str) -> bool:
    """Whether `rest` is empty or a time of day (whether a span before it lacks only the day)."""
    return not rest or bool(_ZH_TIME.match(rest)) or _time_of_day(rest) is not None


def _zh_period_error(text: str, period: str, low: int, high: int) -> DateError:
    return DateError(
        # TRANSLATORS: {period} is a part of the day as typed (上午, 下午, 中午, 晚上...); {low} and {high} are clock hours
        _("{text!r}: after {period} the hour runs from {low} to {high}").format(text=text, period=period, low=low, high=high),
        field="occurred_at",
    )


def _chinese(cleaned: str, ref: datetime, text: str) -> datetime:
    """A date written in Chinese (maybe with digits and English times), or DateError."""
    cleaned = re.sub(r"[ ,、]", "", cleaned)  # "11月24日，下午3点": NFKC made the comma ASCII
    cleaned = _ZH_SHORT.sub(lambda m: _ZH_SHORT_WORDS[m.group(0)], cleaned)  # 昨晚8点 = 昨天晚上8点
    if cleaned == "现在":
        return ref.replace(microsecond=0)
    relative = _zh_relative(cleaned, ref, text)
    if relative is not None:
        return relative
    zone = ref.tzinfo
    offset = _ZH_OFFSET.search(cleaned)
    if offset and len(cleaned) > offset.end() - offset.start():
        sign = -1 if offset.group(1) == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
        cleaned = cleaned[: offset.start()]
    m = _ZH_DAY.match(cleaned)
    if m:
        day, rest = _zh_day(m, ref, text), cleaned[m.end() :]
        if m.group("check") is not None and _ZH_WEEKDAY[m.group("check")] != day.weekday():
            raise DateError(
                # TRANSLATORS: {day} is an ISO date, {weekday} a Chinese weekday such as 周二
                _("{text!r} names the wrong weekday: {day} is a {weekday}").format(
                    text=text, day=day.isoformat(), weekday=_ZH_WEEKDAY_NAMES[day.weekday()]
                ),
                field="occurred_at",
            )
    else:
        for span, message in ((_ZH_NO_DAY, _NO_DAY), (_ZH_NO_MONTH, _NO_MONTH)):
            found = span.match(cleaned)
            if found and _zh_is_time(cleaned[found.end() :]):
                raise DateError(_(message).format(text=text), field="occurred_at")
        day, rest = ref.date(), cleaned  # a time alone is today's, as "15:00" is
    at = _zh_time(rest, text) if rest else time(0, 0)
    if at is None:
        raise _cannot(text)
    return datetime.combine(day, at, tzinfo=zone)


def parse_when(text: str, ref: datetime | None = None) -> datetime:
    """Parse what a person typed into an aware datetime, or raise DateError."""
    # NFKC: full-width digits, colon and space ("１５：００") read as their ASCII twins.
    cleaned = " ".join(unicodedata.normalize("NFKC", str(text)).strip().lower().split())
    if not cleaned:
        raise DateError(_("empty date; {hint}").format(hint=_(HINT)), field="occurred_at")
    ref = ref or now()
    try:
        if _CJK.search(cleaned):
            result = _chinese(cleaned, ref, text)
        else:
            result = _relative(cleaned, ref)
            if result is None:
                only_time = _time_of_day(cleaned)
                if only_time is not None:
                    result = datetime.combine(ref.date(), only_time, tzinfo=ref.tzinfo)
            if result is None:
                result = _absolute(unicodedata.normalize("NFKC", str(text)).strip(), ref, str(text).strip())
    except DateError:
        raise
    except (ValueError, OverflowError, TypeError, ArithmeticError) as err:
        raise _cannot(text) from err
    try:
        # A date at the edge of the calendar, or an offset beyond ±24 h, fails
        # only when used: find out now, while we can still say which input it was.
        result.astimezone(UTC)
    except OverflowError as err:
        raise DateError(
            _("the date {text!r} is out of range: in UTC it falls outside the years 1 to 9999").format(text=text),
            field="occurred_at",
        ) from err
    except (ValueError, TypeError, ArithmeticError) as err:
        raise _cannot(text) from err
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


def _absolute(text: str, ref: datetime, shown: str) -> datetime:
    """A written-out date through dateutil, refusing what it would have to guess.

    Parsed twice with different default months and days: if the two readings
    differ, the text did not say the month or the day ("march", "2026", "30"),
    and a guess would put a wrong date into evidence. The year defaults to the
    current one ("Nov 23"). A time-zone name dateutil does not know ("EST") is
    refused rather than silently dropped. `shown` is the text as typed, for the message.
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
                _("unknown time zone in {text!r}; write it as an offset, e.g. 2026-11-23 15:00 -05:00").format(text=shown),
                field="occurred_at",
            ) from err
    if first.month != second.month:
        raise DateError(_(_NO_MONTH).format(text=shown), field="occurred_at")
    if first.day != second.day:
        raise DateError(_(_NO_DAY).format(text=shown), field="occurred_at")
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


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# How a day is written: a pattern per language in the catalogs (the codes of
# strftime, read by day_in below rather than by strftime, which would follow the C
# library's locale), with the weekday and month names translated one by one; the
# same msgids as the Markdown export's (markdown.py), so a day reads the same on the
# screen and in the document. English comes out as strftime wrote it before.
_DATE_CODE = re.compile(r"%(-?)([aAbBdmYHM%])")
_NAMES: dict[str, tuple] = {}


def _names() -> tuple:
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


def day_in(pattern: str, day: date) -> str:
    """`day` as `pattern` says, in the language in use: %a weekday, %b / %B month
    abbreviated / named, %d %m day and month (%-d %-m without a leading zero), %Y year,
    %H %M hour and minute."""
    weekdays, abbreviations, months = _names()

    def code(m: re.Match) -> str:
        bare, c = m.group(1), m.group(2)
        if c == "a":
            return weekdays[day.weekday()]
        if c == "b":
            return abbreviations[day.month - 1]
        if c == "B":
            return months[day.month - 1]
        if c == "d":
            return str(day.day) if bare else f"{day.day:02d}"
        if c == "m":
            return str(day.month) if bare else f"{day.month:02d}"
        if c == "Y":
            return str(day.year)
        if c in "HM":
            value = (getattr(day, "hour", 0), getattr(day, "minute", 0))[c == "M"]
            return str(value) if bare else f"{value:02d}"
        return "%"

    return _DATE_CODE.sub(code, pattern)


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
