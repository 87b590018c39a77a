"""An export's records, as `verify --evidence` keeps them while it checks: where each one is
in the file, in a private temporary SQLite database (on disk past its cache), never the
records themselves (a whole 1M-record export's, parsed, would cost GBs).

From it: whether the export holds a record id (`in`: evidence/against.missing asks it of each
entry of the journal), and the records of each entry in the team's order (`groups()`: each
entry folded from its own records, as check.check compares each entry shown with them).
Each row also says whether the record is one that a whole fold would fold (check.py's old
rule: an int #seq, an int clock if any, a text author) and whether it may hold links (the
entries a supersession marks).
"""

import sqlite3

import orjson

from ..model import META_KINDS
from ..team.layout import clock_of

_BATCH = 5000
_INT64 = (1 << 63) - 1


def key_of(value) -> str | bytes:
    """How an id (or a correction's target) is stored: an id as the text it is; anything else a
    damaged record may hold there as its JSON, a blob, which never equals a text in SQLite.
    (Not orjson.dumps for every id: each bytes it returns keeps a 4 KB buffer, 20 MB per 5,000.)"""
    return value if value.__class__ is str else bytes(memoryview(orjson.dumps(value)))


def value_of(key: str | bytes):
    """The id key_of() stored, as it was."""
    return key if isinstance(key, str) else orjson.loads(key)


def _int64(value: int) -> int:
    return max(-_INT64 - 1, min(_INT64, value))


class Exported:
    def __init__(self, own: str):
        self.own = own
        self.db = sqlite3.connect("")
        self.db.execute(
            "CREATE TABLE recs(rid, key, entry INT, links INT, folds INT,"
            " clock INT, author TEXT, seq INT, chain TEXT, start INT, end INT)"
        )
        self._rows: list[tuple] = []

    def close(self) -> None:
        self.db.close()

    def add(self, name: str, record: dict, start: int, end: int) -> None:
        kind = record.get("kind")
        meta = kind in META_KINDS if kind.__class__ is str else False
        key = record.get("target") if meta else record.get("id")
        author = name  # the chain's handle, this author's own too: merge.merged sorts by it
        seq, clock = record.get("seq"), record.get("clock", 0)
        folds = isinstance(seq, int) and isinstance(clock, int) and isinstance(author, str)
        links = "links" in record or (meta and isinstance(record.get("changes"), dict) and "links" in record["changes"])
        self._rows.append(
            (
                key_of(record.get("id")),
                key_of(key),
                not meta,
                links,
                folds,
                _int64(clock_of(record)) if folds else 0,
                author if folds else "",
                _int64(seq) if folds else 0,
                name,
                start,
                end,
            )
        )
        if len(self._rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO recs VALUES (?,?,?,?,?,?,?,?,?,?,?)", self._rows)
        self._rows = []

    def done(self) -> None:
        self._flush()
        self.db.execute("CREATE INDEX recs_rid ON recs(rid)")
        self.db.execute("CREATE INDEX recs_key ON recs(key, clock, author, seq) WHERE folds")

    def __contains__(self, record_id) -> bool:
        return self.holds(key_of(record_id))

    def holds(self, key) -> bool:
        """Whether a record of key `key` (key_of an id) is exported."""
        return self.db.execute("SELECT 1 FROM recs WHERE rid = ? LIMIT 1", (key,)).fetchone() is not None

    def groups(self, keys=None):
        """(key, [(chain, start, end), ...]) for each entry (a record's id, a correction's
        target) the folded records concern, its records in the team's order (merge.merged:
        clock, author, #seq); only those of `keys` (a SELECT of key), if given."""
        where = f"AND key IN ({keys})" if keys else ""
        rows = self.db.execute(
            f"SELECT key, chain, start, end FROM recs WHERE folds {where} ORDER BY key, clock, author, seq, rowid"  # noqa: S608 (our own SQL)
        )
        key, group = None, []
        for row_key, chain, start, end in rows:
            if row_key != key:
                if group:
                    yield key, group
                key, group = row_key, []
            group.append((chain, start, end))
        if group:
            yield key, group

    def linking(self):
        """groups() of the entries whose records may hold links."""
        return self.groups("SELECT key FROM recs WHERE folds AND links")

    def entry_keys(self):
        """The entries the folded records hold a record of (not only corrections): a shown
        entry outside them is shown without the records behind it."""
        return "SELECT key FROM recs WHERE folds AND entry"
