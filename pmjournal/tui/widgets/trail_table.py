"""The trail: every entry, newest first, one line each (a RowTable, row_table.py).

The rows are row numbers into a FilterIndex (core/filter_index.py), so a filter
swaps a list of ints; over the journal's index (core/index/paging.PagedIndex) a row's
view is read when the row is drawn, with the rows around it in what is shown. An entry with an open loop (core/loops.py) says so in the
Due column in words ("3d OVERDUE", "due in 2d"), readable without colour; the
column is hidden while nothing is due.
"""

from rich.cells import cell_len
from rich.style import Style
from textual.message import Message

from ...core.display import list_separator, ref_width, short_date
from ...core.filter_index import FilterIndex
from ...core.fold import ref_of
from ...core.i18n import _, language, pgettext
from ...core.labels import kind_label, value_label
from ...core.loops import Loop
from ...core.model import ENTRY_KINDS, KIND_FIELDS
from ..words import overdue_word
from .row_table import RowTable, fit

__all__ = ["TrailTable", "cells", "fit"]

# (title, width or None for the flexible column, right-aligned): the English; headings() translates.
# Kind and Status are as wide as their longest word in the interface's language (fitted_width).
COLUMNS = (
    ("#", 7, True),
    ("When", 16, False),
    ("Kind", 13, False),
    ("Title", None, False),
    ("Owner", 14, False),
    ("Approved by", 18, False),
    ("Status", 10, False),
    ("Due", 12, False),
)
WHEN, KIND, TITLE, OWNER, APPROVED, STATUS, DUE = 1, 2, 3, 4, 5, 6, 7
# (column, its width from then on), applied in order while the title has less than COMFORTABLE_FLEX:
# first When drops its time, then Approved by goes, then Kind narrows, then the Due column
# goes (an overdue or nearly due entry then says so in Status), then When goes, then Owner narrows.
GIVE_WAY = ((WHEN, 10), (APPROVED, 0), (KIND, 8), (DUE, 0), (WHEN, 0), (OWNER, 10))
# Every status an entry can show (the kinds' status choices, and retracted).
STATUSES = tuple(
    dict.fromkeys(v for fields in KIND_FIELDS.values() for f in fields if f.name == "status" for v in f.choices or ())
) + ("retracted",)


def headings() -> tuple[str, ...]:
    """The trail's column headings in the interface's language."""
    return (
        "#",
        pgettext("column", "When"),
        pgettext("column", "Kind"),
        pgettext("column", "Title"),
        pgettext("column", "Owner"),
        pgettext("column", "Approved by"),
        pgettext("column", "Status"),
        pgettext("column", "Due"),
    )


_fitted: dict[str, tuple[int, int]] = {}


def fitted_width() -> tuple[int, int]:
    """(Kind, Status): the width of the longest kind and status (with the heading and the words
    for a due entry) in the interface's language, so the title keeps what Chinese words leave over.
    In English they are 13 and 10, the widths COLUMNS always had."""
    lang = language()
    if lang not in _fitted:
        names = headings()
        kind = max(cell_len(t) for t in [names[KIND], *(kind_label(k) for k in ENTRY_KINDS)])
        # With the Due column given way, Status also says when an entry is due (due_marker, short).
        soon = (_("due today"), _("due in {days}d").format(days=99))
        words = [names[STATUS], overdue_word(), *soon, *(value_label(v) for v in STATUSES)]
        _fitted[lang] = min(kind, COLUMNS[KIND][1]), min(max(cell_len(t) for t in words), COLUMNS[STATUS][1])
    return _fitted[lang]


def cells(view: dict, display_person) -> tuple[str, ...]:
    status = view.get("status") or ""
    if view["retracted"]:
        status = "retracted"
    return (
        ref_of(view),
        short_date(view.get("occurred_at", "")),
        kind_label(view["kind"]),
        view.get("title", ""),
        display_person(view["owner"]) if view.get("owner") else "",
        list_separator().join(display_person(n) for n in view.get("approved_by") or ()),
        value_label(status),
        "",
    )


def due_marker(loop: Loop, short: bool = False) -> str:
    """The trail's word for an entry's most urgent open loop: in words, so it reads without colour.
    `short`: for the Status column, when the Due column has given way."""
    if loop.days < 0:
        # TRANSLATORS: the trail's Due column (12 cells at most): overdue by {days} days.
        return overdue_word() if short else _("{days}d OVERDUE").format(days=-loop.days)
    # TRANSLATORS: the trail's Due column (12 cells at most).
    return _("due today") if loop.days == 0 else _("due in {days}d").format(days=loop.days)


class TrailTable(RowTable):
    """The trail: rows are row numbers (`hits`) into a FilterIndex, newest first."""

    COLUMNS = COLUMNS
    FLEX = TITLE
    GIVE_WAY = GIVE_WAY
    COMPONENT_CLASSES = {
        "trail--retracted",
        "trail--superseded",
        "trail--seq",
        "trail--overdue",
        "trail--kind-decision",
        "trail--kind-change",
        "trail--kind-communication",
        "trail--kind-risk",
        "trail--kind-incident",
        "trail--kind-note",
    }

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
        self.loops: dict[str, Loop] = {}  # entry id -> its most urgent open loop

    # -- data ------------------------------------------------------------

    def show(
        self, index: FilterIndex, hits: list[int], keep_id: str | None = None, display_person=None, new_filter: bool = False
    ) -> None:
        """Show `hits` (row numbers into `index`); keep the cursor on `keep_id` if it is still
        there; else, for a filter just typed, put it on the first row, and for the same filter
        read again (a reload) leave it at its row: the entry after the one that left."""
        if index is not self.index:
            # The # column fits the widest reference in the journal (`dana#12` in a team
            # journal), so it keeps its width while a filter changes what is shown.
            widest = getattr(index, "widest_ref", None)
            width = max(widest(), COLUMNS[0][1]) if widest is not None else ref_width(index.rows, COLUMNS[0][1])
            if width != self.COLUMNS[0][1]:
                self.COLUMNS = ((COLUMNS[0][0], width, COLUMNS[0][2]), *COLUMNS[1:])
        self.index, self.hits = index, hits
        if display_person is not None:
            self.display_person = display_person
        where = self.row_of(keep_id) if keep_id else None
        if keep_id and where is None and new_filter:
            # The highlighted entry is filtered out: start at the top (docs/tui.md). Keeping the
            # row number put "/kind:decision enter j j a" typed at once on the wrong decision.
            where = 0
        self.rows_changed(where)

    def show_loops(self, loops: dict[str, Loop]) -> None:
        self.loops = loops
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
    def row_count(self) -> int:
        return len(self.hits)

    @property
    def current(self) -> dict | None:
        if not self.hits or not 0 <= self.cursor < len(self.hits):
            return None
        return self.view(self.cursor)

    def view(self, row: int) -> dict:
        """The view shown on `row` (of the hits): a paged index reads it with the rows around it."""
        page = getattr(self.index, "page", None)
        return page(self.hits, row) if page is not None else self.index.rows[self.hits[row]]

    def visible_views(self) -> list[dict]:
        """Every view shown (tests; the People view of a loaded journal). Over the index this reads them all."""
        return [self.view(row) for row in range(len(self.hits))]

    def move_to(self, entry_id: str) -> bool:
        row = self.row_of(entry_id)
        if row is None:
            return False
        self.cursor = row
        return True

    def highlighted(self) -> None:
        self.post_message(self.Highlighted(self.current))

    def chosen(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    # -- rendering -------------------------------------------------------

    def hidden_columns(self) -> tuple[int, ...]:
        # No open loop anywhere: the Due column's cells go to the title.
        return () if self.loops else (DUE,)

    def headings(self) -> tuple[str, ...]:
        return headings()

    def column_width(self, column: int) -> int:
        if column == KIND:
            return fitted_width()[0]
        if column == STATUS:
            return fitted_width()[1]
        return super().column_width(column)

    def cells(self, row: int) -> tuple[str, ...]:
        view = self.view(row)
        out = cells(view, self.display_person)
        loop = self.loops.get(view["id"])
        if loop is None:
            return out
        if self._widths and not self._widths[DUE]:
            # No room for the Due column: what is overdue or nearly due takes the Status cell.
            return out if loop.state == "open" else (*out[:STATUS], due_marker(loop, short=True), "")
        return (*out[:DUE], due_marker(loop))

    def cell_text(self, column: int, text: str, width: int) -> str:
        if column == WHEN and width < COLUMNS[WHEN][1]:
            text = text[:width]  # the date without its time, rather than a cut-off time
        return super().cell_text(column, text, width)

    def row_styles(self, row: int) -> tuple[Style | None, list[Style | None]]:
        view = self.view(row)
        own = self.get_component_rich_style("trail--retracted") if view["retracted"] else None
        styles: list[Style | None] = [None] * len(COLUMNS)
        styles[0] = self.muted_style("trail--seq")
        styles[KIND] = self.get_component_rich_style(f"trail--kind-{view['kind']}", partial=True)
        if view.get("superseded_by") and not view["retracted"]:
            styles[STATUS] = self.get_component_rich_style("trail--superseded", partial=True)
        loop = self.loops.get(view["id"])
        if loop is not None and loop.state == "overdue":
            styles[DUE] = self.get_component_rich_style("trail--overdue", partial=True)
            if self._widths and not self._widths[DUE]:
                styles[STATUS] = styles[DUE]
        return own, styles
