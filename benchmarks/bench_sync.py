"""Team journals: `pmjournal sync` and `add` as processes, with real git and a bare remote.

The issue's yardsticks: five authors with 2,000 records each; a sync that brings
1,000 new records takes under 2 s; `add` stays under 0.1 s as a process in a team
journal of 100k records (this author's own chain is the cached realistic 100k
journal, four colleagues hold 2,000 each).

Measured, each as a process (perf_counter around the process, median of N):
- the first sync of each author (pushing 2,000 records, taking what the others pushed);
- a sync that takes 1,000 records a colleague pushed (N rounds: the colleague adds
  1,000 and pushes, untimed; then the timed sync takes them);
- a sync with nothing new (the cost of asking the remote);
- a sync that pushes 1,000 records;
- `add` in the 100k team journal;
- the peak memory of that journal's first sync, of a sync of it with nothing new, and of a
  colleague's sync taking its 100,000 records (issue 16: no command holds the journal).

Records are realistic in size (~650 bytes: roles filled, English and Chinese text).

    python benchmarks/bench_sync.py [--runs N]
"""

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, peak_rss_mb, pmjournal_command, run_once, time_process  # noqa: E402

from pmjournal.core.store import Journal  # noqa: E402

SYNC_TARGET = 2.0  # seconds, a sync bringing 1,000 records
ADD_TARGET = 0.1  # seconds, add as a process in a 100k team journal
MEMORY_TARGET_MB = 200.0  # issue 16: any command
AUTHORS = ("Dana Whitfield", "Bob Li", "Carol Wu", "Zhang Wei 张伟", "Erin Park")
PEOPLE = ["Marcus Chen", "Priya Raman", "VP Eng", "Acme Corp", "李娜", "王小明", "Sam Ortiz"]
TEXT = (
    "Agreed in the weekly review after the vendor call; the launch plan moves with it. "
    "供应商确认了接口限额，发布计划随之调整，需要同步给销售和客服团队。 "
)


def records(rng: random.Random, journal: Journal, n: int) -> None:
    bodies = []
    for i in range(n):
        kind = rng.choice(["decision", "change", "risk", "communication", "note"])
        body = {
            "kind": kind,
            "title": f"{kind} {i}: {rng.choice(['pricing', 'launch', '上线', 'SSO', 'vendor'])} {rng.randrange(10**6)}",
            "occurred_at": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00+08:00",
            "owner": rng.choice(PEOPLE),
            "approved_by": rng.sample(PEOPLE, 2),
            "informed": rng.sample(PEOPLE, 2),
            "project": rng.choice(["apollo", "checkout-v2", "增长"]),
            "tags": ["q4", rng.choice(["launch", "需求"])],
            "body": TEXT * rng.randint(1, 3),
        }
        bodies.append(journal._stamp(body))
    for at in range(0, n, 500):
        journal.append_raw(bodies[at : at + 500])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("git") is None:
        print("git is not on PATH: nothing measured")
        return
    rng = random.Random(7)
    root = Path(tempfile.mkdtemp(prefix="bench-sync-", dir=_journal.scratch_dir()))
    try:
        env = isolated_env(root / "home")
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        paths = {}
        for name in AUTHORS:
            handle = name.split()[0].lower()
            path = root / handle / "journal.json"
            path.parent.mkdir(parents=True)
            records(rng, Journal(path, user=name), 2000)
            paths[handle] = path
        cmd = pmjournal_command()

        def sync(handle: str, first: bool = False) -> dict:
            argv = cmd + ["--db", str(paths[handle]), "sync"] + ([str(remote), "--as", handle] if first else [])
            run = run_once(argv, env)
            if run["returncode"] != 0:
                raise SystemExit(f"sync failed: {run['stderr'].decode(errors='replace')}")
            return run

        heading("five authors x 2,000 records, one bare remote")
        firsts = [sync(h, first=True)["seconds"] for h in paths]
        print(f"first syncs (each pushes 2,000 and takes what is there): {', '.join(fmt_seconds(s) for s in firsts)}")
        round_two = [sync(h)["seconds"] for h in paths]
        print(f"second round (each takes the rest, up to 8,000): {', '.join(fmt_seconds(s) for s in round_two)}")
        idle = [sync("bob")["seconds"] for _ in range(args.runs)]
        print(f"a sync with nothing new: median {fmt_seconds(statistics.median(idle))}")
        emit("sync.idle", "`pmjournal sync` with nothing new, 5 x 2,000 records", statistics.median(idle), "s", None, "median")

        pushes, takes = [], []
        dana = Journal(paths["dana"], user=AUTHORS[0])
        for _ in range(args.runs):
            records(rng, dana, 1000)
            pushes.append(sync("dana")["seconds"])
            takes.append(sync("bob")["seconds"])
        total = sum(1 for _ in open(paths["bob"].with_name("journal.json.team") / "chains" / "dana.json")) - 1
        print(f"a sync pushing 1,000 records: median {fmt_seconds(statistics.median(pushes))} (best {fmt_seconds(min(pushes))})")
        print(
            f"a sync taking 1,000 records: median {fmt_seconds(statistics.median(takes))} (best {fmt_seconds(min(takes))}); "
            f"dana's chain now {total:,} records"
        )
        emit("sync.push1000", "`pmjournal sync` pushing 1,000 new records", statistics.median(pushes), "s", SYNC_TARGET, "median")
        emit("sync.take1000", "`pmjournal sync` taking 1,000 new records", statistics.median(takes), "s", SYNC_TARGET, "median")

        heading("add in a team journal of 100k records")
        big = root / "big" / "journal.json"
        big.parent.mkdir()
        shutil.copyfile(_journal.journal(100_000), big)
        peak, _how, first = peak_rss_mb(cmd + ["--db", str(big), "sync", str(remote), "--as", "big"], env)
        if first["returncode"] != 0:
            raise SystemExit(f"sync failed: {first['stderr'].decode(errors='replace')}")
        held = (
            sum(1 for _ in open(big))
            - 1
            + sum(sum(1 for _ in open(p)) - 1 for p in (big.with_name("journal.json.team") / "chains").glob("*.json"))
        )
        print(
            f"first sync of a 100k journal into the team (pushes 100,000): {fmt_seconds(first['seconds'])}, "
            f"peak {peak:.0f} MB; it now holds {held:,} records"
        )
        emit("sync.join100k", "first `pmjournal sync` of a 100k-record journal", first["seconds"], "s", None, "once")
        emit(
            "sync.join100k.rss",
            "peak memory of the first `pmjournal sync` of a 100k-record journal",
            round(peak, 1),
            "MB",
            MEMORY_TARGET_MB,
            "max RSS (GNU time)",
        )
        # Issue 16: no command holds the whole journal, sync included (team/chainfile.py).
        peak, _how, again = peak_rss_mb(cmd + ["--db", str(big), "sync"], env)
        print(f"a sync of it with nothing new: {fmt_seconds(again['seconds'])}, peak {peak:.0f} MB")
        emit(
            "sync.idle100k.rss",
            "peak memory of a `pmjournal sync` with nothing new, 100k-record journal",
            round(peak, 1),
            "MB",
            MEMORY_TARGET_MB,
            "max RSS (GNU time)",
        )
        peak, _how, taken = peak_rss_mb(cmd + ["--db", str(paths["bob"]), "sync"], env)
        print(f"a colleague's sync taking those 100,000 records: {fmt_seconds(taken['seconds'])}, peak {peak:.0f} MB")
        emit(
            "sync.take100k.rss",
            "peak memory of a colleague's `pmjournal sync` taking 100,000 records",
            round(peak, 1),
            "MB",
            MEMORY_TARGET_MB,
            "max RSS (GNU time)",
        )
        add = time_process(cmd + ["--db", str(big), "add", "note", "Team stand-up", "--body", "短会"], args.runs, env)
        print(f"add: median {fmt_seconds(add['median'])}, best {fmt_seconds(add['best'])}, peak {add['max_rss_mb']:.0f} MB")
        emit("team.add100k", f"`pmjournal add` in a team journal of {held:,} records", add["median"], "s", ADD_TARGET, "median")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
