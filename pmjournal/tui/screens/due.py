"""What is owed: the open loops (core/loops.py) of the journal, overdue first.

The same loops, in the same order, as `pmjournal due`. The state is a word as
well as a colour (OVERDUE, due soon, open), so it reads on a monochrome
terminal. Enter jumps to the entry in the trail; `d` records that the
highlighted loop was done (forms/done.py), which removes it from the list.
"""

from collections.abc import Callable

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from ...core.display import list_separator, visible
from ...core.fold import ref_of
from ...core.i18n import DEFAULT, _, language, pgettext
from ...core.labels import kind_label
from ...core.loops import Loop, days_text, label
from ...core.model import ENTRY_KINDS
from ..bindings import by_id, first_key
from ..key_order import HoldsKeys
from ..widgets.footer import Footer
from ..widgets.row_table import RowTable
from ..words import state_word

STATE, DUE, SEQ, KIND, OWES, WHAT = range(6)


def headings() -> tuple[str, ...]:
    return (
        pgettext("column", "State"),
        pgettext("column", "Due"),
        "#",
        pgettext("column", "Kind"),
        pgettext("column", "Owed by"),
        pgettext("column", "What"),
    )


class DueTable(RowTable):
    COLUMNS = (
        ("State", 8, False),
        ("Due", 12, False),
        ("#", 7, True),
        ("Kind", 13, False),
        ("Owed by", 16, False),
        ("What", None, False),
    )
    FLEX = WHAT
    # At 60 columns "2026-11-06 28 d overdue" left What five cells ("answe"): past Kind and
    # Owed by, Due keeps only its date (the State column already says OVERDUE).
    GIVE_WAY = ((KIND, 0), (OWES, 10), (DUE, 10))
    COMPONENT_CLASSES = {"due--overdue", "due--soon", "due--seq"}

    class Chosen(Message):
        """Enter on a row."""

    def __init__(self, loops: list[Loop], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display_person = lambda name: name
        self._set(loops)

    def _set(self, loops: list[Loop]) -> None:
        self.loops = loops
        # The # column as wide as the widest reference (`#67`; `dana#12` in a team journal): at 80
        # columns its seven cells for #100000 left What twenty (a helper's trial).
        width = max([2, *(cell_len(ref_of(loop.view)) for loop in loops)])
        self.COLUMNS = tuple((name, width if n == SEQ else w, right) for n, (name, w, right) in enumerate(type(self).COLUMNS))
        self._due_width: tuple[tuple[str, int], int] | None = None

    def set_loops(self, loops: list[Loop], keep: bool = False) -> None:
        """The loops, counted after the screen opened (DueScreen); `keep`: the cursor stays on
        the loop it was on, if it is still open (counted again after another program wrote)."""
        was = self.current
        self._set(loops)
        cursor = 0
        if keep and was is not None:
            key = (was.view["id"], was.key)
            cursor = next(
                (i for i, lp in enumerate(self.loops) if (lp.view["id"], lp.key) == key), min(self.cursor, len(loops) - 1)
            )
        self.rows_changed(cursor=max(cursor, 0))

    @property
    def row_count(self) -> int:
        return len(self.loops)

    @property
    def current(self) -> Loop | None:
        return self.loops[self.cursor] if self.loops else None

    def headings(self) -> tuple[str, ...]:
        return headings()

    def column_width(self, column: int) -> int:
        # State and Kind as wide as their words in the interface's language (8 and 13 in English).
        if column == STATE:
            words = [headings()[STATE], *(state_word(s) for s in ("overdue", "soon", "open"))]
            return min(max(cell_len(w) for w in words), self.COLUMNS[STATE][1])
        if column == KIND:
            words = [headings()[KIND], *(kind_label(k) for k in ENTRY_KINDS)]
            return min(max(cell_len(w) for w in words), self.COLUMNS[KIND][1])
        return super().column_width(column)

    def cells(self, row: int) -> tuple[str, ...]:
        loop = self.loops[row]
        view = loop.view
        return (
            state_word(loop.state),
            f"{loop.due.isoformat()} {days_text(loop.days)}" if loop.state == "overdue" else loop.due.isoformat(),
            ref_of(view),
            kind_label(view["kind"]),
            visible(list_separator().join(self.display_person(n) for n in loop.owes)),
            visible(f"{label(loop)} · {view.get('title', '')}"),
        )

    def row_styles(self, row: int) -> tuple[Style | None, list[Style | None]]:
        loop = self.loops[row]
        styles: list[Style | None] = [None] * len(self.COLUMNS)
        styles[SEQ] = self.muted_style("due--seq")
        if loop.state in ("overdue", "soon"):
            styles[STATE] = styles[DUE] = self.get_component_rich_style(f"due--{loop.state}", partial=True)
        return None, styles

    def widths(self, total: int) -> tuple[int, ...]:
        widths = list(super().widths(total))
        if widths[DUE] == self.COLUMNS[DUE][1] and any(loop.state == "overdue" for loop in self.loops):
            extra = self._overdue_width() - widths[DUE]  # the date and how long ago it was due
            if widths[self.FLEX] - extra >= self.MIN_FLEX:
                widths[DUE] += extra
                widths[self.FLEX] -= extra
        return tuple(widths)

    def cell_text(self, column: int, text: str, width: int) -> str:
        if column == DUE and width < cell_len(text):
            text = text[:10]  # the date without "28 d overdue", rather than a cut-off count
        return super().cell_text(column, text, width)

    def _overdue_width(self) -> int:
        """24 in English, as it always was, unless a loop overdue for 1,000 days or more needs
        more; in another language as wide as its longest "date, how long ago" (逾期 28 天 is
        shorter than 28 d overdue: the rest goes to What), 28 at most."""
        lang = language()
        if self._due_width is None or self._due_width[0] != (lang, len(self.loops)):
            overdue = [lp for lp in self.loops if lp.state == "overdue"]
            width = max(cell_len(f"{lp.due.isoformat()} {days_text(lp.days)}") for lp in overdue) + 1 if overdue else 12
            # English keeps its 24; a loop 1,000 days overdue or more needs more ("2090 d overdue"
            # was cut back to the date alone), up to 28.
            least = 24 if lang == DEFAULT else 12
            self._due_width = (lang, len(self.loops)), min(28, max(least, width))
        return self._due_width[1]

    def chosen(self) -> None:
        self.post_message(self.Chosen())

    def drop(self, loop: Loop) -> None:
        self.loops = [lp for lp in self.loops if lp is not loop]
        self.rows_changed()


class DueScreen(HoldsKeys, Screen[str | None]):
    """Dismisses with the id of the entry to jump to, or None."""

    DEFAULT_CSS = """
    DueTable > .due--overdue { color: $text-error; text-style: bold; }
    DueTable > .due--soon { color: $text-warning; }
    DueTable > .due--seq { color: $text-muted; }
    #due-title { padding: 0 1; height: auto; }
    """
    BINDINGS = [
        # Priority, so that keys typed behind these in one burst reach the screen they lead to.
        # (The footer shows these in the interface's language: bindings.key_labels.)
        Binding("escape,u", "close", "Back", id="due.close", priority=True),
        Binding("enter", "choose", "Go to entry", id="due.choose", priority=True),
        # Priority, as the keys that open forms on the trail (bindings.py): what is typed
        # right behind "d" goes into the form it opens.
        Binding("d", "done", "Done", id="due.done", priority=True),
    ]

    def __init__(self, loops: list[Loop] | Callable[[], list[Loop]], session, display_person=None) -> None:
        """`loops`: the open loops, or what counts them (in a thread, once the screen is open)."""
        super().__init__()
        self.session = session
        self.load = loops if callable(loops) else None
        self._newer: list[Loop] | None = None  # counted by the trail while this screen counted its own
        self.partial = False  # counted on a large journal's preview: the trail recounts (recounted)
        self.table_widget = DueTable([] if callable(loops) else loops, id="due-table")
        if display_person is not None:
            self.table_widget.display_person = display_person

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(self._title(), id="due-title")
        yield self.table_widget
        yield Footer()

    def _title(self) -> Text:
        if self.load is not None:
            return Text(_("Counting the open loops…"))
        loops = self.table_widget.loops
        if not loops:
            text = _("Nothing is due: no open follow-up, review, commitment or escalation.")
            return Text(text + _(" · so far: the journal is still being read") if self.partial else text)
        overdue = sum(1 for lp in loops if lp.state == "overdue")
        text = _("Open loops: {n}, {overdue} overdue · {choose} goes to the entry · {done} records it done").format(
            n=len(loops),
            overdue=overdue,
            choose=first_key(self.app, by_id("due.choose", self.BINDINGS)),
            done=first_key(self.app, by_id("due.done", self.BINDINGS)),
        )
        if self.partial:
            text += _(" · so far: the journal is still being read")
        return Text(text)

    def on_mount(self) -> None:
        self.sub_title = pgettext("screen", "Due")
        if self.load is None:
            self.release(self.table_widget)  # focus it, then the keys typed behind "u"
        else:
            self.release_when_loaded(self.load, self._counted, self.table_widget)

    def _counted(self, loops: list[Loop]) -> None:
        self.load = None
        self.table_widget.set_loops(self._newer if self._newer is not None else loops)
        self.query_one("#due-title", Static).update(self._title())

    def recounted(self, loops: list[Loop]) -> None:
        """The journal changed under the screen (`pmjournal done` in another terminal): the
        trail, which watches the file, counted its loops again. Shown as it was, so `d` on a
        loop another program closed is not refused with "already done"."""
        if not self.is_attached or not self.query("#due-title"):
            return  # the app is closing: the trail's last count came after this screen's widgets went
        self.partial = False
        if self.load is not None:
            self._newer = loops  # still counting its own, perhaps from a preview: this count is newer
            return
        self.table_widget.set_loops(loops, keep=True)
        self.query_one("#due-title", Static).update(self._title())

    def relabel(self) -> None:
        """The interface's language changed (PmjournalApp.relabel)."""
        self.sub_title = pgettext("screen", "Due")
        self.query_one("#due-title", Static).update(self._title())
        self.table_widget.refresh()

    def help_keys(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What `?` lists here besides this screen's bindings (screens/help.py)."""
        return _("Keys: {screen}").format(screen=pgettext("screen", "Due")), (
            ("up/down, j/k", _("Move through the loops")),
            ("pgup/pgdn, home/end, g/G", _("Page; first; last")),
        )

    def action_close(self) -> None:
        self.dismiss(None)

    def on_due_table_chosen(self, event: DueTable.Chosen) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        loop = self.table_widget.current
        if loop is not None:
            self.dismiss(loop.view["id"])

    def action_done(self) -> None:
        loop = self.table_widget.current
        if loop is None:
            return
        from ..forms.done import DoneDialog

        def saved(record: dict | None) -> None:
            if record:
                self.table_widget.drop(loop)
                self.query_one("#due-title", Static).update(self._title())
                self.notify(
                    _("Recorded {record}: {loop} of {ref} done.").format(
                        record=ref_of(record), loop=label(loop), ref=ref_of(loop.view)
                    ),
                    markup=False,
                )

        # A loop's closing is a record: signed with the user's name, asked for first as any record is.
        self.app.signed_first(lambda: self.app.push_screen(DoneDialog(self.session, loop), saved))
