"""Walk the hash chain of a journal file and name the first record that breaks it.

Reads the raw bytes rather than going through the store, so it can report on
a file the store would refuse to open. It never writes.
"""

from dataclasses import dataclass
from pathlib import Path

import orjson

from .chain import GENESIS, canonical, record_hash
from .errors import JournalDamaged, StoreError
from .storage import JournalFile


@dataclass
class Report:
    ok: bool
    count: int  # records that verified
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    problem: str = ""
    torn_tail: bool = False

    def message(self, path) -> str:
        if self.ok:
            tail = " (an unfinished last write will be set aside at the next write)" if self.torn_tail else ""
            return f"ok: {self.count} records, chain head #{self.head_seq} {self.head_hash}{tail}"
        return f"broken at #{self.bad_seq}: {self.problem} ({path})"


def verify_file(path) -> Report:
    path = Path(path)
    jf = JournalFile(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Report(True, 0, 0, GENESIS)
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror}") from err
    end = data.rfind(b"\n") + 1
    torn = end < len(data)
    lines = data[: max(end - 1, 0)].split(b"\n") if end else []
    if not lines:
        if data:
            jf.check_header(data)
        return Report(True, 0, 0, GENESIS, torn_tail=torn)
    try:
        jf.check_header(lines[0])
    except JournalDamaged as err:
        return Report(False, 0, 0, GENESIS, bad_seq=0, problem=str(err))
    prev, seen = GENESIS, set()
    for seq, line in enumerate(lines[1:], start=1):
        problem = _check(line, seq, prev, seen)
        if problem:
            return Report(False, seq - 1, seq - 1, prev, bad_seq=seq, problem=problem)
        prev = orjson.loads(line)["hash"]
    count = len(lines) - 1
    return Report(True, count, count, prev, torn_tail=torn)


def _check(line: bytes, seq: int, prev: str, seen: set) -> str:
    """Why record #seq (this line) breaks the chain, or '' if it holds."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "the record is not valid JSON (bytes were altered or lost)"
    if not isinstance(record, dict):
        return "the line is not a record"
    if record.get("seq") != seq:
        return f"it carries #{record.get('seq')} where #{seq} belongs (records were removed, added or reordered)"
    if record.get("prev_hash") != prev:
        return "it does not chain to the record before it (a record was removed, inserted or rewritten)"
    if record_hash(record) != record.get("hash"):
        return "its content does not match its hash (the record was altered)"
    if canonical(record) != line:
        return "its bytes are not the canonical form that was hashed (the record was altered)"
    if record.get("id") in seen:
        return f"its id {record.get('id')} is used twice"
    seen.add(record.get("id"))
    return ""
