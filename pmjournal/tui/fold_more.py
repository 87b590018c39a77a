"""Fold a few new records into an existing set of views, without refolding the journal.

A full fold of 100,000 records takes seconds; another process adding one entry
should show up in the open TUI at once. The views handed in are never changed
(the UI thread may be reading them): changed views are copied first, and their
caches (keys starting with "_") dropped. Where the result could differ from a
full fold (an amendment that changes links or touches a superseded entry, a
retraction of a superseding decision) this returns None and the caller folds
the whole journal instead.
"""

from ..core.fold import apply
from ..core.model import META_KINDS


def fold_more(views: dict[str, dict], records: list[dict]) -> tuple[dict[str, dict], set[str]] | None:
    """(the new views, the ids of those that are new or were copied to change), or None."""
    out = dict(views)
    copied: set[str] = set()

    def own(entry_id: str) -> dict | None:
        view = out.get(entry_id)
        if view is None or entry_id in copied:
            return view
        view = {k: v for k, v in view.items() if not k.startswith("_")}
        for key in ("history", "linked_from", "superseded_by"):
            view[key] = list(view[key])
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
