"""Keys that arrive in one burst (a fast typist, a text expander, a paste then
ctrl+s, a laggy SSH link) are all acted on, in order, by the field they were
typed into, and ctrl+s saves only once every key before it has been handled.

The keys are posted to the app at once, as the terminal driver does; pilot.press
would wait after each key and hide the problem.
"""

import asyncio
import contextlib
import json
from datetime import date

import pytest
from test_forms import SIZE, UNSET, FormsApp, clock, field, new_form, seed_people
from textual.widgets import Label
from tuihelp import burst, loaded, on_a_retracted_entry, pilot_test, wait_for

from pmjournal.core.causes import CAUSES
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.tui.forms import AmendForm, ExportDialog, RetractDialog
from pmjournal.tui.forms.confirm import ConfirmDialog
from pmjournal.tui.screens.trail import TrailScreen
from pmjournal.tui.session import JournalSession


async def saved(pilot, app) -> dict:
    await wait_for(pilot, lambda: app.result is not UNSET, timeout=5)
    return app.result


def tabs_to(screen, widget_id: str) -> str:
    """The "{tab}"s that move focus from the focused widget to `widget_id`."""
    chain = [w.id for w in screen.focus_chain]
    return "{tab}" * (chain.index(widget_id) - chain.index(screen.focused.id))


@pilot_test
async def test_ctrl_s_right_after_a_burst_saves_every_key(journal):
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Use Postgres for billing{tab}{tab}Owner Person2{ctrl+s}")
        record = await saved(pilot, app)
    assert record["title"] == "Use Postgres for billing"
    assert record["owner"] == "Owner Person2"


@pilot_test
async def test_a_name_completed_with_right_in_a_burst_is_saved_whole(journal):
    """ "Ali", right, tab in one burst: right takes the completion Textual had not yet made
    (in a worker, after the last letter), so "Ali" was saved as a person of its own."""
    seed_people(journal)
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Use Postgres for billing{tab}{tab}Ali{right}{tab}{tab}Bob{right}, car{right}{ctrl+s}")
        record = await saved(pilot, app)
    assert record["owner"] == "Alice Wong"
    assert record["approved_by"] == ["Bob Li", "Carol"]


@pilot_test
async def test_editing_keys_in_a_burst_act_on_the_field_they_were_typed_into(journal):
    # Backspace and arrows are bindings, not typed characters: Textual runs them
    # when the key has bubbled back up to the app, by which time tab has moved
    # the focus on; they used to act on the next field.
    app = new_form(journal, "decision", when="")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Use Postgres forX{backspace} billing{tab}yesterday 15:00X{backspace}{tab}Owner Person2{ctrl+s}")
        record = await saved(pilot, app)
    assert record["title"] == "Use Postgres for billing"
    assert record["occurred_at"] == "2026-11-24T15:00:00+08:00"
    assert record["owner"] == "Owner Person2"


@pilot_test
async def test_arrows_and_typing_in_one_field_keep_their_order(journal):
    app = new_form(journal, "note")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "ab{left}c{end}d{home}e{ctrl+s}")
        record = await saved(pilot, app)
    assert record["title"] == "eacbd"


@pytest.mark.parametrize(
    "keys, ticked",
    [
        ("{down}{down}{space}", ["decision"]),
        # each space ticks the row the cursor is on as it is read: `space down space` typed at
        # once ticked the second row twice (so not at all) and never the first
        ("{space}{down}{space}{down}{down}{space}", [CAUSES[0].key, CAUSES[1].key, CAUSES[3].key]),
    ],
)
@pilot_test
async def test_causes_ticked_in_a_burst_are_saved(journal, keys, ticked):
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Pump failed" + tabs_to(app.screen, "f-causes") + keys + "{tab}{ctrl+s}")
        record = await saved(pilot, app)
    assert record["causes"] == ticked


@pilot_test
async def test_amend_form_saves_a_burst(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), entry["id"], clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the title is focused with its text selected: typing replaces it
        burst(app, "Ship v2 on Monday{shift+tab}the date moved{ctrl+s}")
        record = await saved(pilot, app)
    assert record["changes"] == {"title": "Ship v2 on Monday"}
    assert record["reason"] == "the date moved"


@pilot_test
async def test_retract_dialog_reads_the_whole_reason_at_ctrl_s(journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: RetractDialog(JournalSession(journal), entry["id"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "logged twice by mistake{ctrl+s}")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), timeout=5)
        await pilot.press("y")
        record = await saved(pilot, app)
    assert record["reason"] == "logged twice by mistake"


@pilot_test
async def test_export_dialog_reads_the_whole_path_at_ctrl_s(journal, tmp_path):
    seed_people(journal)
    app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=date(2026, 11, 25), directory=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab", "down", "enter")  # JSON; the path is focused, its text selected
        await pilot.pause()
        burst(app, "decisions-for-audit.json{ctrl+s}")
        path = await saved(pilot, app)
    assert path == tmp_path / "decisions-for-audit.json"
    assert json.loads(path.read_text())


@pilot_test
async def test_keys_still_unhandled_when_waiting_runs_out_keep_the_form_open(journal, monkeypatch):
    from pmjournal.tui import key_order
    from pmjournal.tui.forms.fields import InputRow

    handle = InputRow.on_input_changed

    async def slowly(row, event):
        await asyncio.sleep(0.05)  # a loaded machine: every key takes a while
        handle(row, event)

    monkeypatch.setattr(InputRow, "on_input_changed", slowly)
    monkeypatch.setattr(key_order, "CATCH_UP_SECONDS", 0.1)
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Use Postgres{tab}{tab}Owner Person2{ctrl+s}")
        await pilot.pause(0.3)
        assert app.result is UNSET
        assert any("press ctrl+s again" in str(n.message) for n in app._notifications)
        assert len(journal) == 0
        await pilot.pause(1.0)
        await pilot.press("ctrl+s")
        record = await saved(pilot, app)
    assert (record["title"], record["owner"]) == ("Use Postgres", "Owner Person2")


@pilot_test
async def test_a_validation_error_found_after_a_burst_stays_shown(journal):
    # The form used to validate before the queued keys arrived; they then
    # cleared the error they had caused, leaving the form open with no message.
    app = new_form(journal, "decision")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Use Postgres{tab}{tab}{ctrl+s}")
        await pilot.pause(0.3)
        screen = app.screen
        assert field(screen, "title").value == "Use Postgres"
        label = screen.query_one("#row-owner .pm-error", Label)
        assert label.display and "owner" in str(label.content).lower()
    assert len(journal) == 0


# -- typing straight into a form as it opens ------------------------------------
#
# The key that opens a form and the keys typed behind it arrive together. They
# used to reach the trail or the kind picker instead (where "e" exports, "x"
# retracts, "q" quits), or the form before its first field had the focus. The
# titles below hold such letters on purpose.


async def trail_burst(pilot, app, keys: str, done) -> None:
    """The trail is up and settled; every key of `keys` arrives at once; wait for `done()`."""
    await loaded(pilot)
    burst(app, keys)
    await wait_for(pilot, done, timeout=10)
    await pilot.pause(0.2)  # anything a lost key would still do (quit, open a screen) has happened


@pytest.mark.parametrize(
    "keys, expected",
    [
        ("ndqueue export retry{tab}{tab}Owner Person{ctrl+s}", ("decision", "queue export retry", "Owner Person")),
        # the kind chosen with the arrows and enter instead of its letter
        ("n{down}{down}{enter}told Acme the date{ctrl+s}", ("communication", "told Acme the date", None)),
    ],
    ids=["kind-letter", "arrows-and-enter"],
)
@pilot_test
async def test_new_entry_typed_straight_into_the_form_as_it_opens(demo_db, make_app, keys, expected):
    before = len(Journal(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(
            pilot,
            app,
            keys,
            # saved, and the form closed (it closes once the save's thread returns)
            lambda: len(Journal(demo_db)) > before and isinstance(app.screen, TrailScreen),
        )
        assert app.is_running
    records = Journal(demo_db).records()[before:]
    assert [(r["kind"], r["title"], r.get("owner")) for r in records] == [expected]


@pilot_test
async def test_kind_key_on_the_trail_typed_straight_into_the_form(demo_db, make_app):
    before = len(Journal(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, "rquiet vendor exit{tab}{tab}Owner Person{ctrl+s}", lambda: len(Journal(demo_db)) > before)
    records = Journal(demo_db).records()[before:]
    assert [(r["kind"], r["title"], r["owner"]) for r in records] == [("risk", "quiet vendor exit", "Owner Person")]


@pilot_test
async def test_amend_typed_straight_into_the_form_as_it_opens(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_id = app.screen.table.current["id"]
        history = len(Journal(demo_db).get(entry_id).get("history") or ())
        await trail_burst(
            pilot,
            app,
            "aqueue export retry{shift+tab}exact wording from the minutes{ctrl+s}",
            lambda: len(Journal(demo_db).get(entry_id).get("history") or ()) > history,
        )
        assert isinstance(app.screen, TrailScreen)
    view = Journal(demo_db).get(entry_id)
    assert view["title"] == "queue export retry"
    assert view["history"][-1]["reason"] == "exact wording from the minutes"
    assert len(view["history"]) == history + 1


@pilot_test
async def test_retract_typed_straight_into_the_dialog_as_it_opens(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_id = app.screen.table.current["id"]
        await trail_burst(pilot, app, "xqueued twice by export{ctrl+s}", lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: Journal(demo_db).get(entry_id)["retracted"], timeout=5)
    view = Journal(demo_db).get(entry_id)
    assert view["retracted"]["reason"] == "queued twice by export"


@pilot_test
async def test_export_path_typed_straight_into_the_dialog_as_it_opens(demo_db, make_app, tmp_path):
    target = tmp_path / "queue-export.md"
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, f"e{target}{{ctrl+s}}", target.exists)
        assert isinstance(app.screen, TrailScreen)
    assert target.read_text().strip()


@pilot_test
async def test_filter_typed_straight_after_slash(demo_db, make_app):
    # Letters that are trail keys ("a" amends, "x" retracts, "e" exports) are text in the filter.
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, "{slash}vendor exit plan", lambda: app.screen.filter_text == "vendor exit plan")
        assert isinstance(app.screen, TrailScreen)
        assert app.focused.id == "filter-input"


@pilot_test
async def test_amend_after_moving_down_in_the_same_burst_amends_the_row_moved_to(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        entry_id = table.visible_views()[table.cursor + 2]["id"]
        await trail_burst(
            pilot,
            app,
            "jjaqueue export retry{shift+tab}moved down first{ctrl+s}",
            lambda: (Journal(demo_db).get(entry_id).get("history") or [{}])[-1].get("reason") == "moved down first",
        )
    assert Journal(demo_db).get(entry_id)["title"] == "queue export retry"


@pilot_test
async def test_keys_typed_behind_enter_in_the_filter_act_on_the_filtered_trail(demo_db, make_app):
    """ "/kind:decision", enter, j, j, a in one burst: the filter holds exactly what was typed
    before enter, and the amendment is of the third decision, not a row of the unfiltered trail."""
    from pmjournal.tui.forms import AmendForm

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        decisions = [v for v in app.screen.table.visible_views() if v["kind"] == "decision"]
        burst(app, "{slash}kind:decision{enter}jja")
        await wait_for(pilot, lambda: isinstance(app.screen, AmendForm))
        assert app.screen.view["id"] == decisions[2]["id"]
        trail = app.screen_stack[-2]
        assert trail.query_one("#filter-input").value == "kind:decision"


@pilot_test
async def test_keys_typed_behind_escape_in_the_filter_reach_the_trail(demo_db, make_app):
    """ "/zzz", escape, then "p" at once: the filter is cleared and p opens People, nothing typed into the filter."""
    from pmjournal.tui.screens.people import PeopleScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        burst(app, "{slash}zzz{escape}p")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        trail = app.screen_stack[-2]
        assert trail.query_one("#filter-input").value == ""
        assert trail.filter_text == ""


@pytest.mark.parametrize("key", ["t", "p"], ids=["trace", "people"])
@pilot_test
async def test_a_view_opened_and_closed_in_one_burst_then_the_trail_moves(demo_db, make_app, key):
    """t (or p), escape, j, j at once: the view takes the escape, the trail the two moves.
    (People's escape ran once the key had bubbled up, after the moves, which went to its table.)"""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        start = table.cursor
        burst(app, key + "{escape}jj")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen) and app.screen.table.cursor == start + 2)
        await pilot.pause(0.2)
        assert isinstance(app.screen, TrailScreen) and app.screen.table.cursor == start + 2


@pilot_test
async def test_links_and_enter_in_one_burst_jump_to_the_link(demo_db, make_app):
    """l then enter at once: the enter goes to the links list and jumps to the first link."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        view = next(v for v in table.visible_views() if v.get("links"))
        table.move_to(view["id"])
        await pilot.pause()
        burst(app, "l{enter}")
        await wait_for(pilot, lambda: table.current is not None and table.current["id"] == view["links"][0]["to"])


async def people_rows(pilot, app) -> list[dict]:
    """What People shows for the trail as it stands (opened and closed, key by key)."""
    from pmjournal.tui.screens.people import PeopleScreen

    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
    rows = app.screen.rows
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
    return rows


@pytest.mark.parametrize("keys, row", [("p{down}{enter}jj", 1), ("pjjjk{enter}jj", 2)], ids=["arrows", "j-and-k"])
@pilot_test
async def test_people_opened_and_a_person_chosen_in_one_burst(demo_db, make_app, keys, row):
    """p, down, enter, j, j at once: People takes the down and the enter, the filtered trail
    the moves. People used to be counted before it opened, so the down and the enter reached
    the trail beneath (moved it, opened the links). j and k move in People as in the trail."""
    from pmjournal.core.filter_syntax import with_person

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        chosen = (await people_rows(pilot, app))[row]["person"]
        burst(app, keys)
        await wait_for(pilot, lambda: app.screen is trail and trail.filter_text and trail.table.cursor == 2)
        await pilot.pause(0.2)
        assert trail.filter_text == with_person("", chosen)
        assert app.screen is trail and trail.table.cursor == 2  # the filtered trail, from its top


@pilot_test
async def test_due_opened_while_its_loops_are_counted_takes_the_keys_behind_u(demo_db, make_app, monkeypatch):
    """u, down, enter at once on a day the loops were not counted for (the app left open
    overnight; a 100k journal just opened): Due counts them once open, and the down and the
    enter are its, not the trail's."""
    from datetime import timedelta

    from pmjournal.core import dates
    from pmjournal.tui.screens.due import DueScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        tomorrow = dates.now() + timedelta(days=1)
        monkeypatch.setattr(dates, "now", lambda: tomorrow)
        await pilot.press("u")  # counted by the screen: the trail's loops are yesterday's
        await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
        second = app.screen.table_widget.loops[1].view["id"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is trail)
        burst(app, "u{down}{enter}")
        await wait_for(pilot, lambda: app.screen is trail and trail.table.current["id"] == second)
        await pilot.pause(0.2)
        assert app.screen is trail and trail.table.current["id"] == second


@pilot_test
async def test_backspace_in_the_filter_acts_where_it_was_typed(demo_db, make_app):
    """ "/kind:risk", then backspace and "vendor" in one burst reads "kind:risvendor": the
    backspace used to run once it had bubbled back up to the App, after the letters typed
    behind it, and took the last of them ("kind:riskvendo")."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, "{slash}kind:risk", lambda: app.screen.filter_text == "kind:risk")
        burst(app, "{backspace}vendor{left}{left}{backspace}X")
        await wait_for(pilot, lambda: app.screen.query_one("#filter-input").value.endswith("r"))
        await pilot.pause(0.2)
        assert app.screen.query_one("#filter-input").value == "kind:risvenXor"


@pilot_test
async def test_escape_read_with_the_letter_behind_it_as_alt_is_escape_then_the_letter(demo_db, make_app):
    """A terminal sends escape as ESC and alt+j as ESC j: escape then "j" typed together
    reach the app as alt+j. Trace used to stay open (nothing binds alt+j) and the j was
    lost; the app binds no alt+letter, so it is escape, then j."""
    from textual import events

    from pmjournal.tui.screens.trace import TraceScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        start = table.cursor
        burst(app, "t")
        await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
        app.post_message(events.Key("alt+j", "j"))  # what Textual's parser makes of ESC j
        burst(app, "j")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen) and table.cursor == start + 2)
        # in the filter: escape clears it and leaves (nothing was highlighted: the trail is back
        # at its top), the letter moves the trail
        burst(app, "{slash}zzz")
        await wait_for(pilot, lambda: app.screen.filter_text == "zzz")
        app.post_message(events.Key("alt+j", "j"))
        await wait_for(pilot, lambda: app.screen.filter_text == "" and app.focused is table and table.cursor == 1)
        assert app.screen.query_one("#filter-input").value == ""
        # escape then / (a new filter) on a filtered trail: the old filter goes, the new one is typed
        burst(app, "{slash}zzz{enter}")
        await wait_for(pilot, lambda: app.screen.filter_text == "zzz" and app.focused is table)
        app.post_message(events.Key("alt+slash", "/"))
        burst(app, "risk")
        await wait_for(pilot, lambda: app.screen.filter_text == "risk")


@pilot_test
async def test_an_alt_key_the_keymap_binds_stays_that_key(demo_db, make_app):
    from textual import events

    from pmjournal.tui.screens.people import PeopleScreen

    app = make_app(demo_db, keymap={"people": "alt+o"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.post_message(events.Key("alt+o", "o"))
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)


async def opened_due(app, pilot):
    """The trail up, then `u`: the Due view, its loops counted."""
    from pmjournal.tui.screens.due import DueScreen

    await loaded(pilot)
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
    return app.screen


@pilot_test
async def test_done_typed_behind_a_move_in_due_is_for_the_loop_moved_to(demo_db, make_app):
    """u, down, d at once: the Done dialog is for the second loop (d has priority, and ran
    before the table had taken the down typed before it)."""
    from pmjournal.tui.forms.done import DoneDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        second = (await opened_due(app, pilot)).table_widget.loops[1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        burst(app, "u{down}d")
        await wait_for(pilot, lambda: isinstance(app.screen, DoneDialog))
        assert app.screen.loop.key == second.key and app.screen.loop.view["id"] == second.view["id"]


@pilot_test
async def test_a_slash_typed_in_the_filter_is_text(demo_db, make_app):
    """ "/" opens the filter; inside it, "/" is a character ("go/no-go" read "gono-go")."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, "{slash}go{slash}no-go", lambda: app.screen.filter_text == "go/no-go")
        await pilot.press("slash", "x")
        await wait_for(pilot, lambda: app.screen.filter_text == "go/no-go/x")


@pytest.mark.parametrize("opener", ["d", "e", "x", "?"])
@pilot_test
async def test_keys_typed_right_after_the_escape_that_closes_a_screen_act_on_the_trail(demo_db, make_app, opener):
    """`escape up a` in one burst closed the form, dialog or help and lost the move and the
    amend: escape waited in the closing screen's queue while the App gave it the keys after it."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        trail = app.screen
        trail.table.move_to(trail.table.visible_views()[3]["id"])
        above = trail.table.visible_views()[2]["id"]
        burst(app, opener)
        await wait_for(pilot, lambda: app.screen is not trail and getattr(app.screen, "ready", True))
        burst(app, "{escape}{up}a")
        await wait_for(pilot, lambda: isinstance(app.screen, AmendForm))
        assert app.screen.view["id"] == above


async def decision_form_opened(app, pilot):
    """The trail loaded and `d`'s form open, ready: (the trail, the form)."""
    await loaded(pilot)
    trail = app.screen
    burst(app, "d")
    await wait_for(pilot, lambda: app.screen is not trail and app.screen.ready)
    return trail, app.screen


@pilot_test
async def test_escape_then_y_answers_the_discard_question(demo_db, make_app):
    """`escape y` typed at once put the y in the title and left the question up."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        trail, _form = await decision_form_opened(app, pilot)
        before = len(Journal(demo_db).records())
        burst(app, "abc{escape}y")
        await wait_for(pilot, lambda: app.screen is trail)
        assert len(Journal(demo_db).records()) == before


@pilot_test
async def test_a_link_found_by_title_is_picked_in_one_burst(journal):
    """`friday down enter` typed at once picked nothing: down came before the matches were
    listed, and enter reached the field, not the list."""
    first = seed_people(journal)
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Launch slipped" + tabs_to(app.screen, "f-link-caused_by") + "friday{down}{enter}{ctrl+s}")
        record = await saved(pilot, app)
    assert record["links"] == [{"rel": "caused_by", "to": first["id"]}]


@pilot_test
async def test_a_filter_then_moves_typed_at_once_start_from_the_top(demo_db, make_app):
    """From a risk on row 11, `/kind:decision enter j j a` typed at once amended the decision on
    row 11 of the decisions, not the third: the cursor kept its row number when the filter
    hid the highlighted entry."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        trail = app.screen
        risk = next(i for i, v in enumerate(trail.table.visible_views()) if v["kind"] == "risk" and i > 5)
        trail.table.cursor = risk
        burst(app, "{slash}kind:decision{enter}jja")
        await wait_for(pilot, lambda: isinstance(app.screen, AmendForm))
        third = trail.table.visible_views()[2]
        assert third["kind"] == "decision" and app.screen.view["id"] == third["id"]


@pytest.mark.parametrize(("moves", "picked"), [("{down}{down}{down}", "18"), ("{down}{down}{down}{up}", "19")])
@pilot_test
async def test_a_later_link_match_is_picked_in_one_burst(journal, moves, picked):
    """`down down down enter` typed at once picked the first match: every down reached the
    field before the list had the focus, and each highlighted the first match again."""
    for day in ("2026-11-18 09:00", "2026-11-19 09:00", "2026-11-20 09:00"):
        journal.add("decision", {"title": f"Freeze launch {day[8:10]}", "occurred_at": day, "owner": "Ann"})
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "Launch slipped" + tabs_to(app.screen, "f-link-caused_by") + "freeze" + moves + "{enter}{ctrl+s}")
        record = await saved(pilot, app)
    titles = {r["id"]: r["title"] for r in journal.records()}
    assert [titles[r["to"]] for r in record["links"]] == [f"Freeze launch {picked}"]


@pytest.mark.parametrize(("key", "screen"), [("p", "PeopleScreen"), ("e", "ExportDialog"), ("u", "DueScreen")])
@pilot_test
async def test_escape_on_a_filtered_trail_then_a_view_key_clears_the_filter_first(demo_db, make_app, key, screen):
    """On the trail (not in the filter), escape and `p` typed at once: People opened counting the
    filtered trail and the filter stayed, because `p` runs as the App reads it and escape waited
    in the trail's queue. Escape on the trail runs as the App reads it too, in order."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        trail.set_filter("kind:decision")
        trail.table.focus()
        await pilot.pause()
        await wait_for(pilot, lambda: trail.filter_text == "kind:decision")
        burst(app, "{escape}" + key)
        await wait_for(pilot, lambda: type(app.screen).__name__ == screen)
        assert trail.filter_text == ""


@pilot_test
async def test_links_picked_in_two_fields_in_one_burst_stay_in_their_fields(journal):
    """`load ↓ enter tab launch ↓ enter` typed at once: the first pick went into Relates to, the
    field typed in by the time the list's message was read."""
    first = journal.add("decision", {"title": "Cut load tests", "owner": "Ann"})
    second = journal.add("decision", {"title": "Move the launch", "owner": "Ann"})
    app = new_form(journal, "incident")
    async with app.run_test(size=SIZE) as pilot:
        burst(
            app,
            "Outage" + tabs_to(app.screen, "f-link-caused_by") + "load{down}{enter}{tab}launch{down}{enter}{ctrl+s}",
        )
        record = await saved(pilot, app)
    assert record["links"] == [{"rel": "caused_by", "to": first["id"]}, {"rel": "relates", "to": second["id"]}]


@pilot_test
async def test_a_choice_made_in_a_dropdown_in_one_burst_is_kept(journal):
    """enter down down enter on a dropdown, then tab and a name, in one burst: the list opened
    after the keys meant for it had run the dropdown's own "open" again, so the choice was
    lost and the list stayed open over the form, the keys after it landing unseen (a helper's
    tmux trial: the channel saved as none)."""
    app = new_form(journal, "communication")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        burst(app, "Told Acme" + tabs_to(screen, "f-channel") + "{enter}{down}{down}{enter}{tab}Dana Whitfield")
        await wait_for(pilot, lambda: field(screen, "participants").value == "Dana Whitfield")
        assert field(screen, "channel").value == "email"
        assert not field(screen, "channel").expanded
        burst(app, "{ctrl+s}")
        record = await saved(pilot, app)
    assert record["channel"] == "email" and record["participants"] == ["Dana Whitfield"]


@pilot_test
async def test_escape_then_n_keeps_editing_with_the_keys_typed_after_it(demo_db, make_app):
    """`escape n` then more keys, typed at once: the question closed (keep editing) and every
    key after n was lost (a helper's tmux trial: the title stayed "abc")."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        _trail, form = await decision_form_opened(app, pilot)
        burst(app, "abc{escape}nxyz")
        await wait_for(pilot, lambda: field(form, "title").value == "abcxyz")
        assert app.screen is form


@pilot_test
async def test_keys_typed_after_tab_reach_the_detail_pane_and_scroll_it_key_by_key(demo_db, make_app):
    """Tab then page down typed at once moved the trail a page (the highlighted entry changed
    unseen, for an `a` or `x` after it); five downs at once in the detail pane scrolled it one
    line (a helper's tmux trial)."""
    from pmjournal.tui.widgets.entry_detail import EntryDetail

    app = make_app(demo_db)
    async with app.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        trail = app.screen
        await wait_for(pilot, lambda: trail.table.current is not None)
        first = trail.table.current["id"]
        burst(app, "{tab}{pagedown}")
        detail = trail.query_one(EntryDetail)
        await wait_for(pilot, lambda: detail.scroll_y > 0)
        assert trail.table.current["id"] == first
        burst(app, "{home}{down}{down}{down}{down}{down}")
        await wait_for(pilot, lambda: detail.scroll_y == 5)
        await pilot.pause(0.2)
        assert detail.scroll_y == 5 and trail.table.current["id"] == first


@pilot_test
async def test_what_is_typed_after_a_dropdown_choice_and_tab_goes_to_the_next_field(journal):
    """enter down down enter tab, then a moment later a name: tab moved the focus on before the
    dropdown had handled the keys before it; handling them took the focus back (Textual focuses
    the list, then the dropdown, later, in the App's queue), and the name went to the dropdown
    (a tmux trial: the participants were not saved)."""
    app = new_form(journal, "communication")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        burst(app, "Told Acme" + tabs_to(screen, "f-channel") + "{enter}{down}{down}{enter}{tab}")
        await pilot.pause(0.3)
        assert app.focused is field(screen, "participants")
        burst(app, "Dana Whitfield{ctrl+s}")
        record = await saved(pilot, app)
    assert record["channel"] == "email" and record["participants"] == ["Dana Whitfield"]


# -- enter in a dialog, and what is typed behind it --------------------------------


@pilot_test
async def test_retract_reason_enter_and_y_in_one_burst_retract_with_the_reason_typed(demo_db, make_app):
    """`x`, a reason, enter, y at once: the y went into the reason field before enter was
    handled, the question stayed open, and the next y recorded "wrong entryy" (a helper's
    tmux trial). Enter now runs once the reason holds what was typed before it, and the y
    answers the question it asked."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_id = app.screen.table.current["id"]
        await trail_burst(pilot, app, "xwrong entry{enter}y", lambda: Journal(demo_db).get(entry_id)["retracted"])
        assert isinstance(app.screen, TrailScreen)
    assert Journal(demo_db).get(entry_id)["retracted"]["reason"] == "wrong entry"


@pilot_test
async def test_export_path_enter_and_y_over_a_file_overwrite_that_file(demo_db, make_app, tmp_path):
    """`e`, a path, enter, y: the y was typed into the path, and the export written to "r-out.mdy"
    without the question (a helper's tmux trial)."""
    target = tmp_path / "r-out.md"
    target.write_text("old")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(pilot, app, f"e{{ctrl+u}}{target}{{enter}}y", lambda: target.read_text() != "old")
        assert isinstance(app.screen, TrailScreen)
    assert target.read_text().startswith("# Evidence trail")
    assert not (tmp_path / "r-out.mdy").exists()


@pilot_test
async def test_done_dialog_fields_moved_through_with_enter_in_one_burst(demo_db, make_app):
    """In the Done dialog, `when enter by enter note enter` at once put "LeeLee said yes" into
    When; `note enter j` recorded "notej" (a helper's tmux trial): the j after the last enter is
    no part of the note."""
    from pmjournal.tui.forms.done import DoneDialog
    from pmjournal.tui.screens.due import DueScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        loop = (await opened_due(app, pilot)).table_widget.loops[0]
        before = len(Journal(demo_db).records())
        by = loop.owes[-1]  # (an escalation's answer comes from someone it was raised to)
        burst(app, "d{ctrl+u}yesterday 11:00{enter}{ctrl+u}" + by + "{enter}Lee said yes{enter}j")
        await wait_for(pilot, lambda: len(Journal(demo_db).records()) == before + 1, timeout=10)
        await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and not isinstance(app.screen, DoneDialog))
        await pilot.pause(0.2)
    record = Journal(demo_db).records()[-1]
    assert (record["target"], record["by"], record["note"]) == (loop.view["id"], by, "Lee said yes")
    assert record["occurred_at"][11:16] == "11:00"


@pilot_test
async def test_keys_typed_behind_ctrl_s_reach_the_trail_the_form_closes_onto(demo_db, make_app):
    """`a`, a title, ctrl+s, j j: saved, but the j's went to the closing form and the trail
    never moved (a helper's tmux trial)."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        start = table.cursor
        entry_id = table.current["id"]
        await trail_burst(
            pilot,
            app,
            "aclearer title{shift+tab}clarify the target{ctrl+s}jj",
            lambda: isinstance(app.screen, TrailScreen) and Journal(demo_db).get(entry_id)["title"] == "clearer title",
        )
        await wait_for(pilot, lambda: app.screen.table.cursor == start + 2)
    assert Journal(demo_db).get(entry_id)["title"] == "clearer title"


@pilot_test
async def test_a_command_typed_straight_after_ctrl_p_goes_into_the_palette(demo_db, make_app):
    """`ctrl+p export` in one burst (a slow SSH link): the letters reached the trail while the
    palette opened: e opened the export dialog and 'xport' went into its path; `ctrl+p
    language` opened an amend form with its title replaced (a user trial in tmux)."""
    from textual.command import CommandInput, CommandPalette

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await trail_burst(
            pilot,
            app,
            "{ctrl+p}language",
            lambda: isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandInput).value == "language",
        )
        assert len(app.screen_stack) == 2  # the trail and the palette: nothing else opened


@pilot_test
async def test_joiners_typed_into_a_title_and_the_body_are_saved(journal):
    """U+200D (👩‍💻's joiner) and U+200C (Persian's non-joiner) are not isprintable(), and
    Textual dropped them as typed: 👩‍💻 was saved as 👩💻 (a user trial); a paste kept them."""
    app = new_form(journal, "decision")
    title, owner, body = "Dev 👩\u200d💻 م\u200cم", "Ana Bel", "rainbow 🏳️\u200d🌈"
    async with app.run_test(size=SIZE) as pilot:
        burst(app, title + tabs_to(app.screen, "f-owner") + owner)
        await pilot.pause()
        burst(app, tabs_to(app.screen, "f-body") + body + "{ctrl+s}")
        record = await saved(pilot, app)
    assert (record["title"], record["owner"], record["body"]) == (title, owner, body)


@pytest.mark.parametrize(
    "keys",
    [
        "a" + "corrected title{tab}{tab}Lee{ctrl+s}",  # on a retracted entry: `c` opened a change form, ctrl+s saved it
        "xmistake{enter}y",  # `m` opened a communication form titled "istakey"
    ],
)
@pilot_test
async def test_keys_typed_behind_a_refused_key_are_dropped(demo_db, make_app, keys):
    """`a` or `x` refused at the key (the entry is retracted): the keys typed behind it, meant
    for the form it did not open, ran on the trail as its own keys and recorded an entry."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        trail, gone = await on_a_retracted_entry(pilot)
        before = len(Journal(demo_db, user="Pat PM"))
        burst(app, keys)
        await wait_for(pilot, lambda: any("retracted" in str(n.message) for n in app._notifications))
        await pilot.pause(0.5)
        assert app.screen is trail and trail.filter_text == ""
        assert trail.table.current["id"] == gone["id"]
        assert len(Journal(demo_db, user="Pat PM")) == before
        await pilot.press("j")  # typed once the refusal could be read: a trail key again
        assert trail.table.current["id"] != gone["id"]


@pilot_test
async def test_keys_typed_behind_a_ctrl_s_that_did_not_save_are_dropped(demo_db, make_app):
    """`d`, a title, ctrl+s (the owner is missing), `j j`: the j's, meant for the trail the form
    would have closed onto, were typed into the title ("No ownerjj")."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        burst(app, "dNo owner{ctrl+s}jj")

        def refused() -> bool:
            return any("needs an owner" in str(label.content) for label in app.screen.query(".pm-error").results(Label) if label.display)

        await wait_for(pilot, refused)
        await pilot.pause(0.5)
        assert field(app.screen, "title").value == "No owner"


@pytest.mark.parametrize("form", [False, True])
@pilot_test
async def test_two_enters_in_the_palette_run_the_command_once(demo_db, make_app, form):
    """`ctrl+p help enter enter` in one burst: Textual's palette ran the command and dismissed
    itself at each enter; the second took the screen below with it: an open form and its text,
    without a word, or on the trail the app itself (ScreenStackError, a user trial)."""
    from tuihelp import palette_shows

    from pmjournal.tui.forms import EntryForm
    from pmjournal.tui.screens.help import HelpScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        if form:
            burst(app, "dhalf typed")
            await wait_for(pilot, lambda: isinstance(app.screen, EntryForm) and field(app.screen, "title").value == "half typed")
        below = app.screen
        burst(app, "{ctrl+p}help")
        await wait_for(pilot, palette_shows(app, "Help"))
        burst(app, "{enter}{enter}")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.3)
        assert app.screen_stack[-2] is below and isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is below)
        if form:
            assert field(below, "title").value == "half typed"


@pytest.mark.parametrize("keys", ["dabc{ctrl+q}", "{ctrl+q}"])
@pilot_test
async def test_ctrl_q_typed_behind_text_asks_before_quitting(demo_db, make_app, keys):
    """`d abc ctrl+q` in one burst quit at once, without the question ctrl+q asks of a form
    with text in it, and the text was lost: ctrl+q looked before the form had taken it in."""
    from pmjournal.tui.forms import EntryForm
    from pmjournal.tui.forms.confirm import ConfirmDialog

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        if keys == "{ctrl+q}":  # the form open and settled first, then text and ctrl+q at once
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, EntryForm) and app.screen.ready)
            keys = "abc{ctrl+q}"
        burst(app, keys)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) or app._exit_renderables or not app.is_running)
        assert isinstance(app.screen, ConfirmDialog) and app.is_running
        await pilot.press("escape")  # keep editing
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))
        assert field(app.screen, "title").value == "abc"


@pilot_test
async def test_an_enter_typed_behind_a_command_waits_for_its_search(demo_db, make_app, monkeypatch):
    """`ctrl+p decision enter enter` in one burst chose from the list shown before the search
    for "decision" was in (a user trial: Amend #10); typed slowly it opens a new decision. The
    search is slowed here as a busy machine slowed it there."""
    from textual.command import CommandPalette

    from pmjournal.tui.forms import EntryForm

    searched = CommandPalette._search_for

    async def slowly(self, search_value):
        if search_value:
            await asyncio.sleep(0.5)
        async for hit in searched(self, search_value):
            yield hit

    monkeypatch.setattr(CommandPalette, "_search_for", slowly)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        burst(app, "{ctrl+p}decision{enter}{enter}")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm) or type(app.screen).__name__ == "AmendForm", timeout=10)
        assert isinstance(app.screen, EntryForm) and app.screen.kind == "decision"


@pilot_test
async def test_a_refused_save_typed_ahead_shows_the_field_with_the_error_in_a_small_window(demo_db, make_app):
    """At 60x20, a form typed in one burst down to a field far below and saved: the save was
    refused for a field near the top, whose row the form then left above its window (a scroll
    still gliding to where the typing had moved the focus ended after the one to the error)."""
    from pmjournal.tui.forms.fields import FieldRow

    app = make_app(demo_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        burst(app, "dValid title{tab}march{tab}Ann" + "{tab}" * 7 + "rationale only{ctrl+s}")

        def refused():
            return [row for row in app.screen.query(FieldRow) if row._error]

        await wait_for(pilot, lambda: refused() and app.focused is not None and app.focused.id == "f-occurred_at")
        (row,) = refused()
        window = app.screen.query_one(".pm-fields").region
        # Where every glide ends: a fixed second was too short on a loaded machine (a run of the
        # suite with three workers on two cores); a row left above the window stays there.
        with contextlib.suppress(AssertionError):  # (wait_for's time-out: the assert below says it)
            await wait_for(pilot, lambda: window.contains_region(row.region), timeout=5)
        assert row.field.name == "occurred_at" and window.contains_region(row.region), (row.region, window)


@pytest.mark.parametrize("size", [(60, 20), (70, 30), (80, 24)])
@pilot_test
async def test_the_help_screen_cuts_no_key_at_a_small_size(demo_db, make_app, size):
    """At 60 columns the Key column showed "up/d…", "pgup…", "home…": the ids took their width
    and the keys what the actions left. A key wraps at a space now, and is never cut."""
    from pmjournal.tui.screens.help import HelpScreen

    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        body = app.screen.query_one("#help-body")
        lines = []
        for _ in range(12):  # page through it
            await pilot.pause()
            lines += [strip.text for strip in app.screen._compositor.render_strips()]
            body.scroll_page_down(animate=False)
        assert not any("…" in line for line in lines), [line for line in lines if "…" in line]
        assert any("up/down" in line for line in lines)
        # below 80 columns the ids give the actions their width, and the hint says where they are
        text = "\n".join(lines)
        assert ("new_decision" in text) == (size[0] >= 80)
        assert ("[keymap] show" in text) == (size[0] < 80)


@pilot_test
async def test_a_dialog_taller_than_the_window_scrolls_to_its_error(demo_db, make_app, tmp_path):
    """At 60x16 the export dialog's error and its hint were cut off: enter on a folder
    seemed to do nothing."""
    app = make_app(demo_db)
    async with app.run_test(size=(60, 16)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        path = dialog.query_one("#f-path")
        path.focus()
        path.value = str(tmp_path)
        await pilot.press("enter")
        label = dialog.query_one("#error", Label)
        await wait_for(pilot, lambda: "is a folder" in str(label.render()))
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert app.screen.region.contains_region(label.region) and label.region.height, (label.region, app.screen.region)
        box = dialog.query_one(".pm-box")
        assert box.region.contains_region(label.region), (label.region, box.region)


@pilot_test
async def test_enter_in_a_one_line_field_goes_on_to_the_next_and_a_text_area_keeps_its_lines(demo_db, make_app):
    """Enter did nothing in a one-line field, so the next line typed ran on into it: two
    participants typed a line each were saved as one person. It goes on to the next field now,
    as tab does; in a multi-line field it still starts a new line."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        burst(app, "mSync call{tab}{tab}Ann{enter}Bob{ctrl+s}")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen) and app.screen.table.current.get("title") == "Sync call")
        burst(app, "dPick one{tab}{tab}Ann" + "{tab}" * 6 + "first{enter}second{ctrl+s}")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen) and app.screen.table.current.get("title") == "Pick one")
    views = {v["title"]: v for v in Journal(demo_db).views.values()}
    assert views["Sync call"]["owner"] == "Ann" and views["Sync call"]["requested_by"] == ["Bob"]
    assert views["Pick one"]["options"] == ["first", "second"], views["Pick one"]
