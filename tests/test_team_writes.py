"""A correction in a team journal (amend, retract, done) reads the entry from every chain file
here by byte search, as a write to a journal of one author does, instead of loading and
merging every author's chain (issue 16: a 1M-record team journal): what it reads is what a
load gives, the team's order and the rule against a colleague's record reusing an id included."""

import random
import shutil

import orjson
import pytest
from clihelp import never_loaded
from teamhelp import cli, team_of

from pmjournal.core.errors import NotFound, ValidationError
from pmjournal.core.fold import stored
from pmjournal.core.store import Journal

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _loaded(member) -> Journal:
    journal = member.journal()
    journal.records()  # loaded: view_of, by_prefix and in_chain read the merged records
    return journal


def _stored(records) -> list:
    return [stored(r) if r is not None else None for r in records]


def _same_reads(member) -> int:
    """Every entry's view_of, an id prefix and each colleague #seq: the same from the files as loaded."""
    loaded, searched = _loaded(member), member.journal()
    ids = list(loaded.views)
    for entry_id in ids:
        assert searched.view_of(entry_id) == loaded.view_of(entry_id), (member.handle, entry_id)
        # (a loaded entry doubles as its view until amended: compare what is stored)
        assert _stored(searched.by_prefix(entry_id[:12])) == _stored(loaded.by_prefix(entry_id[:12]))
    for handle in loaded.colleague_handles():
        for seq in (1, 2, 3, 99):
            assert _stored([searched.in_chain(handle, seq)]) == _stored([loaded.in_chain(handle, seq)]), (handle, seq)
    assert not searched.storage.loaded, "the searches loaded the journal"
    return len(ids)


def test_corrections_read_each_chain_file_as_a_load_would(tmp_path):
    rng = random.Random(12)
    members = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Lee Park")
    entries: list[str] = []
    for step in range(20):
        member = rng.choice(members)
        journal = member.journal()
        if entries and rng.random() < 0.45:
            try:  # a correction of anyone's entry this machine has: the colleague's chain holds it
                if rng.random() < 0.7:
                    journal.amend(rng.choice(entries), {"owner": rng.choice(["Marcus", "Priya", "Dana Whitfield"])}, f"{step}")
                else:
                    journal.retract(rng.choice(entries), f"step {step}")
            except (ValidationError, NotFound):  # retracted already, the same value, or not synced here
                pass
        else:
            entries.append(journal.add("decision", {"title": f"Call {step}", "owner": "Marcus"})["id"])
        if rng.random() < 0.3:
            member.sync()
    for _ in range(2):
        for member in members:
            member.sync()
    assert sum(_same_reads(member) for member in members) > 25
    views = _loaded(members[0]).views.values()
    crossed = [v for v in views for e in v["history"] if e.get("author") != v.get("author")]
    assert crossed, "no entry was corrected from another author's chain"

    # A copy of Bob's chain on Dana's machine, given records by other means than a sync (which
    # refuses them): one reusing Dana's entry's id, and an amendment of her entry reusing the id
    # of another of hers. A load leaves both out (merge.merged); so must the searches.
    dana = members[0]
    own = [r for r in dana.journal().own_records() if r["kind"] == "decision"]
    copy = dana.journal().team.colleagues()["bob"]
    last = orjson.loads(copy.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    forged = [
        {**own[0], "title": "Bob's version", "seq": last["seq"] + 1, "clock": 10_000},
        {
            "kind": "amendment",
            "id": own[1]["id"],
            "target": own[0]["id"],
            "changes": {"title": {"old": own[0]["title"], "new": "rewritten"}},
            "reason": "forged",
            "recorded_at": last["recorded_at"],
            "recorded_by": "Bob Li",
            "seq": last["seq"] + 2,
            "clock": 10_001,
            "prev_hash": "0" * 64,
            "hash": "0" * 64,
        },
    ]
    with copy.open("ab") as fh:
        fh.write(b"".join(orjson.dumps(r) + b"\n" for r in forged))
    _same_reads(dana)
    assert dana.journal().view_of(own[0]["id"])["title"] == _loaded(dana).view_of(own[0]["id"])["title"] != "rewritten"


def test_a_team_correction_from_the_cli_never_loads_the_journal(tmp_path, monkeypatch):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    bob.journal().add("communication", {"title": "Told the board", "follow_up_by": "2099-12-20", "owner": "Bob Li"})
    bob.sync()
    dana.journal().add("decision", {"title": "Dana's call", "owner": "Dana Whitfield"})
    dana.sync()

    with never_loaded(monkeypatch):
        assert cli(dana, "amend", "bob#1", "--owner", "Lee Park", "--reason", "Lee took it").returncode == 0
        assert cli(dana, "done", "bob#1", "--note", "sent").returncode == 0
        assert cli(dana, "retract", "#1", "--reason", "recorded twice").returncode == 0
    shown = orjson.loads(cli(dana, "show", "bob#1", "--format", "json").stdout)
    assert shown["owner"] == "Lee Park" and [e["kind"] for e in shown["history"]] == ["amendment", "loop"]
    assert orjson.loads(cli(dana, "show", "#1", "--format", "json").stdout)["retracted"]
    assert cli(dana, "verify").returncode == 0
