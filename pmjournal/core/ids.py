"""Globally unique, time-sortable entry ids (ULID layout).

48 bits of milliseconds then 80 random bits, in Crockford base32: 26
characters that sort by creation time, so journals of two people can be merged
without clashes and an id prefix stays short and meaningful.
"""

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now_ms: int | None = None) -> str:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return _encode((ms << 80) | int.from_bytes(os.urandom(10), "big"))


def derived_id(ms: int, salt: str) -> str:
    """A stable id for content that has none of its own (demo data, jrnl imports),
    so importing the same thing twice is recognised and skipped."""
    import hashlib

    digest = int.from_bytes(hashlib.sha256(salt.encode()).digest()[:10], "big")
    return _encode((ms << 80) | digest)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
