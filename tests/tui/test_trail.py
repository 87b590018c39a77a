"""The trail, its detail pane, link jumps, hostile text and CJK alignment, via Pilot."""

import pytest
from rich.cells import cell_len
from textual.widgets import OptionList
from tuihelp import (
    SIZE,
    drawn,
    each_case,
    hostile_bodies,
    loaded,
    on_a_retracted_entry,
    pilot_test,
    static_text,
    table_lines,
    typed,
    wait_for,
)

from pmjournal.tui.key_order import REACTION_SECONDS
from pmjournal.tui.screens.trail import TrailScreen
from pmjournal.tui.widgets.trail_table import fit


async def trail_lists_newest_first_with_details(app, pilot):
    screen = app.screen
    assert isinstance(screen, TrailScreen)
    lines = table_lines(screen.table)
    assert lines[0].split() == ["#", "When", "Kind", "Title", "Owner", "Approved", "by", "Status", "Due"]
    assert lines[1].split()[0] == "#68"  # newest first
    assert screen.table.current["seq"] == 68
    await pilot.press("down")
    assert screen.table.current["seq"] == 67
    detail = static_text(screen, "#detail-main")
    assert "Provider SLA does not cover launch peaks" in detail
    assert "Owner" in detail and "张伟" in detail


async def retracted_and_superseded_are_marked(app, pilot):
    table = app.screen.table
    assert table.move_to(next(v["id"] for v in table.visible_views() if v["seq"] == 41))
    await pilot.pause()
    row = table.render_line(table.cursor - round(table.scroll_y) + 1)
    assert "retracted" in row.text
    assert any(seg.style and seg.style.strike for seg in row)
    assert "RETRACTED by" in static_text(app.screen, "#detail-main")
    assert table.move_to(next(v["id"] for v in table.visible_views() if v["seq"] == 2))
    await pilot.pause()
    assert "superseded" in table.render_line(table.cursor - round(table.scroll_y) + 1).text
    assert "SUPERSEDED by #34" in static_text(app.screen, "#detail-main")


async def amendment_history_shows_old_new_and_reason(app, pilot):
    table = app.screen.table
    table.move_to(next(v["id"] for v in table.visible_views() if v["seq"] == 14))
    await pilot.pause()
    view = table.current
    history = static_text(app.screen, "#detail-history")
    event = view["history"][0]
    assert "History" in history and "→" in history
    assert event["reason"][:30] in history.replace("\n", " ")


async def link_jumps_to_the_linked_entry(app, pilot):
    screen = app.screen
    screen.table.move_to(next(v["id"] for v in screen.table.visible_views() if v["seq"] == 39))
    await pilot.press("l")
    links = screen.query_one("#detail-links", OptionList)
    assert links.has_focus
    assert "caused by" in str(links.get_option_at_index(0).prompt)
    target = screen.table.current["links"][0]["to"]
    await pilot.press("enter")
    assert screen.table.current["id"] == target
    assert screen.table.has_focus


async def link_jump_clears_a_filter_that_hides_the_target(app, pilot):
    screen = app.screen
    await pilot.press("home")  # from the newest entry, as the app starts
    await typed(pilot, "{slash}kind:incident{enter}", lambda: screen.filter_text == "kind:incident" and screen.table.has_focus)
    assert {v["kind"] for v in screen.table.visible_views()} == {"incident"}
    await pilot.press("l", "enter")
    assert screen.filter_text == ""
    assert screen.table.current["kind"] != "incident"


@pilot_test
async def test_hostile_text_is_shown_literally_and_cjk_aligns(hostile_db, make_app):
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        text = "\n".join(table_lines(screen.table))
        for body in hostile_bodies():
            assert body["title"][:20] in text
            assert body["owner"][:10] in text
        assert "[i]Carla[/i]" in text
        lines = table_lines(screen.table)[: len(hostile_bodies()) + 1]
        # the Owner column starts at the same cell on every row, CJK titles or not
        owner_at = cell_len(lines[0][: lines[0].index("Owner")])
        for line, body in zip(lines[1:], reversed(hostile_bodies()), strict=True):
            assert cell_len(line[: line.index(body["owner"][:6])]) == owner_at
        assert len({cell_len(line) for line in lines}) == 1
        screen.table.move_to("01JTEST0000000000000000000")
        await pilot.pause()
        detail = static_text(screen, "#detail-main")
        assert "[/] closing tag first" in detail and "[bold red]Ann[/]" in detail
        assert "[link=x]markup[/link]" in detail and "<i>html</i>" in detail


def test_fit_cuts_wide_characters_to_the_cell():
    assert cell_len(fit("发布延期供应商", 5)) == 5
    assert fit("发布延期供应商", 5).endswith("…")
    assert fit("abc", 6, right=True) == "   abc"
    assert cell_len(fit("a\nb", 4)) == 4


async def keys_move_the_cursor_and_page(app, pilot):
    table = app.screen.table
    await pilot.press("end")
    assert table.current["seq"] == 1
    assert table_lines(table)[-1].split()[0] == "#1"
    await pilot.press("home", "pagedown")
    assert table.cursor > 5


@pilot_test
async def test_columns_give_way_by_priority_on_a_narrow_terminal(demo_db, make_app):
    """At 80x24 the title keeps room and Status stays; When loses its time and Approved by goes first."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        header = table_lines(app.screen.table)[0].split()
        assert header == ["#", "When", "Kind", "Title", "Owner", "Status"]
        widths = app.screen.table.widths(app.screen.table.scrollable_content_region.width)
        assert widths[3] >= 24 and widths[6] == 10
        first = table_lines(app.screen.table)[1]
        assert "2026-11-" in first and ":" not in first.split()[1]  # the date, without a cut-off time
        # The footer leaves out keys reached another way rather than cut one ("x Ret") and lose
        # Quit and Help past the edge.
        shown = [(k.key_display, k.description) for k in footer_keys(app.screen) if k.region.width]
        assert ("q", "Quit") in shown and ("?", "Help") in shown and ("/", "Filter") in shown
        assert all(app.screen.region.contains_region(k.region) for k in footer_keys(app.screen))
        assert all(k.region.right <= 80 - 13 for k in footer_keys(app.screen) if "-command-palette" not in k.classes)


@pilot_test
@pytest.mark.parametrize("size", [(120, 40), (80, 24), (60, 20)])
async def test_no_row_goes_to_a_scrollbar_under_the_trail(demo_db, make_app, size):
    """A one-cell overflow drew a horizontal scrollbar (a stray ▏ row) under the trail at every
    size; the columns give way to fit, so it scrolled nothing (a user trial in tmux)."""
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        assert not app.screen.table.show_horizontal_scrollbar


def footer_keys(screen):
    from textual.widgets._footer import FooterKey

    return list(screen.query(FooterKey))


async def the_footer_follows_the_keys_and_is_not_rebuilt_for_the_same_ones(app, pilot):
    on_trail = footer_keys(app.screen)
    assert [k.description for k in on_trail][:3] == ["Filter", "People", "Trace"]
    await pilot.press("tab")  # list -> detail pane: the same keys
    await pilot.pause()
    assert app.screen.focused.id == "detail"
    assert footer_keys(app.screen) == on_trail  # the very same widgets
    await pilot.press("tab")  # -> the filter: typing keys, so fewer shortcuts
    await pilot.pause()
    assert [(k.key_display, k.description) for k in footer_keys(app.screen)] == [("/", "Filter"), ("F1", "Help"), ("^p", "Commands")]
    await pilot.press("escape")
    await pilot.pause()
    assert [k.description for k in footer_keys(app.screen)] == [k.description for k in on_trail]


# What the demo journal's trail shows and does at 120x36, in turn in one app: each case moves
# to the rows it reads; the first two read the trail as the app opens it.
DEMO_CASES = [
    the_footer_follows_the_keys_and_is_not_rebuilt_for_the_same_ones,  # leaves the newest highlighted
    trail_lists_newest_first_with_details,
    link_jump_clears_a_filter_that_hides_the_target,
    link_jumps_to_the_linked_entry,
    retracted_and_superseded_are_marked,
    amendment_history_shows_old_new_and_reason,
    keys_move_the_cursor_and_page,
]


@pilot_test
async def test_the_demo_trail(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await each_case(app, pilot, DEMO_CASES)


@pilot_test
async def test_a_long_value_in_the_detail_pane_wraps_under_its_value_not_under_the_labels(db, make_app):
    # "Causes  expectations (Inflated expectations, 高期望值), communication (...,\n沟通不畅)":
    # the wrapped part started at the pane's left edge, in the labels' column.
    from pmjournal.core.store import Journal

    people = ", ".join(f"Stakeholder number {n}" for n in range(1, 9))
    Journal(db, user="Pat PM").add("decision", {"title": "Wide", "owner": "Dana", "informed": people.split(", ")})
    app = make_app(db)
    async with app.run_test(size=(80, 40)) as pilot:
        await loaded(pilot)
        lines = static_text(app.screen, "#detail-main").splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(" Informed") or line.startswith("Informed"))
        first = lines[start]
        column = first.index("Stakeholder number 1")
        assert column > 10
        following = lines[start + 1 : start + 3]
        assert all(line[:column].strip() == "" and line[column:].strip() for line in following), lines[start : start + 3]
        shown = " ".join(line[column:].strip() for line in lines[start : start + 4])
        assert "Stakeholder number 8" in shown


@pilot_test
async def test_a_jump_that_clears_the_filter_scrolls_to_the_entry(demo_db, make_app):
    """A link followed from a filtered trail to an entry the filter hides clears the filter
    and highlights the entry: the trail used to stay at its top, the entry below the screen."""
    from pmjournal.core.store import Journal

    journal = Journal(demo_db, user="Pat PM")
    target = next(v for v in journal.views.values() if v["seq"] == 57)
    for i in range(40):  # the target far below the first screenful
        journal.add("note", {"title": f"filler {i}"})
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        trail.set_filter("load test")
        await pilot.pause()
        assert trail.table.row_of(target["id"]) is None
        trail.jump_to(target["id"])
        await pilot.pause()
        await pilot.pause()
        table = trail.table
        assert table.current["id"] == target["id"] and trail.filter_text == ""
        top = round(table.scroll_y)
        assert top <= table.cursor < top + table.scrollable_content_region.height - 1


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pilot_test
async def test_at_60_columns_every_footer_keeps_quit_and_help_whole(demo_db, make_app, lang):
    """At 60x20 the trail's footer cut Help in half ("? He▏^p Commands"), and the Due view's
    ("? Hel"): past GIVE_WAY the last keys but Quit and Help give way too."""
    from pmjournal.tui.screens.due import DueScreen
    from pmjournal.tui.screens.people import PeopleScreen
    from pmjournal.tui.screens.trace import TraceScreen

    app = make_app(demo_db, language=lang)
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        for key, view in ((None, TrailScreen), ("u", DueScreen), ("p", PeopleScreen), ("t", TraceScreen)):
            if key:
                await pilot.press(key)
                await wait_for(pilot, lambda view=view: isinstance(app.screen, view) and app.screen.ready)
            await pilot.pause(0.2)
            keys = footer_keys(app.screen)
            actions = [k.action for k in keys]
            assert "quit" in actions and "help" in actions, (view, actions)
            palette = next(k for k in keys if "-command-palette" in k.classes)
            assert all(k.region.right <= palette.region.x for k in keys if k is not palette), view
            if key:
                await pilot.press("escape")
                await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))


@pytest.mark.parametrize("theme", ["pmjournal-light", "pmjournal-dark", "pmjournal-dusk", "pmjournal-high-contrast"])
@pilot_test
async def test_the_number_column_is_readable_in_every_theme(demo_db, make_app, theme):
    """The # column ($text-muted) was drawn white: on the light theme, white on white."""
    app = make_app(demo_db, theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = app.screen.table
        for y in (2, 3):  # rows off the cursor, with and without the zebra stripe
            segments = [seg for seg in table.render_line(y) if seg.text.strip().startswith("#")]
            assert segments, y
            style = segments[0].style
            assert style.color is not None and style.bgcolor is not None
            assert contrast(style.color.get_truecolor(), style.bgcolor.get_truecolor()) >= 3, (y, style)


def lowest_contrast(widget, lines=None) -> float:
    """The lowest contrast of any text `widget` draws (on `lines`, else all of it): letters and
    digits, not the lines of a border."""
    ratios = [
        contrast(seg.style.color.get_truecolor(), seg.style.bgcolor.get_truecolor())
        for y in (lines if lines is not None else range(widget.size.height))
        for seg in widget.render_line(y)
        if any(c.isalnum() for c in seg.text) and seg.style and seg.style.color and seg.style.bgcolor
    ]
    assert ratios, widget
    return min(ratios)


@pytest.mark.parametrize(
    "theme", ["textual-light", "atom-one-light", "solarized-light", "catppuccin-latte", "rose-pine-dawn", "pmjournal-light", "nord"]
)
@pilot_test
async def test_text_is_readable_in_textuals_light_themes_too(demo_db, make_app, theme):
    """Our text in a theme's warning, error or accent colour, and the kinds in our dark colours,
    were drawn as they are on a light background: the filter's error at a contrast of 1.5, the
    focused label 1.4 and "risk" 1.7 in textual-light. They take Textual's $text-* colours, made
    to be read on the theme's background, and the kinds darker ones on a light theme."""
    from textual.widgets._footer import FooterKey

    from pmjournal.tui.forms import EntryForm
    from pmjournal.tui.widgets.footer import Footer

    app = make_app(demo_db, theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        assert lowest_contrast(trail.table, range(2, 12)) >= 3
        footer = trail.query_one(Footer)
        assert min(lowest_contrast(key) for key in footer.query(FooterKey)) >= 3  # 1.8 on atom-one-light
        filter_input = trail.query_one("#filter-input")
        filter_input.focus()
        await pilot.pause()
        region = filter_input.region  # the hint is on its top border: read back as drawn
        drawn_styles = [trail.get_style_at(x, region.y) for x in range(region.x + 2, region.x + 2 + len(filter_input.border_title))]
        assert filter_input.border_title and min(
            contrast(style.color.get_truecolor(), style.bgcolor.get_truecolor()) for style in drawn_styles if style.color and style.bgcolor
        ) >= 4  # 1.25 on textual-light, then 2.7 (4: solarized-light's own text is 4.1 there)
        trail.set_filter("since:someday")
        await pilot.pause()
        await pilot.pause()
        assert lowest_contrast(trail.query_one("#filter-status")) >= 3
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm) and app.screen.ready)
        await pilot.pause()
        form = app.screen
        focused = [label for label in form.query(".pm-label") if label.parent.has_pseudo_class("focus-within")]
        assert focused and lowest_contrast(focused[0]) >= 3
        assert lowest_contrast(form.query_one(".pm-title")) >= 3


def contrast(a, b) -> float:
    """WCAG contrast ratio of two RGB colours (1: the same; 21: black on white)."""

    def luminance(rgb) -> float:
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pilot_test
async def test_amend_and_retract_on_a_retracted_entry_are_refused_at_the_key(demo_db, make_app):
    """They opened the form (or asked for a reason and a confirmation) and refused only at
    the save: a form filled in for nothing."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        trail, gone = await on_a_retracted_entry(pilot)
        for key, words in (("a", "cannot be amended"), ("x", "already retracted")):
            app.clear_notifications()
            await pilot.pause(REACTION_SECONDS)  # a key typed sooner after a refusal is dropped (test_bursts.py)
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen is trail, key
            assert any(words in str(n.message) for n in app._notifications), key


@pilot_test
async def test_the_filter_bar_says_all_it_could_not_read(demo_db, make_app):
    """The status beside the filter was two lines high: "since:someday kind:x" showed half of
    the date's explanation and nothing of the kind's. Then the bar grew while it explained,
    and pushed the trail down and back up at the keys typed. Now the status shows all of it
    over the top of the trail while the filter is typed in, and enter says it in a notice."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        top = trail.table.region.y
        await pilot.press("/", *"since:someday kind:x")
        await pilot.pause()
        await pilot.pause()
        assert trail.table.region.y == top and trail.query_one("#filter-bar").region.height == 3
        # (read from the widget: the trail's Chinese titles beneath shift the drawn text's columns)
        shown = " ".join(static_text(trail, "#filter-status").split())
        assert "cannot understand the date 'someday'" in shown and "2026-11-23T15:00" in shown
        assert "unknown kind 'x'; choose from decision, change, communication, risk, incident, note" in shown
        status = trail.query_one("#filter-status").region
        assert status.bottom - 1 > trail.table.region.y  # over the trail, and on top of it:
        assert app.screen.get_widget_at(status.x + 1, status.bottom - 1)[0].id == "filter-status"
        app.clear_notifications()
        await pilot.press("enter")
        await pilot.pause()
        assert trail.table.has_focus and trail.table.region.y == top
        said = " ".join(str(n.message) for n in app._notifications)
        assert "cannot understand the date 'someday'" in said and "unknown kind 'x'; choose from" in said
        assert trail.query_one("#filter-status").region.height <= 3  # back on the trail: its first lines


@pilot_test
async def test_a_bare_at_in_the_filter_keeps_the_trail(demo_db, make_app):
    """`@` typed before the name searched for "@" and emptied the trail until the name came."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trail = app.screen
        count = len(trail.table.visible_views())
        trail.set_filter("@")
        await pilot.pause()
        await pilot.pause()
        assert len(trail.table.visible_views()) == count
        assert "@ needs a name" in " ".join(drawn(app).split())


@pilot_test
async def test_the_when_column_reads_in_local_time_in_the_order_it_is_sorted(journal, make_app):
    """A colleague's 10:00 -05:00 (23:00 here) sorted above a 15:00 +08:00 entry read as 10:00
    above 15:00: out of order. The detail pane says the entry's own time and the local one."""
    journal.add("note", {"title": "Ours", "occurred_at": "2026-11-19 15:00"})
    journal.add("note", {"title": "From New York", "occurred_at": "2026-11-19 10:00 -05:00"})
    app = make_app(journal.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rows = [line for line in table_lines(app.screen.table)[1:] if line.strip()]
        assert "2026-11-19 23:00" in rows[0] and "From New York" in rows[0]
        assert "2026-11-19 15:00" in rows[1] and "Ours" in rows[1]
        assert "Thu 19 Nov 2026 10:00 -05:00 · 23:00 +08:00 here" in " ".join(drawn(app).split())


@pytest.mark.parametrize("theme", ["pmjournal-light", "pmjournal-dark", "pmjournal-dusk", "pmjournal-high-contrast", "textual-light"])
@pilot_test
async def test_a_forms_placeholders_are_readable_in_every_theme(demo_db, make_app, theme):
    """Placeholders carry hints to read (a date's examples, "comma-separated"), drawn in
    $text-disabled: 2.65:1 on pmjournal-light, 3.3-3.5:1 on the others (a helper's trial)."""
    from pmjournal.tui.forms import EntryForm

    app = make_app(demo_db, theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm) and app.screen.ready)
        await pilot.pause()
        form = app.screen
        from textual.widgets import Input

        when = next(w for w in form.query(Input) if not w.value and w.placeholder and w.region.width)
        region = when.region
        styles = [form.get_style_at(x, region.y) for x in range(region.x + 1, region.x + 1 + min(len(when.placeholder), region.width - 2))]
        ratios = [contrast(s.color.get_truecolor(), s.bgcolor.get_truecolor()) for s in styles if s.color and s.bgcolor]
        assert ratios and min(ratios) >= 4.5, min(ratios)


@pilot_test
async def test_a_person_filter_that_begins_other_names_says_whom_it_means(journal, make_app):
    """`@dana` was Dana once a commitment named her, and Dana Whitfield's calls dropped out of
    the trail without a word (a user trial): it is said beside the count, as the CLI says it."""
    journal.add("decision", {"title": "Cut offline mode", "owner": "Dana Whitfield"})
    journal.add("communication", {"title": "Pricing call", "owner": "Lena Park", "commitments": "Dana; send the sheet; 2099-01-01"})
    app = make_app(journal.path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.screen.set_filter("@dana")
        await pilot.pause()
        await pilot.pause()
        said = " ".join(drawn(app).split())
        assert "'dana' is Dana, not" in said and "Dana Whitfield: type more of the name for them" in said, said
