"""`verify --evidence` reads an export in pieces (evidence/exportfile.py, evidence/exported.py):
read a few bytes at a time it finds exactly what it finds in one piece, and an entry is still
checked against what the whole export's records fold to (a supersession included)."""

import hashlib
import json

import pytest

from pmjournal.core import jsonstream
from pmjournal.core.demo import write_demo
from pmjournal.core.evidence import check, exportfile, proof
from pmjournal.core.query import Filter
from pmjournal.core.reads import reads_of
from pmjournal.core.store import Journal
from pmjournal.core.transfer import render


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The demo's unsigned exports, whole and of one person, in both formats."""
    folder = tmp_path_factory.mktemp("exports")
    journal = Journal(folder / "journal.json", user="Dana Whitfield")
    write_demo(journal)
    reads = reads_of(Journal(folder / "journal.json", user="Dana Whitfield"))
    out = {}
    try:
        for name, filt in (("all", Filter()), ("marcus", Filter(person="Marcus Chen"))):
            for fmt, suffix in (("markdown", "md"), ("json", "json")):
                path = folder / f"{name}.{suffix}"
                path.write_bytes(render(reads, filt, fmt))
                out[path.name] = path
    finally:
        reads.close()
    return out


def findings(path):
    with check.read(path) as ev:
        return check.check(ev)


@pytest.mark.parametrize("name", ["all.md", "all.json", "marcus.md", "marcus.json"])
def test_read_in_small_pieces_an_export_verifies_as_read_in_large_ones(exports, name, monkeypatch):
    assert findings(exports[name]).problems == []
    # Every piece boundary falls inside a mark, a hash, a record or a character somewhere.
    monkeypatch.setattr(exportfile, "_CHUNK", 97)
    monkeypatch.setattr(jsonstream, "_CHUNK", 61)
    assert findings(exports[name]).problems == []


@pytest.mark.parametrize("name", ["all.md", "all.json"])
def test_a_record_changed_is_named_however_the_file_is_read(exports, name, tmp_path, monkeypatch):
    data = exports[name].read_bytes()
    changed = tmp_path / name
    at = data.rindex(b'"title":"Launch Checkout v2')  # in the records, after the JSON export's entries
    changed.write_bytes(data[:at] + data[at:].replace(b"v2", b"v3", 1))
    whole = findings(changed).problems
    monkeypatch.setattr(exportfile, "_CHUNK", 97)
    monkeypatch.setattr(jsonstream, "_CHUNK", 61)
    assert findings(changed).problems == whole
    assert any("its content does not match its hash" in line for line in whole), whole


def _recomputed(data: bytes) -> bytes:
    """A JSON export whose document was edited, its statement's hash made to match (unsigned:
    nothing shows who made it, so only the records can show what was changed)."""
    at = data.rindex(proof.JSON_MARK)
    whole = json.loads(data)
    old = whole["evidence"]["statement"].split("document sha256:")[1].split("\n")[0]
    return data[:at] + data[at:].replace(old.encode(), hashlib.sha256(data[:at]).hexdigest().encode())


def test_a_superseded_decision_shown_as_current_is_named(exports, tmp_path):
    data = exports["all.json"].read_bytes()
    whole = json.loads(data)
    superseded = [e for e in whole["entries"] if e.get("status") == "superseded"]
    assert superseded, "the demo has a superseded decision"
    entry = superseded[0]
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    assert line in data  # the JSON export writes an entry a line
    edited = tmp_path / "edited.json"
    edited.write_bytes(_recomputed(data.replace(line, line.replace(b'"status":"superseded"', b'"status":"decided"'), 1)))
    problems = findings(edited).problems
    assert problems == [f"#{entry['seq']}: the entry shown differs from its records (status)"]


def test_an_entry_shown_twice_is_checked_as_a_json_reader_reads_it(exports, tmp_path):
    """The last of two entries with one id is the one a dict of them keeps; that there are two
    is named (a made-up copy put first passed: a reader may take either)."""
    data = exports["all.json"].read_bytes()
    whole = json.loads(data)
    entry = whole["entries"][0]
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    forged = json.dumps({**entry, "owner": "Somebody Else"}, ensure_ascii=False, separators=(",", ":")).encode()
    edited = tmp_path / "twice.json"
    edited.write_bytes(_recomputed(data.replace(line, line + b",\n    " + forged, 1)))
    assert findings(edited).problems == [
        f"#{entry['seq']}: the entry shown differs from its records (owner)",
        f"entry {entry['id']}: shown twice",
    ]
