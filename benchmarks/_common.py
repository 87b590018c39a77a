"""What every benchmark script shares: timing processes, percentiles, and the result line.

A benchmark prints whatever it likes for people, plus one machine-readable line
per figure:

    BENCH_RESULT {"key": "cli.add.10k", "work": "...", "target": 0.25, "unit": "s", "value": 0.19, ...}

run_all.py collects those lines (from any script, including ones written by
someone else) into docs/performance.md. Fields: key (stable id), work (what
was measured, for the table), value (the figure judged against target), unit
("s", "ms" or "MB"), target (None when there is none), stat (how value was
taken: "median of 10", "p95 of 200"), and optionally best, median, p50, p95,
max, jrnl (the yardstick's figure in the same unit), max_rss_mb, note.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "BENCH_RESULT "
BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


def emit(key: str, work: str, value: float, unit: str, target: float | None, stat: str, **extra) -> dict:
    result = {"key": key, "work": work, "value": value, "unit": unit, "target": target, "stat": stat, **extra}
    if target is not None:
        result["pass"] = value < target
    print(PREFIX + json.dumps(result, ensure_ascii=False), flush=True)
    return result


def parse_results(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith(PREFIX):
            try:
                out.append(json.loads(line[len(PREFIX) :]))
            except json.JSONDecodeError:
                continue
    return out


def percentile(values, p: float) -> float:
    """Nearest-rank percentile: p95 of 200 samples is the 190th smallest."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


def pmjournal_command() -> list[str]:
    """The installed `pmjournal` script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("pmjournal")
    if script.exists():
        return [str(script)]
    found = shutil.which("pmjournal")
    return [found] if found else [sys.executable, "-m", "pmjournal"]


def isolated_env(home: Path) -> dict:
    """An environment whose config lives in `home`, so no benchmark reads or writes a real one."""
    env = dict(os.environ)
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    env["PMJOURNAL_CONFIG_DIR"] = str(config)
    env.pop("PMJOURNAL_DB", None)
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env.setdefault("TZ", "Asia/Shanghai")
    env["COLUMNS"] = "120"
    env["NO_COLOR"] = "1"
    # An installed pmjournal has its bytecode (pip compiles it); with this flag an
    # editable install would recompile every module on each run instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(argv: list[str], env: dict | None = None, cwd=None, stdin: bytes | None = None) -> dict:
    """Run one process; return seconds (wall, perf_counter), its own max RSS and its output.

    os.wait4 gives the rusage of this child alone (RUSAGE_CHILDREN would be the
    maximum over every child so far). Output goes to files, not pipes, so a
    large listing never blocks the child.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=inp, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "max_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
            # CPU time barely moves when other work shares the cores; wall time does.
            "cpu": usage.ru_utime + usage.ru_stime,
            "returncode": proc.returncode,
            "stdout": out.read(),
            "stderr": err.read(),
        }


GNU_TIME = "/usr/bin/time"


def peak_rss_mb(argv: list[str], env: dict | None = None, cwd=None) -> tuple[float, str, dict]:
    """(max RSS in MB, how it was measured, the run) for one run of `argv`.

    A child forked from this (Python) process inherits our memory high-water
    mark until it execs, so its own rusage reads at least our RSS (~25 MB).
    GNU time forks from a process of ~2 MB, so it reports the command's own
    peak; without it we fall back to wait4 and say so.
    """
    if os.path.exists(GNU_TIME):
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
            run = run_once([GNU_TIME, "-f", "%M", "-o", report.name, *argv], env, cwd)
            text = report.read().strip().splitlines()
        try:
            return int(text[-1]) / 1024, "GNU time %M", run
        except (IndexError, ValueError):
            pass
    run = run_once(argv, env, cwd)
    return run["max_rss_mb"], "wait4 rusage (includes this script's pre-exec memory)", run


def time_process(argv: list[str], runs: int, env: dict | None = None, cwd=None, check=True, warmup: int = 1) -> dict:
    """Best and median wall time of `runs` runs, and the peak RSS.

    The untimed warm-up runs (which fill the page cache) also measure memory,
    so the timed runs carry no wrapper process.
    """
    peaks, how = [], ""
    for _ in range(max(1, warmup)):
        peak, how, first = peak_rss_mb(argv, env, cwd)
        peaks.append(peak)
        if check and first["returncode"] != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited {first['returncode']}: {first['stderr'].decode(errors='replace')[-500:]}"
            )
    times, cpu, last = [], [], None
    for _ in range(runs):
        last = run_once(argv, env, cwd)
        if check and last["returncode"] != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {last['returncode']}: {last['stderr'].decode(errors='replace')[-500:]}")
        times.append(last["seconds"])
        cpu.append(last["cpu"])
    return {
        "best": min(times),
        "median": statistics.median(times),
        "runs": runs,
        "times": times,
        "cpu_best": min(cpu),
        "cpu_median": statistics.median(cpu),
        "max_rss_mb": max(peaks),
        "rss_method": how,
        "last": last,
    }


def fmt_seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)
