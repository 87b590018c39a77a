"""The open journal as the TUI holds it: one Journal, one lock, immutable snapshots.

TinyDB and Journal are not thread-safe, so every call into the journal from
the app's workers goes through `lock`. A Snapshot (views, people, index) is
built in a worker and then only read by the UI thread; a refresh builds a new
one rather than changing the old in place.
"""

import copy
import dataclasses
import os
import threading
from dataclasses import dataclass

from ..core.errors import PmjournalError
from ..core.fold import extend, fold
from ..core.people import People
from ..core.store import Journal
from .trail_index import TrailIndex

PREVIEW_BYTES = 1 << 19


@dataclass(frozen=True)
class Snapshot:
    views: dict[str, dict]
    people: People
    index: TrailIndex
    partial: bool = False  # a preview of the newest records while the whole journal loads
    last_seq: int = 0  # the last record folded into `views`
    generation: int = 0  # the journal's generation it was read from (a replaced file bumps it)
    broken: tuple[int, str] | None = None  # the first record the chain does not vouch for
    notices: tuple[str, ...] = ()


def file_stamp(path) -> tuple[int, ...] | None:
    """What tells us the file may have changed. The inode and ctime are in it:
    a backup restored with its old size and mtime (cp -p, rsync) still moves
    the ctime, which nobody can set back."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class JournalSession:
    def __init__(self, path, user: str):
        self.path = path
        self.lock = threading.RLock()
        self.journal = Journal(path, user=user)

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
        """Pick up other processes' records and fold the whole journal."""
        with self.lock:
            self.journal.refresh()
            # Take the views over so the journal's own later appends never change them in
            # place while the UI thread reads them (catch_up folds new records into copies).
            views, people = self.journal.take_views()
            last_seq = self.journal.head()[0]
            state = self._state()
        return self._snapshot(views, people, last_seq=last_seq, **state)

    def _state(self) -> dict:
        return {
            "generation": self.journal.generation,
            "broken": self.journal.broken,
            "notices": tuple(self.journal.notices()),
        }

    def catch_up(self, snap: Snapshot) -> Snapshot:
        """`snap` plus the records appended since it was taken, by us or by other processes."""
        if snap.partial:
            return self.load()
        with self.lock:
            self.journal.refresh()
            records = self.journal.records()
            state = self._state()
        if state["generation"] != snap.generation:
            return self.load()  # the file was replaced: what we show may no longer exist
        new = records[snap.last_seq :]
        if not new:
            return snap if state["broken"] == snap.broken else dataclasses.replace(snap, **state)
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
        index = TrailIndex(views.values(), previous=snap.index, changed=changed)
        return Snapshot(views, people, index, last_seq=new[-1]["seq"], **state)

    @staticmethod
    def _snapshot(views: dict, people: People | None = None, partial: bool = False, last_seq: int = 0, **state) -> Snapshot:
        if people is None:
            people = People()
            for view in views.values():
                people.learn(view)
        return Snapshot(views, people, TrailIndex(views.values()), partial, last_seq, **state)

    def changed_since(self, stamp) -> bool:
        return file_stamp(self.path) != stamp

    def write_demo(self) -> int:
        from ..core.demo import write_demo

        with self.lock:
            return write_demo(self.journal)
