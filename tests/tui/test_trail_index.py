"""The trail's fast filter gives exactly what the core's Filter.apply gives, newest first."""

import pytest

from pmjournal.core.filter_syntax import parse
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.tui.trail_index import TrailIndex, narrows

QUERIES = [
    "",
    "launch",
    "load test",
    "@marcus",
    '@"Dana Whitfield" role:approved',
    "#launch",
    "kind:decision,change",
    "project:checkout-v2 since:2026-10-01 until:2026-11-01",
    "cause:decision",
    "retracted:no",
    "role:consulted",
    "需求",
    "zzz-nothing",
]


@pytest.mark.parametrize("query", QUERIES)
def test_select_matches_filter_apply(demo_db, query):
    journal = Journal(demo_db)
    index = TrailIndex(journal.views.values())
    filt = parse(query, journal.people).filter
    expected = [v["id"] for v in reversed(filt.apply(journal.views.values()))]
    assert [index.rows[i]["id"] for i in index.select(filt)] == expected


def test_narrowing_searches_only_previous_hits(demo_db):
    journal = Journal(demo_db)
    index = TrailIndex(journal.views.values())
    old, new = Filter(search="lo", include_retracted=True), Filter(search="load te", include_retracted=True)
    assert narrows(old, new)
    assert index.select(new, index.select(old)) == index.select(new)
    assert not narrows(Filter(search="load"), Filter(search="lo"))
    assert not narrows(Filter(person="ann"), Filter(person="ann lee"))
    assert not narrows(None, new)
