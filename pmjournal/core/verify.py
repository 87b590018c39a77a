"""Walk the hash chain of a journal file and name the first record that breaks it.

Uses the same Reader as every load (storage.Reader), streaming the file, so
what `verify` accepts is exactly what reads show. It never writes.
"""

from dataclasses import dataclass
from pathlib import Path

from .chain import GENESIS
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
    unfinished: tuple[int, int, int] | None = None  # an interrupted multi-record write, left out
    schema: int = 0

    def notes(self) -> list[str]:
        out = []
        if self.unfinished:
            first, written, last = self.unfinished
            out.append(
                f"an interrupted write of {last - first + 1} records (#{first}-#{last}, {written - first + 1} written) "
                "is not part of the journal; the next write moves it to a side file"
            )
        if self.torn_tail:
            out.append("an unfinished last write is not part of the journal; the next write moves it to a side file")
        if self.schema == 1:
            out.append("this journal's header (schema 1) is outside the chain; journals created since are chained from the header")
        return out

    def message(self, path) -> str:
        if self.ok:
            tail = "".join(f"; {note}" for note in self.notes())
            return f"ok: {self.count} records, chain head #{self.head_seq} {self.head_hash}{tail}"
        return f"broken at #{self.bad_seq}: {self.problem} ({path})"


def verify_file(path) -> Report:
    path = Path(path)
    jf = JournalFile(path)
    fh = jf.open_read()
    if fh is None:
        return Report(True, 0, 0, GENESIS)
    with fh:
        try:
            header, reader = jf.start(fh)
        except JournalDamaged as err:
            return Report(False, 0, 0, GENESIS, bad_seq=0, problem=str(err))
        if header is None:
            return Report(True, 0, 0, GENESIS, torn_tail=reader.end < _size(fh))
        seen: set[str] = set()
        try:
            for record in reader.read(fh):
                if reader.broken:
                    break
                entry_id = record.get("id")
                if entry_id in seen:
                    return Report(False, record["seq"] - 1, record["seq"] - 1, "", bad_seq=record["seq"], problem=f"its id {entry_id} is used twice")
                seen.add(entry_id)
        except JournalDamaged as err:
            if reader.broken:  # an earlier record already broke the chain: report the first
                seq, problem = reader.broken
            else:
                seq, problem = err.bad
            return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
        if reader.broken:
            seq, problem = reader.broken
            return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
        return Report(True, reader.seq, reader.seq, reader.prev, torn_tail=reader.torn, unfinished=reader.unfinished, schema=header["schema"])


def _size(fh) -> int:
    import os

    try:
        return os.fstat(fh.fileno()).st_size
    except OSError as err:
        raise StoreError(f"cannot read {fh.name}: {err.strerror}") from err
