"""Issue 4: corrections stay visible, who owned what, traces, moving data in and out."""

import json
import shutil
from pathlib import Path

import pytest
from clihelp import ok, refused

from pmjournal.core.errors import ValidationError
from pmjournal.core.query import TRACE_DEPTH, Filter, trace, trace_json, who, who_person
from pmjournal.core.store import Journal


def listed(cli, *args):
    proc = cli("list", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)




# -- amendments -------------------------------------------------------------


def test_amend_owner_is_found_under_new_owner_and_history_keeps_old(cli):
    ok(cli("add", "decision", "Drop SSO", "--owner", "Alice", "--approved-by", "Vic"))
    out = ok(cli("amend", "1", "--owner", "Bob", "--consulted", "Cy", "--reason", "Bob made the call in the exec sync"))
    assert "#2 amends #1" in out
    assert [e["title"] for e in listed(cli, "--person", "bob", "--role", "owner")] == ["Drop SSO"]
    assert listed(cli, "--person", "alice", "--role", "owner") == []
    shown = ok(cli("show", "1"))
    assert "Owner: Alice → Bob" in shown
    assert "Bob made the call in the exec sync" in shown
    assert "Consulted: (empty) → Cy" in shown
    [entry] = listed(cli)
    event = entry["history"][0]
    assert event["changes"]["owner"] == {"old": "Alice", "new": "Bob"}
    assert event["recorded_by"] and event["recorded_at"]


def test_amend_is_a_new_record_never_an_edit(cli, db):
    ok(cli("add", "note", "first"))
    before = db.read_bytes()
    ok(cli("amend", "1", "--title", "first (corrected)", "--reason", "typo"))
    assert db.read_bytes().startswith(before)
    assert ok(cli("verify")).startswith("ok: 2 records")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("amend", "1", "--owner", "Bob"), "--reason"),
        (("amend", "1", "--owner", "Bob", "--reason", "  "), "reason is required"),
        (("amend", "1", "--reason", "nothing"), "at least one field"),
        (("amend", "1", "--owner", "Alice", "--reason", "same"), "nothing to amend"),
        (("amend", "1", "--channel", "email", "--reason", "x"), "no channel field"),
        (("amend", "9", "--owner", "B", "--reason", "x"), "no entry #9"),
        (("amend", "1", "--clear", "owner", "--reason", "x"), "needs an owner"),
        (("amend", "1", "--when", "someday", "--reason", "x"), "cannot understand"),
    ],
)
def test_bad_amendments_change_nothing(cli, db, args, fragment):
    ok(cli("add", "decision", "d", "--owner", "Alice"))
    before = db.read_bytes()
    proc = cli(*args)
    assert proc.returncode in (1, 2)
    assert fragment in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert db.read_bytes() == before


def test_amend_change_impact_merges_parts(cli):
    ok(cli("add", "change", "c", "--owner", "A", "--impact-scope", "small", "--impact-cost", "1 week"))
    ok(cli("amend", "1", "--impact-schedule", "+2 weeks", "--reason", "slipped"))
    assert listed(cli)[0]["impact"] == {"scope": "small", "cost": "1 week", "schedule": "+2 weeks"}


def test_amend_can_add_causal_links(cli):
    ok(cli("add", "decision", "d", "--owner", "A"))
    ok(cli("add", "incident", "i"))
    ok(cli("amend", "2", "--caused-by", "1", "--cause", "decision", "--reason", "found the cause"))
    tree = json.loads(ok(cli("trace", "2", "--format", "json")))
    assert [c["seq"] for c in tree["caused_by"]] == [1]


def test_amendment_refs_are_not_entries(cli):
    ok(cli("add", "note", "n"))
    ok(cli("amend", "1", "--title", "n2", "--reason", "r"))
    proc = cli("show", "2")
    assert proc.returncode == 1 and "amendment of #1" in proc.stderr


# -- retraction -------------------------------------------------------------


def test_retract_hides_from_list_but_keeps_record(cli):
    ok(cli("add", "note", "keep"))
    ok(cli("add", "note", "oops"))
    assert "#3 retracts #2" in ok(cli("retract", "2", "--reason", "wrong journal"))
    assert [e["title"] for e in listed(cli)] == ["keep"]
    everything = listed(cli, "--include-retracted")
    assert everything[1]["retracted"]["reason"] == "wrong journal"
    assert "RETRACTED" in ok(cli("show", "2")) and "wrong journal" in ok(cli("show", "2"))
    again = cli("retract", "2", "--reason", "twice")
    assert again.returncode == 1 and "already retracted" in again.stderr
    assert cli("amend", "2", "--title", "x", "--reason", "r").returncode == 1


# -- supersession -----------------------------------------------------------


def test_supersede_marks_old_and_links_both_ways(cli):
    ok(cli("add", "decision", "Launch 15 Dec", "--owner", "Dana"))
    ok(cli("add", "decision", "Launch 5 Jan", "--owner", "Marcus", "--supersedes", "1"))
    old, new = listed(cli)
    assert old["status"] == "superseded" and old["superseded_by"] == [new["id"]]
    assert {"rel": "supersedes", "from": new["id"]} in old["linked_from"]
    assert new["links"] == [{"rel": "supersedes", "to": old["id"]}]
    assert "superseded by #2" in ok(cli("show", "1"))
    ok(cli("retract", "2", "--reason", "never agreed"))
    assert listed(cli)[0]["status"] == "accepted"  # the supersession went with the retraction


def test_only_decisions_supersede(cli):
    ok(cli("add", "decision", "d", "--owner", "A"))
    proc = cli("add", "note", "n", "--supersedes", "1")
    assert proc.returncode == 1 and "only a decision" in proc.stderr


def test_a_cause_dated_after_what_it_caused_is_refused(cli):
    """`--when 2026-12-01 --caused-by` a decision of 3 December was taken, and the trail and
    Trace showed the change two days before what caused it."""
    ok(cli("add", "decision", "Cut scope", "--owner", "Dana", "--when", "2026-12-03 10:00"))
    said = refused(cli("add", "change", "Drop export", "--owner", "Dana", "--when", "2026-12-01", "--caused-by", "1"), "#1")
    assert "2026-12-03" in said and "2026-12-01" in said
    said = refused(cli("add", "decision", "Older", "--owner", "Dana", "--when", "2026-12-02", "--supersedes", "1"), "#1")
    assert "supersedes an earlier one" in said
    assert len(listed(cli)) == 1  # nothing was saved
    # The same day is let through: a When typed without an hour is only as exact as its day.
    ok(cli("add", "change", "Drop export", "--owner", "Dana", "--when", "2026-12-03 08:00", "--caused-by", "1"))
    # An amendment that moves the entry before its cause, or links a later cause, is refused too.
    refused(cli("amend", "2", "--when", "2026-12-01", "--reason", "typo"), "what caused it came before it")
    ok(cli("add", "decision", "Later call", "--owner", "Dana", "--when", "2026-12-04 09:00"))
    refused(cli("amend", "2", "--caused-by", "3", "--reason", "found it"), "#3 happened on 2026-12-04")
    # The cause's When as amended counts, not its first record's, whichever way it moved.
    ok(cli("amend", "3", "--when", "2026-12-02", "--reason", "it was the 2nd"))
    ok(cli("amend", "2", "--caused-by", "3", "--reason", "found it"))
    moved = ok(cli("add", "decision", "Moved later", "--owner", "Dana", "--when", "2026-11-20")).split()[0]
    ok(cli("amend", moved, "--when", "2026-11-28", "--reason", "date fix"))
    refused(cli("add", "change", "H effect", "--owner", "Dana", "--when", "2026-11-25", "--caused-by", moved), "2026-11-28")


@pytest.mark.parametrize("index", ("on", "off"))
def test_a_cause_amended_to_after_what_it_caused_is_refused(cli, journal, monkeypatch, index):
    """The rule above from the other end: a decision of the 20th amended to the 28th was taken
    while an outage of the 25th named it as its cause, and Trace showed the outage first."""
    if index == "off":
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
    ok(cli("add", "decision", "Cut scope", "--owner", "Dana", "--when", "2026-11-20 10:00"))
    ok(cli("add", "incident", "Outage", "--owner", "Lee", "--when", "2026-11-25 10:00", "--caused-by", "1"))
    ok(cli("add", "decision", "Old plan", "--owner", "Dana", "--when", "2026-11-10 10:00"))
    ok(cli("add", "decision", "New plan", "--owner", "Dana", "--when", "2026-11-12 10:00", "--supersedes", "3"))
    before = journal.path.read_bytes()
    refused(cli("amend", "1", "--when", "2026-11-28 10:00", "--reason", "typo"), "#2 (2026-11-25) names this entry as a cause")
    refused(cli("amend", "3", "--when", "2026-11-13", "--reason", "typo"), "#4 (2026-11-12) supersedes this decision")
    assert journal.path.read_bytes() == before
    # The same day, or earlier, is let through; and so is any day once the link is gone.
    ok(cli("amend", "1", "--when", "2026-11-25 18:00", "--reason", "it was the evening"))
    ok(cli("retract", "2", "--reason", "wrong incident"))
    ok(cli("amend", "1", "--when", "2026-11-28 10:00", "--reason", "typo"))
    # The app's loaded journal asks the same.
    loaded = Journal(journal.path, user="Pat PM")
    loaded.entries()
    assert loaded.storage.loaded
    with pytest.raises(ValidationError, match="supersedes this decision"):
        loaded.amend("3", {"occurred_at": "2026-11-20T10:00:00+00:00"}, "typo")


# -- who ----------------------------------------------------------------------


@pytest.fixture
def raci(journal):
    journal.add(
        "decision", {"title": "a", "owner": "Alice", "approved_by": ["Bob"], "project": "apollo", "occurred_at": "2026-09-15"}
    )
    journal.add(
        "decision",
        {
            "title": "b",
            "owner": "alice",
            "requested_by": ["Cy"],
            "consulted": ["BOB"],
            "project": "apollo",
            "occurred_at": "2026-10-15",
        },
    )
    journal.add(
        "change",
        {
            "title": "c",
            "owner": "Bob",
            "requested_by": ["Alice"],
            "informed": ["Cy"],
            "project": "zeus",
            "occurred_at": "2026-10-20",
        },
    )
    return journal


def test_who_counts_roles_case_insensitively(raci):
    rows = {r["person"]: r for r in who(raci.entries(), raci.people)}
    assert rows["Alice"]["owner"] == 2 and rows["Alice"]["requested"] == 1
    assert rows["Bob"]["approved"] == 1 and rows["Bob"]["consulted"] == 1 and rows["Bob"]["owner"] == 1
    assert rows["Cy"]["requested"] == 1 and rows["Cy"]["informed"] == 1
    assert "alice" not in rows  # first spelling wins


def test_who_person_by_kind_and_entries_newest_first(raci):
    summary = who_person(raci.entries(), raci.people, "ALICE")
    assert summary["person"] == "Alice"
    assert summary["roles"]["owner"] == 2
    assert summary["by_kind"]["decision"]["owner"] == 2 and summary["by_kind"]["change"]["requested"] == 1
    assert [v["title"] for v, _ in summary["entries"]] == ["c", "b", "a"]


def test_who_cli_with_filters_and_json(cli, raci):
    rows = json.loads(ok(cli("who", "--project", "apollo", "--since", "2026-10-01", "--format", "json")))
    assert {r["person"]: r["total"] for r in rows} == {"Alice": 1, "Bob": 1, "Cy": 1}
    table = ok(cli("who"))
    assert "Alice" in table and "approved" in table
    person = ok(cli("who", "bob"))
    assert "Owned, requested or approved" in person and "c" in person
    data = json.loads(ok(cli("who", "bob", "--format", "json")))
    assert data["roles"]["approved"] == 1 and [e["title"] for e in data["entries"]] == ["c", "a"]


# -- trace --------------------------------------------------------------------


def test_trace_is_recursive_with_labels(journal):
    journal.add("note", {"title": "budget cut"})
    journal.add("decision", {"title": "cut scope", "owner": "M"}, links={"caused_by": ["1"]})
    journal.add("incident", {"title": "outage", "causes": ["decision", "resources"]}, links={"caused_by": ["2"]})
    tree = trace_json(trace(journal.views, journal.get("3")["id"]))
    assert tree["causes"][0] == {"key": "decision", "label": "Decision error", "zh": "决策失误"}
    assert tree["caused_by"][0]["title"] == "cut scope" and tree["caused_by"][0]["owner"] == "M"
    assert tree["caused_by"][0]["caused_by"][0]["title"] == "budget cut"


def test_trace_reports_cycles_instead_of_looping(journal, cli):
    journal.add("note", {"title": "a"})
    journal.add("note", {"title": "b"}, links={"caused_by": ["1"]})
    journal.amend("1", {}, "loop", links={"caused_by": ["2"]})
    tree = trace_json(trace(journal.views, journal.get("1")["id"]))
    assert tree["caused_by"][0]["title"] == "b"
    assert tree["caused_by"][0]["caused_by"][0]["cycle"] is True
    out = ok(cli("trace", "1"))
    assert "cycle" in out


def test_two_decisions_cannot_supersede_each_other(cli, journal):
    """D1 amended to supersede D3, which superseded D2, which superseded D1: every one read
    'superseded' and no decision stood."""
    journal.add("decision", {"title": "D1", "owner": "x"})
    journal.add("decision", {"title": "D2", "owner": "x"}, links={"supersedes": ["1"]})
    journal.add("decision", {"title": "D3", "owner": "x"}, links={"supersedes": ["2"]})
    for other in ("2", "3"):
        proc = cli("amend", "1", "--supersedes", other, "--reason", "cycle")
        assert proc.returncode == 1 and f"#{other} already supersedes #1" in proc.stderr, proc.stderr
    assert len(journal.records()) == 3
    journal.add("decision", {"title": "D4", "owner": "x"})
    ok(cli("amend", "4", "--supersedes", "3", "--reason", "replaces it"))  # no cycle: fine


def test_the_supersession_check_skips_missing_and_retracted_decisions(cli, journal):
    """A link to an entry the journal does not hold ended the check in a KeyError traceback;
    a retracted decision, which supersedes nothing, was counted as superseding."""
    journal.add("decision", {"title": "A", "owner": "x"})
    journal.add("decision", {"title": "B", "owner": "x"}, links={"supersedes": ["1"]})
    journal.retract("2", "withdrawn")
    ok(cli("amend", "1", "--supersedes", "2", "--reason", "B is gone; A replaces it"))
    stamp = {"occurred_at": "2026-11-01T09:00:00+00:00", "recorded_at": "2026-11-01T09:00:00.000+00:00", "recorded_by": "Pat PM"}
    missing = [{"rel": "supersedes", "to": "01JMISSING0000000000000000"}]
    journal.append_raw([{"kind": "decision", "id": "01JC00000000000000000000000", "title": "C", "owner": "x", "links": missing, **stamp}])
    ok(cli("add", "decision", "D", "--owner", "x"))
    ok(cli("amend", "6", "--supersedes", "5", "--reason", "D replaces C"))


def _cascade(journal, n: int) -> None:
    """n incidents, each caused by the two before it: every path through them is a new one."""
    journal.add("note", {"title": "c1"})
    journal.add("note", {"title": "c2"})
    for i in range(3, n + 1):
        journal.add("incident", {"title": f"c{i}"}, links={"caused_by": [str(i - 1), str(i - 2)]})


def _nodes(tree: dict) -> int:
    return 1 + sum(_nodes(child) for child in tree["caused_by"])


def test_a_cause_shared_by_two_paths_has_its_causes_listed_once(journal, cli):
    """The tree doubled at every step of such a cascade (#24 of 24: 15 s and 800 MB);
    now an entry met again is named, marked `repeat`, and its causes are not listed twice."""
    _cascade(journal, 20)
    tree = trace_json(trace(journal.views, journal.get("20")["id"]))
    assert _nodes(tree) < 60  # 2 nodes per entry at most; it was 10,945
    first = tree["caused_by"][0]
    assert first["title"] == "c19" and first["repeat"] is False and first["caused_by"]
    again = tree["caused_by"][1]
    assert again["title"] == "c18" and again["repeat"] is True and again["caused_by"] == []
    leaf = first["caused_by"][0]
    while leaf["caused_by"]:
        leaf = leaf["caused_by"][0]
    assert leaf["title"] == "c2" and leaf["repeat"] is False  # no causes: nothing left out, no mark
    out = ok(cli("trace", "20"))
    assert "its causes are listed above" in out
    assert len(out.splitlines()) < 200  # wrapped lines of ~38 nodes; it was 10,945 nodes


def test_a_chain_of_causes_deeper_than_pythons_recursion_is_shown_to_a_depth(journal, cli, tmp_path):
    """1,100 entries, each caused by the one before: trace, its JSON and the export each
    ended in a RecursionError traceback. Now the tree stops TRACE_DEPTH levels down, and
    the last entry shown says how to trace further."""
    journal.add("note", {"title": "n1"})
    for i in range(2, 1101):
        journal.add("incident", {"title": f"i{i}"}, links={"caused_by": [str(i - 1)]})
    tree = trace_json(trace(journal.views, journal.get("1100")["id"]))
    depth, node = 0, tree
    while node["caused_by"]:
        depth, node = depth + 1, node["caused_by"][0]
    assert depth == TRACE_DEPTH and node["more"] is True and node["title"] == f"i{1100 - TRACE_DEPTH}"
    out = ok(cli("trace", "1100", env={"COLUMNS": "80"}))  # as many levels as leave 40 for the entry
    words = " ".join(out.split())
    assert words.endswith("i1090 [open] ↓ further causes: pmjournal trace 1090") and "#1089" not in words
    assert max(map(len, out.splitlines())) <= 80
    piped = ok(cli("trace", "1100", env={"COLUMNS": ""})).splitlines()  # no terminal: no width to keep to
    assert len(piped) == TRACE_DEPTH + 1
    assert piped[-1].endswith(f"i{1100 - TRACE_DEPTH}  [open]  ↓ further causes: pmjournal trace {1100 - TRACE_DEPTH}")
    assert json.loads(ok(cli("trace", "1100", "--format", "json")))["caused_by"][0]["title"] == "i1099"
    md = tmp_path / "e.md"
    ok(cli("export", "-o", str(md)))
    assert "further causes not shown; see #" in md.read_text(encoding="utf-8")


# -- export / import ---------------------------------------------------------


def test_json_export_import_roundtrip(cli, tmp_path, journal):
    journal.add("decision", {"title": "d 中文 [/]", "owner": "Alice"})
    journal.add("incident", {"title": "i"}, links={"caused_by": ["1"]})
    journal.amend("1", {"owner": "Bob"}, "handover")
    journal.retract("2", "dup")
    out = tmp_path / "export.json"
    ok(cli("export", "--format", "json", "--include-retracted", "-o", str(out)))
    other = tmp_path / "other.json"
    assert "imported 4 records, skipped 0" in ok(cli("--db", str(other), "import", str(out), env={"PMJOURNAL_CONFIG_DIR": str(tmp_path / "c2")}))
    # What was recorded is the same; when and by whom it was written down is the importer's,
    # with the file's own claims kept under `imported`.
    facts = ("seq", "prev_hash", "hash", "recorded_at", "recorded_by", "imported")

    def strip(entry):
        entry = {k: v for k, v in entry.items() if k not in facts}
        entry["history"] = [{k: v for k, v in e.items() if k not in facts} for e in entry["history"]]
        if entry["retracted"]:
            entry["retracted"] = {k: v for k, v in entry["retracted"].items() if k not in facts}
        return entry

    mine = listed(cli, "--include-retracted")
    theirs = listed(cli, "--db", str(other), "--include-retracted")
    assert [strip(e) for e in mine] == [strip(e) for e in theirs]
    for original, imported in zip(mine, theirs, strict=True):
        assert imported["recorded_by"] != "Pat PM"  # the importer, not the file's claim
        assert imported["recorded_at"] > original["recorded_at"]
        origin = imported["imported"]
        assert origin["file"] == str(out) and origin["recorded_by"] == "Pat PM" and origin["recorded_at"] == original["recorded_at"]
        assert origin["seq"] == original["seq"] and origin["head"]["seq"] == 4
    assert theirs[0]["history"][0]["imported"]["recorded_by"] == "Pat PM"
    assert "imported 0 records, skipped 4" in ok(cli("--db", str(other), "import", str(out)))
    assert ok(cli("--db", str(other), "verify")).startswith("ok: 4 records")


def test_import_is_all_or_nothing(cli, tmp_path, journal, forge):
    journal.add("note", {"title": "n"})
    out = tmp_path / "export.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    data = json.loads(out.read_text())
    data["records"].append({**data["records"][0], "id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "kind": "decision"})  # no owner
    forge(out, data)
    other = tmp_path / "other.json"
    proc = cli("--db", str(other), "import", str(out))
    assert proc.returncode == 1 and "nothing was imported" in proc.stderr and "owner" in proc.stderr
    assert not other.exists() or Journal(other).records() == []


@pytest.mark.parametrize("content", ["not json", "[]", '{"format": "pmjournal-export", "version": 99, "records": []}'])
def test_malformed_import_files(cli, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    proc = cli("import", str(bad))
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1


def test_jrnl_import(cli, tmp_path):
    jrnl = {
        "tags": {"@launch": 1},
        "entries": [
            {
                "title": "Met with Acme.",
                "body": "They want saved carts.",
                "date": "2026-10-01",
                "time": "09:30",
                "tags": ["@launch", "@Acme"],
                "starred": True,
            },
            {"title": "", "body": "untitled entry", "date": "2026-10-02", "time": "18:00", "tags": [], "starred": False},
        ],
    }
    path = tmp_path / "jrnl.json"
    path.write_text(json.dumps(jrnl))
    assert "imported 2 records" in ok(cli("import", str(path)))
    first, second = listed(cli)
    assert first["kind"] == "note" and first["title"] == "Met with Acme."
    assert first["tags"] == ["launch", "acme", "starred"]
    assert first["occurred_at"] == "2026-10-01T09:30:00+08:00"
    # titled by its body's first line, as jrnl titles an entry by its first sentence ("(untitled)"
    # said nothing, in English whatever the language); the same file imported again is skipped
    assert second["title"] == "untitled entry"
    assert "imported 0 records, skipped 2" in ok(cli("import", str(path)))  # idempotent


def test_jrnl_import_keeps_identical_entries_and_tags_apart(cli, tmp_path):
    """Two identical jrnl entries (same minute, same text) were imported as one, the second
    skipped as "already present"; @c++, @c# and @c all became the tag "c"."""
    same = {"title": "Standup.", "body": "Nothing new.", "date": "2026-10-01", "time": "09:30", "tags": [], "starred": False}
    tagged = {"title": "Languages.", "body": "", "date": "2026-10-02", "time": "10:00", "starred": False}
    jrnl = {
        "tags": {},
        "entries": [same, dict(same), {**tagged, "tags": ["@c++", "@c#", "@c", "#pricing"]}],
    }
    path = tmp_path / "jrnl.json"
    path.write_text(json.dumps(jrnl))
    assert "imported 3 records, skipped 0" in ok(cli("import", str(path)))
    entries = listed(cli)
    assert [e["title"] for e in entries].count("Standup.") == 2
    assert next(e for e in entries if e["title"] == "Languages.")["tags"] == ["cplusplus", "csharp", "c", "pricing"]
    assert "imported 0 records, skipped 3" in ok(cli("import", str(path)))  # still idempotent


def test_a_jrnl_file_imported_by_an_earlier_version_in_another_zone_is_skipped(cli, db, tmp_path):
    """Versions before 2026-12-04 derived a jrnl entry's id from its time in the local zone.
    The journal in tests/data was written by one (72a82fb^) importing tests/data/jrnl-export.json
    in Europe/London; imported again in Shanghai, the summer entry (+01:00 there) was imported a
    second time, at another instant. The offsets its entries were imported at are in the journal."""
    data = Path(__file__).parent / "data"
    db.parent.mkdir(parents=True)
    shutil.copyfile(data / "jrnl-imported-in-london-by-an-earlier-version.jsonl", db)
    jrnl = tmp_path / "jrnl.json"
    shutil.copyfile(data / "jrnl-export.json", jrnl)
    assert "imported 0 records, skipped 2" in ok(cli("import", str(jrnl)))
    assert [e["title"] for e in listed(cli)] == ["Met with Acme about the launch.", "Standup."]
    assert ok(cli("verify"))


def test_jrnl_tags_written_as_one_string_or_holding_null(cli, tmp_path):
    """A hand-made jrnl file's "tags": "@abc" became the tags a, b and c, and a null the tag "none"."""
    path = tmp_path / "jrnl.json"
    entries = [
        {"title": "One.", "body": "", "date": "2026-10-01", "time": "09:30", "tags": "@abc", "starred": False},
        {"title": "Two.", "body": "", "date": "2026-10-02", "time": "09:30", "tags": [None, "@x"], "starred": False},
    ]
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    ok(cli("import", str(path)))
    assert {e["title"]: e["tags"] for e in listed(cli)} == {"One.": ["abc"], "Two.": ["x"]}


def test_a_jrnl_time_with_an_offset_or_a_date_with_a_time_keeps_it(cli, tmp_path):
    """A hand-made jrnl file's "time": "10:00:00+05:00" was read as 10:00 local time, and
    "date": "2026-01-02T11:30:00+05:00" with no "time" as 00:00 (a robustness hunt)."""
    path = tmp_path / "jrnl.json"
    entries = [
        {"title": "One.", "body": "", "date": "2026-01-01", "time": "10:00:00+05:00", "tags": [], "starred": False},
        {"title": "Two.", "body": "", "date": "2026-01-02T11:30:00+05:00", "tags": [], "starred": False},
    ]
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    ok(cli("import", str(path)))
    assert {e["title"]: e["occurred_at"] for e in listed(cli)} == {
        "One.": "2026-01-01T10:00:00+05:00",
        "Two.": "2026-01-02T11:30:00+05:00",
    }


def test_csv_export(cli, journal, tmp_path):
    journal.add("decision", {"title": '=HYPERLINK("x")', "owner": "A", "consulted": ["B", "C"]})
    out = ok(cli("export", "--format", "csv"))
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["title"] == '\'=HYPERLINK("x")'  # not a formula in a spreadsheet
    assert rows[0]["consulted"] == "B; C"


def test_export_refuses_to_overwrite(cli, tmp_path, journal):
    journal.add("note", {"title": "n"})
    out = tmp_path / "e.json"
    out.write_text("precious")
    proc = cli("export", "--format", "json", "-o", str(out))
    assert proc.returncode == 1 and "--force" in proc.stderr and out.read_text() == "precious"
    ok(cli("export", "--format", "json", "-o", str(out), "--force"))
    assert json.loads(out.read_text())["format"] == "pmjournal-export"


def test_export_through_a_link_writes_its_file_and_only_with_force(cli, tmp_path, journal):
    """`-o link.md --force` replaced the link itself with a file (its target kept the old text),
    and a link to a file not yet there was replaced without --force (a helper's CLI trial)."""
    journal.add("note", {"title": "n"})
    target, link, dangling = tmp_path / "kept.md", tmp_path / "link.md", tmp_path / "dangling.md"
    target.write_text("precious")
    link.symlink_to(target.name)
    dangling.symlink_to("later.md")
    for path in (link, dangling):
        proc = cli("export", "-o", str(path))
        assert proc.returncode == 1 and "--force" in proc.stderr
    assert target.read_text() == "precious" and not (tmp_path / "later.md").exists()
    for path in (link, dangling):
        ok(cli("export", "-o", str(path), "--force"))
        assert path.is_symlink()
    assert target.read_text().startswith("# Evidence trail") and (tmp_path / "later.md").read_text().startswith("# Evidence")


# -- demo -----------------------------------------------------------------------


def test_demo_journal(cli, db):
    out = ok(cli("demo"))
    assert "sample records" in out
    entries = listed(cli, "--include-retracted")
    kinds = {e["kind"] for e in entries}
    assert len(entries) >= 40 and kinds == {"decision", "change", "communication", "risk", "incident", "note"}
    assert any(e["retracted"] for e in entries)
    assert any(e["status"] == "superseded" for e in entries if e["kind"] == "decision")
    assert any(e["history"] for e in entries)
    incidents = [e for e in entries if e["kind"] == "incident"]
    assert len(incidents) >= 2 and all(any(link["rel"] == "caused_by" for link in i["links"]) for i in incidents)
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in e["title"]) for e in entries)
    assert len({e["owner"] for e in entries if e.get("owner")}) >= 5
    assert ok(cli("verify")).startswith("ok")
    before = db.read_bytes()
    again = cli("demo")
    assert again.returncode == 1 and "empty journal" in again.stderr and db.read_bytes() == before


def test_filter_on_folded_view_uses_amended_values(journal):
    journal.add("decision", {"title": "x", "owner": "Alice", "project": "old"})
    journal.amend("1", {"project": "new"}, "moved")
    assert [v["title"] for v in Filter(project="new").apply(journal.views.values())] == ["x"]
    assert Filter(project="old").apply(journal.views.values()) == []
    with pytest.raises(ValidationError):
        Filter(role="boss")


def test_link_wording_is_the_same_everywhere(cli, journal):
    """The reverse of caused_by reads "led to" and of relates "related from" in show and the export alike."""
    journal.add("decision", {"title": "cause", "owner": "A"})
    journal.add("incident", {"title": "outage"}, links={"caused_by": ["1"]})
    journal.add("note", {"title": "aside"}, links={"relates": ["1"]})
    shown = ok(cli("show", "1"))
    assert "led to #2" in shown and "related from #3" in shown
    md = ok(cli("export"))
    assert "- Led to [#2" in md and "- Related from [#3" in md
    assert "- Relates to [#1" in md and "- Caused by [#1" in md


def test_one_definition_of_who_counts(journal):
    """who, the People view, the @person filter and the export agree: roles over live entries,
    `other` for participants/acknowledged/raised, `total` = the entries the filter selects."""
    from pmjournal.core.query import Filter, who

    journal.add("decision", {"title": "d", "owner": "Dana"})
    journal.add("risk", {"title": "r", "owner": "Sam", "raised_to": ["Dana"]})
    journal.add("communication", {"title": "c", "participants": ["Dana"], "acknowledged_by": ["dana"]})
    gone = journal.add("decision", {"title": "x", "owner": "Dana"})
    journal.retract(gone["id"], "wrong")
    views = Filter(include_retracted=True).apply(journal.views.values())
    [dana] = [r for r in who(views, journal.people) if r["person"] == "Dana"]
    assert dana["owner"] == 1  # the retracted decision holds nobody accountable
    assert dana["other"] == 2  # raised to, and participant + acknowledged in one entry
    assert dana["total"] == len(Filter(person="dana", include_retracted=True).apply(views)) == 4
    live = Filter().apply(journal.views.values())
    [dana] = [r for r in who(live, journal.people) if r["person"] == "Dana"]
    assert dana["total"] == len(Filter(person="Dana").apply(live)) == 3


def test_person_on_the_command_line_takes_a_unique_prefix_as_the_apps_at_person_does(cli, tmp_path):
    # `@marcus` in the app finds Marcus Chen; `--person marcus` said "no entries match" and
    # `who --person marcus` "marcus is not named in the entries selected".
    ok(cli("add", "decision", "Cut scope", "--owner", "Marcus Chen", "--informed", "Mia Wong"))
    ok(cli("add", "decision", "Hire", "--owner", "Dana", "--approved-by", "Marcus Chen"))
    ok(cli("add", "decision", "Unrelated call", "--owner", "Dana"))
    titles = lambda *args: [e["title"] for e in listed(cli, *args)]  # noqa: E731
    assert titles("--person", "marcus") == titles("--person", "Marcus Chen") == ["Cut scope", "Hire"]
    assert "Marcus Chen" in ok(cli("who", "--person", "marc"))
    out = tmp_path / "m.md"
    ok(cli("export", "--person", "marcus", "-o", str(out)))
    assert "Cut scope" in out.read_text() and "Unrelated call" not in out.read_text()
    assert "Marcus Chen" in out.read_text().split("## ", 1)[0]  # the header names whom it is about
    # A prefix of two names ("m": Marcus Chen, Mia Wong): no one is guessed, and it says so.
    refused(cli("list", "--person", "m"), "'m' could be Marcus Chen; Mia Wong")


def test_a_links_change_in_the_history_names_the_entries(cli, journal):
    """`show` printed Links: (empty) → {'rel': 'relates', 'to': '01M6VG…'} for an amendment."""
    journal.add("decision", {"title": "First", "owner": "x"})
    journal.add("note", {"title": "Second"})
    ok(cli("amend", "2", "--relates", "1", "--reason", "related"))
    out = ok(cli("show", "2"))
    assert "Links: (empty) → relates to #1" in out and "'rel'" not in out
