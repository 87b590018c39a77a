"""TUI figures at 10k and 100k entries: first paint of the trail, and filter keystrokes.

Runs the app headless (App.run_test) through the same factory `pmjournal` uses.
    python benchmarks/bench_tui.py [--sizes 10000,100000] [--dir /tmp/bench]
Targets (docs DESIGN): first paint < 1.5 s at 100k, a filter keystroke < 100 ms: from the key to
the trail showing the filter's rows (on a large journal, the top of its answer, found among the
newest entries while the whole search runs in a worker); the time to the whole answer is shown
beside it.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from journal_builder import build  # noqa: E402
from textual import events  # noqa: E402

from pmjournal.core.config import Config  # noqa: E402
from pmjournal.tui.app import build_app  # noqa: E402
from pmjournal.tui.screens import trail  # noqa: E402

TYPED = ["launch", " api", " @ann", " kind:dec", " zzz"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def until(pilot, condition, timeout=60.0):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.005)


def _shown(screen, expected: str) -> bool:
    """The trail shows rows of the filter `expected`: its whole answer, or the top of it while a
    large journal's search runs in a worker (TrailScreen.shown_text; a search whose top holds
    nothing shows its answer when the worker has it)."""
    return screen.filter_text == expected and (not screen._filtering or screen.shown_text == expected)


async def keystroke(app, screen, key: str, char: str | None, expected: str) -> float:
    """From the key event entering the app to the trail holding the new rows and painting them;
    then (not timed here) until the search has its whole answer, as a typist's next key would
    find it. The whole answer's time is kept in WHOLE."""
    t = time.perf_counter()
    app._driver.send_message(events.Key(key, char))
    while not _shown(screen, expected):
        await asyncio.sleep(0)
    table = screen.table
    for y in range(table.scrollable_content_region.height):
        table.render_line(y)  # the paint work the next refresh does
    first = time.perf_counter() - t
    while screen._filtering:
        await asyncio.sleep(0.002)  # not a busy loop: it would take the worker's turns at the GIL
    WHOLE.append(time.perf_counter() - t)
    return first


WHOLE: list[float] = []


async def scroll(app, screen) -> list[float]:
    """pagedown x30 then down x30 on the trail: key event to the new rows painted."""
    table, times = screen.table, []
    for key in ["pagedown"] * 30 + ["down"] * 30:
        before = table.cursor
        t = time.perf_counter()
        app._driver.send_message(events.Key(key, None))
        while table.cursor == before:
            await asyncio.sleep(0)
        for y in range(table.scrollable_content_region.height):
            table.render_line(y)
        times.append(time.perf_counter() - t)
    return times


async def type_and_erase(app, screen, fresh: bool = False) -> list[float]:
    """Type each of TYPED, then backspace it away; `fresh` forgets earlier answers before every key."""
    times = []
    for text in TYPED:
        for ch in text:
            if fresh:
                screen.snapshot.index._recent.clear()
            key = "space" if ch == " " else ch
            times.append(await keystroke(app, screen, key, ch, screen.filter_text + ch))
        for _ in text:
            if fresh:
                screen.snapshot.index._recent.clear()
            times.append(await keystroke(app, screen, "backspace", None, screen.filter_text[:-1]))
    return times


async def measure(path: Path) -> dict:
    out = {}
    start = time.perf_counter()
    app = build_app(path, Config(name="Bench"))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "table", None) is not None and app.screen.table.hits)
        await pilot.pause()
        out["first_rows"] = time.perf_counter() - start
        screen = app.screen
        await until(pilot, lambda: not screen._loading and not screen.snapshot.partial)
        await pilot.pause()
        out["full_load"] = time.perf_counter() - start
        await until(pilot, lambda: screen.snapshot.index.warmed)
        out["caches_warm"] = time.perf_counter() - start
        out["scroll"] = await scroll(app, screen)
        await pilot.press("slash")
        await pilot.pause()
        WHOLE.clear()
        out["keystrokes"] = await type_and_erase(app, screen)
        out["whole"] = list(WHOLE)
        out["keystrokes_cold"] = await type_and_erase(app, screen, fresh=True)
        # The filter work alone (no key dispatch or repaint), for the worst queries: to the whole
        # answer (in a worker from trail.BACKGROUND_ROWS entries).
        work = {}
        for query in ("l", "launch api", "@ann", "#q4 project:apollo", "since:2024-01-01 until:2024-02-01"):
            t = time.perf_counter()
            screen.snapshot.index._recent.clear()
            screen.apply_filter(query)
            while screen._filtering:
                await asyncio.sleep(0.002)
            work[query] = time.perf_counter() - t
        out["filter_work"] = work
        out["rows"] = len(screen.snapshot.index)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="pmjournal-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",")):
        path = folder / f"tui-{n}.json"
        if not path.exists():
            t = time.perf_counter()
            build(path, n)
            print(f"built {n:,} entries in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        r = asyncio.run(measure(path))
        keys, cold = r["keystrokes"], r["keystrokes_cold"]
        print(f"\n{r['rows']:,} entries")
        print(f"  first trail rows on screen   {r['first_rows']:.2f} s   (target < 1.5 s at 100k)")
        print(f"  whole journal loaded         {r['full_load']:.2f} s")
        print(f"  filter caches warm           {r['caches_warm']:.2f} s")
        print(
            f"  filter keystroke ({len(keys)} keys)  median {statistics.median(keys) * 1000:.0f} ms, "
            f"p95 {pct(keys, 95) * 1000:.0f} ms, max {max(keys) * 1000:.0f} ms   (target < 100 ms)"
        )
        whole = r["whole"]
        print(
            f"  ... until the whole answer   median {statistics.median(whole) * 1000:.0f} ms, "
            f"p95 {pct(whole, 95) * 1000:.0f} ms, max {max(whole) * 1000:.0f} ms   (from {trail.BACKGROUND_ROWS:,} entries"
            " a search runs in a worker: the keys typed meanwhile are not held up)"
        )
        print(
            f"  ... without remembered answers  median {statistics.median(cold) * 1000:.0f} ms, "
            f"p95 {pct(cold, 95) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms"
        )
        print(
            f"  scroll key (pagedown/down)   median {statistics.median(r['scroll']) * 1000:.0f} ms, p95 {pct(r['scroll'], 95) * 1000:.0f} ms"
        )
        for query, secs in r["filter_work"].items():
            print(f"  filter from scratch {query!r:40} {secs * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
