"""Fixed data and waiting helpers for the TUI tests (imported by the tests and conftest)."""

import contextlib
import re
import time
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

REF = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SIZE = (120, 36)

HOSTILE = [
    ("decision", "[/] closing tag first", "[bold red]Ann[/]", "accepted"),
    ("risk", "[bold red]x", "<b>Bo</b>", "open"),
    ("change", "<b>bold?</b> <script>alert(1)</script>", "王小明", "approved"),
    ("incident", "发布延期：供应商接口不稳定 (CJK title that is long enough to be cut)", "李娜", "open"),
    ("note", "Plain ASCII title for alignment", "Dev Patel", None),
]


def hostile_bodies() -> list[dict]:
    bodies = []
    for n, (kind, title, owner, status) in enumerate(HOSTILE):
        body = {
            "kind": kind,
            "id": f"01JTEST{n:019d}",
            "title": title,
            "occurred_at": f"2026-10-0{n + 1}T10:00:00+08:00",
            "recorded_at": f"2026-10-0{n + 1}T02:30:00.000+00:00",
            "recorded_by": "Pat PM",
            "owner": owner,
            "approved_by": ["[i]Carla[/i]", "张伟"],
            "body": "Body with [link=x]markup[/link] and <i>html</i>.",
        }
        if status:
            body["status"] = status
        bodies.append(body)
    return bodies


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (workers post back asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
    await pilot.pause()


async def loaded(pilot) -> None:
    from pmjournal.tui.screens.trail import TrailScreen

    def ready():
        screen = pilot.app.screen
        return isinstance(screen, TrailScreen) and screen.settled

    await wait_for(pilot, ready)


async def on_a_retracted_entry(pilot) -> tuple:
    """The trail loaded with its first retracted entry highlighted: (the trail, that entry)."""
    await loaded(pilot)
    trail = pilot.app.screen
    gone = next(v for v in trail.table.visible_views() if v["retracted"])
    trail.table.move_to(gone["id"])
    await pilot.pause()
    return trail, gone


async def settled(pilot) -> None:
    """Loaded, without the toasts of the first seconds (the overdue notice would cover the
    detail pane of a snapshot)."""
    await loaded(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def at_seq(pilot, seq: int) -> None:
    """Move the trail's cursor to the entry #seq."""
    table = pilot.app.screen.table
    table.move_to(next(v["id"] for v in table.visible_views() if v["seq"] == seq))


def table_lines(table) -> list[str]:
    """The trail as the terminal shows it, one string per line."""
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def pilot_test(test):
    """Run an async test on a fresh event loop (the suite has no asyncio plugin)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def drawn(app) -> str:
    """The terminal as the app draws it now (the screens behind a dialog too), as plain text.
    Headless apps in the tests draw no frames of their own (tests/conftest.py): a test whose
    point is that something draws (a theme, user text) draws it here."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def static_text(screen, selector: str) -> str:
    """What a Static shows on screen, as plain text."""
    from textual.widgets import Static

    widget = screen.query_one(selector, Static)
    return "\n".join(strip.text for strip in widget.render_lines(widget.region.reset_offset))


_KEYS = re.compile(r"\{([^{}]+)\}|(.)", re.DOTALL)
# Named keys that carry a character, as a terminal sends them.
_NAMED_CHARACTERS = {"tab": "\t", "enter": "\r", "space": " ", "slash": "/"}


def burst(app, text: str) -> None:
    """Post every key of `text` to the app at once, without waiting between them,
    as a fast typist, a text expander or a laggy SSH link delivers them (pilot.press
    waits after each key, which hides anything that depends on timing).
    "{tab}", "{ctrl+s}", "{down}" are named keys; everything else is typed."""
    from textual import events

    for match in _KEYS.finditer(text):
        name, character = match.groups()
        if name:
            event = events.Key(name, _NAMED_CHARACTERS.get(name))
        elif character == " ":
            event = events.Key("space", " ")
        else:
            key = character if character.isalnum() else unicodedata.name(character).lower().replace(" ", "_").replace("-", "_")
            event = events.Key(key, character)
        app.post_message(event)


async def typed(pilot, keys: str, done, timeout: float = 10.0) -> None:
    """Every key of `keys` at once (burst's notation: "{slash}launch{enter}"), then wait until
    `done()` holds. For tests that check where the keys lead rather than each key's own step:
    pilot.press waits for the app to go idle after every key and the screen is drawn again
    each time, which made typing a filter or a field most of such a test's CPU. The keys
    still go through the app's queue in order, as a fast typist's do (test_bursts.py checks
    that nothing is lost or misrouted that way)."""
    burst(pilot.app, keys)
    await wait_for(pilot, done, timeout)


def palette_shows(app, text: str):
    """A condition for wait_for: the command palette is open and its first answer holds `text`
    (it searches asynchronously: enter pressed before the answer is in chooses what it showed before)."""
    from textual.command import CommandList, CommandPalette

    def check() -> bool:
        screen = app.screen
        if not isinstance(screen, CommandPalette):
            return False
        options = screen.query_one(CommandList)
        return options.option_count > 0 and text in str(options.get_option_at_index(0).prompt)

    return check


@contextlib.contextmanager
def case(name: str):
    """One of several checks made in turn in one app run (starting an app is most of a short
    test's CPU): a failure says which case it was in."""
    try:
        yield
    except BaseException as err:
        err.add_note(f"(in the case {name!r})")
        raise


async def each_case(app, pilot, cases) -> None:
    """Run `cases` (async functions of the app and the pilot, named for what they check) in turn
    in one running app; each sets up the state it reads (the row it moves to, the filter)."""
    for check in cases:
        with case(check.__name__):
            await check(app, pilot)


def slow_whole_read(monkeypatch, seconds: float) -> None:
    """The whole journal takes `seconds` longer to read (JournalSession.load), so that a large
    journal's preview is what the app shows meanwhile."""
    from pmjournal.tui.session import JournalSession

    real_load = JournalSession.load

    def slow_load(self):
        time.sleep(seconds)
        return real_load(self)

    monkeypatch.setattr(JournalSession, "load", slow_load)
