"""Text rules in the TUI: the detail pane shows control characters an old journal
holds instead of sending them; the People view warns about look-alike names."""

from textual.widgets import DataTable
from tuihelp import SIZE, each_case, loaded, pilot_test, static_text, wait_for

from pmjournal.core.store import Journal
from pmjournal.tui.screens.people import PeopleScreen


def _old_records(db) -> None:
    Journal(db, user="Pat PM").append_raw(
        [
            {
                "kind": "decision",
                "id": "01JOLD0000000000000000000A",
                "title": "x\x1b[31mred",
                "owner": "Dana",
                "occurred_at": "2026-10-01T10:00:00+08:00",
                "recorded_at": "2026-10-01T02:30:00.000+00:00",
                "recorded_by": "Pat\x1b[2J",
                "body": "body \x1b]0;pwned\x07 end",
                "evidence": ["JIRA-1\x9b8m"],
                "status": "accepted",
            },
            {
                "kind": "decision",
                "id": "01JOLD0000000000000000000B",
                "title": "look-alike",
                "owner": "D\u0430na",  # Cyrillic а
                "occurred_at": "2026-10-02T10:00:00+08:00",
                "recorded_at": "2026-10-02T02:30:00.000+00:00",
                "recorded_by": "Pat PM",
                "status": "accepted",
            },
            {
                "kind": "amendment",
                "id": "01JOLD0000000000000000000C",
                "target": "01JOLD0000000000000000000A",
                "changes": {"status": "rejected"},
                "reason": "wrong \x1b[8mhidden",
                "recorded_at": "2026-10-03T02:30:00.000+00:00",
                "recorded_by": "Pat PM",
            },
        ]
    )


async def detail_shows_control_characters_instead_of_sending_them(app, pilot):
    screen = app.screen
    screen.table.move_to("01JOLD0000000000000000000A")
    await pilot.pause()
    main = static_text(screen, "#detail-main")
    history = static_text(screen, "#detail-history")
    for text in (main, history):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, text
    assert "x␛[31mred" in main and "Pat␛[2J" in main and "body ␛]0;pwned␇ end" in main
    assert "JIRA-1<U+009B>8m" in history and "wrong ␛[8mhidden" in history


async def people_view_warns_about_look_alike_names(app, pilot):
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
    people = app.screen
    names = [str(people.query_one(DataTable).get_row_at(i)[0]) for i in range(people.query_one(DataTable).row_count)]
    assert "Dana" in names and "D\u0430na" in names
    warning = static_text(people, "#people-look-alikes")
    assert "look alike" in warning and "U+0430 CYRILLIC SMALL LETTER A" in warning


@pilot_test
async def test_people_view_has_no_warning_when_names_differ(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        assert not app.screen.query_one("#people-look-alikes").display


@pilot_test
async def test_an_old_journals_text_in_the_detail_and_the_people_view(db, make_app):
    """The detail pane, then the People view, of the same old records in one app."""
    _old_records(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await each_case(
            app, pilot, [detail_shows_control_characters_instead_of_sending_them, people_view_warns_about_look_alike_names]
        )
