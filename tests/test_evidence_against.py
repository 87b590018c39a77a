"""`verify --evidence --db` and `verify --since` read the journal as a stream (evidence/against.py):
what they find is what checking against the journal loaded whole finds, corrections made
before and after the export included, and they never load it."""

import pytest
from clihelp import run_cli

from pmjournal.core.demo import write_demo
from pmjournal.core.evidence import against, check
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
    size = ev.statement["chains"]["journal"]["size"]
    scanned = against.Scanned(corrected, {size})
    loaded = Journal(corrected, user="")
    assert check.check_since(ev, {"journal": scanned}) == check.check_since(ev, check.chains_of(loaded)) == []
    assert against.missing(ev, corrected, size, scanned.corrected) == check.check_complete(ev, loaded) == []
    # An export that left its entries out: every one named, the same way both ways.
    ev.records = {}
    found = against.missing(ev, corrected, size, scanned.corrected)
    assert found == check.check_complete(ev, loaded)
    assert len(found) == len(ev.entries) > 0  # each entry the export carried, and no other
    assert all("matches the stated filter but is not in the export" in line for line in found)


def test_verify_since_and_evidence_never_load_the_journal(corrected, tmp_path, monkeypatch):
    path = _evidence(corrected, Filter(person="Dana Whitfield"), tmp_path, "dana.json")

    def refused(*args, **kwargs):
        raise AssertionError("the journal was loaded whole")

    with monkeypatch.context() as patched:
        patched.setattr(Journal, "records", refused)
        patched.setattr(Journal, "views", property(refused))
        assert "ok" in run_cli("--db", str(corrected), "verify", "--evidence", str(path), check=True).stdout
        assert "still extends" in run_cli("--db", str(corrected), "verify", "--since", str(path), check=True).stdout
