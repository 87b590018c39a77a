"""Export the filtered view to a file: Markdown, JSON or CSV, written atomically.

The Markdown document is written in the language chosen here, the interface's by
default (JSON and CSV are data: their keys stay English, so the choice is
offered for Markdown only).

The dialog says before the save whether the file will be signed (config
`signing_key`, evidence/signing.py), with which key, or why it cannot be: a key
protected by a passphrase that ssh-agent does not hold is named here, and the
save is then refused with the same line beside the path (nothing written).
"""

import asyncio
from datetime import date
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, RadioSet, Select
from textual.widgets.input import Selection

from pmjournal.core import dates, i18n
from pmjournal.core.display import visible
from pmjournal.core.errors import PmjournalError
from pmjournal.core.files import device_kind, journal_own_file
from pmjournal.core.i18n import N_, _, ngettext

from ..signers import key_words
from .confirm import ConfirmDialog
from .dialog import FieldDialog, one_line
from .editors import FIELD_MOVES, ChoosesAtOnce, FormInput, FormRadioButton, FormRadioSet, FormSelect, caught_up
from .signing_key import key_described

FORMATS = (("markdown", "Markdown", "md"), ("json", "JSON", "json"), ("csv", "CSV", "csv"))
EXTENSIONS = {key: ext for key, _, ext in FORMATS}


# One line each in the dialog's 70 columns.
UNSIGNED = N_("Unsigned: to sign exports, set a key (command palette: Signing key…)")
UNSIGNED_CSV = N_("Unsigned: CSV carries no evidence; Markdown and JSON can be signed")


def default_name(fmt: str, today: date) -> str:
    return f"pmjournal-{today.isoformat()}.{EXTENSIONS[fmt]}"


def filter_words(filt) -> str:
    """The filter in words, in the interface's language, as the Markdown document states it.

    Filter.describe() is the English the JSON export keeps as data; the words in another
    language are the export's (core/markdown.py), which has no public name for them yet."""
    from pmjournal.core.markdown import _filter_text, _words  # the export's module: loaded when the dialog opens

    return _filter_text(filt, _words())


def signed_words(public, fingerprint: str) -> str:
    return key_described(key_words(public.line), fingerprint)


class ExportDialog(ChoosesAtOnce, FieldDialog[Path | None]):
    """Dismisses with the path written, or None if cancelled."""

    # Tab with priority (FIELD_MOVES), so a burst such as "tab enter ↓ enter" acts on the field it was typed for.
    BINDINGS = [
        Binding("ctrl+s", "export", N_("Export"), priority=True),
        Binding("escape", "escape", N_("Cancel"), priority=True),
        ChoosesAtOnce.CHOOSE_BINDING,
        *FIELD_MOVES,
    ]

    CHOICES = "#format"

    def __init__(self, session, filt, *, snapshot=None, today: date | None = None, directory: Path | None = None):
        super().__init__()
        self.session = session
        self.snapshot = snapshot
        self.writing = False
        self.filt = filt
        self.today = today or dates.now().date()
        self.directory = directory
        self.fmt = "markdown"
        # The Markdown document's language: the interface's unless chosen otherwise here.
        self.lang = i18n.language()
        # The key exports will be signed with: ("none"|"checking"|"ok"|"error", what to say).
        self.key_state = ("checking", "") if session.signing_key else ("none", "")

    def compose(self) -> ComposeResult:
        count = self.session.count(self.filt, self.snapshot)
        with Vertical(classes="pm-box pm-small"):
            yield Label(ngettext("Export {count} entry", "Export {count} entries", count).format(count=count), classes="pm-title")
            yield Label(_("filter: {filter}").format(filter=filter_words(self.filt)), markup=False, classes="pm-help")
            yield Label("", markup=False, classes="pm-help", id="signing")
            yield Label(_("Format"), classes="pm-label")
            with FormRadioSet(id="format"):
                for key, label, _ext in FORMATS:
                    yield FormRadioButton(label, value=key == self.fmt, id=f"fmt-{key}")
            # Where a name alone is written: the app's folder was nowhere on screen, and an export
            # landed in whatever folder the app was started from (a helper's trial).
            folder = visible(str(self.directory or Path.cwd()).replace(str(Path.home()), "~", 1))
            yield Label(_("Save to (a name alone goes in {folder})").format(folder=folder), classes="pm-label -wide", markup=False)
            # Focused on opening: the common case is "e, enter", a Markdown file named for today.
            yield FormInput(default_name(self.fmt, self.today), id="f-path")
            yield Label("", markup=False, classes="pm-error", id="error")
            # After the path, so shift+tab from it still reaches the format first; one line
            # (a compact Select, not a third radio set), so the dialog stays within 24 lines.
            with Horizontal(classes="pm-choice-row"):
                yield Label(_("Document language"), classes="pm-label")
                yield FormSelect(
                    # Each language named in itself, as every language chooser does.
                    [(name, code) for code, name in i18n.LANGUAGES.items()],
                    value=self.lang,
                    allow_blank=False,
                    compact=True,
                    id="language",
                )
            yield Label(_("enter export · shift+tab: format · tab: language · esc cancel"), classes="pm-help")

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
            text = _(UNSIGNED_CSV)
        elif state == "none":
            text = _(UNSIGNED)
        elif state == "checking":
            text = _("Signing key: checking {path}…").format(path=visible(self.session.signing_key))
        elif state == "ok":
            # Worded so that it wraps after the source, not inside "key SHA256:…" (50 unbreakable characters).
            text = _("Signed (config signing_key) with {key}").format(key=words)
        else:
            text = _("Cannot sign: {problem}").format(problem=words)
        label = self.query_one("#signing", Label)
        label.update(text)
        label.set_class(state == "error" and self.fmt != "csv", "pm-error")

    def on_select_changed(self, event: Select.Changed) -> None:
        # The document's language: back to the path, where enter exports.
        # (Select says Changed as it mounts, with the language already in use: no choice made.)
        if event.select.id == "language" and isinstance(event.value, str) and event.value != self.lang:
            self.lang = event.value
            path = self.query_one("#f-path", Input)
            self.set_focus(path)
            # With the cursor at its end, not the whole path selected (as on opening): a key
            # typed next, meant for the language, replaced the path (a user trial).
            path.call_later(lambda: setattr(path, "selection", Selection.cursor(len(path.value))))

    async def action_enter(self) -> None:
        if not await self.choose_now():
            await super().action_enter()

    def chosen(self, button_id: str) -> None:
        self.format_chosen(button_id.removeprefix("fmt-"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        # A click on a format (the keys' choice was made at once: ChoosesAtOnce).
        fmt = (event.pressed.id or "fmt-markdown").removeprefix("fmt-")
        if fmt != self.fmt:
            self.format_chosen(fmt)

    def format_chosen(self, fmt: str) -> None:
        path_input = self.query_one("#f-path", Input)
        # Follow the format only while the path is still the suggested one.
        if path_input.value == default_name(self.fmt, self.today):
            path_input.value = path_input.initial_value = default_name(fmt, self.today)  # offered, not typed (rescue.py)
        self.fmt = fmt
        # Only Markdown has words to translate: JSON and CSV keys stay English.
        self.query_one("#language", Select).disabled = fmt != "markdown"
        self.show_signing()
        self.show_error(None)
        # Choosing a format hands over to the path, where enter exports: now, so that the
        # next key the App reads goes there.
        self.set_focus(path_input)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)

    def on_key(self, event: events.Key) -> None:
        # A file name typed on the formats (shift+tab from the path lands there) went nowhere,
        # and enter then chose Markdown again: no file, no word (a user trial). It is said.
        if self.focused is not self.query_one("#format", RadioSet):
            return
        if (event.is_printable and event.character and event.character != " ") or event.key in ("ctrl+u", "backspace"):
            event.stop()
            self.app.bell()
            self.show_error(_("this is the format: type the file name in Save to (tab), then enter"))

    def entered(self, field: Input) -> None:
        self.export()

    def target(self) -> Path | None:
        text = self.query_one(Input).value.strip()
        if not text:
            self.show_error(_("a file name is required"))
            return None
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (self.directory or Path.cwd()) / path
        if path.is_dir():
            self.show_error(_("{path} is a folder; add a file name").format(path=path))
            return None
        if not path.parent.is_dir():
            self.show_error(_("the folder {path} does not exist").format(path=path.parent))
            return None
        if why := journal_own_file(path, self.session.path):
            self.show_error(why)
            return None
        # `rep2.json` with Markdown chosen wrote Markdown into a .json file, without a word.
        named = {ext: (key, label) for key, label, ext in FORMATS} | {"markdown": ("markdown", "Markdown")}
        said = named.get(path.suffix.lower().lstrip("."))
        if said is not None and said[0] != self.fmt:
            _key, chosen, ext = next(f for f in FORMATS if f[0] == self.fmt)
            self.show_error(
                _("{name} ends in {suffix}, but the format chosen is {chosen}: choose {format} above, or end the name in .{ext}").format(
                    name=path.name, suffix=path.suffix, chosen=chosen, format=said[1], ext=ext
                )
            )
            return None
        device = device_kind(path)
        if device:
            # TRANSLATORS: {device} says what the path is instead of a file (core/files.py device_kind: "a terminal", "a pipe").
            self.show_error(_("{path} is {device}, not a file; export to a file").format(path=path, device=device))
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
                ConfirmDialog(_("{path} exists. Overwrite it?").format(path=path), yes=_("Overwrite"), no=_("Back")),
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
        self.show_error(_("exporting…"))
        self.run_worker(self._write(path), group="export", exit_on_error=False)

    async def _write(self, path: Path) -> None:
        try:
            # The session renders from our snapshot's views and refuses a journal that fails verification.
            lang = self.lang if self.fmt == "markdown" else None
            signed = await asyncio.to_thread(self.session.export, path, self.filt, self.fmt, self.snapshot, lang=lang)
        except OSError as err:
            self.show_error(_("cannot write {path}: {error}").format(path=path, error=err.strerror or err))
            return
        except PmjournalError as err:
            # A key that cannot sign (SigningError) lands here too, before anything was written.
            self.show_error(one_line(err))
            return
        except Exception as err:  # noqa: BLE001 - a bug: said, not left as "exporting…" for good
            self.show_error(_("not exported, unexpected error: {error}").format(error=f"{type(err).__name__}: {one_line(err)}"))
            return
        finally:
            self.writing = False
        if signed:
            self.notify(
                _("Exported to {path}\nSigned with {key}").format(path=path, key=signed_words(*signed)),
                title=_("Export"),
                markup=False,
            )
        else:
            self.notify(_("Exported to {path}").format(path=path), title=_("Export"), markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        # A path typed by hand is asked about before it is dropped, as in the other dialogs;
        # the name the dialog offers (for whichever format) is not.
        if self.query_one(Input).value.strip() in {"", *(default_name(fmt, self.today) for fmt in EXTENSIONS)}:
            self.dismiss(None)
        else:
            self.cancel_keeping_text()
