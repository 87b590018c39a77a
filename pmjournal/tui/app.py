"""The Textual app: wiring only. Screens own their behaviour (screens/), widgets draw (widgets/)."""

import asyncio
import contextlib
import signal
import sys
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandInput, CommandPalette, SimpleCommand
from textual.widgets import Button, Input
from textual.worker import Worker

from ..core import config as config_file
from ..core import i18n, paths
from ..core.config import Config
from ..core.errors import PmjournalError
from ..core.i18n import N_, _, pgettext
from . import rescue
from .bindings import APP, TEAM_ONLY, TRAIL, help_text, shown
from .commands import BothLanguages
from .contrast import readable_hint, readable_on
from .key_order import HoldsKeys, caught_up, escape_then_key, typed_before_a_refusal
from .screens.help import HelpScreen
from .screens.trail import TrailScreen
from .session import JournalSession
from .themes import DEFAULT_DARK, load_themes

SIGNING_KEY_HELP = N_("Sign Markdown and JSON exports with your SSH key: set or clear signing_key in the config file")
# The palette's language command: its title is in both languages, so that someone who cannot
# read the interface's current language still finds it.
LANGUAGE_COMMAND = "Language · 语言: " + " / ".join(i18n.LANGUAGES.values())

# Kind colours a theme may override through its `variables`. A theme that does not (Textual's
# own) gets these on a dark background, and on a light one darker ones (pmjournal-light's): the
# dark set on textual-light's white drew "risk" at a contrast of 1.7.
KIND_COLOURS = {
    "kind-decision": "#4f9fde",
    "kind-change": "#c58af9",
    "kind-communication": "#3fb8a8",
    "kind-risk": "#e0a030",
    "kind-incident": "#e5534b",
    "kind-note": "#8b949e",
}
KIND_COLOURS_LIGHT = {
    "kind-decision": "#1F5FA8",
    "kind-change": "#7B3FA8",
    "kind-communication": "#0F7A6C",
    "kind-risk": "#9A6500",
    "kind-incident": "#B3261E",
    "kind-note": "#5F6873",
}


def checked_keymap(keymap: dict) -> tuple[dict, list[str]]:
    """The config's [keymap] as it can be applied, and a line for each entry it cannot
    (bindings.keymap_problems); the views' screens load only for a config that has one."""
    from .bindings import keymap_problems
    from .screens.due import DueScreen
    from .screens.people import PeopleScreen
    from .screens.trace import TraceScreen
    from .widgets.row_table import RowTable

    views = {"people": PeopleScreen.BINDINGS, "trace": TraceScreen.BINDINGS, "due": DueScreen.BINDINGS, "help": HelpScreen.BINDINGS}
    return keymap_problems(keymap, views, RowTable.BINDINGS)


class PmjournalApp(App):
    # The forms' CSS from the start, in the order it was read before (after the app's own), as
    # well as from each form's CSS_PATH: a screen's CSS read for the first time makes Textual
    # parse every stylesheet again and restyle the whole app, trail included, as the first
    # form of a session opens (~25 ms of CPU on the demo journal, more on a full screen).
    CSS_PATH = ["app.tcss", "forms/forms.tcss"]
    TITLE = "pmjournal"
    BINDINGS = APP
    COMMANDS = {BothLanguages}  # (tui/commands.py: a command found in English whatever the language)

    def __init__(self, path, cfg: Config) -> None:
        super().__init__()
        self.cfg = cfg
        self.session = JournalSession.open(Path(path), cfg.user)
        self.session.answer_days = cfg.answer_days
        self.session.signing_key = cfg.signing_key
        self.keymap = dict(cfg.keymap or {})
        self.error_message: str | None = None
        self.rescued: Path | None = None  # where a bug's exit kept what was typed (rescue.py)
        self.held_after_question: list | None = None  # keys read after the first-run question's enter
        self._asked_name = False
        loaded = load_themes(paths.user_themes_dir())
        for theme in loaded.themes:
            self.register_theme(theme)
        # Shown once the screen is up: a bad theme file must not stop the app.
        self.startup_problems = [_("Theme skipped: {problem}").format(problem=problem) for problem in loaded.problems]
        wanted = cfg.theme or DEFAULT_DARK
        if wanted not in self.available_themes:
            self.startup_problems.append(
                _("Theme {wanted!r} from the config file is not available; using {default}.").format(
                    wanted=wanted, default=DEFAULT_DARK
                )
            )
            wanted = DEFAULT_DARK
        self.theme = wanted

    def _handle_exception(self, error: Exception) -> None:
        # Textual's one door for an exception nothing handled (it ends the app): keep what
        # the open forms hold first, while their widgets still exist.
        if self.rescued is None:
            self.rescued = rescue.save(
                self, self.session.path, _("unexpected error: {error}").format(error=f"{type(error).__name__}: {error}")
            )
        super()._handle_exception(error)

    def _signalled(self, signum: int) -> None:
        """Hung up or asked to stop: keep what the open forms hold, then leave."""
        reason = _("the terminal closed") if signum == signal.SIGHUP else _("pmjournal was asked to stop")
        if self.rescued is None:
            self.rescued = rescue.save(self, self.session.path, reason)
        self.exit(return_code=1)

    def end(self, message: str) -> None:
        """Leave the app saying `message` (the journal cannot be read any more), keeping what the
        open forms hold first: the journal replaced under a form took the form's text with it."""
        if self.rescued is None:
            self.rescued = rescue.save(self, self.session.path, message)
        self.exit(return_code=1, message=Text(f"pmjournal: {message}"))

    async def action_quit(self) -> None:
        # ctrl+q from a form with text in it quit at once, the text gone: ask as escape does.
        if getattr(self.screen, "quitting", False):
            return  # this very question is up: one at a time
        # The keys typed before ctrl+q first (it runs as the App reads it): `d abc ctrl+q` in one
        # burst quit before the form had "abc", and the text was lost without a question. (Keys a
        # form held while it opened are replayed in this task: those before ctrl+q were routed.)
        await caught_up(self.screen, say=False)
        try:
            typed = rescue.document(self, "") is not None
        except Exception:  # noqa: BLE001 -- a broken form must not stop the user from quitting
            typed = False
        if not typed:
            await super().action_quit()
            return

        from .forms.confirm import ConfirmDialog  # the forms load when first used, not at start

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        question = ConfirmDialog(_("Quit? What you typed in the open form is not saved."), yes=_("Quit"), no=_("Keep editing"))
        question.quitting = True
        self.push_screen(question, answered)

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        # The footer's keys are text in the theme's accent (1.8:1 on atom-one-light) or in its own
        # footer-key-foreground (2.9:1 on textual-light): made readable on the footer, from
        # Textual's $text-accent where the theme names no colour of its own.
        if "text-accent" in variables:
            named = self.current_theme.variables.get("footer-key-foreground")
            behind = variables.get("footer-key-background")
            if not behind or behind == "transparent":
                behind = variables.get("footer-background") or variables["background"]
            variables["footer-key-foreground"] = readable_on(named or variables["text-accent"], behind)
        # Placeholders are drawn in $text-disabled, and ours carry hints to read (a date's
        # examples, "comma-separated"): 2.65:1 on pmjournal-light, 3.5:1 on the dark themes.
        # Made readable (4.5:1) on a field of a form ($boost over $surface) and on the background.
        if "text-disabled" in variables:
            variables["text-disabled"] = readable_hint(variables)
        return variables

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(KIND_COLOURS if self.current_theme.dark else KIND_COLOURS_LIGHT)

    async def on_event(self, event: events.Event) -> None:
        if typed_before_a_refusal(self, event):
            return  # meant for what a refused key did not open (key_order.drop_typed_ahead)
        if isinstance(event, events.Key) and not event.is_forwarded and (typed := escape_then_key(event)):
            # alt+j from the terminal: escape, then j (key_order.escape_then_key); unless the
            # config's [keymap] gave alt+j to an action
            if event.key not in self.active_bindings:
                for key in typed:
                    await self.on_event(key)
                return
        if self.held_after_question is not None and isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self.held_after_question.append(event)  # for the form the first-run question opens (signed_first)
            return
        # A form that is opening holds the keys typed behind the key that opened it, to
        # replay them once its first field has the focus (forms/editors.py, HoldsKeys).
        hold = getattr(self.screen, "hold", None) if isinstance(event, (events.Key, events.Paste)) else None
        if hold is not None and not event.is_forwarded and hold(event):
            return
        await super().on_event(event)

    def get_default_screen(self) -> TrailScreen:
        # The trail is the first screen: pushed over Textual's empty default screen, it was
        # resized, laid out and drawn twice at start, and the empty screen beneath it three times.
        return TrailScreen(self.session)

    def on_mount(self) -> None:
        # The terminal closing (an SSH link dropped, the window closed: SIGHUP) or a polite kill
        # (SIGTERM) ended the app at once, and the open form's text with it.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread; not POSIX
                loop.add_signal_handler(signum, self._signalled, signum)
        if self.keymap:
            self.keymap, problems = checked_keymap(self.keymap)
            self.startup_problems += problems
            self.set_keymap(self.keymap)
        for problem in self.startup_problems:
            self.notify(problem, severity="warning", timeout=12, markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def action_help_quit(self) -> None:
        # Textual's ctrl+c notice, in the interface's language (it was English in the Chinese UI).
        quits = [a.binding for a in self.active_bindings.values() if a.binding.action in ("quit", "app.quit")]
        if quits:
            quit_key = next((b for b in quits if b.id == "quit"), quits[0])  # ours (q, or the keymap's) first
            self.notify(
                _("Press {key} to quit the app").format(key=self.get_key_display(quit_key)),
                title=_("Do you want to quit?"),
                markup=False,
            )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        # The palette's Screenshot: saved here, saying where or why not. Textual's went to the
        # Downloads folder, and where that did not exist said "Failed to save screenshot", in
        # English, and no more.
        from platformdirs import user_downloads_path

        folder = Path(path) if path else user_downloads_path()
        if not folder.is_dir():
            folder = Path.cwd()
        try:
            written = self.save_screenshot(filename, str(folder))
        except OSError as err:
            reason = f"{err.strerror}: {err.filename}" if err.strerror else str(err)
            self.notify(
                _("Not saved: {reason}").format(reason=reason),
                title=pgettext("palette", "Screenshot"),
                severity="error",
                markup=False,
            )
            return
        self.notify(_("Saved to {path}").format(path=written), title=pgettext("palette", "Screenshot"), markup=False)

    def signed_first(self, then) -> None:
        """Run `then` once records can be signed: reading needs no name, so the
        first-run question waits until the user first records something. Asked
        once a session; dismissing it signs with the login name."""
        if not self.cfg.name and not self._asked_name:
            # Another pmjournal (a second window) may have asked and saved it since this one
            # started: asked again, escape saved the login name over it.
            try:
                saved = config_file.load(self.cfg.path).name
            except (PmjournalError, OSError):
                saved = ""
            if saved:
                self.cfg.name = saved
                self.session.sign_as(saved)
        if self.cfg.name or self._asked_name:
            then()
            return
        self._asked_name = True
        from .forms import FirstRunDialog
        from .key_order import replay

        dialog = FirstRunDialog(self.cfg.user)

        def signed(name: str | None) -> None:
            if name:
                self.cfg.name = name
                self.session.sign_as(name)
            then()
            # Typed before the question showed, and after its enter (held by the App meanwhile:
            # they reached the question as it closed, and were lost): for what `then` opened.
            # The App goes on holding until they are replayed, all in one go and in order: the
            # keys typed before the question (`nd`, the kind picker's d) came after those typed
            # behind its enter, which the picker read first ("Ven" of a title picked a note).
            if not dialog.typed_ahead and not self.held_after_question:
                self.held_after_question = None
                return
            # A save typed before the question showed is not replayed: the form was never seen,
            # and `n d` + the name + a title + ctrl+s in one burst saved, for good, an entry
            # titled "Dana WhitfieldShip…" (the name was typed for the question, not the form).
            ahead = [e for e in dialog.typed_ahead if not (isinstance(e, events.Key) and e.key == "ctrl+s")]
            held_a_save = len(ahead) != len(dialog.typed_ahead)

            async def in_order() -> None:
                held, self.held_after_question = [*ahead, *(self.held_after_question or [])], None
                await replay(self, held)
                if held_a_save:
                    self.notify(
                        _("What you typed before the name question is in the form: check it, then press ctrl+s."),
                        title=_("Not saved yet"),
                        severity="warning",
                        timeout=10,
                        markup=False,
                    )

            self.call_later(in_order)

        self.push_screen(dialog, signed)

    def withdraw_notices(self, title: str) -> None:
        """Take down the notices titled `title` that are still shown: "Not saved yet" stayed up
        for its ten seconds after the entry it spoke of was saved. (Textual's own list: notify()
        hands back nothing to take down; pinned to textual <9 in pyproject.)"""
        for notification in list(self._notifications):
            if notification.title == title:
                self._unnotify(notification, refresh=False)
        self._refresh_notifications()

    def _remember_theme(self, theme) -> None:
        # Chosen from the palette: it persists in config.toml for the next start.
        if theme.name == self.cfg.theme:
            return
        try:
            config_file.save({"theme": theme.name})
        except (PmjournalError, OSError) as err:
            self.notify(_("Could not save the theme choice: {err}").format(err=err), severity="warning", markup=False)
            return
        self.cfg.theme = theme.name

    def get_key_display(self, binding: Binding) -> str:
        """F1 as keyboards print it (Textual writes "f1")."""
        key = binding.key
        if binding.key_display is None and key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return super().get_key_display(binding)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def signing_key_dialog(self) -> None:
        """Set or clear config `signing_key` (forms/signing_key.py): from the palette, no key."""
        from .forms import SigningKeyDialog

        self.push_screen(SigningKeyDialog(self.session))

    # -- the interface language ---------------------------------------------

    def choose_language(self) -> None:
        """The palette's language command: a second palette of the languages, as Theme offers the themes."""
        commands = [
            SimpleCommand(
                name,
                partial(self.switch_language, lang),
                _("Show pmjournal in {name} (saved in the config file)").format(name=name),
            )
            for lang, name in i18n.LANGUAGES.items()
        ]
        self.search_commands(commands, placeholder=_("Search for languages…"))

    def _open_form(self):
        """A screen in the stack that holds what the user typed (a form, a dialog), or None.
        The views (screens/) and the palette are drawn again from what they hold; a form is not."""
        from .screens.due import DueScreen
        from .screens.people import PeopleScreen
        from .screens.trace import TraceScreen

        redrawn = (TrailScreen, PeopleScreen, DueScreen, TraceScreen, HelpScreen, CommandPalette)
        return next((s for s in self.screen_stack if not isinstance(s, redrawn)), None)

    def switch_language(self, lang: str) -> None:
        """Show the interface in `lang` from now on, and keep it in the config for the next start.
        Refused while a form is open: it is not drawn again, and what was typed in it must stay."""
        if self._open_form() is not None:
            self.notify(
                _("Close the form first: the language changes when no form is open."),
                title=_("Language"),
                severity="warning",
                markup=False,
            )
            return
        i18n.set_language(lang)
        try:
            config_file.save({"language": lang})
        except (PmjournalError, OSError) as err:
            self.notify(_("Could not save the language choice: {err}").format(err=err), severity="warning", markup=False)
        else:
            self.cfg.language = lang
        self.relabel()
        self.notify(_("The interface is now in {name}.").format(name=i18n.LANGUAGES[lang]), markup=False)

    def relabel(self) -> None:
        """Draw every screen again in the language now in use: each view says its words again
        (its `relabel`), the footers and headers follow."""
        for screen in self.screen_stack:
            redo = getattr(screen, "relabel", None)
            if redo is not None:
                redo()
            for footer in screen.query("Footer"):
                relabel = getattr(footer, "relabel", None)
                if relabel is not None:
                    relabel()
            screen.refresh_bindings()
            screen.refresh(layout=True)

    # -- the command palette --------------------------------------------------

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        from .themes import ThemeNames

        self.push_screen(Palette(providers=[ThemeNames], placeholder=_("Search for themes…")))

    @staticmethod
    def _textual_words() -> dict[str, str]:
        """Textual's own palette commands (App.get_system_commands), title and help, in the interface's language."""
        return {
            "Theme": pgettext("palette", "Theme"),
            "Change the current theme": _("Change the current theme"),
            "Quit": pgettext("palette", "Quit"),
            "Quit the application as soon as possible": _("Quit the application as soon as possible"),
            "Keys": pgettext("palette", "Keys"),
            "Hide the keys and widget help panel": _("Hide the keys and widget help panel"),
            "Show help for the focused widget and a summary of available keys": _(
                "Show help for the focused widget and a summary of available keys"
            ),
            "Minimize": pgettext("palette", "Minimize"),
            "Minimize the widget and restore to normal size": _("Minimize the widget and restore to normal size"),
            "Maximize": pgettext("palette", "Maximize"),
            "Maximize the focused widget": _("Maximize the focused widget"),
            "Screenshot": pgettext("palette", "Screenshot"),
            "Save an SVG 'screenshot' of the current screen": _("Save an SVG 'screenshot' of the current screen"),
        }

    def get_system_commands(self, screen):
        words = self._textual_words()
        for command in super().get_system_commands(screen):
            if command.title == "Keys" and i18n.language() != i18n.DEFAULT:
                # Textual's keys panel prints each binding's English description; the Help screen
                # lists the same keys in the interface's language.
                yield command._replace(title=words["Keys"], help=help_text("help"), callback=self.action_help)
                continue
            if command.title == "Screenshot":
                # Textual's calls deliver_screenshot itself, past action_screenshot: in the
                # Downloads folder only, and "Failed to save screenshot", in English, without it.
                command = command._replace(callback=lambda: self.set_timer(0.1, self.action_screenshot))
            yield command._replace(title=words.get(command.title, command.title), help=words.get(command.help, command.help))
        if isinstance(screen, TrailScreen):
            for binding in TRAIL:
                if binding.id in TEAM_ONLY and not screen.team:
                    # No key in a single-user journal, but the palette says how to join a team (run_action
                    # would do nothing: it asks check_action, which hides the key).
                    how = _("Not a team journal yet: run `pmjournal sync REMOTE` first")
                    yield SystemCommand(shown(binding), how, screen.action_sync)
                    continue
                yield SystemCommand(shown(binding), help_text(binding.id), partial(screen.run_action, binding.action))
            yield SystemCommand(pgettext("palette", "Signing key…"), _(SIGNING_KEY_HELP), self.signing_key_dialog)
        yield SystemCommand(LANGUAGE_COMMAND, _("Show the interface in English or in 简体中文"), self.choose_language)
        yield SystemCommand(pgettext("key", "Help"), help_text("help"), self.action_help)


def build_app(path, cfg: Config) -> PmjournalApp:
    """The app as `pmjournal` runs it; tests build it through here too."""
    return PmjournalApp(path, cfg)


def run(path, cfg: Config) -> int:
    from .terminal_keys import use_in_drivers

    use_in_drivers()  # escape then a letter, sent at once, stays escape (terminal_keys.py)
    app = build_app(path, cfg)
    app.run()
    if app.rescued is not None:
        print(
            "pmjournal: " + _("what you had typed was not saved; it is kept in {path}").format(path=app.rescued),
            file=sys.stderr,
        )
    return app.return_code or 0


class Palette(HoldsKeys, CommandPalette):
    """Textual's command palette, holding the keys typed behind ctrl+p until its search box
    has the focus (key_order.HoldsKeys): `ctrl+p export` in one burst sent the letters to the
    trail while the palette opened (e opened the export dialog, 'xport' went into its path)."""

    _dismissed = False  # a command was chosen, or escape pressed: the palette is on its way out

    def _on_mount(self, event) -> None:
        super()._on_mount(event)
        self.release(self.query_one(CommandInput))

    def dismiss(self, result=None):
        # `ctrl+p help enter enter` in one burst: Textual's palette ran the command and dismissed
        # itself at each enter, and the second dismissal took the screen below with it (an open
        # form and its text, without a word) or, on the trail, ended the app (ScreenStackError).
        if self._dismissed:
            return None
        self._dismissed = True
        return super().dismiss(result)

    _enters_waiting = 0  # the enters read while the search for what was typed was still running

    @on(Input.Submitted)
    @on(Button.Pressed)
    def _chosen_once(self, event) -> None:
        """A command is run once: an enter read after the palette chose one is dropped (not run
        again, nor passed to the screen below). An enter read while the commands matching what
        was typed are still being gathered waits for them: `ctrl+p decision enter` in one burst
        chose from the list of before ("Amend #10"), where typed slowly it chose New decision."""
        if self._dismissed or (isinstance(event, Input.Submitted) and self._searching()):
            event.prevent_default()
            event.stop()
            if not self._dismissed:
                self._enters_waiting += 1

    def _searching(self) -> bool:
        return any(
            worker.node is self and worker.group == self._GATHER_COMMANDS_GROUP and not worker.is_finished
            for worker in self.app.workers
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self._enters_waiting and event.worker.group == self._GATHER_COMMANDS_GROUP and not self._searching():
            waiting, self._enters_waiting = self._enters_waiting, 0
            for _enter in range(waiting):  # each as it would have acted on the list now shown
                if not self._dismissed:
                    self._select_or_command()
