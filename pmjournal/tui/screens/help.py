"""The keys of the screen `?` was pressed on, as currently mapped (the config's keymap
included), and the app's own: the trail's, or a view's (People, Trace, Due: `help_keys`)."""

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.i18n import _, pgettext
from ..bindings import APP, TEAM_ONLY, TRAIL, help_text, key_for
from ..key_order import EscapesInOrder

NARROW = 100  # terminal columns below which the actions take most of the width
IDS_FROM = 80  # terminal columns from which the ids show


def other_keys() -> tuple[tuple[str, str], ...]:
    """The keys of the lists themselves, which have no id to remap (key names are not translated)."""
    return (
        ("up/down, j/k", _("Move through the trail")),
        ("pgup/pgdn, home/end", _("Page; newest; oldest")),
        ("enter", _("On the trail: go to the entry's links; on a link: jump to it")),
        ("tab", _("Next pane")),
        ("escape", _("Clear the filter; close a screen")),
    )


def keys_of(screen) -> tuple[str, list[Binding], tuple[tuple[str, str], ...]]:
    """(the heading, the remappable keys, the lists' own keys) of `screen`: a view that says
    its own (help_keys) or the trail's. `?` on People listed the trail's keys, none of which
    work there, and not People's."""
    own = getattr(screen, "help_keys", None)
    if own is None:
        return pgettext("heading", "Keys"), TRAIL, other_keys()
    heading, moves = own()
    return heading, [b for b in type(screen).BINDINGS if isinstance(b, Binding) and b.id], moves


class HelpScreen(EscapesInOrder, ModalScreen[None]):
    # Priority (EscapesInOrder): "? escape up a" typed at once lost the move and the amend.
    BINDINGS = [Binding("escape,question_mark,q", "escape", "Close", id="help.close", priority=True)]
    ESCAPE = "close"

    def __init__(self, screen=None) -> None:
        """`screen`: the one whose keys to list (the trail's when None)."""
        super().__init__()
        self.for_screen = screen

    def relabel(self) -> None:
        """The interface's language changed (PmjournalApp.relabel)."""
        self.call_later(self.recompose)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        team = getattr(getattr(self.app, "session", None), "team_joined", False)
        heading, own, moves = keys_of(self.for_screen)
        rows = [
            (key_for(self.app, binding), help_text(binding.id, _(binding.description)), binding.id)
            for binding in own + APP
            if binding.id not in TEAM_ONLY or team  # a single-user journal has no sync key
        ] + [(keys, what, "") for keys, what in moves]
        # On a narrow terminal the keys wrap at a space ("pgup/pgdn, home/end") in a column as wide
        # as their widest word, and the actions take what the ids leave, so that a Chinese sentence
        # is not folded every ten characters. No key is cut: they are what the screen is for (a
        # ratio's share showed "up/d…" at 60 columns: Rich drops a minimum width to fit a table).
        widest_key = max((cell_len(word) for keys, _what, _id in rows for word in keys.split()), default=1)
        narrow = self.app.size.width < NARROW
        # Below 80 columns the ids (for [keymap], typed in the config) give the actions their
        # width: a Chinese sentence in a dozen cells broke every five characters (a user trial).
        ids = self.app.size.width >= IDS_FROM
        # (the dialog's borders and padding take ~12 columns, each column's padding 2)
        share = (self.app.size.width - 12 - (max(cell_len(i) for _k, _w, i in rows) if ids else 0) - 6) // 4
        if not narrow:
            key_column = {"no_wrap": True}
        elif share >= widest_key:
            key_column = {"ratio": 1}  # a quarter of what the ids leave
        else:
            key_column = {"width": widest_key, "overflow": "fold"}
        table.add_column(pgettext("column", "Key"), **key_column)
        # Folded, not cut: a Chinese sentence has no spaces to wrap at.
        table.add_column(pgettext("column", "Action"), overflow="fold", ratio=3 if "ratio" in key_column else 1 if narrow else None)
        if ids:
            # TRANSLATORS: [keymap] is the config file's table: keep it as it is.
            table.add_column(Text(_("Id (for [keymap])")), no_wrap=True)  # an id is typed in the config: never cut
        for keys, what, binding_id in rows:
            table.add_row(Text(keys), Text(what), *((Text(binding_id),) if ids else ()))
        hint = _("escape closes this screen")
        if not ids:
            hint += _(" · the ids for [keymap] show in a window of 80 columns or more")
        with VerticalScroll(id="help-body"):
            yield Static(Text(heading, style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(Text(hint), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
