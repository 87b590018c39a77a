"""Links to other entries (caused by, supersedes, relates), typed as #seq (dana#seq for a
colleague's entry in a team journal) or found by title.

Typing words instead of a number lists the entries whose title contains them;
down moves into that list and enter puts the chosen entry's reference in the field.
"""

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pmjournal.core.fold import ref_of
from pmjournal.core.i18n import N_, _
from pmjournal.core.model import Field

from ..session import JournalSession, Snapshot
from .editors import FormInput, InOrder
from .fields import FieldRow, shown_now
from .labels import kind_name, link_label
from .suggest import last_name_start
from .values import is_ref, link_rels, split_refs

MAX_MATCHES = 6


class LinkInput(FormInput):
    BINDINGS = [
        Binding("down", "pick", N_("Pick a match"), show=False),
        Binding("up", "pick_up", N_("Previous match"), show=False),
        Binding("enter", "choose", N_("Choose the highlighted match"), show=False),
    ]

    def _row(self) -> "LinksRow":
        return links_row(self)

    def action_pick(self) -> None:
        row = self._row()
        # Typed in one burst ("launch down enter"), down comes before the row has read the
        # Changed message that lists the matches: list them now, from what the field holds.
        row.show_matches(self)
        matches = row.query_one(LinkMatches)
        if not matches.display and matches.option_count and row._matched == (self, self.value):
            matches.display = True  # listed for this text, then hidden by escape: down lists them again
        if not (matches.display and matches.option_count):
            return
        if row._target is self and matches.highlighted is not None:
            # A highlight while this field still has the focus: the focus is on its way to the
            # list (`down down enter` typed at once reach the field first). Move on as the list would.
            matches.action_cursor_down()
            return
        row._target = row._picking_for = self
        matches.highlighted = 0
        matches.focus()

    def action_pick_up(self) -> None:
        # `down down up enter` typed at once: the up reaches the field too, before the list has the focus.
        row = self._row()
        matches = row.query_one(LinkMatches)
        if not (row._target is self and matches.display and matches.highlighted is not None):
            raise SkipAction()  # no list to move in: up goes on as it would without this binding
        matches.action_cursor_up()

    async def action_choose(self) -> None:
        # In a burst, the enter after down reaches this field before the list has the focus:
        # it chooses the match down highlighted, as it would in the list.
        row = self._row()
        matches = row.query_one(LinkMatches)
        if matches.display and matches.highlighted is not None:
            # Picked here and now, into this field: through the list's message it landed in
            # whichever field was typed in by then ("load ↓ enter tab launch ↓ enter" put the
            # first pick in Relates to).
            row.pick(matches.get_option_at_index(matches.highlighted).id, self)
            return
        await self.action_submit()


class LinkMatches(InOrder, OptionList):
    BINDINGS = [Binding("escape", "back", N_("Back to the field"), show=False)]

    def action_back(self) -> None:
        row = links_row(self)
        self.display = False
        self.highlighted = None  # back in the field: its next down starts the list from the top
        (row._target or row.editor()).focus()


def links_row(widget) -> "LinksRow":
    """The links row `widget` is in (a link field, the matches)."""
    return next(node for node in widget.ancestors if isinstance(node, LinksRow))


def entry_text(view: dict) -> Text:
    # Titles are user text: build a Text, never markup.
    return Text.assemble((f"{ref_of(view)} ", "bold"), (f"{kind_name(view['kind'])} · ", "dim"), view.get("title", ""))


class LinksRow(FieldRow):
    def __init__(
        self, field: Field, raw, session: JournalSession, snapshot: Snapshot | None, kind: str, exclude_id: str | None = None
    ):
        super().__init__(field, raw)
        self.session = session
        self.snapshot = snapshot
        self.kind = kind
        self.exclude_id = exclude_id
        self._target: Input | None = None
        self._handle: str | None = None
        self._matched: tuple | None = None  # (field, value) the matches listed are for
        self._picking_for: Input | None = None  # the field whose matches the list was entered from

    def compose_editor(self) -> ComposeResult:
        for rel, text in zip(link_rels(self.kind), self._initial, strict=True):
            with Horizontal(classes="pm-sub"):
                yield Label(link_label(rel), classes="pm-sublabel")
                # A paste of several references, one a line, becomes a comma-separated list.
                # Not selected on focus: picking a match focuses the field again, and the next word
                # typed replaced every link already picked (the whole field was selected).
                yield LinkInput(
                    text,
                    placeholder=_("#12, or words from a title"),
                    compact=True,
                    id=f"f-link-{rel}",
                    join=", ",
                    select_on_focus=False,
                )
        yield LinkMatches(classes="pm-link-matches")
        yield Label("", classes="pm-hint pm-link-preview", markup=False)

    def editor(self) -> Input:
        return self.query(LinkInput).first()

    def focus_editor(self, part: str | None = None) -> None:
        # A refused link: the cursor goes to its kind's field (supersedes), not the first one.
        found = self.query(f"#f-link-{part}") if part else None
        (found.first() if found else self.editor()).focus()
        shown_now(self)

    @property
    def raw(self) -> tuple:
        return tuple(i.value for i in self.query(LinkInput))

    def set_raw(self, raw) -> None:
        for editor, text in zip(self.query(LinkInput), raw, strict=True):
            editor.value = text

    def _search(self, words: str) -> list[dict]:
        # Newest first: the entry being linked to is usually recent.
        return self.session.titled(words.casefold(), self.exclude_id, MAX_MATCHES, self.snapshot)

    def _describe(self, text: str) -> Text:
        parts = []
        for token in split_refs(text):
            if not is_ref(token):
                continue
            view = self._entry(token)
            parts.append(entry_text(view) if view else Text(_("no entry {ref}").format(ref=token), style="italic"))
        return Text("  ").join(parts)

    def _entry(self, token: str) -> dict | None:
        """The entry a reference names, as Journal.resolve reads it: #12 and 12 one's own,
        dana#12 the colleague dana's (one's own handle names one's own)."""
        handle, _hash, number = token.rpartition("#")
        handle = handle.lower()
        if handle:
            if self._handle is None:
                self._handle = self.session.journal.team.handle or ""
            if handle == self._handle:
                handle = ""
        if not handle:
            view = self.session.entry_by_seq(int(number), self.snapshot)
            if view is None or "author" not in view:
                return view
            # A colleague's entry with the same number: one's own #12 is looked up by reference.
        return self.session.entry_by_ref(handle, int(number), self.snapshot)

    @on(LinkInput.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self.show_error(None)
        self.show_matches(event.input)

    def show_matches(self, field: Input) -> None:
        """The entries whose titles hold the words after the last comma of `field`, and a
        preview of the references it holds."""
        self._target = field
        value = field.value
        if self._matched == (field, value):
            return  # listed already (down in a burst listed them before Changed came)
        self._matched = (field, value)
        token = value[last_name_start(value) :].strip()
        matches = self.query_one(LinkMatches)
        matches.clear_options()
        found = [] if not token or is_ref(token) else self._search(token)
        picked = set(split_refs(value))  # not offered again: "#48, #65, #48" was picked unawares
        found = [view for view in found if ref_of(view) not in picked]
        for view in found:
            matches.add_option(Option(entry_text(view), id=ref_of(view)))
        matches.display = bool(found)
        preview = self.query_one(".pm-link-preview", Label)
        described = self._describe(value)
        preview.update(described)
        preview.display = bool(described.plain)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(event.option.id, self._picking_for or self._target or self.editor())

    def pick(self, ref: str, target: Input) -> None:
        """Put the reference `ref` in `target` in place of the words being searched for."""
        value = target.value
        target.value = f"{value[: last_name_start(value)]}{ref}, "
        matches = self.query_one(LinkMatches)
        matches.display = False
        matches.highlighted = None
        self._picking_for = None
        target.focus()
        target.cursor_position = len(target.value)
