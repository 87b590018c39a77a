"""An export's evidence checked against the journal it came from, reading the journal file
as a stream: `verify --since FILE` and `verify --evidence FILE --db J` hold neither the
journal's records nor its views (a 1M-record journal loaded whole costs GBs).

Like `verify`, this reads the journal file itself, never the index, and checks every record
against the chain as it reads it (storage.Reader, the reader every load uses). Two passes:

1. the whole file: whether the chain holds (a journal that fails verification is refused,
   as a loaded one is), the first record's hash, the last #seq, the hash of each stated
   head, and which entries (up to the head) a later record corrects or closes;
2. up to the stated head (the lines only parsed: the first pass checked them): each entry
   nobody corrected is folded from its own record alone
   and tested against the stated filter as it passes; a corrected one is read back by
   offset with its corrections and folded from those. The filter looks only at an entry's
   own fields (query.COLUMNS), so an entry's records are all its view needs.

Only for a journal that is not in a team: a team's chains merge by clock across files, and
check.py loads them (docs/development.md says so).
"""

from ..fold import fold
from ..i18n import _
from ..query import Filter
from ..storage import JournalFile


class Scanned:
    """What the first pass found: check.check_since and same_journal ask a chain for these."""

    def __init__(self, path, heads: set[int]):
        self.path = path
        self.first: str | None = None
        self.length = 0
        self.hashes: dict[int, str] = {}  # #seq -> hash, for each stated head
        self.corrected: set[str] = set()  # entries a record up to the largest head targets
        self.broken = None
        upto = max(heads, default=0)
        for record, _start, _end in _records(path, self):
            seq = record["seq"]
            if seq == 1:
                self.first = record.get("hash")
            if seq in heads:
                self.hashes[seq] = record.get("hash")
            if seq <= upto and record.get("target") is not None:
                self.corrected.add(record["target"])
            self.length = seq

    def __len__(self) -> int:
        return self.length

    def hash_at(self, seq: int) -> str | None:
        return self.hashes.get(seq)


def _records(path, found=None):
    """(record, line start, line end) of every record of the journal at `path`, checked as
    read; `found.broken` gets the first record that fails the chain."""
    file = JournalFile(path)
    fh = file.open_read()
    if fh is None:
        return
    with fh:
        header, reader = file.start(fh)
        if header is None:
            return
        yield from reader.read(fh, spans=True)
        if found is not None:
            found.broken = reader.broken


def _up_to(path, size: int):
    """(record, line start, line end) of records #1 to #size: the second pass, after the first
    checked the chain (Scanned), so the lines are only parsed."""
    import orjson

    with open(path, "rb") as fh:
        start = len(fh.readline())  # the header
        for line in fh:
            end = start + len(line)
            record = orjson.loads(line)
            if record["seq"] > size:
                return
            yield record, start, end
            start = end


def missing(ev, path, size: int, corrected: set[str]) -> list[str]:
    """check.check_complete, streamed: what the stated filter selects in the journal as it
    stood at #`size` and the export left out, one line each."""
    try:
        filt = Filter.from_json(ev.statement.get("query") or {})
    except (ValueError, TypeError):
        return [_("query: the stated filter is damaged")]
    exported = {r.get("id") for records in ev.records.values() for r in records if isinstance(r, dict)}
    left_out: dict[str, str] = {}  # id -> how the line names it
    spans: dict[str, list[tuple[int, int]]] = {}
    batch: list[dict] = []

    def test(views: list[dict]) -> None:
        # a few thousand at a time: Filter.apply's set-up costs more than one entry's test
        for view in filt.apply(views, ordered=False):
            left_out[view["id"]] = view.get("ref") or "#" + str(view["seq"])
        views.clear()

    for record, start, end in _up_to(path, size):
        key = record.get("target") or record.get("id")
        if key in corrected:
            spans.setdefault(key, []).append((start, end))  # in file order: the entry first
            continue
        view = fold([record]).get(key)  # fresh from the file: nothing to strip (fold.stored)
        if view is not None and key not in exported:
            batch.append(view)
            if len(batch) >= 2000:
                test(batch)
    if spans:
        import orjson

        with open(path, "rb") as fh:
            for key, where in spans.items():
                records = []
                for start, end in where:
                    fh.seek(start)
                    records.append(orjson.loads(fh.read(end - start)))
                view = fold(records).get(key)
                if view is not None and key not in exported:
                    batch.append(view)
                    if len(batch) >= 2000:
                        test(batch)
    test(batch)
    return [_("{ref}: matches the stated filter but is not in the export").format(ref=left_out[i]) for i in sorted(left_out)]


__all__ = ["Scanned", "missing"]
