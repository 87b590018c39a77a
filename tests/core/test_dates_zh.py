"""Dates in Chinese (issue 17): what parse_when reads, what it refuses and why,
and how display writes a date in each interface language."""

from datetime import datetime

import pytest
from dateutil import tz

from pmjournal.core import display, i18n
from pmjournal.core.dates import describe, has_time, parse_bound, parse_when, written_day
from pmjournal.core.errors import DateError

ZONE = tz.gettz("Asia/Shanghai")
REF = datetime(2026, 11, 25, 10, 30, tzinfo=ZONE)  # a Wednesday
SATURDAY = datetime(2026, 11, 28, 10, 30, tzinfo=ZONE)


ACCEPTED = [
    ("今天", datetime(2026, 11, 25, 0, 0)),
    ("今日", datetime(2026, 11, 25, 0, 0)),
    ("昨天", datetime(2026, 11, 24, 0, 0)),
    ("前天", datetime(2026, 11, 23, 0, 0)),
    ("大前天", datetime(2026, 11, 22, 0, 0)),
    ("明天", datetime(2026, 11, 26, 0, 0)),
    ("后天", datetime(2026, 11, 27, 0, 0)),
    ("现在", datetime(2026, 11, 25, 10, 30)),
    ("昨天 15:00", datetime(2026, 11, 24, 15, 0)),
    ("昨天15:00", datetime(2026, 11, 24, 15, 0)),
    ("昨天15点", datetime(2026, 11, 24, 15, 0)),
    ("昨天 15点30分", datetime(2026, 11, 24, 15, 30)),
    ("昨天下午3点", datetime(2026, 11, 24, 15, 0)),
    ("昨天 下午 3点半", datetime(2026, 11, 24, 15, 30)),
    ("昨天下午三点一刻", datetime(2026, 11, 24, 15, 15)),
    ("昨天下午3:45", datetime(2026, 11, 24, 15, 45)),
    ("昨天 3pm", datetime(2026, 11, 24, 15, 0)),
    ("今天上午10:30", datetime(2026, 11, 25, 10, 30)),
    ("今天上午十点", datetime(2026, 11, 25, 10, 0)),
    ("今天早上8点05分", datetime(2026, 11, 25, 8, 5)),
    ("今天凌晨2点", datetime(2026, 11, 25, 2, 0)),
    ("今天中午12点", datetime(2026, 11, 25, 12, 0)),
    ("今天中午1点", datetime(2026, 11, 25, 13, 0)),
    ("今天中午", datetime(2026, 11, 25, 12, 0)),  # noon, as 中午12点
    ("明天 中午", datetime(2026, 11, 26, 12, 0)),
    ("今天晚上8点", datetime(2026, 11, 25, 20, 0)),
    ("昨晚8点", datetime(2026, 11, 24, 20, 0)),
    ("今早9:30", datetime(2026, 11, 25, 9, 30)),
    ("明晚七点半", datetime(2026, 11, 26, 19, 30)),
    ("11月24日，下午3点", datetime(2026, 11, 24, 15, 0)),
    ("明天 0点", datetime(2026, 11, 26, 0, 0)),
    ("下午3点", datetime(2026, 11, 25, 15, 0)),  # a time alone is today's, as "15:00"
    ("15点", datetime(2026, 11, 25, 15, 0)),
    ("15时30分", datetime(2026, 11, 25, 15, 30)),
    # weeks start on Monday: 上周 / 这周 / 下周 are calendar weeks
    ("上周五", datetime(2026, 11, 20, 0, 0)),
    ("上个星期五 9:15", datetime(2026, 11, 20, 9, 15)),
    ("上周日", datetime(2026, 11, 22, 0, 0)),
    ("这周一", datetime(2026, 11, 23, 0, 0)),
    ("本周一", datetime(2026, 11, 23, 0, 0)),
    ("这周五", datetime(2026, 11, 27, 0, 0)),
    ("下周三", datetime(2026, 12, 2, 0, 0)),
    ("下周一 上午9点", datetime(2026, 11, 30, 9, 0)),
    # a bare weekday: the most recent one, today included (as "fri" and "wed")
    ("周五", datetime(2026, 11, 20, 0, 0)),
    ("星期五", datetime(2026, 11, 20, 0, 0)),
    ("礼拜五", datetime(2026, 11, 20, 0, 0)),
    ("周三", datetime(2026, 11, 25, 0, 0)),
    ("星期天", datetime(2026, 11, 22, 0, 0)),
    # counts back and ahead keep the time of day, as "3 days ago"
    ("3天前", datetime(2026, 11, 22, 10, 30)),
    ("3 天前", datetime(2026, 11, 22, 10, 30)),
    ("三天后", datetime(2026, 11, 28, 10, 30)),
    ("两周后", datetime(2026, 12, 9, 10, 30)),
    ("2小时前", datetime(2026, 11, 25, 8, 30)),
    ("两个小时以后", datetime(2026, 11, 25, 12, 30)),
    ("半小时前", datetime(2026, 11, 25, 10, 0)),
    ("十分钟前", datetime(2026, 11, 25, 10, 20)),
    ("一个月前", datetime(2026, 10, 25, 10, 30)),
    ("十二天之前", datetime(2026, 11, 13, 10, 30)),
    ("一年后", datetime(2027, 11, 25, 10, 30)),
    ("2天前 9:30", datetime(2026, 11, 23, 9, 30)),  # a count of days, then the time of day
    ("两天前下午3点", datetime(2026, 11, 23, 15, 0)),
    # written-out days; the year defaults to this one, as "Nov 23"
    ("11月24日", datetime(2026, 11, 24, 0, 0)),
    ("11月24号", datetime(2026, 11, 24, 0, 0)),
    ("11月24日 15:00", datetime(2026, 11, 24, 15, 0)),
    ("11月24日下午3点", datetime(2026, 11, 24, 15, 0)),
    ("2026年11月24日", datetime(2026, 11, 24, 0, 0)),
    ("2025年2月3日 9:05", datetime(2025, 2, 3, 9, 5)),
    ("十一月二十四日", datetime(2026, 11, 24, 0, 0)),
    ("2024年2月29日", datetime(2024, 2, 29, 0, 0)),
    ("2026-11-24 下午3点", datetime(2026, 11, 24, 15, 0)),
    # a day of the month before, this one or the next, by the calendar
    ("上个月3号", datetime(2026, 10, 3, 0, 0)),
    ("上月3日", datetime(2026, 10, 3, 0, 0)),
    ("上个月31号 下午2点", datetime(2026, 10, 31, 14, 0)),
    ("这个月二十号", datetime(2026, 11, 20, 0, 0)),
    ("本月3日", datetime(2026, 11, 3, 0, 0)),
    ("下个月31号", datetime(2026, 12, 31, 0, 0)),
    # what long_date writes in Chinese reads back
    ("2026年11月24日 周二 15:00", datetime(2026, 11, 24, 15, 0)),
    # a year by word, two weeks on or back, a month's or a year's end, half a month or a year
    # (a user trial found each refused)
    ("明年1月5日", datetime(2027, 1, 5, 0, 0)),
    ("去年3月1日", datetime(2025, 3, 1, 0, 0)),
    ("下下周一", datetime(2026, 12, 7, 0, 0)),
    ("上上周五", datetime(2026, 11, 13, 0, 0)),
    ("月底", datetime(2026, 11, 30, 0, 0)),
    ("下个月底", datetime(2026, 12, 31, 0, 0)),
    ("上个月底", datetime(2026, 10, 31, 0, 0)),
    ("年底", datetime(2026, 12, 31, 0, 0)),
    ("去年底", datetime(2025, 12, 31, 0, 0)),
    ("本月底 下午3点", datetime(2026, 11, 30, 15, 0)),
    ("半个月后", datetime(2026, 12, 10, 10, 30)),
    ("半年前", datetime(2026, 5, 25, 10, 30)),
    # full-width digits, colon and space (NFKC)
    ("１５：００", datetime(2026, 11, 25, 15, 0)),
    ("昨天　１５：００", datetime(2026, 11, 24, 15, 0)),
    ("１１月２４日", datetime(2026, 11, 24, 0, 0)),
]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_chinese_forms(text, expected):
    result = parse_when(text, REF)
    assert result.replace(tzinfo=None) == expected
    assert result.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize(
    "text, expected",
    [
        ("昨天 15:00", datetime(2026, 11, 24, 15, 0)),
        ("上周五", datetime(2026, 11, 20, 0, 0)),
        ("yesterday 15:00", datetime(2026, 11, 24, 15, 0)),
        ("last fri", datetime(2026, 11, 20, 0, 0)),
        ("3 days ago", datetime(2026, 11, 22, 10, 30)),
    ],
)
def test_either_language_is_read_whatever_the_interface_says(lang, text, expected):
    with i18n.using(lang):
        assert parse_when(text, REF).replace(tzinfo=None) == expected


def test_last_week_is_the_calendar_week_not_the_last_seven_days():
    """On a Saturday, 上周五 is eight days back (last week's Friday), while "last fri" is yesterday."""
    assert parse_when("上周五", SATURDAY).date().isoformat() == "2026-11-20"
    assert parse_when("last fri", SATURDAY).date().isoformat() == "2026-11-27"
    assert parse_when("这周五", SATURDAY).date().isoformat() == "2026-11-27"
    assert parse_when("周五", SATURDAY).date().isoformat() == "2026-11-27"
    assert parse_when("下周五", SATURDAY).date().isoformat() == "2026-12-04"


def test_an_offset_after_a_chinese_date_is_kept():
    result = parse_when("2026年11月24日 周二 15:00 -05:00", REF)
    assert result.utcoffset().total_seconds() == -5 * 3600
    assert (result.day, result.hour) == (24, 15)


REFUSED = [
    ("11月31日", "'11月31日' is not a day in the calendar: month 11 of 2026 has 30 days"),
    ("2027年2月29日", "'2027年2月29日' is not a day in the calendar: month 2 of 2027 has 28 days"),
    ("13月1日", "'13月1日': there is no month 13"),
    ("25点", "'25点': there is no hour 25; hours run from 0 to 23"),
    ("昨天 25:00", "'昨天 25:00': there is no hour 25; hours run from 0 to 23"),
    ("下午3点70分", "'下午3点70分': there is no minute 70; minutes run from 0 to 59"),
    ("下午15点", "'下午15点': after 下午 the hour runs from 1 to 11"),
    ("上午13点", "'上午13点': after 上午 the hour runs from 1 to 11"),
    ("中午5点", "'中午5点': after 中午 the hour runs from 11 to 2"),
    ("昨天3点", "'昨天3点' could be 上午3点 or 下午3点; write one of them"),
    ("昨天9点", "'昨天9点' could be 上午9点 or 晚上9点; write one of them"),
    ("12点", "'12点' could be 中午12点 or 0点; write one of them"),
    ("11月", "'11月' does not say the day; write a full date such as 2026-11-23"),
    ("2026年11月", "'2026年11月' does not say the day; write a full date such as 2026-11-23"),
    ("上周", "'上周' does not say the day; write a full date such as 2026-11-23"),
    ("上个月", "'上个月' does not say the day; write a full date such as 2026-11-23"),
    ("上个月 15:00", "'上个月 15:00' does not say the day; write a full date such as 2026-11-23"),
    ("2026年", "'2026年' does not say the month; write a full date such as 2026-11-23"),
    ("24号", "'24号' does not say the month; write a full date such as 2026-11-23"),
    ("2026年11月24日 周三", "'2026年11月24日 周三' names the wrong weekday: 2026-11-24 is a 周二"),
    ("半天前", "cannot understand the date '半天前'; try 'yesterday 15:00', 'last fri', '3 days ago' or 2026-11-23T15:00"),
    ("2小时前9:30", "cannot understand the date '2小时前9:30'; try"),
    ("两天前3点", "'两天前3点' could be 上午3点 or 下午3点; write one of them"),
    ("三三天前", "cannot understand the date '三三天前'; try"),
    ("昨天 blah", "cannot understand the date '昨天 blah'; try"),
    ("yesterday 下午3点", "cannot understand the date 'yesterday 下午3点'; try"),
    ("周末", "cannot understand the date '周末'; try"),
    ("昨晚", "'昨晚' does not say the hour after 晚上; write it, as in 昨晚8点"),
    ("明天下午", "'明天下午' does not say the hour after 下午; write it, as in 明天下午3点"),
    ("本月31号", "'本月31号' is not a day in the calendar: month 11 of 2026 has 30 days"),
    ("昨天晚上12点", "'昨天晚上12点': after 晚上 the hour runs from 5 to 11"),
    ("10000年前", "cannot understand the date '10000年前'; try"),
]


@pytest.mark.parametrize("text, message", REFUSED)
def test_what_cannot_be_read_for_sure_is_refused(text, message):
    with pytest.raises(DateError) as caught:
        parse_when(text, REF)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert caught.value.field == "occurred_at"


def test_a_refusal_quotes_the_text_as_typed():
    with pytest.raises(DateError, match="'２５点'"):
        parse_when("２５点", REF)


@pytest.mark.parametrize(
    "text, timed",
    [("上周五", False), ("11月24日", False), ("前天", False), ("后天", False), ("3天前", True), ("两周后", True)]
    + [("昨天 15:00", True), ("昨天下午3点", True), ("现在", True), ("１５：００", True)],
)
def test_has_time_knows_the_chinese_forms(text, timed):
    assert has_time(text) is timed


def test_until_a_chinese_day_includes_the_whole_day():
    end = parse_bound("上周五", end=True, ref=REF)
    assert (end.day, end.hour, end.minute) == (20, 23, 59)
    assert parse_bound("3天前", end=True, ref=REF).hour == 10


# -- how a date is written -----------------------------------------------------

WHEN = "2026-11-24T15:00:00+08:00"


def test_english_writing_is_unchanged():
    with i18n.using("en"):
        assert display.long_date(WHEN) == "Tue 24 Nov 2026 15:00 +08:00"
        assert display.long_date("2026-11-03T09:05:00-05:00") == "Tue 03 Nov 2026 09:05 -05:00"
        assert display.long_date("2026-11-24T15:00:00") == "Tue 24 Nov 2026 15:00"
        assert display.long_date("not a date") == "not a date"
        assert display.short_date(WHEN) == "2026-11-24 15:00"
        assert display.day_text("2026-11-07") == "7 Nov 2026"
        assert display.day_text(WHEN) == "24 Nov 2026"
        assert display.day_text("2026-11-07", weekday=True) == "Sat 07 Nov 2026"  # as long_date writes the day
        assert display.local_date("2026-11-24T07:00:00.123+00:00") == "Tue 24 Nov 2026 15:00 +08:00"
        assert describe(parse_when("2026-11-23 15:00", REF)) == "Mon 23 Nov 2026 15:00 +08:00"


def _old_long_date(iso: str) -> str:
    """display.long_date as it was before the dates learnt Chinese."""
    dt = datetime.fromisoformat(iso)
    offset = dt.strftime("%z")
    offset = f" {offset[:3]}:{offset[3:]}" if offset else ""
    return dt.strftime("%a %d %b %Y %H:%M") + offset


def test_english_writing_is_byte_identical_to_strftime():
    import random

    rng = random.Random(17)
    with i18n.using("en"):
        for _n in range(2000):
            when = datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
            offset = rng.choice(["", "+08:00", "-05:00", "+05:45", "+00:00", "-09:30"])
            iso = when.isoformat() + offset
            assert display.long_date(iso) == _old_long_date(iso), iso
            assert display.day_text(iso) == when.strftime("%d %b %Y").lstrip("0"), iso


def test_chinese_writing():
    with i18n.using("zh_CN"):
        assert display.long_date(WHEN) == "2026年11月24日 周二 15:00 +08:00"
        assert display.long_date("2026-11-03T09:05:00-05:00") == "2026年11月3日 周二 09:05 -05:00"
        assert display.long_date("2026-11-29T15:00:00") == "2026年11月29日 周日 15:00"
        assert display.long_date("not a date") == "not a date"
        assert display.local_date("2026-11-24T07:00:00.123+00:00") == "2026年11月24日 周二 15:00 +08:00"
        assert display.day_text("2026-11-07") == "2026年11月7日"
        assert display.day_text("2026-11-07", weekday=True) == "2026年11月7日 周六"
        assert describe(parse_when("昨天 15:00", REF)) == "2026年11月24日 周二 15:00 +08:00"


def test_a_table_date_keeps_its_width_in_every_language():
    """The short form is ISO in both languages: 16 cells, sorts as it reads."""
    for lang in ("en", "zh_CN"):
        with i18n.using(lang):
            assert display.short_date(WHEN) == "2026-11-24 15:00"


def test_the_language_is_read_at_call_time():
    """A language switched live (the TUI) or for one export (using) changes the next date written."""
    day = datetime(2026, 11, 24)
    assert written_day(day) == "24 Nov 2026"
    with i18n.using("zh_CN"):
        assert written_day(day) == "2026年11月24日"
        with i18n.using("en"):
            assert written_day(day) == "24 Nov 2026"
    assert written_day(day) == "24 Nov 2026"
    i18n.set_language("zh_CN")
    try:
        assert display.day_text("2026-11-24") == "2026年11月24日"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("iso", [WHEN, "2026-01-05T00:00:00+05:45", "2026-12-31T23:59:00"])
def test_what_chinese_writing_says_reads_back(iso):
    with i18n.using("zh_CN"):
        written = display.long_date(iso)
    assert parse_when(written, REF) == datetime.fromisoformat(iso).replace(
        tzinfo=datetime.fromisoformat(iso).tzinfo or REF.tzinfo
    )


def test_a_commitment_typed_with_full_width_semicolons_reads_as_with_plain_ones():
    """李娜；整理纪要；下周一 was refused ("write a commitment as 'who; what; by when'"), though a
    Chinese input method types ；and the people fields take ，and 、."""
    from pmjournal.core.model import parse_commitment

    plain = parse_commitment("李娜; 整理纪要; 2026-12-07")
    assert parse_commitment("李娜；整理纪要；2026-12-07") == plain
    assert plain["who"] == "李娜" and plain["what"] == "整理纪要"


def test_the_trails_column_reads_in_local_time_and_show_says_both():
    """Sorted by instant, rows in their own offsets read out of order: a colleague's
    10:00 -05:00 (23:00 here) listed after 15:00 +08:00 looked earlier."""
    with i18n.using("en"):
        assert display.short_date("2026-11-03T10:00:00-05:00") == "2026-11-03 23:00"
        assert display.short_date("2026-11-03T15:00:00+08:00") == "2026-11-03 15:00"
        assert display.short_date("2026-11-03T20:00:00-05:00") == "2026-11-04 09:00"
        assert display.short_date("2026-11-03T15:00:00") == "2026-11-03 15:00"  # no offset: as written
        assert display.when_text("2026-11-03T10:00:00-05:00") == "Tue 03 Nov 2026 10:00 -05:00 · 23:00 +08:00 here"
        assert display.when_text("2026-11-03T20:00:00-05:00") == "Tue 03 Nov 2026 20:00 -05:00 · Wed 04 Nov 2026 09:00 +08:00 here"
        assert display.when_text(WHEN) == display.long_date(WHEN)
    with i18n.using("zh_CN"):
        assert display.when_text("2026-11-03T10:00:00-05:00").endswith("· 本地 23:00 +08:00")


def test_a_day_of_last_month_in_january_is_in_december_of_the_year_before():
    january = datetime(2027, 1, 10, 9, 0, tzinfo=ZONE)
    assert parse_when("上个月3号", january).date().isoformat() == "2026-12-03"
    assert parse_when("下个月3号", datetime(2026, 12, 10, 9, 0, tzinfo=ZONE)).date().isoformat() == "2027-01-03"


def test_a_due_date_that_cannot_be_read_is_given_chinese_examples_of_days_to_come():
    with i18n.using("zh_CN"), pytest.raises(DateError) as caught:
        parse_when("不久", REF, ahead=True)
    assert "'明天 15:00'、'下周五'、'两周后'" in str(caught.value)
    for example in ("明天 15:00", "下周五", "两周后"):
        assert parse_when(example, REF, ahead=True) > REF
