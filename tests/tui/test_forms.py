"""The modal forms, driven by keys through Pilot on a tiny app that holds a Journal.

Each test pushes one screen and reads what it dismissed with, what the journal
recorded and what the screen shows; snapshots pin the layout at 120x40.
"""

import asyncio
import functools
import json
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from dateutil import tz
from textual import events
from textual.app import App
from textual.widgets import Input, Label, Select
from tuihelp import burst, case, drawn, wait_for

from pmjournal.core import config, dates
from pmjournal.core.errors import PmjournalError, StoreError
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.tui import forms
from pmjournal.tui.forms import AmendForm, EntryForm, ExportDialog, FirstRunDialog, KindPicker, RetractDialog
from pmjournal.tui.forms.confirm import ConfirmDialog
from pmjournal.tui.forms.fields import FieldRow
from pmjournal.tui.forms.links import LinkMatches
from pmjournal.tui.session import JournalSession

SIZE = (120, 40)
FORMS_CSS = Path(forms.__file__).with_name("forms.tcss")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=tz.gettz("Asia/Shanghai"))
UNSET = object()

EXPORTS = Path("/srv/exports")  # shown in the export dialog: fixed, unlike a tmp_path


def pilot_test(test):
    """Run an async Pilot test without an async pytest plugin."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def clock():
    return NOW


async def finished(pilot, app) -> None:
    """Wait until the form has dismissed: saves run in a worker thread, so one pause
    is not enough on a busy machine."""
    await wait_for(pilot, lambda: app.result is not UNSET)


class FormsApp(App):
    """Pushes one screen at start and keeps what it dismissed with. Reads the forms' CSS at
    start, as the app does (PmjournalApp.CSS_PATH), so a form opens here as it does there."""

    CSS_PATH = FORMS_CSS

    def __init__(self, make_screen):
        super().__init__()
        self.make_screen = make_screen
        self.result = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.finished)

    def finished(self, result) -> None:
        self.result = result


def new_form(journal, kind, when="yesterday 15:00"):
    return FormsApp(lambda: EntryForm(JournalSession(journal), kind, when=when, clock=clock))


async def type_text(pilot, text: str) -> None:
    """Type `text` as one burst of keys (as a fast typist or a text expander sends them),
    then wait for the app to settle once: pilot.press waits for idle after every key,
    which made typing the slowest part of these tests and hid nothing they check (the
    burst tests in test_bursts.py check keys arriving faster than the UI)."""
    for ch in text:
        if ch == " ":
            event = events.Key("space", " ")
        elif ch.isalnum():
            event = events.Key(ch, ch)
        else:
            event = events.Key(unicodedata.name(ch).lower().replace(" ", "_").replace("-", "_"), ch)
        pilot.app.post_message(event)
    await pilot.pause()


def seed_people(journal) -> dict:
    return journal.add(
        "decision",
        {
            "title": "Ship v2 on Friday",
            "occurred_at": "2026-11-20 10:00",
            "owner": "Alice Wong",
            "approved_by": ["Bob Li", "Bobby Tan"],
            "informed": "Carol",
        },
    )


def error_of(screen, name: str) -> str:
    """The error shown under a field ("" when none: the line is mounted with the first error)."""
    shown = screen.query(f"#row-{name} .pm-error").results(Label)
    return " ".join(str(label.content) for label in shown if label.display)


def form_error(screen) -> str:
    label = screen.query_one("#form-error", Label)
    return str(label.content) if label.display else ""


def lit_labels(screen) -> list[str]:
    """The fields whose label is lit (bold, in the accent colour) as the one being edited."""
    return [row.field.name for row in screen.query(FieldRow) if row.query_one(".pm-label", Label).styles.text_style.bold]


def field(screen, name: str):
    return screen.query_one(f"#f-{name}")


# -- kind picker ----------------------------------------------------------


@pytest.mark.parametrize(("keys", "kind"), [(["r"], "risk"), (["m"], "communication"), (["down", "enter"], "change")])
@pilot_test
async def test_kind_picker_picks_by_key_or_arrows(keys, kind):
    app = FormsApp(KindPicker)
    async with app.run_test() as pilot:
        await pilot.press(*keys)
        await finished(pilot, app)
    assert app.result == kind


@pilot_test
async def test_kind_picker_escape_gives_none():
    app = FormsApp(KindPicker)
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.result is None


# -- new entries ----------------------------------------------------------


@pilot_test
async def test_decision_by_keyboard_end_to_end(journal):
    seed_people(journal)
    app = new_form(journal, "decision", when="")
    async with app.run_test(size=SIZE) as pilot:
        assert lit_labels(app.screen) == ["title"]
        await type_text(pilot, "Use Postgres for billing")
        await pilot.press("tab")
        assert lit_labels(app.screen) == ["occurred_at"]  # the lit label follows the focus
        await type_text(pilot, "yesterday 15:00")
        await pilot.press("tab")
        await type_text(pilot, "al")
        await pilot.press("right", "tab", "tab")  # accept "Alice Wong", skip requested by
        await type_text(pilot, "Bob Li, Dana")
        await pilot.press("tab", "tab", "tab")  # skip consulted and informed: on status now
        assert isinstance(app.screen.focused, Select)
        assert lit_labels(app.screen) == ["status"]
        await pilot.press("tab")
        await type_text(pilot, "Postgres")
        await pilot.press("enter")
        await type_text(pilot, "MySQL")
        await pilot.press("tab")
        await type_text(pilot, "Team knows it")
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    record = app.result
    assert record["kind"] == "decision"
    assert record["title"] == "Use Postgres for billing"
    assert record["occurred_at"] == "2026-11-24T15:00:00+08:00"
    assert record["owner"] == "Alice Wong"
    assert record["approved_by"] == ["Bob Li", "Dana"]
    assert record["status"] == "accepted"
    assert record["options"] == ["Postgres", "MySQL"]
    assert record["rationale"] == "Team knows it"
    assert record["recorded_by"] == "Pat PM"
    assert journal.get(f"#{record['seq']}")["title"] == "Use Postgres for billing"


async def fill(app, pilot, values: dict) -> None:
    """Set widgets directly (typing every field of every kind would only slow the suite)."""
    screen = app.screen
    for name, raw in values.items():
        screen.query_one(f"#row-{name}").set_raw(raw)
    await pilot.pause()


KIND_CASES = {
    "change": (
        {
            "title": "Add SSO to the MVP",
            "owner": "Alice Wong",
            "requested_by": "Acme Corp",
            "status": "approved",
            "source": "customer",
            "previous": "password login only",
            "impact": ("SSO in", "+2 weeks", "1 contractor"),
        },
        {
            "title": "Add SSO to the MVP",
            "owner": "Alice Wong",
            "requested_by": ["Acme Corp"],
            "status": "approved",
            "source": "customer",
            "previous": "password login only",
            "impact": {"scope": "SSO in", "schedule": "+2 weeks", "cost": "1 contractor"},
        },
    ),
    "communication": (
        {
            "title": "Told sales the date moved",
            "channel": "meeting",
            "participants": "Eve, Frank",
            "commitments": "Eve; tell customers; 2026-12-04\nFrank; update the FAQ; 2026-12-02 17:00",
            "acknowledged_by": "Eve",
            "follow_up_by": "2026-12-01",
        },
        {
            "title": "Told sales the date moved",
            "channel": "meeting",
            "participants": ["Eve", "Frank"],
            "commitments": [
                {"who": "Eve", "what": "tell customers", "due": "2026-12-04T00:00:00+08:00"},
                {"who": "Frank", "what": "update the FAQ", "due": "2026-12-02T17:00:00+08:00"},
            ],
            "acknowledged_by": ["Eve"],
            "follow_up_by": "2026-12-01T00:00:00+08:00",
        },
    ),
    "risk": (
        {
            "title": "Vendor API may slip",
            "owner": "Alice Wong",
            "raised_by": "Gus",
            "raised_to": "Hana, Ivan",
            "likelihood": "high",
            "impact": "medium",
            "mitigation": "Mock the API",
        },
        {
            "title": "Vendor API may slip",
            "owner": "Alice Wong",
            "raised_by": "Gus",
            "raised_to": ["Hana", "Ivan"],
            "likelihood": "high",
            "impact": "medium",
            "mitigation": "Mock the API",
            "status": "open",
        },
    ),
    "incident": (
        {"title": "Checkout down 2h", "severity": "critical", "causes": ("communication", "risk"), "tags": "prod #outage"},
        {
            "title": "Checkout down 2h",
            "severity": "critical",
            "causes": ["communication", "risk"],
            "tags": ["prod", "outage"],
            "status": "open",
        },
    ),
    "note": (
        {"title": "Board asked about churn", "project": "Atlas", "evidence": "https://x.test/1\nJIRA-7", "body": "Long\nbody"},
        {
            "title": "Board asked about churn",
            "project": "Atlas",
            "evidence": ["https://x.test/1", "JIRA-7"],
            "body": "Long\nbody",
        },
    ),
}


@pytest.mark.parametrize("kind", list(KIND_CASES))
@pilot_test
async def test_each_kind_saves_its_fields(journal, kind):
    raws, expected = KIND_CASES[kind]
    app = new_form(journal, kind)
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, raws)
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    record = app.result
    assert record is not UNSET and record is not None
    assert record["kind"] == kind
    assert record["occurred_at"] == "2026-11-24T15:00:00+08:00"
    for name, value in expected.items():
        assert record[name] == value, name
    assert len(journal) == 1


@pilot_test
async def test_text_typed_in_the_causes_list_is_said_and_ticks_nothing(journal):
    """A tab too many put "load test" into the Causes list: its letters went nowhere without a
    word and its space ticked a cause (a user trial)."""
    from tuihelp import burst

    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Outage"})
        field(app.screen, "causes").focus()
        burst(app, "load test")
        await pilot.pause(0.5)
        row = app.screen.query_one("#row-causes")
        assert row.has_class("-has-error") and "this is a list" in row._error, (row._error, list(field(app.screen, "causes").selected), app.focused)
        assert list(field(app.screen, "causes").selected) == []
        await pilot.press("space")  # a space read after the refusal ticks, as before
        assert list(field(app.screen, "causes").selected) == ["expectations"]


@pilot_test
async def test_causes_are_ticked_by_keyboard(journal):
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Outage"})
        field(app.screen, "causes").focus()
        await pilot.press("space", "down", "space")
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["causes"] == ["expectations", "communication"]


@pilot_test
async def test_down_lists_the_link_matches_again_after_escape_left_them(journal):
    """Escape from the matches hid them; down in the field, with the same words in it, did nothing."""
    first = seed_people(journal)
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "link-caused_by").focus()
        await type_text(pilot, "friday")
        matches = app.screen.query_one(LinkMatches)
        await pilot.press("down")
        assert app.focused is matches
        await pilot.press("escape")
        assert app.focused is field(app.screen, "link-caused_by") and not matches.display
        await pilot.press("down")
        assert app.focused is matches and matches.display and matches.highlighted == 0
        await pilot.press("enter")
        assert field(app.screen, "link-caused_by").value == f"#{first['seq']}, "


def incident_form_and_a_note(journal, title: str):
    """The seeded people's entry, a note titled `title`, and a new incident's form to link them
    from: (the first entry, the note, the app)."""
    first = seed_people(journal)
    other = journal.add("note", {"title": title})
    return first, other, new_form(journal, "incident")


@pilot_test
async def test_links_by_number_and_by_searching_titles(journal):
    first, other, app = incident_form_and_a_note(journal, "Vendor contract signed")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Launch slipped"})
        field(app.screen, "link-caused_by").focus()
        await type_text(pilot, "friday")
        matches = app.screen.query_one(LinkMatches)
        assert matches.display and matches.option_count == 1
        assert "Ship v2 on Friday" in str(matches.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        assert field(app.screen, "link-caused_by").value == f"#{first['seq']}, "
        # A second pick keeps the first: the field was left all selected, and "vendor" wiped it.
        await type_text(pilot, "vendor")
        assert field(app.screen, "link-caused_by").value == f"#{first['seq']}, vendor"
        await pilot.press("down", "enter")
        assert field(app.screen, "link-caused_by").value == f"#{first['seq']}, #{other['seq']}, "
        field(app.screen, "link-relates").focus()
        await type_text(pilot, f"#{other['seq']}")
        preview = app.screen.query_one(".pm-link-preview", Label)
        assert "Vendor contract signed" in str(preview.content)
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["links"] == [
        {"rel": "caused_by", "to": first["id"]},
        {"rel": "caused_by", "to": other["id"]},
        {"rel": "relates", "to": other["id"]},
    ]


@pilot_test
async def test_links_and_names_separated_by_a_chinese_comma(journal):
    """The Links field's own Chinese hint reads "#12，或标题里的词", but "#2，#8" was refused
    as one reference, and after "#1，" the words typed found no match; a name after "张三，"
    was not completed (a helper's tmux trial)."""
    first, other, app = incident_form_and_a_note(journal, "Vendor contract signed")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Launch slipped"})
        field(app.screen, "link-caused_by").focus()
        await type_text(pilot, f"#{first['seq']}\uff0cvendor")
        matches = app.screen.query_one(LinkMatches)
        assert matches.display and "Vendor contract signed" in str(matches.get_option_at_index(0).prompt)
        field(app.screen, "link-relates").focus()
        await type_text(pilot, f"#{first['seq']}\u3001#{other['seq']}")
        field(app.screen, "approved_by").focus()
        await type_text(pilot, "Alice Wong\uff0cbo")
        await pilot.pause()
        assert field(app.screen, "approved_by")._suggestion == "Alice Wong\uff0cBob Li"
        field(app.screen, "link-caused_by").value = f"#{first['seq']}\uff0c#{other['seq']}"
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["links"] == [
        {"rel": "caused_by", "to": first["id"]},
        {"rel": "caused_by", "to": other["id"]},
        {"rel": "relates", "to": first["id"]},
        {"rel": "relates", "to": other["id"]},
    ]


@pilot_test
async def test_a_refused_link_puts_the_cursor_in_its_own_field(journal):
    """A refused Supersedes put the cursor in Caused by (the links' first field), and the next
    keys typed went there."""
    note = journal.add("note", {"title": "Just a note"})
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Replace it", "owner": "Dana"})
        field(app.screen, "link-supersedes").value = f"#{note['seq']}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "only a decision can supersede" in error_of(app.screen, "links"))
        assert app.focused is field(app.screen, "link-supersedes")


@pilot_test
async def test_a_cause_dated_after_the_form_is_refused_beside_its_field(journal):
    """The form's When (10 November) before the cause it links (15 November) was saved."""
    cause = journal.add("decision", {"title": "Cut scope", "owner": "Dana", "occurred_at": "2026-11-15 10:00"})
    app = new_form(journal, "change", when="2026-11-10 10:00")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Drop export", "owner": "Dana"})
        field(app.screen, "link-caused_by").value = f"#{cause['seq']}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "after this entry" in error_of(app.screen, "links"))
        assert app.focused is field(app.screen, "link-caused_by")
        assert app.screen.is_modal
    assert app.result is UNSET
    assert len(journal.entries()) == 1


@pilot_test
async def test_unknown_link_is_shown_next_to_links(journal):
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "x", "links": ("#99", "")})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no entry #99" in error_of(app.screen, "links")
        assert app.screen.is_modal
    assert app.result is UNSET
    assert len(journal) == 0


@pilot_test
async def test_words_left_unchosen_in_a_link_field_say_to_choose_a_match(journal):
    """Words from a title typed and saved without choosing a match were refused as "no entry
    with an id starting 'offline'", which named the wrong way out (a helper's tmux trial)."""
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "x", "links": ("offline mode", "")})
        await pilot.press("ctrl+s")
        await pilot.pause()
        said = error_of(app.screen, "links")
    assert "'offline mode' is not an entry: choose one its words match (↓, then enter), or type its #number" in said
    assert "id starting" not in said and len(journal) == 0


# -- autocomplete and the date preview ------------------------------------


@pilot_test
async def test_people_autocomplete_completes_the_name_after_the_last_comma(journal):
    seed_people(journal)
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "approved_by").focus()
        await type_text(pilot, "Alice Wong, bo")
        await pilot.pause()
        approved = field(app.screen, "approved_by")
        assert approved._suggestion == "Alice Wong, Bob Li"
        others = app.screen.query_one("#row-approved_by .pm-matches", Label)
        assert others.display and "Bobby Tan" in str(others.content)
        await pilot.press("right")
        assert approved.value == "Alice Wong, Bob Li"
        field(app.screen, "owner").focus()
        await type_text(pilot, "ca")
        await pilot.pause()
        await pilot.press("right")
        assert field(app.screen, "owner").value == "Carol"


@pilot_test
async def test_a_half_typed_name_left_behind_is_asked_about(journal):
    """"Mar", Marcus Chen offered, then Tab: saved as a person "Mar" without a word (a user
    trial). Leaving the field says it is new to the journal and whom it may mean; it is not
    refused (it may be someone new)."""
    seed_people(journal)
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "approved_by").focus()
        await type_text(pilot, "Alice Wong, Bo")
        field(app.screen, "owner").focus()
        await pilot.pause()
        said = app.screen.query_one("#row-approved_by .pm-matches", Label)
        assert said.display and str(said.content) == "Bo is new to this journal: did you mean Bob Li?", str(said.content)
        field(app.screen, "approved_by").focus()
        await type_text(pilot, "b Li")
        field(app.screen, "owner").focus()
        await pilot.pause()
        assert not app.screen.query_one("#row-approved_by .pm-matches", Label).display


@pilot_test
async def test_an_empty_form_does_not_crash_and_the_date_preview_follows_typing(journal):
    """Two cases in one empty note form (opening a form is most of a short test's CPU)."""
    app = new_form(journal, "note", when="")
    async with app.run_test(size=SIZE) as pilot:
        with case("saved empty"):
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "title is required" in error_of(app.screen, "title")
            assert len(journal) == 0
        with case("the date preview"):
            preview = app.screen.query_one("#preview-occurred_at", Label)
            assert "now" in str(preview.content)
            field(app.screen, "occurred_at").focus()
            await type_text(pilot, "yesterday 15:00")
            assert str(preview.content) == "Tue 24 Nov 2026 15:00 +08:00"
            assert not preview.has_class("-bad")
            await type_text(pilot, " blah")
            assert "cannot understand" in str(preview.content)
            assert preview.has_class("-bad")
    assert len(journal) == 0


@pilot_test
async def test_a_when_in_the_future_is_said_as_it_is_typed_and_refused(journal):
    """The When field took "tomorrow" (the CLI's --when too): an entry records what happened."""
    app = new_form(journal, "note", when="")
    async with app.run_test(size=SIZE) as pilot:
        preview = app.screen.query_one("#preview-occurred_at", Label)
        await type_text(pilot, "Planned call")
        field(app.screen, "occurred_at").focus()
        await type_text(pilot, "tomorrow 9:00")
        assert "is in the future" in str(preview.content) and preview.has_class("-bad")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is in the future" in error_of(app.screen, "occurred_at")
    assert len(journal) == 0


@pilot_test
async def test_a_date_it_cannot_read_is_said_whole_when_the_field_is_left(journal):
    """Beside the field the error was cut ("cannot understand the date 'the tuesday after
    ne…") and said whole only by ctrl+s; it stays one line while typed (the form does not
    jump), and leaving the field says all of it under the field, until it is typed in again."""
    app = new_form(journal, "decision", when="")
    async with app.run_test(size=SIZE) as pilot:
        preview = app.screen.query_one("#preview-occurred_at", Label)
        field(app.screen, "occurred_at").focus()
        await type_text(pilot, "the tuesday after next week at quarter past")
        assert preview.has_class("-bad") and error_of(app.screen, "occurred_at") == ""
        await pilot.press("tab")
        await pilot.pause()
        said = error_of(app.screen, "occurred_at")
        assert "'the tuesday after next week at quarter past'; try 'yesterday 15:00'" in said
        field(app.screen, "occurred_at").focus()
        await type_text(pilot, "x")
        assert error_of(app.screen, "occurred_at") == ""
        field(app.screen, "occurred_at").value = "yesterday"
        await pilot.press("tab")
        await pilot.pause()
        assert error_of(app.screen, "occurred_at") == ""  # a date it reads says nothing more


@pilot_test
async def test_the_date_preview_says_the_time_at_60_columns(journal):
    """At 60x20 the preview read "Tue 24 Nov 2026 15:0…": the time, what was typed, was cut.
    A narrow form leaves out what the reader already knows (their own offset, this year)."""
    app = new_form(journal, "decision", when="")
    async with app.run_test(size=(60, 20)) as pilot:
        preview = app.screen.query_one("#preview-occurred_at", Label)
        field(app.screen, "occurred_at").focus()
        await type_text(pilot, "yesterday 15:00")
        assert str(preview.content) in ("Tue 24 Nov 2026 15:00", "Tue 24 Nov 15:00")
        when_line = next(line for line in drawn(app).splitlines() if "yesterday" in line or "15:00" in line)
        assert str(preview.content) in when_line, when_line
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert str(preview.content) == "Tue 24 Nov 2026 15:00 +08:00"
        await type_text(pilot, " blah")
        assert "cannot understand" in str(preview.content)


# -- validation -----------------------------------------------------------


@pilot_test
async def test_every_fields_error_shows_at_the_first_save(journal):
    """A bad When, a bad tag, a bad review date and no owner: one error showed per ctrl+s, the
    next only once the first was mended (a helper's trial)."""
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Ship it", "occurred_at": "the 45th of never", "tags": "scope [x]", "review_by": "someday"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: error_of(app.screen, "occurred_at") != "")
        assert "cannot understand" in error_of(app.screen, "occurred_at")
        assert "[x]" in error_of(app.screen, "tags")
        assert "someday" in error_of(app.screen, "review_by")
        assert "needs an owner" in error_of(app.screen, "owner")
    assert app.result is UNSET
    assert len(journal) == 0


@pilot_test
async def test_validation_error_shows_next_to_the_field_and_saves_nothing(journal):
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "No owner yet"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "needs an owner" in error_of(app.screen, "owner")
        assert app.screen.focused is field(app.screen, "owner")
        await type_text(pilot, "Alice")
        assert error_of(app.screen, "owner") == ""  # typing clears it
        await fill(app, pilot, {"tags": "bad!tag"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "bad!tag" in error_of(app.screen, "tags")
        await fill(app, pilot, {"tags": "", "occurred_at": "the 45th of never"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "cannot understand" in error_of(app.screen, "occurred_at")
    assert app.result is UNSET
    assert len(journal) == 0


HOSTILE = "[/] [bold]x <b>y</b> 产品经理 🙈 [link=x]"


@pilot_test
async def test_hostile_text_in_every_field_is_saved_as_typed(journal):
    huge = ("背锅 [b]x[/b] 🚀 " * 8000)[:100_000]
    app = new_form(journal, "communication")
    async with app.run_test(size=SIZE) as pilot:
        await fill(
            app,
            pilot,
            {
                "title": HOSTILE,
                "participants": "李雷, [b]Bob[/b], 🙂 Emoji",
                "commitments": f"李雷; {HOSTILE}; 2026-12-04",
                "project": "<b>项目</b>",
                "evidence": HOSTILE,
                "body": huge,
            },
        )
        field(app.screen, "title").focus()
        await pilot.press("end", "space", "]")  # typing into a huge-history form still works
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    record = app.result
    assert record["title"] == HOSTILE + " ]"
    assert record["participants"] == ["李雷", "[b]Bob[/b]", "🙂 Emoji"]
    assert record["body"] == huge
    assert record["project"] == "<b>项目</b>"
    assert record["commitments"][0]["what"] == HOSTILE


@pilot_test
async def test_amend_heading_shows_markup_as_typed(journal):
    entry = journal.add("note", {"title": HOSTILE})
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE):
        heading = app.screen.query_one(".pm-title", Label)
        assert HOSTILE in str(heading.render())


@pilot_test
async def test_amending_commitments_keeps_the_times_of_those_left_alone(journal):
    """The amend form showed each commitment's due as its day; saving after adding one moved
    Dana's 15:00 and Lee's 09:30 +08:00 to midnight, and the history showed no change."""
    timed = [
        {"who": "Dana", "what": "deck; v2 only", "due": "2026-12-10T15:00:00+00:00"},
        {"who": "Lee", "what": "notes", "due": "2026-12-05T09:30:45+08:00"},  # seconds too (a review)
    ]
    entry = journal.add("communication", {"title": "Call", "owner": "Dana", "occurred_at": "2026-11-20 10:00", "commitments": timed})
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        shown = field(app.screen, "commitments").text
        await fill(app, pilot, {"commitments": shown + "\nKim; slides; 2026-12-20", "reason": "add Kim"})
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    view = journal.get(entry["id"])
    assert view["commitments"][:2] == timed
    assert view["commitments"][2]["who"] == "Kim"
    [event] = view["history"]
    assert event["changes"]["commitments"]["old"] == timed


# -- store failures keep the form open ------------------------------------


@pilot_test
async def test_locked_journal_keeps_the_form_open_with_its_values(db, journal):
    journal.add("note", {"title": "first"})
    holder = Journal(db).storage.file.lock
    holder.acquire()
    try:
        impatient = Journal(db, user="Pat PM", lock_timeout=0.2)
        app = new_form(impatient, "note")
        async with app.run_test(size=SIZE) as pilot:
            await fill(app, pilot, {"title": "Typed while locked", "body": "keep me"})
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "locked" in form_error(app.screen))
            assert isinstance(app.screen, EntryForm)
            assert field(app.screen, "title").value == "Typed while locked"
            assert field(app.screen, "body").text == "keep me"
            holder.release()
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, EntryForm))
    finally:
        if holder.is_locked:
            holder.release()
    assert app.result["title"] == "Typed while locked"
    assert [v["title"] for v in Journal(db).entries()] == ["first", "Typed while locked"]


@pilot_test
async def test_the_app_stays_responsive_while_a_save_waits_for_the_lock(db, journal):
    """The write runs in a thread with a visible "saving…": the UI keeps handling input meanwhile.

    The lock is held until the test has seen the UI run while the save waits, then
    released by the test itself: no timer races the assertions on a loaded machine."""
    import time

    from filelock import FileLock

    async def until(condition, seconds: float = 10) -> bool:
        # asyncio.sleep, not pilot.pause: Pilot waits for the form's queue to drain,
        # which holds the save's own await.
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return condition()

    journal.add("note", {"title": "first"})
    holder = FileLock(f"{db}.lock", thread_local=False)
    holder.acquire()
    app = new_form(journal, "note")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await fill(app, pilot, {"title": "Saved after the wait"})
            burst(app, "{ctrl+s}")  # posted, not pressed: see until()
            assert await until(lambda: form_error(app.screen) == "saving…")
            burst(app, "{ctrl+s}")  # a second save while the first waits is ignored, not doubled
            ticks = []
            app.set_timer(0.05, lambda: ticks.append(time.monotonic()))  # the event loop still runs timers
            assert await until(lambda: bool(ticks))
            assert form_error(app.screen) == "saving…" and holder.is_locked  # still waiting, and the UI answered
            holder.release()
            await wait_for(pilot, lambda: not isinstance(app.screen, EntryForm), timeout=10)
    finally:
        if holder.is_locked:
            holder.release()
    assert app.result["title"] == "Saved after the wait"
    assert [r["title"] for r in Journal(db).records()] == ["first", "Saved after the wait"]


@pilot_test
async def test_full_disk_keeps_the_form_open(journal, monkeypatch):
    def full(bodies):
        raise StoreError(f"cannot write to {journal.path}: No space left on device; nothing was saved")

    monkeypatch.setattr(journal.storage, "append", full)
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Disk is full"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "No space left" in form_error(app.screen)
        assert field(app.screen, "title").value == "Disk is full"
    assert app.result is UNSET


# -- unsaved changes ------------------------------------------------------


@pilot_test
async def test_escape_on_a_changed_form_asks_first(journal):
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, EntryForm)
        assert field(app.screen, "title").value == "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.result is None
    assert len(journal) == 0


@pilot_test
async def test_escape_on_an_unchanged_form_just_closes(journal):
    app = new_form(journal, "risk")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
    assert app.result is None


# -- amend and retract ----------------------------------------------------


@pilot_test
async def test_amend_records_only_the_changed_fields_and_the_reason(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), f"#{entry['seq']}", clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert field(screen, "title").value == "Ship v2 on Friday"
        assert field(screen, "approved_by").value == "Bob Li, Bobby Tan"
        assert screen.query_one("#row-status").raw == "accepted"
        field(screen, "owner").focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "Dana")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "reason is required" in error_of(screen, "reason")
        field(screen, "reason").focus()
        await type_text(pilot, "Alice moved teams")
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    record = app.result
    assert record["kind"] == "amendment"
    assert record["target"] == entry["id"]
    assert record["changes"] == {"owner": "Dana"}
    assert record["reason"] == "Alice moved teams"
    view = journal.get(entry["id"])
    assert view["owner"] == "Dana"
    assert view["history"][0]["changes"]["owner"] == {"old": "Alice Wong", "new": "Dana"}


@pilot_test
async def test_amend_with_nothing_changed_says_so(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"reason": "no reason"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "nothing changed" in form_error(app.screen)
    assert len(journal.records()) == 1


@pilot_test
async def test_retract_asks_for_a_reason_and_confirmation(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: RetractDialog(JournalSession(journal), f"#{entry['seq']}"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "reason is required" in str(app.screen.query_one("#error", Label).content)
        await type_text(pilot, "logged twice")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await finished(pilot, app)
    assert app.result["kind"] == "retraction"
    assert app.result["reason"] == "logged twice"
    assert journal.get(entry["id"])["retracted"]["reason"] == "logged twice"


@pilot_test
async def test_retract_declined_changes_nothing(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: RetractDialog(JournalSession(journal), entry["id"]))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "oops")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RetractDialog)
        await pilot.press("escape")  # the reason typed: asked first
        await pilot.press("y")
    assert app.result is None
    assert journal.get(entry["id"])["retracted"] is None


@pilot_test
async def test_escape_from_the_retract_and_done_dialogs_asks_before_dropping_what_was_typed(journal):
    """Escape closed them at once, the reason or the note typed lost; the entry forms asked."""
    from pmjournal.core.loops import open_loops
    from pmjournal.tui.forms.done import DoneDialog

    entry = seed_people(journal)
    journal.add("communication", {"title": "Told Acme", "follow_up_by": "2026-11-30"})
    loop = open_loops(list(journal.views.values()), date(2026, 11, 25))[0]
    for make, field_id in (
        (lambda: RetractDialog(JournalSession(journal), entry["id"]), "#f-reason"),
        (lambda: DoneDialog(JournalSession(journal), loop), "#f-note"),
    ):
        app = FormsApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.screen.query_one(field_id).focus()
            await type_text(pilot, "sent the deck")
            await pilot.press("escape")
            await wait_for(pilot, lambda app=app: isinstance(app.screen, ConfirmDialog))
            await pilot.press("n")  # keep editing: the text is still there
            await wait_for(pilot, lambda app=app: not isinstance(app.screen, ConfirmDialog))
            assert app.screen.query_one(field_id).value == "sent the deck" and app.result is UNSET
            await pilot.press("escape", "y")
            await wait_for(pilot, lambda app=app: app.result is None)
        # nothing typed: escape closes at once
        app = FormsApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("escape")
            await wait_for(pilot, lambda app=app: app.result is None)


# -- export ---------------------------------------------------------------


def export_app(journal, tmp_path):
    return FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=date(2026, 11, 25), directory=tmp_path))


@pilot_test
async def test_export_json_writes_the_file_then_asks_before_overwriting(journal, tmp_path):
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert field(app.screen, "path").value == "pmjournal-2026-11-25.md"
        await pilot.press("shift+tab", "down", "enter")  # JSON
        await pilot.pause()
        assert field(app.screen, "path").value == "pmjournal-2026-11-25.json"
        assert app.screen.focused is field(app.screen, "path")
        await pilot.press("enter")
        await finished(pilot, app)
    target = tmp_path / "pmjournal-2026-11-25.json"
    assert app.result == target
    assert json.loads(target.read_text())["entries"][0]["title"] == "Ship v2 on Friday"

    target.write_text("old")
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab", "down", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text() == "old"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await finished(pilot, app)
    assert app.result == target
    assert "Ship v2 on Friday" in target.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pilot_test
async def test_a_file_named_for_another_format_is_refused_with_the_fix(journal, tmp_path):
    """`rep2.json` with Markdown chosen wrote Markdown into a .json file without a word."""
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "path").value = "rep2.json"
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#error", Label).content)
        assert shown == "rep2.json ends in .json, but the format chosen is Markdown: choose JSON above, or end the name in .md"
        assert app.result is UNSET and not (tmp_path / "rep2.json").exists()
        await pilot.press("shift+tab", "down", "enter")  # JSON, then back in the path
        field(app.screen, "path").value = "rep2.json"
        await pilot.press("enter")
        await finished(pilot, app)
    assert json.loads((tmp_path / "rep2.json").read_text())["entries"]


@pilot_test
async def test_export_refuses_the_journal_itself_and_its_own_files(journal, tmp_path):
    """The dialog asked only "exists. Overwrite it?" and, on y, wrote the document over the
    journal: every entry gone, and the app ended saying the file 'was not changed'."""
    seed_people(journal)
    before = journal.path.read_bytes()
    for typed in (str(journal.path), str(journal.path) + ".index", str(journal.path) + ".lock"):
        app = export_app(journal, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            box = field(app.screen, "path")
            box.value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmDialog)
            shown = str(app.screen.query_one("#error", Label).content)
            assert "export to another file" in shown and ("the journal itself" in shown or "journal's own files" in shown)
            assert app.result is UNSET
    assert journal.path.read_bytes() == before
    session = JournalSession(journal)
    with pytest.raises(PmjournalError, match="the journal itself"):
        session.export(journal.path, Filter(), "markdown")
    assert journal.path.read_bytes() == before


@pilot_test
async def test_escape_in_the_export_dialog_asks_before_dropping_a_typed_path(journal, tmp_path):
    """A path typed by hand was dropped by escape without a word; the offered name is not asked about."""
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "path").value = str(tmp_path / "my-carefully-typed-name.md")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert field(app.screen, "path").value.endswith("my-carefully-typed-name.md")
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.result is None)


@pilot_test
async def test_export_csv_to_a_typed_path(journal, tmp_path):
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab", "down", "down", "enter", "ctrl+u")
        await type_text(pilot, "out/x.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert "does not exist" in str(app.screen.query_one("#error", Label).content)
        await pilot.press("ctrl+u")
        await type_text(pilot, "trail.csv")
        await pilot.press("enter")
        await finished(pilot, app)
    assert app.result == tmp_path / "trail.csv"
    assert (tmp_path / "trail.csv").read_text().splitlines()[1].split(",")[4] == "Ship v2 on Friday"


@pilot_test
async def test_export_markdown_when_the_writer_exists(journal, tmp_path):
    pytest.importorskip("pmjournal.core.markdown")
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await finished(pilot, app)  # the export runs in a worker: one pause is not enough on a busy machine
    assert "Ship v2 on Friday" in (tmp_path / "pmjournal-2026-11-25.md").read_text()


# -- first run ------------------------------------------------------------


@pilot_test
async def test_first_run_saves_the_name_to_config():
    app = FormsApp(lambda: FirstRunDialog("pat"))
    async with app.run_test(size=SIZE) as pilot:
        assert field(app.screen, "name").value == "pat"
        await pilot.press("ctrl+u")
        await pilot.press("enter")
        await pilot.pause()
        assert "required" in str(app.screen.query_one("#error", Label).content)
        await type_text(pilot, "Pat 李")
        await pilot.press("enter")
        await finished(pilot, app)
    assert app.result == "Pat 李"
    assert config.load().name == "Pat 李"
    # The language offered was not chosen: not saved, so the locale goes on choosing it
    # (saved, it pinned the interface, and LANG=zh_CN changed nothing).
    assert config.load().language == ""


# -- snapshots ------------------------------------------------------------


def snapshot_journal(db):
    journal = Journal(db, user="Pat PM")
    seed_people(journal)
    journal.add("note", {"title": "Vendor contract signed [b]x[/b]"})
    return journal


async def steady_cursor(pilot) -> None:
    """Stop the text cursor blinking: on a loaded machine the picture was taken in
    either half of the blink, and the snapshot failed at random."""
    for editor in pilot.app.screen.query(Input):
        editor.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("kind", ["decision", "change", "communication", "risk", "incident", "note"])
def test_snapshot_entry_form(kind, db, snap_compare):
    app = new_form(snapshot_journal(db), kind)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady_cursor)


def test_snapshot_kind_picker(snap_compare):
    assert snap_compare(FormsApp(KindPicker), terminal_size=SIZE)


def test_snapshot_export_dialog(db, tmp_path, snap_compare):
    app = FormsApp(
        lambda: ExportDialog(
            JournalSession(snapshot_journal(db)), Filter(kinds=("decision",)), today=date(2026, 11, 25), directory=EXPORTS
        )
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=steady_cursor)


@pilot_test
async def test_huge_pastes_into_a_line_and_the_body(journal):
    line = "粘贴" + "x" * 100_000
    body = "第一行 [bold]\n" * 8_000
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "body").focus()
        await pilot.pause()
        # Posted to the app, as the terminal driver does; it goes to the focused field.
        app.post_message(events.Paste(body))
        await pilot.pause()
        field(app.screen, "title").focus()
        await pilot.pause()
        app.post_message(events.Paste(line + "\nsecond line"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["title"] == line  # the title takes the first line of a paste...
    assert app.result["body"] == body + "second line"  # ...and Body the rest


def test_snapshot_amend_form(db, snap_compare):
    journal = snapshot_journal(db)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), "#1", clock=clock))
    assert snap_compare(app, terminal_size=SIZE, run_before=steady_cursor)


class CountingLock:
    """Stands in for the session's journal lock and counts the writes made under it."""

    def __init__(self):
        self.entered = 0

    def __enter__(self):
        self.entered += 1

    def __exit__(self, *exc):
        return False


@pilot_test
async def test_form_uses_the_apps_people_and_views_and_writes_under_its_lock(journal):
    from dataclasses import replace

    from pmjournal.core.people import People

    known = People()
    known.learn({"owner": "Zed Zhang"})
    session = JournalSession(journal)
    snapshot = replace(session.load(), views={}, people=known)  # the trail screen's snapshot
    session.lock = lock = CountingLock()
    app = FormsApp(lambda: EntryForm(session, "decision", snapshot=snapshot, when="", clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Uses the snapshot"})
        field(app.screen, "owner").focus()
        await type_text(pilot, "ze")
        await pilot.pause()
        await pilot.press("right", "ctrl+s")
        await finished(pilot, app)
    assert app.result["owner"] == "Zed Zhang"
    assert lock.entered >= 1


@pilot_test
async def test_a_huge_paste_into_a_date_is_refused_at_once(journal):
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "occurred_at").focus()
        app.post_message(events.Paste("1" * 100_000))
        await pilot.pause()
        preview = app.screen.query_one("#preview-occurred_at", Label)
        assert "too long to be a date" in str(preview.content)
        await fill(app, pilot, {"title": "t", "owner": "o"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "too long" in error_of(app.screen, "occurred_at")
    assert len(journal) == 0


def test_snapshot_errors_beside_their_fields(db, snap_compare):
    app = new_form(snapshot_journal(db), "decision")

    async def save_empty(pilot):
        await pilot.press("ctrl+s")
        await steady_cursor(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=save_empty)


@pilot_test
async def test_ticked_and_chosen_differ_by_glyph_not_colour_alone(journal, tmp_path):
    """A monochrome terminal or a screen reader must see which causes are ticked and which format is chosen."""
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        causes = app.screen.query_one("#f-causes")
        causes.select(causes.get_option_at_index(1).value)
        await pilot.pause()
        first, second = causes.render_line(0).text, causes.render_line(1).text
        assert first.startswith("▐ ▌") and second.startswith("▐X▌")
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        buttons = list(app.screen.query("RadioButton"))
        rendered = [str(b.render()) for b in buttons]
        assert rendered[0].startswith("▐●▌") and all(r.startswith("▐ ▌") for r in rendered[1:])


@pilot_test
async def test_an_export_that_fails_unexpectedly_says_so_and_the_dialog_stays(journal, tmp_path, monkeypatch):
    # Only OSError and PmjournalError were said: anything else left "exporting…" up, silently.
    seed_people(journal)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer fell over")

    monkeypatch.setattr(JournalSession, "export", broken)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#error", Label)
        await wait_for(pilot, lambda: "renderer fell over" in str(error.content))
        assert str(error.content) == "not exported, unexpected error: RuntimeError: renderer fell over"
        assert isinstance(app.screen, ExportDialog) and not app.screen.writing
    assert not (tmp_path / "pmjournal-2026-11-25.md").exists()


@pilot_test
async def test_export_renders_from_the_apps_views_without_refolding(journal, tmp_path):
    """At 100k entries a refold costs seconds: the dialog exports the views the app already holds."""
    seed_people(journal)
    session = JournalSession(journal)
    snapshot = session.load()  # as the app does: the views are taken over from the journal
    assert journal._views is None
    app = FormsApp(lambda: ExportDialog(session, Filter(), snapshot=snapshot, today=date(2026, 11, 25), directory=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.result is not UNSET)
    assert "Ship v2 on Friday" in (tmp_path / "pmjournal-2026-11-25.md").read_text()
    assert journal._views is None  # the journal never folded again


def test_a_form_on_the_preview_reads_what_the_session_last_folded(journal, monkeypatch):
    """A form opened while the journal loads holds the partial preview: the session answers it from
    the views its load took over, not from a second fold; before any load, from the journal's own.
    (The loaded path: with the index a snapshot holds no views; test_index_tui.py.)"""
    from dataclasses import replace

    monkeypatch.setenv("PMJOURNAL_INDEX", "off")

    from pmjournal.core.people import People

    entry = seed_people(journal)
    session = JournalSession(journal)
    assert session.entry(f"#{entry['seq']}") is journal.views[entry["id"]]
    snapshot = session.load()
    preview = replace(snapshot, views={}, people=People(), partial=True)  # the newest records only
    assert session.views(preview) is snapshot.views and session.views() is snapshot.views
    assert session.people(preview) is snapshot.people
    assert session.entry(entry["id"], preview) is snapshot.views[entry["id"]]
    assert session.entry_by_seq(entry["seq"], preview) is snapshot.views[entry["id"]]
    assert journal._views is None  # taken over by the load, never folded again


@pilot_test
async def test_every_empty_required_field_is_said_at_once(journal):
    """ctrl+s on an empty decision said only "a title is required"; the owner's was said at
    the next ctrl+s. With a bad date too, all three are beside their fields."""
    app = new_form(journal, "decision", when="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: error_of(app.screen, "title") and error_of(app.screen, "owner"))
        assert "a title is required" in error_of(app.screen, "title")
        assert "needs an owner" in error_of(app.screen, "owner")
        assert app.screen.focused is field(app.screen, "title")
        field(app.screen, "occurred_at").value = "31 feb"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: error_of(app.screen, "occurred_at"))
        assert error_of(app.screen, "title") and error_of(app.screen, "owner")
    assert len(journal.records()) == 0


@pilot_test
async def test_a_follow_up_date_reads_forward_in_the_form(journal):
    """ "fri" in Follow up by was the Friday gone: the loop opened overdue, or was refused."""
    app = new_form(journal, "communication")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field(app.screen, "title").value = "Told Acme"
        field(app.screen, "follow_up_by").value = "fri"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["follow_up_by"].startswith("2026-11-27")  # NOW is Wednesday 25 Nov


@pilot_test
async def test_the_done_dialog_shows_how_its_when_was_read_and_records_that(journal):
    """The Done dialog's When had no preview: "fri" or "yesterday 9" was recorded as read,
    unseen. It now says how it reads the date as it is typed, and records exactly that."""
    from pmjournal.core.loops import open_loops
    from pmjournal.tui.forms.done import DoneDialog

    entry = journal.add("communication", {"title": "Told Acme", "occurred_at": "2026-11-10 10:00", "follow_up_by": "2026-11-30"})
    loop = open_loops(list(journal.views.values()), date(2026, 11, 20))[0]
    app = FormsApp(lambda: DoneDialog(JournalSession(journal), loop))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        preview = app.screen.query_one("#preview-when", Label)
        assert "now" in str(preview.content)
        await type_text(pilot, "yesterday 9:30")
        assert str(preview.content) == dates.describe(dates.parse_when("yesterday 9:30", ref=dates.now())) and not preview.has_class("-bad")
        await pilot.press("ctrl+a")
        await type_text(pilot, "someday")
        assert "someday" in str(preview.content) and preview.has_class("-bad")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.result is UNSET and "someday" in str(app.screen.query_one("#error", Label).content)
        app.screen.query_one("#f-when", Input).value = "yesterday 9:30"
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    done = [r for r in journal.records() if r["kind"] == "loop" and r["target"] == entry["id"]]
    assert [r["occurred_at"] for r in done] == [dates.iso(dates.parse_when("yesterday 9:30", ref=dates.now()))]


@pilot_test
async def test_the_amend_form_says_what_it_will_change_as_it_is_typed(journal):
    """The title opens selected, so a reason typed first replaced the title, unseen: the form
    now says which fields the amendment will change, as they change."""
    entry = seed_people(journal)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        changing = app.screen.query_one("#changing", Label)
        assert str(changing.content) == "Changing: nothing yet"
        await type_text(pilot, "the date moved")  # meant as the reason: it replaced the title
        assert str(changing.content) == "Changing: Title"
        app.screen.query_one("#f-title", Input).value = entry["title"]
        await pilot.pause()
        assert str(changing.content) == "Changing: nothing yet"
        app.screen.query_one("#f-owner", Input).value = "Bob Li"
        app.screen.query_one("#f-title", Input).value = "Ship v3"
        await pilot.pause()
        assert str(changing.content) == "Changing: Title, Owner"


@pilot_test
async def test_a_date_is_saved_as_its_preview_read_it_even_after_midnight(journal):
    """"yesterday 09:00" read as the 24th at 23:59 and saved at 00:01 was recorded as the 25th:
    the save read the text again against its own "now"."""
    from datetime import timedelta

    moments = {"now": datetime(2026, 11, 25, 23, 59, tzinfo=tz.gettz("Asia/Shanghai"))}
    app = FormsApp(lambda: EntryForm(JournalSession(journal), "note", when="", clock=lambda: moments["now"]))
    async with app.run_test(size=SIZE) as pilot:
        await fill(app, pilot, {"title": "Late call", "occurred_at": "yesterday 09:00"})
        assert "Tue 24 Nov 2026 09:00" in str(app.screen.query_one("#preview-occurred_at", Label).content)
        moments["now"] += timedelta(minutes=2)
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    assert app.result["occurred_at"] == "2026-11-24T09:00:00+08:00"


@pilot_test
async def test_the_done_dialog_records_the_day_its_preview_showed_even_after_midnight(journal):
    from datetime import timedelta

    from pmjournal.core.loops import open_loops
    from pmjournal.tui.forms.done import DoneDialog

    entry = journal.add("communication", {"title": "Told Acme", "occurred_at": "2026-11-10 10:00", "follow_up_by": "2026-11-30"})
    loop = open_loops(list(journal.views.values()), date(2026, 11, 19))[0]
    moments = {"now": datetime(2026, 11, 19, 23, 59, tzinfo=tz.gettz("Asia/Shanghai"))}
    app = FormsApp(lambda: DoneDialog(JournalSession(journal), loop, clock=lambda: moments["now"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "yesterday 09:00")
        assert "Wed 18 Nov 2026 09:00" in str(app.screen.query_one("#preview-when", Label).content)
        moments["now"] += timedelta(minutes=2)
        await pilot.press("ctrl+s")
        await finished(pilot, app)
    done = [r for r in journal.records() if r["kind"] == "loop" and r["target"] == entry["id"]]
    assert [r["occurred_at"] for r in done] == ["2026-11-18T09:00:00+08:00"]


@pilot_test
async def test_the_done_dialog_says_a_future_when_and_a_bad_one_in_full(journal):
    """A When in the future showed as a good date and was refused only at ctrl+s; a date it could
    not read was cut at the dialog's 70% ("…; tr…"), losing the advice."""
    from pmjournal.core.loops import open_loops
    from pmjournal.tui.forms.done import DoneDialog

    journal.add("communication", {"title": "Told Acme", "occurred_at": "2026-11-10 10:00", "follow_up_by": "2026-11-30"})
    loop = open_loops(list(journal.views.values()), date(2026, 11, 20))[0]
    app = FormsApp(lambda: DoneDialog(JournalSession(journal), loop))
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        preview = app.screen.query_one("#preview-when", Label)
        await type_text(pilot, "tomorrow 10:00")
        assert "in the future" in str(preview.content) and preview.has_class("-bad")
        app.screen.query_one("#f-when", Input).value = "2026-11-01 09:00"  # before the entry: refused at the save too
        await pilot.pause()
        assert "before #1 happened (2026-11-10)" in str(preview.content) and preview.has_class("-bad")
        app.screen.query_one("#f-when", Input).value = "yesterday 9"
        await pilot.pause()
        shown = drawn(app)
        assert "cannot understand the date 'yesterday 9'" in shown and "2026-11-23T15:00" in shown  # wrapped, whole


@pilot_test
async def test_a_link_already_picked_is_not_offered_again(journal):
    """The matches offered the entry already in the field: "#48, #65, #48" was picked unawares."""
    first, other, app = incident_form_and_a_note(journal, "Friday retro")
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "link-caused_by").focus()
        await type_text(pilot, "friday")
        matches = app.screen.query_one(LinkMatches)
        assert matches.option_count == 2
        await pilot.press("down", "enter")
        picked = field(app.screen, "link-caused_by").value
        await type_text(pilot, "friday")
        assert matches.display and matches.option_count == 1
        remaining = matches.get_option_at_index(0).id
        assert picked.startswith(remaining) is False and remaining in (f"#{first['seq']}", f"#{other['seq']}")


@pilot_test
async def test_the_export_dialog_says_where_a_name_alone_is_written(journal):
    """It offered "pmjournal-2026-12-04.md" with no folder anywhere on screen; the export went to
    the folder the app was started from (a helper's trial wrote one into a source tree)."""
    app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=date(2026, 11, 25), directory=EXPORTS))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = " ".join(str(label.content) for label in app.screen.query(Label))
    assert "Save to (a name alone goes in /srv/exports)" in said


@pilot_test
async def test_the_amend_form_will_not_move_a_cause_after_what_it_caused(journal):
    cause = journal.add("decision", {"title": "Cut scope", "owner": "Dana", "occurred_at": "2026-11-10T10:00:00+00:00"})
    journal.add(
        "incident",
        {"title": "Outage", "owner": "Lee", "occurred_at": "2026-11-12T10:00:00+00:00"},
        links={"caused_by": [cause["id"]]},
    )
    app = FormsApp(lambda: AmendForm(JournalSession(journal), cause["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        field(app.screen, "occurred_at").focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "2026-11-14 10:00")
        await fill(app, pilot, {"reason": "typo"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "#2 (2026-11-12) names this entry as a cause" in error_of(app.screen, "occurred_at")
    assert len(journal.records()) == 2


@pilot_test
@pytest.mark.parametrize(
    ("keys", "name"),
    (
        ("{shift+tab}{down}{enter}{ctrl+u}chosen.json{enter}", "chosen.json"),
        ("{shift+tab}{down}{down}{enter}chosen.csv{enter}", "chosen.csv"),
        ("{shift+tab}{down}{space}typed.json{enter}", "typed.json"),
        ("{shift+tab}{space}plain.md{enter}", "plain.md"),
    ),
)
async def test_a_path_typed_right_after_choosing_a_format_is_the_file_written(journal, tmp_path, keys, name):
    """Choosing a format handed the focus to the path in a later message: what was typed in
    between went to the radio set and was lost, or into the path before the format's name
    was put in it ('burst.jsonon' written, a user trial in tmux)."""
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, keys)
        await finished(pilot, app)
    assert app.result == tmp_path / name
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name]


@pilot_test
async def test_choosing_the_document_language_leaves_the_path_as_typed(journal, tmp_path):
    """Back on the path after the language was chosen, the whole path was selected: the next
    key (a space meant for the list) replaced it (a user trial)."""
    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "{ctrl+u}zz.md{tab}")
        await wait_for(pilot, lambda: app.screen.focused is app.screen.query_one("#language"))
        await pilot.press("enter")  # the list opens
        await pilot.press("down", "enter")  # 简体中文
        await wait_for(pilot, lambda: app.screen.focused is field(app.screen, "path"))
        await pilot.press("x")
        assert field(app.screen, "path").value == "zz.mdx"


@pilot_test
@pytest.mark.parametrize("keys", ("{ctrl+u}Ann Lee{tab}{right}{space}{enter}", "{tab}{right}{enter}{ctrl+u}Ann Lee{enter}"))
async def test_the_first_run_dialog_takes_a_language_and_a_name_in_one_burst(keys):
    """Enter right after choosing the language with space was lost (the choice handed the focus
    back to the name in a later message), and so was a name typed right after it (a user trial)."""
    from pmjournal.core import i18n

    app = FormsApp(lambda: FirstRunDialog("pat"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            burst(app, keys)
            await finished(pilot, app)
        assert app.result == "Ann Lee"
        assert config.load().name == "Ann Lee" and config.load().language == "zh_CN"
    finally:
        i18n.set_language("en")


@pilot_test
async def test_a_file_name_typed_on_the_formats_is_said_to_go_to_the_path(journal, tmp_path):
    """Shift+tab from the path lands on the formats: a name typed there went nowhere, and
    enter chose Markdown again, writing nothing and saying nothing (a user trial)."""
    from textual.widgets import Label

    seed_people(journal)
    app = export_app(journal, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "{shift+tab}{ctrl+u}mine.md")
        error = app.screen.query_one("#error", Label)
        await wait_for(pilot, lambda: "type the file name in Save to" in str(error.render()))
        assert not any(p.is_file() for p in tmp_path.iterdir())
