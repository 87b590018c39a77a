"""The journal file: an append-only line log under an OS lock, and the TinyDB Storage over it.

Layout: line 1 is a header {"format": "pmjournal", "schema": N, ...}; every
further line is one record in canonical JSON (see chain.py), record #n on line
n + 1. A write appends its lines in one write() and fsyncs them, so the cost
does not grow with the journal and a crash can at worst leave a torn last
line (or a batch cut short), which was never reported as saved. The next
writer moves such a tail to a side file (`<journal>.torn-<time>`,
`.unfinished-<time>`) before appending, so nothing is silently dropped.

`JournalStorage` is TinyDB's extension point, a Storage: `read()` returns
{"entries": {doc_id: document}} (a `Documents` view over the loaded records,
doc_id == #seq), which every TinyDB read and store.EntryTable go through;
`append` is how store.EntryTable's insert and insert_multiple write. TinyDB's
own JSONStorage rewrites the whole file on every insert and corrupts it if
killed mid-write (TinyDB #301), so `write()`, TinyDB's whole-database
rewrite, is refused.
"""

import contextlib
import errno
import gc
import mmap
import os
import stat
import time
from collections.abc import ItemsView, Mapping, ValuesView
from pathlib import Path

from tinydb.storages import Storage

from .chain import GENESIS, canonical, header_link, line_hash, loads, prefer_orjson, record_hash, seal
from .errors import JournalDamaged, JournalLocked, StoreError
from .i18n import _

FORMAT = "pmjournal"
SCHEMA = 2  # 2: the header is chained (record #1's prev_hash is its hash); 1 still reads
HEADER_KEYS = {"format", "schema", "created_at"}
_HEADER_MAX = 4096  # a header is ~70 bytes; never read a whole huge file looking for one
TABLE = "entries"
LOCK_TIMEOUT = 5.0
_CHUNK = 1 << 16
_SHARE_FROM_BYTES = 16 << 20  # about 25k entries
_FIND_BLOCK = 8 << 20
_FEW_BODIES = 500  # more records in one append: orjson writes them (its import costs what ~500 cost without it)
_SHARED_TEXT = ("kind", "project", "recorded_by", "owner", "status")
_SHARED_LISTS = ("tags", "approved_by", "consulted", "informed", "requested_by", "participants", "causes")


@contextlib.contextmanager
def paused_gc(freeze: bool = True):
    """Build many small objects without the cyclic GC rescanning them.

    Parsing or folding 100k records triggers dozens of full collections that
    walk every object built so far: it doubles the load time. Records and
    views hold no reference cycles, so nothing is lost by pausing. Afterwards
    the survivors are frozen out of later collections, which would otherwise
    stall the TUI for a moment every so often. `freeze=False` for a pass that
    runs again and again in one process (a chunk of a stream): whatever else
    exists when it ends, cycles an export made included, would never be collected.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_regular(path: Path, flags: int, mode: str, refused: str | None = None):
    """`path` opened (as a file object in `mode`), or None if it does not exist.
    `refused`: what a file that is not one is refused with, for a file that is not a journal
    ("{path} is {what}, not an export; nothing was imported").

    Refuses anything that is not a regular file (or a link to one) with one
    line: opening a FIFO would block, /dev/zero never ends, and a device is
    no journal. O_NONBLOCK keeps the open itself from hanging on a FIFO; the
    type is checked on the opened descriptor, so a file swapped in between
    cannot slip past.
    """
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError as err:
        text = refused or _("{path} is a folder, not a journal file")
        raise StoreError(text.format(path=path, what=_("a folder"))) from err
    except NotADirectoryError as err:
        raise StoreError(_("cannot use {path}: a part of it is a file, not a folder").format(path=path)) from err
    except OSError as err:
        raise StoreError(_("cannot open {path}: {strerror}").format(path=path, strerror=err.strerror)) from err
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = (
                _("a folder")
                if stat.S_ISDIR(st.st_mode)
                else _("a FIFO")
                if stat.S_ISFIFO(st.st_mode)
                else _("a device or special file")
            )
            text = refused or _("{path} is {what}, not a journal file; nothing was read or written")
            raise StoreError(text.format(path=path, what=what))
        os.set_blocking(fd, True)
        return os.fdopen(fd, mode, buffering=-1) if mode else fd
    except BaseException:
        os.close(fd)
        raise


def read_first_line(fh, path) -> bytes:
    """The header line (with its newline if it has one), read no further than a header can be."""
    first = fh.readline(_HEADER_MAX)
    if len(first) == _HEADER_MAX and not first.endswith(b"\n"):
        raise JournalDamaged(
            _("{path} is not a pmjournal journal (its first line is not a header); it was not changed").format(path=path)
        )
    return first


def check_header(line: bytes, path) -> dict:
    """The header of line 1 (without its newline), or a one-line refusal."""
    try:
        header = loads(line)
    except ValueError:  # orjson.JSONDecodeError
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise JournalDamaged(
            _("{path} is not a pmjournal journal (or its first line is damaged); it was not changed").format(path=path)
        )
    schema = header.get("schema")
    if schema.__class__ is not int or schema < 1:
        raise JournalDamaged(
            _("{path} has a damaged header (schema {schema!r} is not a format version); it was not changed").format(
                path=path, schema=schema
            )
        )
    if schema > SCHEMA:
        raise JournalDamaged(
            _(
                "{path} was written by a newer pmjournal (schema {schema}, this one reads up to {newest}); upgrade pmjournal. The file was not changed"
            ).format(path=path, schema=schema, newest=SCHEMA)
        )
    extra = sorted(set(header) - HEADER_KEYS)
    if extra or not isinstance(header.get("created_at"), str):
        what = _("an unknown key {key!r}").format(key=extra[0]) if extra else _("no created_at")
        raise JournalDamaged(
            _("{path} has a damaged header ({what}); it was not changed. Run `pmjournal verify`").format(path=path, what=what)
        )
    return header


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Reader:
    """Reads records line by line, checking each one against the chain.

    One reader serves every path that loads records (a full load, catching up
    on what another process appended, `verify`), so what is shown and what is
    verified are the same bytes checked the same way. It yields only records
    that are part of the journal:

    - a last line without its newline is a write that never finished, unless
      it is a complete record that chains correctly (only the newline was
      lost): that one is kept, since every byte of it vouches for itself;
    - records of a multi-record write (an import) carry `"batch": [first,
      last]`, covered by their hashes; a batch whose last record is not in the
      file was interrupted and is left out as a whole (`unfinished`).

    A record whose bytes do not chain does not stop reading (its text can still
    be shown, marked): `broken` names the first one, and `verify` reports it.
    """

    def __init__(self, path, seq: int = 0, prev: str = GENESIS, end: int = 0, few: bool = False):
        self.path = path
        self.few = few  # a tail of a few lines: read them with chain.loads, leaving orjson unloaded
        self.seq = seq  # the last record yielded
        self.prev = prev  # its hash (or the header's link)
        self.end = end  # the offset after it
        self.last_start = end  # where its line starts
        self.broken: tuple[int, str] | None = None
        self.unfinished: tuple[int, int, int] | None = None  # (first, last written, last) of a cut batch
        self.torn = False  # bytes after the last record that are not a record
        self.loose_end = False  # the last record lacks its newline

    def _problem(self, line: bytes, record: dict) -> str:
        if record.get("prev_hash") != self.prev:
            if self.seq == 0 and self.prev != GENESIS:
                return _("it does not chain to the header (the header or this record was altered)")
            return _("it does not chain to the record before it (a record was removed, inserted or rewritten)")
        stored = record.get("hash")
        if stored.__class__ is not str:
            return _("it has no hash (the record was altered)")
        if line_hash(line, self.prev) == stored:
            return ""
        if record_hash(record) == stored:
            return _("its bytes are not the canonical form that was hashed (the record was altered)")
        return _("its content does not match its hash (the record was altered)")

    def read(self, fh, pick=None, spans=False):
        """Yield the records of `fh` (positioned at self.end) in order.

        `fh` is a binary file (read in large blocks, split into lines) or any
        iterable of lines (each with its newline if it has one). `pick`, if
        given, is applied to each record once it is checked, and what it returns
        is held (while a batch is incomplete) and yielded instead of the record:
        `verify` needs only ids, and a batch of 100k records need not be held
        whole to check it. With `spans`, each item is (record, where its line starts,
        where it ends).

        This loop runs once per record on every load and `verify`, so its state
        lives in locals and is written back to the attributes before anything is
        yielded or raised; what it accepts is spelled out once, here.
        """
        if self.few:
            # An add in a team journal reads its chains' last lines for their clocks: importing
            # orjson (with the dataclasses, uuid and platform it loads) was a fifth of its time.
            parse, decode_error = loads, ValueError  # chain.loads: orjson.loads, or its equal
        else:
            import orjson  # here, not at the top: an add reads a line or two (chain.loads), not a journal

            parse, decode_error = orjson.loads, orjson.JSONDecodeError
        get_hash = line_hash
        pending, batch, stop, blank = [], None, False, False
        seq, prev, end, last_start, loose_end = self.seq, self.prev, self.end, self.last_start, self.loose_end
        broken = self.broken
        blocks = _blocks(fh) if hasattr(fh, "read") else _items(fh)
        for lines, complete in blocks:
            newline = 1 if complete else 0  # what the line's length leaves out
            for line in lines:
                if not line and loose_end:
                    end += newline  # the newline a loose end was missing, written since
                    loose_end = False
                    continue
                try:
                    record = parse(line)
                except decode_error:
                    record = None
                if record.__class__ is not dict or record.get("seq") != seq + 1:
                    self.seq, self.prev, self.end, self.last_start, self.loose_end = seq, prev, end, last_start, loose_end
                    if not complete:
                        self.torn = True  # a write that never finished: never acknowledged
                        stop = True
                        break
                    if not line.strip():
                        # A blank line: at the end of the file it is no record (an editor's last
                        # newline, `echo >>`), and the next write sets it aside; before a record,
                        # damage. It made the journal unwritable for good.
                        blank = True
                        continue
                    raise self._damaged(seq + 1, record)
                if blank:
                    raise self._damaged(seq + 1, None)
                stored = record.get("hash")
                if broken is not None and complete:
                    problem = ""  # the first break is what verify names; later lines are shown, marked
                elif stored is not None and record.get("prev_hash") == prev and get_hash(line, prev) == stored:
                    problem = ""  # the common case, checked inline
                else:
                    self.seq, self.prev = seq, prev
                    problem = self._problem(line, record)
                    if problem and not complete:
                        self.end, self.last_start, self.loose_end = end, last_start, loose_end
                        self.torn = True
                        stop = True
                        break
                    if problem:
                        broken = self.broken = (seq + 1, problem)
                seq += 1
                span = record.get("batch")
                if batch is None and span.__class__ is list and len(span) == 2 and span[0] == seq and span[1] != seq:
                    batch = (span, end, prev, seq - 1, last_start)
                prev, last_start = stored, end
                end += len(line) + newline
                loose_end = not complete
                if pick is not None:
                    record = pick(record)
                if spans:  # where its line is: the index reads a record back by offset (core/index)
                    record = (record, last_start, end)
                if batch is None:
                    self.seq, self.prev, self.end, self.last_start, self.loose_end = seq, prev, end, last_start, loose_end
                    yield record
                    continue
                pending.append(record)
                if seq == batch[0][1] or span != batch[0]:
                    self.seq, self.prev, self.end, self.last_start, self.loose_end = seq, prev, end, last_start, loose_end
                    yield from pending
                    pending, batch = [], None
            if stop:
                break
        if not stop:
            self.seq, self.prev, self.end, self.last_start, self.loose_end = seq, prev, end, last_start, loose_end
        if blank:
            self.torn = True
        if batch is not None:
            # An interrupted multi-record write: none of it is part of the journal.
            (first, last), self.end, self.prev, self.seq, self.last_start = batch
            self.unfinished = (first, first + len(pending) - 1, last)
            self.loose_end = False
            if self.broken and self.broken[0] >= first:
                self.broken = None

    def shown(self, fh, spans: bool = False):
        """read(), less the records at or past a break that the reads cannot fold or show (an
        "id" renamed, a title made a number: readable.py). They made every read end in a
        traceback; the reads' warning names the break, and `verify`, which reads them all, too."""
        for item in self.read(fh, spans=spans):
            if self.broken is not None and not _readable(item[0] if spans else item):
                continue
            yield item

    def _damaged(self, seq: int, record) -> JournalDamaged:
        """The error for line `seq + 1`, complete but not record #seq: reading cannot go on."""
        if record is None:
            problem = _("the record is not valid JSON (bytes were altered or lost)")
        elif record.__class__ is not dict:
            problem = _("the line is not a record")
        else:
            problem = _("it carries #{found} where #{seq} belongs (records were removed, added or reordered)").format(
                found=record.get("seq"), seq=seq
            )
        err = JournalDamaged(
            _("{path} is damaged at line {line} (record #{seq}); it was not changed. Run `pmjournal verify` for details").format(
                path=self.path, line=seq + 1, seq=seq
            )
        )
        err.bad = (seq, problem)
        return err


_BLOCK = 1 << 20


def _readable(record: dict) -> bool:
    from .readable import readable  # (only past a break: a sound journal never imports the model for it)

    return readable(record)


def _blocks(fh):
    """(lines, complete) from a binary file: its whole lines in blocks of about 1 MiB
    (without their newlines, complete True), then the bytes after the last newline,
    if any, as one incomplete line."""
    rest, parts = b"", []
    read = fh.read
    while True:
        data = read(_BLOCK)
        if not data:
            break
        if data.find(b"\n") < 0:
            parts.append(data)  # a line longer than a block: gather it
            continue
        if parts:
            data = b"".join([rest, *parts, data])
            parts = []
        elif rest:
            data = rest + data
        lines = data.split(b"\n")
        rest = lines.pop()
        yield lines, True
    if parts:
        rest = b"".join([rest, *parts])
    if rest:
        yield [rest], False


def _items(lines):
    """(lines, complete) from an iterable of lines, one at a time, as they come."""
    for raw in lines:
        if raw.endswith(b"\n"):
            yield [raw[:-1]], True
        else:
            yield [raw], False


def unfinished_note(unfinished: tuple[int, int, int]) -> str:
    """What to tell the user about an interrupted multi-record write (Reader.unfinished)."""
    first, written, last = unfinished
    return _(
        "an interrupted write of {n} records (#{first}-#{last}; {written} had reached the disk) is not part of the journal and is left out; the next write moves it to a side file"
    ).format(n=last - first + 1, first=first, last=last, written=written - first + 1)


class JournalFile:
    """Byte-level access to one journal file; every write holds the lock."""

    def __init__(self, path, lock_timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._lock = None
        self.notices: list[str] = []  # what a write did beside appending (a tail set aside), for the user

    @property
    def lock(self):
        """The OS lock writers take; created on first use, since readers never need it."""
        if self._lock is None:
            from .oslock import os_lock

            self._lock = os_lock(f"{self.path}.lock", self.lock_timeout, also=str(self.path))
        return self._lock

    # -- reading -------------------------------------------------------

    def open_read(self):
        """The journal opened for reading, or None if it does not exist.

        Opened without blocking and checked to be a regular file: a FIFO would
        hang the reader, /dev/zero would never end, /dev/null is not a journal.
        """
        return open_regular(self.path, os.O_RDONLY, "rb")

    def check_header(self, line: bytes) -> dict:
        return check_header(line, self.path)

    def check_existing(self) -> None:
        """Refuse, with one line, a file that is not a journal or is from a newer pmjournal.

        Reads only the first line; a missing or empty file is a new journal.
        Creates nothing.
        """
        fh = self.open_read()
        if fh is None:
            return
        with fh:
            first = read_first_line(fh, self.path)
        if first:
            self.check_header(first.rstrip(b"\n"))

    def start(self, fh) -> tuple[dict | None, Reader]:
        """Read the header from `fh`; return it and a Reader positioned after it."""
        first = read_first_line(fh, self.path)
        if not first.endswith(b"\n"):
            if first:  # only a torn header: check it is ours, then treat as empty
                self.check_header(first)
            return None, Reader(self.path)
        header = self.check_header(first[:-1])
        return header, Reader(self.path, 0, header_link(first[:-1], header["schema"]), len(first))

    def load(self, few: bool = False) -> tuple[dict | None, list[dict], Reader]:
        """(header, records, the reader that read them). A missing or empty file is an empty journal.

        Reads line by line: holding the whole file and its split lines as well
        as the parsed records would double the peak memory at 100k entries.
        `few`: the file holds a few records (Reader.few).
        """
        fh = self.open_read()
        if fh is None:
            return None, [], Reader(self.path)
        with fh, paused_gc():
            header, reader = self.start(fh)
            reader.few = few
            if header is None:
                return None, [], reader
            records = []
            # Sharing strings costs a third of the parse time and pays off only in
            # memory, which matters for large journals alone.
            if os.fstat(fh.fileno()).st_size <= _SHARE_FROM_BYTES:
                records.extend(reader.shown(fh))
                return header, records, reader
            shared = {}.setdefault
            for record in reader.shown(fh):
                # The same few names, kinds, projects and tags recur in every
                # record; one shared copy of each saves ~50 MB at 100k records.
                for key in _SHARED_TEXT:
                    value = record.get(key)
                    if value.__class__ is str:
                        record[key] = shared(value, value)
                for key in _SHARED_LISTS:
                    value = record.get(key)
                    if value.__class__ is list:
                        record[key] = [shared(x, x) if x.__class__ is str else x for x in value]
                records.append(record)
        return header, records, reader

    def load_from(self, reader: Reader) -> list[dict]:
        """Records appended after where `reader` stopped; it moves on past them."""
        fh = self.open_read()
        if fh is None:
            return []
        with fh:
            fh.seek(reader.end)
            reader.torn = False
            return list(reader.shown(fh))

    def tail_records(self, nbytes: int, few: bool = False) -> list[dict] | None:
        """The records in the last `nbytes` of the file, or None if the file is not larger.
        `few`: `nbytes` holds a few records (Reader.few).

        For a first screen while the whole journal loads. The same Reader checks
        them: each against its own stated prev_hash and the ones after it
        against each other (what lies before the window is checked by the full
        load that follows); anything odd gives None rather than a guess.
        """
        fh = self.open_read()
        if fh is None:
            return None
        with fh:
            size = os.fstat(fh.fileno()).st_size
            if size <= nbytes:
                return None
            fh.seek(size - nbytes)
            fh.readline()  # the rest of a line that started before the window
            start = fh.tell()
            first = _loads_or_none(fh.readline().rstrip(b"\n"))
            if first is None or not isinstance(first.get("seq"), int) or not isinstance(first.get("prev_hash"), str):
                return None
            reader = Reader(self.path, first["seq"] - 1, first["prev_hash"], start, few=few)
            fh.seek(start)
            try:
                records = list(reader.read(fh))
            except JournalDamaged:
                return None
        return None if reader.broken else records

    def identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def holds(self, offset: int, end: int, record_hash_: str) -> bool:
        """Whether the line at [offset, end) is still the record with that hash."""
        fh = self.open_read()
        if fh is None:
            return False
        with fh:
            fh.seek(offset)
            line = fh.read(end - offset).rstrip(b"\n")
        return f'"hash":"{record_hash_}"'.encode() in line

    # -- writing -------------------------------------------------------

    def _ensure_dir(self) -> None:
        # Before taking the lock: filelock would create the folder with the
        # default mode, and a journal's folder must be private (0700).
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise StoreError(_("cannot use {path}: {parent} is a file, not a folder").format(path=self.path, parent=parent))
        if not parent.exists():
            try:
                parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    _("cannot create the folder {parent}: {strerror}").format(parent=parent, strerror=err.strerror)
                ) from err

    def _create(self, created_at: str | None = None) -> int:
        parent = self.path.parent
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(fd, self._header_bytes(created_at))
        os.fsync(fd)
        _fsync_dir(parent)
        return fd

    def create(self, created_at: str) -> None:
        """Start a new journal whose header says `created_at` (reproducible sample
        journals: the header is in the chain, so it fixes every hash after it)."""
        with self.locked():
            if self.identity() is None:
                os.close(self._create(created_at))

    def _open_for_append(self) -> int:
        fd = open_regular(self.path, os.O_RDWR, None)
        if fd is not None:
            return fd
        try:
            return self._create()
        except OSError as err:
            if os.path.islink(self.path) and not os.path.exists(self.path):
                # A new journal is never made through a link (O_EXCL): "File exists" said nothing.
                target = os.path.join(os.path.dirname(self.path), os.readlink(self.path))
                raise StoreError(
                    _("{path} is a link to {target}, which does not exist: start the journal there (--db {target})").format(
                        path=self.path, target=target
                    )
                ) from err
            raise StoreError(_("cannot create {path}: {strerror}").format(path=self.path, strerror=err.strerror)) from err

    def _first_line(self, fd: int) -> bytes:
        data = os.pread(fd, _HEADER_MAX, 0)
        nl = data.find(b"\n")
        if nl < 0 and len(data) == _HEADER_MAX:
            raise JournalDamaged(
                _("{path} is not a pmjournal journal (its first line is not a header); it was not changed").format(path=self.path)
            )
        return data[: nl if nl >= 0 else len(data)]

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

    def _set_aside(self, fd: int, start: int, size: int, what: str) -> str:
        """Move the bytes [start, size) to a side file and cut the journal back to `start`.

        The side file is complete and fsynced before the journal is cut, so
        nothing is lost whatever fails; if the side file cannot be written (a
        full disk) it is removed and the journal is left exactly as it was.
        """
        stamp = time.strftime("%Y%m%dT%H%M%S")
        side = self.path.with_name(f"{self.path.name}.{what}-{stamp}-{os.getpid()}")
        try:
            side_fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as err:
            raise StoreError(
                _("cannot set aside the unfinished last write of {path}: {strerror}; nothing was saved").format(
                    path=self.path, strerror=err.strerror
                )
            ) from err
        try:
            try:
                pos = start
                while pos < size:
                    chunk = os.pread(fd, min(_CHUNK * 16, size - pos), pos)
                    _write_all(side_fd, chunk)
                    pos += len(chunk)
                os.fsync(side_fd)
            finally:
                os.close(side_fd)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(side)
            reason = _("the disk is full") if err.errno == errno.ENOSPC else err.strerror
            raise StoreError(
                _(
                    "cannot set aside the unfinished last write of {path} ({reason}); nothing was saved and the journal was not changed"
                ).format(path=self.path, reason=reason)
            ) from err
        os.ftruncate(fd, start)
        os.fsync(fd)
        self.notices.append(_("an unfinished write was moved out of the journal to {side}").format(side=side))
        return str(side)

    @contextlib.contextmanager
    def locked(self):
        """Hold the OS write lock (re-entrant within this process)."""
        from .oslock import timeouts

        self._ensure_dir()
        lock_path = f"{self.path}.lock"
        if not self.lock.is_locked:
            # filelock retries a lock file it cannot create until its timeout and
            # then reports a timeout; say what really failed instead.
            try:
                os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600))
            except OSError as err:
                # One that is there but cannot be opened (a read-only mount) is not "cannot create".
                there = os.path.lexists(lock_path)
                message = (
                    _("cannot open the lock file {lock_path}: {strerror}; nothing was saved")
                    if there
                    else _("cannot create the lock file {lock_path}: {strerror}; nothing was saved")
                )
                raise StoreError(message.format(lock_path=lock_path, strerror=err.strerror)) from err
        try:
            self.lock.acquire()
        except timeouts() as err:
            raise JournalLocked(
                _(
                    "{path} is locked by another pmjournal process (waited {lock_timeout:g} s); nothing was saved, try again"
                ).format(path=self.path, lock_timeout=self.lock_timeout)
            ) from err
        except OSError as err:
            raise StoreError(_("cannot lock {path}: {strerror}").format(path=self.path, strerror=err.strerror)) from err
        try:
            yield
        finally:
            self.lock.release()

    def append(self, bodies: list[dict]) -> tuple[list[dict], int, int]:
        """Seal and append records; return (records, offset before, offset after).

        Either all of `bodies` are on disk (fsynced) when this returns, or none
        are: a write error cuts the file back to where it was, and several
        records carry their batch's extent, so a reader tells a batch cut
        short by a crash from a finished one and leaves it out.
        """
        self.check_existing()  # refuse a file that is not a journal before creating anything
        with self.locked():
            fd = self._open_for_append()
            try:
                return self._append_locked(fd, bodies)
            finally:
                os.close(fd)

    @staticmethod
    def _header_bytes(created_at: str | None = None) -> bytes:
        created_at = created_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        header = {"format": FORMAT, "schema": SCHEMA, "created_at": created_at}
        return canonical(header) + b"\n"

    def _ready_to_append(self, fd: int) -> tuple[int, int, str]:
        """Under the lock, before any append (one write() or a streamed batch): the header in
        place and the tail settled; (where the new lines go, the last #seq, its hash)."""
        size = os.fstat(fd).st_size
        if size == 0:
            # An empty file (made by `touch`, or a crash before the header
            # reached the disk) reads as an empty journal: start it properly.
            header = self._header_bytes()
            _write_all(fd, header)
            os.fsync(fd)
            size = len(header)
        first = self._first_line(fd)
        header = self.check_header(first)
        if len(first) == size:
            # Our header, whose newline never reached the disk: complete it,
            # rather than take the header for a torn record and set it aside.
            os.pwrite(fd, b"\n", size)
            os.fsync(fd)
            size += 1
        return self._settle_tail(fd, size, header_link(first, header["schema"]))

    def _append_locked(self, fd: int, bodies: list[dict]) -> tuple[list[dict], int, int]:
        if len(bodies) > _FEW_BODIES:
            prefer_orjson()
        size, seq, prev_hash = self._ready_to_append(fd)
        records, chunks = [], []
        batch = [seq + 1, seq + len(bodies)] if len(bodies) > 1 else None
        for body in bodies:
            seq += 1
            record = {**body, "seq": seq}
            if batch:
                record["batch"] = batch
            record = seal(record, prev_hash)
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
            reason = _("the disk is full") if err.errno == errno.ENOSPC else err.strerror
            raise StoreError(
                _("cannot write to {path}: {reason}; nothing was saved").format(path=self.path, reason=reason)
            ) from err
        return records, size, size + len(payload)

    def _settle_tail(self, fd: int, size: int, link: str) -> tuple[int, int, str]:
        """Make the file end on a whole record and return (size, last seq, last hash).

        Bytes after the last newline are kept as a record when they are one
        that chains (only its newline was lost) and set aside otherwise; a
        multi-record write cut short by a crash is set aside whole.
        """
        blank_from = self._blank_tail(fd, size)
        if blank_from is not None:
            self._set_aside(fd, blank_from, size, "torn")  # blank lines after the last record (Reader.read)
            size = blank_from
        last, last_start, complete_end = self._tail(fd, size)
        prev_seq, prev_hash = (0, link) if last_start == 0 else self._seal_of(last)
        if complete_end < size:
            loose = os.pread(fd, size - complete_end, complete_end)
            if self._chains(loose, prev_seq + 1, prev_hash):
                os.pwrite(fd, b"\n", size)
                os.fsync(fd)
                return self._settle_tail(fd, size + 1, link)
            self._set_aside(fd, complete_end, size, "torn")
            size = complete_end
        if last_start:
            record = loads(last)
            span = record.get("batch")
            if isinstance(span, list) and len(span) == 2 and span[1] != record["seq"] and span[0] <= record["seq"]:
                start = self._line_start(fd, size, span[0])
                if start is not None:
                    self._set_aside(fd, start, size, "unfinished")
                    return self._settle_tail(fd, start, link)
        return size, prev_seq, prev_hash

    def _blank_tail(self, fd: int, size: int) -> int | None:
        """Where blank lines after the file's last line of text start, if it ends in some."""
        window = _CHUNK
        while True:
            start = max(0, size - window)
            data = os.pread(fd, size - start, start)
            text_end = len(data.rstrip(b" \t\r\n"))
            if text_end == 0 and start > 0:
                window *= 4  # blank all the way back through the window
                continue
            cut = start + text_end + 1  # the newline that ends the last line of text stays
            if text_end and data[text_end : text_end + 1] == b"\n" and b"\n" in data[text_end + 1 :]:
                return cut
            return None

    def _seal_of(self, line: bytes) -> tuple[int, str]:
        try:
            record = loads(line)
        except ValueError:  # orjson.JSONDecodeError
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("seq"), int) or not isinstance(record.get("hash"), str):
            raise JournalDamaged(
                _(
                    "the last record of {path} is damaged; nothing was saved and the file was not changed. Run `pmjournal verify`"
                ).format(path=self.path)
            )
        return record["seq"], record["hash"]

    def _chains(self, line: bytes, seq: int, prev: str) -> bool:
        """Whether `line` (no newline) is record #seq chaining to `prev`: the Reader's own check."""
        return bool(list(Reader(self.path, seq - 1, prev).read([line])))

    def _line_start(self, fd: int, size: int, seq: int) -> int | None:
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            found = _bisect_seq(data, seq)
        return found[0] if found else None

    # -- direct look-ups (no full parse, for the add path) ---------------

    def _map(self) -> mmap.mmap | None:
        """The file mapped read-only, or None if it is missing or empty."""
        fh = self.open_read()
        if fh is None:
            return None
        with fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return None
            try:
                return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except OSError as err:
                raise StoreError(_("cannot read {path}: {strerror}").format(path=self.path, strerror=err.strerror)) from err

    def find_lines(self, needle: bytes, match, limit: int = 2) -> list[dict]:
        """Up to `limit` records whose line contains `needle` and satisfy `match`.

        Canonical JSON escapes every quote inside strings, so a fragment such
        as b'"id":"01M8' can only match a key, never user text; `match` then
        checks the parsed record. The file is read in blocks of whole lines
        (8 MB): searching a mapped file would count every page of a 663 MB
        journal in the process's memory.
        """
        fh = self.open_read()
        if fh is None:
            return []
        found: list[dict] = []
        with fh:
            fh.readline()  # the header
            pos, size = fh.tell(), _FIND_BLOCK
            while len(found) < limit:
                fh.seek(pos)
                block = fh.read(size)
                last = len(block) < size
                # At the end, a last line that only lost its newline is the journal's, as the
                # Reader keeps it (parsed whole, else a torn tail never saved): it was shown but
                # could not be amended ("no entry with an id starting ...": a robustness hunt).
                cut = len(block) if last else block.rfind(b"\n") + 1
                if not cut:
                    if last:
                        break
                    size *= 2  # a line longer than a block
                    continue
                data = block[:cut]
                hit = data.find(needle)
                while hit >= 0 and len(found) < limit:
                    start = data.rfind(b"\n", 0, hit) + 1
                    end = data.find(b"\n", hit)
                    end = len(data) if end < 0 else end
                    record = _loads_or_none(data[start:end])
                    if record is not None and match(record) and self._in_journal(record):
                        found.append(record)
                    hit = data.find(needle, end)
                pos += cut
                if last:
                    break
        return found

    def _in_journal(self, record: dict) -> bool:
        """Not one of an import cut short: a batch whose last record is not in the file is no
        part of the journal (the Reader leaves it out; the next write sets it aside). Found by
        a byte search or a bisect, one was amended, and the write then set its target aside."""
        span = record.get("batch")
        if span.__class__ is not list or len(span) != 2 or span[1] == record.get("seq"):
            return True
        data = self._map()
        if data is None:
            return False
        with data:
            last = _bisect_seq(data, span[1])
        return last is not None and last[1].get("batch") == span

    def last_seq(self) -> int | None:
        """The #seq its last whole line carries (None: no such line, or not a record)."""
        fh = self.open_read()
        if fh is None:
            return None
        with fh:
            fd = fh.fileno()
            line, _start, _end = self._tail(fd, os.fstat(fd).st_size)
        record = _loads_or_none(line)
        seq = record.get("seq") if record else None
        return seq if isinstance(seq, int) else None

    def find_seq(self, seq: int) -> dict | None:
        """Record #seq by bisecting byte offsets: record #n is on line n + 1, so
        at 100k entries this reads a few lines instead of the whole file."""
        data = self._map()
        if data is None:
            return None
        with data:
            found = _bisect_seq(data, seq)
        return found[1] if found and self._in_journal(found[1]) else None


def _loads_or_none(line: bytes) -> dict | None:
    try:
        record = loads(line)
    except ValueError:  # orjson.JSONDecodeError
        return None
    return record if isinstance(record, dict) else None


def _bisect_seq(data, seq: int) -> tuple[int, dict] | None:
    """(line start, record) of record #seq in the mapped file, or None."""
    lo, hi = data.find(b"\n") + 1, len(data)  # line starts in [lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", lo - 1, mid) + 1 if mid > lo else lo
        start = max(start, lo)
        end = data.find(b"\n", start)
        if end < 0:
            # The last line without its newline: a complete record that only lost it (an
            # editor's save) is the journal's, as the reader keeps it; else a torn tail, never
            # saved. (Taken for torn, it made `verify` say the chain was rewritten and rehashed.)
            record = _loads_or_none(data[start:])
            if record is None or not isinstance(record.get("seq"), int):
                hi = start
                continue
            end = len(data)
        else:
            record = _loads_or_none(data[start:end])
        if record is None or not isinstance(record.get("seq"), int):
            return None  # damaged: let the full load report it
        if record["seq"] == seq:
            return start, record
        if record["seq"] < seq:
            lo = end + 1
        else:
            hi = start
    return None


class Documents(Mapping):
    """The `entries` table as TinyDB reads it: {doc_id: document}, doc_id == #seq.

    A read-only view over the loaded record list (record #n at index n - 1),
    not a dict built from it: at 100k records a dict would cost time and
    memory on every load for lookups the list already answers. Keys are
    strings, as TinyDB's JSONStorage gives them (Table.get(doc_id=3) looks up
    "3" and Table.get(doc_ids=...) compares strings); int keys work as well.
    Only TinyDB's Table methods and `records` read it.
    """

    __slots__ = ("records",)

    def __init__(self, records: list[dict]):
        self.records = records  # the storage's own list: never modify it

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, key) -> dict:
        if key.__class__ is str and key.isascii() and key.isdigit():
            seq = int(key)
        elif key.__class__ is int:
            seq = key
        else:
            raise KeyError(key)
        if 0 < seq <= len(self.records):
            return self.records[seq - 1]
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __iter__(self):
        return (str(seq) for seq in range(1, len(self.records) + 1))

    def values(self):
        return _Values(self)

    def items(self):
        return _Items(self)


class _Values(ValuesView):
    def __iter__(self):
        return iter(self._mapping.records)


class _Items(ItemsView):
    def __iter__(self):
        return ((str(seq), record) for seq, record in enumerate(self._mapping.records, start=1))


def gone(path) -> StoreError:
    """A journal read and then moved or deleted: an append made a new one at its path, which a
    long-running reader (the app) then showed as the whole journal, one entry long."""
    return StoreError(
        _(
            "the journal {path} is gone: it was moved or deleted after it was read; nothing was saved "
            "(put it back, or open it where it is now with --db)"
        ).format(path=path)
    )


class JournalStorage(Storage):
    """TinyDB's Storage over a JournalFile: loads lazily, appends incrementally.

    `read()` returns {"entries": Documents}, TinyDB's {table: {doc_id:
    document}} shape, over the record list loaded on first use (every record
    checked against the chain by the Reader). `write()`, which TinyDB calls
    with the whole database after changing it in memory, is refused: records
    are only ever appended, through `append`, which store.EntryTable's
    insert and insert_multiple call. Loading is left until something reads,
    so an add (header and last line only) never parses the journal.

    A long-running reader (the TUI) must notice when the file it read is no
    longer that file (a backup restored over it, a sync tool replacing it):
    before reading on from where it stopped, it checks the file's identity,
    that it did not shrink, and that the last record it knows is still where
    it was; otherwise it reloads everything and bumps `generation`.
    """

    def __init__(self, path, lock_timeout: float = LOCK_TIMEOUT):
        self.file = JournalFile(path, lock_timeout)
        self._list: list[dict] | None = None
        self._tables: dict[str, Documents] | None = None
        self.reader = Reader(self.file.path)
        self._ident = None
        self.header: dict | None = None
        self.generation = 0  # bumped when the file was found replaced and everything reloaded

    @property
    def loaded(self) -> bool:
        return self._list is not None

    def load(self) -> None:
        ident = self.file.identity()
        header, records, reader = self.file.load()
        self.header = header
        self._list = records
        self._tables = {TABLE: Documents(records)}
        self.reader = reader
        self._ident = ident

    def state(self) -> tuple[int, int] | None:
        """What the loaded documents are, changing whenever they do (records added,
        the file reloaded); None before loading. Tables drop their query cache on a change."""
        return None if self._list is None else (self.generation, len(self._list))

    def read(self) -> dict[str, Documents]:
        """{"entries": {doc_id: record}}: the whole journal, loaded on first use."""
        if self._tables is None:
            self.load()
        return self._tables

    def write(self, data) -> None:
        raise StoreError(
            _(
                "the journal is append-only: TinyDB asked to rewrite it (an update, remove, truncate or dropped table), which is refused; nothing was changed"
            )
        )

    def _add(self, records: list[dict]) -> None:
        self._list.extend(records)  # Documents views this same list

    def _same_file(self) -> bool:
        try:
            st = os.stat(self.file.path)
        except OSError:
            return False
        if (st.st_dev, st.st_ino) != self._ident or st.st_size < self.reader.end:
            return False
        if not self._list:
            return True
        last = self._list[-1]
        return self.file.holds(self.reader.last_start, self.reader.end, last["hash"])

    def refresh(self) -> list[dict] | None:
        """Records appended by other processes since we last looked.

        None when the file is not the one we read: everything was reloaded
        (and `generation` bumped), so derived state must be rebuilt.
        """
        if self._list is None:
            self.load()
            return list(self._list)
        if not self._same_file():
            self.load()
            self.generation += 1
            return None
        new = self.file.load_from(self.reader)
        self._add(new)
        return new

    def append(self, bodies: list[dict]) -> tuple[list[dict], list[dict] | None]:
        """Seal and append `bodies` in one locked, fsynced write (all or nothing);
        return (our sealed records, every record new to the cache in order).

        The second list also holds what other processes appended since we last
        read, so a caller keeping derived state can fold it all in order; it is
        None when the file had been replaced and everything was reloaded. When
        nothing is loaded, nothing is read: the cache stays unloaded.
        """
        if self._ident is not None and self.file.identity() is None:
            raise gone(self.file.path)
        records, before, after = self.file.append(bodies)
        if self._list is None:
            return records, records
        if before == self.reader.end and records[0]["prev_hash"] == self.reader.prev and self.file.identity() == self._ident:
            self._add(records)
            self.reader.seq, self.reader.prev = records[-1]["seq"], records[-1]["hash"]
            self.reader.last_start = after - len(canonical(records[-1])) - 1
            self.reader.end = after
            return records, records
        return records, self.refresh()  # theirs, then ours, as on disk

    def close(self) -> None:
        pass
