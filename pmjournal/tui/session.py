"""The open journal as the TUI holds it: one session, one lock, immutable snapshots.

JournalSession is the one object the TUI reads and writes the journal through:
the trail screen loads Snapshots with it, and the forms save (add, amend,
retract, export) and look entries up through it. TinyDB and Journal are not
thread-safe, and the app uses the journal from worker threads (loading, saving),
so every call into the journal goes through `lock`, which the session takes
itself. A Snapshot (views, people, index) is built in a worker and then only
read by the UI thread; a refresh builds a new one rather than changing the old
in place.

When the journal's index can serve (core/index: a derived SQLite file beside the
journal), a Snapshot holds no record: its index is a PagedIndex (core/index/paging.py),
the order of the entries as an array of row ids, its views and people Mappings read
one entry at a time, all in one read transaction of the index. A catch-up brings the
index up to date (cheap when nothing changed) and reads a new order. Without the
index (PMJOURNAL_INDEX=off, a folder it cannot write, a damaged journal) the session
loads and folds the whole journal as before.
"""

import contextlib
import copy
import dataclasses
import os
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

from ..core import i18n
from ..core.errors import PmjournalError
from ..core.files import file_stamp
from ..core.filter_index import FilterIndex
from ..core.fold import extend, fold, ref_of
from ..core.i18n import _
from ..core.index.paging import OWN_INDEXES
from ..core.loops import ANSWER_DAYS
from ..core.people import People
from ..core.store import Journal
from ..core.team.layout import Team
from .signers import Signers
from .team import TeamStatus

PREVIEW_BYTES = 1 << 19
# A journal this large without an index has it built in a child process the app can end
# (about 50,000 entries: a build of ten seconds or more).
BUILD_APART_BYTES = 32 << 20


@dataclass(frozen=True)
class Snapshot:
    views: dict[str, dict]
    people: People
    index: FilterIndex
    partial: bool = False  # a preview of the newest records while the whole journal loads
    last_seq: int = 0  # the last record folded into `views`
    generation: int = 0  # the journal's generation it was read from (a replaced file bumps it)
    broken: tuple[int, str] | None = None  # the first record the chain does not vouch for
    notices: tuple[str, ...] = ()
    team: TeamStatus | None = None  # a journal that joined a team: its sync state as of this read
    # Each chain's `key` records, for the detail pane's signer (empty in a preview: the keys
    # recorded before its tail are not known).
    signers: Signers = field(default_factory=Signers)

    @property
    def paged(self):
        """The index's read transaction this snapshot pages through (core/index/paging.Paged), or None."""
        return getattr(self.index, "paged", None)


class JournalSession:
    def __init__(self, journal: Journal):
        """A session over an open Journal (the tests build forms on one); the app uses `open`."""
        self.journal = journal
        self.path = journal.path
        self.lock = threading.RLock()
        self.answer_days = ANSWER_DAYS  # the config's (loops.py), set by the app
        self.signing_key = ""  # the config's: the SSH key exports are signed with (evidence/signing.py)
        # The views and people of the newest full snapshot. load() takes them over from the
        # journal, so a form without a full snapshot of its own reads these rather than
        # having the journal fold 100k records again.
        self._folded: tuple[dict[str, dict], People] | None = None
        self._seqs: tuple[dict, dict[int, dict]] | None = None  # views -> their #seq lookup
        self._by_ref: tuple[dict, dict[str, dict]] | None = None  # views -> their `dana#12` lookup
        self.team = Team(self.path)  # joined or not: a sync in another terminal may join it while we run
        self._reads = None  # the index's reads (core/index), while it serves this journal
        self._latest: Snapshot | None = None  # the newest snapshot paged from the index
        self._last_paged = None  # the newest Paged made: the next takes its connections over
        self._ident: tuple | None = None  # the journal file (device, inode) the index last paged
        self._replaced = 0  # how often it was replaced underneath since (added to the generation)
        self._building = None  # the child process building the first index of a large journal
        self._stopped = False  # the app is quitting: build no index
        self._had_file = False  # the journal file was there when last looked at (stamp)

    # -- the index -----------------------------------------------------------

    def index_ready(self) -> bool:
        """Whether an index beside the journal covers all but the last BUILD_APART_BYTES of it (so
        a load pages it at once, rather than building it first)."""
        import sqlite3

        from ..core.index import enabled, schema

        index = schema.path_of(self.path)
        if not enabled() or not index.exists():
            return False
        try:
            size = os.stat(self.path).st_size
            db = sqlite3.connect(f"{index.absolute().as_uri()}?mode=ro", uri=True, timeout=5)  # `--db j.json` is relative
            try:
                version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                row = db.execute("SELECT size FROM sources WHERE src = 0").fetchone()
                names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            finally:
                db.close()
        except (OSError, sqlite3.Error):
            return False
        # Another layout (an older pmjournal's) is built again from scratch: that is a build too;
        # so are the TUI's own indexes on an index the CLI built (25 s at 1M entries).
        return (
            version == (schema.VERSION,)
            and row is not None
            and size - row[0] < BUILD_APART_BYTES
            and (size < BUILD_APART_BYTES or names.issuperset(OWN_INDEXES))
        )

    def build_index(self) -> bool | None:
        """Build a large journal's first index in a child process (minutes at 1M entries), so that
        quitting the app meanwhile ends it (`stop_building`) instead of waiting for it: a thread
        cannot be stopped, and the app's exit waits for its threads. True: built; False: the
        index cannot serve this journal (load it whole); None: not needed here (no index yet
        only for a small journal, built in the load itself), or stopped."""
        import subprocess
        import sys

        from ..core.index import enabled

        if not enabled() or self.index_ready():
            return None
        try:
            if os.stat(self.path).st_size < BUILD_APART_BYTES:
                return None
        except OSError:
            return None
        script = (
            "import sys; from pathlib import Path; from pmjournal.core.store import Journal; "
            "from pmjournal.core.index import open_index; from pmjournal.core.index.paging import ensure_filter_index; "
            "reads = open_index(Journal(Path(sys.argv[1]), user='index')); "
            "reads is not None and ensure_filter_index(reads.db); sys.exit(0 if reads is not None else 3)"
        )
        with self.lock:
            if self._stopped:
                return None
            child = self._building = subprocess.Popen(
                [sys.executable, "-c", script, str(self.path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        returned = child.wait()
        self._building = None
        if self._stopped or returned not in (0, 3):
            return None  # stopped, or it failed some other way: the load tries the index itself
        return returned == 0

    def stop_building(self) -> None:
        """End a build_index child (the app is quitting): SQLite rolls its open batch back."""
        self._stopped = True
        child = self._building
        if child is not None and child.poll() is None:
            child.terminate()

    def _open_reads(self):
        """The index brought up to date (core/index.open_index), or None where it cannot serve. Under `lock`."""
        from ..core.index import open_index

        if self._reads is not None:
            self._reads.close()
            self._reads = None
        self._reads = open_index(self.journal)
        return self._reads

    def paged_preview(self, rows: int = 256) -> Snapshot | None:
        """The newest `rows` entries from the index, for the first paint (the full order follows)."""
        from ..core.index import schema
        from ..core.index.paging import Paged, PagedIndex

        with self.lock:
            reads = self._open_reads()
            if reads is None:
                return None
            try:
                paged = Paged(schema.path_of(self.path), joined=self.journal.team.joined, limit=rows, reuse=self._last_paged)
                self._last_paged = paged
            except sqlite3.Error:
                return None  # the file tail's preview, and the load says more
        index = PagedIndex(paged)
        return Snapshot(self._paged_views(paged), self._paged_people(paged), index, partial=True, last_seq=paged.last_seq)

    def _paged_load(self, previous: Snapshot | None = None) -> Snapshot | None:
        """A snapshot paged from the index (None where it cannot serve); `previous` is returned
        (its state brought up to date) when the index holds nothing new."""
        from ..core.index import schema
        from ..core.index.paging import Paged, PagedIndex, ensure_filter_index

        with self.lock:
            reads = self._open_reads()
            if reads is None:
                return None
            with contextlib.suppress(sqlite3.Error):  # without them the answers are the same, only slower
                ensure_filter_index(reads.db)
            state = self._paged_state(reads)
            coverage = tuple(reads.db.execute("SELECT src, size, seq, hash FROM sources ORDER BY src"))
            if previous is not None and previous.paged is not None and previous.paged.coverage == coverage:
                state["generation"] = previous.generation
                same = all(getattr(previous, k) == v for k, v in state.items())
                return previous if same else dataclasses.replace(previous, **state)
            # A file replaced underneath (a backup restored) is a new generation: what the screen
            # holds is not older than this, only different (Snapshot.generation).
            ident = file_stamp(self.path)
            ident = ident[:2] if ident else None
            replaced = previous is not None and ident != self._ident
            follows = previous.paged if previous is not None and not replaced else None
            try:
                paged = Paged(
                    schema.path_of(self.path), joined=self.journal.team.joined, previous=follows, reuse=self._last_paged
                )
                self._last_paged = paged
                paged.inverse  # noqa: B018 -- made here, in the worker: row_of reads it on the UI thread
                signers = self._paged_signers(reads)
            except sqlite3.Error:
                return None  # an index this code cannot page (another layout): the journal is loaded whole
            if replaced or (previous is not None and paged.last_seq < previous.last_seq):
                self._replaced += 1
            self._ident = ident
            state["generation"] += self._replaced
            self._folded = None
            self._seqs = self._by_ref = None
        snap = Snapshot(
            self._paged_views(paged),
            self._paged_people(paged),
            PagedIndex(paged),
            last_seq=paged.last_seq,
            signers=signers,
            **state,
        )
        self._latest = snap
        return snap

    @staticmethod
    def _paged_views(paged):
        from ..core.index.paging import PagedViews

        return PagedViews(paged)

    @staticmethod
    def _paged_people(paged):
        from ..core.index.reads import IndexedPeople

        people = IndexedPeople(paged.db)
        with paged.lock:
            people.all()  # read now, in the worker: the UI thread only looks names up
        return people

    def _paged_state(self, reads) -> dict:
        return {"generation": self.journal.generation, "broken": reads.broken, **self._said(reads.notices())}

    def _said(self, notices) -> dict:
        """A snapshot's notices and its team's state: what the reads say, then what the team
        does (a colleague's copy changed on this machine)."""
        team = TeamStatus.read(self.team)
        return {"notices": tuple(notices) + (team.notices() if team else ()), "team": team}

    @staticmethod
    def _paged_signers(reads) -> Signers:
        from ..core.index.paging import key_records

        chains: dict = {}
        for record in key_records(reads):
            chains.setdefault(record.get("author"), []).append(record)
        return Signers.read(chains.values())

    @classmethod
    def open(cls, path, user: str) -> "JournalSession":
        return cls(Journal(path, user=user))

    def preview(self) -> Snapshot | None:
        """The newest records folded on their own, read from the end of the file.

        Parsing and folding 100,000 entries takes a second or more; this lets
        the first screen of the trail appear in a fraction of that. Links to
        older entries are not resolved until the full snapshot replaces it.
        """
        try:
            records = self.journal.storage.file.tail_records(PREVIEW_BYTES)
        except PmjournalError:
            return None  # the full load says what is wrong
        if not records:
            return None
        views = fold(r for r in records if "seq" in r)
        return self._snapshot(views, partial=True)

    def load(self) -> Snapshot:
        """Pick up other processes' records: page them from the index, or fold the whole journal."""
        if self.build_index() is not False:
            if self._stopped:
                return Snapshot({}, None, FilterIndex(()), partial=True)  # the app is quitting
            paged = self._paged_load()
            if paged is not None:
                return paged
        with self.lock:
            self.journal.refresh()
            # Take the views over so the journal's own later appends never change them in
            # place while the UI thread reads them (catch_up folds new records into copies).
            views, people = self.journal.take_views()
            last_seq = self.journal.head()[0]
            state = self._state()
            # One pass over the records a load (not a highlight): a handful of key records a chain.
            signers = Signers.read(self.journal.chains().values())
            self._keep(views, people)
        return self._snapshot(views, people, last_seq=last_seq, signers=signers, **state)

    def _state(self) -> dict:
        return {
            # as _paged_load counts it: a snapshot loaded whole after one paged from the index
            # (the index could not serve just then) is not older than it, and is shown
            "generation": self.journal.generation + self._replaced,
            "broken": self.journal.broken,
            **self._said(self.journal.notices()),
        }

    def catch_up(self, snap: Snapshot) -> Snapshot:
        """`snap` plus the records appended since it was taken, by us or by other processes."""
        if snap.partial:
            return self.load()
        if snap.paged is not None:
            return self._paged_load(previous=snap) or self.load()
        with self.lock:
            self.journal.refresh()
            # This author's chain: `last_seq` is its #seq. In a team journal records() merges
            # the colleagues' chains too, whose #seqs repeat ours; a sync that brought any
            # bumps the generation, so what is new here is only ever our own, and it comes
            # last in the merged order (its clock is above everything this machine holds).
            records = self.journal.own_records()
            state = self._state()
        if state["generation"] != snap.generation:
            return self.load()  # the file was replaced, or a sync brought records: what we show may have moved
        new = records[snap.last_seq :]
        if not new:
            same = state["broken"] == snap.broken and state["team"] == snap.team
            return snap if same else dataclasses.replace(snap, **state)
        if new[0]["seq"] != snap.last_seq + 1:
            return self.load()
        folded = extend(snap.views, new)
        if folded is None:
            return self.load()
        views, changed = folded
        # A copy: the UI thread may be iterating the old snapshot's names (filter completion) right now.
        people = copy.deepcopy(snap.people)
        for entry_id in {r["id"] for r in new} | {r.get("target") for r in new}:
            if entry_id in views:
                people.learn(views[entry_id])
        index = FilterIndex(views.values(), previous=snap.index, changed=changed)
        with self.lock:
            self._keep(views, people)
        return Snapshot(views, people, index, last_seq=new[-1]["seq"], signers=snap.signers.extended(new), **state)

    def _keep(self, views: dict[str, dict], people: People) -> None:
        self._folded = views, people
        self._seqs = self._by_ref = None
        self._latest = None

    @staticmethod
    def _snapshot(views: dict, people: People | None = None, partial: bool = False, last_seq: int = 0, **state) -> Snapshot:
        if people is None:
            people = People()
            for view in views.values():
                people.learn(view)
        return Snapshot(views, people, FilterIndex(views.values()), partial, last_seq, **state)

    def stamp(self) -> tuple:
        """What tells us the journal may have changed: its file, and in a team journal
        (or one a sync in another terminal is joining) team.json and the colleagues'
        chains a sync appends to (Team.signature)."""
        own = file_stamp(self.path)
        self._had_file = self._had_file or own is not None
        return own, file_stamp(self.team.state_path), self.team.signature()

    def gone(self) -> bool:
        """The journal file was there when it was read and is not now (moved or deleted)."""
        return self._had_file and not os.path.lexists(self.path)

    def _still_there(self) -> None:
        # Else a save made a new journal at the path, which the trail then showed whole (storage.gone)
        if self.gone():
            from ..core.storage import gone

            raise gone(self.path)

    def changed_since(self, stamp) -> bool:
        return self.stamp() != stamp

    @property
    def team_joined(self) -> bool:
        return self.team.joined

    def sync(self):
        """`pmjournal sync` with the remote and handle the journal joined with: a SyncReport.
        Raises SyncError (a PmjournalError: nothing local changed) if it cannot sync.

        Not under `lock`: a sync talks to a remote for as long as it takes, and it only
        reads this journal's file and appends to the colleagues' chains (as a sync in
        another terminal does); the next load picks up what it brought."""
        from ..core.team.sync import sync

        return sync(self.path, name=self.journal.user, signing_key=self.signing_key)

    def write_demo(self) -> int:
        """The demo written into this empty journal; how many entries it holds (the notice said
        68 "entries", its records, while the trail counted 46)."""
        from ..core.demo import write_demo

        with self.lock:
            write_demo(self.journal)
            return len(self.journal.entries())

    def sign_as(self, name: str) -> None:
        """Sign the records written from now on with `name`."""
        with self.lock:
            self.journal.user = name

    # -- what the forms read -------------------------------------------------
    # Each takes the snapshot the screen holds, or None (the tests). Without a full
    # one (None, or the partial preview shown while the journal loads) the session
    # answers from the newest views it folded, else the journal's own.

    def _full(self, snapshot: Snapshot | None) -> Snapshot | None:
        """`snapshot` if it is whole, else the newest one paged from the index (None: none)."""
        if snapshot is not None and not snapshot.partial:
            return snapshot
        latest = self._latest
        return latest if latest is not None and self._folded is None else None

    def views(self, snapshot: Snapshot | None = None) -> Mapping[str, dict]:
        full = self._full(snapshot)
        if full is not None:
            return full.views
        with self.lock:
            return self._folded[0] if self._folded else self.journal.views

    def people(self, snapshot: Snapshot | None = None) -> People:
        full = self._full(snapshot)
        if full is not None:
            return full.people
        with self.lock:
            return self._folded[1] if self._folded else self.journal.people

    def entry(self, ref: str, snapshot: Snapshot | None = None) -> dict:
        """The view `ref` names: an id in the views, else anything the journal resolves (#12, an id prefix)."""
        view = self.views(snapshot).get(ref)
        if view is not None:
            return view
        with self.lock:
            if self._reads is not None:
                return self._reads.get(ref)
            return self.journal.get(ref)

    def count(self, filt, snapshot: Snapshot | None = None) -> int:
        """How many entries `filt` selects (the export dialog's heading)."""
        full = self._full(snapshot)
        if full is not None and full.paged is not None:
            return full.paged.count(filt)
        return len(filt.apply(self.views(snapshot).values()))

    def titled(self, needle: str, exclude_id: str | None, limit: int, snapshot: Snapshot | None = None) -> list[dict]:
        """Up to `limit` entries, not retracted, whose title holds `needle` (casefolded), the newest
        in the journal's order first: the links field's picker."""
        full = self._full(snapshot)
        if full is not None and full.paged is not None:
            return full.paged.titled(needle, exclude_id, limit)
        found = []
        for view in reversed(self.views(snapshot).values()):
            if view["retracted"] or view["id"] == exclude_id:
                continue
            if needle in view.get("title", "").casefold():
                found.append(view)
                if len(found) == limit:
                    break
        return found

    def entry_by_ref(self, handle: str, seq: int, snapshot: Snapshot | None = None) -> dict | None:
        """The entry `handle#seq` names (a colleague's chain), or None."""
        full = self._full(snapshot)
        if full is not None and full.paged is not None:
            view = full.paged.entry_at(handle, seq)
            return view if view is not None and ref_of(view) == f"{handle}#{seq}" else None
        views = self.views(snapshot)
        by_ref = self._by_ref
        if by_ref is None or by_ref[0] is not views:
            by_ref = self._by_ref = views, {ref_of(v): v for v in views.values()}
        return by_ref[1].get(f"{handle}#{seq}")

    def entry_by_seq(self, seq: int, snapshot: Snapshot | None = None) -> dict | None:
        """The entry numbered #seq, or None. A links field asks at every keystroke, so the
        lookup is built once for each set of views."""
        full = self._full(snapshot)
        if full is not None and full.paged is not None:
            return full.paged.entry_at("", seq)
        views = self.views(snapshot)
        seqs = self._seqs
        if seqs is None or seqs[0] is not views:
            # `#12` is this author's #12: a colleague's entries (bob#12) have #seqs of their own chain.
            seqs = self._seqs = views, {v["seq"]: v for v in views.values() if "author" not in v}
        return seqs[1].get(seq)

    def resolve_entry(self, ref: str) -> dict:
        """The entry's own record that `ref` (#12, an id prefix) names; NotFound if none."""
        with self.lock:
            return self.journal.resolve_entry(ref)

    # -- what the forms write (the forms run these in worker threads) ----------

    def prepare(self, kind: str, values: dict, links: dict | None = None) -> dict:
        """Check a new entry without saving it: field errors before the save."""
        with self.lock:
            return self.journal.prepare(kind, values, links)

    def add(self, kind: str, values: dict, links: dict | None = None) -> dict:
        with self.lock:
            self._still_there()
            return self.journal.add(kind, values, links)

    def amend(self, entry_id: str, changes: dict, reason: str, links: dict | None = None) -> dict:
        with self.lock:
            self._still_there()
            return self.journal.amend(entry_id, changes, reason, links=links)

    def retract(self, entry_id: str, reason: str) -> dict:
        with self.lock:
            self._still_there()
            return self.journal.retract(entry_id, reason)

    def close_loop(self, entry_id: str, loop: str, **values) -> dict:
        """Record that the entry's `loop` was done (Journal.close_loop): occurred_at, by, note."""
        with self.lock:
            self._still_there()
            return self.journal.close_loop(entry_id, loop, answer_days=self.answer_days, **values)

    def signing(self, check: bool = True):
        """The PublicKey exports are signed with (config signing_key), or None when none is set.
        Raises SigningError (one line) if the key cannot be read or, with `check`, could only
        sign by asking for its passphrase. Runs ssh-keygen: call it from a worker."""
        path = self.signing_key
        if not path:
            return None
        from ..core.evidence.signing import SigningKey

        key = SigningKey(path)
        public = key.public()
        if check:
            key.check()
        return public

    def export(self, path, filt, fmt: str, snapshot: Snapshot | None = None, lang: str | None = None):
        """Write what `filt` selects to `path`, atomically, rendered from the snapshot's views
        (no refold of 100k records); the records, chain head and chain state are the journal's,
        checked up to its head, and a journal that fails verification is refused.

        Signed with `signing_key` (Markdown and JSON): returns (the PublicKey it signed with, its
        fingerprint), or None. A key that cannot sign (SigningError) is refused before anything
        is written. `lang` is the document's language (None: the interface's); the errors
        raised stay in the interface's."""
        from ..core.files import journal_own_file, write_atomically
        from ..core.transfer import render_chunks  # loaded on the first export, as the forms are

        if why := journal_own_file(path, self.path):
            raise PmjournalError(why)
        signed = None
        full = self._full(snapshot)
        if full is not None and full.paged is not None:
            return self._export_indexed(path, filt, fmt, lang)
        with self.lock:
            journal = self.journal
            # Never a chain head printed beside content the chain does not vouch for.
            journal.require_verified("exported", "`pmjournal export --unverified` writes it marked as unverified", every_chain=True)
            # What render_chunks reads of a journal, with the views already folded.
            key = None
            if self.signing_key and fmt != "csv":
                key, public, fingerprint, _recorded = journal.signer(self.signing_key)  # refused before anything is written
                signed = public, fingerprint
            reading = SimpleNamespace(
                path=journal.path,
                views=self.views(snapshot),
                people=self.people(snapshot),
                broken=journal.broken,
                records_of=journal.records_of,
                head=journal.head,
                team=journal.team,
                chain_leaves=journal.chain_leaves,
                chain_heads=journal.chain_heads,
            )
            with i18n.using(lang):
                write_atomically(path, render_chunks(reading, filt, fmt, self.answer_days, key))
        return signed

    def _export_indexed(self, path, filt, fmt: str, lang: str | None = None):
        """export() from the index: what `pmjournal export` does (cli/commands.cmd_export)."""
        from ..core.files import write_atomically
        from ..core.transfer import render_chunks

        signed = None
        with self.lock:
            reads = self._open_reads()
            if reads is None:
                raise PmjournalError(_("the journal's index cannot be read just now; try again"))
            reads.require_verified("exported", "`pmjournal export --unverified` writes it marked as unverified", every_chain=True)
            key = None
            if self.signing_key and fmt != "csv":
                key, public, fingerprint, recorded = self.journal.signer(self.signing_key, reads.signing_keys())
                signed = public, fingerprint
                if recorded:  # the key's record is part of the chain the export proves
                    reads = self._open_reads()
            from ..core.reads import consistent

            with i18n.using(lang), consistent(reads):  # one state of the journal throughout
                write_atomically(path, render_chunks(reads, filt, fmt, self.answer_days, key))
        return signed
