"""The journal's write lock: an exclusive flock(2) on `<journal>.lock`, re-entrant in this process,
and one on the journal file itself while it exists.

The first is the lock filelock takes on POSIX (fcntl.flock on the lock file), so it excludes, and is
excluded by, any other pmjournal process, of this version or an older one. The second is what
makes one lock of one journal however it is reached: `--db link.json` (a symlink) and a hard
link each had a lock file of their own, and a lock file deleted while held (a clean-up of
"stale" locks) let a second writer in; two adds then wrote at the same offset, and entries
reported saved were lost (a robustness hunt). Written here
rather than imported because importing filelock 4 costs 13-45 ms (logging, secrets, inspect,
platform), a third of what `pmjournal add` may take in all; on a system without fcntl
(Windows) filelock serves.
"""

import os
import time
from _thread import RLock  # what threading.RLock() gives, without importing threading (~1 ms of an add)

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

_POLL = 0.05  # seconds between two tries while another process holds the lock


class LockTimeout(Exception):
    """The lock was held by another process for the whole timeout."""


class OsLock:
    """acquire() / release(), nestable; another thread of this process waits for the holder."""

    def __init__(self, path: str, timeout: float, mode: int = 0o600, also: str | None = None):
        self.path = path
        self.timeout = timeout
        self.mode = mode
        self.also = also  # the journal file, locked too while it exists
        self._thread = RLock()
        self._fd: int | None = None
        self._also_fd: int | None = None
        self._depth = 0

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._thread.acquire(timeout=max(self.timeout, 0)):
            raise LockTimeout(self.path)
        try:
            if self._depth == 0:
                self._fd = self._take(deadline)
                try:
                    self._also_fd = self._take_also(deadline)
                except BaseException:
                    self._drop(self._fd)
                    self._fd = None
                    raise
            self._depth += 1
        except BaseException:
            self._thread.release()
            raise

    def _take(self, deadline: float) -> int:
        return self._flock(os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode), deadline)

    def _take_also(self, deadline: float) -> int | None:
        if self.also is None:
            return None
        try:
            # (O_NONBLOCK: a FIFO put there must not hang the lock; the write refuses it after)
            fd = os.open(self.also, os.O_RDONLY | os.O_NONBLOCK)
        except (FileNotFoundError, NotADirectoryError):
            return None  # a new journal: made under the lock file's lock, with O_EXCL
        except OSError:
            return None  # one that cannot be read is refused by the write, in its words
        return self._flock(fd, deadline)

    def _flock(self, fd: int, deadline: float) -> int:
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(self.path) from None
                    time.sleep(_POLL)
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def _drop(fd: int | None) -> None:
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> "OsLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fd, also, self._fd, self._also_fd = self._fd, self._also_fd, None, None
            try:
                self._drop(also)
            finally:
                self._drop(fd)
        self._thread.release()


def os_lock(path: str, timeout: float, mode: int = 0o600, also: str | None = None):
    """The lock for `path` (and `also`): ours where flock exists, filelock's elsewhere."""
    if fcntl is None:  # pragma: no cover - not POSIX
        from filelock import FileLock

        return FileLock(path, timeout=timeout, mode=mode)
    return OsLock(path, timeout, mode, also)


def timeouts() -> tuple[type[Exception], ...]:
    """What acquire() raises when the lock stays taken."""
    if fcntl is None:  # pragma: no cover - not POSIX
        from filelock import Timeout

        return (LockTimeout, Timeout)
    return (LockTimeout,)
