"""Plain-text formatting shared by the CLI, the TUI and the exports.

Kept in the core (no Rich, no Textual) so every front end says the same thing
the same way: a field's label, a value as text, a date as a person reads it.
"""

from datetime import datetime

from . import causes as causes_mod
from .model import COMMON, KIND_FIELDS

_LABELS = {f.name: f.label for f in COMMON}
for _fields in KIND_FIELDS.values():
    _LABELS.update({f.name: f.label for f in _fields})
_LABELS.update({"kind": "Kind", "occurred_at": "When", "recorded_at": "Recorded", "recorded_by": "Recorded by"})

# Fields shown as roles, in RACI order, then the kind-specific ones.
ROLE_FIELDS = ("owner", "requested_by", "approved_by", "consulted", "informed")


def label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " ").capitalize())


def short_date(iso: str) -> str:
    """'2026-11-23 15:00' in the entry's own offset."""
    return iso[:16].replace("T", " ") if iso else ""


def long_date(iso: str) -> str:
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    offset = dt.strftime("%z")
    offset = f" {offset[:3]}:{offset[3:]}" if offset else ""
    return dt.strftime("%a %d %b %Y %H:%M") + offset


def local_date(iso: str) -> str:
    """A UTC stamp (recorded_at) as the reader's local time."""
    try:
        return long_date(datetime.fromisoformat(iso).astimezone().isoformat())
    except (TypeError, ValueError):
        return str(iso)


def value_text(field: str, value, display_person=lambda n: n) -> str:
    """One field's value as a line of text (lists joined, people by their first spelling)."""
    if value is None or value == [] or value == {}:
        return ""
    if field in ("owner", "raised_by"):
        return display_person(value)
    if field in ("requested_by", "approved_by", "consulted", "informed", "participants", "acknowledged_by", "raised_to"):
        return ", ".join(display_person(v) for v in value)
    if field == "causes":
        return ", ".join(causes_mod.describe(k) for k in value)
    if field == "impact" and isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if field in ("review_by", "follow_up_by", "occurred_at"):
        return long_date(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def kind_fields(view: dict) -> list[str]:
    """The kind-specific fields of this view that hold a value, in form order."""
    return [f.name for f in KIND_FIELDS.get(view["kind"], ()) if view.get(f.name) not in (None, "", [], {})]
