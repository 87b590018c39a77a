"""The trail: a table that renders only the rows on screen.

Textual's DataTable builds every row up front (about 7 s for 100,000 rows);
this widget holds a list of row numbers into a FilterIndex and renders a line
when Textual asks for it, so loading, filtering and scrolling cost the same at
100 entries and at 100,000. Cells are plain strings cut to their column's
width in terminal cells (rich.cells), so CJK titles stay aligned and nothing a
user typed is ever read as markup.
"""

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.display import short_date
from ...core.filter_index import FilterIndex

# (title, width or None for the flexible column, right-aligned)
COLUMNS = (
    ("#", 7, True),
    ("When", 16, False),
    ("Kind", 13, False),
    ("Title", None, False),
    ("Owner", 14, False),
    ("Approved by", 18, False),
    ("Status", 10, False),
)
MIN_TITLE = 12
COMFORTABLE_TITLE = 24
WHEN, KIND, TITLE, OWNER, APPROVED = 1, 2, 3, 4, 5
# (column, its width from then on), applied in order while the title has less than COMFORTABLE_TITLE
GIVE_WAY = ((WHEN, 10), (APPROVED, 0), (KIND, 8), (WHEN, 0), (OWNER, 10))


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` on one line in exactly `width` cells, cut with an ellipsis if too long."""
    text = " ".join(text.split())
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    return " " * (width - cell_len(text)) + text if right else set_cell_size(text, width)


def cells(view: dict, display_person) -> tuple[str, ...]:
    status = view.get("status") or ""
    if view["retracted"]:
        status = "retracted"
    return (
        f"#{view['seq']}",
        short_date(view.get("occurred_at", "")),
        view["kind"],
        view.get("title", ""),
        display_person(view["owner"]) if view.get("owner") else "",
        ", ".join(display_person(n) for n in view.get("approved_by") or ()),
        status,
    )


class TrailTable(ScrollView, can_focus=True):
    # Priority, like the keys that open forms on the highlighted entry (bindings.py):
    # in "j j a" the cursor must have moved before "a" picks the entry to amend.
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, priority=True),
        Binding("down,j", "cursor(1)", "Down", show=False, priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True),
        Binding("pagedown,space", "page(1)", "Page down", show=False, priority=True),
        Binding("home,g", "jump_to(0)", "Newest", show=False, priority=True),
        Binding("end,G", "jump_to(-1)", "Oldest", show=False, priority=True),
    ]
    COMPONENT_CLASSES = {
        "trail--header",
        "trail--cursor",
        "trail--cursor-blurred",
        "trail--retracted",
        "trail--superseded",
        "trail--seq",
        "trail--kind-decision",
        "trail--kind-change",
        "trail--kind-communication",
        "trail--kind-risk",
        "trail--kind-incident",
        "trail--kind-note",
    }
    DEFAULT_CSS = """
    TrailTable { height: 1fr; }
    """

    cursor = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, view: dict | None) -> None:
            self.view = view
            super().__init__()

    class Chosen(Message):
        """Enter on a row: the screen moves focus to the entry's details."""

        def __init__(self, view: dict) -> None:
            self.view = view
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = FilterIndex(())
        self.hits: list[int] = []
        self.display_person = lambda name: name
        self._widths: tuple[int, ...] = ()

    # -- data ------------------------------------------------------------

    def show(self, index: FilterIndex, hits: list[int], keep_id: str | None = None, display_person=None) -> None:
        """Show `hits` (row numbers into `index`); keep the cursor on `keep_id` if it is still there."""
        old = self.cursor
        self.index, self.hits = index, hits
        if display_person is not None:
            self.display_person = display_person
        self.virtual_size = Size(self.size.width, len(hits) + 1)
        where = self.row_of(keep_id) if keep_id else None
        self.cursor = where if where is not None else min(old, max(0, len(hits) - 1))
        self.refresh()

    def row_of(self, entry_id: str) -> int | None:
        pos = self.index.row_of(entry_id)
        if pos is None:
            return None
        # hits are in index order, so a binary search finds the row
        lo, hi = 0, len(self.hits)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.hits[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self.hits) and self.hits[lo] == pos else None

    @property
    def current(self) -> dict | None:
        if not self.hits or not 0 <= self.cursor < len(self.hits):
            return None
        return self.index.rows[self.hits[self.cursor]]

    def visible_views(self) -> list[dict]:
        rows = self.index.rows
        return [rows[i] for i in self.hits]

    # -- cursor ----------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.hits) - 1)) if self.hits else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

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
        self.cursor = row if row >= 0 else len(self.hits) - 1

    def move_to(self, entry_id: str) -> bool:
        row = self.row_of(entry_id)
        if row is None:
            return False
        self.cursor = row
        return True

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.cursor = round(self.scroll_y) + event.y - 1

    def key_enter(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.hits) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering -------------------------------------------------------

    def widths(self, total: int) -> tuple[int, ...]:
        """Each column's width (0: hidden) for `total` cells.

        On a narrow terminal the columns give way by priority, so that what an
        accountability trail is for stays: the title keeps at least
        COMFORTABLE_TITLE cells, then owner and status stay whole. First When
        drops its time, then Approved by goes, then Kind narrows, then When goes,
        then Owner narrows; only then does the title shrink (to MIN_TITLE).
        """
        widths = [w or 0 for _, w, _ in COLUMNS]
        for column, width in GIVE_WAY:
            used = sum(w + 1 for w in widths if w) - 1  # with one space between shown columns
            if total - used - 1 >= COMFORTABLE_TITLE:
                break
            widths[column] = width
        used = sum(w + 1 for w in widths if w)
        widths[TITLE] = max(MIN_TITLE, total - used)
        return tuple(widths)

    def _line(self, texts, styles, width: int, base: Style) -> Strip:
        segments = []
        for n, (text, w) in enumerate(zip(texts, self._widths, strict=True)):
            if not w:
                continue
            if segments:
                segments.append(Segment(" ", base))
            if n == WHEN and w < COLUMNS[WHEN][1]:
                text = text[:w]  # the date without its time, rather than a cut-off time
            segments.append(Segment(fit(text, w, COLUMNS[n][2]), base + styles[n] if styles[n] else base))
        strip = Strip(segments)
        return strip.crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._widths = self.widths(width)
        style = self.rich_style
        if y == 0:
            header = style + self.get_component_rich_style("trail--header")
            return self._line([c[0] for c in COLUMNS], [None] * len(COLUMNS), width, header)
        row = round(self.scroll_y) + y - 1
        if row >= len(self.hits):
            return Strip.blank(width, style)
        view = self.index.rows[self.hits[row]]
        base = style
        if view["retracted"]:
            base += self.get_component_rich_style("trail--retracted")
        if row == self.cursor:
            base += self.get_component_rich_style("trail--cursor" if self.has_focus else "trail--cursor-blurred")
        styles = [None] * len(COLUMNS)
        if row == self.cursor:
            # The cursor's own colours win: a kind colour can equal the theme's
            # primary, the cursor's background, and the kind would vanish.
            return self._line(cells(view, self.display_person), styles, width, base)
        styles[0] = self.get_component_rich_style("trail--seq", partial=True)
        styles[2] = self.get_component_rich_style(f"trail--kind-{view['kind']}", partial=True)
        if view.get("superseded_by") and not view["retracted"]:
            styles[6] = self.get_component_rich_style("trail--superseded", partial=True)
        return self._line(cells(view, self.display_person), styles, width, base)
