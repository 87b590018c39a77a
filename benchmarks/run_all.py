"""Run every benchmark and write docs/performance.md.

    python benchmarks/run_all.py [--quick] [--output docs/performance.md]

Each benchmark runs as its own process (bench_core, bench_cli, bench_jrnl, and
bench_tui / bench_export when they exist). Figures come from the
`BENCH_RESULT {json}` lines they print (see _common.py); a script that prints
none has its output copied into the report verbatim, and bench_export's
plain-text summary lines are also read into the table. --quick runs the 10k
journals only, with fewer repetitions: a check that everything works, not
figures to quote.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import BENCH_DIR, REPO, parse_results  # noqa: E402

SCRIPTS = ("bench_core.py", "bench_cli.py", "bench_jrnl.py", "bench_export.py", "bench_tui.py", "bench_due.py", "bench_due_view.py", "bench_sync.py", "bench_evidence.py", "bench_scale.py")
TIMEOUT = 60 * 60

# The DESIGN.md targets, in its order: (work, target as written, result key, yardstick key).
# Rows whose figures come from another author's script match by key prefix and fall back to
# "see its output below" when that script prints no BENCH_RESULT lines.
TARGET_ROWS = [
    ("`pmjournal add` as a process, 10k entries", "< 0.25 s", "cli.add.10k", "jrnl.add.10k"),
    ("`pmjournal add` as a process, 100k entries", "< 0.5 s", "cli.add.100k", None),
    ("add via the core API at 100k entries, p95", "< 20 ms", "core.add.100k", None),
    ("`export --format markdown` of 10k entries, process", "faster than jrnl", "export.markdown.10k", "export.jrnl.10k"),
    ("`list --search` on 100k entries, process", "< 1.5 s", "cli.list_search.100k", None),
    ("TUI start to first paint at 100k entries", "< 1.5 s", "tui.first_paint.100k", None),
    ("TUI filter keystroke at 100k, p95", "< 100 ms", "tui.filter.100k", None),
    ("`verify` at 100k, process", "< 2 s", "cli.verify.100k", None),
    ("`who` at 100k, process", "< 1.5 s", "cli.who.100k", None),
    ("`trace ID` at 100k, process (a chain 5 levels deep)", "< 1.5 s", "cli.trace.100k", None),
    ("`pmjournal due` at 100k records, process", "< 1 s", "cli.due.100k", None),
    ("peak memory at 100k: `list --search`", "< 300 MB", "cli.list_search.100k.memory", None),
    ("peak memory at 100k: `verify`", "< 300 MB", "cli.verify.100k.memory", None),
    ("peak memory at 100k: `who`", "< 300 MB", "cli.who.100k.memory", None),
    ("peak memory at 100k: `trace`", "< 300 MB", "cli.trace.100k.memory", None),
]


def machine_facts() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f"{int(mem.split()[1]) / 2**20:.1f} GB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "pmjournal"], cwd=REPO, capture_output=True, text=True
        ).stdout
        commit = f"{commit}{' + uncommitted changes in pmjournal/' if dirty.strip() else ''}"
    except OSError:
        commit = "unknown"
    from pmjournal import __version__

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "filesystem": _filesystem(_journal.OUT),
        "pmjournal": f"{__version__} ({commit})",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _filesystem(path: Path) -> str:
    """The mount type under `path`, because fsync on a tmpfs costs nothing."""
    try:
        path = path.resolve()
        best = ("", "unknown")
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, fstype, *_ = line.split()
            if str(path).startswith(mount) and len(mount) > len(best[0]):
                best = (mount, fstype)
        return best[1]
    except OSError:
        return "unknown"


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _busy(load: str, cores) -> str:
    """A warning when the one-minute load before the run says other work shared the CPUs."""
    try:
        one = float(load.split(" / ")[0])
    except ValueError:
        return ""
    return f"load {one:.1f} on {cores} cores" if cores and one > 0.5 * cores else ""


def script_args(path: Path, quick: bool) -> list[str]:
    """Arguments for a script written by someone else: read what it accepts."""
    if not quick:
        return []
    source = path.read_text(encoding="utf-8")
    if "--quick" in source:
        return ["--quick"]
    if "--sizes" in source:
        return ["--sizes", "10000"]
    return []


def run_script(path: Path, quick: bool) -> dict:
    argv = [sys.executable, str(path), *script_args(path, quick)]
    print(f"\n### {path.name} {' '.join(argv[2:])}", flush=True)
    start = time.perf_counter()
    lines = []
    try:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
        returncode = proc.wait(timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        lines.append(f"run_all: could not run {path.name}: {err}\n")
        returncode = -1
    text = "".join(lines)
    return {
        "name": path.name,
        "argv": " ".join(argv[1:]).replace(str(REPO) + "/", ""),
        "returncode": returncode,
        "seconds": time.perf_counter() - start,
        "output": text,
        "results": parse_results(text),
    }


_EXPORT_LINE = re.compile(
    r"^pmjournal export --format markdown, (\d+) entries: best ([\d.]+) s, median ([\d.]+) s \((\d+) runs\)"
)
_JRNL_EXPORT_LINE = re.compile(r"^jrnl --export markdown, (\d+) entries: best ([\d.]+) s, median ([\d.]+) s \((\d+) runs\)")


_TUI_SIZE = re.compile(r"^([\d,]+) entries$")
_TUI_PAINT = re.compile(r"^\s*first trail rows on screen\s+([\d.]+) s")
_TUI_KEYS = re.compile(r"^\s*filter keystroke \((\d+) keys\)\s+median ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms")


def _size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def tui_results_from_text(text: str) -> list[dict]:
    """Figures from bench_tui.py's printed summary (a block per journal size)."""
    out, n = [], None
    for line in text.splitlines():
        if m := _TUI_SIZE.match(line.strip()):
            n = int(m[1].replace(",", ""))
            continue
        if n is None:
            continue
        label, big = _size_label(n), n >= 100_000
        if m := _TUI_PAINT.match(line):
            value = float(m[1])
            r = {"key": f"tui.first_paint.{label}", "work": f"TUI start to first paint, {label} entries", "value": value}
            out.append(
                {**r, "unit": "s", "target": 1.5 if big else None, "stat": "one start", **({"pass": value < 1.5} if big else {})}
            )
        elif m := _TUI_KEYS.match(line):
            keys, median, p95, worst = int(m[1]), float(m[2]), float(m[3]), float(m[4])
            r = {"key": f"tui.filter.{label}", "work": f"TUI filter keystroke, {label} entries, p95", "value": p95}
            extra = {"pass": p95 < 100} if big else {}
            out.append(
                {
                    **r,
                    "unit": "ms",
                    "target": 100.0 if big else None,
                    "stat": f"p95 of {keys} keys",
                    "p50": median,
                    "max": worst,
                    **extra,
                }
            )
    return out


def results_from_text(name: str, text: str) -> list[dict]:
    """Figures from bench_export.py's and bench_tui.py's summary lines, for as long as they print no BENCH_RESULT."""
    if name == "bench_tui.py":
        return tui_results_from_text(text)
    if name != "bench_export.py":
        return []
    out = []
    for line in text.splitlines():
        for pattern, key, work in (
            (_EXPORT_LINE, "export.markdown", "`pmjournal export --format markdown`"),
            (_JRNL_EXPORT_LINE, "export.jrnl", "`jrnl --export markdown`"),
        ):
            m = pattern.match(line)
            if m:
                n, best, median, runs = int(m[1]), float(m[2]), float(m[3]), int(m[4])
                label = _size_label(n)
                out.append(
                    {
                        "key": f"{key}.{label}",
                        "work": f"{work}, {label} entries, process",
                        "value": median,
                        "unit": "s",
                        "target": None,
                        "stat": f"median of {runs}",
                        "best": best,
                        "median": median,
                    }
                )
    return out


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value} {unit}"


def figure(r: dict) -> str:
    if r.get("value") is None:
        return f"failed: {r.get('error', r.get('stat', ''))}".replace("|", "\\|").replace("\n", " ")[:160]
    text = fmt(r["value"], r["unit"])
    if r["unit"] == "s" and r.get("best") is not None:
        cpu = f", cpu {fmt(r['cpu_median'], 's')}" if r.get("cpu_median") is not None else ""
        text += f" (best {fmt(r['best'], 's')}{cpu})"
    if r["unit"] == "ms" and r.get("p50") is not None:
        text += f" (p50 {fmt(r['p50'], 'ms')})"
    return text


def verdict(r: dict | None, target_text: str, jrnl: dict | None) -> str:
    if r is None or r.get("value") is None:
        return "—"
    if target_text.startswith("faster than jrnl") and jrnl and jrnl.get("value"):
        return "pass" if r["value"] < jrnl["value"] else "**FAIL**"
    if "pass" in r:
        return "pass" if r["pass"] else "**FAIL**"
    return "—"


def ratio(r: dict | None, jrnl: dict | None) -> str:
    if not r or not jrnl or not r.get("value") or not jrnl.get("value"):
        return "—"
    return (
        f"{jrnl['value'] / r['value']:.1f}× faster"
        if jrnl["value"] >= r["value"]
        else f"{r['value'] / jrnl['value']:.1f}× slower"
    )


MEMORY_TARGET_MB = 300.0


def _derive_memory_rows(results: dict[str, dict]) -> None:
    """The 300 MB ceiling holds for every command at 100k: give each 100k process figure
    that reports its peak RSS a memory row, unless its script already emitted one."""
    for key, r in list(results.items()):
        rss = r.get("max_rss_mb")
        if not key.endswith(".100k") or rss is None or r.get("unit") != "s" or f"{key}.memory" in results:
            continue
        value = float(rss)
        results[f"{key}.memory"] = {
            "key": f"{key}.memory",
            "work": f"peak memory (max RSS) of {r['work']}",
            "value": value,
            "unit": "MB",
            "target": MEMORY_TARGET_MB,
            "stat": "as its script reported it",
            "pass": value < MEMORY_TARGET_MB,
        }


def report(runs: list[dict], facts: dict, quick: bool, load_before: str, load_after: str) -> str:
    results: dict[str, dict] = {}
    for run in runs:
        found = run["results"] or results_from_text(run["name"], run["output"])
        run["parsed"] = bool(run["results"])
        for r in found:
            results[r["key"]] = r
    _derive_memory_rows(results)
    sizes = {n: _journal.meta(n) for n in (1_000, 10_000, 100_000) if _journal._meta_path(n).exists()}
    out = ["# Performance", ""]
    out.append(
        "Generated by `python benchmarks/run_all.py"
        + (" --quick" if quick else "")
        + '`; do not edit by hand. The targets are DESIGN.md\'s "Performance targets".'
    )
    if quick:
        out += ["", "**Quick run (10k journals only, few repetitions): a smoke test, not figures to quote.**"]
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in facts.items()]
    out.append(f"- load average (1/5/15 min) before: {load_before}, after: {load_after}")
    busy = _busy(load_before, facts["cores"])
    if busy:
        out += [
            "",
            f"**The machine was busy when this ran ({busy}): every figure is an upper bound; re-run on a quiet machine.**",
        ]
    out += ["", "## Against the targets", ""]
    out.append("| work | target | pmjournal | jrnl (same run) | ratio | result |")
    out.append("|---|---|---|---|---|---|")
    used = set()
    for work, target_text, key, jrnl_key in TARGET_ROWS:
        r = results.get(key)
        j = results.get(jrnl_key) if jrnl_key else None
        if j is None and r is not None and r.get("jrnl") is not None:
            # A script that timed jrnl itself reports it inside its own result.
            j = {"value": r["jrnl"], "unit": r["unit"], "best": r.get("jrnl_best"), "stat": r.get("stat", "")}
        used.update(k for k in (key, jrnl_key) if k)
        if r is None:
            owner = "bench_tui.py" if key.startswith("tui.") else "bench_export.py" if key.startswith("export.") else None
            ran = owner and any(run["name"] == owner for run in runs)
            if quick and "100k" in key:
                pm = "not run (--quick)"
            else:
                pm = "see its output below" if ran else "not run"
        else:
            pm = figure(r)
        out.append(
            f"| {work} | {target_text} | {pm} | {figure(j) if j else '—'} | {ratio(r, j)} | {verdict(r, target_text, j)} |"
        )
    extra = [r for k, r in results.items() if k not in used and r.get("target") is not None]
    for r in extra:
        out.append(
            f"| {r['work']} | < {fmt(r['target'], r['unit'])} | {figure(r)} | — | — | {verdict(r, '', None)} |".replace(
                "< —", "—"
            )
        )
    out += ["", "## Other figures", "", "| work | figure | how |", "|---|---|---|"]
    for k, r in results.items():
        if k in used or r.get("target") is not None:
            continue
        how = r.get("stat", "")
        if r["unit"] == "s" and r.get("max_rss_mb"):
            how += f"; max RSS {r['max_rss_mb']:.0f} MB"
        if r.get("note"):
            how += f"; {r['note']}"
        out.append(f"| {r['work']} | {figure(r)} | {how} |")
    out += ["", "## Journals measured", ""]
    for n, meta in sizes.items():
        out.append(
            f"- {n:,} records: {meta['bytes'] / 1e6:.1f} MB ({meta['bytes_per_record']} bytes a record), "
            f"{meta['entries']:,} entries and {meta['amendments_and_retractions']:,} amendments/retractions "
            f"({meta['retracted']:,} entries retracted); `{meta['search_term']}` in {meta['search_planted']:,} entries; "
            f"trace root #{meta['trace_seq']}."
        )
    out += ["", "## Method", ""]
    out += [
        "- Journals come from `benchmarks/_journal.py` (generator version "
        f"{_journal.GENERATOR_VERSION}, fixed seed): every entry kind, 20 people (five with Chinese names) and "
        "stakeholders in every role, eight projects, tags, English and Chinese bodies, evidence, about 3 % amendments "
        "and 1 % retractions, caused_by chains, and one incident whose causes go five levels deep for `trace`. "
        "Bodies pass through `model.build_entry` and are appended with `Journal.append_raw`, so files are sealed and "
        "chained exactly as the store writes them. They are cached in benchmarks/out/ (git-ignored).",
        "- Processes: wall time from start to exit (`time.perf_counter` around `Popen` + `wait4`), one untimed warm-up "
        "run first (the journal is in the page cache, as it is for someone using it), then N timed runs; the table "
        "shows the median (judged against the target), the best, and the median CPU time (user + system, from wait4), which other work on the machine inflates far less than wall time. Commands run through the installed `pmjournal` "
        "script with --db and a private, empty config folder; output goes to a file.",
        "- Peak memory: max RSS of the command's own process, from GNU time's %M on the warm-up run (a child forked "
        "from the Python harness would inherit the harness's memory high-water mark until exec).",
        "- Every add, API or process, fsyncs the journal before returning: that is the crash-safety guarantee, "
        "so it is part of every add figure. The scratch journals sit on the same disk as the cache "
        f"({facts['filesystem']}), never on a tmpfs.",
        "- Core API adds: one `Journal` opened on a copy of the journal and not loaded (as the CLI uses it), each "
        "`Journal.add` timed alone after three warm-up adds; p50 and p95 (nearest rank). A second series links each "
        "new entry to an earlier one by #seq, which the store finds by bisecting byte offsets.",
        "- jrnl: the version installed in its own venv ($JRNL or benchmarks/out/jrnl-venv), never a project dependency; a "
        "plain-text journal of 10k entries holding the same text as the pmjournal entries (every field a person "
        "typed, folded into title and body), with its own jrnl.yaml under a private HOME/XDG_CONFIG_HOME; "
        "`jrnl <text>` timed like the pmjournal commands.",
        "- The machine's load average is printed above: figures taken while other work runs are noisy and only "
        "the best-of-N column is a fair floor.",
    ]
    out += ["", "## Benchmark runs", "", "| script | arguments | exit | took |", "|---|---|---|---|"]
    for run in runs:
        out.append(f"| {run['name']} | `{run['argv']}` | {run['returncode']} | {run['seconds']:.1f} s |")
    verbatim = [run for run in runs if not run["parsed"] or run["returncode"] != 0]
    for run in verbatim:
        out += ["", f"### Output of {run['name']}", "", "```text", run["output"].rstrip(), "```"]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k journals only, few repetitions (a smoke test)")
    parser.add_argument(
        "--output", default=str(REPO / "docs" / "performance.md"), help="report file (default docs/performance.md)"
    )
    parser.add_argument("--only", action="append", metavar="SCRIPT", help="run only this script (repeatable), e.g. bench_cli.py")
    args = parser.parse_args(argv)
    facts = machine_facts()
    load_before = _load()
    # Build (or find) the journals first, so no benchmark's figures include building them.
    for n in (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000):
        start = time.perf_counter()
        _journal.journal(n)
        print(f"journal of {n:,} records ready ({time.perf_counter() - start:.1f} s)", flush=True)
    runs = []
    for name in SCRIPTS:
        path = BENCH_DIR / name
        if args.only and name not in args.only:
            continue
        if path.exists():
            runs.append(run_script(path, args.quick))
        else:
            print(f"\n### {name}: not present, skipped", flush=True)
    text = report(runs, facts, args.quick, load_before, _load())
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"\nwrote {output}")
    return 0 if all(run["returncode"] == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
