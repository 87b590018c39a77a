"""The trail's rows and a fast way to filter them, without Textual.

`Filter.matches` costs a few microseconds per view; at 100,000 entries that is
more than a keystroke may take. The index keeps the views sorted once (newest
first) and filters by scanning one column at a time (the lower-cased
haystack, the set of people in each entry), narrowing a list of row numbers,
and only runs `Filter.matches` for the rarer criteria on what is left. The
result is the same as `Filter.apply` in reverse; tests compare the two.
"""

import sys
from bisect import bisect_left, bisect_right
from datetime import datetime

from ..core.people import key as person_key
from ..core.people import names_in
from ..core.query import Filter, haystack


def when(view: dict) -> float:
    return datetime.fromisoformat(view["occurred_at"]).timestamp()


def hay(view: dict) -> bytes:
    # UTF-8 is half the size of Python's str for text with any CJK in it, and a
    # substring of valid UTF-8 matches only on character boundaries.
    # Not cached on the view: the index keeps its own column, and a cache key
    # would make each of 100,000 view dicts grow its hash table.
    return haystack(view, cache=False).encode()


def person_keys(view: dict) -> tuple[str, ...]:
    return tuple({sys.intern(person_key(n)) for n in names_in(view)})


def narrows(old: Filter | None, new: Filter) -> bool:
    """Whether every entry `new` matches is also matched by `old` (so `new` may search old's hits)."""
    if old is None:
        return False
    same = ("project", "kinds", "person", "role", "tags", "cause", "since", "until", "include_retracted")
    if any(getattr(old, k) != getattr(new, k) for k in same):
        return False
    new_terms = (new.search or "").casefold().split()
    return all(any(t in u for u in new_terms) for t in (old.search or "").casefold().split())


class _LazyColumn:
    """A column read through its function until warm() has built the list."""

    def __init__(self, rows, fn):
        self.rows, self.fn = rows, fn

    def __getitem__(self, i):
        return self.fn(self.rows[i])


RECENT = 24  # answers kept per index; each is at most one int per entry


class TrailIndex:
    def __init__(self, views, previous: "TrailIndex | None" = None, changed: set[str] | None = None):
        """`previous`: the index this one replaces, whose columns are reused for views it already
        holds; `changed`: ids of the views that differ from it (new or copied), when known."""
        views = list(views)
        if previous is not None and changed is not None and self._prepend(previous, views, changed):
            return
        old = previous if previous is not None and previous._pks is not None else None
        olds = [self._old_row(old, v) for v in views]
        ts = [-old._neg_ts[j] if j is not None else when(v) for v, j in zip(views, olds, strict=True)]
        keys = [(t, v["seq"]) for t, v in zip(ts, views, strict=True)]
        order = sorted(range(len(views)), key=keys.__getitem__, reverse=True)
        self.rows: list[dict] = [views[i] for i in order]
        # Counted from the oldest row, so entries added on top leave every other number alone.
        last = len(order) - 1
        self._from_end = {v["id"]: last - n for n, v in enumerate(self.rows)}
        # newest first, so a since/until window is one contiguous run of rows
        self._neg_ts = [-ts[i] for i in order]
        self._kinds = [v["kind"] for v in self.rows]
        self._projects = [(v.get("project") or "").casefold() for v in self.rows]
        self._hays: list[bytes] | None = None
        self._pks: list[tuple[str, ...]] | None = None
        self._previous, self._olds = old, [olds[i] for i in order]
        self._recent: dict[str, tuple[Filter, list[int]]] = {}

    def _prepend(self, old: "TrailIndex", views: list[dict], changed: set[str]) -> bool:
        """The usual live update: entries newer than everything shown, nothing else changed.

        Then the new rows go on top and every column of the old index is reused
        as it is, which costs milliseconds instead of a re-sort of the journal.
        """
        if old._pks is None or any(i in old._from_end for i in changed):
            return False
        added = [v for v in views if v["id"] in changed] if len(changed) < len(views) else views
        if len(added) != len(changed) or len(views) != len(old.rows) + len(added):
            return False
        keys = sorted(((when(v), v["seq"], v) for v in added), key=lambda k: k[:2], reverse=True)
        if old.rows and keys and keys[-1][:2] < (-old._neg_ts[0], old.rows[0]["seq"]):
            return False
        top = [k[2] for k in keys]
        self.rows = top + old.rows
        self._from_end = dict(old._from_end)
        last = len(self.rows) - 1
        self._from_end.update({v["id"]: last - n for n, v in enumerate(top)})
        self._neg_ts = [-k[0] for k in keys] + old._neg_ts
        self._kinds = [v["kind"] for v in top] + old._kinds
        self._projects = [(v.get("project") or "").casefold() for v in top] + old._projects
        self._hays = [hay(v) for v in top] + old._hays
        self._pks = [person_keys(v) for v in top] + old._pks
        self._previous = self._olds = None
        self._recent = {}
        return True

    def row_of(self, entry_id: str) -> int | None:
        """Where the entry is in `rows` (0 = newest), or None."""
        n = self._from_end.get(entry_id)
        return None if n is None else len(self.rows) - 1 - n

    @staticmethod
    def _old_row(old: "TrailIndex | None", view: dict) -> int | None:
        if old is None:
            return None
        j = old.row_of(view["id"])
        return j if j is not None and old.rows[j] is view else None

    def __len__(self) -> int:
        return len(self.rows)

    def warm(self) -> None:
        """Build the search columns now (in a worker) so the first keystroke does not pay for them."""
        if self._pks is not None:
            return
        old, olds = self._previous, self._olds
        if old is not None:
            self._hays = [old._hays[j] if j is not None else hay(v) for v, j in zip(self.rows, olds, strict=True)]
            self._pks = [old._pks[j] if j is not None else person_keys(v) for v, j in zip(self.rows, olds, strict=True)]
        else:
            self._hays = [hay(v) for v in self.rows]
            self._pks = [person_keys(v) for v in self.rows]
        self._previous = self._olds = None  # let the old index go

    def search(self, text: str, filt: Filter) -> list[int]:
        """`select`, remembering recent answers: a backspace returns to a filter already answered,
        and a longer one only searches the smallest earlier answer it narrows."""
        hit = self._recent.get(text)
        if hit is not None and hit[0] == filt:
            return hit[1]
        within = None
        for old, hits in self._recent.values():
            if (within is None or len(hits) < len(within)) and narrows(old, filt):
                within = hits
        hits = self.select(filt, within)
        self._recent[text] = (filt, hits)
        if len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        return hits

    def select(self, filt: Filter, within: list[int] | None = None) -> list[int]:
        """Row numbers (newest first) of the entries `filt` matches, optionally among `within`.

        Cheap tests run first so the costly text search sees as few rows as possible.
        """
        rows = self.rows
        lo, hi = 0, len(rows)
        if filt.until:
            lo = bisect_left(self._neg_ts, -filt.until.timestamp())
        if filt.since:
            hi = bisect_right(self._neg_ts, -filt.since.timestamp())
        if within is None:
            hits = range(lo, hi)
        else:
            hits = [i for i in within if lo <= i < hi] if (lo, hi) != (0, len(rows)) else within
        if not filt.include_retracted:
            hits = [i for i in hits if not rows[i]["retracted"]]
        if filt.kinds:
            kinds = set(filt.kinds)
            hits = [i for i in hits if self._kinds[i] in kinds]
        if filt.project:
            project, projects = filt.project.casefold(), self._projects
            hits = [i for i in hits if projects[i] == project]
        for tag in filt.tags:
            hits = [i for i in hits if tag in (rows[i].get("tags") or ())]
        if filt.cause:
            hits = [i for i in hits if filt.cause in (rows[i].get("causes") or ())]
        if filt.person and not filt.role:
            wanted = person_key(filt.person)
            pks = self._pks if self._pks is not None else _LazyColumn(rows, person_keys)
            hits = [i for i in hits if wanted in pks[i]]
        if filt.role:
            rest = Filter(person=filt.person, role=filt.role, include_retracted=True)
            hits = [i for i in hits if rest.matches(rows[i])]
        if filt.search:
            # Before the worker has warmed the caches, compute only the haystacks this search reaches.
            hays = self._hays if self._hays is not None else _LazyColumn(rows, hay)
            for term in sorted({t.encode() for t in filt.search.casefold().split()}, key=len, reverse=True):
                hits = [i for i in hits if term in hays[i]]
        return list(hits)
