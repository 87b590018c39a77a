"""Bringing the index up to date with the journal files: checking what it covers, then
reading only what was appended since, each record checked by the chain as a full load
checks it (storage.Reader).

Coverage. For each file (this author's journal and, in a team journal, each colleague's
chain copy) the `sources` row says where the covered part ends: its size, the last
#seq, that record's hash and where its line starts. On open the file must still be at
least that long and the line there must still carry that hash (one short read);
then only the bytes after it are new. Anything else, a file replaced, truncated,
restored from an older backup or rewritten, means the index no longer describes it:
it is deleted and built again. Since every record's hash covers the one before it,
a prefix that still ends in the same hash is the same history, unless somebody
rewrote old records without fixing the hashes, which only `verify` (which never uses
the index) reads every byte to find.

Folding. A view depends on its entry's records (the entry, its amendments,
retractions and loop records) and on the entries that link to it (linked_from,
superseded_by, a superseded decision's status). When records arrive, the views of
the entries they touch are folded again from those records alone (read back from
the files by offset), with the same fold.fold as a full load; then the entries
their links point to (before and after) are folded again too.
"""

import contextlib
import os
import sqlite3
import sys
from collections import Counter
from hashlib import sha256
from pathlib import Path

import orjson

from ..errors import JournalDamaged
from ..evidence import merkle
from ..fold import extend, fold
from ..model import META_KINDS
from ..readable import readable
from ..storage import JournalFile, Reader, paused_gc, unfinished_note
from ..team.layout import clock_of, colleagues
from ..team.merge import broken_copy_note, clash_note
from . import rows

CHUNK = 4000  # records per transaction: a crash loses at most this much indexing work
_PARAMS = 500  # values per IN (...) list, under SQLite's limit of bound parameters
_META = frozenset(META_KINDS)


class Stale(Exception):
    """The index does not describe the files any more: build it again."""


class Raced(Exception):
    """Another process indexed the same records first: look at the coverage again."""


class Source:
    """One journal file the index covers: "" is this author's own, else a colleague's handle."""

    def __init__(self, src: int, handle: str, path: Path, order_handle: str):
        self.src = src
        self.handle = handle
        self.path = Path(path)
        self.order_handle = order_handle  # what the team order sorts this chain by (merge.merged)
        self.colleague = bool(handle)


def _in(values) -> list[list]:
    values = list(values)
    return [values[i : i + _PARAMS] for i in range(0, len(values), _PARAMS)]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class Builder:
    def __init__(self, db, sources: list[Source], progress=None):
        self.db = db
        self.sources = {s.src: s for s in sources}
        self.progress = progress
        self.unfinished: dict[str, tuple[int, int, int]] = {}  # per handle, from the Reader
        self.torn: set[str] = set()
        self._files: dict[int, object] = {}
        self._covered: dict[int, int] = {}  # per source: the size this process last saw covered
        self._rid: int | None = None  # the last record number given out

    # -- coverage ------------------------------------------------------

    def behind(self, source: Source, row) -> int | None:
        """Bytes of `source` not yet covered; raises Stale when the covered part changed."""
        try:
            size = os.stat(source.path).st_size
        except FileNotFoundError:
            if row is not None and row[0] > 0:
                raise Stale from None
            return 0
        if row is None:
            return size
        covered, last_start, tail = row[0], row[3], row[4]
        if size < covered:
            raise Stale
        # The last covered line (the header, in a journal with no records yet) must be the
        # same bytes: its record's hash covers every record before it.
        fh = JournalFile(source.path).open_read()
        if fh is None:
            raise Stale
        with fh:
            fh.seek(last_start)
            line = fh.read(covered - last_start)
        if sha256(line).hexdigest() != tail:
            raise Stale
        if row[6] is not None and _mended(source.path, row[6]):
            raise Stale
        self._same_file(source)
        return size - covered

    def _same_file(self, source: Source) -> None:
        """A file put in the journal's place (`sed -i`, an editor, a restored backup, a sync
        client) may differ anywhere before its last covered line, which is all `behind` reads:
        a record edited by `sed -i` was shown as it was indexed, with no warning, while the
        loaded journal said it fails verification. The first read after the file's identity
        changes walks its chain (verify.first_break, ~0.3 s at 100k); one that breaks is
        indexed again, and the break is then what every read says. A write in place to the
        same file is not seen here (an append looks the same); `verify` and exports walk it."""
        key, ident = _identity(source, os.stat(source.path))
        known = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if known is not None and known[0] == ident:
            return
        if known is not None:
            from ..verify import first_break

            if first_break(source.path) is not None:
                raise Stale
        with contextlib.suppress(sqlite3.Error):  # an index that cannot be written: asked again next time
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, ident))

    # -- reading -------------------------------------------------------

    def catch_up(self, source: Source, row) -> None:
        file = JournalFile(source.path)
        fh = file.open_read()
        if fh is None:
            return
        with fh, paused_gc():
            if row is None:
                header, reader = file.start(fh)
                if header is None:
                    return
                self._cover_header(source, reader, os.fstat(fh.fileno()))
            else:
                self._covered[source.src] = row[0]
                covered, seq, last_hash, last_start, _tail, loose_end, broken_seq, broken = row
                reader = Reader(source.path, seq, last_hash, covered)
                reader.last_start, reader.loose_end = last_start, bool(loose_end)
                if broken_seq is not None:
                    reader.broken = (broken_seq, broken)
                fh.seek(covered)
            chunk = []
            for record, start, stop in reader.read(fh, spans=True):
                chunk.append((record, start, stop - start))
                if len(chunk) == CHUNK:
                    self._commit(source, chunk, reader)
                    chunk = []
            if chunk:
                self._commit(source, chunk, reader)
            if reader.unfinished:
                self.unfinished[source.handle] = reader.unfinished
            if reader.torn:
                self.torn.add(source.handle)

    def _cover_header(self, source: Source, reader: Reader, st: os.stat_result) -> None:
        """`st`: the file read (fstat), not whatever the path names by now: a file put in its
        place meanwhile would have been taken for the one indexed, and never walked."""
        self.db.execute("BEGIN IMMEDIATE")
        if self.db.execute("SELECT 1 FROM sources WHERE src = ?", (source.src,)).fetchone():
            self.db.execute("ROLLBACK")
            raise Raced
        self._covered[source.src] = reader.end
        self.db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, 0, ?, 0, ?, 0, NULL, NULL)",
            (source.src, source.handle, reader.end, reader.prev, self._tail(source, 0, reader.end)[0]),
        )
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", _identity(source, st))
        self.db.execute("COMMIT")

    def _commit(self, source: Source, chunk: list, reader: Reader) -> None:
        record, off, length = chunk[-1]
        end = off + length
        tail = self._tail(source, off, end)
        loose = not tail[1]
        broken = reader.broken if reader.broken and reader.broken[0] <= record["seq"] else None
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        now = db.execute("SELECT size FROM sources WHERE src = ?", (source.src,)).fetchone()
        if now is None or now[0] != self._covered.get(source.src):
            db.execute("ROLLBACK")
            raise Raced
        try:
            # (past a break, a record the reads cannot show is covered, not indexed: Reader.shown)
            self._index(source, _shown(chunk, reader.broken))
            self._blocks(source, record["seq"])
            db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source.src,
                    source.handle,
                    end,
                    record["seq"],
                    record.get("hash"),  # (a record altered past a break may have none)
                    off,
                    tail[0],
                    int(loose),
                    *(broken or (None, None)),
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._covered[source.src] = end
        if self.progress:
            self.progress(end - chunk[0][1] + 0)

    # -- folding -------------------------------------------------------

    def _index(self, source: Source, chunk: list) -> None:
        db = self.db
        if self._rid is None:
            self._rid = db.execute("SELECT coalesce(max(rid), 0) FROM records").fetchone()[0]
        touched: set[str] = set()
        clashes: list[str] = []
        inserted = []
        records = []
        new_entries: dict[str, int] = {}  # id -> vid of the entries this chunk brings
        known = set()
        if source.colleague:
            ids = [r["id"] for r, _, _ in chunk]
            for part in _in(ids):
                known.update(i for (i,) in db.execute(f"SELECT id FROM records WHERE id IN ({_marks(len(part))})", part))
        for record, off, length in chunk:
            kind = record["kind"]
            if source.colleague:
                if record["id"] in known:
                    # Left out of every entry (merge.merged), but still a leaf of its chain: its
                    # row keeps the Merkle blocks and proofs whole, under an id nothing looks up.
                    clashes.append(f"{source.handle}#{record['seq']}")
                    self._rid += 1
                    clock = clock_of(record)
                    inserted.append(
                        (
                            self._rid,
                            source.src,
                            record["seq"],
                            "",
                            kind,
                            None,
                            clock,
                            source.order_handle,
                            off,
                            length,
                            record.get("hash"),
                        )
                    )
                    continue
                colleagues(record, source.handle)
            self._rid += 1
            target = record.get("target") if kind in _META else None
            inserted.append(
                (
                    self._rid,
                    source.src,
                    record["seq"],
                    record["id"],
                    kind,
                    target,
                    clock_of(record),
                    source.order_handle,
                    off,
                    length,
                    record.get("hash"),
                )
            )
            records.append(record)
            if kind not in _META:
                touched.add(record["id"])
                new_entries[record["id"]] = self._rid
            elif target:
                touched.add(target)
        db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?)", inserted)
        if clashes:
            row = db.execute("SELECT value FROM meta WHERE key = 'clashes'").fetchone()
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('clashes', ?)",
                (orjson.dumps((orjson.loads(row[0]) if row else []) + clashes),),
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('clash_rows', 1)")
        if len(self.sources) == 1 and self._extended(records, touched, new_entries):
            return
        memo = {(source.src, r["seq"]): r for r in records}
        old_links = self._links_of(touched)
        written = self._write(self._refold(touched, memo))
        targets = set(old_links) | {dst for view in written for dst, _ in rows.links(view)}
        if targets:
            self._write(self._refold(targets, memo))

    def _extended(self, records: list[dict], touched: set[str], new_entries: dict[str, int]) -> bool:
        """One author's journal: records only ever point back at what came before them, so
        fold.extend (the incremental fold the Journal and the TUI use) folds the chunk into
        the views it touches, loaded from the index. False where only a full fold of the
        entries gets derived state right (extend returns None): the general path does that."""
        needed = {dst for r in records if r["kind"] not in _META for dst, _ in rows.links(r)}
        needed |= touched
        needed -= new_entries.keys()
        held = self._views_by_id(needed)
        extended = extend({entry_id: view for entry_id, (_, view) in held.items()}, records)
        if extended is None:
            return False
        out, copied = extended
        old = {held[i][0]: held[i][1] for i in copied if i in held}
        self._write([(new_entries.get(i) or held[i][0], out[i]) for i in copied], old)
        return True

    def _views_by_id(self, ids) -> dict[str, tuple[int, dict]]:
        out = {}
        for part in _in(ids):
            for vid, entry_id, blob in self.db.execute(
                f"SELECT vid, id, view FROM views WHERE id IN ({_marks(len(part))})", part
            ):
                out[entry_id] = (vid, orjson.loads(blob))
        return out

    def _blocks(self, source: Source, seq: int) -> None:
        """Store the Merkle root of each block of the chain completed up to `seq`."""
        db = self.db
        done = db.execute("SELECT coalesce(max(block) + 1, 0) FROM blocks WHERE src = ?", (source.src,)).fetchone()[0]
        for block in range(done, seq // merkle.BLOCK):
            db.execute(
                "INSERT INTO blocks VALUES (?, ?, ?)", (source.src, block, merkle.block_root(block_leaves(db, source.src, block)))
            )

    def _links_of(self, ids) -> set[str]:
        out = set()
        for part in _in(ids):
            out.update(
                dst
                for (dst,) in self.db.execute(
                    f"SELECT l.dst FROM links l JOIN views v ON v.vid = l.vid WHERE v.id IN ({_marks(len(part))})", part
                )
            )
        return out

    def _about(self, ids) -> list[tuple]:
        """(rid, src, seq, id, target, clock, handle, off, len) of every record that is or targets one of `ids`."""
        out = []
        for part in _in(ids):
            marks = _marks(len(part))
            out += self.db.execute(
                f"SELECT rid, src, seq, id, target, clock, handle, off, len FROM records WHERE id IN ({marks}) "
                f"UNION SELECT rid, src, seq, id, target, clock, handle, off, len FROM records WHERE target IN ({marks})",
                part + part,
            ).fetchall()
        return out

    def _refold(self, ids: set[str], memo: dict) -> list[tuple[int, dict]]:
        """(vid, folded view) of each of `ids` that is an entry this index holds."""
        if not ids:
            return []
        about = self._about(ids)
        linkers: dict[str, set[str]] = {}
        for part in _in(ids):
            for dst, linker in self.db.execute(
                f"SELECT l.dst, v.id FROM links l JOIN views v ON v.vid = l.vid WHERE l.dst IN ({_marks(len(part))})", part
            ):
                linkers.setdefault(dst, set()).add(linker)
        extra = set().union(*linkers.values()) - ids if linkers else set()
        if extra:
            about += self._about(extra)
        by_entry: dict[str, list[tuple]] = {}
        for row in about:
            by_entry.setdefault(row[4] or row[3], []).append(row)
        parsed: dict[int, dict] = {}
        out = []
        for entry_id in ids:
            mine = by_entry.get(entry_id)
            if not mine or not any(r[4] is None and r[3] == entry_id for r in mine):
                continue  # not an entry here (yet): a correction of a colleague's record not synced
            group = {r[0]: r for r in mine}
            for linker in linkers.get(entry_id, ()):
                group.update((r[0], r) for r in by_entry.get(linker, ()))
            ordered = sorted(group.values(), key=lambda r: (r[5], r[6], r[2]))
            records = [dict(self._record(r, memo, parsed)) for r in ordered]
            vid = next(r[0] for r in mine if r[4] is None and r[3] == entry_id)
            out.append((vid, fold(records)[entry_id]))
        return out

    def _record(self, row, memo: dict, parsed: dict) -> dict:
        rid, src, seq = row[0], row[1], row[2]
        record = memo.get((src, seq)) or parsed.get(rid)
        if record is None:
            fh = self._files.get(src)
            if fh is None:
                fh = self._files[src] = open(self.sources[src].path, "rb")  # noqa: SIM115 (closed in close())
            fh.seek(row[7])
            record = orjson.loads(fh.read(row[8]))
            handle = self.sources[src].handle
            if handle:
                colleagues(record, handle)
            parsed[rid] = record
        return record

    def _write(self, folded: list[tuple[int, dict]], old: dict[int, dict] | None = None) -> list[dict]:
        """Store the views; `old`: the views they replace, by vid, when the caller holds them."""
        if not folded:
            return []
        db = self.db
        if old is None:
            old = {}
            for part in _in([vid for vid, _ in folded]):
                marks = _marks(len(part))
                old.update(
                    (vid, orjson.loads(blob))
                    for vid, blob in db.execute(f"SELECT vid, view FROM views WHERE vid IN ({marks})", part)
                )
        # Only what changed is rewritten: most rewrites only add to linked_from (a new entry
        # links to this one), and an FTS5 delete costs more than the insert it undoes.
        counts: Counter = Counter()
        view_rows, hay_rows, link_rows, gone_hays, attr_rows, gone_attrs, gone_links = [], [], [], [], [], [], []
        people: dict[str, tuple] = {}
        # In rowid order: FTS5 flushes what it holds in memory whenever a rowid is not
        # above the last one (seven times the cost of a build in order).
        folded = sorted(folded, key=lambda item: item[0])
        for vid, view in folded:
            before = old.get(vid)
            clock, handle = clock_of(view), self._order_handle(view)
            ts, *flags = rows.columns(view)
            view_rows.append((vid, view["id"], ts, view["seq"], clock, handle, *flags, rows.view_blob(view)))
            hay = rows.hay(view)
            cells = rows.attrs(view)
            links = rows.links(view)
            if before is None:
                hay_rows.append((vid, hay))
                attr_rows.extend((col, val, vid) for col, val in cells)
                link_rows.extend((vid, dst, rel) for dst, rel in links)
            else:
                old_hay = rows.hay(before)
                if old_hay != hay:
                    gone_hays.append((vid, old_hay))
                    hay_rows.append((vid, hay))
                old_cells = rows.attrs(before)
                counts.subtract(rows.who_cells(old_cells, bool(before["retracted"])))
                gone_attrs.extend((col, val, vid) for col, val in old_cells - cells)
                attr_rows.extend((col, val, vid) for col, val in cells - old_cells)
                if rows.links(before) != links:
                    gone_links.append((vid,))
                    link_rows.extend((vid, dst, rel) for dst, rel in links)
            counts.update(rows.who_cells(cells, bool(view["retracted"])))
            for pkey, name, place in rows.spellings(view):
                place_key = (clock, handle, view["seq"], place)
                if pkey not in people or place_key < people[pkey][1:]:
                    people[pkey] = (name, *place_key)
        db.executemany("INSERT INTO fts(fts, rowid, hay) VALUES ('delete', ?, ?)", gone_hays)
        db.executemany("DELETE FROM attrs WHERE col = ? AND val = ? AND vid = ?", gone_attrs)
        db.executemany("DELETE FROM links WHERE vid = ?", gone_links)
        db.executemany("INSERT OR REPLACE INTO views VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", view_rows)
        db.executemany("INSERT OR REPLACE INTO hays VALUES (?, ?)", hay_rows)
        db.executemany("INSERT INTO fts(rowid, hay) VALUES (?, ?)", hay_rows)
        db.executemany("INSERT INTO attrs VALUES (?, ?, ?)", attr_rows)
        db.executemany("INSERT INTO links VALUES (?, ?, ?)", link_rows)
        db.executemany(
            "INSERT INTO counts VALUES (?, ?, ?) ON CONFLICT (pkey, col) DO UPDATE SET n = n + excluded.n",
            [(pkey, col, n) for (pkey, col), n in counts.items() if n],
        )
        db.executemany(
            "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pkey) DO UPDATE SET "
            "display = excluded.display, clock = excluded.clock, handle = excluded.handle, seq = excluded.seq, "
            "place = excluded.place WHERE (excluded.clock, excluded.handle, excluded.seq, excluded.place) "
            "< (people.clock, people.handle, people.seq, people.place)",
            [(pkey, *value) for pkey, value in people.items()],
        )
        return [view for _, view in folded]

    def _order_handle(self, view: dict) -> str:
        author = view.get("author")
        if author:
            return author
        return self.sources[0].order_handle

    def _tail(self, source: Source, start: int, end: int) -> tuple[str, bool]:
        """(sha256 of the bytes [start, end) of the file, whether they end a line)."""
        fh = self._files.get(source.src)
        if fh is None:
            fh = self._files[source.src] = open(source.path, "rb")  # noqa: SIM115 (closed in close())
        fh.seek(start)
        line = fh.read(end - start)
        return sha256(line).hexdigest(), line.endswith(b"\n")

    def notices(self, journal) -> list[str]:
        """What Journal.notices() says after a full load, from what the index and this catch-up found."""
        out = list(journal.storage.file.notices)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'clashes'").fetchone()
        if row and (clashes := orjson.loads(row[0])):
            out.append(clash_note(clashes))
        query = "SELECT handle, broken_seq, broken FROM sources WHERE src > 0 AND broken IS NOT NULL ORDER BY handle"
        out += [broken_copy_note(*row) for row in self.db.execute(query)]
        if self.unfinished.get(""):
            out.append(unfinished_note(self.unfinished[""]))
        return out

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()


def block_leaves(db, src: int, block: int) -> list[bytes]:
    """The Merkle leaves (record hashes as bytes) of one block of a chain: the records
    #(block * BLOCK + 1) to #((block + 1) * BLOCK), or to the chain's end."""
    first = block * merkle.BLOCK + 1
    rows = db.execute(
        "SELECT hash FROM records WHERE src = ? AND seq BETWEEN ? AND ? ORDER BY seq", (src, first, first + merkle.BLOCK - 1)
    )
    return [bytes.fromhex(h) for (h,) in rows]


def report_progress(total: int):
    """A rich progress bar on stderr for an index build of `total` bytes, or None when it
    would be quick or stderr is not a terminal. Returns (advance, stop)."""
    if total < (8 << 20) or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from ..i18n import _

    progress = Progress(
        TextColumn(_("indexing the journal")),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("index", total=total)
    progress.start()
    return (lambda n: progress.advance(task, n)), progress.stop


__all__ = ["Builder", "JournalDamaged", "Raced", "Source", "Stale", "report_progress"]


def _identity(source: Source, st: os.stat_result) -> tuple[str, str]:
    """(meta key, value): which file of `source` the index covers, its device and inode (Builder._same_file)."""
    return f"file:{source.handle}", f"{st.st_dev}:{st.st_ino}"


def _mended(path, broken_seq: int) -> bool:
    """Whether the file no longer fails where the index found it broken. Its last line can be
    the same while an earlier record was put back (a copy restored, or deleted and synced
    again): the index would go on showing what it read of the broken file, and saying it is
    broken, while `verify` says ok. Checked on every read while a chain is broken (a whole
    walk of it): a broken chain is something to mend, not a state to read fast."""
    from ..verify import first_break

    return first_break(path) != broken_seq  # as the index's own Reader found it: `verify` also checks ids


def _shown(chunk: list, broken: tuple | None) -> list:
    """The chunk's records the reads can show: past a break, one altered beyond that (an "id"
    renamed) is left out, as Reader.shown leaves it out of a load."""
    if broken is None:
        return chunk
    return [item for item in chunk if item[0]["seq"] < broken[0] or readable(item[0])]
