"""A colleague's copy rewritten on this machine is caught against what the machine took of it.

From a user trial: Lee's chain, as kept on Dana's machine (chains/lee.json), had one record
changed and every hash after it recomputed. `verify` said "lee: ok" (and wrote the forged head
into the copy's `.checked` memo), `list` showed the forgery, `sync` said "lee's history was
rewritten on the remote" and kept the forged copy, and `export` exported it, while the team's
private git repository still held what Lee had pushed. Tested with real git, as the other
team tests are (team/witness.py)."""

import json
import shutil
import subprocess

import pytest
from clihelp import ok, refused
from teamhelp import cli, edited, force_push_chain, rechained, team_of

from pmjournal.core.ids import new_id
from pmjournal.core.team import git as git_module
from pmjournal.core.team.layout import Team
from pmjournal.core.team.witness import TAKEN

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _synced(tmp_path, records: int = 3):
    """Dana's `records` notes, taken by Bob: (dana, bob, Bob's copy of Dana's chain)."""
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    for n in range(records):
        dana.journal().add("decision", {"title": f"dana {n}", "owner": "Dana"})
    dana.sync()
    bob.journal().add("note", {"title": "bob"})
    bob.sync()
    return dana, bob, Team(bob.path).chain_path("dana")


def _rehashed(copy, seq: int, **fields) -> None:
    """The copy with record #seq changed and every hash after it recomputed: valid on its own."""
    lines = copy.read_bytes().rstrip(b"\n").split(b"\n")
    record = json.loads(lines[seq])
    record.update(fields)
    lines[seq] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    copy.write_bytes(rechained(lines))


def _owners(member) -> dict[str, str]:
    listed = json.loads(ok(cli(member, "list", "--format", "json")))
    return {e["ref"]: e.get("owner") for e in listed if e.get("author") == "dana"}


def test_verify_names_a_copy_rewritten_and_rehashed_here_and_writes_no_memo_of_it(tmp_path):
    _dana, bob, copy = _synced(tmp_path)
    _rehashed(copy, 2, owner="Bob")
    said = refused(cli(bob, "verify"), "dana: the copy of dana's chain here was changed on this machine: dana#2 differs")
    assert str(copy) in said and "`pmjournal sync` puts back" in said
    assert not copy.with_name(copy.name + ".checked").exists()  # it said "ok" and wrote one of the forgery


def test_a_memo_written_before_the_rewrite_keeps_the_head_that_was_checked(tmp_path):
    _dana, bob, copy = _synced(tmp_path)
    ok(cli(bob, "verify"))
    memo = copy.with_name(copy.name + ".checked")
    before = memo.read_bytes()
    _rehashed(copy, 1, title="never decided")
    refused(cli(bob, "verify", "--quick"), "dana#1 differs from what this machine last took from the remote")
    refused(cli(bob, "verify"), "dana#1 differs from what this machine last took from the remote")
    assert memo.read_bytes() == before


def test_an_export_is_refused_while_a_copy_was_changed_here(tmp_path):
    _dana, bob, copy = _synced(tmp_path)
    ok(cli(bob, "list"))  # the index covers the copy as taken
    _rehashed(copy, 2, owner="Bob")
    out = tmp_path / "ev.md"
    refused(cli(bob, "export", "-o", str(out)), "the copy of dana's chain here was changed on this machine: dana#2 differs")
    assert not out.exists()
    ok(cli(bob, "export", "--unverified", "-o", str(out)))
    assert "dana#2" in out.read_text(encoding="utf-8")


def test_sync_puts_back_a_copy_changed_here_and_blames_nobody_else(tmp_path):
    dana, bob, copy = _synced(tmp_path)
    taken = copy.read_bytes()
    _rehashed(copy, 2, owner="Bob")
    forged = copy.read_bytes()
    proc = cli(bob, "sync")
    assert proc.returncode == 0, proc.stderr
    assert "the copy of dana's chain here had been changed on this machine: dana#2 differs" in proc.stderr
    assert "remote" not in proc.stderr.split("differs")[0] and "rewritten on the remote" not in proc.stderr
    assert copy.read_bytes() == taken
    (aside,) = copy.parent.glob("dana.json.changed-*")
    assert aside.read_bytes() == forged and str(aside) in proc.stderr
    ok(cli(bob, "verify"))
    assert _owners(bob)["dana#2"] == "Dana"
    # and Dana's next records are taken on top of what was put back
    dana.journal().add("note", {"title": "dana 3"})
    dana.sync()
    _rehashed(copy, 1, title="never decided")
    report = bob.sync()
    assert report.refused == {} and report.fetched == {"dana": 1} and "dana#1 differs" in report.put_back["dana"]
    assert copy.read_bytes() == dana.path.read_bytes()
    ok(cli(bob, "verify"))


def test_records_added_to_a_copy_here_are_named_and_taken_out(tmp_path):
    """A record appended to Dana's chain on Bob's machine chains on and holds; sync said the
    remote had dropped it ("records were dropped. Kept the copy here")."""
    dana, bob, copy = _synced(tmp_path)
    taken = copy.read_bytes()
    lines = taken.rstrip(b"\n").split(b"\n")
    extra = json.loads(lines[3])
    extra.update(seq=4, id=new_id(), title="an extra decision")
    copy.write_bytes(rechained([*lines, json.dumps(extra).encode()]))
    refused(cli(bob, "verify"), "it goes on past dana#3, the last record this machine took from the remote")
    report = bob.sync()
    assert report.refused == {} and "goes on past dana#3" in report.put_back["dana"]
    assert copy.read_bytes() == taken


def test_records_removed_from_a_copy_here_are_named(tmp_path):
    _dana, bob, copy = _synced(tmp_path)
    taken = copy.read_bytes()
    copy.write_bytes(b"".join(line + b"\n" for line in taken.rstrip(b"\n").split(b"\n")[:3]))
    refused(cli(bob, "verify"), "it ends at dana#2, before the last record this machine took from the remote")
    bob.sync()  # Dana's chain on the remote goes on from the copy: taken again
    assert copy.read_bytes() == taken
    ok(cli(bob, "verify"))


def test_a_copy_changed_here_while_the_remote_was_rewritten_is_put_back_and_the_remote_refused(tmp_path):
    dana, bob, copy = _synced(tmp_path)
    taken = copy.read_bytes()
    lines = dana.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(dana, rechained(edited(lines, 1, "rewritten on the remote")))
    _rehashed(copy, 2, owner="Bob")
    report = bob.sync()
    assert "dana#2 differs" in report.put_back["dana"]
    assert "dana's history was rewritten on the remote: dana#1 differs from the copy here" in report.refused["dana"]
    assert copy.read_bytes() == taken
    proc = cli(bob, "verify")
    assert proc.returncode == 1 and "dana: the last sync refused the remote's copy" in proc.stderr
    assert "changed on this machine" not in proc.stderr


def test_a_remote_rewrite_is_still_the_remotes(tmp_path):
    """The witness agrees with the copy: what differs is the remote's, as before."""
    dana, bob, copy = _synced(tmp_path)
    lines = dana.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(dana, rechained(edited(lines, 2, "rewritten on the remote")))
    report = bob.sync()
    assert report.put_back == {} and "rewritten on the remote: dana#2 differs" in report.refused["dana"]
    assert "changed on this machine" not in cli(bob, "verify").stderr


def test_without_the_taken_refs_the_fetched_ones_witness_the_copy(tmp_path):
    """A team folder synced before the taken refs existed has only what was fetched."""
    _dana, bob, copy = _synced(tmp_path)
    git = Team(bob.path).git_dir
    subprocess.run(["git", "--git-dir", str(git), "update-ref", "-d", f"{TAKEN}dana"], check=True)
    _rehashed(copy, 2, owner="Bob")
    refused(cli(bob, "verify"), "dana#2 differs from what this machine last took from the remote")
    assert "dana#2 differs" in bob.sync().put_back["dana"]


def test_without_the_git_folder_the_memo_is_the_witness_and_sync_names_the_copy(tmp_path):
    """The team's git folder can be deleted: the copy's `.checked` memo, which `verify` left,
    then says it was rewritten here, and sync names the copy rather than the remote."""
    _dana, bob, copy = _synced(tmp_path)
    ok(cli(bob, "verify"))
    shutil.rmtree(Team(bob.path).git_dir)
    _rehashed(copy, 2, owner="Bob")
    said = refused(cli(bob, "verify"), "the copy here carries another hash than when it was last verified on this machine")
    assert "rewritten and rehashed here at or before dana#3" in said
    refusal = bob.sync().refused["dana"]
    assert "the copy of dana's chain here fails verification" in refusal and "rewritten on the remote" not in refusal
    copy.unlink()  # as the refusal says
    assert bob.sync().refused == {}
    ok(cli(bob, "verify"))


def test_a_sync_that_names_the_remote_writes_no_memo_of_the_copy(tmp_path):
    """Without a witness (no git folder, no memo) a rewritten copy cannot be told from a remote
    rewrite; the sync's own check of the copy wrote its memo, which then vouched for it."""
    _dana, bob, copy = _synced(tmp_path)
    shutil.rmtree(Team(bob.path).git_dir)
    _rehashed(copy, 2, owner="Bob")
    assert "dana" in bob.sync().refused
    assert not copy.with_name(copy.name + ".checked").exists()


def _git_runs(monkeypatch) -> list:
    """The git processes run from now on (each one's arguments), as they are run."""
    runs = []
    run = subprocess.run

    def counting(args, *a, **k):
        if str(args[0]).endswith("git"):
            runs.append(args)
        return run(args, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    return runs


def test_verify_reads_the_witnesses_of_a_whole_team_in_three_git_processes(tmp_path, monkeypatch):
    """A `git ls-tree` and a `git cat-file` per colleague was ~5 ms each on every export."""
    dana, bob, carol = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Carol Wu")
    for member in (dana, carol):
        member.journal().add("note", {"title": member.handle})
        member.sync()
    bob.sync()
    runs = _git_runs(monkeypatch)
    # as a new process finds them: nothing of git's answers kept from the syncs above
    monkeypatch.setattr(git_module, "_TREES", git_module._ByObjectId(4096, lambda files: 1))
    monkeypatch.setattr(git_module, "_BLOBS", git_module._ByObjectId(32 << 20, len))
    ok(cli(bob, "verify"))
    assert len(runs) == 3, runs


def test_a_copy_edited_here_without_rehashing_is_named_by_its_chain_and_put_back_by_sync(tmp_path):
    _dana, bob, copy = _synced(tmp_path)
    taken = copy.read_bytes()
    copy.write_bytes(taken.replace(b'"dana 1"', b'"dana X"'))
    refused(cli(bob, "verify"), "dana: broken at dana#2")  # its own chain says where, as before
    report = bob.sync()
    assert report.refused == {} and "dana#2 differs" in report.put_back["dana"]
    assert copy.read_bytes() == taken


def _cut_before_the_witness_moves(monkeypatch):
    """A sync killed after it wrote the copies and before it moved refs/taken (the moment a
    laptop lid closes or ctrl+c lands): `git update-ref` of the taken refs never runs."""
    run = git_module.Git.run

    def cut(self, *args, **kwargs):
        if args[:2] == ("update-ref", "--stdin") and TAKEN.encode() in (kwargs.get("input") or b"") and b"update " in kwargs["input"]:
            raise KeyboardInterrupt
        return run(self, *args, **kwargs)

    monkeypatch.setattr(git_module.Git, "run", cut)


def _cut_sync(tmp_path, monkeypatch):
    """Bob's sync, taking a new record of Dana's, cut after it wrote the copy: (bob, the copy)."""
    dana, bob, copy = _synced(tmp_path)
    dana.journal().add("decision", {"title": "dana late", "owner": "Dana"})
    dana.sync()
    with monkeypatch.context() as m:
        _cut_before_the_witness_moves(m)
        with pytest.raises(KeyboardInterrupt):
            bob.sync()
    return bob, copy


def test_a_sync_cut_short_after_writing_a_copy_leaves_no_false_alarm(tmp_path, monkeypatch):
    """The copy was then ahead of its witness, and `verify` and every export said it had been
    "changed on this machine" until the next sync: a false accusation of tampering."""
    bob, copy = _cut_sync(tmp_path, monkeypatch)
    assert b"dana late" in copy.read_bytes()  # the copy was written: the cut came after it
    ok(cli(bob, "verify"))
    ok(cli(bob, "export", "-o", str(tmp_path / "ev.md")))
    report = bob.sync()  # the next sync finishes the move
    assert report.refused == {} and report.put_back == {}
    ok(cli(bob, "verify"))


def test_a_copy_rewritten_after_a_cut_sync_is_still_named(tmp_path, monkeypatch):
    """What the cut sync was taking witnesses the copy exactly; a forgery on top is caught."""
    bob, copy = _cut_sync(tmp_path, monkeypatch)
    _rehashed(copy, 2, owner="Bob")
    refused(cli(bob, "verify"), "dana: the copy of dana's chain here was changed on this machine: dana#2 differs")


def test_a_sync_cut_short_inside_its_append_is_finished_by_the_next(tmp_path, monkeypatch):
    """The next sync appended what it took after the cut line: the copy was broken for good."""
    bob, copy = _cut_sync(tmp_path, monkeypatch)
    whole = copy.read_bytes()
    copy.write_bytes(whole[:-40])  # the append cut inside its last line
    ok(cli(bob, "verify"))
    report = bob.sync()
    assert report.refused == {} and report.put_back == {}
    assert copy.read_bytes() == whole
    ok(cli(bob, "verify"))


def test_reading_commands_say_a_copy_was_changed_here(tmp_path):
    """`show dana#2` printed the rewritten record with exit 0, for anyone to paste (a user trial):
    every reading command now says the copy was changed here, and exits 1, as it does for a
    chain that fails verification."""
    _dana, bob, copy = _synced(tmp_path)
    assert cli(bob, "list").returncode == 0
    _rehashed(copy, 2, owner="Bob")
    for command in (("list",), ("show", "dana#2"), ("who",), ("due",)):
        proc = cli(bob, *command)
        assert proc.returncode == 1, command
        assert "the copy of dana's chain here was changed on this machine" in proc.stderr
    bob.sync()  # puts back what was taken
    assert cli(bob, "list").returncode == 0


def test_a_read_asks_git_again_only_when_a_copy_or_a_ref_moved(tmp_path, monkeypatch):
    """Three git processes more for every `list` of a team journal: what was found is kept in
    witnessed.json with the stamps of the files it was found of."""
    from pmjournal.core.team import witness

    _dana, bob, copy = _synced(tmp_path)
    ok(cli(bob, "list"))
    runs = _git_runs(monkeypatch)
    monkeypatch.setattr(witness, "_CHANGED", {})  # as a new process finds it
    ok(cli(bob, "list"))
    assert runs == []
    _rehashed(copy, 2, owner="Bob")
    monkeypatch.setattr(witness, "_CHANGED", {})
    assert cli(bob, "list").returncode == 1 and runs
