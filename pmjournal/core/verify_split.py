"""verify's full check on two cores: the second half of the file checked in a forked child.

Each record carries its own prev_hash, so the file can be checked in two ranges
at once: the parent walks [header, middle) with the Reader that starts at the
header, exactly as the one-process walk does; a forked child walks [middle,
end) with a Reader started from the state the middle line states (its #seq
minus one, its prev_hash). Nothing new decides what is accepted: both halves
are `verify._walk` over `storage.Reader`, and the halves are taken together
only when that is provably what one walk over the whole file gives:

- the first half ended whole: no break, nothing torn, no batch left open at
  the middle, and it ended at the middle on #seq - 1 with the hash the middle
  line names as its prev_hash. Then one walk reaches the middle in the very
  state the child started in (a Reader's state is its #seq, hash, offset, the
  first break, and an open batch: none), so from there on it does what the
  child did, to the end of the file: the child's report (broken, torn, an
  unfinished batch, ...) is the whole file's;
- no id the child looked at (every id it added, the repeated one if it found
  one) is among the first half's: then the one walk's id check, which would
  also hold the first half's ids, decided each record as the child did.

A first half that failed (a break, an id used twice, a damaged line) is the
answer as it stands: one walk would have stopped at the same place. A whole
first half whose child's answer cannot be taken (the seam does not join, an id
is in both halves, the child did not report) reads on: its reader stands at the
middle in one walk's state, so it checks the second half itself and names what
one walk names, in the time one walk takes. Only a batch left open at the middle
(which `middle` avoids unless the batch's own records mislead it) has the caller
walk the whole file again from the header.

Used for journals of verify.SPLIT_FROM bytes and more, when at least two CPUs are
usable and the process runs one thread (the CLI): a fork copies only the
calling thread, and a threaded process (the TUI, a test runner) keeps to one
process. The child exits with os._exit: nothing of the parent's is flushed or
cleaned up twice.
"""

import os
import pickle
import signal
import threading
from itertools import islice

_FRAME_IDS = 1 << 16  # ids sent a frame at a time, so neither side holds a second copy of them all
_SEEK = 1 << 16
_SKIP_MAX = 64 << 20  # how far past the middle a batch may run before the file is not split


class Window:
    """A binary file's bytes [start, stop) (stop None: to its end), read with pread.

    pread leaves the descriptor's offset alone, so the parent and the forked
    child read the one descriptor they share without moving each other.
    """

    def __init__(self, fd: int, start: int, stop: int | None = None):
        self.fd, self.pos, self.stop = fd, start, stop

    def read(self, size: int = -1) -> bytes:
        if self.stop is not None:
            size = self.stop - self.pos if size < 0 else min(size, self.stop - self.pos)
        elif size < 0:
            size = max(0, os.fstat(self.fd).st_size - self.pos)
        if size <= 0:
            return b""
        data = os.pread(self.fd, size, self.pos)
        self.pos += len(data)
        return data


def usable() -> bool:
    """Whether this process may fork a second checker: POSIX, one thread, two CPUs."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return cpus >= 2


def middle(fd: int, start: int, size: int) -> tuple[int, int, str] | None:
    """(offset, #seq, prev_hash) of a line near the middle of [start, size) to split at.

    The line must read as a record with an int #seq and a str prev_hash; a line
    inside a batch gives way to the line after the batch's last record (a half
    cannot check a batch that goes on past it). None if no such line is found:
    the caller then checks in one process. Nothing here is trusted: the seam is
    checked when the halves are put together.
    """
    import orjson

    at = _line_start(fd, start + (size - start) // 2, size)
    for _ in range(2):
        if at is None or not start < at < size:
            return None
        end = os.pread(fd, _SEEK, at).find(b"\n")
        if end < 0:
            return None
        try:
            record = orjson.loads(os.pread(fd, end, at))
        except orjson.JSONDecodeError:
            return None
        if record.__class__ is not dict:
            return None
        seq, prev, span = record.get("seq"), record.get("prev_hash"), record.get("batch")
        if seq.__class__ is not int or prev.__class__ is not str:
            return None
        if span.__class__ is list and len(span) == 2 and all(x.__class__ is int for x in span) and span[0] < seq <= span[1]:
            at = _skip_lines(fd, at, span[1] - seq + 1, size)  # to the line after the batch
            continue
        return at, seq, prev
    return None


def _line_start(fd: int, pos: int, size: int) -> int | None:
    """The offset of the first line that starts at or after `pos`."""
    while pos < size:
        found = os.pread(fd, _SEEK, pos - 1).find(b"\n")
        if found >= 0:
            return pos + found
        pos += _SEEK - 1
    return None


def _skip_lines(fd: int, at: int, count: int, size: int) -> int | None:
    """The offset `count` lines after the line start `at`, if not too far."""
    pos = at
    while count > 0 and pos < size and pos - at < _SKIP_MAX:
        block = os.pread(fd, min(1 << 20, size - pos), pos)
        lines = block.count(b"\n")
        if lines < count:
            count -= lines
            pos += len(block)
            continue
        cut = -1
        for _ in range(count):
            cut = block.index(b"\n", cut + 1)
        return pos + cut + 1
    return None


def check(fd: int, reader, schema: int, walk, run_second=None):
    """The whole file's (report, reader) from two halves, or None to check it in one.

    `reader` stands after the header (the one-process walk's start), `walk` is
    verify._walk. `run_second` runs the second half: forked by default; a test
    may run it in-process.
    """
    size = os.fstat(fd).st_size
    split = middle(fd, reader.end, size)
    if split is None:
        return None
    at, seq, prev = split
    from .storage import Reader

    second = Reader(reader.path, seq - 1, prev, at)
    child = (run_second or _fork)(lambda: _second_half(second, fd, at, schema, walk))
    try:
        seen: set = set()
        report = walk(reader, Window(fd, reader.end, at), schema, seen)
        if not report.ok:
            return report, reader  # what one walk says too: it stops where this one did
        if reader.torn or reader.loose_end or reader.unfinished or reader.end != at:
            return None  # a batch open at the middle (its records said otherwise): one walk
        taken = _taken(child, reader, seq, prev, seen)
    finally:
        child.close()
    if taken is None:
        # The first half is whole and ends at the middle in the state one walk would
        # have there (nothing open, nothing broken): its reader reads on, as one walk
        # would, and names whatever the second half holds.
        return walk(reader, Window(fd, at), schema, seen), reader
    report, state = taken
    if state["seq"] == seq - 1:
        # Nothing kept past the middle: the last record is the first half's (the
        # child started with its own first line's start standing in for it).
        state["last_start"] = reader.last_start
    whole = Reader(reader.path)
    for name, value in state.items():
        setattr(whole, name, value)
    return report, whole


def _taken(child, reader, seq: int, prev: str, seen: set):
    """The child's (report, state) if it holds for the whole file: the seam joins and no
    id it looked at is one of the first half's; else None."""
    if (reader.seq, reader.prev) != (seq - 1, prev):
        return None
    result = child.result()
    if result is None:
        return None
    for ids in child.frames():
        if not seen.isdisjoint(ids):
            return None
    return result if child.done() else None


_STATE = ("seq", "prev", "end", "last_start", "broken", "unfinished", "torn", "loose_end")


def _second_half(reader, fd: int, at: int, schema: int, walk):
    """What the child sends: (report, the reader's end state), then the ids it looked at."""
    seen: set = set()
    report = walk(reader, Window(fd, at), schema, seen)
    yield report, {name: getattr(reader, name) for name in _STATE}
    ids = iter(seen)
    while frame := list(islice(ids, _FRAME_IDS)):
        yield frame


class InProcess:
    """The second half run here and now (tests; the forked run is _Forked)."""

    def __init__(self, produce):
        self._items = produce()

    def result(self):
        return next(self._items)

    def frames(self):
        return self._items

    def done(self) -> bool:
        return True

    def close(self) -> None:
        self._items.close()


def _fork(produce):
    return _Forked(produce)


class _Forked:
    """The second half in a forked child, its items pickled back over a pipe, each
    behind its length; a child that dies or sends less reads as no result."""

    def __init__(self, produce):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: check, send, and leave without running anything of the parent's
            code = 1
            try:
                os.close(read_end)
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # nothing to say, and a pipe reading our output need not wait for us
                    os.dup2(quiet, fd)
                with open(write_end, "wb") as out:
                    for item in produce():
                        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
                        out.write(len(data).to_bytes(8, "little"))
                        out.write(data)
                    out.write(b"\0" * 8)  # the end: nothing was left out
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pipe = open(read_end, "rb")
        self.ended = False
        self.status = None

    def _item(self):
        head = self.pipe.read(8)
        if len(head) != 8:
            raise EOFError
        size = int.from_bytes(head, "little")
        if size == 0:
            self.ended = True
            raise EOFError
        data = self.pipe.read(size)
        if len(data) != size:
            raise EOFError
        return pickle.loads(data)

    def result(self):
        try:
            return self._item()
        except (EOFError, pickle.UnpicklingError, OSError):
            return None

    def frames(self):
        while True:
            try:
                yield self._item()
            except (EOFError, pickle.UnpicklingError, OSError):
                return

    def done(self) -> bool:
        """Whether the child sent everything and exited 0."""
        self._reap()
        return self.ended and self.status == 0

    def _reap(self) -> None:
        if self.status is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.status = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # reaped already (SIGCHLD ignored): its exit code is lost
                self.status = -1

    def close(self) -> None:
        self.pipe.close()
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)  # not needed any more (or we are leaving)
            except ProcessLookupError:
                pass
            self._reap()
