"""Nothing is shown, exported or imported that the record does not vouch for.

Each test here failed before the fix it names (issue: trust holes)."""

import json
import os
import stat
import subprocess
import sys

import orjson
import pytest
from clihelp import ok, refused

from pmjournal.core.chain import record_hash
from pmjournal.core.errors import NotFound, StoreError
from pmjournal.core.store import Journal
from pmjournal.core.verify import verify_file


def lines(db) -> list[bytes]:
    return db.read_bytes().split(b"\n")


def edit_record(db, seq, **changes):
    """Change record #seq in place, as someone editing the file would (the chain then breaks there)."""
    all_lines = lines(db)
    record = orjson.loads(all_lines[seq])
    record.update(changes)
    all_lines[seq] = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    db.write_bytes(b"\n".join(all_lines))


@pytest.fixture
def four(journal, db):
    for i in range(1, 5):
        journal.add("decision", {"title": f"call {i}", "owner": "Dana"})
    return db


# -- 3. reads and exports over an edited record -------------------------------


def test_reads_say_the_journal_fails_verification(cli, four):
    edit_record(four, 2, owner="Mallory")
    proc = cli("list")
    assert proc.returncode == 1 and "Mallory" in proc.stdout
    assert "fails verification at #2" in proc.stderr
    proc = cli("show", "2")
    assert proc.returncode == 1 and "fails verification at #2" in proc.stderr
    proc = cli("who")
    assert proc.returncode == 1 and "fails verification at #2" in proc.stderr
    # even a record before the damage: the journal as a whole is not vouched for
    assert cli("show", "1").returncode == 1


@pytest.mark.parametrize("fmt", ["markdown", "json", "csv"])
def test_export_refuses_content_the_chain_does_not_cover(cli, four, tmp_path, fmt):
    edit_record(four, 3, title="rewritten")
    out = tmp_path / f"e.{fmt}"
    refused(cli("export", "--format", fmt, "-o", str(out)), "fails verification at #3")
    assert not out.exists()
    refused(cli("export", "--format", fmt), "nothing was exported")


def test_unverified_export_is_marked_on_every_entry(cli, four, tmp_path):
    edit_record(four, 3, title="rewritten")
    md = ok(cli("export", "--unverified"))
    assert md.count("**NO**: the journal fails verification at #3") == 4  # one per entry
    assert "UNVERIFIED EXPORT" in md.splitlines()[2]
    assert md.rstrip().endswith("fails verification at #3.")
    text = ok(cli("export", "--format", "json", "--unverified"))
    doc = json.loads(text)
    assert doc["unverified"]["seq"] == 3
    # From the index the records are written from what they parse to, not copied, as loaded
    loaded = ok(cli("export", "--format", "json", "--unverified", env={"PMJOURNAL_INDEX": "off"}))
    assert text.replace(doc["generated_at"], "") == loaded.replace(json.loads(loaded)["generated_at"], "")
    rows = ok(cli("export", "--format", "csv", "--unverified")).splitlines()
    assert rows[0].endswith(",verified") and all(r.endswith("NO: the journal fails verification at #3") for r in rows[1:])
    # and such a file is never taken back in as evidence
    out = tmp_path / "u.json"
    ok(cli("export", "--format", "json", "--unverified", "-o", str(out)))
    refused(cli("--db", str(tmp_path / "o.json"), "import", str(out)), "failed verification")
    # and verify --evidence says why it has no evidence, in either language (it said "exported by an
    # older pmjournal, or the appendix was removed", which reads as tampering)
    for lang in ("en", "zh_CN"):
        md = tmp_path / f"u-{lang}.md"
        ok(cli("--lang", lang, "export", "--unverified", "-o", str(md)))
        refused(cli("verify", "--evidence", str(md)), "was exported with --unverified, from a journal that failed verification")


def test_clean_journal_reads_quietly(cli, four):
    proc = cli("list")
    assert proc.returncode == 0 and proc.stderr == ""


# -- 4. import checks what it takes and records who took it ----------------------


def _export(cli, tmp_path, *extra):
    out = tmp_path / "e.json"
    ok(cli("export", "--format", "json", "--include-retracted", "--force", "-o", str(out), *extra))
    return out, json.loads(out.read_text())


@pytest.mark.parametrize(
    "field, value",
    [("owner", "VP Eng"), ("recorded_at", "2019-01-01T00:00:00+00:00"), ("recorded_by", "VP Eng"), ("title", "x")],
)
def test_import_refuses_an_edited_export(cli, four, tmp_path, field, value):
    out, data = _export(cli, tmp_path)
    data["records"][1][field] = value
    out.write_text(json.dumps(data))
    other = tmp_path / "other.json"
    refused(cli("--db", str(other), "import", str(out)), "does not match its hash")
    assert not other.exists()


def test_import_refuses_reordered_or_moved_head(cli, four, tmp_path):
    out, data = _export(cli, tmp_path)
    data["records"][1], data["records"][2] = data["records"][2], data["records"][1]
    data["records"][1]["seq"], data["records"][2]["seq"] = 2, 3
    out.write_text(json.dumps(data))
    refused(cli("--db", str(tmp_path / "o.json"), "import", str(out)), "does not match its hash")
    out, data = _export(cli, tmp_path)
    data["chain_head"]["hash"] = "f" * 64
    out.write_text(json.dumps(data))
    refused(cli("--db", str(tmp_path / "o.json"), "import", str(out)), "chain head does not match")


def test_a_forged_export_cannot_claim_when_or_by_whom_it_was_recorded(cli, four, tmp_path, forge):
    out, data = _export(cli, tmp_path)
    data["records"][0].update(recorded_at="2019-01-01T00:00:00+00:00", recorded_by="VP Eng", owner="Someone Else")
    forge(out, data)  # every hash recomputed: the file holds together
    other = tmp_path / "other.json"
    ok(cli("--db", str(other), "import", str(out), env={"PMJOURNAL_CONFIG_DIR": str(tmp_path / "importer")}))
    (tmp_path / "importer").mkdir(exist_ok=True)
    entry = json.loads(ok(cli("--db", str(other), "show", "1", "--format", "json")))
    assert entry["recorded_at"].startswith("20") and not entry["recorded_at"].startswith("2019")
    assert entry["recorded_by"] != "VP Eng"
    assert entry["imported"]["recorded_by"] == "VP Eng" and entry["imported"]["file"] == str(out)
    shown = ok(cli("--db", str(other), "show", "1", env={"COLUMNS": "400"}))
    assert "Imported" in shown and "VP Eng" in shown and str(out) in shown
    md = ok(cli("--db", str(other), "export"))
    assert "| Imported | from " in md and "VP Eng" in md
    assert ok(cli("--db", str(other), "verify")).startswith("ok")


def test_jrnl_import_is_labelled(cli, tmp_path):
    path = tmp_path / "jrnl.json"
    path.write_text(json.dumps({"tags": {}, "entries": [{"title": "t", "body": "b", "date": "2026-10-01", "time": "09:30"}]}))
    ok(cli("import", str(path)))
    entry = json.loads(ok(cli("show", "1", "--format", "json")))
    assert entry["imported"] == {"file": str(path), "format": "jrnl"}
    assert "a jrnl export" in ok(cli("show", "1", env={"COLUMNS": "400"}))


def test_import_refuses_a_link_to_nothing(cli, journal, tmp_path, forge):
    journal.add("decision", {"title": "d", "owner": "A"})
    out, data = _export(cli, tmp_path)
    data["records"][0]["links"] = [{"rel": "relates", "to": "01NOSUCHENTRYXXXXXXXXXXXXX"}]
    forge(out, data)
    refused(cli("--db", str(tmp_path / "o.json"), "import", str(out)), "neither in the journal nor in the file")


# -- 5. an import killed half-way leaves all of it or none ---------------------------


def _batch_journal(journal, db, tmp_path, cli, n=30):
    journal.add("note", {"title": "before"})
    src = Journal(tmp_path / "src.json", user="src")
    for i in range(n):
        src.add("note", {"title": f"imported {i}"})
    out = tmp_path / "batch.json"
    ok(cli("--db", str(src.path), "export", "--format", "json", "-o", str(out)))
    before = db.read_bytes()
    ok(cli("import", str(out)))
    return before, db.read_bytes()


def test_an_interrupted_import_is_left_out_whole(cli, journal, db, tmp_path):
    before, after = _batch_journal(journal, db, tmp_path, cli)
    batch = after[len(before) :].split(b"\n")
    # A crash can stop the write at any byte: at every line boundary inside the batch and mid-line.
    cuts = [len(before) + sum(len(x) + 1 for x in batch[:k]) for k in range(1, 30)]
    cuts += [len(before) + 500, len(after) - 3]
    for cut in cuts:
        db.write_bytes(after[:cut])
        assert [e["title"] for e in json.loads(ok(cli("list", "--format", "json")))] == ["before"], cut
        report = verify_file(db)
        assert report.ok and report.count == 1, (cut, report)
        proc = cli("list")
        if cut < len(after) and after[cut - 1 : cut] == b"\n":
            assert "interrupted write of 30 records" in proc.stderr
    db.write_bytes(after[: cuts[10]])
    proc = cli("add", "note", "after")
    assert proc.returncode == 0 and "moved out of the journal" in proc.stderr
    assert [e["title"] for e in json.loads(ok(cli("list", "--format", "json")))] == ["before", "after"]
    assert ok(cli("verify")).startswith("ok: 2 records")
    aside = [p for p in db.parent.iterdir() if ".unfinished-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == after[len(before) : cuts[10]]


def test_an_interrupted_imports_records_cannot_be_corrected_or_linked(cli, journal, db, tmp_path):
    """Found by #seq (a bisect) or an id prefix (a byte search), a record of a cut batch was
    amended: the write set the batch aside, and kept "#2 amends #3", a correction of nothing
    (a robustness hunt)."""
    before, after = _batch_journal(journal, db, tmp_path, cli, n=5)
    db.write_bytes(after[: after.rstrip(b"\n").rindex(b"\n") + 1])  # all but the batch's last record
    third = json.loads(after[len(before) :].split(b"\n")[1])  # #3
    for args, said in (
        (("amend", "3", "--title", "x", "--reason", "r"), "no entry #3 in this journal"),
        (("retract", third["id"][:12], "--reason", "r"), f"no entry with an id starting '{third['id'][:12]}'"),
        (("add", "decision", "New", "--owner", "A", "--supersedes", "3"), "no entry #3 in this journal"),
    ):
        proc = cli(*args)  # (with a note on the interrupted write above the refusal)
        assert proc.returncode == 1 and proc.stderr.strip().splitlines()[-1] == f"pmjournal: {said}", proc.stderr
    assert ok(cli("verify")).startswith("ok: 1 record")


def test_a_last_record_that_lost_its_newline_can_be_corrected(cli, journal, db):
    """It is shown (the Reader keeps it), but the byte search for its id skipped the bytes
    after the last newline: "no entry with an id starting ..." (a robustness hunt)."""
    for i in range(3):
        journal.add("decision", {"title": f"call {i}", "owner": "Ann"})
    db.write_bytes(db.read_bytes().rstrip(b"\n"))
    assert ok(cli("amend", "3", "--title", "call two", "--reason", "typo")).startswith("#4 amends #3")
    assert ok(cli("verify")).startswith("ok: 4 records")


def test_a_whole_import_survives(cli, journal, db, tmp_path):
    _batch_journal(journal, db, tmp_path, cli)
    assert len(json.loads(ok(cli("list", "--format", "json")))) == 31
    assert ok(cli("verify")).startswith("ok: 31 records")


def test_kill_during_import_leaves_all_or_nothing(cli, journal, db, tmp_path):
    """A real kill -9 at varying moments of a large import: never part of it."""
    import signal
    import time

    src = Journal(tmp_path / "src.json", user="src")
    src.append_raw([{"kind": "note", "title": f"n{i} " + "x" * 400, "occurred_at": "2026-11-01T10:00:00+00:00",
                     "id": f"01K{i:023d}", "recorded_at": "2026-11-01T10:00:00+00:00", "recorded_by": "src"} for i in range(3000)])
    out = tmp_path / "big.json"
    ok(cli("--db", str(src.path), "export", "--format", "json", "-o", str(out)))
    seen = set()
    for delay in (0.05, 0.15, 0.25, 0.35, 0.45, 0.6, 0.8):
        if db.exists():
            db.unlink()
        proc = subprocess.Popen([sys.executable, "-m", "pmjournal", "import", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        count = len(Journal(db).records()) if db.exists() else 0
        assert count in (0, 3000), (delay, count)
        assert verify_file(db).ok
        seen.add(count)
    assert seen  # which of the two happened depends on the machine's speed


# -- 6. the header is in the chain -------------------------------------------------


def test_edited_header_breaks_the_chain(cli, four):
    all_lines = lines(four)
    header = orjson.loads(all_lines[0])
    header["created_at"] = "2019-01-01T00:00:00Z"
    all_lines[0] = orjson.dumps(header, option=orjson.OPT_SORT_KEYS)
    four.write_bytes(b"\n".join(all_lines))
    proc = cli("verify")
    assert proc.returncode == 1 and "broken at #1" in proc.stderr and "header" in proc.stderr


def test_extra_header_keys_are_refused(cli, four):
    all_lines = lines(four)
    header = orjson.loads(all_lines[0])
    header["note"] = "trust me"
    all_lines[0] = orjson.dumps(header, option=orjson.OPT_SORT_KEYS)
    four.write_bytes(b"\n".join(all_lines))
    refused(cli("verify"), "unknown key 'note'")
    refused(cli("list"), "unknown key 'note'")


def test_schema_1_journals_still_read_and_append(cli, db):
    """A journal written before the header was chained: #1 starts from 64 zeros."""
    from pmjournal.core.chain import GENESIS, canonical, seal

    db.parent.mkdir(parents=True)
    header = canonical({"created_at": "2026-11-25T08:30:00Z", "format": "pmjournal", "schema": 1})
    record = seal({"id": "01M8000000000000000000000A", "kind": "note", "occurred_at": "2026-11-25T08:30:00+00:00",
                   "recorded_at": "2026-11-25T08:30:00.000+00:00", "recorded_by": "old", "seq": 1, "title": "old"}, GENESIS)
    db.write_bytes(header + b"\n" + canonical(record) + b"\n")
    ok(cli("add", "note", "new"))
    assert "schema 1" in ok(cli("verify"))
    assert [e["title"] for e in json.loads(ok(cli("list", "--format", "json")))] == ["old", "new"]


# -- 7. a complete last record that only lost its newline ----------------------------


def test_a_record_missing_only_its_newline_is_kept(cli, four):
    data = four.read_bytes()
    assert data.endswith(b"\n")
    four.write_bytes(data[:-1])
    report = verify_file(four)
    assert report.ok and report.count == 4 and not report.torn_tail
    assert len(json.loads(ok(cli("list", "--format", "json")))) == 4
    assert ok(cli("add", "note", "five")).startswith("#5 ")
    assert [e["seq"] for e in json.loads(ok(cli("list", "--format", "json")))] == [1, 2, 3, 4, 5]
    assert ok(cli("verify")).startswith("ok: 5 records")
    assert not [p for p in four.parent.iterdir() if ".torn-" in p.name]


def test_a_reader_catches_up_past_a_loose_end(four):
    reader = Journal(four)
    four.write_bytes(four.read_bytes()[:-1])
    assert len(reader.records()) == 4
    Journal(four).add("note", {"title": "five"})
    assert [r["seq"] for r in reader.refresh()] == [5]


def test_a_torn_last_line_is_still_set_aside(cli, four):
    data = four.read_bytes()
    four.write_bytes(data + b'{"seq":5,"title":"half')
    assert "unfinished last write" in ok(cli("verify"))
    ok(cli("add", "note", "five"))
    assert [p.read_bytes() for p in four.parent.iterdir() if ".torn-" in p.name] == [b'{"seq":5,"title":"half']


@pytest.mark.parametrize("blank", [b"\n", b"\n\n  \n", b"\r\n"])
def test_blank_lines_after_the_last_record_are_no_damage(cli, four, blank):
    """One newline appended (an editor, `echo >> journal.json`) made the journal unwritable for
    good: verify said "broken at #5", every read refused it and `add` said "the last record is
    damaged; nothing was saved" (a helper's CLI trial). Blank lines at the end are no record:
    reads skip them and the next write sets them aside, as a torn last write."""
    data = four.read_bytes()
    four.write_bytes(data + blank)
    assert "unfinished last write" in ok(cli("verify"))
    assert "call 4" in ok(cli("list"))
    ok(cli("add", "note", "five"))
    assert [p.read_bytes() for p in four.parent.iterdir() if ".torn-" in p.name] == [blank]
    assert four.read_bytes().startswith(data) and ok(cli("verify")).startswith("ok: 5 records")


def test_a_blank_line_before_a_record_is_damage(cli, four):
    lines_ = four.read_bytes().split(b"\n")
    four.write_bytes(b"\n".join([*lines_[:3], b"", *lines_[3:]]))
    proc = cli("verify")
    assert proc.returncode == 1 and "broken at #3" in proc.stderr


# -- 8. a file replaced underneath a long-running reader -----------------------------


def test_a_replaced_file_is_reloaded(tmp_path, four):
    tui = Journal(four, user="tui")
    assert len(tui.views) == 4
    other = Journal(tmp_path / "other.json", user="o")
    other.add("note", {"title": "restored from backup"})
    os.replace(other.path, four)
    gen = tui.generation
    tui.refresh()
    assert tui.generation == gen + 1
    assert [v["title"] for v in tui.views.values()] == ["restored from backup"]


def test_an_in_place_restore_is_noticed(tmp_path, four):
    """`cp backup journal.json` keeps the inode; the size can even grow."""
    tui = Journal(four, user="tui")
    assert len(tui.records()) == 4
    other = Journal(tmp_path / "other.json", user="o")
    for i in range(8):
        other.add("note", {"title": f"backup {i} " + "y" * 50})
    four.write_bytes(other.path.read_bytes())  # same inode, larger file
    tui.refresh()
    assert [r["title"] for r in tui.records()] == [f"backup {i} " + "y" * 50 for i in range(8)]


def test_no_amendment_for_an_entry_that_is_gone(tmp_path, four):
    tui = Journal(four, user="tui")
    target = tui.get("4")
    other = Journal(tmp_path / "other.json", user="o")
    other.add("note", {"title": "only one"})
    os.replace(other.path, four)
    before = four.read_bytes()
    with pytest.raises(NotFound, match="no longer in the journal"):
        tui.amend(target["id"], {"title": "x"}, "r")
    with pytest.raises(NotFound):
        tui.retract(target["id"], "r")
    assert four.read_bytes() == before
    assert verify_file(four).ok


def test_appending_after_a_replacement_keeps_the_reader_true(tmp_path, four):
    tui = Journal(four, user="tui")
    assert len(tui.views) == 4
    other = Journal(tmp_path / "other.json", user="o")
    for i in range(4):
        other.add("note", {"title": f"other {i}"})  # the same size, near enough
    os.replace(other.path, four)
    tui.add("note", {"title": "mine"})
    assert [v["title"] for v in tui.views.values()] == ["other 0", "other 1", "other 2", "other 3", "mine"]
    assert verify_file(four).ok


# -- 11. odd files -----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/dev/null", "/dev/zero"])
@pytest.mark.parametrize("command", [("add", "note", "x"), ("list",), ("verify",), ("show", "1")])
def test_devices_are_not_journals(cli, target, command):
    proc = cli("--db", target, *command)
    refused(proc, "not a journal file")


def test_a_fifo_is_not_a_journal(cli, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for command in (("list",), ("verify",), ("add", "note", "x")):
        refused(cli("--db", str(fifo), *command), "is a FIFO")
    refused(cli("import", str(fifo)), "is a FIFO")


def test_import_of_a_device_is_refused(cli):
    refused(cli("import", "/dev/zero"), "is a device or special file, not an export; nothing was imported")


def test_a_huge_first_line_is_not_read_whole(cli, tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * (8 << 20))
    refused(cli("--db", str(big), "list"), "not a pmjournal journal")
    refused(cli("--db", str(big), "add", "note", "x"), "not a pmjournal journal")
    assert big.stat().st_size == 8 << 20


# -- 13. a full disk while setting a torn tail aside ------------------------------------------


def test_full_disk_while_setting_aside(four, monkeypatch):
    from pmjournal.core import storage

    four.write_bytes(four.read_bytes() + b'{"torn')
    before = four.read_bytes()
    real = storage._write_all

    def full(fd, data):
        if os.fstat(fd).st_size == 0 and data.startswith(b'{"torn'):
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(storage, "_write_all", full)
    for _ in range(3):
        with pytest.raises(StoreError, match="the disk is full.*not changed"):
            Journal(four).add("note", {"title": "x"})
    assert four.read_bytes() == before
    assert not [p for p in four.parent.iterdir() if ".torn-" in p.name]


# -- 14. a refused command creates nothing -------------------------------------------------


def test_a_refused_command_leaves_no_lock_file(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n")
    refused(cli("--db", str(notes), "add", "note", "x"), "not a pmjournal journal")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_proc_files_are_refused_at_once(cli):
    import time

    start = time.monotonic()
    refused(cli("--db", "/proc/self/status", "add", "note", "x"), "not a pmjournal journal")
    assert time.monotonic() - start < 4  # not the 5 s lock wait


@pytest.mark.skipif(os.geteuid() == 0, reason="root can create the lock file anywhere")
def test_an_uncreatable_lock_file_is_named(cli, four):
    folder = four.parent
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        refused(cli("add", "note", "x"), "cannot create the lock file")
    finally:
        folder.chmod(0o700)


# -- 15. odd values --------------------------------------------------------------------------


@pytest.mark.parametrize("schema, fragment", [('"1"', "is not a format version"), ("-5", "is not a format version"),
                                              ("true", "is not a format version"), ("9", "newer pmjournal")])
def test_header_schema_values(cli, db, schema, fragment):
    db.parent.mkdir(parents=True)
    db.write_bytes(b'{"created_at":"2026-11-25T08:30:00Z","format":"pmjournal","schema":' + schema.encode() + b"}\n")
    before = db.read_bytes()
    refused(cli("list"), fragment)
    refused(cli("add", "note", "x"), fragment)
    # verify said "broken at #0: ... written by a newer pmjournal": the file is not broken
    assert "broken" not in refused(cli("verify"), fragment)
    assert db.read_bytes() == before


def test_leading_zero_digits_are_an_id_prefix(cli, journal):
    first = journal.add("note", {"title": "one"})
    journal.add("note", {"title": "two"})
    proc = cli("show", "01")
    assert proc.returncode == 1 and "ambiguous" in proc.stderr or "no entry with an id starting" in proc.stderr
    assert json.loads(ok(cli("show", first["id"][:20], "--format", "json")))["title"] == "one"
    assert json.loads(ok(cli("show", "#01", "--format", "json")))["title"] == "one"
    assert json.loads(ok(cli("show", "2", "--format", "json")))["title"] == "two"


def test_one_link_however_often_given(cli, journal):
    journal.add("decision", {"title": "old", "owner": "A"})
    ok(cli("add", "decision", "new", "--owner", "A", "--supersedes", "1", "--supersedes", "#1", "--supersedes", "1"))
    assert json.loads(ok(cli("show", "2", "--format", "json")))["links"] == [
        {"rel": "supersedes", "to": journal.resolve("1")["id"]}
    ]
    ok(cli("add", "note", "n", "--relates", "1", "--relates", "1"))
    assert len(json.loads(ok(cli("show", "3", "--format", "json")))["links"]) == 1


def test_superseded_is_not_typed_by_hand(cli, journal, db):
    journal.add("decision", {"title": "d", "owner": "A"})
    before = db.read_bytes()
    refused(cli("add", "decision", "x", "--owner", "A", "--status", "superseded"), "supersedes link")
    refused(cli("amend", "1", "--status", "superseded", "--reason", "r"), "supersedes link")
    assert db.read_bytes() == before


def test_a_date_out_of_range_says_so(cli):
    refused(cli("add", "note", "x", "--when", "0001-01-01 00:00"), "out of range")
    refused(cli("add", "note", "x", "--when", "9999-12-31 23:00 -05:00"), "out of range")


def test_record_hash_of_a_line_matches_the_stored_hash(four):
    """line_hash (the byte-level check every load makes) agrees with the record's own hash."""
    from pmjournal.core.chain import line_hash

    for line in lines(four)[1:-1]:
        record = orjson.loads(line)
        assert line_hash(line, record["prev_hash"]) == record["hash"] == record_hash(record)


def test_a_lock_file_that_cannot_be_made_is_named_at_once(four, monkeypatch):
    """Not a 5 s wait blamed on "another pmjournal process" (root cannot be denied a folder, so simulate it)."""
    import time

    real_open = os.open

    def no_locks(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    lock = four.with_name(four.name + ".lock")
    lock.unlink(missing_ok=True)
    monkeypatch.setattr(os, "open", no_locks)
    before = four.read_bytes()
    start = time.monotonic()
    with pytest.raises(StoreError, match="cannot create the lock file .*Permission denied"):
        Journal(four).add("note", {"title": "x"})
    assert time.monotonic() - start < 2
    assert four.read_bytes() == before
    # One that is there but cannot be opened (a read-only mount) was said not to be creatable.
    lock.write_bytes(b"")
    with pytest.raises(StoreError, match="cannot open the lock file .*Permission denied"):
        Journal(four).add("note", {"title": "x"})
    assert four.read_bytes() == before


# -- corrections of an edited record, and writes that name an entry in a file they cannot read ----


@pytest.mark.parametrize(
    "correction",
    [("amend", "2", "--owner", "Sam", "--reason", "handover"), ("retract", "2", "--reason", "dup"), ("done", "2")],
)
def test_a_correction_of_an_edited_record_is_refused(cli, four, correction):
    """An owner edited in the file, then `amend 2 --owner Sam`: rc 0, no warning, and the
    history read "Owner: Mallory → Sam", the forged value recorded as the old one (a helper's
    CLI trial). A write from the CLI reads only the entry's own lines; they must still hash
    to what they carry."""
    edit_record(four, 2, owner="Mallory", review_by="2026-01-05T00:00:00+00:00")
    before = four.read_bytes()
    refused(cli(*correction), "#2 fails verification: record #2 no longer matches its hash")
    assert four.read_bytes() == before
    ok(cli("retract", "3", "--reason", "another entry, untouched"))  # as `add` appends past damage


def test_a_loaded_journal_refuses_to_correct_an_edited_record_too(four):
    """The app and scripts hold the journal loaded: the same check on the loaded records."""
    edit_record(four, 2, owner="Mallory")
    journal = Journal(four, user="Pat PM")
    journal.records()
    with pytest.raises(Exception, match="#2 fails verification"):
        journal.amend("2", {"owner": "Sam"}, "handover")
    assert len(Journal(four).records()) == 4


def test_a_write_naming_an_entry_says_what_a_read_says_of_a_damaged_file(cli, four):
    """`amend 1` on a file damaged at line 4 said "no entry #1 in this journal", where `list`
    says the file is damaged (the bisection for #1 met the damaged line)."""
    all_lines = lines(four)
    all_lines[3] = all_lines[3].replace(b'"title":"', b'"title":{', 1)
    four.write_bytes(b"\n".join(all_lines))
    before = four.read_bytes()
    said = refused(cli("list"), "is damaged at line 4")
    for args in (("amend", "1", "--title", "T", "--reason", "r"), ("add", "note", "N", "--relates", "2")):
        assert refused(cli(*args), "is damaged at line 4") == said
    refused(cli("amend", "9", "--title", "T", "--reason", "r"), "no entry #9 in this journal")  # past the last: not there
    assert four.read_bytes() == before


@pytest.mark.parametrize(
    "content, said",
    [
        ('{"_default": {"1": {"a": 1}}}\n', "is not a pmjournal journal"),
        ('{"format":"pmjournal","schema":99,"created_at":"2026-01-01T00:00:00+00:00"}\n', "was written by a newer pmjournal"),
    ],
)
def test_a_write_naming_an_entry_in_a_file_that_is_not_a_journal_says_so(cli, db, content, said):
    """`retract 1`, `done 1`, `reopen 1`, `amend 1` and `add --relates 1` on a plain TinyDB file
    or a newer pmjournal's said "no entry #1 in this journal"; `show 1` said what it is."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_text(content, encoding="utf-8")
    for args in (
        ("retract", "1", "--reason", "r"),
        ("done", "1"),
        ("reopen", "1"),
        ("amend", "1", "--title", "x", "--reason", "r"),
        ("amend", "01M", "--title", "x", "--reason", "r"),
        ("add", "note", "x", "--relates", "1"),
    ):
        refused(cli(*args), said)
    assert db.read_text(encoding="utf-8") == content


def test_import_names_what_it_was_given_in_one_plain_line(cli, four, tmp_path):
    """`import journal.json` said "not valid JSON (unexpected content after the document at
    byte 70)", a cut export "not valid JSON (not valid JSON (Unterminated string starting at) at
    byte 8084)", and a folder "...; nothing was read or written; nothing was imported" (a
    helper's CLI trial)."""
    other = tmp_path / "other.json"
    refused(cli("--db", str(other), "import", str(four)), "is a pmjournal journal, not an export; export it first")
    export = tmp_path / "e.json"
    ok(cli("export", "--format", "json", "-o", str(export)))
    cut = tmp_path / "cut.json"
    data = export.read_bytes()
    cut.write_bytes(data[: data.index(b'"title"') + 12])
    said = refused(cli("--db", str(other), "import", str(cut)), "is not valid JSON (unterminated string at byte ")
    assert said.count("JSON") == 1
    folder = tmp_path / "folder"
    folder.mkdir()
    said = refused(cli("--db", str(other), "import", str(folder)), "folder is a folder, not an export; nothing was imported")
    assert "read or written" not in said
    assert not other.exists()


@pytest.mark.parametrize("where", ["entries", "filter", "generated_at", "entries, re-indented"])
def test_import_refuses_an_export_edited_where_it_takes_nothing(cli, four, tmp_path, where):
    """The entries are what the records fold to and an import takes only the records: a title
    corrected by hand in `entries` was dropped without a word. The evidence states the
    document's hash, so such an edit is named and nothing is imported."""
    out = tmp_path / "e.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    edited = {
        "entries": text.replace('"title":"call 2"', '"title":"call 2 (fixed)"', 1),
        "filter": text.replace('"filter": "all entries"', '"filter": "all of them"', 1),
        "generated_at": text.replace('"generated_at": "20', '"generated_at": "19', 1),
        # a JSON tool's layout changes the document's hash by itself: the entries are held
        "entries, re-indented": json.dumps(
            {**json.loads(text), "entries": [{**e, "title": e["title"] + "!"} for e in json.loads(text)["entries"]]},
            indent=4,
        ),
    }[where]
    assert edited != text
    out.write_text(edited, encoding="utf-8")
    other = tmp_path / "other.json"
    refused(cli("--db", str(other), "import", str(out)), "was edited after it was exported")
    assert not other.exists()
    out.write_text(text, encoding="utf-8")  # as exported, it imports
    assert "imported 4 records" in ok(cli("--db", str(other), "import", str(out)))
