"""The trail's keys open the forms engineer's modals, and a save highlights the entry."""

import pytest
from tuihelp import SIZE, loaded, pilot_test, wait_for

forms = pytest.importorskip("pmjournal.tui.forms")


@pytest.mark.parametrize(
    ("key", "screen_class", "kind"),
    [
        ("n", "KindPicker", None),
        ("d", "EntryForm", "decision"),
        ("c", "EntryForm", "change"),
        ("m", "EntryForm", "communication"),
        ("r", "EntryForm", "risk"),
        ("i", "EntryForm", "incident"),
        ("a", "AmendForm", None),
        ("x", "RetractDialog", None),
        ("e", "ExportDialog", None),
    ],
)
@pilot_test
async def test_key_opens_its_form(demo_db, make_app, key, screen_class, kind):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press(key)
        expected = getattr(forms, screen_class)
        await wait_for(pilot, lambda: isinstance(app.screen, expected))
        if kind:
            assert app.screen.kind == kind


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
