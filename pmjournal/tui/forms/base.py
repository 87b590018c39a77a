"""What the entry and amend forms share: rows built from the model's fields,
saving with errors shown beside the field, and escape that asks before
dropping typed text.

A form reads and writes through the app's JournalSession (session.py), which
takes the journal's lock itself, and reads from the Snapshot the trail screen
holds when given one: folding a 100,000-entry journal again would take seconds.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

from pmjournal.core import dates
from pmjournal.core.errors import PmjournalError, StoreError, ValidationError
from pmjournal.core.i18n import N_, _, ngettext
from pmjournal.core.model import OWNER_REQUIRED, Field, fields_for
from pmjournal.core.people import People

from ..key_order import EscapesInOrder, MovesInOrder, drop_typed_ahead
from ..restyle import ResumesStyled
from ..session import JournalSession, Snapshot
from .confirm import ask_to_discard
from .editors import FIELD_MOVES, FormInput, HoldsKeys, caught_up, refused
from .fields import CausesRow, DateRow, EnumRow, FieldRow, ImpactRow, InputRow, TextRow
from .links import LinksRow

# The order a busy person fills a form in: what, when, who; then the kind's own
# fields; then the rest. Fields the model adds later still appear (in the middle).
HEAD = ("title", "occurred_at", "owner", "requested_by", "approved_by", "consulted", "informed")
TAIL = ("body", "causes", "links", "project", "tags", "evidence")
# An incident is mostly its causes and what led to it.
INCIDENT_TAIL = ("causes", "links", "body", "project", "tags", "evidence")
# Translated where shown (N_ marks them for the catalog).
PLACEHOLDERS = {
    "title": N_("what happened, in one line"),
    "owner": N_("the one accountable person"),
    "person": N_("a name"),
    "people": N_("names, comma-separated"),
    "tags": N_("words, space-separated"),
}
HELP = N_("ctrl+s save · esc cancel · tab next · → take suggestion · space ticks")


def ordered_fields(kind: str) -> list[Field]:
    spec = fields_for(kind)
    tail = INCIDENT_TAIL if kind == "incident" else TAIL
    middle = [f for name, f in spec.items() if name not in HEAD and name not in tail]
    return [spec[n] for n in HEAD if n in spec] + middle + [spec[n] for n in tail if n in spec]


def store_message(err: Exception) -> str:
    """One line for a write that failed; the form stays open, so say that nothing typed is lost."""
    if isinstance(err, StoreError):
        return _("{error}; your text is kept: press ctrl+s to try again").format(error=err)
    if isinstance(err, OSError):
        return _("not saved: {error}; your text is kept: press ctrl+s to try again").format(error=err.strerror or err)
    return _("not saved: {error}").format(error=err)


class FormScreen(ResumesStyled, EscapesInOrder, MovesInOrder, HoldsKeys, ModalScreen):
    CSS_PATH = "forms.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("escape", "escape", N_("Cancel"), priority=True),
        *FIELD_MOVES,
        # In a one-line field, enter goes on to the next field (check_action): it did nothing,
        # so the next line typed ran on into the same field ("…月底王小明; 发邮件…" saved as one
        # participant, a user trial). A multi-line field, a dropdown, a link's search keep their enter.
        Binding("enter", "next_line_field", N_("Next field"), show=False, priority=True),
    ]

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "next_line_field":
            # (a link's search field: enter picks the match highlighted under it)
            focused = self.focused
            return isinstance(focused, FormInput) and not any(isinstance(a, LinksRow) for a in focused.ancestors)
        return super().check_action(action, parameters)

    async def action_next_line_field(self) -> None:
        await self.action_next_field()

    def __init__(
        self,
        session: JournalSession,
        kind: str,
        *,
        snapshot: Snapshot | None = None,
        clock: Callable[[], datetime] | None = None,
        exclude_id: str | None = None,
    ):
        super().__init__(classes="pm-dialog")
        self.session = session
        self.snapshot = snapshot
        self.kind = kind
        self.clock = clock or dates.now
        self.exclude_id = exclude_id
        self.fields = ordered_fields(kind)
        self._initial_raws: dict = {}
        self.saving = False

    # -- building ------------------------------------------------------

    def heading(self) -> str:
        raise NotImplementedError

    def initial_raw(self, field: Field):
        raise NotImplementedError

    def make_row(self, field: Field) -> FieldRow:
        raw = self.initial_raw(field)
        kind = field.type
        if kind == "date":
            hint = _("empty: now, when you save") if field.name == "occurred_at" else _("optional")
            return DateRow(field, raw, self.clock, hint)
        if kind in ("text", "list", "commitments"):
            return TextRow(field, raw)
        if kind == "enum":
            return EnumRow(field, raw)
        if kind == "causes":
            return CausesRow(field, raw)
        if kind == "impact":
            return ImpactRow(field, raw)
        if kind == "links":
            return LinksRow(field, raw, self.session, self.snapshot, self.kind, self.exclude_id)
        placeholder = PLACEHOLDERS.get(field.name) or PLACEHOLDERS.get(kind)
        placeholder = _(placeholder) if placeholder else ""
        required = field.name == "title" or (field.name == "owner" and self.kind in OWNER_REQUIRED)
        return InputRow(field, raw, placeholder, required=required, people=self.people)

    def clock_for(self, field: Field):
        """What "now" is for reading `field` at the save: a date field's preview moment (DateRow)."""
        row = self.row(field.name)
        return row.clock_for_save() if isinstance(row, DateRow) else self.clock

    def people(self) -> People:
        """The names a person field completes from."""
        return self.session.people(self.snapshot)

    def compose_top(self) -> ComposeResult:
        """Rows above the scrolling fields, always in view (the amend form's reason)."""
        return iter(())

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-form"):
            yield Label(self.heading(), markup=False, classes="pm-title")
            yield Label(self.help_text(), classes="pm-help")
            yield from self.compose_top()
            # Not focusable itself: shift+tab from the first field must reach the
            # reason above it, not stop on the scrolling container.
            with VerticalScroll(classes="pm-fields", can_focus=False):
                for field in self.fields:
                    yield self.make_row(field)
            yield Label("", markup=False, classes="pm-form-error", id="form-error")

    def help_text(self) -> str:
        return _(HELP)

    def on_mount(self) -> None:
        self._initial_raws = self.raws()
        first = self.first_focus()
        first.scroll_visible(animate=False)
        self.release(first.editor())  # focus it, then the keys typed while the form opened

    def first_focus(self) -> FieldRow:
        return self.row("title")

    # -- reading -------------------------------------------------------

    def row(self, name: str) -> FieldRow:
        return self.query_one(f"#row-{name}", FieldRow)

    def raws(self) -> dict:
        return {row.field.name: row.raw for row in self.query(FieldRow)}

    @property
    def dirty(self) -> bool:
        return self.raws() != self._initial_raws

    def changed(self) -> set[str]:
        """The fields whose value is no longer what the form opened with."""
        initial = self._initial_raws
        return {name for name, raw in self.raws().items() if initial.get(name) != raw}

    def on_form_input_extra_lines(self, event: FormInput.ExtraLines) -> None:
        """A multi-line paste into a one-line field: the title's extra lines go to Body, other fields refuse it."""
        event.stop()
        row = next(node for node in event.input.ancestors if isinstance(node, FieldRow))
        if not event.spilled:
            row.show_error(refused(event.text))
            return
        self.query_one("#row-body", TextRow).append(event.text)
        count = len(event.text.splitlines())
        row.show_note(
            ngettext("the paste's other line went into Body", "the paste's other {count} lines went into Body", count).format(
                count=count
            )
        )

    # -- saving --------------------------------------------------------

    def submit(self) -> Callable[[], dict]:
        """Read and check the fields (here, on the UI thread); return the write to run,
        which returns the record. Either may raise the core's errors."""
        raise NotImplementedError

    def show_form_error(self, message: str | None) -> None:
        label = self.query_one("#form-error", Label)
        label.update(message or "")
        label.display = bool(message)

    def clear_errors(self) -> None:
        self.show_form_error(None)
        for row in self.query(FieldRow):
            row.show_error(None)

    def show_validation(self, err: ValidationError) -> None:
        rows = {row.field.name: row for row in self.query(FieldRow)}
        for other in err.others:  # more fields refused with it: each beside its field
            if other.field in rows:
                rows[other.field].show_error(str(other))
        row = rows.get(err.field or "")
        if row is None:
            self.show_form_error(str(err))
            return
        row.show_error(str(err))
        row.focus_editor(err.part)

    async def action_save(self) -> None:
        # ctrl+s is a priority binding: read the fields only once they hold every key typed before it.
        if not await caught_up(self):
            return
        if self.saving:
            return  # one save at a time; this one is still waiting for the journal
        self.clear_errors()
        try:
            write = self.submit()
        except Exception as err:  # noqa: BLE001 -- each kind is said in failed()
            self.failed(err)
            return
        # The write runs in a worker, not here: a priority binding's action holds the App's
        # queue until it returns, and the write can wait up to the lock's 5 s for another
        # process. The form says "saving…" and the app keeps answering meanwhile.
        self.saving = True
        self.show_form_error(_("saving…"))
        self.hold_until_settled()  # `ctrl+s j j`: the j's move the trail the form closes onto
        self.run_worker(self._write(write), group="save", exit_on_error=False)

    async def _write(self, write: Callable[[], dict]) -> None:
        try:
            record = await asyncio.to_thread(write)
        except Exception as err:  # noqa: BLE001 -- each kind is said in failed()
            self.saving = False
            self.show_form_error(None)
            self.failed(err)
            self.settle()  # open again, with why (what was typed behind ctrl+s is dropped: failed)
            return
        self.saving = False
        self.dismiss(record)
        self.settle()

    def failed(self, err: Exception) -> None:
        """Say why nothing was saved, beside the field where there is one; the form stays open
        with its text, and the keys typed behind ctrl+s (meant for the trail) are dropped."""
        drop_typed_ahead(self.app)
        if isinstance(err, ValidationError):
            self.show_validation(err)
        elif isinstance(err, StoreError | OSError):
            message = store_message(err)
            self.show_form_error(message)
            self.notify(message, title=_("Not saved"), severity="error", markup=False, timeout=8)
        elif isinstance(err, PmjournalError):
            self.show_form_error(str(err))
        else:
            # A bug must not cost the user what they typed: keep the form open and say so.
            message = _("not saved, unexpected error: {error}; your text is kept").format(error=f"{type(err).__name__}: {err}")
            self.show_form_error(message)
            self.notify(message, title=_("Not saved"), severity="error", markup=False, timeout=10)

    def action_cancel(self) -> None:
        if self.saving:
            self.notify(_("Still saving: the form closes when the journal has it."), markup=False)
            return
        if not self.dirty:
            self.dismiss(None)
            return
        ask_to_discard(self, self.discard_question())

    def discard_question(self) -> str:
        return _("Drop what you typed? Nothing has been saved.")
