"""Writing a whole file so that nobody ever sees half of it."""

import os
import stat
from pathlib import Path


def write_atomically(path, data) -> None:
    """Write `data` (bytes, or an iterable of bytes) to `path`: a reader (or a
    crash) sees the old file or the new one, never half of one.

    A path that exists and is not a regular file (a FIFO, /dev/stdout,
    /dev/null) is written in place: renaming a temp file over it would
    replace the device itself. OSError propagates; callers word it.
    """
    chunks = [data] if isinstance(data, bytes | bytearray) else data
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "it is a folder", str(path))
        with open(path, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
