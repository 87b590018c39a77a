"""The Merkle tree over the chain (pmjournal.core.evidence.merkle) at 100k and 1M leaves.

    python benchmarks/bench_merkle.py [--sizes 100000,1000000] [--runs 3]

Prints plain lines, no targets: the time of `root()` (best and median of
--runs), of building a `Tree` and the memory its levels hold, then ten
inclusion proofs from that one tree (time each, hashes each, bytes as JSON
hex) and their verification, and one consistency proof from half the size.
The leaves are random 32-byte strings, the shape of record hashes; no journal
is read, so the figures are the tree's alone.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmjournal.core.evidence import merkle  # noqa: E402


def leaves_of(n: int) -> list[bytes]:
    blob = os.urandom(32 * n)
    return [blob[i : i + 32] for i in range(0, 32 * n, 32)]


def timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def bench(n: int, runs: int) -> None:
    leaves = leaves_of(n)
    best, median, head = timed(lambda: merkle.root(leaves), runs)
    print(f"root() of {n:,} leaves: best {best:.3f} s, median {median:.3f} s of {runs}")

    best, median, tree = timed(lambda: merkle.Tree(leaves), runs)
    stored = sum(len(level) for level in tree._levels)
    print(f"Tree() of {n:,} leaves: best {best:.3f} s, median {median:.3f} s of {runs}; levels hold {stored / 1e6:.1f} MB")
    assert tree.root() == head

    indexes = random.Random(n).sample(range(n), 10)
    start = time.perf_counter()
    proofs = [tree.inclusion_proof(i) for i in indexes]
    made = time.perf_counter() - start
    start = time.perf_counter()
    ok = all(merkle.verify_inclusion(leaves[i], i, n, p, head) for i, p in zip(indexes, proofs, strict=True))
    checked = time.perf_counter() - start
    lengths = sorted(len(p) for p in proofs)
    json_bytes = sum(sum(len(h) + 3 for h in merkle.to_hex(p)) for p in proofs) / len(proofs)  # "…", per hash
    print(
        f"10 inclusion proofs at {n:,}: {made * 1e3:.2f} ms in all ({made * 1e5:.0f} us each), "
        f"{lengths[0]}-{lengths[-1]} hashes each ({lengths[-1] * 32} bytes, ~{json_bytes:.0f} bytes as JSON hex); "
        f"verified in {checked * 1e3:.2f} ms: {'ok' if ok else 'FAILED'}"
    )

    old = n // 2 + 1
    start = time.perf_counter()
    proof = tree.consistency_proof(old)
    made = time.perf_counter() - start
    ok = merkle.verify_consistency(old, n, tree.root(old), head, proof)
    print(f"consistency proof {old:,} -> {n:,}: {made * 1e3:.2f} ms, {len(proof)} hashes: {'ok' if ok else 'FAILED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        bench(n, args.runs)


if __name__ == "__main__":
    main()
