"""The accountability summary: people x roles for what the trail currently shows.

Names that look alike but are different people (Latin `a`, Cyrillic `а`) get a
warning under the title (core.people.look_alike_notes, as `pmjournal who`)."""

import asyncio
from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ...core.display import visible
from ...core.i18n import _, pgettext
from ...core.labels import role_label
from ...core.people import look_alike_notes
from ...core.query import WHO_COLUMNS
from ..bindings import by_id, first_key
from ..key_order import HoldsKeys, InOrder, caught_up
from ..widgets.footer import Footer

NARROW = 100  # terminal columns below which the role headings are abbreviated


def short_roles() -> dict[str, str]:
    """The role headings of a narrow terminal, explained under the title."""
    return {
        "owner": pgettext("role, short", "Own"),
        "requested": pgettext("role, short", "Req"),
        "approved": pgettext("role, short", "Appr"),
        "consulted": pgettext("role, short", "Cons"),
        "informed": pgettext("role, short", "Inf"),
        "other": pgettext("role, short", "Oth"),
    }


class PeopleTable(InOrder, DataTable):
    """The people, one a row; j and k move as in the trail and Due.

    Runs its moves as it reads them (InOrder): enter, a priority binding that waits for the
    keys typed before it, then reads the row moved to, not the one before the moves."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        # first and last row, as in the trail and Due (DataTable's home and end scroll sideways)
        Binding("home,g", "scroll_top", "First", show=False),
        Binding("end,G", "scroll_bottom", "Last", show=False),
    ]


class PeopleScreen(HoldsKeys, Screen[str | None]):
    DEFAULT_CSS = """
    #people-look-alikes {
        padding: 0 1;
        height: auto;
        color: $text-warning;
    }
    """
    BINDINGS = [
        # Priority: "p escape j j" typed at once closes People before the moves reach the trail.
        Binding("escape,p", "close", "Back", id="people.close", priority=True),
        Binding("enter", "choose", "Filter to person", id="people.choose", show=True, priority=True),
    ]

    def __init__(self, rows: list[dict] | Callable[[], list[dict]], description) -> None:
        """`rows`: query.who's rows, or what counts them (in a thread, once the screen is open).
        `description`: the trail's filter in words, or what says it in the language of the moment."""
        super().__init__()
        self.count = rows if callable(rows) else None
        self.rows = [] if callable(rows) else rows
        self.description = description
        self.from_preview = False  # counted on a large journal's preview (the trail recounts: recount)

    @property
    def title_text(self) -> str:
        description = self.description() if callable(self.description) else self.description
        if self.count is not None:
            return _("People in {description}: counting…").format(description=description)
        text = _("People in {description}: {n} · {key} filters the trail to one").format(
            description=description, n=len(self.rows), key=first_key(self.app, by_id("people.choose", self.BINDINGS))
        )
        if self.from_preview:
            text += _(" · so far: the journal is still being read")
        return text

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(Text(self.title_text), id="people-title")
        yield Static(id="people-look-alikes")
        yield PeopleTable(id="people-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        if self.count is None:
            self._counted(self.rows)
            self.release(table)  # focus it, then the keys typed behind "p"
        else:
            self._fill()
            self.release_when_loaded(self.count, self._counted, table)

    def recount(self, count: Callable[[], list[dict]]) -> None:
        """Count again (in a thread), the journal now read whole; the cursor stays on its row."""

        async def counting() -> None:
            self._counted(await asyncio.to_thread(count))

        self.run_worker(counting(), group="recount", exclusive=True, exit_on_error=False)

    def _counted(self, rows: list[dict]) -> None:
        self.count, self.rows = None, rows
        notes = self.query_one("#people-look-alikes", Static)
        look_alikes = look_alike_notes([row["person"] for row in rows])
        notes.update(Text("\n".join(f"⚠ {note}" for note in look_alikes), style="bold"))
        notes.display = bool(look_alikes)
        self.relabel()

    def relabel(self) -> None:
        """The interface's language changed (PmjournalApp.relabel): the headings and title follow."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._fill()
        table.move_cursor(row=row, animate=False)

    def _fill(self) -> None:
        self.sub_title = pgettext("screen", "People")
        table = self.query_one(DataTable)
        title = self.query_one("#people-title", Static)
        title.update(Text(self.title_text))
        # On a narrow terminal (60 columns) the full headings push Informed and Entries off
        # the screen: short ones, explained under the title, keep every column in view.
        # A Chinese role is three characters at most (six cells): short enough as it is.
        words = short_roles()
        short = self.app.size.width < NARROW and any(cell_len(role_label(c)) > 6 for c in WHO_COLUMNS)
        headings = {c: words[c] if short else role_label(c).capitalize() for c in WHO_COLUMNS}
        # How many entries name the person at all: what enter then shows in the trail.
        headings["total"] = pgettext("column", "Entries")
        person = pgettext("column", "Person")
        table.add_column(person, key="person", width=self.person_width(person, headings))
        for column, heading in headings.items():
            table.add_column(heading, key=column)
        if short:
            legend = " · ".join(f"{words[c]} {role_label(c)}" for c in WHO_COLUMNS)
            title.update(Text(f"{self.title_text}\n{legend}"))
        for row in self.rows:
            table.add_row(
                Text(visible(row["person"]), no_wrap=True, overflow="ellipsis"),
                *(Text(str(row[c] or ""), justify="right") for c in WHO_COLUMNS),
                Text(str(row["total"]), justify="right", style="bold"),
                key=row["person"],
            )

    def person_width(self, heading: str, headings: dict[str, str]) -> int | None:
        """The Person column's width when the longest name would push the counts off the
        screen (a team's "Globex Ltd — Procurement & Vendor Management (EMEA)" at 80 columns):
        what the counts leave, the names cut with "…". None: as wide as the longest name."""
        table = self.query_one(DataTable)
        pad = 2 * table.cell_padding
        counts = sum(
            max(cell_len(text), *(len(str(row[column] or "")) for row in self.rows or [{column: 0}])) + pad
            for column, text in headings.items()
        )
        room = self.app.size.width - counts - pad - 2  # 2: the vertical scrollbar
        longest = max([cell_len(heading), *(cell_len(visible(row["person"])) for row in self.rows)])
        return None if longest <= room else max(8, room)

    def on_resize(self) -> None:
        if self.is_mounted and self.count is None:
            self.relabel()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value)

    async def action_choose(self) -> None:
        # A priority binding runs as the App reads it: first the moves typed before it
        if not await caught_up(self):
            return
        table = self.query_one(DataTable)
        if self.rows:
            self.dismiss(self.rows[table.cursor_row]["person"])

    def help_keys(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What `?` lists here besides this screen's bindings (screens/help.py)."""
        return _("Keys: {screen}").format(screen=pgettext("screen", "People")), (
            ("up/down, j/k", _("Move through the people")),
            ("pgup/pgdn, home/end, g/G", _("Page; first; last")),
        )

    def action_close(self) -> None:
        self.dismiss(None)
