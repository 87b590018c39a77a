"""`pmjournal import` of a whole-journal JSON export, as a process (issue 16).

The inputs are JSON exports (`export --format json --include-retracted`) of the cached
realistic journals, made once and cached beside them in benchmarks/out/
(`export-v<GENERATOR_VERSION>-<n>.json`: ~140 MB at 100k, ~1.4 GB at 1M; making the 1M
one takes a minute or two and a few GB of memory). Each run imports into a new, empty
journal on the same disk as the cache (so the fsync costs what it costs), under GNU time
for the process's own peak RSS; the median of the runs is judged against the target.
Also timed: importing the same file again into the journal that now holds it (every
record skipped as already present).

Targets: 100k records under 6 s, 1M under 60 s, peak RSS under 500 MB at 1M.

    python benchmarks/bench_import.py [--sizes 100000 1000000] [--runs 3] [--quick]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, peak_rss_mb, pmjournal_command  # noqa: E402

TIME_TARGETS = {100_000: 6.0, 1_000_000: 60.0}
RSS_TARGET_MB = 500.0


def export_of(n: int) -> Path:
    """The cached JSON export of the cached n-record journal, made on first use."""
    path = _journal.OUT / f"export-v{_journal.GENERATOR_VERSION}-{n}.json"
    source = _journal.journal(n)
    if path.exists() and path.stat().st_mtime >= source.stat().st_mtime:
        return path
    print(f"making {path.name} (once)...", flush=True)
    home = Path(tempfile.mkdtemp(prefix="bench-import-export-", dir=_journal.scratch_dir()))
    try:
        partial = path.with_suffix(".json.partial")
        argv = pmjournal_command() + ["--db", str(source), "export", "--format", "json", "--include-retracted"]
        subprocess.run(argv + ["-o", str(partial), "--force"], env=isolated_env(home), check=True, stdout=subprocess.DEVNULL)
        os.replace(partial, path)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return path


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def run_import(db: Path, source: Path, env: dict) -> dict:
    peak, how, run = peak_rss_mb(pmjournal_command() + ["--db", str(db), "import", str(source)], env)
    if run["returncode"] != 0:
        raise RuntimeError(f"import exited {run['returncode']}: {run['stderr'].decode(errors='replace')[-500:]}")
    return {"seconds": run["seconds"], "cpu": run["cpu"], "rss": peak, "how": how, "stdout": run["stdout"].decode().strip()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--runs-large", type=int, default=1, help="runs at 1M and above (each takes up to a minute)")
    parser.add_argument("--quick", action="store_true", help="10k records, one run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs = [10_000], 1
    for n in args.sizes:
        source = export_of(n)
        runs = args.runs_large if n >= 1_000_000 else args.runs
        name = label(n)
        heading(f"import of a whole {name}-record JSON export ({source.stat().st_size / 1e6:.0f} MB), {runs} run(s)")
        root = Path(tempfile.mkdtemp(prefix="bench-import-", dir=_journal.scratch_dir()))
        try:
            env = isolated_env(root / "home")
            db = root / "journal.json"
            fresh = []
            for _ in range(runs):
                for stale in root.glob("journal.json*"):
                    stale.unlink()
                fresh.append(run_import(db, source, env))
                print(
                    f"  new journal: {fmt_seconds(fresh[-1]['seconds'])} (CPU {fresh[-1]['cpu']:.1f} s), "
                    f"peak {fresh[-1]['rss']:.0f} MB: {fresh[-1]['stdout']}",
                    flush=True,
                )
            again = run_import(db, source, env)
            print(
                f"  again, into the journal holding it: {fmt_seconds(again['seconds'])}, peak {again['rss']:.0f} MB: {again['stdout']}"
            )
            median = statistics.median(r["seconds"] for r in fresh)
            peak = max(r["rss"] for r in fresh)
            stat = f"median of {runs}" if runs > 1 else "1 run"
            emit(
                f"import.json.{name.lower()}",
                f"`import` of a whole {name}-record JSON export into a new journal",
                round(median, 2),
                "s",
                TIME_TARGETS.get(n),
                stat,
                best=round(min(r["seconds"] for r in fresh), 2),
                cpu_median=round(statistics.median(r["cpu"] for r in fresh), 2),
                max_rss_mb=round(peak),
            )
            emit(
                f"import.json.{name.lower()}.rss",
                f"`import` of a whole {name}-record JSON export: peak memory",
                round(peak),
                "MB",
                RSS_TARGET_MB if n >= 1_000_000 else None,
                f"max of {runs} ({fresh[0]['how']})",
            )
            emit(
                f"import.json.{name.lower()}.again",
                f"`import` of the same {name}-record export again (every record already present)",
                round(again["seconds"], 2),
                "s",
                None,
                "1 run",
                max_rss_mb=round(again["rss"]),
            )
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
