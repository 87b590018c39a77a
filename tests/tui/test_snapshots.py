"""SVG snapshots of the main screens at 120x36, on fixed data (review the report before updating)."""

from tuihelp import SIZE, at_seq, settled, typed, wait_for

from pmjournal.tui.screens.help import HelpScreen
from pmjournal.tui.screens.people import PeopleScreen
from pmjournal.tui.screens.trace import TraceScreen


def test_trail_with_detail(snap_compare, demo_db, make_app):
    async def before(pilot):
        await settled(pilot)
        at_seq(pilot, 34)
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=before)


def test_filter_active(snap_compare, demo_db, make_app):
    async def before(pilot):
        await settled(pilot)
        trail = pilot.app.screen
        await typed(
            pilot,
            "{slash}launch @marcus kind:decision{enter}",
            lambda: trail.filter_text == "launch @marcus kind:decision" and trail.table.has_focus,
        )
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=before)


def test_people_view(snap_compare, demo_db, make_app):
    async def before(pilot):
        await settled(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PeopleScreen) and pilot.app.screen.ready)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=before)


def test_trace(snap_compare, demo_db, make_app):
    async def before(pilot):
        await settled(pilot)
        at_seq(pilot, 57)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TraceScreen))

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=before)


def test_help(snap_compare, demo_db, make_app):
    async def before(pilot):
        await settled(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=before)


def test_welcome(snap_compare, db, make_app):
    async def before(pilot):
        await wait_for(pilot, lambda: not pilot.app.screen._loading)

    assert snap_compare(make_app(db), terminal_size=SIZE, run_before=before)


def test_hostile_titles(snap_compare, hostile_db, make_app):
    async def before(pilot):
        await settled(pilot)

    assert snap_compare(make_app(hostile_db), terminal_size=SIZE, run_before=before)
