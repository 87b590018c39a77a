"""The TUI's trail paged from the index: row numbers, not records.

A PagedIndex offers what the TUI's trail reads of a FilterIndex (filter_index.py)
without holding a single record: `rows` is the order of the entries, newest first,
as an array of vids (8 bytes an entry); a view is read from SQLite when a row is
drawn (`page`: the rows around it in the hits shown, in one query) and kept in a
small LRU; `search` runs the filter as SQL (reads.where_of, exact) and answers
row numbers in that order, as FilterIndex.search does. `views` and `people` are
Mappings over the same connection for the detail pane, trace, jump and the forms.

Everything reads one SQLite read transaction (BEGIN, held until `release`), so the
order, the hits and the views a snapshot shows agree even while another process
(or this one's catch-up, on another connection) appends to the index. The
connection is used from the UI thread and from workers (People counts, open
loops), one statement at a time under `lock`.
"""

import os
import sqlite3
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Mapping
from itertools import compress

import orjson

from ..query import WHO_COLUMNS, Filter
from . import schema
from .rows import NAMED

# FilterIndex's order: newest first (when, then #seq), and among equals the journal's order,
# (clock, handle). The views_time index read backwards; only a team journal can hold two
# entries with the same (when, #seq) (two chains), and there SQLite sorts each run of
# equals (a third of the time again, so not for a journal of one author).
ORDER_NEWEST = "ORDER BY ts DESC, seq DESC, clock DESC, handle DESC"
ORDER_NEWEST_TEAM = "ORDER BY ts DESC, seq DESC, clock, handle"
ORDER_JOURNAL = "ORDER BY clock, handle, seq"
QUICK_ROWS = 4000  # Paged.quick_hits: the newest rows tested at once, ~10 ms at any size
CACHE = 2048  # views kept (the rows drawn lately and the ones around them)
WINDOW = (32, 96)  # rows read before and after one that is not cached
RECENT = 8  # filter answers remembered (a backspace returns to one)
RECENT_MAX = 1 << 18  # hits of an answer worth remembering


def _loads(blob: bytes) -> dict:
    return orjson.loads(blob)


# The filter's columns of a view, kept beside the index's own (kind and project are most
# of what the trail filters on; without this each is a scan of every stored view: 0.5 s
# at 100k entries). Derived like the rest, so made on first use by whoever opens the file.
# The `key` records too (the detail pane's signers), which would otherwise be a scan of every record.
OWN_INDEXES = {
    "views_filter": "CREATE INDEX IF NOT EXISTS views_filter ON views(kind, project, retracted)",
    "records_key": "CREATE INDEX IF NOT EXISTS records_key ON records(src, seq) WHERE kind = 'key'",
}


def ensure_filter_index(db) -> None:
    have = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if have.issuperset(OWN_INDEXES):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in OWN_INDEXES.values():
            db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _file_of(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class _Conn:
    """A connection, its lock, and the snapshot whose read transaction it holds (a connection
    passes from snapshot to snapshot: Paged's `reuse`)."""

    def __init__(self, db, path):
        self.db, self.lock, self.owner = db, threading.RLock(), None
        self.file = _file_of(path)

    def serves(self, path) -> bool:
        """Whether the index at `path` is still the file this connection opened (one built
        again is a new file: the old one, deleted, would go on answering)."""
        return self.file is not None and self.file == _file_of(path)

    def take(self, owner) -> None:
        """Start `owner`'s read transaction (ending the one held for an older snapshot). Under `lock`."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.owner = owner
        self.db.execute("BEGIN")

    def end(self, owner) -> None:
        """End `owner`'s read transaction, if the connection still holds it. Under `lock`."""
        if self.owner is owner:
            self.owner = None
            if self.db.in_transaction:
                self.db.execute("COMMIT")


class Paged:
    """One read transaction over the index: the order, the views, the people."""

    def __init__(
        self, path, joined: bool = False, limit: int | None = None, previous: "Paged | None" = None, reuse: "Paged | None" = None
    ):
        """`limit`: only the newest rows (the first paint, while the rest is read); `previous`:
        the snapshot this one follows, whose order is reused when only newer entries came;
        `reuse`: the snapshot whose connections this one takes over (its reads go on, on the
        newest state): a TUI session opens two connections, not two a catch-up (SQLite keeps
        the files of a connection closed while another holds a lock open until all are)."""
        self.joined = joined
        self._views: OrderedDict[int, dict] = OrderedDict()
        self._vid_of: OrderedDict[str, int] = OrderedDict()
        self._inverse: array | None = None
        self.released = False
        if reuse is not None and not reuse._ui.serves(path):
            reuse = None
        if reuse is not None:
            self._ui = reuse._ui
        else:
            file = _file_of(path)
            db = schema._connect(path)
            db.execute("PRAGMA cache_size = -16384")  # the UI's pages only: 16 MB at most
            self._ui = _Conn(db, path)
            if file != self._ui.file:
                self._ui.file = None  # replaced while it was opened: never reused
        with self.lock:
            self._ui.take(self)
            self.total = self.db.execute("SELECT count(*) FROM views").fetchone()[0]
            self.max_rid = self.db.execute("SELECT max(rid) FROM records").fetchone()[0] or 0
            patched = self._patched(previous) if previous is not None and limit is None else None
            self.patched = patched is not None
            if patched is not None:
                self.vids = patched
            else:
                self.vids = self._order(ORDER_NEWEST_TEAM if joined else ORDER_NEWEST, limit)
            self.last_seq = (self.db.execute("SELECT seq FROM sources WHERE src = 0").fetchone() or (0,))[0]
            self.coverage = tuple(self.db.execute("SELECT src, size, seq, hash FROM sources ORDER BY src"))
            state = self._state(self.db)
        # The workers' connection (searches, People counts, open loops): a query of a second or
        # more there never holds up a row the UI thread draws. Its read transaction must see
        # what the UI's sees: checked, and without it the workers share the UI's connection.
        self._wk = self._ui
        work = reuse._wk if reuse is not None and reuse._wk is not reuse._ui and reuse._wk.serves(path) else None
        for _attempt in range(3):
            if work is None:
                work = _Conn(schema._connect(path), path)
            with work.lock:
                work.take(self)
                if self._state(work.db) == state:
                    self._wk = work
                    break
                work.end(self)  # another process wrote in between: try again

    @property
    def db(self):
        return self._ui.db

    @property
    def lock(self):
        return self._ui.lock

    @property
    def work(self):
        return self._wk.db

    @property
    def work_lock(self):
        return self._wk.lock

    def _order(self, order: str, limit: int | None) -> array:
        """The vids in `order`: handed over by SQLite as one hex string (16 digits a vid, big-endian),
        a third faster at 1M entries than a row at a time and without an int object per row."""
        query = f"SELECT vid FROM views {order}" + (f" LIMIT {int(limit)}" if limit is not None else "")
        text = self.db.execute(f"SELECT group_concat(printf('%016x', vid), '') FROM ({query})").fetchone()[0]
        vids = array("q")
        if text:
            vids.frombytes(bytes.fromhex(text))
            if sys.byteorder == "little":
                vids.byteswap()
        return vids

    def _state(self, db) -> tuple:
        return db.execute("SELECT max(rid) FROM records").fetchone(), tuple(
            db.execute("SELECT src, size, seq, hash FROM sources ORDER BY src")
        )

    def _key(self, vid: int) -> tuple:
        return self.db.execute("SELECT ts, seq, clock, handle FROM views WHERE vid = ?", (vid,)).fetchone()

    def _patched(self, old: "Paged") -> array | None:
        """old's order with the entries new since on top, when that is the order: every new entry
        is newer than all old ones and no amendment moved an old one (its neighbours still
        frame it). Else None (the order is read again). Not in a team journal (a sync brings
        older entries of a colleague's) nor after anything but appends (the index rebuilt)."""
        if self.joined or old.joined or len(old.vids) != old.total or self.max_rid < old.max_rid:
            return None
        db = self.db
        for src, _size, seq, last in old.coverage:
            if seq and db.execute("SELECT hash FROM records WHERE src = ? AND seq = ?", (src, seq)).fetchone() != (last,):
                return None  # not the same chain (the index was built again): nothing of old's holds
        changed = db.execute("SELECT rid, kind, target FROM records WHERE rid > ?", (old.max_rid,)).fetchall()
        if len(changed) > 4096:
            return None
        new = [v for (v,) in db.execute(f"SELECT vid FROM views WHERE vid > ? {ORDER_NEWEST}", (old.max_rid,))]
        if self.total != old.total + len(new) or (new and min(new) <= old.max_rid):
            return None
        vids = old.vids
        if new and vids and not self._key(new[-1]) > self._key(vids[0]):
            return None
        moved = {target for _rid, kind, target in changed if kind == "amendment" and target}
        inv = old.inverse
        for entry_id in moved:
            row = db.execute("SELECT vid FROM views WHERE id = ?", (entry_id,)).fetchone()
            if row is None or row[0] > old.max_rid:
                continue  # a new entry amended: it is placed by its own key above
            vid = row[0]
            at = inv[vid] if vid < len(inv) else -1
            if at < 0:
                return None
            key = self._key(vid)
            if (at > 0 and not self._key(vids[at - 1]) > key) or (at + 1 < len(vids) and not key > self._key(vids[at + 1])):
                return None
        return array("q", new) + vids

    # -- the transaction ---------------------------------------------------

    def release(self) -> None:
        """End the read transactions (a newer snapshot is shown), in a thread of its own: a worker
        may be in a long query on this snapshot. Reads still work after, on the newest state."""
        if self.released:
            return
        self.released = True

        def end() -> None:
            for conn in {id(self._ui): self._ui, id(self._wk): self._wk}.values():
                with conn.lock:
                    conn.end(self)

        threading.Thread(target=end, name="pmjournal-index-release", daemon=True).start()

    def close(self) -> None:
        for conn in (self._wk, self._ui):
            with conn.lock:
                conn.db.close()

    def query(self, sql: str, params=()) -> list:
        """On the UI's connection (one view, one entry: quick)."""
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def work_query(self, sql: str, params=()) -> list:
        """On the workers' connection (a search, a count: maybe a second at 1M entries)."""
        with self.work_lock:
            return self.work.execute(sql, params).fetchall()

    # -- views ---------------------------------------------------------------

    def views_of(self, vids) -> list[dict]:
        """The views of these vids (read together, kept in the LRU), in the order asked."""
        cache = self._views
        missing = [v for v in vids if v not in cache]
        if missing:
            found = {}
            for start in range(0, len(missing), 500):
                part = missing[start : start + 500]
                marks = ",".join("?" * len(part))
                for vid, blob in self.query(f"SELECT vid, view FROM views WHERE vid IN ({marks})", part):
                    found[vid] = _loads(blob)
            for vid in missing:
                view = found.get(vid)
                if view is not None:
                    cache[vid] = view
                    self._vid_of[view["id"]] = vid
        out = []
        for vid in vids:
            view = cache.get(vid)
            if view is None:
                continue
            cache.move_to_end(vid)
            out.append(view)
        while len(cache) > CACHE:
            _vid, old = cache.popitem(last=False)
            self._vid_of.pop(old["id"], None)
        return out

    def view(self, vid: int) -> dict | None:
        found = self.views_of((vid,))
        return found[0] if found else None

    def vid_of(self, entry_id: str) -> int | None:
        vid = self._vid_of.get(entry_id)
        if vid is not None:
            return vid
        row = self.query("SELECT vid FROM views WHERE id = ?", (entry_id,))
        return row[0][0] if row else None

    def by_id(self, entry_id: str) -> dict | None:
        vid = self.vid_of(entry_id)
        return None if vid is None else self.view(vid)

    def entry_at(self, handle: str, seq: int) -> dict | None:
        """The entry numbered `seq` in the chain of `handle` ("": this author's own), or None
        (an amendment or retraction has a #seq but is no entry)."""
        if handle:
            rows = self.query(
                "SELECT rid FROM records WHERE src = (SELECT src FROM sources WHERE handle = ?) AND seq = ?", (handle, seq)
            )
        else:
            rows = self.query("SELECT rid FROM records WHERE src = 0 AND seq = ?", (seq,))
        return self.view(rows[0][0]) if rows else None

    @property
    def inverse(self) -> array:
        """vid -> row (made on first use: 8 bytes a record)."""
        if self._inverse is None:
            vids = self.vids
            inv = array("q", [-1]) * (max(vids, default=0) + 1)
            for row, vid in enumerate(vids):
                inv[vid] = row
            self._inverse = inv
        return self._inverse

    def rows_of(self, vids) -> list[int]:
        """The rows of these vids, in order (newest first); one not among the rows (a first paint's) is left out."""
        return list(self.hits_of(vids))

    def hits_of(self, vids) -> array:
        """rows_of as an array, marked in a byte a row and read back in order (no sort, and no
        Python int kept per hit: a filter matching most of a million entries stays small)."""
        inv = self.inverse
        n = len(inv)
        marks = bytearray(len(self.vids))
        for vid in vids:
            if vid < n:
                row = inv[vid]
                if row >= 0:
                    marks[row] = 1
        return array("q", compress(range(len(marks)), marks))

    def widest_ref(self) -> int:
        """The longest `dana#12` among a colleague's entries (0 in a journal of one author)."""
        if not self.joined:
            return 0
        row = self.query(
            "SELECT max(length(r.seq) + 1 + length(s.handle)) FROM views v JOIN records r ON r.rid = v.vid "
            "JOIN sources s ON s.src = r.src WHERE r.src != 0"
        )
        return row[0][0] or 0

    # -- selecting -------------------------------------------------------

    def select_vids(self, filt: Filter, order: str = "") -> list[int]:
        from .reads import where_of

        where, params = where_of(filt)
        return [v for (v,) in self.work_query(f"SELECT vid FROM views WHERE {where} {order}", params)]

    def search_hits(self, filt: Filter, stale=None) -> array | None:
        """The rows (newest first) of what `filt` selects, streamed from SQLite; None when
        `stale()` turned true on the way (a newer filter was typed: the query is abandoned)."""
        from .reads import where_of

        where, params = where_of(filt)
        inv = self.inverse
        n = len(inv)
        marks = bytearray(len(self.vids))
        with self.work_lock:
            db = self.work
            if stale is not None:
                if stale():
                    return None
                db.set_progress_handler(lambda: 1 if stale() else 0, 20000)
            try:
                cur = db.execute(f"SELECT vid FROM views WHERE {where}", params)
                while True:
                    part = cur.fetchmany(8192)
                    if not part:
                        break
                    for (vid,) in part:
                        if vid < n:
                            row = inv[vid]
                            if row >= 0:
                                marks[row] = 1
            except sqlite3.OperationalError:
                if stale is not None and stale():
                    return None  # interrupted by the progress handler
                raise
            finally:
                if stale is not None:
                    db.set_progress_handler(None, 0)
        return array("q", compress(range(len(marks)), marks))

    def quick_hits(self, filt: Filter, rows: int) -> array:
        """The rows among the newest `rows` of the trail that `filt` selects, in order: the top
        of what search_hits answers, found in a few milliseconds on the UI's connection (each
        of those rows tested, rather than the whole journal searched first)."""
        from .reads import where_of

        where, params = where_of(filt, fts=False)
        newest = self.vids[:rows]
        if not newest:
            return array("q")
        inv = self.inverse
        found = self.query(
            f"SELECT vid FROM views WHERE vid IN (SELECT value FROM json_each(?)) AND {where}",
            [orjson.dumps(list(newest)).decode(), *params],
        )
        return array("q", sorted(inv[vid] for (vid,) in found))

    def count(self, filt: Filter) -> int:
        from .reads import where_of

        where, params = where_of(filt)
        return self.work_query(f"SELECT count(*) FROM views WHERE {where}", params)[0][0]

    def select(self, filt: Filter, ordered: bool = True) -> list[dict]:
        """Filter.apply over every view, from the rows the SQL selects (exact)."""
        from .reads import where_of

        where, params = where_of(filt)
        order = "ORDER BY ts, seq, clock, handle" if ordered else ORDER_JOURNAL
        rows = self.work_query(f"SELECT view FROM views WHERE {where} {order}", params)
        return filt.apply([_loads(b) for (b,) in rows], ordered=ordered)

    def loop_views(self) -> dict[str, dict]:
        """The entries with a loop still open (loops.has_open_loop), in the journal's order, by id."""
        out = {}
        for (blob,) in self.work_query(f"SELECT view FROM views WHERE open = 1 {ORDER_JOURNAL}"):
            view = _loads(blob)
            out[view["id"]] = view
        return out

    def loop_batches(self, size: int = 1000):
        """loop_views a batch at a time (lists of views, in the journal's order): a caller that keeps
        only what it needs of each never holds them all (14,000 views at 1M entries)."""
        vids = [v for (v,) in self.work_query(f"SELECT vid FROM views WHERE open = 1 {ORDER_JOURNAL}")]
        for start in range(0, len(vids), size):
            part = vids[start : start + size]
            marks = ",".join("?" * len(part))
            found = dict(self.work_query(f"SELECT vid, view FROM views WHERE vid IN ({marks})", part))
            yield [_loads(found[v]) for v in part if v in found]

    def titled(self, needle: str, exclude_id: str | None, limit: int) -> list[dict]:
        """Up to `limit` entries not retracted whose title holds `needle` (casefolded), newest in
        the journal's order first: the links field's picker."""
        order = "ORDER BY v.vid DESC" if not self.joined else "ORDER BY v.clock DESC, v.handle DESC, v.seq DESC"
        found = []
        with self.work_lock:
            cur = self.work.execute(
                f"SELECT v.view FROM views v JOIN hays h ON h.vid = v.vid WHERE v.retracted = 0 AND instr(h.hay, ?) > 0 {order}",
                (needle,),
            )
            for (blob,) in cur:
                view = _loads(blob)
                if view["id"] == exclude_id or needle not in view.get("title", "").casefold():
                    continue
                found.append(view)
                if len(found) == limit:
                    break
            cur.close()
        return found

    def who(self, filt: Filter, people) -> list[dict]:
        """query.who over the entries `filt` selects (rows.who_cells): role columns over the
        entries not retracted, `total` over every entry selected that names the person.

        The selection goes into a temporary table first (the search runs once), then one pass
        over the people cells counts the roles and one the entries naming each person."""
        from .reads import where_of

        where, params = where_of(filt)
        marks = ",".join("?" * len(NAMED))
        rows: dict[str, dict] = {}

        def row_of(pkey: str) -> dict:
            row = rows.get(pkey)
            if row is None:
                row = rows[pkey] = {"person": people.display(pkey), **{c: 0 for c in WHO_COLUMNS}, "total": 0}
            return row

        with self.work_lock:
            db = self.work
            db.execute("DROP TABLE IF EXISTS temp.selected")
            db.execute("CREATE TEMP TABLE selected(vid INTEGER PRIMARY KEY, retracted INTEGER NOT NULL)")
            try:
                db.execute(f"INSERT INTO temp.selected SELECT vid, retracted FROM views WHERE {where}", params)
                for pkey, col, n in db.execute(
                    f"SELECT a.val, a.col, count(*) FROM attrs a JOIN temp.selected s ON s.vid = a.vid "
                    f"WHERE a.col IN ({marks}) AND s.retracted = 0 GROUP BY a.val, a.col",
                    NAMED,
                ):
                    row_of(pkey)[col.removeprefix("role:")] = n
                for pkey, n in db.execute(
                    f"SELECT val, count(*) FROM (SELECT DISTINCT a.val, a.vid FROM attrs a JOIN temp.selected s "
                    f"ON s.vid = a.vid WHERE a.col IN ({marks})) GROUP BY val",
                    NAMED,
                ):
                    row_of(pkey)["total"] = n
            finally:
                db.execute("DROP TABLE temp.selected")
        out = [r for r in rows.values() if r["total"]]
        out.sort(key=lambda r: (-r["total"], r["person"].casefold()))
        return out

    def who_all(self, people, include_retracted: bool) -> list[dict]:
        """query.who over every entry, from the counts the index keeps (IndexedReads.who_all)."""
        rows: dict[str, dict] = {}
        skip = "total" if include_retracted else "all"
        for pkey, col, n in self.work_query("SELECT pkey, col, n FROM counts WHERE n > 0 AND col != ?", (skip,)):
            row = rows.get(pkey)
            if row is None:
                row = rows[pkey] = {"person": people.display(pkey), **{c: 0 for c in WHO_COLUMNS}, "total": 0}
            row["total" if col == "all" else col] = n
        out = [r for r in rows.values() if r["total"]]
        out.sort(key=lambda r: (-r["total"], r["person"].casefold()))
        return out


def key_records(reads) -> list[dict]:
    """Every chain's `key` records (a colleague's carry `author`), by chain and #seq: the
    detail pane's signers (tui/signers.py), as Journal.chains() would give them."""
    return reads._record_at("kind = 'key' ORDER BY src, seq", ())


class PagedRows:
    """`index.rows`: row -> view, read on demand (a FilterIndex holds a list)."""

    def __init__(self, paged: Paged):
        self._paged = paged

    def __len__(self) -> int:
        return len(self._paged.vids)

    def __getitem__(self, row: int) -> dict:
        paged = self._paged
        vids = paged.vids
        if row < 0:
            row += len(vids)
        vid = vids[row]
        view = paged._views.get(vid)
        if view is None:
            lo, hi = WINDOW
            paged.views_of(vids[max(0, row - lo) : row + hi])
            view = paged.view(vid)
        else:
            paged._views.move_to_end(vid)
        if view is None:
            raise IndexError(row)
        return view


class PagedIndex:
    """FilterIndex's interface (rows, len, row_of, search, warm) over a Paged snapshot."""

    warmed = True

    def __init__(self, paged: Paged):
        self.paged = paged
        self.rows = PagedRows(paged)
        self._recent: dict[str, tuple[Filter, object]] = {}

    def __len__(self) -> int:
        return len(self.paged.vids)

    def warm(self) -> None:
        pass

    def row_of(self, entry_id: str) -> int | None:
        """Where the entry is in `rows` (0 = newest), or None."""
        paged = self.paged
        vid = paged.vid_of(entry_id)
        if vid is None:
            return None
        inv = paged.inverse
        if vid >= len(inv):
            return None
        row = inv[vid]
        return row if row >= 0 and paged.vids[row] == vid else None

    def page(self, hits, at: int) -> dict:
        """The view of the hit `at`, reading the ones around it in `hits` in the same query."""
        paged = self.paged
        vid = paged.vids[hits[at]]
        view = paged._views.get(vid)
        if view is not None:
            paged._views.move_to_end(vid)
            return view
        lo, hi = WINDOW
        vids = paged.vids
        around = [vids[r] for r in hits[max(0, at - lo) : at + hi]]
        paged.views_of(around)
        view = paged.view(vid)
        if view is None:
            raise IndexError(at)
        return view

    def widest_ref(self) -> int:
        return self.paged.widest_ref()

    def known(self, text: str, filt: Filter):
        """search's answer when it costs nothing (every row, or remembered), else None."""
        if not filt.criteria():
            return range(len(self.paged.vids))
        hit = self._recent.get(text)
        return hit[1] if hit is not None and hit[0] == filt else None

    def quick(self, filt: Filter) -> array:
        """The first of search's rows, found at once (Paged.quick_hits): none may be among them."""
        return self.paged.quick_hits(filt, QUICK_ROWS)

    def search(self, text: str, filt: Filter, stale=None):
        """Row numbers (newest first) of what `filt` selects: a range when it selects every row.
        `stale`: see Paged.search_hits (then None may be answered)."""
        hits = self.known(text, filt)
        if hits is not None:
            return hits
        hits = self.paged.search_hits(filt, stale)
        if hits is None:
            return None
        if len(hits) <= RECENT_MAX:
            self._recent[text] = (filt, hits)
            if len(self._recent) > RECENT:
                del self._recent[next(iter(self._recent))]
        return hits

    def select(self, filt: Filter, within=None) -> list[int]:
        return list(self.search("\0" + repr(filt), filt))

    def known_values(self, column: str) -> set[str]:
        """Every project or tag the index holds (index/reads.indexed_values): a scan of the
        views, so on the work connection, from a worker thread."""
        from .reads import indexed_values

        return indexed_values(self.paged.work_query, column)


class PagedViews(Mapping):
    """id -> folded view, one read at a time (the detail pane, trace, jump, the forms). Never
    iterated on the UI's path: at 1M entries that is every view of the journal."""

    def __init__(self, paged: Paged):
        self._paged = paged

    def __getitem__(self, entry_id: str) -> dict:
        view = self._paged.by_id(entry_id) if entry_id.__class__ is str else None
        if view is None:
            raise KeyError(entry_id)
        return view

    def get(self, entry_id, default=None):
        view = self._paged.by_id(entry_id) if entry_id.__class__ is str else None
        return default if view is None else view

    def __contains__(self, entry_id) -> bool:
        return entry_id.__class__ is str and self._paged.vid_of(entry_id) is not None

    def __len__(self) -> int:
        return len(self._paged.vids)

    def __bool__(self) -> bool:
        return bool(len(self._paged.vids))

    def __iter__(self):
        for (entry_id,) in self._paged.query(f"SELECT id FROM views {ORDER_JOURNAL}"):
            yield entry_id

    def values(self):
        """Every view, in the journal's order (tests and small journals; not on the UI's path)."""
        return [_loads(blob) for (blob,) in self._paged.query(f"SELECT view FROM views {ORDER_JOURNAL}")]

    def items(self):
        return [(view["id"], view) for view in self.values()]


__all__ = ["Paged", "PagedIndex", "PagedRows", "PagedViews"]
