"""Adding entries through the core API (Journal.add) to journals of 1k, 10k and 100k records.

Each add validates, seals the record into the hash chain, appends one line and
fsyncs it before returning: that fsync is the crash-safety guarantee, so it is
part of the figure. The journal object is opened once and never loaded (as the
CLI uses it); each add is timed on its own and we report p50 and p95.

A second series adds entries with a caused_by link given as a #seq reference,
which the store finds by bisecting byte offsets (no full parse): it
shows what a link costs on the add path. It has no target of its own.

    python benchmarks/bench_core.py [--quick] [--adds N]
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, heading, percentile  # noqa: E402

from pmjournal.core.model import META_KINDS  # noqa: E402
from pmjournal.core.store import Journal  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
TARGET_P95_MS = 20.0  # at 100k (DESIGN.md, "Performance targets")


def _values(i: int, rng: random.Random) -> tuple[str, dict]:
    kind = ("decision", "note", "communication", "risk")[i % 4]
    values = {
        "title": f"Benchmark entry {i}: {rng.choice(_journal.SUBJECTS)}",
        "body": rng.choice(_journal.SENTENCES_EN) + " " + rng.choice(_journal.SENTENCES_ZH),
        "tags": rng.sample(_journal.TAGS, 2),
        "project": rng.choice(_journal.PROJECTS),
    }
    if kind == "decision":
        values.update(owner=rng.choice(_journal.PEOPLE), approved_by=[rng.choice(_journal.STAKEHOLDERS)])
    elif kind == "communication":
        values.update(channel="meeting", participants=rng.sample(_journal.PEOPLE, 3))
    elif kind == "risk":
        values.update(owner=rng.choice(_journal.PEOPLE), likelihood="high", impact="medium")
    return kind, values


def _entry_seqs(path: Path) -> list[int]:
    """#seq of every entry record (amendments and retractions cannot be linked to)."""
    seqs = []
    with open(path, "rb") as fh:
        next(fh)
        for seq, line in enumerate(fh, start=1):
            # Only entries can be linked to: no amendment, retraction, loop or key record.
            if not any(b'"kind":"%s"' % kind.encode() in line for kind in META_KINDS):
                seqs.append(seq)
    return seqs


def time_adds(path: Path, adds: int, with_link: bool, rng: random.Random) -> list[float]:
    journal = Journal(path, user="Bench PM")
    targets = _entry_seqs(path) if with_link else []
    samples = []
    for i in range(adds + 3):
        kind, values = _values(i, rng)
        links = {"caused_by": [f"#{rng.choice(targets)}"]} if with_link else None
        start = time.perf_counter()
        journal.add(kind, values, links=links)
        elapsed = time.perf_counter() - start
        if i >= 3:  # the first adds warm imports and the page cache
            samples.append(elapsed * 1000)
    return samples


def bench_size(n: int, adds: int, link_adds: int) -> None:
    label = f"{n // 1000}k"
    rng = random.Random(n)
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        path = _journal.copy_journal(n, tmp)
        samples = time_adds(path, adds, with_link=False, rng=rng)
        p50, p95, worst = percentile(samples, 50), percentile(samples, 95), max(samples)
        print(f"Journal.add at {n:>7,} records: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {worst:6.2f} ms  ({adds} adds)")
        emit(
            f"core.add.{label}",
            f"add via the core API (Journal.add), {label} records, p95",
            round(p95, 2),
            "ms",
            TARGET_P95_MS if n == 100_000 else None,
            f"p95 of {adds}",
            p50=round(p50, 2),
            p95=round(p95, 2),
            max=round(worst, 2),
            note="fsync on every add",
        )
        samples = time_adds(path, link_adds, with_link=True, rng=rng)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        print(f"  with a caused_by #seq link:       p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({link_adds} adds)")
        emit(
            f"core.add_link.{label}",
            f"add with a caused_by link via the core API, {label} records, p95",
            round(p95, 2),
            "ms",
            None,
            f"p95 of {link_adds}",
            p50=round(p50, 2),
            p95=round(p95, 2),
            note="the link target is found by bisecting byte offsets (record #n is on line n + 1)",
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer adds")
    parser.add_argument("--adds", type=int, default=None, help="adds timed per journal size (default 200, quick 100)")
    args = parser.parse_args(argv)
    adds = args.adds or (100 if args.quick else 200)
    heading("core API: Journal.add (fsync on every add)")
    for n in QUICK_SIZES if args.quick else SIZES:
        bench_size(n, adds, max(20, adds // 4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
