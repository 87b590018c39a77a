"""Writing a whole file so that nobody ever sees half of it."""

import os
import stat
from pathlib import Path

from .i18n import _


def write_atomically(path, data, through_link: bool = True) -> None:
    """Write `data` (bytes, or an iterable of bytes) to `path`: a reader (or a
    crash) sees the old file or the new one, never half of one.

    A path that exists and is not a regular file (a FIFO, /dev/stdout,
    /dev/null) is written in place: renaming a temp file over it would
    replace the device itself. A symbolic link is written through, to its
    file (an export or a config kept elsewhere), unless `through_link` is False
    (a memo of our own, which a link must not redirect). OSError propagates;
    callers word it.
    """
    chunks = [data] if isinstance(data, bytes | bytearray) else data
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, _("it is a folder"), str(path))
        with open(path, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    if through_link and path.is_symlink():
        # Through a link to its file, as a shell's `>` writes: renaming over the link replaced
        # the link itself with a file, and left the file it named as it was.
        path = Path(os.path.realpath(path))
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


def device_kind(path) -> str | None:
    """'a character device' or 'a block device' when `path` (or what a symlink
    there points to) is one, else None. Writing "into" a disk or a terminal is
    not exporting: the CLI asks for --force first."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return None


def is_standard_output(path) -> bool:
    """Whether `path` names this process's standard output: /dev/stdout,
    /dev/fd/1, or any path that is the same file as descriptor 1."""
    if str(path) in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
        return True
    try:
        mine, theirs = os.fstat(1), os.stat(path)
    except (OSError, ValueError):
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def is_terminal(path) -> bool:
    """Whether the device at `path` is a terminal (opened without making it ours)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


# What pmjournal keeps beside journal.json (docs/data-format.md): journal.json.index and the rest.
_SIDE_FILES = (".index", ".lock", ".checked", ".verified", ".torn-", ".unfinished-", ".unsaved-")


def journal_own_file(path, journal) -> str | None:
    """Why `path` must not be written by an export, or None: it is the journal itself (a
    hard link or symlink to it too), or one of the files pmjournal keeps beside it (the
    index, the lock, the verification memos, a team's chain copies), named from the journal
    as given or from where a symlink leads. The app's export dialog asked only "exists.
    Overwrite it?" and wrote the document over the journal."""
    target, journal = Path(path).expanduser(), Path(journal).expanduser()
    try:
        if os.path.samefile(target, journal):
            return _("{path} is the journal itself; export to another file").format(path=target)
    except OSError:
        pass
    as_given = Path(os.path.abspath(target)), Path(os.path.abspath(journal))
    for written, home in (as_given, (target.resolve(), journal.resolve())):
        suffix = written.name[len(home.name) :] if written.name.startswith(home.name) else ""
        beside = written.parent == home.parent and (suffix.startswith(_SIDE_FILES) or suffix == ".team")
        if beside or home.with_name(home.name + ".team") in written.parents:
            return _("{path} is one of the journal's own files; export to another file").format(path=target)
    return None


def file_stamp(path) -> tuple[int, ...] | None:
    """What tells us the file at `path` may have changed (None: there is none). The inode and
    ctime are in it: a backup restored with its old size and mtime (cp -p, rsync) still moves
    the ctime, which nobody can set back."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def path_text(path) -> str:
    """A path as text an export or a record can hold: the bytes of a name that is not UTF-8
    (a file system allows any) as U+FFFD. As Python gives it (its surrogates), orjson refused
    it and an export or import of such a file ended in a traceback (a robustness hunt)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
