"""The filter line at the top of the trail and what it currently selects."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from ...core.i18n import N_, _
from ..key_order import InOrder, TypesJoiners, caught_up

# The filter's own words (kind:decision, since:) are the syntax, the same in every language.
PLACEHOLDER = N_("{key} to filter: words @person #tag kind:decision project:x since:2026-10-01 until: cause: role:")


def placeholder(app) -> str:
    """The placeholder, naming the key the filter runs on now ([keymap]: `filter = "f"`)."""
    from ..bindings import by_id, first_key

    return _(PLACEHOLDER).format(key=first_key(app, by_id("filter")))


class FilterInput(InOrder, TypesJoiners, Input):
    # InOrder: a backspace or an arrow typed in one burst with letters acts where it was
    # typed ("kind:risk", backspace, "vendor" read "kind:riskvendo": Textual ran the
    # backspace once the key had bubbled back up to the App, after the letters).
    # Priority, so the App acts on them as it reads them: the keys typed behind
    # ("/launch", enter, "j j a") must reach the trail, filtered, not the filter.
    BINDINGS = [
        Binding("escape", "leave(True)", "Clear filter", show=False, priority=True),
        Binding("enter,down", "leave(False)", "Back to the trail", show=False, priority=True),
    ]

    class Cleared(Message):
        pass

    class Done(Message):
        """Enter or down: go back to the trail, keeping the filter."""

    # Tab reaches the filter too: say so on its border, or `j j` types "jj" unnoticed.
    # Short enough for the border at 120 columns (the longer one was cut before "esc").
    FOCUSED_HINT = N_("typing in the filter · enter/↓ back to the trail · esc clears")

    def on_focus(self) -> None:
        self.border_title = _(self.FOCUSED_HINT)
        self.parent.add_class("-typing")  # (:focus-within does not restyle the status beside it)

    def on_blur(self) -> None:
        self.border_title = None
        self.parent.remove_class("-typing")

    async def action_leave(self, clear: bool) -> None:
        """Back to the trail, the filter cleared or kept. This runs in the App's task, which
        waits here: first until every key typed before this one is in the filter and the
        trail shows what it selects, then until the trail has the focus. Only then does the
        App read the keys typed behind."""
        if not await caught_up(self.screen):
            return
        if clear:
            self.value = ""
        self.post_message(self.Cleared() if clear else self.Done())
        await caught_up(self.screen)


class FilterBar(Horizontal):
    said = ""  # the status, while it says what the filter could not read
    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=placeholder(self.app), id="filter-input", select_on_focus=False)
        with Vertical(id="filter-status-holder"):
            yield Static(id="filter-status")

    def relabel(self) -> None:
        """The interface's language changed: the placeholder and the focused hint follow (the status is the screen's)."""
        filter_input = self.query_one(FilterInput)
        filter_input.placeholder = placeholder(self.app)
        if filter_input.has_focus:
            filter_input.border_title = _(FilterInput.FOCUSED_HINT)

    def set_status(
        self, shown: int, total: int, description: str, errors: list[str], partial: bool = False, more: bool = False
    ) -> None:
        """`more`: what is shown is the top of a search still running (more rows may follow)."""
        text = Text()
        if partial:
            text.append(_("loading… newest {shown:,} shown").format(shown=shown), style="bold")
        elif more:
            text.append(_("{shown:,}… of {total:,}").format(shown=shown, total=total), style="bold")
        else:
            text.append(_("{shown:,} of {total:,}").format(shown=shown, total=total), style="bold")
        text.append(f" · {description}")
        if errors:
            text.append(" · " + "; ".join(errors), style="bold")
        status = self.query_one("#filter-status", Static)
        status.set_class(bool(errors), "-error")
        # more than the bar's two lines: it floats over the trail while the filter is typed in
        width = max(1, self.query_one("#filter-status-holder").size.width - 2)
        status.set_class(len(text.wrap(self.app.console, width)) > 2, "-over")
        status.update(text)
        self.said = text.plain if errors else ""

    def said_all(self) -> None:
        """Back on the trail with a filter it could not read all of: say all of what it could not."""
        if self.said:
            self.app.notify(self.said, severity="warning", timeout=8)
