"""The scripting API (pmjournal.open_db): a TinyDB on the journal that validates what it
is given, appends through the chain, and refuses everything that would rewrite a record.
docs/scripting.md is run here, block by block, so its examples cannot rot."""

import contextlib
import io
import json
import re
import warnings
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB
from tinydb.table import Document

import pmjournal
from pmjournal.core.errors import JournalDamaged, NotFound, StoreError, ValidationError
from pmjournal.core.store import Journal
from pmjournal.core.verify import verify_file

DOC = Path(__file__).resolve().parents[1] / "docs" / "scripting.md"
Entry = Query()


def blocks(text: str) -> list[tuple[str, str, int]]:
    """(language, code, line number) of every fenced block, in order."""
    out = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```\s*$", text, re.M | re.S):
        out.append((match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1))
    return out


def test_the_scripting_guide_runs_as_written(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    found = blocks(DOC.read_text())
    namespace: dict = {"__name__": "scripting_md"}
    ran = compared = 0
    for i, (lang, code, line) in enumerate(found):
        if lang != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{DOC.name}:{line}", "exec"), namespace)
        ran += 1
        if i + 1 < len(found) and found[i + 1][0] == "output":
            expected = found[i + 1][1]
            assert printed.getvalue() == expected, f"docs/scripting.md line {line}: printed\n{printed.getvalue()}"
            compared += 1
    assert ran >= 8 and compared == ran  # every example shows what it prints
    # The shell block: what the script wrote is an ordinary journal.
    db = tmp_path / "team-journal.json"
    listed = [v["title"] for v in json.loads(cli("--db", str(db), "list", "--format", "json", check=True).stdout)]
    assert listed == ["Cut offline mode from v1", "Told Acme that offline mode moves to v1.1"]  # #2 was retracted
    assert "Marcus Lee" in cli("--db", str(db), "show", "1", check=True).stdout
    assert cli("--db", str(db), "verify", check=True).stdout.startswith("ok: 5 records")


@pytest.fixture
def sdb(db):
    return pmjournal.open_db(db, user="Pat PM")


def decision(title="Cut offline mode", owner="Dana Whitfield", **values):
    return {"kind": "decision", "title": title, "owner": owner, **values}


# -- what it is -------------------------------------------------------------


def test_open_db_is_a_tinydb_whose_default_table_is_the_journal(sdb, db):
    assert isinstance(sdb, TinyDB)
    assert not db.exists()  # opening creates nothing
    assert sdb.table("entries") is sdb.table(sdb.default_table_name)
    assert len(sdb) == 0 and sdb.all() == [] and sdb.get(doc_id=1) is None
    sdb.insert(decision())
    assert db.exists() and verify_file(db).ok


def test_open_db_without_a_path_opens_the_clis_journal(monkeypatch, tmp_path, cli):
    cli("add", "note", "from the command line", check=True)
    db = pmjournal.open_db(user="Pat PM")
    assert [d["title"] for d in db.all()] == ["from the command line"]


def test_open_db_takes_the_user_from_the_config(db, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text('name = "Robin Config"\n')
    sdb = pmjournal.open_db(db)
    sdb.insert({"kind": "note", "title": "who wrote me"})
    assert sdb.get(doc_id=1)["recorded_by"] == "Robin Config"


@pytest.mark.parametrize(
    "user, said",
    [("a\x1bb", "control character (U+001B ESCAPE)"), ("Da\u200bna", "U+200B ZERO WIDTH SPACE"), (5, "not int")],
)
def test_open_db_refuses_a_user_the_text_rules_refuse(db, user, said):
    """open_db(user="a\\x1bb") recorded it as recorded_by, and the journal's own JSON export
    then failed to import ("recorded_by contains a control character"); user=5 raised an
    AttributeError (a helper's scripting trial). A config's `name` meets the same rules."""
    with pytest.raises(pmjournal.ValidationError, match=re.escape(said)):
        pmjournal.open_db(db, user=user)
    assert not db.exists()


def test_open_db_refuses_a_file_that_is_not_a_journal(db):
    db.parent.mkdir(parents=True)
    db.write_text('{"_default": {}}')
    with pytest.raises(JournalDamaged):
        pmjournal.open_db(db)
    assert db.read_text() == '{"_default": {}}'


def test_documents_are_the_stored_records_with_doc_id_seq(sdb, db):
    sdb.insert(decision(tags=["launch"]))
    sdb.insert_multiple([{"kind": "note", "title": "n1"}, {"kind": "note", "title": "n2", "tags": "launch"}])
    lines = [orjson.loads(line) for line in db.read_bytes().splitlines()[1:]]
    fresh = pmjournal.open_db(db, user="Pat PM")
    for db_ in (sdb, fresh):  # the same whether the records were appended or loaded
        docs = db_.all()
        assert all(isinstance(d, Document) for d in docs)
        assert [d.doc_id for d in docs] == [1, 2, 3]
        assert [dict(d) for d in docs] == lines
        assert db_.get(doc_id=2) == lines[1] and db_.get(doc_id=2).doc_id == 2
        assert [d.doc_id for d in db_.get(doc_ids=[3, 1])] == [1, 3]
        assert [d.doc_id for d in db_.search(Entry.tags.any(["launch"]))] == [1, 3]
        assert db_.count(Entry.kind == "note") == 2 and db_.contains(doc_id=3) and not db_.contains(doc_id=4)
        assert db_.get(Entry.title == "n2").doc_id == 3
        assert [d.doc_id for d in db_] == [1, 2, 3] and len(db_) == 3
        assert db_.tables() == {"entries"}


def test_results_are_copies(sdb):
    sdb.insert(decision())
    doc = sdb.get(doc_id=1)
    doc["owner"] = "Mallory"
    sdb.all()[0]["title"] = "changed"
    assert sdb.get(doc_id=1)["owner"] == "Dana Whitfield" and sdb.get(doc_id=1)["title"] == "Cut offline mode"


# -- inserting --------------------------------------------------------------


def test_insert_is_validated_and_stamped_like_add(sdb, db):
    seq = sdb.insert({"kind": " Decision ", "title": "  Cut offline mode ", "owner": "dana whitfield", "tags": "Launch, #q3"})
    record = sdb.get(doc_id=seq)
    assert seq == 1 and record["kind"] == "decision" and record["title"] == "Cut offline mode"
    assert record["tags"] == ["launch", "q3"] and record["status"] == "accepted"  # build_entry's normalising and defaults
    assert record["recorded_by"] == "Pat PM" and record["recorded_at"].endswith("+00:00") and len(record["id"]) == 26
    assert "occurred_at" in record and "batch" not in record


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"kind": "decision", "title": "no owner"}, "owner"),
        ({"kind": "note"}, "title"),
        ({"title": "no kind"}, "kind"),
        ({"kind": "memo", "title": "unknown kind"}, "kind"),
        ({"kind": "note", "title": "x", "colour": "red"}, "colour"),
        ({"kind": "note", "title": "x", "id": "01M8ZZZZZZZZZZZZZZZZZZZZZZ"}, "id"),
        ({"kind": "note", "title": "x", "recorded_by": "Someone Else"}, "recorded_by"),
        ({"kind": "note", "title": "x", "recorded_at": "2019-01-01T00:00:00+00:00"}, "recorded_at"),
        ({"kind": "note", "title": "x", "seq": 7}, "seq"),
        ({"kind": "note", "title": "x", "hash": "0" * 64}, "hash"),
        ({"kind": "note", "title": "x", "batch": [1, 2]}, "batch"),
        ({"kind": "note", "title": "x", "imported": {"file": "x"}}, "imported"),
        ({"kind": "note", "title": "x\u202e"}, "title"),
        ({"kind": "note", "title": "x", "occurred_at": "next blursday"}, "occurred_at"),
        ({"kind": "note", "title": "x", "occurred_at": "2099-01-01"}, "occurred_at"),  # was taken: `add --when` refuses it
        ({"kind": "decision", "title": "x", "owner": "A", "status": "superseded"}, "status"),
        ({"kind": "note", "title": "x", "links": [{"rel": "blocks", "to": "#1"}]}, "links"),
        ({"kind": "note", "title": "x", "links": {"relates": "#1"}}, "links"),
    ],
)
def test_invalid_documents_are_refused_and_nothing_is_written(sdb, db, document, field):
    sdb.insert({"kind": "note", "title": "first"})
    before = db.read_bytes()
    with pytest.raises(ValidationError) as err:
        sdb.insert(document)
    assert err.value.field == field
    with pytest.raises(ValidationError):
        sdb.insert_multiple([{"kind": "note", "title": "fine"}, document])
    assert db.read_bytes() == before


def test_links_are_resolved_and_checked_like_add(sdb):
    first = sdb.insert(decision("old plan"))
    note = sdb.insert({"kind": "note", "title": "n"})
    new = sdb.insert(decision("new plan", links=[{"rel": "supersedes", "to": f"#{first}"}, {"rel": "relates", "to": note}]))
    ids = [link["to"] for link in sdb.get(doc_id=new)["links"]]
    assert ids == [sdb.get(doc_id=first)["id"], sdb.get(doc_id=note)["id"]]
    with pytest.raises(NotFound):
        sdb.insert({"kind": "note", "title": "x", "links": [{"rel": "relates", "to": "#99"}]})
    with pytest.raises(ValidationError, match="only a decision can supersede"):
        sdb.insert({"kind": "note", "title": "x", "links": [{"rel": "supersedes", "to": "#1"}]})
    assert [v["status"] for v in sdb.views(Entry.seq == first)] == ["superseded"]


def test_insert_multiple_is_one_batch(sdb, db):
    sdb.insert({"kind": "note", "title": "before"})
    seqs = sdb.table("entries").insert_multiple([{"kind": "note", "title": f"n{i}"} for i in range(4)])
    assert seqs == [2, 3, 4, 5]
    assert {tuple(sdb.get(doc_id=s)["batch"]) for s in seqs} == {(2, 5)}
    assert sdb.insert_multiple([]) == [] and len(sdb) == 5
    assert verify_file(db).ok


def test_inserts_show_in_the_cli_and_verify(sdb, db, cli):
    sdb.insert(decision("Decided in a script"))
    sdb.insert_multiple([{"kind": "risk", "title": "Scripted risk", "owner": "Sam"}, {"kind": "note", "title": "Scripted note"}])
    out = json.loads(cli("--db", str(db), "list", "--format", "json", check=True).stdout)
    assert [v["title"] for v in out] == ["Decided in a script", "Scripted risk", "Scripted note"]
    assert cli("--db", str(db), "verify", check=True).stdout.startswith("ok: 3 records")


def test_corrections_are_checked_like_amend_and_retract(sdb, db):
    sdb.insert(decision())
    seq = sdb.insert({"kind": "amendment", "target": "#1", "changes": {"owner": "Marcus"}, "reason": "handover"})
    assert sdb.get(doc_id=seq)["target"] == sdb.get(doc_id=1)["id"] and sdb.get(doc_id=seq)["recorded_by"] == "Pat PM"
    before = db.read_bytes()
    for bad, error in [
        ({"kind": "amendment", "target": "#1", "changes": {"owner": "Marcus"}, "reason": "again"}, "nothing to amend"),
        ({"kind": "amendment", "target": "#1", "changes": {"owner": "Zoe"}}, "reason is required"),
        ({"kind": "amendment", "target": "#1", "changes": {"id": "x"}, "reason": "r"}, "set by the journal"),
        ({"kind": "amendment", "target": "#1", "changes": "owner=Zoe", "reason": "r"}, "changes maps"),
        ({"kind": "amendment", "changes": {"owner": "Zoe"}, "reason": "r"}, "needs a target"),
        ({"kind": "amendment", "target": "#2", "changes": {"owner": "Zoe"}, "reason": "r"}, "is an amendment of #1"),
        ({"kind": "retraction", "target": "#1", "reason": "r", "changes": {}}, "not changes"),
        ({"kind": "amendment", "target": "#9", "changes": {"owner": "Zoe"}, "reason": "r"}, "no entry #9"),
        ({"kind": "amendment", "target": "#1", "changes": {"occurred_at": "2099-01-01"}, "reason": "r"}, "in the future"),
    ]:
        with pytest.raises((ValidationError, NotFound), match=error):
            sdb.insert(bad)
    with pytest.raises(ValidationError, match="on its own"):
        sdb.insert_multiple([{"kind": "note", "title": "x"}, {"kind": "retraction", "target": "#1", "reason": "r"}])
    assert db.read_bytes() == before
    sdb.insert({"kind": "retraction", "target": "1", "reason": "wrong call"})
    with pytest.raises(ValidationError, match="already retracted"):
        sdb.insert({"kind": "retraction", "target": "#1", "reason": "again"})
    [view] = sdb.views()
    assert view["owner"] == "Marcus" and view["retracted"]["reason"] == "wrong call"
    assert sdb.get(doc_id=1)["owner"] == "Dana Whitfield"  # the record itself never changes
    assert verify_file(db).ok


def test_amending_links_resolves_them(sdb):
    a, b = sdb.insert(decision("a")), sdb.insert(decision("b"))
    sdb.insert({"kind": "amendment", "target": f"#{b}", "changes": {"links": [{"rel": "supersedes", "to": a}]}, "reason": "r"})
    assert sdb.views(Entry.seq == a)[0]["superseded_by"] == [sdb.get(doc_id=b)["id"]]


# -- refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        lambda db: db.update({"owner": "Mallory"}),
        lambda db: db.update({"owner": "Mallory"}, Entry.seq == 1),
        lambda db: db.update_multiple([({"owner": "Mallory"}, Entry.seq == 1)]),
        lambda db: db.upsert({"kind": "note", "title": "x"}, Entry.title == "x"),
        lambda db: db.remove(Entry.seq == 1),
        lambda db: db.remove(doc_ids=[1]),
        lambda db: db.truncate(),
        lambda db: db.drop_table("entries"),
        lambda db: db.drop_tables(),
        lambda db: db.table("_default").insert({"kind": "note", "title": "x"}),
        lambda db: db.table("other").insert_multiple([{"kind": "note", "title": "x"}]),
        lambda db: db.table("other", persist_empty=True),
        lambda db: db.storage.write({}),
        lambda db: db.insert(Document({"kind": "note", "title": "x"}, doc_id=9)),
    ],
)
def test_rewrites_are_refused_and_change_nothing(sdb, db, attempt):
    sdb.insert(decision())
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        attempt(sdb)
    assert "append-only" in str(err.value) or "one table" in str(err.value) or "doc_id" in str(err.value)
    assert db.read_bytes() == before and len(sdb) == 1
    assert len(Journal(db).records()) == 1


def test_the_cli_journals_table_refuses_too(journal):
    journal.add("note", {"title": "x"})
    for attempt in (lambda: journal.table.upsert({"a": 1}, Entry.a == 1), lambda: journal.db.drop_tables(), lambda: journal.table.truncate()):
        with pytest.raises(StoreError, match="append-only"):
            attempt()
    assert len(journal) == 1


# -- reading what others wrote ----------------------------------------------


def test_reads_catch_up_with_other_processes(sdb, db, cli):
    sdb.insert(decision())
    assert sdb.count(Entry.kind == "note") == 0  # cached by TinyDB's query cache
    cli("--db", str(db), "add", "note", "from another terminal", check=True)
    assert sdb.count(Entry.kind == "note") == 1 and len(sdb) == 2
    Journal(db, user="Other").add("note", {"title": "and another"})
    assert [d["title"] for d in sdb.search(Entry.kind == "note")] == ["from another terminal", "and another"]


def test_a_replaced_file_is_reloaded(sdb, db, tmp_path):
    sdb.insert(decision("original"))
    other = tmp_path / "other.json"
    o = pmjournal.open_db(other, user="Pat PM")
    o.insert({"kind": "note", "title": "restored from backup"})
    assert sdb.count(Entry.kind == "decision") == 1
    other.replace(db)
    assert sdb.count(Entry.kind == "decision") == 0 and [d["title"] for d in sdb.all()] == ["restored from backup"]


def test_a_journal_failing_verification_warns(sdb, db):
    sdb.insert_multiple([{"kind": "note", "title": "one"}, {"kind": "note", "title": "two"}])
    db.write_bytes(db.read_bytes().replace(b'"title":"one"', b'"title":"One"'))
    fresh = pmjournal.open_db(db, user="Pat PM")
    with pytest.warns(pmjournal.UnverifiedJournal, match="fails verification at #1"):
        assert [d["title"] for d in fresh.all()] == ["One", "two"]
    assert fresh.broken[0] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh.all()  # said once, not on every read


# -- views --------------------------------------------------------------------


def test_views_fold_copies_and_leave_the_records_raw(sdb):
    sdb.insert(decision("old"))
    sdb.insert(decision("new", links=[{"rel": "supersedes", "to": "#1"}]))
    sdb.insert({"kind": "amendment", "target": "#2", "changes": {"owner": "Marcus"}, "reason": "r"})
    views = sdb.views()
    assert [(v.doc_id, v["status"]) for v in views] == [(1, "superseded"), (2, "accepted")]
    assert views[1]["owner"] == "Marcus" and views[1]["history"][0]["reason"] == "r"
    assert not any(k.startswith("_") for v in views for k in v)
    assert [v.doc_id for v in sdb.views(Entry.owner == "Marcus")] == [2]
    for doc in sdb.all():  # no derived key ever reaches a stored document
        assert not {"history", "retracted", "superseded_by", "linked_from"} & set(doc)
    assert sdb.get(doc_id=1)["status"] == "accepted"


def test_what_a_script_reads_is_a_whole_copy(tmp_path):
    """TinyDB's Document copies only the top level: `db.get(doc_id=1)["approved_by"].append("X")`
    changed the record held for the session, which then failed its own hash, and a valid
    amendment of it was refused (a robustness hunt)."""
    from tinydb import Query

    import pmjournal

    db = pmjournal.open_db(tmp_path / "j.json", user="Pat PM")
    db.insert({"kind": "decision", "title": "Call", "owner": "Ann", "approved_by": ["VP"]})
    for read in (
        lambda: db.get(doc_id=1),
        lambda: db.all()[0],
        lambda: next(iter(db)),
        lambda: db.search(Query().title == "Call")[0],
        lambda: db.views()[0],
    ):
        read()["approved_by"].append("X")
    assert db.get(doc_id=1)["approved_by"] == ["VP"] and db.views()[0]["approved_by"] == ["VP"]
    db.insert({"kind": "amendment", "target": db.get(doc_id=1)["id"], "changes": {"title": "Call made"}, "reason": "typo"})
    assert db.views()[0]["title"] == "Call made"
