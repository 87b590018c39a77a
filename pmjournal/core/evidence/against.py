"""An export's evidence checked against the journal it came from, reading the journal's files
as streams: `verify --since FILE` and `verify --evidence FILE --db J` hold neither the
journal's records nor its views (a 1M-record journal loaded whole costs GBs).

Like `verify`, this reads the journal's files themselves, never the index, and checks every
record against its chain as it reads it (storage.Reader, the reader every load uses). Two
passes over each chain file (this author's journal and, in a team journal, each colleague's
copy):

1. the whole file: whether the chain holds (a journal whose own chain fails verification is
   refused, as a loaded one is), the first record's hash, the last #seq, the hash at the
   stated head, and which entries (up to the head) a record corrects or closes; in a team,
   every record's id goes to a temporary SQLite table, to find the ids a colleague's record
   reuses (merge.merged leaves such records out, and so does this);
2. up to the stated head (the lines only parsed: the first pass checked them): each entry
   nobody corrected is folded from its own record alone and tested against the stated
   filter as it passes; a corrected one is read back by offset with its corrections, from
   whichever files hold them, put in the team's order and folded. The filter looks only at
   an entry's own fields (query.COLUMNS), so an entry's records are all its view needs.

What it finds is what the journal loaded whole gives (its merged records up to the stated heads,
folded and filtered): tests/test_evidence_against.py holds that definition and compares.
"""

from pathlib import Path

from ..errors import JournalDamaged, refuse_unverified
from ..fold import fold, ref_of
from ..i18n import _
from ..query import Filter
from ..storage import JournalFile
from ..team.layout import Team, clock_of, colleagues
from .check import Outside
from .exportfile import chain_ref

_ID_BATCH = 5000  # ids written to the temporary table at a time


class Scanned:
    """One chain file as the first pass found it: check.check_since and same_journal ask a
    chain for `first`, len() and hash_at(); `size` is the export's head of it (0: none).
    `ids`: the temporary database (Against) its records' ids go to, in a team."""

    def __init__(self, path, size: int, handle: str | None = None, ids=None):
        self.path, self.size, self.handle = path, size, handle
        self.first: str | None = None
        self.length = 0
        self.head: str | None = None  # the hash of record #size
        self.corrected: set[str] = set()  # entries a record up to #size targets
        self.broken = None
        rows: list[tuple] = []
        try:
            for record, _start, _end in _records(path, self):
                seq = record["seq"]
                if seq == 1:
                    self.first = record.get("hash")
                if seq == size:
                    self.head = record.get("hash")
                if seq <= size and record.get("target") is not None:
                    self.corrected.add(record["target"])
                self.length = seq
                if ids is not None:
                    rows.append((record.get("id"), clock_of(record), handle or "", seq))
                    if len(rows) >= _ID_BATCH:
                        ids.executemany("INSERT INTO ids VALUES (?, ?, ?, ?)", rows)
                        rows = []
        except JournalDamaged:
            if handle is None:
                raise  # this author's own journal: reported, as a load reports it
            # As merge.ChainCopy: the whole copy is left out, the ids already written with it.
            self.first, self.length, self.head, self.corrected, self.size = None, 0, None, set(), 0
            rows = []
            if ids is not None:
                ids.execute("DELETE FROM ids WHERE handle = ?", (handle,))
        if ids is not None and rows:
            ids.executemany("INSERT INTO ids VALUES (?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        return self.length

    def hash_at(self, seq: int) -> str | None:
        return self.head if seq == self.size else None


def _first_hash(path) -> str | None:
    """The hash of the first record of the journal file at `path` (None: it has none, or is damaged)."""
    file = JournalFile(path)
    try:
        fh = file.open_read()
        if fh is None:
            return None
        with fh:
            header, reader = file.start(fh)
            if header is None:
                return None
            first = next(iter(reader.read(fh)), None)
    except (JournalDamaged, OSError, ValueError):
        return None
    return first.get("hash") if isinstance(first, dict) else None


def _records(path, found: Scanned):
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
        found.broken = reader.broken


def _up_to(path, size: int):
    """(record, line start, line end) of records #1 to #size: the second pass, after the first
    checked the chain (Scanned), so the lines are only parsed."""
    import orjson

    if size <= 0:
        return
    with open(path, "rb") as fh:
        start = len(fh.readline())  # the header
        for line in fh:
            end = start + len(line)
            record = orjson.loads(line)
            if record["seq"] > size:
                return
            yield record, start, end
            start = end


class Against(dict):
    """The journal's chains, by name (Scanned), as check.check_since reads them; `own`: its
    own chain's name; complete(): a line for each entry the stated filter selects and the
    export left out (missing())."""

    def __init__(self, ev, path: Path):
        super().__init__()
        self.ev = ev
        stated = ev.statement["chains"]
        team = Team(path)
        self.own = (team.handle or "journal") if team.joined else "journal"
        self.joined_as = team.handle if team.joined else None  # what Filter.own is here
        colleagues = team.colleagues() if team.joined else {}
        # An export taken before a journal joined a team names its chain `journal`; joined, the
        # chain is named by its handle (here, or on a colleague's machine its copy): found by its
        # first record, and named as the statement names it (every document sent before
        # joining failed "chain journal: this journal does not hold it").
        self.alias: dict[str, str] = {}  # a chain's name here -> its name in the statement
        files = {self.own: path, **colleagues}
        for name, chain in stated.items():
            if name in files or not isinstance(chain, dict):
                continue
            for here, file in files.items():
                if here not in stated and here not in self.alias and _first_hash(file) == chain.get("first"):
                    self.alias[here] = name
                    break

        def size(here: str) -> int:
            value = (stated.get(self.alias.get(here, here)) or {}).get("size")
            return value if isinstance(value, int) else 0

        self._skip: set[tuple[str, int]] = set()
        if not colleagues:
            own = Scanned(path, size(self.own))
        else:
            import sqlite3

            ids = sqlite3.connect("")  # a private temporary database, on disk past its cache
            ids.execute("CREATE TABLE ids(id, clock, handle, seq)")
            own = Scanned(path, size(self.own), None, ids)
            for handle, chain in colleagues.items():
                self[self.alias.get(handle, handle)] = Scanned(chain, size(handle), handle, ids)
            self._skip = _reused(ids)
            ids.close()
        self[self.alias.get(self.own, self.own)] = own
        refuse_unverified(own.broken, "checked against", _("run `pmjournal verify` first"))

    def complete(self, exported=None, outside=None) -> list[str]:
        """`outside`: a Markdown export's claims about entries outside it (check.Findings.outside),
        held against the journal at the stated heads too."""
        return missing(self.ev, self, self._skip, self.own, exported, self.joined_as, outside, self.alias)


def _reused(ids) -> set[tuple[str, int]]:
    """(handle, #seq) of each colleague's record that merge.merged leaves out: one whose id
    this author's chain holds, or an earlier record in the team's order (handle "" is own)."""
    skip: set[tuple[str, int]] = set()
    for (record_id,) in ids.execute("SELECT id FROM ids GROUP BY id HAVING count(*) > 1").fetchall():
        found = sorted(ids.execute("SELECT clock, handle, seq FROM ids WHERE id = ?", (record_id,)))
        own = any(handle == "" for _clock, handle, _seq in found)
        for n, (_clock, handle, seq) in enumerate(h for h in found if h[1] != ""):
            if own or n:
                skip.add((handle, seq))
    return skip


def missing(
    ev,
    chains: dict,
    skip: set | None = None,
    own_handle: str = "journal",
    exported=None,
    joined_as: str | None = None,
    outside=None,
    alias: dict | None = None,
) -> list[str]:
    """What the stated filter selects in the journal as it stood at the stated heads (each
    Scanned's `size`) and the export left out, one line each. `skip`: (handle, #seq) of
    colleagues' records a load leaves out (_reused); `own_handle`: this author's, which
    orders their records among the colleagues' (merge.merged). `exported`: what answers
    whether the export holds a record id (by default the export's own records). `joined_as`:
    this machine's handle in a team (Filter.own: an `author` naming it selects its own records).
    `outside`: shown.EntryCheck's claims about entries outside the export, held as the entries
    pass (their #refs as the exporter numbers them, and which of them link to exported ones).
    `alias`: a chain's name here -> its name in the statement (Against.alias)."""
    try:
        filt = Filter.from_json(ev.statement.get("query") or {})
    except (ValueError, TypeError):
        return [_("query: the stated filter is damaged")]
    filt.own = joined_as
    skip = skip or set()
    if exported is None:
        exported = ev.exported()  # evidence/exported.py: read once
    corrected = set().union(*(chain.corrected for chain in chains.values()))
    left_out: dict[str, str] = {}  # id -> how the line names it
    spans: dict[str, list[tuple[Scanned, int, int]]] = {}
    batch: list[dict] = []

    wanted, wanted_refs = outside.outside_wanted() if outside is not None else (set(), set())
    # what the entries outside the export say of it (their #refs as the exporter numbers them)
    collected = Outside(exported, keep=lambda entry_id, ref: entry_id in wanted or ref in wanted_refs)
    alias = alias or {}

    def test(views: list[dict]) -> None:
        # a few thousand at a time: Filter.apply's set-up costs more than one entry's test
        for view in filt.apply(views, ordered=False):
            left_out[view["id"]] = ref_of(view)
        if outside is not None:
            for view in views:
                name = view.get("author") or own_handle
                collected.add(view, chain_ref(alias.get(name, name), view["seq"], ev.own))
        views.clear()

    def named(record: dict, chain: Scanned) -> dict:
        return record if chain.handle is None else colleagues(record, chain.handle)

    dropped: list[str] = []  # the records of exported entries the export left out

    for chain in chains.values():
        for record, start, end in _up_to(chain.path, chain.size):
            if chain.handle is not None and (chain.handle, record["seq"]) in skip:
                continue
            key = record.get("target") or record.get("id")
            if key != record.get("id") and key in exported and record.get("id") not in exported:
                # an amendment, retraction or loop record of an exported entry, left out: the
                # entry shown as it was before it (a user trial dropped an owner's correction)
                dropped.append(f"{chain.handle}#{record['seq']}" if chain.handle else f"#{record['seq']}")
            if key in corrected:
                spans.setdefault(key, []).append((chain, start, end))
                continue
            view = fold([named(record, chain)]).get(key)  # fresh from the file: nothing to strip (fold.stored)
            if view is not None and key not in exported:
                batch.append(view)
                if len(batch) >= 2000:
                    test(batch)
    if spans:
        import orjson

        files: dict = {}
        try:
            for key, where in spans.items():
                records = []
                for chain, start, end in where:
                    fh = files.get(chain.path)
                    if fh is None:
                        fh = files[chain.path] = open(chain.path, "rb")  # noqa: SIM115 (closed below)
                    fh.seek(start)
                    records.append(named(orjson.loads(fh.read(end - start)), chain))
                # the team's order (merge.merged): a correction after what it corrects
                records.sort(key=lambda r: (clock_of(r), r.get("author", own_handle), r["seq"]))
                view = fold(records).get(key)
                if view is not None and key not in exported:
                    batch.append(view)
                    if len(batch) >= 2000:
                        test(batch)
        finally:
            for fh in files.values():
                fh.close()
    test(batch)
    return (
        [_("{ref}: matches the stated filter but is not in the export").format(ref=left_out[i]) for i in sorted(left_out)]
        + [_("record {ref}: corrects an exported entry but is not in the export").format(ref=ref) for ref in dropped]
        + (collected.held_by(outside) if outside is not None else [])
    )


__all__ = ["Against", "Scanned", "missing"]
