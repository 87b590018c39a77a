"""Journals to damage: single records and batches, and the damage a disk, a crash or a person does.

Used by tests/core/test_reader_equivalence.py and test_verify_split.py.
"""

import random

import orjson

from pmjournal.core.chain import canonical, record_hash
from pmjournal.core.storage import JournalFile


def build(path, rng: random.Random, duplicate_ids: bool = False, writes: tuple[int, int] = (4, 9)) -> bytes:
    """A journal of single records and batches (some of one record), with text that is not ASCII."""
    jf = JournalFile(path)
    jf.create("2026-01-01T00:00:00Z")
    n = 0
    ids = []
    for _ in range(rng.randint(*writes)):
        size = rng.choice([1, 1, 1, 2, 3, 5])
        bodies = []
        for _ in range(size):
            n += 1
            entry_id = rng.choice(ids) if duplicate_ids and ids and rng.random() < 0.1 else f"01J{n:023d}"
            ids.append(entry_id)
            body = {"id": entry_id, "kind": rng.choice(["note", "decision"]), "title": f"entry {n} 中文 \"q\"", "tags": ["a", "b"][: rng.randint(0, 2)]}
            if rng.random() < 0.2:
                body["hash_note"] = '"hash":"' + "0" * 64 + '"'  # text that looks like the hash key
            bodies.append(body)
        jf.append(bodies)
    return path.read_bytes()


def reseal(line: bytes, change) -> bytes:
    record = orjson.loads(line)
    change(record)
    record["hash"] = record_hash(record)
    return canonical(record)


def damaged(data: bytes, rng: random.Random) -> bytes:
    """`data` with one or two kinds of damage a disk, a crash or a person could do."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        try:
            data = damaged_once(data, rng)
        except (orjson.JSONDecodeError, TypeError, AttributeError, IndexError):
            pass  # a second damage that needs a record (or a line) where the first left none
    return data


def damaged_once(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    body = list(range(1, max(2, len(lines) - 1)))
    at = rng.choice(body)
    kind = rng.randrange(17)
    if kind == 0 and data:  # a byte changed
        pos = rng.randrange(len(data))
        data = data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1 :]
    elif kind == 1:  # cut anywhere (a crash mid-write)
        data = data[: rng.randrange(len(data) + 1)]
    elif kind == 2:
        del lines[at]
        data = b"\n".join(lines)
    elif kind == 3:
        lines.insert(at, lines[at])
        data = b"\n".join(lines)
    elif kind == 4 and at + 1 < len(lines) - 1:
        lines[at], lines[at + 1] = lines[at + 1], lines[at]
        data = b"\n".join(lines)
    elif kind == 5:  # the last newline lost
        data = data.rstrip(b"\n")
    elif kind == 6:  # an empty line, or one that is not a record
        lines.insert(at, rng.choice([b"", b"null", b"[1,2]", b"{}", b'{"seq":%d}' % at, b"\xff\xfe"]))
        data = b"\n".join(lines)
    elif kind == 7 and lines[at]:  # a record edited and its own hash recomputed
        lines[at] = reseal(lines[at], lambda r: r.update(title="Mallory"))
        data = b"\n".join(lines)
    elif kind == 8 and lines[at]:  # its batch changed (and re-sealed)
        spans = [None, [at, at], [at, at + 3], [at - 1, at + 1], [at, at + 50], [at, 1], [at, at + 1.0], "x", [at]]
        span = rng.choice(spans)
        lines[at] = reseal(lines[at], lambda r: r.pop("batch", None) if span is None else r.update(batch=span))
        data = b"\n".join(lines)
    elif kind == 9 and lines[at]:  # not canonical: the same record with a space, hash intact
        lines[at] = lines[at].replace(b",", b", ", 1)
        data = b"\n".join(lines)
    elif kind == 10 and lines[at]:  # a record without its hash, or with one of another type
        lines[at] = canonical({**orjson.loads(lines[at]), "hash": rng.choice([None, 5, "short"])})
        data = b"\n".join(lines)
    elif kind == 11:  # cut just after a newline, or just before one
        cuts = [i + d for i, b in enumerate(data) if b == 10 for d in (0, 1)]
        data = data[: rng.choice(cuts)] if cuts else data
    elif kind == 12 and lines[at]:  # a record re-sealed with its chain mended after it
        prev = orjson.loads(lines[at])["prev_hash"]
        for i in range(at, len(lines)):
            if not lines[i]:
                continue
            try:
                lines[i] = reseal(lines[i], lambda r, p=prev, i=i: r.update(prev_hash=p, **({"title": "rewritten"} if i == at else {})))
            except orjson.JSONDecodeError:
                break
            prev = orjson.loads(lines[i])["hash"]
        data = b"\n".join(lines)
    elif kind == 13:  # a header altered
        data = data.replace(b"2026-01-01", b"2026-01-02", 1)
    elif kind == 14:  # CRLF line ends
        data = data.replace(b"\n", b"\r\n", 1 + rng.randrange(3))
    elif kind == 15:  # the last record edited in place and its newline lost: a torn line that parses
        last = data.rstrip(b"\n").rsplit(b"\n", 1)
        if len(last) == 2:
            data = last[0] + b"\n" + last[1].replace(b"entry", b"Entry", 1)
    # kind 16: left as it is
    return data
