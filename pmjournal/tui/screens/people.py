"""The accountability summary: people x roles for what the trail currently shows.

Names that look alike but are different people (Latin `a`, Cyrillic `а`) get a
warning under the title (core.people.look_alike_notes, as `pmjournal who`)."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ...core.display import visible
from ...core.people import look_alike_notes
from ...core.query import WHO_COLUMNS


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

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(Text(f"People in {self.description}: {len(self.rows)} · enter filters the trail to one"), id="people-title")
        if self.look_alikes:
            yield Static(Text("\n".join(f"⚠ {note}" for note in self.look_alikes), style="bold"), id="people-look-alikes")
        yield DataTable(id="people-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "People"
        table = self.query_one(DataTable)
        table.add_column("Person", key="person")
        for column in WHO_COLUMNS:
            table.add_column(column.capitalize(), key=column)
        # How many entries name the person at all: what enter then shows in the trail.
        table.add_column("Entries", key="total")
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
