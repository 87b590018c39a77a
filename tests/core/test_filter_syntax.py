from datetime import datetime

import pytest

from pmjournal.core.filter_syntax import parse, quote, tokens, with_person
from pmjournal.core.people import People


def test_free_text_and_structured_tokens():
    p = parse("Launch plan @ann #Pricing kind:decision project:apollo cause:comm role:approved")
    f = p.filter
    assert p.ok, p.errors
    assert f.search == "Launch plan"
    assert f.person == "ann"
    assert f.tags == ("pricing",)
    assert f.kinds == ("decision",)
    assert f.project == "apollo"
    assert f.cause == "communication"
    assert f.role == "approved"


def test_quotes_group_words():
    assert tokens('@"Pat PM" since:"2026-10-01 09:00" x') == ["@Pat PM", "since:2026-10-01 09:00", "x"]
    assert parse('@"Pat PM"').filter.person == "Pat PM"
    assert quote("Pat PM") == '"Pat PM"' and quote("ann") == "ann"


def test_dates_bound_a_whole_day():
    f = parse("since:2026-10-01 until:2026-10-02").filter
    assert f.since == datetime.fromisoformat("2026-10-01T00:00:00+08:00")
    assert f.until.date().isoformat() == "2026-10-02" and f.until.hour == 23


def test_half_typed_tokens_are_errors_not_exceptions():
    p = parse("launch since:someday kind:zz kind:")
    assert not p.ok
    assert len(p.errors) == 3
    assert p.filter.search == "launch"
    assert p.filter.since is None and p.filter.kinds == ()


def test_unique_prefixes_and_ambiguity():
    assert parse("kind:dec,inc").filter.kinds == ("decision", "incident")
    assert parse("kind:c").errors == ["kind 'c' could be change, communication"]


def test_person_prefix_resolves_against_known_people():
    people = People()
    people.learn({"owner": "Ann Lee", "approved_by": ["Bo Chen", "王小明"]})
    assert parse("@ann", people).filter.person == "Ann Lee"
    assert parse("@王", people).filter.person == "王小明"
    assert parse("@zed", people).filter.person == "zed"


def test_retracted_toggle_and_default():
    assert parse("").filter.include_retracted is True
    assert parse("", include_retracted=False).filter.include_retracted is False
    assert parse("retracted:no").filter.include_retracted is False
    assert parse("retracted:maybe").errors


def test_with_person_replaces_the_person_token():
    assert with_person("launch @bob #x", "Pat PM") == 'launch #x @"Pat PM"'


def test_parsed_filter_selects_like_the_core(journal):
    journal.add("decision", {"title": "Price the launch", "owner": "Ann Lee", "tags": ["pricing"]})
    journal.add("risk", {"title": "Launch slips", "owner": "Bo Chen"})
    hits = parse("launch @ann", journal.people).filter.apply(journal.entries())
    assert [h["title"] for h in hits] == ["Price the launch"]


def test_since_after_until_is_said_not_an_empty_trail_without_a_word():
    p = parse("since:2026-12-01 until:2026-11-01")
    assert p.errors == ["since 2026-12-01 is after until 2026-11-01: no entry can match"]
    assert parse("since:2026-11-01 until:2026-11-01").ok  # one whole day


@pytest.mark.parametrize("name", ['Tom "TJ" Becker', "O'Brien", "Pat PM", '"quoted"', 'a\\b "c"', 'a b\\', 'say "hi" \\'])
def test_a_person_with_quotes_in_the_name_survives_the_filter(name):
    """People's enter wrote @"Tom "TJ" Becker", which read as three tokens and matched nothing."""
    assert tokens("@" + quote(name)) == ["@" + name]
    assert tokens(with_person("launch kind:risk", name)) == ["launch", "kind:risk", "@" + name]


@pytest.mark.parametrize(("text", "error"), [("@", "@ needs a name"), ("launch #", "# needs a tag"), ('@""', "@ needs a name")])
def test_a_bare_at_or_hash_is_half_typed_not_a_word_to_search_for(text, error):
    """Searched for as a word, a bare @ (typed before the name) emptied the trail."""
    p = parse(text)
    assert p.errors == [error]
    assert p.filter.search == ("launch" if "launch" in text else None)
    assert p.filter.person is None and p.filter.tags == ()


def test_a_person_two_known_names_begin_is_said_not_guessed():
    """`@Tom` with Tom Becker and Tom "TJ" Becker known showed an empty trail without a word."""
    people = People()
    people.learn({"owner": "Tom Becker", "informed": ['Tom "TJ" Becker', "Ann"]})
    parsed = parse("launch @Tom", people)
    assert parsed.errors == ["'Tom' could be " + 'Tom "TJ" Becker; Tom Becker: type more of the name']
    assert parsed.filter.person is None and parsed.filter.search == "launch"
    assert parse("@tom b", people).errors and parse('@"Tom B"', people).filter.person == "Tom Becker"


def test_full_width_marks_as_a_chinese_input_method_types_them():
    """＠张伟, ＃离线 and kind：decision were read as plain words, which matched nothing and
    emptied the trail (a helper's tmux trial)."""
    people = People()
    people.learn({"owner": "张伟"})
    parsed = parse("＠张伟 ＃离线 kind：decision since：2026-10-01", people)
    assert parsed.ok, parsed.errors
    f = parsed.filter
    assert (f.person, f.tags, f.kinds) == ("张伟", ("离线",), ("decision",))
    assert f.since is not None and not f.search
    assert parse("＠").errors == ["@ needs a name"]
    assert parse("说明：见附件").filter.search == "说明：见附件"  # a colon in a word stays a word


def test_a_person_picked_replaces_one_typed_with_a_full_width_mark():
    """People's pick kept `＠张伟` beside `@李娜`: two persons, and the pick ignored."""
    assert with_person("＠张伟 kind：decision", "李娜") == "kind：decision @李娜"


def test_a_kind_is_named_as_the_interface_shows_it():
    """The Chinese trail's Kind column says 决策, and kind:决策 was refused ("unknown kind")."""
    from pmjournal.core import i18n

    try:
        i18n.set_language("zh_CN")
        assert parse("kind:决策,风险").filter.kinds == ("decision", "risk")
        assert parse("kind:dec").filter.kinds == ("decision",)  # the syntax's own words still hold
    finally:
        i18n.set_language("en")
    assert parse("kind:Decision").filter.kinds == ("decision",)
