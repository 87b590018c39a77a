"""The accountability summary: people x roles for what the trail currently shows.

Names that look alike but are different people (Latin `a`, Cyrillic `а`) get a
warning under the title (core.people.look_alike_notes, as `pmjournal who`)."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ...core.display import visible
from ...core.people import look_alike_notes
from ...core.query import WHO_COLUMNS
from ..widgets.footer import Footer

NARROW = 100  # terminal columns below which the role headings are abbreviated
SHORT = {"owner": "Own", "requested": "Req", "approved": "Appr", "consulted": "Cons", "informed": "Inf", "other": "Oth"}


class PeopleScreen(Screen[str | None]):
    DEFAULT_CSS = """
    #people-look-alikes {
        padding: 0 1;
        height: auto;
        color: $warning;
    }
    """
    BINDINGS = [
        Binding("escape,p", "close", "Back", id="people.close"),
        Binding("enter", "choose", "Filter to person", id="people.choose", show=True),
    ]

    def __init__(self, rows: list[dict], description: str) -> None:
        super().__init__()
        self.rows = rows
        self.description = description
        self.look_alikes = look_alike_notes([row["person"] for row in rows])
        self.title_text = f"People in {description}: {len(rows)} · enter filters the trail to one"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(Text(self.title_text), id="people-title")
        if self.look_alikes:
            yield Static(Text("\n".join(f"⚠ {note}" for note in self.look_alikes), style="bold"), id="people-look-alikes")
        yield DataTable(id="people-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "People"
        table = self.query_one(DataTable)
        table.add_column("Person", key="person")
        # On a narrow terminal (60 columns) the full headings push Informed and Entries off
        # the screen: short ones, explained under the title, keep every column in view.
        short = self.app.size.width < NARROW
        for column in WHO_COLUMNS:
            table.add_column(SHORT[column] if short else column.capitalize(), key=column)
        # How many entries name the person at all: what enter then shows in the trail.
        table.add_column("Entries", key="total")
        if short:
            legend = " · ".join(f"{SHORT[c]} {c}" for c in WHO_COLUMNS)
            self.query_one("#people-title", Static).update(Text(f"{self.title_text}\n{legend}"))
        for row in self.rows:
            table.add_row(
                Text(visible(row["person"])),
                *(Text(str(row[c] or ""), justify="right") for c in WHO_COLUMNS),
                Text(str(row["total"]), justify="right", style="bold"),
                key=row["person"],
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value)

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self.rows:
            self.dismiss(self.rows[table.cursor_row]["person"])

    def action_close(self) -> None:
        self.dismiss(None)
