"""Team journals for tests: a bare git remote and journals that sync through it."""

import hashlib
import json
import subprocess
from pathlib import Path

from clihelp import run_cli

from pmjournal.core.chain import canonical, record_hash
from pmjournal.core.store import Journal
from pmjournal.core.team import segments
from pmjournal.core.team.git import Git
from pmjournal.core.team.sync import sync


def bare_remote(root: Path, name: str = "remote.git") -> Path:
    path = root / name
    subprocess.run(["git", "init", "-q", "--bare", "--template=", str(path)], check=True)
    return path


class Member:
    """One author: their own journal file, synced as `handle`."""

    def __init__(self, root: Path, handle: str, name: str, remote: Path):
        self.handle = handle
        self.name = name
        self.remote = remote
        self.path = root / handle / "journal.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def journal(self) -> Journal:
        return Journal(self.path, user=self.name)

    def sync(self):
        return sync(self.path, str(self.remote), self.handle, self.name)


def team_of(root: Path, *names: str) -> list[Member]:
    """Members named e.g. "Dana Whitfield" (handle "dana"), sharing one bare remote."""
    remote = bare_remote(root)
    return [Member(root, name.split()[0].lower(), name, remote) for name in names]


def cli(member, *args):
    return run_cli("--db", str(member.path), *args, env={"PMJOURNAL_CONFIG_DIR": str(member.path.parent / "config")})


# -- rewrites a forger could push -------------------------------------------


def force_push_chain(member, data: bytes) -> None:
    """What a colleague with a rewritten file could push with --force."""
    git = Git(member.path.parent / "forger.git")
    git.ensure()
    files = {segments.name_of(i): git.write_blob(seg) for i, seg in enumerate(segments.split(data))}
    commit = git.commit(files, "rewritten", None)
    git.run("push", "--force", "--quiet", str(member.remote), f"{commit}:refs/pmjournal/chains/{member.handle}")


def rechained(lines: list[bytes]) -> bytes:
    """A chain whose hashes were recomputed after an edit: valid on its own."""
    out = [lines[0]]
    prev = hashlib.sha256(lines[0]).hexdigest()
    for line in lines[1:]:
        record = json.loads(line)
        record["prev_hash"] = prev
        record.pop("hash")
        record["hash"] = record_hash(record)
        prev = record["hash"]
        out.append(canonical(record))
    return b"".join(line + b"\n" for line in out)


def edited(lines, i, title):
    record = json.loads(lines[i])
    record["title"] = title
    return [*lines[:i], canonical(record), *lines[i + 1 :]]


REWRITES = {
    "edit": lambda lines: rechained(edited(lines, 2, "It was always Bob's idea")),
    "drop": lambda lines: b"".join(line + b"\n" for line in lines[:3]),
    "reorder": lambda lines: rechained([lines[0], lines[1], lines[3], lines[2], *lines[4:]]),
    "edit-without-rehash": lambda lines: b"".join(line + b"\n" for line in edited(lines, 2, "sneaky")),
}


def rewritten_on_the_remote(root: Path) -> tuple[Member, Member]:
    """Dana and Bob, both synced with Dana's five notes; then dana#3 rewritten (the
    chain re-hashed after it) and force-pushed, for Bob's next sync to catch."""
    dana, bob = team_of(root, "Dana Whitfield", "Bob Li")
    for n in range(5):
        dana.journal().add("note", {"title": f"dana {n}"})
    dana.sync()
    bob.sync()
    lines = dana.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(dana, rechained(edited(lines, 3, "changed")))
    return dana, bob
