"""What this machine last took of each colleague's chain: the witness of the copy here.

A colleague's copy (chains/<handle>.json) is a journal file like any other, and whoever can
write this account's files can rewrite a record in it and recompute every hash after it:
the copy's own chain then holds, `verify` said ok, the reads showed the forgery, and the
next sync, finding the copy no longer a start of the colleague's chain on the remote,
blamed the remote and kept the forgery (a user trial).

So a sync that makes the copy the chain of a commit it fetched (every check passed, the new
records appended) records that commit as refs/taken/pmjournal/chains/<handle> in the team's
private git repository, after the copy is written. Before it writes the copy, the sync names
the commit it is taking as refs/taking/pmjournal/chains/<handle>, and the move of the taken
ref deletes it: a sync cut short in between (ctrl+c, a closed lid) leaves a copy ahead of its
taken ref but a start of the chain it was taking, which is no tampering (it was reported as
"changed on this machine" until the next sync). The copy must be exactly that chain:

- `verify` and every export hold each copy against it (Witnesses), byte for byte, and name
  the first record that differs;
- a sync whose copy is no longer a start of the remote's chain asks it first: a copy that
  departs from what was taken was changed here, not on the remote, and is put back.

A team folder from before this witness has only the fetched refs (refs/fetched/...), which
serve while the last sync refused nothing of that colleague; a deleted git folder leaves
none, and the copy's `.checked` memo is then the only witness (verify.as_last_checked).

`compare` is the one comparison of a copy with a chain in git: sync uses it against the
remote, and against this witness.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain as chained

from ..files import file_stamp, write_atomically
from ..i18n import _
from . import segments
from .chainfile import ChainFile
from .git import Git, SyncError

TAKEN = "refs/taken/pmjournal/chains/"
TAKING = "refs/taking/pmjournal/chains/"  # what a sync is writing into the copy, until TAKEN moves to it
# The commit of this author's own chain this machine last pushed: the chain here must go on
# from it (the remote's copy can be rewritten by others; this ref only by this machine's push).
PUSHED = "refs/pushed/pmjournal/chain"
FETCHED = "refs/fetched/pmjournal/chains/"

# How a copy stands to another version of its chain (Difference.kind).
DIFFERS = "differs"  # both have line `line`, and it is not the same
FEWER = "fewer"  # the other has fewer segments: it lacks lines from `line` on
ENDS = "ends"  # the other ends inside the copy's last segment, before line `line`
SHORT = "short"  # the copy ends before the other does: it lacks lines from `line` on


@dataclass(frozen=True)
class Difference:
    kind: str
    line: int  # a line of the chain file: 0 its header, n record #n


def differing_line(here: bytes, there: bytes, first_line: int = 0) -> int:
    """The first line at which two versions of a chain part differ (they start at `first_line`)."""
    a, b = here.split(b"\n"), there.split(b"\n")
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return first_line + i
    return first_line + min(len(a), len(b)) - 1


def where(handle: str, line: int) -> str:
    """A line as the record a person can look up."""
    return _("its header") if line <= 0 else f"{handle}#{line}"


def compare(git: Git, names: list[str], files: dict[str, str], have: ChainFile) -> tuple[Difference | None, Iterator[bytes]]:
    """How the chain in a commit (its segment `names`, `files` their blob ids) stands to
    `have`, a copy of it: (None, the commit's bytes past the copy's end) if the copy is a
    start of it, else (where it departs, nothing). Every full segment of the copy is compared
    by its blob id, computed here, so only the copy's last segment is read from git."""
    count = have.segment_count()
    last_mine = b""
    for i, seg in enumerate(have.segments()):
        if i == count - 1:
            last_mine = seg
            break
        if i >= len(names):
            break
        if segments.blob_id(seg) != files[names[i]]:
            (theirs,) = git.read_blobs([files[names[i]]])
            return Difference(DIFFERS, differing_line(seg, theirs, i * segments.SEGMENT)), iter(())
    if len(names) < count:
        return Difference(FEWER, len(names) * segments.SEGMENT), iter(())
    last = count - 1
    rest = git.iter_blobs([files[n] for n in names[max(last, 0) :]])
    if count:
        there = next(rest, b"")
        if not there.startswith(last_mine):
            if len(there) < len(last_mine) and last_mine.startswith(there):
                return Difference(ENDS, last * segments.SEGMENT + there.count(b"\n")), iter(())
            return Difference(DIFFERS, differing_line(last_mine, there, last * segments.SEGMENT)), iter(())
        rest = chained((there[len(last_mine) :],), rest)
    return None, rest


def departure(git: Git, commit: str, have: ChainFile, exact: bool) -> Difference | None:
    """Where the copy `have` departs from the chain in `commit`, what this machine took: None
    if it is that chain (or, not `exact`, a start of it).

    For a copy whose own chain is walked too (verify.check_colleague), its last line is enough:
    every record carries the hash of the one before, so a copy that holds and ends on the line
    the chain taken has there holds the same records up to it. Read from the copy's end and one
    segment from git, it costs the same at 1,000 records as at a million; only a copy that
    departs is compared segment by segment, to name the first record that differs."""
    files = git.tree_of(commit)
    names = segments.ordered(files)
    if names is None:
        return None  # not a chain's tree: it witnesses nothing (a sync refused it)
    seq = _seq_of(have.last_line()) if have else None
    if seq is not None and seq // segments.SEGMENT < len(names):
        index = seq // segments.SEGMENT
        (blob,) = git.read_blobs([files[names[index]]])
        lines = blob.split(b"\n")  # a segment ends with a newline: the last item is empty
        at = seq - index * segments.SEGMENT
        if at < len(lines) - 1 and lines[at] == have.last_line():
            if not exact or (index == len(names) - 1 and at == len(lines) - 2):
                return None
            return Difference(SHORT, seq + 1)
    found, rest = compare(git, names, files, have)
    if found is None and exact and any(rest):
        return Difference(SHORT, have.lines)
    if found is not None and found.kind == FEWER:
        # Where the chain taken ends, not where its segments do: the copy goes on past it.
        (last,) = git.read_blobs([files[names[-1]]])
        return Difference(ENDS, (len(names) - 1) * segments.SEGMENT + last.count(b"\n"))
    return found


def _seq_of(line: bytes) -> int | None:
    """The #seq a record's line carries (it is on line #seq of its chain file), None for another line."""
    import orjson

    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    seq = record.get("seq") if isinstance(record, dict) else None
    return seq if seq.__class__ is int and seq > 0 else None


def detail(found: Difference, handle: str) -> str:
    """How a copy departs from what this machine took, for the sentences that name it."""
    if found.kind == DIFFERS:
        return _("{where} differs from what this machine last took from the remote").format(where=where(handle, found.line))
    if found.kind == SHORT:
        return _("it ends at {handle}#{end}, before the last record this machine took from the remote").format(
            handle=handle, end=found.line - 1
        )
    return _("it goes on past {handle}#{last}, the last record this machine took from the remote").format(
        handle=handle, last=found.line - 1
    )


def own_detail(found: Difference) -> str:
    """How this author's own chain departs from what this machine pushed of it."""
    return _(
        "{where} differs from what this machine pushed to the remote: the chain was rewritten here after it was pushed"
    ).format(where=_("its header") if found.line <= 0 else f"#{found.line}")


def witness_of(taken: dict[str, str], fetched: dict[str, str], refused, handle: str) -> tuple[str, bool] | None:
    """(the commit the copy of `handle`'s chain is held against, whether it must be exactly
    that chain), or None: the taken ref; else (a team folder from before it) the fetched
    one, which the copy may be behind, unless the last sync refused the remote's version."""
    if handle in taken:
        return taken[handle], True
    if handle in fetched and handle not in (refused or {}):
        return fetched[handle], False
    return None


class Witnesses:
    """The witnesses of every copy here, read once for a `verify` or an export: three git
    processes whatever the size of the team (its refs, then what departure() reads of each
    copy's witness, read ahead). Without git or the team's git folder, there are none."""

    def __init__(self, team):
        self.git: Git | None = None
        self.taken: dict[str, str] = {}
        self.taking: dict[str, str] = {}
        self.pushed: str | None = None
        self.fetched: dict[str, str] = {}
        self.refused = team.state().get("refused") or {}
        if not (team.git_dir / "HEAD").is_file():
            return
        try:
            self.git = Git(team.git_dir, remote=False)
            refs = self.git.refs(TAKEN, FETCHED, TAKING, PUSHED)
        except SyncError:
            self.git = None
            return
        self.pushed = refs.pop(PUSHED, None)
        for name, oid in refs.items():
            if name.startswith(TAKEN):
                self.taken[name[len(TAKEN) :]] = oid
            elif name.startswith(TAKING):
                self.taking[name[len(TAKING) :]] = oid
            else:
                self.fetched[name[len(FETCHED) :]] = oid
        self._read_ahead(team.colleagues())

    def _read_ahead(self, colleagues: dict[str, object]) -> None:
        """What departure() reads from git for each of `colleagues` (handle -> its copy), read
        in two processes for them all (one each, a team of twenty took forty)."""
        known = {handle: witness_of(self.taken, self.fetched, self.refused, handle) for handle in colleagues}
        try:
            self.git.read_trees([found[0] for found in known.values() if found is not None])
            wanted = []
            for handle, path in colleagues.items():
                if known[handle] is None:
                    continue
                files = self.git.tree_of(known[handle][0])
                names = segments.ordered(files)
                with ChainFile.open(path) as have:
                    seq = _seq_of(have.last_line()) if have else None
                if names is not None and seq is not None and seq // segments.SEGMENT < len(names):
                    wanted.append(files[names[seq // segments.SEGMENT]])
            self.git.read_blobs(wanted)
        except (SyncError, OSError):
            pass  # read again one by one by departure(), which says what it can

    def own_departure(self, path) -> Difference | None:
        """Where this author's own chain at `path` departs from what this machine last pushed of
        it: None if it goes on from it, or is a start of it (a backup put back: sync restores)."""
        if self.pushed is None or self.git is None:
            return None
        try:
            with ChainFile.open(path) as have:
                found = departure(self.git, self.pushed, have, exact=False)
        except SyncError:
            return None
        return None if found is None or found.kind == ENDS else found

    def departure(self, handle: str, path) -> Difference | None:
        """Where the copy at `path` departs from what this machine took of `handle`'s chain."""
        found = witness_of(self.taken, self.fetched, self.refused, handle)
        if found is None or self.git is None:
            return None
        commit, exact = found
        try:
            with ChainFile.open(path) as have:
                found = departure(self.git, commit, have, exact)
                pending = self.taking.get(handle)
                if found is not None and found.kind == ENDS and pending is not None:
                    # Past what was taken, and a start of what a sync cut short was taking: its
                    # own writing, not a change (a copy is appended to, or replaced whole).
                    if departure(self.git, pending, have, exact=False) is None:
                        return None
                return found
        except SyncError:
            return None  # the private repository lost the objects: it witnesses nothing


# A team folder -> (what its copies and refs were when last held against their witnesses, the
# handles whose copy departed): the app asks at every refresh, git is asked again only when a
# copy or a ref moved.
_CHANGED: dict[str, tuple[list, tuple[str, ...]]] = {}


def changed_here(team) -> tuple[str, ...]:
    """The colleagues whose copy here departs from what this machine took of their chain
    (sorted): what `verify` names "changed on this machine", for the app and the reading
    commands to say as they read. Without git or the team's git folder, none (verify says what
    it can). Git is asked only when a copy or a ref moved since it was last asked, in this
    process or (witnessed.json beside the copies) in another: a read of a team journal took
    three git processes more."""
    import json

    copies = team.colleagues()
    if not copies:
        return ()
    refs = team.git_dir / "refs"
    stamps = [
        [[handle, file_stamp(path)] for handle, path in sorted(copies.items())],
        file_stamp(team.git_dir / "packed-refs"),
        file_stamp(refs / "taken" / "pmjournal" / "chains"),
        file_stamp(refs / "taking" / "pmjournal" / "chains"),
    ]
    stamps = json.loads(json.dumps(stamps))  # as the memo holds them (lists, not tuples)
    key = str(team.git_dir)
    known = _CHANGED.get(key)
    if known is None:
        try:
            memo = json.loads((team.root / _MEMO).read_bytes())
            known = (memo["stamps"], tuple(memo["changed"]))
        except (OSError, ValueError, KeyError, TypeError):
            known = None
    if known is not None and known[0] == stamps:
        return known[1]
    witnesses = Witnesses(team)
    changed = tuple(handle for handle, path in sorted(copies.items()) if witnesses.departure(handle, path) is not None)
    _CHANGED[key] = (stamps, changed)
    if witnesses.git is not None:
        try:  # derived and deletable, as the index is; not written, it is asked again next time
            write_atomically(team.root / _MEMO, [json.dumps({"stamps": stamps, "changed": list(changed)}).encode()], through_link=False)
        except OSError:
            pass
    return changed


_MEMO = "witnessed.json"  # what changed_here last found, and of which files (team.root)


__all__ = ["PUSHED", "TAKEN", "TAKING", "own_detail", "changed_here", "Difference", "Witnesses", "compare", "departure", "detail", "witness_of"]
