"""A paste of several lines into a one-line field never loses text silently.

Textual's Input keeps a paste's first line only. The title keeps its first line
and moves the rest into Body, saying so beside the title; list fields join the
lines; every other one-line field refuses the paste and says why beside it.
Pastes are posted to the app, as the terminal driver does.
"""

import pytest
from test_forms import SIZE, UNSET, FormsApp, clock, error_of, field, new_form, seed_people
from textual import events
from textual.widgets import Label
from tuihelp import burst, case, pilot_test, wait_for

from pmjournal.core.query import Filter
from pmjournal.tui.forms import AmendForm, ExportDialog, RetractDialog
from pmjournal.tui.session import JournalSession

REPORT = "Vendor API unstable\nThe sandbox timed out twice on Monday.\n\nWe asked for a fix by Friday.\n"


async def paste_into(app, pilot, field_id: str, text: str) -> None:
    field(app.screen, field_id).focus()
    await pilot.pause()
    app.post_message(events.Paste(text))
    await pilot.pause()


def note_of(screen, name: str) -> str:
    return " ".join(str(label.content) for label in screen.query(f"#row-{name} .pm-note").results(Label))


@pilot_test
async def test_the_title_keeps_the_first_line_and_body_gets_the_rest(journal):
    """The rest follows what Body holds, then (both fields emptied again) goes into an empty
    Body and is saved: two cases in one note form."""
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        with case("Body holds text already"):
            app.screen.row("body").set_raw("Typed first.")
            await paste_into(app, pilot, "title", "Title\nmore")
            assert field(app.screen, "title").value == "Title"
            assert field(app.screen, "body").text == "Typed first.\nmore"
        app.screen.row("title").set_raw("")
        app.screen.row("body").set_raw("")
        await pilot.pause()
        await paste_into(app, pilot, "title", REPORT)
        screen = app.screen
        assert field(screen, "title").value == "Vendor API unstable"
        assert field(screen, "body").text == "The sandbox timed out twice on Monday.\n\nWe asked for a fix by Friday."
        assert "3 lines went into Body" in note_of(screen, "title")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.result is not UNSET)
    assert app.result["title"] == "Vendor API unstable"
    assert app.result["body"] == "The sandbox timed out twice on Monday.\n\nWe asked for a fix by Friday."


@pilot_test
async def test_a_title_paste_then_ctrl_s_at_once_saves_both_parts(journal):
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("Outage\nDB failover took 40 minutes"))
        burst(app, "{ctrl+s}")
        await wait_for(pilot, lambda: app.result is not UNSET)
    assert (app.result["title"], app.result["body"]) == ("Outage", "DB failover took 40 minutes")


LIST_PASTES = [
    ("approved_by", "Ann Lee\n  Bob Li \n\nCarol\n", "Ann Lee, Bob Li, Carol"),
    ("tags", "launch\nvendor\n", "launch vendor"),
    ("link-caused_by", "#1\n#2", "#1, #2"),
]
# Field, and the row its error shows in.
REFUSING = [("owner", "owner"), ("occurred_at", "occurred_at"), ("project", "project")]


@pilot_test
async def test_one_line_is_pasted_list_fields_take_the_lines_as_items_and_other_one_line_fields_refuse(journal):
    """Each field pasted into in turn in one decision form: a paste touches only its own
    field and row (opening a form per case was most of this test's CPU)."""
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        with case("one line with blank lines around it is pasted"):
            await paste_into(app, pilot, "owner", "\n  Ann Lee \n\n")
            assert field(app.screen, "owner").value == "Ann Lee"
            assert error_of(app.screen, "owner") == ""
        for name, text, value in LIST_PASTES:
            with case(f"a list paste into {name}"):
                await paste_into(app, pilot, name, text)
                assert field(app.screen, name).value == value
        for name, row in REFUSING:
            with case(f"a refused paste into {name}"):
                before = field(app.screen, name).value
                await paste_into(app, pilot, name, "Ann Lee\nBob Li\n")
                assert field(app.screen, name).value == before
                assert error_of(app.screen, row) == "one line only: nothing was pasted (the paste had 2 lines)"


@pilot_test
async def test_amend_reason_and_impact_refuse_too(journal):
    entry = journal.add("change", {"title": "Add SSO", "owner": "Ann"})
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await paste_into(app, pilot, "reason", "because\nreasons")
        assert field(app.screen, "reason").value == ""
        assert "nothing was pasted" in error_of(app.screen, "reason")
        await paste_into(app, pilot, "impact-scope", "a\nb")
        assert field(app.screen, "impact-scope").value == ""
        assert "nothing was pasted" in error_of(app.screen, "impact")


@pytest.mark.parametrize("dialog", ["retract", "export"])
@pilot_test
async def test_dialogs_refuse_and_say_so(journal, tmp_path, dialog):
    entry = seed_people(journal)
    if dialog == "retract":
        app = FormsApp(lambda: RetractDialog(JournalSession(journal), entry["id"]))
    else:
        app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), directory=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.screen.focused.value
        app.post_message(events.Paste("first line\nsecond line"))
        await pilot.pause()
        assert app.screen.focused.value == before
        error = app.screen.query_one("#error", Label)
        assert error.display and "nothing was pasted" in str(error.content)


@pilot_test
async def test_a_title_paste_after_a_word_keeps_its_leading_space(journal):
    """A paste of ' extra line one\\nsecond line' at the end of a title ending in an emoji gave
    "…😀extra line one": the leading space, which keeps the two words apart, was stripped (a
    helper's tmux trial)."""
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.row("title").set_raw("Ship it 😀")
        await pilot.pause()
        field(app.screen, "title").action_end()
        await paste_into(app, pilot, "title", " extra line one\nsecond line")
        assert field(app.screen, "title").value == "Ship it 😀 extra line one"
        assert field(app.screen, "body").text == "second line"
