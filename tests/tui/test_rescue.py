"""A bug that ends the app keeps what was typed: the open form's text goes to a file
beside the journal (tui/rescue.py), and nothing else is written."""

import pytest
from tuihelp import SIZE, loaded, pilot_test, typed, wait_for

from pmjournal.core.store import Journal
from pmjournal.tui.forms import EntryForm
from pmjournal.tui.forms import fields as form_fields


def _bug_in_the_date_preview(monkeypatch):
    """A widget's own handler failing, outside any save: the date row's preview."""
    real = form_fields.describe_date

    def describe(text, *args, **kwargs):
        if "zz" in text:
            raise ZeroDivisionError("a bug in the preview")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(form_fields, "describe_date", describe)


def _rescued(db):
    return sorted(db.parent.glob(f"{db.name}.unsaved-*.txt"))


@pilot_test
async def test_a_bug_in_a_form_widget_keeps_the_typed_text_in_a_file(demo_db, make_app, monkeypatch):
    _bug_in_the_date_preview(monkeypatch)
    before = len(Journal(demo_db).records())
    app = make_app(demo_db)
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await typed(pilot, "nd", lambda: isinstance(app.screen, EntryForm))
            await typed(pilot, "Vendor [bold]x[/] 供应商 slipped{tab}", lambda: app.focused.id == "f-occurred_at")
            await pilot.press("z", "z")
            await wait_for(pilot, lambda: app.rescued is not None)
    [path] = _rescued(demo_db)
    assert app.rescued == path
    text = path.read_text(encoding="utf-8")
    assert "ZeroDivisionError: a bug in the preview" in text
    assert "Vendor [bold]x[/] 供应商 slipped" in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(Journal(demo_db).records()) == before  # nothing half-saved


@pilot_test
async def test_a_bug_with_nothing_typed_leaves_no_file(demo_db, make_app):
    app = make_app(demo_db)
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app.call_later(lambda: 1 / 0)
            await wait_for(pilot, lambda: app._exception is not None)
    assert _rescued(demo_db) == []
    assert app.rescued is None


async def new_decision_holding(app, pilot, title: str) -> None:
    """The trail loaded, then a new decision's form with `title` typed in it."""
    await loaded(pilot)
    await typed(pilot, "nd", lambda: isinstance(app.screen, EntryForm))
    await typed(pilot, title, lambda: app.focused.value == title)


@pilot_test
async def test_the_journal_replaced_under_a_form_ends_the_app_keeping_the_text(demo_db, make_app):
    """A sync client or a restore put something that is not a journal where it was: the app
    ends (it cannot read it), and the form's text went with it."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await new_decision_holding(app, pilot, "Important text I typed")
        demo_db.write_text("garbage\n")
        await wait_for(pilot, lambda: app.rescued is not None, timeout=15)
    assert app.return_code == 1
    text = app.rescued.read_text(encoding="utf-8")
    assert "is not a pmjournal journal" in text and "Important text I typed" in text


@pilot_test
async def test_ctrl_q_from_a_form_with_text_asks_first(demo_db, make_app):
    """ctrl+q quit at once from a form holding typed text, which escape asks about."""
    from pmjournal.tui.forms.confirm import ConfirmDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await new_decision_holding(app, pilot, "Half a thought")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))
        assert app.focused.value == "Half a thought" and app.is_running
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)


@pilot_test
async def test_ctrl_q_on_another_question_still_asks_to_quit(demo_db, make_app):
    """Any yes/no question on top (escape's "Drop what you typed?") made ctrl+q do nothing."""
    from pmjournal.tui.forms.confirm import ConfirmDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await new_decision_holding(app, pilot, "Half a thought")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: getattr(app.screen, "quitting", False))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)


@pilot_test
async def test_ctrl_q_after_choosing_another_export_format_just_quits(demo_db, make_app):
    """The export dialog's offered path counted as typed text, as it opened and once it followed
    another format: ctrl+q asked about nothing."""
    from pmjournal.tui.forms import ExportDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await typed(pilot, "e", lambda: isinstance(app.screen, ExportDialog))
        await pilot.press("shift+tab", "down", "enter")  # JSON: the path follows
        await wait_for(pilot, lambda: app.screen.query_one("#f-path").value.endswith(".json"))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
