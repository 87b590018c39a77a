import errno
import os
import stat

import orjson
import pytest

from pmjournal.core.errors import JournalDamaged, JournalLocked, NotFound, StoreError, ValidationError
from pmjournal.core.store import Journal
from pmjournal.core.verify import verify_file


def add(journal, title="t", kind="decision", **values):
    values.setdefault("owner", "Alice")
    return journal.add(kind, {"title": title, **values})


def test_records_get_consecutive_seq_and_a_chain(journal, db):
    a, b = add(journal), add(journal)
    assert (a["seq"], b["seq"]) == (1, 2)
    assert b["prev_hash"] == a["hash"]
    assert a["recorded_by"] == "Pat PM" and a["recorded_at"].endswith("+00:00")
    assert verify_file(db).ok


def test_reopen_reads_everything(journal, db):
    for i in range(5):
        add(journal, f"t{i}")
    again = Journal(db)
    assert [v["title"] for v in again.entries()] == [f"t{i}" for i in range(5)]


def test_file_is_private(journal, db):
    add(journal)
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700


def test_header_records_schema(journal, db):
    add(journal)
    header = orjson.loads(db.read_bytes().split(b"\n")[0])
    assert header["format"] == "pmjournal" and header["schema"] == 2


def test_one_line_per_record_no_rewrite(journal, db):
    add(journal)
    before = db.read_bytes()
    add(journal)
    after = db.read_bytes()
    assert after.startswith(before)  # appended, never rewritten
    assert after.count(b"\n") == 3


def test_resolve_by_seq_hash_and_prefix(journal):
    rec = add(journal)
    add(journal)
    for ref in ("1", "#1", rec["id"], rec["id"][:20].lower()):
        assert journal.resolve(ref)["id"] == rec["id"]
    with pytest.raises(NotFound):
        journal.resolve("#99")
    with pytest.raises(NotFound):
        journal.resolve("ZZZZZZ")


def test_resolve_without_loading_the_journal(journal, db):
    rec = add(journal)
    add(journal)
    fresh = Journal(db)
    assert fresh.resolve("#1")["id"] == rec["id"]
    assert fresh.resolve(rec["id"][:22])["seq"] == 1
    assert not fresh.storage.loaded  # the add path must not parse everything


def test_append_only_table_refuses_updates(journal):
    add(journal)
    with pytest.raises(StoreError):
        journal.table.update({"title": "x"})
    with pytest.raises(StoreError):
        journal.table.remove(doc_ids=[1])


def test_newer_schema_refused_and_untouched(journal, db):
    add(journal)
    lines = db.read_bytes().split(b"\n", 1)
    newer = b'{"format":"pmjournal","schema":99}\n' + lines[1]
    db.write_bytes(newer)
    for action in (lambda j: j.entries(), lambda j: add(j)):
        with pytest.raises(JournalDamaged) as err:
            action(Journal(db))
        assert "newer" in str(err.value)
    assert db.read_bytes() == newer


def test_damaged_middle_refused_and_untouched(journal, db):
    for _ in range(3):
        add(journal)
    data = db.read_bytes().replace(b'"seq":2,', b'"seq":2,,', 1)
    db.write_bytes(data)
    with pytest.raises(JournalDamaged) as err:
        Journal(db).entries()
    assert "line 3" in str(err.value)
    assert db.read_bytes() == data


def test_not_a_journal_refused(db):
    db.parent.mkdir(parents=True)
    db.write_text('{"_default": {}}')  # a plain TinyDB file
    with pytest.raises(JournalDamaged):
        add(Journal(db))
    assert db.read_text() == '{"_default": {}}'


def test_torn_tail_is_ignored_then_set_aside(journal, db):
    add(journal, "kept")
    with open(db, "ab") as fh:
        fh.write(b'{"half a rec')
    assert [v["title"] for v in Journal(db).entries()] == ["kept"]
    rec = add(Journal(db), "next")
    assert rec["seq"] == 2
    side = [p for p in db.parent.iterdir() if ".torn-" in p.name]
    assert len(side) == 1 and side[0].read_bytes() == b'{"half a rec'
    assert verify_file(db).ok


def test_lock_timeout_is_a_clear_error_and_saves_nothing(db):
    journal = Journal(db, lock_timeout=0.2)
    add(journal)
    before = db.read_bytes()
    other = Journal(db).storage.file.lock
    other.acquire()
    try:
        with pytest.raises(JournalLocked) as err:
            add(journal)
        assert "locked" in str(err.value)
    finally:
        other.release()
    assert db.read_bytes() == before


def test_full_disk_leaves_file_as_it_was(journal, db, monkeypatch):
    add(journal)
    before = db.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        calls["n"] += 1
        real_write(fd, bytes(data[:10]))  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(StoreError) as err:
        add(journal)
    monkeypatch.setattr(os, "write", real_write)
    assert "disk is full" in str(err.value)
    assert db.read_bytes() == before
    assert add(journal)["seq"] == 2


def test_read_only_file_is_a_clear_error(journal, db):
    add(journal)
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    os.chmod(db, 0o400)
    with pytest.raises(StoreError):
        add(journal)


def test_refresh_sees_other_writers(journal, db):
    add(journal, "mine")
    assert len(journal.entries()) == 1
    add(Journal(db), "theirs")
    new = journal.refresh()
    assert [r["title"] for r in new] == ["theirs"]
    assert [v["title"] for v in journal.entries()] == ["mine", "theirs"]
    add(Journal(db), "theirs again")
    add(journal, "mine again")  # appending notices the gap and reads it first
    assert [v["seq"] for v in journal.entries()] == [1, 2, 3, 4]


def test_links_resolve_and_validate(journal):
    d1 = add(journal, "old call")
    d2 = journal.add("decision", {"title": "new call", "owner": "Bob"}, links={"supersedes": ["#1"]})
    assert d2["links"] == [{"rel": "supersedes", "to": d1["id"]}]
    assert journal.get("1")["status"] == "superseded"
    assert journal.get("1")["superseded_by"] == [d2["id"]]
    with pytest.raises(ValidationError):
        journal.add("incident", {"title": "x"}, links={"supersedes": ["#1"]})
    with pytest.raises(NotFound):
        journal.add("incident", {"title": "x"}, links={"caused_by": ["#42"]})
    assert len(journal.records()) == 2


def test_find_by_seq_bisects_and_skips_a_torn_tail(journal, db):
    for i in range(37):
        add(journal, f"t{i}", body="x" * (i * 13))  # lines of different lengths
    with open(db, "ab") as fh:
        fh.write(b'{"seq":38,"tit')
    fresh = Journal(db)
    for seq in range(1, 38):
        assert fresh.resolve(f"#{seq}")["title"] == f"t{seq - 1}"
    with pytest.raises(NotFound):
        fresh.resolve("#38")
    assert not fresh.storage.loaded


def test_tinydb_query_api_reads_the_journal(journal, db):
    """TinyDB stays the database: its Query API works on the stored records."""
    from tinydb import Query

    add(journal, "a", owner="Alice")
    add(journal, "b", owner="Bob")
    fresh = Journal(db)
    hits = fresh.table.search(Query().owner == "Bob")
    assert [d["title"] for d in hits] == ["b"] and hits[0].doc_id == 2
    add(fresh, "c", owner="Bob")  # an insert clears TinyDB's query cache
    assert [d["title"] for d in fresh.table.search(Query().owner == "Bob")] == ["b", "c"]
    assert len(fresh.table) == 3


def test_tail_records_reads_the_newest_through_the_reader(journal, db):
    """The TUI's first screen: the same checked reader as every load, from the end of the file."""
    from pmjournal.core.storage import JournalFile

    for i in range(60):
        journal.add("note", {"title": f"note {i}", "body": "x" * 100})
    tail = JournalFile(db).tail_records(2048)
    assert tail and [r["seq"] for r in tail] == list(range(61 - len(tail), 61))
    assert tail == [dict(r) for r in Journal(db).records()[-len(tail):]]
    assert JournalFile(db).tail_records(10 << 20) is None  # small file: load it whole
    lines = db.read_bytes().split(b"\n")
    lines[-3] = lines[-3].replace(b"note 58", b"note 99")
    db.write_bytes(b"\n".join(lines))
    assert JournalFile(db).tail_records(2048) is None  # a record in the window does not chain


def test_a_loaded_journal_finds_an_entry_another_process_added(db):
    """The app started on an empty journal holds it loaded; an entry `pmjournal add` made in
    another terminal showed in its trail but could not be amended, retracted or linked: "no
    entry with an id starting …" (a helper's tmux trial)."""
    app = Journal(db, user="Pat")
    app.add("note", {"title": "mine"})
    assert len(app.records()) == 1  # loaded
    other = Journal(db, user="Sam").add("decision", {"title": "CLI second", "owner": "Bob"})
    assert app.resolve_entry(other["id"])["title"] == "CLI second"
    third = Journal(db, user="Sam").add("note", {"title": "third"})
    assert app.resolve_entry(f"#{third['seq']}")["title"] == "third"
    app.amend(other["id"], {"title": "CLI second, renamed"}, "clearer")
    assert app.get(other["id"])["title"] == "CLI second, renamed"
