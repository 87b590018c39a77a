"""The Textual app: wiring only. Screens own their behaviour (screens/), widgets draw (widgets/)."""

from functools import partial
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand

from ..core import config as config_file
from ..core import paths
from ..core.config import Config
from ..core.errors import PmjournalError
from .bindings import APP, HELP, TEAM_ONLY, TRAIL
from .screens.help import HelpScreen
from .screens.trail import TrailScreen
from .session import JournalSession
from .themes import DEFAULT_DARK, load_themes

SIGNING_KEY_HELP = "Sign Markdown and JSON exports with your SSH key: set or clear signing_key in the config file"

# Kind colours a theme may override through its `variables`; the defaults suit dark and light themes.
KIND_COLOURS = {
    "kind-decision": "#4f9fde",
    "kind-change": "#c58af9",
    "kind-communication": "#3fb8a8",
    "kind-risk": "#e0a030",
    "kind-incident": "#e5534b",
    "kind-note": "#8b949e",
}


class PmjournalApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "pmjournal"
    BINDINGS = APP

    def __init__(self, path, cfg: Config) -> None:
        super().__init__()
        self.cfg = cfg
        self.session = JournalSession.open(Path(path), cfg.user)
        self.session.answer_days = cfg.answer_days
        self.session.signing_key = cfg.signing_key
        self.keymap = dict(cfg.keymap or {})
        self.error_message: str | None = None
        self._asked_name = False
        loaded = load_themes(paths.user_themes_dir())
        for theme in loaded.themes:
            self.register_theme(theme)
        # Shown once the screen is up: a bad theme file must not stop the app.
        self.startup_problems = [f"Theme skipped: {problem}" for problem in loaded.problems]
        wanted = cfg.theme or DEFAULT_DARK
        if wanted not in self.available_themes:
            self.startup_problems.append(f"Theme {wanted!r} from the config file is not available; using {DEFAULT_DARK}.")
            wanted = DEFAULT_DARK
        self.theme = wanted

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(KIND_COLOURS)

    async def on_event(self, event: events.Event) -> None:
        # A form that is opening holds the keys typed behind the key that opened it, to
        # replay them once its first field has the focus (forms/editors.py, HoldsKeys).
        hold = getattr(self.screen, "hold", None) if isinstance(event, (events.Key, events.Paste)) else None
        if hold is not None and not event.is_forwarded and hold(event):
            return
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(TrailScreen(self.session))
        for problem in self.startup_problems:
            self.notify(problem, severity="warning", timeout=12, markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def signed_first(self, then) -> None:
        """Run `then` once records can be signed: reading needs no name, so the
        first-run question waits until the user first records something. Asked
        once a session; dismissing it signs with the login name."""
        if self.cfg.name or self._asked_name:
            then()
            return
        self._asked_name = True
        from .forms import FirstRunDialog

        def signed(name: str | None) -> None:
            if name:
                self.cfg.name = name
                self.session.sign_as(name)
            then()

        self.push_screen(FirstRunDialog(self.cfg.user), signed)

    def _remember_theme(self, theme) -> None:
        # Chosen from the palette: it persists in config.toml for the next start.
        if theme.name == self.cfg.theme:
            return
        try:
            config_file.save({"theme": theme.name})
        except (PmjournalError, OSError) as err:
            self.notify(f"Could not save the theme choice: {err}", severity="warning", markup=False)
            return
        self.cfg.theme = theme.name

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def signing_key_dialog(self) -> None:
        """Set or clear config `signing_key` (forms/signing_key.py): from the palette, no key."""
        from .forms import SigningKeyDialog

        self.push_screen(SigningKeyDialog(self.session))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if isinstance(screen, TrailScreen):
            for binding in TRAIL:
                if binding.id in TEAM_ONLY and not screen.team:
                    # No key in a single-user journal, but the palette says how to join a team (run_action
                    # would do nothing: it asks check_action, which hides the key).
                    how = "Not a team journal yet: run `pmjournal sync REMOTE` first"
                    yield SystemCommand(binding.description, how, screen.action_sync)
                    continue
                yield SystemCommand(binding.description, HELP.get(binding.id, ""), partial(screen.run_action, binding.action))
            yield SystemCommand("Signing key…", SIGNING_KEY_HELP, self.signing_key_dialog)
        yield SystemCommand("Help", HELP["help"], self.action_help)


def build_app(path, cfg: Config) -> PmjournalApp:
    """The app as `pmjournal` runs it; tests build it through here too."""
    return PmjournalApp(path, cfg)


def run(path, cfg: Config) -> int:
    app = build_app(path, cfg)
    app.run()
    return app.return_code or 0
