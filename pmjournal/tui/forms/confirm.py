"""A yes/no question: discard a changed form, overwrite a file, retract an entry."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from pmjournal.core.i18n import N_, _

from ..key_order import EscapesInOrder, caught_up
from ..restyle import ResumesStyled


class ConfirmDialog(ResumesStyled, EscapesInOrder, ModalScreen[bool]):
    """Dismisses with True only for an explicit yes; escape and "no" keep what the user has."""

    ESCAPE = "answer(False)"

    CSS_PATH = "forms.tcss"
    # y and n with priority, as escape: the App runs them as it reads them, in its own task, so
    # the keys typed behind them (`escape n` and more text) are read only once the question has
    # closed and reach the form beneath; handled by the focused button instead, they were
    # routed to the question and lost with it.
    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), show=False, priority=True),
        Binding("n", "answer(False)", N_("No"), show=False, priority=True),
        Binding("escape", "escape", N_("Cancel"), priority=True),
    ]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None, *, danger: bool = True):
        """`yes` and `no` label the buttons (already translated); the keys stay y and n in every language."""
        super().__init__(classes="pm-dialog")
        self.question = question
        self.yes_label = yes or _("Yes")
        self.no_label = no or _("No")
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-confirm"):
            yield Label(self.question, markup=False, classes="pm-question")
            with Horizontal(classes="pm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="error" if self.danger else "primary")
                # The safe answer has the focus, so a stray enter never loses work.
                yield Button(f"{self.no_label} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    async def action_answer(self, yes: bool) -> None:
        if await caught_up(self):  # what was typed before the answer is handled first
            self.dismiss(yes)


def ask_to_discard(screen: ModalScreen, question: str | None = None) -> None:
    """Escape on a form or dialog holding what the user typed: close it only once they say
    Discard ("Keep editing", escape or a stray enter keep it open, the text as it was)."""

    def answered(discard: bool | None) -> None:
        if discard:
            screen.dismiss(None)

    question = question or _("Drop what you typed? Nothing has been saved.")
    screen.app.push_screen(ConfirmDialog(question, yes=_("Discard"), no=_("Keep editing")), answered)
