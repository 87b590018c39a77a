"""The hash chain that makes the journal tamper-evident.

hash = sha256(prev_hash + canonical JSON of the record without "hash"), where
canonical means sorted keys, no spaces, UTF-8 without \\u escapes. orjson
produces exactly that with OPT_SORT_KEYS, and the stored line *is* the
canonical form of the whole record, so `verify` can also insist that every line
is byte-for-byte canonical: any altered byte shows.
"""

import orjson

GENESIS = "0" * 64


def canonical(obj: dict) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def record_hash(record: dict) -> str:
    import hashlib  # only writers and verify hash: readers need not load OpenSSL

    body = {k: v for k, v in record.items() if k != "hash"}
    prev = record.get("prev_hash", GENESIS)
    return hashlib.sha256(prev.encode() + canonical(body)).hexdigest()


def seal(record: dict, prev_hash: str) -> dict:
    """Return the record with prev_hash and hash set."""
    record["prev_hash"] = prev_hash
    record["hash"] = record_hash(record)
    return record
