"""Filter.apply for a filter that changes on every keystroke (the TUI's trail).

`Filter.apply` computes every cell it tests from the views; at 100,000 entries
that is more than a keystroke may take. A FilterIndex sorts the views once
(newest first) and keeps the columns of `query.COLUMNS` as lists: the kind
and the project when it is built, the search text and the rest in `warm()`. `select`
runs the filter's own criteria (`Filter.criteria`) through the same tests
(`query.narrow`) over those lists, and a time range is a bisection, since the
rows are in time order. So a criterion is defined once, in query.py, and the
result is `Filter.apply`'s, newest first; tests compare the two for every
field of Filter.
"""

from bisect import bisect_left, bisect_right
from dataclasses import fields

from .query import COLUMNS, Filter, between, narrow, values_in, when

# A stored column is a list, one cell a row, so a test reads one list instead of
# 100,000 view dicts. Stored when the index is built (it is on the way to the first
# paint): the kind and the casefolded project.
STORED = ("kind", "project")
# Stored by warm(), in one pass over the views. The search text (UTF-8) is most of
# the index's memory; the people keys are interned; the rest point at what the views
# hold. Until then, select computes only the cells it reaches. The role columns are
# never stored: a role filter is rare and computes its cells.
WARMED = ("retracted", "tags", "causes", "people", "text")
RECENT = 24  # answers kept per index; each is at most one int per entry


def narrows(old: Filter | None, new: Filter) -> bool:
    """Whether every entry `new` matches is also matched by `old` (so `new` may search old's hits):
    the same filter but for the search, and each of old's terms inside one of new's."""
    if old is None:
        return False
    if any(getattr(old, f.name) != getattr(new, f.name) for f in fields(Filter) if f.name not in ("search", "cache_text")):
        return False
    new_terms = (new.search or "").casefold().split()
    return all(any(t in u for u in new_terms) for t in (old.search or "").casefold().split())


class FilterIndex:
    def __init__(self, views, previous: "FilterIndex | None" = None, changed: set[str] | None = None):
        """`previous`: the index this one replaces, whose columns are reused for views it already
        holds; `changed`: ids of the views that differ from it (new or copied), when known."""
        views = list(views)
        if previous is not None and changed is not None and self._prepend(previous, views, changed):
            return
        old = previous if previous is not None and previous.warmed else None
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
        self._columns: dict[str, list] = {name: list(map(COLUMNS[name], self.rows)) for name in STORED}
        self._previous, self._olds = old, [olds[i] for i in order]
        self._recent: dict[str, tuple[Filter, list[int]]] = {}

    def _prepend(self, old: "FilterIndex", views: list[dict], changed: set[str]) -> bool:
        """The usual live update: entries newer than everything shown, nothing else changed.

        Then the new rows go on top and every column of the old index is reused
        as it is, which costs milliseconds instead of a re-sort of the journal.
        """
        if not old.warmed or any(i in old._from_end for i in changed):
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
        self._columns = {name: list(map(COLUMNS[name], top)) + column for name, column in old._columns.items()}
        self._previous = self._olds = None
        self._recent = {}
        return True

    def row_of(self, entry_id: str) -> int | None:
        """Where the entry is in `rows` (0 = newest), or None."""
        n = self._from_end.get(entry_id)
        return None if n is None else len(self.rows) - 1 - n

    @staticmethod
    def _old_row(old: "FilterIndex | None", view: dict) -> int | None:
        if old is None:
            return None
        j = old.row_of(view["id"])
        return j if j is not None and old.rows[j] is view else None

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def warmed(self) -> bool:
        return all(name in self._columns for name in WARMED)

    def warm(self) -> None:
        """Build the WARMED columns now (in a worker) so the first keystroke does not pay for them."""
        if self.warmed:
            return
        old, olds = self._previous, self._olds
        columns: list[list] = [[] for _ in WARMED]
        adds = [column.append for column in columns]
        cells = list(zip(adds, [COLUMNS[name] for name in WARMED], strict=True))
        kept = list(zip(adds, [old._columns[name] for name in WARMED], strict=True)) if old is not None else ()
        # One pass: reading five fields of a view costs little more than reading one.
        for view, j in zip(self.rows, olds, strict=True):
            if j is None:
                for add, cell in cells:
                    add(cell(view))
            else:
                for add, column in kept:
                    add(column[j])
        self._columns.update(zip(WARMED, columns, strict=True))
        self._previous = self._olds = None  # let the old index go

    def known_values(self, column: str) -> set[str]:
        """Every project or tag the rows hold (query.values_in), for a filter that matched nothing."""
        return values_in(self.rows, column)

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
        """Row numbers (newest first) of the entries `filt` matches, optionally among `within`."""
        rows, columns = self.rows, self._columns
        lo, hi = 0, len(rows)
        criteria = []
        for crit in filt.criteria():
            if crit.column == "time" and crit.test is between:  # a run of rows: bisect
                since, until = crit.value
                lo = max(lo, bisect_left(self._neg_ts, -until))
                hi = min(hi, bisect_right(self._neg_ts, -since))
            else:
                criteria.append(crit)
        if within is None:
            hits = range(lo, max(lo, hi))
        else:
            hits = [i for i in within if lo <= i < hi] if (lo, hi) != (0, len(rows)) else within

        def cells(name: str, hits):
            column = columns.get(name)
            source = rows if column is None else column
            part = source[hits.start : hits.stop] if hits.__class__ is range else map(source.__getitem__, hits)
            # Not stored (a role), or not warm yet: compute only the cells these rows need.
            return part if column is not None else map(COLUMNS[name], part)

        return narrow(criteria, cells, hits)
