"""FilterIndex.select gives exactly what Filter.apply gives, newest first, and both
keep the meaning each criterion had when it was spelled out by hand (`expected`)."""

import random
from dataclasses import fields
from datetime import datetime, timedelta

import pytest

from pmjournal.core.demo import write_demo
from pmjournal.core.filter_index import FilterIndex, narrows
from pmjournal.core.filter_syntax import parse
from pmjournal.core.fold import extend
from pmjournal.core.model import PEOPLE_FIELDS, ROLES
from pmjournal.core.people import key
from pmjournal.core.query import Filter, haystack, people_in_role
from pmjournal.core.store import Journal

REF = datetime.fromisoformat("2026-11-20T10:00:00+08:00")

PEOPLE = ["Priya Raman", "priya  RAMAN", "Dana Whitfield", "张敏", "王芳", "Ben", "Benjamin Carter"]
PROJECTS = ["Checkout-V2", "checkout-v2", "增长", "Apollo"]
TAGS = ["q4", "launch", "需求", "infra"]
CAUSES = ["decision", "risk", "tooling"]
WORDS = ["load", "test", "launch", "需求", "变更", "Kestrel", "STRASSE", "straße", "api", "上线"]


def expected(filt: Filter, views) -> list[str]:
    """Filter's meaning, criterion by criterion, written out plainly (the oracle)."""

    def match(v):
        if v["retracted"] and not filt.include_retracted:
            return False
        if filt.kinds and v["kind"] not in filt.kinds:
            return False
        if filt.project and (v.get("project") or "").casefold() != filt.project.casefold():
            return False
        if not set(filt.tags) <= set(v.get("tags") or ()):
            return False
        if filt.cause and filt.cause not in (v.get("causes") or ()):
            return False
        when = datetime.fromisoformat(v["occurred_at"])
        if (filt.since and when < filt.since) or (filt.until and when > filt.until):
            return False
        if filt.person or filt.role:
            everyone = [n for f in PEOPLE_FIELDS for n in _names(v, f)] + [c["who"] for c in v.get("commitments") or () if isinstance(c, dict)]
            names = people_in_role(v, filt.role) if filt.role else everyone
            if filt.person and key(filt.person) not in {key(n) for n in names}:
                return False
            if not names:
                return False
        if filt.author:
            want = key(filt.author)
            names = [key(v.get("recorded_by") or "")] + ([v["author"]] if "author" in v else [])
            own = filt.own == want and "author" not in v  # this machine's own record, its handle named
            if not own and not any(n == want or n.startswith(want + " ") for n in names):
                return False
        text = haystack(v, cache=False)
        return all(t in text for t in (filt.search or "").casefold().split())

    hits = sorted((v for v in views if match(v)), key=lambda v: (datetime.fromisoformat(v["occurred_at"]), v["seq"]))
    return [v["id"] for v in reversed(hits)]


def _names(view, field):
    value = view.get(field) or []
    return [value] if isinstance(value, str) else value


def agree(index: FilterIndex, views, filt: Filter) -> list[str]:
    """The index, Filter.apply and Filter.matches give the oracle's answer; returns it."""
    want = expected(filt, views)
    assert [v["id"] for v in reversed(filt.apply(views))] == want, filt
    assert {v["id"] for v in views if filt.matches(v)} == set(want), filt
    assert [index.rows[i]["id"] for i in index.select(filt)] == want, filt
    return want


def random_journal(journal: Journal, rng: random.Random, n: int = 90) -> None:
    day = REF - timedelta(days=60)
    for _ in range(n):
        kind = rng.choice(["decision", "change", "communication", "risk", "incident", "note"])
        values = {
            "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))),
            # ties on the minute: the order falls back on #seq
            "occurred_at": (day + timedelta(hours=rng.randint(0, 60 * 24) // 7 * 7)).isoformat(timespec="minutes"),
        }
        if kind in ("decision", "change", "risk") or rng.random() < 0.3:
            values["owner"] = rng.choice(PEOPLE)
        for role in ("requested_by", "approved_by", "consulted", "informed"):
            if rng.random() < 0.3:
                values[role] = rng.sample(PEOPLE, rng.randint(1, 2))
        if kind == "communication" and rng.random() < 0.5:
            values["participants"] = rng.sample(PEOPLE, 2)
            values["commitments"] = [f"{rng.choice(PEOPLE)}; {rng.choice(WORDS)} plan; {REF.date().isoformat()}"]
        if kind == "risk" and rng.random() < 0.5:
            values["raised_by"] = rng.choice(PEOPLE)
        if rng.random() < 0.7:
            values["project"] = rng.choice(PROJECTS)
        if rng.random() < 0.6:
            values["tags"] = rng.sample(TAGS, rng.randint(1, 3))
        if rng.random() < 0.3:
            values["causes"] = rng.sample(CAUSES, rng.randint(1, 2))
        if rng.random() < 0.4:
            values["body"] = " ".join(rng.choices(WORDS, k=5))
        journal.add(kind, values)
    ids = list(journal.views)
    for target in rng.sample(ids, 8):
        journal.amend(target, {"owner": rng.choice(PEOPLE), "tags": [rng.choice(TAGS)]}, "handover")
    for target in rng.sample(ids, 6):
        journal.retract(target, "mistake")


def random_filter(rng: random.Random, views) -> Filter:
    times = sorted(datetime.fromisoformat(v["occurred_at"]) for v in views)
    opts = {}
    if rng.random() < 0.3:
        opts["kinds"] = tuple(rng.sample(["decision", "change", "communication", "risk", "incident", "note"], 2))
    if rng.random() < 0.3:
        opts["project"] = rng.choice(PROJECTS + ["CHECKOUT-v2", "none"])
    if rng.random() < 0.4:
        opts["person"] = rng.choice(PEOPLE + ["PRIYA raman", "nobody", "ben"])
    if rng.random() < 0.3:
        opts["role"] = rng.choice(list(ROLES))
    if rng.random() < 0.3:
        opts["tags"] = tuple(rng.sample(TAGS + ["none"], rng.randint(1, 3)))
    if rng.random() < 0.2:
        opts["cause"] = rng.choice(CAUSES + ["quality"])
    if rng.random() < 0.3:
        opts["since"] = rng.choice(times)  # exactly an entry's time: inclusive
    if rng.random() < 0.3:
        opts["until"] = rng.choice(times)
    if rng.random() < 0.5:
        opts["search"] = " ".join(rng.choice(WORDS + ["ST", "er", "zz", "敏"]) for _ in range(rng.randint(1, 3)))
    opts["include_retracted"] = rng.random() < 0.5
    return Filter(**opts)


@pytest.fixture
def demo_journal(journal):
    write_demo(journal, ref=REF)
    return Journal(journal.path)


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    db = tmp_path_factory.mktemp("varied") / "journal.json"
    random_journal(Journal(db, user="Pat PM"), random.Random(12))
    return Journal(db)


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
def test_select_matches_filter_apply_on_the_demo(demo_journal, query):
    views = list(demo_journal.views.values())
    agree(FilterIndex(views), views, parse(query, demo_journal.people).filter)


def test_random_filters_over_varied_entries(varied):
    """CJK and mixed-case names, projects and text, retracted and amended entries, every role."""
    views = list(varied.views.values())
    assert any(v["retracted"] for v in views) and any(v["history"] for v in views)
    cold, warm = FilterIndex(views), FilterIndex(views)
    warm.warm()
    rng = random.Random(5)
    found = 0
    for _ in range(400):
        filt = random_filter(rng, views)
        found += bool(agree(warm, views, filt))
        assert cold.select(filt) == warm.select(filt)  # before warm(): cells computed as needed
    assert found > 100  # the filters are not all empty answers


# A filter that sets one field only: the index, apply and the oracle must agree on each.
# A new field of Filter fails test_every_field_has_samples until it has samples here.
SAMPLES = {
    "project": ["checkout-v2", "增长", "APOLLO", "none"],
    "kinds": [("decision",), ("note", "risk")],
    "person": ["priya raman", "  Priya   Raman ", "张敏", "ben", "nobody"],
    "role": list(ROLES),
    "tags": [("q4",), ("需求", "launch"), ("q4", "launch", "infra"), ("none",)],
    "cause": ["decision", "tooling", "quality"],
    "since": [REF - timedelta(days=30), REF + timedelta(days=1)],
    "until": [REF - timedelta(days=30), REF - timedelta(days=90)],
    "search": ["load", "LOAD  test", "需求 变更", "st er a", "load load", "straße", "strasse", "er", "zz"],
    "author": ["pat", "Pat PM", "  PAT   pm", "pat p", "pm", "nobody"],
    "include_retracted": [True, False],
    "cache_text": [True, False],
    "own": [None, "pat", "zed"],
}


@pytest.mark.parametrize("author", ["zed", "pat", "pm", "nobody"])
def test_author_naming_this_machines_handle_means_the_same_everywhere(varied, author):
    """In a team journal, `author` naming this machine's handle (Filter.own) selects its own
    records, which carry no author, as well as those it names."""
    views = list(varied.views.values())
    index = FilterIndex(views)
    index.warm()
    for own in ("zed", "pat"):
        for retracted in (False, True):
            agree(index, views, Filter(author=author, own=own, include_retracted=retracted))


def test_every_field_has_samples():
    assert set(SAMPLES) == {f.name for f in fields(Filter)}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_field_alone_means_the_same_everywhere(varied, name):
    views = list(varied.views.values())
    index = FilterIndex(views)
    index.warm()
    for value in SAMPLES[name]:
        for retracted in (False, True):
            opts = {"include_retracted": retracted, name: value}
            agree(index, views, Filter(**opts))


def test_a_search_caches_its_text_only_when_asked(varied):
    views = [{k: x for k, x in v.items() if k != "_hay"} for v in varied.views.values()]
    Filter(search="load", cache_text=False).apply(views)
    assert not any("_hay" in v for v in views)
    Filter(search="load").apply(views)
    assert all(haystack(v) == haystack(v, cache=False) for v in views) and all("_hay" in v for v in views)


def test_narrowing_searches_only_previous_hits(demo_journal):
    index = FilterIndex(demo_journal.views.values())
    old, new = Filter(search="lo", include_retracted=True), Filter(search="load te", include_retracted=True)
    assert narrows(old, new)
    assert index.select(new, index.select(old)) == index.select(new)
    assert not narrows(Filter(search="load"), Filter(search="lo"))
    assert not narrows(Filter(person="ann"), Filter(person="ann lee"))
    assert not narrows(None, new)
    assert not narrows(Filter(search="lo", tags=("a",)), Filter(search="lo x"))


def test_recent_answers_are_the_answers(varied):
    views = list(varied.views.values())
    index = FilterIndex(views)
    index.warm()
    text = ""
    for ch in "load te" + "\b\b\b" + "st":
        text = text[:-1] if ch == "\b" else text + ch
        filt = Filter(search=text, include_retracted=True)
        assert index.search(text, filt) == index.select(filt)


@pytest.mark.parametrize(
    "values,links",
    [
        ({"title": "Newest of all", "occurred_at": "2027-01-01 09:00"}, None),  # goes on top: columns reused
        ({"title": "Backdated", "occurred_at": "2026-09-01 09:00"}, None),  # lands mid-trail: re-sorted
        ({"title": "Linked", "occurred_at": "2027-01-01 09:00"}, {"caused_by": ["#43"]}),  # changes #43 too
    ],
)
def test_an_updated_index_equals_a_fresh_one(demo_journal, values, links):
    journal = demo_journal
    views = journal.take_views()[0]
    index = FilterIndex(views.values())
    index.warm()
    record = journal.add("note", values, links=links)
    new_views, changed = extend(views, [record])
    updated = FilterIndex(new_views.values(), previous=index, changed=changed)
    updated.warm()
    fresh = FilterIndex(new_views.values())
    assert [v["id"] for v in updated.rows] == [v["id"] for v in fresh.rows]
    assert updated.row_of(record["id"]) == fresh.row_of(record["id"])
    for query in ("", "newest", "backdated linked", "@marcus", "kind:note since:2026-10-01", "#launch", "role:owner"):
        filt = parse(query, journal.people).filter
        assert updated.select(filt) == fresh.select(filt)
        agree(updated, list(new_views.values()), filt)


def test_apply_takes_any_iterable(varied):
    views = list(varied.views.values())
    filt = Filter(search="load", kinds=("note", "risk"))
    assert filt.apply(iter(views)) == filt.apply(views) == filt.apply(varied.views.values())


def test_a_search_finds_who_owes_what(journal):
    journal.add("communication", {"title": "Sync", "commitments": ["张敏; send the 报价 sheet; 2099-01-01"]})
    journal.add("communication", {"title": "Sync again"})
    views = list(journal.views.values())
    index = FilterIndex(views)
    for query in ("报价 SHEET", "张敏", "send"):
        assert agree(index, views, Filter(search=query)) == [views[0]["id"]]
