"""The index (core/index) gives every reading command the same output as loading the journal,
and never a wrong answer: records appended by another process, a journal replaced, truncated
or restored from a backup, an index deleted, damaged, from a newer pmjournal or cut short by
a crash are each noticed on open and repaired. Every case compares each command's output
with the index against its output with PMJOURNAL_INDEX=off (the journal loaded whole)."""

import os
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from clihelp import ok, run_cli, without_generation_time

from pmjournal.core.index import schema

TODAY = "2026-12-01"
OFF = {"PMJOURNAL_INDEX": "off"}

# Every reading command, with the filters and formats that take different paths in the index.
COMMANDS = [
    ("list",),
    ("list", "--format", "json", "--include-retracted"),
    ("list", "--format", "csv"),
    ("list", "--search", "launch"),
    ("list", "--search", "发布"),
    ("list", "--search", "v2 launch date"),
    ("list", "--kind", "decision", "--kind", "risk"),
    ("list", "--person", "dana whitfield"),
    ("list", "--person", "Dana Whitfield", "--role", "owner"),
    ("list", "--role", "approved"),
    ("list", "--project", "CHECKOUT"),
    ("list", "--tag", "launch"),
    ("list", "--cause", "scope_creep"),
    ("list", "--since", "2026-10-01", "--until", "2026-11-15"),
    ("list", "--author", "pat"),
    ("show", "#2"),
    ("show", "#2", "--format", "json"),
    ("show", "#14"),
    ("show", "#5"),
    ("show", "01"),
    ("show", "#999"),
    ("trace", "#57"),
    ("trace", "#62", "--format", "json"),
    ("who",),
    ("who", "--include-retracted"),
    ("who", "--format", "json"),
    ("who", "Dana Whitfield"),
    ("who", "--project", "checkout"),
    ("due", "--today", TODAY),
    ("due", "--today", TODAY, "--all", "--format", "json"),
    ("remind", "--today", TODAY),
    ("export", "--format", "markdown", "--search", "launch"),
    ("export", "--format", "json", "--kind", "decision"),
]


def journal() -> Path:
    return Path(os.environ["PMJOURNAL_DB"])


def index_path() -> Path:
    return schema.path_of(journal())


def outputs(cli, env=None) -> dict:
    out = {}
    for args in COMMANDS:
        proc = cli(*args, env=env)
        out[args] = (proc.returncode, without_generation_time(proc.stdout), proc.stderr)
    return out


# What each command says with the journal loaded whole, by the journal's path and bytes: the
# same file gives the same answers, and several tests here compare against the untouched
# demo (in one folder per worker, see `demo`), which is then loaded once, not once a test.
_LOADED: dict[tuple[str, bytes], dict] = {}


def assert_same(cli) -> None:
    with_index = outputs(cli)
    assert index_path().exists()
    key = (str(journal()), journal().read_bytes())
    if key not in _LOADED:
        _LOADED[key] = outputs(cli, OFF)
    loaded = _LOADED[key]
    for args in COMMANDS:
        assert with_index[args] == loaded[args], args


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


@pytest.fixture(scope="session")
def demo_journal(tmp_path_factory) -> bytes:
    """The journal `demo` starts from, written once per worker by the same commands."""
    folder = tmp_path_factory.mktemp("index-demo-source")
    env = {"PMJOURNAL_DB": str(folder / "journal.json"), "PMJOURNAL_CONFIG_DIR": str(folder / "config")}

    def cli(*args):
        return run_cli(*args, env=env)

    ok(cli("demo"))
    # Corrections of every kind: what the fold must get right from the index too.
    ok(cli("amend", "#3", "--owner", "Marcus Chen", "--reason", "handed over"))
    ok(cli("amend", "#4", "--title", "Launch moved: v2 launch date now January", "--reason", "typo"))
    ok(cli("retract", "#6", "--reason", "recorded twice"))
    ok(
        cli(
            "add",
            "decision",
            "Supersede the launch call",
            "--owner",
            "Dana Whitfield",
            "--supersedes",
            "#14",
            "--when",
            _days_ago(14),  # the demo's dates are its day's: #14 was decided 24 days before
        )
    )
    ok(cli("add", "note", "发布会推迟到一月", "--when", _days_ago(13), "--relates", "#2"))
    return (folder / "journal.json").read_bytes()


@pytest.fixture
def demo(cli, demo_journal, tmp_path_factory, monkeypatch):
    """The demo journal with corrections of every kind, alone in its folder: the same folder
    for every test of this worker, emptied first (the answers name the journal's path)."""
    folder = tmp_path_factory.getbasetemp() / "index-demo"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "journal.json").write_bytes(demo_journal)
    monkeypatch.setenv("PMJOURNAL_DB", str(folder / "data" / "journal.json"))
    return cli


def add_more(cli) -> None:
    ok(
        cli(
            "add",
            "risk",
            "Launch vendor may slip",
            "--owner",
            "Dana Whitfield",
            "--when",
            "2026-11-22",
            "--review-by",
            "2026-12-05",
        )
    )
    ok(cli("amend", "#2", "--approved-by", "Lee Park", "--reason", "Lee signed off"))
    ok(cli("retract", "#72", "--reason", "wrong entry"))  # the supersession above: #14 is current again
    ok(cli("amend", "#9", "--caused-by", "#2", "--reason", "linked"))


def test_every_reading_command_reads_the_same_with_and_without_the_index(demo):
    assert_same(demo)


def test_records_appended_by_another_process_are_caught_up(demo):
    assert_same(demo)
    add_more(demo)  # each write here is a separate command; the index is behind after it
    assert_same(demo)


def test_a_deleted_index_is_built_again(demo):
    assert_same(demo)
    schema.remove(index_path())
    assert_same(demo)


def test_a_journal_replaced_by_another_one_is_noticed(demo, tmp_path):
    ok(demo("list"))
    other = tmp_path / "other.json"
    ok(demo("add", "note", "A different journal", "--when", "2026-11-02", env={"PMJOURNAL_DB": str(other)}))
    shutil.copy(other, journal())
    assert_same(demo)
    assert "A different journal" in demo("list").stdout


def test_a_journal_cut_short_or_restored_from_a_backup_is_noticed(demo, tmp_path):
    backup = tmp_path / "backup.json"
    shutil.copy(journal(), backup)
    add_more(demo)
    assert_same(demo)
    shutil.copy(backup, journal())  # an older backup restored: the index covers more than the file holds
    assert_same(demo)
    add_more(demo)  # then grown again to a different history of the same length or longer
    assert_same(demo)


def test_a_record_rewritten_at_the_end_of_what_the_index_covers_is_noticed(demo):
    ok(demo("list"))
    data = journal().read_bytes().rstrip(b"\n").split(b"\n")
    data[-1] = data[-1].replace(b'"note"', b'"risk"')  # the last record edited in place: its hash no longer holds
    journal().write_bytes(b"\n".join(data) + b"\n")
    assert_same(demo)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-sqlite", "newer-version"])
def test_a_damaged_or_foreign_index_is_replaced(demo, damage):
    ok(demo("list"))
    path = index_path()
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "other-sqlite":
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes(x)")
        db.commit()
        db.close()
    else:
        db = sqlite3.connect(path)
        db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (schema.VERSION + 1,))
        db.commit()
        db.close()
    assert_same(demo)


def test_an_index_build_cut_short_by_a_crash_is_finished_later(demo, monkeypatch):
    from pmjournal.core.index import build

    calls = {"n": 0}
    commit = build.Builder._commit

    def crash_on_second(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as a kill between two batches would leave it
        return commit(self, *args)

    monkeypatch.setattr(build, "CHUNK", 7)
    monkeypatch.setattr(build.Builder, "_commit", crash_on_second)
    assert demo("list").returncode != 0  # main() turns the interrupt into an exit code
    monkeypatch.setattr(build.Builder, "_commit", commit)
    db = sqlite3.connect(index_path())
    covered = db.execute("SELECT seq FROM sources WHERE src = 0").fetchone()[0]
    db.close()
    assert 0 < covered < 7 * 2
    assert_same(demo)


def test_a_broken_chain_is_reported_the_same_way(demo):
    ok(demo("list"))
    data = journal().read_bytes().split(b"\n")
    data[1] = data[1].replace(b"Checkout", b"Checkin", 1)  # an old record altered: the chain breaks there
    journal().write_bytes(b"\n".join(data))
    schema.remove(index_path())
    assert_same(demo)
    proc = demo("list")
    assert proc.returncode == 1 and "fails verification at #1" in proc.stderr


def test_an_old_record_edited_in_a_file_put_in_the_journals_place_is_noticed(demo, tmp_path):
    """`sed -i` on record #1 (a new file with the same size and the same last line): the index
    showed the record as it was indexed, rc 0, while the loaded journal said it fails
    verification at #1 (a helper's CLI trial). Any file put in the journal's place (an editor,
    a restored backup, a sync client) has its chain walked at the next read."""
    ok(demo("list"))
    original = journal().read_bytes()
    data = original.split(b"\n")
    data[1] = data[1].replace(b"Checkout", b"Checkin!", 1)  # the same size: only the identity tells
    edited = tmp_path / "edited.json"
    edited.write_bytes(b"\n".join(data))
    os.replace(edited, journal())  # as sed -i and most editors save
    proc = demo("list")
    assert proc.returncode == 1 and "fails verification at #1" in proc.stderr
    assert_same(demo)
    # The file put back holds again: taken as it is.
    (tmp_path / "back.json").write_bytes(original)
    os.replace(tmp_path / "back.json", journal())
    ok(demo("list"))
    assert_same(demo)


def test_a_file_put_in_place_while_the_index_is_first_built_is_walked_next(demo, tmp_path, monkeypatch):
    """The identity the first build kept was the path's, read after the build had opened the
    file: a file put in its place meanwhile was taken for the one indexed and never walked
    (a review found it with a sed -i timed into the build)."""
    from pmjournal.core.index.build import Builder

    original = journal().read_bytes()
    data = original.split(b"\n")
    data[1] = data[1].replace(b"Checkout", b"Checkin!", 1)
    edited = tmp_path / "edited.json"
    edited.write_bytes(b"\n".join(data))
    cover = Builder._cover_header

    def replaced_meanwhile(self, source, reader, st):
        if edited.exists():
            os.replace(edited, journal())
        return cover(self, source, reader, st)

    with monkeypatch.context() as patched:
        patched.setattr(Builder, "_cover_header", replaced_meanwhile)
        demo("list")  # the build reads the file it opened; the edited one is in place after it
    proc = demo("list")
    assert proc.returncode == 1 and "fails verification at #1" in proc.stderr


def test_the_index_is_not_used_where_its_folder_cannot_be_written(demo, tmp_path):
    ok(demo("list"))
    schema.remove(index_path())
    folder = journal().parent
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        loaded = outputs(demo, OFF)
        assert outputs(demo) == loaded
        assert not index_path().exists()
    finally:
        folder.chmod(0o755)


def test_an_index_that_cannot_be_opened_or_deleted_loads_the_journal(demo, monkeypatch):
    """A journal on a read-only filesystem (a backup snapshot, a read-only share): SQLite
    cannot open its index, and deleting it failed with EROFS, a traceback from every
    reading command. The commands read the journal itself instead."""
    import errno

    ok(demo("list"))
    index_path().write_bytes(b"not an index we can open" * 100)
    unlink = Path.unlink

    def read_only(self, *args, **kwargs):
        if self.name.startswith(journal().name + ".index"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", read_only)
    loaded = outputs(demo, OFF)
    assert outputs(demo) == loaded
    assert not any("Traceback" in err or "Errno" in err for _code, _out, err in loaded.values())


def test_the_index_is_as_private_as_the_journal(demo):
    """It holds every entry's text: it was made 0644 (the umask's) beside a 0600 journal."""
    journal().chmod(0o600)  # as pmjournal creates it (the fixture copied it in)
    old = os.umask(0o022)
    try:
        ok(demo("list"))
    finally:
        os.umask(old)
    for path in (index_path(), Path(str(index_path()) + "-wal"), Path(str(index_path()) + "-shm")):
        if path.exists():
            assert path.stat().st_mode & 0o777 == 0o600, path
    index_path().chmod(0o644)  # one made by an older pmjournal
    ok(demo("list"))
    assert index_path().stat().st_mode & 0o777 == 0o600
    schema.remove(index_path())
    # an index kept elsewhere through a link to a file not made yet: made 0644 through it
    elsewhere = index_path().parent / "cache" / "index"
    elsewhere.parent.mkdir()
    index_path().symlink_to(elsewhere)
    old = os.umask(0o022)
    try:
        ok(demo("list"))
    finally:
        os.umask(old)
    assert elsewhere.stat().st_mode & 0o777 == 0o600
    schema.remove(elsewhere)
    index_path().unlink()
    journal().chmod(0o444)  # archived read-only: the index must still be writable by its owner
    try:
        ok(demo("list"))
        assert index_path().stat().st_mode & 0o777 == 0o644
    finally:
        journal().chmod(0o600)


def test_an_export_from_a_journal_of_several_merkle_blocks_proves_the_same(cli, tmp_path):
    """Past 1,024 records the index proves a record from stored block roots (merkle.BlockTree)."""
    from pmjournal.core.store import Journal

    journal = Journal(os.environ["PMJOURNAL_DB"], user="Pat PM")
    stamp = {"recorded_at": "2026-11-01T09:00:00.000+00:00", "recorded_by": "Pat PM"}
    bodies = [
        {"kind": "note", "id": f"01N{i:023d}", "title": f"Note number {i}", "occurred_at": "2026-11-01T09:00:00+00:00", **stamp}
        for i in range(2100)
    ]
    journal.append_raw(bodies[:1500])
    journal.append_raw(bodies[1500:])
    for args in (("export", "--format", "json", "--search", "number 2050"), ("export", "--search", "number 7")):
        with_index, loaded = cli(*args), cli(*args, env=OFF)
        assert with_index.returncode == 0
        assert without_generation_time(with_index.stdout) == without_generation_time(loaded.stdout)
    proof = cli("export", "--format", "json", "--search", "number 2050", "-o", str(tmp_path / "out.json"))
    assert proof.returncode == 0
    assert cli("verify", "--evidence", str(tmp_path / "out.json")).returncode == 0


def test_two_processes_building_the_index_at_once_both_answer_right(cli, tmp_path):
    """Two reads that find no index both build it: SQLite lets one write at a time, and the
    one that finds its records already indexed looks at the coverage again (build.Raced)."""
    import subprocess
    import sys

    from pmjournal.core.store import Journal

    journal = Journal(os.environ["PMJOURNAL_DB"], user="Pat PM")
    stamp = {"recorded_at": "2026-11-01T09:00:00.000+00:00", "recorded_by": "Pat PM", "occurred_at": "2026-11-01T09:00:00+00:00"}
    journal.append_raw([{"kind": "note", "id": f"01P{i:023d}", "title": f"Race note {i}", **stamp} for i in range(6000)])
    argv = [sys.executable, "-m", "pmjournal", "list", "--search", "race note 59"]
    env = {**os.environ, "COLUMNS": "120"}
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    expected = subprocess.run(argv, capture_output=True, text=True, env={**env, **OFF}, timeout=120).stdout
    assert expected.count("Race note") > 60
    assert [r[0] for r in results] == [expected, expected], [r[1] for r in results]
    assert all(p.returncode == 0 for p in procs)


def test_a_superseder_retracted_in_the_same_chunk_leaves_the_decision_as_it_was(cli, tmp_path):
    """Built in one chunk, A / B supersedes A / B retracted: the incremental fold marked A's
    record itself superseded before giving the chunk up to the general path, which folded that
    mark back in: the index said superseded, the journal accepted."""
    db = tmp_path / "j.json"
    env = {"PMJOURNAL_DB": str(db)}
    ok(cli("add", "decision", "A", "--owner", "x", env=env))
    ok(cli("add", "decision", "B", "--owner", "x", "--supersedes", "1", env=env))
    ok(cli("retract", "2", "--reason", "withdrawn", env=env))
    schema.remove(schema.path_of(db))  # built afresh: the three records in one chunk
    for args in (("list", "--include-retracted"), ("show", "1", "--format", "json")):
        assert cli(*args, env=env).stdout == cli(*args, env={**env, **OFF}).stdout, args
    assert '"status": "accepted"' in cli("show", "1", "--format", "json", env=env).stdout


@pytest.mark.parametrize("command", [("list",), ("show", "1"), ("due",), ("who",), ("remind",)])
def test_reading_a_journal_that_is_not_there_leaves_no_index(cli, tmp_path, command):
    """`pmjournal --db typo.json list` left typo.json.index behind (a helper's CLI trial)."""
    typo = tmp_path / "typo.json"
    cli("--db", str(typo), *command)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b'{"not":"a journal"}\n', b"[]", b"\x00\xff random", b'{"format":"pmjournal","schema":99}\n'])
def test_reading_a_file_that_is_no_journal_leaves_no_index(cli, tmp_path, content):
    """`--db notes.json list` of a file that is not a journal (or a newer pmjournal's) was
    refused in one line but left a 100 KB notes.json.index behind (a helper's CLI trial)."""
    notes = tmp_path / "notes.json"
    notes.write_bytes(content)
    proc = cli("--db", str(notes), "list")
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json"] and notes.read_bytes() == content


def test_a_name_an_amendment_replaced_no_longer_captures_its_prefix(cli, tmp_path):
    """"Dana" corrected to "Dana Whitfield" by an amendment: the index kept "Dana" among the
    people, so `--person dana` (and the app's @dana) meant that Dana, whom no entry names any
    more, and showed nothing (a helper's tmux trial). A journal loaded whole never knew it."""
    db = str(tmp_path / "j.json")
    ok(cli("--db", db, "add", "decision", "X", "--owner", "Dana"))
    ok(cli("--db", db, "add", "decision", "Y", "--owner", "Dana Whitfield"))
    ok(cli("--db", db, "list", "--person", "dana"))  # the index learns "Dana" here
    ok(cli("--db", db, "amend", "1", "--owner", "Dana Whitfield", "--reason", "her full name"))
    listed = ok(cli("--db", db, "list", "--person", "dana"))
    assert "X" in listed and "Y" in listed
    assert listed == ok(run_cli("--db", db, "list", "--person", "dana", env=OFF))
