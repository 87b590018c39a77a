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
A copy that is not a start of the remote's chain is first held against the commit
this machine last took it from (witness.py): if the copy is what departs from it, it
was changed here, and what was taken is put back (the remote then held against that).

Order: fetch, check everything, push, then write the colleagues' new records
here. A failed fetch or push changes nothing local.
"""

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
from . import segments, witness
from .chainfile import ChainFile, Spool, packed_leaves, whole_lines
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
    put_back: dict[str, str] = field(default_factory=dict)  # colleagues' copies changed here, put back (witness.py)

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
            if first == last:
                line = _("the remote had lost {handle}#{first} of your chain (cut there since the last sync); pushed it again")
            else:
                line = _(
                    "the remote had lost {handle}#{first}-#{last} of your chain (cut there since the last sync); pushed them again"
                )
            out.append(line.format(handle=self.handle, first=first, last=last))
        taken = ", ".join(f"{h} {n}" for h, n in sorted(self.fetched.items()) if n)
        out.append(
            ngettext(
                "synced with {remote} as {handle}: pushed {pushed} record, took {taken}",
                "synced with {remote} as {handle}: pushed {pushed} records, took {taken}",
                self.pushed,
            ).format(remote=self.remote, handle=self.handle, pushed=self.pushed, taken=sum(self.fetched.values()))
            + (f" ({taken})" if taken else "")
        )
        out.extend(self.put_back[h] for h in sorted(self.put_back))
        out.extend(self.refused[h] for h in sorted(self.refused))
        return out


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _first_difference(here: bytes, there: bytes, handle: str, first_line: int = 0) -> str:
    """Where two versions of a chain part first differ, as the record a person can look up."""
    return witness.where(handle, witness.differing_line(here, there, first_line))


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


def remembered(remote: str) -> str:
    """The remote as team.json keeps it: a local path made absolute, so the next sync finds it
    from any folder (`pmjournal sync ../team.git`, then `pmjournal sync` elsewhere); a URL or
    an scp-like address (host:path, as git reads it: a ':' before any '/') as written."""
    if "://" in remote or ":" in remote.split("/", 1)[0]:
        return remote
    return os.path.abspath(remote)


class _Sync:
    def __init__(self, journal_path, remote: str | None, handle: str | None, name: str, signing_key: str = ""):
        self.signing_key = signing_key
        self.team = Team(journal_path)
        self.state = self.team.state()
        self.remote = remembered(remote) if remote else self.state.get("remote")
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
        self._known_ids = None  # a temporary SQLite database of every id held here (_ids_not_held)
        self._taken_ids: set[bytes] = set()  # ids this sync is taking (not yet in the copies)
        self.heads: dict[str, dict] = {}  # colleagues' signed heads taken by this sync
        # What this machine took of each colleague's chain before this sync, as fetch() found it
        # (witness.py): the taken refs, and the fetched ones for a team folder from before them.
        self.taken: dict[str, str] = {}
        self.pending: set[str] = set()  # handles an earlier sync, cut short, was taking (witness.TAKING)
        self.fetched_before: dict[str, str] = {}
        self.now_taken: dict[str, str] = {}  # handle -> the commit whose chain its copy is once this sync writes
        self.copy_ends: dict[str, int] = {}  # handle -> where its copy's whole lines ended when read (take)
        self.putting_back: dict[str, tuple[Spool, witness.Difference]] = {}  # copies changed here: what was taken

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
        known = self.git.refs(STAGED + "pmjournal/", witness.TAKEN, witness.TAKING)
        fetched = {"refs/" + name[len(STAGED) :]: oid for name, oid in known.items() if name.startswith(STAGED)}
        self.taken = {name[len(witness.TAKEN) :]: oid for name, oid in known.items() if name.startswith(witness.TAKEN)}
        self.pending = {name[len(witness.TAKING) :] for name in known if name.startswith(witness.TAKING)}
        self.fetched_before = {name[len(CHAINS) :]: oid for name, oid in fetched.items() if name.startswith(CHAINS)}
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

    def own_file(self) -> ChainFile:
        """This journal's whole lines as they stand now: a write in progress in another
        process is not pushed yet."""
        fh = self.journal.open_read()
        try:
            return ChainFile.of(fh)
        finally:
            if fh is not None:
                fh.close()

    def choose_handle(self, refs: dict[str, str], own: ChainFile) -> None:
        if self.handle:
            return
        base = handle_from(self.name)
        header = own.header()
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

    def check_own(self, refs: dict[str, str], own: ChainFile, report: SyncReport) -> tuple[ChainFile, str | None, int]:
        """(this journal as it will be pushed, the remote's commit of it, lines there)."""
        commit = refs.get(CHAINS + self.handle)
        if commit is None:
            return own, None, 0
        names, files = _read_chain(self.git, commit, self.handle)
        if own.lines <= 1:
            # Nothing recorded here yet: a new machine, or a lost folder. Take the chain.
            spool = Spool(self.journal.path.parent)
            try:
                for blob in self.git.iter_blobs([files[n] for n in names]):
                    spool.write(blob)
                taken = spool.done()
                self._check_new(taken, self.handle)
                self._restore(taken)
                report.restored = spool.lines - 1
            finally:
                spool.close()
            own.close()
            own = self.own_file()
            return own, commit, own.lines
        there_lines = 0
        mine = own.segments()
        count = own.segment_count()
        for i, name in enumerate(names):
            if i >= count:
                raise self._own_refused(
                    _(
                        "the remote holds records of {handle} that this journal does not have: it is behind its own chain (restored from an old backup?). Nothing was changed"
                    ).format(handle=self.handle)
                )
            segment = next(mine)
            if segments.blob_id(segment) == files[name]:
                there_lines += segment.count(b"\n")
                continue
            (theirs,) = self.git.read_blobs([files[name]])
            if i == len(names) - 1 and segment.startswith(theirs):
                there_lines += theirs.count(b"\n")
                continue
            if i == count - 1 and theirs.startswith(segment):
                # the remote goes on past this journal's last record: named as a record it has not
                raise self._own_refused(
                    _(
                        "the remote holds records of {handle} that this journal does not have: it is behind its own chain (restored from an old backup?). Nothing was changed"
                    ).format(handle=self.handle)
                )
            if i == 0 and _lines(segment)[:2] != _lines(theirs)[:2] and not self.state.get("pushed_seq"):
                # another journal from its header or first record, and this one never pushed: a handle taken
                raise self._own_refused(
                    _(
                        "the remote already holds a chain as {handle}, and it is not this journal's: another member's handle? Choose one of your own with `pmjournal sync --as NAME`. Nothing was pushed"
                    ).format(handle=self.handle)
                )
            where = _first_difference(segment, theirs, self.handle, i * segments.SEGMENT)
            raise self._own_refused(
                _(
                    "the remote's copy of your own chain ({handle}) differs from this journal at {where}: it was rewritten there, or this file was. Nothing was pushed"
                ).format(handle=self.handle, where=where),
                # verify holds this file against its last check: said by sync, not by verify repeating it
                hint=_("; run `pmjournal verify`"),
            )
        pushed_before = self.state.get("pushed_seq", 0)
        if there_lines - 1 < pushed_before:
            report.repaired = (there_lines, pushed_before)
        return own, commit, there_lines

    def _own_refused(self, message: str, hint: str = "") -> SyncError:
        """The sync's error, kept for `pmjournal verify` as a colleague's refused copy is (it
        repeats what the last sync refused and exits 1): the message sent the user to verify,
        which said ok, since this file's own chain holds whether or not it was rewritten."""
        if self.team.joined:  # a first sync that is refused joins nothing: no team.json for it
            self.state["refused"] = {**(self.state.get("refused") or {}), self.handle: message}
            self.team.save_state(self.state)
        return SyncError(message + hint)

    def _restore(self, taken: ChainFile) -> None:
        from ..files import write_atomically

        self.journal.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.journal.lock:
            with self.own_file() as current:
                if current.lines > 1:
                    raise SyncError(_("this journal got records while it was being restored; run sync again"))
            write_atomically(self.journal.path, taken.chunks())
            os.chmod(self.journal.path, 0o600)

    def own_commit(self, own: ChainFile, parent: str | None, there_lines: int) -> tuple[str | None, int]:
        lines = own.lines
        if lines <= 1:
            return None, 0
        if lines <= there_lines:
            # Nothing new to push; a signing key set since the last push signs the head now,
            # not with the next record (colleagues' syncs and `verify --since` look for it).
            if not (self.signing_key and parent and heads.STATEMENT_FILE not in self.git.tree_of(parent)):
                return None, 0
            files = self.git.tree_of(parent)
            self._sign_head(own, files)
            return self.git.commit(files, f"{self.handle}: signed head #{lines - 1}", parent), 0
        # Check what is new as any reader would before it leaves this machine.
        if there_lines == 0:
            self._check_new(own, self.handle)
        else:
            self._check_tail(own, there_lines, self.handle)
        files = self.git.tree_of(parent) if parent else {}
        first_changed = there_lines // segments.SEGMENT
        for offset, seg in enumerate(own.segments(first_changed)):
            files[segments.name_of(first_changed + offset)] = self.git.write_blob(seg)
        # An older signed head stays: it still vouches for the records up to it.
        if self.signing_key:
            self._sign_head(own, files)
        commit = self.git.commit(files, f"{self.handle}: #{max(there_lines, 1)}-#{lines - 1}", parent)
        return commit, lines - max(there_lines, 1)

    def _sign_head(self, own: ChainFile, files: dict[str, str]) -> None:
        """This author vouches for their own chain: a signed head travels with it."""
        from ..evidence.signing import SigningKey

        text = heads.statement(self.handle, packed_leaves(own.chunks()))
        files[heads.STATEMENT_FILE] = self.git.write_blob(text.encode())
        files[heads.SIGNATURE_FILE] = self.git.write_blob(SigningKey(self.signing_key).sign(text.encode()).encode())

    # -- colleagues -------------------------------------------------------

    def _check_new(self, chain: ChainFile, handle: str) -> None:
        """A chain's lines from its header on, checked as a read of the file would."""
        first = chain.line(0)
        try:
            header = check_header(first, f"{handle}'s chain")
        except JournalDamaged as err:
            raise SyncError(str(err).replace(_("; it was not changed"), "")) from None
        at = len(first) + 1
        reader = Reader(handle, 0, header_link(first, header["schema"]), at)
        self._read_all(reader, chain.region(at), handle)

    def _check_tail(self, chain: ChainFile, have_lines: int, handle: str, more: ChainFile | None = None) -> None:
        """Lines from `have_lines` on (then all of `more`), chained from the record before them."""
        before = orjson.loads(chain.line(have_lines - 1)) if have_lines > 1 else None
        if before is None:
            first = chain.line(0)
            header = check_header(first, f"{handle}'s chain")
            prev, seq = header_link(first, header["schema"]), 0
        else:
            prev, seq = before.get("hash"), before.get("seq")
        at = chain.offset_of(have_lines)
        reader = Reader(handle, seq, prev, at)
        self._read_all(reader, _joined(chain.region(at), more.region() if more is not None else None), handle)

    def _read_all(self, reader: Reader, fh, handle: str) -> None:
        try:
            for _record in reader.read(fh, pick=_nothing):  # a batch's records are not held while it is checked
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

    def colleague(self, handle: str, commit: str) -> Spool | None:
        """A colleague's new records past the copy held here, checked, on disk (None if
        none). Raises SyncError naming the first record that differs if it is not an
        extension, or the copy here if that is what fails verification: an edit of the copy
        here read as the colleague's history rewritten on the remote. A copy that departs
        from what this machine last took is put back first (_put_back), and the remote
        held against what was taken."""
        try:
            return self._colleague(handle, commit)
        except SyncError:
            if handle in self.putting_back:
                raise  # the copy here is being put back: what differs is the remote's
            from ..verify import as_last_checked, verify_file

            path = self.team.chain_path(handle)
            # Not remembered: a copy rewritten and rehashed here holds on its own, and its
            # `.checked` memo is the witness of what it was (verify.as_last_checked).
            report = as_last_checked(path, verify_file(path, remember=False), handle)
            if not report.ok and report.bad_seq == 0:  # a newer pmjournal's copy: taking it again would not mend it
                raise SyncError(report.message(path, handle)) from None
            if not report.ok:
                raise SyncError(
                    _(
                        "the copy of {handle}'s chain here fails verification at {handle}#{seq} ({problem}); took nothing of {handle}'s: delete {path} and the next sync takes the chain again"
                    ).format(handle=handle, seq=report.bad_seq, problem=report.problem, path=path)
                ) from None
            raise

    def _colleague(self, handle: str, commit: str) -> Spool | None:
        names, files = _read_chain(self.git, commit, handle)
        with ChainFile.open(self.team.chain_path(handle)) as copy:
            self.copy_ends[handle] = copy.end
            found, rest = witness.compare(self.git, names, files, copy)
            have = copy
            if found is not None:
                have = self._put_back(handle, commit, copy, found)
                if have is not copy:
                    found, rest = witness.compare(self.git, names, files, have)
            if found is not None:
                raise self._rewritten(handle, found)
            spool = Spool(self.team.chains_dir)
            try:
                for blob in rest:
                    spool.write(blob)
                if not spool.size:
                    self._signed_head(handle, files, have, None)
                    spool.close()
                    self.now_taken[handle] = commit
                    return None
                if spool.last != b"\n":
                    raise SyncError(
                        _("{handle}'s chain on the remote ends in a cut line; took nothing of {handle}'s").format(handle=handle)
                    )
                new = spool.done()
                try:
                    if have:
                        self._check_tail(have, have.lines, handle, new)
                    else:
                        self._check_new(new, handle)
                except SyncError as err:
                    raise SyncError(_("{err}; took nothing of {handle}'s").format(err=err, handle=handle)) from None
                self._ids_are_new(new, handle)
                self._signed_head(handle, files, have, new)
                self.now_taken[handle] = commit
                return spool
            except BaseException:
                spool.close()
                raise

    def _rewritten(self, handle: str, found: witness.Difference) -> SyncError:
        """The remote's chain of `handle` is not an extension of the copy here."""
        if found.kind == witness.FEWER:
            return SyncError(
                _(
                    "{handle}'s history on the remote is shorter than the copy here (records from {handle}#{seq} on were dropped). Kept the copy here and took nothing of {handle}'s"
                ).format(handle=handle, seq=found.line)
            )
        if found.kind == witness.ENDS:
            return SyncError(
                _(
                    "{handle}'s history on the remote ends at {handle}#{end} but the copy here goes further: records were dropped. Kept the copy here and took nothing of {handle}'s"
                ).format(handle=handle, end=found.line - 1)
            )
        return SyncError(
            _(
                "{handle}'s history was rewritten on the remote: {where} differs from the copy here. Kept the copy here and took nothing of {handle}'s"
            ).format(handle=handle, where=witness.where(handle, found.line))
        )

    def _put_back(self, handle: str, commit: str, copy: ChainFile, found: witness.Difference) -> ChainFile:
        """The copy here is not a start of the remote's chain (`found`): if it departs from what
        this machine last took (witness.py), it is the copy that was changed, here, and what was
        taken is read back from git (checked as a first take is) to be put back when this sync
        writes; the remote is then held against that. Else the copy, and the remote changed."""
        known = witness.witness_of(self.taken, self.fetched_before, self.state.get("refused"), handle)
        if known is None:
            return copy
        taken = known[0]
        names, files = _read_chain(self.git, taken, handle)
        if taken != commit:
            found, _rest = witness.compare(self.git, names, files, copy)
            if found is None:
                return copy
        spool = Spool(self.team.chains_dir)
        try:
            for blob in self.git.iter_blobs([files[n] for n in names]):
                spool.write(blob)
            base = spool.done()
            self._check_new(base, handle)
        except BaseException:
            spool.close()
            raise
        self.putting_back[handle] = (spool, found)
        return base

    def _signed_head(self, handle: str, files: dict[str, str], have: ChainFile, new: ChainFile | None) -> None:
        """A colleague's signed head, if their commit carries one: checked against their
        chain (the copy here, then what is new; refused with it if it does not match) and
        kept for exports."""
        self.heads.pop(handle, None)
        if heads.STATEMENT_FILE not in files or heads.SIGNATURE_FILE not in files:
            return
        text, signature = (
            b.decode("utf-8", "replace") for b in self.git.read_blobs([files[heads.STATEMENT_FILE], files[heads.SIGNATURE_FILE]])
        )
        leaves = packed_leaves(have.chunks())
        if new is not None:
            packed_leaves(new.chunks(), leaves, header=not have)
        try:
            fingerprint = heads.check(text, signature, handle, leaves)
        except ValueError as err:
            raise SyncError(_("{err}; took nothing of {handle}'s").format(err=err, handle=handle)) from None
        self.heads[handle] = {"statement": text, "signature": signature, "fingerprint": fingerprint}

    def _ids_are_new(self, new: ChainFile, handle: str) -> None:
        """Ids are global: a record reusing one would stand in for somebody else's entry.

        What a sync takes is usually a few records: their ids are held and every chain here
        is searched for them. A large take (a colleague's first sync) is checked the other
        way round, against every id held here in a private temporary database (a million
        of them in a set would cost ~90 MB), built once per sync."""
        if new.lines > _FEW_IDS or self._known_ids is not None:
            self._ids_not_held(new, handle)
            return
        taken: set[bytes] = set()
        for line in _lines_of(new.chunks()):
            found = _IDS.search(line)
            if found is not None:
                taken.add(found.group(1))
        held = set()
        # A few ids are looked for as bytes first (a search per id is far faster than the
        # regular expression, which then runs only on a piece that holds one).
        few = list(taken) if len(taken) <= 32 else None
        for chain in self._all_chains():
            with chain:
                for data in whole_lines(chain.chunks()):
                    if few is not None and not any(i in data for i in few):
                        continue
                    held.update(i for i in _IDS.findall(data) if i in taken)
        seen: set[bytes] = set()
        for line in _lines_of(new.chunks()):
            found = _IDS.search(line)
            if found is None:
                continue
            if found.group(1) in held or found.group(1) in seen or found.group(1) in self._taken_ids:
                self._reused(line, handle, found.group(1))
            seen.add(found.group(1))
        self._taken_ids.update(taken)

    def _all_chains(self):
        yield self.own_file()
        for handle, path in self.team.colleagues().items():
            if handle in self.putting_back:
                yield ChainFile.of(self.putting_back[handle][0].file)  # what will be there, not the changed copy
            else:
                yield ChainFile.open(path)

    def _ids_not_held(self, new: ChainFile, handle: str) -> None:
        if self._known_ids is None:
            import sqlite3

            self._known_ids = sqlite3.connect("")
            self._known_ids.execute("CREATE TABLE ids(id BLOB PRIMARY KEY) WITHOUT ROWID")
            rows = ((i,) for i in self._taken_ids)
            self._known_ids.executemany("INSERT OR IGNORE INTO ids VALUES (?)", rows)
            for chain in self._all_chains():
                with chain:
                    for data in whole_lines(chain.chunks()):
                        self._known_ids.executemany("INSERT OR IGNORE INTO ids VALUES (?)", ((i,) for i in _IDS.findall(data)))
        known = self._known_ids
        for line in _lines_of(new.chunks()):
            found = _IDS.search(line)
            if found is None:
                continue
            if known.execute("SELECT 1 FROM ids WHERE id = ?", (found.group(1),)).fetchone():
                self._reused(line, handle, found.group(1))
            known.execute("INSERT INTO ids VALUES (?)", (found.group(1),))

    def _reused(self, line: bytes, handle: str, record_id: bytes):
        record = orjson.loads(line)
        raise _IdReused(
            _("{handle}#{seq} reuses the id {id} of a record already here; took nothing of {handle}'s").format(
                handle=handle, seq=record.get("seq"), id=record_id.decode()
            ),
            record_id,
            record.get("seq"),
        )

    def _copy_of(self, own: ChainFile, clashes: dict[str, tuple[bytes, object]]) -> None:
        """A journal whose chain was never pushed, whose first record a colleague's chain on the
        remote holds too, is a copy of theirs (a journal file copied to another machine, or
        synced under another handle): pushed, it took their records over on every new
        machine (a handle sorting first wins merge.merged's rule) and theirs was refused."""
        wanted = {record_id: (handle, seq) for handle, (record_id, seq) in clashes.items()}
        first = _IDS.search(own.line(1)) if own.lines > 1 else None  # (own stays open: the push reads it next)
        # Its first record: a copied journal shares it (one record reusing an id later on is
        # refused by each machine that takes it, as before).
        if first is not None and first.group(1) in wanted:
            handle, seq = wanted[first.group(1)]
            raise SyncError(
                _(
                    "this journal holds {handle}'s records ({handle}#{seq} has the id of a record here): it is a copy of {handle}'s journal, not one of its own. Nothing was pushed: start a new journal for yourself, or sync this one as {handle} where it came from"
                ).format(handle=handle, seq=seq)
            )

    def _replace(self, handle: str, new: Spool | None) -> str:
        """Put back what this machine last took of `handle`'s chain, and what this sync took
        after it, over the copy that was changed here; that copy is kept beside it, for
        whoever looks into who changed it. The report's line."""
        base, found = self.putting_back[handle]
        path = self.team.chain_path(handle)
        aside = path.with_name(f"{path.name}.changed-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        try:
            os.link(path, aside)
        except OSError:  # a filesystem without hard links
            import shutil

            shutil.copyfile(path, aside)
        parts = [base.done().chunks()] + ([new.done().chunks()] if new is not None else [])
        write_atomically(path, (data for part in parts for data in part), through_link=False)
        os.chmod(path, 0o600)
        # Its `.checked` memo described the changed file (an older pmjournal's `verify` wrote one
        # of a forgery that held on its own); the next `verify` writes it of what was put back.
        from ..verify import CHECKED

        path.with_name(path.name + CHECKED).unlink(missing_ok=True)
        return _(
            "the copy of {handle}'s chain here had been changed on this machine: {detail}. Put back what was taken; the changed copy is kept as {aside}"
        ).format(handle=handle, detail=witness.detail(found, handle), aside=aside)

    def take(self, handle: str, new: Spool) -> None:
        path = self.team.chain_path(handle)
        self.team.chains_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # A sync cut short in its append left part of a line past the copy's whole lines,
            # which this sync read past and takes again: appended after it, the copy was broken.
            end = self.copy_ends.get(handle, 0)
            if os.fstat(fd).st_size > end:
                os.ftruncate(fd, end)
            for data in new.done().chunks():
                view = memoryview(data)
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
        taking: dict[str, Spool | None] = {}
        opened: list[ChainFile] = []  # this journal as read, and as restored (check_own)
        try:
            own = self.own_file()
            opened.append(own)
            if own:
                try:
                    self.journal.check_header(own.header())
                except JournalDamaged as err:
                    raise SyncError(str(err)) from None
            self.choose_handle(refs, own)
            report = SyncReport(self.remote, self.handle, created_team=team_commit is not None)
            own, parent, there_lines = self.check_own(refs, own, report)
            opened.append(own)
            return self._exchange(refs, team, team_commit, taking, own, parent, there_lines, report)
        finally:
            for chain in opened:
                chain.close()
            for spool in taking.values():
                if spool is not None:
                    spool.close()
            for spool, _found in self.putting_back.values():
                spool.close()
            if self._known_ids is not None:
                self._known_ids.close()

    def _exchange(self, refs, team, team_commit, taking, own, parent, there_lines, report) -> SyncReport:
        """Take every colleague's new records (checked, on disk), push this author's, then append
        what was taken."""
        clashes: dict[str, tuple[bytes, object]] = {}  # colleagues refused for an id held here
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
            except _IdReused as err:
                report.refused[handle] = str(err)
                clashes[handle] = (err.record_id, err.seq)
            except SyncError as err:
                report.refused[handle] = str(err)
        if clashes and parent is None:
            self._copy_of(own, clashes)
        commit, pushed = self.own_commit(own, parent, there_lines)
        specs = []
        if commit:
            specs.append(f"{commit}:{CHAINS}{self.handle}")
        if team_commit:
            specs.append(f"{team_commit}:{TEAM_REF}")
        if specs:
            # --atomic: the team record and the chain land together or not at all.
            self.git.run("push", "--atomic", "--quiet", self.remote, *specs, what=f"pushing to {self.remote}")
            # What the remote now holds, as the next sync's stale-fetch check would see it, and
            # (PUSHED) what verify holds this author's chain against: one git process.
            updates = ""
            if commit:
                updates += f"update {STAGED}pmjournal/chains/{self.handle} {commit}\nupdate {witness.PUSHED} {commit}\n"
            if team_commit:
                updates += f"update {STAGED}pmjournal/team {team_commit}\n"
            self.git.run("update-ref", "--stdin", input=updates.encode())
        moved = sorted((handle, commit) for handle, commit in self.now_taken.items() if self.taken.get(handle) != commit)
        if moved:
            # Named before the copies are written: a sync cut short after it left each copy
            # ahead of its witness, and verify took that for a change made here (witness.py).
            updates = "".join(f"update {witness.TAKING}{handle} {commit}\n" for handle, commit in moved)
            self.git.run("update-ref", "--stdin", input=updates.encode())
        for handle in sorted(taking.keys() | self.putting_back.keys()):
            new = taking.get(handle)
            if handle in self.putting_back:
                report.put_back[handle] = self._replace(handle, new)
                if new is not None:
                    report.fetched[handle] = new.lines
            elif new is not None:
                had_copy = self.team.chain_path(handle).exists()
                self.take(handle, new)
                report.fetched[handle] = new.lines - (0 if had_copy else 1)  # a new chain starts with its header
            if handle in self.heads:
                write_atomically(self.team.head_path(handle), orjson.dumps(self.heads[handle], option=orjson.OPT_INDENT_2), through_link=False)
        # Each copy is now the chain of the commit it was taken from: that is its witness
        # (witness.py), moved after the copies are written, in one transaction with the end of
        # what was being taken (and of what an earlier sync cut short was taking).
        updates = "".join(f"update {witness.TAKEN}{handle} {commit}\n" for handle, commit in moved)
        updates += "".join(f"delete {witness.TAKING}{handle}\n" for handle in sorted(self.pending | {h for h, _c in moved}))
        if updates:
            self.git.run("update-ref", "--stdin", input=updates.encode())
        report.pushed = pushed
        self.state.update(
            {
                "remote": self.remote,
                "handle": self.handle,
                "team": team,
                "synced_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "pushed_seq": max(own.lines - 1, 0),
                "refused": report.refused,
            }
        )
        self.team.save_state(self.state)
        return report


class _IdReused(SyncError):
    """A colleague's record reuses an id held here (which record: `record_id`, their #`seq`)."""

    def __init__(self, message: str, record_id: bytes, seq):
        super().__init__(message)
        self.record_id, self.seq = record_id, seq


_FEW_IDS = 50_000  # a take of up to this many records holds their ids (_ids_are_new)


def _lines_of(chunks):
    for data in whole_lines(chunks):
        yield from data.split(b"\n")


def _nothing(_record) -> None:
    return None


class _Joined:
    """Two regions read one after the other, as one file."""

    def __init__(self, first, second):
        self.parts = [first, second]

    def read(self, n: int = -1) -> bytes:
        while self.parts:
            data = self.parts[0].read(n)
            if data:
                return data
            self.parts.pop(0)
        return b""


def _joined(first, second):
    return first if second is None else _Joined(first, second)


def sync(journal_path, remote: str | None = None, handle: str | None = None, name: str = "", signing_key: str = "") -> SyncReport:
    """Push this journal's chain to `remote` (remembered from the first run) and take every
    colleague's new records. Raises SyncError (nothing local changed) if it cannot."""
    from filelock import FileLock, Timeout

    team = Team(journal_path)
    joined = team.joined
    try:
        if not joined and not team.journal_path.parent.is_dir():
            team.journal_path.parent.mkdir(mode=0o700, parents=True)
        team.root.mkdir(mode=0o700, exist_ok=True)
    except OSError as err:  # a file where the team folder goes, a read-only disk
        raise SyncError(
            _("cannot create the folder {parent}: {strerror}").format(parent=err.filename or team.root, strerror=err.strerror or err)
        ) from None
    try:
        with FileLock(str(team.root / "sync.lock"), timeout=0):
            return _Sync(journal_path, remote, handle, name, signing_key).run()
    except Timeout:
        raise SyncError(_("another sync of this journal is running; try again when it ends")) from None
    except BaseException as err:
        if not joined and not team.joined:
            import shutil

            shutil.rmtree(team.root, ignore_errors=True)  # a first sync that failed leaves nothing behind
        if isinstance(err, OSError):  # a full disk, a file made read-only underneath
            where = f"{err.filename}: " if err.filename else ""
            raise SyncError(_("sync stopped: {where}{reason}").format(where=where, reason=err.strerror or err)) from None
        raise


__all__ = ["SyncError", "SyncReport", "sync"]
