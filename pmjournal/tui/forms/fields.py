"""One row per model field: a label, the editor its Field.type calls for, and
an error line under it that a failed save fills in.

Every row offers the same small interface to the form: `raw` (what the
widgets hold, see values.py), `set_raw`, `focus_editor` and `show_error`.
"""

from collections.abc import Callable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, TextArea
from textual.widgets.selection_list import Selection

from pmjournal.core.causes import CAUSES
from pmjournal.core.i18n import N_, _
from pmjournal.core.model import DUE_FIELDS, IMPACT_PARTS, Field
from pmjournal.core.people import People

from .editors import FormInput, FormSelect, FormSelectionList, FormTextArea
from .labels import cause_prompt, field_label, impact_part, value_name
from .suggest import PeopleSuggester
from .values import PreviewClock, describe_date

# Long free text gets a taller box; the rest of the text fields are a few lines.
TALL_TEXT = ("body",)
LIST_HINT = N_("one per line")
# TRANSLATORS: the example's words are what is typed, read by core/model.py clean_commitments; "friday" is a date as the date field reads it.
COMMITMENTS_HINT = N_("one per line: who; what; by when (Dana; send the pricing sheet; friday)")
DATE_EXAMPLES = N_("yesterday 15:00, last fri, 2026-11-23")
# A due date (review by, follow up by) is read ahead: its examples are days to come.
DUE_EXAMPLES = N_("fri, next mon 10:00, in 2 weeks, 2026-12-15")
# A multi-line paste into a one-line list field becomes its items.
PASTE_JOINS = {"people": ", ", "tags": " "}


class FieldRow(Vertical):
    """A labelled editor for one Field, with its error line.

    The label is docked to the left (forms.tcss) and the editor, its hints and the
    error line stack beside it, in the row itself: a cell container per row, as
    there was, made opening a form a fifth slower (its auto height is laid out
    again on every pass)."""

    def __init__(self, field: Field, raw, *, required: bool = False):
        super().__init__(id=f"row-{field.name}", classes="pm-row")
        self.field = field
        self._initial = raw
        self.required = required
        self._error: str | None = None

    def compose(self) -> ComposeResult:
        # The error line is mounted when there is first something to say: a form has
        # fifteen rows or more, each mounted widget costs its share of opening the form,
        # and most forms are saved without an error.
        yield Label(field_label(self.field) + (" *" if self.required else ""), classes="pm-label")
        yield from self.compose_editor()

    def compose_editor(self) -> ComposeResult:
        raise NotImplementedError

    @property
    def raw(self):
        raise NotImplementedError

    def set_raw(self, raw) -> None:
        raise NotImplementedError

    def editor(self) -> Widget:
        raise NotImplementedError

    def focus_editor(self, part: str | None = None) -> None:
        """Focus the editor (`part`: the part of it a refusal named, where a row has parts)."""
        self.editor().focus()
        shown_now(self)

    def show_error(self, message: str | None) -> None:
        # Called on every keystroke to clear the error: touch the DOM only on a change.
        if message == self._error:
            return
        self._error = message
        self.set_class(bool(message), "-has-error")
        shown = self.query(".pm-error")
        if shown:
            label = shown.first(Label)
            label.update(message or "")
            label.display = bool(message)
        elif message:
            # Under the editor, above any note (show_note) already there.
            notes = self.query(".pm-note")
            self.mount(
                Label(message, classes="pm-error", markup=False), before=notes.first() if notes else None
            )

    def show_note(self, message: str) -> None:
        """A remark beside the field that stays (typing clears errors, not this)."""
        notes = self.query(".pm-note")
        if notes:
            notes.first(Label).update(message)
        else:
            self.mount(Label(message, classes="pm-note", markup=False))


class OneInputRow(FieldRow):
    """A row whose editor is one Input."""

    def editor(self) -> Input:
        return self.query_one(Input)

    @property
    def raw(self) -> str:
        return self.editor().value

    def set_raw(self, raw) -> None:
        self.editor().value = raw


class InputRow(OneInputRow):
    """line, person, people and tags: one line of text."""

    def __init__(
        self, field: Field, raw, placeholder: str = "", *, required: bool = False, people: Callable[[], People] | None = None
    ):
        """`people` returns the names a person field completes from."""
        super().__init__(field, raw, required=required)
        self.people = people
        self.placeholder = placeholder
        self._matches = ""

    def compose_editor(self) -> ComposeResult:
        suggester = None
        if self.field.type in ("person", "people") and self.people is not None:
            suggester = PeopleSuggester(self.people)
        yield FormInput(
            self._initial,
            placeholder=self.placeholder,
            suggester=suggester,
            compact=True,
            id=f"f-{self.field.name}",
            join=PASTE_JOINS.get(self.field.type),
            # The title keeps a paste's first line; the form moves the rest into Body.
            spill=self.field.name == "title",
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)
        # Only while typing: a prefilled value (the amend form) needs no list of other names.
        if event.input.has_focus:
            self._show_matches(event.value)

    def on_descendant_blur(self) -> None:
        self._show_matches("", left=self.editor().value)

    def _show_matches(self, value: str, left: str = "") -> None:
        suggester = self.editor().suggester
        if not isinstance(suggester, PeopleSuggester):
            return
        # The inline completion shows one name; list the others so the user knows to type more.
        others = suggester.matches(value)[1:6] if value else []
        text = _("also: {names}").format(names=", ".join(others)) if others else self._half_typed(suggester, left)
        if text != self._matches:
            self._matches = text
            shown = self.query(".pm-matches")
            if shown:
                label = shown.first(Label)
                label.update(text)
                label.display = bool(text)
            else:  # mounted on the first names to list, like the error line
                self.mount(Label(text, classes="pm-hint pm-matches", markup=False), after=self.editor())


    def _half_typed(self, suggester: PeopleSuggester, value: str) -> str:
        """Said once the field is left: a name no one in the journal has that begins a known one
        ("Mar", its completion Marcus Chen offered and Tab pressed, was saved as a person of its
        own without a word: a user trial). Said, not refused: it may be someone new."""
        people = suggester.people()
        said = []
        for name in (n.strip() for n in value.split(",")):
            if name and not people.knows(name) and (known := people.complete(name, limit=1)):
                said.append(_("{name} is new to this journal: did you mean {known}?").format(name=name, known=known[0]))
        return " ".join(said)


# The preview's share of the row and its padding (forms.tcss .pm-preview: max-width, padding-left).
PREVIEW_SHARE, PREVIEW_PAD = 0.7, 2


class DateRow(OneInputRow):
    """A date typed in words, with how it was understood shown beside it as you type."""

    def __init__(self, field: Field, raw, clock, empty_hint: str):
        super().__init__(field, raw)
        self.clock = PreviewClock(clock)
        self.empty_hint = empty_hint
        self._said = [empty_hint]  # what the preview can say, longest first (_fit_preview)
        self._cut = False  # the preview says less than _said[0] (an error: cut with its ellipsis)

    def clock_for_save(self):
        """The clock the save reads this field with, so the date recorded is the one the preview showed."""
        return self.clock.for_save(self.raw)

    def compose_editor(self) -> ComposeResult:
        with Horizontal(classes="pm-date"):
            examples = DUE_EXAMPLES if self.field.name in DUE_FIELDS else DATE_EXAMPLES
            yield FormInput(self._initial, placeholder=_(examples), compact=True, id=f"f-{self.field.name}")
            yield Label("", classes="pm-preview", markup=False, id=f"preview-{self.field.name}")

    def on_mount(self) -> None:
        self._update_preview(self._initial)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)
        self._update_preview(event.value)

    def _update_preview(self, text: str) -> None:
        now = self.clock.preview(text)
        name = self.field.name
        self._said, bad = describe_date(text, lambda: now, self.empty_hint, ahead=name in DUE_FIELDS, happened=name == "occurred_at")
        self.query_one(".pm-preview", Label).set_class(bad, "-bad")
        self._fit_preview()

    def on_resize(self) -> None:
        self._fit_preview()

    def _fit_preview(self) -> None:
        """The longest way of saying the date that fits beside the field: at 60 columns the
        time was cut ('Thu 03 Dec 2026 15:0…'); an error is cut with its ellipsis."""
        preview = self.query_one(".pm-preview", Label)
        room = int(self.query_one(".pm-date").size.width * PREVIEW_SHARE) - PREVIEW_PAD
        said = self._said
        shown = next((text for text in said if cell_len(text) <= room), said[-1]) if room > 0 else said[0]
        self._cut = cell_len(shown) > room
        preview.update(shown)

    def on_descendant_blur(self) -> None:
        """Leaving the field with a date it cannot read, cut beside it: all of it, under the
        field (while it is typed, the preview keeps to one line so the form does not jump)."""
        if self._cut and self.query_one(".pm-preview", Label).has_class("-bad"):
            self.show_error(self._said[0])


class TextRow(FieldRow):
    """text and list fields: a TextArea (a list takes one item per line)."""

    def compose_editor(self) -> ComposeResult:
        area = FormTextArea(self._initial, soft_wrap=True, tab_behavior="focus", id=f"f-{self.field.name}")
        area.compact = True
        area.add_class("-tall" if self.field.name in TALL_TEXT else "-short")
        if self.field.type == "list":
            area.placeholder = _(LIST_HINT)
        elif self.field.type == "commitments":
            area.placeholder = _(COMMITMENTS_HINT)
        yield area

    def editor(self) -> TextArea:
        return self.query_one(TextArea)

    @property
    def raw(self) -> str:
        return self.editor().text

    def set_raw(self, raw) -> None:
        self.editor().text = raw

    def append(self, text: str) -> None:
        """Add `text` on a line of its own after what the field holds."""
        area = self.editor()
        if area.text and not area.text.endswith("\n"):
            text = "\n" + text
        area.insert(text, area.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.show_error(None)


class EnumRow(FieldRow):
    def compose_editor(self) -> ComposeResult:
        yield FormSelect(
            # Shown in the interface's language; the value saved is the model's English word.
            [(value_name(choice), choice) for choice in self.field.choices],
            prompt=_("(none)"),
            # A value the model no longer offers (an old journal) shows as none rather than crash the form.
            value=self._initial if self._initial in self.field.choices else Select.NULL,
            compact=True,
            id=f"f-{self.field.name}",
        )

    def editor(self) -> Select:
        return self.query_one(Select)

    @property
    def raw(self) -> str:
        value = self.editor().value
        return "" if value is Select.NULL else str(value)

    def set_raw(self, raw) -> None:
        self.editor().value = raw if raw in self.field.choices else Select.NULL

    def on_select_changed(self, event: Select.Changed) -> None:
        self.show_error(None)


class CausesRow(FieldRow):
    """Blame-cause keys, picked from the taxonomy with English and Chinese labels (space toggles)."""

    def compose_editor(self) -> ComposeResult:
        chosen = set(self._initial)
        yield FormSelectionList(
            *[Selection(cause_prompt(c), c.key, c.key in chosen) for c in CAUSES],
            compact=True,
            id=f"f-{self.field.name}",
        )

    def editor(self) -> SelectionList:
        return self.query_one(SelectionList)

    @property
    def raw(self) -> tuple:
        # Taxonomy order, so the same choice made in a different order is not a change.
        chosen = set(self.editor().selected)
        return tuple(c.key for c in CAUSES if c.key in chosen)

    def set_raw(self, raw) -> None:
        editor = self.editor()
        editor.deselect_all()
        for key in raw:
            editor.select(key)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.show_error(None)


class ImpactRow(FieldRow):
    """A change's impact: scope, schedule and cost, each a line of text."""

    def compose_editor(self) -> ComposeResult:
        for part, text in zip(IMPACT_PARTS, self._initial, strict=True):
            with Horizontal(classes="pm-sub"):
                yield Label(impact_part(part), classes="pm-sublabel")
                yield FormInput(text, compact=True, id=f"f-impact-{part}")

    def editor(self) -> Input:
        return self.query(Input).first()

    @property
    def raw(self) -> tuple:
        return tuple(i.value for i in self.query(Input))

    def set_raw(self, raw) -> None:
        for editor, text in zip(self.query(Input), raw, strict=True):
            editor.value = text

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)


def shown_now(row) -> None:
    """Scroll the form to `row` at once, and again once what changed under it is laid out.
    A scroll still gliding towards where the keys typed ahead of a refused save had moved
    the focus ended after this one: the row with the error was left above the form's window
    (a user trial at 60x20). That glide is stopped first."""
    animator = row.app.animator
    for ancestor in row.ancestors:
        animator.force_stop_animation(ancestor, "scroll_y")
    row.scroll_visible(animate=False)
    row.call_after_refresh(row.scroll_visible, animate=False)

