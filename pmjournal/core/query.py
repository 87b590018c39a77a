"""Filters over folded views, the accountability summary, and the incident trace.

Everything here works on folded views (fold.py), so an amended owner is found
under the new owner while the history still shows the old one.
"""

from dataclasses import dataclass, field
from datetime import datetime

from . import causes as causes_mod
from .model import PEOPLE_FIELDS, ROLES
from .people import key as person_key
from .people import names_in

ROLE_NAMES = tuple(ROLES)  # owner, requested, approved, consulted, informed
_ROLE_ALIASES = {**{r: r for r in ROLES}, **{f: r for r, f in ROLES.items()}, "requester": "requested", "approver": "approved"}


def role_name(text: str) -> str:
    from .errors import ValidationError

    role = _ROLE_ALIASES.get(text.strip().lower())
    if role is None:
        raise ValidationError(f"unknown role {text!r}; choose one of {', '.join(ROLE_NAMES)}", field="role")
    return role


def people_in_role(view: dict, role: str) -> list[str]:
    value = view.get(ROLES[role])
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def timestamp(view: dict) -> float:
    ts = view.get("_ts")
    if ts is None:
        ts = view["_ts"] = datetime.fromisoformat(view["occurred_at"]).timestamp()
    return ts


# The text a search looks in: every free-text field and every name, tag,
# cause, option and evidence reference.
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


def haystack(view: dict, cache: bool = True) -> str:
    """Lower-cased text a search matches against.

    Cached on the view for a live filter that searches on every keystroke; a
    one-shot search (the CLI) passes cache=False rather than hold a second,
    lower-cased copy of the whole journal in memory. One pass over the view's
    items: at 100k entries a .get per field costs a fifth more.
    """
    hay = view.get("_hay")
    if hay is None:
        parts: list[str] = []
        for key, value in view.items():
            if key in _TEXT_FIELDS:
                parts.append(value)
            elif key in _LIST_FIELDS:
                parts.extend(value)
        hay = "\n".join(parts).casefold()
        if cache:
            view["_hay"] = hay
    return hay


def public(view: dict) -> dict:
    """The view without the caches this module keeps on it, nor the extent of the
    write it came in (`batch`: chain bookkeeping, meaningless in a view)."""
    return {k: v for k, v in view.items() if not k.startswith("_") and k != "batch"}


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
    include_retracted: bool = False
    cache_text: bool = True  # see haystack()
    _terms: tuple[str, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self):
        if self.role:
            self.role = role_name(self.role)
        self._terms = tuple((self.search or "").casefold().split())

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
        if self.include_retracted:
            parts.append("retracted included")
        return "; ".join(parts) or "all entries"

    def matches(self, view: dict) -> bool:
        if view["retracted"] and not self.include_retracted:
            return False
        if self.kinds and view["kind"] not in self.kinds:
            return False
        if self.project and (view.get("project") or "").casefold() != self.project.casefold():
            return False
        if self.tags and not set(self.tags) <= set(view.get("tags") or ()):
            return False
        if self.cause and self.cause not in (view.get("causes") or ()):
            return False
        if self.since and timestamp(view) < self.since.timestamp():
            return False
        if self.until and timestamp(view) > self.until.timestamp():
            return False
        if self.person or self.role:
            names = people_in_role(view, self.role) if self.role else names_in(view, PEOPLE_FIELDS)
            if self.person:
                wanted = person_key(self.person)
                if not any(person_key(n) == wanted for n in names):
                    return False
            elif not names:
                return False
        if self._terms:
            hay = haystack(view, self.cache_text)
            if not all(t in hay for t in self._terms):
                return False
        return True

    def is_empty(self) -> bool:
        return not (
            self.project
            or self.kinds
            or self.person
            or self.role
            or self.tags
            or self.cause
            or self.since
            or self.until
            or self._terms
        )

    def apply(self, views, ordered: bool = True) -> list[dict]:
        """Matching views in time order (occurred_at, then #seq), or in journal
        order with ordered=False for callers that only count (sorting 100k
        views by time costs a date parse each)."""
        if self.is_empty():
            hits = list(views) if self.include_retracted else [v for v in views if not v["retracted"]]
        else:
            hits = [v for v in views if self.matches(v)]
        if ordered:
            hits.sort(key=lambda v: (timestamp(v), v["seq"]))
        return hits


# -- accountability summary ------------------------------------------------


# Where a person is named outside the five RACI roles: counted together as "other".
OTHER_FIELDS = tuple(f for f in PEOPLE_FIELDS if f not in ROLES.values())
_COLUMN = {**{f: r for r, f in ROLES.items()}, **{f: "other" for f in OTHER_FIELDS}}
WHO_COLUMNS = (*ROLE_NAMES, "other")


def who(views, people) -> list[dict]:
    """One row per person named in `views`, busiest first: the one definition that
    `who`, the People view and the export's accountability table all use.

    - owner, requested, approved, consulted, informed: entries naming the person in
      that role; `other`: entries naming them anywhere else (participants,
      acknowledged by, raised by, raised to). A retracted entry holds nobody
      accountable, so it counts in none of these.
    - total: the entries that name the person at all, retracted ones included when
      they are among `views`. That is exactly what `@person` (`--person`) selects
      from the same entries, so choosing a person in the People view shows `total`
      entries.
    """
    rows: dict[str, dict] = {}
    for view in views:
        counted = not view["retracted"]
        named: set[str] = set()
        columns: set[tuple[str, str]] = set()
        for name_field, column in _COLUMN.items():
            value = view.get(name_field)
            if not value:
                continue
            for name in (value,) if value.__class__ is str else value:
                k = person_key(name)
                row = rows.get(k)
                if row is None:
                    row = rows[k] = {"person": people.display(name), **{c: 0 for c in WHO_COLUMNS}, "total": 0}
                if k not in named:
                    named.add(k)
                    row["total"] += 1
                if counted and (k, column) not in columns:
                    columns.add((k, column))
                    row[column] += 1
    out = list(rows.values())
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
    return {"person": people.display(person), "roles": roles, "by_kind": by_kind, "entries": entries}


# -- trace -----------------------------------------------------------------


def cause_labels(keys) -> list[dict]:
    out = []
    for k in keys or ():
        c = causes_mod.BY_KEY.get(k)
        out.append({"key": k, "label": c.label if c else k, "zh": c.zh if c else ""})
    return out


def trace(views: dict[str, dict], root_id: str) -> dict:
    """The tree of entries `root_id` was caused by, recursively.

    A link back to an entry already on the current path is reported as a
    cycle node and not followed; one reached twice by different paths is
    shown again (it is a cause of both).
    """

    def node(entry_id: str, path: tuple[str, ...]) -> dict:
        view = views.get(entry_id)
        if view is None:
            return {"id": entry_id, "missing": True, "children": []}
        item = {"id": entry_id, "view": view, "causes": cause_labels(view.get("causes")), "children": [], "cycle": False}
        if entry_id in path:
            item["cycle"] = True
            return item
        for link in view.get("links") or ():
            if link["rel"] == "caused_by":
                item["children"].append(node(link["to"], path + (entry_id,)))
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
        "caused_by": [trace_json(c) for c in tree["children"]],
    }
