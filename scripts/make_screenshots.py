"""Write the SVG screenshots in docs/screenshots/ from the demo journal.

The demo is built with a fixed reference date and time zone, and the app runs
headless at a fixed size, so the pictures change only when the app does.
Run: python scripts/make_screenshots.py
     python scripts/make_screenshots.py --lang zh_CN   # the Chinese UI, in docs/screenshots/zh/
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
REF = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SIZE = (120, 36)


async def wait_until(pilot, condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the app did not get there in time")
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def out_dir(lang: str) -> Path:
    """docs/screenshots/ for English, docs/screenshots/zh/ for zh_CN (the language without its region)."""
    return OUT if lang == "en" else OUT / lang.split("_", 1)[0]


async def shoot(db: Path, out: Path, lang: str) -> None:
    from pmjournal.core.config import Config
    from pmjournal.tui.app import build_app
    from pmjournal.tui.forms import EntryForm
    from pmjournal.tui.screens.due import DueScreen
    from pmjournal.tui.screens.people import PeopleScreen
    from pmjournal.tui.screens.trace import TraceScreen
    from pmjournal.tui.screens.trail import TrailScreen

    app = build_app(db, Config(name="Dana Whitfield", language=lang))
    async with app.run_test(size=SIZE) as pilot:

        def trail_ready():
            s = app.screen
            return isinstance(s, TrailScreen) and s.settled

        await wait_until(pilot, trail_ready)
        trail = app.screen
        app.clear_notifications()  # the overdue notice would cover the detail pane
        trail.table.move_to(next(v["id"] for v in trail.table.visible_views() if v["seq"] == 34))
        await pilot.pause(0.3)
        app.save_screenshot(str(out / "trail.svg"))

        await pilot.press("slash", *"@marcus kind:decision", "enter")
        await pilot.pause(0.5)
        app.save_screenshot(str(out / "filter.svg"))
        await pilot.press("escape")
        await pilot.pause(0.3)

        async def screen_shot(key: str, screen_class, name: str, settle: float) -> None:
            """Open a screen with `key`, save it as `name`.svg, and go back to the trail."""
            await pilot.press(key)
            await wait_until(pilot, lambda: isinstance(app.screen, screen_class) and app.screen.ready)
            await pilot.pause(settle)
            app.save_screenshot(str(out / f"{name}.svg"))
            await pilot.press("escape")
            await wait_until(pilot, trail_ready)

        await screen_shot("p", PeopleScreen, "people", 0.5)
        trail.table.move_to(next(v["id"] for v in trail.table.visible_views() if v["seq"] == 57))
        await pilot.pause(0.2)
        await screen_shot("t", TraceScreen, "trace", 0)
        await screen_shot("u", DueScreen, "due", 0.3)

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryForm))
        await pilot.press(*"Cut offline mode from v1", "tab", *"2026-11-19 15:00", "tab", *"Marcus Chen")
        await pilot.pause(0.5)
        app.save_screenshot(str(out / "form-decision.svg"))


def main(argv: list[str] | None = None) -> None:
    from pmjournal.core import i18n

    parser = argparse.ArgumentParser(description="Write the SVG screenshots of the docs from the demo journal.")
    parser.add_argument("--lang", type=i18n.check, default="en", help="the interface language: en (default) or zh_CN")
    lang = parser.parse_args(argv).lang
    i18n.set_language(lang)  # the app's strings; the demo's entries are data and stay as written
    out = out_dir(lang)
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PMJOURNAL_CONFIG_DIR"] = str(Path(tmp) / "config")  # never the user's own config
        from pmjournal.core import dates
        from pmjournal.core.demo import write_demo

        dates.now = lambda: REF  # the demo's day: which loops are overdue does not move with the calendar
        from pmjournal.core.store import Journal

        db = Path(tmp) / "demo.json"
        write_demo(Journal(db, user="Dana Whitfield"), ref=REF)
        asyncio.run(shoot(db, out, lang))
    print(f"wrote {', '.join(sorted(p.name for p in out.glob('*.svg')))} to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
