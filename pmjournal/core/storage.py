"""The journal file: an append-only line log under an OS lock, and its TinyDB Storage.

Layout: line 1 is a header {"format": "pmjournal", "schema": N, ...}; every
further line is one record in canonical JSON (see chain.py), record #n on line
n + 1. Appending writes one line and fsyncs it, so the cost does not grow with
the journal and a crash can at worst leave a torn last line, which was never
reported as saved. The next writer moves such a tail to a side file
(`<journal>.torn-<time>`) before appending, so nothing is silently dropped.

TinyDB's JSONStorage rewrites the whole file on every insert and corrupts it
if killed mid-write (TinyDB #301); this Storage keeps TinyDB's read interface
(`read()` returns {table: {doc_id: document}}) but refuses whole-file writes:
inserts go through `append`, called by store.EntryTable.
"""

import contextlib
import gc
import mmap
import os
import time
from pathlib import Path

import orjson
from tinydb.storages import Storage

from .chain import GENESIS, canonical, seal
from .errors import JournalDamaged, JournalLocked, StoreError

FORMAT = "pmjournal"
SCHEMA = 1
TABLE = "entries"
LOCK_TIMEOUT = 5.0
_CHUNK = 1 << 16
_SHARE_FROM_BYTES = 16 << 20  # about 25k entries
_SHARED_TEXT = ("kind", "project", "recorded_by", "owner", "status")
_SHARED_LISTS = ("tags", "approved_by", "consulted", "informed", "requested_by", "participants", "causes")


@contextlib.contextmanager
def paused_gc():
    """Build many small objects without the cyclic GC rescanning them.

    Parsing or folding 100k records triggers dozens of full collections that
    walk every object built so far: it doubles the load time. Records and
    views hold no reference cycles, so nothing is lost by pausing. Afterwards
    the survivors are frozen out of later collections, which would otherwise
    stall the TUI for a moment every so often.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalFile:
    """Byte-level access to one journal file; every write holds the lock."""

    def __init__(self, path, lock_timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock = None

    @property
    def lock(self):
        """The OS lock writers take; created on first use, since readers never need it."""
        if self._lock is None:
            from filelock import FileLock

            self._lock = FileLock(f"{self.path}.lock", timeout=self.lock_timeout, mode=0o600)
        return self._lock

    # -- reading -------------------------------------------------------

    def check_header(self, line: bytes) -> dict:
        try:
            header = orjson.loads(line)
        except orjson.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise JournalDamaged(f"{self.path} is not a pmjournal journal (or its first line is damaged); it was not changed")
        schema = header.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA:
            raise JournalDamaged(
                f"{self.path} was written by a newer pmjournal (schema {schema}, this one reads {SCHEMA}); upgrade pmjournal. The file was not changed"
            )
        return header

    def check_existing(self) -> None:
        """Refuse, with one line, a file that is not a journal or is from a newer pmjournal.

        Reads only the first line; a missing or empty file is a new journal.
        """
        try:
            with open(self.path, "rb") as fh:
                first = fh.readline(1 << 20)
        except FileNotFoundError:
            return
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from err
        if first:
            self.check_header(first)

    def parse_line(self, line: bytes, lineno: int) -> dict:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or record.get("seq") != lineno - 1:
            raise JournalDamaged(
                f"{self.path} is damaged at line {lineno} (record #{lineno - 1}); it was not changed. Run `pmjournal verify` for details"
            )
        return record

    def read_lines(self, start: int = 0) -> tuple[list[bytes], int]:
        """Complete lines from byte offset `start`, and the offset after the last one.

        A torn last line (no newline yet) is left out: it was never acknowledged.
        """
        try:
            with open(self.path, "rb") as fh:
                fh.seek(start)
                data = fh.read()
        except FileNotFoundError:
            return [], 0
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from err
        end = data.rfind(b"\n") + 1
        if end == 0:
            return [], start
        return data[: end - 1].split(b"\n"), start + end

    def load(self) -> tuple[dict | None, list[dict], int]:
        """(header, records, end offset). A missing or empty file is an empty journal.

        Reads line by line: holding the whole file and its split lines as well
        as the parsed records would double the peak memory at 100k entries.
        """
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            return None, [], 0
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from err
        with fh, paused_gc():
            first = fh.readline()
            if not first.endswith(b"\n"):
                if first:  # only a torn header: check it is ours, then treat as empty
                    self.check_header(first)
                return None, [], 0
            header = self.check_header(first)
            records, end, loads = [], len(first), orjson.loads
            shared = {}.setdefault
            # Sharing strings costs a third of the parse time and pays off only in
            # memory, which matters for large journals alone.
            share = os.fstat(fh.fileno()).st_size > _SHARE_FROM_BYTES
            for seq, line in enumerate(fh, start=1):
                if not line.endswith(b"\n"):
                    break  # a torn tail was never acknowledged
                try:
                    record = loads(line)
                except orjson.JSONDecodeError:
                    record = None
                if record.__class__ is not dict or record.get("seq") != seq:
                    self.parse_line(line, seq + 1)  # raises the one-line "damaged" error
                # The same few names, kinds, projects and tags recur in every
                # record; one shared copy of each saves ~50 MB at 100k records.
                for key in _SHARED_TEXT if share else ():
                    value = record.get(key)
                    if value.__class__ is str:
                        record[key] = shared(value, value)
                for key in _SHARED_LISTS if share else ():
                    value = record.get(key)
                    if value.__class__ is list:
                        record[key] = [shared(x, x) if x.__class__ is str else x for x in value]
                records.append(record)
                end += len(line)
        return header, records, end

    def load_from(self, offset: int, first_seq: int) -> tuple[list[dict], int]:
        """Records appended after byte `offset`, the first being #first_seq."""
        lines, end = self.read_lines(offset)
        return [self.parse_line(line, first_seq + 1 + i) for i, line in enumerate(lines)], end

    # -- writing -------------------------------------------------------

    def _ensure_dir(self) -> None:
        # Before taking the lock: filelock would create the folder with the
        # default mode, and a journal's folder must be private (0700).
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise StoreError(f"cannot use {self.path}: {parent} is a file, not a folder")
        if not parent.exists():
            try:
                parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"cannot create the folder {parent}: {err.strerror}") from err

    def _create(self) -> int:
        parent = self.path.parent
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(fd, self._header_bytes())
        os.fsync(fd)
        _fsync_dir(parent)
        return fd

    def _open_for_append(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            try:
                return self._create()
            except OSError as err:
                raise StoreError(f"cannot create {self.path}: {err.strerror}") from err
        except OSError as err:
            raise StoreError(f"cannot open {self.path} for writing: {err.strerror}") from err

    def _tail(self, fd: int, size: int) -> tuple[bytes, int, int]:
        """(last complete line, its start offset, end of complete data)."""
        window = _CHUNK
        while True:
            start = max(0, size - window)
            data = os.pread(fd, size - start, start)
            end = data.rfind(b"\n")
            if end >= 0:
                line_start = data.rfind(b"\n", 0, end) + 1
                if line_start > 0 or start == 0:
                    return data[line_start:end], start + line_start, start + end + 1
            elif start == 0:
                return b"", 0, 0
            window *= 4

    def _first_line(self, fd: int) -> bytes:
        window = 4096
        while True:
            data = os.pread(fd, window, 0)
            nl = data.find(b"\n")
            if nl >= 0 or len(data) < window:
                return data[: nl if nl >= 0 else len(data)]
            window *= 4

    def _stash_torn(self, fd: int, complete_end: int, size: int) -> None:
        torn = os.pread(fd, size - complete_end, complete_end)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        side = self.path.with_name(f"{self.path.name}.torn-{stamp}-{os.getpid()}")
        side_fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(side_fd, torn)
            os.fsync(side_fd)
        finally:
            os.close(side_fd)
        os.ftruncate(fd, complete_end)
        os.fsync(fd)

    @contextlib.contextmanager
    def locked(self):
        """Hold the OS write lock (re-entrant within this process)."""
        from filelock import Timeout

        self._ensure_dir()
        try:
            self.lock.acquire()
        except Timeout as err:
            raise JournalLocked(
                f"{self.path} is locked by another pmjournal process (waited {self.lock_timeout:g} s); nothing was saved, try again"
            ) from err
        except OSError as err:
            raise StoreError(f"cannot lock {self.path}: {err.strerror}") from err
        try:
            yield
        finally:
            self.lock.release()

    def append(self, bodies: list[dict]) -> tuple[list[dict], int, int]:
        """Seal and append records; return (records, offset before, offset after).

        Either all of `bodies` are on disk (fsynced) when this returns, or none
        are: on any write error the file is cut back to where it was.
        """
        with self.locked():
            fd = self._open_for_append()
            try:
                return self._append_locked(fd, bodies)
            finally:
                os.close(fd)

    @staticmethod
    def _header_bytes() -> bytes:
        header = {"format": FORMAT, "schema": SCHEMA, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        return canonical(header) + b"\n"

    def _append_locked(self, fd: int, bodies: list[dict]) -> tuple[list[dict], int, int]:
        size = os.fstat(fd).st_size
        if size == 0:
            # An empty file (made by `touch`, or a crash before the header
            # reached the disk) reads as an empty journal: start it properly.
            header = self._header_bytes()
            _write_all(fd, header)
            os.fsync(fd)
            size = len(header)
        first = self._first_line(fd)
        self.check_header(first)
        if len(first) == size:
            # Our header, whose newline never reached the disk: complete it,
            # rather than take the header for a torn record and set it aside.
            os.lseek(fd, size, os.SEEK_SET)
            _write_all(fd, b"\n")
            os.fsync(fd)
            size += 1
        last, last_start, complete_end = self._tail(fd, size)
        if complete_end < size:
            self._stash_torn(fd, complete_end, size)
            size = complete_end
        if last_start == 0:
            seq, prev_hash = 0, GENESIS
        else:
            # Seal against the last record as it is on disk: a damaged tail
            # must stop us rather than be chained over.
            prev = self._parse_tail(last)
            seq, prev_hash = prev["seq"], prev["hash"]
        records, chunks = [], []
        for body in bodies:
            seq += 1
            record = seal({**body, "seq": seq}, prev_hash)
            prev_hash = record["hash"]
            records.append(record)
            chunks.append(canonical(record) + b"\n")
        payload = b"".join(chunks)
        try:
            os.lseek(fd, size, os.SEEK_SET)
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError as err:
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError:
                pass
            reason = "the disk is full" if err.errno == 28 else err.strerror
            raise StoreError(f"cannot write to {self.path}: {reason}; nothing was saved") from err
        return records, size, size + len(payload)

    def _parse_tail(self, line: bytes) -> dict:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("seq"), int) or "hash" not in record:
            raise JournalDamaged(
                f"the last record of {self.path} is damaged; nothing was saved and the file was not changed. Run `pmjournal verify`"
            )
        return record

    # -- direct look-ups (no full parse, for the add path) ---------------

    def _map(self) -> mmap.mmap | None:
        """The file mapped read-only, or None if it is missing or empty."""
        try:
            with open(self.path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size == 0:
                    return None
                return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from err

    def find_lines(self, needle: bytes, match, limit: int = 2) -> list[dict]:
        """Up to `limit` records whose line contains `needle` and satisfy `match`.

        Canonical JSON escapes every quote inside strings, so a fragment such
        as b'"id":"01M8' can only match a key, never user text; `match` then
        checks the parsed record. The file is mapped, not read: at 100k entries
        that is 68 MB we need not copy.
        """
        data = self._map()
        if data is None:
            return []
        with data:
            found, pos = [], data.find(b"\n") + 1  # skip the header line
            while len(found) < limit:
                hit = data.find(needle, pos)
                if hit < 0:
                    break
                start = data.rfind(b"\n", 0, hit) + 1
                end = data.find(b"\n", hit)
                if end < 0:
                    break  # a torn tail was never saved
                record = self._loads_or_none(data[start:end])
                if record is not None and match(record):
                    found.append(record)
                pos = end
        return found

    def find_seq(self, seq: int) -> dict | None:
        """Record #seq by bisecting byte offsets: record #n is on line n + 1, so
        at 100k entries this reads a few lines instead of the whole file."""
        data = self._map()
        if data is None:
            return None
        with data:
            lo, hi = data.find(b"\n") + 1, len(data)  # line starts in [lo, hi)
            while lo < hi:
                mid = (lo + hi) // 2
                start = data.rfind(b"\n", lo - 1, mid) + 1 if mid > lo else lo
                start = max(start, lo)
                end = data.find(b"\n", start)
                if end < 0:
                    hi = start  # a torn tail: never saved, look before it
                    continue
                record = self._loads_or_none(data[start:end])
                if record is None or not isinstance(record.get("seq"), int):
                    return None  # damaged: let the full load report it
                if record["seq"] == seq:
                    return record
                if record["seq"] < seq:
                    lo = end + 1
                else:
                    hi = start
        return None

    @staticmethod
    def _loads_or_none(line: bytes) -> dict | None:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        return record if isinstance(record, dict) else None


class JournalStorage(Storage):
    """TinyDB Storage over a JournalFile; loads lazily, appends incrementally.

    Records are kept as a list (record #n at index n - 1); the {doc_id: doc}
    mapping TinyDB's read() returns is built only if TinyDB itself asks for it.
    """

    def __init__(self, path, lock_timeout: float = LOCK_TIMEOUT):
        self.file = JournalFile(path, lock_timeout)
        self._list: list[dict] | None = None
        self._docs: dict[int, dict] | None = None
        self._end = 0
        self.header: dict | None = None

    @property
    def loaded(self) -> bool:
        return self._list is not None

    def load(self) -> None:
        header, records, end = self.file.load()
        self.header = header
        self._list = records
        self._docs = None
        self._end = end

    def read(self):
        if self._docs is None:
            self._docs = {r["seq"]: r for r in self.records()}
        return {TABLE: self._docs}

    def write(self, data) -> None:
        raise StoreError("the journal is append-only: records are never rewritten")

    def _add(self, records: list[dict]) -> None:
        self._list.extend(records)
        if self._docs is not None:
            for record in records:
                self._docs[record["seq"]] = record

    def refresh(self) -> list[dict]:
        """Pick up records appended by other processes since we last looked."""
        if self._list is None or self._end == 0:
            known = len(self._list or ())
            self.load()
            return self._list[known:]
        new, end = self.file.load_from(self._end, len(self._list) + 1)
        self._add(new)
        self._end = max(self._end, end)
        return new

    def append(self, bodies: list[dict]) -> tuple[list[dict], list[dict]]:
        """Append; return (our sealed records, every record new to the cache in order).

        The second list also holds what other processes appended since we last
        read, so a caller keeping derived state can fold it all in order.
        """
        records, before, after = self.file.append(bodies)
        if self._list is None:
            return records, records
        if before != self._end or self._end == 0:
            return records, self.refresh()  # theirs, then ours, as on disk
        self._add(records)
        self._end = after
        return records, records

    def records(self) -> list[dict]:
        """Every record in order. The list itself, not a copy: do not modify it."""
        if self._list is None:
            self.load()
        return self._list

    def get(self, seq: int) -> dict | None:
        records = self.records()
        return records[seq - 1] if 0 < seq <= len(records) else None

    def close(self) -> None:
        pass
