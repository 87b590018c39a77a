import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from dateutil import tz

from pmjournal.core.dates import describe, parse_bound, parse_when
from pmjournal.core.errors import DateError

ZONE = tz.gettz("Asia/Shanghai")
REF = datetime(2026, 11, 25, 10, 30, tzinfo=ZONE)  # a Wednesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", datetime(2026, 11, 25, 0, 0)),
        ("yesterday 15:00", datetime(2026, 11, 24, 15, 0)),
        ("Yesterday 3pm", datetime(2026, 11, 24, 15, 0)),
        ("tomorrow 9:30am", datetime(2026, 11, 26, 9, 30)),
        ("last fri", datetime(2026, 11, 20, 0, 0)),
        ("last friday 09:15", datetime(2026, 11, 20, 9, 15)),
        ("last wednesday", datetime(2026, 11, 18, 0, 0)),
        ("wed", datetime(2026, 11, 25, 0, 0)),
        ("next monday", datetime(2026, 11, 30, 0, 0)),
        ("3 days ago", datetime(2026, 11, 22, 10, 30)),
        ("an hour ago", datetime(2026, 11, 25, 9, 30)),
        ("2 weeks ago", datetime(2026, 11, 11, 10, 30)),
        ("in 2 days", datetime(2026, 11, 27, 10, 30)),
        ("15:00", datetime(2026, 11, 25, 15, 0)),
        ("2026-11-23", datetime(2026, 11, 23, 0, 0)),
        ("2026-11-23T15:00", datetime(2026, 11, 23, 15, 0)),
        ("23 Nov 2026 3pm", datetime(2026, 11, 23, 15, 0)),
        ("noon", datetime(2026, 11, 25, 12, 0)),
        # a count of days or more, then the time of day ("2 days ago 09:30" was refused)
        ("2 days ago 09:30", datetime(2026, 11, 23, 9, 30)),
        ("a week ago 6pm", datetime(2026, 11, 18, 18, 0)),
        ("in 2 days 10:00", datetime(2026, 11, 27, 10, 0)),
        ("tomorrow noon", datetime(2026, 11, 26, 12, 0)),
        ("last fri midday", datetime(2026, 11, 20, 12, 0)),
    ],
)
def test_phrases(text, expected):
    result = parse_when(text, REF)
    assert result.tzinfo is not None
    assert result.replace(tzinfo=None) == expected
    assert result.utcoffset().total_seconds() == 8 * 3600


def test_explicit_offset_is_kept():
    result = parse_when("2026-11-23T15:00+02:00", REF)
    assert result.utcoffset().total_seconds() == 2 * 3600


@pytest.mark.parametrize(
    "text, expected, offset_hours",
    [
        ("15:00 -05:00", datetime(2026, 11, 24, 15, 0), -5),  # the guide's own example; still the 24th there
        ("yesterday 15:00 UTC", datetime(2026, 11, 24, 15, 0), 0),
        ("last fri 09:00 +08:00", datetime(2026, 11, 20, 9, 0), 8),
        ("3pm gmt", datetime(2026, 11, 25, 15, 0), 0),
        ("tomorrow 9:30 +0530", datetime(2026, 11, 26, 9, 30), 5.5),
    ],
)
def test_a_phrase_with_a_time_zone_is_that_time_there(text, expected, offset_hours):
    """'15:00 -05:00' was refused as a date that does not say its month, 'yesterday 15:00
    UTC' as not understood, though the guide offers both."""
    result = parse_when(text, REF)
    assert result.replace(tzinfo=None) == expected
    assert result.utcoffset().total_seconds() == offset_hours * 3600


def test_a_time_with_a_zone_is_on_the_day_it_is_there():
    """At 05:51 UTC on 4 Dec it is 21:51 on 3 Dec at -08:00: '15:00 -08:00' is the 3rd's 15:00
    there, not the 4th's (17 hours ahead)."""
    ref = datetime(2026, 12, 4, 5, 51, tzinfo=UTC)
    assert parse_when("15:00 -08:00", ref) == datetime(2026, 12, 3, 15, 0, tzinfo=timezone(timedelta(hours=-8)))
    assert parse_when("yesterday 15:00 -08:00", ref) == datetime(2026, 12, 2, 15, 0, tzinfo=timezone(timedelta(hours=-8)))
    shanghai = datetime(2026, 11, 20, 8, 0, tzinfo=ZONE)  # 19 Nov 19:00 at -05:00
    assert parse_when("15:00 -05:00", shanghai).isoformat() == "2026-11-19T15:00:00-05:00"


@pytest.mark.parametrize("text", ["now utc", "3 days ago utc", "march utc"])
def test_a_zone_after_what_is_not_a_day_or_a_time_is_refused(text):
    with pytest.raises(DateError):
        parse_when(text, REF)


@pytest.mark.parametrize(
    "text", ["banana", "", "   ", "yesterday 25:00", "32 Nov 2026", "last blursday", "2 hours ago 9:30", "3 days ago blah"]
)
def test_nonsense_is_refused(text):
    with pytest.raises(DateError):
        parse_when(text, REF)


def test_describe_says_how_it_was_understood():
    assert describe(parse_when("2026-11-23 15:00", REF)) == "Mon 23 Nov 2026 15:00 +08:00"


def test_until_a_bare_day_includes_the_whole_day():
    end = parse_bound("2026-10-31", end=True, ref=REF)
    assert (end.hour, end.minute, end.day) == (23, 59, 31)
    assert parse_bound("2026-10-31 12:00", end=True, ref=REF).hour == 12


def test_every_code_of_a_day_pattern():
    from pmjournal.core.dates import day_in

    names = (
        ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
        tuple(f"b{m}" for m in range(1, 13)),
        tuple(f"B{m}" for m in range(1, 13)),
    )
    when = datetime(2026, 3, 5, 7, 4, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    assert day_in("%a %d %-d %b %B %m/%-m %Y", when, names) == "Th 05 5 b3 B3 03/3 2026"
    assert day_in("at %H:%M (%-H.%-M) %z!", when, names) == "at 07:04 (7.4) -05:30!"
    assert day_in("%H:%M %z", when.date(), names) == "00:00 "  # a day has no time and no offset
    assert day_in("100%% %A%q", when, names) == "100% %%q"  # %A is not a code pmjournal writes
    assert day_in("", when, names) == "" and day_in("no codes", when, names) == "no codes"


DECEMBER = datetime(2026, 12, 2, 10, 30, tzinfo=ZONE)  # a Wednesday in December


@pytest.mark.parametrize(
    "text, due, happened",
    [
        # a due date reads forward: the coming Friday, next January
        ("fri", "2026-12-04", "2026-11-27"),
        ("wed", "2026-12-02", "2026-12-02"),
        ("5 Jan", "2027-01-05", "2026-01-05"),
        ("Jan 5 15:00", "2027-01-05", "2026-01-05"),
        ("2 Dec", "2026-12-02", "2026-12-02"),
        ("24 Dec", "2026-12-24", "2026-12-24"),
        # what says it all is read as written
        ("last fri", "2026-11-27", "2026-11-27"),
        ("this fri", "2026-11-27", "2026-11-27"),
        ("next fri", "2026-12-04", "2026-12-04"),
        ("5 Jan 2026", "2026-01-05", "2026-01-05"),
        ("2026-01-05", "2026-01-05", "2026-01-05"),
        ("yesterday", "2026-12-01", "2026-12-01"),
        ("周五", "2026-12-04", "2026-11-27"),
        ("1月5日", "2027-01-05", "2026-01-05"),
        ("2026年1月5日", "2026-01-05", "2026-01-05"),
        ("上周五", "2026-11-27", "2026-11-27"),
    ],
)
def test_a_due_date_reads_forward(text, due, happened):
    """`--follow-up-by fri` meant the last Friday, and a commitment due "5 Jan" typed in
    December was this January's, refused as before the entry (or, for an entry dated back,
    an open loop overdue from the start)."""
    assert parse_when(text, DECEMBER, ahead=True).date().isoformat() == due
    assert parse_when(text, DECEMBER).date().isoformat() == happened


@pytest.mark.parametrize(
    "text, message",
    [
        ("tomorrow afternoon", "'tomorrow afternoon' does not say the hour of the afternoon; write it, as in 'tomorrow 15:00'"),
        ("next fri morning", "'next fri morning' does not say the hour of the morning; write it, as in 'next fri 9:00'"),
    ],
)
def test_a_part_of_the_day_without_its_hour_is_refused_with_one_to_write(text, message):
    """ "tomorrow afternoon" was "cannot understand the date" with examples of other forms."""
    with pytest.raises(DateError) as caught:
        parse_when(text, REF, ahead=True)
    assert str(caught.value) == message


def test_a_due_date_that_cannot_be_read_is_given_examples_of_days_to_come():
    """A commitment's or review's date that was not understood was answered with "try
    'yesterday 15:00', 'last fri', '3 days ago'": days gone, where a due date is one to come."""
    with pytest.raises(DateError) as caught:
        parse_when("soonish", REF, ahead=True)
    assert (
        str(caught.value) == "cannot understand the date 'soonish'; try 'tomorrow 15:00', 'next fri', 'in 2 weeks' or 2026-12-15"
    )
    for example in ("tomorrow 15:00", "next fri", "in 2 weeks", "2026-12-15"):
        assert parse_when(example, REF, ahead=True) > REF
    with pytest.raises(DateError) as caught:
        parse_when("soonish", REF)
    assert "try 'yesterday 15:00'" in str(caught.value)


@pytest.mark.parametrize(
    "text, readings",
    [
        ("1/12/2026", "write 2026-12-01 or 2026-01-12"),
        ("12/1/2026", "write 2026-01-12 or 2026-12-01"),
        ("1.12.2026", "write 2026-12-01 or 2026-01-12"),
        ("3-4-26 15:00", "write 2026-04-03 or 2026-03-04"),
    ],
)
def test_a_numeric_date_that_reads_both_ways_is_refused(text, readings):
    """--when 1/12/2026 was 12 January (month first) and 23.11.2026 day first: a guess either
    way puts a wrong date into evidence (a helper's CLI trial)."""
    with pytest.raises(DateError) as caught:
        parse_when(text, REF)
    assert str(caught.value) == f"{text!r} could be read day first or month first; {readings}"


@pytest.mark.parametrize("text", ["23/11/2026", "11/23/2026", "23.11.2026", "5/5/2026"])
def test_a_numeric_date_that_reads_one_way_is_read(text):
    assert parse_when(text, REF).date().isoformat() in ("2026-11-23", "2026-05-05")


@pytest.mark.parametrize(
    "text, due",
    [
        ("in 3 days", "2026-11-28T00:00"),
        ("in 2 weeks", "2026-12-09T00:00"),
        ("3天后", "2026-11-28T00:00"),
        ("in 2 hours", "2026-11-25T12:30"),
    ],
)
def test_a_due_date_counted_in_days_is_that_day(text, due):
    """`--follow-up-by "in 3 days"` was stored at the time it was typed (Mon 07 Dec 11:37),
    where docs/data-format.md says a due date is the day typed; counted in hours it is a time."""
    assert parse_when(text, REF, ahead=True).isoformat()[:16] == due
    assert parse_when(text, REF).isoformat()[11:16] == "10:30" or "hours" in text  # a When keeps the time


@pytest.mark.parametrize("text", ["fri 16:00", "friday 4pm", "星期五下午4点", "周五 16:00"])
def test_todays_weekday_at_an_hour_still_to_come_is_last_weeks_for_a_when(text):
    """`--when "fri 16:00"` typed on a Friday at 14:00 read as today 16:00, in the future, and
    was refused (docs/guide.md's own `done … --when "fri 16:00"`, on Fridays). For a When it is
    last Friday's; for a due date it is still today's. An hour already past stays today's."""
    friday = datetime(2026, 12, 4, 14, 0, tzinfo=ZONE)
    assert parse_when(text, ref=friday) == friday.replace(day=4, hour=16) - timedelta(days=7)
    assert parse_when(text, ref=friday, ahead=True) == friday.replace(hour=16)
    assert parse_when(
        text.replace("16:00", "9:00").replace("4pm", "9am").replace("下午4点", "上午9点"), ref=friday
    ) == friday.replace(hour=9)
    assert parse_when("this fri 16:00", ref=friday) == friday.replace(hour=16)  # said outright: refused where typed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2026-02-30", "2026-02 has no day 30 (it ends on the 28)"),
        ("2028-02-30 10:00", "2028-02 has no day 30 (it ends on the 29)"),
        ("2026-04-31T09:00", "2026-04 has no day 31"),
        # in words too (a later trial): only the ISO form was named
        ("29 Feb 2025", "2025-02 has no day 29 (it ends on the 28)"),
        ("feb 30 2028 10:00", "2028-02 has no day 30 (it ends on the 29)"),
    ],
)
def test_a_day_the_month_does_not_have_is_named(text, said):
    """It said "cannot understand the date", as if the form were wrong (a user trial)."""
    with pytest.raises(DateError, match=re.escape(said)):
        parse_when(text, DECEMBER)
