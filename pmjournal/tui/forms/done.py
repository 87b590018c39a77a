"""Record that an open loop was done: the follow-up sent, the review held, the
commitment met, the answer received. A new record (kind `loop`), like
`pmjournal done`; the entry itself is never edited."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from pmjournal.core.display import visible
from pmjournal.core.fold import ref_of
from pmjournal.core.loops import Loop, label

from .dialog import FieldDialog
from .editors import FIELD_MOVES, FormInput, caught_up

WORDS = {"follow-up": "sent", "review": "held", "commitment": "met", "answer": "received"}


class DoneDialog(FieldDialog[dict | None]):
    """Dismisses with the loop record, or None."""

    BINDINGS = [Binding("ctrl+s", "submit", "Record", priority=True), Binding("escape", "cancel", "Cancel"), *FIELD_MOVES]

    def __init__(self, session, loop: Loop):
        super().__init__()
        self.session = session
        self.loop = loop
        self.saving = False

    def compose(self) -> ComposeResult:
        loop, view = self.loop, self.loop.view
        answer = loop.type == "answer"
        with Vertical(classes="pm-box pm-small"):
            yield Label(f"{ref_of(view)}: {label(loop)} {WORDS[loop.type]}", classes="pm-title", markup=False)
            yield Label(visible(view.get("title", "")), markup=False, classes="pm-quote")
            yield Label("When", classes="pm-label")
            yield FormInput(placeholder="now; or 'yesterday 15:00', 'last fri', 2026-11-23", id="f-when")
            yield Label("Who answered" if answer else "By", classes="pm-label")
            owes = loop.owes[0] if len(loop.owes) == 1 else ""
            yield FormInput(owes, placeholder=", ".join(loop.owes) if answer else "who did it", id="f-by")
            yield Label("What was answered" if answer else "Note", classes="pm-label")
            yield FormInput(placeholder="the answer, in a line" if answer else "what was done (optional)", id="f-note")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label("ctrl+s record · tab next field · esc cancel", classes="pm-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        if not self.saving:
            self.show_error(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "f-note":
            self.run_worker(self.save())
        else:
            self.focus_next()

    async def action_submit(self) -> None:
        # ctrl+s is a priority binding: read the fields only once they hold every key typed before it.
        if await caught_up(self):
            await self.save()

    async def save(self) -> None:
        if self.saving:
            return
        values = {name: self.query_one(f"#f-{name}", Input).value.strip() for name in ("when", "by", "note")}
        self.saving = True
        try:
            record = await self.write(
                "Not recorded",
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
        self.dismiss(None)
