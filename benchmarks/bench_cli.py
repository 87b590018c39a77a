"""`pmjournal` commands as processes, the way a person runs them, on 10k and 100k journals.

Every figure is wall time from starting the process to its exit
(time.perf_counter around Popen + wait4), after one untimed warm-up run so the
journal is in the page cache as it would be for someone using it; we report
the best and the median of N runs and judge the median against the target.
Peak memory is the max RSS of each process itself (os.wait4's rusage).

Also timed, for comparison: the Python startup floor (`python -c pass`) and
importing the CLI (`python -c "import pmjournal.cli"`), which every command pays.

    python benchmarks/bench_cli.py [--quick] [--runs N]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, pmjournal_command, run_once, time_process  # noqa: E402

ADD_TARGETS = {10_000: 0.25, 100_000: 0.5}
READ_TARGETS = {"list": 1.5, "verify": 2.0, "who": 1.5, "trace": 1.5}  # at 100k
MEMORY_TARGET_MB = 300.0  # at 100k

ADD_ARGS = [
    "add",
    "decision",
    "Cut offline mode from v1",
    "--owner",
    "Dana Whitfield",
    "--approved-by",
    "VP Eng",
    "--when",
    "yesterday 15:00",
    "--tag",
    "launch",
    "--body",
    "Engineering estimates two more weeks; 研发评估需要额外两周时间。",
]


def _label(n: int) -> str:
    return f"{n // 1000}k"


def _report(key, work, stats, target, note=None, memory=False, n=None):
    print(
        f"{work:<58} best {fmt_seconds(stats['best']):>9}  median {fmt_seconds(stats['median']):>9}"
        f"  cpu {fmt_seconds(stats['cpu_median']):>9}  max RSS {stats['max_rss_mb']:6.1f} MB  (n={stats['runs']})"
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
    if memory:
        emit(
            f"{key}.memory",
            f"peak memory (max RSS) of `{work.split('`')[1]}`, {_label(n)} records",
            round(stats["max_rss_mb"], 1),
            "MB",
            MEMORY_TARGET_MB if n == 100_000 else None,
            "one run",
            note=stats["rss_method"],
        )


def _measure(key, work, argv, runs, env, target=None, check=None, note=None, memory=False, n=None):
    try:
        stats = time_process(argv, runs, env)
        if check is not None:
            problem = check(stats["last"]["stdout"].decode("utf-8", errors="replace"))
            if problem:
                raise RuntimeError(problem)
    except RuntimeError as err:
        print(f"{work}: FAILED: {err}")
        emit(key, work, None, "s", None, "failed", error=str(err)[:300])
        return None
    _report(key, work, stats, target, note, memory, n)
    return stats


def startup(runs: int, env: dict) -> None:
    heading("Python startup floor")
    py = sys.executable
    _measure("startup.python", "`python -c pass`", [py, "-c", "pass"], runs, env)
    _measure("startup.import_cli", '`python -c "import pmjournal.cli"`', [py, "-c", "import pmjournal.cli"], runs, env)
    _measure("startup.version", "`pmjournal --version`", pmjournal_command() + ["--version"], runs, env)


def adds(n: int, runs: int, env: dict, tmp: Path) -> None:
    path = _journal.copy_journal(n, tmp)
    cmd = pmjournal_command() + ["--db", str(path)]
    label = _label(n)

    def printed_seq(out: str) -> str | None:
        return None if out.startswith("#") else f"unexpected output {out[:200]!r}"

    _measure(
        f"cli.add.{label}",
        f"`pmjournal add` as a process, {label} records",
        cmd + ADD_ARGS,
        runs,
        env,
        ADD_TARGETS.get(n),
        printed_seq,
    )
    if n == 100_000:
        trace_seq = _journal.meta(n)["trace_seq"]
        _measure(
            f"cli.add_link.{label}",
            f"`pmjournal add --caused-by` as a process, {label} records",
            cmd + ADD_ARGS + ["--caused-by", str(trace_seq)],
            runs,
            env,
            None,
            printed_seq,
            note="the link target is found by bisecting byte offsets",
        )


def reads(n: int, runs: int, env: dict) -> None:
    meta = _journal.meta(n)
    path = _journal.journal(n)  # read-only commands run on the cached file itself
    cmd = pmjournal_command() + ["--db", str(path)]
    label = _label(n)
    big = n == 100_000
    term, seq = meta["search_term"], meta["trace_seq"]

    def listed(out: str) -> str | None:
        rows = sum(1 for line in out.splitlines() if line.startswith("#"))
        return None if rows > 0 else f"no rows found for {term!r}"

    def verified(out: str) -> str | None:
        return None if out.startswith(f"ok: {n} records") else f"unexpected output {out[:200]!r}"

    def who_rows(out: str) -> str | None:
        return None if "Dana Whitfield" in out else f"Dana Whitfield missing from {out[:200]!r}"

    def traced(out: str) -> str | None:
        found = sum(1 for line in out.splitlines() if "#" in line)
        return None if found >= 2 * meta["trace_depth"] + 1 else f"trace shows {found} entries: {out[:300]!r}"

    heading(f"reading commands at {label} records ({meta['bytes'] / 1e6:.0f} MB)")
    _measure(
        f"cli.list_search.{label}",
        f"`pmjournal list --search {term}` as a process, {label} records",
        cmd + ["list", "--search", term],
        runs,
        env,
        READ_TARGETS["list"] if big else None,
        listed,
        note=f"{meta['search_planted']} entries hold the word",
        memory=True,
        n=n,
    )
    _measure(
        f"cli.verify.{label}",
        f"`pmjournal verify` as a process, {label} records",
        cmd + ["verify"],
        runs,
        env,
        READ_TARGETS["verify"] if big else None,
        verified,
        memory=True,
        n=n,
    )
    _measure(
        f"cli.who.{label}",
        f"`pmjournal who` as a process, {label} records",
        cmd + ["who"],
        runs,
        env,
        READ_TARGETS["who"] if big else None,
        who_rows,
        memory=True,
        n=n,
    )
    _measure(
        f"cli.trace.{label}",
        f"`pmjournal trace {seq}` as a process, {label} records",
        cmd + ["trace", str(seq)],
        runs,
        env,
        READ_TARGETS["trace"] if big else None,
        traced,
        note=f"a caused_by chain {meta['trace_depth']} levels deep, {2 * meta['trace_depth'] + 1} entries",
        memory=True,
        n=n,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k records only, fewer runs")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command (default 10 for adds, 5 for reads)")
    args = parser.parse_args(argv)
    quick = args.quick
    add_runs = args.runs or (5 if quick else 10)
    read_runs = args.runs or (3 if quick else 5)
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        tmp = Path(tmp)
        env = isolated_env(tmp / "home")
        # Fail early and clearly if the command itself is broken.
        probe = run_once(pmjournal_command() + ["--version"], env)
        if probe["returncode"] != 0:
            print(f"pmjournal does not run: {probe['stderr'].decode(errors='replace').strip()}")
            return 1
        startup(add_runs, env)
        heading("`pmjournal add` (one fsync per add)")
        for n in (10_000,) if quick else (10_000, 100_000):
            adds(n, add_runs, env, tmp)
        for n in (10_000,) if quick else (100_000,):
            reads(n, read_runs, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
