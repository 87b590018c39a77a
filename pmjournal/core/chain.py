"""The hash chain that makes the journal tamper-evident.

hash = sha256(prev_hash + canonical JSON of the record without "hash"), where
canonical means sorted keys, no spaces, UTF-8 without \\u escapes. orjson
produces exactly that with OPT_SORT_KEYS, and the stored line *is* the
canonical form of the whole record, so a reader can check a record from its
line alone (`line_hash`): any altered byte, even a space, shows.

The header is in the chain too (schema 2 on): record #1's prev_hash is the
hash of the header line, so an edited `created_at` or an added key breaks #1.
Schema 1 journals started from 64 zeros and stay readable as they are.

orjson's bytes are the definition. Importing orjson costs ~10 ms, though (its
extension loads dataclasses, inspect, uuid, platform), a tenth of what
`pmjournal add` may take in all; so until something has imported it, a plain
record (str, int within orjson's 64 bits, bool, None, lists and dicts with str
keys: no float, no other type) is written by the standard library's C encoder,
whose output for such a value is orjson's byte for byte, and a line that is
the canonical form of a plain value is read with the standard library's
decoder. Anything else goes to orjson. tests/core/test_canonical_std.py holds
the two encoders to the same bytes on hostile text.

SHA-256 is OpenSSL's (hashlib), which verify and every load need for speed; but
loading it costs ~3-5 ms, so the first few digests of a process that has not loaded
hashlib (an add computes two, and in a team journal checks the last lines of its
chains) come from CPython's own SHA-256 module, hashlib's fallback: the same digest.
"""

import json
import sys

GENESIS = "0" * 64
_HASH_KEY = b'"hash":"'
_HASH_LEN = 64

_orjson = None  # the orjson module, once canonical() or loads() needed it
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 64) - 1  # what orjson writes; it refuses other ints
_MAX_DEPTH = 64  # deeper values go to orjson (whose limit is 254 levels)
_std_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, check_circular=False).encode
_std_loads = json.JSONDecoder().decode


def _bind_sha256(data: bytes = b""):
    """hashlib.sha256(data), and from now on `_sha256` is hashlib.sha256 itself; while
    hashlib is not loaded, the first few (line_hash: a team add checks the last lines of
    its chains) come from CPython's own module, as _hexdigest's do."""
    global _sha256, _few_left
    if _few_left > 0 and "hashlib" not in sys.modules:
        own = _own_sha256()
        if own is not None:
            _few_left -= 1
            return own(data)
    import hashlib

    _sha256 = hashlib.sha256
    return _sha256(data)


_sha256 = _bind_sha256
_few_left = 64  # digests left to compute without hashlib while it is not loaded


def _own_sha256():
    """CPython's own SHA-256 constructor (what hashlib falls back to without OpenSSL), or None."""
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython 3.12 on
        except ImportError:
            return None
    return sha256


def _hexdigest(data: bytes) -> str:
    global _few_left
    # hashlib not loaded also means _sha256 is still _bind_sha256 (binding imports it).
    if _few_left > 0 and "hashlib" not in sys.modules:
        _few_left -= 1
        own = _own_sha256()
        if own is not None:
            return own(data).hexdigest()
    return _sha256(data).hexdigest()


def _orjson_module():
    global _orjson
    if _orjson is None:
        import orjson

        _orjson = orjson
    return _orjson


def prefer_orjson() -> None:
    """Many records to write (a batch, the demo, a benchmark's journal): orjson's speed pays
    for its import, and canonical() uses it from now on."""
    _orjson_module()


def _plain(value, depth: int = 0) -> bool:
    """Whether `value` is made only of what the standard encoder writes as orjson does."""
    cls = value.__class__
    if cls is str or value is None or value is True or value is False:
        return True
    if cls is int:
        return _INT_MIN <= value <= _INT_MAX
    if depth >= _MAX_DEPTH:
        return False
    if cls is dict:
        for key, item in value.items():
            if key.__class__ is not str or not _plain(item, depth + 1):
                return False
        return True
    if cls is list or cls is tuple:
        for item in value:
            if not _plain(item, depth + 1):
                return False
        return True
    return False  # float, a subclass, anything else: orjson's own rules apply


def canonical_std(obj) -> bytes | None:
    """orjson's canonical bytes for `obj` from the standard library's encoder, or None
    when `obj` is not plain (see above) or holds a lone surrogate (not UTF-8: orjson
    refuses it)."""
    if not _plain(obj):
        return None
    try:
        return _std_dumps(obj).encode("utf-8")
    except UnicodeEncodeError:
        return None


def canonical(obj: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: `orjson.dumps(obj, option=OPT_SORT_KEYS)`."""
    if _orjson is None and "orjson" not in sys.modules:
        data = canonical_std(obj)
        if data is not None:
            return data
    orjson = _orjson_module()
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def loads(line: bytes):
    """`orjson.loads(line)`, raising what it raises (a ValueError). A line that is the
    canonical form of a plain value (a record as the journal writes it) is read by the
    standard library instead while orjson is not loaded: decoded, then written back and
    compared, so only a line orjson would read as exactly that value takes this way."""
    if _orjson is None and line.__class__ is bytes and "orjson" not in sys.modules:
        try:
            value = _std_loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            pass  # not UTF-8, not JSON, too deep: orjson decides (and words the error)
        else:
            if canonical_std(value) == line:
                return value
    return _orjson_module().loads(line)


def record_hash(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    prev = record.get("prev_hash", GENESIS)
    return _hexdigest(prev.encode() + canonical(body))


def header_link(header_line: bytes, schema: int) -> str:
    """The prev_hash of record #1 under a header (its line without the newline)."""
    if schema < 2:
        return GENESIS
    return _hexdigest(header_line)


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
