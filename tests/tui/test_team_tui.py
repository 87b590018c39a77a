"""A team journal in the app: the title says how it stands, `S` syncs in a worker, and
what a sync in another terminal brings shows up by itself. A single-user journal
shows none of it."""

import shutil
import threading
import time

from teamhelp import rewritten_on_the_remote, team_of
from tuihelp import SIZE, each_case, loaded, palette_shows, pilot_test, static_text, table_lines, typed, wait_for

from pmjournal.core.team.layout import Team
from pmjournal.tui.screens.help import HelpScreen
from pmjournal.tui.team import TeamStatus, synced_words


def add(member, title: str) -> None:
    member.journal().add("decision", {"title": title, "owner": member.name})


def trail_text(app) -> str:
    return "\n".join(table_lines(app.screen.table))


def notices(app) -> list:
    return list(app._notifications)


def footer_keys(app) -> set[str]:
    return {binding.action for _node, binding, enabled, _tip in app.screen.active_bindings.values() if enabled}


def test_the_age_reads_to_the_minute_and_never_synced_says_so():
    now = 1_800_000_000.0
    assert synced_words(None, now) == "never synced"
    assert synced_words(now - 20, now) == "synced just now"
    assert synced_words(now + 300, now) == "synced just now"  # the clock was set back since
    assert synced_words(now - 3 * 60 - 5, now) == "synced 3 min ago"
    assert synced_words(now - 5 * 3600, now) == "synced 5 h ago"
    assert synced_words(now - 3 * 86400, now) == "synced 3 d ago"
    status = TeamStatus("dana", "/r.git", None, pushed_seq=0)
    assert status.describe(2, now) == "never synced as dana · 2 to push"
    assert status.describe(None, now) == "never synced as dana"


@pilot_test
async def test_the_title_says_when_it_synced_and_how_many_entries_wait_to_be_pushed(tmp_path, make_app):
    (dana,) = team_of(tmp_path, "Dana Whitfield")
    add(dana, "Pushed already")
    dana.sync()
    add(dana, "Not pushed one")
    add(dana, "Not pushed two")
    team = Team(dana.path)
    state = team.state()
    three_min_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 185))
    team.save_state({**state, "synced_at": three_min_ago})
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.screen.sub_title == "journal.json · synced 3 min ago as dana · 2 to push"
        assert "sync" in footer_keys(app)
        # A team.json without a sync time (written by hand, or by a sync from a later version).
        team.save_state({k: v for k, v in state.items() if k != "synced_at"})
        await wait_for(pilot, lambda: "never synced as dana · 2 to push" in app.screen.sub_title, timeout=3)


@pilot_test
async def test_the_sync_key_syncs_in_a_worker_and_the_colleague_entry_arrives_as_bob_1(tmp_path, make_app):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    add(dana, "Dana's call")
    dana.sync()
    add(dana, "Dana's second call")
    add(bob, "Bob's call")
    bob.sync()
    app = make_app(dana.path)
    threads, release = [], threading.Event()
    real_sync = app.session.sync

    def held_sync():
        threads.append(threading.current_thread())
        assert release.wait(10)
        return real_sync()

    app.session.sync = held_sync
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "bob#1" not in trail_text(app)
        assert app.screen.sub_title.endswith("1 to push")
        await pilot.press("S")
        await wait_for(pilot, lambda: "syncing…" in app.screen.sub_title, timeout=3)
        # The sync is waiting in its worker: the trail still answers.
        first = app.screen.table.cursor
        await pilot.press("j")
        assert app.screen.table.cursor == first + 1
        assert threads and threads[0] is not threading.main_thread()
        release.set()
        await wait_for(pilot, lambda: "bob#1" in trail_text(app), timeout=10)
        await wait_for(pilot, lambda: "nothing to push" in app.screen.sub_title, timeout=3)
        assert "syncing…" not in app.screen.sub_title
        synced = [n for n in notices(app) if n.title == "Synced"]
        assert len(synced) == 1 and "pushed 1 record, took 1 (bob 1)" in synced[0].message
        assert app.screen.snapshot.views  # and the entries of both chains are there
        titles = {v["title"] for v in app.screen.snapshot.views.values()}
        assert titles == {"Dana's call", "Dana's second call", "Bob's call"}


@pilot_test
async def test_a_sync_in_another_terminal_shows_the_colleague_entry_within_two_seconds(tmp_path, make_app):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    add(dana, "Dana's call")
    dana.sync()
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        add(bob, "Bob's call")
        bob.sync()
        dana.sync()  # as `pmjournal sync` in another terminal would
        start = time.monotonic()
        await wait_for(pilot, lambda: "bob#1" in trail_text(app), timeout=2)
        assert time.monotonic() - start < 2
        bob_row = next(line for line in table_lines(app.screen.table) if "bob#1" in line)
        assert "Bob's call" in bob_row
        # The detail names the author: the handle in the reference and beside the name.
        bob_id = next(v["id"] for v in app.screen.snapshot.views.values() if v.get("author") == "bob")
        app.screen.table.move_to(bob_id)
        await wait_for(pilot, lambda: "bob#1 decision" in static_text(app.screen, "#detail-main"), timeout=3)
        assert "by Bob Li (bob)" in static_text(app.screen, "#detail-main")
        # And the entries recorded here after that still appear (own #seqs repeat bob's).
        add(dana, "Dana after the sync")
        await wait_for(pilot, lambda: "Dana after the sync" in trail_text(app), timeout=2)
        assert app.screen.sub_title.endswith("1 to push")


@pilot_test
async def test_a_journal_that_joins_a_team_while_open_gets_the_sync_key(tmp_path, make_app):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    add(dana, "Dana's call")
    add(bob, "Bob's call")
    bob.sync()
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "sync" not in footer_keys(app)
        dana.sync()  # the first `pmjournal sync REMOTE`, in another terminal
        await wait_for(pilot, lambda: "sync" in footer_keys(app) and "bob#1" in trail_text(app), timeout=2)
        assert "synced just now as dana · nothing to push" in app.screen.sub_title


async def a_single_user_journal_has_no_sync_key_and_says_nothing_of_teams(app, pilot):
    demo_db = app.session.path
    assert app.screen.sub_title == "journal.json"
    assert app.screen.check_action("sync", ()) is False
    assert "sync" not in footer_keys(app)
    await pilot.press("S")
    await pilot.pause(0.2)
    assert not app.screen.syncing and not any(n.title == "Synced" for n in notices(app))
    assert not Team(demo_db).root.exists()
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    assert "new_entry" in static_text(app.screen, "#help-table")
    assert "sync" not in static_text(app.screen, "#help-table").lower()


@pilot_test
async def test_a_single_user_journal_in_the_app(demo_db, make_app):
    """The palette's Sync, then the title, the S key and the help screen, in one app."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await each_case(
            app, pilot, [the_palette_says_how_to_join_a_team, a_single_user_journal_has_no_sync_key_and_says_nothing_of_teams]
        )


@pilot_test
async def test_the_help_screen_of_a_team_journal_names_the_sync_key(tmp_path, make_app):
    (dana,) = team_of(tmp_path, "Dana Whitfield")
    add(dana, "Dana's call")
    dana.sync()
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        row = next(line for line in static_text(app.screen, "#help-table").splitlines() if line.rstrip().endswith(" sync"))
        assert row.lstrip().startswith("S ")


async def the_palette_says_how_to_join_a_team(app, pilot):
    commands = {c.title: c for c in app.get_system_commands(app.screen)}
    assert "pmjournal sync REMOTE" in commands["Sync"].help
    await pilot.press("ctrl+p")
    await typed(pilot, "Sync", palette_shows(app, "Sync"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: any("pmjournal sync REMOTE" in n.message for n in notices(app)), timeout=3)
    assert any("run `pmjournal sync REMOTE` once" in n.message for n in notices(app))


@pilot_test
async def test_a_sync_that_cannot_reach_the_remote_says_why_in_one_line_and_the_app_carries_on(tmp_path, make_app):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    add(dana, "Dana's call")
    dana.sync()
    add(dana, "Dana's second call")
    shutil.rmtree(dana.remote)
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: any(n.title == "Sync failed" for n in notices(app)), timeout=10)
        (failure,) = [n for n in notices(app) if n.title == "Sync failed"]
        assert failure.severity == "error" and "\n" not in failure.message and failure.message
        assert "syncing…" not in app.screen.sub_title and app.screen.sub_title.endswith("1 to push")
        # Nothing changed here, and the app still answers: the filter, and another try.
        assert len(app.screen.snapshot.views) == 2
        await typed(pilot, "{slash}second{enter}", lambda: len(app.screen.table.hits) == 1 and app.screen.table.has_focus)
        await pilot.press("S")
        await wait_for(pilot, lambda: len([n for n in notices(app) if n.title == "Sync failed"]) == 2, timeout=10)


@pilot_test
async def test_a_colleague_whose_history_was_rewritten_is_refused_in_an_error_notice(tmp_path, make_app):
    dana, bob = rewritten_on_the_remote(tmp_path)
    app = make_app(bob.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: any(n.title == "Refused" for n in notices(app)), timeout=10)
        (refusal,) = [n for n in notices(app) if n.title == "Refused"]
        assert refusal.severity == "error" and "dana#3 differs" in refusal.message
        (synced,) = [n for n in notices(app) if n.title == "Synced"]
        assert "differs" not in synced.message
        await wait_for(pilot, lambda: "refused: dana" in app.screen.sub_title, timeout=3)
        assert "changed" not in trail_text(app) and "dana#3" in trail_text(app)


@pilot_test
async def test_a_colleagues_copy_changed_on_this_machine_is_said_as_the_app_reads_it(tmp_path, make_app):
    """The trail showed a rewritten and rehashed copy of Dana's chain as Dana's own record,
    without a word; only `verify`, exports and sync named it (team/witness.py)."""
    import json

    from teamhelp import rechained

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    add(dana, "Dana's call")
    dana.sync()
    add(bob, "Bob's call")
    bob.sync()
    copy = Team(bob.path).chain_path("dana")
    lines = copy.read_bytes().rstrip(b"\n").split(b"\n")
    record = json.loads(lines[1])
    record["title"] = "Bob's idea all along"
    lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    copy.write_bytes(rechained(lines))
    app = make_app(bob.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "CHANGED HERE: dana" in app.screen.sub_title
        assert any("The copy of dana's chain here was changed on this machine" in n.message for n in notices(app))


@pilot_test
async def test_author_with_this_machines_handle_filters_to_its_own_entries(tmp_path, make_app):
    """`author:dw` on Dana's machine (her handle, not a word of her name) shows her own
    entries, which carry no author here, as Bob's machine shows her chain's."""
    from teamhelp import Member, bare_remote

    remote = bare_remote(tmp_path)
    dana, bob = Member(tmp_path, "dw", "Dana Whitfield", remote), Member(tmp_path, "bl", "Bob Li", remote)
    add(dana, "Dana's call")
    dana.sync()
    add(bob, "Bob's call")
    bob.sync()
    dana.sync()
    app = make_app(dana.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        for handle, title in (("dw", "Dana's call"), ("bl", "Bob's call")):
            await typed(pilot, f"{{slash}}author:{handle}", lambda h=handle: screen.filter_text == f"author:{h}")
            assert [v["title"] for v in screen.table.visible_views()] == [title], handle
            await pilot.press("escape")
