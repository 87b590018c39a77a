"""`pmjournal verify` (the full check) and `verify --quick` as processes at 100k and 1M records.

Targets (issue 16): the full check under 1 s at 100k and under 10 s at 1M, peak
memory under 200 MB. The full check walks every record and trusts no memo; from
32 MB on it checks the second half of the file in a forked child
(core/verify_split.py), so two figures of memory are given: the largest process
(GNU time's max RSS, what every other benchmark reports) and the parent and its
child together (their RSS summed, sampled every 10 ms from /proc).

`--quick` is timed twice: right after a full check (nothing appended: the memo's
line is found and nothing is read) and after one `pmjournal add` (one record
checked).

Each journal is a private copy of the cached one in the scratch folder (verify
leaves its memo, `<journal>.checked`, beside the file it checks), on the same
disk as the cache. One untimed warm-up run (which also measures GNU time's max
RSS), then N timed runs: the median is judged against the target, the best and
the median CPU time (user + system of the process and its child) shown beside
it. The machine's cores are often shared: compare CPU time when wall time
swells.

    python benchmarks/bench_verify.py [--quick] [--runs N] [--sizes 100000,1000000]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, pmjournal_command, run_once, time_process  # noqa: E402

TARGETS = {100_000: 1.0, 1_000_000: 10.0}  # seconds, the full check
MEMORY_TARGET_MB = 200


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as found:
            return [int(x) for x in found.read().split()]
    except OSError:
        return []


def tree_peak_mb(argv: list[str], env: dict) -> float | None:
    """The largest sum of RSS of the process and its children, sampled every 10 ms (Linux only)."""
    if not os.path.exists("/proc/self/status"):
        return None
    import subprocess

    peak = 0
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
        while proc.poll() is None:
            pids = [proc.pid, *_children(proc.pid)]
            peak = max(peak, sum(_rss_kb(pid) for pid in pids))
            time.sleep(0.01)
    return peak / 1024


def _show(key: str, work: str, stats: dict, target: float | None, note: str | None = None) -> None:
    print(
        f"{work:<52} median {fmt_seconds(stats['median']):>9}  best {fmt_seconds(stats['best']):>9}"
        f"  cpu {fmt_seconds(stats['cpu_median']):>9}  max RSS {stats['max_rss_mb']:6.1f} MB  (n={stats['runs']})",
        flush=True,
    )
    extra = {
        "best": round(stats["best"], 4),
        "median": round(stats["median"], 4),
        "cpu_median": round(stats["cpu_median"], 4),
        "max_rss_mb": round(stats["max_rss_mb"], 1),
    }
    if note:
        extra["note"] = note
    emit(key, work, round(stats["median"], 4), "s", target, f"median of {stats['runs']}", **extra)


def _expect(prefix: str):
    def check(stats: dict) -> None:
        out = stats["last"]["stdout"].decode("utf-8", errors="replace")
        if not out.startswith(prefix):
            raise RuntimeError(f"unexpected output {out[:300]!r}")

    return check


def at_size(n: int, runs: int, env: dict, folder: Path) -> None:
    label = _label(n)
    meta = _journal.meta(n)
    heading(f"verify at {label} records ({meta['bytes'] / 1e6:.0f} MB)")
    path = _journal.copy_journal(n, folder)
    cmd = pmjournal_command() + ["--db", str(path)]
    try:
        full = time_process(cmd + ["verify"], runs, env)
        _expect(f"ok: {n} records")(full)
        _show(f"cli.verify_full.{label}", f"`pmjournal verify` (full), {label} records", full, TARGETS.get(n))
        emit(
            f"cli.verify_full.{label}.memory",
            f"peak memory of `pmjournal verify`, {label} records: the largest process",
            round(full["max_rss_mb"], 1),
            "MB",
            MEMORY_TARGET_MB,
            "one run",
            note=full["rss_method"],
        )
        together = tree_peak_mb(cmd + ["verify"], env)
        if together is not None:
            print(f"{'  the process and its child together (sampled)':<52} {together:6.1f} MB", flush=True)
            emit(
                f"cli.verify_full.{label}.memory_tree",
                f"peak memory of `pmjournal verify`, {label} records: the process and its child together",
                round(together, 1),
                "MB",
                MEMORY_TARGET_MB,
                "one run, RSS summed every 10 ms",
            )

        quick = time_process(cmd + ["verify", "--quick"], runs, env)
        _expect(f"ok: {n} records")(quick)
        _show(f"cli.verify_quick.{label}", f"`pmjournal verify --quick`, nothing new, {label}", quick, None)
        added = run_once(cmd + ["add", "note", "One more"], env)
        if added["returncode"] != 0:
            raise RuntimeError(f"add failed: {added['stderr'].decode(errors='replace')[-300:]}")
        quick = time_process(cmd + ["verify", "--quick"], runs, env)
        _expect(f"ok: {n + 1} records")(quick)
        _show(f"cli.verify_quick_one.{label}", f"`pmjournal verify --quick`, one added, {label}", quick, None)
    except RuntimeError as err:
        print(f"verify at {label}: FAILED: {err}")
        emit(f"cli.verify_full.{label}", f"`pmjournal verify` (full), {label} records", None, "s", None, "failed", error=str(err)[:300])
    finally:
        for leftover in (path, path.with_name(path.name + ".checked"), path.with_name(path.name + ".lock")):
            leftover.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k only, one timed run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    sizes = [100_000] if args.quick else [int(x) for x in args.sizes.split(",")]
    runs = 1 if args.quick else args.runs
    print(f"CPUs usable: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}; "
          f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        env = isolated_env(Path(tmp) / "home")
        for n in sizes:
            at_size(n, runs, env, Path(tmp))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
