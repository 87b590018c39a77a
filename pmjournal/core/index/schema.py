"""The index's SQLite file: its tables, and opening it (or finding it unusable).

Why SQLite: it is in the standard library, answers a query from a file without
loading it (pages are read on demand, so memory does not grow with the journal),
lets any number of processes read while one writes (WAL), makes each batch of
index writes atomic (a crash leaves the last committed batch, never half of
one), and FTS5's trigram tokenizer finds any substring of three characters or
more, Chinese included, as Python's `in` does.

Everything here is derived from the journal files and may be deleted at any
time: `open_db` answers None for a file it cannot trust (damaged, another
program's, or written by a newer pmjournal), and the caller builds a new one.
"""

import contextlib
import os
import sqlite3
from pathlib import Path

VERSION = 3  # 2: Merkle block roots, loop indexes in journal order; 3: commitments' owers are named (people.owers)
APPLICATION_ID = 0x706D6A69  # "pmji": marks the file as ours (PRAGMA application_id)

# records: every record of every chain, where its line is (off, len) in its file, and
#   the keys the fold needs to find an entry's records (id, target) in team order
#   (clock, handle, seq). rid numbers records in the order they were indexed.
# views: one row per entry, its folded view as JSON and the columns filters narrow on.
#   vid is the rid of the entry's own record.
# hays/fts: the casefolded search text (query.search_text) and its trigram index. detail=none
#   keeps no positions (a third less to write): a term is looked up as all of its
#   trigrams, a superset that reads.py narrows exactly with Filter.apply.
# attrs: the many-valued filter columns (tag, cause, author, role:* and other: who is
#   named where), one row per value of a view, clustered by (column, value).
# links: the current links of each view, to find who links to an entry.
# counts: `who`'s table kept up to date (person key, column) -> entries.
# people: the first spelling of each person, in journal order (people.People).
# blocks: the Merkle root of every complete block of 1,024 records of a chain
#   (evidence/merkle.BlockTree), so an export proves a record without hashing the chain.
# sources: how much of which journal file is covered (see build.py).
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE sources(
    src INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, seq INTEGER NOT NULL,
    hash TEXT NOT NULL, last_start INTEGER NOT NULL, tail TEXT NOT NULL, loose_end INTEGER NOT NULL,
    broken_seq INTEGER, broken TEXT
);
CREATE TABLE records(
    rid INTEGER PRIMARY KEY, src INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
    target TEXT, clock INTEGER NOT NULL, handle TEXT NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL, hash TEXT
);
CREATE UNIQUE INDEX records_seq ON records(src, seq);
CREATE INDEX records_id ON records(id);
CREATE INDEX records_target ON records(target) WHERE target IS NOT NULL;
CREATE TABLE views(
    vid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts REAL NOT NULL, seq INTEGER NOT NULL, clock INTEGER NOT NULL,
    handle TEXT NOT NULL, kind TEXT NOT NULL, project TEXT NOT NULL, retracted INTEGER NOT NULL,
    loops INTEGER NOT NULL, open INTEGER NOT NULL, view BLOB NOT NULL
);
CREATE INDEX views_time ON views(ts, seq, clock, handle);
CREATE INDEX views_loops ON views(clock, handle, seq) WHERE loops;
CREATE INDEX views_open ON views(clock, handle, seq) WHERE open;
CREATE TABLE hays(vid INTEGER PRIMARY KEY, hay TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(
    hay, content='hays', content_rowid='vid', tokenize='trigram case_sensitive 1', detail='none'
);
CREATE TABLE attrs(col TEXT NOT NULL, val TEXT NOT NULL, vid INTEGER NOT NULL, PRIMARY KEY (col, val, vid)) WITHOUT ROWID;
CREATE TABLE links(vid INTEGER NOT NULL, dst TEXT NOT NULL, rel TEXT NOT NULL);
CREATE INDEX links_dst ON links(dst);
CREATE INDEX links_vid ON links(vid);
CREATE TABLE blocks(src INTEGER NOT NULL, block INTEGER NOT NULL, root BLOB NOT NULL, PRIMARY KEY (src, block)) WITHOUT ROWID;
CREATE TABLE counts(pkey TEXT NOT NULL, col TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(pkey, col)) WITHOUT ROWID;
CREATE TABLE people(
    pkey TEXT PRIMARY KEY, display TEXT NOT NULL, clock INTEGER NOT NULL, handle TEXT NOT NULL, seq INTEGER NOT NULL,
    place INTEGER NOT NULL
) WITHOUT ROWID;
"""


def path_of(journal_path) -> Path:
    """Beside the journal: `journal.json.index` (and SQLite's -wal and -shm files)."""
    p = Path(journal_path)
    return p.with_name(p.name + ".index")


def _as_private_as_the_journal(path: Path) -> None:
    """The index holds every entry's text: it gets the journal's permissions (0600 as
    pmjournal creates it; the owner's read and write at least), not the umask's 0644, and so do SQLite's -wal and -shm, which
    SQLite creates with the index's. Best effort: a read-only folder is read as it is."""
    journal = path.with_name(path.name.removesuffix(".index"))
    try:
        # never less than the owner's read and write: a journal archived read-only (0444)
        # made an index nobody could write, created and deleted again on every read
        mode = os.stat(journal).st_mode & 0o666 | 0o600
    except OSError:
        mode = 0o600
    # Never an os.open() of an index that exists: closing any descriptor of a file drops every
    # POSIX lock this process holds on it, SQLite's own included. The app's open connections
    # then held no shared lock, a `pmjournal show` elsewhere closing the last connection it saw
    # deleted the -wal and -shm under them, and the app's reads failed ("disk I/O error"): the
    # trail stopped showing what was saved (a helper's trial).
    try:
        # O_EXCL refuses a link to a file not there yet: made through the link, with the mode
        fd = os.open(path, os.O_RDWR | os.O_CREAT | (0 if path.is_symlink() and not path.exists() else os.O_EXCL), mode)
    except FileExistsError:
        pass
    except OSError:
        return
    else:
        os.close(fd)  # a new file: no connection of this process holds a lock on it
    for side in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        with contextlib.suppress(OSError):
            if side.stat().st_mode & 0o777 & ~mode:
                side.chmod(mode)


def _connect(path: Path) -> sqlite3.Connection:
    _as_private_as_the_journal(path)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in build.py), so
    # a reader never holds a write lock by accident.
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


BUILD_CACHE_KB = 65536  # FTS5 merges its segments through the page cache: see build.py


def open_db(path: Path) -> sqlite3.Connection | None:
    """The index at `path`, created if missing; None if the file is not one we can trust."""
    try:
        db = _connect(path)
        app = db.execute("PRAGMA application_id").fetchone()[0]
        if app == 0 and not db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            _create(db)
            return db
        if app != APPLICATION_ID:
            db.close()
            return None
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if row is None or row[0] != VERSION:
            db.close()
            return None  # an older layout, or a newer pmjournal's: rebuilt, never misread
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db
    except sqlite3.DatabaseError:
        return None


def _create(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            db.execute("ROLLBACK")  # another process created it first
            return
        # One statement at a time: executescript() would COMMIT the transaction first.
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def remove(path: Path) -> None:
    """Delete the index and SQLite's side files (they hold no data of their own). One that
    cannot be deleted (a read-only backup or share) stays: reads then load the journal."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()
