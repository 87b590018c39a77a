"""Filter, people, trace, help, keymap, welcome/demo and live refresh, via Pilot."""

import pytest
from textual.widgets import DataTable, Input, Label, Static, Tree
from tuihelp import SIZE, at_seq, drawn, each_case, loaded, pilot_test, static_text, typed, wait_for

from pmjournal.core.query import haystack
from pmjournal.core.store import Journal
from pmjournal.tui.forms.confirm import ConfirmDialog
from pmjournal.tui.screens.help import HelpScreen
from pmjournal.tui.screens.people import PeopleScreen
from pmjournal.tui.screens.trace import TraceScreen
from pmjournal.tui.screens.trail import TrailScreen
from pmjournal.tui.widgets.filter_bar import FilterInput


def status(screen) -> str:
    widget = screen.query_one("#filter-status", Static)
    return str(widget.render())


async def as_opened(app, pilot) -> None:
    """Back to the trail as the app opens it (after the case before): no filter, the trail
    focused, the newest entry highlighted."""
    screen = app.screen
    assert isinstance(screen, TrailScreen)
    if screen.filter_text or not screen.table.has_focus:
        await pilot.press("escape")  # in the filter or on the trail: the filter cleared, back to the trail
    await pilot.press("home")
    assert screen.filter_text == "" and screen.table.has_focus and screen.table.cursor == 0


async def filter_updates_as_you_type_and_escape_clears(app, pilot):
    await as_opened(app, pilot)
    screen = app.screen
    total = len(screen.table.hits)
    await pilot.press("slash")
    assert screen.query_one(Input).has_focus
    await typed(pilot, "load", lambda: screen.filter_text == "load")
    titles = [v["title"] for v in screen.table.visible_views()]
    assert titles and all("load" in haystack(v) for v in screen.table.visible_views())
    assert len(titles) < total
    assert f"{len(titles)} of {total}" in status(screen)
    await typed(pilot, " kind:decision", lambda: screen.filter_text == "load kind:decision")
    assert {v["kind"] for v in screen.table.visible_views()} == {"decision"}
    assert "kind decision" in status(screen)
    await pilot.press("escape")
    assert screen.filter_text == "" and len(screen.table.hits) == total
    assert screen.table.has_focus


async def filter_person_tag_since_and_errors(app, pilot):
    await as_opened(app, pilot)
    screen = app.screen
    await typed(pilot, "{slash}@marcus", lambda: screen.filter_text == "@marcus")
    views = screen.table.visible_views()
    assert views and all("Marcus Chen" in str(v) for v in views)
    await typed(pilot, "{escape}{slash}#launch since:2026-10-01", lambda: screen.filter_text == "#launch since:2026-10-01")
    views = screen.table.visible_views()
    assert views and all("launch" in v["tags"] and v["occurred_at"] >= "2026-10-01" for v in views)
    await typed(pilot, "{escape}{slash}kind:zzz", lambda: screen.filter_text == "kind:zzz")
    assert "unknown kind" in status(screen)
    assert len(screen.table.hits) == len(screen.snapshot.index)
    # letters typed in the filter are text, not keys
    await typed(pilot, "{escape}{slash}quit pdtx?", lambda: screen.filter_text == "quit pdtx?")
    assert app.is_running and app.screen is screen
    assert screen.filter_text == "quit pdtx?"


async def people_view_counts_roles_and_filters_to_a_person(app, pilot):
    await as_opened(app, pilot)
    trail = app.screen
    await typed(pilot, "{slash}kind:decision{enter}p", lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
    table = app.screen.query_one(DataTable)
    people = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
    assert "Marcus Chen" in people and "Dana Whitfield" in people
    first = app.screen.rows[0]
    assert first["total"] == sum(first[r] for r in ("owner", "requested", "approved", "consulted", "informed"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is trail)
    assert trail.filter_text.endswith("@" + (first["person"] if " " not in first["person"] else f'"{first["person"]}"'))
    assert "kind:decision" in trail.filter_text
    assert trail.table.hits and all(v["kind"] == "decision" for v in trail.table.visible_views())


async def trace_shows_causes_with_labels_and_jumps(app, pilot):
    await as_opened(app, pilot)
    trail = app.screen
    outage = next(v for v in trail.table.visible_views() if v["seq"] == 57)
    trail.table.move_to(outage["id"])
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
    tree = app.screen.query_one(Tree)
    labels = []

    def walk(node):
        labels.append(str(node.label))
        for child in node.children:
            walk(child)

    walk(tree.root)
    assert "#57" in labels[0]
    assert len(labels) >= 4
    assert any("决策失误" in label or "Decision error" in label for label in labels)
    child = tree.root.children[0]
    tree.move_cursor(child)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is trail)
    assert trail.table.current["id"] == child.data


@pilot_test
async def test_help_lists_every_binding_and_keymap_remaps(demo_db, make_app):
    app = make_app(demo_db, keymap={"people": "P"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = static_text(app.screen, "#help-table")
        for binding_id in ("filter", "people", "trace", "new_entry", "amend", "retract", "export", "quit"):
            assert binding_id in text
        await pilot.press("escape")
        await pilot.press("p")
        assert not isinstance(app.screen, PeopleScreen)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)


@pilot_test
async def test_f1_opens_help_from_the_trail_and_from_the_filter(demo_db, make_app):
    """F1, the help key of most programs, did nothing; in the filter `?` is text, and F1 the
    one key that opens help there (the footer says so)."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        for before in ((), ("slash", "l", "a")):
            await pilot.press(*before, "f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            assert "?, F1" in static_text(app.screen, "#help-table")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is trail)
        assert trail.filter_text == "la"


@pytest.mark.parametrize(
    ("opener", "screen", "listed"),
    [
        ("p", "PeopleScreen", ("people.choose", "people.close", "Move through the people")),
        ("t", "TraceScreen", ("trace.close", "Fold or unfold")),
        ("u", "DueScreen", ("due.done", "due.choose", "Move through the loops", "^d")),
    ],
)
@pilot_test
async def test_help_on_a_view_lists_that_views_keys_not_the_trails(demo_db, make_app, opener, screen, listed):
    """`?` on People, Trace or Due listed the trail's keys (amend, retract...), none of which work there."""
    app = make_app(demo_db, keymap={"due.done": "ctrl+d"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press(opener)
        await wait_for(pilot, lambda: type(app.screen).__name__ == screen and app.screen.ready)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = " ".join(static_text(app.screen, "#help-table").split())
        title = static_text(app.screen, "#help-title")
        for word in listed:
            assert word in text, word
        assert "amend" not in text and "new_entry" not in text and "quit" in text
        assert title.startswith("Keys: ")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == screen)


@pilot_test
async def test_welcome_names_the_keys_the_keymap_gives(db, make_app):
    """With `new_entry = "N"` and `people = "ctrl+e"`, the welcome still said "n record a new
    entry" and "p people": keys that did nothing. The key column stays aligned."""
    app = make_app(db, keymap={"new_entry": "N", "people": "ctrl+e"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.screen._loading)
        lines = str(app.screen.query_one("#welcome-text", Static).render()).splitlines()
        assert "  N       record a new entry (or d decision, c change, m communication, r risk, i incident)" in lines
        assert "  ctrl+e  people: who owned, requested, approved, was consulted or informed" in lines
        assert "  /       filter the trail: words, @person, #tag, kind:decision, project:x, since:2026-10-01" in lines


@pilot_test
async def test_welcome_offers_the_demo_on_an_empty_journal(db, make_app):
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.screen._loading)
        screen = app.screen
        assert screen.query_one("#welcome").display
        assert not screen.query_one("#trail-pane").display
        assert "n  record a new entry" in str(screen.query_one("#welcome-text", Static).render())
        # One enter on the focused "Load the demo journal" button wrote the demo into this
        # journal for good: it asks first, and a second enter (on Back) keeps the journal empty.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert str(db) in str(app.screen.query_one(".pm-question", Label).render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not db.exists() or len(Journal(db)) == 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.table.hits) > 40)
        assert not screen.query_one("#welcome").display
        assert screen.table.has_focus
        entries = len(Journal(db).entries())
        await wait_for(pilot, lambda: any(f"{entries} entries" in str(n.message) for n in app._notifications))
    assert len(Journal(db)) > entries  # records: corrections are records too


@pilot_test
async def test_an_enter_right_after_back_asks_again(db, make_app):
    """Enter, Back, enter in one burst: the last was lost (the button Back focused again was
    still disabled, then still in Textual's 0.2 s press effect, which drops an enter)."""
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.screen._loading)
        await pilot.press("enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        assert not db.exists() or len(Journal(db)) == 0


@pilot_test
async def test_another_process_adding_shows_up_without_restart(demo_db, make_app, cli):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        screen.table.move_to(next(v["id"] for v in screen.table.visible_views() if v["seq"] == 52))
        await pilot.pause()
        before = len(screen.table.hits)
        proc = cli("add", "decision", "Added from another terminal", "--owner", "Sam Okafor", "--db", str(demo_db))
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: len(screen.table.hits) == before + 1, timeout=2.5)
        assert screen.table.current["seq"] == 52
        assert any(v["title"] == "Added from another terminal" for v in screen.table.visible_views())


@pilot_test
async def test_people_view_keeps_every_column_at_60x20(demo_db, make_app):
    from textual.widgets import DataTable

    app = make_app(demo_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.query(DataTable))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert len(table.columns) == 8
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing cut off


@pilot_test
async def test_people_view_cuts_a_long_name_rather_than_the_counts(db, make_app):
    """A 51-character team name pushed Informed and Entries off an 80-column screen."""
    from textual.widgets import DataTable

    long_name = "Globex Ltd — Procurement & Vendor Management (EMEA)"
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "Vendor terms", "owner": "Dana Whitfield", "approved_by": [long_name]})
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await typed(pilot, "p", lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing cut off
        lines = [table.render_line(y).text for y in range(3)]
        assert "Entries" in lines[0]
        assert any("Globex Ltd — Procurement" in line and "…" in line for line in lines)
        await pilot.resize_terminal(160, 30)
        await wait_for(pilot, lambda: any(long_name in table.render_line(y).text for y in range(3)))


async def focus_in_the_filter_is_said_on_its_border(app, pilot):
    box = app.screen.query_one(FilterInput)
    assert not box.border_title
    for _ in range(6):  # tab around the screen until it lands in the filter
        if app.focused is box:
            break
        await pilot.press("tab")
    assert app.focused is box
    assert "typing in the filter" in str(box.border_title)
    assert len(str(box.border_title)) <= box.size.width - 4  # whole on the border, at 120 columns
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.focused is not box)
    assert not box.border_title


# What the demo's trail does with the filter, the People and Trace views and the focus, at
# 120x36, in turn in one app: each case starts from the trail as the app opens it (as_opened).
DEMO_CASES = [
    focus_in_the_filter_is_said_on_its_border,
    filter_updates_as_you_type_and_escape_clears,
    filter_person_tag_since_and_errors,
    trace_shows_causes_with_labels_and_jumps,
    people_view_counts_roles_and_filters_to_a_person,
]


@pilot_test
async def test_the_demo_trails_filter_and_views(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await each_case(app, pilot, DEMO_CASES)


async def trace_of(app, pilot, seq: int):
    """`t` on the highlighted entry, which must be #seq: the Trace tree's root."""
    await loaded(pilot)
    assert app.screen.table.current["seq"] == seq
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
    return app.screen.query_one(Tree).root


def tree_labels(node) -> list[str]:
    return [str(node.label), *(label for child in node.children for label in tree_labels(child))]


@pilot_test
async def test_trace_of_a_cascade_lists_each_entrys_causes_once(db, make_app):
    """Each incident caused by the two before it: `t` on the last built a tree that doubled
    at every step (the app froze); an entry met again says its causes are listed above."""
    journal = Journal(db, user="Pat PM")
    journal.add("note", {"title": "c1"})
    journal.add("note", {"title": "c2"})
    for i in range(3, 15):  # 12 levels: within what 120 columns show
        journal.add("incident", {"title": f"c{i}"}, links={"caused_by": [str(i - 1), str(i - 2)]})
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        labels = tree_labels(await trace_of(app, pilot, seq=14))
    assert len(labels) == 2 * 14 - 3  # each entry once with its causes, and once more by the other path
    assert sum("its causes are listed above" in label for label in labels) == 14 - 4  # c1, c2 have none


@pilot_test
async def test_trace_says_the_highlighted_entrys_whole_line_at_80_columns(db, make_app):
    """At 80 columns a row of the tree is cut with "…": the owner, the status and the blame
    causes of a long title could not be read anywhere in the view (a helper's tmux trial)."""
    journal = Journal(db, user="Pat PM")
    journal.add(
        "decision",
        {
            "title": "Cut offline mode from v1 to keep the December launch date",
            "owner": "Marcus Chen",
            "causes": ["decision", "schedule"],
        },
    )
    journal.add("incident", {"title": "Customers complain offline mode is missing from the app"}, links={"caused_by": ["1"]})
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await trace_of(app, pilot, seq=2)
        await pilot.press("j")
        await pilot.pause()
        detail = static_text(app.screen, "#trace-detail")
        drawn_text = drawn(app)
    for part in ("owner Marcus Chen", "Decision error", "Time management"):
        assert part in " ".join(detail.split()) and part in " ".join(drawn_text.split()), part


@pilot_test
async def test_trace_of_a_chain_deeper_than_pythons_recursion_opens(db, make_app):
    """1,100 entries each caused by the one before: `t` ended the app with a RecursionError."""
    from pmjournal.core.query import TRACE_DEPTH

    journal = Journal(db, user="Pat PM")
    journal.add("note", {"title": "n1"})
    for i in range(2, 1101):
        journal.add("incident", {"title": f"i{i}"}, links={"caused_by": [str(i - 1)]})
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        node = await trace_of(app, pilot, seq=1100)
        depth = 0
        while node.children:
            depth, node = depth + 1, node.children[0]
    assert depth == TraceScreen.depth_for(SIZE[0]) == (SIZE[0] - 80) // 3 < TRACE_DEPTH  # as many as fit
    assert str(node.label).startswith(f"#{1100 - depth} ") and "further causes" in str(node.label)


@pilot_test
async def test_a_body_of_megabytes_shows_its_start_and_says_how_much_more(db, make_app):
    """A log pasted as a body: 20 MB kept the detail pane wrapping for minutes, the app frozen."""
    from pmjournal.tui.widgets.entry_detail import SHOWN_CHARS

    body = "word " * 400_000  # 2 MB
    Journal(db, user="Pat PM").add("note", {"title": "huge body", "body": body})
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        group = app.screen.query_one("#detail-main", Static).content
        shown = "\n".join(part.plain for part in group.renderables if hasattr(part, "plain"))
    assert "word word" in shown and len(shown) < SHOWN_CHARS + 2_000
    assert f"… {len(body) - SHOWN_CHARS:,} more characters, not shown here: `pmjournal show` prints them all" in shown


@pilot_test
async def test_keys_typed_as_the_app_starts_wait_for_the_trail(demo_db, make_app):
    """Typed before the journal was shown: `u` opened Due saying nothing was due, and
    `/kind:risk enter j j` left the filter reading 'kind:riskjj'."""
    from tuihelp import burst

    from pmjournal.tui.screens.due import DueScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "{slash}kind:risk{enter}jj")
        await loaded(pilot)
        trail = app.screen
        await wait_for(pilot, lambda: trail.table.cursor == 2)
        assert trail.filter_text == "kind:risk" and trail.table.has_focus
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "u")
        await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
        assert "Nothing is due" not in drawn(app)


@pilot_test
async def test_an_entry_linked_twice_to_one_entry_is_shown_both_ways(db, make_app):
    """Caused by #1 and relates to #1: the detail pane made two link options with one id and
    Textual's DuplicateID ended the app, on opening (the newest entry) and on #1."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "First", "owner": "Ann"})
    journal.add("incident", {"title": "Second"}, links={"caused_by": ["1"], "relates": ["1"]})
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        links = app.screen.detail.query_one("#detail-links")
        assert links.option_count == 2
        await pilot.press("end")
        await wait_for(pilot, lambda: (app.screen.detail.view or {}).get("seq") == 1)
        assert links.option_count == 2
        await pilot.press("l", "down", "enter")
        await wait_for(pilot, lambda: app.screen.table.current["seq"] == 2)


@pilot_test
async def test_history_shows_links_by_reference_and_long_values_as_blocks(db, make_app):
    """A links change read {'rel': 'relates', 'to': '01M…'}; a body change ran 'line three ->
    line one' together at column 1, where the old value ended and the new one began unclear."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "First", "owner": "Ann"})
    journal.add("note", {"title": "Second", "body": "line one\nline two"})
    journal.amend("2", {"body": "line one\nLINE 2"}, "typo", links={"relates": ["1"]})
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        group = app.screen.detail.query_one("#detail-history", Static).content
        shown = "\n".join(part.plain for part in group.renderables if hasattr(part, "plain"))
    assert "Links: (empty) → relates to #1" in shown and "'rel'" not in shown
    assert "    Body:\n      line one\n      line two\n      →\n      line one\n      LINE 2" in shown


@pilot_test
async def test_people_opened_on_a_large_journals_preview_is_counted_again_once_it_is_loaded(db, make_app, monkeypatch):
    """`p` typed at start on a large journal counted the preview's newest entries only, and kept
    that count once the whole journal was read."""
    from tuihelp import burst, slow_whole_read

    j = Journal(db, user="Pat PM")
    for n in range(5):
        j.add("decision", {"title": f"old call {n}", "owner": "Olga Early", "occurred_at": "2026-11-02"})
    for n in range(1500):  # past the preview's size: the preview holds none of Olga's decisions
        j.add("note", {"title": f"filler {n} " + "x" * 300, "occurred_at": "2026-11-03", "owner": "Fran Filler"})
    slow_whole_read(monkeypatch, 1.0)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "p")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready, timeout=20)
        await wait_for(pilot, lambda: any(r["person"] == "Olga Early" for r in app.screen.rows), timeout=20)
        fran = next(r for r in app.screen.rows if r["person"] == "Fran Filler")
        assert fran["total"] == 1500


@pilot_test
async def test_an_entry_retracted_elsewhere_under_a_filter_leaves_the_cursor_on_the_next(demo_db, make_app):
    """Under retracted:no, the highlighted entry retracted by another program: the cursor went
    to the top (the rule for a filter just typed), not to the entry after it."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        await typed(pilot, "{slash}retracted:no{enter}", lambda: trail.table.has_focus and trail.filter_text == "retracted:no")
        trail.table.cursor = 8
        leaving, after = trail.table.visible_views()[8], trail.table.visible_views()[9]
        Journal(demo_db, user="Dana").retract(leaving["id"], "withdrawn elsewhere")
        await wait_for(pilot, lambda: all(v["id"] != leaving["id"] for v in trail.table.visible_views()), timeout=15)
        assert trail.table.cursor == 8 and trail.table.current["id"] == after["id"]


@pilot_test
async def test_people_takes_home_end_g_g_and_trace_takes_j_k(demo_db, make_app):
    """People's End, G, Home and g did not move (DataTable's home and end scroll sideways), and
    Trace's j and k did nothing, unlike every other list."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await typed(pilot, "p", lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        table = app.screen.query_one(DataTable)
        for key, row in (("end", table.row_count - 1), ("home", 0), ("G", table.row_count - 1), ("g", 0)):
            await pilot.press(key)
            assert table.cursor_row == row, key
        await pilot.press("escape")
        at_seq(pilot, 57)
        await typed(pilot, "t", lambda: isinstance(app.screen, TraceScreen))
        tree = app.screen.query_one(Tree)
        start = tree.cursor_line
        await pilot.press("j")
        assert tree.cursor_line == start + 1
        await pilot.press("k")
        assert tree.cursor_line == start


@pilot_test
async def test_a_keymap_the_app_cannot_apply_is_said_and_the_keys_stay(demo_db, make_app):
    """`due = "d"` made the decision key unreachable without a word; an unknown id and an empty
    value were ignored silently. Each is said at start, and the action keeps its own key."""
    from pmjournal.tui.forms import EntryForm

    app = make_app(
        demo_db, keymap={"due": "d", "bogus_id": "x", "people": "", "people.choose": "o", "trace": "ctrl-o", "links": 5}
    )
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any("[keymap] due = 'd': that key is new_decision's; due keeps u" in n for n in said)
        assert any("[keymap] bogus_id: no key has that id" in n for n in said)
        assert any("[keymap] people is empty: it keeps p" in n for n in said)
        # "ctrl-o" was applied as it was: no key sends it, and Trace was out of reach
        assert any("[keymap] trace = 'ctrl-o': 'ctrl-o' is not a key" in n and "it keeps t" in n for n in said)
        assert any("[keymap] links = 5: write the keys as text" in n for n in said)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        assert "o filters the trail to one" in app.screen.title_text  # the key people.choose runs on
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))


@pilot_test
async def test_a_keymap_that_takes_a_moving_key_is_said_and_the_filter_names_its_key(demo_db, make_app):
    """`trace = "j"` took j from moving down the trail without a word (and Trace left the footer);
    with `filter = "f"` the filter's placeholder still said "/ to filter"."""
    app = make_app(demo_db, keymap={"trace": "j", "filter": "f"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any("[keymap] trace = 'j': j moves in the trail; trace keeps t" in n for n in said)
        assert app.screen.query_one("#filter-input").placeholder.startswith("f to filter")
        start = app.screen.table.cursor
        await pilot.press("j")
        assert app.screen.table.cursor == start + 1 and isinstance(app.screen, TrailScreen)


@pilot_test
async def test_a_retracted_cause_says_retracted_in_the_trace(db, make_app):
    """It showed its status of before, "open", struck through: plain text (and a screen
    reader) said the risk behind the incident was still open."""
    from pmjournal.core.store import Journal

    journal = Journal(db, user="Pat PM")
    risk = journal.add("risk", {"title": "Vendor may slip", "owner": "Eve", "status": "open"})
    incident = journal.add("incident", {"title": "Launch slipped", "owner": "Eve"}, links={"caused_by": [f"#{risk['seq']}"]})
    journal.retract(risk["id"], "recorded against the wrong vendor")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        trail.table.move_to(incident["id"])
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
        label = str(app.screen.query_one(Tree).root.children[0].label)
        assert "Vendor may slip" in label and "· retracted" in label and "open" not in label


@pilot_test
async def test_escape_from_the_links_or_the_detail_keeps_the_filter(demo_db, make_app):
    """Escape on the links list (or in the detail pane) cleared the filter the entry was
    found with; it goes back to the trail as tab does, and on the trail clears it."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        trail.set_filter("kind:decision")
        await pilot.pause()
        links = app.screen.query_one("#detail-links")
        for opener in (("l",), ("tab",)):
            await pilot.press(*opener)
            await pilot.pause()
            assert trail.focused is (links if opener == ("l",) else trail.query_one("#detail"))
            await pilot.press("escape")
            await pilot.pause()
            assert trail.table.has_focus and trail.filter_text == "kind:decision", opener
        await pilot.press("escape")
        await pilot.pause()
        assert trail.filter_text == ""
