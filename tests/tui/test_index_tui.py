"""The TUI paged from the index (core/index/paging.py) shows what it shows with the journal
loaded whole (PMJOURNAL_INDEX=off): the trail, filters, the People and Due views and the
detail pane, on the same journal; records another process appends appear; `G` and a jump
reach rows the snapshot never read."""

from pathlib import Path

import pytest
from textual.widgets import OptionList
from tuihelp import REF, SIZE, loaded, pilot_test, static_text, typed, wait_for

from pmjournal.core.demo import write_demo
from pmjournal.core.index import paging
from pmjournal.core.index.paging import PagedIndex
from pmjournal.core.store import Journal
from pmjournal.tui.screens.due import DueScreen
from pmjournal.tui.screens.people import PeopleScreen

FILTERS = [
    "",
    "kind:decision",
    "launch",
    "@marcus",
    "#launch since:2026-10-01",
    "kind:risk -",
    "zzzz",
    "pricing kind:change",
    "retracted:no",
    "retracted:no launch",
    "role:owner @dana",
    "author:pat",
    "la",
]
PEOPLE_OF = ("launch", "retracted:no", "@marcus")


def amended_demo(db) -> Journal:
    """The demo, then amendments, a retraction and a closed loop (what a fold changes)."""
    journal = Journal(db, user="Pat PM")
    write_demo(journal, ref=REF)
    views = list(journal.views.values())
    journal.amend(views[3]["id"], {"title": "Renamed after review"}, "a clearer title")
    journal.amend(views[10]["id"], {"owner": "Someone New"}, "handed over")
    journal.retract(views[20]["id"], "recorded twice")
    journal.add("note", {"title": "Launch retro notes", "owner": "Marcus Chen"})
    return journal


def index_off(monkeypatch, off: bool) -> None:
    """The app about to start reads the journal loaded whole (off) or paged from its index."""
    if off:
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
    else:
        monkeypatch.delenv("PMJOURNAL_INDEX", raising=False)


def filter_status(screen) -> str:
    return static_text(screen, "#filter-status")


def detail_text(screen) -> str:
    links = screen.query_one("#detail-links", OptionList)
    prompts = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
    text = "\n".join([static_text(screen, "#detail-main"), *prompts, static_text(screen, "#detail-history")])
    # Not the padding: the pane's scrollbar comes and goes with the layout's timing.
    return "\n".join(line.rstrip() for line in text.splitlines())


async def capture(app, pilot) -> dict:
    """Everything the tests compare, from a running app."""
    await loaded(pilot)
    screen = app.screen
    table = screen.table
    out: dict = {"paged": isinstance(screen.snapshot.index, PagedIndex)}
    for text in FILTERS:
        screen.set_filter(text)
        assert not screen._filtering, text  # searched at once at this size: the rows and the status are in
        out[f"rows {text}"] = [table.cells(row) for row in range(table.row_count)]
        out[f"status {text}"] = filter_status(screen)
        if text in PEOPLE_OF:
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
            out[f"people {text}"] = app.screen.rows
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
    screen.set_filter("")
    await pilot.pause()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
    out["people"] = app.screen.rows
    await pilot.press("escape")
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
    due = app.screen.table_widget
    out["due"] = [due.cells(row) for row in range(due.row_count)]
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is screen)
    for row in (0, 3, 11, 25, table.row_count - 1):
        table.cursor = row
        await pilot.pause()
        await pilot.pause(0.05)
        out[f"detail {row}"] = detail_text(screen)
    return out


@pilot_test
async def test_the_index_shows_what_the_loaded_journal_shows(db, make_app, monkeypatch):
    amended_demo(db)
    seen = []
    for off in (True, False):
        index_off(monkeypatch, off)
        app = make_app(db)
        async with app.run_test(size=SIZE) as pilot:
            seen.append(await capture(app, pilot))
    loaded_whole, indexed = seen
    assert not loaded_whole.pop("paged") and indexed.pop("paged")
    assert indexed["rows "] and indexed["people"] and indexed["due"] and all(indexed[f"people {t}"] for t in PEOPLE_OF)
    assert len(indexed["rows retracted:no"]) < len(indexed["rows "])
    assert len(indexed["rows kind:decision"]) < len(indexed["rows "])
    for key, value in loaded_whole.items():
        assert indexed[key] == value, key


@pilot_test
async def test_a_record_another_process_appends_appears(db, make_app):
    amended_demo(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert screen.snapshot.paged is not None
        before = len(screen.snapshot.index)
        other = Journal(db, user="Dana Whitfield")  # another terminal
        other.add("decision", {"title": "Added elsewhere", "owner": "Dana Whitfield"})
        await wait_for(pilot, lambda: len(screen.snapshot.index) == before + 1)
        await wait_for(pilot, lambda: screen.settled)
        assert screen.table.view(0)["title"] == "Added elsewhere"
        assert screen.snapshot.paged.patched  # the new entry put on top of the order held
        screen.set_filter("elsewhere")
        await pilot.pause()
        assert [screen.table.view(r)["title"] for r in range(screen.table.row_count)] == ["Added elsewhere"]
        # An amendment by the other process shows in the detail pane.
        other.amend(screen.table.current["id"], {"title": "Amended elsewhere"}, "typo")
        await wait_for(pilot, lambda: screen.table.current and screen.table.current["title"] == "Amended elsewhere")


@pilot_test
async def test_the_end_and_a_jump_reach_rows_never_read(db, make_app, monkeypatch):
    monkeypatch.setattr(paging, "CACHE", 300)  # so the rows far apart are never all held
    bodies = [
        {
            "title": f"note {n}",
            "owner": "Dana Whitfield",
            "occurred_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+08:00",
        }
        for n in range(3000)
    ]
    journal = Journal(db, user="Pat PM")
    journal.append_raw([journal._stamp(journal.prepare("note", body)) for body in bodies])
    loaded_order = [v["id"] for v in sorted(journal.views.values(), key=lambda v: (v["occurred_at"], v["seq"]), reverse=True)]
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        table = screen.table
        paged = screen.snapshot.paged
        assert paged is not None and table.row_count == 3000
        assert shown_ids(table) == loaded_order  # every row, in the loaded journal's order
        await pilot.press("G")
        assert table.cursor == 2999 and table.current["id"] == loaded_order[-1]
        await pilot.press("k")
        assert table.current["id"] == loaded_order[-2]
        await pilot.press("g")
        assert table.cursor == 0 and table.current["id"] == loaded_order[0]
        screen.jump_to(loaded_order[1500])
        await pilot.pause()
        assert table.cursor == 1500 and table.current["id"] == loaded_order[1500]
        assert len(paged._views) <= 300
        # A filter's rows, then a jump to an entry it hides: the filter is cleared.
        screen.set_filter("note 29")
        await pilot.pause()
        shown = sorted(table.view(r)["title"] for r in range(table.row_count))
        assert shown == sorted(b["title"] for b in bodies if "29" in b["title"])  # both words, anywhere
        screen.jump_to(loaded_order[7])
        await pilot.pause()
        assert screen.filter_text == "" and table.current["id"] == loaded_order[7]


def shown_ids(table) -> list[str]:
    return [table.view(row)["id"] for row in range(table.row_count)]


def newest_first(journal) -> list[str]:
    views = Journal(journal.path, user="x").views.values()
    return [v["id"] for v in sorted(views, key=lambda v: (v["occurred_at"], v["seq"]), reverse=True)]


@pilot_test
async def test_an_amendment_that_moves_an_entry_reorders_the_trail(db, make_app):
    journal = amended_demo(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        table = screen.table
        assert shown_ids(table) == newest_first(journal)
        middle = table.view(12)
        journal.amend(middle["id"], {"occurred_at": "2020-01-02T09:00:00+08:00"}, "the date was wrong")
        await wait_for(pilot, lambda: table.view(table.row_count - 1)["id"] == middle["id"])
        assert not screen.snapshot.paged.patched  # read again: an old entry moved
        assert shown_ids(table) == newest_first(journal)
        journal.amend(table.view(5)["id"], {"title": "Only the title"}, "wording")
        await wait_for(pilot, lambda: table.view(5)["title"] == "Only the title")
        assert screen.snapshot.paged.patched and shown_ids(table) == newest_first(journal)


@pilot_test
async def test_a_large_journals_filter_is_searched_in_a_worker(db, make_app, monkeypatch):
    """From BACKGROUND_ROWS entries a search the index has not answered runs in a worker; the
    trail then shows what the same filter shows at once on a smaller journal."""
    from pmjournal.tui.screens import trail

    amended_demo(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        at_once = {}
        for text in FILTERS:
            screen.set_filter(text)
            at_once[text] = shown_ids(screen.table)
        screen.set_filter("")
        monkeypatch.setattr(trail, "BACKGROUND_ROWS", 0)
        screen.snapshot.index._recent.clear()
        await typed(
            pilot, "{slash}kind:decision launch", lambda: not screen._filtering and screen.filter_text == "kind:decision launch"
        )
        assert shown_ids(screen.table) == [v for v in at_once["kind:decision"] if v in set(at_once["launch"])]
        for text in FILTERS:
            screen.snapshot.index._recent.clear()
            screen.set_filter(text)
            await wait_for(pilot, lambda: not screen._filtering)
            assert shown_ids(screen.table) == at_once[text], text


def searched_when_released(monkeypatch, screen):
    """Every search runs in a worker, shows its top (the newest 12 rows) at once, and finishes
    only once the Event returned is set."""
    import threading

    from pmjournal.tui.screens import trail

    monkeypatch.setattr(trail, "BACKGROUND_ROWS", 0)
    monkeypatch.setattr(paging, "QUICK_ROWS", 12)
    release = threading.Event()
    search = paging.Paged.search_hits

    def held(self, filt, stale=None):
        release.wait(10)
        return search(self, filt, stale)

    monkeypatch.setattr(paging.Paged, "search_hits", held)
    screen.snapshot.index._recent.clear()
    return release


@pilot_test
async def test_the_top_of_a_large_journals_search_shows_before_the_search_ends(db, make_app, monkeypatch):
    """While the worker searches, what the filter selects among the newest rows is shown at once
    (the top of its answer, the count marked as unfinished); then the whole answer, the cursor
    where the user left it: an older highlighted entry the top did not hold is highlighted again
    (the top put the cursor on its first row, and the whole answer left it there)."""
    amended_demo(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        screen.set_filter("launch")
        want = shown_ids(screen.table)
        screen.set_filter("")
        newest = set(shown_ids(screen.table)[:12])
        old = next(i for i in reversed(want) if i not in newest)
        screen.table.move_to(old)
        release = searched_when_released(monkeypatch, screen)
        await typed(pilot, "{slash}launch", lambda: screen.shown_text == "launch")
        top = shown_ids(screen.table)
        assert screen._filtering and top == [i for i in want if i in newest] and 0 < len(top) < len(want)
        assert f"{len(top)}… of " in static_text(screen, "#filter-status")
        release.set()
        await wait_for(pilot, lambda: not screen._filtering)
        assert shown_ids(screen.table) == want and screen.table.current["id"] == old
        assert f"{len(want)} of " in static_text(screen, "#filter-status")


def test_a_snapshot_reads_one_state_of_the_index_on_both_connections(db):
    """The UI's connection and the workers' read the same transaction: what another process
    appends after the snapshot was taken is in neither, until the snapshot is released."""
    from pmjournal.core.filter_syntax import parse
    from pmjournal.core.index import open_index, schema
    from pmjournal.core.index.paging import Paged, PagedIndex, PagedViews

    journal = amended_demo(db)
    open_index(journal).close()
    paged = Paged(schema.path_of(db))
    assert paged.work is not paged.db
    index, views = PagedIndex(paged), PagedViews(paged)
    before = len(index)
    other = Journal(db, user="Dana Whitfield")
    added = other.add("decision", {"title": "Written meanwhile", "owner": "Dana Whitfield", "review_by": "2027-01-15"})
    open_index(other).close()  # the index caught up and committed
    assert index.search("meanwhile", parse("meanwhile").filter) == array_of([])
    assert added["id"] not in paged.loop_views() and views.get(added["id"]) is None
    assert len(index) == before and paged.count(parse("").filter) == before
    later = Paged(schema.path_of(db), previous=paged)
    assert later.patched and len(later.vids) == before + 1
    assert list(PagedIndex(later).search("meanwhile", parse("meanwhile").filter)) == [0]
    assert added["id"] in later.loop_views() and PagedViews(later)[added["id"]]["title"] == "Written meanwhile"
    paged.release()


def array_of(rows):
    from array import array

    return array("q", rows)


@pilot_test
async def test_a_large_journals_first_index_is_built_in_a_child_process(db, make_app, monkeypatch):
    from pmjournal.core.index import schema
    from pmjournal.tui import session as session_module

    amended_demo(db)
    monkeypatch.setattr(session_module, "BUILD_APART_BYTES", 0)  # the demo counts as large
    built = []
    real = session_module.JournalSession.build_index
    monkeypatch.setattr(session_module.JournalSession, "build_index", lambda self: built.append(real(self)) or built[-1])
    assert not schema.path_of(db).exists()
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert built[0] is True and app.screen.snapshot.paged is not None
        assert len(app.screen.snapshot.index) == len(Journal(db, user="x").views)


def test_quitting_ends_the_child_building_the_index(db, tmp_path, monkeypatch):
    """The app's exit waits for its worker threads: the worker waiting for a build must return."""
    import sys
    import threading
    import time

    from pmjournal.tui import session as session_module
    from pmjournal.tui.session import JournalSession

    amended_demo(db)
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr(session_module, "BUILD_APART_BYTES", 0)
    monkeypatch.setattr(sys, "executable", str(slow))
    session = JournalSession(Journal(db, user="Pat PM"))
    answers = []
    worker = threading.Thread(target=lambda: answers.append(session.build_index()))
    worker.start()
    deadline = time.monotonic() + 10
    while session._building is None and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    session.stop_building()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert answers == [None]
    snap = session.load()  # a load after the stop builds nothing
    assert snap.partial and not snap.views


@pilot_test
async def test_a_team_journal_is_ordered_as_the_loaded_one_even_among_ties(tmp_path, make_app, monkeypatch):
    """Entries of two chains with the same date and the same #seq: the trail keeps the team's
    order among them (newest first otherwise), paged or loaded."""
    from teamhelp import team_of

    dana, bob, carl = team_of(tmp_path, "Dana Whitfield", "Bob Li", "Carl Ode")
    same = "2026-11-10T09:00:00+08:00"
    for n in range(3):
        for member in (dana, bob, carl):
            member.journal().add("note", {"title": f"{member.handle} {n}", "owner": member.name, "occurred_at": same})
    for _ in range(2):
        for member in (dana, bob, carl):
            member.sync()
    dana.journal().amend(next(iter(dana.journal().views)), {"title": "amended by dana"}, "r")
    seen = []
    for off in (True, False):
        index_off(monkeypatch, off)
        app = make_app(dana.path)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            screen = app.screen
            assert (screen.snapshot.paged is None) == off
            seen.append([screen.table.cells(row) for row in range(screen.table.row_count)])
            screen.set_filter("kind:note")
            await pilot.pause()
            seen.append([screen.table.cells(row) for row in range(screen.table.row_count)])
    assert len(seen[0]) == 9 and seen[0] == seen[2] and seen[1] == seen[3]


def test_an_index_the_paging_cannot_read_loads_the_journal_whole(db, monkeypatch):
    """Paged raising an SQLite error (an index of another layout) falls back to the loaded path."""
    import sqlite3

    from pmjournal.tui.session import JournalSession

    amended_demo(db)

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("no such column: ts")

    monkeypatch.setattr(paging, "Paged", broken)  # the session imports it when it loads
    snap = JournalSession(Journal(db, user="Pat PM")).load()
    assert snap.paged is None and not snap.partial
    assert len(snap.index) == len(Journal(db, user="x").views)


def test_catching_up_keeps_the_same_connections(db):
    """Each catch-up's snapshot takes the connections of the one before (SQLite holds the files
    of a connection closed while another holds a lock until all are: a new pair a catch-up ran
    the process out of file descriptors in a long session)."""
    import os

    import pytest

    from pmjournal.tui.session import JournalSession

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("counts /proc/self/fd")
    amended_demo(db)
    session = JournalSession(Journal(db, user="Pat PM"))
    snap = session.load()
    other = Journal(db, user="Dana Whitfield")
    counts = []
    for n in range(12):
        other.add("note", {"title": f"meanwhile {n}", "owner": "Dana Whitfield"})
        new = session.catch_up(snap)
        assert new.paged is not None and len(new.index) == len(snap.index) + 1
        assert new.paged.db is snap.paged.db and new.paged.work is snap.paged.work
        snap.paged.release()
        snap = new
        counts.append(len(os.listdir("/proc/self/fd")))
    assert counts[-1] <= counts[1]
    from pmjournal.core.filter_syntax import parse

    hits = snap.index.search('"meanwhile 11"', parse("meanwhile 11").filter)
    assert [snap.index.rows[row]["title"] for row in hits] == ["meanwhile 11"]


@pilot_test
async def test_a_journal_named_by_a_relative_path_opens_on_its_index(db, make_app, monkeypatch):
    # `pmjournal --db j.json` in the journal's folder, once a read has built the index: the
    # index's check made a file: URI of the relative path, which raised ValueError in the
    # load's worker, and the trail said "loading… newest 0 shown" for ever.
    from pathlib import Path

    from pmjournal.core.index import open_index

    write_demo(Journal(db, user="Dana Whitfield"), ref=REF)
    assert open_index(Journal(db, user="Dana Whitfield")) is not None
    monkeypatch.chdir(db.parent)
    app = make_app(Path(db.name))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert screen.snapshot.paged is not None
        assert screen.table.row_count == len(Journal(db, user="Dana Whitfield").views) > 0


@pilot_test
async def test_a_load_that_fails_unexpectedly_ends_the_app_with_its_error(db, make_app, monkeypatch, capsys):
    # Only PmjournalError was reported; anything else ended the worker silently and left
    # the trail loading for ever.
    from pmjournal.tui.session import JournalSession

    write_demo(Journal(db, user="Dana Whitfield"), ref=REF)

    def broken(self):
        raise RuntimeError("disk said no")

    monkeypatch.setattr(JournalSession, "load", broken)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
    assert capsys.readouterr().err.strip().endswith("pmjournal: RuntimeError: disk said no")


@pilot_test
async def test_a_view_that_fails_in_its_worker_says_so(db, make_app, monkeypatch):
    # The trail's workers do not end the app on an error; one that raised (the People view's
    # counts, the Due view's loops, a search) ended without a word, and the key did nothing.
    write_demo(Journal(db, user="Dana Whitfield"), ref=REF)

    def broken(*args, **kwargs):
        raise RuntimeError("counts fell over")

    monkeypatch.setattr(paging.Paged, "who_all", broken)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.clear_notifications()
        await pilot.press("p")
        await wait_for(pilot, lambda: any("counts fell over" in str(n.message) for n in app._notifications))
        (note,) = [n for n in app._notifications if "counts fell over" in str(n.message)]
        assert note.severity == "error" and str(note.message) == "unexpected error: RuntimeError: counts fell over"
        assert app.is_running


@pilot_test
async def test_the_links_field_finds_titles_in_the_index_as_in_the_loaded_journal(db, make_app, monkeypatch):
    """Typing into a form's Links field searches the titles: on the index this raised
    'ambiguous column name: vid' and ended the app, with the form's text."""
    from pmjournal.tui.forms import EntryForm

    amended_demo(db)
    found = []
    for off in (True, False):
        index_off(monkeypatch, off)
        app = make_app(db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert (app.screen.snapshot.paged is None) == off
            found.append([v["id"] for v in app.session.titled("la", None, 8, app.screen.snapshot)])
            await typed(pilot, "ilaunch{tab}", lambda app=app: isinstance(app.screen, EntryForm))
            app.screen.query_one("#f-link-caused_by").focus()
            await typed(pilot, "#la", lambda app=app: app.screen.query_one("#f-link-caused_by").value == "#la")
            await pilot.pause(0.3)
            assert app.is_running and isinstance(app.screen, EntryForm)
    assert found[0] and found[0] == found[1]


async def saved_once(app, pilot):
    """The trail loaded, a note saved through its session and a reload asked for: the trail."""
    await loaded(pilot)
    screen = app.screen
    screen.session.add("note", {"title": "one"})
    screen.reload()
    return screen


@pilot_test
async def test_what_the_app_saves_shows_after_another_terminal_read_the_journal(db, make_app):
    """`pmjournal show` in another terminal, then a save in the app: the trail went on showing
    the journal as it was before the save. Each connection the app made opened and closed the
    index file to set its mode, which dropped the app's SQLite locks on it; the other process,
    closing what it took for the last connection, deleted the -wal and -shm under the app."""
    import subprocess
    import sys

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await saved_once(app, pilot)
        await wait_for(pilot, lambda: screen.table.row_count == 1 and screen.snapshot.paged is not None)
        await wait_for(pilot, lambda: screen.settled)
        await pilot.pause(0.3)  # the app idle, as a user reading the screen
        shown = subprocess.run([sys.executable, "-m", "pmjournal", "--db", str(db), "show", "1"], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        screen.session.add("note", {"title": "two"})
        screen.reload()
        await wait_for(pilot, lambda: screen.table.row_count == 2)
        assert screen.table.view(0)["title"] == "two"
        assert screen.snapshot.paged is not None  # still from the index: its -wal was not deleted under it
        assert Path(f"{db}.index-wal").exists()


@pilot_test
async def test_a_save_shows_when_the_index_stops_serving_after_the_journal_was_created(db, make_app, monkeypatch):
    """The app started before the journal existed and paged from the index, which counted the
    file's creation as a new generation; when the index could not serve a later load (here:
    turned off), the journal loaded whole counted generations without it, was taken for a read
    from before, and the trail kept showing the journal without the save."""
    db.parent.mkdir(parents=True)  # the journal's folder is there, the journal not yet
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await saved_once(app, pilot)
        await pilot.pause(0.5)
        assert screen.table.row_count == 1 and screen.snapshot.paged is not None
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
        screen.session.add("note", {"title": "two"})
        screen.reload()
        await wait_for(pilot, lambda: screen.table.row_count == 2)
        assert screen.table.view(0)["title"] == "two"


@pytest.mark.parametrize("off", (True, False), ids=("loaded", "indexed"))
@pilot_test
async def test_a_filter_that_matches_nothing_says_what_no_entry_has(db, make_app, monkeypatch, off):
    """`project:checkout` (the project is checkout-v2) said only "0 of 46"."""
    amended_demo(db)
    index_off(monkeypatch, off)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen.snapshot.index, PagedIndex) is not off

        def status() -> str:
            return " ".join(filter_status(screen).split())  # as one line, however it wraps

        await typed(pilot, "{slash}project:checkout @dnaa #scpoe", lambda: "Whitfield?)" in status())
        assert status().startswith("0 of ")
        for said in ("no project checkout (checkout-v2?)", "no tag #scpoe (scope?)", "no one named dnaa (Dana Whitfield?)"):
            assert said in status()
        # What names something entries have is not said to be missing.
        await typed(pilot, "{ctrl+u}project:checkout-v2 zzzz", lambda: "zzzz" in status())
        await pilot.pause(0.2)
        assert status().startswith("0 of ") and "no project" not in status()
