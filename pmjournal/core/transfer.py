"""JSON and CSV export, and import of our JSON export or a jrnl JSON export.

The JSON export carries the raw records (with their chain fields) of the
selected entries and of every amendment and retraction that targets them, so
importing it elsewhere reproduces the same folded entries. It is written one
entry or record a line, which is what lets the import read it a line at a
time. Import is all or nothing: the whole file is checked before anything is
written, and what it takes is one batch, cut back if any record fails its
checks (see "import" below).
"""

import csv
import heapq
import io
import os
import re
from array import array
from datetime import UTC, datetime, time
from pathlib import Path

import orjson

from . import dates, model
from .chain import line_hash, record_hash
from .errors import PmjournalError, ValidationError
from .files import path_text
from .i18n import N_, _
from .ids import derived_id
from .jsonstream import JsonStream, NotJSON
from .query import Filter, public
from .reads import selected, streamed
from .storage import Reader
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
    from .collector import rarer_collections

    chunks = _chunks(journal, filt, fmt, answer_days, signing_key)  # what it refuses, it refuses now
    return rarer_collections(chunks)


def _chunks(journal, filt: Filter, fmt: str, answer_days: int | None, signing_key):
    if fmt == "markdown":
        from .evidence.attach import with_evidence
        from .loops import ANSWER_DAYS
        from .markdown import iter_markdown  # the largest writer; only loaded when asked for

        days = ANSWER_DAYS if answer_days is None else answer_days
        views = _selection(journal, filt)
        # One time for the document and its signed statement: verify --evidence counts the
        # loops on the day the document shows, which must be one the statement's time falls on.
        generated = dates.now()
        outside: set[str] = set()
        chunks = iter_markdown(journal, filt, generated, answer_days=days, views=views, own_selection=True, outside=outside)
        return with_evidence(chunks, journal, filt, fmt, signing_key, views, generated, outside)
    if fmt == "json":
        from .evidence.attach import with_evidence

        views = _selection(journal, filt)
        generated = dates.now()
        return with_evidence(iter_json(journal, filt, views, generated), journal, filt, fmt, signing_key, views, generated)
    if fmt == "csv":
        # A row an entry and no evidence: streamed from the index where the reads offer it.
        return (text.encode("utf-8") for text in csv_chunks(streamed(journal, filt), journal.broken))
    raise ValueError(_("unknown export format {fmt!r}").format(fmt=fmt))


def _selection(journal, filt: Filter):
    """What an export with evidence writes: streamed from the index where the reads keep the
    selection's ids for its records and proofs (`kept`, evidence/attach.exported_records),
    else the views, held (a loaded journal holds them anyway)."""
    if getattr(journal, "kept", None) is not None:
        return journal.stream(filt, keep=True)
    return selected(journal, filt)


def iter_json(journal, filt: Filter, views=None, generated=None):
    """The JSON export, one entry or record per line, written as it goes: at
    100k entries a single document in memory would cost most of a GB. `views`:
    what `filt` selects (transfer._selection: streamed from the index, or held).
    The records are evidence/attach.exported_records: read by offset from the
    index's kept selection as they are written, or held.

    Keep one record a line: `import` reads a line at a time and is much slower on
    other layouts (which it still reads: see jsonstream.py). `generated`: the time its
    header states (default: now)."""
    from .evidence.attach import exported_records

    if views is None:
        views = _selection(journal, filt)
    seq, head = journal.head()
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": dates.utc_stamp(generated),
        "journal": path_text(journal.path),
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
    exported = exported_records(journal, filt, views)
    own = journal.team.handle or "journal"
    for i, line in enumerate(exported.lines(own)):
        yield (b",\n    " if i else b"\n    ") + line
    yield b"\n  ]"
    colleagues = [name for name in exported.names() if name != own]
    if colleagues:
        # A team journal: each colleague's records under their own chain's head, so
        # each chain is checked on its own (the #seqs of two chains repeat).
        yield b',\n  "chains": {'
        heads = journal.chain_heads()
        for n, handle in enumerate(colleagues):
            head = dumps(dict(zip(("seq", "hash"), heads[handle], strict=True)))
            yield (b",\n" if n else b"\n") + b'    "' + handle.encode() + b'": {"chain_head": ' + head + b', "records": ['
            for i, line in enumerate(exported.lines(handle)):
                yield (b",\n      " if i else b"\n      ") + line
            yield b"\n    ]}"
        yield b"\n  }"
    yield b"\n}\n"


def entries_json_chunks(views, per_chunk: int = 500):
    """`list --format json`: what orjson's OPT_INDENT_2 makes of the whole list, written as
    `views` (any iterable) arrive, each entry indented once more inside it (its
    strings never hold a raw newline), so `list --format json` of every entry holds none."""
    dumps, indent = orjson.dumps, orjson.OPT_INDENT_2
    parts: list[bytes] = []
    first = True
    for view in views:
        parts.append((b"[\n  " if first else b",\n  ") + dumps(public(view), option=indent).replace(b"\n", b"\n  "))
        first = False
        if len(parts) >= per_chunk:
            yield b"".join(parts)
            parts = []
    parts.append(b"[]\n" if first else b"\n]\n")
    yield b"".join(parts)


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


def csv_chunks(views, broken: tuple[int, str] | None = None, per_chunk: int = 1000):
    """CSV of the views, a chunk of rows at a time as `views` (any iterable) arrive; exported
    --unverified, every row carries a `verified` column saying no."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    mark = [f"NO: the journal fails verification at #{broken[0]}"] if broken else []
    writer.writerow(CSV_COLUMNS + (("verified",) if broken else ()))
    for n, view in enumerate(views, 1):
        writer.writerow([_csv_safe(_cell(f, view)) for f in CSV_COLUMNS] + mark)
        if n % per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


# -- import ---------------------------------------------------------------
#
# `import FILE` streams (issue 16): neither the file nor the journal is ever held whole.
#
# 1. The journal is read through the Reader, which checks its chain, keeping only each
#    record's id and kind and which entries are retracted (`_Known`); a journal that fails
#    verification is refused.
# 2. The file is read once to check it (`_File.check`): it must be valid JSON to the last
#    byte, every record must match its own hash, records #n and #n+1 must chain, nothing may
#    come after the stated head and the record at the head must carry its hash. This pass
#    also counts the records new to the journal (each record of the batch carries the
#    batch's extent, so the count comes first). Nothing is written.
# 3. Under the journal's write lock, the records are read again, from where pass 2 found
#    each chain (in a team journal's export, in the team's order: Lamport clock, then #seq),
#    each checked as `add` would check it (fields, dates, names, targets, links) and sealed
#    into one batch written as they come, a megabyte at a time, fsynced once at the end
#    (batch.StreamedBatch).
#
# Why this keeps the import all or nothing, as it was when it was one write() of a list: the
# batch's records carry `"batch": [first, last]` and the Reader leaves out a batch whose last
# record is not in the file, so a crash or a kill part-way leaves nothing any reader takes in
# (and the next writer sets it aside); a record refused in pass 3 (or an error, an interrupt,
# the file changing) cuts the journal back to its size before the batch, under the lock, so
# its bytes are what they were. The cost is that the write lock is held through pass 3.
# Checking every record's fields in pass 2 instead would mean holding a million checked
# bodies (or a spool) until the count is known. A link to an entry later in the file is
# allowed (the old check knew every entry in the file up front); such links are checked once
# every record was read, before the batch is made final.
#
# The JSON export writes one record a line (iter_json), so both passes parse a line at a
# time; another layout of the same document (re-indented, on one line) reads the same,
# only slower (jsonstream.py). The file is opened once and must not change between the
# passes (its size, times and inode are compared before the batch is made final).

# Keys of an exported record that belong to the journal it came from, not to the entry.
# Facts of the chain a record was sealed in, not of the entry: an imported record is
# sealed into this journal's chain (a team's `clock` and `seen` included) afresh.
_CHAIN = ("seq", "prev_hash", "hash", "batch", "imported", "clock", "seen")
_NOT_BODY = frozenset(_CHAIN + ("id", "kind", "recorded_at", "recorded_by"))  # _CHAIN and _system_fields
_PROGRESS_EVERY = 2000  # records between two progress calls
_INT64 = -(1 << 63)
_LINK_HINT = N_("export the linked entries too: without filters and with --include-retracted")


def _system_fields(record: dict) -> dict:
    """id, kind, recorded_at, recorded_by of an imported record, checked."""
    entry_id = record.get("id")
    if not isinstance(entry_id, str) or not entry_id.isalnum() or not entry_id.isascii() or len(entry_id) > 64:
        raise ValidationError(_("its id {entry_id!r} is not an id (letters and digits)").format(entry_id=entry_id))
    recorded_at = record.get("recorded_at")
    try:
        if datetime.fromisoformat(recorded_at).tzinfo is None:
            raise ValueError
    except (TypeError, ValueError) as err:
        raise ValidationError(
            _("its recorded_at {recorded_at!r} is not a date and time with an offset").format(recorded_at=recorded_at)
        ) from err
    recorded_by = record.get("recorded_by", "")
    if not isinstance(recorded_by, str):
        raise ValidationError(_("its recorded_by {recorded_by!r} is not a name").format(recorded_by=recorded_by))
    model.check_text("recorded_by", recorded_by)
    return {"id": entry_id, "kind": record.get("kind"), "recorded_at": recorded_at, "recorded_by": recorded_by}


_KINDS = {kind: kind for kind in (*model.ENTRY_KINDS, *model.META_KINDS)}


def _id_and_kind(record: dict) -> tuple:
    """What the Reader holds of a record while its batch is incomplete (a 1M-record batch
    is not held whole): its id, its kind (one shared string a kind), a retraction's target,
    and a jrnl entry's date (_Known.jrnl_offsets)."""
    kind = record["kind"]
    imported = record.get("imported")
    from_jrnl = imported.__class__ is dict and imported.get("format") == "jrnl"
    return (
        record["id"],
        _KINDS.get(kind, kind),
        record.get("target") if kind == "retraction" else None,
        record.get("occurred_at") if from_jrnl else None,
    )


class _Known:
    """What the journal holds, as far as an import needs it: each record's kind by id, and
    the entries retracted. Read through the Reader (every record checked against the
    chain), never loaded: at 1M records the ids alone are what is kept."""

    def __init__(self, journal, progress=None):
        self.journal = journal
        self.progress = progress
        self.kinds: dict[str, str] = {}
        self.retracted: set = set()
        # The UTC offsets jrnl entries were imported at: versions before 2026-12-04 derived a
        # jrnl entry's id from its time in the local zone, so the same file imported again in
        # another zone is recognised by the ids those offsets give.
        self.jrnl_offsets: set[str] = set()
        self.reader = None
        self.last_hash: str | None = None
        self._read_all()

    def _take(self, records) -> int:
        kinds, retracted, n = self.kinds, self.retracted, 0
        for record in records:
            kind = record["kind"]
            kinds[record["id"]] = kind
            if kind == "retraction":
                retracted.add(record.get("target"))
            n += 1
        return n

    def _take_own(self, fh) -> int:
        """The records of the own chain from the Reader (at `fh`); how many there were."""
        kinds, retracted, n = self.kinds, self.retracted, 0
        reader, progress = self.reader, self.progress
        size = os.fstat(fh.fileno()).st_size
        for entry_id, kind, target, jrnl_at in reader.read(fh, _id_and_kind):
            kinds[entry_id] = kind
            if kind == "retraction":
                retracted.add(target)
            elif jrnl_at is not None:
                self.jrnl_offsets.add(str(jrnl_at)[19:])
            n += 1
            if progress is not None and n % _PROGRESS_EVERY == 0:
                progress("reading", reader.end, size)
        if n:
            self.last_hash = self.reader.prev
        return n

    def _read_all(self) -> None:
        self.kinds, self.retracted, self.last_hash, self.jrnl_offsets = {}, set(), None, set()
        file = self.journal.storage.file
        self.identity = file.identity()
        fh = file.open_read()
        if fh is None:
            self.reader = Reader(file.path)
        else:
            with fh:
                header, self.reader = file.start(fh)
                if header is not None:
                    self._take_own(fh)
        if self.reader.broken:
            self.journal.require_verified("imported")  # says so in one line, as every refusal
        team = self.journal.team
        if team.joined:
            from .team.merge import TeamRecords

            # The colleagues' chains as the journal reads them (merge.merged leaves out a
            # colleague's record whose id is taken, so does this).
            for chain in TeamRecords(team).current():
                for record in chain.records:
                    if record["id"] not in self.kinds:
                        self._take((record,))

    def catch_up(self) -> bool:
        """Under the write lock: take in what another process appended since; True if the
        journal now holds ids it did not (or the file was replaced and read again)."""
        file = self.journal.storage.file
        reader = self.reader
        same = file.identity() == self.identity and (
            self.last_hash is None or file.holds(reader.last_start, reader.end, self.last_hash)
        )
        if not same:
            before = self.kinds
            self._read_all()
            return self.kinds.keys() != before.keys()
        fh = file.open_read()
        if fh is None:
            return False
        with fh:
            if reader.end == 0:
                header, self.reader = file.start(fh)  # the file was empty when it was read
                if header is None:
                    return False
                reader = self.reader
            else:
                fh.seek(reader.end)
            added = self._take_own(fh)
        if reader.broken:
            self.journal.require_verified("imported")
        return added > 0


class _Keys:
    """(Lamport clock, #seq) of each record of one chain in the file, in file order: the
    order a team journal's export is taken in. Two machine-int arrays (16 bytes a record);
    a forged clock beyond 64 bits moves them to plain lists."""

    def __init__(self):
        self.clocks = array("q")
        self.seqs = array("q")

    def add(self, record: dict) -> None:
        clock, seq = clock_of(record), record["seq"]
        if self.clocks.__class__ is not list and not (_INT64 <= clock < -_INT64 and _INT64 <= seq < -_INT64):
            self.clocks, self.seqs = list(self.clocks), list(self.seqs)
        self.clocks.append(clock)
        self.seqs.append(seq)

    def order(self) -> range | list[int]:
        """Indices in (clock, #seq) order; file order when that is already it (the usual case)."""
        clocks, seqs = self.clocks, self.seqs
        if all((clocks[j], seqs[j]) <= (clocks[j + 1], seqs[j + 1]) for j in range(len(seqs) - 1)):
            return range(len(seqs))
        return sorted(range(len(seqs)), key=lambda j: (clocks[j], seqs[j]))


class _Disorder(Exception):
    """Records out of #seq order: check the chain again keeping every #seq."""


class _ChainCheck:
    """The check of one chain's records in the file, one record at a time.

    In #seq order (what the export writes) it keeps only the last record's #seq and hash;
    records out of order raise _Disorder and the chain is read again keeping every #seq
    (`full`). What it refuses, in this order: a record that is not one, a #seq outside
    #1..head or used twice, a record that does not match its own hash (all per record, in
    file order); then the first record (in file order) that does not chain to the one
    before it, and a record at the head that does not carry the head's hash.
    """

    def __init__(self, head: tuple[int, str], full: bool = False):
        self.head = head
        self.full = full
        self.by_seq: dict[int, tuple[str, str]] = {}
        self.last_seq = 0
        self.last_hash: str | None = None
        self.unchained: int | None = None  # the first #seq that does not chain, in file order

    def add(self, i: int, record, raw: bytes | None = None) -> None:
        """Check record number `i` of the chain in the file; `raw`: its bytes, if known."""
        if record.__class__ is not dict:
            raise ValidationError(_("record {i} is not a record").format(i=i))
        seq, sealed, prev = record.get("seq"), record.get("hash"), record.get("prev_hash")
        where = f"record {i} (#{seq})"
        if not isinstance(seq, int) or not 0 < seq <= self.head[0]:
            raise ValidationError(
                _("{where} is not between #1 and the chain head #{head}").format(where=where, head=self.head[0])
            )
        if self.full:
            if seq in self.by_seq:
                raise ValidationError(_("{where} appears twice").format(where=where))
        elif seq <= self.last_seq:
            raise _Disorder
        if sealed.__class__ is not str or prev.__class__ is not str:
            raise ValidationError(_("{where} does not match its hash: it was altered after it was exported").format(where=where))
        # The export writes each record as the journal stored it: its line less the hash
        # pair is the canonical body that was hashed (chain.line_hash), and if that hashes
        # to the stated hash the record is the sealed one. Other layouts are hashed anew.
        if (raw is None or line_hash(raw, prev) != sealed) and record_hash(record) != sealed:
            raise ValidationError(_("{where} does not match its hash: it was altered after it was exported").format(where=where))
        if self.full:
            self.by_seq[seq] = (sealed, prev)
            return
        if seq == self.last_seq + 1 and self.last_hash is not None and prev != self.last_hash and self.unchained is None:
            self.unchained = seq
        self.last_seq, self.last_hash = seq, sealed

    def finish(self) -> None:
        if self.full:
            for seq, (_id, prev) in self.by_seq.items():
                before = self.by_seq.get(seq - 1)
                if before is not None and prev != before[0]:
                    self.unchained = seq
                    break
            at_head = self.by_seq.get(self.head[0])
            head_hash = at_head[0] if at_head else None
        else:
            head_hash = self.last_hash if self.last_seq == self.head[0] else None
        if self.unchained is not None:
            seq = self.unchained
            raise ValidationError(
                _("#{seq} does not chain to #{before}: records were altered, removed or reordered").format(
                    seq=seq, before=seq - 1
                )
            )
        if head_hash is not None and head_hash != self.head[1]:
            raise ValidationError(_("the chain head does not match record #{head}").format(head=self.head[0]))


def _head_of(holder: dict) -> tuple[int, str]:
    """The stated chain head of an export (or of one chain in it), or the refusal."""
    if holder.get("unverified"):
        raise ValidationError(_("it was exported from a journal that failed verification (--unverified)"))
    head = holder.get("chain_head")
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str):
        raise ValidationError(_("it has no chain head"))
    return head["seq"], head["hash"]


class _Chain:
    """One chain's records in the file: the export's own (`handle` None) or a colleague's."""

    def __init__(self, handle: str | None):
        self.handle = handle
        self.fields: dict = {}  # chain_head and unverified, as the file states them
        self.records_at: int | None = None  # where its records array starts
        self.is_list = False
        self.head: tuple[int, str] | None = None
        self.count = 0
        self.fresh = 0
        self.keys: _Keys | None = None  # a team export's order; read when it has colleagues' chains
        self.checked = False

    def refusal(self, path: Path, err) -> PmjournalError:
        if self.handle is None:
            return PmjournalError(_("{path} does not verify: {err}; nothing was imported").format(path=path, err=err))
        return PmjournalError(
            _("{path} does not verify: {handle}'s chain: {err}; nothing was imported").format(
                path=path, handle=self.handle, err=err
            )
        )


class _File:
    """The file being imported: what the check pass found, and the records again in order."""

    def __init__(self, fh, path: Path, source: str, known: _Known, progress):
        self.fh = fh
        self.path = path
        self.source = source
        self.known = known
        self.progress = progress
        self.size = os.fstat(fh.fileno()).st_size
        self.fields: dict = {}
        self.own = _Chain(None)
        self.chains: dict[str, _Chain] = {}
        self.exported_by = None  # the exporter's handle in a team journal's export (its evidence's own)
        self.statement = None  # the evidence block's statement, which states the document's hash
        self.chains_value = None  # `chains` when it is not an object (null, or damaged)
        self.entries_at: int | None = None
        self.format = None  # "ours" or "jrnl", once the whole document was read
        self.jrnl_count = 0
        self.jrnl_fresh = 0

    def _not_json(self, err: NotJSON) -> PmjournalError:
        return PmjournalError(_("{path} is not valid JSON ({err}); nothing was imported").format(path=self.path, err=err))

    def _report(self, stream: JsonStream) -> None:
        if self.progress is not None:
            self.progress("checking", stream.offset, self.size)

    # -- pass 1: the check -------------------------------------------------

    def check(self) -> None:
        """Read the whole file once: refuse it with one line, or know what to import."""
        from .evidence.exportfile import DocumentHash

        document = DocumentHash(self.fh.fileno(), self.size)  # hashed meanwhile, for _check_document
        try:
            self._walk()
        except NotJSON as err:
            raise self._not_json(err) from None
        fields = self.fields
        if fields.get("format") == EXPORT_FORMAT:
            self.format = "ours"
            version = fields.get("version")
            if not isinstance(version, int) or version > EXPORT_VERSION:
                raise PmjournalError(_("{path} was exported by a newer pmjournal; nothing was imported").format(path=self.path))
            if not self.own.is_list:
                raise PmjournalError(_("{path} has no records list; nothing was imported").format(path=self.path))
            self._check_chain(self.own, fields)
            if self.chains_value is not None and self.chains_value:
                raise PmjournalError(_("{path} has a damaged chains section; nothing was imported").format(path=self.path))
            for handle in sorted(self.chains):
                chain = self.chains[handle]
                if chain.fields is None or not chain.is_list:
                    raise PmjournalError(
                        _("{path}: the chain of {handle} is damaged; nothing was imported").format(path=self.path, handle=handle)
                    )
                self._check_chain(chain, chain.fields)
            if self.statement is not None:
                self._check_document(document.hexdigest())
        elif self.entries_at is not None and "tags" in fields:
            self.format = "jrnl"
            self._check_jrnl()
        else:
            raise PmjournalError(
                _("{path} is neither a pmjournal JSON export nor a jrnl JSON export; nothing was imported").format(path=self.path)
            )

    def _check_document(self, digest: str | None) -> None:
        """An export edited where an import takes nothing is refused: its `entries` are what
        its records fold to, and an import takes only the records, so a title corrected by
        hand there was dropped without a word (evidence/check.edits). `digest`: the document's
        hash, as the export's layout has it (exportfile.DocumentHash)."""
        from .evidence import check, exportfile, proof

        try:
            if digest is not None and proof.parse_statement(self.statement).get("document") == "sha256:" + digest:
                return  # as exported
        except (ValueError, TypeError, AttributeError):
            pass
        try:
            with exportfile.read(self.path) as ev:
                found = check.edits(ev)
        except PmjournalError:
            return  # a damaged evidence block: the records are checked as ever
        if found:
            raise PmjournalError(
                _("{path} was edited after it was exported ({problem}); an import takes only its records, so nothing was imported").format(
                    path=self.path, problem=found[0]
                )
            )

    def _walk(self) -> None:
        """The document's top level, in file order. Records are checked as they are read
        when the file said what it is and what its chain head is before them (as the export
        writes it); otherwise where they start is noted and they are checked afterwards."""
        stream = JsonStream(self.fh)
        if stream.peek() != ord("{"):
            stream.skip()
            stream.end()
            raise PmjournalError(
                _("{path} is neither a pmjournal JSON export nor a jrnl JSON export; nothing was imported").format(path=self.path)
            )
        seen = set()
        for key in stream.members():
            if key in seen:
                raise PmjournalError(_("{path} has {key!r} twice; nothing was imported").format(path=self.path, key=key))
            seen.add(key)
            if key == "records":
                self._records_member(stream, self.own, self.fields)
            elif key == "chains":
                self._chains_member(stream)
            elif key == "entries":
                if stream.peek() == ord("["):
                    self.entries_at = stream.offset
                    for n, _view in enumerate(stream.values(), start=1):  # the folded views: checked as JSON, not imported
                        if n % _PROGRESS_EVERY == 0:
                            self._report(stream)
                else:
                    stream.skip()
            elif key in ("format", "version", "chain_head", "unverified"):
                self.fields[key] = stream.value()
            elif key == "tags":
                self.fields["tags"] = True  # a jrnl export; its tag counts are not needed
                stream.skip()
            elif key == "evidence" and stream.peek() == ord("{"):
                for member in stream.members():  # whose export it is (import_file: a team's)
                    if member == "own":
                        self.exported_by = stream.value()
                    elif member == "statement":
                        self.statement = stream.value()
                    else:
                        stream.skip()
            else:
                stream.skip()
            self._report(stream)
        stream.end()

    def _ready(self, fields: dict) -> bool:
        """Whether records can be checked as they are read (the export's own layout)."""
        if self.fields.get("format") != EXPORT_FORMAT:
            return False
        version = self.fields.get("version")
        if not isinstance(version, int) or version > EXPORT_VERSION:
            return False
        try:
            _head_of(fields)
        except ValidationError:
            return False
        return True

    def _records_member(self, stream: JsonStream, chain: _Chain, fields: dict) -> None:
        chain.is_list = stream.peek() == ord("[")
        if not chain.is_list:
            stream.skip()
            return
        chain.records_at = stream.offset
        if self._ready(fields):
            chain.head = _head_of(fields)
            records = stream.values()
            try:
                self._check_records(records, stream, chain)
            except _Disorder:
                for _record in records:  # the walk goes on past the array, then the chain is checked again
                    pass
                self._rescan(chain, full=True)
            except ValidationError as err:
                raise chain.refusal(self.path, err) from None
        else:
            stream.skip()

    def _chains_member(self, stream: JsonStream) -> None:
        if stream.peek() != ord("{"):
            self.chains_value = stream.value()
            return
        for handle in stream.members():
            if handle in self.chains:
                raise PmjournalError(
                    _("{path} has the chain of {handle} twice; nothing was imported").format(path=self.path, handle=handle)
                )
            chain = self.chains[handle] = _Chain(handle)
            if stream.peek() != ord("{"):
                chain.fields = None
                stream.skip()
                continue
            seen = set()
            for key in stream.members():
                if key in seen:
                    raise PmjournalError(
                        _("{path}: the chain of {handle} has {key!r} twice; nothing was imported").format(
                            path=self.path, handle=handle, key=key
                        )
                    )
                seen.add(key)
                if key == "records":
                    self._records_member(stream, chain, chain.fields)
                elif key in ("chain_head", "unverified"):
                    chain.fields[key] = stream.value()
                else:
                    stream.skip()

    def _check_chain(self, chain: _Chain, fields: dict) -> None:
        """Check a chain whose records could not be checked as they were read."""
        try:
            head = _head_of(fields)
        except ValidationError as err:
            raise chain.refusal(self.path, err) from None
        if not chain.checked:
            chain.head = head
            self._rescan(chain, full=False)

    def _rescan(self, chain: _Chain, full: bool) -> None:
        stream = JsonStream(self.fh, chain.records_at)
        try:
            self._check_records(stream.values(), stream, chain, full)
        except _Disorder:
            self._rescan(chain, full=True)
        except ValidationError as err:
            raise chain.refusal(self.path, err) from None
        except NotJSON as err:  # the file changed since it was read through
            raise self._not_json(err) from None

    def _check_records(self, records, stream: JsonStream, chain: _Chain, full: bool = False) -> None:
        """Check `records` (stream.values() of one chain's array) and count what is new."""
        check = _ChainCheck(chain.head, full)
        kinds = self.known.kinds
        # The team's order is needed only when the export holds colleagues' chains, which
        # come after the records: the own chain's keys are read then (`records`).
        keys = chain.keys = _Keys() if chain.handle is not None else None
        count = fresh = 0
        for record in records:
            count += 1
            check.add(count, record, stream.raw)
            entry_id = record.get("id")
            if entry_id.__class__ is not str or entry_id not in kinds:
                fresh += 1
            if keys is not None:
                keys.add(record)
            if count % _PROGRESS_EVERY == 0:
                self._report(stream)
        check.finish()
        chain.count, chain.fresh, chain.checked = count, fresh, True

    def recount(self) -> None:
        """After the journal gained records while this file was checked: which are new now."""
        if self.format == "jrnl":
            self._check_jrnl()
            return
        kinds = self.known.kinds
        for chain in self.chains_in_order():
            fresh = 0
            for record in self._stream(chain):
                entry_id = record.get("id")
                if entry_id.__class__ is not str or entry_id not in kinds:
                    fresh += 1
            chain.fresh = fresh

    def chains_in_order(self) -> list[_Chain]:
        return [self.own] + [self.chains[h] for h in sorted(self.chains)]

    @property
    def total(self) -> int:
        if self.format == "jrnl":
            return self.jrnl_count
        return sum(chain.count for chain in self.chains_in_order())

    @property
    def fresh(self) -> int:
        if self.format == "jrnl":
            return self.jrnl_fresh
        return sum(chain.fresh for chain in self.chains_in_order())

    # -- jrnl ------------------------------------------------------------------

    def _jrnl_bodies(self):
        """(entry number, body) of each entry of a jrnl export, checked."""
        zone = dates.local_zone()
        # In a team journal each author's ids of a jrnl file are their own: two members importing
        # the same file derived the same ids, and sync then refused each other's chain for good.
        team = self.known.journal.team
        salt = f"{team.handle}\n" if team.joined and team.handle else ""
        repeats: dict[str, int] = {}  # id -> how many entries so far derived it (identical entries)
        offsets = _zones_of(self.known.jrnl_offsets)
        try:
            for i, entry in enumerate(JsonStream(self.fh, self.entries_at).values(), start=1):
                try:
                    body, ids = _jrnl_entry(i, entry, zone, salt, offsets)
                    first, earlier = ids(0)
                    seen = repeats.get(first, 0)
                    repeats[first] = seen + 1
                    body["id"], earlier = ids(seen) if seen else (first, earlier)
                    yield body, earlier
                except ValidationError as err:
                    raise PmjournalError(_("{path}: {err}; nothing was imported").format(path=self.path, err=err)) from None
        except NotJSON as err:
            raise self._not_json(err) from None

    def jrnl_entries(self):
        """(body, new) of each entry of a jrnl export, checked: new unless the journal holds it
        already (under its id or one an earlier import gave it) or the file had it before."""
        seen = set()
        kinds = self.known.kinds
        for body, earlier in self._jrnl_bodies():
            new = body["id"] not in seen and not _imported_before(body["id"], earlier, kinds)
            if new:
                seen.add(body["id"])
            yield body, new

    def _check_jrnl(self) -> None:
        count = fresh = 0
        for _body, new in self.jrnl_entries():
            count += 1
            fresh += new
        self.jrnl_count, self.jrnl_fresh = count, fresh

    # -- pass 2: the records again, in the order they are taken in -------------

    def records(self):
        """(chain, record) of every record, in the order they are imported: file order, or
        in a team journal's export the team's order (Lamport clock, then #seq), so that a
        correction comes after what it corrects."""
        chains = [c for c in self.chains_in_order() if c.count]
        try:
            if not self.chains:
                yield from ((self.own, r) for r in self._stream(self.own))
                return
            for chain in chains:
                if chain.keys is None:
                    chain.keys = _Keys()
                    for record in self._stream(chain):
                        chain.keys.add(record)
            readers = [_Ordered(self, chain) for chain in chains]
            merged = heapq.merge(*(reader.keyed(n) for n, reader in enumerate(readers)))
            for _a, _b, n, j in merged:
                yield readers[n].chain, readers[n].get(j)
        except NotJSON as err:
            raise self._not_json(err) from None

    def _stream(self, chain: _Chain):
        """The chain's records again, as pass 1 checked them (or the file changed since)."""
        if chain.records_at is None:
            return
        for record in JsonStream(self.fh, chain.records_at).values():
            if record.__class__ is not dict or record.get("seq").__class__ is not int:
                raise PmjournalError(_("{path} changed while it was imported; nothing was imported").format(path=self.path))
            yield record


class _Ordered:
    """One chain's records read in (clock, #seq) order: in file order as a rule, and a
    record that comes earlier in that order than in the file is held until it is asked for."""

    def __init__(self, file: _File, chain: _Chain):
        self.chain = chain
        self.order = chain.keys.order()
        self._records = file._stream(chain)
        self._next = 0
        self._held: dict[int, dict] = {}

    def keyed(self, n: int):
        clocks, seqs = self.chain.keys.clocks, self.chain.keys.seqs
        return ((clocks[j], seqs[j], n, j) for j in self.order)

    def get(self, j: int) -> dict:
        if j in self._held:
            return self._held.pop(j)
        while True:
            record = next(self._records)
            index, self._next = self._next, self._next + 1
            if index == j:
                return record
            self._held[index] = record


class _Checker:
    """Each record checked as `add` would check it, against the journal and the records
    taken before it (the old `_ours`, one record at a time)."""

    def __init__(self, known: _Known):
        self.journal_kinds = known.kinds
        self.kinds: dict[str, str] = {}  # the records taken so far
        self.retracted = set(known.retracted)
        self.later_links: dict[str, str] = {}  # an entry not read yet -> where a record links to it
        self.i = 0

    def _links(self, links, record: dict) -> None:
        for link in links or ():
            if not isinstance(link, dict):
                continue
            to = link.get("to")
            if to in self.journal_kinds or self.kinds.get(to) in model.ENTRY_KINDS:
                continue
            if to not in self.later_links:  # perhaps an entry further on in the file
                self.later_links[to] = self._where(record)

    def _where(self, record: dict) -> str:
        """How a refusal names the record being checked: its number among those taken, its id."""
        label = record.get("id")
        if isinstance(label, str):
            return _("record {n} ({id})").format(n=self.i, id=label)
        return _("record {n}").format(n=self.i)

    def finish(self) -> None:
        for to, where in self.later_links.items():
            if self.kinds.get(to) not in model.ENTRY_KINDS:
                raise ValidationError(
                    _("{where}: it links to {to!r}, which is neither in the journal nor in the file ({hint})").format(
                        where=where, to=to, hint=_(_LINK_HINT)
                    )
                )

    def body(self, record: dict) -> dict:
        self.i += 1
        try:
            system = _system_fields(record)
            entry_id = system["id"]
            if entry_id in self.kinds or entry_id in self.journal_kinds:
                raise ValidationError(_("its id is used twice in the file"))
            kind = system["kind"]
            rest = {k: v for k, v in record.items() if k not in _NOT_BODY}
            if kind in model.ENTRY_KINDS:
                if "occurred_at" not in rest:
                    raise ValidationError(_("it has no occurred_at"))
                body = model.build_entry(kind, rest, stored=True)
                self._links(body.get("links"), record)
            elif kind in model.META_KINDS:
                target = rest.get("target")
                known = self.journal_kinds.get(target) or self.kinds.get(target) if isinstance(target, str) else None
                if known not in model.ENTRY_KINDS:
                    raise ValidationError(
                        _("its target {target} is not an entry in the journal or earlier in the file").format(target=target)
                    )
                if target in self.retracted:
                    raise ValidationError(_("its target {target} is already retracted").format(target=target))
                if kind == "loop":
                    body = model.build_loop(target, {k: v for k, v in rest.items() if k != "target"})
                    del body["kind"]  # system fields (kind too) are added below
                elif kind == "amendment":
                    changes = rest.get("changes")
                    if not isinstance(changes, dict):
                        raise ValidationError(_("its changes are not a set of field values"))
                    body = {"target": target, "reason": model.require_reason(rest.get("reason"))}
                    body["changes"] = model.clean_changes(known, changes, stored=True)
                    self._links(body["changes"].get("links"), record)
                else:
                    body = {"target": target, "reason": model.require_reason(rest.get("reason"))}
                    self.retracted.add(target)
            else:
                raise ValidationError(_("unknown kind {kind!r}").format(kind=kind))
        except ValidationError as err:
            raise ValidationError(f"{self._where(record)}: {err}") from err
        body.update(system)
        self.kinds[entry_id] = kind
        return body


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


# jrnl tags may hold characters a pmjournal tag does not (model._TAG): these two are spelled
# out, so that @c++ and @c# stay apart from @c (they were all the tag "c").
_JRNL_TAG_WORDS = {"+": "plus", "#": "sharp"}


def _jrnl_tag(tag) -> str:
    """A jrnl tag (`@launch`, `#pricing`, `@c++`) as a pmjournal tag: `launch`, `pricing`, `cplusplus`."""
    text = str(tag).lstrip("@#").lower()
    return "".join(c if c.isalnum() or c in "-_/." else _JRNL_TAG_WORDS.get(c, "-") for c in text).strip("-")


def _imported_before(entry_id: str, earlier, known) -> bool:
    """A jrnl entry is in the journal already, under its id or one an earlier import gave it."""
    return entry_id in known or any(old in known for old in earlier)


def _zones_of(offsets) -> list:
    """'+01:00' -> a fixed zone, for each offset that reads as one."""
    zones = []
    for offset in offsets:
        try:
            zones.append(datetime.fromisoformat("2000-01-01T00:00:00" + offset).tzinfo)
        except ValueError:
            continue
    return zones


def _jrnl_entry(i: int, entry, zone, salt: str = "", offsets=()):
    """The body of jrnl entry number `i` without its id, and ids(repeat) -> (its id, the ids
    earlier versions gave it). Ids are derived from its date and text, and `salt` (a team
    member's handle); `repeat` is how many entries of the file before this one have the same
    date and text (jrnl keeps both; derived alike, the second was skipped as already imported).
    `offsets`: the zones jrnl entries of this journal were imported in (_Known.jrnl_offsets)."""
    if not isinstance(entry, dict) or "date" not in entry:
        raise ValidationError(_("jrnl entry {i} has no date").format(i=i))
    try:
        dated = datetime.fromisoformat(str(entry["date"]))
        day = dated.date()
        # jrnl writes "date": "2026-01-01" and "time": "10:00"; a hand-made file's offset
        # ("10:00:00+05:00"), or a time in its date with no "time", was dropped: 10:00 read as
        # local time, or the entry put at 00:00 (a robustness hunt).
        at = time.fromisoformat(str(entry["time"])) if entry.get("time") else dated.timetz()
    except ValueError as err:
        raise ValidationError(_("jrnl entry {i} has a bad date or time: {err}").format(i=i, err=err)) from err
    zone = at.tzinfo or zone
    at = at.replace(tzinfo=None)
    title = " ".join(str(entry.get("title") or "").split()) or "(untitled)"
    # An entry with no title of its own is titled by its body's first line, as jrnl titles one
    # by its first sentence ("(untitled)", in English whatever the language, said nothing). Its
    # id is made from "(untitled)" as ever: the same file imported again is the same entries.
    shown = title
    if title == "(untitled)" and not str(entry.get("title") or "").strip():
        first = next((line for line in str(entry.get("body") or "").splitlines() if line.strip()), "")
        shown = " ".join(first.split())[:120] or title
    tags = []
    given = entry.get("tags") or ()
    # A hand-made file's "tags": "@abc" is one tag (its letters were three), and a null in the list none.
    for tag in (given,) if isinstance(given, str) else given:
        if tag is None:
            continue
        clean = _jrnl_tag(tag)
        if clean and clean not in tags:
            tags.append(clean)
    if entry.get("starred"):
        tags.append("starred")
    values = {
        "title": shown,
        "body": entry.get("body") or None,
        "tags": tags,
        "occurred_at": dates.iso(datetime.combine(day, at, tzinfo=zone)),
    }
    try:
        body = model.build_entry("note", values)
    except ValidationError as err:
        raise ValidationError(_("jrnl entry {i}: {err}").format(i=i, err=err)) from err
    text = "jrnl\n" + title + "\n" + (entry.get("body") or "")
    # The id comes from the entry's own date and time, read as if UTC: the same file imported
    # again in another zone (a laptop abroad) is the same entries. Before, it came from the time
    # in the local zone; those ids, with and without the team handle (imported before joining),
    # are the earlier ones: an entry holding one of them is the same entry, imported before.
    written = int(datetime.combine(day, at, tzinfo=UTC).timestamp() * 1000)
    moments = {written, int(datetime.fromisoformat(values["occurred_at"]).timestamp() * 1000)}
    # ...and the time in each zone an earlier import was made in (imported abroad before)
    moments.update(int(datetime.combine(day, at, tzinfo=offset).timestamp() * 1000) for offset in offsets)

    def ids(repeat: int) -> tuple[str, tuple[str, ...]]:
        # the first of identical entries keeps the id earlier imports gave it
        said = text + f"\n\x00{repeat}" if repeat else text
        own = derived_id(written, said[:5] + salt + said[5:])
        earlier = {derived_id(moment, said[:5] + handle + said[5:]) for moment in moments for handle in {salt, ""}}
        return own, tuple(earlier - {own})

    return body, ids


def _open_import(path: Path):
    from .storage import open_regular

    try:
        fh = open_regular(path, os.O_RDONLY, "rb", refused=_("{path} is {what}, not an export"))
    except PmjournalError as err:
        raise PmjournalError(_("{err}; nothing was imported").format(err=err)) from err
    if fh is None:
        raise PmjournalError(_("no such file: {path}").format(path=path))
    first = fh.read(512).split(b"\n", 1)[0]
    fh.seek(0)
    if first.startswith(b"{") and b'"format":"pmjournal"' in first and b'"schema":' in first:
        # A journal, not an export: refused as "not valid JSON (unexpected content after the
        # document at byte 70)", which says nothing of what to do.
        raise PmjournalError(
            _(
                "{path} is a pmjournal journal, not an export; export it first "
                "(`pmjournal --db {path} export --format json -o FILE`) and import that; nothing was imported"
            ).format(path=path)
        )
    return fh


def _fingerprint(fh) -> tuple:
    st = os.fstat(fh.fileno())
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def import_file(journal, path, progress=None) -> tuple[int, int]:
    """Append the records in `path` whose ids are new; return (added, skipped).

    The journal records each imported record as written down now, by this
    journal's user, with `imported` saying where it came from and what the
    file claimed (its own recorded_at/recorded_by/#seq): a file cannot make an
    entry look as if this journal had recorded it in 2019.

    `progress`, if given, is called now and then as progress(phase, done, total):
    "reading" counts the journal's bytes read for its ids, "checking" the file's bytes,
    "importing" the records written.
    """
    path = Path(path)
    source = path_text(path)
    fh = _open_import(path)
    with fh:
        before = _fingerprint(fh)
        known = _Known(journal, progress)
        file = _File(fh, path, source, known, progress)
        try:
            file.check()
        except OSError as err:
            raise PmjournalError(
                _("cannot read {path}: {strerror}; nothing was imported").format(path=path, strerror=err.strerror)
            ) from err
        if file.fresh == 0:
            return 0, file.total
        if file.format == "ours" and journal.team.joined and _a_colleagues(file, journal.team.handle):
            # A team member's export: imported, its records were copied into this author's chain
            # under their own ids, and every later sync refused the two chains both ways.
            raise PmjournalError(
                _(
                    "{path} is a team journal's export: its records come to this journal with `pmjournal sync`, "
                    "and imported they would be copied into your chain under their ids, which sync refuses; "
                    "nothing was imported"
                ).format(path=path)
            )
        stamp, user = dates.utc_stamp(), journal.user
        with journal.table.insert_streamed() as batch:  # TinyDB's table, streamed (store.EntryTable)
            if known.catch_up():
                file.recount()  # another process appended while the file was checked
            count = file.fresh
            if count == 0:
                batch.begin(0)
                batch.done()
                return 0, file.total
            batch.begin(count)
            added = _write(file, batch, stamp, user, progress, count)
            if _fingerprint(fh) != before:
                raise PmjournalError(_("{path} changed while it was imported; nothing was imported").format(path=path))
            batch.done()
    if journal.storage.loaded:
        journal.refresh()  # a long-lived Journal (a script, the app) catches up as after any write
    return added, file.total - added


def _a_colleagues(file: "_File", handle: str | None) -> bool:
    """Whether the export holds new records of another team member: the exporter's own (its
    evidence says whose it is), or those of a colleague's chain it carries. One's own export,
    taken on another machine, is not."""
    exporter = file.exported_by if isinstance(file.exported_by, str) else None
    if exporter not in (None, "journal", handle) and file.own.fresh:
        return True
    return any(chain.fresh for name, chain in file.chains.items() if name != handle)


def _write(file: _File, batch, stamp: str, user: str, progress, count: int) -> int:
    """Pass 2: every new record checked, stamped and appended to the batch; the number written."""
    added = 0
    try:
        if file.format == "jrnl":
            for body, new in file.jrnl_entries():
                if not new:
                    continue  # the same jrnl entry imported before, or twice in the file
                body["imported"] = {"file": file.source, "format": "jrnl"}
                body["recorded_at"], body["recorded_by"] = stamp, user
                batch.add(body)
                added += 1
            return added
        checker = _Checker(file.known)
        journal_kinds = file.known.kinds
        for chain, record in file.records():
            entry_id = record.get("id")
            if entry_id.__class__ is str and entry_id in journal_kinds:
                continue  # already in the journal
            body = checker.body(record)
            body["imported"] = _provenance(record, file.source, chain.head)
            body["recorded_at"], body["recorded_by"] = stamp, user
            batch.add(body)
            added += 1
            if progress is not None and added % _PROGRESS_EVERY == 0:
                progress("importing", added, count)
        checker.finish()
    except ValidationError as err:
        raise PmjournalError(_("{path}: {err}; nothing was imported").format(path=file.path, err=err)) from err
    except OSError as err:
        raise PmjournalError(
            _("cannot read {path}: {strerror}; nothing was imported").format(path=file.path, strerror=err.strerror)
        ) from err
    if progress is not None:
        progress("importing", added, count)
    return added
