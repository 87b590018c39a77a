"""A fast fixed-width table for `list`, aligned by terminal cells (CJK is 2 wide).

Rich's Table measures every cell of every row before printing, which takes
seconds for 100,000 rows; this prints row by row with one flexible column.
"""

from rich.cells import cell_len, set_cell_size

from ..core.display import visible
from ..core.model import suspect_in_line


def cell_text(text) -> str:
    """A cell as the terminal gets it: control and invisible characters shown
    (display.visible), and a newline in a cell would break the row."""
    return " ".join(visible(str(text)).split())


def fit(text, width: int) -> str:
    return _fit(cell_text(text), width)


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


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
    yield gap.join(fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()
    yield gap.join("─" * w for w in widths)
    for row in rows:
        yield gap.join(_fit(" ".join(c.split()), w) for c, w in zip(_cells(row), widths, strict=True)).rstrip()


def natural_widths(headers, rows, caps) -> list[int]:
    """Width of each column: its widest cell (as shown), capped."""
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(_cells(row)):
            if widths[i] < caps[i]:
                widths[i] = min(caps[i], max(widths[i], cell_len(cell)))
    return widths
