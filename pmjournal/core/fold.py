"""The folded view: an entry as it reads now, with the history that made it so.

Records are never edited; amendments and retractions are later records that
target an earlier one. Folding applies them in journal order and keeps, for
every change, who recorded it, when, old -> new and why, so any view can show
that (say) the owner was Alice before it became Bob.
"""

from .model import META_KINDS


def _new_view(record: dict) -> dict:
    view = dict(record)
    view["history"] = []
    view["retracted"] = None
    view["superseded_by"] = []
    view["linked_from"] = []
    return view


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
    if kind == "amendment":
        changes = {}
        for field, new in record.get("changes", {}).items():
            changes[field] = {"old": view.get(field), "new": new}
            if new is None:
                view.pop(field, None)
            else:
                view[field] = new
        event["changes"] = changes
    else:
        view["retracted"] = {k: event[k] for k in ("seq", "id", "recorded_at", "recorded_by", "reason")}
    view["history"].append(event)
    return view


def link_pass(views: dict[str, dict]) -> None:
    """Derive the reverse links and supersession once every record is folded.

    Run once per fold, on fresh views: it appends to linked_from/superseded_by.
    """
    for view in views.values():
        for link in view.get("links") or ():
            target = views.get(link["to"])
            if target is None:
                continue
            target["linked_from"].append({"rel": link["rel"], "from": view["id"]})
            if link["rel"] == "supersedes" and not view["retracted"]:
                target["superseded_by"].append(view["id"])
    for view in views.values():
        if view["superseded_by"] and view["kind"] == "decision":
            view["status"] = "superseded"


def fold(records) -> dict[str, dict]:
    """id -> folded view, in journal (seq) order, for every entry record."""
    views: dict[str, dict] = {}
    for record in records:
        apply(views, record)
    link_pass(views)
    return views


def _forget_caches(view: dict) -> None:
    for key in [k for k in view if k.startswith("_")]:
        del view[key]


def absorb(views: dict[str, dict], record: dict) -> bool:
    """Fold one newly appended record into already-folded views.

    Returns False when the record could change derived state in ways only a
    full fold gets right (a retraction of an entry that links elsewhere, an
    amendment of links): the caller then refolds. The common cases, a new
    entry or a plain amendment, cost O(links) instead of a refold of the
    whole journal.
    """
    kind = record["kind"]
    if kind == "retraction":
        target = views.get(record.get("target"))
        if target is not None and target.get("links"):
            return False
    elif kind == "amendment" and "links" in record.get("changes", {}):
        return False
    view = apply(views, record)
    if view is None:
        return True
    if kind in META_KINDS:
        _forget_caches(view)
        if kind == "amendment" and view["superseded_by"] and view["kind"] == "decision":
            view["status"] = "superseded"
        return True
    for link in view.get("links") or ():
        target = views.get(link["to"])
        if target is None:
            continue
        target["linked_from"].append({"rel": link["rel"], "from": view["id"]})
        if link["rel"] == "supersedes":
            target["superseded_by"].append(view["id"])
            if target["kind"] == "decision":
                target["status"] = "superseded"
    return True
