"""App-level wiring: themes (shipped, user, bad, persisted) and the first-run name."""

import tomllib

import pytest
from textual.widgets import Input
from tuihelp import SIZE, drawn, loaded, pilot_test, typed, wait_for

from pmjournal.core import paths
from pmjournal.core.config import Config
from pmjournal.tui.app import build_app
from pmjournal.tui.forms import FirstRunDialog


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pilot_test
async def test_default_theme_is_ours_and_shipped_themes_are_offered(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "pmjournal-dark"
        for name in ("pmjournal-light", "pmjournal-high-contrast", "pmjournal-dusk"):
            assert name in app.available_themes
        await pilot.pause(0.2)
    assert not paths.config_file().exists()  # starting the app writes no config


@pilot_test
async def test_bad_user_theme_is_named_and_the_app_starts(demo_db, make_app):
    themes = paths.user_themes_dir()
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "chartreuse-ish"\n')
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\n')
    app = make_app(demo_db, theme="mine")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "mine"
        assert any("broken.toml" in n and "not a colour" in n for n in notices(app))


def write_css_theme() -> str:
    """A user theme whose variable carries CSS; it used to stop the app ("Error in stylesheet")."""
    themes = paths.user_themes_dir()
    themes.mkdir(parents=True)
    path = themes / "sneaky.toml"
    path.write_text(
        'name = "sneaky"\nprimary = "#336699"\n[variables]\nfooter-key-foreground = "red; } Screen { display: none; } X {"\n'
    )
    return str(path)


@pilot_test
async def test_a_theme_with_css_in_a_variable_is_skipped_at_start(demo_db, make_app):
    path = write_css_theme()
    app = make_app(demo_db, theme="sneaky")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "pmjournal-dark"
        assert any(path in n and "variables.footer-key-foreground is not a colour" in n for n in notices(app))
    assert app.return_code in (None, 0)


@pilot_test
async def test_every_theme_the_palette_offers_can_be_switched_to(demo_db, make_app):
    write_css_theme()
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        shown = drawn(app)
        for name in list(app.available_themes):
            app.theme = name  # what choosing it in the command palette does
            await pilot.pause()
            assert app.is_running, name
            assert drawn(app) == shown, name  # a theme changes colours, never what is shown
        assert "sneaky" not in app.available_themes
        await loaded(pilot)
    assert app.return_code in (None, 0)


@pilot_test
async def test_unknown_configured_theme_falls_back_with_a_notice(demo_db, make_app):
    app = make_app(demo_db, theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "pmjournal-dark"
        assert any("no-such-theme" in n for n in notices(app))


@pilot_test
async def test_theme_choice_persists_in_the_config(demo_db, make_app):
    from pmjournal.core import config

    config.save({"name": "Pat PM", "keymap": {"people": "P"}})
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.theme = "pmjournal-light"  # what choosing it in the command palette does
        await wait_for(pilot, lambda: "theme" in paths.config_file().read_text())
    saved = tomllib.loads(paths.config_file().read_text())
    assert saved == {"name": "Pat PM", "theme": "pmjournal-light", "keymap": {"people": "P"}}


@pilot_test
async def test_first_run_asks_for_the_name_on_the_first_record_not_to_read(demo_db):
    from pmjournal.tui.forms import EntryForm, KindPicker

    app = build_app(demo_db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)  # browsing needs no name: no dialog in the way
        assert not isinstance(app.screen, FirstRunDialog)
        await pilot.press("down", "down")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KindPicker))  # the kind first
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunDialog))
        field = app.screen.query_one(Input)
        field.value = ""
        await typed(pilot, "Dana Whitfield{enter}", lambda: isinstance(app.screen, EntryForm))  # and on to what was asked for
        assert app.session.journal.user == "Dana Whitfield"
        record = app.session.journal.add("note", {"title": "signed"})
        assert record["recorded_by"] == "Dana Whitfield"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EntryForm))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KindPicker))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))  # asked once
    assert tomllib.loads(paths.config_file().read_text())["name"] == "Dana Whitfield"


@pytest.mark.parametrize("opener", ["d", "nd"], ids=["decision-key", "through-the-kind-picker"])
@pilot_test
async def test_keys_typed_behind_the_first_run_questions_enter_reach_the_form(demo_db, opener):
    """`d` (or `n d`), then the name, enter, a title, tab tab, an owner, ctrl+s, typed at once:
    what came after enter reached the question as it closed and was lost, the form stayed
    empty; through the kind picker, the title's letters chose the kind."""
    from pmjournal.core.store import Journal
    from pmjournal.tui.forms import EntryForm

    app = build_app(demo_db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await typed(pilot, opener, lambda: isinstance(app.screen, FirstRunDialog))
        app.screen.query_one(Input).value = ""
        before = len(Journal(demo_db).records())
        await typed(pilot, "Pat Q{enter}Vendor slipped{tab}{tab}Dana{ctrl+s}", lambda: len(Journal(demo_db).records()) > before)
        await wait_for(pilot, lambda: not isinstance(app.screen, EntryForm))
    record = Journal(demo_db).records()[-1]
    assert (record["kind"], record["title"], record["owner"], record["recorded_by"]) == ("decision", "Vendor slipped", "Dana", "Pat Q")


@pilot_test
async def test_a_name_saved_by_another_window_meanwhile_is_used_not_asked_again(demo_db):
    """Two windows opened before the name was given: the first asked and saved it, the second
    asked again and its escape ('keep the name shown': the login name) saved over it."""
    from pmjournal.core import config as config_file
    from pmjournal.tui.forms import EntryForm, KindPicker

    app = build_app(demo_db, Config(name="", path=paths.config_file()))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        config_file.save({"name": "Dana Whitfield"})  # the other window
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KindPicker))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))  # not the question
        assert app.session.journal.user == "Dana Whitfield"
    assert tomllib.loads(paths.config_file().read_text())["name"] == "Dana Whitfield"


@pilot_test
async def test_keys_typed_ahead_of_the_first_run_question_wait_for_the_form(demo_db):
    """A first-time user types a whole entry in one burst: the name question comes up in
    between, but what was typed before it showed was meant for the form. It is kept for the
    form (not typed into the name: the title, then the owner over it after two tabs), and
    once the name is given the form shows it; the ctrl+s typed ahead does not save it unseen
    (the burst may have held the name, as "Dana WhitfieldShip it", saved for good)."""
    from pmjournal.core.store import Journal
    from pmjournal.tui.forms import EntryForm

    app = build_app(demo_db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = len(Journal(demo_db, user="x").records())
        await typed(pilot, "ndShip it{tab}{tab}Dana Lee{ctrl+s}", lambda: isinstance(app.screen, FirstRunDialog))
        await pilot.pause(0.2)
        field = app.screen.query_one(Input)
        assert field.value == app.cfg.user  # the login name offered, nothing typed into it
        field.value = ""
        await typed(pilot, "Pat Ng{enter}", lambda: isinstance(app.screen, EntryForm))
        form = app.screen
        await wait_for(pilot, lambda: form.query_one("#f-owner", Input).value == "Dana Lee")
        await pilot.pause(0.3)
        assert form.query_one("#f-title", Input).value == "Ship it" and app.screen is form
        assert len(Journal(demo_db, user="x").records()) == before  # not saved unseen
        assert any("check it, then press ctrl+s" in str(n.message) for n in app._notifications)
        await typed(pilot, "{ctrl+s}", lambda: len(Journal(demo_db, user="x").records()) > before)
        record = Journal(demo_db, user="x").records()[-1]
        assert (record["title"], record["owner"], record["recorded_by"]) == ("Ship it", "Dana Lee", "Pat Ng")
        # Saved: the notice that said it was not goes (it stayed up its ten seconds: a helper's trial)
        await wait_for(pilot, lambda: not any("check it, then press ctrl+s" in str(n.message) for n in app._notifications), timeout=2)


@pilot_test
async def test_amend_by_keyboard_reaches_the_reason_with_shift_tab(demo_db, make_app):
    """The form's help says so; the scrolling container used to take that focus step."""
    from pmjournal.core.store import Journal
    from pmjournal.tui.forms import AmendForm

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        seq = app.screen.table.current["seq"]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AmendForm))
        assert app.focused.id == "f-title"
        await pilot.press("tab", "tab")
        await typed(pilot, "Dana Whitfield", lambda: app.focused.value == "Dana Whitfield")
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        assert app.focused.id == "f-reason"
        await typed(pilot, "Dana owns it{ctrl+s}", lambda: not isinstance(app.screen, AmendForm))
    view = Journal(demo_db).get(str(seq))
    assert view["owner"] == "Dana Whitfield"
    assert view["history"][-1]["reason"] == "Dana owns it"


@pilot_test
async def test_empty_journal_loads_the_demo_by_keyboard(db):
    """First run on an empty journal: tab/enter on the offer loads the demo (no name asked to read it)."""
    from pmjournal.core.store import Journal

    app = build_app(db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("tab", "enter", "y")  # y: the demo's entries stay in this journal (it asks)
        await wait_for(pilot, lambda: db.exists() and len(Journal(db)) > 40)
        await loaded(pilot)
        assert len(app.screen.table.visible_views()) >= 40


@pilot_test
async def test_amend_form_refuses_to_empty_when_and_keeps_the_text(demo_db, make_app):
    from textual.widgets import Input

    from pmjournal.core.store import Journal
    from pmjournal.tui.forms import AmendForm

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        seq = app.screen.table.current["seq"]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AmendForm))
        app.screen.query_one("#f-occurred_at", Input).value = ""
        app.screen.query_one("#f-reason", Input).value = "testing"
        await pilot.pause()  # let the fields' Changed messages arrive first, as typing would
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AmendForm)  # still open, with what was typed
        assert app.screen.query_one("#f-reason", Input).value == "testing"
        from pmjournal.tui.forms.fields import FieldRow

        when_row = next(row for row in app.screen.query(FieldRow) if row.field.name == "occurred_at")
        assert "cannot be emptied" in (when_row._error or "")  # shown beside the field
    assert Journal(demo_db).get(str(seq))["occurred_at"]


@pilot_test
async def test_done_in_the_due_view_asks_for_the_name_first(demo_db):
    """Done is a record too: it was signed with the login name, the question never asked."""
    from pmjournal.tui.forms.done import DoneDialog
    from pmjournal.tui.screens.due import DueScreen

    app = build_app(demo_db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, DueScreen) and app.screen.ready)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunDialog))
        app.screen.query_one(Input).value = ""
        await typed(pilot, "Dana Whitfield{enter}", lambda: isinstance(app.screen, DoneDialog))
        assert app.session.journal.user == "Dana Whitfield"


@pilot_test
async def test_ctrl_c_and_the_screenshot_speak_the_interfaces_language(demo_db, make_app, tmp_path, monkeypatch):
    """ctrl+c's "how to quit" notice was Textual's English in the Chinese UI, and the palette's
    Screenshot, with no Downloads folder, said only "Failed to save screenshot", in English."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no Downloads folder there
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "home" / "Downloads"))
    monkeypatch.chdir(tmp_path)
    from pmjournal.core import i18n

    i18n.set_language("zh_CN")  # conftest sets English back before each test
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [(n.title, str(n.message)) for n in app._notifications]
        assert ("要退出吗？", "按 q 退出应用") in messages, messages
        # As the palette runs it: Textual's own command called deliver_screenshot, past ours.
        (shot,) = [c for c in app.get_system_commands(app.screen) if c.title == "截图"]
        shot.callback()
        await wait_for(pilot, lambda: any(str(n.message).startswith("已保存到 ") for n in app._notifications))
        assert list(tmp_path.glob("*.svg")), [str(n.message) for n in app._notifications]

        def full(*args):
            raise OSError(28, "No space left on device", "shot.svg")

        monkeypatch.setattr(app, "save_screenshot", full)
        app.action_screenshot()
        await pilot.pause()
        assert "未保存：No space left on device: shot.svg" in [str(n.message) for n in app._notifications]


@pilot_test
async def test_first_run_through_the_kind_picker_at_a_typists_pace(demo_db):
    """`n`, `d`, the name, enter, a title... one key at a time: the question came up on `n`,
    before the kind was chosen, so the `d` went into the name ("dDana Whitfield") and the
    title's first letters chose the kind ("Shi": an incident). The kind comes first now."""
    from pmjournal.core.store import Journal
    from pmjournal.tui.forms import EntryForm, KindPicker

    app = build_app(demo_db, Config(name=""))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = len(Journal(demo_db).records())
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KindPicker))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunDialog))
        app.screen.query_one(Input).value = ""
        for key in [*"Dana Whitfield", "enter"]:
            await pilot.press(key if key != " " else "space")
            await pilot.pause(0.02)
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))
        for key in [*"Ship pricing v2", "tab", "tab", *"Marcus Chen", "ctrl+s"]:
            await pilot.press(key if key != " " else "space")
        await wait_for(pilot, lambda: len(Journal(demo_db).records()) > before)
    record = Journal(demo_db).records()[-1]
    assert (record["kind"], record["title"], record["owner"], record["recorded_by"]) == (
        "decision", "Ship pricing v2", "Marcus Chen", "Dana Whitfield"
    )


@pilot_test
async def test_the_theme_palette_shows_a_name_as_written(demo_db, make_app):
    """A theme file named "mine [bold]" was offered as "mine" (the name read as markup)."""
    from textual.command import CommandList

    themes = paths.user_themes_dir()
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('name = "mine [bold]"\nprimary = "#336699"\n')
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)

        def offered() -> list[str]:
            options = app.screen.query(CommandList)
            if not options:
                return []
            found = options.first()
            return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]

        app.search_themes()
        await wait_for(pilot, lambda: any("mine" in o for o in offered()))
        assert any(o.startswith("mine [bold]") for o in offered()), offered()
        await typed(pilot, "mine", lambda: offered() and all("mine" in o for o in offered()))
        assert offered()[0].startswith("mine [bold]"), offered()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "mine [bold]")
