"""`pmjournal due` (and `remind`) as processes on 10k and 100k journals.

`due` remembers what it verified beside the journal (core/verified.py), so the untimed
warm-up run checks every record and the timed runs check only that the file is unchanged
(one sha256) and what was appended since: the figures are the steady state of someone who
runs `due` daily. A first run without the memo costs a full check (~1.5 s at 100k).

Target: `pmjournal due` at 100k records under 1 s, and every command under 300 MB
at 100k. The journals come from _journal.py (generator version 2 and later hold
open loops: follow-ups, decision and risk reviews, commitments and escalations,
most of them closed by `loop` records). Every run passes `--today` with the last
day of the generated journal, so the loops listed (and the output's size) are the
same on every machine and every day.

Timed and reported by bench_cli.py's own code: wall time from starting the
process to its exit, one untimed warm-up run (which also measures the peak RSS
with GNU time), then N timed runs; the median is judged against the target and
the best shown beside it, with the median CPU time; each command's peak memory
is a figure of its own, judged against 300 MB at 100k.

    python benchmarks/bench_due.py [--quick] [--runs N]
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import heading, isolated_env, pmjournal_command, run_once  # noqa: E402
from bench_cli import _measure as measure  # noqa: E402  (the same report and BENCH_RESULT lines as bench_cli)

DUE_TARGET = 1.0  # seconds, at 100k
TODAY = _journal.END.date().isoformat()  # the generated journal's last day


def _label(n: int) -> str:
    return f"{n // 1000}k"


def loops_at(n: int, runs: int, env: dict) -> None:
    meta = _journal.meta(n)
    path = _journal.journal(n)  # read-only commands run on the cached file itself
    cmd = pmjournal_command() + ["--db", str(path)]
    label = _label(n)
    big = n == 100_000
    heading(
        f"open loops at {label} records ({meta['bytes'] / 1e6:.0f} MB, {meta['entries']:,} entries, "
        f"{meta.get('loop_records', 0):,} loop records), as of {TODAY}"
    )
    listed = run_once(cmd + ["due", "--today", TODAY, "--format", "json"], env)
    if listed["returncode"] != 0:
        print(f"`pmjournal due` does not run: {listed['stderr'].decode(errors='replace').strip()}")
        return
    found = json.loads(listed["stdout"])
    overdue = sum(1 for row in found if row["state"] == "overdue")
    print(f"{len(found):,} open loops, {overdue:,} overdue")

    def table(out: str) -> str | None:
        rows = sum(1 for line in out.splitlines() if line.startswith("#") and not line.startswith("# "))
        return None if rows == len(found) else f"the table has {rows} rows, the JSON {len(found)}"

    def reminded(out: str) -> str | None:
        rows = len(out.splitlines()) - 1
        return None if rows >= overdue else f"remind printed {rows} loops, {overdue} are overdue"

    measure(
        f"cli.due.{label}",
        f"`pmjournal due` as a process, {label} records",
        cmd + ["due", "--today", TODAY],
        runs,
        env,
        DUE_TARGET if big else None,
        table,
        note=f"{len(found):,} open loops listed, {overdue:,} overdue",
        memory=True,
        n=n,
    )
    measure(
        f"cli.due_json.{label}",
        f"`pmjournal due --format json` as a process, {label} records",
        cmd + ["due", "--today", TODAY, "--format", "json"],
        runs,
        env,
        None,
        lambda out: None if len(json.loads(out)) == len(found) else "a different number of loops",
        memory=True,
        n=n,
    )
    measure(
        f"cli.remind.{label}",
        f"`pmjournal remind` as a process, {label} records",
        cmd + ["remind", "--today", TODAY],
        runs,
        env,
        None,
        reminded,
        memory=True,
        n=n,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k records only, fewer runs")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command (default 5, 3 with --quick)")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        env = isolated_env(Path(tmp) / "home")
        probe = run_once(pmjournal_command() + ["--version"], env)
        if probe["returncode"] != 0:
            print(f"pmjournal does not run: {probe['stderr'].decode(errors='replace').strip()}")
            return 1
        for n in (10_000,) if args.quick else (10_000, 100_000):
            loops_at(n, runs, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
