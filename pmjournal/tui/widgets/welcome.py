"""What an empty journal shows: the keys, and an offer to load the demo journal."""

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from ...core.i18n import N_, _

# TRANSLATORS: the keys (n, d, c, /, p, ...) and the filter's words (@person, #tag, kind:decision,
# project:x, since:) are typed as they are: keep them; keep the key column aligned.
INTRO = N_("""Welcome to pmjournal: a record of who decided what, who asked for it, who approved it and who was told.

This journal is empty. Every entry you record is kept for good: a correction is an amendment with a reason, never an edit.

  n  record a new entry (or d decision, c change, m communication, r risk, i incident)
  /  filter the trail: words, @person, #tag, kind:decision, project:x, since:2026-10-01
  p  people: who owned, requested, approved, was consulted or informed
  t  trace an incident back through what caused it
  a  amend, x retract the highlighted entry (both ask for a reason)
  e  export what the filter shows
  ?  every key            ctrl+p  every command            q  quit

To look around first, load the demo journal: a fictional product launch with decisions, changes, risks and an incident.""")


class Welcome(VerticalScroll):
    # The button is the only thing to act on here: tab must not stop on the
    # scrolling panel, where enter does nothing.
    can_focus = False

    class LoadDemo(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Static(Text(_(INTRO)), id="welcome-text")
        with Center():
            yield Button(_("Load the demo journal"), id="load-demo", variant="primary")

    def relabel(self) -> None:
        """The interface's language changed (TrailScreen.relabel)."""
        self.query_one("#welcome-text", Static).update(Text(_(INTRO)))
        self.query_one("#load-demo", Button).label = _("Load the demo journal")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "load-demo":
            event.button.disabled = True
            self.post_message(self.LoadDemo())
