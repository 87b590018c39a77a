"""Filters over folded views, the accountability summary, and the incident trace.

Everything here works on folded views (fold.py), so an amended owner is found
under the new owner while the history still shows the old one.

A Filter is a list of criteria (Filter.criteria), each a column of the view
(COLUMNS) and a test of it (is_in, holds, between...). Filter.apply runs them
over views; FilterIndex (filter_index.py), the TUI's live filter, runs the same
criteria over the columns it keeps.
"""

import math
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import NamedTuple

from . import causes as causes_mod
from .i18n import _
from .model import PEOPLE_FIELDS, ROLES
from .people import key as person_key
from .people import names_in, owers

ROLE_NAMES = tuple(ROLES)  # owner, requested, approved, consulted, informed
_ROLE_ALIASES = {**{r: r for r in ROLES}, **{f: r for r, f in ROLES.items()}, "requester": "requested", "approver": "approved"}


def role_name(text: str) -> str:
    from .errors import ValidationError

    role = _ROLE_ALIASES.get(text.strip().lower())
    if role is None:
        raise ValidationError(
            _("unknown role {text!r}; choose one of {roles}").format(text=text, roles=", ".join(ROLE_NAMES)),
            field="role",
        )
    return role


def people_in_role(view: dict, role: str) -> list[str]:
    value = view.get(ROLES[role])
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def public(view: dict) -> dict:
    """The view without the caches this module keeps on it, nor the extent of the
    write it came in (`batch`: chain bookkeeping, meaningless in a view)."""
    return {k: v for k, v in view.items() if not k.startswith("_") and k != "batch"}


# -- columns: what a filter criterion looks at in a view -------------------


def when(view: dict) -> float:
    try:
        return datetime.fromisoformat(view["occurred_at"]).timestamp()
    except (TypeError, ValueError, KeyError):
        # A record written by hand (rehashed) or by another program with a When that is no
        # ISO time: sorted by when it was recorded, shown as stored, never a traceback.
        try:
            return datetime.fromisoformat(view["recorded_at"]).timestamp()
        except (TypeError, ValueError, KeyError):
            return 0.0


def timestamp(view: dict) -> float:
    """when(), cached on the view (apply sorts by it)."""
    ts = view.get("_ts")
    if ts is None:
        ts = view["_ts"] = when(view)
    return ts


# The text a search looks in: every free-text field and every name, tag,
# cause, option and evidence reference, and who owes what in each commitment.
_TEXT_FIELDS = frozenset({"title", "body", "project", "rationale", "mitigation", "commitments", "previous", "owner", "raised_by"})
_LIST_FIELDS = frozenset(
    {
        "requested_by",
        "approved_by",
        "consulted",
        "informed",
        "participants",
        "acknowledged_by",
        "raised_to",
        "tags",
        "causes",
        "evidence",
        "options",
    }
)


def search_text(view: dict, cache: bool = True) -> bytes:
    """The casefolded text a search matches against, as UTF-8.

    UTF-8 is half the size of Python's str for text with any CJK in it, and a
    substring of valid UTF-8 matches only on character boundaries, so a term
    is in the bytes exactly when it is in the text. Cached on the view unless
    cache=False: a one-shot search (the CLI) and the FilterIndex, which keeps
    its own column, do not hold a second copy of the journal's text on 100,000
    view dicts. One pass over the view's items: at 100k entries a .get per
    field costs a fifth more.
    """
    hay = view.get("_hay")
    if hay is None:
        parts: list[str] = []
        for key, value in view.items():
            if key in _TEXT_FIELDS:
                if value.__class__ is str:
                    parts.append(value)
                else:  # commitments as who; what; by when items (free text before they had a shape)
                    parts.extend(t for c in value for t in (c["who"], c["what"]))
            elif key in _LIST_FIELDS:
                parts.extend(value)
        hay = "\n".join(parts).casefold().encode()
        if cache:
            view["_hay"] = hay
    return hay


def haystack(view: dict, cache: bool = True) -> str:
    """search_text() as a str."""
    return search_text(view, cache).decode()


def person_keys(view: dict) -> tuple[str, ...]:
    """The people named anywhere in the entry (PEOPLE_FIELDS), by person key, once each.
    Interned: a journal names the same few hundred people in every entry."""
    return tuple({sys.intern(person_key(n)) for n in names_in(view, PEOPLE_FIELDS)})


def _role_keys(role: str):
    def keys(view: dict) -> list[str]:
        return [person_key(n) for n in people_in_role(view, role)]

    return keys


def _or_empty(name: str):
    def cell(view: dict):
        return view.get(name) or ()

    return cell


def authors(view: dict) -> tuple[str, ...]:
    """Who wrote the record down: their name's person key, and in a team journal the
    handle of the chain it came from (core/team)."""
    by = person_key(view.get("recorded_by") or "")
    return (by, view["author"]) if "author" in view else (by,)


def _project(view: dict) -> str:
    return (view.get("project") or "").casefold()


# Each column is a function of one view. Filter.apply computes the cells it
# needs from the views; FilterIndex keeps most columns as lists, one cell per row.
COLUMNS = {
    "retracted": itemgetter("retracted"),
    "kind": itemgetter("kind"),
    "project": _project,
    "tags": _or_empty("tags"),
    "causes": _or_empty("causes"),
    "time": when,
    "people": person_keys,
    "author": authors,
    "text": partial(search_text, cache=False),
    **{f"role:{r}": _role_keys(r) for r in ROLES},
}


# -- tests: how a criterion judges its column ------------------------------
#
# Each takes rows and the column's cells for those rows (in the same order)
# and keeps the rows whose cell passes. One loop per test, shared by
# Filter.apply (the rows are the views, the cells computed from them) and
# FilterIndex.select (the rows are row numbers, the cells read from its stored
# columns): a test is written once, and runs at the speed of a list
# comprehension over a whole column.


def is_unset(rows, cells, _value) -> list:
    return [i for i, c in zip(rows, cells, strict=True) if not c]


def is_set(rows, cells, _value) -> list:
    return [i for i, c in zip(rows, cells, strict=True) if c]


def is_in(rows, cells, values) -> list:
    return [i for i, c in zip(rows, cells, strict=True) if c in values]


def equals(rows, cells, value) -> list:
    return [i for i, c in zip(rows, cells, strict=True) if c == value]


def holds(rows, cells, values) -> list:
    """Every one of `values` is in the cell (a list of tags, the search text...). One pass:
    the second value is only looked for where the first is, as narrowing twice would."""
    if len(values) == 1:
        (value,) = values
        return [i for i, c in zip(rows, cells, strict=True) if value in c]
    if len(values) == 2:
        first, second = values
        return [i for i, c in zip(rows, cells, strict=True) if first in c and second in c]
    return [i for i, c in zip(rows, cells, strict=True) if all(v in c for v in values)]


def named(rows, cells, value) -> list:
    """A cell of names naming `value`: one of them is it, or starts with it as a word
    (`dana` is the handle dana and "Dana Whitfield")."""
    word = value + " "
    return [i for i, c in zip(rows, cells, strict=True) if any(n == value or n.startswith(word) for n in c)]


def named_or_own(rows, cells, value) -> list:
    """`named`, and every record of this machine's own chain: `value` is its handle in a team
    journal, and its own records carry no `author` (their cell is the recorder's name alone)."""
    word = value + " "
    return [i for i, c in zip(rows, cells, strict=True) if len(c) == 1 or any(n == value or n.startswith(word) for n in c)]


def between(rows, cells, bounds) -> list:
    """Inclusive at both ends; a column sorted by time is bisected instead (FilterIndex)."""
    lo, hi = bounds
    return [i for i, c in zip(rows, cells, strict=True) if lo <= c <= hi]


class Criterion(NamedTuple):
    column: str  # a key of COLUMNS
    test: Callable  # one of the tests above
    value: object


def narrow(criteria, cells, rows) -> list:
    """The `rows` that pass every criterion, in their order.

    `cells(column, rows)` yields that column's cells for `rows`, in order.
    Each criterion only looks at the rows the ones before it kept.
    """
    for crit in criteria:
        if not rows:
            break
        rows = crit.test(rows, cells(crit.column, rows), crit.value)
    return list(rows)


def named_nowhere(filt: "Filter", values: Callable[[str], Collection[str]], people) -> str:
    """Why a filter that matched nothing did, where it names a project, a tag or a person no
    entry has ("" where it names none): a phrase each, with the closest that entries do have (`project:checkout` for
    checkout-v2 said only "0 of 46", `list --project atlsa` only "no entries match").
    `values(column)`: every project (casefolded) or tag entries hold; `people`: a People."""
    out = []
    if filt.project and (typed := filt.project.casefold()) not in (projects := values("project")):
        out.append(_("no project {project}").format(project=filt.project) + _maybe(_near(typed, projects)))
    if filt.tags:
        tags = values("tag")
        for tag in filt.tags:
            if tag not in tags:
                out.append(_("no tag #{tag}").format(tag=tag) + _maybe(_near(tag, tags)))
    if filt.person and not people.knows(filt.person):
        spelled = {}  # each name's key and the words in it, to the name (`dnaa` is near Dana Whitfield)
        for name in people.all():
            for word in (person_key(name), *person_key(name).split()):
                spelled.setdefault(word, name)
        near = list(dict.fromkeys(spelled[k] for k in _near(person_key(filt.person), spelled)))
        out.append(_("no one named {person}").format(person=filt.person) + _maybe(near))
    # TRANSLATORS: between the phrases of named_nowhere ("no project x; no tag #y").
    return _("; ").join(out)


def values_in(views, column: str) -> set[str]:
    """Every project (casefolded, as the filter compares them) or tag the views hold, for named_nowhere."""
    if column == "project":
        return {p for p in map(_project, views) if p}
    return {t for v in views for t in v.get("tags") or ()}


def _near(typed: str, known) -> list[str]:
    """Up to three of `known` that hold `typed` or are spelled close to it."""
    import difflib

    known = sorted(known)
    near = [k for k in known if typed in k][:3]
    # A name of two or three characters (张卫 for 张伟) is one character off at a ratio of 0.5-0.67.
    cutoff = 0.5 if len(typed) <= 3 else 0.7
    near += [k for k in difflib.get_close_matches(typed, known, n=3, cutoff=cutoff) if k not in near]
    return near[:3]


def _maybe(names: list[str]) -> str:
    return _(" ({names}?)").format(names=", ".join(names)) if names else ""


def crossed(since: datetime | None, until: datetime | None) -> str | None:
    """What to say when `since` falls after `until` (the CLI refuses it, the app's filter bar
    says it): a trail left empty without a word reads as "nothing happened"."""
    if since is None or until is None or since <= until:
        return None

    def day(when: datetime) -> str:
        whole = when.time().replace(tzinfo=None) in (when.min.time(), when.max.time())
        return when.strftime("%Y-%m-%d" if whole else "%Y-%m-%d %H:%M")

    return _("since {since} is after until {until}: no entry can match").format(since=day(since), until=day(until))


@dataclass
class Filter:
    project: str | None = None
    kinds: tuple[str, ...] = ()
    person: str | None = None
    role: str | None = None
    tags: tuple[str, ...] = ()
    cause: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    author: str | None = None  # who wrote it down (team journals: a handle too)
    include_retracted: bool = False
    cache_text: bool = True  # see search_text()
    # This machine's handle in a team journal (for_journal): its own records carry no author,
    # so an `author` naming it selects them, as a colleague's copy of its chain would. Not
    # part of what the filter says (describe, to_json): each machine reads it from its journal.
    own: str | None = None

    def __post_init__(self):
        if self.role:
            self.role = role_name(self.role)

    def describe(self) -> str:
        parts = []
        if self.project:
            parts.append(f"project {self.project}")
        if self.kinds:
            parts.append("kind " + "/".join(self.kinds))
        if self.person:
            parts.append(f"person {self.person}" + (f" as {self.role}" if self.role else ""))
        elif self.role:
            parts.append(f"role {self.role}")
        if self.tags:
            parts.append("tag " + ", ".join(self.tags))
        if self.cause:
            parts.append(f"cause {self.cause}")
        if self.since:
            parts.append(f"since {self.since.isoformat(timespec='minutes')}")
        if self.until:
            parts.append(f"until {self.until.isoformat(timespec='minutes')}")
        if self.search:
            parts.append(f"search {self.search!r}")
        if self.author:
            parts.append(f"author {self.author}")
        if self.include_retracted:
            parts.append("retracted included")
        return "; ".join(parts) or "all entries"

    def to_json(self) -> dict:
        """The filter as data (what a signed export states it selected; `from_json` reads it back)."""
        out = {}
        for name in ("project", "kinds", "person", "role", "tags", "cause", "search", "author", "include_retracted"):
            value = getattr(self, name)
            if value not in (None, (), False):
                out[name] = list(value) if isinstance(value, tuple) else value
        for name in ("since", "until"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name).isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Filter":
        known = {"project", "kinds", "person", "role", "tags", "cause", "search", "author", "include_retracted", "since", "until"}
        if not isinstance(data, dict) or set(data) - known:
            raise ValueError(_("not a pmjournal filter"))
        values = dict(data)
        for name in ("kinds", "tags"):
            if name in values:
                values[name] = tuple(values[name])
        for name in ("since", "until"):
            if name in values:
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values, cache_text=False)

    def for_journal(self, journal) -> "Filter":
        """This filter as `journal` reads it: with its own handle where it is a team's (`own`)."""
        team = getattr(journal, "team", None)
        own = team.handle if team is not None and team.joined else None
        if own == self.own:
            return self
        from dataclasses import replace

        return replace(self, own=own)

    def criteria(self) -> list[Criterion]:
        """What this filter asks of an entry: the one definition of every criterion.

        In the order they narrow best for their cost: each looks only at the
        entries the ones before it kept (a date is parsed, a name normalised,
        only where kind, project, tags and cause allow), retracted entries,
        rare and cheap to spot, just before the costly search text.
        """
        out = []
        if self.kinds:
            out.append(Criterion("kind", is_in, frozenset(self.kinds)))
        if self.project:
            out.append(Criterion("project", equals, self.project.casefold()))
        if self.tags:  # every one of them
            out.append(Criterion("tags", holds, tuple(dict.fromkeys(self.tags))))
        if self.cause:
            out.append(Criterion("causes", holds, (self.cause,)))
        if self.since or self.until:
            lo = self.since.timestamp() if self.since else -math.inf
            hi = self.until.timestamp() if self.until else math.inf
            out.append(Criterion("time", between, (lo, hi)))
        if self.role:  # that person in that role, or anyone in it
            test, value = (holds, (person_key(self.person),)) if self.person else (is_set, None)
            out.append(Criterion(f"role:{self.role}", test, value))
        elif self.person:  # named anywhere
            out.append(Criterion("people", holds, (person_key(self.person),)))
        if self.author:
            key = person_key(self.author)
            out.append(Criterion("author", named_or_own if key == self.own else named, key))
        if not self.include_retracted:
            out.append(Criterion("retracted", is_unset, None))
        terms = dict.fromkeys(t.encode() for t in (self.search or "").casefold().split())
        if terms:  # every term, the longest (the rarest, likely) looked for first
            out.append(Criterion("text", holds, tuple(sorted(terms, key=len, reverse=True))))
        return out

    def matches(self, view: dict) -> bool:
        return self.matcher()(view)

    def matcher(self) -> Callable[[dict], bool]:
        """matches() for asking of one view after another (an export's links, one a time):
        the criteria and their columns made once, for the filter as it is now."""
        criteria, cells = self.criteria(), self._cells()

        def matches(view: dict) -> bool:
            return bool(narrow(criteria, cells, (view,)))

        return matches

    def _cells(self) -> Callable:
        columns = {**COLUMNS, "time": timestamp, "text": partial(search_text, cache=self.cache_text)}
        return lambda column, rows: map(columns[column], rows)

    def apply(self, views, ordered: bool = True) -> list[dict]:
        """Matching views in time order (occurred_at, then #seq), or in journal
        order with ordered=False for callers that only count (sorting 100k
        views by time costs a date parse each)."""
        if not isinstance(views, Collection):
            views = list(views)  # a test reads the rows twice: beside their cells, and for them
        hits = narrow(self.criteria(), self._cells(), views)
        if ordered:
            hits.sort(key=lambda v: (timestamp(v), v["seq"]))
        return hits


# -- accountability summary ------------------------------------------------


# Where a person is named outside the five RACI roles: counted together as "other".
OTHER_FIELDS = tuple(f for f in PEOPLE_FIELDS if f not in ROLES.values())
_COLUMN = {**{f: r for r, f in ROLES.items()}, **{f: "other" for f in OTHER_FIELDS}}
WHO_COLUMNS = (*ROLE_NAMES, "other")
_COLUMN_ITEMS = (*_COLUMN.items(), ("commitments", "other"))  # (commitments: their owers, people.owers)


def who(views, people) -> list[dict]:
    """One row per person named in `views`, busiest first: the one definition that
    `who`, the People view and the export's accountability table all use.

    - owner, requested, approved, consulted, informed: entries naming the person in
      that role; `other`: entries naming them anywhere else (participants,
      acknowledged by, raised by, raised to, owing a commitment). A retracted entry holds nobody
      accountable, so it counts in none of these.
    - total: the entries that name the person at all, retracted ones included when
      they are among `views`. That is exactly what `@person` (`--person`) selects
      from the same entries, so choosing a person in the People view shows `total`
      entries.
    """
    counts = Who(people)
    for view in views:
        counts.add(view)
    return counts.rows()


class Who:
    """who() fed one view at a time: an export counts the entries it streams as it writes them."""

    def __init__(self, people):
        self._people = people
        self._rows: dict[str, dict] = {}

    def add(self, view: dict) -> None:
        # An export calls this for every entry it writes: `field in view` first (most
        # fields are absent), and each person's columns this entry counted kept by row.
        rows = self._rows
        counted = not view["retracted"]
        seen: dict[str, set] = {}  # person key -> the columns this entry counted them in
        for name_field, column in _COLUMN_ITEMS:
            if name_field not in view or not (value := view[name_field]):
                continue
            if name_field == "commitments":
                value = owers(view)
            for name in (value,) if value.__class__ is str else value:
                k = person_key(name)
                row = rows.get(k)
                if row is None:
                    row = rows[k] = {"person": self._people.display(name), **dict.fromkeys(WHO_COLUMNS, 0), "total": 0}
                columns = seen.get(k)
                if columns is None:
                    columns = seen[k] = set()
                    row["total"] += 1
                if counted and column not in columns:
                    columns.add(column)
                    row[column] += 1

    def rows(self) -> list[dict]:
        out = list(self._rows.values())
        out.sort(key=lambda r: (-r["total"], r["person"].casefold()))
        return out


def who_person(views, people, person: str) -> dict:
    """One person's counts by role and kind, and the calls they own, requested or approved."""
    wanted = person_key(person)
    roles = {r: 0 for r in ROLE_NAMES}
    by_kind: dict[str, dict[str, int]] = {}
    entries = []
    for view in views:
        if view["retracted"]:
            continue  # holds nobody accountable (as in who)
        held = [r for r in ROLE_NAMES if any(person_key(n) == wanted for n in people_in_role(view, r))]
        for role in held:
            roles[role] += 1
            by_kind.setdefault(view["kind"], {r: 0 for r in ROLE_NAMES})[role] += 1
        if set(held) & {"owner", "requested", "approved"}:
            entries.append((view, held))
    entries.sort(key=lambda e: (timestamp(e[0]), e[0]["seq"]), reverse=True)
    # by kind in name order: the same whatever order the views came in
    return {"person": people.display(person), "roles": roles, "by_kind": dict(sorted(by_kind.items())), "entries": entries}


# -- trace -----------------------------------------------------------------


def cause_labels(keys) -> list[dict]:
    out = []
    for k in keys or ():
        c = causes_mod.BY_KEY.get(k)
        out.append({"key": k, "label": c.label if c else k, "zh": c.zh if c else ""})
    return out


# How many levels of causes `trace` and the TUI's Trace show (the Markdown export, 6): a
# chain of causes runs a few levels deep; one of a thousand, followed to its end, overflowed
# Python's recursion (and orjson's nesting) in trace, its JSON and the export.
TRACE_DEPTH = 30


def trace(views: dict[str, dict], root_id: str, depth: int = TRACE_DEPTH) -> dict:
    """The tree of entries `root_id` was caused by, recursively, `depth` levels down: an
    entry at that level whose causes are not followed carries `more`.

    A link back to an entry already on the current path is reported as a cycle node
    and not followed. An entry reached again by another path (a cause of two entries)
    is shown again, as a cause of both, but its own causes are listed once, under its
    first appearance: the later ones carry `repeat`. Followed each time, a cascade in
    which each incident was caused by the two before it doubled the tree at every step
    (24 such entries: 15 s and 800 MB for `trace`, and for an export or the TUI).
    """
    expanded: set[str] = set()

    def node(entry_id: str, path: tuple[str, ...]) -> dict:
        view = views.get(entry_id)
        if view is None:
            return {"id": entry_id, "missing": True, "children": []}
        item = {
            "id": entry_id,
            "view": view,
            "causes": cause_labels(view.get("causes")),
            "children": [],
            "cycle": False,
            "repeat": False,
            "more": False,
        }
        if entry_id in path:
            item["cycle"] = True
            return item
        causes = [link["to"] for link in view.get("links") or () if link["rel"] == "caused_by"]
        if causes and entry_id in expanded:
            item["repeat"] = True
            return item
        if causes and len(path) >= depth:
            item["more"] = True
            return item
        expanded.add(entry_id)
        for cause in causes:
            item["children"].append(node(cause, path + (entry_id,)))
        return item

    return node(root_id, ())


def trace_json(tree: dict) -> dict:
    """The trace as plain data: each node's seq, kind, date, title, owner, causes."""
    if tree.get("missing"):
        return {"id": tree["id"], "missing": True, "caused_by": []}
    view = tree["view"]
    return {
        "id": view["id"],
        "seq": view["seq"],
        "kind": view["kind"],
        "occurred_at": view["occurred_at"],
        "title": view.get("title", ""),
        "owner": view.get("owner"),
        "status": view.get("status"),
        "retracted": bool(view["retracted"]),
        "causes": tree["causes"],
        "cycle": tree["cycle"],
        "repeat": tree["repeat"],
        "more": tree["more"],
        "caused_by": [trace_json(c) for c in tree["children"]],
    }
