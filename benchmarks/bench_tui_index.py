"""The TUI paged from the index (issue 16) at 100k and 1M entries: first paint, a filter's
result, the end of the trail, a jump, and the peak RSS of the process.

    python benchmarks/bench_tui_index.py [--sizes 100000,1000000] [--runs 3] [--dir /tmp/pmjournal-tui-index]

Uses the cached journals benchmarks/out/journal-v3-<n>.jsonl (journal_builder's, never
rebuilt here), copied into --dir first, since the index is written beside the journal.
Building the index of a copy the first time is measured on its own (`index built`); each
run is then a fresh process, headless through App.run_test, over an index that is up to
date, timed from the process's first line (importing pmjournal and Textual included, the
interpreter's own start not). --loaded measures the same with PMJOURNAL_INDEX=off. Figures are
medians of --runs. Targets: first paint < 1 s and a filter < 0.5 s at 100k, < 1 s / < 1 s
at 1M; peak RSS < 200 MB at 1M; G and a jump instant.

Measured 2026-12-02 05:22 UTC, the final code (medians of 3, 2 cores, load 3-4 from other
work; a run at 05:09 under load ~3 was up to a third faster at 1M):
100k (80,689 entries): first paint 0.56 s, filters 5-80 ms, G 5 ms, jump 3 ms, People
0.25 s (kind:decision 0.49 s), Due 0.25 s, peak RSS 70 MB (the journal loaded whole,
--loaded at 04:34 UTC under load 7: first paint 0.60 s from the file's tail, the whole
journal 3.2 s, 368 MB). 1M (806,538 entries): first paint 0.55 s, whole order 1.0 s, open
loops counted 2.1 s, filters 40-793 ms (launch 793, launch api 350, #q4 project:apollo 340,
kind:decision 234), G 5 ms, jump 4 ms, People 0.32 s (kind:decision 3.0 s), Due 0.17 s,
peak RSS 120 MB. The 1M index's first build: 500-560 s on the loaded machine (load ~9),
in a child process the app ends on quit; the TUI's own two indexes on a CLI-built one: 1.1 s
(25.7 s with the file out of the page cache).
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
FILTERS = ("kind:decision", "launch", "@ann", "#q4 project:apollo", "since:2024-01-01 until:2024-02-01", "launch api")


async def _until(condition, timeout=600.0):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


def _paint(table) -> None:
    for y in range(table.scrollable_content_region.height):
        table.render_line(y)  # the paint work the next refresh does


async def _measure(path: Path, start: float) -> dict:
    from pmjournal.core.config import Config
    from pmjournal.tui.app import build_app

    out: dict = {}
    app = build_app(path, Config(name="Bench"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: getattr(app.screen, "table", None) is not None and app.screen.table.hits)
        _paint(app.screen.table)
        out["first_paint"] = time.perf_counter() - start
        screen = app.screen
        await _until(lambda: not screen._loading and not screen.snapshot.partial)
        out["whole_order"] = time.perf_counter() - start
        await _until(lambda: screen.settled)
        out["loops_counted"] = time.perf_counter() - start
        out["paged"] = screen.snapshot.paged is not None
        out["rows"] = len(screen.snapshot.index)
        table = screen.table
        for query in FILTERS:
            screen.snapshot.index._recent.clear()
            t = time.perf_counter()
            screen.apply_filter(query)
            await _until(lambda: not screen._filtering)  # from 200k entries a search runs in a worker
            _paint(table)
            out[f"filter {query}"] = time.perf_counter() - t
            out[f"hits {query}"] = len(table.hits)
        screen.apply_filter("")
        t = time.perf_counter()
        table.action_jump_to(-1)  # G
        _paint(table)
        out["G (end)"] = time.perf_counter() - t
        oldest = table.current["id"]
        t = time.perf_counter()
        table.action_jump_to(0)  # g
        _paint(table)
        out["g (top)"] = time.perf_counter() - t
        t = time.perf_counter()
        screen.jump_to(oldest)
        _paint(table)
        out["jump to the oldest"] = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(30):
            table.action_page(1)
            _paint(table)
        out["pagedown (one)"] = (time.perf_counter() - t) / 30
        # The People view (p) of every entry and of a filter, and the Due view (u): key to screen.
        from pmjournal.tui.screens.due import DueScreen
        from pmjournal.tui.screens.people import PeopleScreen

        for query in ("", "kind:decision"):
            screen.apply_filter(query)
            await _until(lambda: not screen._filtering)
            t = time.perf_counter()
            await pilot.press("p")
            await _until(lambda: isinstance(app.screen, PeopleScreen))
            out[f"people view {query or '(all)'}"] = time.perf_counter() - t
            await pilot.press("escape")
            await _until(lambda: app.screen is screen)
        t = time.perf_counter()
        await pilot.press("u")
        await _until(lambda: isinstance(app.screen, DueScreen))
        out["due view"] = time.perf_counter() - t
        await pilot.press("escape")
        await pilot.pause()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(path: str) -> None:
    start = time.perf_counter()
    print(json.dumps(asyncio.run(_measure(Path(path), start))))


def build_index(path: Path) -> float:
    code = (
        "import sys, time; from pathlib import Path; from pmjournal.core.store import Journal; "
        "from pmjournal.core.index import open_index; t = time.perf_counter(); "
        "r = open_index(Journal(Path(sys.argv[1]), user='bench')); "
        "from pmjournal.core.index.paging import ensure_filter_index; ensure_filter_index(r.db); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/pmjournal-tui-index")
    ap.add_argument("--child", default=None)
    ap.add_argument("--loaded", action="store_true", help="PMJOURNAL_INDEX=off: the journal loaded whole, to compare")
    args = ap.parse_args()
    if args.loaded:
        os.environ["PMJOURNAL_INDEX"] = "off"
    if args.child:
        child(args.child)
        return 0
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",")):
        cached = OUT / f"journal-v3-{n}.jsonl"
        if not cached.exists():
            print(f"{cached} is missing: run the other benchmarks first (journal_builder)", file=sys.stderr)
            return 1
        path = folder / cached.name
        if not path.exists() or path.stat().st_size != cached.stat().st_size:
            shutil.copyfile(cached, path)
        if args.loaded:
            print(f"\n{n:,} entries, PMJOURNAL_INDEX=off (loaded whole)")
        else:
            secs = build_index(path)
            print(f"\n{n:,} entries: index built or caught up in {secs:.1f} s (the first time: the whole journal)")
        runs = []
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  paged from the index: {runs[0]['paged']}, {runs[0]['rows']:,} entries")
        for key in runs[0]:
            if key in ("paged", "rows") or key.startswith("hits ") or key.endswith("_mb") and key != "peak_rss_mb":
                continue
            values = [r[key] for r in runs]
            med = statistics.median(values)
            if key == "peak_rss_mb":
                print(f"  {'peak RSS':34} {med:7.0f} MB   (runs: {', '.join(f'{v:.0f}' for v in values)})")
            else:
                hits = f"  ({runs[0]['hits ' + key[7:]]:,} hits)" if key.startswith("filter ") else ""
                print(f"  {key:34} {med * 1000:7.0f} ms   (runs: {', '.join(f'{v * 1000:.0f}' for v in values)}){hits}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
