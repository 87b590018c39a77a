"""JSON and CSV export, and import of our JSON export or a jrnl JSON export.

The JSON export carries the raw records (with their chain fields) of the
selected entries and of every amendment and retraction that targets them, so
importing it elsewhere reproduces the same folded entries. Import is all or
nothing: every record is validated before a single one is appended, and the
append is one locked write.
"""

import csv
import io
import os
import re
from datetime import datetime, time
from pathlib import Path

import orjson

from . import dates, model
from .errors import PmjournalError, ValidationError
from .fold import raw
from .ids import derived_id
from .query import Filter, public
from .team.layout import clock_of

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


def render(journal, filt: Filter, fmt: str, answer_days: int | None = None, signing_key=None) -> bytes:
    """The filtered trail in one of FORMATS, as the bytes a file gets."""
    return b"".join(render_chunks(journal, filt, fmt, answer_days, signing_key))


def render_chunks(journal, filt: Filter, fmt: str, answer_days: int | None = None, signing_key=None):
    """The same, in pieces: a 100k-entry export never exists as one string.

    `answer_days` (config `answer_days`, default loops.ANSWER_DAYS) is how long an
    escalation waits for an answer in the Markdown export's open loops. Markdown and
    JSON end with their evidence (evidence/proof.py): proofs of every exported record,
    and a statement signed with `signing_key` (an evidence.signing.SigningKey) if given."""
    if fmt == "markdown":
        from .evidence.attach import with_evidence
        from .loops import ANSWER_DAYS
        from .markdown import iter_markdown  # the largest writer; only loaded when asked for

        days = ANSWER_DAYS if answer_days is None else answer_days
        views = selected(journal, filt)  # once, for the document and its evidence
        chunks = (chunk.encode("utf-8") for chunk in iter_markdown(journal, filt, answer_days=days, views=views))
        return with_evidence(chunks, journal, filt, fmt, signing_key, views)
    if fmt == "json":
        from .evidence.attach import with_evidence

        views = selected(journal, filt)
        return with_evidence(iter_json(journal, filt, views), journal, filt, fmt, signing_key, views)
    if fmt == "csv":
        return iter([export_csv(selected(journal, filt), journal.broken).encode("utf-8")])
    raise ValueError(f"unknown export format {fmt!r}")


def selected(journal, filt: Filter) -> list[dict]:
    return filt.apply(journal.views.values())


def iter_json(journal, filt: Filter, views=None):
    """The JSON export, one entry or record per line, written as it goes: at
    100k entries a single document in memory would cost most of a GB. `views`:
    what `filt` selects, when the caller has it already."""
    if views is None:
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
    if journal.broken:
        # `import` refuses such a file; a reader sees why at the top.
        header["unverified"] = {"seq": journal.broken[0], "problem": journal.broken[1]}
    # The header's fields, then "entries" and "records" as arrays with one item a line.
    yield orjson.dumps(header, option=orjson.OPT_INDENT_2)[:-2] + b',\n  "entries": ['
    dumps = orjson.dumps
    for i, view in enumerate(views):
        yield (b",\n    " if i else b"\n    ") + dumps(public(view))
    yield b'\n  ],\n  "records": ['
    first = True
    colleagues: dict[str, list[dict]] = {}
    for record in journal.records():
        if record["id"] in ids or record.get("target") in ids:
            if "author" in record:
                colleagues.setdefault(record["author"], []).append(record)
                continue
            yield (b"\n    " if first else b",\n    ") + dumps(raw(record))
            first = False
    yield b"\n  ]"
    if colleagues:
        # A team journal: each colleague's records under their own chain's head, so
        # each chain is checked on its own (the #seqs of two chains repeat).
        yield b',\n  "chains": {'
        for n, handle in enumerate(sorted(colleagues)):
            last = journal.chains()[handle][-1]
            head = dumps({"seq": last["seq"], "hash": last["hash"]})
            yield (b",\n" if n else b"\n") + b'    "' + handle.encode() + b'": {"chain_head": ' + head + b', "records": ['
            records = sorted(colleagues[handle], key=lambda r: r["seq"])
            for i, record in enumerate(records):
                yield (b",\n      " if i else b"\n      ") + dumps(raw(record))
            yield b"\n    ]}"
        yield b"\n  }"
    yield b"\n}\n"


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


def export_csv(views, broken: tuple[int, str] | None = None) -> str:
    """CSV of the views; exported --unverified, every row carries a `verified` column saying no."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    mark = [f"NO: the journal fails verification at #{broken[0]}"] if broken else []
    writer.writerow(CSV_COLUMNS + (("verified",) if broken else ()))
    for view in views:
        writer.writerow([_csv_safe(_cell(f, view)) for f in CSV_COLUMNS] + mark)
    return out.getvalue()


# -- import ---------------------------------------------------------------

# Keys of an exported record that belong to the journal it came from, not to the entry.
# Facts of the chain a record was sealed in, not of the entry: an imported record is
# sealed into this journal's chain (a team's `clock` and `seen` included) afresh.
_CHAIN = ("seq", "prev_hash", "hash", "batch", "imported", "clock", "seen")
_IMPORT_MAX = 4 << 30  # a file larger than this is not an export we wrote


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


def _check_links(links, known: set[str]) -> None:
    for link in links or ():
        if isinstance(link, dict) and link.get("to") not in known:
            raise ValidationError(
                f"it links to {link.get('to')!r}, which is neither in the journal nor in the file "
                "(export the linked entries too: without filters and with --include-retracted)"
            )


def _ours(records: list, journal_records: list[dict]) -> list[dict]:
    """Validate exported records against the journal and each other; return bodies to append."""
    kinds = {r["id"]: r["kind"] for r in journal_records}
    linkable = set(kinds) | {
        r.get("id")
        for r in records
        if isinstance(r, dict) and r.get("kind") in model.ENTRY_KINDS and isinstance(r.get("id"), str)
    }
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
                body = model.build_entry(kind, rest, stored=True)
                _check_links(body.get("links"), linkable)
            elif kind in model.META_KINDS:
                target = rest.get("target")
                if kinds.get(target) not in model.ENTRY_KINDS:
                    raise ValidationError(f"its target {target} is not an entry in the journal or earlier in the file")
                if target in retracted:
                    raise ValidationError(f"its target {target} is already retracted")
                if kind == "loop":
                    body = model.build_loop(target, {k: v for k, v in rest.items() if k != "target"})
                    del body["kind"]  # system fields (kind too) are added below
                elif kind == "amendment":
                    changes = rest.get("changes")
                    if not isinstance(changes, dict):
                        raise ValidationError("its changes are not a set of field values")
                    body = {"target": target, "reason": model.require_reason(rest.get("reason"))}
                    body["changes"] = model.clean_changes(kinds[target], changes, stored=True)
                    _check_links(body["changes"].get("links"), linkable)
                else:
                    body = {"target": target, "reason": model.require_reason(rest.get("reason"))}
                    retracted.add(target)
            else:
                raise ValidationError(f"unknown kind {kind!r}")
        except ValidationError as err:
            raise ValidationError(f"{where}: {err}") from err
        body.update(system)
        kinds[system["id"]] = kind
        bodies.append(body)
    return bodies


def _check_chain(data: dict) -> tuple[int, str]:
    """Refuse an export whose records are not exactly as their journal sealed them.

    Each record must match its own hash; where two records follow each other
    (#n and #n+1) the second must chain to the first; the record at the
    stated chain head must carry the head's hash, and none may come after it.
    What this cannot show without the journal: that a forger did not rebuild
    every hash of a file made from scratch. The recording facts of what is
    imported are therefore the importer's, and the file's own are kept only
    as labelled data (see `imported`).
    """
    from .chain import record_hash

    if data.get("unverified"):
        raise ValidationError("it was exported from a journal that failed verification (--unverified)")
    head = data.get("chain_head")
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str):
        raise ValidationError("it has no chain head")
    by_seq: dict[int, dict] = {}
    for i, record in enumerate(data["records"], start=1):
        if not isinstance(record, dict):
            raise ValidationError(f"record {i} is not a record")
        seq, sealed = record.get("seq"), record.get("hash")
        where = f"record {i} (#{seq})"
        if not isinstance(seq, int) or not 0 < seq <= head["seq"]:
            raise ValidationError(f"{where} is not between #1 and the chain head #{head['seq']}")
        if seq in by_seq:
            raise ValidationError(f"{where} appears twice")
        if not isinstance(sealed, str) or not isinstance(record.get("prev_hash"), str) or record_hash(record) != sealed:
            raise ValidationError(f"{where} does not match its hash: it was altered after it was exported")
        by_seq[seq] = record
    for seq, record in by_seq.items():
        before = by_seq.get(seq - 1)
        if before is not None and record["prev_hash"] != before["hash"]:
            raise ValidationError(f"#{seq} does not chain to #{seq - 1}: records were altered, removed or reordered")
    at_head = by_seq.get(head["seq"])
    if at_head is not None and at_head["hash"] != head["hash"]:
        raise ValidationError(f"the chain head does not match record #{head['seq']}")
    return head["seq"], head["hash"]


def _provenance(record: dict, source: str, head: tuple[int, str]) -> dict:
    origin = {
        "file": source,
        "format": EXPORT_FORMAT,
        "head": {"seq": head[0], "hash": head[1]},
        "seq": record.get("seq"),
        "recorded_at": record.get("recorded_at"),
        "recorded_by": record.get("recorded_by", ""),
    }
    if isinstance(record.get("imported"), dict):
        origin["earlier"] = record["imported"]  # it had been imported into that journal too
    return origin


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
        bodies.append(body)
    return bodies


def _read_import(path: Path):
    from .storage import open_regular

    try:
        fh = open_regular(path, os.O_RDONLY, "rb")
    except PmjournalError as err:
        raise PmjournalError(f"{err}; nothing was imported") from err
    if fh is None:
        raise PmjournalError(f"no such file: {path}")
    with fh:
        try:
            raw_bytes = fh.read(_IMPORT_MAX + 1)
        except OSError as err:
            raise PmjournalError(f"cannot read {path}: {err.strerror}; nothing was imported") from err
    if len(raw_bytes) > _IMPORT_MAX:
        raise PmjournalError(f"{path} is larger than any export pmjournal reads; nothing was imported")
    try:
        return orjson.loads(raw_bytes)
    except orjson.JSONDecodeError as err:
        raise PmjournalError(f"{path} is not valid JSON ({err}); nothing was imported") from err


def import_file(journal, path) -> tuple[int, int]:
    """Append the records in `path` whose ids are new; return (added, skipped).

    The journal records each imported record as written down now, by this
    journal's user, with `imported` saying where it came from and what the
    file claimed (its own recorded_at/recorded_by/#seq): a file cannot make an
    entry look as if this journal had recorded it in 2019.
    """
    path = Path(path)
    data = _read_import(path)
    source = str(path)
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        if not isinstance(data.get("version"), int) or data["version"] > EXPORT_VERSION:
            raise PmjournalError(f"{path} was exported by a newer pmjournal; nothing was imported")
        records = data.get("records")
        if not isinstance(records, list):
            raise PmjournalError(f"{path} has no records list; nothing was imported")
        try:
            head = _check_chain(data)
        except ValidationError as err:
            raise PmjournalError(f"{path} does not verify: {err}; nothing was imported") from err
        heads = {id(r): head for r in records if isinstance(r, dict)}
        chains = data.get("chains") or {}
        if not isinstance(chains, dict):
            raise PmjournalError(f"{path} has a damaged chains section; nothing was imported")
        for handle, chain in sorted(chains.items()):
            if not isinstance(chain, dict) or not isinstance(chain.get("records"), list):
                raise PmjournalError(f"{path}: the chain of {handle} is damaged; nothing was imported")
            try:
                chain_head = _check_chain(chain)
            except ValidationError as err:
                raise PmjournalError(f"{path} does not verify: {handle}'s chain: {err}; nothing was imported") from err
            heads.update((id(r), chain_head) for r in chain["records"])
            records = records + chain["records"]
        if chains:
            # Corrections after what they correct, as a team journal orders them (Lamport clocks).
            records = sorted(records, key=lambda r: (clock_of(r), r.get("seq", 0)) if isinstance(r, dict) else (0, 0))
        known = {r["id"] for r in journal.records()}
        fresh = [r for r in records if r.get("id") not in known]
        try:
            bodies = _ours(fresh, journal.records())
        except ValidationError as err:
            raise PmjournalError(f"{path}: {err}; nothing was imported") from err
        for body, record in zip(bodies, fresh, strict=True):
            body["imported"] = _provenance(record, source, heads[id(record)])
        skipped = len(records) - len(fresh)
    elif isinstance(data, dict) and isinstance(data.get("entries"), list) and "tags" in data:
        try:
            parsed = _jrnl(data["entries"])
        except ValidationError as err:
            raise PmjournalError(f"{path}: {err}; nothing was imported") from err
        bodies, seen = [], {r["id"] for r in journal.records()}
        for body in parsed:
            if body["id"] not in seen:  # the same jrnl entry imported before, or twice in the file
                seen.add(body["id"])
                body["imported"] = {"file": source, "format": "jrnl"}
                bodies.append(body)
        skipped = len(parsed) - len(bodies)
    else:
        raise PmjournalError(f"{path} is neither a pmjournal JSON export nor a jrnl JSON export; nothing was imported")
    journal.require_verified("imported")
    stamp, user = dates.utc_stamp(), journal.user
    for body in bodies:
        body["recorded_at"], body["recorded_by"] = stamp, user
    journal.append_raw(bodies)
    return len(bodies), skipped
