"""What the user had typed, kept in a file when a bug ends the app.

Textual ends the app on an exception nothing handled (a bug in a widget's handler, a
suggester, a worker): the open forms and dialogs, and every word typed into them, would
go with it. PmjournalApp._handle_exception calls save() before Textual tears the screens
down, and run() prints where the file is. The file is plain text, one block per open
form or dialog, each field's label and what it held, to copy back into a new entry;
it is written beside the journal, or in the temporary folder when that cannot be written.
The app's other ends that leave no choice do the same (PmjournalApp.end: the journal
replaced by something that is not one, under the open form).
"""

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from ..core.i18n import _


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
        return ", ".join(item for item in raw if item.strip())
    text = json.dumps(raw, ensure_ascii=False, default=str)
    return "" if text in ("{}", "[]", "null", '""') else text


def _widget_name(widget) -> str:
    name = widget.id or type(widget).__name__
    return name[2:] if name.startswith("f-") else name


def typed(screen: Screen) -> list[tuple[str, str]]:
    """(label, text) for what `screen` holds: each field of a form that was changed (its
    row's raw value), and the text of any other input or text area that is not empty."""
    # Here, not at the top: the app imports this module at start, and the forms load when first used.
    from .forms.fields import FieldRow
    from .forms.labels import field_label

    found: list[tuple[str, str]] = []
    changed = screen.changed() if hasattr(screen, "changed") else None
    for row in screen.query(FieldRow):
        if (changed is None or row.field.name in changed) and (text := _text(row.raw)):
            found.append((field_label(row.field), text))
    for widget in screen.query("Input, TextArea"):
        if any(isinstance(node, FieldRow) for node in widget.ancestors):
            continue  # read above, as its row's value
        value = widget.value if isinstance(widget, Input) else widget.text if isinstance(widget, TextArea) else ""
        if value == getattr(widget, "initial_value", None):
            continue  # as the dialog opened it (the export's default path, the name shown): nothing typed
        if text := _text(value):
            found.append((_widget_name(widget), text))
    return found


def _heading(screen: Screen) -> str:
    title = next(iter(screen.query(".pm-title")), None)
    if title is not None:
        return str(title.render()).strip()
    return type(screen).__name__


def document(app: App, reason: str) -> str | None:
    """The rescue file's text, or None when nothing typed is open."""
    blocks = []
    for screen in reversed(app.screen_stack):
        if not isinstance(screen, ModalScreen):
            continue  # the forms and dialogs; the trail's filter is not worth a file
        fields = typed(screen)
        if fields:
            lines = [f"## {_heading(screen)}", ""]
            for label, text in fields:
                lines.append(f"{label}:")
                lines.extend(f"    {line}" for line in text.splitlines() or [""])
            blocks.append("\n".join(lines))
    if not blocks:
        return None
    intro = _(
        "pmjournal ended before this was saved: {reason}\n"
        "Nothing below is in the journal: copy what you need into a new entry."
    ).format(reason=reason)
    return intro + "\n\n" + "\n\n".join(blocks) + "\n"


def save(app: App, journal: Path, reason: str, now: datetime | None = None) -> Path | None:
    """Write document() beside the journal (or in the temporary folder); its path, or None
    when there was nothing to keep or no folder would take it. Never raises: it runs while
    the app is already failing."""
    try:
        text = document(app, reason)
    except Exception:  # noqa: BLE001 -- the screens themselves may be what broke
        return None
    if text is None:
        return None
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    data = text.encode("utf-8")
    for folder in (journal.parent, Path(tempfile.gettempdir())):
        for n in range(1, 10):
            path = folder / f"{journal.name}.unsaved-{stamp}{'' if n == 1 else f'-{n}'}.txt"
            try:
                # private (0600), and never over an older rescue
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            except OSError:
                break
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                return path
            except OSError:  # a full disk: try the next folder
                path.unlink(missing_ok=True)
                break
    return None
