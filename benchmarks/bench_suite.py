"""Where the test suite's time goes: the README's test command, run with a plugin that
records each test's CPU (its own process and the processes it started), then the wall time,
the CPU of all the workers, and the files that took the most CPU.

    python benchmarks/bench_suite.py                 # the whole suite, the 25 costliest files
    python benchmarks/bench_suite.py --files 60 -- tests/tui   # pytest arguments after --

The machine is shared and the same tree's figures move by 10-15% from one run to the next:
compare a change with the tree before it in alternating runs (docs/development.md)."""

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "suite-cpu"
TEST_COMMAND = ["-n", "4", "--dist", "worksteal"]  # README's: python3 -m pytest -n 4 --dist worksteal


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class CpuPerTest:
    """The pytest plugin (`-p bench_suite` in each xdist worker): one row per test."""

    def __init__(self):
        self.rows = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        before = _cpu()
        yield
        after = _cpu()
        self.rows.append((item.nodeid, after[0] - before[0], after[1] - before[1]))

    def pytest_sessionfinish(self, session):
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker is None:
            return
        own, children = _cpu()
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{worker}.json").write_text(json.dumps({"rows": self.rows, "own": own, "children": children}))


def pytest_configure(config):
    config.pluginmanager.register(CpuPerTest(), "bench_suite_cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=25, help="how many of the costliest test files to list")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args()
    for old in OUT.glob("*.json"):
        old.unlink()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *TEST_COMMAND, "-p", "bench_suite", "-p", "no:cacheprovider", *args.pytest_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    own_all, children_all = _cpu()
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-300:]
    rows, workers_own, workers_children = [], 0.0, 0.0
    for path in OUT.glob("gw*.json"):
        data = json.loads(path.read_text())
        rows += data["rows"]
        workers_own += data["own"]
        workers_children += data["children"]
    print(f"pytest: {summary}")
    print(f"wall {wall:.1f} s; CPU {own_all + children_all:.1f} s (pytest and everything it started)")
    print(
        f"in the workers: {workers_own:.1f} s their own, {workers_children:.1f} s of processes they started; "
        f"inside tests: {sum(r[1] for r in rows):.1f} s own, {sum(r[2] for r in rows):.1f} s started"
    )
    tui = [r for r in rows if "/tui/" in r[0]]
    print(
        f"tests/tui: {len(tui)} tests, {sum(r[1] + r[2] for r in tui):.1f} s; others: {len(rows) - len(tui)} tests, "
        f"{sum(r[1] + r[2] for r in rows) - sum(r[1] + r[2] for r in tui):.1f} s"
    )
    by_file = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for nodeid, own, started in rows:
        entry = by_file[nodeid.split("::")[0]]
        entry[0] += own
        entry[1] += started
        entry[2] += 1
    print(f"\n{'CPU s':>7} {'own':>7} {'started':>7} {'tests':>5}  file")
    for name, (own, started, count) in sorted(by_file.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[: args.files]:
        print(f"{own + started:7.1f} {own:7.1f} {started:7.1f} {count:5d}  {name}")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
