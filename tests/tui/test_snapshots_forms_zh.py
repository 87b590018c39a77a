"""SVG snapshots of the forms in Simplified Chinese at 80x24, the smallest terminal we
promise: labels, hints and the date read back in Chinese take two cells a character
and must not be clipped (review the report before updating)."""

from datetime import date
from pathlib import Path

import pytest
from test_forms import FormsApp, clock, snapshot_journal, steady_cursor

from pmjournal.core import i18n
from pmjournal.core.query import Filter
from pmjournal.tui.forms import EntryForm, ExportDialog
from pmjournal.tui.session import JournalSession

SMALL = (80, 24)

EXPORTS = Path("/srv/exports")  # shown in the export dialog: fixed, unlike a tmp_path


@pytest.fixture(autouse=True)
def zh():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("kind", ["decision", "incident"])
def test_entry_form_zh(kind, db, snap_compare):
    app = FormsApp(lambda: EntryForm(JournalSession(snapshot_journal(db)), kind, clock=clock))
    assert snap_compare(app, terminal_size=SMALL, run_before=steady_cursor)


def test_entry_form_errors_zh(db, snap_compare):
    """Saved empty: the errors beside the fields, in Chinese."""
    app = FormsApp(lambda: EntryForm(JournalSession(snapshot_journal(db)), "decision", clock=clock))

    async def save_empty(pilot):
        await pilot.press("ctrl+s")
        await steady_cursor(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=save_empty)


def test_export_dialog_zh(db, tmp_path, snap_compare):
    app = FormsApp(
        lambda: ExportDialog(
            JournalSession(snapshot_journal(db)), Filter(kinds=("decision",)), today=date(2026, 11, 25), directory=EXPORTS
        )
    )
    assert snap_compare(app, terminal_size=SMALL, run_before=steady_cursor)
