"""Open loops in the core (pmjournal.core.loops and Journal.close_loop), with a fixed day."""

from datetime import date

import pytest

from pmjournal.core import loops
from pmjournal.core.errors import ValidationError
from pmjournal.core.fold import extend, fold
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.core.transfer import import_file, render_chunks

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "j.json", user="Pat")


def states(journal, entry, today=TODAY):
    return {lp.key: lp.state for lp in loops.loops_of(journal.get(entry["id"]), today)}


def call(journal, **extra):
    values = {"title": "Call with Acme", "occurred_at": "2026-11-20 10:00", **extra}
    return journal.add("communication", values)


def test_a_follow_up_is_open_then_due_soon_then_overdue(journal):
    entry = call(journal, follow_up_by="2026-12-10", owner="Dana")
    assert states(journal, entry) == {"follow-up": "open"}
    assert states(journal, entry, date(2026, 12, 8)) == {"follow-up": "soon"}
    assert states(journal, entry, date(2026, 12, 10)) == {"follow-up": "soon"}
    assert states(journal, entry, date(2026, 12, 11)) == {"follow-up": "overdue"}
    (loop,) = loops.loops_of(journal.get(entry["id"]), date(2026, 12, 13))
    assert (loop.owes, loop.days, loop.type) == (("Dana",), -3, "follow-up")


def test_a_follow_up_with_no_owner_is_owed_by_whoever_recorded_it(journal):
    entry = call(journal, follow_up_by="2026-12-10")
    (loop,) = loops.loops_of(journal.get(entry["id"]), TODAY)
    assert loop.owes == ("Pat",)


def test_a_decision_review_opens_a_loop_unless_rejected_or_superseded(journal):
    kept = journal.add("decision", {"title": "Ship", "owner": "Dana", "occurred_at": "2026-11-01", "review_by": "2026-11-30"})
    rejected = journal.add(
        "decision", {"title": "No", "owner": "Dana", "occurred_at": "2026-11-01", "review_by": "2026-11-30", "status": "rejected"}
    )
    assert states(journal, kept) == {"review": "overdue"}
    assert states(journal, rejected) == {}
    journal.add(
        "decision", {"title": "Ship later", "owner": "Dana", "occurred_at": "2026-11-02"}, links={"supersedes": [kept["id"]]}
    )
    assert states(journal, kept) == {}


def test_a_risk_review_is_a_loop_while_the_risk_is_open(journal):
    risk = journal.add("risk", {"title": "Rate limits", "owner": "Lee", "occurred_at": "2026-11-01", "review_by": "2026-11-15"})
    assert states(journal, risk) == {"review": "overdue"}
    journal.amend(risk["id"], {"status": "closed"}, "limits raised")
    assert states(journal, risk) == {}


def test_commitments_each_owe_their_own_loop(journal):
    entry = call(journal, commitments=["Dana; send the pricing sheet; 2026-11-27", "Lee Wong; fix the bug; 2026-12-10"])
    assert journal.get(entry["id"])["commitments"][1]["who"] == "Lee Wong"
    found = loops.loops_of(journal.get(entry["id"]), TODAY)
    assert [(lp.key, lp.owes, lp.state, lp.what) for lp in found] == [
        ("commitment-1", ("Dana",), "overdue", "send the pricing sheet"),
        ("commitment-2", ("Lee Wong",), "open", "fix the bug"),
    ]


def test_an_escalation_waits_five_working_days_for_an_answer(journal):
    # Friday 20 Nov + 5 working days = Friday 27 Nov.
    risk = journal.add(
        "risk",
        {"title": "No sandbox", "owner": "Dana", "raised_by": "Dana", "raised_to": ["Marcus"], "occurred_at": "2026-11-20"},
    )
    (loop,) = loops.loops_of(journal.get(risk["id"]), TODAY)
    assert (loop.key, loop.due, loop.owes, loop.owed_to, loop.state) == (
        "answer",
        date(2026, 11, 27),
        ("Marcus",),
        ("Dana",),
        "overdue",
    )
    assert loop.waited == 11
    (loop,) = loops.loops_of(journal.get(risk["id"]), TODAY, answer_days=10)
    assert loop.due == date(2026, 12, 4)


def test_a_communication_raised_to_someone_waits_for_an_answer(journal):
    entry = call(journal, raised_to=["Marcus", "Rachel"])
    assert states(journal, entry) == {"answer": "overdue"}


def test_done_closes_a_loop_with_a_record_and_reopen_opens_it_again(journal):
    entry = call(journal, follow_up_by="2026-11-25", owner="Dana")
    record = journal.close_loop(entry["id"], note="recap email", occurred_at="2026-11-26")
    assert (record["kind"], record["loop"], record["state"], record["by"], record["note"]) == (
        "loop",
        "follow-up",
        "done",
        "Dana",
        "recap email",
    )
    assert states(journal, entry) == {"follow-up": "done"}
    view = journal.get(entry["id"])
    assert loops.history_text(view["history"][-1], view) == "follow-up done 26 Nov 2026 by Dana: recap email"
    journal.close_loop(entry["id"], state="open", note="they never got it")
    assert states(journal, entry) == {"follow-up": "overdue"}
    (loop,) = loops.loops_of(journal.get(entry["id"]), TODAY)
    assert [e["state"] for e in loop.events] == ["done", "open"]
    assert states(Journal(journal.path), entry) == {"follow-up": "overdue"}


def test_an_answer_from_several_people_says_who_answered(journal):
    entry = call(journal, raised_to=["Marcus", "Rachel"])
    with pytest.raises(ValidationError, match="say which of them answered"):
        journal.close_loop(entry["id"])
    record = journal.close_loop(entry["id"], by="Rachel", note="no budget this quarter")
    assert record["by"] == "Rachel"


@pytest.mark.parametrize(
    "values, match",
    [
        ({"follow_up_by": "2026-11-10"}, "follow up by 2026-11-10 is before the entry's own date 2026-11-20"),
        ({"commitments": ["Dana; slides; 2026-11-19"]}, "due 2026-11-19, before the entry's own date"),
        ({"commitments": ["Dana; slides"]}, "who; what; by when"),
        ({"commitments": ["Dana, Lee; slides; friday"]}, "owed by one person"),
        ({"commitments": ["Dana; slides; the twelfth of never"]}, "cannot understand the date"),
    ],
)
def test_bad_due_dates_are_refused_and_nothing_is_written(journal, values, match):
    with pytest.raises(ValidationError, match=match):
        call(journal, **values)
    assert len(journal) == 0


def test_an_amendment_cannot_move_a_due_date_before_the_entry(journal):
    entry = journal.add("decision", {"title": "Ship", "owner": "Dana", "occurred_at": "2026-11-01", "review_by": "2026-11-30"})
    with pytest.raises(ValidationError, match="before the entry's own date"):
        journal.amend(entry["id"], {"review_by": "2026-10-01"}, "typo")
    with pytest.raises(ValidationError, match="before the entry's own date"):
        journal.amend(entry["id"], {"occurred_at": "2026-12-05"}, "wrong day")
    assert len(journal) == 1


def test_done_refuses_what_cannot_be_closed(journal):
    plain = call(journal)
    with pytest.raises(ValidationError, match="has no loop to close"):
        journal.close_loop(plain["id"])
    entry = call(journal, follow_up_by="2026-11-25", commitments=["Dana; slides; 2026-11-27"])
    with pytest.raises(ValidationError, match="has 2 loops: follow-up .*commitment-1.*say which with --loop"):
        journal.close_loop(entry["id"])
    with pytest.raises(ValidationError, match="no 'review' loop"):
        journal.close_loop(entry["id"], "review")
    with pytest.raises(ValidationError, match="cannot be done before that"):
        journal.close_loop(entry["id"], "follow-up", occurred_at="2026-11-01")
    journal.close_loop(entry["id"], "commitment 1")
    with pytest.raises(ValidationError, match="already done"):
        journal.close_loop(entry["id"], "commitment-1")
    with pytest.raises(ValidationError, match="not done; nothing to re-open"):
        journal.close_loop(entry["id"], "follow-up", state="open")
    journal.retract(entry["id"], "wrong journal")
    with pytest.raises(ValidationError, match="retracted"):
        journal.close_loop(entry["id"], "follow-up")
    assert [r["kind"] for r in journal.records()] == ["communication", "communication", "loop", "retraction"]


def test_open_loops_are_overdue_first_then_by_due_date_and_filter(journal):
    call(journal, follow_up_by="2026-12-20", owner="Dana", project="web")
    call(journal, follow_up_by="2026-11-28", owner="Lee")
    call(journal, commitments=["Lee; slides; 2026-12-02"], owner="Dana", project="web")
    call(journal, follow_up_by="2026-11-21", owner="Dana")
    views = journal.views.values()
    assert [(lp.view["seq"], lp.state) for lp in loops.open_loops(views, TODAY)] == [
        (4, "overdue"),
        (2, "overdue"),
        (3, "soon"),
        (1, "open"),
    ]
    only = loops.LoopFilter
    assert [lp.view["seq"] for lp in loops.open_loops(views, TODAY, filt=only(overdue=True))] == [4, 2]
    assert [lp.view["seq"] for lp in loops.open_loops(views, TODAY, filt=only(within=14))] == [4, 2, 3]
    assert [lp.view["seq"] for lp in loops.open_loops(views, TODAY, filt=only(person="lee"))] == [2, 3]
    assert [lp.view["seq"] for lp in loops.open_loops(views, TODAY, filt=only(owed_to="DANA"))] == [3]
    assert [lp.view["seq"] for lp in loops.open_loops(views, TODAY, filt=only(project="WEB"))] == [3, 1]


def test_loop_records_fold_incrementally_like_a_full_fold(journal):
    entry = call(journal, follow_up_by="2026-11-25")
    before = dict(journal.views)
    journal.close_loop(entry["id"], note="sent")
    new = journal.records()[-1:]
    views, changed = extend(before, new)
    assert changed == {entry["id"]}
    assert before[entry["id"]]["history"] == []  # the old views are never changed
    assert views[entry["id"]]["history"] == fold(journal.records())[entry["id"]]["history"]


def test_loop_records_survive_an_export_and_import(journal, tmp_path):
    entry = call(journal, follow_up_by="2026-11-25", owner="Dana")
    journal.close_loop(entry["id"], note="recap", occurred_at="2026-11-24")
    path = tmp_path / "export.json"
    path.write_bytes(b"".join(render_chunks(journal, Filter(include_retracted=True), "json")))
    other = Journal(tmp_path / "other.json", user="Sam")
    import_file(other, path)
    (view,) = other.views.values()
    (loop,) = loops.loops_of(view, TODAY)
    assert (loop.state, loop.closed["note"], loop.closed["by"]) == ("done", "recap", "Dana")


def test_nobody_owes_a_loop_to_themselves(journal):
    entry = call(journal, owner="Dana", participants=["dana", "Lee"], follow_up_by="2026-12-10", commitments=["Dana; slides; 2026-12-10"])
    follow_up, commitment = loops.loops_of(journal.get(entry["id"]), TODAY)
    assert (follow_up.owes, follow_up.owed_to) == (("Dana",), ("Lee",))
    assert (commitment.owes, commitment.owed_to) == (("Dana",), ())
