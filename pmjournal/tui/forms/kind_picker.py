"""Choose what kind of entry to write: one key per kind, or arrows and enter."""

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from pmjournal.core.i18n import N_, _
from pmjournal.core.model import ENTRY_KINDS

from ..restyle import ResumesStyled
from .labels import kind_name

KEYS = {"decision": "d", "change": "c", "communication": "m", "risk": "r", "incident": "i", "note": "n"}
BLURBS = {
    "decision": N_("who decided what, the options and why"),
    "change": N_("a requirement change: who asked, who approved, impact"),
    "communication": N_("who was told what, how, and who acknowledged it"),
    "risk": N_("a risk raised: by whom, to whom, and the response"),
    "incident": N_("something went wrong, its causes and what led to it"),
    "note": N_("anything else worth having on record"),
}


def kind_cell(kind: str, width: int = 14) -> str:
    """The kind's name padded to `width` terminal cells (a Chinese character takes two)."""
    name = kind_name(kind)
    return name + " " * max(1, width - cell_len(name))


class KindPicker(ResumesStyled, ModalScreen[str | None]):
    # Every key here has priority, so the App acts on it as it reads it. The picker
    # was pushed from the App's task (the trail's "n" has priority too), so the
    # dismiss callback, where the trail pushes the form, runs right after this key,
    # before the App reads the next one: the keys typed behind go to the form, which
    # holds them until its first field has the focus (editors.py HoldsKeys).
    # The arrows and enter are bindings here too, with priority, rather than the
    # OptionList's own (which run when the key reaches it, after the App has read
    # on): keys typed behind "n ↓ ↓ enter" go to the form as well.
    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding(key, f"pick('{kind}')", kind.capitalize(), show=False, priority=True) for kind, key in KEYS.items()] + [
        Binding("escape", "cancel", N_("Cancel"), priority=True),
        Binding("up,k", "move('cursor_up')", N_("Up"), show=False, priority=True),
        Binding("down,j", "move('cursor_down')", N_("Down"), show=False, priority=True),
        Binding("home", "move('first')", N_("First"), show=False, priority=True),
        Binding("end", "move('last')", N_("Last"), show=False, priority=True),
        Binding("enter", "choose", N_("Choose"), show=False, priority=True),
    ]

    def __init__(self):
        super().__init__(classes="pm-dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-picker"):
            yield Label(_("New entry: what kind?"), classes="pm-title")
            yield OptionList(
                *[
                    Option(
                        Text.assemble((f" {KEYS[kind]} ", "reverse"), f" {kind_cell(kind)}", (_(BLURBS[kind]), "dim")), id=kind
                    )
                    for kind in ENTRY_KINDS
                ],
                id="kinds",
            )
            yield Label(_("press a key, or ↑↓ and enter · esc cancels"), classes="pm-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, where: str) -> None:
        getattr(self.query_one(OptionList), f"action_{where}")()

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_pick(self, kind: str) -> None:
        self.dismiss(kind)

    def action_cancel(self) -> None:
        self.dismiss(None)
