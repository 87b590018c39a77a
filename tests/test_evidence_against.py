"""`verify --evidence --db` and `verify --since` read the journal as a stream (evidence/against.py):
what they find is what checking against the journal loaded whole finds (the definition,
`loaded_*` below: the journal's merged records up to the stated heads, folded and filtered),
corrections made before and after the export included, in a journal of one author and in a
team's, and they never load it."""

import shutil

import orjson
import pytest
from clihelp import never_loaded, reworded, run_cli, without_generation_time

from pmjournal.core.demo import write_demo
from pmjournal.core.evidence import against, check
from pmjournal.core.fold import fold, stored
from pmjournal.core.query import Filter
from pmjournal.core.reads import reads_of
from pmjournal.core.store import Journal
from pmjournal.core.transfer import render

FILTERS = [
    Filter(person="Dana Whitfield"),
    Filter(kinds=("decision", "risk")),
    Filter(search="launch"),
    Filter(include_retracted=True),
]


class _HeldChain:
    """A loaded chain, asked what check.check_since asks of one."""

    def __init__(self, records: list[dict]):
        self.first = records[0]["hash"] if records else None
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    def hash_at(self, seq: int) -> str | None:
        return self._records[seq - 1]["hash"]


def loaded_chains(journal) -> dict:
    return {name: _HeldChain(records) for name, records in journal.chains().items()}


def exported_ids(path) -> set:
    """The ids of the records a JSON export holds, read whole."""
    whole = orjson.loads(path.read_bytes())
    chains = [whole.get("records", [])] + [c.get("records", []) for c in whole.get("chains", {}).values()]
    return {r.get("id") for records in chains for r in records}


def shown_entries(path) -> int:
    return len(orjson.loads(path.read_bytes())["entries"])


def loaded_missing(ev, journal, exported: set) -> list[str]:
    """The definition: every entry the stated filter selects in the journal as it stood at the
    stated heads, loaded whole, and not among the `exported` ids."""
    filt = Filter.from_json(ev.statement.get("query") or {})
    own = journal.team.handle or "journal"
    sizes = {name: c["size"] for name, c in ev.statement["chains"].items()}
    at_head = [r for r in journal.records() if r["seq"] <= sizes.get(r.get("author") or own, 0)]
    views = fold([stored(r) for r in at_head])
    wanted = {v["id"]: v for v in filt.apply(views.values(), ordered=False)}
    return [
        f"{wanted[i].get('ref') or '#' + str(wanted[i]['seq'])}: matches the stated filter but is not in the export"
        for i in sorted(set(wanted) - exported)
    ]


def _entries(db, kind: str, dana: bool | None = None) -> list[str]:
    """Ids of live entries of `kind`, oldest first; owned by Dana Whitfield or not, if asked."""
    views = sorted(Journal(db, user="Pat PM").views.values(), key=lambda v: v["seq"])
    return [
        v["id"]
        for v in views
        if v["kind"] == kind and not v["retracted"] and (dana is None or (v.get("owner") == "Dana Whitfield") == dana)
    ]


@pytest.fixture
def corrected(db):
    """The demo with corrections before the export: owners changed both ways, a title, a retraction."""
    journal = Journal(db, user="Pat PM")
    write_demo(journal)
    notes = _entries(db, "note")
    journal.amend(_entries(db, "decision", dana=False)[0], {"owner": "Dana Whitfield"}, "handed over")
    journal.amend(_entries(db, "decision", dana=True)[0], {"owner": "Marcus Chen"}, "Dana handed it on")
    journal.amend(notes[0], {"title": "Launch slips to January"}, "clearer")
    journal.retract(notes[1], reason="recorded twice")
    return db


def _evidence(db, filt: Filter, tmp_path, name: str):
    journal = Journal(db, user="Pat PM")
    reads = reads_of(journal)
    try:
        data = render(reads, filt, "json")
    finally:
        reads.close()
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("n", range(len(FILTERS)))
def test_streamed_checks_find_what_the_loaded_journal_shows(corrected, tmp_path, n):
    filt = FILTERS[n]
    path = _evidence(corrected, filt, tmp_path, f"e{n}.json")
    # Corrections after the export: the check is of the journal as it stood at the stated head.
    later = Journal(corrected, user="Pat PM")
    later.amend(_entries(corrected, "decision", dana=False)[0], {"owner": "Dana Whitfield"}, "after the export")
    later.amend(_entries(corrected, "decision", dana=True)[0], {"owner": "Lee Park"}, "after the export")
    later.retract(_entries(corrected, "note")[2], reason="after the export")
    later.add("note", {"title": "launch note after the export"})
    ev = check.read(path)
    streamed, loaded = against.Against(ev, corrected), Journal(corrected, user="")
    assert check.check_since(ev, streamed) == check.check_since(ev, loaded_chains(loaded)) == []
    assert streamed.complete() == loaded_missing(ev, loaded, exported_ids(path)) == []
    # An export that left its entries out: every one named, the same way both ways.
    found = streamed.complete(exported=set())
    assert found == loaded_missing(ev, loaded, set())
    assert len(found) == shown_entries(path) > 0  # each entry the export carried, and no other
    assert all("matches the stated filter but is not in the export" in line for line in found)


def test_verify_since_and_evidence_never_load_the_journal(corrected, tmp_path, monkeypatch):
    path = _evidence(corrected, Filter(person="Dana Whitfield"), tmp_path, "dana.json")

    with never_loaded(monkeypatch):
        assert "ok" in run_cli("--db", str(corrected), "verify", "--evidence", str(path), check=True).stdout
        assert "still extends" in run_cli("--db", str(corrected), "verify", "--since", str(path), check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_team_journal_is_checked_chain_by_chain_as_its_merged_load_would_be(tmp_path, monkeypatch):
    """Three authors' chains, entries corrected from other chains before and after the export,
    and a copy given a record reusing an id (a load leaves it out): the streamed checks name
    what the merged, loaded journal names, and neither command loads it."""
    from teamhelp import team_of

    dana, bob, lee = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Lee Park")
    ids = {}
    for n, member in enumerate((dana, bob, lee, dana, bob)):
        owner = "Dana Whitfield" if n % 2 == 0 else "Marcus Chen"
        ids[n] = member.journal().add("decision", {"title": f"Call {n}", "owner": owner})["id"]
        member.sync()
    for member in (dana, bob, lee, dana):
        member.sync()
    bob.journal().amend(ids[0], {"owner": "Marcus Chen"}, "Bob took Dana's call")  # from another chain
    lee.journal().amend(ids[1], {"owner": "Dana Whitfield"}, "Lee gave Bob's to Dana")
    for member in (bob, lee, dana):
        member.sync()
    path = _evidence(dana.path, Filter(person="Dana Whitfield"), tmp_path, "team.json")
    bob.journal().amend(ids[3], {"owner": "Dana Whitfield"}, "after the export")
    bob.sync()
    dana.sync()

    with never_loaded(monkeypatch):
        assert "ok" in run_cli("--db", str(dana.path), "verify", "--evidence", str(path), check=True).stdout
        assert "still extends" in run_cli("--db", str(dana.path), "verify", "--since", str(path), check=True).stdout

    def same(path) -> list[str]:
        ev = check.read(path)
        assert set(ev.statement["chains"]) == {"dana", "bob", "lee"}
        streamed, loaded = against.Against(ev, dana.path), Journal(dana.path, user="")
        assert check.check_since(ev, streamed) == check.check_since(ev, loaded_chains(loaded)) == []
        assert streamed.complete() == loaded_missing(ev, loaded, exported_ids(path)) == []
        # an export that left every entry out: each named, the same way both ways
        found = streamed.complete(exported=set())
        assert found == loaded_missing(ev, loaded, set()) and len(found) == shown_entries(path) >= 3
        return found

    assert any(line.startswith(("bob#", "lee#")) for line in same(path))
    # A record reusing Dana's entry's id, put into her copy of Lee's chain by other means (a
    # sync refuses it), before an export: a load leaves it out, and so must the streamed check.
    copy = dana.journal().team.colleagues()["lee"]
    last = orjson.loads(copy.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    forged = {**last, "id": ids[3], "title": "Lee's version", "owner": "Marcus Chen", "seq": last["seq"] + 1}
    with copy.open("ab") as fh:
        fh.write(orjson.dumps(forged) + b"\n")
    forged_export = _evidence(dana.path, Filter(person="Dana Whitfield"), tmp_path, "forged.json")
    lines = same(forged_export)
    assert any(line.startswith("#") for line in lines)  # Dana's own entry, still hers
    # The index keeps the left-out record as a leaf of Lee's chain (it crashed the export, its
    # blocks short of a row): the export is the loaded journal's, proofs included.
    loaded = render(Journal(dana.path, user="Dana Whitfield"), Filter(person="Dana Whitfield"), "json").decode()
    assert without_generation_time(forged_export.read_text(encoding="utf-8")) == without_generation_time(loaded)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_damaged_copy_is_left_out_with_every_id_it_held(tmp_path, monkeypatch):
    """A load leaves a damaged colleague copy out whole, so a record in it that reused another
    colleague's id takes nothing from them. The streamed check wrote that copy's ids to its
    temporary table as it read them, in batches: they go with it (a batch of one here)."""
    from teamhelp import team_of

    dana, bob, lee = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Lee Park")
    bobs = bob.journal().add("decision", {"title": "Bob's call for Dana", "owner": "Dana Whitfield"})
    lee.journal().add("note", {"title": "Lee's note"})
    for member in (bob, lee, dana):
        member.sync()
    path = _evidence(dana.path, Filter(person="Dana Whitfield"), tmp_path, "e.json")
    copy = dana.journal().team.colleagues()["lee"]
    last = orjson.loads(copy.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    with copy.open("ab") as fh:  # Bob's id, earlier in the team's order; then a line that is no record
        fh.write(orjson.dumps({**last, "id": bobs["id"], "seq": last["seq"] + 1, "clock": 0}) + b"\nnot a record\n")
    monkeypatch.setattr(against, "_ID_BATCH", 1)
    ev = check.read(path)
    found = against.Against(ev, dana.path).complete(exported=set())
    assert found == loaded_missing(ev, Journal(dana.path, user=""), set())
    assert "bob#1: matches the stated filter but is not in the export" in found


def test_a_colleague_copy_behind_the_export_says_to_sync_not_that_records_were_removed(tmp_path):
    """Ben's copy of Ann's chain was one sync behind the export Ann made: checking it said
    "the journal ends at #1, before the exported head #2 (records were removed)" (a helper's trial)."""
    from clihelp import ok, refused
    from teamhelp import cli, team_of

    ann, ben = team_of(tmp_path, "Ann Lee", "Ben Ode")
    ann.journal().add("decision", {"title": "Ship", "owner": "Ann Lee"})
    ann.sync()
    ben.journal().add("note", {"title": "ben"})
    ben.sync()
    ann.journal().add("note", {"title": "later"})
    ann.sync()
    path = tmp_path / "ann.md"
    ok(cli(ann, "export", "-o", str(path)))
    for how in ("--since", "--evidence"):
        said = refused(cli(ben, "verify", how, str(path)), "the copy of it here ends at ann#1, before the exported head ann#2")
        assert "run `pmjournal sync`" in said and "removed" not in said
    ben.sync()
    assert "still extends" in ok(cli(ben, "verify", "--since", str(path)))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_links_to_and_from_a_colleagues_entries_hold_on_both_machines(tmp_path):
    """An export of one author's entries names a colleague's entries outside it (`bl#1`); held
    against the journal with --db, on the exporter's machine and on the colleague's, where the
    exporter's own entries are `dw#N` and the colleague's have no author."""
    from teamhelp import Member, bare_remote, cli

    remote = bare_remote(tmp_path)
    dana, bob = Member(tmp_path, "dw", "Dana Whitfield", remote), Member(tmp_path, "bl", "Bob Li", remote)
    risk = bob.journal().add("risk", {"title": "Vendor may slip", "owner": "Bob Li"})["id"]
    bob.sync()
    dana.sync()
    call = dana.journal().add("decision", {"title": "Hold the date", "owner": "Dana Whitfield"}, links={"caused_by": [risk]})["id"]
    dana.sync()
    bob.sync()
    bob.journal().add("note", {"title": "Heard about it"}, links={"relates": [call]})
    bob.sync()
    dana.sync()
    out = tmp_path / "dw.md"
    assert cli(dana, "export", "--author", "dw", "-o", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "- Caused by bl#1 (not in this export)" in text and "- Related from bl#2 (not in this export)" in text
    for member in (dana, bob):
        proc = cli(member, "verify", "--evidence", str(out))
        assert proc.returncode == 0, (member.handle, proc.stderr)
    reworded(out, "- Related from bl#2 (not in this export)", "- Related from bl#1 (not in this export)")
    for member in (dana, bob):
        proc = cli(member, "verify", "--evidence", str(out))
        assert "its links name entries outside the export otherwise than the journal does" in proc.stderr, member.handle


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_an_export_made_before_the_journal_joined_a_team_still_verifies_against_it(tmp_path):
    """Its statement names this journal's chain `journal`; joined, the chain is named by the
    handle, and `verify --since` and `--evidence --db` said "chain journal: this journal does
    not hold it" of every document sent before (docs/team.md: the history keeps its hashes)."""
    from teamhelp import Member, bare_remote, cli

    remote = bare_remote(tmp_path)
    ann, bo = Member(tmp_path, "ann", "Ann Lee", remote), Member(tmp_path, "bo", "Bo Chan", remote)
    ship = ann.journal().add("decision", {"title": "Ship", "owner": "Ann Lee"})["id"]
    ann.journal().add("incident", {"title": "Outage", "owner": "Bo Chan"}, links={"caused_by": [ship]})
    before = tmp_path / "before.md"
    assert cli(ann, "export", "--kind", "incident", "-o", str(before)).returncode == 0
    ann.sync()
    bo.journal().add("note", {"title": "Bo's note"})
    bo.sync()
    ann.sync()
    for args in (("verify", "--evidence", str(before)), ("verify", "--since", str(before))):
        proc = cli(ann, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    # and on the colleague's machine, where it is ann's chain
    for args in (("verify", "--evidence", str(before)), ("verify", "--since", str(before))):
        proc = cli(bo, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    reworded(before, "- Caused by #1 (not in this export)", "- Caused by #3 (not in this export)")
    assert "its links name entries outside the export otherwise" in cli(ann, "verify", "--evidence", str(before)).stderr
