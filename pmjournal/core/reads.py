"""What a reading command asks of a journal, answered from the index when it can serve,
else from the loaded journal: the two give the same answers (tests/test_index.py
runs every reading command both ways and compares).

`reads_of(journal)` returns either; both offer select(), stream(), get(), by_id(), views,
people, broken, notices(), who_all() and loop_views().
"""

from .query import Filter, values_in, who


def selected(journal, filt: Filter, ordered: bool = True) -> list[dict]:
    """What `filt` selects from `journal`: a Journal, or reads (which select from the index)."""
    select = getattr(journal, "select", None)
    if select is not None:
        return select(filt, ordered=ordered)
    return filt.apply(journal.views.values(), ordered=ordered)


def streamed(journal, filt: Filter):
    """What `filt` selects, in time order: a chunk at a time where the reads stream it (the
    index), else selected() (a Journal itself, the app's export)."""
    stream = getattr(journal, "stream", None)
    return stream(filt) if stream is not None else selected(journal, filt)


def consistent(journal):
    """A context in which every read of `journal` sees it as the first one did
    (IndexedReads.snapshot; a loaded journal is one state already)."""
    snapshot = getattr(journal, "snapshot", None)
    if snapshot is None:
        from contextlib import nullcontext

        return nullcontext(journal)
    return snapshot()


def everything(filt: Filter) -> bool:
    """Whether the filter selects every entry (retracted ones aside): `who` then reads its kept table."""
    return all(c.column == "retracted" for c in filt.criteria())


class LoadedReads:
    """The reads over a loaded Journal (the whole file parsed and folded)."""

    def __init__(self, journal):
        self.journal = journal
        self._held: tuple | None = None  # (filter, what it selected): stream()'s second pass

    def __len__(self) -> int:
        return len(self.journal)

    @property
    def views(self):
        return self.journal.views

    @property
    def people(self):
        return self.journal.people

    @property
    def broken(self):
        return self.journal.broken or self._marked

    _marked = None

    def mark_unverified(self, broken: tuple[int, str]) -> None:
        """What an `export --unverified` says fails verification (verify.unverified_mark)."""
        self._marked = broken

    def notices(self) -> list[str]:
        return self.journal.notices()

    def select(self, filt: Filter, ordered: bool = True) -> list[dict]:
        return filt.apply(self.journal.views.values(), ordered=ordered)

    def stream(self, filt: Filter):
        """select() as an iterator, as the index's reads offer it. The journal is held anyway,
        so what the filter selected is kept for a second pass (`list` reads it twice)."""
        held = self._held
        if held is None or held[0] is not filt:
            held = self._held = (filt, self.select(filt))
        return iter(held[1])

    def who_all(self, include_retracted: bool = False) -> list[dict]:
        return who(self.select(Filter(include_retracted=include_retracted), ordered=False), self.people)

    def known_values(self, column: str) -> set[str]:
        """Every project or tag entries hold (query.values_in)."""
        return values_in(self.journal.views.values(), column)

    def loop_views(self, include_done: bool = False) -> list[dict]:
        from .loops import loop_views

        return loop_views(self.journal)

    def get(self, ref) -> dict:
        return self.journal.get(ref)

    def __getattr__(self, name):
        # Everything else an export reads of a journal (head, path, team, records_of,
        # chain_leaves, chain_heads, require_verified) is the loaded journal's own.
        return getattr(self.journal, name)

    def by_id(self, entry_id: str) -> dict | None:
        return self.journal.by_id(entry_id)

    def close(self) -> None:
        pass


def reads_of(journal):
    """The index's reads for `journal` (index/), or the loaded journal's where it cannot serve."""
    from .index import open_index

    reads = open_index(journal)
    # Not `or`: the index's reads have a length (this author's records), which is 0 for a
    # colleague who joined a team and has recorded nothing yet.
    return reads if reads is not None else LoadedReads(journal)
