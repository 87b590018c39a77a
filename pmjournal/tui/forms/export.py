"""Export the filtered view to a file: Markdown, JSON or CSV, written atomically."""

import asyncio
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioSet

from pmjournal.core import dates
from pmjournal.core.errors import PmjournalError
from pmjournal.core.files import device_kind

from .confirm import ConfirmDialog
from .dialog import FieldDialog
from .editors import FormInput, FormRadioButton, FormRadioSet, caught_up

FORMATS = (("markdown", "Markdown", "md"), ("json", "JSON", "json"), ("csv", "CSV", "csv"))
EXTENSIONS = {key: ext for key, _, ext in FORMATS}


def default_name(fmt: str, today: date) -> str:
    return f"pmjournal-{today.isoformat()}.{EXTENSIONS[fmt]}"


class ExportDialog(FieldDialog[Path | None]):
    """Dismisses with the path written, or None if cancelled."""

    BINDINGS = [Binding("ctrl+s", "export", "Export", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, session, filt, *, snapshot=None, today: date | None = None, directory: Path | None = None):
        super().__init__()
        self.session = session
        self.snapshot = snapshot
        self.writing = False
        self.filt = filt
        self.today = today or dates.now().date()
        self.directory = directory
        self.fmt = "markdown"

    def compose(self) -> ComposeResult:
        count = len(self.filt.apply(self.session.views(self.snapshot).values()))
        noun = "entry" if count == 1 else "entries"
        with Vertical(classes="pm-box pm-small"):
            yield Label(f"Export {count} {noun}", classes="pm-title")
            yield Label(f"filter: {self.filt.describe() or 'none'}", markup=False, classes="pm-help")
            yield Label("Format", classes="pm-label")
            with FormRadioSet(id="format"):
                for key, label, _ext in FORMATS:
                    yield FormRadioButton(label, value=key == self.fmt, id=f"fmt-{key}")
            yield Label("Save to", classes="pm-label")
            # Focused on opening: the common case is "e, enter", a Markdown file named for today.
            yield FormInput(default_name(self.fmt, self.today), id="f-path")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label("enter export · shift+tab then ↑↓ enter: format · esc cancel", classes="pm-help")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        fmt = (event.pressed.id or "fmt-markdown").removeprefix("fmt-")
        path_input = self.query_one(Input)
        # Follow the format only while the path is still the suggested one.
        if path_input.value == default_name(self.fmt, self.today):
            path_input.value = default_name(fmt, self.today)
        self.fmt = fmt
        self.show_error(None)
        # Choosing a format (enter or space) hands over to the path, where enter exports.
        path_input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter reaches here after the keys typed before it: no waiting needed.
        event.stop()
        self.export()

    def target(self) -> Path | None:
        text = self.query_one(Input).value.strip()
        if not text:
            self.show_error("a file name is required")
            return None
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (self.directory or Path.cwd()) / path
        if path.is_dir():
            self.show_error(f"{path} is a folder; add a file name")
            return None
        if not path.parent.is_dir():
            self.show_error(f"the folder {path.parent} does not exist")
            return None
        device = device_kind(path)
        if device:
            self.show_error(f"{path} is {device}, not a file; export to a file")
            return None
        return path

    async def action_export(self) -> None:
        # ctrl+s is a priority binding: read the path only once it holds every key typed before it.
        if await caught_up(self):
            self.export()

    def export(self) -> None:
        path = self.target()
        if path is None:
            return
        if path.exists():
            self.app.push_screen(
                ConfirmDialog(f"{path} exists. Overwrite it?", yes="Overwrite", no="Back"),
                lambda yes: self.write(path) if yes else self.query_one(Input).focus(),
            )
            return
        self.write(path)

    def write(self, path: Path) -> None:
        if self.writing:
            return
        # Rendering 100k entries takes seconds: in a thread, from the views the app has
        # already folded (no refold), saying so, while the app keeps answering.
        self.writing = True
        self.show_error("exporting…")
        self.run_worker(self._write(path), group="export", exit_on_error=False)

    async def _write(self, path: Path) -> None:
        try:
            # The session renders from our snapshot's views and refuses a journal that fails verification.
            await asyncio.to_thread(self.session.export, path, self.filt, self.fmt, self.snapshot)
        except OSError as err:
            self.show_error(f"cannot write {path}: {err.strerror or err}")
            return
        except PmjournalError as err:
            self.show_error(str(err))
            return
        finally:
            self.writing = False
        self.notify(f"Exported to {path}", title="Export", markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
