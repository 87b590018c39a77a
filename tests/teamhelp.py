"""Team journals for tests: a bare git remote and journals that sync through it."""

import subprocess
from pathlib import Path

from pmjournal.core.store import Journal
from pmjournal.core.team.sync import sync


def bare_remote(root: Path, name: str = "remote.git") -> Path:
    path = root / name
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
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
