"""Certificate Transparency's Merkle tree (RFC 9162 section 2.1) over a journal chain.

The chain already makes the journal tamper-evident to whoever holds all of it.
A Merkle tree lets a third party check much less: that one record is in the
journal whose head they were given (an inclusion proof, ~17 hashes at 100k
records), and that a later head extends an earlier one without rewriting it
(a consistency proof), without seeing the other records.

The leaves are the records in #seq order; leaf i's data is the 32 raw bytes of
record #(i+1)'s hash (`chain_leaves`). The tree is RFC 9162's, so any CT
verifier checks our proofs:

    leaf hash   SHA-256(0x00 || data)
    node hash   SHA-256(0x01 || left || right)
    MTH(D[n])   SHA-256("") for n = 0; leaf_hash(d0) for n = 1; otherwise
                node_hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n

How it is computed. The recursion above is never run per leaf: the tree is
built level by level, hashing pairs, and an odd node at the end of a level is
carried up unchanged. That gives the same hashes as the RFC's split (the left
part D[0:k] is always a complete subtree, and the last node of each level is
exactly the MTH of the leaves it covers), and every complete subtree
[j*2^l, (j+1)*2^l) is node j of level l. A proof asks for a handful of
such subtrees (`Tree._hash`).

`root()` keeps only the current level. `Tree` keeps every level, each as one
bytes object of 32-byte hashes: 2 x 32 bytes a leaf, 64 MB at 1M leaves,
where lists of bytes objects would hold ~160 MB (building it peaks ~190 MB
above the leaves, while a level is still a list). It answers any number of
proofs, for its own size or any earlier one (a head signed when the journal
was smaller), without hashing the leaves again.

Speed, measured with benchmarks/bench_merkle.py (CPython 3.11, one core of a
2-core AMD EPYC container shared with other work, best and median of 5): root() of 1,000,000 leaves
0.94 s / 1.02 s, of 100,000 0.13 s / 0.14 s; Tree() of 1M 1.05 s / 1.15 s. A
proof from a built tree takes 15-20 us (17 hashes at 100k, 20 at 1M) and
verifying one about as long. The floor is CPython's per-call cost of
hashlib (~0.4 us a hash, 2n hashes): each level is one list comprehension.

What a proof does not prove: the tree size. An inclusion proof for leaf 0 of
a 3-leaf tree also verifies as leaf 0 of a 4-leaf tree with the same root,
because from leaf 0 the two trees look the same; likewise a few consistency
proofs. That is harmless as long as roots are trusted only together with
their size (a signed head signs both), which is how RFC 9162 uses them.

Errors: building a proof for an index or size outside the tree raises
ValueError; verifying never raises on malformed proofs, it returns False.
"""

from collections.abc import Iterable, Mapping, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()  # e3b0c442...b855, the MTH of the empty tree

_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return sha256(_NODE + left + right).digest()


def _leaf_level(leaves: Iterable[bytes]) -> list[bytes]:
    return [sha256(_LEAF + data).digest() for data in leaves]


def _parent_level(level: list[bytes]) -> list[bytes]:
    """The level above: pairs hashed, an odd last node carried up as it is."""
    pairs = iter(level)  # zipped with itself: (0, 1), (2, 3), ...; an odd last node is left over
    up = [sha256(_NODE + left + right).digest() for left, right in zip(pairs, pairs, strict=False)]
    if len(level) & 1:
        up.append(level[-1])
    return up


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the leaves (their data, not yet hashed)."""
    if not leaves:
        return EMPTY_ROOT
    level = _leaf_level(leaves)
    while len(level) > 1:
        level = _parent_level(level)
    return level[0]


def packed_root(packed: bytes | bytearray) -> bytes:
    """root() of leaves packed end to end, HASH_SIZE bytes each, holding one hash per level
    rather than a level of them (a chain's leaves read from an export: a million of them
    as bytes objects would cost 65 MB)."""
    view = memoryview(packed)
    stack: list[list] = []  # [width, hash] of complete subtrees, widest first
    for at in range(0, len(view) - len(view) % HASH_SIZE, HASH_SIZE):
        node, width = sha256(_LEAF + view[at : at + HASH_SIZE]).digest(), 1
        while stack and stack[-1][0] == width:
            node = sha256(_NODE + stack.pop()[1] + node).digest()
            width <<= 1
        stack.append([width, node])
    if not stack:
        return EMPTY_ROOT
    node = stack.pop()[1]
    while stack:  # RFC 9162's right edge: each smaller subtree joins the one on its left
        node = sha256(_NODE + stack.pop()[1] + node).digest()
    return node


class Tree:
    """A tree built once from all the leaf data, answering proofs without rebuilding.

    `size` is the number of leaves. Every method takes an optional earlier
    size: the tree of the first `size` leaves, whose complete subtrees are
    shared with this one.
    """

    __slots__ = ("size", "_levels")

    def __init__(self, leaves: Sequence[bytes]):
        self.size = len(leaves)
        level = _leaf_level(leaves)
        levels = [b"".join(level)]
        while len(level) > 1:
            level = _parent_level(level)
            levels.append(b"".join(level))
        # levels[l] holds ceil(size / 2**l) hashes: node j covers leaves [j * 2**l, min((j + 1) * 2**l, size)).
        self._levels = levels

    def _node(self, level: int, index: int) -> bytes:
        at = index * HASH_SIZE
        return self._levels[level][at : at + HASH_SIZE]

    def _hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a subtree of RFC 9162's recursion.

        Such a range starts at a multiple of the smallest power of two 2**l
        >= its width, so it is stored as node start >> l of level l when it
        is complete or reaches the end of this tree. Otherwise it is the right
        edge of an earlier, smaller tree: fold the complete subtrees it is
        made of (widths the binary digits of end - start, largest first).
        """
        width = end - start
        if width == 0:
            return EMPTY_ROOT
        level = (width - 1).bit_length()
        if end == start + (1 << level) or end == self.size:
            return self._node(level, start >> level)
        parts = []
        while start < end:
            level = (end - start).bit_length() - 1
            parts.append(self._node(level, start >> level))
            start += 1 << level
        digest = parts.pop()
        while parts:
            digest = node_hash(parts.pop(), digest)
        return digest

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"a tree of {self.size} leaves has no earlier tree of {size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The Merkle Tree Hash of the first `size` leaves (all of them by default)."""
        return self._hash(0, self._check_size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[size]): the siblings from the leaf up, bottom first."""
        size = self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        proof = []
        start, end = 0, size
        while end - start > 1:  # walk down from the root, collecting the sibling of each step
            k = _split(end - start)
            if index < start + k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start += k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(old_size, D[new_size]); empty when old_size is 0 or new_size."""
        new_size = self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
        if old_size in (0, new_size):
            return []
        proof = []
        m, start, end, whole = old_size, 0, new_size, True  # SUBPROOF(m, D[start:end], whole)
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start += k
                m -= k
                whole = False
        if not whole:
            proof.append(self._hash(start, end))
        proof.reverse()
        return proof


BLOCK_LEVEL = 10
BLOCK = 1 << BLOCK_LEVEL  # leaves a stored block root covers (core/index keeps one per complete block)


def block_root(leaves: Sequence[bytes]) -> bytes:
    """The root of one complete block of BLOCK leaves: node j of level BLOCK_LEVEL."""
    return root(leaves)


class BlockTree(Tree):
    """The Tree of `size` leaves, built from the root of every complete block of BLOCK leaves
    and the leaves of only the blocks a proof looks inside (`leaves_of(block)`).

    A proof from a Tree of 1,000,000 leaves needs 2,000,000 hashes to build it; from the
    ~980 stored block roots this needs ~1,000, plus ~2,000 for each block a proof enters
    (one for an inclusion proof). Every complete block is a complete subtree (node j of
    level BLOCK_LEVEL), and the last, partial block's root is the last node of that level,
    exactly as Tree's levels hold it, so the proofs are Tree's own.
    """

    __slots__ = ("_blocks", "_leaves_of")

    def __init__(self, size: int, block_roots: Sequence[bytes], leaves_of):
        full, rest = divmod(size, BLOCK)
        if len(block_roots) < full:
            raise ValueError(f"{size} leaves need {full} block roots, not {len(block_roots)}")
        self.size = size
        self._leaves_of = leaves_of
        self._blocks: dict[int, Tree] = {}
        level = list(block_roots[:full])
        if rest:
            level.append(self._block(full).root())
        levels = [b"".join(level)]
        while len(level) > 1:
            level = _parent_level(level)
            levels.append(b"".join(level))
        self._levels = levels  # levels[0] is level BLOCK_LEVEL

    def _block(self, block: int) -> Tree:
        tree = self._blocks.get(block)
        if tree is None:
            tree = self._blocks[block] = Tree(self._leaves_of(block))
        return tree

    def _node(self, level: int, index: int) -> bytes:
        if level >= BLOCK_LEVEL:
            at = index * HASH_SIZE
            return self._levels[level - BLOCK_LEVEL][at : at + HASH_SIZE]
        block = (index << level) >> BLOCK_LEVEL
        return self._block(block)._node(level, index - (block << (BLOCK_LEVEL - level)))


def tree_of(leaves) -> Tree:
    """A Tree over `leaves`: a list of leaf data, or a chain the index holds (its .tree())."""
    tree = getattr(leaves, "tree", None)
    return tree() if tree is not None else Tree(leaves)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(index, D[n]) for the leaves (their data). For several proofs build a Tree once."""
    return Tree(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 9162 2.1.4.1 PROOF(old_size, D[n]) for the leaves (their data)."""
    return Tree(leaves).consistency_proof(old_size)


def _is_hash(value) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hashes(proof) -> list | None:
    """The proof as a list if it is a sequence of 32-byte hashes, else None."""
    try:
        proof = list(proof)
    except TypeError:
        return None
    return proof if all(_is_hash(p) for p in proof) else None


def verify_inclusion(leaf_data: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: is `leaf_data` leaf `index` of the tree of `size` leaves whose hash is `root`?

    Needs only the proof, never the tree. False (never an exception) for
    anything malformed: an index outside the tree, hashes that are not 32 bytes.
    """
    if not (_is_size(index) and _is_size(size) and 0 <= index < size):
        return False
    proof = _hashes(proof)
    if proof is None or not _is_hash(root):
        return False
    fn, sn = index, size - 1
    digest = leaf_hash(leaf_data)
    for p in proof:
        if sn == 0:  # the proof is longer than the path
            return False
        if fn & 1 or fn == sn:  # a sibling on the left (or none at this level: skip levels up)
            digest = node_hash(p, digest)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            digest = node_hash(digest, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and digest == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of `old_size` leaves (`old_root`) a prefix of the one of `new_size` (`new_root`)?

    Beyond the RFC, which leaves these out: equal sizes are consistent with an
    empty proof when the roots are equal, and the empty tree (whose root must be
    EMPTY_ROOT) with an empty proof is a prefix of every tree.
    """
    if not (_is_size(old_size) and _is_size(new_size) and 0 <= old_size <= new_size):
        return False
    proof = _hashes(proof)
    if proof is None or not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    if old_size == 0 and old_root != EMPTY_ROOT:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = proof
    if old_size & (old_size - 1) == 0:  # the old tree is a complete subtree: the proof leaves it out
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_digest = new_digest = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_digest = node_hash(c, old_digest)
            new_digest = node_hash(c, new_digest)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            new_digest = node_hash(new_digest, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and old_digest == old_root and new_digest == new_root


def chain_leaves(records: Iterable[Mapping]) -> list[bytes]:
    """The leaf data of a chain: each record's hash as 32 raw bytes, #1 first.

    Records must come in #seq order from #1, with no gap: leaf i is record #(i+1).
    """
    leaves = []
    for seq, record in enumerate(records, 1):
        if record.get("seq") != seq:
            raise ValueError(f"leaf {seq - 1} must be record #{seq}, not #{record.get('seq')}")
        data = bytes.fromhex(record["hash"])
        if len(data) != HASH_SIZE:
            raise ValueError(f"record #{seq}'s hash is not {HASH_SIZE * 2} hex characters")
        leaves.append(data)
    return leaves


def to_hex(hashes: Iterable[bytes]) -> list[str]:
    """Hashes as lowercase hex strings, for JSON."""
    return [h.hex() for h in hashes]


def from_hex(strings: Iterable[str]) -> list[bytes]:
    """Hex strings (from JSON) back to 32-byte hashes; ValueError for anything else."""
    hashes = []
    for s in strings:
        try:
            digest = bytes.fromhex(s)
        except (TypeError, ValueError):
            digest = b""
        if len(digest) != HASH_SIZE or len(s) != HASH_SIZE * 2:  # fromhex skips spaces
            raise ValueError(f"not a {HASH_SIZE * 2}-character hex hash: {s!r}")
        hashes.append(digest)
    return hashes
