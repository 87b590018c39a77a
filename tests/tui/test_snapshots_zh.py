"""SVG snapshots of the main screens in Simplified Chinese, at 80x24 and at 120x40.

The same fixed demo journal as test_snapshots.py (the English ones, which stay as they
were); here the interface speaks zh_CN, so the snapshots show that wide characters keep
the trail's columns, the detail pane's labels, the People and Due tables, the Trace tree,
the help screen and the footer in line. Review the report before any --snapshot-update.
"""

import pytest
from tuihelp import at_seq, settled, wait_for

from pmjournal.core import i18n
from pmjournal.tui.screens.due import DueScreen
from pmjournal.tui.screens.help import HelpScreen
from pmjournal.tui.screens.people import PeopleScreen
from pmjournal.tui.screens.trace import TraceScreen

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def chinese():
    """The interface in zh_CN for the test, English again after it (tests/conftest.py pins English first)."""
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


@pytest.fixture(params=list(SIZES))
def size(request):
    return SIZES[request.param]


def test_trail_with_detail(snap_compare, demo_db, make_app, size):
    async def before(pilot):
        await settled(pilot)
        at_seq(pilot, 34)
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=before)


def test_people_view(snap_compare, demo_db, make_app, size):
    async def before(pilot):
        await settled(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PeopleScreen) and pilot.app.screen.ready)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=before)


def test_due_view(snap_compare, demo_db, make_app, size):
    async def before(pilot):
        await settled(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DueScreen) and pilot.app.screen.ready)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=before)


def test_trace(snap_compare, demo_db, make_app, size):
    async def before(pilot):
        await settled(pilot)
        at_seq(pilot, 57)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TraceScreen))

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=before)


def test_help(snap_compare, demo_db, make_app, size):
    async def before(pilot):
        await settled(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=before)


def test_welcome(snap_compare, db, make_app, size):
    async def before(pilot):
        await wait_for(pilot, lambda: not pilot.app.screen._loading)

    assert snap_compare(make_app(db), terminal_size=size, run_before=before)
