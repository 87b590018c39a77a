"""The hash chain that makes the journal tamper-evident.

hash = sha256(prev_hash + canonical JSON of the record without "hash"), where
canonical means sorted keys, no spaces, UTF-8 without \\u escapes. orjson
produces exactly that with OPT_SORT_KEYS, and the stored line *is* the
canonical form of the whole record, so a reader can check a record from its
line alone (`line_hash`): any altered byte, even a space, shows.

The header is in the chain too (schema 2 on): record #1's prev_hash is the
hash of the header line, so an edited `created_at` or an added key breaks #1.
Schema 1 journals started from 64 zeros and stay readable as they are.
"""

import hashlib

import orjson

GENESIS = "0" * 64
_sha256 = hashlib.sha256
_HASH_KEY = b'"hash":"'
_HASH_LEN = 64


def canonical(obj: dict) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def record_hash(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    prev = record.get("prev_hash", GENESIS)
    return hashlib.sha256(prev.encode() + canonical(body)).hexdigest()


def header_link(header_line: bytes, schema: int) -> str:
    """The prev_hash of record #1 under a header (its line without the newline)."""
    if schema < 2:
        return GENESIS
    return hashlib.sha256(header_line).hexdigest()


def line_hash(line: bytes, prev: str) -> str | None:
    """The hash a record line must carry if it is the canonical record that was sealed.

    Works on the bytes, without serialising the record again: the line minus
    its `"hash":"…"` pair is the canonical body that was hashed. Inside strings
    every quote is escaped, so the first `"hash":"` is a key; keys are sorted,
    so it is the record's own (no key before "hash" holds a dict with one).
    None if the line has no such pair.
    """
    at = line.find(_HASH_KEY)
    if at < 1:
        return None
    stop = at + len(_HASH_KEY) + _HASH_LEN + 1  # past the closing quote
    if line[stop - 1 : stop] != b'"':
        return None
    if line[at - 1] == 44:  # ",": the pair and the comma before it
        head, tail = at - 1, stop
    elif line[stop : stop + 1] == b",":
        head, tail = at, stop + 1
    else:
        head, tail = at, stop
    digest = _sha256(prev.encode())
    digest.update(line[:head])  # copies of the two halves cost less than two memoryview slices
    digest.update(line[tail:])
    return digest.hexdigest()


def seal(record: dict, prev_hash: str) -> dict:
    """Return the record with prev_hash and hash set."""
    record["prev_hash"] = prev_hash
    record["hash"] = record_hash(record)
    return record
