"""Regressions from a review: each of these once crashed, corrupted the journal or
silently changed what was typed."""

import json
import os
import subprocess
import sys

import pytest
from clihelp import ok, refused

from pmjournal.core.store import Journal
from pmjournal.core.verify import verify_file


def test_when_cannot_be_cleared(cli, db):
    ok(cli("add", "note", "n"))
    before = db.read_bytes()
    refused(cli("amend", "1", "--clear", "occurred_at", "--reason", "r"), "cannot be emptied")
    refused(cli("amend", "1", "--when", "", "--reason", "r"), "argument --when: is empty", code=2)
    assert db.read_bytes() == before
    ok(cli("list"))


def _export(cli, tmp_path):
    out = tmp_path / "e.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    return out, json.loads(out.read_text())



@pytest.mark.parametrize(
    "changes, fragment",
    [
        ("oops", "not a set of field values"),
        ({"id": "X", "kind": "risk", "seq": 99}, "set by the journal"),
        ({"title": None}, "cannot be emptied"),
        ({"channel": "email"}, "no channel field"),
    ],
)
def test_import_validates_amendments(cli, tmp_path, journal, forge, changes, fragment):
    journal.add("decision", {"title": "D1", "owner": "A"})
    out, data = _export(cli, tmp_path)
    data["records"].append(
        {
            "id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
            "kind": "amendment",
            "target": data["records"][0]["id"],
            "changes": changes,
            "reason": "r",
            "recorded_at": "2026-11-25T00:00:00+00:00",
        }
    )
    forge(out, data)
    other = tmp_path / "other.json"
    refused(cli("--db", str(other), "import", str(out)), fragment)
    assert not other.exists() or len(Journal(other)) == 0


def test_import_refuses_duplicate_ids_and_double_retractions(cli, tmp_path, journal, forge):
    journal.add("note", {"title": "n"})
    out, data = _export(cli, tmp_path)
    data["records"].append(dict(data["records"][0]))
    forge(out, data)
    refused(cli("--db", str(tmp_path / "o1.json"), "import", str(out)), "used twice")
    data["records"] = data["records"][:1]
    retraction = {
        "kind": "retraction",
        "target": data["records"][0]["id"],
        "reason": "r",
        "recorded_at": "2026-11-25T00:00:00+00:00",
    }
    data["records"] += [{**retraction, "id": "01YYYYYYYYYYYYYYYYYYYYYYYY"}, {**retraction, "id": "01XXXXXXXXXXXXXXXXXXXXXXXX"}]
    forge(out, data)
    refused(cli("--db", str(tmp_path / "o2.json"), "import", str(out)), "already retracted")


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("occurred_at", 12345, "must be a date"),
        ("recorded_by", ["x"], "not a name"),
        ("recorded_at", "not a date", "recorded_at"),
        ("id", "", "not an id"),
        ("impact", 5, "impact"),
    ],
)
def test_import_refuses_malformed_values(cli, tmp_path, journal, forge, field, value, fragment):
    journal.add("change", {"title": "c", "owner": "A"})
    out, data = _export(cli, tmp_path)
    data["records"][0][field] = value
    forge(out, data)
    refused(cli("--db", str(tmp_path / "o.json"), "import", str(out)), fragment)


def test_header_without_newline_is_completed_not_set_aside(cli, db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b'{"created_at":"2026-11-25T08:30:00Z","format":"pmjournal","schema":1}')
    ok(cli("add", "note", "hi"))
    assert ok(cli("verify")).startswith("ok: 1 record, chain head")
    assert not [p for p in db.parent.iterdir() if ".torn-" in p.name]


def test_empty_file_becomes_a_journal(cli, db):
    db.parent.mkdir(parents=True)
    db.touch()
    ok(cli("add", "note", "hi"))
    assert ok(cli("verify")).startswith("ok: 1 record, chain head")


@pytest.mark.parametrize(
    "when, fragment",
    [
        ("2026-11-24 15:00 EST", "unknown time zone"),
        ("march", "does not say the day"),
        ("2026", "does not say the month"),
        ("99999999999 days ago", "cannot understand"),
        ("in 8000 years", "cannot understand"),
        ("2026-11-24 15:00 +25:00", "cannot understand"),
    ],
)
def test_dates_are_never_guessed_or_crash(cli, db, when, fragment):
    refused(cli("add", "note", "x", "--when", when), fragment)


def test_until_the_last_day_of_the_calendar(cli):
    ok(cli("add", "note", "x"))
    assert "x" in ok(cli("list", "--until", "9999-12-31"))


@pytest.mark.parametrize("title", ["x\x1b[31mred", "bell\x07"])
def test_control_characters_are_refused(cli, title):
    refused(cli("add", "note", title), "control character")


def test_nul_and_escapes_are_refused_everywhere(journal):
    from pmjournal.core.errors import ValidationError

    for values in (
        {"title": "nul\x00"},
        {"title": "t", "body": "esc \x1b[2J"},
        {"title": "t", "evidence": ["\x1b]8;;x"]},
        {"title": "t", "tags": ["a\x00"]},
        {"title": "t", "informed": ["Bob\x1b"]},
    ):
        with pytest.raises(ValidationError):
            journal.add("note", values)
    assert journal.add("note", {"title": "tabs\tand", "body": "lines\nand\ttabs"})["body"] == "lines\nand\ttabs"


def test_bytes_that_are_not_utf8_are_refused(cli):
    proc = subprocess.run(
        [sys.executable, "-m", "pmjournal", "add", "note", "x", "--body", "-"],
        input=b"caf\xe9\n",
        capture_output=True,
        env=dict(os.environ),
    )
    assert proc.returncode == 1 and b"not UTF-8" in proc.stderr and b"Traceback" not in proc.stderr


def test_csv_neutralises_formulas_but_keeps_numbers(cli, journal):
    import csv
    import io

    journal.add("note", {"title": "-2+3+cmd|' /C calc'!A0"})
    journal.add("note", {"title": "-5"})
    journal.add("note", {"title": "@SUM(A1)"})
    rows = list(csv.DictReader(io.StringIO(ok(cli("export", "--format", "csv")))))
    assert [r["title"] for r in rows] == ["'-2+3+cmd|' /C calc'!A0", "-5", "'@SUM(A1)"]


def test_no_self_links(cli):
    ok(cli("add", "decision", "d", "--owner", "A"))
    refused(cli("amend", "1", "--supersedes", "1", "--reason", "x"), "itself")
    refused(cli("amend", "1", "--caused-by", "1", "--reason", "x"), "itself")


def test_status_amendment_of_a_superseded_decision_reads_the_same_everywhere(journal, db):
    journal.add("decision", {"title": "D1", "owner": "A"})
    assert journal.views  # loaded: the amendment below goes through the incremental fold
    journal.add("decision", {"title": "D2", "owner": "B"}, links={"supersedes": ["1"]})
    journal.amend("1", {"status": "rejected"}, "they said no")
    live = journal.get("1")["history"][-1]["changes"]["status"]
    fresh = Journal(db).get("1")["history"][-1]["changes"]["status"]
    assert live == fresh == {"old": "accepted", "new": "rejected"}


def test_concurrent_retractions_of_one_entry_write_one(cli, db):
    ok(cli("add", "note", "n"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pmjournal", "retract", "1", "--reason", f"r{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        for i in range(4)
    ]
    codes = [p.wait(timeout=60) for p in procs]
    assert sorted(codes) == [0, 1, 1, 1]
    assert sum(1 for r in Journal(db).records() if r["kind"] == "retraction") == 1
    assert verify_file(db).ok


@pytest.mark.parametrize("ref", ["²", "9" * 5000, "#0", "-1"])
def test_odd_references(cli, ref):
    ok(cli("add", "note", "n"))
    refused(cli("show", ref), "")


def test_export_to_dash_writes_standard_output_not_a_file_named_dash(cli, tmp_path, monkeypatch):
    # `-o -` is standard output in the tools a user knows (tar, curl, sort -o); it wrote a file named "-".
    monkeypatch.chdir(tmp_path)
    ok(cli("add", "note", "n"))
    result = cli("export", "--format", "csv", "-o", "-")
    assert result.returncode == 0 and result.stdout.splitlines()[0].startswith("seq,id,kind")
    assert "wrote" not in result.stderr
    assert not (tmp_path / "-").exists()


def test_odd_options(cli, db, tmp_path):
    ok(cli("add", "note", "n"))
    refused(cli("list", "--since", "2026-12-01", "--until", "2026-11-01"), "since 2026-12-01 is after until 2026-11-01")
    refused(cli("list", "--cause", "bogus"), "unknown cause")
    refused(cli("list", "--person", ""), "empty")
    refused(cli("export", "-o", ""), "file name")
    refused(cli("export", "-o", str(db), "--force"), "journal itself")
    assert ok(cli("verify")).startswith("ok")
    refused(cli("--db", str(tmp_path), "verify"), "is a folder")
    afile = tmp_path / "afile"
    afile.write_text("x")
    refused(cli("--db", str(afile / "j.json"), "add", "note", "x"), "not a folder")


def test_show_marks_a_retracted_superseding_decision(cli):
    ok(cli("add", "decision", "D1", "--owner", "A"))
    ok(cli("add", "decision", "D2", "--owner", "B", "--supersedes", "1"))
    ok(cli("retract", "2", "--reason", "never agreed"))
    assert "D2 (retracted)" in ok(cli("show", "1"))


def test_tui_style_live_preview_of_absurd_dates_is_an_error_not_a_crash():
    from pmjournal.core.dates import parse_when
    from pmjournal.core.errors import DateError

    for text in ("in 8000 years", "3000 years ago", "99999999999 days ago"):
        with pytest.raises(DateError):
            parse_when(text)


def test_an_empty_db_date_or_when_is_a_usage_error_not_a_default(cli, db, tmp_path, monkeypatch):
    """`--db "$UNSET"` wrote to the default journal (the user's own), `--since ""` filtered
    nothing and `--when ""` meant now, each without a word."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PMJOURNAL_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    refused(cli("--db", "", "add", "note", "where did it go?"), "argument --db: is empty", code=2)
    refused(cli("add", "note", "where did it go?", "--db", " "), "argument --db: is empty", code=2)
    assert not any(path.is_file() for path in home.rglob("*"))
    monkeypatch.setenv("PMJOURNAL_DB", str(db))
    ok(cli("add", "note", "n"))
    refused(cli("list", "--since", ""), "argument --since: is empty", code=2)
    refused(cli("export", "--until", " "), "argument --until: is empty", code=2)
    refused(cli("add", "note", "m", "--when", ""), "argument --when: is empty", code=2)
    refused(cli("verify", "--since", ""), "argument --since: is empty", code=2)  # it ran a plain verify
    refused(cli("verify", "--evidence", ""), "argument --evidence: is empty", code=2)
    assert ok(cli("verify")).startswith("ok: 1 record,")


def test_who_into_a_file_or_a_pipe_keeps_every_column_and_whole_names(cli_process, db):
    """Out of a terminal rich took 80 columns: `who > file` dropped informed, other and
    entries and cut the headings ('o…', 'r…') beside a long name."""
    long_name = "Maximilian Alexander von Hohenzollern-Sigmaringen the Third"
    env = {"PMJOURNAL_DB": str(db), "COLUMNS": ""}
    assert cli_process("add", "decision", "x", "--owner", long_name, env=env).returncode == 0
    out = cli_process("who", env=env).stdout
    header, _rule, row = out.splitlines()[:3]
    assert header.split() == ["person", "owner", "requested", "approved", "consulted", "informed", "other", "entries"]
    assert row.startswith(long_name) and row.split()[-1] == "1"


def test_the_app_without_a_terminal_is_one_line_not_escape_codes_in_a_file(cli_process, db, tmp_path):
    """`pmjournal --db X > log` (cron, a typo for `remind`) drew the app into the file and
    waited for keys for ever."""
    proc = cli_process("--db", str(db), input="")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "pmjournal: the app needs a terminal (standard input and output); give a command for scripts: pmjournal --help\n"
    assert not db.exists()


def test_export_to_dev_stdout_into_a_reader_that_leaves_is_quiet(cli_process, db):
    """`export -o /dev/stdout | head -1` said 'cannot write /dev/stdout: Broken pipe', exit 1,
    where `-o -` and plain stdout stay quiet (the reader leaving is not an error)."""
    assert cli_process("demo", "--db", str(db)).returncode == 0  # ~100 KB: more than a pipe holds
    env = {**os.environ, "PMJOURNAL_DB": str(db)}
    command = f"{sys.executable} -m pmjournal export -o /dev/stdout | head -1; exit ${{PIPESTATUS[0]}}"
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60)
    assert proc.stdout.startswith("# Evidence trail") and proc.stderr == "" and proc.returncode == 0


def test_allowed_signers_without_evidence_is_refused_not_ignored(cli, db):
    ok(cli("add", "note", "n"))
    refused(cli("verify", "--allowed-signers", "allowed"), "--allowed-signers goes with --evidence FILE")


def test_messages_that_name_the_real_problem(cli, db, tmp_path):
    """Each said something beside the point: a CSV export 'exported by an older pmjournal, or the
    appendix was removed'; a journal 'is not valid JSON (it was cut or edited)'; --within 100000
    'is not a number of days'; --status offered 'superseded', which is refused; `who ""` named
    an option nobody typed (--person)."""
    ok(cli("add", "note", "n"))
    csv_export = tmp_path / "trail.csv"
    ok(cli("export", "--format", "csv", "-o", str(csv_export)))
    refused(cli("verify", "--evidence", str(csv_export)), "looks like a CSV export, which carries no evidence")
    refused(cli("verify", "--evidence", str(db)), f"is a journal, not an export: check it with pmjournal --db {db} verify")
    refused(cli("due", "--within", "100000"), "is too far ahead: at most 99999 days", code=2)
    said = refused(cli("add", "decision", "x", "--owner", "a", "--status", "nope"), "status must be one of")
    assert "superseded" not in said
    refused(cli("who", ""), "argument person: is empty", code=2)


def test_export_refuses_the_side_files_of_a_journal_named_through_a_symlink(cli, tmp_path):
    """With --db a symlink, the lock and index are named after the link: the check compared
    resolved names only and let `export -o link.json.lock --force` replace the lock file."""
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link.json"
    ok(cli("--db", str(real / "j.json"), "add", "note", "hi"))
    link.symlink_to(real / "j.json")
    ok(cli("--db", str(link), "add", "note", "through the link"))
    for name in ("link.json.lock", "link.json.index"):
        refused(cli("--db", str(link), "export", "-o", str(tmp_path / name), "--force"), "one of the journal's own files")
    ok(cli("--db", str(link), "export", "-o", str(tmp_path / "link.json.teamwork.md")))
    # the team folder's own name: a file there stopped any later sync (FileExistsError)
    refused(cli("--db", str(link), "export", "-o", str(tmp_path / "link.json.team")), "one of the journal's own files")


def test_a_journal_named_through_a_link_to_nothing_is_said_so(cli, tmp_path):
    """`--db link.json`, a link to a file not made yet: 'cannot create link.json: File exists'."""
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "j.json")
    refused(cli("--db", str(link), "add", "note", "hi"), "is a link to")
    assert not (tmp_path / "real").exists()


def test_fields_this_version_does_not_know_are_shown_not_left_out(cli, db):
    """A newer version's field (or one written by hand) in a chained record: `show` left it out
    without a word."""
    stamp = {"occurred_at": "2026-11-01T09:00:00+00:00", "recorded_at": "2026-11-01T09:00:00.000+00:00", "recorded_by": "Pat"}
    Journal(db, user="Pat").append_raw(
        [
            {"kind": "decision", "id": "01JA0000000000000000000000", "title": "A", "owner": "x", "priority": "high", **stamp},
            {"kind": "task", "id": "01JB0000000000000000000000", "title": "A task", "assignee": {"name": "Bo"}, **stamp},
        ]
    )
    assert "priority  high" in ok(cli("show", "1"))
    assert 'assignee  {"name": "Bo"}' in ok(cli("show", "2"))


def test_who_with_two_people_says_so(cli):
    """`who ma --person Dana` showed Dana and dropped "ma" without a word."""
    ok(cli("add", "decision", "x", "--owner", "Dana Whitfield", "--approved-by", "Marcus Chen"))
    refused(cli("who", "ma", "--person", "Dana"), "name one person, as the argument or with --person")
    assert ok(cli("who", "marcus")).startswith("Marcus Chen")


@pytest.mark.parametrize("when", ("not a date", 20261130, None, ["2026-11-30"]))
@pytest.mark.parametrize("index", ("on", "off"))
def test_a_record_whose_when_is_no_time_is_shown_as_stored_not_a_traceback(cli, db, monkeypatch, index, when):
    """A record made by hand (rehashed, so the chain holds) with "not a date" as its When:
    list, show, who, trace and every export ended in a ValueError traceback, with and without
    the index (a helper's trial). It sorts by when it was recorded and reads as stored."""
    from teamhelp import rechained

    if index == "off":
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
    ok(cli("add", "note", "hello"))
    ok(cli("add", "note", "two"))
    lines = db.read_bytes().splitlines()
    record = json.loads(lines[1])
    record["occurred_at"] = when
    lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    db.write_bytes(rechained(lines))
    # (a When that is no text, made by hand, ended them in a TypeError even so)
    shown = when if isinstance(when, str) else json.dumps(when)
    assert shown in ok(cli("list"))
    assert shown in ok(cli("show", "1"))
    for command in (("who",), ("trace", "1"), ("due",), ("export", "--format", "json"), ("export", "--format", "csv")):
        ok(cli(*command))
    document = ok(cli("export", "--format", "markdown"))
    if isinstance(when, str):
        assert f"| When | {shown} |" in document
    assert "hello" in document


def test_a_status_with_a_default_cannot_be_emptied(cli, db):
    """`amend --clear status` left a decision with no status (history: accepted → (empty)), and
    `add --status ""` saved one without (a user trial)."""
    ok(cli("add", "decision", "Ship", "--owner", "Dana"))
    before = db.read_bytes()
    # (superseded is not offered: a later decision sets it, and the choice was then refused)
    refused(cli("amend", "1", "--clear", "status", "--reason", "r"), "status cannot be emptied; choose one of: proposed, accepted, rejected\n")
    assert db.read_bytes() == before
    ok(cli("add", "risk", "Vendor", "--owner", "Dana", "--status", ""))
    assert json.loads(ok(cli("show", "2", "--format", "json")))["status"] == "open"


def test_dates_at_the_calendars_edges_are_refused_where_they_come_in(cli, tmp_path):
    """1 Jan 0001 was taken, then shown a day back in New York (year 0): list, show, due and
    the app ended in an OverflowError; 9999-12-31 from a jrnl file likewise (a robustness hunt)."""
    import json

    proc = cli("add", "note", "founding", "--when", "0001-01-01")
    assert proc.returncode == 1 and "out of range: pmjournal keeps dates from the year 1000 to 9998" in proc.stderr
    jrnl = tmp_path / "jrnl.json"
    jrnl.write_text(json.dumps({"tags": {}, "entries": [{"date": "9999-12-31", "time": "23:59", "title": "t", "body": "", "starred": False, "tags": []}]}))
    proc = cli("import", str(jrnl))
    assert proc.returncode == 1 and "out of range" in proc.stderr and "nothing was imported" in proc.stderr


def test_an_entry_in_a_zones_local_mean_time_goes_back_in_from_its_export(cli_process, tmp_path):
    """Amsterdam kept +00:19:32 until 1937: `add --when "1920-05-01 09:00"` stored
    +01:19:32, and importing the journal's own export refused it ("cannot understand the date")."""
    env = {"TZ": "Europe/Amsterdam"}
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "a.e.json"
    assert cli_process("--db", str(a), "add", "note", "Company founded", "--when", "1920-05-01 09:00", env=env).returncode == 0
    assert '"occurred_at":"1920-05-01T09:00:00+01:19:32"' in a.read_text()
    assert cli_process("--db", str(a), "export", "--format", "json", "-o", str(out), env=env).returncode == 0
    proc = cli_process("--db", str(b), "import", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    assert '"occurred_at":"1920-05-01T09:00:00+01:19:32"' in b.read_text()


def test_a_journal_or_import_file_named_in_bytes_that_are_not_utf8(cli_process, tmp_path):
    """`--db $'j\\xff.json' export --format json` and `import $'i\\xff.json'` ended in a
    TypeError from orjson (a robustness hunt): the name is kept with U+FFFD for those bytes."""
    import os

    db = os.fsdecode(os.fsencode(str(tmp_path)) + b"/j\xff.json")
    assert cli_process("--db", db, "add", "note", "a").returncode == 0
    out = tmp_path / "e.json"
    proc = cli_process("--db", db, "export", "--format", "json", "-o", str(out))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert '"journal": "' + str(tmp_path) + '/j\ufffd.json"' in out.read_text(encoding="utf-8")
    named = os.fsdecode(os.fsencode(str(tmp_path)) + b"/i\xff.json")
    os.rename(out, named)
    proc = cli_process("--db", str(tmp_path / "k.json"), "import", named)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
