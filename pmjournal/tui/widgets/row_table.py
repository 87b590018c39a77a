"""A table that renders only the rows on screen: the base of the trail and the Due view.

Textual's DataTable builds every row up front (about 7 s for 100,000 rows, 2 s
for 10,000); this widget asks its subclass for a row's cells when Textual asks
for that line, so loading, filtering and scrolling cost the same at 100 rows
and at 100,000. Cells are plain strings cut to their column's width in
terminal cells (rich.cells), so CJK text stays aligned and nothing a user
typed is ever read as markup.

A subclass says what its columns are (COLUMNS, with one flexible column,
FLEX, that takes the width left over), which columns give way on a narrow
terminal (GIVE_WAY), how many rows there are (`row_count`), each row's cells
(`cells`) and styles (`row_styles`), and what a highlighted or chosen row means
(`highlighted`, `chosen`).
"""

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` on one line in exactly `width` cells, cut with an ellipsis if too long."""
    text = " ".join(text.split())
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    return " " * (width - cell_len(text)) + text if right else set_cell_size(text, width)


class RowTable(ScrollView, can_focus=True):
    # Priority, like the keys that open forms on the highlighted row (bindings.py):
    # in "j j a" the cursor must have moved before "a" picks the entry to amend.
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, priority=True),
        Binding("down,j", "cursor(1)", "Down", show=False, priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True),
        Binding("pagedown,space", "page(1)", "Page down", show=False, priority=True),
        Binding("home,g", "jump_to(0)", "First", show=False, priority=True),
        Binding("end,G", "jump_to(-1)", "Last", show=False, priority=True),
    ]
    COMPONENT_CLASSES = {"rows--header", "rows--cursor", "rows--cursor-blurred"}
    DEFAULT_CSS = """
    RowTable { height: 1fr; }
    """

    # (title, width or None for the flexible column, right-aligned)
    COLUMNS: tuple[tuple[str, int | None, bool], ...] = ()
    FLEX = 0
    MIN_FLEX = 12
    COMFORTABLE_FLEX = 24
    # (column, its width from then on), applied in order while FLEX has less than COMFORTABLE_FLEX
    GIVE_WAY: tuple[tuple[int, int], ...] = ()

    cursor = reactive(0, always_update=True, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._widths: tuple[int, ...] = ()

    # -- what a subclass says ------------------------------------------

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def cells(self, row: int) -> tuple[str, ...]:
        raise NotImplementedError

    def row_styles(self, row: int) -> tuple[Style | None, list[Style | None]]:
        """The row's own style (added to the base) and each cell's (None: none)."""
        return None, [None] * len(self.COLUMNS)

    def muted_style(self, component: str) -> Style:
        """A muted component's style for a cell ($text-muted: auto 60%): its colour as resolved
        against the table, without a background (the row's zebra or cursor shows through). Its
        partial style, as the other cells take, leaves that colour unresolved and draws it
        white: the # column was invisible on the light theme."""
        return Style(color=self.get_component_rich_style(component).color)

    def hidden_columns(self) -> tuple[int, ...]:
        """Columns not shown at any width just now (their cells go to the flexible column)."""
        return ()

    def headings(self) -> tuple[str, ...]:
        """The header's words, in the interface's language (a subclass translates COLUMNS' English)."""
        return tuple(c[0] for c in self.COLUMNS)

    def column_width(self, column: int) -> int:
        """A column's width (0 for the flexible one): COLUMNS' (a subclass may fit it to its language's words)."""
        return self.COLUMNS[column][1] or 0

    def cell_text(self, column: int, text: str, width: int) -> str:
        """The text shown in `width` cells of `column` (a subclass may shorten it its own way)."""
        return fit(text, width, self.COLUMNS[column][2])

    def highlighted(self) -> None:
        """The cursor moved (or the rows changed under it)."""

    def chosen(self) -> None:
        """Enter on the cursor's row."""

    # -- rows and cursor -------------------------------------------------

    def rows_changed(self, cursor: int | None = None) -> None:
        """Call after the rows change; `cursor`: where it goes (default: where it was, within the rows)."""
        self.virtual_size = Size(self.size.width, self.row_count + 1)
        self.cursor = self.cursor if cursor is None else cursor
        self.refresh()
        # Scrolling is clamped to the rows the layout knows, which take the new count only on
        # the next refresh: a cursor moved now to a row past the old ones (a jump that cleared
        # the filter) stayed off the screen. Scroll to wherever the cursor is by then.
        self.call_after_refresh(self._scroll_to_cursor)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.highlighted()

    def _scroll_to_cursor(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 2)

    def action_jump_to(self, row: int) -> None:
        self.cursor = row if row >= 0 else self.row_count - 1

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.cursor = round(self.scroll_y) + event.y - 1

    def key_enter(self) -> None:
        if self.row_count:
            self.chosen()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.row_count + 1)
        # Shorter now (the detail pane below grew for a longer entry): keep the cursor in view.
        self.call_after_refresh(self._scroll_to_cursor)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering -------------------------------------------------------

    def widths(self, total: int) -> tuple[int, ...]:
        """Each column's width (0: hidden) for `total` cells.

        On a narrow terminal the columns give way in GIVE_WAY's order, so that
        the flexible column keeps at least COMFORTABLE_FLEX cells; only then
        does it shrink (to MIN_FLEX).
        """
        widths = [self.column_width(n) for n in range(len(self.COLUMNS))]
        for column in self.hidden_columns():
            widths[column] = 0
        for column, width in self.GIVE_WAY:
            used = sum(w + 1 for w in widths if w) - 1  # with one space between shown columns
            if total - used - 1 >= self.COMFORTABLE_FLEX:
                break
            widths[column] = min(width, widths[column])  # never wider: a column may be narrow in Chinese already
        used = sum(w + 1 for w in widths if w)
        widths[self.FLEX] = max(self.MIN_FLEX, total - used)
        return tuple(widths)

    def _line(self, texts, styles, width: int, base: Style) -> Strip:
        segments = []
        for n, (text, w) in enumerate(zip(texts, self._widths, strict=True)):
            if not w:
                continue
            if segments:
                segments.append(Segment(" ", base))
            segments.append(Segment(self.cell_text(n, text, w), base + styles[n] if styles[n] else base))
        return Strip(segments).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._widths = self.widths(width)
        style = self.rich_style
        if y == 0:
            header = style + self.get_component_rich_style("rows--header")
            return self._line(self.headings(), [None] * len(self.COLUMNS), width, header)
        row = round(self.scroll_y) + y - 1
        if row >= self.row_count:
            return Strip.blank(width, style)
        own, styles = self.row_styles(row)
        base = style + own if own else style
        if row == self.cursor:
            # The cursor's own colours win: a kind colour can equal the theme's
            # primary, the cursor's background, and the kind would vanish.
            base += self.get_component_rich_style("rows--cursor" if self.has_focus else "rows--cursor-blurred")
            styles = [None] * len(self.COLUMNS)
        return self._line(self.cells(row), styles, width, base)
