"""Reads answered from the index: what a command asks for, not the whole journal.

IndexedReads offers what the CLI's reading commands used from a loaded Journal
(select, get, views, people, broken, notices, the `who` table, the entries that
may hold open loops), reading only the rows that answer. A Filter is turned
into SQL that selects the same entries (query.Filter.criteria, one clause per
criterion), then Filter.apply runs on what comes back, so the result is the
core's definition even where SQL might differ in a corner.
"""

import contextlib
import math
import sqlite3
from array import array
from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import orjson

from .. import refs
from ..bounded import Bounded
from ..chain import GENESIS
from ..errors import PmjournalError, refuse_unverified
from ..evidence import merkle
from ..fold import raw, ref_of
from ..i18n import _
from ..people import People
from ..query import WHO_COLUMNS, Filter, named_or_own
from ..storage import paused_gc
from .build import _marks, block_leaves
from .rows import NAMED

_ORDER_TIME = "ORDER BY ts, seq, clock, handle"
_ORDER_JOURNAL = "ORDER BY clock, handle, seq"


def _loads(rows) -> list[dict]:
    # Views hold no cycles: the collector, run every 700 containers, only rescans them
    # (`due` at 1M loads 14,000 views, 13 MB of JSON: 0.2 s with it, 0.12 s without).
    # Not frozen: a stream loads a chunk at a time, in a process that goes on.
    loads = orjson.loads
    with paused_gc(freeze=False):
        return [loads(blob) for (blob,) in rows]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def where_of(filt: Filter, fts: bool = True) -> tuple[str, list]:
    """SQL conditions over `views` selecting what filt.criteria() keeps. Without `fts`, text is
    tested by instr() alone (exact, as with it): over a few rows already chosen, the trigram
    index would first find its every match in the journal (paging.Paged.quick_hits)."""
    clauses: list[str] = []
    params: list = []

    def attr(col: str, val=None) -> None:
        if val is None:
            clauses.append("vid IN (SELECT vid FROM attrs WHERE col = ?)")
            params.append(col)
        else:
            clauses.append("vid IN (SELECT vid FROM attrs WHERE col = ? AND val = ?)")
            params.extend((col, val))

    for crit in filt.criteria():
        column, value = crit.column, crit.value
        if column == "kind":
            clauses.append(f"kind IN ({_marks(len(value))})")
            params.extend(sorted(value))
        elif column == "project":
            clauses.append("project = ?")
            params.append(value)
        elif column in ("tags", "causes"):
            for one in value:
                attr(column[:-1], one)
        elif column == "time":
            lo, hi = value
            if lo != -math.inf:
                clauses.append("ts >= ?")
                params.append(lo)
            if hi != math.inf:
                clauses.append("ts <= ?")
                params.append(hi)
        elif column.startswith("role:"):
            if value is None:
                attr(column)
            else:
                for one in value:
                    attr(column, one)
        elif column == "people":
            for one in value:
                clauses.append(f"vid IN (SELECT vid FROM attrs WHERE col IN ({_marks(len(NAMED))}) AND val = ?)")
                params.extend((*NAMED, one))
        elif column == "author":
            # query.named: the value itself, or a name starting with it as a word; named_or_own:
            # also this machine's own records, whose views the index orders under its handle
            # (index._sources) and which have no author of their own
            own = " OR handle = ?" if crit.test is named_or_own else ""
            clauses.append(f"(vid IN (SELECT vid FROM attrs WHERE col = 'author' AND (val = ? OR (val > ? AND val < ?))){own})")
            params.extend((value, value + " ", value + "!", *((value,) if own else ())))
        elif column == "retracted":
            clauses.append("retracted = 0")
        elif column == "text":
            terms = [t.decode() for t in value]
            long = [t for t in terms if len(t) >= 3]
            # The trigram index finds the entries holding every trigram of the long terms (a
            # superset: it keeps no positions); instr() then keeps those where each term is
            # a substring, as query.holds does (casefolded UTF-8 both ways). A term below
            # three characters has no trigram: instr() alone, over the other criteria's rows.
            if long and fts:
                grams = dict.fromkeys(t[i : i + 3] for t in long for i in range(len(t) - 2))
                clauses.append("vid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
                params.append(" AND ".join(map(_fts_phrase, grams)))
            checks = " AND ".join("instr(hay, ?) > 0" for _ in terms)
            clauses.append(f"EXISTS (SELECT 1 FROM hays WHERE hays.vid = views.vid AND {checks})")
            params.extend(terms)
        else:
            raise ValueError(f"no index column for {column!r}")
    return (" AND ".join(clauses) or "1"), params


class IndexedViews(Mapping):
    """id -> folded view, read from the index one entry at a time (trace, links, export)."""

    def __init__(self, db):
        self._db = db
        self._cache: dict[str, dict] = {}

    def __getitem__(self, entry_id: str) -> dict:
        view = self._cache.get(entry_id)
        if view is None:
            row = self._db.execute("SELECT view FROM views WHERE id = ?", (entry_id,)).fetchone()
            if row is None:
                raise KeyError(entry_id)
            view = self._cache[entry_id] = orjson.loads(row[0])
        return view

    @property
    def bounded(self) -> "IndexedViews":
        """The same look-ups, keeping only the last few thousand: for a reader of most of a
        large journal (an export's links and cause traces), where a cache would end up
        holding all of it. Links mostly point at recent entries, which stay kept."""
        views = IndexedViews(self._db)
        views._cache = Bounded(5000)
        return views

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM views").fetchone()[0]

    def __iter__(self):
        for (entry_id,) in self._db.execute(f"SELECT id FROM views {_ORDER_JOURNAL}"):
            yield entry_id

    def values(self):
        for part in self._db.execute(f"SELECT view FROM views {_ORDER_JOURNAL}"):
            yield orjson.loads(part[0])


class IndexedPeople(People):
    """people.People (display, all, complete) over the index's `people` table: the first
    spelling of each person some entry names now, a few hundred rows, read once. (The table
    keeps a name an amendment replaced: "Dana" corrected to "Dana Whitfield" kept `@dana`
    meaning a Dana no entry names, and the trail empty; a journal loaded whole, or an index
    built afresh, never knew it.)"""

    def __init__(self, db):
        super().__init__()
        self._display = dict(
            db.execute("SELECT pkey, display FROM people WHERE pkey IN (SELECT pkey FROM counts WHERE col = 'all' AND n > 0)")
        )


class ChainLeaves(Sequence):
    """One chain's Merkle leaves (record hashes as bytes, #1 first) in the index: a proof reads
    the stored block roots and the one block it enters (merkle.BlockTree), never the chain."""

    def __init__(self, db, src: int, size: int):
        self._db, self._src, self._size = db, src, size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._size))]
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError(i)
        row = self._db.execute("SELECT hash FROM records WHERE src = ? AND seq = ?", (self._src, i + 1)).fetchone()
        return bytes.fromhex(row[0])

    def __iter__(self):
        for (h,) in self._db.execute("SELECT hash FROM records WHERE src = ? ORDER BY seq", (self._src,)):
            yield bytes.fromhex(h)

    def _block(self, block: int) -> list[bytes]:
        return block_leaves(self._db, self._src, block)

    def tree(self) -> merkle.BlockTree:
        roots = [r for (r,) in self._db.execute("SELECT root FROM blocks WHERE src = ? ORDER BY block", (self._src,))]
        return merkle.BlockTree(self._size, roots, self._block)


def indexed_values(query, column: str) -> set[str]:
    """query.values_in over the index (`query(sql)` answers its rows): the views' project
    column is casefolded as the filter compares it; tags are `attrs` cells."""
    if column == "project":
        return {row[0] for row in query("SELECT DISTINCT project FROM views WHERE project != ''")}
    return {row[0] for row in query("SELECT DISTINCT val FROM attrs WHERE col = 'tag'")}


class IndexedReads:
    def __init__(self, journal, db, builder, own_row):
        self.journal = journal
        self.db = db
        self.views = IndexedViews(db)
        self.people = IndexedPeople(db)
        self._builder = builder
        broken = own_row[1] if own_row else None
        self.broken: tuple[int, str] | None = (own_row[0], broken) if broken else None
        self.path = journal.path
        self._kept: tuple | None = None  # (the filter, its KeptRecords) of the last stream(keep=True)

    def __len__(self) -> int:
        """How many records (amendments and retractions included), as len(Journal)."""
        # This author's chain holds #1 to #seq, every one of them indexed: no count over 1M rows.
        row = self.db.execute("SELECT seq FROM sources WHERE src = 0").fetchone()
        return row[0] if row else 0

    def known_values(self, column: str) -> set[str]:
        """Every project or tag entries hold (query.values_in), as the index has them."""
        return indexed_values(lambda sql: self.db.execute(sql).fetchall(), column)

    # -- selecting -----------------------------------------------------

    def select(self, filt: Filter, ordered: bool = True) -> list[dict]:
        """Filter.apply(journal.views.values(), ordered), from the rows that can match."""
        where, params = where_of(filt)
        views = _loads(
            self.db.execute(f"SELECT view FROM views WHERE {where} {_ORDER_TIME if ordered else _ORDER_JOURNAL}", params)
        )
        return filt.apply(views, ordered=ordered)

    def stream(self, filt: Filter, chunk: int = 2000, keep: bool = False):
        """select(filt) in time order, a chunk of rows at a time, holding none of them: for a
        command whose answer is most of the journal (`list` of every entry). SQL's order is
        apply's (ts is the same when(), and apply's sort is stable over SQL's tie-breaks).

        `keep`: the ids streamed go to a temporary table (on disk past a few MB, like any
        SQLite temp table) for kept(filt), which reads the records of the same entries."""
        db = self.db
        if keep:
            self._kept = None
            with _temporary():
                db.execute("DROP TABLE IF EXISTS temp.kept")
                db.execute("CREATE TEMP TABLE kept(id TEXT PRIMARY KEY) WITHOUT ROWID")
        where, params = where_of(filt)
        cursor = db.execute(f"SELECT view FROM views WHERE {where} {_ORDER_TIME}", params)
        while rows := cursor.fetchmany(chunk):
            views = filt.apply(_loads(rows), ordered=False)
            if keep:
                with _temporary():
                    db.executemany("INSERT OR IGNORE INTO temp.kept VALUES (?)", [(v["id"],) for v in views])
            yield from views
        if keep:
            self._kept = (filt, None)

    @contextmanager
    def snapshot(self):
        """Every read inside sees the index as the first one did (one read transaction: SQLite's
        WAL keeps that version for it): an export that takes minutes writes its header, its
        entries, its records and its proofs from one state of the journal, though another
        process appends and brings the index up to date meanwhile."""
        self.db.execute("BEGIN")
        try:
            yield self
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")  # nothing was written but the export's temp tables

    def kept(self, filt: Filter) -> "KeptRecords":
        """The records (entries, amendments, retractions, loop records) of what `filt` selects,
        by chain, as evidence/attach.exported_records answers: from the ids the last
        stream(filt, keep=True) kept (streamed again if it was another filter)."""
        if self._kept is None or self._kept[0] is not filt:
            for _view in self.stream(filt, keep=True):
                pass
        if self._kept[1] is None:
            with _temporary():
                self._kept = (filt, KeptRecords(self))
        return self._kept[1]

    def count(self, filt: Filter) -> int:
        """How many entries `filt` selects (SQL alone: a bound for deciding how to read them)."""
        where, params = where_of(filt)
        return self.db.execute(f"SELECT count(*) FROM views WHERE {where}", params).fetchone()[0]

    def selects_any(self, filt: Filter) -> bool:
        """Whether `filt` selects an entry (the first row found ends it: count() reads them all)."""
        where, params = where_of(filt)
        return self.db.execute(f"SELECT 1 FROM views WHERE {where} LIMIT 1", params).fetchone() is not None

    def loop_views(self, include_done: bool = False) -> list[dict]:
        """The entries that may hold a loop (loops.could_open), or only those with one still open."""
        column = "loops" if include_done else "open"
        # `WHERE open`, not `open = 1`: the words of the partial index, or SQLite scans the table
        return _loads(self.db.execute(f"SELECT view FROM views WHERE {column} {_ORDER_JOURNAL}"))

    def any_retracted(self) -> bool:
        """Whether an entry of the journal was retracted (an export without them says it leaves them out)."""
        return self.db.execute("SELECT 1 FROM views WHERE retracted LIMIT 1").fetchone() is not None

    def who_all(self, include_retracted: bool = False) -> list[dict]:
        """query.who over every entry (retracted ones too, or not), from the counts kept as records arrive."""
        rows: dict[str, dict] = {}
        skip = "total" if include_retracted else "all"
        for pkey, col, n in self.db.execute("SELECT pkey, col, n FROM counts WHERE n > 0 AND col != ?", (skip,)):
            row = rows.get(pkey)
            if row is None:
                row = rows[pkey] = {"person": self.people.display(pkey), **{c: 0 for c in WHO_COLUMNS}, "total": 0}
            row["total" if col == "all" else col] = n
        out = [r for r in rows.values() if r["total"]]
        out.sort(key=lambda r: (-r["total"], r["person"].casefold()))
        return out

    # -- one entry -----------------------------------------------------

    def get(self, ref) -> dict:
        return self.views[refs.resolve_entry(ref, self)["id"]]

    def by_id(self, entry_id: str) -> dict | None:
        return self.views.get(entry_id)

    def resolve(self, ref) -> dict:
        return refs.resolve(ref, self)

    def own_handle(self) -> str | None:
        return self.journal.team.handle

    def colleague_handles(self) -> list[str]:
        return list(self.journal.team.colleagues())

    def _record_at(self, where: str, params) -> list[dict]:
        out = []
        for row in self.db.execute(
            f"SELECT rid, src, seq, id, target, clock, handle, off, len FROM records WHERE {where}", params
        ):
            out.append(self._builder._record(row, {}, {}))
        return out

    def records_of(self, entry_ids) -> list[dict]:
        """The records of these entries (each entry, its amendments, retractions and loop
        records), as Journal.records_of, read from their journals by offset."""
        ids = list(entry_ids)
        out: list[dict] = []
        for at in range(0, len(ids), 400):
            part = ids[at : at + 400]
            marks = ",".join("?" * len(part))
            out += self._record_at(f"id IN ({marks}) OR target IN ({marks})", (*part, *part))
        return out

    def by_seq(self, seq: int) -> dict | None:
        found = self._record_at("src = 0 AND seq = ?", (seq,))
        return found[0] if found else None

    def in_chain(self, handle: str, seq: int) -> dict | None:
        found = self._record_at("src = (SELECT src FROM sources WHERE handle = ?) AND seq = ?", (handle, seq))
        return found[0] if found else None

    def by_prefix(self, prefix: str) -> list[dict]:
        # ids are upper-case Crockford base32: every id starting with prefix sorts in [prefix, prefix + "~")
        return self._record_at("id >= ? AND id < ? ORDER BY clock, handle, seq LIMIT 2", (prefix, prefix + "~"))

    def entry_ref(self, entry_id: str) -> str | None:
        view = self.by_id(entry_id)
        return ref_of(view) if view else None

    def _chain_names(self) -> dict[int, str]:
        own = self.journal.team.handle or "journal"
        return {src: handle or own for src, handle in self.db.execute("SELECT src, handle FROM sources")}

    def chain_leaves(self) -> dict[str, "ChainLeaves"]:
        """Each chain's Merkle leaves, as Journal.chain_leaves, read from the index as a proof needs them."""
        sizes = dict(self.db.execute("SELECT src, seq FROM sources"))
        return {name: ChainLeaves(self.db, src, sizes.get(src, 0)) for src, name in self._chain_names().items()}

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        names = self._chain_names()
        return {names[src]: (seq, h) for src, seq, h in self.db.execute("SELECT src, seq, hash FROM sources WHERE seq > 0")}

    def head(self) -> tuple[int, str]:
        """(last #seq, its hash) of this author's chain, as Journal.head."""
        row = self.db.execute("SELECT seq, hash FROM sources WHERE src = 0 AND seq > 0").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def signing_keys(self) -> list[dict]:
        """This author's `key` records, oldest first, as Journal.signing_keys."""
        return self._record_at("src = 0 AND kind = 'key' ORDER BY seq", ())

    @property
    def team(self):
        return self.journal.team

    def mark_unverified(self, broken: tuple[int, str]) -> None:
        """What an `export --unverified` says fails verification (verify.unverified_mark)."""
        self.broken = broken

    def require_verified(self, refused: str, hint: str | None = None, *, every_chain: bool = False) -> None:
        refuse_unverified(self.broken, refused, hint)
        if every_chain:  # what the index covered is taken as it was when it read it
            from ..verify import require_every_chain

            require_every_chain(self.journal, hint)

    def notices(self) -> list[str]:
        return self._builder.notices(self.journal)

    def close(self) -> None:
        self._builder.close()
        self.db.close()


@contextmanager
def _temporary():
    """An export's temporary tables that cannot be written (the temporary folder full, or
    not writable): one line, and the export's file is not written (files.write_atomically)."""
    try:
        yield
    except sqlite3.OperationalError as err:
        raise PmjournalError(
            _("the export's selection could not be kept in a temporary file: {reason}").format(reason=err)
        ) from err


def _changed(path, seq: int) -> PmjournalError:
    return PmjournalError(_("{path} changed while it was exported (at #{seq}); export again").format(path=path, seq=seq))


_ROW = "rid, src, seq, id, target, clock, handle, off, len"  # what Builder._record reads a record by


class KeptRecords:
    """The records of the entries a stream(keep=True) passed, and of their corrections, by
    chain in #seq order (evidence/attach.Held's answers): their index rows are copied to a
    temporary table, and each record is read from its journal by offset when it is written.
    A whole 1M-record export holds none of them."""

    def __init__(self, reads: IndexedReads):
        self._db, self._builder = reads.db, reads._builder
        db = self._db
        db.execute("DROP TABLE IF EXISTS temp.exported")
        db.execute(
            "CREATE TEMP TABLE exported(src INTEGER, seq INTEGER, rid, id, target, clock, handle, off, len, hash, "
            "PRIMARY KEY (src, seq)) WITHOUT ROWID"
        )
        for column in ("id", "target"):  # an entry's own record, then what corrects or closes it
            db.execute(
                f"INSERT OR IGNORE INTO temp.exported SELECT src, seq, {_ROW.replace('src, seq, ', '')}, hash "
                f"FROM records WHERE {column} IN temp.kept"
            )
        names = reads._chain_names()
        self._src = {
            names[src]: src
            for src in sorted(names)
            if db.execute("SELECT 1 FROM temp.exported WHERE src = ? LIMIT 1", (src,)).fetchone()
        }
        self._names = sorted(self._src)

    def names(self) -> list[str]:
        return self._names

    def seqs(self, name: str) -> array:
        src = self._src.get(name)
        if src is None:
            return array("q")
        return array("q", (s for (s,) in self._db.execute("SELECT seq FROM temp.exported WHERE src = ? ORDER BY seq", (src,))))

    def records(self, name: str):
        src = self._src.get(name)
        if src is None:
            return
        record = self._builder._record
        for *row, stored in self._db.execute(f"SELECT {_ROW}, hash FROM temp.exported WHERE src = ? ORDER BY seq", (src,)):
            try:
                found = record(row, {}, {})
            except ValueError:  # orjson's: the bytes there are no longer a record
                found = {}
            if found.get("hash") != stored:  # the file is not the one indexed (replaced meanwhile)
                raise _changed(self._builder.sources[src].path, row[2])
            yield found

    def lines(self, name: str):
        """Each record as the export writes it: its line in the journal, copied (a stored line
        is the record's canonical JSON, which is what orjson writes of it: fold.raw takes off
        nothing a file holds). A chain that fails verification has its records written again
        from what they parse to, as the loaded path writes them."""
        src = self._src.get(name)
        if src is None:
            return
        if self._db.execute("SELECT broken_seq FROM sources WHERE src = ?", (src,)).fetchone()[0] is not None:
            dumps = orjson.dumps
            for record in self.records(name):
                yield dumps(raw(record))
            return
        path = self._builder.sources[src].path
        with open(path, "rb") as fh:
            for seq, off, length, stored in self._db.execute(
                "SELECT seq, off, len, hash FROM temp.exported WHERE src = ? ORDER BY seq", (src,)
            ):
                fh.seek(off)
                line = fh.read(length).rstrip(b"\n")
                if stored is None or b'"hash":"' + stored.encode() + b'"' not in line:  # not the line indexed
                    raise _changed(path, seq)
                yield line

    def hashes(self):
        for name in self._names:
            for (h,) in self._db.execute("SELECT hash FROM temp.exported WHERE src = ? ORDER BY seq", (self._src[name],)):
                yield h

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM temp.exported").fetchone()[0]


__all__ = ["IndexedReads", "KeptRecords", "where_of"]
