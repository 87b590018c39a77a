"""Dates written in Chinese, for dates.parse_when: 今天, 昨天 15:00, 下午3点, 今天中午, 上周五,
3天前, 两周后, 11月24日, 上个月3号, 2026年11月24日.

Read when the text holds a CJK character; such text never reaches dateutil, so
what these rules do not read is refused rather than half-read. Spaces do not
matter ("昨天15点" = "昨天 15点"). Weeks start on Monday, as they do in China:
上周五 is the Friday of last week, 这周五 / 本周五 the Friday of this one (in the
future on a Wednesday), 下周三 the Wednesday of next week; a bare 周五 / 星期五 is,
like a bare "fri", the most recent Friday, today included. A clock hour from 1 to
12 with 点 and no 上午 / 下午 is refused: in speech 3点 is as often 15:00 as 03:00; so is a
part of the day with no hour (明天下午), except 中午, which is noon.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

from .dates import _NO_DAY, _NO_MONTH, _cannot, _time_of_day, at_time_of_day, counted, weekday_gone_by
from .errors import DateError
from .i18n import _

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
_ZH_WEEK = {"上上": -2, "上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0, "下": 1, "下个": 1, "下下": 2}
_ZH_YEAR = {"去": -1, "今": 0, "明": 1}
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
    rf"^(?P<n>{_NUM}|半)(?P<unit>{'|'.join(sorted(_ZH_UNITS, key=len, reverse=True))})(?:以|之)?(?P<dir>前|后)(?P<rest>.*)$"
)
_ZH_DAY = re.compile(
    "^(?:"
    rf"(?P<word>{'|'.join(sorted(_ZH_DAY_WORDS, key=len, reverse=True))})"
    r"|(?P<which>上上|下下|上个|这个|下个|上|这|本|下)?(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天])"
    rf"|(?:(?P<year>\d{{4}})年|(?P<rel_year>去|今|明)年)?(?P<month>{_NUM})月(?P<day>{_NUM})[日号]"
    r"|(?P<month_end>上个|下个|这个|上|下|这|本)?月底"
    r"|(?P<year_end>去|今|明)?年底"
    r"|(?P<iso_y>\d{4})[-/](?P<iso_m>\d{1,2})[-/](?P<iso_d>\d{1,2})"
    rf"|(?P<rel_month>上个|下个|这个|上|下|这|本)月(?P<rel_day>{_NUM})[日号]"
    r")(?:(?:周|星期|礼拜)(?P<check>[一二三四五六日天]))?"
)
_ZH_MONTH = {"上个": -1, "上": -1, "这个": 0, "这": 0, "本": 0, "下个": 1, "下": 1}
# A part of the day with no hour after it (明天下午): which hour to suggest in the refusal.
_ZH_PERIOD_EXAMPLE = {"凌晨": 2, "早上": 8, "早晨": 8, "上午": 10, "下午": 3, "傍晚": 6, "晚上": 8}
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


def _zh_relative(cleaned: str, ref: datetime, text: str, ahead: bool = False) -> datetime | None:
    m = _ZH_RELATIVE.match(cleaned)
    if not m:
        return None
    from dateutil.relativedelta import relativedelta

    unit = _ZH_UNITS[m.group("unit")]
    sign = -1 if m.group("dir") == "前" else 1
    if m.group("n") == "半":
        # 半小时 30 minutes, 半个月 15 days, 半年 6 months, as they are read; 半天 (half a day,
        # or "a while"?) is refused
        half = {"hours": relativedelta(minutes=30), "months": relativedelta(days=15), "years": relativedelta(months=6)}
        if unit not in half:
            raise _cannot(text)
        delta = half[unit] * sign
        unit = {"hours": "minutes", "months": "days", "years": "months"}[unit]
    else:
        delta = relativedelta(**{unit: sign * _zh_number(m.group("n"), text)})
    # 两天前下午3点: that day at that time, as "2 days ago 15:00"
    moved = at_time_of_day(counted(ref, delta, unit, ahead), m.group("rest"), unit, read=lambda rest: _zh_time(rest, text))
    if moved is None:
        raise _cannot(text)
    return moved


def _zh_day(m: re.Match, ref: datetime, text: str, ahead: bool = False) -> date:
    today = ref.date()
    if m.group("word"):
        return today + timedelta(days=_ZH_DAY_WORDS[m.group("word")])
    if m.group("weekday"):
        weekday = _ZH_WEEKDAY[m.group("weekday")]
        which = m.group("which")
        if which is None and ahead:  # 周五 as a due date: the coming one, today included
            return today + timedelta(days=(weekday - today.weekday()) % 7)
        if which is None:  # 周五: the most recent one, today included (as "fri")
            return today - timedelta(days=(today.weekday() - weekday) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * _ZH_WEEK[which] + weekday)
    if m.group(0).endswith("月底"):  # 月底, 下个月底: the month's last day
        import calendar

        months = today.year * 12 + today.month - 1 + _ZH_MONTH.get(m.group("month_end") or "本", 0)
        year, month = months // 12, months % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])
    if m.group(0).endswith("年底"):  # 年底, 明年底: 31 December
        return date(today.year + _ZH_YEAR.get(m.group("year_end") or "今", 0), 12, 31)
    if m.group("iso_y"):
        year, month, day = (int(m.group(g)) for g in ("iso_y", "iso_m", "iso_d"))
    elif m.group("rel_month"):  # 上个月3号: the 3rd of the calendar month before this one
        months = today.year * 12 + today.month - 1 + _ZH_MONTH[m.group("rel_month")]
        year, month, day = months // 12, months % 12 + 1, _zh_number(m.group("rel_day"), text)
    else:
        year = int(m.group("year")) if m.group("year") else ref.year + _ZH_YEAR.get(m.group("rel_year") or "今", 0)
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
    if ahead and not m.group("year") and not m.group("rel_year") and not m.group("iso_y") and date(year, month, day) < today:
        # 1月5日 written in December, as a due date: next January's
        if month != 2 or day != 29 or calendar.isleap(year + 1):
            year += 1
    return date(year, month, day)


def _zh_time(rest: str, text: str) -> time | None:
    if rest == "中午":  # 今天中午: noon, as 中午12点
        return time(12, 0)
    if rest in _ZH_PERIOD_EXAMPLE:
        raise DateError(
            # TRANSLATORS: {period} is a part of the day as typed (下午, 上午, 晚上...), {example} it with an hour (下午3点)
            _("{text!r} does not say the hour after {period}; write it, as in {example}").format(
                text=text, period=rest, example=f"{str(text).strip()}{_ZH_PERIOD_EXAMPLE[rest]}点"
            ),
            field="occurred_at",
        )
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


def chinese(cleaned: str, ref: datetime, text: str, ahead: bool = False) -> datetime:
    """A date written in Chinese (maybe with digits and English times), or DateError.
    `ahead`: a due date (dates.parse_when)."""
    cleaned = re.sub(r"[ ,、]", "", cleaned)  # "11月24日，下午3点": NFKC made the comma ASCII
    cleaned = _ZH_SHORT.sub(lambda m: _ZH_SHORT_WORDS[m.group(0)], cleaned)  # 昨晚8点 = 昨天晚上8点
    if cleaned == "现在":
        return ref.replace(microsecond=0)
    relative = _zh_relative(cleaned, ref, text, ahead)
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
        day, rest = _zh_day(m, ref, text, ahead), cleaned[m.end() :]
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
    when = datetime.combine(day, at, tzinfo=zone)
    return weekday_gone_by(when, ref, ahead) if m and m.group("weekday") and m.group("which") is None else when
