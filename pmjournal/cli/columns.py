"""A fast fixed-width table for `list`, aligned by terminal cells (CJK is 2 wide).

Rich's Table measures every cell of every row before printing, which takes
seconds for 100,000 rows; this prints row by row with one flexible column.
"""

from rich.cells import cell_len, set_cell_size

from ..core.display import visible
from ..core.model import suspect_in_line


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())  # a newline in a cell would break the row
    if text.isascii() and width > 0:  # one cell a character: what rich would do, without measuring
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _plain(cells) -> bool:
    """Every cell is printable ASCII (one cell a character) with no run of spaces and no
    space at either end: _fit would only pad or cut it, and visible() has nothing to show.
    Tested on the row joined by newlines, with C-level string methods, not per cell."""
    try:
        joined = "\n".join(cells)
    except TypeError:  # not all text
        return False
    return (
        joined.isascii()
        and joined.count("\n") == len(cells) - 1  # a newline of a cell's own is not plain
        and joined.replace("\n", "").isprintable()
        and "  " not in joined
        and " \n" not in joined
        and "\n " not in joined
        and not joined.startswith(" ")
        and not joined.endswith(" ")
    )


def _line(cells, widths, gap: str) -> str:
    if (cells.__class__ is tuple or cells.__class__ is list) and len(cells) == len(widths) and _plain(cells):
        if min(widths) > 0:
            # `due` at 1M prints 14,000 rows: per cell, _fit's split and join cost more than this.
            return gap.join(
                [c.ljust(w) if len(c) <= w else c[: w - 1] + "…" for c, w in zip(cells, widths, strict=True)]
            ).rstrip()
    return gap.join(_fit(c, w) for c, w in zip(_cells(cells), widths, strict=True)).rstrip()


def _cells(row) -> list[str]:
    """The row's cells as shown. One search of the whole row first: at 100k rows
    a visible() call per cell costs a quarter of the table's time."""
    try:
        joined = "".join(row)
    except TypeError:  # not all text
        row = [str(c) for c in row]
        joined = "".join(row)
    if suspect_in_line(joined) is None:
        return row
    return [visible(c) for c in row]


def render(headers, rows, widths, flex: int, total_width: int, gap: str = "  "):
    """Yield lines; column `flex` takes the room the others leave (at least 12)."""
    widths = list(widths)
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + len(gap) * (len(widths) - 1)
    widths[flex] = max(12, total_width - fixed)
    yield _line(headers, widths, gap)
    yield gap.join("─" * w for w in widths)
    for row in rows:
        yield _line(row, widths, gap)


def natural_widths(headers, rows, caps) -> list[int]:
    """Width of each column: its widest cell (as shown), capped; a heading wider than its
    cap keeps its own width."""
    heads = [cell_len(h) for h in headers]
    widest = list(heads)
    n = len(heads)
    for row in rows:
        if (row.__class__ is tuple or row.__class__ is list) and len(row) == n:
            try:
                joined = "".join(row)
            except TypeError:  # not all text
                joined = "\t"
            if joined.isascii() and joined.isprintable():  # one cell a character, shown as it is
                widest = list(map(max, widest, map(len, row)))
                continue
        for i, cell in enumerate(_cells(row)):
            width = len(cell) if cell.isascii() else cell_len(cell)
            if width > widest[i]:
                widest[i] = width
    return [head if head >= cap else min(cap, width) for head, width, cap in zip(heads, widest, caps, strict=True)]
