"""The folded view: an entry as it reads now, with the history that made it so.

Records are never edited; amendments and retractions are later records that
target an earlier one. Folding applies them in journal order and keeps, for
every change, who recorded it, when, old -> new and why, so any view can show
that (say) the owner was Alice before it became Bob.
"""

from .model import LOOP_KEYS, META_KINDS

# Keys a view has beyond its record. Views share the record's dict until an
# amendment changes a field (copy on write): at 100,000 entries a copy of
# every record would cost ~50 MB. `raw()` gives the record back without them.
DERIVED = ("history", "retracted", "superseded_by", "linked_from")
# What a team journal's reader adds to a colleague's record (core/team/merge.py):
# the author's handle and the reference people type for it ("dana#42"). Not
# stored, never hashed, kept by every copy of the view.
CHAIN_KEYS = ("author", "ref")
_OWN = "_own"  # marks a view that is its own copy, not the stored record


def ref_of(record: dict) -> str:
    """How people refer to a record: `#42` in one's own chain, `dana#42` in a colleague's."""
    return record.get("ref") or f"#{record['seq']}"


def _new_view(record: dict) -> dict:
    if "history" in record:
        # Already a view in an earlier fold that someone may still be reading
        # (the TUI's snapshot, on another thread): never change it, copy it.
        chain = {k: record[k] for k in CHAIN_KEYS if k in record}
        record = raw(record)
        record.update(chain)
    record["history"] = []
    record["retracted"] = None
    record["superseded_by"] = []
    record["linked_from"] = []
    return record


def stored(record: dict) -> dict:
    """A record as stored (raw), plus whose chain it is in (a colleague's `author` and `ref`):
    what a fold of a few records needs to keep naming them as the full fold does."""
    out = raw(record)
    out.update((k, record[k]) for k in CHAIN_KEYS if k in record)
    return out


def raw(record: dict) -> dict:
    """A stored record without the view's derived keys and caches."""
    return {k: v for k, v in record.items() if k not in DERIVED and k not in CHAIN_KEYS and not k.startswith("_")}


def _own(views: dict[str, dict], view: dict) -> dict:
    """The view as a private copy, so an amendment never edits the stored record."""
    if view.get(_OWN):
        return view
    copy = {k: v for k, v in view.items() if not k.startswith("_")}
    for key in ("history", "superseded_by", "linked_from"):
        copy[key] = list(view[key])
    copy[_OWN] = True
    views[view["id"]] = copy
    return copy


def apply(views: dict[str, dict], record: dict) -> dict | None:
    """Fold one record into `views` (id -> view); return the view it touched."""
    kind = record["kind"]
    if kind not in META_KINDS:
        view = _new_view(record)
        views[record["id"]] = view
        return view
    view = views.get(record.get("target"))
    if view is None:
        return None  # a target we do not hold (a partial import); keep the record, skip it
    event = {
        "seq": record["seq"],
        "id": record["id"],
        "kind": kind,
        "recorded_at": record["recorded_at"],
        "recorded_by": record.get("recorded_by", ""),
        "reason": record.get("reason", ""),
    }
    if "imported" in record:
        event["imported"] = record["imported"]
    if "ref" in record:
        event["ref"] = record["ref"]
    if "clock" in record:
        # A team record says which correction of the entry its author had seen
        # last; if that is not the one before it here, two people corrected the
        # entry without seeing each other's: both are kept, in clock order, flagged.
        history = view["history"]
        last = history[-1]["id"] if history else None
        if record.get("seen") != last:
            event["concurrent"] = True
            if history and not history[-1].get("concurrent"):
                history[-1] = {**history[-1], "concurrent": True}
    if kind == "amendment":
        view = _own(views, view)
        changes = {}
        for field, new in record.get("changes", {}).items():
            changes[field] = {"old": view.get(field), "new": new}
            if new is None:
                view.pop(field, None)
            else:
                view[field] = new
        event["changes"] = changes
    elif kind == "loop":
        # A loop closed or re-opened (loops.py): what, when it happened, by whom.
        for key in LOOP_KEYS:
            if key in record:
                event[key] = record[key]
    else:
        view["retracted"] = {k: event[k] for k in ("seq", "id", "recorded_at", "recorded_by", "reason")}
    view["history"].append(event)
    return view


def link_pass(views: dict[str, dict], linking: set[str], position: dict[str, int] | None = None) -> None:
    """Derive the reverse links and supersession once every record is folded.

    Run once per fold, on fresh views: it appends to linked_from/superseded_by.
    `linking`: ids of the views that may hold links, which fold() collects as
    it goes so a 100k journal is not walked a second time; visited in journal
    order, so linked_from lists keep that order.
    """
    # In journal order: a team's #seqs repeat across chains, so by position when known.
    order = (lambda v: position[v["id"]]) if position is not None else (lambda v: v["seq"])
    linking_views = sorted((views[i] for i in linking if i in views), key=order)
    superseded = []
    for view in linking_views:
        for link in view.get("links") or ():
            target = views.get(link["to"])
            if target is None:
                continue
            target["linked_from"].append({"rel": link["rel"], "from": view["id"]})
            if link["rel"] == "supersedes" and not view["retracted"]:
                target["superseded_by"].append(view["id"])
                superseded.append(target["id"])
    for entry_id in superseded:
        view = views[entry_id]
        if view["kind"] == "decision":
            _own(views, view)["status"] = "superseded"


def fold(records) -> dict[str, dict]:
    """id -> folded view, in journal (seq) order, for every entry record."""
    views: dict[str, dict] = {}
    linking: set[str] = set()
    position: dict[str, int] = {}
    for record in records:
        if record["kind"] in META_KINDS:
            apply(views, record)
            changes = record.get("changes")
            if changes and "links" in changes:
                linking.add(record.get("target"))
            continue
        # Not through apply(): this loop runs once per record at start-up.
        views[record["id"]] = _new_view(record)
        position[record["id"]] = len(position)
        if "links" in record:
            linking.add(record["id"])
    link_pass(views, linking, position)
    return views


def extend(views: dict[str, dict], records: list[dict]) -> tuple[dict[str, dict], set[str]] | None:
    """Fold records appended since `views` was folded, without refolding the journal.

    The one incremental fold, for the Journal and the TUI alike. `views` is
    never changed (the TUI's UI thread may be reading it): the result is a new
    dict, and every view that changes is copied first, without its caches
    (keys starting with "_", such as the search text). Returns (the new views,
    the ids of the views that are new or were copied), or None where only a
    full fold gets derived state right: an amendment that changes links or
    touches a superseded decision (a fresh fold records the stored status as
    "old", not the derived "superseded"), or a retraction of an entry that
    supersedes another (the other one stops reading superseded).
    """
    out = dict(views)
    copied: set[str] = set()
    # New entries of these records: their views are their records' own dicts (_new_view), as
    # in any fold. One another of them links to is copied before it is marked superseded: the
    # mark went into the record itself, and when extend then gave up, the full fold (of the
    # index's builder, the TUI's catch-up, Journal.refresh) read it back as stored, so a
    # decision whose superseder was retracted in the same records stayed "superseded".
    fresh: set[str] = set()

    def own(entry_id: str) -> dict | None:
        view = out.get(entry_id)
        if view is None or (entry_id in copied and entry_id not in fresh):
            return view
        fresh.discard(entry_id)
        view = {k: v for k, v in view.items() if not k.startswith("_")}
        for key in ("history", "linked_from", "superseded_by"):
            view[key] = list(view[key])
        view[_OWN] = True  # a private copy: a later amendment may change it in place
        out[entry_id] = view
        copied.add(entry_id)
        return view

    for record in records:
        if record["kind"] in META_KINDS:
            target = out.get(record.get("target"))
            if target is None:
                continue
            if record["kind"] == "amendment" and ("links" in record.get("changes", {}) or target["superseded_by"]):
                return None
            if record["kind"] == "retraction" and any(link["rel"] == "supersedes" for link in target.get("links") or ()):
                return None
            own(target["id"])
            apply(out, record)
            continue
        view = apply(out, record)
        copied.add(view["id"])
        fresh.add(view["id"])
        for link in view.get("links") or ():
            linked = own(link["to"])
            if linked is None:
                continue
            linked["linked_from"].append({"rel": link["rel"], "from": view["id"]})
            if link["rel"] == "supersedes" and not view["retracted"]:
                linked["superseded_by"].append(view["id"])
                if linked["kind"] == "decision":
                    linked["status"] = "superseded"
    return out, copied
