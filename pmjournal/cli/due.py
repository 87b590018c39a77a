"""Open loops as `due` and `remind` print them (and `show --format json` lists them).

Plain lines, not Rich tables: `due` may list thousands of loops, and `remind`
goes to cron mail and login shells, where only text without escapes belongs.
Colour (ANSI) is added only when the caller says the output is a terminal.
Imports nothing of Rich beyond cell widths, so `due` starts as fast as `list`.
"""

import csv
import io
import shutil

from ..core import display
from ..core.fold import ref_of
from ..core.i18n import _, ngettext, pgettext
from ..core.labels import kind_label, loop_type_label
from ..core.loops import days_text
from . import columns

_ANSI = {"overdue": "\x1b[1;31m", "soon": "\x1b[33m"}
_RESET = "\x1b[0m"


def loop_fields(loop) -> dict:
    """A loop as `due --format json` and `show --format json` give it (docs/guide.md, "Open loops")."""
    return {
        "loop": loop.key,
        "type": loop.type,
        "what": loop.what,
        "owes": list(loop.owes),
        "owed_to": list(loop.owed_to),
        "due": loop.due.isoformat(),
        "state": loop.state,
        "days": loop.days,  # due minus today: negative when overdue
    }


COLUMNS = ("id", "seq", "kind", "title", "project", "loop", "type", "what", "owes", "owed_to", "due", "state", "days")


def row_of(loop) -> dict:
    """A row of `due --format json` (and, its values joined, of the CSV): the entry, then its loop."""
    view = loop.view
    fields = {"id": view["id"], "seq": view["seq"], "kind": view["kind"], "title": view.get("title", "")}
    fields["project"] = view.get("project")
    fields.update(loop_fields(loop))
    return fields


def csv_text(found) -> str:
    from ..core.transfer import _csv_safe as csv_safe

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for loop in found:
        cells = ["; ".join(v) if isinstance(v, list) else "" if v is None else str(v) for v in row_of(loop).values()]
        writer.writerow([csv_safe(c) for c in cells])
    return out.getvalue()


def loop_what(loop) -> str:
    """The loop as the table names it: its key (what `--loop` takes), with its name where the
    language names it otherwise ("answer（答复）": the app's Due view said 答复, `due` only
    "answer", a user trial), and for a commitment what is owed."""
    if loop.type == "commitment":
        return f"{loop.key}: {loop.what}"
    name = loop_type_label(loop.type)
    return loop.key if name == loop.key else _("{key} ({name})").format(key=loop.key, name=name)


def table(found, color: bool, width: int | None = None) -> str:
    # TRANSLATORS: the column headings of `pmjournal due`.
    headers = ("#", _("kind"), _("title"), _("loop"), _("owes"), _("due"), _("days"))
    rows = [
        (
            ref_of(loop.view),
            kind_label(loop.view["kind"]),
            loop.view.get("title", ""),
            loop_what(loop),
            display.list_separator().join(loop.owes),
            loop.due.isoformat(),
            days_text(loop.days),
        )
        for loop in found
    ]
    width = width or shutil.get_terminal_size((120, 24)).columns
    # The # column fits the widest reference shown (`dana#12` in a team journal).
    widths = columns.natural_widths(headers, rows, (display.ref_width([lp.view for lp in found], 7), 13, 60, 40, 24, 10, 14))
    # The title flexes. On a narrow terminal the loop, owes and kind columns give way first, in
    # that order, so the title keeps 20 cells; the date and the days left never shrink.
    for col, least in ((3, 16), (4, 12), (1, 8), (3, 12)):
        spare = width - (sum(widths) - widths[2] + 2 * (len(widths) - 1)) - 20
        if spare < 0:
            widths[col] = max(least, widths[col] + spare)
    out = []
    for i, line in enumerate(columns.render(headers, rows, widths, flex=2, total_width=width)):
        state = found[i - 2].state if i >= 2 else None
        out.append(f"{_ANSI[state]}{line}{_RESET}" if color and state in _ANSI else line)
    overdue = sum(1 for loop in found if loop.state == "overdue")
    soon = sum(1 for loop in found if loop.state == "soon")
    out.append(
        ngettext(
            "{n} open loop: {overdue} overdue, {soon} due within 3 days",
            "{n} open loops: {overdue} overdue, {soon} due within 3 days",
            len(found),
        ).format(n=len(found), overdue=overdue, soon=soon)
    )
    return "\n".join(out) + "\n"


def _loop_name(loop) -> str:
    """The loop as a sentence names it: its type in the interface language (the key in English)."""
    if loop.type == "commitment":
        # TRANSLATORS: the second (third...) commitment of a communication, as `remind` names it.
        return _("commitment-{n}").format(n=loop.key.rpartition("-")[2])
    return loop_type_label(loop.type)


def _reminder_line(loop) -> str:
    owes = display.list_separator().join(loop.owes)
    if loop.type == "answer":
        what = _("answer from {names}").format(names=owes)
    elif loop.type == "commitment":
        what = _("{loop} by {names}: {what}").format(loop=_loop_name(loop), names=owes, what=loop.what)
    else:
        what = _("{loop} by {names}").format(loop=_loop_name(loop), names=owes)
    title = display.value_text("title", loop.view.get("title"))
    line = _("{ref} {title}: {what} (due {day})").format(
        ref=ref_of(loop.view), title=title, what=what, day=display.day_text(loop.due.isoformat())
    )
    return display.visible(" ".join(line.split()))


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - columns.cell_len(text))


def reminder(found, today, color: bool) -> str:
    """What `remind` prints: a heading, then a line per loop due today or overdue."""
    overdue = sum(1 for loop in found if loop.state == "overdue")
    parts = [_("{n} overdue").format(n=overdue)] if overdue else []
    if len(found) > overdue:
        parts.append(_("{n} due today").format(n=len(found) - overdue))
    from ..core.dates import day_in

    # TRANSLATORS: the day `remind` speaks of, as core/dates.py day_in() reads it: %a weekday, %-d day, %b month, %Y year.
    day = day_in(pgettext("date pattern", "%a %-d %b %Y"), today)
    lines = [_("pmjournal: {counts} ({day}); `pmjournal done REF` closes one").format(counts=_(", ").join(parts), day=day)]
    for loop in found:
        cell = _pad(days_text(loop.days) if loop.days < 0 else _("due today"), 12)
        if color and loop.state in _ANSI:
            cell = f"{_ANSI[loop.state]}{cell}{_RESET}"
        lines.append(f"  {cell}  {_reminder_line(loop)}")
    return "\n".join(lines) + "\n"
