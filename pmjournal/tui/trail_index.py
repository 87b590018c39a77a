"""The trail's rows and a fast way to filter them, without Textual.

`Filter.matches` costs a few microseconds per view; at 100,000 entries that is
more than a keystroke may take. The index keeps the views sorted once (newest
first) and filters by scanning one column at a time (the lower-cased
haystack, the set of people in each entry), narrowing a list of row numbers,
and only runs `Filter.matches` for the rarer criteria on what is left. The
result is the same as `Filter.apply` in reverse; tests compare the two.
"""

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


class TrailIndex:
    def __init__(self, views):
        self.rows: list[dict] = sorted(views, key=sort_key, reverse=True)
        self.position = {v["id"]: i for i, v in enumerate(self.rows)}
        self._hays: list[str] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def warm(self) -> None:
        """Compute the per-row caches now (in a worker) so the first keystroke does not pay for them."""
        self._hays = [haystack(v) for v in self.rows]
        for v in self.rows:
            person_keys(v)

    @property
    def hays(self) -> list[str]:
        if self._hays is None:
            self.warm()
        return self._hays

    def select(self, filt: Filter, within: list[int] | None = None) -> list[int]:
        """Row numbers (newest first) of the entries `filt` matches, optionally among `within`."""
        rows = self.rows
        hits = list(range(len(rows))) if within is None else list(within)
        if not filt.include_retracted:
            hits = [i for i in hits if not rows[i]["retracted"]]
        if filt.kinds:
            kinds = set(filt.kinds)
            hits = [i for i in hits if rows[i]["kind"] in kinds]
        if filt.search:
            hays = self.hays
            for term in set(filt.search.casefold().split()):
                hits = [i for i in hits if term in hays[i]]
        if filt.person and not filt.role:
            wanted = person_key(filt.person)
            hits = [i for i in hits if wanted in person_keys(rows[i])]
        if filt.project:
            project = filt.project.casefold()
            hits = [i for i in hits if (rows[i].get("project") or "").casefold() == project]
        for tag in filt.tags:
            hits = [i for i in hits if tag in (rows[i].get("tags") or ())]
        if filt.cause:
            hits = [i for i in hits if filt.cause in (rows[i].get("causes") or ())]
        if filt.since:
            since = filt.since.timestamp()
            hits = [i for i in hits if timestamp(rows[i]) >= since]
        if filt.until:
            until = filt.until.timestamp()
            hits = [i for i in hits if timestamp(rows[i]) <= until]
        if filt.role:
            rest = Filter(person=filt.person, role=filt.role, include_retracted=True)
            hits = [i for i in hits if rest.matches(rows[i])]
        return hits
