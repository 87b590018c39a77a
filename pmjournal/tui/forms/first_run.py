"""Ask once for the name that signs every entry (`recorded_by`)."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from pmjournal.core import config
from pmjournal.core.errors import PmjournalError

from .dialog import FieldDialog
from .editors import FormInput


class FirstRunDialog(FieldDialog[str]):
    """Saves the name to the config file and dismisses with it.

    Escape keeps the default rather than leaving the journal unsigned.
    """

    BINDINGS = [Binding("escape", "use_default", "Use default")]

    def __init__(self, default_name: str):
        super().__init__()
        self.default_name = default_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-small"):
            yield Label("Welcome to pmjournal", classes="pm-title")
            yield Label(
                "Your name signs every entry you record (recorded by). It is saved in your config file.", classes="pm-help"
            )
            yield Label("Your name", classes="pm-label")
            yield FormInput(self.default_name, placeholder="e.g. Pat Lee", id="f-name")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label("enter save", classes="pm-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save(event.value)

    def action_use_default(self) -> None:
        self.save(self.query_one(Input).value or self.default_name)

    def save(self, text: str) -> None:
        name = " ".join(text.split())
        if not name:
            self.show_error("a name is required")
            return
        try:
            config.save({"name": name})
        except (PmjournalError, OSError) as err:
            self.show_error(f"cannot save the config file: {getattr(err, 'strerror', None) or err}")
            return
        self.dismiss(name)
