"""What the index stores for one folded view: its columns, search text and many-valued cells.

Every value is computed by the core's own definitions (query.COLUMNS, query.who's
columns, loops), so the index narrows by exactly what Filter.apply and `who`
test; reads.py still runs the Filter on what the index hands back.
"""

import orjson

from ..loops import could_open, has_open_loop
from ..model import PEOPLE_FIELDS, ROLES
from ..people import NAMED_FIELDS, owers
from ..people import key as person_key
from ..query import authors, search_text, when

_ROLE_OF_FIELD = {field: f"role:{role}" for role, field in ROLES.items()}


def view_blob(view: dict) -> bytes:
    """The view as stored: its record's keys, the fold's derived keys and whose chain it is in
    (not the fold's private marks and caches, whose keys start with "_": only a view the fold
    copied carries any, fold._OWN)."""
    if "_own" not in view and "_hay" not in view and "_ts" not in view:
        return orjson.dumps(view)
    return orjson.dumps({k: v for k, v in view.items() if not k.startswith("_")})


def columns(view: dict) -> tuple:
    """(ts, kind, project, retracted, loops, open) of the views table."""
    loops = could_open(view)
    return (
        when(view),
        view["kind"],
        (view.get("project") or "").casefold(),
        1 if view["retracted"] else 0,
        1 if loops else 0,
        1 if loops and has_open_loop(view) else 0,
    )


def hay(view: dict) -> str:
    return search_text(view, cache=False).decode()


def attrs(view: dict) -> set[tuple[str, str]]:
    """(column, value) cells: tag, cause, author, and for every person named (by person key,
    as query.person_keys makes them) role:<r> or `other` (named outside the five roles)."""
    out = {("tag", t) for t in view.get("tags") or ()}
    out.update(("cause", c) for c in view.get("causes") or ())
    out.update(("author", a) for a in authors(view))
    for field in PEOPLE_FIELDS:
        value = view.get(field)
        if not value:
            continue
        column = _ROLE_OF_FIELD.get(field, "other")
        out.update((column, person_key(name)) for name in ((value,) if value.__class__ is str else value))
    if "commitments" in view:
        out.update(("other", person_key(name)) for name in owers(view))
    return out


NAMED = ("other", *(f"role:{r}" for r in ROLES))  # the columns that name a person


def who_cells(cells, retracted: bool):
    """(person key, who column) pairs a view counts for (query.who): `all` for every person
    named, and while the entry is not retracted `total` and each role or `other` (who's total
    counts the entries selected, which leave retracted ones out unless asked: `all` is that
    total)."""
    named = set()
    for col, val in cells:
        if col == "other" or col.startswith("role:"):
            named.add(val)
            if not retracted:
                yield val, col.removeprefix("role:")
    for val in named:
        yield val, "all"
        if not retracted:
            yield val, "total"


def spellings(view: dict):
    """(person key, name as typed, place) in the order people.People.learn meets them."""
    place = 0
    for field in NAMED_FIELDS:
        value = view.get(field)
        if not value:
            continue
        if field == "commitments":
            value = owers(view)
        for name in (value,) if value.__class__ is str else value:
            yield person_key(name), name, place
            place += 1


def links(view: dict) -> list[tuple[str, str]]:
    return [(link["to"], link["rel"]) for link in view.get("links") or ()]
