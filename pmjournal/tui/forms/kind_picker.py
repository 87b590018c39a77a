"""Choose what kind of entry to write: one key per kind, or arrows and enter."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from pmjournal.core.model import ENTRY_KINDS

KEYS = {"decision": "d", "change": "c", "communication": "m", "risk": "r", "incident": "i", "note": "n"}
BLURBS = {
    "decision": "who decided what, the options and why",
    "change": "a requirement change: who asked, who approved, impact",
    "communication": "who was told what, how, and who acknowledged it",
    "risk": "a risk raised: by whom, to whom, and the response",
    "incident": "something went wrong, its causes and what led to it",
    "note": "anything else worth having on record",
}


class KindPicker(ModalScreen[str | None]):
    """Dismisses with the kind; the trail then opens its form.

    Every key here has priority, so the App acts on it as it reads it: the picker
    was pushed from the App's task (the trail's "n" has priority too), so the
    dismiss callback that pushes the form runs right after this key, before the
    App reads the next one, and the keys typed behind go to the form, which holds
    them until its first field has the focus (editors.py HoldsKeys). Arrows and
    enter too, so "n ↓ ↓ enter" picks the kind the arrows reached.
    """

    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding(key, f"pick('{kind}')", kind.capitalize(), show=False, priority=True) for kind, key in KEYS.items()] + [
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("enter", "pick_highlighted", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self):
        super().__init__(classes="pm-dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-picker"):
            yield Label("New entry: what kind?", classes="pm-title")
            yield OptionList(
                *[
                    Option(Text.assemble((f" {KEYS[kind]} ", "reverse"), f" {kind:<14}", (BLURBS[kind], "dim")), id=kind)
                    for kind in ENTRY_KINDS
                ],
                id="kinds",
            )
            yield Label("press a key, or ↑↓ and enter · esc cancels", classes="pm-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, kind: str) -> None:
        self.dismiss(kind)

    def action_move(self, step: int) -> None:
        kinds = self.query_one(OptionList)
        kinds.highlighted = 0 if kinds.highlighted is None else (kinds.highlighted + step) % kinds.option_count

    def action_pick_highlighted(self) -> None:
        kinds = self.query_one(OptionList)
        if kinds.highlighted is not None:
            self.dismiss(kinds.get_option_at_index(kinds.highlighted).id)

    def action_cancel(self) -> None:
        self.dismiss(None)
