"""Team journals through git (`pmjournal sync`), tested with real git and bare repositories."""

import json
import os
import shutil
import subprocess

import pytest
from clihelp import ok, refused, run_cli
from teamhelp import REWRITES, Member, cli, force_push_chain, rewritten_on_the_remote, team_of

from pmjournal.core.store import Journal
from pmjournal.core.team import segments
from pmjournal.core.team import sync as sync_module
from pmjournal.core.team.git import Git, SyncError
from pmjournal.core.team.layout import Team

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def titles(journal: Journal) -> list[str]:
    return sorted(v["title"] for v in journal.views.values())


def test_two_people_keep_one_trail(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("decision", {"title": "Ship on Friday", "owner": "Dana"})
    report = dana.sync()
    assert report.created_team and report.pushed == 1
    bob.journal().add("risk", {"title": "Vendor limits", "owner": "Bob"})
    assert bob.sync().fetched == {"dana": 1}
    assert dana.sync().fetched == {"bob": 1}
    for member in (dana, bob):
        assert titles(member.journal()) == ["Ship on Friday", "Vendor limits"]
    shown = ok(cli(bob, "show", "dana#1"))
    assert "Ship on Friday" in shown
    assert ok(cli(bob, "show", "#1")).count("Vendor limits") == 1  # #1 alone is one's own
    refused(cli(bob, "show", "carol#1"), "no author 'carol'")


def test_sync_remembers_the_remote_and_prints_what_it_did(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "Kick-off"})
    out = ok(cli(dana, "sync", str(dana.remote), "--as", "dana"))
    assert "started a team journal" in out and "pushed 1 record" in out
    dana.journal().add("note", {"title": "Second"})
    assert "pushed 1 record, took 0" in ok(cli(dana, "sync"))
    assert Team(dana.path).state()["remote"] == str(dana.remote)


def test_a_remote_given_as_a_relative_path_is_remembered_wherever_the_next_sync_runs(tmp_path, monkeypatch):
    # `pmjournal sync ../remote.git` kept '../remote.git' as typed: the next `pmjournal sync`
    # from another folder failed with "'../remote.git' does not appear to be a git repository".
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "Kick-off"})
    monkeypatch.chdir(dana.path.parent)
    relative = os.path.relpath(dana.remote, dana.path.parent)
    assert relative.startswith("..")
    assert "pushed 1 record" in ok(cli(dana, "sync", relative, "--as", "dana"))
    assert Team(dana.path).state()["remote"] == str(dana.remote)
    monkeypatch.chdir(tmp_path.parent)
    dana.journal().add("note", {"title": "Second"})
    assert "pushed 1 record, took 0" in ok(cli(dana, "sync"))
    # A URL or an scp-like address is kept as written.
    assert sync_module.remembered("git@github.com:acme/pm.git") == "git@github.com:acme/pm.git"
    assert sync_module.remembered("https://example.com/pm.git") == "https://example.com/pm.git"
    assert sync_module.remembered("file:///srv/pm.git") == "file:///srv/pm.git"


def test_a_single_user_journal_has_no_team_folder_and_reads_as_before(tmp_path, journal):
    journal.add("note", {"title": "Alone"})
    assert not Team(journal.path).joined
    assert not Team(journal.path).root.exists()
    assert "clock" not in journal.records()[0]


def test_an_existing_journal_joins_with_its_history_and_still_verifies(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    old = dana.journal()
    first = old.add("decision", {"title": "Before the team", "owner": "Dana"})
    old.amend(first["id"], {"owner": "Marcus"}, "handover")
    dana.sync()
    bob.sync()
    later = bob.journal().add("incident", {"title": "Outage", "owner": "Bob"}, {"caused_by": ["dana#1"]})
    bob.sync()
    dana.sync()
    journal = dana.journal()
    assert journal.get("#1")["owner"] == "Marcus"
    assert journal.by_id(later["id"])["links"] == [{"rel": "caused_by", "to": first["id"]}]
    assert "clock" in later and later["clock"] > 2  # after all it had seen
    for member in (dana, bob):
        assert "ok: 2 records" in ok(cli(member, "verify"))


def test_a_lost_laptop_clones_and_carries_on(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    for n in range(3):
        dana.journal().add("note", {"title": f"note {n}"})
    dana.sync()
    bob.journal().add("note", {"title": "from Bob"})
    bob.sync()
    shutil.rmtree(dana.path.parent)  # the laptop is gone
    report = dana.sync()
    assert report.restored == 3 and report.fetched == {"bob": 1}
    dana.journal().add("note", {"title": "after the restore"})
    assert dana.sync().pushed == 1
    assert bob.sync().fetched == {"dana": 1}
    assert len(bob.journal().views) == 5
    assert "ok: 4 records" in ok(cli(dana, "verify"))


def test_concurrent_amendments_are_both_kept_in_the_same_order_everywhere(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    entry = dana.journal().add("decision", {"title": "Pricing", "owner": "Dana"})
    dana.sync()
    bob.sync()
    dana.journal().amend(entry["id"], {"owner": "Marcus"}, "Dana heard it was Marcus")
    bob.journal().amend(entry["id"], {"owner": "Priya"}, "Bob heard it was Priya")
    for member in (dana, bob, dana):
        member.sync()
    views = [member.journal().by_id(entry["id"]) for member in (dana, bob)]
    assert views[0]["owner"] == views[1]["owner"]
    histories = [[(e["reason"], e.get("concurrent", False)) for e in v["history"]] for v in views]
    assert histories[0] == histories[1]
    assert [flag for _, flag in histories[0]] == [True, True]
    # A later amendment that saw both is not concurrent.
    dana.journal().amend(entry["id"], {"owner": "Dana"}, "settled in the meeting")
    dana.sync()
    bob.sync()
    assert bob.journal().by_id(entry["id"])["history"][-1].get("concurrent") is None


# -- rewrites of history are caught ------------------------------------------


THREE = ("Dana Whitfield", "Bob Li", "Carol Wu")


@pytest.fixture(scope="module")
def three_synced(tmp_path_factory):
    """Dana, Bob and Carol, each synced once with Dana's four notes: built once for the
    module (a team of three and its syncs start ~50 git processes), copied by each test."""
    root = tmp_path_factory.mktemp("three-synced")
    members = team_of(root, *THREE)
    for n in range(4):
        members[0].journal().add("note", {"title": f"dana {n}"})
    for member in members:
        member.sync()
    return root


def copy_of(built, tmp_path):
    """The team `built` holds, copied under tmp_path (sync is given the remote's path each time)."""
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    remote = tmp_path / "remote.git"
    return [Member(tmp_path, name.split()[0].lower(), name, remote) for name in THREE]


@pytest.mark.parametrize("how", sorted(REWRITES))
def test_a_force_pushed_rewrite_is_refused_and_named_by_everyone_else(tmp_path, how, three_synced):
    dana, bob, carol = copy_of(three_synced, tmp_path)
    lines = dana.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(dana, REWRITES[how](lines))
    before = bob.path.with_name("journal.json.team").joinpath("chains", "dana.json").read_bytes()
    for witness in (bob, carol):
        report = witness.sync()
        assert "dana" in report.refused
        assert "dana#" in report.refused["dana"] and "Kept the copy here" in report.refused["dana"]
        assert titles(witness.journal()) == ["dana 0", "dana 1", "dana 2", "dana 3"]
        proc = cli(witness, "verify")
        assert proc.returncode == 1 and "dana: the last sync refused" in proc.stderr
    assert bob.path.with_name("journal.json.team").joinpath("chains", "dana.json").read_bytes() == before
    # Dana's own machine sees that the remote no longer holds what it wrote: a cut
    # chain it pushes again (then the others take it), anything else it refuses.
    if how == "drop":
        assert "the remote had lost dana#3-#4" in " ".join(dana.sync().lines())
        assert bob.sync().refused == {}
        assert titles(bob.journal()) == ["dana 0", "dana 1", "dana 2", "dana 3"]
    else:
        with pytest.raises(SyncError, match="your own chain"):
            dana.sync()


@pytest.mark.parametrize(
    "tail",
    [b"not a record\n", b'{"kind":"note","seq":5,"title":"forged","hash":"00","prev_hash":"00"}\n'],
    ids=["garbage", "bad-hash"],
)
def test_a_colleague_chain_that_does_not_verify_on_the_remote_is_refused_in_one_line(tmp_path, tail, three_synced):
    """Appended to, on the remote, with a line that is not a record or a record whose hash
    is wrong: sync ended in a traceback (UnboundLocalError or TypeError: the check's loop
    variable `_` hid gettext's), for a witness and for a member syncing for the first time."""
    dana, bob, carol = copy_of(three_synced, tmp_path)
    force_push_chain(dana, dana.path.read_bytes() + tail)
    newcomer = Member(tmp_path, "erin", "Erin Park", dana.remote)
    newcomer.journal().add("note", {"title": "erin 0"})
    for member in (bob, newcomer):
        report = member.sync()
        assert "dana#5 does not verify" in report.refused["dana"]
    assert titles(bob.journal()) == ["dana 0", "dana 1", "dana 2", "dana 3"]
    # the others' chains are still taken: Erin's first sync pushed hers
    assert list(bob.sync().refused) == ["dana"]
    assert "erin 0" in titles(bob.journal())


def test_a_copy_edited_here_is_named_not_the_colleague_or_the_remote(tmp_path, three_synced):
    """Bob's copy of Dana's chain was edited on his machine; his next sync said "dana's
    history was rewritten on the remote", accusing Dana and a remote nobody had touched."""
    dana, bob, _carol = copy_of(three_synced, tmp_path)
    copy = bob.path.with_name("journal.json.team").joinpath("chains", "dana.json")
    copy.write_bytes(copy.read_bytes().replace(b'"dana 0"', b'"dana X"'))
    dana.journal().add("note", {"title": "dana 4"})
    dana.sync()
    # What Bob's machine took of Dana's chain is there to put back (test_team_witness.py);
    # without it (the team's git folder deleted), the copy's own check names it.
    shutil.rmtree(Team(bob.path).git_dir)
    refusal = bob.sync().refused["dana"]
    assert "the copy of dana's chain here fails verification at dana#1" in refusal
    assert "remote" not in refusal and str(copy) in refusal
    copy.unlink()  # as the refusal says
    assert bob.sync().refused == {}
    assert titles(bob.journal()) == ["dana 0", "dana 1", "dana 2", "dana 3", "dana 4"]


def test_one_record_lost_on_the_remote_is_named_once(tmp_path, three_synced):
    """It said "the remote had lost dana#4-#4 of your chain ... pushed them again"."""
    dana, _bob, _carol = copy_of(three_synced, tmp_path)
    lines = dana.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(dana, b"".join(line + b"\n" for line in lines[:4]))
    said = " ".join(dana.sync().lines())
    assert "the remote had lost dana#4 of your chain" in said and "pushed it again" in said


def test_a_handle_another_member_has_is_said_to_be_taken(tmp_path):
    """`sync --as ann` from Bob's journal, where Ann already syncs as ann, said "the remote's copy
    of your own chain (ann) differs from this journal at its header: it was rewritten there, or
    this file was" (a helper's team trial)."""
    (ann,) = team_of(tmp_path, "Ann Lee")
    ann.journal().add("note", {"title": "ann's"})
    ann.sync()
    bob = Member(tmp_path / "bob", "ann", "Bob Li", ann.remote)
    bob.journal().add("note", {"title": "bob's"})
    with pytest.raises(SyncError, match="not this journal's: another member's handle") as refused_sync:
        bob.sync()
    assert "--as" in str(refused_sync.value) and "rewritten" not in str(refused_sync.value)


def test_a_journal_behind_its_own_chain_on_the_remote_says_so(tmp_path):
    """Put back from an older copy, the journal was told the remote "differs from this journal
    at dana#3", a record it does not have (a helper's team trial)."""
    (dana,) = team_of(tmp_path, "Dana Whitfield")
    for n in range(2):
        dana.journal().add("note", {"title": f"dana {n}"})
    dana.sync()
    older = dana.path.read_bytes()
    dana.journal().add("note", {"title": "dana 2"})
    dana.sync()
    dana.path.write_bytes(older)
    with pytest.raises(SyncError, match="behind its own chain"):
        dana.sync()


def test_the_first_differing_record_is_named(tmp_path):
    dana, bob = rewritten_on_the_remote(tmp_path)
    assert "dana#3 differs" in bob.sync().refused["dana"]


def test_a_refused_sync_of_ones_own_chain_is_what_verify_says_next(tmp_path):
    """The sync said 'Nothing was pushed; run `pmjournal verify`', and verify said ok (the
    rewritten file holds on its own), exit 0: the refusal is now kept for it, as a
    colleague's is, until a sync goes through."""
    from teamhelp import edited, rechained

    (dana,) = team_of(tmp_path, "Dana Whitfield")
    dana.journal().add("note", {"title": "said in the meeting"})
    dana.journal().add("note", {"title": "another"})
    dana.sync()
    original = dana.path.read_bytes()
    lines = original.splitlines()
    dana.path.write_bytes(rechained(edited(lines, 1, "never said")))
    # The file alone holds, but not against what this machine pushed: verify said ok, and an
    # export signed the rewrite (a user trial).
    for quick in ((), ("--quick",)):
        said = refused(cli(dana, "verify", *quick), "dana (you): broken at #1: #1 differs from what this machine pushed")
        assert "rewritten here after it was pushed" in said
    refused(cli(dana, "export", "-o", str(tmp_path / "ev.md")), "fails verification at #1")
    assert not (tmp_path / "ev.md").exists()
    with pytest.raises(SyncError, match="differs from this journal at dana#1.*run `pmjournal verify`"):
        dana.sync()
    proc = cli(dana, "verify")
    assert proc.returncode == 1
    assert "dana: the last sync refused the remote's copy: the remote's copy of your own chain (dana) differs" in proc.stderr
    assert "run `pmjournal verify`" not in proc.stderr  # verify repeated the sync's advice to run itself
    dana.path.write_bytes(original)  # put back: the next sync goes through, and verify is content
    dana.sync()
    ok(cli(dana, "verify"))


def test_a_refused_first_sync_leaves_a_single_user_journal_as_it_was(tmp_path):
    """A first sync under a handle the remote already holds for another chain was refused, and
    still wrote team.json (the refusal, for verify): the journal then read as a team journal
    with no handle ('None (you): ok')."""
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "Dana's"})
    dana.sync()
    bob.journal().add("note", {"title": "Bob's"})
    with pytest.raises(SyncError):
        sync_module.sync(bob.path, str(bob.remote), "dana", bob.name)
    assert not Team(bob.path).joined
    out = ok(cli(bob, "verify"))
    assert out.startswith("ok: 1 record")


# -- bad remotes: one line, nothing local changed --------------------------


def snapshot(member):
    files = {}
    for root, _dirs, names in os.walk(member.path.parent):
        for name in names:
            path = os.path.join(root, name)
            if "/git/" not in path and not name.endswith(".lock"):
                files[path] = open(path, "rb").read()
    return files


@pytest.mark.parametrize(
    ("remote", "fragment"),
    [
        ("plain-folder", "does not appear to be a git repository"),
        ("missing", "reaching"),
        ("code-repo", "not a pmjournal team journal"),
        ("other-team", "another team's journal"),
    ],
)
def test_bad_remotes_give_one_line_and_change_nothing(tmp_path, remote, fragment):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "mine"})
    dana.sync()
    target = tmp_path / remote
    if remote == "plain-folder":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    elif remote == "code-repo":
        subprocess.run(["git", "init", "-q", str(target)], check=True)
        (target / "a.txt").write_text("code")
        subprocess.run(["git", "-C", str(target), "add", "a.txt"], check=True)
        subprocess.run(["git", "-C", str(target), "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "x"], check=True)
    elif remote == "other-team":
        other = team_of(tmp_path / "other", "Zed Other")[0]
        other.journal().add("note", {"title": "theirs"})
        other.sync()
        target = other.remote
    dana.journal().add("note", {"title": "not pushed yet"})
    before = snapshot(dana)
    proc = cli(dana, "sync", str(target))
    refused(proc, fragment)
    assert snapshot(dana) == before


def test_a_team_folder_that_cannot_be_made_is_one_line(tmp_path):
    """A file where the journal's .team folder goes (or a read-only disk) ended sync in a
    FileExistsError (OSError) traceback."""
    (dana,) = team_of(tmp_path, "Dana Whitfield")
    dana.journal().add("note", {"title": "kept"})
    dana.path.with_name("journal.json.team").write_text("not a folder")
    before = dana.path.read_bytes()
    refused(cli(dana, "sync", str(dana.remote)), "cannot create the folder")
    assert dana.path.read_bytes() == before
    assert dana.path.with_name("journal.json.team").read_text() == "not a folder"


def test_a_first_sync_that_fails_leaves_no_team_folder(tmp_path):
    dana = team_of(tmp_path, "Dana Whitfield")[0]
    dana.journal().add("note", {"title": "mine"})
    refused(cli(dana, "sync", str(tmp_path / "nowhere")), "reaching")
    assert not Team(dana.path).root.exists()
    refused(cli(dana, "sync"), "no remote yet")


def test_missing_git_is_one_line(tmp_path, monkeypatch):
    dana = team_of(tmp_path, "Dana Whitfield")[0]
    proc = run_cli("--db", str(dana.path), "sync", str(dana.remote), env={"PATH": str(tmp_path / "empty")})
    refused(proc, "needs the `git` program")


def test_a_stale_fetch_makes_git_refuse_the_push_and_nothing_changes(tmp_path, monkeypatch):
    from pmjournal.core.team import sync as sync_module

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "one"})
    dana.sync()
    stale = Git(Team(dana.path).git_dir).refs("refs/fetched/")
    dana.journal().add("note", {"title": "two"})
    dana.sync()
    # Another copy of Dana's journal (a second laptop restored from a backup) that
    # still believes the remote holds only "one": git refuses its push.
    dana.journal().add("note", {"title": "three"})
    real_fetch = sync_module._Sync.fetch

    def stale_fetch(self):
        real_fetch(self)
        return {"refs/" + k[len("refs/fetched/") :]: v for k, v in stale.items()}

    monkeypatch.setattr(sync_module._Sync, "fetch", stale_fetch)
    before = snapshot(dana)
    with pytest.raises(SyncError, match="pushing to"):
        dana.sync()
    assert snapshot(dana) == before


def test_offline_records_sync_later(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.sync()
    moved = tmp_path / "away.git"
    dana.remote.rename(moved)  # on a plane
    dana.journal().add("note", {"title": "written offline"})
    with pytest.raises(SyncError, match="reaching"):
        dana.sync()
    moved.rename(dana.remote)
    assert dana.sync().pushed == 1
    assert bob.sync().fetched == {"dana": 1}


def test_another_sync_running_is_refused(tmp_path):
    from filelock import FileLock

    dana = team_of(tmp_path, "Dana Whitfield")[0]
    dana.sync()
    with FileLock(str(Team(dana.path).root / "sync.lock")):
        with pytest.raises(SyncError, match="another sync"):
            dana.sync()


def test_segments_rebuild_the_file_byte_for_byte():
    data = b"".join(b'{"n":%d}\n' % i for i in range(2500))
    parts = segments.split(data)
    assert [p.count(b"\n") for p in parts] == [1000, 1000, 500]
    assert b"".join(parts) == data
    assert segments.split(data[len(parts[0]) :], 1000) == parts[1:]
    assert segments.blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object


def test_a_big_chain_pushes_only_the_segments_that_grew(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    journal = dana.journal()
    journal.append_raw(
        [journal._stamp({"kind": "note", "title": f"n{i}", "occurred_at": "2026-11-01T10:00:00+08:00"}) for i in range(2100)]
    )
    dana.sync()
    bob.sync()
    dana.journal().add("note", {"title": "one more"})
    git = Git(Team(dana.path).git_dir)

    def objects():
        return {line.split()[0] for line in git.run("rev-list", "--objects", "--all").splitlines()}

    before = objects()
    assert dana.sync().pushed == 1
    assert len(objects() - before) == 3  # the commit, its tree, the grown last segment
    assert bob.sync().fetched == {"dana": 1}
    assert len(bob.journal().views) == 2101


def _reusing_the_id_of(member, entry: dict, title: str) -> None:
    """A decision sealed into `member`'s own chain with `entry`'s id (another's record)."""
    forged = member.journal()
    body = forged._stamp({"kind": "decision", "title": title, "owner": member.name, "occurred_at": entry["occurred_at"]})
    body["id"] = entry["id"]
    forged.append_raw([body])


@pytest.mark.parametrize("few", [50_000, 0], ids=["ids-held", "ids-in-sqlite"])
def test_a_colleague_record_reusing_an_id_is_refused(tmp_path, monkeypatch, few):
    """Checked both ways sync checks a take: a few records' ids searched for in every chain
    here, or (a large take) every id here in a temporary database."""
    monkeypatch.setattr(sync_module, "_FEW_IDS", few)
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    mine = dana.journal().add("decision", {"title": "Dana's call", "owner": "Dana"})
    dana.sync()
    bob.sync()
    # Bob's file gets a record with Dana's entry's id, sealed into his chain.
    _reusing_the_id_of(bob, mine, "Bob's version")
    bob.sync()
    refusal = dana.sync().refused["bob"]
    assert "bob#1 reuses the id" in refusal
    assert dana.journal().by_id(mine["id"])["title"] == "Dana's call"


@pytest.mark.parametrize("few", [50_000, 0], ids=["ids-held", "ids-in-sqlite"])
def test_a_record_reusing_an_id_taken_in_the_same_sync_is_refused(tmp_path, monkeypatch, few):
    """Bob's new record and Lee's copy of its id arrive in one sync of Dana's: Lee's is refused."""
    monkeypatch.setattr(sync_module, "_FEW_IDS", few)
    dana, bob, lee = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Lee Park")
    dana.journal().add("note", {"title": "Dana's note"})
    dana.sync()
    bobs = bob.journal().add("decision", {"title": "Bob's call", "owner": "Bob"})
    bob.sync()
    lee.journal().add("note", {"title": "Lee's own"})  # (a journal whose first record is Bob's is a copy: not pushed)
    _reusing_the_id_of(lee, bobs, "Lee's version")
    lee.sync()
    report = dana.sync()
    assert report.fetched.get("bob") == 1
    assert "lee#2 reuses the id" in report.refused["lee"]
    assert dana.journal().by_id(bobs["id"])["title"] == "Bob's call"


def test_a_team_export_imports_with_every_chain_checked(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    first = dana.journal().add("decision", {"title": "Ship", "owner": "Dana"})
    dana.sync()
    bob.sync()
    bob.journal().amend(first["id"], {"owner": "Marcus"}, "it was Marcus")
    bob.journal().add("risk", {"title": "Vendor", "owner": "Bob"})
    bob.sync()
    dana.sync()
    out = tmp_path / "team.json"
    ok(cli(dana, "export", "--format", "json", "-o", str(out)))
    data = json.loads(out.read_text())
    assert [r["seq"] for r in data["records"]] == [1]
    assert [r["seq"] for r in data["chains"]["bob"]["records"]] == [1, 2]
    elsewhere = tmp_path / "elsewhere.json"
    ok(run_cli("--db", str(elsewhere), "import", str(out)))
    views = Journal(elsewhere).views
    assert views[first["id"]]["owner"] == "Marcus" and len(views) == 2
    data["chains"]["bob"]["records"][0]["title"] = "Vendor (edited)"
    out.write_text(json.dumps(data))
    refused(run_cli("--db", str(tmp_path / "third.json"), "import", str(out)), "bob's chain")


def test_scripts_read_every_authors_chain_as_tinydb_and_cannot_write_theirs(tmp_path):
    from tinydb import Query

    import pmjournal
    from pmjournal.core.errors import StoreError

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("risk", {"title": "Vendor limits", "owner": "Dana"})
    dana.sync()
    bob.journal().add("note", {"title": "Bob's note"})
    bob.sync()
    db = pmjournal.open_db(bob.path, user="Bob Li")
    theirs = db.authors()["dana"]
    assert [d["title"] for d in theirs.search(Query().kind == "risk")] == ["Vendor limits"]
    assert theirs.all()[0].doc_id == 1
    with pytest.raises(StoreError, match="written by its author alone"):
        theirs.insert({"kind": "note", "title": "forged"})
    assert sorted(v.get("ref", "#" + str(v["seq"])) for v in db.views()) == ["#1", "dana#1"]
    assert len(db) == 1  # the entries table is Bob's own chain


def _push_tree(member, listing: str, ref: str) -> None:
    git = Git(member.path.parent / "forger.git")
    git.ensure()
    tree = git.run("mktree", input=listing.encode()).decode().strip()
    commit = git.run("commit-tree", tree, "-m", "hostile").decode().strip()
    git.run("push", "--force", "--quiet", str(member.remote), f"{commit}:{ref}")


def test_a_chain_holding_a_folder_is_refused_naming_its_author(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "Kick-off"})
    dana.sync()
    git = Git(dana.path.parent / "forger.git")
    git.ensure()
    inner = git.run("mktree", input=f"100644 blob {git.write_blob(b'x')}\tx\n".encode()).decode().strip()
    _push_tree(dana, f"040000 tree {inner}\t00000000.jsonl\n", "refs/pmjournal/chains/carol")
    report = bob.sync()
    assert "carol" in report.refused and report.refused["carol"].startswith("carol's chain on the remote"), report.refused
    assert not Team(bob.path).chain_path("carol").exists()


def test_a_team_record_that_is_json_but_not_an_object_is_one_line(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.sync()
    git = Git(dana.path.parent / "forger.git")
    git.ensure()
    _push_tree(dana, f"100644 blob {git.write_blob(b'[1]')}\tteam.json\n", "refs/pmjournal/team")
    with pytest.raises(SyncError, match="damaged team record"):
        bob.sync()
    assert not Team(bob.path).root.exists()


def test_a_sync_with_nothing_new_reads_no_object_again(tmp_path, monkeypatch):
    """What git said about a commit or a blob is kept by its id (which is its content's hash):
    the app syncs every few minutes and re-read every colleague's unchanged chain each time.
    And with every ref on the remote where the last fetch left it, nothing is fetched (one
    connection to the remote, ls-remote, instead of two)."""
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("decision", {"title": "Ship on Friday", "owner": "Dana"})
    dana.sync()
    bob.journal().add("risk", {"title": "Vendor limits", "owner": "Bob"})
    bob.sync()
    assert dana.sync().fetched == {"bob": 1}
    reads = []
    run = subprocess.run

    def counting(args, *a, **k):
        if args[0].endswith("git") and {"ls-tree", "cat-file", "fetch"} & set(args):
            reads.append(args)
        return run(args, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    for _ in range(3):
        assert dana.sync().fetched == {}
    assert reads == []
    assert titles(dana.journal()) == ["Ship on Friday", "Vendor limits"]


def test_importing_into_a_team_journal_never_splits_the_team(tmp_path):
    """Ann imported Bob's export: his records were copied into her chain under their ids, and
    from then on each sync refused the other's chain, later entries included. Two members who
    imported the same jrnl file derived the same ids, with the same end."""
    ann, bob = team_of(tmp_path, "Ann Lee", "Bob Li")
    ann.journal().add("note", {"title": "ann 1"})
    ann.sync()
    bob.journal().add("note", {"title": "bob 1"})
    bob.sync()
    export = tmp_path / "bob.json"
    ok(cli(bob, "export", "--format", "json", "-o", str(export)))
    before = ann.path.read_bytes()
    proc = cli(ann, "import", str(export))
    assert proc.returncode == 1 and "come to this journal with `pmjournal sync`" in proc.stderr
    assert ann.path.read_bytes() == before
    jrnl = tmp_path / "jrnl.json"
    entry = {"title": "Met with Acme.", "body": "Saved carts.", "date": "2026-10-01", "time": "09:30", "tags": [], "starred": False}
    jrnl.write_text(json.dumps({"tags": {}, "entries": [entry]}))
    for member in (ann, bob):
        ok(cli(member, "import", str(jrnl)))
    for member in (ann, bob, ann):
        report = member.sync()
        assert not report.refused, report.refused
    assert ok(cli(ann, "verify")) and ok(cli(bob, "verify"))
    # One's own export from another machine is not a colleague's: Ann's laptop wrote a note
    # after her chain was restored on a new machine; she carries it over by export and import.
    laptop = Member(tmp_path / "laptop", "ann", "Ann Lee", ann.remote)
    sync_module.sync(laptop.path, str(ann.remote), "ann", "Ann Lee")
    ann.journal().add("note", {"title": "written on the old machine"})
    mine = tmp_path / "ann.json"
    ok(cli(ann, "export", "--format", "json", "-o", str(mine)))
    assert "imported 1 record, skipped" in ok(cli(laptop, "import", str(mine)))  # (it said "1 records")


def test_a_jrnl_file_imported_again_after_joining_a_team_or_in_another_zone_is_skipped(tmp_path, monkeypatch):
    """The ids of a jrnl import came from the time in the local zone, and in a team from the
    handle too: the same file imported again abroad, or after joining a team, was imported a
    second time, every entry twice."""
    import time as clock

    (ann,) = team_of(tmp_path, "Ann Lee")
    jrnl = tmp_path / "jrnl.json"
    entries = [
        {"title": "Met with Acme.", "body": "Saved carts.", "date": "2026-10-01", "time": "09:30", "tags": [], "starred": False},
        {"title": "Standup.", "body": "", "date": "2026-10-02", "time": "10:00", "tags": ["@c++"], "starred": True},
    ]
    jrnl.write_text(json.dumps({"tags": {}, "entries": entries}))
    assert "imported 2 records" in ok(cli(ann, "import", str(jrnl)))
    monkeypatch.setenv("TZ", "America/New_York")
    clock.tzset()
    try:
        assert "imported 0 records, skipped 2" in ok(cli(ann, "import", str(jrnl)))
    finally:
        monkeypatch.setenv("TZ", "Asia/Shanghai")
        clock.tzset()
    ann.sync()
    assert "imported 0 records, skipped 2" in ok(cli(ann, "import", str(jrnl)))


def test_a_copy_of_a_colleagues_journal_is_not_pushed_under_another_handle(tmp_path):
    """Dana's journal copied and synced as abe: it pushed Dana's records as abe's, every new
    machine then took them as abe's (a handle sorting first wins) and refused Dana's own
    chain for good (a user trial)."""
    abe, dana, lee, zoe = team_of(tmp_path, "Abe Moss", "Dana Whitfield", "Lee Park", "Zoe Hart")
    dana.journal().add("decision", {"title": "Skip load test", "owner": "Dana"})
    dana.sync()
    lee.journal().add("note", {"title": "lee"})
    lee.sync()
    abe.path.write_bytes(dana.path.read_bytes())
    with pytest.raises(SyncError, match="this journal holds dana's records .*it is a copy of dana's journal"):
        abe.sync()
    remote_refs = subprocess.run(["git", "--git-dir", str(abe.remote), "for-each-ref"], capture_output=True, text=True).stdout
    assert "chains/abe" not in remote_refs
    zoe.journal().add("note", {"title": "zoe"})
    report = zoe.sync()
    assert report.refused == {}
    assert "Skip load test" in ok(cli(zoe, "list", "--author", "dana"))
    ok(cli(zoe, "verify"))
