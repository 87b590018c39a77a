"""A record altered past what the reads can show is left out of them, not a traceback.

One byte changed in the middle of a journal ("id" renamed, a title made a number, links
made a string, a stub `{"seq": 3}`) made list, show, who, due, remind, the exports and the
app end in a traceback (a robustness hunt). The journal fails verification at that record,
which each read says in its warning; the records around it are shown."""

import orjson
import pytest
from clihelp import run_cli

from pmjournal.core.store import Journal

DAMAGE = {
    "id renamed": lambda r: {("ie" if k == "id" else k): v for k, v in r.items()},
    "kind removed": lambda r: {k: v for k, v in r.items() if k != "kind"},
    "title a number": lambda r: {**r, "title": 5},
    "owner a list": lambda r: {**r, "owner": ["a"]},
    "tags not text": lambda r: {**r, "tags": [1, None]},
    "links a string": lambda r: {**r, "links": "x"},
    "a link with no target": lambda r: {**r, "links": [{"rel": "relates"}]},
    "no occurred_at": lambda r: {k: v for k, v in r.items() if k != "occurred_at"},
    "a stub": lambda r: {"seq": r["seq"]},
    "id a number": lambda r: {**r, "id": 5},
}


@pytest.mark.parametrize("index", ["on", "off"])
@pytest.mark.parametrize("damage", DAMAGE)
def test_each_read_shows_the_rest_and_names_the_break(db, tmp_path, damage, index):
    journal = Journal(db, user="Pat PM")
    for i in range(1, 6):
        journal.add("decision", {"title": f"call {i}", "owner": "Dana"})
    lines = db.read_bytes().split(b"\n")
    lines[3] = orjson.dumps(DAMAGE[damage](orjson.loads(lines[3])))  # record #3
    db.write_bytes(b"\n".join(lines))
    env = {"PMJOURNAL_INDEX": index}
    for args in (["list"], ["show", "2"], ["who"], ["due"], ["remind"]):
        proc = run_cli("--db", str(db), *args, env=env)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert "fails verification at #3" in proc.stderr, (args, proc.stderr)
    out = tmp_path / "x.md"
    proc = run_cli("--db", str(db), "export", "--unverified", "-o", str(out), env=env)
    assert proc.returncode == 0 and "fails verification at #3" in out.read_text(encoding="utf-8"), proc.stderr
    listed = run_cli("--db", str(db), "list", "--format", "json", env=env)
    assert sorted(e["seq"] for e in orjson.loads(listed.stdout)) == [1, 2, 4, 5]


def test_a_signing_keys_record_past_a_break_is_still_read(db):
    """A key record names no entry (no target): readable() dropped every one past a break, and
    `show` said there was no such record (a review)."""
    from pmjournal.core.readable import readable

    assert readable({"id": "01ABC", "kind": "key", "recorded_at": "2026-12-01T00:00:00Z", "public_key": "ssh-ed25519 AAAA x"})
    assert not readable({"id": "01ABC", "kind": "key", "recorded_at": "2026-12-01T00:00:00Z"})
