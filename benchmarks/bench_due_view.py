"""The TUI's Due view at 10k and 100k records: how long `u` takes to show what is owed.

Runs the app headless (App.run_test) through the same factory `pmjournal` uses, on
the cached journals of _journal.py (open loops of every type, most closed by loop
records), with the clock set to the generated journal's last day so the loops are
the same on every machine and every day. Measured, median of 5:

- open loops ready: from the whole journal loaded to the trail's Due column and
  the overdue notice (core/loops.OpenLoops over every view, in a worker);
- `u`: from the key to the Due view mounted with its first screen of rows rendered;
- OpenLoops rebuilt after one more record (what each save costs in the worker).

Target (issue 13): the Due view at 100k opens in under 0.5 s.

    python benchmarks/bench_due_view.py [--sizes 10000,100000]
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from textual import events  # noqa: E402

from pmjournal.core import dates  # noqa: E402
from pmjournal.core.config import Config  # noqa: E402
from pmjournal.core.loops import OpenLoops  # noqa: E402
from pmjournal.core.store import Journal  # noqa: E402
from pmjournal.tui.app import build_app  # noqa: E402
from pmjournal.tui.screens.due import DueScreen  # noqa: E402

TARGET = 0.5
RUNS = 5


async def until(condition, timeout=120.0):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


async def measure(path: Path) -> dict:
    out: dict = {"open": []}
    app = build_app(path, Config(name="Bench"))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: getattr(app.screen, "snapshot", None) is not None and not app.screen.snapshot.partial)
        loaded = time.perf_counter()
        screen = app.screen
        await until(lambda: screen.open_loops is not None and screen.loops_of is screen.snapshot)
        out["ready"] = time.perf_counter() - loaded
        book = screen.open_loops
        out["loops"], out["overdue"] = len(book.loops), book.overdue
        for _ in range(RUNS):
            t = time.perf_counter()
            app._driver.send_message(events.Key("u", "u"))  # as a terminal delivers it (pilot.press also waits for idle)
            await until(lambda: isinstance(app.screen, DueScreen) and app.screen.table_widget.size.height > 0)
            table = app.screen.table_widget
            for y in range(table.scrollable_content_region.height):
                table.render_line(y)
            out["open"].append(time.perf_counter() - t)
            await pilot.press("escape")
            await until(lambda: app.screen is screen)
        # One more record: the views differ by one entry; rebuild from the previous book. Over the
        # loaded journal's folded views (PMJOURNAL_INDEX=off, scripts): the app's book reads the index.
        loaded = Journal(path, user="Bench").views
        first = OpenLoops(loaded, book.today, book.answer_days)
        views = dict(loaded)
        some = next(iter(views))
        views[some] = dict(views[some])
        t = time.perf_counter()
        OpenLoops(views, book.today, book.answer_days, previous=first)
        out["rebuild"] = time.perf_counter() - t
        t = time.perf_counter()
        OpenLoops(views, book.today, book.answer_days)
        out["full"] = time.perf_counter() - t
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    today = _journal.END
    dates.now = lambda: today if today.tzinfo else today.astimezone()  # the journal's last day, on every machine
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="pmjournal-due-view-") as folder:
            path = Path(folder) / "journal.json"
            shutil.copyfile(_journal.journal(n), path)  # the app may write its lock file beside it
            r = asyncio.run(measure(path))
        opened = statistics.median(r["open"])
        verdict = "ok" if opened < TARGET else "OVER"
        print(f"\n{n:,} records: {r['loops']:,} open loops, {r['overdue']:,} overdue (as of {today.date()})")
        print(f"  open loops ready after load   {r['ready'] * 1000:.0f} ms")
        print(
            f"  u to the Due view shown       median {opened * 1000:.0f} ms, best {min(r['open']) * 1000:.0f} ms  "
            f"(target < {TARGET * 1000:.0f} ms at 100k: {verdict})"
        )
        print(f"  loops after one more record   {r['rebuild'] * 1000:.0f} ms (from scratch {r['full'] * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
