"""An export vouches for every chain it shows, and the index follows a chain put back.

Reads (and the index) take the part of a file they covered before as it was, checking
what was appended since: an old record edited in place is found by `verify`, which reads
every byte. An export signed what the index had read while the file held something else:
an own journal edited in place exported with rc 0 (its evidence then failed every check),
and the index built from a colleague's tampered copy kept showing the tampered title after
the copy was put back, so the export showed it above the genuine record while
`verify --evidence` said ok (a helper's team trial)."""

import json

from clihelp import ok, refused
from teamhelp import cli, team_of


def _edit_first_record(path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert data.count(old.encode()) == 1
    path.write_bytes(data.replace(old.encode(), new.encode()))


def test_an_own_journal_edited_in_place_after_it_was_read_is_not_exported(cli_process, tmp_path):
    db = tmp_path / "j.json"
    run = lambda *args: cli_process("--db", str(db), *args)  # noqa: E731
    ok(run("add", "decision", "Ship on 15 Dec", "--owner", "Ann"))
    ok(run("add", "note", "later"))
    ok(run("list"))  # the index now covers both records
    _edit_first_record(db, "Ship on 15 Dec", "Ship on 16 Dec")
    out = tmp_path / "ev.md"
    refused(run("export", "-o", str(out)), "fails verification at #1")
    assert not out.exists()
    # --unverified exports it "marked as unverified throughout", as the refusal says: the
    # reads had vouched for it (nothing appended since), and it went out unmarked, with evidence
    ok(run("export", "--unverified", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    assert "fails verification at #1" in text and 'id="proof"' not in text


def _team_with_a_record_of_danas(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("decision", {"title": "Ship on 15 Dec", "owner": "Dana Whitfield"})
    dana.journal().add("note", {"title": "later"})
    dana.sync()
    bob.journal().add("note", {"title": "bob"})
    bob.sync()
    copy = bob.path.with_name("journal.json.team") / "chains" / "dana.json"
    return dana, bob, copy


def _title_shown(member, ref: str) -> str:
    proc = cli(member, "show", ref, "--format", "json")
    return json.loads(proc.stdout)["title"], proc


def test_a_colleague_copy_edited_in_place_is_not_exported(tmp_path):
    _dana, bob, copy = _team_with_a_record_of_danas(tmp_path)
    ok(cli(bob, "list"))
    _edit_first_record(copy, "Ship on 15 Dec", "Ship on 16 Dec")
    out = tmp_path / "ev.md"
    refused(cli(bob, "export", "-o", str(out)), "the copy of dana's chain here fails verification at dana#1")
    assert not out.exists()


def test_the_index_follows_a_colleague_copy_put_back_after_it_was_read_broken(tmp_path):
    _dana, bob, copy = _team_with_a_record_of_danas(tmp_path)
    good = copy.read_bytes()
    _edit_first_record(copy, "Ship on 15 Dec", "Ship on 16 Dec")
    title, proc = _title_shown(bob, "dana#1")  # the index is built from the tampered copy
    assert title == "Ship on 16 Dec" and "fails verification at dana#1" in proc.stderr
    copy.write_bytes(good)  # put back, in place (the same inode), as a restore or `cp` does
    title, proc = _title_shown(bob, "dana#1")
    assert (title, proc.returncode, proc.stderr) == ("Ship on 15 Dec", 0, "")
    out = tmp_path / "ev.md"
    ok(cli(bob, "export", "-o", str(out)))
    assert "Ship on 16 Dec" not in out.read_text(encoding="utf-8")
    ok(cli(bob, "verify", "--evidence", str(out)))


def test_a_colleague_copy_from_a_newer_pmjournal_is_not_said_to_be_mended_by_deleting_it(tmp_path):
    """Its header names a newer format: "fails verification at dana#0 ... delete it and sync
    takes the chain again" would bring back the same file."""
    _dana, bob, copy = _team_with_a_record_of_danas(tmp_path)
    ok(cli(bob, "list"))
    lines = copy.read_bytes().split(b"\n", 1)
    copy.write_bytes(lines[0].replace(b'"schema":2', b'"schema":9') + b"\n" + lines[1])
    said = refused(cli(bob, "export", "-o", str(tmp_path / "ev.md")), "newer pmjournal")
    assert "#0" not in said and "delete" not in said


def test_an_index_of_a_chain_broken_after_an_id_used_twice_is_not_built_again_on_every_read(tmp_path, cli_process):
    """`verify` names the id used twice (#3), the index's reader the record after it whose hash
    is wrong (#4): the index compared the two, took the chain for mended, and was deleted and
    built again on every read (the review of this stop's change)."""
    from pmjournal.core.store import Journal

    db = tmp_path / "j.json"
    journal = Journal(db, user="Pat PM")
    first = journal.add("decision", {"title": "Ship on 15 Dec", "owner": "Ann"})
    journal.add("note", {"title": "later"})
    journal.append_raw([{k: v for k, v in first.items() if k in ("kind", "id", "title", "owner", "occurred_at", "status")}])
    journal.add("note", {"title": "Ship on 16 Dec"})
    _edit_first_record(db, "Ship on 16 Dec", "Ship on 17 Dec")
    run = lambda *args: cli_process("--db", str(db), *args)  # noqa: E731
    assert "fails verification at #4" in run("list").stderr
    import sqlite3

    index = sqlite3.connect(tmp_path / "j.json.index")
    with index:
        index.execute("INSERT INTO meta VALUES ('built before', 1)")
    index.close()
    assert "fails verification at #4" in run("list").stderr
    index = sqlite3.connect(tmp_path / "j.json.index")
    assert index.execute("SELECT value FROM meta WHERE key = 'built before'").fetchone() == (1,)
    index.close()
    assert "#3" in run("verify").stdout + run("verify").stderr
