"""The `git` program, run on the team folder's private bare repository.

No working tree and no user configuration is needed: objects are written with
plumbing commands (hash-object, mktree, commit-tree, update-ref) under a fixed
identity, and nothing ever prompts (a remote that wants a password must get it
from an ssh agent or a credential helper, as a cron job would).
"""

import os
import shutil
import subprocess
import threading
from collections import OrderedDict
from pathlib import Path

from ..errors import PmjournalError
from ..i18n import _


class SyncError(PmjournalError):
    """A sync that could not be made; nothing local was changed."""


_IDENTITY = {
    "GIT_AUTHOR_NAME": "pmjournal",
    "GIT_AUTHOR_EMAIL": "pmjournal@localhost",
    "GIT_COMMITTER_NAME": "pmjournal",
    "GIT_COMMITTER_EMAIL": "pmjournal@localhost",
}


class _ByObjectId:
    """What git answered about an object, by its id, for the rest of the process.

    An object id is the hash of the object's content, so the answer can never change and
    is the same in every repository: a sync reads the same colleagues' unchanged commits
    and segments again (each colleague's chain, the team file), and the app syncs every few
    minutes. Bounded by `budget` (the sizes `size_of` gives), least recently used out first;
    a lock because the app syncs in a worker thread."""

    def __init__(self, budget: int, size_of):
        self.budget, self.size_of, self.used = budget, size_of, 0
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, oid: str):
        with self.lock:
            value = self.items.get(oid)
            if value is not None:
                self.items.move_to_end(oid)
            return value

    def put(self, oid: str, value) -> None:
        size = self.size_of(value)
        if size > self.budget // 4:
            return  # one big segment must not push out everything else
        with self.lock:
            if oid in self.items:
                return
            self.items[oid] = value
            self.used += size
            while self.used > self.budget:
                _oid, old = self.items.popitem(last=False)
                self.used -= self.size_of(old)


_TREES = _ByObjectId(budget=4096, size_of=lambda files: 1)  # commit id -> its files
_BLOBS = _ByObjectId(budget=32 << 20, size_of=len)  # blob id -> its bytes


def git_program() -> str:
    found = shutil.which("git")
    if found is None:
        raise SyncError(_("sync needs the `git` program, which is not on PATH; install git and run it again"))
    return found


# What git adds after the real reason, whatever it was.
_GENERIC = ("Could not read from remote repository", "Please make sure you have the correct access", "and the repository exists")


def _last_line(stderr: bytes) -> str:
    """git's reason, in one line: the first that says something specific."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("hint:")]
    specific = [line for line in lines if not any(g in line for g in _GENERIC)]
    rejected = [line for line in specific if line.startswith("!")]
    return (rejected or specific or lines or [_("git gave no reason")])[0]


# No delta search when packing for a push or fetch: segments are distinct text that
# deltas barely shrink, and the search took 13 of 16 s to push a 100k-record chain
# (2.4 s without). A remote's own `git gc` may still delta its history later.
# Passed to local upload-pack/receive-pack too (git hands -c on to its children).
_FAST = ("-c", "pack.window=0")


class Git:
    def __init__(self, git_dir: Path, remote: bool = True):
        """`remote` False: this repository's objects and refs only (verify, an export), so
        nothing is set up for reaching a remote."""
        self.git_dir = Path(git_dir)
        self.program = git_program()
        self.env = dict(os.environ)
        self.env.update(_IDENTITY)
        self.env.update({"GIT_DIR": str(self.git_dir), "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
        # A user's repository settings must not leak in (hooks, a GIT_WORK_TREE).
        self.env.pop("GIT_WORK_TREE", None)
        self.env.pop("GIT_INDEX_FILE", None)
        if remote and not {"GIT_SSH_COMMAND", "GIT_SSH"} & set(self.env) and not self._configured("core.sshCommand"):
            # ssh asks for a passphrase or a new host key on the terminal itself, which
            # in the app is a line nobody sees: keys come from an ssh agent instead.
            self.env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"

    def _configured(self, key: str) -> bool:
        env = {k: v for k, v in self.env.items() if k != "GIT_DIR"}
        done = subprocess.run([self.program, "config", "--global", "--get", key], capture_output=True, env=env, check=False)
        return done.returncode == 0

    def ensure(self) -> None:
        if not (self.git_dir / "HEAD").exists():
            self.git_dir.parent.mkdir(parents=True, exist_ok=True)
            # No template: its sample hooks and description are never used here, and copying
            # them was most of init's cost (8 ms of CPU, 3 without).
            self.run("init", "--bare", "-q", "--template=", str(self.git_dir))

    def run(self, *args: str, input: bytes | None = None, what: str | None = None) -> bytes:
        """stdout of `git ARGS`; a failure is one line: `what` (else the command) and git's reason."""
        try:
            done = subprocess.run([self.program, *_FAST, *args], input=input, capture_output=True, env=self.env, check=False)
        except OSError as err:
            raise SyncError(_("could not run git: {strerror}").format(strerror=err.strerror)) from None
        if done.returncode != 0:
            raise SyncError(f"{what or 'git ' + args[0]} failed: {_last_line(done.stderr)}")
        return done.stdout

    def try_run(self, *args: str, input: bytes | None = None) -> bytes | None:
        done = subprocess.run([self.program, *_FAST, *args], input=input, capture_output=True, env=self.env, check=False)
        return done.stdout if done.returncode == 0 else None

    def refs(self, *prefixes: str) -> dict[str, str]:
        """refname -> object id of the refs under each prefix, in one `git for-each-ref`."""
        out = self.run("for-each-ref", "--format=%(objectname) %(refname)", *prefixes)
        refs = {}
        for line in out.decode().splitlines():
            oid, name = line.split(" ", 1)
            refs[name] = oid
        return refs

    def write_blob(self, data: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=data).decode().strip()

    def read_blobs(self, oids: list[str]) -> list[bytes]:
        """The contents of blobs: those not read before in this process in one `cat-file --batch`."""
        known = {oid: _BLOBS.get(oid) for oid in oids}
        missing = list(dict.fromkeys(oid for oid, blob in known.items() if blob is None))
        for oid, blob in zip(missing, self._cat_blobs(missing), strict=True):
            _BLOBS.put(oid, blob)
            known[oid] = blob
        return [known[oid] for oid in oids]

    def iter_blobs(self, oids: list[str], batch: int = 16):
        """read_blobs() one at a time, a few at a time from git: a chain's thousand segments
        (663 MB at 1M records) are never held at once."""
        for at in range(0, len(oids), batch):
            yield from self.read_blobs(oids[at : at + batch])

    def _cat_blobs(self, oids: list[str]) -> list[bytes]:
        if not oids:
            return []
        out = self.run("cat-file", "--batch", input=("\n".join(oids) + "\n").encode())
        blobs, at = [], 0
        for _oid in oids:
            eol = out.index(b"\n", at)
            header = out[at:eol].split()
            if len(header) != 3 or header[1] != b"blob":
                raise SyncError(
                    _("the remote holds something that is not a pmjournal chain ({name} is not a file)").format(
                        name=header[0].decode()[:12]
                    )
                )
            size = int(header[2])
            blobs.append(out[eol + 1 : eol + 1 + size])
            at = eol + 1 + size + 1
        return blobs

    def tree_of(self, commit: str) -> dict[str, str]:
        """name -> blob id of the files at the top of a commit's tree (a new dict: callers add to it)."""
        files = _TREES.get(commit)
        if files is None:
            files = self._ls_tree(commit)
            _TREES.put(commit, files)
        return dict(files)

    def read_trees(self, commits: list[str]) -> None:
        """tree_of() of many commits read ahead in one `git cat-file --batch` (a `verify` of a
        team's copies: one process, not one per colleague). A tree that is not plain files is
        left for tree_of() to read, and to refuse, as it does."""
        missing = [commit for commit in dict.fromkeys(commits) if _TREES.get(commit) is None]
        if not missing:
            return
        out = self.run("cat-file", "--batch", input="".join(f"{commit}^{{tree}}\n" for commit in missing).encode())
        at = 0
        for commit in missing:
            eol = out.index(b"\n", at)
            header = out[at:eol].split()
            if len(header) != 3:  # "<name> missing"
                at = eol + 1
                continue
            body = out[eol + 1 : eol + 1 + int(header[2])]
            at = eol + 1 + int(header[2]) + 1
            width, files, i = len(header[0]) // 2, {}, 0  # an entry: "<mode> <name>\0" and its id's bytes
            while i < len(body):
                space = body.index(b" ", i)
                nul = body.index(b"\0", space)
                files[body[space + 1 : nul].decode()] = body[nul + 1 : nul + 1 + width].hex()
                if body[i:space] not in (b"100644", b"100755"):
                    break
                i = nul + 1 + width
            else:
                _TREES.put(commit, files)

    def _ls_tree(self, commit: str) -> dict[str, str]:
        out = self.run("ls-tree", "-z", commit)
        files = {}
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, name = item.split(b"\t", 1)
            mode, kind, oid = meta.split()
            if kind != b"blob":
                raise SyncError(_("the remote holds something that is not a pmjournal chain (a folder inside a chain)"))
            files[name.decode()] = oid.decode()
        return files

    def commit(self, files: dict[str, str], message: str, parent: str | None) -> str:
        listing = "".join(f"100644 blob {oid}\t{name}\n" for name, oid in sorted(files.items()))
        tree = self.run("mktree", input=listing.encode()).decode().strip()
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args[2:2] = ["-p", parent]
        return self.run(*args).decode().strip()
