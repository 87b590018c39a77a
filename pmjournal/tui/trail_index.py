"""The trail's rows and a fast way to filter them, without Textual.

`Filter.matches` costs a few microseconds per view; at 100,000 entries that is
more than a keystroke may take. The index keeps the views sorted once (newest
first) and filters by scanning one column at a time (the lower-cased
haystack, the set of people in each entry), narrowing a list of row numbers,
and only runs `Filter.matches` for the rarer criteria on what is left. The
result is the same as `Filter.apply` in reverse; tests compare the two.
"""

from bisect import bisect_left, bisect_right

from ..core.people import key as person_key
from ..core.people import names_in
from ..core.query import Filter, haystack, timestamp


def sort_key(view: dict) -> tuple[float, int]:
    return timestamp(view), view["seq"]


def person_keys(view: dict) -> frozenset:
    keys = view.get("_pk")
    if keys is None:
        keys = view["_pk"] = frozenset(person_key(n) for n in names_in(view))
    return keys


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
    """A per-row cache read through its function until warm() has built the list."""

    def __init__(self, rows, fn):
        self.rows, self.fn = rows, fn

    def __getitem__(self, i):
        return self.fn(self.rows[i])


RECENT = 24  # answers kept per index; each is at most one int per entry


class TrailIndex:
    def __init__(self, views):
        self.rows: list[dict] = sorted(views, key=sort_key, reverse=True)
        self.position = {v["id"]: i for i, v in enumerate(self.rows)}
        # newest first, so a since/until window is one contiguous run of rows
        self._neg_ts = [-timestamp(v) for v in self.rows]
        self._kinds = [v["kind"] for v in self.rows]
        self._projects = [(v.get("project") or "").casefold() for v in self.rows]
        self._hays: list[str] | None = None
        self._pks: list[frozenset] | None = None
        self._recent: dict[str, tuple[Filter, list[int]]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def warm(self) -> None:
        """Compute the per-row caches now (in a worker) so the first keystroke does not pay for them."""
        self._hays = [haystack(v) for v in self.rows]
        self._pks = [person_keys(v) for v in self.rows]

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
            hays = self._hays if self._hays is not None else _LazyColumn(rows, haystack)
            for term in sorted(set(filt.search.casefold().split()), key=len, reverse=True):
                hits = [i for i in hits if term in hays[i]]
        return list(hits)
