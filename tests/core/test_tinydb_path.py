"""Every write and every load goes through TinyDB's API on our classes: EntryTable
(the `entries` table) over JournalStorage (the Storage), documents with doc_id == #seq."""

import orjson
import pytest

from pmjournal.core import transfer
from pmjournal.core.demo import write_demo
from pmjournal.core.query import Filter
from pmjournal.core.storage import Documents, JournalStorage
from pmjournal.core.store import EntryTable, Inserted, Journal


@pytest.fixture
def spy(monkeypatch):
    """Each EntryTable.insert_multiple call's number of documents, and each JournalStorage.append caller."""
    calls = {"insert_multiple": [], "append": 0, "read": 0, "streamed": 0}
    insert_multiple, append, read = EntryTable.insert_multiple, JournalStorage.append, JournalStorage.read
    streamed = EntryTable.insert_streamed

    def spy_streamed(self):
        calls["streamed"] += 1
        return streamed(self)

    def spy_insert(self, documents):
        documents = list(documents)
        calls["insert_multiple"].append(len(documents))
        return insert_multiple(self, documents)

    def spy_append(self, bodies):
        calls["append"] += 1
        return append(self, bodies)

    def spy_read(self):
        calls["read"] += 1
        return read(self)

    monkeypatch.setattr(EntryTable, "insert_multiple", spy_insert)
    monkeypatch.setattr(JournalStorage, "append", spy_append)
    monkeypatch.setattr(JournalStorage, "read", spy_read)
    monkeypatch.setattr(EntryTable, "insert_streamed", spy_streamed)
    return calls


def test_every_write_is_an_insert_multiple(journal, db, tmp_path, spy):
    journal.add("decision", {"title": "a", "owner": "Dana"})
    journal.add("note", {"title": "b"}, links={"relates": ["#1"]})
    journal.amend("#1", {"owner": "Marcus"}, "handover")
    journal.retract("#2", "wrong")
    assert spy["insert_multiple"] == [1, 1, 1, 1] and spy["append"] == 4
    out = tmp_path / "all.json"
    out.write_bytes(transfer.render(journal, Filter(include_retracted=True), "json"))
    other = Journal(tmp_path / "other.json", user="Pat PM")
    added, _ = transfer.import_file(other, out)
    # The import's one batch is written as it is checked, through the table's insert_streamed
    # (batch.StreamedBatch): a million bodies do not fit in insert_multiple's list.
    assert added == 4 and spy["insert_multiple"] == [1, 1, 1, 1] and spy["append"] == 4 and spy["streamed"] == 1
    assert {tuple(r["batch"]) for r in other.records()} == {(1, 4)}
    demo = Journal(tmp_path / "demo.json", user="Pat PM")
    count = write_demo(demo)
    assert spy["insert_multiple"][-1] == count > 20 and spy["append"] == 5


def test_the_add_path_does_not_load(journal, db, spy):
    journal.add("decision", {"title": "a", "owner": "Dana"})
    fresh = Journal(db, user="Pat PM")
    record = fresh.add("note", {"title": "b"}, links={"caused_by": ["#1"]})
    assert record["seq"] == 2 and record["hash"] and record["prev_hash"]
    assert not fresh.storage.loaded and spy["read"] == 0


def test_loads_read_through_the_storage(journal, db, spy):
    for i in range(3):
        journal.add("note", {"title": f"n{i}"})
    fresh = Journal(db)
    records = fresh.records()
    assert spy["read"] >= 1 and fresh.storage.loaded
    tables = fresh.storage.read()
    assert set(tables) == {"entries"} and isinstance(tables["entries"], Documents)
    assert records is fresh.table.records() is tables["entries"].records  # no copies
    assert len(fresh) == len(fresh.table) == 3
    assert fresh.table.get(doc_id=2) == records[1] and fresh.table.get(doc_id=2).doc_id == 2
    assert [d.doc_id for d in fresh.table.all()] == [1, 2, 3]


def test_insert_multiple_returns_doc_ids_carrying_the_sealed_records(journal, db):
    table = journal.table
    done = table.insert_multiple([{"kind": "note", "title": "x", "id": "01M8AAAAAAAAAAAAAAAAAAAAAA", "recorded_at": "t"}])
    assert isinstance(done, Inserted) and done == [1]
    assert done.records[0]["seq"] == 1 and done.records[0]["hash"] and done.new == done.records
    journal.records()  # loaded: now another writer's record comes back in `new`, before ours
    Journal(db).append_raw([{"kind": "note", "title": "theirs", "id": "01M8BBBBBBBBBBBBBBBBBBBBBB", "recorded_at": "t"}])
    done = table.insert_multiple([{"kind": "note", "title": "ours", "id": "01M8CCCCCCCCCCCCCCCCCCCCCC", "recorded_at": "t"}])
    assert done == [3] and [r["title"] for r in done.new] == ["theirs", "ours"]
    assert [r["title"] for r in journal.records()] == ["x", "theirs", "ours"]
    assert table.insert_multiple([]) == [] and len(journal) == 3


def test_sealed_keys_are_never_taken_from_a_body(journal, db):
    from pmjournal.core.errors import StoreError

    for key, value in (("seq", 5), ("batch", [1, 3]), ("hash", "0" * 64), ("prev_hash", "0" * 64)):
        with pytest.raises(StoreError, match=key):
            journal.append_raw([{"kind": "note", "title": "x", key: value}])
    assert not db.exists()


def test_the_query_cache_follows_the_storage(journal, db):
    from tinydb import Query

    journal.add("note", {"title": "a"})
    q = Query().kind == "note"
    assert len(journal.db.search(q)) == 1
    journal.add("note", {"title": "b"})  # written through journal.table, read through journal.db's table
    assert len(journal.db.search(q)) == 2
    Journal(db).add("note", {"title": "c"})
    journal.refresh()
    assert len(journal.db.search(q)) == 3


def test_documents_mapping(tmp_path):
    records = [{"seq": 1, "t": "a"}, {"seq": 2, "t": "b"}]
    docs = Documents(records)
    assert len(docs) == 2 and list(docs) == ["1", "2"]
    assert docs["2"] is records[1] and docs[1] is records[0]
    assert list(docs.items()) == [("1", records[0]), ("2", records[1])] and list(docs.values()) == records
    for missing in ("0", "3", 0, 3, -1, "-1", "x", "1.0", 1.0, True, None, "١"):
        assert missing not in docs
        with pytest.raises(KeyError):
            docs[missing]
    assert docs.get("5") is None and "2" in docs and 2 in docs
    records.append({"seq": 3, "t": "c"})  # a view, not a copy: appends show at once
    assert docs["3"]["t"] == "c"


def test_loaded_records_are_the_lines(journal, db):
    journal.add("note", {"title": "x"})
    journal.add("decision", {"title": "y", "owner": "A"})
    lines = [orjson.loads(line) for line in db.read_bytes().splitlines()[1:]]
    assert Journal(db).records() == lines
