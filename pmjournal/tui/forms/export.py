"""Export the filtered view to a file: Markdown, JSON or CSV, written atomically.

The dialog says before the save whether the file will be signed (config
`signing_key`, evidence/signing.py), with which key, or why it cannot be: a key
protected by a passphrase that ssh-agent does not hold is named here, and the
save is then refused with the same line beside the path (nothing written).
"""

import asyncio
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioSet

from pmjournal.core import dates
from pmjournal.core.display import visible
from pmjournal.core.errors import PmjournalError
from pmjournal.core.files import device_kind

from ..signers import key_words
from .confirm import ConfirmDialog
from .dialog import FieldDialog, one_line
from .editors import FormInput, FormRadioButton, FormRadioSet, caught_up

FORMATS = (("markdown", "Markdown", "md"), ("json", "JSON", "json"), ("csv", "CSV", "csv"))
EXTENSIONS = {key: ext for key, _, ext in FORMATS}


# One line each in the dialog's 70 columns.
UNSIGNED = "Unsigned: to sign exports, set a key (command palette: Signing key…)"
UNSIGNED_CSV = "Unsigned: CSV carries no evidence; Markdown and JSON can be signed"


def default_name(fmt: str, today: date) -> str:
    return f"pmjournal-{today.isoformat()}.{EXTENSIONS[fmt]}"


def signed_words(public, fingerprint: str) -> str:
    return f"{key_words(public.line)} key {fingerprint}"


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
        # The key exports will be signed with: ("none"|"checking"|"ok"|"error", what to say).
        self.key_state = ("checking", "") if session.signing_key else ("none", "")

    def compose(self) -> ComposeResult:
        count = self.session.count(self.filt, self.snapshot)
        noun = "entry" if count == 1 else "entries"
        with Vertical(classes="pm-box pm-small"):
            yield Label(f"Export {count} {noun}", classes="pm-title")
            yield Label(f"filter: {self.filt.describe() or 'none'}", markup=False, classes="pm-help")
            yield Label("", markup=False, classes="pm-help", id="signing")
            yield Label("Format", classes="pm-label")
            with FormRadioSet(id="format"):
                for key, label, _ext in FORMATS:
                    yield FormRadioButton(label, value=key == self.fmt, id=f"fmt-{key}")
            yield Label("Save to", classes="pm-label")
            # Focused on opening: the common case is "e, enter", a Markdown file named for today.
            yield FormInput(default_name(self.fmt, self.today), id="f-path")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label("enter export · shift+tab then ↑↓ enter: format · esc cancel", classes="pm-help")

    def on_mount(self) -> None:
        # (Textual runs FieldDialog.on_mount too: it focuses the path.)
        self.show_signing()
        if self.key_state[0] == "checking":
            # ssh-keygen and ssh-add: milliseconds, but processes; not on the UI thread.
            self.run_worker(self._check_key(), group="signing", exit_on_error=False)

    async def _check_key(self) -> None:
        def probe() -> tuple[str, str]:
            public = self.session.signing()
            return "ok", signed_words(public, public.fingerprint())

        try:
            self.key_state = await asyncio.to_thread(probe)
        except (PmjournalError, OSError) as err:
            self.key_state = "error", one_line(err)
        if self.is_attached:  # not if the dialog was closed meanwhile
            self.show_signing()

    def show_signing(self) -> None:
        """Whether the export will be signed, for the format chosen."""
        state, words = self.key_state
        if self.fmt == "csv":
            text = UNSIGNED_CSV
        elif state == "none":
            text = UNSIGNED
        elif state == "checking":
            text = f"Signing key: checking {visible(self.session.signing_key)}…"
        elif state == "ok":
            # Worded so that it wraps after the source, not inside "key SHA256:…" (50 unbreakable characters).
            text = f"Signed (config signing_key) with {words}"
        else:
            text = f"Cannot sign: {words}"
        label = self.query_one("#signing", Label)
        label.update(text)
        label.set_class(state == "error" and self.fmt != "csv", "pm-error")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        fmt = (event.pressed.id or "fmt-markdown").removeprefix("fmt-")
        path_input = self.query_one(Input)
        # Follow the format only while the path is still the suggested one.
        if path_input.value == default_name(self.fmt, self.today):
            path_input.value = default_name(fmt, self.today)
        self.fmt = fmt
        self.show_signing()
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
            signed = await asyncio.to_thread(self.session.export, path, self.filt, self.fmt, self.snapshot)
        except OSError as err:
            self.show_error(f"cannot write {path}: {err.strerror or err}")
            return
        except PmjournalError as err:
            # A key that cannot sign (SigningError) lands here too, before anything was written.
            self.show_error(one_line(err))
            return
        finally:
            self.writing = False
        if signed:
            self.notify(f"Exported to {path}\nSigned with {signed_words(*signed)}", title="Export", markup=False)
        else:
            self.notify(f"Exported to {path}", title="Export", markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
