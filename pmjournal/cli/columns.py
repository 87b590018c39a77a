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


def _line(cells, widths, gap: str) -> str:
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
    """Width of each column: its widest cell (as shown), capped."""
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(_cells(row)):
            if widths[i] < caps[i]:
                widths[i] = min(caps[i], max(widths[i], len(cell) if cell.isascii() else cell_len(cell)))
    return widths
