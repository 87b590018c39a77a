"""A chain file as `sync` reads it: segment by segment, never whole.

A team journal of 20 authors' years holds a million records (663 MB); sync once read this
author's file and each colleague's copy whole, joined what it took onto them, and kept
every id in a set, several times the journal. Here:

- `ChainFile` is a chain file as it stood when opened (its whole lines: a write in
  progress is left for the next sync), with where each segment (segments.SEGMENT lines)
  starts, found in one pass, so its segments, a tail or a line are read by offset;
- `Spool` holds what a sync takes of a colleague's chain (or of one's own, restored) on
  disk until every check has passed, then it is appended to the copy;
- `packed_leaves` reads a chain's Merkle leaves 32 bytes each (heads.py).
"""

import os
import tempfile

from ..verify_split import Window
from . import segments

_BLOCK = 1 << 20


def _chunks(fd: int, start: int, end: int):
    while start < end:
        data = os.pread(fd, min(_BLOCK, end - start), start)
        if not data:
            return
        yield start, data
        start += len(data)


class ChainFile:
    """A chain file's whole lines as they stood when it was opened; `lines` counts them (the
    header is line 0, record #n line n)."""

    def __init__(self, fd: int, end: int, owned: bool = True):
        self.fd, self.end, self.owned = fd, end, owned
        self._starts: list[int] | None = None  # where each segment starts
        self._lines = 0

    @classmethod
    def open(cls, path) -> "ChainFile":
        """The file at `path` (an empty one if there is none)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return cls(-1, 0)
        return cls.of_fd(fd)

    @classmethod
    def of(cls, fh) -> "ChainFile":
        """The file `fh` is open on (None: an empty one); `fh` can be closed after."""
        if fh is None:
            return cls(-1, 0)
        return cls.of_fd(os.dup(fh.fileno()))

    @classmethod
    def of_fd(cls, fd: int) -> "ChainFile":
        size = os.fstat(fd).st_size
        end = 0
        at = size
        while at > 0:  # the end of the last whole line
            start = max(0, at - 65536)
            found = os.pread(fd, at - start, start).rfind(b"\n")
            if found >= 0:
                end = start + found + 1
                break
            at = start
        return cls(fd, end)

    def close(self) -> None:
        if self.fd >= 0 and self.owned:
            os.close(self.fd)
        self.fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __bool__(self) -> bool:
        return self.end > 0

    def _index(self) -> list[int]:
        if self._starts is None:
            starts, lines = [0] if self.end else [], 0
            for at, data in _chunks(self.fd, 0, self.end):
                count = data.count(b"\n")
                # Each segment starts after line SEGMENT * k - 1: find those newlines only.
                following = len(starts) * segments.SEGMENT
                if lines + count >= following:
                    pos = -1
                    for n in range(lines, lines + count):
                        pos = data.find(b"\n", pos + 1)
                        if n + 1 == following:
                            if at + pos + 1 < self.end:
                                starts.append(at + pos + 1)
                            following += segments.SEGMENT
                lines += count
            self._starts, self._lines = starts, lines
        return self._starts

    @property
    def lines(self) -> int:
        self._index()
        return self._lines

    def segments(self, first: int = 0):
        """The bytes of each segment from segment `first` on."""
        starts = self._index()
        for index in range(first, len(starts)):
            stop = starts[index + 1] if index + 1 < len(starts) else self.end
            yield os.pread(self.fd, stop - starts[index], starts[index])

    def segment_count(self) -> int:
        return len(self._index())

    def offset_of(self, line: int) -> int:
        """Where line `line` starts (self.end past the last)."""
        starts = self._index()
        index = line // segments.SEGMENT
        if index >= len(starts):
            return self.end
        n, at = index * segments.SEGMENT, starts[index]
        if n == line:
            return at
        for start, data in _chunks(self.fd, at, self.end):
            pos = data.find(b"\n")
            while pos >= 0:
                n += 1
                if n == line:
                    return start + pos + 1
                pos = data.find(b"\n", pos + 1)
        return self.end

    def line(self, line: int) -> bytes:
        """Line `line` without its newline."""
        start = self.offset_of(line)
        stop = self.offset_of(line + 1)
        return os.pread(self.fd, stop - start, start).rstrip(b"\n")

    def last_line(self) -> bytes:
        """Its last whole line without its newline, read back from its end (not indexed)."""
        stop = self.end - 1  # its newline
        start = stop
        while start > 0:
            low = max(0, start - 65536)
            found = os.pread(self.fd, start - low, low).rfind(b"\n")
            if found >= 0:
                start = low + found + 1
                break
            start = low
        return os.pread(self.fd, stop - start, start) if stop > 0 else b""

    def header(self) -> bytes:
        return os.pread(self.fd, 65536, 0).split(b"\n", 1)[0] if self.end else b""

    def region(self, start: int = 0) -> Window:
        """Its bytes from `start` on, read as a file is (storage.Reader reads blocks)."""
        return Window(self.fd, start, self.end)

    def chunks(self, start: int = 0):
        for _at, data in _chunks(self.fd, start, self.end):
            yield data


class Spool:
    """Bytes taken for a chain, on disk beside it until they are appended (or restored)."""

    def __init__(self, folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self.file = tempfile.TemporaryFile(dir=folder, prefix=".taking-")  # noqa: SIM115 (closed by close())
        self.size = 0
        self.lines = 0
        self.last = b""  # the last byte written

    def write(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.size += len(data)
            self.lines += data.count(b"\n")
            self.last = data[-1:]

    def done(self) -> ChainFile:
        """What was written, to read back."""
        self.file.flush()
        return ChainFile(self.file.fileno(), self.size, owned=False)

    def close(self) -> None:
        self.file.close()


def whole_lines(chunks):
    """The chunks cut at their last newline (the rest joins the next chunk; a last line
    without its newline comes last)."""
    rest = b""
    for data in chunks:
        data = rest + data
        cut = data.rfind(b"\n") + 1
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest


def packed_leaves(chunks, into: bytearray | None = None, header: bool = True) -> bytearray:
    """The Merkle leaves of a chain's bytes (`chunks` of a ChainFile: whole lines, in order,
    from its header on unless `header` is False): each record line's own hash, 32 bytes each
    (heads.leaves_of, packed), appended to `into` if given."""
    from ..evidence import heads

    out = bytearray() if into is None else into
    for data in whole_lines(chunks):
        if not data:
            continue  # a piece inside a line longer than a chunk
        lines = data.split(b"\n")
        if header:
            lines = lines[1:]
            header = False
        for line in lines:
            if line:
                out += heads.leaf_of(line)
    return out
