"""What a read verified, remembered beside the journal: the next read checks only what was appended.

`<journal>.verified` is derived and may be deleted at any time. It holds
{version, dev, ino, offset, seq, hash, digest}: the bytes [0, offset) of the
journal (its header and records #1 to #seq, the last one's hash `hash`) were
each checked against the hash chain by a Reader, none broken, no batch left
unfinished, ending on a newline; `digest` is the sha256 of exactly those bytes.

A later read may take those bytes as verified only when the file is the same
one (device and inode) and its first `offset` bytes still hash to `digest`: an
edit anywhere in them, a truncation, a restored backup or a replaced file makes
the memo useless, and the read checks every record again. The records after
`offset` are checked by a Reader that starts from (`seq`, `hash`), as a full
read would check them. `pmjournal verify` never reads the memo.

Used by `Journal.scan` (`pmjournal due` and `remind`), which reads a few
records of many: one sha256 over the file costs a tenth of checking every line.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

VERSION = 1
SUFFIX = ".verified"
_FIELDS = {"version": int, "dev": int, "ino": int, "offset": int, "seq": int, "hash": str, "digest": str}


@dataclass(frozen=True)
class Verified:
    offset: int  # bytes [0, offset) were verified
    seq: int  # the last record in them
    hash: str  # its hash: where the chain goes on


def memo_path(journal_path) -> Path:
    path = Path(journal_path)
    return path.with_name(path.name + SUFFIX)


def _digest(data, offset: int) -> str:
    return hashlib.sha256(memoryview(data)[:offset]).hexdigest()


def recall(journal_path, data: bytes, st) -> Verified | None:
    """The verified prefix of `data` (the whole file as read, `st` its fstat), or None."""
    from .errors import StoreError
    from .storage import open_regular

    try:
        # Opened as the journal is: a FIFO or a device planted under the memo's name must not hang the read.
        fh = open_regular(memo_path(journal_path), os.O_RDONLY, "rb")
        if fh is None:
            return None
        with fh:
            memo = json.loads(fh.read(4096))
    except (OSError, ValueError, StoreError):
        return None
    if not isinstance(memo, dict) or set(memo) != set(_FIELDS):
        return None
    if any(type(memo[key]) is not kind for key, kind in _FIELDS.items()) or memo["version"] != VERSION:
        return None
    offset = memo["offset"]
    if (memo["dev"], memo["ino"]) != (st.st_dev, st.st_ino) or not 0 < offset <= len(data) or data[offset - 1] != 10:
        return None
    if _digest(data, offset) != memo["digest"]:
        return None
    return Verified(offset, memo["seq"], memo["hash"])


def remember(journal_path, data: bytes, st, reader) -> None:
    """Remember what `reader` verified of `data`, if all of it chained (best effort: a
    memo that cannot be written only means the next read checks everything)."""
    if reader.broken or reader.unfinished or reader.torn or reader.loose_end or reader.seq == 0:
        return
    offset = reader.end
    if not 0 < offset <= len(data) or data[offset - 1] != 10:
        return
    memo = {
        "version": VERSION,
        "dev": st.st_dev,
        "ino": st.st_ino,
        "offset": offset,
        "seq": reader.seq,
        "hash": reader.prev,
        "digest": _digest(data, offset),
    }
    from .files import write_atomically

    path = memo_path(journal_path)
    try:
        if path.exists() and not path.is_file():
            return  # not ours to write into (write_atomically would write into a FIFO in place)
        write_atomically(path, json.dumps(memo).encode(), through_link=False)
    except OSError:
        pass
