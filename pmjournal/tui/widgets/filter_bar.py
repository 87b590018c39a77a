"""The filter line at the top of the trail and what it currently selects."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

PLACEHOLDER = "/ to filter: words @person #tag kind:decision project:x since:2026-10-01 until: cause: role:"


class FilterInput(Input):
    BINDINGS = [Binding("escape", "clear", "Clear filter", show=False)]

    class Cleared(Message):
        pass

    class Done(Message):
        """Enter or down: go back to the trail, keeping the filter."""

    # Tab reaches the filter too: say so on its border, or `j j` types "jj" unnoticed.
    FOCUSED_HINT = "typing in the filter · enter or ↓: back to the trail · esc: clear it"

    def on_focus(self) -> None:
        self.border_title = self.FOCUSED_HINT

    def on_blur(self) -> None:
        self.border_title = None

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Cleared())

    def key_down(self) -> None:
        self.post_message(self.Done())

    async def action_submit(self) -> None:
        self.post_message(self.Done())


class FilterBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=PLACEHOLDER, id="filter-input", select_on_focus=False)
        yield Static(id="filter-status")

    def set_status(self, shown: int, total: int, description: str, errors: list[str], partial: bool = False) -> None:
        text = Text()
        if partial:
            text.append(f"loading… newest {shown:,} shown", style="bold")
        else:
            text.append(f"{shown:,} of {total:,}", style="bold")
        text.append(f" · {description}")
        if errors:
            text.append(" · " + "; ".join(errors), style="bold")
        status = self.query_one("#filter-status", Static)
        status.set_class(bool(errors), "-error")
        status.update(text)
