"""Folding appended records into loaded views must equal folding from scratch."""

import random

from pmjournal.core.errors import ValidationError
from pmjournal.core.query import haystack, public
from pmjournal.core.store import Journal


def snapshot(journal):
    return [public(v) for v in journal.views.values()]


def test_random_operations_match_a_fresh_fold(journal, db):
    rng = random.Random(3)
    people = ["Alice", "bob", "Cy", "Dee"]
    journal.add("decision", {"title": "seed", "owner": "Alice"})
    assert journal.views  # load, so every later write goes through the incremental path
    for step in range(120):
        entries = [v for v in journal.views.values()]
        live = [v for v in entries if not v["retracted"]]
        op = rng.random()
        ref = rng.choice(live)["id"] if live else None
        if op < 0.45 or not live:
            kind = rng.choice(["decision", "risk", "incident", "note"])
            links = {}
            if live and rng.random() < 0.5:
                links["caused_by"] = [rng.choice(live)["id"]]
            decisions = [v for v in live if v["kind"] == "decision"]
            if kind == "decision" and decisions and rng.random() < 0.4:
                links["supersedes"] = [rng.choice(decisions)["id"]]
            values = {"title": f"e{step}", "owner": rng.choice(people)}
            journal.add(kind, values, links=links)
        elif op < 0.75:
            changes = rng.choice([{"owner": rng.choice(people)}, {"title": f"retitled {step}"}, {"project": "p"}])
            if journal.views[ref]["kind"] == "decision" and rng.random() < 0.3:
                changes = {"status": "rejected"}
            try:
                journal.amend(ref, changes, "why")
            except ValidationError as err:
                assert "nothing to amend" in str(err)  # the value is already so
        elif op < 0.85:
            target = rng.choice(live)["id"]
            if target != ref:
                journal.amend(ref, {}, "link", links={"relates": [target]})
        else:
            journal.retract(ref, "oops")
        if step % 20 == 0:
            for v in journal.views.values():
                haystack(v)  # fill the caches, which amendments must clear
        assert snapshot(journal) == snapshot(Journal(db)), f"differs after step {step}"
    fresh = Journal(db).views
    for view in journal.views.values():  # the cached search text was cleared where it went stale
        assert sorted(haystack(view).split("\n")) == sorted(haystack(fresh[view["id"]]).split("\n"))


def test_other_writers_are_folded_in_order(journal, db):
    journal.add("decision", {"title": "mine", "owner": "A"})
    assert journal.views
    other = Journal(db)
    other.add("decision", {"title": "theirs", "owner": "B"}, links={"supersedes": ["1"]})
    journal.add("note", {"title": "mine again"})  # the append notices #2 first
    assert snapshot(journal) == snapshot(Journal(db))
    assert journal.get("1")["status"] == "superseded"


def test_taken_views_are_never_changed_afterwards(journal, db):
    """The TUI keeps views as an immutable snapshot read on another thread."""
    import copy

    journal.add("decision", {"title": "old", "owner": "A"})
    journal.add("incident", {"title": "i"}, links={"caused_by": ["1"]})
    views, _ = journal.take_views()
    frozen = copy.deepcopy([public(v) for v in views.values()])
    journal.amend("1", {"owner": "B"}, "handover")
    journal.add("decision", {"title": "new", "owner": "C"}, links={"supersedes": ["1"]})
    journal.retract("2", "dup")
    assert journal.views  # a fresh fold over the same records
    Journal(db).add("note", {"title": "from elsewhere"})
    journal.refresh()
    assert [public(v) for v in views.values()] == frozen
    assert journal.get("1")["owner"] == "B" and journal.get("1")["status"] == "superseded"
    assert snapshot(journal) == snapshot(Journal(db))


def test_amend_and_retract_do_not_fold_the_whole_journal(journal, db):
    for i in range(5):
        journal.add("decision", {"title": f"d{i}", "owner": "A"})
    fresh = Journal(db)
    fresh.amend("3", {"owner": "B"}, "why")
    fresh.retract("4", "oops")
    assert fresh._views is None  # only the target's records were folded
    assert Journal(db).get("3")["history"][0]["changes"]["owner"] == {"old": "A", "new": "B"}


def test_a_journal_refreshed_after_a_superseder_was_retracted_elsewhere_reads_accepted(tmp_path):
    """Another process wrote A, B supersedes A, B retracted: the incremental fold marked A's
    record itself superseded before giving up, and the full fold after it (Journal.refresh,
    the TUI's catch-up, the index's build) read the mark back as stored."""
    from pmjournal.core.store import Journal

    db = tmp_path / "j.json"
    held = Journal(db, user="Pat")
    held.add("risk", {"title": "seed", "owner": "x"})
    assert held.views  # folded: what follows comes in through refresh
    other = Journal(db, user="Pat")
    a = other.add("decision", {"title": "A", "owner": "x"})
    b = other.add("decision", {"title": "B", "owner": "x"}, links={"supersedes": [a["id"]]})
    other.retract(b["id"], "withdrawn")
    held.refresh()
    assert held.views[a["id"]]["status"] == "accepted"
    assert [r.get("status") for r in held.records() if r["id"] == a["id"]] == ["accepted"]
