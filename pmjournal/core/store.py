"""The journal: a TinyDB database on our crash-safe storage, plus the append-only operations.

Every read and every write goes through TinyDB's API on our own classes:
`JournalStorage` (storage.py) is the Storage, `EntryTable` the one table,
`entries`, whose documents are the stored records with doc_id == #seq.
Writes (add, amend, retract, an import batch, the demo) are
`EntryTable.insert_multiple`, which appends through the chained, locked,
fsynced path without loading the journal; reads are `EntryTable.records()`
(the documents as stored, in doc_id order) and TinyDB's own `get`/`len`.

`Journal` is the API the CLI, the TUI and the tests use. It never parses the
whole file to add an entry (the add path reads only the header and the last
line, and finds link targets by a byte search), and it folds the journal into
views lazily, the first time something reads them.

`open_db` is the scripting API (docs/scripting.md): a TinyDB whose tables
validate what a script inserts as `pmjournal add` does and refuse everything
that would rewrite a record.
"""

import contextlib
import getpass
import io
import os
import warnings
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tinydb import TinyDB
from tinydb.table import Document, Table

from . import dates, model
from . import refs as references
from .chain import GENESIS, record_hash
from .errors import NotFound, PmjournalError, StoreError, ValidationError, refuse_unverified
from .fold import extend, fold, raw, ref_of, stored
from .i18n import _
from .ids import new_id
from .model import ANSWER_DAYS, FUTURE_SLACK
from .storage import LOCK_TIMEOUT, TABLE, Documents, JournalFile, JournalStorage, Reader, paused_gc, unfinished_note
from .team.layout import Team, clock_of, stamp_clocks
from .team.merge import TeamRecords, merged

if TYPE_CHECKING:
    from .people import People

# orjson, loops, labels and people are imported where they are used: `pmjournal add`
# needs none of them (tests/test_import_hygiene.py checks what it imports).

# Keys the journal sets as it appends (storage.JournalFile.append): never taken from a document.
SEALED = ("seq", "batch", "prev_hash", "hash", "clock")


class Inserted(list):
    """What `EntryTable.insert_multiple` returns: the new doc_ids (#seq), as TinyDB
    returns them, carrying what the Journal needs to keep its views current.

    `records`: the sealed records as written. `new`: every record new to the
    loaded cache, in file order (what other processes appended since it was
    read, then ours), or None when the file had been replaced and everything
    was reloaded. When nothing was loaded, both are just our records.
    """

    __slots__ = ("records", "new")

    def __init__(self, records: list[dict], new: list[dict] | None):
        super().__init__(r["seq"] for r in records)
        self.records = records
        self.new = new


def _check_document(document) -> None:
    if not isinstance(document, Mapping):
        raise ValueError("Document is not a Mapping")  # TinyDB's own words
    if isinstance(document, Document):
        raise StoreError(_("a doc_id is the #seq the journal gives a record as it appends it; insert the document without one"))


def _refused(operation: str):
    def refuse(self, *args, **kwargs):
        raise StoreError(
            _(
                "the journal is append-only: {operation}() would rewrite or delete records, so it is refused and nothing was changed; correct an entry by inserting an amendment or a retraction"
            ).format(operation=operation)
        )

    refuse.__name__ = operation
    refuse.__doc__ = f"Refused: {operation}() would rewrite or delete records in an append-only journal."
    return refuse


class EntryTable(Table):
    """The journal's one TinyDB table, `entries`: the stored records, doc_id == #seq.

    Reads are TinyDB's own (`all`, `search`, `get`, `count`, `len`,
    iteration) over `JournalStorage.read()`, plus `records()`, the documents
    as stored without TinyDB's per-document copy, which the Journal reads
    through. The query cache is dropped whenever the storage gained records
    or was reloaded, whoever appended them.

    Writes only append: `insert` and `insert_multiple` seal the documents
    into the chain and append them in one locked, fsynced write
    (`JournalStorage.append`; several documents are one batch, all or
    nothing), without loading the journal. Everything that would rewrite a
    record (update, update_multiple, upsert, remove, truncate) is refused.

    This table takes record bodies as the Journal writes them: add, amend,
    retract, import and the demo have validated and stamped them already.
    `ScriptTable`, which `open_db` hands to scripts, validates what it is
    given and then writes through this one.
    """

    def __init__(self, storage, name: str, *args, **kwargs):
        self._seen = None
        super().__init__(storage, name, *args, **kwargs)

    def _only_entries(self, what: str) -> None:
        if self.name != TABLE:
            raise StoreError(
                _("a journal has one table, {table!r}: {what} a table {name!r} is refused; nothing was saved").format(
                    table=TABLE, what=what, name=self.name
                )
            )

    # -- writing -------------------------------------------------------

    def insert(self, document) -> int:
        return self.insert_multiple([document])[0]

    def insert_multiple(self, documents) -> Inserted:
        self._only_entries("inserting into")
        bodies = [self._body(document) for document in documents]
        if not bodies:
            return Inserted([], [])
        stamp_clocks(self.storage.file.path, bodies)
        records, new = self.storage.append(bodies)
        self.clear_cache()
        return Inserted(records, new)

    @contextlib.contextmanager
    def insert_streamed(self):
        """insert_multiple for documents that arrive one at a time, too many to hold (an import
        of a million records): yields a batch.StreamedBatch (`begin(count)`, `add(body)` each,
        `done()`), the same one locked, sealed, all-or-nothing batch that insert_multiple writes,
        written a megabyte at a time."""
        from .batch import StreamedBatch

        self._only_entries("inserting into")
        with StreamedBatch(self.storage.file) as batch:
            yield batch
        self.clear_cache()

    @staticmethod
    def _body(document) -> dict:
        _check_document(document)
        for key in SEALED:
            if key in document:
                raise StoreError(_("{key} is set by the journal as it appends a record; leave it out").format(key=key))
        return dict(document)

    update = _refused("update")
    update_multiple = _refused("update_multiple")
    upsert = _refused("upsert")
    remove = _refused("remove")
    truncate = _refused("truncate")

    def _update_table(self, updater) -> None:
        # TinyDB's read-modify-write of the whole table, behind anything not refused above (persist_empty=True).
        raise StoreError(_("the journal is append-only: TinyDB asked to rewrite a table, which is refused; nothing was changed"))

    # -- reading -------------------------------------------------------

    def records(self) -> list[dict]:
        """Every document in doc_id (#seq) order, as stored: the storage's own list, not copies.

        `all()` copies each document into a Document, as TinyDB does; at 100k
        records that adds ~50% to the load time and ~100 MB, which the CLI
        and the TUI cannot afford. Do not modify what this returns.
        """
        table = self._read_table()
        return table.records if isinstance(table, Documents) else list(table.values())

    def search(self, cond) -> list[Document]:
        self._read_table()  # load (or catch up) before the query cache is consulted
        state = self.storage.state()
        if state != self._seen:
            self.clear_cache()
            self._seen = state
        return super().search(cond)


def _instant(iso: str):
    """An ISO time as a moment, for ordering; a text that is not one orders as itself."""
    try:
        return datetime.fromisoformat(iso).timestamp(), iso
    except (TypeError, ValueError):
        return float("inf"), str(iso)


def _named_in(view: dict, typed: str) -> str:
    """Who `typed` (done --by) means among the people the entry names, commitments' owers
    included: the one whose name it is (as first spelt), or the one whose name starts with
    it in whole words ("marcus", "marcus c" for Marcus Chen; "Marcus" was saved as a person
    of its own); else `typed` as it is, unless it is a letter or two off a name it names, or
    the start of one ("Marc" for Marcus Chen): then asked about, as a typo."""
    from .people import key, names_in

    names = names_in(view)
    wanted = key(typed)
    exact = next((name for name in names if key(name) == wanted), None)
    if exact is not None:
        return exact
    words = wanted.split()
    hits = {key(name): name for name in names if _starts_with_words(key(name).split(), words)}
    if len(hits) == 1:
        return next(iter(hits.values()))
    import difflib

    # Someone the entry does not name may have done it (a delegate); a name a letter or two off
    # one it names is a typo, which an append-only journal would keep ("done by Marcis").
    spelt = {key(name): name for name in names}  # a whole name, and its first word ("marcis")
    spelt.update({key(name).split()[0]: name for name in names if len(key(name).split()) > 1 and len(words) == 1})
    # The start of a name it names ("Marc" for Marcus Chen) is taken for it half typed, as a
    # typo is: saved as a person of its own, it closed an escalation "answered by Marc" (a user
    # trial). A delegate of that name is written in full.
    close = [c for c in spelt if c.startswith(wanted)][:1] or difflib.get_close_matches(wanted, list(spelt), n=1, cutoff=0.8)
    if close:
        meant = spelt[close[0]]
        raise ValidationError(
            _("{typed!r} is not named in {ref}: did you mean {meant}?").format(typed=typed, ref=ref_of(view), meant=meant),
            field="by",
        )
    return typed


def _one_of(name: str, names) -> bool:
    """`name` is one of `names` in any spelling of case and spacing: an owner typed "marcus
    chen" and Raised to "Marcus Chen" are one person (a review found the answer refused)."""
    from .people import key

    return key(name) in {key(n) for n in names}


def _starts_with_words(name: list[str], typed: list[str]) -> bool:
    """The typed words begin the name: each whole, but the last of several, which may be the
    start of its word ("marcus c")."""
    n = len(typed)
    if not typed or n > len(name) or name[: n - 1] != typed[:-1]:
        return False
    return name[n - 1] == typed[-1] or (n > 1 and name[n - 1].startswith(typed[-1]))


class JournalDB(TinyDB):
    """TinyDB on a journal file: one append-only table, `entries`, also the
    default table (so `db.insert`, `db.search`, `db.all()` and `len(db)` use it)."""

    table_class = EntryTable
    default_table_name = TABLE
    journal: "Journal | None" = None  # the Journal that built it (set by Journal.__init__)

    def drop_table(self, name: str) -> None:
        raise StoreError(
            _("the journal is append-only: dropping the table {name!r} is refused; nothing was changed").format(name=name)
        )

    def drop_tables(self) -> None:
        raise StoreError(_("the journal is append-only: dropping its tables is refused; nothing was changed"))


def _links_by_rel(links) -> dict[str, list]:
    """Stored-form links ([{"rel", "to"}], `to` any reference: #seq, seq or id) as Journal._link_values takes them."""
    if links is None:
        return {}
    if not isinstance(links, list | tuple):
        raise ValidationError(_('links is a list of {"rel": ..., "to": ...}'), field="links")
    out: dict[str, list] = {}
    for link in links:
        if (
            not isinstance(link, Mapping)
            or set(link) != {"rel", "to"}
            or link["rel"] not in model.LINK_RELS
            or link["to"] in (None, "")
        ):
            rels = " | ".join(model.LINK_RELS)
            raise ValidationError(
                _('a link is {{"rel": {rels}, "to": #seq or id}}, not {link!r}').format(rels=rels, link=link), field="links"
            )
        out.setdefault(link["rel"], []).append(link["to"])
    return out


class UnverifiedJournal(UserWarning):
    """A script read a journal whose chain does not vouch for every record (see `ScriptDB.broken`)."""


class ScriptTable(EntryTable):
    """The `entries` table as `open_db` hands it to scripts (docs/scripting.md).

    `insert` and `insert_multiple` take entries as a person gives them,
    {"kind": "decision", "title": ..., "owner": ..., "links": [{"rel", "to"}]},
    and validate and stamp them exactly as `pmjournal add` does
    (Journal.prepare, model.build_entry; id, recorded_at and recorded_by set
    by the journal, link targets must exist); several documents are one
    batch, all or nothing. An amendment ({"kind": "amendment", "target",
    "changes", "reason"}) or a retraction ({"kind": "retraction", "target",
    "reason"}) is inserted on its own and checked as `pmjournal amend` and
    `retract` check it. Reads first catch up with what other processes
    appended, as TinyDB's JSONStorage rereads its file.
    """

    journal: "Journal"
    _warned = None

    # -- reading: whole copies -------------------------------------------
    # TinyDB's Document copies only the top level: a script's
    # `db.get(doc_id=1)["approved_by"].append("X")` changed the record held for the session,
    # which then failed its own hash and refused a later amendment (a robustness hunt).

    # (all() is TinyDB's list(iter(self)): copied below)

    def search(self, cond) -> list[Document]:
        return [_copied(d) for d in super().search(cond)]

    def get(self, cond=None, doc_id=None, doc_ids=None):
        found = super().get(cond, doc_id, doc_ids)
        if isinstance(found, list):
            return [_copied(d) for d in found]
        return None if found is None else _copied(found)

    def __iter__(self):
        for document in super().__iter__():
            yield _copied(document)

    def insert_multiple(self, documents) -> Inserted:
        self._only_entries("inserting into")
        documents = list(documents)
        for document in documents:
            _check_document(document)
        kinds = [str(d.get("kind") or "").strip().lower() for d in documents]
        if any(kind in model.META_KINDS for kind in kinds):
            if len(documents) != 1:
                raise ValidationError(
                    _("insert an amendment or a retraction on its own, with insert(); nothing was saved"), field="kind"
                )
            return self._correct(kinds[0], documents[0])
        bodies = [self._entry(kind, document) for kind, document in zip(kinds, documents, strict=True)]
        return super().insert_multiple(bodies)

    def _entry(self, kind: str, document: Mapping) -> dict:
        if not kind:
            raise ValidationError(
                _("a document needs a kind: one of {kinds}").format(kinds=", ".join(model.ENTRY_KINDS)), field="kind"
            )
        values = {k: v for k, v in document.items() if k != "kind"}
        for key in model.SYSTEM_FIELDS:
            if key in values:
                raise ValidationError(_("{key} is set by the journal; leave it out").format(key=key), field=key)
        links = _links_by_rel(values.pop("links", None))
        model.check_happened(values.get("occurred_at"))  # as `add --when` (docs/scripting.md: validated as add)
        return self.journal._stamp(self.journal.prepare(kind, values, links))

    def _correct(self, kind: str, document: Mapping) -> Inserted:
        journal = self.journal
        if kind == "key":
            raise ValidationError(
                _("a signing key's record is written by pmjournal when it first signs an export with that key; nothing was saved"),
                field="kind",
            )
        keys = {"amendment": ("target", "changes", "reason"), "retraction": ("target", "reason")}.get(
            kind, ("target", *model.LOOP_KEYS)
        )
        extra = [k for k in document if k != "kind" and k not in keys]
        if extra:
            raise ValidationError(
                _("{a_kind} has {keys}; not {extra}").format(a_kind=model.a_kind(kind), keys=", ".join(keys), extra=extra[0]),
                field=extra[0],
            )
        if document.get("target") in (None, ""):
            raise ValidationError(_("{a_kind} needs a target: the entry's #seq or id").format(a_kind=model.a_kind(kind)), field="target")
        if kind == "loop":
            values = {k: document[k] for k in ("occurred_at", "by", "note") if k in document}
            record = journal.close_loop(document["target"], document.get("loop"), state=document.get("state") or "done", **values)
        elif kind == "retraction":
            record = journal.retract(document["target"], document.get("reason"))
        else:
            changes = document.get("changes")
            if not isinstance(changes, Mapping):
                raise ValidationError(_("changes maps field names to their new values (None clears one)"), field="changes")
            changes = dict(changes)
            model.check_happened(changes.get("occurred_at"))  # as `amend --when`
            target = journal.resolve_entry(document["target"])
            if changes.get("links") is not None:
                # The new value of links, as a list, its targets resolved and checked like `amend --supersedes`.
                changes["links"] = journal._link_values(target["kind"], _links_by_rel(changes["links"]), target["id"])
            record = journal.amend(target["id"], changes, document.get("reason"))
        return Inserted([record], [record])

    def _read_table(self):
        if self.storage.loaded:
            self.journal.refresh()
        table = super()._read_table()
        broken = self.journal.broken
        if broken and broken != self._warned:
            self._warned = broken
            warnings.warn(
                f"{self.journal.path} fails verification at #{broken[0]} ({broken[1]}): the chain does not vouch for what is "
                "read from there on. Run `pmjournal verify`",
                UnverifiedJournal,
                stacklevel=3,
            )
        return table


class ReplicaTable(EntryTable):
    """A colleague's chain as a team journal holds it: read with TinyDB, written by sync alone."""

    def insert_multiple(self, documents) -> Inserted:
        raise StoreError(
            _("{stem}'s chain is written by its author alone (sync brings it here); nothing was saved").format(
                stem=Path(self.storage.file.path).stem
            )
        )


class ReplicaDB(JournalDB):
    table_class = ReplicaTable


class ScriptDB(JournalDB):
    """What `open_db` returns: a TinyDB on the journal whose tables are ScriptTables."""

    table_class = ScriptTable

    def table(self, name: str, **kwargs) -> ScriptTable:
        table = super().table(name, **kwargs)
        table.journal = self.journal
        return table

    def authors(self) -> dict[str, JournalDB]:
        """In a team journal (docs/team.md): each colleague's chain as held here, handle ->
        a read-only TinyDB whose `entries` table is their records (doc_id == their #seq).
        Empty for a journal of one."""
        return {handle: ReplicaDB(str(path), storage=JournalStorage) for handle, path in self.journal.team.colleagues().items()}

    @property
    def broken(self) -> tuple[int, str] | None:
        """(#seq, why) of the first record the chain does not vouch for, or None (loads the journal)."""
        self.table(TABLE).records()
        return self.journal.broken

    def views(self, cond=None) -> list[Document]:
        """Every entry as it reads now (its folded view), in journal order, as Documents
        whose doc_id is the entry's #seq; only those matching `cond` (a TinyDB Query)
        if given. Retracted entries are included, with `retracted` set.

        Folded from copies of the records (`all()`), so the stored documents
        never carry a view's derived keys.
        """
        if self.journal.team.joined:
            # The whole team's trail, in its order; copies, as all() gives.
            documents = [_copied(Document(r, r["seq"])) for r in self.journal.records()]
        else:
            documents = self.table(TABLE).all()
        with paused_gc():
            folded = fold(documents)
        out = []
        for view in folded.values():
            view = {k: v for k, v in view.items() if not k.startswith("_")}
            if cond is None or cond(view):
                out.append(Document(view, view["seq"]))
        return out


def _copied(document: Document) -> Document:
    """A whole copy of a stored document (its lists and objects too): records are JSON."""
    import orjson

    return Document(orjson.loads(orjson.dumps(document)), document.doc_id)


def open_db(path=None, user: str | None = None, lock_timeout: float = LOCK_TIMEOUT) -> ScriptDB:
    """A TinyDB on the journal at `path` (default: as the CLI finds it) for scripts.

    `user` is who inserts record as (default: the config's `name`, else the
    login name, as for `pmjournal add`). Refuses, with one line, a file that
    is not a journal; creates nothing until the first insert.
    """
    from . import config, paths

    path = paths.journal_path(str(path) if path is not None else None)
    if user is None:
        user = config.load().user
    journal = Journal(path, user=user, lock_timeout=lock_timeout, db_class=ScriptDB)
    journal.storage.file.check_existing()
    return journal.db


def _selected(data: bytes, end: int, select):
    """The records of data[:end] (header excluded) whose line `select` matches, parsed, in order.
    Canonical JSON escapes every quote inside strings, so a pattern of quoted keys
    matches a record's own keys, never the text a person typed."""
    pos = data.find(b"\n") + 1
    import orjson

    search, loads = select.search, orjson.loads
    while True:
        hit = search(data, pos, end)
        if hit is None:
            return
        start = data.rfind(b"\n", pos, hit.start()) + 1
        stop = data.find(b"\n", hit.end(), end)
        yield loads(data[max(start, pos) : stop])
        pos = stop + 1


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Journal:
    def __init__(self, path, user: str | None = None, lock_timeout: float = LOCK_TIMEOUT, db_class: type[JournalDB] = JournalDB):
        self.path = Path(path)
        self.db = db_class(str(self.path), storage=JournalStorage, lock_timeout=lock_timeout)
        self.db.journal = self
        self.storage: JournalStorage = self.db.storage
        # The journal reads and writes through a plain EntryTable: what it inserts it has
        # validated and stamped itself. A ScriptDB's tables validate, then write through this.
        table = self.db.table(TABLE) if db_class.table_class is EntryTable else EntryTable(self.storage, TABLE)
        self.table: EntryTable = table
        if user is not None and not isinstance(user, str):
            raise ValidationError(_("user must be a name (text), not {type}").format(type=type(user).__name__))
        # Every record carries it as recorded_by: the text rules a config's `name` meets (an
        # ESC in it was written, and the journal's own export then failed to import).
        self.user = model.check_text("recorded_by", (user or "").strip()) or default_user()
        self._views: dict[str, dict] | None = None
        self._people: People | None = None
        self._scanned = None  # the Reader of the last scan(), while the journal is not loaded
        # A team journal (core/team) also reads the colleagues' chains a sync brought.
        self.team = Team(self.path)
        self._colleagues = TeamRecords(self.team)
        self._merged: tuple | None = None  # (own list, its length, colleague chains, merged)
        self._team_generation = 0

    # -- reading -------------------------------------------------------

    def records(self) -> list[dict]:
        """Every record in journal order, amendments and retractions included.

        Entries double as their folded views until amended (see fold.py), so
        they may carry derived keys: `fold.raw(record)` strips them. The
        table's documents as stored (doc_id == #seq), read through TinyDB.
        """
        own = self.table.records()
        if not self.team.joined:
            return own
        chains = self._colleagues.current()
        cached = self._merged
        if cached is None or cached[0] is not own or cached[1] != len(own) or cached[2] is not chains:
            self._colleagues.clashes = []
            cached = self._merged = (own, len(own), chains, merged(own, self.team.handle or "", chains, self._colleagues.clashes))
        return cached[3]

    def own_records(self) -> list[dict]:
        """This author's chain alone (the same as records() in a journal of one)."""
        return self.table.records()

    def __len__(self) -> int:
        """How many records (amendments and retractions included)."""
        return len(self.table)

    def scan(self, keep, select=None) -> list[dict]:
        """The records `keep(record)` accepts, in journal order, without holding the rest.

        Every record is read and checked by the same Reader as a full load, so
        `broken` and `notices()` then say what they would after one; only the
        ones kept stay in memory, and nothing is folded or cached. For a command
        that needs a small part of a large journal (`pmjournal due`); the journal
        stays unloaded. Once loaded, the loaded records are filtered instead.

        `select`: a bytes pattern that every line `keep` could accept matches.
        Then what an earlier scan verified (verified.py: the same file, the same
        bytes) is not checked again, and of it only the lines `select` matches
        are parsed and offered to `keep`; what was appended since is checked as
        always. A scan that verified everything remembers it for the next one.
        """
        if self.storage.loaded or self.team.joined:
            return [r for r in self.records() if keep(r)]
        from . import verified

        file = self.storage.file
        fh = file.open_read()
        if fh is None:
            return []
        with fh, paused_gc():
            st = os.fstat(fh.fileno())
            data = fh.read()  # one copy: what is hashed, selected and checked are the same bytes
            memo = verified.recall(self.path, data, st) if select is not None else None
            if memo is not None:
                kept = [r for r in _selected(data, memo.offset, select) if keep(r)]
                reader = Reader(self.path, memo.seq, memo.hash, memo.offset)
                rest = io.BytesIO(data)
                rest.seek(memo.offset)
            else:
                kept = []
                rest = io.BytesIO(data)
                header, reader = file.start(rest)
                if header is None:
                    self._scanned = reader
                    return []
            kept += [r for r in reader.shown(rest) if keep(r)]
            if select is not None and reader.end > (memo.offset if memo else 0):
                verified.remember(self.path, data, st, reader)
        self._scanned = reader
        return kept

    def entry_records(self, entry_ids) -> dict[str, dict]:
        """The stored records of the entries `entry_ids`, found by their ids in one pass over the
        file (a byte search), each only if its content hashes to the hash it carries and the
        last scan vouched for its #seq."""
        import re

        import orjson

        wanted = sorted(set(entry_ids))
        if self.team.joined:
            keep = set(wanted)
            return {r["id"]: raw(r) for r in self.records() if r["id"] in keep and r["kind"] not in model.META_KINDS}
        data = self.storage.file._map() if wanted else None
        if data is None:
            return {}
        scanned = self._reader()
        found: dict[str, dict] = {}
        pattern = re.compile(b'"id":"(' + b"|".join(re.escape(i.encode()) for i in wanted) + b')"')
        with data:
            for hit in pattern.finditer(data):
                start = data.rfind(b"\n", 0, hit.start()) + 1
                stop = data.find(b"\n", hit.end())
                try:
                    record = orjson.loads(data[start : stop if stop >= 0 else len(data)])
                except orjson.JSONDecodeError:
                    continue
                entry_id = hit.group(1).decode()
                if (
                    record.__class__ is dict
                    and record.get("id") == entry_id
                    and record.get("hash") == record_hash(record)
                    and scanned is not None
                    and record.get("seq", 0) <= scanned.seq
                ):
                    found.setdefault(entry_id, record)
        return found

    def reread(self, seq: int, seen_hash: str) -> dict:
        """Record #seq again, after a scan() that checked it and dropped it: found by
        bisecting byte offsets (a few lines read), and refused unless its content still
        hashes to `seen_hash`, so it is the record the chain vouched for."""
        record = self.storage.file.find_seq(seq)
        if record is None or record.get("hash") != seen_hash or record_hash(record) != seen_hash:
            raise PmjournalError(
                _("{path} changed while it was read (at #{seq}); run the command again").format(path=self.path, seq=seq)
            )
        return record

    def _reader(self):
        """The Reader that read what this journal shows: the full load's, else the last scan's."""
        return self.storage.reader if self.storage.loaded else self._scanned

    @property
    def views(self) -> dict[str, dict]:
        if self._views is None:
            records = self.records()
            with paused_gc():
                self._views = fold(records)
        return self._views

    def take_views(self) -> tuple[dict[str, dict], "People"]:
        """The folded views and people, handed over: the journal stops updating them.

        For a reader that keeps them as an immutable snapshot (the TUI, reading
        on one thread while a worker writes): later appends are then not folded
        into them in place. The next access to `views` folds afresh.
        """
        views, people = self.views, self.people
        self._views = self._people = None
        return views, people

    def _still_there(self, target: dict) -> None:
        """Under the lock, after a refresh: the entry resolved before is still in the file."""
        if "author" in target:
            return  # a colleague's: their chain only grows here (a sync refuses anything else)
        record = self.by_seq(target["seq"])  # bisects byte offsets while the journal is not loaded
        if record is None or record["id"] != target["id"]:
            raise NotFound(
                _("{target} is no longer in the journal (the file was replaced since it was read); nothing was saved").format(
                    target=ref_of(target)
                )
            )

    def view_of(self, entry_id: str, vouched: bool = False) -> dict:
        """One entry's own record with its amendments and retraction applied.

        Folded from that entry's records alone, so derived state (a decision
        shown as superseded because another supersedes it) is not in it: an
        amendment compares against, and records, what was stored, whichever
        process makes it and whatever it has loaded.

        `vouched`: the entry is about to be corrected (amended, retracted, a loop
        closed): each of its records must still hash to what it carries, or the
        correction is refused. A write from the CLI reads only these records, so an
        owner edited in the file was amended with rc 0, the forged value written
        into the history as the old one.
        """
        view, records = self._view_and_records(entry_id)
        if vouched:
            for record in records:
                if record.get("hash") != record_hash(raw(record)):
                    raise PmjournalError(
                        _(
                            "{ref} fails verification: record {record} no longer matches its hash (it was altered after "
                            "it was recorded); nothing was saved. Run `pmjournal verify`"
                        ).format(ref=ref_of(view), record=ref_of(record))
                    )
        return view

    def _view_and_records(self, entry_id: str) -> tuple[dict, list[dict]]:
        if self.storage.loaded:
            mine = [stored(r) for r in self.records() if r["id"] == entry_id or r.get("target") == entry_id]
        else:
            # Not loaded (a write from the CLI): the entry's lines found by a byte search of
            # each chain file, as resolve() finds an id prefix, so an amendment of a
            # 1,000,000-record journal does not parse it all.
            # One pass for the entry and its corrections: each line holds the quoted id.
            mine = self._searched(
                b'"' + entry_id.encode() + b'"', lambda r: r.get("id") == entry_id or r.get("target") == entry_id, 1 << 40
            )
        return fold(mine)[entry_id], mine

    def entries(self, include_retracted: bool = True) -> list[dict]:
        views = self.views.values()
        return list(views) if include_retracted else [v for v in views if not v["retracted"]]

    @property
    def people(self) -> "People":
        if self._people is None:
            from .people import People

            people = People()
            for view in self.views.values():
                people.learn(view)
            self._people = people
        return self._people

    def refresh(self) -> list[dict]:
        """Load what other processes appended; return the new records.

        If the file was replaced underneath us (a backup restored, a sync
        tool), everything is reloaded and every record is returned; watch
        `generation` to tell the two apart.
        """
        new = self.storage.refresh()
        if new is None:
            self._invalidate()
            return self.records()
        if self.team.joined and self._colleagues.chains is not self._colleagues.current():
            # A sync brought colleagues' records: they fall anywhere in the clock order.
            self._team_generation += 1
            self._invalidate()
            return self.records()
        self._absorb(new)
        return new

    @property
    def generation(self) -> int:
        """Bumped each time the file was found replaced, or a sync brought colleagues'
        records, and everything was reloaded from scratch."""
        return self.storage.generation + self._team_generation

    @property
    def broken(self) -> tuple[int, str] | None:
        """(#seq, why) of the first loaded record the chain does not vouch for, or None."""
        reader = self._reader()
        return reader.broken if reader else None

    def require_verified(self, refused: str, hint: str | None = None, *, every_chain: bool = False) -> None:
        """Load (checking every record up to the head) and refuse, with one line, to go on
        when the chain does not vouch for the journal (errors.refuse_unverified).
        `every_chain`: an export's check, every byte of every chain (verify.require_every_chain)."""
        self.records()
        refuse_unverified(self.broken, refused, hint)
        if every_chain:
            from .verify import require_every_chain

            require_every_chain(self, hint)

    def notices(self) -> list[str]:
        """What the user should know about the file beyond the records read or written."""
        out = list(self.storage.file.notices)
        if self.team.joined:
            out += self._colleagues.notices()
        reader = self._reader()
        if reader and reader.unfinished:
            out.append(unfinished_note(reader.unfinished))
        return out

    def _absorb(self, records: list[dict] | None) -> None:
        """Bring the folded views up to date with records just appended
        (None: the file was replaced and reloaded, so fold afresh)."""
        if records is None:
            self._invalidate()
            return
        if not records:
            return
        self.table.clear_cache()
        if self._views is None:
            return
        extended = extend(self._views, records)
        if extended is None:
            self._invalidate()
            return
        self._views = extended[0]
        if self._people is not None:
            for record in records:
                if record["kind"] not in model.META_KINDS:
                    self._people.learn(record)
                elif record["kind"] == "amendment":
                    self._people.learn(record.get("changes", {}))

    def _invalidate(self) -> None:
        self._views = None
        self._people = None
        self.table.clear_cache()

    def head(self) -> tuple[int, str]:
        """(last #seq, its hash) of this author's chain: what an export prints so a copy can be checked."""
        records = self.own_records()
        if not records:
            return 0, GENESIS
        return records[-1]["seq"], records[-1]["hash"]

    # -- resolving what people type ------------------------------------

    def resolve(self, ref) -> dict:
        """The record that `#42`, `42`, `dana#42` or a unique id prefix names (refs.py)."""
        return references.resolve(ref, self)

    # refs.Lookups over the loaded journal (or, before it is loaded, byte searches of the file)
    def own_handle(self) -> str | None:
        return self.team.handle

    def colleague_handles(self) -> list[str]:
        return list(self.team.colleagues())

    def by_seq(self, seq: int) -> dict | None:
        if self.storage.loaded:
            return self._looked_again(lambda: self.table.get(doc_id=seq))
        record = self.storage.file.find_seq(seq)  # bisects byte offsets: no full parse on the add path
        if record is None:
            self.storage.file.check_existing()
            last = self.storage.file.last_seq()
            if last is None or 0 < seq <= last:
                # #seq should be there: the bisection met a line it could not read. What a read
                # says of the file (damaged at line N), not "no entry #seq", as `amend` did.
                self.records()
                return self.table.get(doc_id=seq)
        return record

    def by_prefix(self, prefix: str) -> list[dict]:
        if self.storage.loaded:
            return self._looked_again(lambda: [r for r in self.records() if r["id"].startswith(prefix)][:2])
        found = self._searched(b'"id":"' + prefix.encode(), lambda r: str(r.get("id", "")).startswith(prefix), 3)[:2]
        if not found:
            self.storage.file.check_existing()  # not a journal, or a newer pmjournal's: said as a read says it
        return found

    def _searched(self, needle: bytes, match, limit: int) -> list[dict]:
        """The records whose line holds `needle` and that `match`, up to `limit` a chain, as a
        load would give them, found by byte searches of each file (storage.find_lines) so a
        write parses none of the journal. In a team, every colleague's copy too, in the team's
        order (merge.merged: a colleague's record named by author and ref, one reusing an id
        an earlier record has left out)."""
        own = self.storage.file.find_lines(needle, match, limit)
        if not self.team.joined:
            return own
        own_handle = self.team.handle
        keyed = [(clock_of(r), own_handle, r["seq"], r) for r in own]
        files = {handle: JournalFile(path) for handle, path in self.team.colleagues().items()}
        for handle, file in files.items():
            for record in file.find_lines(needle, match, limit):
                record["author"], record["ref"] = handle, f"{handle}#{record['seq']}"
                keyed.append((clock_of(record), handle, record["seq"], record))
        keyed.sort(key=lambda item: item[:3])
        seen = {r["id"] for *_key, r in keyed if "author" not in r}
        out = []
        for *key, record in keyed:
            if "author" in record:
                if record["id"] in seen or self._taken(record["id"], tuple(key), files):
                    continue
                seen.add(record["id"])
            out.append(record)
        return out

    def _taken(self, record_id: str, key: tuple, files: dict) -> bool:
        """Whether a record found by other means than its id (a colleague's amendment of the
        entry) reuses the id of one of this author's records or of a colleague's earlier one."""
        needle, match = b'"id":"' + record_id.encode() + b'"', lambda r: r.get("id") == record_id
        if self.storage.file.find_lines(needle, match, 1):
            return True
        return any(
            (clock_of(r), handle, r["seq"]) < key for handle, file in files.items() for r in file.find_lines(needle, match, 3)
        )

    def in_chain(self, handle: str, seq: int) -> dict | None:
        wanted = f"{handle}#{seq}"
        if not self.storage.loaded:
            path = self.team.colleagues().get(handle)
            record = JournalFile(path).find_seq(seq) if path is not None else None
            if record is not None:
                record["author"], record["ref"] = handle, wanted
            return record

        def look() -> dict | None:
            for chain in self._colleagues.current():
                if chain.handle == handle:
                    for record in chain.records[seq - 1 : seq]:
                        if record["ref"] == wanted:
                            return record
            return None

        return self._looked_again(look)

    def _looked_again(self, look):
        """look() in what this journal loaded, and once more after catching up if it found
        nothing: an entry another process added (or a sync brought) is not in it yet. The app
        started on an empty journal could not amend, retract or link an entry `pmjournal add`
        made, though its trail (from the index) showed it ("no entry with an id starting …")."""
        found = look()
        if not found:
            self.refresh()
            found = look()
        return found

    def entry_ref(self, entry_id: str) -> str | None:
        try:
            return ref_of(self.view_of(entry_id))
        except KeyError:
            return None

    def chains(self) -> dict[str, list[dict]]:
        """Each chain this journal holds, by name, its records in #seq order: this author's
        own ("journal", or its handle in a team) and, in a team journal, each colleague's."""
        out = {self.team.handle or "journal": self.own_records()}
        if self.team.joined:
            for chain in self._colleagues.current():
                out[chain.handle] = chain.records
        return out

    def records_of(self, entry_ids) -> list[dict]:
        """The records of these entries (each entry, its amendments, retractions and loop
        records), in journal order: what an export of them carries."""
        ids = set(entry_ids)
        return [r for r in self.records() if r["id"] in ids or r.get("target") in ids]

    def chain_leaves(self) -> dict[str, list[bytes]]:
        """Each chain's Merkle leaves (evidence/merkle.chain_leaves), by chain name as chains()."""
        from .evidence.merkle import chain_leaves

        return {name: chain_leaves(records) for name, records in self.chains().items()}

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        """(#seq, hash) of the last record of each chain that has one, by chain name as chains()."""
        return {name: (records[-1]["seq"], records[-1]["hash"]) for name, records in self.chains().items() if records}

    def signing_keys(self) -> list[dict]:
        """The `key` records of this author's chain, oldest first: each says from which #seq on
        exports were signed with which SSH key (a key change is a record like any other)."""
        return [r for r in self.own_records() if r["kind"] == "key"]

    def signer(self, path, known: list[dict] | None = None):
        """(SigningKey, PublicKey, fingerprint, the key record written now or None) for the key
        at `path` (config signing_key), after refusing one that cannot sign without a prompt and
        recording it in the journal the first time it signs (so a key change is a visible
        record). Before anything is written. `known`: signing_keys(), when the caller has them."""
        from .evidence.signing import SigningKey

        key = SigningKey(path)
        key.check()
        public = key.public()
        fingerprint = public.fingerprint()
        recorded = self.record_key(public.line, fingerprint, known)
        return key, public, fingerprint, recorded

    def record_key(self, public_line: str, fingerprint: str, known: list[dict] | None = None) -> dict | None:
        """Record the key exports are now signed with, unless it is already the last one recorded."""
        known = self.signing_keys() if known is None else known
        blob = " ".join(public_line.split()[:2])
        if known and " ".join(known[-1]["public_key"].split()[:2]) == blob:
            return None
        body = self._stamp({"kind": "key", "public_key": public_line, "fingerprint": fingerprint})
        try:
            return self._save(body)
        except StoreError as err:
            # A read-only journal said only "cannot create the lock file …; nothing was saved"
            # of an export: why an export writes at all is the key's record.
            raise StoreError(
                _("the signing key {fingerprint} is recorded in the journal before it signs its first export, and it could not be: {reason}").format(
                    fingerprint=fingerprint, reason=err
                )
            ) from err

    def resolve_entry(self, ref) -> dict:
        return references.resolve_entry(ref, self)

    def get(self, ref) -> dict:
        """The folded view of the entry `ref` names."""
        return self.views[self.resolve_entry(ref)["id"]]

    def by_id(self, entry_id: str) -> dict | None:
        return self.views.get(entry_id)

    # -- writing -------------------------------------------------------

    def _stamp(self, body: dict, view: dict | None = None) -> dict:
        body["id"] = new_id()
        body["recorded_at"] = dates.utc_stamp()
        body["recorded_by"] = self.user
        if self.team.joined and view is not None and view["history"]:
            body["seen"] = view["history"][-1]["id"]  # the last correction seen: see fold.apply
        return body

    def _link_values(self, kind: str, links: dict, own_id: str | None = None) -> list[dict]:
        out = []
        for rel, refs in links.items():
            if rel not in model.LINK_RELS:
                raise ValidationError(_("unknown link {rel!r}").format(rel=rel), field="links")
            for ref in refs or ():
                target = self.resolve_entry(ref)
                if target["id"] == own_id:
                    raise ValidationError(
                        _("{target} cannot be linked to itself").format(target=ref_of(target)), field="links", part=rel
                    )
                if rel == "supersedes" and (kind != "decision" or target["kind"] != "decision"):
                    raise ValidationError(
                        _("only a decision can supersede a decision ({target} is {a_kind})").format(
                            target=ref_of(target), a_kind=model.a_kind(target["kind"])
                        ),
                        field="links",
                        part=rel,
                    )
                link = {"rel": rel, "to": target["id"]}
                if link not in out:  # `--supersedes 1 --supersedes #1` is one link
                    out.append(link)
        return out

    @staticmethod
    def _not_superseded_by_hand(changes: dict) -> None:
        # "superseded" is what the journal shows once a later decision supersedes
        # this one; typed by hand it would claim a supersession nobody recorded.
        status = changes.get("status")
        if isinstance(status, str) and status.strip().lower() == "superseded":
            raise ValidationError(
                _(
                    "status superseded is shown once a later decision supersedes this one: record that decision with a supersedes link"
                ),
                field="status",
            )

    def prepare(self, kind: str, values: dict, links: dict | None = None) -> dict:
        """Validate a new entry without saving it (forms use this to show errors)."""
        self._not_superseded_by_hand(values)
        values = dict(values)
        if links:
            values["links"] = list(values.get("links") or []) + self._link_values(kind, links)
        entry = model.build_entry(kind, values)
        # New entries and amendments only: an import keeps what its journal held.
        model.check_due_dates(entry)
        self._links_in_order(entry)
        return entry

    def _links_in_order(self, entry: dict) -> None:
        """Refuse a cause, or a superseded decision, dated a later day than the entry (read in
        the entry's own offset): `--when "3 days ago" --caused-by` a decision made today was
        taken, and the trail and Trace showed the change before what caused it. The same day
        is let through: a When typed without an hour is only as exact as the day. The target
        is folded from its records (a byte search of the file from the CLI, as amend makes)."""
        when = entry.get("occurred_at") or ""
        day = when[:10]
        if day >= dates.day_in_offset_of(dates.iso(dates.now()), when):
            return  # dated today (most adds): nothing recorded happened on a later day
        for link in entry.get("links") or ():
            if link.get("rel") not in ("caused_by", "supersedes"):
                continue
            # Folded, not its first record: an amendment may have moved its When either way (a
            # cause amended to a later day let an effect dated before it through; a review).
            try:
                target = self.view_of(link["to"])  # a link holds the target's id
            except KeyError:
                continue  # not held here (a colleague's entry not synced yet): nothing to compare
            later = dates.day_in_offset_of(target.get("occurred_at"), when)
            if later <= day:
                continue
            said = (
                _("{target} was decided on {later}, after this decision ({day}): a decision supersedes an earlier one")
                if link["rel"] == "supersedes"
                else _("{target} happened on {later}, after this entry ({day}): what caused it came before it; check When or the link")
            )
            raise ValidationError(
                said.format(target=ref_of(target), later=later, day=day), field="links", part=link["rel"]
            )

    def _still_before_its_effects(self, view: dict, when: str) -> None:
        """Refuse to move a cause, or a superseded decision, to a later day than an entry that
        names it (_links_in_order's rule, from the other end): a decision amended to the 28th
        read as the cause of an outage on the 25th, and Trace showed it so."""
        if not isinstance(when, str) or when[:10] <= str(view.get("occurred_at") or "")[:10]:
            return  # moved earlier, or within its day: nothing that names it can now come first
        entry_id = view["id"]

        def rels_to_it(links) -> set:
            """How `links` name this entry: as a cause, as the decision superseded, or not."""
            if not isinstance(links, list):
                return set()
            return {
                link.get("rel")
                for link in links
                if isinstance(link, dict) and link.get("to") == entry_id and link.get("rel") in ("caused_by", "supersedes")
            }

        def names_it(record: dict) -> bool:
            links = (record.get("changes") or {}).get("links") if record.get("kind") == "amendment" else record.get("links")
            return bool(rels_to_it(links))

        if self.storage.loaded:
            found = [r for r in self.records() if names_it(r)]
        else:
            found = self._searched(b'"' + entry_id.encode() + b'"', names_it, 1 << 40)
        for effect_id in dict.fromkeys(r["target"] if r.get("kind") == "amendment" else r["id"] for r in found):
            try:
                effect = self.view_of(effect_id)
            except KeyError:
                continue
            rels = rels_to_it(effect.get("links"))
            if effect["retracted"] or not rels:
                continue  # retracted, or the link was amended away
            effect_when = effect.get("occurred_at")
            if not isinstance(effect_when, str):
                continue
            day, later = effect_when[:10], dates.day_in_offset_of(when, effect_when)
            if later > day:
                said = (
                    _("{effect} ({day}) supersedes this decision: it cannot move to {later}, after the decision that superseded it")
                    if "supersedes" in rels
                    else _("{effect} ({day}) names this entry as a cause: it cannot move to {later}, after what it caused; check When or the link")
                )
                raise ValidationError(said.format(effect=ref_of(effect), day=day, later=later), field="occurred_at")

    def add(self, kind: str, values: dict, links: dict | None = None) -> dict:
        """Record a new entry; `links` maps rel -> references (#seq, ids)."""
        body = self._stamp(self.prepare(kind, values, links))
        return self._save(body)

    def _save(self, body: dict) -> dict:
        return self.append_raw([body])[0]

    @contextlib.contextmanager
    def _checked_write(self):
        """Hold the write lock from the checks to the append.

        Checks such as "already retracted" must see what other processes
        wrote, and nothing may slip in between: two `retract 7` at once would
        otherwise both pass and both write.
        """
        with self.storage.file.locked():
            if self.storage.loaded:
                self.refresh()
            # else the checks read the files themselves, under the lock (view_of, by_seq, and in a
            # team every chain copy's file): a write from the CLI never parses the whole journal.
            yield

    def amend(self, ref, changes: dict, reason: str, links: dict | None = None) -> dict:
        target = self.resolve_entry(ref)
        reason = model.require_reason(reason)
        self._not_superseded_by_hand(changes)
        with self._checked_write():
            self._still_there(target)
            view = self.view_of(target["id"], vouched=True)
            changes = dict(changes)
            if links:
                changes["links"] = list(view.get("links") or []) + self._link_values(target["kind"], links, target["id"])
            cleaned = model.clean_changes(target["kind"], changes)
            if view["retracted"]:
                raise ValidationError(_("{target} is retracted; it cannot be amended").format(target=ref_of(target)))
            cleaned = {k: v for k, v in cleaned.items() if view.get(k) != v}
            if not cleaned:
                raise ValidationError(_("nothing to amend: every value is already as given"))
            model.check_due_dates({**view, **{k: v for k, v in cleaned.items() if v is not None}})
            if "links" in cleaned or "occurred_at" in cleaned:
                self._links_in_order({**view, **cleaned})
            if "occurred_at" in cleaned:
                self._still_before_its_effects(view, cleaned["occurred_at"])
            self._keeps_its_loops(view, cleaned)
            self._no_supersession_cycle(view, cleaned)
            body = self._stamp({"kind": "amendment", "target": target["id"], "changes": cleaned, "reason": reason}, view)
            return self._save(body)

    @staticmethod
    def _keeps_its_loops(view: dict, cleaned: dict) -> None:
        """A loop record (done, re-opened) names its commitment by place (commitment-2) and
        happened on a day: an amendment may not move either from under it. Reordering the
        commitments gave Tom's 'done' to Ann's item, and a When moved past a done record
        read 'done 2 Dec' for an escalation raised on the 3rd. Who owes it may be corrected
        ("Dana" to "Dana Whitfield", a user trial could not): the item stays, its history
        says who it was."""
        events = [e for e in view.get("history") or () if e.get("kind") == "loop"]
        if not events:
            return
        old, new = view.get("commitments"), cleaned.get("commitments", view.get("commitments"))
        if "commitments" in cleaned and isinstance(old, list):
            new = new if isinstance(new, list) else []
            for key in sorted({e["loop"] for e in events if str(e.get("loop", "")).startswith("commitment-")}):
                n = int(key.rsplit("-", 1)[1])
                if n > len(old):
                    continue
                before = old[n - 1]
                after = new[n - 1] if n <= len(new) else None
                if after is None or after.get("what") != before.get("what"):
                    raise ValidationError(
                        _(
                            "commitment {n} ({what}, owed by {who}) already has a done or re-opened record: it must stay "
                            "commitment {n}, owing the same thing (who owes it may be corrected); add new commitments after the last one"
                        ).format(n=n, what=before.get("what"), who=before.get("who")),
                        field="commitments",
                    )
        when = cleaned.get("occurred_at")
        if when:
            first = min(events, key=lambda e: _instant(e["occurred_at"]))
            day = dates.day_in_offset_of(first["occurred_at"], when)
            if when[:10] > day:
                raise ValidationError(
                    _("its loop {loop} was marked done or re-opened on {day}: the entry cannot have happened after that").format(
                        loop=first.get("loop"), day=day
                    ),
                    field="occurred_at",
                )

    def _no_supersession_cycle(self, view: dict, cleaned: dict) -> None:
        """A decision may not supersede one that already supersedes it, directly or through
        others: each would then read "superseded", and no decision would stand."""
        if "links" not in cleaned:
            return
        had = {(link["rel"], link["to"]) for link in view.get("links") or ()}
        added = [link["to"] for link in cleaned["links"] or () if link["rel"] == "supersedes" and ("supersedes", link["to"]) not in had]
        for start in added:
            seen, queue = set(), [start]
            while queue:
                entry_id = queue.pop()
                if entry_id in seen:
                    continue
                seen.add(entry_id)
                try:
                    linked = self.view_of(entry_id)
                except (KeyError, NotFound):
                    continue  # a link to an entry this journal does not hold (a refused colleague's)
                if linked.get("retracted"):
                    continue  # a retracted decision supersedes nothing (fold.link_pass)
                for link in linked.get("links") or ():
                    if link["rel"] != "supersedes":
                        continue
                    if link["to"] == view["id"]:
                        other = self.view_of(start)
                        raise ValidationError(
                            _(
                                "{other} already supersedes {target} (directly or through later decisions): "
                                "the two cannot supersede each other"
                            ).format(other=ref_of(other), target=ref_of(view)),
                            field="links",
                            part="supersedes",
                        )
                    queue.append(link["to"])

    def retract(self, ref, reason: str) -> dict:
        target = self.resolve_entry(ref)
        reason = model.require_reason(reason)
        with self._checked_write():
            self._still_there(target)
            view = self.view_of(target["id"], vouched=True)
            if view["retracted"]:
                raise ValidationError(_("{target} is already retracted").format(target=ref_of(target)))
            body = self._stamp({"kind": "retraction", "target": target["id"], "reason": reason}, view)
            return self._save(body)

    def close_loop(self, ref, loop: str | None = None, *, state: str = "done", answer_days: int = ANSWER_DAYS, **values) -> dict:
        """Record that one of the entry's loops was closed (state "done": the
        follow-up sent, the review held, the commitment met, the answer received)
        or re-opened (state "open"). `loop` names it when the entry has several
        (loops.choose); `values`: occurred_at (when it happened, default now),
        by (who did it, default the one person who owed it), note."""
        from . import loops

        target = self.resolve_entry(ref)
        with self._checked_write():
            self._still_there(target)
            view = self.view_of(target["id"], vouched=True)
            if isinstance(values.get("by"), str) and values["by"].strip():
                values["by"] = _named_in(view, values["by"].strip())
            body = model.build_loop(target["id"], {**values, "loop": "follow-up", "state": state})
            today = datetime.fromisoformat(body["occurred_at"]).date()
            chosen = loops.choose(view, loop, today, answer_days, state)
            body["loop"] = chosen.key
            if datetime.fromisoformat(body["occurred_at"]) > dates.now() + FUTURE_SLACK:
                # "tomorrow" in the Done dialog took the loop off the Due list a day early.
                raise ValidationError(
                    (
                        _("{ref}: its {loop} cannot be done in the future ({when})")
                        if state == "done"
                        else _("{ref}: its {loop} cannot be re-opened in the future ({when})")
                    ).format(ref=ref_of(view), loop=loops.label(chosen), when=body["occurred_at"][:16].replace("T", " ")),
                    field="occurred_at",
                )
            # Days compared in the entry's own offset: 20:00 -05:00 on the 20th is the 21st for an
            # entry at 01:00 +08:00 on the 21st (a string comparison of the two dates refused it).
            done_day = dates.day_in_offset_of(body["occurred_at"], view["occurred_at"])
            if done_day < view["occurred_at"][:10]:
                raise ValidationError(
                    (
                        _("{ref} happened on {day}; its {loop} cannot be done before that ({when})")
                        if state == "done"
                        else _("{ref} happened on {day}; its {loop} cannot be re-opened before that ({when})")
                    ).format(ref=ref_of(view), day=view["occurred_at"][:10], loop=loops.label(chosen), when=done_day),
                    field="occurred_at",
                )
            self._after_the_loops_last_step(view, chosen, body, state)
            if chosen.type == "answer" and state == "done" and "by" in body and not _one_of(body["by"], chosen.owes):
                # Only those it was raised to can answer an escalation: "answered by" anyone
                # else closed it while the people asked stayed silent (a user trial).
                from .display import list_separator

                raise ValidationError(
                    _("{ref} was raised to {names}, not {by}: if {by} answered, amend its Raised to first").format(
                        ref=ref_of(view), names=list_separator().join(chosen.owes), by=body["by"]
                    ),
                    field="by",
                )
            if "by" not in body and state == "done":
                if len(chosen.owes) == 1:
                    body["by"] = chosen.owes[0]
                elif chosen.type == "answer":
                    from .display import list_separator

                    names = list_separator().join(chosen.owes)
                    raise ValidationError(
                        _("{ref} was raised to {names}: say which of them answered").format(ref=ref_of(view), names=names),
                        field="by",
                    )
            return self._save(self._stamp(body, view))

    @staticmethod
    def _after_the_loops_last_step(view: dict, chosen, body: dict, state: str) -> None:
        """A loop's story runs forward: re-opened not before the done it re-opens, done again not
        before that re-opening (a re-opening dated before its done read 'done 1 Dec, re-opened
        22 Nov', and the loop stayed open)."""
        from . import loops

        steps = [e for e in view.get("history") or () if e.get("kind") == "loop" and e.get("loop") == chosen.key]
        if not steps:
            return
        last = steps[-1]
        try:
            late = datetime.fromisoformat(body["occurred_at"]) < datetime.fromisoformat(last["occurred_at"])
        except (TypeError, ValueError):
            return  # a date only a colleague's chain could hold: the chain's checks said so
        if late:
            raise ValidationError(
                (
                    _("its {loop} was re-opened on {when}: it cannot be done before that")
                    if state == "done"
                    else _("its {loop} was done on {when}: it cannot be re-opened before that")
                ).format(loop=loops.label(chosen), when=last["occurred_at"][:16].replace("T", " ")),
                field="occurred_at",
            )

    def append_raw(self, bodies: list[dict]) -> list[dict]:
        """Append already-validated record bodies in one locked write; return them sealed.

        Every write ends here (add, amend, retract, import, demo): TinyDB's
        insert_multiple on the journal's EntryTable, one batch whatever its
        size. The records it reports new to the cache (ours, and whatever
        another process appended before them) are folded into loaded views.
        """
        if not bodies:
            return []
        inserted = self.table.insert_multiple(bodies)
        self._absorb(inserted.new)
        return inserted.records
