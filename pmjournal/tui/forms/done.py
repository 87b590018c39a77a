"""Record that an open loop was done: the follow-up sent, the review held, the
commitment met, the answer received. A new record (kind `loop`), like
`pmjournal done`; the entry itself is never edited."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from pmjournal.core import dates
from pmjournal.core.display import list_separator, visible
from pmjournal.core.errors import DateError
from pmjournal.core.fold import ref_of
from pmjournal.core.i18n import N_, _
from pmjournal.core.loops import Loop
from pmjournal.core.model import FUTURE_SLACK

from .dialog import FieldDialog
from .editors import FIELD_MOVES, FormInput, caught_up
from .suggest import PeopleSuggester
from .values import MAX_DATE_TEXT, PreviewClock, beside, read_date


def heading(loop: Loop) -> str:
    """'#12: follow-up sent': what this dialog records, in the interface's language."""
    ref = ref_of(loop.view)
    if loop.type == "follow-up":
        return _("{ref}: follow-up sent").format(ref=ref)
    if loop.type == "review":
        return _("{ref}: review held").format(ref=ref)
    if loop.type == "answer":
        return _("{ref}: answer received").format(ref=ref)
    # TRANSLATORS: {number} is the commitment's number in the entry, {what} what was promised (user text).
    number = loop.key.rpartition("-")[2]
    return _("{ref}: commitment {number} ({what}) met").format(ref=ref, number=number, what=loop.what)


class DoneDialog(FieldDialog[dict | None]):
    """Dismisses with the loop record, or None."""

    BINDINGS = [
        Binding("ctrl+s", "submit", N_("Record"), priority=True),
        Binding("escape", "escape", N_("Cancel"), priority=True),
        *FIELD_MOVES,
    ]

    def __init__(self, session, loop: Loop, clock=None):
        super().__init__()
        self.session = session
        self.loop = loop
        self.saving = False
        self.clock = PreviewClock(clock or dates.now)  # what "now" is for the When preview and the save alike

    def compose(self) -> ComposeResult:
        loop, view = self.loop, self.loop.view
        answer = loop.type == "answer"
        with Vertical(classes="pm-box pm-small"):
            yield Label(visible(heading(loop)), classes="pm-title", markup=False)
            yield Label(visible(view.get("title", "")), markup=False, classes="pm-quote")
            yield Label(_("When"), classes="pm-label")
            yield FormInput(placeholder=_("now; or 'yesterday 15:00', 'last fri', 2026-11-23"), id="f-when")
            # How the When was read, as the entry forms show it: "fri" is last Friday, not next.
            yield Label(self._when_read("")[0], classes="pm-preview", markup=False, id="preview-when")
            yield Label(_("Who answered") if answer else _("By"), classes="pm-label")
            owes = loop.owes[0] if len(loop.owes) == 1 else ""
            # Several names as a bare placeholder read as the field filled in: say it is a choice.
            names = list_separator().join(loop.owes)  # 、in Chinese, as every list of names is
            hint = _("one of: {names}").format(names=names) if len(loop.owes) > 1 else names
            # Completes from the people the journal knows (→ takes it), so "Sam" becomes the
            # Sam Okafor it was raised to, not a person of its own.
            yield FormInput(
                owes, placeholder=hint if answer else _("who did it"), id="f-by", suggester=PeopleSuggester(self.session.people)
            )
            yield Label(_("What was answered") if answer else _("Note"), classes="pm-label")
            yield FormInput(placeholder=_("the answer, in a line") if answer else _("what was done (optional)"), id="f-note")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label(_("ctrl+s record · tab next field · → take suggestion · esc cancel"), classes="pm-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        if not self.saving:
            self.show_error(None)
        if event.input.id == "f-when":
            message, bad = self._when_read(event.value)
            preview = self.query_one("#preview-when", Label)
            preview.update(message)
            preview.set_class(bad, "-bad")

    def _when_read(self, text: str) -> tuple[str, bool]:
        now = self.clock.preview(text)
        message, bad, when = read_date(text, lambda: now, _("empty: now, when you save"))
        if when is not None:
            # Refused at the save ("cannot be done in the future"): said as it is typed.
            if when > now + FUTURE_SLACK:
                return _("{when}: in the future; record it done once it is").format(when=message), True
            entry = self.loop.view.get("occurred_at") or ""
            if entry and dates.day_in_offset_of(dates.iso(when), entry) < entry[:10]:
                # Refused at the save too ("cannot be done before that"): said as it is typed.
                return _("{when}: before {ref} happened ({day})").format(when=message, ref=ref_of(self.loop.view), day=entry[:10]), True
        return message, bad

    def entered(self, field: Input) -> None:
        if field.id == "f-note":
            self.run_worker(self.save(self.typed_values()))  # as they were at enter
        else:
            self.focus_next()

    def typed_values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name in ("when", "by", "note")}

    async def action_submit(self) -> None:
        # ctrl+s is a priority binding: read the fields only once they hold every key typed before it.
        if await caught_up(self):
            await self.save(self.typed_values())

    async def save(self, typed: dict[str, str]) -> None:
        if self.saving:
            return
        values = {name: text.strip() for name, text in typed.items()}
        if values["when"]:
            # Read against the same clock as the preview, so what is recorded is what it showed.
            try:
                if len(values["when"]) > MAX_DATE_TEXT:
                    raise DateError(self._when_read(values["when"])[0])
                ref = self.clock.for_save(typed["when"])()
                values["when"] = dates.iso(dates.parse_when(values["when"], ref=ref))
            except DateError as err:
                self.show_error(beside(_("When"), err))
                self.focus_refused("occurred_at")
                return
        self.saving = True
        try:
            record = await self.write(
                _("Not recorded"),
                self.session.close_loop,
                self.loop.view["id"],
                self.loop.key,
                occurred_at=values["when"] or None,
                by=values["by"] or None,
                note=values["note"] or None,
            )
        finally:
            self.saving = False
        if record is not None:
            self.dismiss(record)

    def action_cancel(self) -> None:
        self.cancel_keeping_text()
