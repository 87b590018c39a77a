"""RFC 9162's Merkle tree over the chain, checked by brute force against the RFC's own recursion.

The reference below is the RFC 9162 section 2.1 text transcribed as plainly as
possible (recursive, slicing lists, hashlib directly): slow, obviously right.
The module under test builds level by level; every size 0..40, every index
and every old size must give the same hashes.
"""

import functools
import hashlib
import random

import pytest

from pmjournal.core.evidence.merkle import (
    EMPTY_ROOT,
    Tree,
    chain_leaves,
    consistency_proof,
    from_hex,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    to_hex,
    verify_consistency,
    verify_inclusion,
)

MAX = 40


# --- the reference: RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1 as written ---------------------------------


def ref_k(n):
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d):
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = ref_k(len(d))
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m, d):
    if len(d) == 1:
        return []
    k = ref_k(len(d))
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m, d, b):
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = ref_k(len(d))
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m, d):
    return ref_subproof(m, d, True)


def ref_path_sides(m, n):
    """For each hash of PATH(m, D[n]), bottom first: is it a left sibling? (The path's shape.)"""
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return ref_path_sides(m, k) + [False]
    return ref_path_sides(m - k, n - k) + [True]


def ref_proof_shape(m, n, b=True):
    """The shape of PROOF(m, D[n]): whether the old root is left out, then each hash's role, bottom first."""
    if m == n:
        return [b]
    k = ref_k(n)
    if m <= k:
        return ref_proof_shape(m, k, b) + ["right of the new tree"]
    return ref_proof_shape(m - k, n - k, False) + ["left of both"]


def data(n, salt=""):
    """Leaf data shaped like the journal's: 32-byte record hashes."""
    return [hashlib.sha256(f"record {salt}{i + 1}".encode()).digest() for i in range(n)]


LEAVES = data(MAX)
TREE = Tree(LEAVES)


@functools.cache
def ref_root(n):
    """ref_mth(LEAVES[:n]), computed once a size: the brute-force tests below ask for the
    same prefix's root hundreds of times."""
    return ref_mth(LEAVES[:n])


def flipped(value: bytes, at: int) -> bytes:
    out = bytearray(value)
    out[at] ^= 0x01
    return bytes(out)


# --- known vectors --------------------------------------------------------------------------------

# The RFC 6962 reference tree every CT implementation tests against (the same tree as RFC 9162):
# eight leaves of 0 to 16 bytes, the root of each prefix, and some proofs in the 8-leaf tree.
CT_LEAVES = [
    bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {  # index in the 8-leaf tree: PATH
    0: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    5: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {  # old size, to the 8-leaf tree: PROOF
    1: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    4: ["6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    6: [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}

# Journal-shaped leaves (data(n): sha256 of "record 1", "record 2", ...): roots and proofs
# computed with the reference above, and checked against it again in test_journal_shaped_vectors.
JOURNAL_ROOTS = {
    1: "2a9ae6cea3c5305a8edaa8730929cc283d0198e811b245cacbc927228f1905e6",
    2: "5d0fee3f53628d2939d01d96828ee15ed72311693bc8d3a80b5d7aeb252e1f9a",
    3: "9a7b18169294ea23226dbcf18ea80c4714dc6d1f594ceeef3c1381c124807a7e",
    5: "bf547e06106def8d076aa9a020d688ee2f2adc0d1e792f4b4584347fdc468564",
    7: "28d09b8f111283d4ff4d2ebb5d383ad2ddfd8fc8d479be5802fef73fe47ab910",
    16: "a1aa242dae93c5fe3b021939bc57d9e244c69753a79a8d6d0baadfec80030ec1",
    17: "ca0a2b7d7adda192863c691b0ce39f09526d4f3d7ee33972eddbee636c1501a3",
}
JOURNAL_PATH_4_OF_7 = [
    "666ef81f177b9b2aa0fcf9a2e38b626c608b7dd426fc3814b6514aefd031e623",
    "d41271a0c4feae0c784601003918a42a9fcd2707dad0d63c3f89da1256292528",
    "5d17f34e3e64ca0b68dc74587014ab9613178c4e1723d3c8a6cfb1698a087ae5",
]
JOURNAL_PROOF_3_TO_7 = [
    "0f0a597d04f06576c7aabaab1cbbfa410740f7fa06e2832aa149a1acbdab3752",
    "2211c86b881d26750063ae137845245dd3301c19ee3d52ca447b80dc71121132",
    "5d0fee3f53628d2939d01d96828ee15ed72311693bc8d3a80b5d7aeb252e1f9a",  # the root of the first two: #1, #2
    "96d17b54b5e31ba96092f3637ad076c6baedd76d8c37f43bba7dac649e09d4ca",
]


def test_empty_tree():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT == Tree([]).root() == ref_mth([])
    assert Tree([]).size == 0
    assert consistency_proof([], 0) == []


def test_hashes_are_domain_separated():
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    assert root([b"x" * 64]) != node_hash(b"x" * 32, b"x" * 32)  # a leaf is never mistaken for a node


def test_ct_reference_vectors():
    tree = Tree(CT_LEAVES)
    for n, expected in enumerate(CT_ROOTS):
        assert root(CT_LEAVES[:n]).hex() == expected
        assert tree.root(n).hex() == expected
        assert ref_mth(CT_LEAVES[:n]).hex() == expected
    for index, expected in CT_INCLUSION.items():
        assert to_hex(tree.inclusion_proof(index)) == expected
        assert verify_inclusion(CT_LEAVES[index], index, 8, from_hex(expected), bytes.fromhex(CT_ROOTS[8]))
    for old, expected in CT_CONSISTENCY.items():
        assert to_hex(tree.consistency_proof(old)) == expected
        assert verify_consistency(old, 8, bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[8]), from_hex(expected))


def test_journal_shaped_vectors():
    for n, expected in JOURNAL_ROOTS.items():
        assert ref_mth(data(n)).hex() == expected
        assert root(data(n)).hex() == expected
    assert to_hex(ref_path(4, data(7))) == JOURNAL_PATH_4_OF_7 == to_hex(inclusion_proof(data(7), 4))
    assert to_hex(ref_proof(3, data(7))) == JOURNAL_PROOF_3_TO_7 == to_hex(consistency_proof(data(7), 3))


# --- brute force against the reference ----------------------------------------------------------


def test_root_matches_the_rfc_for_every_size():
    for n in range(MAX + 1):
        expected = ref_mth(LEAVES[:n])
        assert root(LEAVES[:n]) == expected, n
        assert Tree(LEAVES[:n]).root() == expected, n
        assert TREE.root(n) == expected, n  # an earlier head, from the tree of all 40


def test_inclusion_proofs_match_the_rfc_for_every_size_and_index():
    for n in range(1, MAX + 1):
        tree = Tree(LEAVES[:n])
        head = ref_mth(LEAVES[:n])
        for m in range(n):
            expected = ref_path(m, LEAVES[:n])
            assert inclusion_proof(LEAVES[:n], m) == expected, (m, n)
            assert tree.inclusion_proof(m) == expected, (m, n)
            assert TREE.inclusion_proof(m, n) == expected, (m, n)
            assert verify_inclusion(LEAVES[m], m, n, expected, head), (m, n)


def test_consistency_proofs_match_the_rfc_for_every_pair_of_sizes():
    for n in range(MAX + 1):
        tree = Tree(LEAVES[:n])
        new_root = ref_mth(LEAVES[:n])
        for m in range(n + 1):
            expected = ref_proof(m, LEAVES[:n]) if 0 < m else []
            assert consistency_proof(LEAVES[:n], m) == expected, (m, n)
            assert tree.consistency_proof(m) == expected, (m, n)
            assert TREE.consistency_proof(m, n) == expected, (m, n)
            assert verify_consistency(m, n, ref_root(m), new_root, expected), (m, n)


def test_leaf_data_of_any_length():
    leaves = [b"", b"a", b"bc" * 100, bytes(range(256))]
    tree = Tree(leaves)
    assert tree.root() == ref_mth(leaves)
    for m in range(len(leaves)):
        assert verify_inclusion(leaves[m], m, len(leaves), tree.inclusion_proof(m), tree.root())


# --- tampering -------------------------------------------------------------------------------------


def test_any_flipped_byte_fails_inclusion():
    for n in range(1, 24):
        head = ref_root(n)
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            leaf = LEAVES[m]
            assert verify_inclusion(leaf, m, n, proof, head)
            for at in range(32):
                assert not verify_inclusion(flipped(leaf, at), m, n, proof, head), (m, n, at)
                assert not verify_inclusion(leaf, m, n, proof, flipped(head, at)), (m, n, at)
                for i in range(len(proof)):
                    bad = proof[:i] + [flipped(proof[i], at)] + proof[i + 1 :]
                    assert not verify_inclusion(leaf, m, n, bad, head), (m, n, i, at)


def test_any_other_index_fails_inclusion():
    for n in range(1, MAX + 1):
        head = ref_root(n)
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            for other in [*range(-2, n + 3), m ^ (1 << 20), m + 2**64]:
                if other != m:
                    assert not verify_inclusion(LEAVES[m], other, n, proof, head), (m, n, other)


def test_another_size_fails_inclusion_unless_the_path_has_the_same_shape():
    """The proof does not authenticate the size (the signed head does): from leaf 0, trees of 3 and
    4 leaves look the same. A size passes exactly when the RFC's path has the same shape there."""
    aliases = 0
    sides = functools.cache(ref_path_sides)  # each (index, size) is asked for again and again
    for n in range(1, MAX + 1):
        head = ref_root(n)
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            for other in [*range(0, 2 * MAX + 2), n ^ (1 << 20), n + 2**64, -n]:
                if other == n:
                    continue
                same_shape = 0 <= m < other and sides(m, other) == sides(m, n)
                assert verify_inclusion(LEAVES[m], m, other, proof, head) == same_shape, (m, n, other)
                aliases += same_shape
    assert aliases  # the aliasing is real, so the rule above is tested both ways


def test_any_flipped_byte_fails_consistency():
    for n in range(2, 24):
        new_root = ref_root(n)
        for m in range(1, n):
            old_root = ref_root(m)
            proof = TREE.consistency_proof(m, n)
            assert verify_consistency(m, n, old_root, new_root, proof)
            for at in range(32):
                assert not verify_consistency(m, n, flipped(old_root, at), new_root, proof), (m, n, at)
                assert not verify_consistency(m, n, old_root, flipped(new_root, at), proof), (m, n, at)
                for i in range(len(proof)):
                    bad = proof[:i] + [flipped(proof[i], at)] + proof[i + 1 :]
                    assert not verify_consistency(m, n, old_root, new_root, bad), (m, n, i, at)


def test_consistency_proofs_cut_short_padded_or_reordered_fail():
    for n in range(2, MAX + 1):
        new_root = ref_root(n)
        for m in range(1, n):
            old_root = ref_root(m)
            proof = TREE.consistency_proof(m, n)
            assert not verify_consistency(m, n, old_root, new_root, proof[:-1])
            assert not verify_consistency(m, n, old_root, new_root, proof + [proof[-1]])
            assert not verify_consistency(m, n, old_root, new_root, [new_root, *proof])
            if len(set(proof)) > 1:
                assert not verify_consistency(m, n, old_root, new_root, proof[::-1])


def test_inclusion_proofs_cut_short_padded_or_reordered_fail():
    for n in range(2, MAX + 1):
        head = ref_root(n)
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            assert not verify_inclusion(LEAVES[m], m, n, proof[:-1], head)
            assert not verify_inclusion(LEAVES[m], m, n, proof + [proof[-1]], head)
            if len(proof) > 1:
                assert not verify_inclusion(LEAVES[m], m, n, proof[::-1], head)


def test_other_sizes_fail_consistency_unless_the_proof_has_the_same_shape():
    """As for inclusion: the sizes come with the signed heads, and only a same-shaped proof passes."""
    aliases = 0
    # The reference's shape of every pair of sizes below, once (the loops ask for each 253 times).
    shapes = {(m2, n2): ref_proof_shape(m2, n2) for n2 in range(33) for m2 in range(1, n2)}
    for n in range(2, 24):
        new_root = ref_root(n)
        for m in range(1, n):
            old_root = ref_root(m)
            proof = TREE.consistency_proof(m, n)
            shape = ref_proof_shape(m, n)
            for m2 in range(0, 33):
                for n2 in range(0, 33):
                    if (m2, n2) == (m, n):
                        continue
                    same_shape = 0 < m2 < n2 and shapes[m2, n2] == shape
                    assert verify_consistency(m2, n2, old_root, new_root, proof) == same_shape, (m, n, m2, n2)
                    aliases += same_shape
            assert not verify_consistency(m, n + 2**64, old_root, new_root, proof)
            assert not verify_consistency(-m, n, old_root, new_root, proof)
    assert aliases


def test_edge_cases_of_consistency():
    r5 = ref_mth(LEAVES[:5])
    assert verify_consistency(5, 5, r5, r5, [])
    assert not verify_consistency(5, 5, r5, flipped(r5, 0), [])
    assert not verify_consistency(5, 5, r5, r5, [r5])
    assert verify_consistency(0, 5, EMPTY_ROOT, r5, [])  # the empty tree is a prefix of every tree
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 5, r5, r5, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r5, [r5])
    assert not verify_consistency(6, 5, r5, r5, [])  # shrinking is never consistent
    assert not verify_consistency(2, 5, ref_mth(LEAVES[:2]), r5, [])  # the RFC: an empty proof fails


def test_malformed_input_is_false_not_an_error():
    proof = TREE.inclusion_proof(3, 10)
    head = TREE.root(10)
    assert verify_inclusion(LEAVES[3], 3, 10, proof, head)
    assert not verify_inclusion(LEAVES[3], 3, 10, proof, head[:31])
    assert not verify_inclusion(LEAVES[3], 3, 10, [p + b"\x00" for p in proof], head)
    assert not verify_inclusion(LEAVES[3], 3, 10, [p.hex() for p in proof], head)
    assert not verify_inclusion(LEAVES[3], "3", 10, proof, head)
    assert not verify_inclusion(LEAVES[3], 3, 10.0, proof, head)
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(LEAVES[3], 3, 10, None, head)
    assert verify_inclusion(LEAVES[3], 3, 10, iter(proof), head)  # any iterable of hashes
    old = TREE.root(3)
    cproof = TREE.consistency_proof(3, 10)
    assert verify_consistency(3, 10, old, head, cproof)
    assert not verify_consistency(3, 10, old.hex(), head, cproof)
    assert not verify_consistency(3, 10, old, head, [*cproof[:-1], b"short"])
    assert not verify_consistency(3, None, old, head, cproof)


def test_building_a_proof_outside_the_tree_raises():
    tree = Tree(LEAVES[:10])
    for bad in (-1, 10, 11):
        with pytest.raises(ValueError):
            tree.inclusion_proof(bad)
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, 11)
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, 0)
    with pytest.raises(ValueError):
        tree.consistency_proof(11)
    with pytest.raises(ValueError):
        tree.consistency_proof(5, 4)
    with pytest.raises(ValueError):
        tree.root(11)
    with pytest.raises(ValueError):
        Tree([]).inclusion_proof(0)


# --- at scale --------------------------------------------------------------------------------------


def test_ten_proofs_in_a_tree_of_100k():
    n = 100_000
    leaves = data(n, salt="big ")
    tree = Tree(leaves)
    head = tree.root()
    assert head == root(leaves) == ref_mth(leaves)
    rng = random.Random(9162)
    indexes = [0, n - 1, *rng.sample(range(n), 8)]
    sizes = []
    for m in indexes:
        proof = tree.inclusion_proof(m)
        if m in (0, n - 1):  # the reference takes ~0.3 s a proof here: the two ends are enough
            assert proof == ref_path(m, leaves)
        assert len(proof) == len(ref_path_sides(m, n))
        assert verify_inclusion(leaves[m], m, n, proof, head)
        assert not verify_inclusion(leaves[m], m, n, proof[:-1], head)
        sizes.append(len(proof))
    # 100,000 = 65,536 + 32,768 + 1,024 + 512 + 128 + 32: a leaf in the first 98,304 is 17 hashes
    # from the root; the last leaf, in the final subtree of 32, only 5 + 5 = 10.
    assert sizes[0] == 17 and sizes[1] == 10
    assert all(16 <= size <= 17 for size in sizes[2:]), sizes
    old = 65_537
    cproof = tree.consistency_proof(old)
    assert verify_consistency(old, n, tree.root(old), head, cproof)
    assert tree.root(old) == root(leaves[:old])
    earlier = tree.inclusion_proof(12_345, old)  # against an earlier head, from the same tree
    assert verify_inclusion(leaves[12_345], 12_345, old, earlier, tree.root(old))


def test_tree_memory_is_about_two_hashes_per_leaf():
    tree = Tree(data(1000))
    stored = sum(len(level) for level in tree._levels)
    assert 2 * 1000 * 32 - 64 <= stored <= 2 * 1000 * 32 + 32 * 11


# --- the journal ---------------------------------------------------------------------------------


def test_chain_leaves_are_the_record_hashes_in_seq_order(journal):
    for i in range(5):
        journal.add("note", {"title": f"note {i}"})
    records = journal.records()
    leaves = chain_leaves(records)
    assert leaves == [bytes.fromhex(r["hash"]) for r in records]
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    tree = Tree(leaves)
    proof = to_hex(tree.inclusion_proof(2))  # record #3, as an export would carry it
    assert verify_inclusion(bytes.fromhex(records[2]["hash"]), 2, 5, from_hex(proof), tree.root())
    with pytest.raises(ValueError):
        chain_leaves(records[1:])  # leaf 0 must be #1
    with pytest.raises(ValueError):
        chain_leaves([records[0], records[2]])
    with pytest.raises(ValueError):
        chain_leaves([{**records[0], "hash": records[0]["hash"][:62]}])


def test_hex_helpers():
    hashes = data(3)
    assert from_hex(to_hex(hashes)) == hashes
    assert to_hex(hashes)[0] == hashes[0].hex()
    for bad in ("ab" * 31, "ab" * 33, "zz" * 32, "ab" * 31 + " a", None):
        with pytest.raises(ValueError):
            from_hex([bad])


@pytest.mark.parametrize("size", [1, 5, 1023, 1024, 1025, 2048, 3000, 4096 + 17])
def test_a_tree_from_block_roots_gives_the_same_roots_and_proofs(size):
    from pmjournal.core.evidence.merkle import BLOCK, BlockTree, block_root

    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(size)]
    blocks = [block_root(leaves[b * BLOCK : (b + 1) * BLOCK]) for b in range(size // BLOCK)]
    asked = []

    def leaves_of(block):
        asked.append(block)
        return leaves[block * BLOCK : (block + 1) * BLOCK]

    tree, whole = BlockTree(size, blocks, leaves_of), Tree(leaves)
    assert tree.root() == whole.root()
    for index in sorted({0, size // 2, size - 1}):
        assert tree.inclusion_proof(index) == whole.inclusion_proof(index)
    for old in sorted({1, size // 3 or 1, size - 1 or 1}):
        assert tree.consistency_proof(old) == whole.consistency_proof(old)
        assert tree.root(old) == whole.root(old)
    assert len(set(asked)) <= size // BLOCK + 1
