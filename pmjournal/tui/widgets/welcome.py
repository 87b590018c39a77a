"""What an empty journal shows: the keys, and an offer to load the demo journal."""

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from ...core.i18n import N_, _
from ..bindings import APP, TRAIL, first_key

# TRANSLATORS: {new_entry}, {filter}... are the keys (n, /, p...: the config's [keymap] may change
# them): keep every one. The filter's words (@person, #tag, kind:decision, project:x, since:) are typed
# as they are: keep them; keep the key column aligned.
INTRO = N_("""Welcome to pmjournal: a record of who decided what, who asked for it, who approved it and who was told.

This journal is empty. Every entry you record is kept for good: a correction is an amendment with a reason, never an edit.

  {new_entry}  record a new entry (or {new_decision} decision, {new_change} change, {new_communication} communication, {new_risk} risk, {new_incident} incident)
  {filter}  filter the trail: words, @person, #tag, kind:decision, project:x, since:2026-10-01
  {people}  people: who owned, requested, approved, was consulted or informed
  {trace}  trace an incident back through what caused it
  {amend}  amend, {retract} retract the highlighted entry (both ask for a reason)
  {export}  export what the filter shows
  {help}  every key            {command_palette}  every command            {quit}  quit

To look around first, load the demo journal: a fictional product launch with decisions, changes, risks and an incident.""")

# The keys that start a line of INTRO, padded to one width so that the descriptions line up.
_COLUMN = ("new_entry", "filter", "people", "trace", "amend", "export", "help")


def intro(app) -> str:
    """INTRO in the interface's language, naming the keys that do each thing now ([keymap])."""
    keys = {b.id: first_key(app, b) for b in TRAIL + APP}
    width = max(len(keys[name]) for name in _COLUMN)
    keys.update({name: keys[name].ljust(width) for name in _COLUMN})
    return _(INTRO).format(**keys)


class _AskButton(Button):
    """Pressed by every enter. Textual's Button drops an enter while its press effect lasts
    (0.2 s), and one typed right after the question's Back was lost; the screen asks once
    (TrailScreen._asking_demo), so no press needs dropping."""

    def action_press(self) -> None:
        self.press()


class Welcome(VerticalScroll):
    # The button is the only thing to act on here: tab must not stop on the
    # scrolling panel, where enter does nothing.
    can_focus = False

    class LoadDemo(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Static(Text(intro(self.app)), id="welcome-text")
        with Center():
            yield _AskButton(_("Load the demo journal"), id="load-demo", variant="primary")

    def relabel(self) -> None:
        """The interface's language changed (TrailScreen.relabel)."""
        self.query_one("#welcome-text", Static).update(Text(intro(self.app)))
        self.query_one("#load-demo", Button).label = _("Load the demo journal")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "load-demo":
            # Not disabled here: the question's Back gave the focus back to a disabled button,
            # so it went nowhere, and an enter typed right after Back was lost (the screen
            # enables it again only once the answer's callback runs). The screen asks once.
            self.post_message(self.LoadDemo())
