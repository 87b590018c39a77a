"""The open journal as the TUI holds it: one Journal, one lock, immutable snapshots.

TinyDB and Journal are not thread-safe, so every call into the journal from
the app's workers goes through `lock`. A Snapshot (views, people, index) is
built in a worker and then only read by the UI thread; a refresh builds a new
one rather than changing the old in place.
"""

import copy
import os
import threading
from dataclasses import dataclass

import orjson

from ..core.fold import fold
from ..core.people import People
from ..core.store import Journal
from .fold_more import fold_more
from .trail_index import TrailIndex

PREVIEW_BYTES = 1 << 19


@dataclass(frozen=True)
class Snapshot:
    views: dict[str, dict]
    people: People
    index: TrailIndex
    partial: bool = False  # a preview of the newest records while the whole journal loads
    last_seq: int = 0  # the last record folded into `views`


def file_stamp(path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


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
            size = os.path.getsize(self.path)
            if size <= PREVIEW_BYTES:
                return None
            with open(self.path, "rb") as fh:
                fh.seek(size - PREVIEW_BYTES)
                lines = fh.read().split(b"\n")[1:]
            records = [orjson.loads(line) for line in lines if line.strip()]
        except (OSError, orjson.JSONDecodeError):
            return None
        views = fold(r for r in records if "seq" in r)
        return self._snapshot(views, partial=True)

    def load(self) -> Snapshot:
        """Pick up other processes' records and fold the whole journal."""
        with self.lock:
            self.journal.refresh()
            # Take the views over so the journal's own later appends never change them in
            # place while the UI thread reads them (catch_up folds new records into copies).
            take = getattr(self.journal, "take_views", None)
            views, people = take() if take else (self.journal.views, self.journal.people)
            last_seq = self.journal.head()[0]
        return self._snapshot(views, people, last_seq=last_seq)

    def catch_up(self, snap: Snapshot) -> Snapshot:
        """`snap` plus the records appended since it was taken, by us or by other processes."""
        if snap.partial:
            return self.load()
        with self.lock:
            self.journal.refresh()
            records = self.journal.records()
        new = records[snap.last_seq :]
        if not new:
            return snap
        if new[0]["seq"] != snap.last_seq + 1:
            return self.load()
        folded = fold_more(snap.views, new)
        if folded is None:
            return self.load()
        views, changed = folded
        # A copy: the UI thread may be iterating the old snapshot's names (filter completion) right now.
        people = copy.deepcopy(snap.people)
        for entry_id in {r["id"] for r in new} | {r.get("target") for r in new}:
            if entry_id in views:
                people.learn(views[entry_id])
        return Snapshot(views, people, TrailIndex(views.values(), previous=snap.index, changed=changed), last_seq=new[-1]["seq"])

    @staticmethod
    def _snapshot(views: dict, people: People | None = None, partial: bool = False, last_seq: int = 0) -> Snapshot:
        if people is None:
            people = People()
            for view in views.values():
                people.learn(view)
        return Snapshot(views, people, TrailIndex(views.values()), partial, last_seq)

    def changed_since(self, stamp) -> bool:
        return file_stamp(self.path) != stamp

    def write_demo(self) -> int:
        from ..core.demo import write_demo

        with self.lock:
            return write_demo(self.journal)
