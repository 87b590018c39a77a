"""Where a slow command spends its time and memory, on a cached benchmark journal.

    python benchmarks/profile_cli.py [--size 100000] [--top 25] -- list --search kestrel
    python benchmarks/profile_cli.py --phases [--size 100000] [--no-gc]

The first form runs `pmjournal ARGS --db <cached journal>` in this process
under cProfile and prints the functions with the most cumulative and own time
(cProfile roughly doubles the cost of small Python functions: read the shares,
not the absolute times). The second times the stages every reading command
goes through (read and parse, fold, search, people directory, who summary)
with the RSS after each, optionally with the cyclic garbage collector off, to
show what the collector costs while 100k records are built.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def phases(n: int) -> None:
    from pmjournal.core.query import Filter, who
    from pmjournal.core.store import Journal

    meta = _journal.meta(n)
    path = _journal.journal(n)
    print(
        f"{n:,} records, {meta['bytes'] / 1e6:.0f} MB; gc {'on' if gc.isenabled() else 'off'}; RSS after imports {_rss_mb():.0f} MB"
    )
    journal = Journal(path)
    steps = [
        ("read + parse (storage.load)", lambda: journal.records()),
        ("fold into views", lambda: journal.views),
        (f"search {meta['search_term']!r}", lambda: Filter(search=meta["search_term"]).apply(journal.views.values())),
        ("people directory", lambda: journal.people),
        ("who summary (all entries)", lambda: who(Filter().apply(journal.views.values()), journal.people)),
    ]
    total = 0.0
    for name, step in steps:
        start = time.perf_counter()
        step()
        took = time.perf_counter() - start
        total += took
        print(f"  {name:<32} {took * 1000:8.0f} ms   RSS {_rss_mb():6.0f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'total':<32} {total * 1000:8.0f} ms   peak RSS {peak:.0f} MB")


def profile(n: int, args: list[str], top: int) -> None:
    from pmjournal.cli import main

    os.environ.setdefault("PMJOURNAL_CONFIG_DIR", str(_journal.scratch_dir() / "profile-config"))
    profiler = cProfile.Profile()
    # Binary underneath, as a real stdout is: export writes its chunks to stdout.buffer.
    sink = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    # A copy, so that profiling `add`, `amend` or `import` never changes the shared cache.
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        path = _journal.copy_journal(n, tmp)
        start = time.perf_counter()
        with redirect_stdout(sink):
            profiler.enable()
            code = main([*args, "--db", str(path)])
            profiler.disable()
            sink.flush()
        took = time.perf_counter() - start
    print(
        f"pmjournal {' '.join(args)} on {n:,} records: exit {code}, {took:.2f} s under cProfile, {len(sink.buffer.getvalue()):,} bytes out"
    )
    for order in ("cumulative", "tottime"):
        print(f"\n-- top {top} by {order}")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(top)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="records in the journal (default 100000)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--phases", action="store_true", help="time the stages of a reading command instead")
    parser.add_argument("--no-gc", action="store_true", help="with --phases: disable the cyclic garbage collector first")
    parser.add_argument("command", nargs="*", help="pmjournal arguments, after --")
    args = parser.parse_args(argv)
    if args.phases:
        if args.no_gc:
            gc.disable()
        phases(args.size)
        return 0
    if not args.command:
        parser.error("give a pmjournal command after --, e.g. -- list --search kestrel")
    profile(args.size, args.command, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
