"""Whether a record read at or past a break in the chain can be shown.

Records that chain were written by pmjournal, which checked them. One whose bytes were
altered may hold anything: an "id" renamed, a title made a number, links made a string.
The reads (list, show, who, due, exports, the app) fold and show what a journal holds
past a break, marked, as `verify` names it; such a record made each of them end in a
traceback (a robustness hunt). The Reader asks this of records past a break only, so
what it costs (the model's checks, ~20 µs) is never paid by a sound journal.
"""

from .errors import ValidationError


def readable(record: dict) -> bool:
    """Whether the reads can fold and show `record`: its id, kind and time as pmjournal
    writes them, and its known fields of the types they have (a field this version does not
    know is left to the display, which lists it as stored)."""
    from . import model

    try:
        entry_id, kind, recorded_at = record.get("id"), record.get("kind"), record.get("recorded_at")
        if not (isinstance(entry_id, str) and entry_id and isinstance(kind, str) and isinstance(recorded_at, str)):
            return False
        if not isinstance(record.get("recorded_by", ""), str):
            return False
        if kind in model.ENTRY_KINDS:
            spec = model.fields_for(kind)
            if not isinstance(record.get("occurred_at"), str):
                return False
            model.build_entry(kind, {k: v for k, v in record.items() if k in spec}, stored=True)
            return _typed(spec, record)
        if kind not in model.META_KINDS:
            return True  # a kind of a newer version: shown as stored, not folded
        if kind == "key":  # a signing key's record names no entry (a review found it dropped)
            return isinstance(record.get("public_key"), str)
        target = record.get("target")
        if not isinstance(target, str):
            return False
        if kind == "loop":
            model.build_loop(target, {k: v for k, v in record.items() if k in model.LOOP_KEYS})
        elif kind == "amendment":
            changes = record.get("changes")
            if not isinstance(changes, dict):
                return False
            # (the target's kind is not known here: the changes must suit one kind)
            return any(_cleans(model, each, changes) for each in model.ENTRY_KINDS)
        return True
    except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
        return False


def _cleans(model, kind: str, changes: dict) -> bool:
    try:
        model.clean_changes(kind, changes, stored=True)
    except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
        return False
    return _typed(model.fields_for(kind), changes)


_TEXT = frozenset(("line", "text", "person", "date", "enum"))
_TEXTS = frozenset(("people", "tags", "list", "causes"))


def _typed(spec: dict, values: dict) -> bool:
    """Each known field stored as pmjournal stores it: the model's checks take a one-name
    list for a person, or a number for a choice, and make them text; the display does not."""
    for name, value in values.items():
        field = spec.get(name)
        if field is None or value is None:
            continue
        kind = field.type
        if kind in _TEXT and value.__class__ is not str:
            return False
        if kind in _TEXTS and not (isinstance(value, list) and all(item.__class__ is str for item in value)):
            return False
        if kind == "links" and not (
            isinstance(value, list)
            and all(isinstance(x, dict) and x.get("rel").__class__ is str and x.get("to").__class__ is str for x in value)
        ):
            return False
    return True
