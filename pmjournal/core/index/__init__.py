"""The index: a derived SQLite file beside the journal that answers reads without loading it.

`journal.json.index` (with SQLite's `-wal` and `-shm` beside it) holds each entry's
folded view, the columns filters narrow on, a trigram full-text index of the search
text, who is named in which role, and how much of which journal file it covers. The
journal files stay the only source of truth: the index can be deleted at any time
and is rebuilt on the next read; it is checked against the files on every open and
caught up with what was appended since (by this process or any other: another
terminal, a `sync`), and built again when they changed in any other way
(build.py). `verify` never reads it.

`open_index(journal)` returns the reads (reads.IndexedReads) or None when the index
cannot serve this journal: PMJOURNAL_INDEX=off, a folder it cannot write, a damaged
journal file (the loaded path then says what is wrong, exactly as before). Callers
fall back to loading the journal.
"""

import contextlib
import os
import sqlite3

from ..errors import JournalDamaged
from . import schema
from .build import Builder, Raced, Source, Stale, report_progress
from .reads import IndexedReads

DISABLE = "PMJOURNAL_INDEX"  # "off": every read loads the journal (how tests compare the two)


def enabled() -> bool:
    return os.environ.get(DISABLE, "").strip().lower() not in ("off", "0", "no", "false")


def _sources(db, journal) -> list[Source]:
    team = journal.team
    own_order = (team.handle or "") if team.joined else ""
    known = dict(db.execute("SELECT handle, src FROM sources"))
    out = [Source(0, "", journal.path, own_order)]
    if team.joined:
        next_src = max(known.values(), default=0) + 1
        for handle, path in sorted(team.colleagues().items()):
            src = known.get(handle)
            if src is None:
                src, next_src = next_src, next_src + 1
            out.append(Source(src, handle, path, handle))
    return out


def _bring_up_to_date(db, journal) -> Builder:
    own_order = (journal.team.handle or "") if journal.team.joined else ""
    row = db.execute("SELECT value FROM meta WHERE key = 'own'").fetchone()
    if row is None:
        db.execute("INSERT OR IGNORE INTO meta VALUES ('own', ?)", (own_order,))
    elif row[0] != own_order:
        raise Stale  # the journal joined a team: its records now sort by the handle
    if (
        db.execute("SELECT 1 FROM meta WHERE key = 'clashes'").fetchone()
        and not db.execute("SELECT 1 FROM meta WHERE key = 'clash_rows'").fetchone()
    ):
        raise Stale  # made before a clashing record kept its row: its chain's leaves have a gap
    sources = _sources(db, journal)
    held = {s.handle for s in sources}
    if any(handle not in held for (handle,) in db.execute("SELECT handle FROM sources")):
        raise Stale  # a chain copy this index covered is gone
    builder = Builder(db, sources)
    coverage = {
        src: row
        for src, *row in db.execute("SELECT src, size, seq, hash, last_start, tail, loose_end, broken_seq, broken FROM sources")
    }
    behind = {s.src: builder.behind(s, coverage.get(s.src)) for s in sources}
    if not any(behind.values()) and all(s.src in coverage for s in sources):
        return builder
    advance, stop = report_progress(sum(behind.values()))
    builder.progress = advance
    # With SQLite's default 2 MB of page cache a build spends three quarters of its time
    # re-reading FTS5's segments as it merges them; reads keep the default (less memory).
    db.execute(f"PRAGMA cache_size = -{schema.BUILD_CACHE_KB}")
    try:
        for source in sources:
            if behind[source.src] or coverage.get(source.src) is None:
                builder.catch_up(source, coverage.get(source.src))
    finally:
        stop()
        db.execute("PRAGMA cache_size = -2000")
    return builder


def open_index(journal) -> IndexedReads | None:
    """The journal's index, brought up to date, or None where the journal must be loaded instead."""
    if not enabled():
        return None
    if not os.path.lexists(journal.path) and not journal.team.joined:
        return None  # nothing to index: `--db typo.json list` left typo.json.index behind
    path = schema.path_of(journal.path)
    existed = os.path.lexists(path)
    for _attempt in range(4):
        db = schema.open_db(path)
        if db is None:
            schema.remove(path)
            db = schema.open_db(path)
            if db is None:
                return None
        try:
            builder = _bring_up_to_date(db, journal)
            own = db.execute("SELECT broken_seq, broken FROM sources WHERE src = 0").fetchone()
            return IndexedReads(journal, db, builder, own)
        except Raced:
            db.close()  # another process indexed the same records first: look again
        except (Stale, sqlite3.DatabaseError):
            db.close()
            schema.remove(path)
        except (JournalDamaged, OSError):
            # A damaged file is reported by the loaded path; an unwritable folder just loads.
            with contextlib.suppress(sqlite3.Error):
                db.close()
            if not existed:  # `--db notes.json list` of a file that is no journal left notes.json.index
                schema.remove(path)
            return None
    return None
