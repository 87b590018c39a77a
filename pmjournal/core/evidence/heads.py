"""Each author signs their own chain: a signed head travels with the chain through sync.

When a team journal syncs with `signing_key` set, the author's commit carries, beside
the chain's segments, `head.txt` (the statement below) and `head.sig` (its SSHSIG,
namespace pmjournal). Colleagues check it against the chain they take (the head, the
first record and the Merkle root of records #1-#N must be the chain's) and keep it in
`journal.json.team/chains/<handle>.head.json`; an export then carries every
colleague's latest signed head, with a consistency proof from it to the head the
export states, so a reader sees each author vouch for their own records.

    pmjournal head 1
    chain <handle> size <N> head <hash of #N> root <Merkle root of #1-#N> first <hash of #1>
"""

import re

from ..i18n import _
from . import merkle, signing

STATEMENT_FILE = "head.txt"
SIGNATURE_FILE = "head.sig"
_HASH = re.compile(rb'"hash":"([0-9a-f]{64})"')


def leaf_of(line: bytes) -> bytes:
    """A record line's own hash (its first `"hash":"` pair: keys are sorted and nothing
    stored before it holds one), 32 bytes; zeros for a line without one (no chain that
    verifies holds such a line, and no signed root covers it)."""
    found = _HASH.search(line)
    return bytes.fromhex(found.group(1).decode()) if found else bytes(merkle.HASH_SIZE)


def leaves_of(chain: bytes) -> bytes:
    """The Merkle leaves of a chain file's bytes, packed 32 bytes each (team/chainfile.py
    reads them from a file in pieces)."""
    return b"".join(leaf_of(line) for line in chain.split(b"\n")[1:] if line)


def _packed(leaves) -> bytes | bytearray | memoryview:
    return leaves if isinstance(leaves, bytes | bytearray | memoryview) else b"".join(leaves)


def _leaf(packed, n: int) -> bytes:
    return bytes(packed[n * merkle.HASH_SIZE : (n + 1) * merkle.HASH_SIZE])


def statement(handle: str, leaves) -> str:
    """The head statement of a chain whose leaves are `leaves` (packed, or a list of hashes)."""
    packed = _packed(leaves)
    size = len(packed) // merkle.HASH_SIZE
    root = merkle.packed_root(packed).hex()
    return f"pmjournal head 1\nchain {handle} size {size} head {_leaf(packed, size - 1).hex()} root {root} first {_leaf(packed, 0).hex()}\n"


def parse(text: str) -> dict:
    lines = text.split("\n")
    if len(lines) != 3 or lines[0] != "pmjournal head 1" or lines[2] != "":
        raise ValueError(_("not a pmjournal signed head"))
    parts = lines[1].split(" ")
    if (
        len(parts) != 10
        or parts[0] != "chain"
        or parts[2:9:2] != ["size", "head", "root", "first"]
        or not (parts[3].isascii() and parts[3].isdigit())
    ):
        raise ValueError(_("a damaged signed head"))
    return {"handle": parts[1], "size": int(parts[3]), "head": parts[5], "root": parts[7], "first": parts[9]}


def check(text: str, signature: str, handle: str, leaves) -> str:
    """The fingerprint of the key that signed `text`, if it is a valid signed head of
    `handle`'s chain whose leaves are `leaves`; ValueError saying why not."""
    try:
        head = parse(text)
        fingerprint = signing.signature_key(signature, text.encode())
    except (ValueError, signing.SigningError) as err:
        raise ValueError(_("{handle}'s signed head is not valid ({err})").format(handle=handle, err=err)) from None
    size = head["size"]
    packed = memoryview(_packed(leaves))
    if head["handle"] != handle or not 0 < size <= len(packed) // merkle.HASH_SIZE:
        raise ValueError(_("{handle}'s signed head names another chain or more records than it holds").format(handle=handle))
    mine = packed[: size * merkle.HASH_SIZE]
    if (
        _leaf(mine, size - 1).hex() != head["head"]
        or _leaf(mine, 0).hex() != head["first"]
        or merkle.packed_root(mine).hex() != head["root"]
    ):
        raise ValueError(
            _("{handle}'s signed head does not match {handle}'s chain at {handle}#{size}").format(handle=handle, size=size)
        )
    return fingerprint
