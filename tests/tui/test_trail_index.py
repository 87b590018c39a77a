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


@pytest.mark.parametrize(
    "values,links",
    [
        ({"title": "Newest of all", "occurred_at": "2027-01-01 09:00"}, None),  # goes on top: columns reused
        ({"title": "Backdated", "occurred_at": "2026-09-01 09:00"}, None),  # lands mid-trail: re-sorted
        ({"title": "Linked", "occurred_at": "2027-01-01 09:00"}, {"caused_by": ["#43"]}),  # changes #43 too
    ],
)
def test_an_updated_index_equals_a_fresh_one(demo_db, values, links):
    from pmjournal.core.fold import extend

    journal = Journal(demo_db)
    views = journal.take_views()[0] if hasattr(journal, "take_views") else journal.views
    index = TrailIndex(views.values())
    index.warm()
    record = journal.add("note", values, links=links)
    new_views, changed = extend(views, [record])
    updated = TrailIndex(new_views.values(), previous=index, changed=changed)
    updated.warm()
    fresh = TrailIndex(new_views.values())
    assert [v["id"] for v in updated.rows] == [v["id"] for v in fresh.rows]
    assert updated.row_of(record["id"]) == fresh.row_of(record["id"])
    for query in ("", "newest", "backdated linked", "@marcus", "kind:note since:2026-10-01"):
        filt = parse(query, journal.people).filter
        assert updated.select(filt) == fresh.select(filt)
