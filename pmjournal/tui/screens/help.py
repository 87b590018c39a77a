"""Every key, as currently mapped (the config's keymap included)."""

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import APP, HELP, TEAM_ONLY, TRAIL


def key_for(app, binding: Binding) -> str:
    keys = getattr(app, "keymap", {}).get(binding.id, binding.key) if binding.id else binding.key
    if binding.key_display and keys == binding.key:
        return binding.key_display
    return ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column(Text("Id (for [keymap])"), no_wrap=True)
        team = getattr(getattr(self.app, "session", None), "team_joined", False)
        for binding in TRAIL + APP:
            if binding.id in TEAM_ONLY and not team:
                continue  # a single-user journal has no sync key
            table.add_row(Text(key_for(self.app, binding)), Text(HELP.get(binding.id, binding.description)), Text(binding.id))
        for keys, what in (
            ("up/down, j/k", "Move through the trail"),
            ("pgup/pgdn, home/end", "Page; newest; oldest"),
            ("enter", "On the trail: go to the entry's links; on a link: jump to it"),
            ("tab", "Next pane"),
            ("escape", "Clear the filter; close a screen"),
        ):
            table.add_row(Text(keys), Text(what), Text(""))
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(Text("escape closes this screen"), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
