"""Retract an entry: a reason, then a confirmation. The entry stays on record, struck through."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from pmjournal.core.fold import ref_of
from pmjournal.core.i18n import N_, _, pgettext

from .confirm import ConfirmDialog
from .dialog import FieldDialog
from .editors import FormInput, caught_up
from .labels import kind_name


class RetractDialog(FieldDialog[dict | None]):
    """Dismisses with the retraction record, or None."""

    BINDINGS = [Binding("ctrl+s", "submit", N_("Retract"), priority=True), Binding("escape", "escape", N_("Cancel"), priority=True)]

    def __init__(self, session, entry_id: str, *, snapshot=None):
        super().__init__()
        self.session = session
        self.view = session.entry(entry_id, snapshot)

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-small"):
            yield Label(
                _("Retract {ref} ({kind})").format(ref=ref_of(self.view), kind=kind_name(self.view["kind"])),
                classes="pm-title",
                markup=False,
            )
            yield Label(self.view.get("title", ""), markup=False, classes="pm-quote")
            yield Label(_("It stays in the journal, marked retracted with your reason."), classes="pm-help")
            yield Label(pgettext("retract", "Reason") + " *", classes="pm-label")
            yield FormInput(placeholder=_("why this entry is withdrawn (required)"), id="f-reason")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label(_("enter continue · esc cancel"), classes="pm-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)

    def entered(self, field: Input) -> None:
        self.submit()

    async def action_submit(self) -> None:
        # ctrl+s is a priority binding: read the reason only once it holds every key typed before it.
        if await caught_up(self):
            self.submit()

    def submit(self) -> None:
        reason = self.reason = self.query_one(Input).value  # as it was at enter: what the question answers
        if not reason.strip():
            self.show_error(_("a reason is required: say why this entry is withdrawn"))
            return
        question = _("Retract {ref}? This cannot be undone (it can be recorded again as a new entry).").format(
            ref=ref_of(self.view)
        )
        self.app.push_screen(ConfirmDialog(question, yes=_("Retract"), no=_("Back")), self._confirmed)

    async def _confirmed(self, yes: bool | None) -> None:
        if not yes:
            self.query_one(Input).focus()
            return
        record = await self.write(_("Not retracted"), self.session.retract, self.view["id"], self.reason)
        if record is not None:
            self.dismiss(record)

    def action_cancel(self) -> None:
        self.cancel_keeping_text()
