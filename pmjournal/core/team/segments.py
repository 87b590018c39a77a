"""A chain file as a git tree of segments of SEGMENT lines each.

Segment `00000000.jsonl` holds the header and records #1-#999, the next one
#1000-#1999, and so on; their concatenation is the chain file byte for byte.
Appending records changes only the last segment (and adds new ones), so a sync
writes a few kilobytes whatever the size of the journal, and git shares every
full segment between commits.
"""

import hashlib

SEGMENT = 1000  # lines


def name_of(index: int) -> str:
    return f"{index * SEGMENT:08d}.jsonl"


def index_of(name: str) -> int | None:
    stem, dot, ext = name.partition(".")
    if ext != "jsonl" or not stem.isdigit() or len(stem) != 8 or int(stem) % SEGMENT:
        return None
    return int(stem) // SEGMENT


def split(data: bytes, start_line: int = 0) -> list[bytes]:
    """The segments of `data`, a chain's bytes from line `start_line` (a multiple of SEGMENT)."""
    out, at, line = [], 0, start_line
    while at < len(data):
        stop = at
        for _ in range(SEGMENT - line % SEGMENT):
            stop = data.find(b"\n", stop)
            if stop < 0:
                stop = len(data)
                break
            stop += 1
        out.append(data[at:stop])
        line += SEGMENT - line % SEGMENT
        at = stop
    return out


def blob_id(data: bytes) -> str:
    """The id git gives a file holding `data`, computed without git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# Beside the segments, an author's signed head (evidence/heads.py) may travel.
EXTRA = ("head.txt", "head.sig")


def ordered(files: dict[str, str]) -> list[str] | None:
    """The segment names of a tree in order, or None if it is not a chain's tree."""
    indexed = sorted((index_of(name), name) for name in files if name not in EXTRA)
    if not indexed or any(i is None for i, _ in indexed) or [i for i, _ in indexed] != list(range(len(indexed))):
        return None
    return [name for _, name in indexed]
