"""The TUI in Simplified Chinese: no English left on the main screens, the palette's
language command, and the English interface as it was.

Each test pins its language (tests/conftest.py starts every test in English)."""

import json
import re

import pytest
from tuihelp import case, each_case, loaded, pilot_test, typed, wait_for

from pmjournal.core import config, i18n
from pmjournal.tui.bindings import APP, TRAIL, key_labels
from pmjournal.tui.screens.due import DueScreen
from pmjournal.tui.screens.help import HelpScreen
from pmjournal.tui.screens.people import PeopleScreen
from pmjournal.tui.screens.trace import TraceScreen
from pmjournal.tui.screens.trail import TrailScreen

WORD = re.compile(r"[A-Za-z]{3,}")
# What may stay in Latin letters on a Chinese screen: key names, the filter's syntax
# (typed as it is in either language), config words, the program's name, command lines.
ALLOWED = {
    "ctrl", "esc", "escape", "enter", "tab", "pgup", "pgdn", "home", "end", "up", "down",
    "kind", "decision", "project", "since", "until", "cause", "role", "author", "retracted", "person", "tag",
    "keymap", "pmjournal", "json", "caused_by", "Id",
}  # fmt: skip


@pytest.fixture
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


# Stored values the interface shows in its own language (core/labels.py): not user data.
SHOWN_TRANSLATED = {"kind", "status", "source", "channel", "likelihood", "severity", "impact", "rel", "loop"}


def journal_words(db) -> set[str]:
    """Every word the journal itself holds (titles, names, projects, bodies): user data, never
    translated. Kinds, statuses and the other choices are left out: those must be translated."""
    words: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            words.update(WORD.findall(value))
        elif isinstance(value, dict):
            for key, v in value.items():
                if not (key in SHOWN_TRANSLATED and isinstance(v, str)):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for line in db.read_text(encoding="utf-8").splitlines():
        if line.strip():
            walk(json.loads(line))
    return words


def screen_text(app) -> str:
    """What the current screen shows, as text (its own layers: a modal without the screen behind it)."""
    app.clear_notifications()
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def english_left(text: str, allowed: set[str]) -> list[str]:
    """The Latin words of `text` that are neither allowed nor user data; a word a column or the
    screen's edge cut ("Janu…", "Post-mort") counts as the user's word it begins."""
    ids = {part for binding in TRAIL + APP if binding.id for part in re.split(r"[._]", binding.id)}
    ok = {w.lower() for w in allowed | ALLOWED | ids}
    left = set()
    for line in text.splitlines():
        words = list(re.finditer(r"([A-Za-z]{3,})(…?)", line.rstrip()))
        for match in words:
            word = match.group(1).lower()
            cut = match.group(2) or match.end() == len(line.rstrip()) or line[match.end() : match.end() + 1] in ("│", "▎")
            if word in ok or (cut and any(w.startswith(word) for w in ok)):
                continue
            left.add(match.group(1))
    return sorted(left)


@pilot_test
async def test_no_english_left_on_the_main_screens(demo_db, make_app, chinese):
    allowed = journal_words(demo_db) | {demo_db.name.rsplit(".", 1)[0]}
    app = make_app(demo_db)
    seen: dict[str, list[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        screen = app.screen
        table = screen.table
        # the trail and the detail of entries of every kind, with loops, links and history
        for view in table.visible_views():
            if view["seq"] in (34, 46, 57, 61, 65, 67, 68):
                table.move_to(view["id"])
                await wait_for(pilot, lambda: screen.settled)
                seen[f"trail #{view['seq']}"] = english_left(screen_text(app), allowed)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PeopleScreen) and app.screen.ready)
        seen["people"] = english_left(screen_text(app), allowed)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
        seen["due"] = english_left(screen_text(app), allowed)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
        seen["trace"] = english_left(screen_text(app), allowed)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        seen["help"] = english_left(screen_text(app), allowed)
    left = {where: words for where, words in seen.items() if words}
    assert left == {}, "\n".join(f"{where}: {' '.join(words)}" for where, words in left.items())


@pilot_test
async def test_the_welcome_panel_speaks_chinese(db, make_app, chinese):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: not app.screen._loading)
        text = screen_text(app)
    assert "载入示例日志" in text
    assert english_left(text, {db.name.rsplit(".", 1)[0]}) == []


async def choose_language(pilot, name: str) -> None:
    """ctrl+p, the language command, then `name` in the second palette (each step waits for the
    palette's search to show what was typed: it answers asynchronously)."""
    from textual.command import CommandList, CommandPalette

    def showing(text: str):
        def check() -> bool:
            screen = pilot.app.screen
            if not isinstance(screen, CommandPalette):
                return False
            options = screen.query_one(CommandList)
            return options.option_count > 0 and text in str(options.get_option_at_index(0).prompt)

        return check

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await typed(pilot, "Language", showing("Language"))
    first = pilot.app.screen
    await pilot.press("enter")
    # the second palette, of the languages
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette) and pilot.app.screen is not first)
    await typed(pilot, name, showing(name))
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CommandPalette))


@pilot_test
async def test_the_palette_switches_english_to_chinese_and_the_config_keeps_it(demo_db, make_app):
    i18n.set_language("en")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert "Filter" in screen_text(app) and "筛选" not in screen_text(app)
        await choose_language(pilot, "简体")
        await wait_for(pilot, lambda: "筛选" in screen_text(app))
        text = screen_text(app)
        # the footer, the trail's headings and the detail pane's labels, drawn again
        for word in ("筛选", "人员", "标题", "负责人", "时间"):
            assert word in text
        assert "Approved by" not in text
        assert config.load().language == "zh_CN"
        # and back: a Chinese user finds the command by its English name, or by 语言
        await choose_language(pilot, "English")
        await wait_for(pilot, lambda: "Filter" in screen_text(app))
        assert i18n.language() == "en"
        assert config.load().language == "en"
    i18n.set_language("en")


# Each view as the language changes under it: its own words, then the trail's behind it.
VIEWS = [
    ("p", PeopleScreen, "Entries", "记录数"),
    ("u", DueScreen, "Owed by", "责任人"),
    ("t", TraceScreen, "What this entry was caused by", "这条记录的起因"),
    ("question_mark", HelpScreen, "Id (for [keymap])", "Id（用于 [keymap]）"),
]


@pilot_test
async def test_every_view_open_when_the_language_changes_is_drawn_again(demo_db, make_app):
    """The views in turn in one app, each opened in English (the one before is closed and the
    interface switched back to English first)."""
    i18n.set_language("en")
    app = make_app(demo_db)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await loaded(pilot)
            for key, view, english, chinese in VIEWS:
                with case(view.__name__):
                    await pilot.press(key)
                    await wait_for(pilot, lambda view=view: isinstance(app.screen, view))
                    assert english in screen_text(app)
                    app.switch_language("zh_CN")
                    await wait_for(pilot, lambda chinese=chinese: chinese in screen_text(app))
                    text = screen_text(app)
                    assert chinese in text and english not in text
                    await pilot.press("escape")
                    await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
                    assert "标题" in screen_text(app)
                app.switch_language("en")
                await wait_for(pilot, lambda: "Title" in screen_text(app) and i18n.language() == "en")
    finally:
        i18n.set_language("en")


@pilot_test
async def test_the_language_waits_while_a_form_is_open(demo_db, make_app):
    i18n.set_language("en")
    app = make_app(demo_db)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await loaded(pilot)
            await pilot.press("d")
            await wait_for(pilot, lambda: not isinstance(app.screen, TrailScreen))
            form = app.screen
            await typed(pilot, "Half typed", lambda: getattr(app.focused, "value", None) == "Half typed")
            app.switch_language("zh_CN")
            await pilot.pause()
            assert i18n.language() == "en"
            assert app.screen is form  # nothing typed is lost: the form stays as it was
            assert any("Close the form first" in n.message for n in app._notifications)
    finally:
        i18n.set_language("en")


def test_every_key_has_its_english_description_as_its_label():
    """key_labels() in English is each binding's own description: the footer reads the same as before."""
    i18n.set_language("en")
    labels = key_labels()
    views = DueScreen.BINDINGS + PeopleScreen.BINDINGS + TraceScreen.BINDINGS + HelpScreen.BINDINGS
    for binding in TRAIL + APP + views:
        assert labels[binding.id] == binding.description
    i18n.set_language("zh_CN")
    try:
        assert all(not WORD.search(word) for word in key_labels().values())
    finally:
        i18n.set_language("en")


async def the_chinese_footer_fits_80_columns_without_cutting_a_key(app, pilot):
    """Compact, and Links left out (enter on the trail reaches them) rather than a key cut in half
    under the palette's key; every key is still in the help screen."""
    assert app.size == (80, 24)
    footer = screen_text(app).splitlines()[-1]
    for words in ("/ 筛选", "p 人员", "u 待办", "n 新建", "q 退出", "? 帮助", "^p 命令"):
        assert words in footer
    assert "关联" not in footer
    await pilot.resize_terminal(120, 36)
    await wait_for(pilot, lambda: "l 关联" in screen_text(app).splitlines()[-1])


@pilot_test
async def test_the_welcome_panel_follows_a_language_switch(db, make_app):
    i18n.set_language("en")
    app = make_app(db)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: not app.screen._loading)
            assert "Load the demo journal" in screen_text(app)
            app.switch_language("zh_CN")
            await wait_for(pilot, lambda: "载入示例日志" in screen_text(app))
            text = screen_text(app)
            assert "载入示例日志" in text and "欢迎使用 pmjournal" in text
            assert english_left(text, {db.name.rsplit(".", 1)[0]}) == []
    finally:
        i18n.set_language("en")


async def the_palettes_keys_command_shows_the_translated_help_in_chinese(app, pilot):
    """Textual's keys panel prints the bindings' English descriptions: in Chinese the palette's
    按键 command opens the Help screen, which lists the same keys translated."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"按键")

    def first_is_keys() -> bool:
        options = app.screen.query_one(CommandList)
        return options.option_count > 0 and "按键" in str(options.get_option_at_index(0).prompt)

    await wait_for(pilot, first_is_keys)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    assert "Filter" not in screen_text(app)


@pilot_test
async def test_the_chinese_footer_and_the_palettes_keys_command(demo_db, make_app, chinese):
    """In Chinese, in one app: the footer at 80x24, then at 120x36 the palette's 按键 command."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await each_case(
            app,
            pilot,
            [
                the_chinese_footer_fits_80_columns_without_cutting_a_key,
                the_palettes_keys_command_shows_the_translated_help_in_chinese,
            ],
        )


@pilot_test
async def test_the_chinese_palette_finds_a_command_by_its_english_name_too(demo_db, make_app, chinese):
    """"quit" or "trace" typed in the palette found nothing in Chinese (a user trial): a command
    is found by its name in either language, and shown in the interface's."""
    from textual.command import CommandPalette
    from tuihelp import palette_shows

    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await typed(pilot, "trace", palette_shows(app, "起因"))
