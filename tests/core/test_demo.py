"""The demo journal shows open loops of every type in every state, whatever day it is built on."""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pmjournal.core import loops
from pmjournal.core.demo import build, write_demo
from pmjournal.core.store import Journal

ZONE = ZoneInfo("Asia/Shanghai")
# The docs' reference (a Wednesday), the TUI tests' (a Friday), and a week of other days.
REFS = [datetime(2026, 11, 25, 9, 0, tzinfo=ZONE), datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)] + [
    datetime(2027, 3, 1, 9, 0, tzinfo=ZONE) + timedelta(days=n) for n in range(7)
]
KINDS = ("follow-up", "decision review", "risk review", "commitment", "answer")


def demo(tmp_path, ref) -> Journal:
    journal = Journal(tmp_path / "demo.json", user="Dana Whitfield")
    write_demo(journal, ref=ref)
    return journal


def by_kind_and_state(journal, today) -> dict:
    found = defaultdict(list)
    for view in journal.views.values():
        for loop in loops.loops_of(view, today):
            kind = f"{view['kind']} review" if loop.type == "review" else loop.type
            found[kind, loop.state].append(loop)
    return found


@pytest.mark.parametrize("ref", REFS, ids=[f"{r:%a-%Y-%m-%d}" for r in REFS])
def test_every_loop_type_in_every_state(tmp_path, ref):
    found = by_kind_and_state(demo(tmp_path, ref), ref.date())
    missing = [(kind, state) for kind in KINDS for state in loops.STATES if not found[kind, state]]
    assert missing == []
    # Escalations answered and escalations nobody answered, from risks and from communications.
    assert {lp.view["kind"] for lp in found["answer", "done"]} == {"risk"}
    assert {lp.view["kind"] for lp in found["answer", "overdue"]} == {"communication"}


def test_one_loop_was_done_then_reopened_and_every_loop_record_names_a_loop(tmp_path):
    ref = REFS[0]
    journal = demo(tmp_path, ref)
    found = [lp for view in journal.views.values() for lp in loops.loops_of(view, ref.date())]
    reopened = [lp for lp in found if [e["state"] for e in lp.events] == ["done", "open"]]
    assert [(lp.view["title"], lp.key, lp.state) for lp in reopened] == [
        ("Asked marketing to remove offline mode from the brief", "commitment-1", "overdue")
    ]
    # A loop record for a key the entry does not have would be silently ignored by loops_of.
    events = [e for view in journal.views.values() for e in view["history"] if e["kind"] == "loop"]
    assert len(events) == sum(len(lp.events) for lp in found) == 15
    # Nothing owed falls due before the entry it was recorded in, and nothing is closed before it happened.
    for lp in found:
        assert lp.due >= datetime.fromisoformat(lp.view["occurred_at"]).date()
        assert all(e["occurred_at"][:10] >= lp.view["occurred_at"][:10] for e in lp.events)


def test_commitments_are_structured_and_a_communication_is_raised_to_someone(tmp_path):
    views = demo(tmp_path, REFS[0]).views.values()
    commitments = [v["commitments"] for v in views if "commitments" in v]
    assert commitments and all(isinstance(items, list) and items for items in commitments)
    assert any(v["kind"] == "communication" and v.get("raised_to") for v in views)


def test_the_demo_is_the_same_for_the_same_ref():
    assert build(REFS[0]) == build(REFS[0])
    kinds = [body["kind"] for body in build(REFS[0])]
    assert kinds.count("loop") == 15 and len(kinds) == 68


def test_the_demo_loops_survive_a_json_export_and_import(tmp_path):
    from pmjournal.core.query import Filter
    from pmjournal.core.transfer import import_file, render

    ref = REFS[0]
    journal = demo(tmp_path, ref)
    path = tmp_path / "demo-export.json"
    path.write_bytes(render(journal, Filter(include_retracted=True), "json"))
    other = Journal(tmp_path / "other.json", user="Sam Okafor")
    import_file(other, path)

    def story(j):
        return sorted(
            (v["id"], lp.key, lp.state, tuple((e["state"], e["occurred_at"], e.get("by"), e.get("note")) for e in lp.events))
            for v in j.views.values()
            for lp in loops.loops_of(v, ref.date())
        )

    assert story(other) == story(journal) and len(story(journal)) == 30


@pytest.mark.parametrize("hour", [0, 7, 9, 23])
def test_a_demo_written_now_holds_nothing_later_than_now(hour):
    # `pmjournal demo` dates the demo around the moment it is written. Its newest note
    # was dated 09:00 that day and recorded 09:25, so a demo written at 00:40 held an
    # entry that happened, and was recorded, eight hours later.
    now = datetime(2026, 12, 4, hour, 40, 17, tzinfo=ZONE)
    bodies = build(now=now)
    latest = max(bodies, key=lambda b: b["recorded_at"])
    assert max(datetime.fromisoformat(b["recorded_at"]) for b in bodies) <= now
    assert max(datetime.fromisoformat(b["occurred_at"]) for b in bodies if "occurred_at" in b) <= now
    # The newest entry is still the retrospective note, written today or just before.
    assert latest["title"] == "复盘：上线故障的根本原因"
    assert now - datetime.fromisoformat(latest["recorded_at"]) < timedelta(days=1)
