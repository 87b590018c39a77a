"""The trail's keys open the forms engineer's modals, and a save highlights the entry."""

import pytest
from tuihelp import SIZE, case, loaded, pilot_test, wait_for

forms = pytest.importorskip("pmjournal.tui.forms")


KEYS = [
    ("n", "KindPicker", None),
    ("d", "EntryForm", "decision"),
    ("c", "EntryForm", "change"),
    ("m", "EntryForm", "communication"),
    ("r", "EntryForm", "risk"),
    ("i", "EntryForm", "incident"),
    ("a", "AmendForm", None),
    ("x", "RetractDialog", None),
    ("e", "ExportDialog", None),
]


@pilot_test
async def test_each_key_opens_its_form(demo_db, make_app):
    """Each key pressed on the trail, in one app: escape from an untouched form returns to
    the same trail, the state the next key is pressed in (starting the app per key was
    most of this test's CPU)."""
    from pmjournal.tui.screens.trail import TrailScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        for key, screen_class, kind in KEYS:
            with case(f"{key} opens {kind or screen_class}"):
                await pilot.press(key)
                expected = getattr(forms, screen_class)
                await wait_for(pilot, lambda expected=expected: isinstance(app.screen, expected))
                if kind:
                    assert app.screen.kind == kind
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is trail)
                assert isinstance(trail, TrailScreen)


@pilot_test
async def test_a_saved_entry_is_highlighted(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        record = trail.session.journal.add("note", {"title": "Saved from a form", "occurred_at": "2026-09-01 10:00"})
        trail.entry_saved(record)
        await wait_for(pilot, lambda: trail.table.current and trail.table.current["id"] == record["id"])
        assert trail.table.current["title"] == "Saved from a form"
