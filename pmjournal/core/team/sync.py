"""`pmjournal sync`: push this author's chain, take everyone else's, refuse any rewrite.

The remote holds, under refs/pmjournal/:

    team                  a commit whose tree has team.json: {"format", "team", "created_at"}
    chains/<handle>       one commit chain per author; each commit's tree is the
                          author's whole chain file as segments (segments.py)

Only an author's own machine ever moves their ref, always forward. A sync
fetches every ref into a staging namespace (forced, so that a rewrite arrives
and can be examined rather than silently refused by git), then checks each
colleague's chain against the copy held here, byte for byte up to where the copy
ends: anything other than records appended after it (a changed, dropped,
reordered or re-hashed record, a shorter chain) is refused, the copy kept, and the
author and the first record that differs named. New records must chain on from
the copy's last record under the same checks as a read of one's own journal.

Order: fetch, check everything, push, then write the colleagues' new records
here. A failed fetch or push changes nothing local.
"""

import io
import os
import re
import time
from dataclasses import dataclass, field

import orjson

from ..chain import header_link
from ..errors import JournalDamaged
from ..evidence import heads
from ..files import write_atomically
from ..i18n import _, ngettext
from ..ids import new_id
from ..storage import JournalFile, Reader, check_header
from . import segments
from .git import Git, SyncError
from .layout import HANDLE, Team, handle_from

TEAM_REF = "refs/pmjournal/team"
CHAINS = "refs/pmjournal/chains/"
STAGED = "refs/fetched/"
TEAM_FORMAT = "pmjournal-team"
# A record's own id: the first `"id":"` of its line. Keys are sorted and no object
# stored before "id" (batch, body, causes, changes, commitments...) holds an "id"
# key; inside text every quote is escaped, so text cannot spell it.
_IDS = re.compile(rb'^\{.*?"id":"([0-9A-Z]{26})"', re.MULTILINE)


@dataclass
class SyncReport:
    remote: str
    handle: str
    pushed: int = 0
    fetched: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    created_team: bool = False
    restored: int = 0
    repaired: tuple[int, int] | None = None  # (first, last) of own records the remote had lost

    def lines(self) -> list[str]:
        out = []
        if self.created_team:
            out.append(_("started a team journal on {remote} as {handle}").format(remote=self.remote, handle=self.handle))
        if self.restored:
            out.append(
                _("restored {restored} records of {handle} from {remote}").format(
                    restored=self.restored, handle=self.handle, remote=self.remote
                )
            )
        if self.repaired:
            first, last = self.repaired
            out.append(
                _(
                    "the remote had lost {handle}#{first}-#{last} of your chain (cut there since the last sync); pushed them again"
                ).format(handle=self.handle, first=first, last=last)
            )
        taken = ", ".join(f"{h} {n}" for h, n in sorted(self.fetched.items()) if n)
        out.append(
            ngettext(
                "synced with {remote} as {handle}: pushed {pushed} record, took {taken}",
                "synced with {remote} as {handle}: pushed {pushed} records, took {taken}",
                self.pushed,
            ).format(remote=self.remote, handle=self.handle, pushed=self.pushed, taken=sum(self.fetched.values()))
            + (f" ({taken})" if taken else "")
        )
        out.extend(self.refused[h] for h in sorted(self.refused))
        return out


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _first_difference(here: bytes, there: bytes, handle: str, first_line: int = 0) -> str:
    """Where two versions of a chain part first differ, as the record a person can look up."""
    a, b = _lines(here), _lines(there)
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            line = first_line + i
            return "its header" if line == 0 else f"{handle}#{line}"
    line = first_line + min(len(a), len(b)) - 1
    return "its header" if line <= 0 else f"{handle}#{line}"


def _complete(data: bytes) -> bytes:
    """Whole lines only: a write in progress in another process is not pushed yet."""
    end = data.rfind(b"\n") + 1
    return data[:end]


def _read_chain(git: Git, commit: str, handle: str) -> tuple[list[str], dict[str, str]]:
    try:
        files = git.tree_of(commit)
    except SyncError as err:
        raise SyncError(
            _("{handle}'s chain on the remote: {err}; took nothing of {handle}'s").format(handle=handle, err=err)
        ) from None  # a refusal names whose
    names = segments.ordered(files)
    if names is None:
        raise SyncError(
            _("{handle}'s chain on the remote is not a pmjournal chain (unexpected files in it)").format(handle=handle)
        )
    return names, files


class _Sync:
    def __init__(self, journal_path, remote: str | None, handle: str | None, name: str, signing_key: str = ""):
        self.signing_key = signing_key
        self.team = Team(journal_path)
        self.state = self.team.state()
        self.remote = remote or self.state.get("remote")
        if not self.remote:
            raise SyncError(_("no remote yet: run `pmjournal sync REMOTE` once (a git URL, or the path of a bare repository)"))
        if handle is not None and not HANDLE.match(handle):
            raise SyncError(
                _("{handle!r} cannot be a handle: use lower-case letters, digits and '-', up to 32").format(handle=handle)
            )
        if handle and self.state.get("handle") and handle != self.state["handle"]:
            raise SyncError(_("this journal syncs as {handle}; its handle cannot change").format(handle=self.state["handle"]))
        self.handle = self.state.get("handle") or handle
        self.name = name
        self.journal = JournalFile(journal_path)
        self.git = Git(self.team.git_dir)
        self._known_ids: set[bytes] | None = None
        self.heads: dict[str, dict] = {}  # colleagues' signed heads taken by this sync

    # -- the remote -------------------------------------------------------

    def fetch(self) -> dict[str, str]:
        listed = self.git.run("ls-remote", self.remote, what=f"reaching {self.remote}").decode().split("\n")
        advertised = [line.split("\t", 1) for line in listed if "\t" in line]
        ours = {name: oid for oid, name in advertised if name.startswith("refs/pmjournal/")}
        if advertised and not ours:
            raise SyncError(
                _(
                    "{remote} holds a git repository that is not a pmjournal team journal; use an empty repository. Nothing was changed"
                ).format(remote=self.remote)
            )
        fetched = self._staged()
        if fetched == ours:
            # Every ref is where the last fetch (or this machine's last push) left it: the
            # objects are here already, and a fetch would only connect to the remote again.
            return fetched
        self.git.run(
            "fetch",
            "--no-tags",
            "--prune",
            "--quiet",
            self.remote,
            f"+refs/pmjournal/*:{STAGED}pmjournal/*",
            what=f"fetching from {self.remote}",
        )
        return self._staged()

    def _staged(self) -> dict[str, str]:
        """The remote's refs as the last fetch left them here, by their names on the remote."""
        staged = self.git.refs(STAGED + "pmjournal/")
        return {"refs/" + name[len(STAGED) :]: oid for name, oid in staged.items()}

    def team_id(self, refs: dict[str, str]) -> tuple[str, str | None]:
        """(the team's id, the commit of a team ref still to push)."""
        known = self.state.get("team")
        commit = refs.get(TEAM_REF)
        if commit is None:
            if any(name.startswith(CHAINS) for name in refs):
                raise SyncError(
                    _("{remote} has pmjournal chains but no team record; it is damaged. Nothing was changed").format(
                        remote=self.remote
                    )
                )
            # An empty remote: a new team, or (with a team known here) a remote that lost
            # its data or a new home for the team, refilled by everyone's next sync.
            team = known or new_id()
            body = orjson.dumps(
                {"format": TEAM_FORMAT, "team": team, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                option=orjson.OPT_SORT_KEYS,
            )
            blob = self.git.write_blob(body + b"\n")
            return team, self.git.commit({"team.json": blob}, f"pmjournal team {team}", None)
        files = self.git.tree_of(commit)
        try:
            (data,) = self.git.read_blobs([files["team.json"]])
            info = orjson.loads(data)
            team = info["team"]
            assert info["format"] == TEAM_FORMAT and isinstance(team, str)
        except (KeyError, TypeError, ValueError, AssertionError, orjson.JSONDecodeError):  # TypeError: JSON, but not an object
            raise SyncError(_("{remote} holds a damaged team record; nothing was changed").format(remote=self.remote)) from None
        if known and team != known:
            raise SyncError(
                _(
                    "{remote} holds another team's journal (team {team}; this journal belongs to team {known}). Nothing was changed"
                ).format(remote=self.remote, team=team, known=known)
            )
        return team, None

    # -- this author's chain ----------------------------------------------

    def own_bytes(self) -> bytes:
        fh = self.journal.open_read()
        if fh is None:
            return b""
        with fh:
            return _complete(fh.read())

    def choose_handle(self, refs: dict[str, str], own: bytes) -> None:
        if self.handle:
            return
        base = handle_from(self.name)
        header = own.split(b"\n", 1)[0]
        for n in range(1, 100):
            candidate = base if n == 1 else f"{base}-{n}"
            commit = refs.get(CHAINS + candidate)
            if commit is None:
                self.handle = candidate
                return
            names, files = _read_chain(self.git, commit, candidate)
            (first,) = self.git.read_blobs([files[names[0]]])
            if header and first.split(b"\n", 1)[0] == header:
                self.handle = candidate  # this journal's own chain, synced before from a lost folder
                return
        raise SyncError(_("no free handle; choose one with --as"))

    def check_own(self, refs: dict[str, str], own: bytes, report: SyncReport) -> tuple[bytes, str | None, int]:
        """(this journal's bytes as they will be pushed, the remote's commit of them, lines there)."""
        commit = refs.get(CHAINS + self.handle)
        if commit is None:
            return own, None, 0
        names, files = _read_chain(self.git, commit, self.handle)
        mine = segments.split(own)
        if not own.strip(b"\n") or len(own.split(b"\n", 1)) == 1 or own.count(b"\n") <= 1:
            # Nothing recorded here yet: a new machine, or a lost folder. Take the chain.
            data = b"".join(self.git.read_blobs([files[n] for n in names]))
            self._check_new(data, self.handle)
            self._restore(data)
            report.restored = data.count(b"\n") - 1
            return data, commit, data.count(b"\n")
        there_lines = 0
        for i, name in enumerate(names):
            if i >= len(mine):
                raise SyncError(
                    _(
                        "the remote holds records of {handle} that this journal does not have: it is behind its own chain (restored from an old backup?). Nothing was changed"
                    ).format(handle=self.handle)
                )
            if segments.blob_id(mine[i]) == files[name]:
                there_lines += mine[i].count(b"\n")
                continue
            (theirs,) = self.git.read_blobs([files[name]])
            if i == len(names) - 1 and mine[i].startswith(theirs):
                there_lines += theirs.count(b"\n")
                continue
            where = _first_difference(mine[i], theirs, self.handle, i * segments.SEGMENT)
            raise SyncError(
                _(
                    "the remote's copy of your own chain ({handle}) differs from this journal at {where}: it was rewritten there, or this file was. Nothing was pushed; run `pmjournal verify`"
                ).format(handle=self.handle, where=where)
            )
        pushed_before = self.state.get("pushed_seq", 0)
        if there_lines - 1 < pushed_before:
            report.repaired = (there_lines, pushed_before)
        return own, commit, there_lines

    def _restore(self, data: bytes) -> None:
        from ..files import write_atomically

        self.journal.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.journal.lock:
            current = self.own_bytes()
            if current.count(b"\n") > 1:
                raise SyncError(_("this journal got records while it was being restored; run sync again"))
            write_atomically(self.journal.path, data)
            os.chmod(self.journal.path, 0o600)

    def own_commit(self, own: bytes, parent: str | None, there_lines: int) -> tuple[str | None, int]:
        lines = own.count(b"\n")
        if lines <= there_lines or lines <= 1:
            return None, 0
        # Check what is new as any reader would before it leaves this machine.
        start = there_lines - there_lines % segments.SEGMENT
        if there_lines == 0:
            self._check_new(own, self.handle)
        else:
            self._check_tail(own, there_lines, self.handle)
        files = self.git.tree_of(parent) if parent else {}
        first_changed = start // segments.SEGMENT
        at = len(b"".join(segments.split(own)[:first_changed]))
        for offset, seg in enumerate(segments.split(own[at:], start)):
            files[segments.name_of(first_changed + offset)] = self.git.write_blob(seg)
        # An older signed head stays: it still vouches for the records up to it.
        if self.signing_key:
            # This author vouches for their own chain: a signed head travels with it.
            from ..evidence.signing import SigningKey

            text = heads.statement(self.handle, heads.leaves_of(own))
            files[heads.STATEMENT_FILE] = self.git.write_blob(text.encode())
            files[heads.SIGNATURE_FILE] = self.git.write_blob(SigningKey(self.signing_key).sign(text.encode()).encode())
        commit = self.git.commit(files, f"{self.handle}: #{max(there_lines, 1)}-#{lines - 1}", parent)
        return commit, lines - max(there_lines, 1)

    # -- colleagues -------------------------------------------------------

    def _check_new(self, data: bytes, handle: str) -> None:
        """A chain's bytes, checked from its header as a read of the file would."""
        fh = io.BytesIO(data)
        first = fh.readline()
        try:
            header = check_header(first.rstrip(b"\n"), f"{handle}'s chain")
        except JournalDamaged as err:
            raise SyncError(str(err).replace(_("; it was not changed"), "")) from None
        reader = Reader(handle, 0, header_link(first.rstrip(b"\n"), header["schema"]), len(first))
        self._read_all(reader, fh, handle)

    def _check_tail(self, data: bytes, have_lines: int, handle: str) -> None:
        """Lines from `have_lines` on, chained from the record before them."""
        lines = data.split(b"\n")
        before = orjson.loads(lines[have_lines - 1]) if have_lines > 1 else None
        if before is None:
            first = lines[0]
            header = check_header(first, f"{handle}'s chain")
            prev, seq = header_link(first, header["schema"]), 0
        else:
            prev, seq = before.get("hash"), before.get("seq")
        at = len(b"\n".join(lines[:have_lines])) + 1
        self._read_all(Reader(handle, seq, prev, at), io.BytesIO(data[at:]), handle)

    def _read_all(self, reader: Reader, fh, handle: str) -> None:
        try:
            for _ in reader.read(fh):
                pass
        except JournalDamaged as err:
            seq, problem = getattr(err, "bad", (reader.seq + 1, "damaged"))
            raise SyncError(
                _("{handle}#{seq} does not verify ({problem})").format(handle=handle, seq=seq, problem=problem)
            ) from None
        if reader.broken:
            seq, problem = reader.broken
            raise SyncError(_("{handle}#{seq} does not verify ({problem})").format(handle=handle, seq=seq, problem=problem))
        if reader.torn or reader.unfinished:
            raise SyncError(_("{handle}'s chain ends in an unfinished write").format(handle=handle))

    def colleague(self, handle: str, commit: str) -> bytes:
        """The new bytes of a colleague's chain past the copy held here (b"" if none).
        Raises SyncError naming the first record that differs if it is not an extension."""
        names, files = _read_chain(self.git, commit, handle)
        path = self.team.chain_path(handle)
        try:
            have = path.read_bytes()
        except FileNotFoundError:
            have = b""
        have = _complete(have)
        mine = segments.split(have)
        for i, seg in enumerate(mine[:-1]):
            if i >= len(names):
                break
            if segments.blob_id(seg) != files[names[i]]:
                (theirs,) = self.git.read_blobs([files[names[i]]])
                where = _first_difference(seg, theirs, handle, i * segments.SEGMENT)
                raise SyncError(
                    _(
                        "{handle}'s history was rewritten on the remote: {where} differs from the copy here. Kept the copy here and took nothing of {handle}'s"
                    ).format(handle=handle, where=where)
                )
        if len(names) < len(mine):
            raise SyncError(
                _(
                    "{handle}'s history on the remote is shorter than the copy here (records from {handle}#{seq} on were dropped). Kept the copy here and took nothing of {handle}'s"
                ).format(handle=handle, seq=len(names) * segments.SEGMENT)
            )
        last = len(mine) - 1
        rest = self.git.read_blobs([files[n] for n in names[max(last, 0) :]])
        there = b"".join(rest)
        if mine:
            if not there.startswith(mine[-1]):
                if len(there) < len(mine[-1]) and mine[-1].startswith(there):
                    end = last * segments.SEGMENT + there.count(b"\n") - 1
                    raise SyncError(
                        _(
                            "{handle}'s history on the remote ends at {handle}#{end} but the copy here goes further: records were dropped. Kept the copy here and took nothing of {handle}'s"
                        ).format(handle=handle, end=end)
                    )
                where = _first_difference(mine[-1], there, handle, last * segments.SEGMENT)
                raise SyncError(
                    _(
                        "{handle}'s history was rewritten on the remote: {where} differs from the copy here. Kept the copy here and took nothing of {handle}'s"
                    ).format(handle=handle, where=where)
                )
            new = there[len(mine[-1]) :]
        else:
            new = there
        if not new:
            self._signed_head(handle, files, have)
            return b""
        if not new.endswith(b"\n"):
            raise SyncError(
                _("{handle}'s chain on the remote ends in a cut line; took nothing of {handle}'s").format(handle=handle)
            )
        try:
            if have:
                self._check_tail(have + new, have.count(b"\n"), handle)
            else:
                self._check_new(new, handle)
        except SyncError as err:
            raise SyncError(_("{err}; took nothing of {handle}'s").format(err=err, handle=handle)) from None
        self._ids_are_new(new, handle)
        self._signed_head(handle, files, have + new)
        return new

    def _signed_head(self, handle: str, files: dict[str, str], chain: bytes) -> None:
        """A colleague's signed head, if their commit carries one: checked against their
        chain (refused with it if it does not match) and kept for exports."""
        self.heads.pop(handle, None)
        if heads.STATEMENT_FILE not in files or heads.SIGNATURE_FILE not in files:
            return
        text, signature = (
            b.decode("utf-8", "replace") for b in self.git.read_blobs([files[heads.STATEMENT_FILE], files[heads.SIGNATURE_FILE]])
        )
        try:
            fingerprint = heads.check(text, signature, handle, heads.leaves_of(chain))
        except ValueError as err:
            raise SyncError(_("{err}; took nothing of {handle}'s").format(err=err, handle=handle)) from None
        self.heads[handle] = {"statement": text, "signature": signature, "fingerprint": fingerprint}

    def _ids_are_new(self, new: bytes, handle: str) -> None:
        """Ids are global: a record reusing one would stand in for somebody else's entry."""
        if self._known_ids is None:
            self._known_ids = set(_IDS.findall(self.own_bytes()))
            for path in self.team.colleagues().values():
                self._known_ids.update(_IDS.findall(path.read_bytes()))
        for line in new.split(b"\n"):
            found = _IDS.search(line)
            if found and found.group(1) in self._known_ids:
                record = orjson.loads(line)
                raise SyncError(
                    _("{handle}#{seq} reuses the id {id} of a record already here; took nothing of {handle}'s").format(
                        handle=handle, seq=record.get("seq"), id=found.group(1).decode()
                    )
                )
            if found:
                self._known_ids.add(found.group(1))

    def take(self, handle: str, new: bytes) -> None:
        path = self.team.chain_path(handle)
        self.team.chains_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(new)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- the whole sync ---------------------------------------------------

    def run(self) -> SyncReport:
        self.git.ensure()
        refs = self.fetch()
        team, team_commit = self.team_id(refs)
        own = self.own_bytes()
        if own:
            try:
                self.journal.check_header(own.split(b"\n", 1)[0])
            except JournalDamaged as err:
                raise SyncError(str(err)) from None
        self.choose_handle(refs, own)
        report = SyncReport(self.remote, self.handle, created_team=team_commit is not None)
        own, parent, there_lines = self.check_own(refs, own, report)
        taking: dict[str, bytes] = {}
        for name, commit in sorted(refs.items()):
            if not name.startswith(CHAINS):
                continue
            handle = name[len(CHAINS) :]
            if handle == self.handle:
                continue
            if not HANDLE.match(handle):
                report.refused[handle] = _("{handle!r} on the remote is not a valid handle; ignored").format(handle=handle)
                continue
            try:
                taking[handle] = self.colleague(handle, commit)
            except SyncError as err:
                report.refused[handle] = str(err)
        commit, pushed = self.own_commit(own, parent, there_lines)
        specs = []
        if commit:
            specs.append(f"{commit}:{CHAINS}{self.handle}")
        if team_commit:
            specs.append(f"{team_commit}:{TEAM_REF}")
        if specs:
            # --atomic: the team record and the chain land together or not at all.
            self.git.run("push", "--atomic", "--quiet", self.remote, *specs, what=f"pushing to {self.remote}")
            # What the remote now holds, as the next sync's stale-fetch check would see it.
            if commit:
                self.git.run("update-ref", f"{STAGED}pmjournal/chains/{self.handle}", commit)
            if team_commit:
                self.git.run("update-ref", f"{STAGED}pmjournal/team", team_commit)
        for handle, new in taking.items():
            if new:
                had_copy = self.team.chain_path(handle).exists()
                self.take(handle, new)
                report.fetched[handle] = new.count(b"\n") - (0 if had_copy else 1)  # a new chain starts with its header
            if handle in self.heads:
                write_atomically(self.team.head_path(handle), orjson.dumps(self.heads[handle], option=orjson.OPT_INDENT_2))
        report.pushed = pushed
        self.state.update(
            {
                "remote": self.remote,
                "handle": self.handle,
                "team": team,
                "synced_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "pushed_seq": max(own.count(b"\n") - 1, 0),
                "refused": report.refused,
            }
        )
        self.team.save_state(self.state)
        return report


def sync(journal_path, remote: str | None = None, handle: str | None = None, name: str = "", signing_key: str = "") -> SyncReport:
    """Push this journal's chain to `remote` (remembered from the first run) and take every
    colleague's new records. Raises SyncError (nothing local changed) if it cannot."""
    from filelock import FileLock, Timeout

    team = Team(journal_path)
    joined = team.joined
    if not joined and not team.journal_path.parent.is_dir():
        team.journal_path.parent.mkdir(mode=0o700, parents=True)
    team.root.mkdir(mode=0o700, exist_ok=True)
    try:
        with FileLock(str(team.root / "sync.lock"), timeout=0):
            return _Sync(journal_path, remote, handle, name, signing_key).run()
    except Timeout:
        raise SyncError(_("another sync of this journal is running; try again when it ends")) from None
    except BaseException:
        if not joined and not team.joined:
            import shutil

            shutil.rmtree(team.root, ignore_errors=True)  # a first sync that failed leaves nothing behind
        raise


__all__ = ["SyncError", "SyncReport", "sync"]
