"""What the one-field dialogs (retract, export, first run) share: an #error
label under the field, hidden until there is something to say, and the field
focused on opening so the dialog is usable without the mouse."""

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Input, Label

from .editors import FormInput, HoldsKeys, refused

ResultType = TypeVar("ResultType")


class FieldDialog(HoldsKeys, ModalScreen[ResultType]):
    CSS_PATH = "forms.tcss"

    def __init__(self):
        super().__init__(classes="pm-dialog")

    def on_mount(self) -> None:
        self.show_error(None)
        self.release(self.query_one(Input))  # focus it, then the keys typed while the dialog opened

    def on_form_input_extra_lines(self, event: FormInput.ExtraLines) -> None:
        # A multi-line paste into the dialog's one line: nothing pasted, say why.
        event.stop()
        self.show_error(refused(event.text))

    def show_error(self, message: str | None) -> None:
        label = self.query_one("#error", Label)
        label.update(message or "")
        label.display = bool(message)
