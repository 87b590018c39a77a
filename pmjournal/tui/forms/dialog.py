"""What the one-field dialogs (retract, export, first run) share: an #error
label under the field, hidden until there is something to say, and the field
focused on opening so the dialog is usable without the mouse."""

import asyncio
from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from pmjournal.core.display import visible
from pmjournal.core.errors import PmjournalError, StoreError
from pmjournal.core.i18n import N_, _

from ..key_order import EscapesInOrder, MovesInOrder, caught_up, run_focused_binding
from ..restyle import ResumesStyled
from .base import store_message
from .confirm import ask_to_discard
from .editors import FormInput, HoldsKeys, refused

ResultType = TypeVar("ResultType")


def one_line(err: Exception) -> str:
    """An error as one line of terminal-safe text (a path in it was typed by someone)."""
    message = str(err)
    if isinstance(err, OSError) and err.strerror:
        message = f"{err.strerror}: {err.filename}" if err.filename else err.strerror
    return visible(" ".join(message.split()))


class FieldDialog(ResumesStyled, EscapesInOrder, MovesInOrder, HoldsKeys, ModalScreen[ResultType]):
    CSS_PATH = "forms.tcss"
    # Enter has priority: the App runs it once the keys typed before it are in their fields,
    # and before it reads the ones typed after it. In the field's own task (Input.Submitted),
    # `reason enter y` read the reason after the y had been typed into it ("reasony" recorded),
    # and `note enter j` wrote "notej".
    BINDINGS = [Binding("enter", "enter", N_("Next field; in the last, go on"), show=False, priority=True)]

    def __init__(self):
        super().__init__(classes="pm-dialog")

    def on_mount(self) -> None:
        self.show_error(None)
        self.as_opened = self.typed()
        self.release(self.query_one(Input))  # focus it, then the keys typed while the dialog opened

    async def action_enter(self) -> None:
        if not await caught_up(self):
            return
        focused = self.focused
        if isinstance(focused, Input):
            self.entered(focused)
        else:
            await run_focused_binding(self, "enter")  # a radio set's, a button's

    def entered(self, field: Input) -> None:
        """Enter in one of the dialog's fields: on to the next (a dialog whose enter does more says so)."""
        self.focus_next()

    def dismiss(self, result=None):
        awaitable = super().dismiss(result)
        self.settle()  # what was typed while it saved goes to the screen it closes onto
        return awaitable

    def typed(self) -> list[str]:
        return [field.value for field in self.query(FormInput)]

    def cancel_keeping_text(self) -> None:
        """Escape: close at once if nothing was typed, else ask first, as the entry forms do."""
        if getattr(self, "saving", False):
            self.notify(_("Still saving: the form closes when the journal has it."), markup=False)
        elif self.typed() == self.as_opened:
            self.dismiss(None)
        else:
            ask_to_discard(self)

    def on_form_input_extra_lines(self, event: FormInput.ExtraLines) -> None:
        # A multi-line paste into the dialog's one line: nothing pasted, say why.
        event.stop()
        self.show_error(refused(event.text))

    async def write(self, failed: str, call, *args, **kwargs):
        """Run a journal write in a thread, saying "saving…" (it can wait for another
        process's lock), and return its record; or None, with the error under the field
        (a store failure is also a notice titled `failed`: what was typed is kept)."""
        self.show_error(_("saving…"))
        self.hold_until_settled()
        try:
            return await asyncio.to_thread(call, *args, **kwargs)
        except (StoreError, OSError) as err:
            message = store_message(err)
            self.show_error(message)
            self.notify(message, title=failed, severity="error", markup=False, timeout=8)
        except PmjournalError as err:
            self.show_error(str(err))
            self.focus_refused(getattr(err, "field", None))
        finally:
            self.call_later(self.settle)  # after the caller dismissed (dismiss settles) or not
        return None

    # Which of a dialog's fields a refused field of the core is typed in (the Done dialog's).
    FIELD_INPUTS = {"occurred_at": "f-when", "by": "f-by", "note": "f-note", "reason": "f-reason"}

    def focus_refused(self, field: str | None) -> None:
        """Put the cursor in the field the refusal named: it stayed where it was (the note),
        and the next keys typed went there."""
        name = self.FIELD_INPUTS.get(field or "")
        found = self.query(f"#{name}") if name else None
        if found:
            found.first().focus()

    def show_error(self, message: str | None) -> None:
        label = self.query_one("#error", Label)
        label.update(message or "")
        label.display = bool(message)
        if message:  # in a dialog taller than the window, where it can be read
            self.call_after_refresh(label.scroll_visible, animate=False)
