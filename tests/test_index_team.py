"""The index covers every author of a team journal: after syncs that bring colleagues' records
(which fall anywhere in the team's clock order), every reading command says on each machine
what it says with the journal loaded whole."""

import random
import shutil

import pytest
from teamhelp import cli, team_of

from pmjournal.core.errors import NotFound, ValidationError
from pmjournal.core.index import schema
from pmjournal.core.team.layout import Team

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

OFF = {"PMJOURNAL_INDEX": "off"}
READS = [
    ("list", "--include-retracted"),
    ("list", "--format", "json"),
    ("list", "--search", "launch"),
    ("list", "--author", "bob"),
    ("list", "--person", "Marcus"),
    ("who",),
    ("who", "--include-retracted", "--format", "json"),
    ("due", "--today", "2026-12-01", "--all"),
]


def outputs(member, env=None) -> dict:
    from clihelp import run_cli

    out = {}
    shows = [("show", ref) for ref in ("#1", "#2", "dana#1", "bob#1", "bob#2", "lee#1")]
    for args in [*READS, *shows, ("trace", "#1")]:
        proc = run_cli(
            "--db", str(member.path), *args, env={"PMJOURNAL_CONFIG_DIR": str(member.path.parent / "config"), **(env or {})}
        )
        out[args] = (proc.returncode, proc.stdout, proc.stderr)
    return out


def same(member) -> None:
    with_index = outputs(member)
    # (a member who has neither recorded nor synced yet has nothing to index)
    assert schema.path_of(member.path).exists() or not (member.path.exists() or Team(member.path).joined)
    loaded = outputs(member, OFF)
    for args, result in with_index.items():
        assert result == loaded[args], (member.handle, args)


def test_every_machine_reads_the_team_trail_the_same_with_the_index(tmp_path):
    rng = random.Random(16)
    members = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Lee Park")
    entries: list[str] = []
    for step in range(40):
        member = rng.choice(members)
        journal = member.journal()
        kind = rng.choice(["decision", "risk", "communication", "incident"])
        choice = rng.random()
        if entries and choice < 0.32:
            try:
                if choice < 0.25:
                    journal.amend(
                        rng.choice(entries), {"owner": rng.choice(["Marcus", "Dana Whitfield", "Priya"])}, f"step {step}"
                    )
                else:
                    journal.retract(rng.choice(entries), f"step {step}")
            except (ValidationError, NotFound):  # retracted, nothing to change, or not synced here yet: nothing written
                pass
        else:
            values = {
                "title": f"Launch step {step}",
                "owner": rng.choice(["Marcus", "Dana Whitfield"]),
                "occurred_at": f"2026-11-{1 + step % 28:02d}",
            }
            if kind == "communication" and step % 3 == 0:
                values["follow_up_by"] = "2026-11-30"
            links = {}
            if entries and rng.random() < 0.4:
                links = {
                    rng.choice(["caused_by", "relates", "supersedes"] if kind != "decision" else ["supersedes", "relates"]): [
                        rng.choice(entries)
                    ]
                }
            try:
                entries.append(journal.add(kind, values, links)["id"])
            except (ValidationError, NotFound):  # a link refused, or to an entry not synced here yet: nothing written
                entries.append(journal.add(kind, values)["id"])
        if rng.random() < 0.3:
            member.sync()
        if step % 10 == 9:
            for m in members:
                same(m)  # read (and index) on every machine mid-way: later syncs catch it up
    for _ in range(2):
        for member in members:
            member.sync()
    for member in members:
        same(member)
    listed = cli(members[0], "list", "--include-retracted").stdout
    assert all(f"{handle}#" in listed for handle in ("bob", "lee")) and len(listed.splitlines()) > 20
    # Exports stream from the index, every author's records read back by offset chain by chain
    # (index/reads.KeptRecords): the same documents and evidence as the journal loaded whole.
    from clihelp import run_cli, without_generation_time

    for member in members:
        env = {"PMJOURNAL_CONFIG_DIR": str(member.path.parent / "config")}
        for fmt in ("markdown", "json"):
            args = ("--db", str(member.path), "export", "--format", fmt, "--include-retracted")
            streamed = run_cli(*args, "-o", str(member.path.parent / f"all.{fmt}"), env=env, check=True)
            loaded = run_cli(*args, env={**env, **OFF}, check=True)
            text = (member.path.parent / f"all.{fmt}").read_text(encoding="utf-8")
            chain = '"{}": [' if fmt == "markdown" else '"{}": {{"chain_head"'  # the appendix's records; the JSON's chains
            others = [m.handle for m in members if m is not member]
            assert streamed.returncode == 0 and all(chain.format(h) in text for h in others), (member.handle, fmt)
            assert without_generation_time(text) == without_generation_time(loaded.stdout), (member.handle, fmt)
    checked = run_cli("--db", str(members[1].path), "verify", "--evidence", str(members[1].path.parent / "all.json"))
    assert checked.returncode == 0, checked.stderr


def test_a_colleague_who_has_recorded_nothing_reads_the_team_from_the_index(tmp_path, monkeypatch):
    """A new member syncs the team's records before recording any: the index serves every read
    (it once counted as empty, its length being this author's records, and the journal was loaded)."""
    from clihelp import never_loaded

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    journal = bob.journal()
    first = journal.add("decision", {"title": "Launch in March", "owner": "Marcus"})
    journal.add("note", {"title": "Launch notes"})
    bob.sync()
    dana.sync()
    assert not dana.path.exists() or len(dana.journal().own_records()) == 0
    with never_loaded(monkeypatch):
        assert "bob#1" in cli(dana, "list", "--search", "launch").stdout
        assert "Launch in March" in cli(dana, "show", f"bob#{first['seq']}").stdout
        assert "Marcus" in cli(dana, "who").stdout


@pytest.mark.parametrize("index", ["on", "off"])
def test_author_handle_selects_ones_own_entries_on_ones_own_machine_as_on_a_colleagues(tmp_path, index):
    """`--author dw` on Dana's machine (her handle) selects her own entries (her records carry
    no author: they are this machine's chain), exactly what Bob's machine selects from his copy
    of her chain; and her export of them verifies against Bob's copy."""
    from clihelp import run_cli
    from teamhelp import Member, bare_remote

    remote = bare_remote(tmp_path)
    # handles that are not the first word of the name (`dana` would select "Dana Whitfield" by name)
    dana, bob = Member(tmp_path, "dw", "Dana Whitfield", remote), Member(tmp_path, "bl", "Bob Li", remote)
    for n, member in enumerate((dana, bob, dana)):
        member.journal().add("decision", {"title": f"Call {n} by {member.handle}", "owner": "Marcus"})
        member.sync()
    bob.sync()
    env = {"PMJOURNAL_INDEX": index}

    def titles(member, *args) -> list[str]:
        proc = run_cli(
            "--db", str(member.path), "list", "--format", "json", *args,
            env={"PMJOURNAL_CONFIG_DIR": str(member.path.parent / "config"), **env},
        )
        assert proc.returncode == 0, proc.stderr
        import json

        return [v["title"] for v in json.loads(proc.stdout)]

    for handle, want in (("dw", ["Call 0 by dw", "Call 2 by dw"]), ("bl", ["Call 1 by bl"])):
        assert titles(dana, "--author", handle) == titles(bob, "--author", handle) == want, handle
    # a name still selects by who wrote it down, on both machines
    assert titles(dana, "--author", "Dana") == titles(bob, "--author", "Dana") == ["Call 0 by dw", "Call 2 by dw"]

    out = tmp_path / "dana.md"
    for fmt, path in (("markdown", out), ("json", tmp_path / "dana.json")):
        made = run_cli(
            "--db", str(dana.path), "export", "--author", "dw", "--format", fmt, "-o", str(path),
            env={"PMJOURNAL_CONFIG_DIR": str(dana.path.parent / "config"), **env},
        )
        assert made.returncode == 0, made.stderr
        for member in (dana, bob):
            checked = run_cli(
                "--db", str(member.path), "verify", "--evidence", str(path),
                env={"PMJOURNAL_CONFIG_DIR": str(member.path.parent / "config"), **env},
            )
            assert checked.returncode == 0, (fmt, member.handle, checked.stdout, checked.stderr)
    assert "Call 0 by dw" in out.read_text(encoding="utf-8")
