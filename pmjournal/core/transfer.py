"""JSON and CSV export, and import of our JSON export or a jrnl JSON export.

The JSON export carries the raw records (with their chain fields) of the
selected entries and of every amendment and retraction that targets them, so
importing it elsewhere reproduces the same folded entries. Import is all or
nothing: every record is validated before a single one is appended, and the
append is one locked write.
"""

import csv
import io
import re
from datetime import datetime, time
from pathlib import Path

import orjson

from . import dates, model
from .errors import PmjournalError, ValidationError
from .fold import raw
from .ids import derived_id
from .query import Filter, public

EXPORT_FORMAT = "pmjournal-export"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
EXPORT_VERSION = 1

CSV_COLUMNS = (
    "seq",
    "id",
    "kind",
    "occurred_at",
    "title",
    "owner",
    "requested_by",
    "approved_by",
    "consulted",
    "informed",
    "status",
    "project",
    "tags",
    "causes",
    "links",
    "evidence",
    "retracted",
    "amendments",
    "recorded_at",
    "recorded_by",
    "body",
)


FORMATS = ("markdown", "json", "csv")


def render(journal, filt: Filter, fmt: str) -> bytes:
    """The filtered trail in one of FORMATS, as the bytes a file gets."""
    return b"".join(render_chunks(journal, filt, fmt))


def render_chunks(journal, filt: Filter, fmt: str):
    """The same, in pieces: a 100k-entry export never exists as one string."""
    if fmt == "markdown":
        from .markdown import iter_markdown  # the largest writer; only loaded when asked for

        return (chunk.encode("utf-8") for chunk in iter_markdown(journal, filt))
    if fmt == "json":
        return iter_json(journal, filt)
    if fmt == "csv":
        return iter([export_csv(selected(journal, filt)).encode("utf-8")])
    raise ValueError(f"unknown export format {fmt!r}")


def selected(journal, filt: Filter) -> list[dict]:
    return filt.apply(journal.views.values())


def iter_json(journal, filt: Filter):
    """The JSON export, one entry or record per line, written as it goes: at
    100k entries a single document in memory would cost most of a GB."""
    views = selected(journal, filt)
    ids = {v["id"] for v in views}
    seq, head = journal.head()
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": dates.utc_stamp(),
        "journal": str(journal.path),
        "filter": filt.describe(),
        "chain_head": {"seq": seq, "hash": head},
    }
    # The header's fields, then "entries" and "records" as arrays with one item a line.
    yield orjson.dumps(header, option=orjson.OPT_INDENT_2)[:-2] + b',\n  "entries": ['
    dumps = orjson.dumps
    for i, view in enumerate(views):
        yield (b",\n    " if i else b"\n    ") + dumps(public(view))
    yield b'\n  ],\n  "records": ['
    first = True
    for record in journal.records():
        if record["id"] in ids or record.get("target") in ids:
            yield (b"\n    " if first else b",\n    ") + dumps(raw(record))
            first = False
    yield b"\n  ]\n}\n"


def entries_json(views) -> bytes:
    return orjson.dumps([public(v) for v in views], option=orjson.OPT_INDENT_2) + b"\n"


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ (or a tab/CR) is run as a formula by
    # spreadsheets, "-1+1" included; a leading apostrophe keeps it text
    # (OWASP's advice). A bare negative number stays a number.
    if text and text[0] in "=+-@\t\r" and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(field: str, view: dict) -> str:
    value = view.get(field)
    if field == "retracted":
        return view["retracted"]["reason"] if view["retracted"] else ""
    if field == "amendments":
        return str(sum(1 for e in view["history"] if e["kind"] == "amendment"))
    if field == "links":
        return "; ".join(f"{link['rel']}:{link['to']}" for link in value or ())
    if field == "impact" and isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def export_csv(views) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for view in views:
        writer.writerow([_csv_safe(_cell(f, view)) for f in CSV_COLUMNS])
    return out.getvalue()


# -- import ---------------------------------------------------------------

_CHAIN = ("seq", "prev_hash", "hash")


def _system_fields(record: dict) -> dict:
    """id, kind, recorded_at, recorded_by of an imported record, checked."""
    entry_id = record.get("id")
    if not isinstance(entry_id, str) or not entry_id.isalnum() or not entry_id.isascii() or len(entry_id) > 64:
        raise ValidationError(f"its id {entry_id!r} is not an id (letters and digits)")
    recorded_at = record.get("recorded_at")
    try:
        if datetime.fromisoformat(recorded_at).tzinfo is None:
            raise ValueError
    except (TypeError, ValueError) as err:
        raise ValidationError(f"its recorded_at {recorded_at!r} is not a date and time with an offset") from err
    recorded_by = record.get("recorded_by", "")
    if not isinstance(recorded_by, str):
        raise ValidationError(f"its recorded_by {recorded_by!r} is not a name")
    model.check_text("recorded_by", recorded_by)
    return {"id": entry_id, "kind": record.get("kind"), "recorded_at": recorded_at, "recorded_by": recorded_by}


def _ours(records: list, journal_records: list[dict]) -> list[dict]:
    """Validate exported records against the journal and each other; return bodies to append."""
    kinds = {r["id"]: r["kind"] for r in journal_records}
    retracted = {r.get("target") for r in journal_records if r["kind"] == "retraction"}
    bodies = []
    for i, record in enumerate(records, start=1):
        label = record.get("id") if isinstance(record, dict) else None
        where = f"record {i}" + (f" ({label})" if isinstance(label, str) else "")
        try:
            if not isinstance(record, dict):
                raise ValidationError("it is not a record")
            system = _system_fields(record)
            if system["id"] in kinds:
                raise ValidationError("its id is used twice in the file")
            kind = system["kind"]
            rest = {k: v for k, v in record.items() if k not in _CHAIN and k not in system}
            if kind in model.ENTRY_KINDS:
                if "occurred_at" not in rest:
                    raise ValidationError("it has no occurred_at")
                body = model.build_entry(kind, rest)
            elif kind in model.META_KINDS:
                target = rest.get("target")
                if kinds.get(target) not in model.ENTRY_KINDS:
                    raise ValidationError(f"its target {target} is not an entry in the journal or earlier in the file")
                if target in retracted:
                    raise ValidationError(f"its target {target} is already retracted")
                body = {"target": target, "reason": model.require_reason(rest.get("reason"))}
                if kind == "amendment":
                    changes = rest.get("changes")
                    if not isinstance(changes, dict):
                        raise ValidationError("its changes are not a set of field values")
                    body["changes"] = model.clean_changes(kinds[target], changes)
                else:
                    retracted.add(target)
            else:
                raise ValidationError(f"unknown kind {kind!r}")
        except ValidationError as err:
            raise ValidationError(f"{where}: {err}") from err
        body.update(system)
        kinds[system["id"]] = kind
        bodies.append(body)
    return bodies


def _jrnl(entries: list) -> list[dict]:
    bodies = []
    zone = dates.local_zone()
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "date" not in entry:
            raise ValidationError(f"jrnl entry {i} has no date")
        try:
            day = datetime.fromisoformat(str(entry["date"])).date()
            at = time.fromisoformat(str(entry.get("time") or "00:00"))
        except ValueError as err:
            raise ValidationError(f"jrnl entry {i} has a bad date or time: {err}") from err
        title = " ".join(str(entry.get("title") or "").split()) or "(untitled)"
        tags = []
        for tag in entry.get("tags") or ():
            clean = "".join(c if c.isalnum() or c in "-_/." else "-" for c in str(tag).lstrip("@").lower()).strip("-")
            if clean and clean not in tags:
                tags.append(clean)
        if entry.get("starred"):
            tags.append("starred")
        values = {
            "title": title,
            "body": entry.get("body") or None,
            "tags": tags,
            "occurred_at": dates.iso(datetime.combine(day, at, tzinfo=zone)),
        }
        try:
            body = model.build_entry("note", values)
        except ValidationError as err:
            raise ValidationError(f"jrnl entry {i}: {err}") from err
        occurred = datetime.fromisoformat(body["occurred_at"])
        body["id"] = derived_id(int(occurred.timestamp() * 1000), "jrnl\n" + title + "\n" + (entry.get("body") or ""))
        body["recorded_at"] = dates.utc_stamp()
        bodies.append(body)
    return bodies


def import_file(journal, path) -> tuple[int, int]:
    """Append the records in `path` whose ids are new; return (added, skipped)."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError as err:
        raise PmjournalError(f"no such file: {path}") from err
    except OSError as err:
        raise PmjournalError(f"cannot read {path}: {err.strerror}") from err
    except orjson.JSONDecodeError as err:
        raise PmjournalError(f"{path} is not valid JSON ({err}); nothing was imported") from err
    known = {r["id"] for r in journal.records()}
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        if not isinstance(data.get("version"), int) or data["version"] > EXPORT_VERSION:
            raise PmjournalError(f"{path} was exported by a newer pmjournal; nothing was imported")
        records = data.get("records")
        if not isinstance(records, list):
            raise PmjournalError(f"{path} has no records list; nothing was imported")
        fresh = [r for r in records if not (isinstance(r, dict) and r.get("id") in known)]
        try:
            bodies = _ours(fresh, journal.records())
        except ValidationError as err:
            raise PmjournalError(f"{path}: {err}; nothing was imported") from err
        for body in bodies:
            body["recorded_by"] = body.get("recorded_by") or journal.user
        skipped = len(records) - len(fresh)
    elif isinstance(data, dict) and isinstance(data.get("entries"), list) and "tags" in data:
        try:
            parsed = _jrnl(data["entries"])
        except ValidationError as err:
            raise PmjournalError(f"{path}: {err}; nothing was imported") from err
        bodies, seen = [], set(known)
        for body in parsed:
            if body["id"] not in seen:  # the same jrnl entry imported before, or twice in the file
                seen.add(body["id"])
                body["recorded_by"] = journal.user
                bodies.append(body)
        skipped = len(parsed) - len(bodies)
    else:
        raise PmjournalError(f"{path} is neither a pmjournal JSON export nor a jrnl JSON export; nothing was imported")
    journal.append_raw(bodies)
    return len(bodies), skipped
