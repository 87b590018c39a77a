"""The Textual app: wiring only. Screens own their behaviour (screens/), widgets draw (widgets/)."""

from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand

from ..core.config import Config
from .bindings import APP, HELP, TRAIL
from .screens.help import HelpScreen
from .screens.trail import TrailScreen
from .session import JournalSession

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
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, path, cfg: Config) -> None:
        super().__init__()
        self.session = JournalSession(Path(path), cfg.user)
        self.keymap = dict(cfg.keymap or {})
        self.error_message: str | None = None
        if cfg.theme and cfg.theme in self.available_themes:
            self.theme = cfg.theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(KIND_COLOURS)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(TrailScreen(self.session))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if isinstance(screen, TrailScreen):
            for binding in TRAIL:
                yield SystemCommand(binding.description, HELP.get(binding.id, ""), partial(screen.run_action, binding.action))
        yield SystemCommand("Help", HELP["help"], self.action_help)


def build_app(path, cfg: Config) -> PmjournalApp:
    """The app as `pmjournal` runs it; tests build it through here too."""
    return PmjournalApp(path, cfg)


def run(path, cfg: Config) -> int:
    app = build_app(path, cfg)
    app.run()
    return app.return_code or 0
