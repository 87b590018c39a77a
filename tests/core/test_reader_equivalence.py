"""The block-reading Reader accepts, yields and reports exactly what the line-by-line one did.

`storage.Reader.read` reads large blocks and keeps its state in locals (it runs
once per record on every load and `verify`). `reference_read` below is the
Reader's loop as it was before, line by line, kept here verbatim as the
definition: over hundreds of damaged journals (bytes flipped, lines removed,
doubled, swapped, cut, records re-sealed, batches cut short, a file read while
it grows) both must yield the same records with the reader in the same state at
every record, end in the same state, and raise the same error; `verify` must
give the same report as the walk it replaced.
"""

import random

import orjson
import pytest
from damagehelp import build, damaged, reseal

from pmjournal.core import storage
from pmjournal.core.chain import GENESIS, line_hash
from pmjournal.core.errors import JournalDamaged
from pmjournal.core.storage import JournalFile, Reader
from pmjournal.core.verify import Report, verify_file

STATE = ("seq", "prev", "end", "last_start", "broken", "unfinished", "torn", "loose_end")


def reference_read(self, fh):
    """Reader.read before it read blocks (the definition the new one is held to)."""
    loads, pending, batch = orjson.loads, [], None
    for raw_line in fh:
        complete = raw_line.endswith(b"\n")
        line = raw_line[:-1] if complete else raw_line
        if not line and self.loose_end:
            self.end += len(raw_line)  # the newline a loose end was missing, written since
            self.loose_end = False
            continue
        seq = self.seq + 1
        try:
            record = loads(line)
        except orjson.JSONDecodeError:
            record = None
        if record.__class__ is not dict or record.get("seq") != seq:
            if not complete:
                self.torn = True  # a write that never finished: never acknowledged
                break
            if record is None:
                problem = "the record is not valid JSON (bytes were altered or lost)"
            elif record.__class__ is not dict:
                problem = "the line is not a record"
            else:
                problem = f"it carries #{record.get('seq')} where #{seq} belongs (records were removed, added or reordered)"
            err = JournalDamaged(
                f"{self.path} is damaged at line {seq + 1} (record #{seq}); it was not changed. Run `pmjournal verify` for details"
            )
            err.bad = (seq, problem)
            raise err
        stored = record.get("hash")
        if self.broken is not None and complete:
            problem = ""  # the first break is what verify names; later lines are shown, marked
        elif stored is not None and record.get("prev_hash") == self.prev and line_hash(line, self.prev) == stored:
            problem = ""  # the common case, checked inline: this loop runs once per record
        else:
            problem = self._problem(line, record)
        if not complete and problem:
            self.torn = True
            break
        if problem:
            self.broken = (seq, problem)
        span = record.get("batch")
        if batch is None and span.__class__ is list and len(span) == 2 and span[0] == seq and span[1] != seq:
            batch = (span, self.end, self.prev, self.seq, self.last_start)
        self.seq, self.prev, self.last_start = seq, stored, self.end
        self.end += len(raw_line)
        self.loose_end = not complete
        if batch is None:
            yield record
            continue
        pending.append(record)
        if seq == batch[0][1] or span != batch[0]:
            yield from pending
            pending, batch = [], None
    if batch is not None:
        # An interrupted multi-record write: none of it is part of the journal.
        (first, last), self.end, self.prev, self.seq, self.last_start = batch
        self.unfinished = (first, first + len(pending) - 1, last)
        self.loose_end = False
        if self.broken and self.broken[0] >= first:
            self.broken = None


def reference_walk(reader, fh, schema: int) -> Report:
    """verify's walk before it took only ids from the reader."""
    seen = set()
    try:
        for record in reference_read(reader, fh):
            if reader.broken:
                break
            entry_id = record.get("id")
            if entry_id in seen:
                return Report(False, record["seq"] - 1, record["seq"] - 1, "", bad_seq=record["seq"], problem=f"its id {entry_id} is used twice")
            seen.add(entry_id)
    except JournalDamaged as err:
        seq, problem = reader.broken if reader.broken else err.bad
        return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
    if reader.broken:
        seq, problem = reader.broken
        return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
    return Report(True, reader.seq, reader.seq, reader.prev, torn_tail=reader.torn, unfinished=reader.unfinished, schema=schema)


def state(reader) -> tuple:
    return tuple(getattr(reader, name) for name in STATE)


def run(read, reader, fh, pick=None):
    """What a read yields, with the reader's state at each record, its end state and its error."""
    seen, error = [], None
    try:
        for item in read(reader, fh) if pick is None else read(reader, fh, pick):
            seen.append((item, state(reader)))
    except JournalDamaged as err:
        error = (str(err), err.bad)
    return seen, state(reader), error


def new_read(reader, fh, pick=None):
    return reader.read(fh, pick)


def starts(data: bytes):
    """(seq, prev, end) to start reading at: after the header, and at some later line
    with the state its stated prev_hash gives (what catching up and the preview do)."""
    first = data.find(b"\n")
    if first < 0:
        return
    header = data[:first]
    import hashlib

    yield 0, hashlib.sha256(header).hexdigest(), first + 1
    pos = first + 1
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            return
        try:
            record = orjson.loads(data[pos:nl])
        except orjson.JSONDecodeError:
            record = None
        if isinstance(record, dict) and isinstance(record.get("seq"), int) and record["seq"] % 3 == 2:
            yield record["seq"] - 1, record.get("prev_hash", GENESIS), pos
        pos = nl + 1


def compare(path, data: bytes, monkeypatch) -> None:
    import io

    path.write_bytes(data)
    for seq, prev, end in starts(data):
        expected = run(reference_read, Reader(path, seq, prev, end), io.BytesIO(data[end:]))
        for block in (1, 7, 97, 1 << 20):
            monkeypatch.setattr(storage, "_BLOCK", block)
            with open(path, "rb") as fh:
                fh.seek(end)
                assert run(new_read, Reader(path, seq, prev, end), fh) == expected, (block, seq)
        # Lines handed over one by one (as _chains and a caller's own lines do)
        assert run(new_read, Reader(path, seq, prev, end), io.BytesIO(data[end:]).readlines()) == expected
        # ... even without their newlines: each is then a last line that may have been torn
        bare = data[end:].split(b"\n")
        assert run(new_read, Reader(path, seq, prev, end), bare) == run(reference_read, Reader(path, seq, prev, end), bare)
        # pick: what it returns, held and yielded in place of each record; the same states
        got = run(new_read, Reader(path, seq, prev, end), io.BytesIO(data[end:]), pick=lambda r: r.get("id"))
        assert got[1:] == expected[1:]
        assert got[0] == [(record.get("id"), at) for record, at in expected[0]]


def test_the_damage_covers_every_outcome(tmp_path):
    """The damaged journals below reach every way a read can end: whole, broken, raised,
    torn, a loose end, a batch left unfinished (and one forgiven a break inside it)."""
    import io

    rng = random.Random(1)
    original = build(tmp_path / "j.json", rng)
    outcomes = set()
    for _ in range(400):
        data = damaged(original, rng)
        first = data.find(b"\n")
        if first < 0:
            continue
        import hashlib

        reader = Reader("j", 0, hashlib.sha256(data[:first]).hexdigest(), first + 1)
        seen, end, error = run(reference_read, reader, io.BytesIO(data[first + 1 :]))
        outcomes.add("raised" if error else "broken" if reader.broken else "whole")
        outcomes |= {name for name in ("torn", "loose_end", "unfinished") if getattr(reader, name)}
        if reader.unfinished and any(at[4] for _, at in seen) is False and reader.broken is None:
            outcomes.add("unfinished, nothing broken before it")
    assert outcomes >= {"raised", "broken", "whole", "torn", "loose_end", "unfinished"}


@pytest.mark.parametrize("seed", range(12))
def test_damaged_journals_read_the_same(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    original = build(tmp_path / "j.json", rng, duplicate_ids=seed % 3 == 0)
    compare(tmp_path / "j.json", original, monkeypatch)
    for _ in range(25):
        compare(tmp_path / "j.json", damaged(original, rng), monkeypatch)


def test_every_record_with_every_batch_reads_the_same(tmp_path, monkeypatch):
    """Each record in turn given each kind of `batch` (re-sealed, so the chain breaks after it),
    the last one included: where a batch starts, ends, is cut short or is not one."""
    rng = random.Random(5)
    path = tmp_path / "j.json"
    original = build(path, rng)
    lines = original.split(b"\n")
    for at in range(1, len(lines) - 1):
        for span in (None, [at, at], [at, at + 1], [at, at + 3], [at - 1, at + 1], [at, 1], [at, at + 1.0], [at], "x"):
            changed = list(lines)
            changed[at] = reseal(lines[at], lambda r, span=span: r.pop("batch", None) if span is None else r.update(batch=span))
            compare(path, b"\n".join(changed), monkeypatch)


@pytest.mark.parametrize("seed", range(6))
def test_a_journal_read_while_it_grows_reads_the_same(tmp_path, seed):
    """Catching up: a reader that read a prefix (cut anywhere: mid-line, just before or after
    a newline) reads on from where it stopped, as JournalFile.load_from does."""
    rng = random.Random(100 + seed)
    path = tmp_path / "j.json"
    full = build(path, rng)
    if seed % 2:
        full = damaged(full, rng)
    header_end = full.find(b"\n") + 1
    for cut in sorted(rng.sample(range(header_end, len(full) + 1), min(30, len(full) - header_end))):
        outcomes = []
        for read in (reference_read, new_read):
            path.write_bytes(full[:cut])
            jf = JournalFile(path)
            with open(path, "rb") as fh:
                _, reader = jf.start(fh)
                first = run(read, reader, fh)
            path.write_bytes(full)
            with open(path, "rb") as fh:
                fh.seek(reader.end)
                reader.torn = False
                second = run(read, reader, fh)
            outcomes.append((first, second))
        assert outcomes[0] == outcomes[1], cut


@pytest.mark.parametrize("seed", range(10))
def test_verify_reports_what_the_walk_it_replaced_did(tmp_path, seed):
    rng = random.Random(200 + seed)
    path = tmp_path / "j.json"
    original = build(path, rng, duplicate_ids=seed % 2 == 0)
    for data in [original] + [damaged(original, rng) for _ in range(30)]:
        path.write_bytes(data)
        jf = JournalFile(path)
        with open(path, "rb") as fh:
            try:
                header, reader = jf.start(fh)
            except JournalDamaged as err:
                expected = Report(False, 0, 0, GENESIS, bad_seq=0, problem=str(err))
            else:
                if header is None:
                    expected = Report(True, 0, 0, GENESIS, torn_tail=reader.end < len(data))
                else:
                    expected = reference_walk(reader, fh, header["schema"])
        assert verify_file(path) == expected


def test_a_line_longer_than_a_block(tmp_path, monkeypatch):
    """A record longer than the block read at once is gathered whole, complete or torn."""
    monkeypatch.setattr(storage, "_BLOCK", 64)
    path = tmp_path / "j.json"
    jf = JournalFile(path)
    jf.append([{"id": "a", "title": "x" * 1000}, {"id": "b", "title": "y" * 300}])
    jf.append([{"id": "c", "title": "z" * 5000}])
    data = path.read_bytes()
    compare(path, data, monkeypatch)
    compare(path, data[:-1], monkeypatch)  # loose end
    compare(path, data[:-100], monkeypatch)  # torn
    report = verify_file(path)
    assert report.ok and report.count == 2 and report.torn_tail  # #3 cut: a torn last line
    path.write_bytes(data)
    assert verify_file(path).count == 3
