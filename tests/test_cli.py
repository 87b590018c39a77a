"""The command-line contract. Most calls run in-process through `main(argv)` (the `cli`
fixture: same parsing, output and exit codes, without a Python start-up each); the exit
paths, one-line errors, --version and pipes run as real processes (`cli_process`)."""

import json

import pytest
from clihelp import journal_once, lay, ok


def add(cli, *args, **kw):
    proc = cli("add", *args, **kw)
    assert proc.returncode == 0, proc.stderr
    seq, entry_id = proc.stdout.split()
    return int(seq.lstrip("#")), entry_id


def listed(cli, *args):
    proc = cli("list", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_add_with_every_role_and_show(cli):
    seq, entry_id = add(
        cli,
        "decision",
        "Cut offline mode",
        "--owner",
        "Dana",
        "--requested-by",
        "Sales, Acme",
        "--approved-by",
        "VP Eng",
        "--consulted",
        "Lee",
        "--consulted",
        "Kim",
        "--informed",
        "Support",
        "--when",
        "2026-11-20 15:00",
        "--project",
        "apollo",
        "--tag",
        "scope",
        "--rationale",
        "time",
        "--option",
        "keep it",
        "--option",
        "cut it",
        "--evidence",
        "JIRA-12",
        "--review-by",
        "2026-12-01",
    )
    assert seq == 1 and len(entry_id) == 26
    [entry] = listed(cli)
    assert entry["owner"] == "Dana"
    assert entry["requested_by"] == ["Sales", "Acme"]
    assert entry["consulted"] == ["Lee", "Kim"]
    assert entry["occurred_at"] == "2026-11-20T15:00:00+08:00"
    assert entry["options"] == ["keep it", "cut it"]
    shown = cli("show", "#1")
    assert shown.returncode == 0
    for text in ("Cut offline mode", "Dana", "Acme", "VP Eng", "Fri 20 Nov 2026 15:00 +08:00", "JIRA-12"):
        assert text in shown.stdout


def test_kind_specific_options(cli):
    add(
        cli,
        "change",
        "PDF export",
        "--owner",
        "Sam",
        "--requested-by",
        "Acme",
        "--source",
        "customer",
        "--impact-scope",
        "+1 screen",
        "--impact-schedule",
        "+2 weeks",
        "--impact-cost",
        "1 dev-month",
        "--previous",
        "CSV only",
    )
    add(
        cli,
        "communication",
        "Told support",
        "--channel",
        "email",
        "--participants",
        "Ann,Ben",
        "--ack-by",
        "Ann",
        "--commitments",
        "Ann; the FAQ; next fri",
        "--follow-up-by",
        "next fri",
    )
    add(
        cli,
        "risk",
        "Rate limits",
        "--owner",
        "Lee",
        "--raised-by",
        "Lee",
        "--raised-to",
        "Dana",
        "--likelihood",
        "high",
        "--impact",
        "medium",
        "--mitigation",
        "cache",
    )
    add(cli, "incident", "Outage", "--cause", "risk", "--caused-by", "3", "--severity", "high")
    change, comm, risk, incident = listed(cli)
    assert change["impact"] == {"scope": "+1 screen", "schedule": "+2 weeks", "cost": "1 dev-month"}
    assert comm["acknowledged_by"] == ["Ann"] and comm["channel"] == "email"
    assert risk["likelihood"] == "high" and risk["impact"] == "medium" and risk["raised_to"] == ["Dana"]
    assert incident["links"] == [{"rel": "caused_by", "to": risk["id"]}]


def test_db_is_a_global_option_before_or_after(cli, tmp_path):
    other = tmp_path / "other.json"
    assert cli("--db", str(other), "add", "note", "a").returncode == 0
    assert cli("add", "note", "b", "--db", str(other)).returncode == 0
    assert [e["title"] for e in listed(cli, "--db", str(other))] == ["a", "b"]
    assert listed(cli) == []


def test_env_var_picks_the_journal(cli, tmp_path):
    path = tmp_path / "env.json"
    assert cli("add", "note", "x", env={"PMJOURNAL_DB": str(path)}).returncode == 0
    assert path.exists()


def test_body_from_stdin(cli):
    add(cli, "note", "long", "--body", "-", input="line one\nline two\n")
    assert listed(cli)[0]["body"] == "line one\nline two\n"


@pytest.fixture(scope="module")
def sample_journal(tmp_path_factory) -> bytes:
    return journal_once(tmp_path_factory, _add_sample)


@pytest.fixture
def sample(cli, sample_journal):
    """The journal _add_sample's commands write (run once a module)."""
    lay(sample_journal)


def _add_sample(cli):
    add(cli, "decision", "Alpha call", "--owner", "Alice", "--project", "apollo", "--tag", "pricing", "--when", "2026-10-05")
    add(cli, "decision", "Beta call", "--owner", "bob", "--approved-by", "ALICE", "--project", "zeus", "--when", "2026-11-05")
    add(cli, "risk", "Gamma risk", "--owner", "Carol", "--consulted", "alice", "--project", "apollo", "--when", "2026-11-10")
    add(cli, "incident", "Delta outage", "--cause", "decision", "--caused-by", "1", "--when", "2026-11-20")


@pytest.mark.parametrize(
    "args, titles",
    [
        ((), ["Alpha call", "Beta call", "Gamma risk", "Delta outage"]),
        (("--project", "apollo"), ["Alpha call", "Gamma risk"]),
        (("--kind", "decision"), ["Alpha call", "Beta call"]),
        (("--kind", "risk", "--kind", "incident"), ["Gamma risk", "Delta outage"]),
        (("--person", "alice"), ["Alpha call", "Beta call", "Gamma risk"]),
        (("--person", "Alice", "--role", "owner"), ["Alpha call"]),
        (("--person", "alice", "--role", "approved"), ["Beta call"]),
        (("--tag", "pricing"), ["Alpha call"]),
        (("--cause", "decision"), ["Delta outage"]),
        (("--since", "2026-11-01"), ["Beta call", "Gamma risk", "Delta outage"]),
        (("--until", "2026-11-10"), ["Alpha call", "Beta call", "Gamma risk"]),
        (("--search", "GAMMA"), ["Gamma risk"]),
        (("--search", "call beta"), ["Beta call"]),
    ],
)
def test_filters(cli, sample, args, titles):
    assert [e["title"] for e in listed(cli, *args)] == titles


def test_table_and_csv(cli, sample):
    table = cli("list")
    assert table.returncode == 0 and "Alpha call" in table.stdout and "#4" in table.stdout
    csv_out = cli("list", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("seq,id,kind") and len(csv_out) == 5


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (("show", "99"), 1, "no entry #99"),
        (("show", "nonsense!"), 1, "not an entry reference"),
        (("add", "decision", "x", "--owner", "a", "--when", "someday"), 1, "cannot understand the date"),
        (("add", "decision", "   ", "--owner", "a"), 1, "title is required"),
        (("add", "decision", "x"), 1, "needs an owner"),
        (("add", "note", "x", "--caused-by", "42"), 1, "no entry #42"),
        (("add", "memo", "x"), 2, "invalid choice"),
        (("list", "--since", "whenever"), 1, "cannot understand"),
        (("list", "--role", "boss", "--person", "a"), 1, "unknown role"),
        (("frobnicate",), 2, "invalid choice"),
        (("add",), 2, "required"),
    ],
)
def test_errors_are_one_line_and_change_nothing(cli, cli_process, db, args, code, fragment):
    add(cli, "note", "existing")
    before = db.read_bytes()
    proc = cli_process(*args)
    assert proc.returncode == code
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert db.read_bytes() == before


def test_damaged_file_one_line_error(cli_process, db):
    db.parent.mkdir(parents=True)
    db.write_text("garbage\n")
    for args in (("list",), ("add", "note", "x")):
        proc = cli_process(*args)
        assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert db.read_text() == "garbage\n"


def test_verify_names_first_bad_record(cli, db):
    for i in range(3):
        add(cli, "note", f"n{i}")
    assert cli("verify").returncode == 0
    db.write_bytes(db.read_bytes().replace(b'"title":"n1"', b'"title":"N1"'))
    proc = cli("verify")
    assert proc.returncode == 1 and "#2" in proc.stderr


def test_version_and_help(cli_process):
    assert cli_process("--version").stdout.startswith("pmjournal ")
    help_text = cli_process("add", "--help").stdout
    assert "--requested-by" in help_text and "examples:" in help_text


def test_reader_leaving_early_is_not_an_error(cli, tmp_path):
    """`pmjournal export | head`: no traceback, no complaint about a closed file."""
    import os
    import subprocess
    import sys

    from pmjournal.core.demo import write_demo
    from pmjournal.core.store import Journal

    db = tmp_path / "demo.json"
    write_demo(Journal(db))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pmjournal.cli import main; main()",
            "--db",
            str(db),
            "export",
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""


@pytest.mark.parametrize("content", [b"garbage\n", b'{"format":"pmjournal","schema":99}\n'])
def test_app_refuses_a_foreign_or_newer_file_before_taking_the_screen(cli, db, content):
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    proc = cli()  # no command: the terminal app
    assert proc.returncode == 1
    assert proc.stdout == "" and len(proc.stderr.splitlines()) == 1
    assert db.read_bytes() == content


def test_who_person_option_is_not_lost(cli):
    """`who --person X` filters to X; the positional PERSON (absent) must not reset it."""
    add(cli, "decision", "A", "--owner", "Alice")
    add(cli, "decision", "B", "--owner", "Bob")
    out = cli("who", "--person", "Alice").stdout
    assert "Alice" in out and "Bob" not in out


def test_list_reads_in_local_time_in_the_order_it_is_sorted_and_show_says_both(cli):
    """A colleague's 10:00 -05:00 is 23:00 here, after a 15:00 +08:00 entry: `list` sorted them
    so but printed 10:00 below 15:00, which read as the wrong order."""
    add(cli, "note", "Ours", "--when", "2026-11-20 15:00")
    add(cli, "note", "From New York", "--when", "2026-11-20 10:00 -05:00")
    proc = cli("list", env={"COLUMNS": "120"})
    lines = [line for line in proc.stdout.splitlines() if "Ours" in line or "From New York" in line]
    assert "Ours" in lines[0] and "2026-11-20 15:00" in lines[0]  # oldest first
    assert "From New York" in lines[1] and "2026-11-20 23:00" in lines[1]
    shown = cli("show", "2").stdout
    assert "Fri 20 Nov 2026 10:00 -05:00 · 23:00 +08:00 here" in shown


def test_a_person_two_known_names_begin_is_refused_naming_them(cli):
    """`list --person Tom` with Tom Becker and Tom "TJ" Becker: it listed nothing, and `who Tom`
    said Tom "is not named in the entries selected"."""
    add(cli, "decision", "One", "--owner", "Tom Becker")
    add(cli, "decision", "Two", "--owner", 'Tom "TJ" Becker')
    for args in (("list", "--person", "Tom"), ("who", "Tom"), ("export", "--person", "Tom")):
        proc = cli(*args)
        assert proc.returncode == 1 and "could be" in proc.stderr and "Tom Becker" in proc.stderr, args
        assert len(proc.stderr.strip().splitlines()) == 1
    assert len(listed(cli, "--person", "Tom B")) == 1


def test_options_and_evidence_show_an_item_a_line(cli):
    """`opt A, opt B` and `opt C` were shown as "opt A, opt B, opt C": three options or two?"""
    add(cli, "decision", "Pick", "--owner", "Ann", "--option", "opt A, opt B", "--option", "[b]opt C", "--evidence", "mail, 3 Dec")
    lines = cli("show", "1").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Options considered"))
    assert lines[at].split(None, 2)[2].strip() == "opt A, opt B" and lines[at + 1].strip() == "[b]opt C"
    assert any(line.startswith("Evidence") and line.split(None, 1)[1].strip() == "mail, 3 Dec" for line in lines)


def test_person_written_with_the_filters_at_sign(cli):
    """`list --person @Tom` (as the app's filter writes it) said "no entries match"."""
    add(cli, "decision", "One", "--owner", "Tom Becker")
    assert [e["title"] for e in listed(cli, "--person", "@Tom")] == ["One"]
    assert "Tom Becker" in cli("who", "--person", "@tom b").stdout


@pytest.mark.parametrize(
    "argv",
    [
        ("--db", "{a}", "add", "note", "which one", "--db", "{b}"),
        ("--lang", "zh_CN", "--db", "{a}", "add", "note", "which one", "--lang", "en"),
    ],
)
def test_a_root_option_given_before_and_after_the_command_with_two_values_is_refused(cli, tmp_path, argv):
    """`pmjournal --db a.json add note x --db b.json` recorded the note in a new b.json, rc 0:
    the command's own --db won without a word, though `--db a --db b` is refused."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    proc = cli(*(arg.format(a=a, b=b) for arg in argv))
    assert proc.returncode == 2 and "was given twice" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not a.exists() and not b.exists()
    # The same value twice, or once on either side, is taken; so is one file spelled two ways.
    ok(cli("--db", str(a), "add", "note", "one", "--db", str(a)))
    ok(cli(f"--db={tmp_path}/./a.json", "list", "--db", str(a)))
    ok(cli("add", "note", "two", "--db", str(a), "--lang", "en"))
    assert len(json.loads(ok(cli("--db", str(a), "list", "--format", "json")))) == 2


def test_a_colleagues_reference_in_a_journal_kept_alone_says_it_is_alone(cli):
    """`show dana#1` in a journal in no team said "no author 'dana' in this team journal"."""
    add(cli, "note", "One")
    proc = cli("show", "dana#1")
    assert proc.returncode == 1 and "kept alone" in proc.stderr and "write #1" in proc.stderr
    assert "team journal" not in proc.stderr


@pytest.mark.parametrize("index", ("on", "off"))
def test_list_that_matches_nothing_says_what_no_entry_has(cli, monkeypatch, index):
    """`list --project checkout` (the project is checkout-v2) said only "no entries match"."""
    if index == "off":
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
    add(cli, "decision", "Cut offline mode", "--owner", "Dana Whitfield", "--project", "Checkout-v2", "--tag", "scope")
    out = cli("list", "--project", "checkout", "--person", "dnaa", "--tag", "scpoe").stdout.strip()
    assert out == "no entries match: no project checkout (checkout-v2?); no tag #scpoe (scope?); no one named dnaa (Dana Whitfield?)"
    # A filter whose every name is known says only that nothing matched.
    assert cli("list", "--project", "CHECKOUT-V2", "--kind", "risk").stdout.strip() == "no entries match"
    assert cli("list", "--project", "zzz").stdout.strip() == "no entries match: no project zzz"
    add(cli, "decision", "定价", "--owner", "张伟")
    assert "(张伟?)" in cli("list", "--person", "张卫").stdout  # a two-character name one character off


@pytest.mark.parametrize(
    "args, option",
    [
        (("add", "decision", "x", "--owner", "Ann", "--owner", "Bob"), "--owner"),
        (("add", "risk", "r", "--raised-by", "Ann", "--raised-by", "Bob"), "--raised-by"),
        (("add", "note", "n", "--when", "today", "--when", "yesterday"), "--when"),
    ],
)
def test_an_option_of_one_value_given_twice_is_refused(cli, db, args, option):
    """`--owner A --owner B` recorded B and dropped A without a word (argparse keeps the
    last), though `--owner "A, B"` is refused as two owners (a helper's CLI trial)."""
    proc = cli(*args)
    assert proc.returncode == 2
    assert f"{option} was given twice" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not db.exists() or "#1" not in cli("list").stdout
    assert cli("add", "decision", "x", "--owner", "Ann", "--owner", "Ann").returncode == 0  # the same value twice says one thing


def test_a_when_in_the_future_is_refused(cli):
    """`add note x --when tomorrow` was taken (and `--when "in 2 hours"`): the entry sorted after
    today's, dated later than records written after it, though --help says "when it happened"
    (a helper's CLI trial). A few minutes ahead is another machine's clock, and taken."""
    for when in ("tomorrow", "in 2 hours", "2099-01-01"):
        proc = cli("add", "note", "x", "--when", when)
        assert proc.returncode == 1 and "is in the future; an entry records what happened" in proc.stderr
    ok(cli("add", "note", "x", "--when", "in 3 minutes"))
    proc = cli("amend", "1", "--when", "tomorrow", "--reason", "r")
    assert proc.returncode == 1 and "is in the future" in proc.stderr
    assert len(cli("list").stdout.splitlines()) == 3  # the header, its rule and the one entry


def test_show_who_and_trace_to_a_pipe_end_their_lines_with_text(cli):
    """`show` to a pipe padded every line with spaces to the table's width (a helper's CLI trial):
    `grep 'Owner  *Dana$'` and diffs tripped on them."""
    ok(cli("add", "decision", "Cut offline mode", "--owner", "Dana", "--approved-by", "VP Eng"))
    ok(cli("add", "incident", "Outage", "--caused-by", "1"))
    for args in (("show", "1"), ("who",), ("who", "Dana"), ("trace", "2")):
        out = ok(cli(*args))
        assert out and not [line for line in out.splitlines() if line != line.rstrip()], args


def test_a_value_that_starts_with_a_dash_is_told_how_to_write_it(cli):
    """`amend 1 --reason "-r"` said only "expected one argument" (argparse reads "-r" as an
    option); `--reason=-r` works (a helper's CLI trial)."""
    ok(cli("add", "note", "n"))
    proc = cli("amend", "1", "--title", "m", "--reason", "-r")
    assert proc.returncode == 2 and "as in --reason=-r" in proc.stderr and len(proc.stderr.splitlines()) == 1
    ok(cli("amend", "1", "--title", "m", "--reason=-r"))
