"""Open loops from the command line: `due`, `done`, `reopen`, `remind` (docs/guide.md, "Open loops").

Every call fixes the day: `--today` for due/remind, `--when` for done/reopen, so
nothing depends on when the tests run. In-process through the `cli` fixture; exit
status and colour in a pipe through a real process (`cli_process`)."""

import csv
import io
import json
from datetime import datetime

import pytest
from clihelp import journal_once, lay, ok, refused

from pmjournal.core import dates

TODAY = "2026-12-01"  # a Tuesday
COLUMNS = ["id", "seq", "kind", "title", "project", "loop", "type", "what", "owes", "owed_to", "due", "state", "days"]


def add(cli, *args) -> int:
    return int(ok(cli("add", *args)).split()[0].lstrip("#"))


def due(cli, *args, today=TODAY) -> list[dict]:
    return json.loads(ok(cli("due", "--today", today, "--format", "json", *args)))


def keys(rows) -> list[tuple[int, str]]:
    return [(r["seq"], r["loop"]) for r in rows]


@pytest.fixture(scope="module")
def loops_journal(tmp_path_factory) -> bytes:
    return journal_once(tmp_path_factory, _add_loops)


@pytest.fixture
def loops(cli, loops_journal):
    """One of every kind of loop, as of Tue 1 Dec 2026 (the commands below, run once a module)."""
    lay(loops_journal)
    return cli


def _add_loops(cli):
    add(cli, "communication", "Call with Acme", "--owner", "Dana", "--participants", "Tom, Acme Corp",
        "--when", "2026-11-20 10:00", "--follow-up-by", "2026-11-25", "--project", "web",
        "--commitment", "Lee; send the pricing sheet; 2026-11-27",
        "--commitments", "Tom; confirm the budget; 2026-12-10")  # fmt: skip
    add(cli, "decision", "Ship v2 in January", "--owner", "Dana", "--approved-by", "VP Eng",
        "--when", "2026-11-01", "--review-by", "2026-12-01")  # fmt: skip
    add(cli, "risk", "No sandbox from the vendor", "--owner", "Lee", "--raised-by", "Dana",
        "--raised-to", "Marcus", "--when", "2026-11-20", "--review-by", "2026-12-20", "--project", "web")  # fmt: skip
    add(cli, "communication", "Asked for the pricing budget", "--owner", "Dana", "--raised-to", "VP Sales, CFO",
        "--when", "2026-11-30 09:00")  # fmt: skip
    add(cli, "note", "Nothing owed here", "--when", "2026-11-20")


def test_every_kind_of_loop_is_due_with_who_owes_it_and_when(loops):
    rows = due(loops)
    assert [(r["seq"], r["loop"], r["type"], r["owes"], r["owed_to"], r["due"], r["state"], r["days"]) for r in rows] == [
        (1, "follow-up", "follow-up", ["Dana"], ["Tom", "Acme Corp"], "2026-11-25", "overdue", -6),
        # Fri 20 Nov + 5 working days = Fri 27 Nov
        (1, "commitment-1", "commitment", ["Lee"], ["Dana"], "2026-11-27", "overdue", -4),
        (3, "answer", "answer", ["Marcus"], ["Dana"], "2026-11-27", "overdue", -4),
        (2, "review", "review", ["Dana"], ["VP Eng"], "2026-12-01", "soon", 0),
        # Mon 30 Nov + 5 working days = Mon 7 Dec
        (4, "answer", "answer", ["VP Sales", "CFO"], ["Dana"], "2026-12-07", "open", 6),
        (1, "commitment-2", "commitment", ["Tom"], ["Dana"], "2026-12-10", "open", 9),
        (3, "review", "review", ["Lee"], [], "2026-12-20", "open", 19),
    ]
    first = rows[0]
    assert list(first) == COLUMNS
    assert (first["kind"], first["title"], first["project"], len(first["id"])) == ("communication", "Call with Acme", "web", 26)
    assert rows[1]["what"] == "send the pricing sheet"


def test_the_table_says_overdue_in_words_and_has_no_colour_off_a_terminal(loops):
    out = ok(loops("due", "--today", TODAY, env={"COLUMNS": "160"}))
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].split() == ["#", "kind", "title", "loop", "owes", "due", "days"]
    assert "6 d overdue" in lines[2] and "follow-up" in lines[2] and "#1" in lines[2]
    assert "commitment-1: send the pricing sheet" in lines[3]
    assert "today" in lines[5] and "Ship v2 in January" in lines[5]
    assert "in 6 d" in lines[6] and "VP Sales, CFO" in lines[6]
    assert lines[-1] == "7 open loops: 3 overdue, 1 due within 3 days"
    assert "Nothing owed here" not in out
    narrow = ok(loops("due", "--today", TODAY, env={"COLUMNS": "80"})).splitlines()
    assert max(len(line) for line in narrow) <= 80
    assert "Call with" in narrow[2] and "6 d overdue" in narrow[2]  # the title keeps room; other columns give way


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--overdue",), [(1, "follow-up"), (1, "commitment-1"), (3, "answer")]),
        (("--within", "6"), [(1, "follow-up"), (1, "commitment-1"), (3, "answer"), (2, "review"), (4, "answer")]),
        (("--within", "1w"), [(1, "follow-up"), (1, "commitment-1"), (3, "answer"), (2, "review"), (4, "answer")]),
        (("--within", "0d"), [(1, "follow-up"), (1, "commitment-1"), (3, "answer"), (2, "review")]),
        (
            ("--within", "2w"),
            [(1, "follow-up"), (1, "commitment-1"), (3, "answer"), (2, "review"), (4, "answer"), (1, "commitment-2")],
        ),
        (("--person", "dana"), [(1, "follow-up"), (2, "review")]),
        (("--person", "LEE"), [(1, "commitment-1"), (3, "review")]),
        (("--person", "cfo"), [(4, "answer")]),
        (("--owed-to", "Dana"), [(1, "commitment-1"), (3, "answer"), (4, "answer"), (1, "commitment-2")]),
        (("--owed-to", "acme corp"), [(1, "follow-up")]),
        (("--project", "WEB"), [(1, "follow-up"), (1, "commitment-1"), (3, "answer"), (1, "commitment-2"), (3, "review")]),
        (("--overdue", "--person", "lee", "--project", "web"), [(1, "commitment-1")]),
        (("--person", "vp eng"), []),  # named (approved #2), owing nothing
    ],
)
def test_filters(loops, args, expected):
    assert keys(due(loops, *args)) == expected


def test_as_of_another_day(loops):
    assert keys(due(loops, today="2026-11-21")) == [
        (1, "follow-up"),
        (1, "commitment-1"),
        (3, "answer"),
        (2, "review"),
        (4, "answer"),
        (1, "commitment-2"),
        (3, "review"),
    ]
    assert due(loops, "--overdue", today="2026-11-21") == []
    assert [r["days"] for r in due(loops, today="2026-11-21")][:2] == [4, 6]


def test_csv_has_the_same_columns(loops):
    rows = list(csv.DictReader(io.StringIO(ok(loops("due", "--today", TODAY, "--format", "csv")))))
    assert list(rows[0]) == COLUMNS
    assert rows[0]["owed_to"] == "Tom; Acme Corp" and rows[0]["days"] == "-6" and rows[0]["state"] == "overdue"
    assert rows[4]["owes"] == "VP Sales; CFO" and rows[4]["project"] == ""
    assert [(r["seq"], r["loop"]) for r in rows] == [(str(s), k) for s, k in keys(due(loops))]


def test_nothing_due_is_one_line_and_exit_zero(cli):
    assert ok(cli("due", "--today", TODAY)) == "no open loops: nothing is due\n"
    assert due(cli) == []
    add(cli, "communication", "Call", "--owner", "Ann", "--when", "2026-11-20", "--follow-up-by", "2026-11-25")
    assert ok(cli("due", "--today", TODAY, "--owed-to", "Ann")) == "no open loops match\n"
    assert ok(cli("due", "--today", TODAY, "--format", "csv")).count("\n") == 2


def test_done_closes_a_loop_with_a_record_and_reopen_brings_it_back(loops, monkeypatch):
    monkeypatch.setattr(dates, "now", lambda: datetime.fromisoformat(f"{TODAY}T12:00:00+08:00"))  # `show` counts from today
    before = json.loads(ok(loops("show", "1", "--format", "json")))
    out = ok(loops("done", "1", "--loop", "follow-up", "--note", "recap email sent", "--when", "2026-11-26 09:00"))
    assert out == "#6 closes #1: follow-up done 26 Nov 2026 by Dana: recap email sent\n"
    assert (1, "follow-up") not in keys(due(loops))
    shown = ok(loops("show", "1", env={"COLUMNS": "200"}))
    assert "loop — follow-up done 26 Nov 2026 by Dana: recap email sent" in shown
    assert "done     follow-up due 25 Nov 2026, done 26 Nov 2026 by Dana: recap email sent" in shown
    assert "OVERDUE  commitment 1 (send the pricing sheet) due 27 Nov 2026, overdue by 4 d; owed by Lee" in shown
    entry = json.loads(ok(loops("show", "1", "--format", "json")))
    (event,) = entry["history"]
    assert {k: event[k] for k in ("kind", "loop", "state", "occurred_at", "by", "note")} == {
        "kind": "loop",
        "loop": "follow-up",
        "state": "done",
        "occurred_at": "2026-11-26T09:00:00+08:00",
        "by": "Dana",
        "note": "recap email sent",
    }
    assert [(lp["loop"], lp["state"]) for lp in entry["loops"]] == [
        ("follow-up", "done"),
        ("commitment-1", "overdue"),
        ("commitment-2", "open"),
    ]
    # The entry itself did not change: that it was done is a record of its own, in its history.
    assert {k: v for k, v in entry.items() if k not in ("history", "loops")} == {
        k: v for k, v in before.items() if k not in ("history", "loops")
    }
    assert record_count(loops) == 6

    out = ok(loops("reopen", "1", "--note", "they never got it", "--when", "2026-11-30"))
    assert out == "#7 re-opens #1: follow-up re-opened 30 Nov 2026: they never got it\n"
    assert keys(due(loops))[0] == (1, "follow-up")
    shown = ok(loops("show", "1", env={"COLUMNS": "200"}))
    assert "loop — follow-up re-opened 30 Nov 2026: they never got it" in shown


def test_done_on_a_commitment_and_an_answer_says_who(loops):
    assert ok(loops("done", "1", "--loop", "commitment 1", "--when", "2026-11-27")) == (
        "#6 closes #1: commitment 1 (send the pricing sheet) done 27 Nov 2026 by Lee\n"
    )
    refused(loops("done", "4", "--when", "2026-12-01"), "was raised to VP Sales, CFO: say which of them answered (--by NAME)")
    out = ok(loops("done", "4", "--by", "CFO", "--note", "no budget this quarter", "--when", "2026-12-01"))
    assert out == "#7 closes #4: answer done 1 Dec 2026 by CFO: no budget this quarter\n"
    assert keys(due(loops)) == [(1, "follow-up"), (3, "answer"), (2, "review"), (1, "commitment-2"), (3, "review")]


def test_done_by_the_start_of_a_name_the_entry_holds_is_that_person(loops):
    """`done 4 --by vp` for an escalation raised to VP Sales was saved as "vp", a person of
    its own in `who`; the guide's own `done 14 --by Marcus` did the same."""
    out = ok(loops("done", "4", "--by", "vp", "--note", "no budget", "--when", "2026-12-01"))
    assert out == "#6 closes #4: answer done 1 Dec 2026 by VP Sales: no budget\n"
    shown = json.loads(ok(loops("show", "4", "--format", "json")))
    assert shown["history"][-1]["by"] == "VP Sales"


def test_a_done_time_defaults_to_now(loops, monkeypatch):
    monkeypatch.setattr(dates, "now", lambda: datetime.fromisoformat("2026-11-28T16:30:00+08:00"))
    assert ok(loops("done", "2")) == "#6 closes #2: review done 28 Nov 2026 by Dana\n"
    assert json.loads(ok(loops("show", "2", "--format", "json")))["history"][0]["occurred_at"] == "2026-11-28T16:30:00+08:00"


def record_count(cli) -> int:
    return int(ok(cli("verify")).split()[1])


@pytest.mark.parametrize(
    "args, message",
    [
        (("done", "5"), "#5 has no loop to close"),
        (("done", "1"), "#1 has 3 loops: follow-up (overdue, due 2026-11-25), commitment-1"),
        (("done", "1", "--loop", "review"), "#1 has no 'review' loop; it has follow-up"),
        (("done", "1", "--loop", "follow-up", "--when", "2026-11-19"), "cannot be done before that (2026-11-19)"),
        (("done", "1", "--loop", "follow-up", "--when", "the twelfth of never"), "cannot understand the date"),
        (("done", "1", "--loop", "follow-up", "--by", " "), "--by is empty"),
        (("done", "99"), "no entry #99"),
        (("reopen", "2"), "#2 has no done loop to re-open"),
        (("reopen", "1", "--loop", "follow-up"), "the follow-up is not done; nothing to re-open"),
    ],
)
def test_done_and_reopen_refuse_with_one_line_and_write_nothing(loops, args, message):
    before = record_count(loops)
    refused(loops(*args), message)
    assert record_count(loops) == before


def test_done_twice_and_on_a_retracted_entry_are_refused(loops):
    ok(loops("done", "2", "--when", "2026-11-30"))
    before = record_count(loops)
    refused(loops("done", "2", "--when", "2026-12-01"), "#2: every loop is already done (review (done, due 2026-12-01))")
    refused(loops("done", "2", "--loop", "review"), "#2: the review is already done (done 30 Nov 2026 by Dana)")
    ok(loops("retract", "3", "--reason", "logged twice"))
    before = record_count(loops)
    refused(loops("done", "3", "--loop", "answer", "--by", "Marcus"), "#3 is retracted; it owes nothing")
    refused(loops("done", "6"), "#6 is a loop record of #2; refer to #2")
    assert record_count(loops) == before
    assert 3 not in {r["seq"] for r in due(loops)}


def test_a_due_date_before_the_entry_is_refused_at_add_and_amend(cli):
    cases = [
        (("communication", "Call", "--when", "2026-11-20", "--follow-up-by", "2026-11-19"), "follow up by 2026-11-19 is before"),
        (("communication", "Call", "--when", "2026-11-20", "--commitment", "Lee; slides; 2026-11-01"), "due 2026-11-01, before"),
        (
            ("decision", "Ship", "--owner", "Dana", "--when", "2026-11-20", "--review-by", "2026-11-02"),
            "review by 2026-11-02 is before",
        ),
        (
            ("risk", "Slip", "--owner", "Dana", "--when", "2026-11-20", "--review-by", "2026-11-02"),
            "review by 2026-11-02 is before",
        ),
        (("communication", "Call", "--commitment", "Lee; slides"), "write a commitment as 'who; what; by when'"),
    ]
    for args, message in cases:
        refused(cli("add", *args), message)
    refused(cli("verify"), "no journal at")  # nothing was written, not even the file
    add(cli, "risk", "Slip", "--owner", "Dana", "--when", "2026-11-20")
    refused(cli("amend", "1", "--review-by", "2026-11-02", "--reason", "typo"), "review by 2026-11-02 is before")
    assert record_count(cli) == 1


def test_what_a_commitment_owes_may_hold_the_separator(cli):
    """'Lee; slides; v2 only; 2026-12-04' was refused: who is before the first separator and by
    when after the last, so what is owed keeps the rest as typed (；too)."""
    add(cli, "communication", "Call", "--owner", "Dana", "--when", "2026-11-20",
        "--commitment", "Lee; slides; v2 only; 2026-12-04", "--commitment", "李娜；整理纪要；第二版；2026-12-07")  # fmt: skip
    assert [(r["owes"], r["what"], r["due"]) for r in due(cli)] == [
        (["Lee"], "slides; v2 only", "2026-12-04"),
        (["李娜"], "整理纪要；第二版", "2026-12-07"),
    ]
    refused(cli("add", "communication", "Call", "--commitment", "Lee; slides; v2; someday"), "someday")


def test_amend_sets_the_fields_that_open_loops(cli):
    add(cli, "communication", "Call", "--owner", "Dana", "--when", "2026-11-20")
    assert due(cli) == []
    ok(cli("amend", "1", "--raised-to", "Marcus", "--commitment", "Lee; slides; 2026-12-04",
           "--commitment", "Tom; budget; 2026-12-08", "--reason", "forgot"))  # fmt: skip
    assert keys(due(cli)) == [(1, "answer"), (1, "commitment-1"), (1, "commitment-2")]
    ok(cli("amend", "1", "--clear", "commitments", "--reason", "dropped"))
    assert keys(due(cli)) == [(1, "answer")]
    shown = ok(cli("show", "1", env={"COLUMNS": "200"}))
    assert "Commitments: Lee: slides, by 4 Dec 2026; Tom: budget, by 8 Dec 2026 → (empty)" in shown


def test_answer_days_comes_from_the_config(cli, tmp_path):
    add(cli, "risk", "Slip", "--owner", "Dana", "--raised-to", "Marcus", "--when", "2026-11-20")
    assert due(cli)[0]["due"] == "2026-11-27"
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("answer_days = 10\n")
    assert due(cli)[0]["due"] == "2026-12-04"
    assert "4 Dec 2026" in ok(cli("export"))  # the Markdown export's open loops count the same way
    for value, message in (("0", "from 1 to 260"), ("true", "must be a whole number"), ('"5"', "must be a whole number")):
        (config / "config.toml").write_text(f"answer_days = {value}\n")
        assert "config.toml" in refused(cli("due"), message)


@pytest.mark.parametrize("value", ["x", "-3", "2 weeks", "1.5", "14m"])
def test_a_bad_within_is_a_usage_error(cli, value):
    refused(cli("due", "--within", value), f"argument --within: {value!r} is not a number of days", code=2)


def test_bad_input_to_due_is_one_line(cli):
    refused(cli("due", "--today", "someday"), "--today: cannot understand the date 'someday'")
    refused(cli("due", "--person", ""), "--person is empty")
    refused(cli("remind", "--owed-to", " "), "--owed-to is empty")


def test_remind_prints_what_is_due_today_or_overdue(loops):
    out = ok(loops("remind", "--today", TODAY))
    assert out.splitlines() == [
        "pmjournal: 3 overdue, 1 due today (Tue 1 Dec 2026); `pmjournal done REF` closes one",
        "  6 d overdue   #1 Call with Acme: follow-up by Dana (due 25 Nov 2026)",
        "  4 d overdue   #1 Call with Acme: commitment-1 by Lee: send the pricing sheet (due 27 Nov 2026)",
        "  4 d overdue   #3 No sandbox from the vendor: answer from Marcus (due 27 Nov 2026)",
        "  due today     #2 Ship v2 in January: review by Dana (due 1 Dec 2026)",
    ]
    assert ok(loops("remind", "--today", TODAY, "--person", "lee")).count("\n") == 2


def test_remind_prints_nothing_when_nothing_is_due(loops, cli):
    assert ok(loops("remind", "--today", "2026-11-21")) == ""


@pytest.mark.parametrize("command", ["remind", "due"])
def test_a_person_no_entry_names_is_said_not_taken_for_nothing_due(loops, command):
    """`remind --person "Dana Whitfeld"` in cron printed nothing, exit 0, for good: as if she
    owed nothing (a helper's CLI trial)."""
    for option in ("--person", "--owed-to"):
        refused(loops(command, "--today", TODAY, option, "Dana Whitfeld"), f"{option} Dana Whitfeld: no entry names this person")


def test_in_a_pipe_due_and_remind_have_no_escape_codes_and_exit_zero(cli_process, tmp_path):
    db = str(tmp_path / "p.json")
    ok(cli_process("--db", db, "add", "communication", "Call", "--when", "2026-11-20", "--follow-up-by", "2026-11-25"))
    for args in (("remind", "--today", TODAY), ("due", "--today", TODAY), ("due", "--today", TODAY, "--format", "json")):
        proc = cli_process("--db", db, *args, env={"TERM": "xterm-256color", "FORCE_COLOR": "1"})
        assert proc.returncode == 0 and proc.stderr == ""
        assert "overdue" in proc.stdout and "\x1b" not in proc.stdout
    quiet = cli_process("--db", db, "remind", "--today", "2026-11-21")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    usage = cli_process("--db", db, "due", "--within", "soon")
    assert usage.returncode == 2 and len(usage.stderr.splitlines()) == 1


def test_a_journal_that_fails_verification_shows_its_loops_then_warns(cli, db):
    add(cli, "communication", "Call", "--when", "2026-11-20", "--follow-up-by", "2026-11-25")
    add(cli, "note", "Later")
    lines = db.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"Later"', b'"Lat3r"')
    db.write_bytes(b"\n".join(lines))
    for args in (("due", "--today", TODAY), ("remind", "--today", TODAY)):
        proc = cli(*args)
        assert proc.returncode == 1 and "follow-up" in proc.stdout
        assert "fails verification at #2" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_due_reads_only_what_loops_depend_on_and_misses_nothing(cli, db):
    """`due` keeps and folds only the entries that may hold a loop (loops.loop_views); an amendment
    that gives a dropped entry a review date or a supersedes link must still count."""
    from datetime import date

    from pmjournal.core import loops
    from pmjournal.core.store import Journal

    add(cli, "decision", "Plain at first", "--owner", "Dana", "--when", "2026-11-01")  # 1
    ok(cli("amend", "1", "--owner", "Sam", "--reason", "Sam made the call"))  # 2
    ok(cli("amend", "1", "--review-by", "2026-11-20", "--reason", "review agreed later"))  # 3
    add(cli, "decision", "Reviewed", "--owner", "Dana", "--when", "2026-11-01", "--review-by", "2026-11-25")  # 4
    add(cli, "decision", "Replaces #4", "--owner", "Lee", "--when", "2026-11-02", "--supersedes", "4")  # 5
    add(cli, "decision", "Reviewed too", "--owner", "Dana", "--when", "2026-11-01", "--review-by", "2026-11-26")  # 6
    add(cli, "decision", "Replaces #6 by amendment", "--owner", "Lee", "--when", "2026-11-02")  # 7
    ok(cli("amend", "7", "--supersedes", "6", "--reason", "it did replace it"))  # 8
    add(cli, "decision", "Its replacement is retracted", "--owner", "Dana", "--when", "2026-11-01", "--review-by", "2026-11-27")
    add(cli, "decision", "Replaces #9", "--owner", "Lee", "--when", "2026-11-02", "--supersedes", "9")  # 10
    ok(cli("retract", "10", "--reason", "wrong entry"))
    assert [(r["seq"], r["loop"], r["owes"]) for r in due(cli)] == [(1, "review", ["Sam"]), (9, "review", ["Dana"])]
    as_listed = [(lp.view["id"], lp.key, lp.owes) for lp in loops.open_loops(Journal(db).views.values(), date(2026, 12, 1))]
    assert [(r["id"], r["loop"], tuple(r["owes"])) for r in due(cli)] == as_listed


def test_reread_gives_back_only_the_record_the_scan_checked(journal):
    from pmjournal.core.errors import PmjournalError

    entry = journal.add("note", {"title": "n"})
    seen = {r["seq"]: r["hash"] for r in journal.__class__(journal.path).scan(lambda r: True)}
    assert journal.reread(1, seen[1])["id"] == entry["id"]
    with pytest.raises(PmjournalError, match="changed while it was read"):
        journal.reread(1, "0" * 64)


@pytest.mark.parametrize("name", ["due", "done", "reopen", "remind"])
def test_each_loop_command_has_help_with_examples(cli, name):
    out = ok(cli(name, "--help"))
    assert f"pmjournal {name}" in out and "examples:" in out


def test_a_loop_cannot_be_done_in_the_future(loops, monkeypatch):
    """`done --when tomorrow` (the app's Done dialog the same) took the loop off the Due list a
    day before it was done: refused in one line, nothing written."""
    monkeypatch.setattr(dates, "now", lambda: datetime.fromisoformat(f"{TODAY}T12:00:00+08:00"))
    before = due(loops)
    for when in ("tomorrow", "2026-12-25", f"{TODAY} 13:00"):
        refused(loops("done", "1", "--loop", "follow-up", "--when", when), "cannot be done in the future")
        refused(loops("reopen", "1", "--loop", "follow-up", "--when", when), "")
    assert due(loops) == before
    ok(loops("done", "1", "--loop", "follow-up", "--when", f"{TODAY} 12:03"))  # a clock a few minutes ahead


def test_a_commitment_due_5_jan_typed_in_december_is_next_januarys(cli, monkeypatch):
    """The guide's own example, run in December, was refused: '5 Jan' read as this January,
    "before the entry's own date"; and `--follow-up-by fri` was the Friday gone."""
    monkeypatch.setattr(dates, "now", lambda: datetime.fromisoformat("2026-12-02T10:00:00+08:00"))  # a Wednesday
    ok(
        cli(
            "add",
            "communication",
            "Told Acme about the new date",
            "--commitment",
            "Dana; saved carts demo; 5 Jan",
            "--follow-up-by",
            "fri",
        )
    )
    entry = json.loads(ok(cli("show", "1", "--format", "json")))
    assert entry["commitments"][0]["due"].startswith("2027-01-05")
    assert entry["follow_up_by"].startswith("2026-12-04")


def test_an_amend_cannot_move_a_commitment_or_the_date_from_under_its_done_record(cli):
    """Reordering the commitments gave Tom's 'done' to Ann's item (and rewrote what the
    history says #2 closed); a When moved past the done record read 'done 2 Dec' for a call
    held on the 3rd. Both are refused; adding a commitment after the last, or moving a due
    date, is not."""
    add(
        cli, "communication", "Pricing call", "--owner", "Dana", "--when", "2026-11-20",
        "--commitment", "Tom; confirm the budget; 2026-12-10", "--commitment", "Ann; send the sheet; 2026-12-11",
    )  # fmt: skip
    ok(cli("done", "1", "--loop", "commitment-1", "--by", "Tom", "--when", "2026-11-22 10:00", "--note", "budget confirmed"))
    swapped = ("--commitment", "Ann; send the sheet; 2026-12-11", "--commitment", "Tom; confirm the budget; 2026-12-10")
    refused(cli("amend", "1", *swapped, "--reason", "reorder"), "commitment 1 (confirm the budget, owed by Tom) already has")
    refused(cli("amend", "1", "--commitment", "Ann; send the sheet; 2026-12-11", "--reason", "drop"), "must stay commitment 1")
    refused(cli("amend", "1", "--when", "2026-11-23", "--reason", "later"), "marked done or re-opened on 2026-11-22")
    assert record_count(cli) == 2
    kept = ("--commitment", "Tom; confirm the budget; 2026-12-12", "--commitment", "Ann; send the sheet; 2026-12-11")
    ok(cli("amend", "1", *kept, "--commitment", "Lee; book the room; 2026-12-13", "--reason", "one more"))
    ok(cli("amend", "1", "--when", "2026-11-22", "--reason", "the same day is fine"))
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert [c["who"] for c in shown["commitments"]] == ["Tom", "Ann", "Lee"]
    # Who owes a done commitment may be corrected: "Tom" could never become Tom Becker (a user trial).
    full = ("--commitment", "Tom Becker; confirm the budget; 2026-12-12", "--commitment", "Ann; send the sheet; 2026-12-11")
    ok(cli("amend", "1", *full, "--commitment", "Lee; book the room; 2026-12-13", "--reason", "his full name"))
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert [c["who"] for c in shown["commitments"]] == ["Tom Becker", "Ann", "Lee"]


def test_done_by_completes_whole_words_of_the_entrys_people_commitments_included(cli):
    """`--by Dan` for a review owned by Dana Whitfield was saved as Dana Whitfield (a prefix of
    her name); then as a person "Dan" of its own, as "Marc" closed an escalation raised to
    Marcus Chen (a user trial): now asked about, as a typo is, and a delegate Dan is written
    in full. `--by Sam` for a commitment owed by Sam Okafor stayed 'Sam' (commitments' owers
    were not looked at)."""
    add(cli, "risk", "Vendor slip", "--owner", "Dana Whitfield", "--when", "2026-11-20", "--review-by", "2026-11-27")
    refused(cli("done", "1", "--by", "Dan", "--when", "2026-11-21"), "'Dan' is not named in #1: did you mean Dana Whitfield?")
    assert ok(cli("done", "1", "--by", "Dan Brown", "--when", "2026-11-21")).endswith("by Dan Brown\n")
    add(cli, "communication", "Deck", "--when", "2026-11-20", "--commitment", "Sam Okafor; the deck; 2026-11-27")
    assert ok(cli("done", "3", "--loop", "commitment-1", "--by", "sam", "--when", "2026-11-21")).endswith("by Sam Okafor\n")


def test_due_and_remind_find_a_commitments_ower_by_the_start_of_the_name(cli):
    """`remind --person Tom` in cron stayed silent about Tom Becker's overdue commitment: the
    start of a name is completed from the people the journal names in its roles, and a
    commitment's ower is not among them."""
    add(cli, "communication", "Call with Acme", "--owner", "Dana Whitfield", "--when", "2026-11-20",
        "--commitment", "Tom Becker; send pricing; 2026-11-28")  # fmt: skip
    assert [row["owes"] for row in due(cli, "--person", "Tom")] == [["Tom Becker"]]
    assert "commitment-1 by Tom Becker" in ok(cli("remind", "--person", "tom", "--today", TODAY))


def test_a_loops_steps_run_forward(cli):
    """A re-opening dated before the done it re-opens read 'done 1 Dec, re-opened 22 Nov' and
    left the loop open; a done dated before the re-opening closed it again 'in the past'."""
    add(cli, "communication", "Call", "--owner", "Dana", "--when", "2026-11-20", "--commitment", "Tom; send pricing; 2026-11-28")
    ok(cli("done", "1", "--when", "2026-11-30"))
    refused(cli("reopen", "1", "--when", "2026-11-22"), "was done on 2026-11-30 00:00: it cannot be re-opened before that")
    ok(cli("reopen", "1", "--when", "2026-12-01", "--note", "wrong prices"))
    refused(cli("done", "1", "--when", "2026-11-30 12:00"), "was re-opened on 2026-12-01 00:00: it cannot be done before that")
    assert record_count(cli) == 3


def test_who_owes_a_commitment_is_named_in_the_entry(loops):
    """Lee owes the pricing sheet in #1 (a commitment, no role): `list --person Lee` left #1 out
    and `who` did not count it, although `due --person Lee` listed the commitment. Owing a
    commitment is being named, counted under "other", as in the People view and the export."""
    assert sorted(v["seq"] for v in json.loads(ok(loops("list", "--person", "Lee", "--format", "json")))) == [1, 3]
    rows = {r["person"]: r for r in json.loads(ok(loops("who", "--format", "json")))}
    assert (rows["Lee"]["owner"], rows["Lee"]["other"], rows["Lee"]["total"]) == (1, 1, 2)
    assert (rows["Tom"]["other"], rows["Tom"]["total"]) == (1, 1)  # a participant who owes too: one entry
    export = ok(loops("export", "--format", "markdown"))
    summary = export.split("## ", 3)[2]
    assert "| Lee | 1 | 0 | 0 | 0 | 0 | 1 | 2 |" in summary


def test_a_loop_done_in_another_offset_is_dated_in_the_entrys(cli):
    """An entry at 01:00 +08:00 on the 21st, done at 20:00 -05:00 on the 20th (eight hours later):
    refused as "before" it, the two dates compared as strings. Days are compared in the entry's
    offset: 10:00 -05:00 on the 20th is still the 20th there, and refused."""
    add(cli, "communication", "Shanghai sync", "--owner", "Dana", "--when", "2026-11-21 01:00 +08:00", "--follow-up-by", "2026-11-25")
    refused(cli("done", "1", "--when", "2026-11-20 10:00 -05:00"), "happened on 2026-11-21; its follow-up cannot be done before that (2026-11-20)")
    ok(cli("done", "1", "--when", "2026-11-20 20:00 -05:00"))


def test_an_entry_moved_to_another_offset_is_compared_with_its_loop_in_that_offset(cli):
    """Done at 22:00 -05:00 on the 20th (11:00 +08:00 on the 21st); the entry moved to 10:00 +08:00
    on the 21st, an hour before: refused as "after" the done, the dates compared as strings."""
    add(cli, "communication", "Call", "--owner", "Dana", "--when", "2026-11-19 09:00", "--follow-up-by", "2026-11-25")
    ok(cli("done", "1", "--when", "2026-11-20 22:00 -05:00"))
    ok(cli("amend", "1", "--when", "2026-11-21 10:00 +08:00", "--reason", "the call was on the 21st"))
    refused(cli("amend", "1", "--when", "2026-11-22 09:00 +08:00", "--reason", "later still"), "the entry cannot have happened after that")


def test_done_by_a_name_a_letter_off_one_the_entry_names_is_refused(cli):
    """`done 8 --by Marcis` recorded "answer done by Marcis; owed by Marcus Chen, Priya Raman",
    exit 0: in an append-only journal a typo stays, put right only by reopen and done again
    (a helper's CLI trial). Someone the entry does not name may still have done it."""
    add(cli, "risk", "Vendor limits", "--owner", "Lee", "--raised-to", "Marcus Chen", "--raised-to", "Priya Raman")
    refused(cli("done", "1", "--by", "Marcis"), "'Marcis' is not named in #1: did you mean Marcus Chen?")
    refused(cli("done", "1", "--by", "Priya Ramen"), "did you mean Priya Raman?")
    refused(cli("done", "1", "--by", "Marc"), "'Marc' is not named in #1: did you mean Marcus Chen?")
    # An escalation is answered by someone it was raised to: anyone else is first added to its
    # Raised to by an amendment, so the record says it was raised to them (a user trial).
    refused(
        cli("done", "1", "--by", "Sam Delegate"),
        "#1 was raised to Marcus Chen, Priya Raman, not Sam Delegate: if Sam Delegate answered, amend its Raised to first",
    )
    assert record_count(cli) == 1
    ok(cli("amend", "1", "--raised-to", "Marcus Chen", "--raised-to", "Priya Raman", "--raised-to", "Sam Delegate", "--reason", "Marcus passed it on"))
    assert "by Sam Delegate" in ok(cli("done", "1", "--by", "Sam Delegate"))


def test_an_escalation_is_answered_by_its_person_in_any_spelling(cli):
    """Owner "marcus chen", Raised to "Marcus Chen": `done --by "Marcus Chen"` was refused as
    not raised to him (a review of the raised-to check)."""
    add(cli, "risk", "Casing", "--owner", "marcus chen", "--raised-to", "Marcus Chen", "--when", "2026-11-20")
    assert "by marcus chen" in ok(cli("done", "1", "--by", "Marcus Chen", "--when", "2026-11-21")).lower()
