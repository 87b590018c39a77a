"""What a form reads and writes through: the Journal, plus what the app has already folded.

Folding a 100,000-entry journal takes over a second. The app keeps folded
views and people in a snapshot built off the UI thread, so a form uses those
when given them and asks the Journal (which would fold) only when not. Writes
go through the Journal under the app's journal lock when given one, since
Journal and TinyDB are not thread-safe and the app's workers use them too.
"""

from contextlib import AbstractContextManager, nullcontext


class Source:
    def __init__(self, journal, views: dict | None = None, people=None, lock: AbstractContextManager | None = None):
        self.journal = journal
        self._views = views
        self._people = people
        self._lock = lock
        self._by_seq: dict[int, dict] | None = None

    def guard(self) -> AbstractContextManager:
        return self._lock if self._lock is not None else nullcontext()

    @property
    def views(self) -> dict:
        if self._views is None:
            with self.guard():
                self._views = self.journal.views
        return self._views

    @property
    def people(self):
        if self._people is None:
            with self.guard():
                self._people = self.journal.people
        return self._people

    def entry(self, ref: str) -> dict:
        """The view `ref` names: an id from the app's views, else anything the journal resolves."""
        if self._views is not None and ref in self._views:
            return self._views[ref]
        with self.guard():
            return self.journal.get(ref)

    def by_id(self, entry_id: str) -> dict | None:
        return self.views.get(entry_id)

    def by_seq(self, seq: int) -> dict | None:
        if self._by_seq is None:
            self._by_seq = {v["seq"]: v for v in self.views.values()}
        return self._by_seq.get(seq)

    def resolve_entry(self, ref: str) -> dict:
        with self.guard():
            return self.journal.resolve_entry(ref)
