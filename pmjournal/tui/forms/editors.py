"""Keys that arrive in one burst act in order, on the field they were typed into.

A fast typist, a text expander, a paste followed by ctrl+s or a laggy SSH link
delivers many keys at once. Textual forwards each key to the focused widget's
own queue and goes on; the widget handles it later, in its own task. Two things
then go wrong:

- ctrl+s is a priority binding, run by the App the moment it reads it, ahead
  of the keys typed before it that are still queued in a field: it read
  half-typed values (owner "Own" for "Owner Person2"). `caught_up` waits for
  the form's widgets first; every priority save action awaits it. (Tab is a
  priority binding too, and rightly: keys queued in the field it leaves stay
  there, and the keys after it go to the next field.)
- A key that is a binding rather than a typed character (backspace, arrows,
  space in a list, enter) is run by the App only once the key has bubbled back
  up to it, against whatever is focused *then*: after a tab it acted on the next
  field, and after the characters typed behind it. `InOrder` makes a form's
  widgets run their own bindings as they read the key.

Textual's Input also keeps only the first line of a paste; `FormInput` never
drops the rest silently.

A third case is the keys typed behind the key that opens a form ("n d" then
the title): `HoldsKeys` holds them until the form's first field has the focus.
"""

from time import monotonic

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import NoScreen
from textual.widgets import Input, RadioButton, RadioSet, Select, SelectionList, TextArea
from textual.widgets._select import SelectCurrent, SelectOverlay
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from pmjournal.core.i18n import N_, _, ngettext

from ..key_order import REACTION_SECONDS, HoldsKeys, InOrder, TypesJoiners, caught_up, drop_typed_ahead
from ..restyle import StyledOnMount

__all__ = ["HoldsKeys", "InOrder", "caught_up"]  # re-exported: the forms take them from here

# Moving between the fields of a form with several: priority, so focus moves before
# the next key is routed (a fast typist's "tab" then "Mar" otherwise lands "Mar" in
# the field being left).
# The screen's own actions (key_order.MovesInOrder): the focus moves once the keys before tab are handled.
FIELD_MOVES = [
    Binding("tab", "next_field", N_("Next field"), show=False, priority=True),
    Binding("shift+tab", "previous_field", N_("Previous field"), show=False, priority=True),
]


def refused(text: str) -> str:
    """What a one-line field says when it refuses a paste of several lines."""
    count = len([line for line in text.splitlines() if line.strip()])
    return ngettext(
        "one line only: nothing was pasted (the paste had {count} line)",
        "one line only: nothing was pasted (the paste had {count} lines)",
        count,
    ).format(count=count)


class FormInput(StyledOnMount, InOrder, TypesJoiners, Input):
    """One line of text that never drops part of a multi-line paste.

    A field that takes a list joins the lines with `join`. The title pastes its
    first line and, with `spill`, hands the rest on in ExtraLines (the form puts it
    in Body). Any other field pastes nothing and posts ExtraLines, so the form
    says why beside the field.
    """

    class ExtraLines(Message):
        """Lines of a paste that this field did not take: `spilled` if its first line was pasted."""

        def __init__(self, input: "FormInput", text: str, spilled: bool):
            super().__init__()
            self.input = input
            self.text = text
            self.spilled = spilled

        @property
        def control(self) -> "FormInput":
            return self.input

    def __init__(self, *args, join: str | None = None, spill: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.join = join
        self.spill = spill
        self.initial_value = self.value  # what it opened with (rescue.py: only what was typed counts)

    def action_cursor_right(self, select: bool = False) -> None:
        # Right at the end takes the suggestion, which Textual makes in a worker after each
        # key: "Pri", right, tab in one burst reached here before it, and saved "Pri" for
        # Priya Raman. A suggester that can say it at once (PeopleSuggester) is asked now.
        suggestion = getattr(self.suggester, "suggestion", None)
        if not select and suggestion is not None and self.cursor_at_end:
            self._suggestion = suggestion(self.value) or ""
        super().action_cursor_right(select)

    def _on_paste(self, event: events.Paste) -> None:
        raw = event.text.splitlines()
        if len(raw) < 2:
            return  # one line: Input's own handler pastes it
        event.prevent_default()  # Input's handler would keep the first line only
        event.stop()
        lines = [line.strip() for line in raw if line.strip()]
        # The first line with text as pasted, its leading space kept: pasted after a word, it
        # is what keeps the two apart ("…😀 extra line one" was "…😀extra line one").
        first = next((n for n, line in enumerate(raw) if line.strip()), 0)
        if len(lines) < 2 or self.join is not None:
            self._paste((self.join or "").join(lines))  # one name, or names: as typed, without the blanks
        elif self.spill:
            self._paste(raw[first].rstrip())
            self.post_message(self.ExtraLines(self, "\n".join(raw[first + 1 :]).strip("\n"), spilled=True))
        else:
            self.post_message(self.ExtraLines(self, event.text, spilled=False))

    def _paste(self, text: str) -> None:
        # As Input pastes one line: over the selection if there is one.
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class FormTextArea(StyledOnMount, InOrder, TypesJoiners, TextArea):
    pass


class FocusesNow:
    """A widget whose focus() takes the focus at once. Textual's waits in the App's queue: a
    dropdown focuses its list as it opens and itself again as a choice is made, and the keys
    typed at once behind `enter` reached the dropdown before its list had the focus (each ran
    "open" again; the choice was lost), or a tab typed next moved on first and the focus came
    back, so what was typed in the next field was lost. Taken now, while the keys are handled,
    in their order (with key_order.InOrder and MovesInOrder)."""

    def focus(self, scroll_visible: bool = True):
        self.refresh()
        try:
            self.screen.set_focus(self, scroll_visible=scroll_visible)
        except NoScreen:
            pass
        return self


class FormSelectOverlay(FocusesNow, SelectOverlay):
    pass


class FormSelect(FocusesNow, StyledOnMount, InOrder, Select):
    def compose(self) -> ComposeResult:
        # Select's own, with the list that focuses at once
        yield SelectCurrent(self.prompt)
        yield FormSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class FormSelectionList(StyledOnMount, InOrder, SelectionList):
    """Ticked and unticked rows differ by glyph, not only by colour: Textual draws the
    same ▐X▌ both ways, unreadable on a monochrome terminal or to a screen reader."""

    def on_key(self, event: events.Key) -> None:
        # Text typed here (a tab too many from the field before) went nowhere without a word,
        # and the space in it ticked a cause (a user trial): said, and the rest of the burst,
        # space included, is dropped as after any refusal.
        now = monotonic()
        if event.key == "space" and now - self._refused_at < REACTION_SECONDS:
            # (a burst reaches the App before the first letter reaches here: its window is late)
            event.stop()
            event.prevent_default()
            self._refused_at = now
        elif event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            self._refused_at = now
            self.app.bell()
            drop_typed_ahead(self.app)
            row = next((a for a in self.ancestors if hasattr(a, "show_error")), None)
            if row is not None:
                row.show_error(_("this is a list: ↑↓ move, space ticks the one highlighted; text goes in a text field (tab)"))

    _refused_at = 0.0  # (monotonic) the last letter typed here, and refused

    def action_select(self) -> None:
        # Ticks the row the cursor is on now. Textual's posts a message and ticks whatever is
        # highlighted when the list reads it: `space down space` typed at once ticked the
        # second row twice (so not at all) and never the first.
        if self.highlighted is not None and not self.get_option_at_index(self.highlighted).disabled:
            self._toggle_highlighted_selection()

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(round(self.scroll_offset.y) + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER and selection.value not in self._selected:
            segments[1] = Segment(" ", segments[1].style)
            return Strip(segments, line.cell_length)
        return line


class FormRadioSet(StyledOnMount, InOrder, RadioSet):
    def on_mount(self) -> None:
        # Textual's RadioSet starts its highlight on the first button whatever is chosen:
        # the arrows and enter must start from the choice shown (the interface's language
        # is the second one in Chinese), or "enter" picks another. Later: RadioSet's own
        # mount handler, which moves it to the first, runs after this one.
        self.call_later(self._highlight_pressed)

    def _highlight_pressed(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index


class ChoosesAtOnce:
    """Mixed into a dialog with one radio set (CHOICES, its selector) whose choice hands the
    focus on (`chosen(button id)`): enter or space on it turns the highlighted button on at
    once, in the App's task, once the keys typed before it are handled (the arrows, in the
    radio set's task), so the focus moves before the App reads the next key. Made later
    (RadioSet.Changed, Widget.focus), what was typed right after went to the radio set and was
    lost, or into the next field before the choice was put in it: the export dialog wrote
    'name.jsonon', the first-run dialog lost the enter that saves (a user trial). Put
    CHOOSE_BINDING in BINDINGS; the dialog's enter asks `choose_now` first."""

    CHOICES = ""
    # With priority, as the dialogs' enter: run as the App reads it.
    CHOOSE_BINDING = Binding("space", "space", N_("Choose the one highlighted"), show=False, priority=True)

    def chosen(self, button_id: str) -> None:
        raise NotImplementedError

    async def action_space(self) -> None:
        from textual.actions import SkipAction

        if not await self.choose_now():
            raise SkipAction()  # a space typed into a field: the key goes on to it

    async def choose_now(self) -> bool:
        """Choose the highlighted button if the radio set has the focus; False if it has not."""
        radios = self.query_one(self.CHOICES, RadioSet)
        if self.focused is not radios:
            return False
        if not await caught_up(self):
            return True
        buttons = list(radios.query(RadioButton))
        at = radios._selected if radios._selected is not None else radios.pressed_index
        if 0 <= at < len(buttons):
            buttons[at].value = True  # RadioSet.Changed follows, and finds it done
            self.chosen(buttons[at].id or "")
        return True


class FormRadioButton(RadioButton):
    """A radio button whose dot is there only when it is on (not a colour change alone)."""

    @property
    def _button(self) -> Content:
        # Textual's own _button, with the inner glyph only when on.
        button_style = self.get_visual_style("toggle--button")
        side_style = VisualStyle(foreground=button_style.background, background=self.background_colors[1])
        inner = self.BUTTON_INNER if self.value else " "
        return Content.assemble((self.BUTTON_LEFT, side_style), (inner, button_style), (self.BUTTON_RIGHT, side_style))
