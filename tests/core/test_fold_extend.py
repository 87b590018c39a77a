"""Folding new records into existing views (fold.extend, the one incremental fold of the
Journal and the TUI) gives what a whole fold gives, and never changes the views handed in."""

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from pmjournal.core.demo import build
from pmjournal.core.fold import extend, fold
from pmjournal.core.query import public
from pmjournal.core.store import Journal

REF = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_every_split_of_the_demo_folds_like_the_whole(db):
    Journal(db).append_raw(build(REF))
    records = Journal(db).records()
    whole = {k: public(v) for k, v in fold(records).items()}
    agreed = 0
    for split in range(len(records)):
        before = fold(records[:split])
        frozen = copy.deepcopy(before)
        folded = extend(before, records[split:])
        more = folded[0] if folded else None
        assert before == frozen  # the views handed in are untouched
        if more is not None:
            assert list(more) == list(whole)
            assert {k: public(v) for k, v in more.items()} == whole
            agreed += 1
    assert agreed > len(records) // 2  # the fallback is the exception, not the rule


def test_a_new_superseding_decision_marks_the_old_one(journal):
    old = journal.add("decision", {"title": "Ship in May", "owner": "Ann"})
    views = fold(journal.records())
    new = journal.add("decision", {"title": "Ship in June", "owner": "Ann"}, links={"supersedes": [f"#{old['seq']}"]})
    more, changed = extend(views, [new])
    assert changed == {old["id"], new["id"]}
    assert more[old["id"]]["status"] == "superseded"
    assert more[old["id"]]["superseded_by"] == [new["id"]]
    assert views[old["id"]]["status"] == "accepted"
