"""One batch of records appended a piece at a time: how `import` writes a large file.

`JournalFile.append` seals a list of bodies and writes them in one write(),
which holds every record and its line in memory (at 1M records, gigabytes).
`StreamedBatch` writes the same bytes the same way, but as the bodies come:

- It takes the journal's write lock for the whole batch and settles the
  file's tail first, exactly as `JournalFile.append` does (a torn line or an
  unfinished batch left by a crash is moved to a side file).
- Every record carries `"batch": [first, last]`, so the number of records is
  given up front. The Reader leaves out a batch whose last record is not in
  the file, so a crash (or a kill) part-way leaves records that no reader
  takes in and the next writer sets aside: the batch is all or nothing on
  disk, as one write() of it was. A reader in another process meanwhile sees
  the journal without the batch.
- Lines are written in chunks of about a megabyte as they are sealed, and
  fsynced once at the end, before anything is reported saved: a crash before
  that fsync loses the batch, never half of it.
- Anything that goes wrong before the end (a record that fails its checks, a
  full disk, fewer records than announced) cuts the file back to where it
  was (and fsyncs that), so the journal is byte for byte what it was.

It uses the JournalFile's own steps for the lock, the header and the tail
(the same private helpers `JournalFile._append_locked` runs), so the two
cannot drift apart in what they accept.
"""

import errno
import os

from .chain import canonical, line_hash, record_hash
from .errors import StoreError
from .i18n import _
from .storage import JournalFile, _write_all
from .team.layout import Team, clock_of, last_record

_FLUSH = 1 << 20
_HASH_KEY = b'"hash":"'
_PLACEHOLDER = "0" * 64
_PLACEHOLDER_BYTES = _PLACEHOLDER.encode()


class StreamedBatch:
    """A context manager: entering takes the lock and finds where the batch goes;
    then `begin(count)`, `add` each body, and `done()` makes it final."""

    def __init__(self, file: JournalFile):
        self.file = file
        self.count = 0
        self.fd: int | None = None
        self.start = 0  # the file's size before the batch
        self.size = 0
        self.seq = 0
        self.prev = ""
        self.first = 0
        self.batch: list[int] | None = None
        self.clock: int | None = None
        self.written = 0
        self._chunks: list[bytes] = []
        self._pending = 0
        self._lock = None
        self._finished = False

    def __enter__(self):
        self.file.check_existing()  # refuse a file that is not a journal before creating anything
        self._lock = self.file.locked()
        self._lock.__enter__()
        try:
            self.fd = self.file._open_for_append()
            self._prepare()
        except BaseException:
            self._close()
            raise
        return self

    def _prepare(self) -> None:
        fd, file = self.fd, self.file
        size, self.seq, self.prev = file._ready_to_append(fd)
        self.start = self.size = size
        self.first = self.seq + 1
        team = Team(file.path)
        if team.joined:
            # As store.stamp_clocks does for any append, but under the lock.
            own_last = last_record(file.path)
            self.clock = max(clock_of(own_last) if own_last else 0, team.max_clock()) + 1
        os.lseek(fd, size, os.SEEK_SET)

    def begin(self, count: int) -> None:
        """Announce how many records the batch holds (each carries its extent)."""
        self.count = count
        self.batch = [self.seq + 1, self.seq + count] if count > 1 else None

    def add(self, body: dict) -> dict:
        """Seal `body` as the batch's next record and queue its line; return the record."""
        if self.written >= self.count:
            raise StoreError(_("an import produced more records than it announced; nothing was saved"))
        self.seq += 1
        record = body  # the caller's own dict, sealed in place
        record["seq"] = self.seq
        if self.batch:
            record["batch"] = self.batch
        if self.clock is not None:
            record["clock"] = self.clock
            self.clock += 1
        record["prev_hash"] = self.prev
        record["hash"] = _PLACEHOLDER
        line = canonical(record)
        # That line less its hash pair is the canonical body the hash covers: what
        # chain.line_hash computes, the very check every reader makes of a line. One
        # serialisation instead of chain.seal's two.
        at = line.find(_HASH_KEY)
        if at > 0 and line.startswith(_PLACEHOLDER_BYTES, at + len(_HASH_KEY)):
            digest = line_hash(line, self.prev)
            start = at + len(_HASH_KEY)
            line = b"".join((line[:start], digest.encode(), line[start + len(_PLACEHOLDER_BYTES) :], b"\n"))
        else:  # not expected: then as chain.seal does it
            del record["hash"]
            digest = record_hash(record)
            record["hash"] = digest
            line = canonical(record) + b"\n"
        record["hash"] = self.prev = digest
        self._chunks.append(line)
        self._pending += len(line)
        self.written += 1
        if self._pending >= _FLUSH:
            self._flush()
        return record

    def _flush(self) -> None:
        if not self._chunks:
            return
        payload = b"".join(self._chunks)
        self._chunks, self._pending = [], 0
        try:
            _write_all(self.fd, payload)
        except OSError as err:
            reason = _("the disk is full") if err.errno == errno.ENOSPC else err.strerror
            raise StoreError(
                _("cannot write to {path}: {reason}; nothing was saved").format(path=self.file.path, reason=reason)
            ) from err
        self.size += len(payload)

    def done(self) -> tuple[int, int]:
        """Write what is queued and fsync: the batch is saved. Returns (offset before, after)."""
        if self.written != self.count:
            raise StoreError(
                _("an import announced {count} records and had {written}; nothing was saved").format(
                    count=self.count, written=self.written
                )
            )
        self._flush()
        try:
            os.fsync(self.fd)
        except OSError as err:
            raise StoreError(
                _("cannot write to {path}: {strerror}; nothing was saved").format(path=self.file.path, strerror=err.strerror)
            ) from err
        self._finished = True
        return self.start, self.size

    def __exit__(self, exc_type, exc, tb):
        try:
            if not self._finished and self.fd is not None:
                # Not saved: cut the journal back to where it was.
                try:
                    os.ftruncate(self.fd, self.start)
                    os.fsync(self.fd)
                except OSError:
                    pass  # what is left is an unfinished batch: readers leave it out, the next writer sets it aside
        finally:
            self._close()
        return False

    def _close(self) -> None:
        try:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
        finally:
            if self._lock is not None:
                lock, self._lock = self._lock, None
                lock.__exit__(None, None, None)
