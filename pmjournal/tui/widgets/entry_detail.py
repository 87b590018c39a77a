"""The highlighted entry in full: roles, the kind's fields, body, links, evidence, history,
and the SSH key its chain signed exports with when it was recorded (tui/signers.py).

Everything a user typed goes into rich Text objects (never markup), so a title
like `[bold]x` or `<b>` shows exactly as typed, and through display.value_text
or display.visible, so a control or invisible character an old journal holds
is shown (␛, <U+202E>) rather than sent to the terminal. Links, incoming and outgoing,
are an OptionList: pick one with enter to jump to that entry.
"""

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core import dates
from ...core.causes import BY_KEY
from ...core.display import (
    LINK_WORDS,
    ROLE_FIELDS,
    change_heading,
    change_line,
    concurrent_note,
    kind_fields,
    label,
    link_words,
    list_separator,
    local_date,
    unknown_fields,
    unknown_text,
    value_text,
    visible,
    when_text,
)
from ...core.fold import ref_of
from ...core.i18n import DEFAULT, _, language, ngettext, pgettext
from ...core.labels import field_labels, kind_label, value_label
from ...core.loops import ANSWER_DAYS, describe, history_text, loops_of
from ...core.model import KIND_FIELDS
from ...core.provenance import imported_text
from ..signers import Signers, key_words
from ..words import state_word

# The fields whose values are choices (status, source, channel, levels): shown in the interface's language.
ENUM_FIELDS = frozenset(f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "enum")
# A value longer than this shows only its start here: a log pasted as a body (20 MB) kept
# Textual wrapping it for minutes, the app frozen with it. `pmjournal show` prints it whole.
SHOWN_CHARS = 20_000
LABEL_WIDTH = 20  # the longest label, "Options considered", and a gap (in English: label_width())


def field_name(field: str) -> str:
    """A field's label (core/display.label's English when it is not in field_names)."""
    return field_labels().get(field) or _(label(field))


def link_names(backwards: bool = False) -> dict[str, str]:
    """How a link reads from each end, in the interface's language (core/display.link_words)."""
    return {rel: link_words(rel, backwards) for rel in LINK_WORDS}


def link_name(rel: str, backwards: bool = False) -> str:
    return link_words(rel, backwards)


_widths: dict[str, int] = {}


def label_width() -> int:
    """The labels' column: the longest label and a gap (20 in English, as it always was)."""
    lang = language()
    if lang not in _widths:
        words = [*field_labels().values(), *link_names().values(), *link_names(True).values()]
        _widths[lang] = min(LABEL_WIDTH, max(cell_len(w) for w in words) + 2)
    return _widths[lang]


def padded(name: str) -> str:
    """`name` and spaces to the labels' width, in terminal cells (a Chinese character takes two)."""
    return name + " " * max(1, label_width() - cell_len(name))


def _indented(text: str, pad: str) -> str:
    return "\n".join(pad + line for line in text.split("\n"))


def clipped(text: str) -> str:
    """`text`, or its first SHOWN_CHARS characters and a line saying how much more there is."""
    if len(text) <= SHOWN_CHARS:
        return text
    more = len(text) - SHOWN_CHARS
    note = ngettext(
        "… {count} more character, not shown here: `pmjournal show` prints it all",
        "… {count} more characters, not shown here: `pmjournal show` prints them all",
        more,
    ).format(count=f"{more:,}")
    return text[:SHOWN_CHARS] + "\n" + note


def field_rows(rows: list[tuple[str, str]]) -> Table:
    """Label and value lines in two columns, so a value that wraps (eight people informed,
    three causes) goes on under its value, not back under the labels."""
    grid = Table.grid(expand=True)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1, overflow="fold")
    for name, text in rows:
        grid.add_row(Text(padded(name)), Text(clipped(text)))  # Text, not str: user text is never markup
    return grid


def link_prompt(arrow: str, view: dict | None, entry_id: str) -> Text:
    text = Text(padded(arrow), style="bold")
    if view is None:
        text.append(_("{id}… (not in this journal)").format(id=visible(entry_id[:10])), style="italic")
        return text
    # the words `show` says (cli/render.py): "导致了 #6 事故：…" in Chinese, not an ASCII colon
    head = _("{ref} {kind}: {title}").format(ref=ref_of(view), kind=kind_label(view["kind"]), title="\0")
    before, _sep, after = head.partition("\0")
    text.append(before)
    text.append(value_text("title", view.get("title")), style="strike" if view["retracted"] else "")
    text.append(after)
    return text


def shown_value(field: str, value, display_person) -> str:
    """value_text, with a choice (a status, a source, a level) in the interface's language: the stored value stays English."""
    if isinstance(value, str) and field in ENUM_FIELDS:
        return visible(value_label(value))
    if field == "causes" and isinstance(value, list) and language() != DEFAULT:
        # The taxonomy's own Chinese name beside the key (the key is what cause: filters on).
        return visible(list_separator().join(f"{k}（{BY_KEY[k].zh}）" if k in BY_KEY else k for k in value))
    return value_text(field, value, display_person)


class EntryDetail(VerticalScroll):
    class Jump(Message):
        def __init__(self, entry_id: str) -> None:
            self.entry_id = entry_id
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views: dict[str, dict] = {}
        self.display_person = lambda name: name
        self.view: dict | None = None
        self.answer_days = ANSWER_DAYS  # the config's, set by the screen
        self.signers = Signers()  # the snapshot's key records, set with the views

    def compose(self) -> ComposeResult:
        yield Static(id="detail-main")
        yield OptionList(id="detail-links")
        yield Static(id="detail-history")

    def on_mount(self) -> None:
        self.show(None)

    # Each key scrolls on from where the keys before it scrolled to, at once: Textual defers a
    # scroll until after the next refresh, so five downs typed at once all started from the
    # same place and scrolled one line.
    def action_scroll_down(self) -> None:
        self._scroll_by(1)

    def action_scroll_up(self) -> None:
        self._scroll_by(-1)

    def action_page_down(self) -> None:
        self._scroll_by(self.scrollable_content_region.height)

    def action_page_up(self) -> None:
        self._scroll_by(-self.scrollable_content_region.height)

    def action_scroll_home(self) -> None:
        self._scroll_by(-self.scroll_target_y)

    def action_scroll_end(self) -> None:
        self._scroll_by(self.max_scroll_y - self.scroll_target_y)

    def _scroll_by(self, lines: float) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=self.scroll_target_y + lines, animate=False, immediate=True)

    def show(self, view: dict | None, views: dict | None = None, display_person=None, signers: Signers | None = None) -> None:
        if views is not None:
            self.views = views
        if signers is not None:
            self.signers = signers
        if display_person is not None:
            self.display_person = display_person
        self.view = view
        main = self.query_one("#detail-main", Static)
        links = self.query_one("#detail-links", OptionList)
        history = self.query_one("#detail-history", Static)
        links.clear_options()
        if view is None:
            main.update(Text(_("No entry selected."), style="italic"))
            links.display = False
            history.update("")
            return
        main.update(self._main(view))
        options = self._links(view)
        links.add_options(options)
        links.display = bool(options)
        if options:
            links.highlighted = 0
        history.update(self._history(view))
        self.scroll_home(animate=False)

    def _main(self, view: dict) -> Group:
        dp = self.display_person
        head = Text()
        head.append(f"{ref_of(view)} {kind_label(view['kind'])}  ", style="bold")
        head.append(clipped(value_text("title", view.get("title"))), style="bold strike" if view["retracted"] else "bold")
        parts = [head]
        if view["retracted"]:
            r = view["retracted"]
            by, reason = visible(r["recorded_by"]), clipped(value_text("reason", r["reason"]))
            when = local_date(r["recorded_at"])
            parts.append(Text(_("RETRACTED by {by} ({when}): {reason}").format(by=by, when=when, reason=reason), style="bold"))
        if view.get("superseded_by"):
            later = [self.views.get(i) for i in view["superseded_by"]]
            seqs = ", ".join(ref_of(v) for v in later if v)
            parts.append(Text(_("SUPERSEDED by {refs}").format(refs=seqs), style="bold"))
        rows = [(field_name("occurred_at"), when_text(view.get("occurred_at", "")))]
        for f in ROLE_FIELDS:
            rows.append((field_name(f), value_text(f, view.get(f), dp) or "—"))
        for f in kind_fields(view):
            rows.append((field_name(f), shown_value(f, view.get(f), dp)))
        for f in ("project", "tags", "causes"):
            if view.get(f):
                rows.append((field_name(f), shown_value(f, view[f], dp)))
        # Fields this pmjournal does not know (a newer version's): shown as stored, not left out.
        rows += [(visible(f), unknown_text(view[f])) for f in unknown_fields(view)]
        # A colleague's entry (team journals) also names the author's handle: the bob of bob#1.
        author = f" ({visible(view['author'])})" if view.get("author") else ""
        when, by = local_date(view.get("recorded_at", "")), visible(view.get("recorded_by", ""))
        rows.append((field_name("recorded_at"), _("{when} by {by}").format(when=when, by=by) + author))
        if "imported" in view:
            rows.append((field_name("imported"), imported_text(view["imported"], local_date, visible)))
        # Nothing at all in a journal that never signed: it reads as it always did.
        key = self.signers.of(view)
        if key is not None:
            fingerprint = visible(key.get("fingerprint", ""))
            since = _("(since {ref})").format(ref=ref_of(key))
            rows.append((field_name("signer"), f"{visible(key_words(key.get('public_key', '')))} {fingerprint} {since}"))
        parts.append(field_rows(rows))
        parts += self._loops(view)
        if view.get("body"):
            parts += [Text(""), Text(clipped(value_text("body", view["body"])))]
        if self._links(view):
            parts += [Text(""), Text(_("Links (tab here, enter to jump)"), style="bold underline")]
        return Group(*parts)

    def _loops(self, view: dict) -> list[Text]:
        """What the entry still owes, and what was closed: the state in words, so it reads in monochrome."""
        found = loops_of(view, dates.now().date(), self.answer_days)
        if not found:
            return []
        out = [Text(""), Text(pgettext("heading", "Loops"), style="bold underline")]
        width = max(9, *(cell_len(state_word(lp.state)) + 1 for lp in found))
        for loop in found:
            word = state_word(loop.state)
            line = Text(word + " " * (width - cell_len(word)), style="bold" if loop.state == "overdue" else "")
            line.append(visible(describe(loop)))
            if loop.state != "done":
                owed = visible(list_separator().join(self.display_person(n) for n in loop.owes))
                line.append(" · " + _("owed by {people}").format(people=owed))
            out.append(line)
        return out

    def _links(self, view: dict) -> list[Option]:
        # Each option's id is its place as well as the entry: one entry linked twice (caused by
        # #1 and relates to #1) made two options with one id, and Textual's DuplicateID ended the app.
        options = []
        for link in view.get("links") or ():
            target = self.views.get(link["to"])
            prompt = link_prompt(link_name(link["rel"]), target, link["to"])
            options.append(Option(prompt, id=f"{len(options)}:{link['to']}"))
        for link in view.get("linked_from") or ():
            source = self.views.get(link["from"])
            arrow = link_name(link["rel"], backwards=True)
            options.append(Option(link_prompt(arrow, source, link["from"]), id=f"{len(options)}:{link['from']}"))
        return options

    def _history(self, view: dict) -> Group:
        parts = []
        if view.get("evidence"):
            parts.append(Text(pgettext("heading", "Evidence"), style="bold underline"))
            parts += [Text(f"• {clipped(visible(item))}") for item in view["evidence"]]
        if view.get("history"):
            parts += [Text(""), Text(pgettext("heading", "History"), style="bold underline")]
            for event in view["history"]:
                line = Text(f"{local_date(event['recorded_at'])}  {visible(event['recorded_by'])}  ", style="bold")
                line.append(kind_label(event["kind"]))
                if event.get("concurrent"):
                    line.append(concurrent_note(event))
                parts.append(line)
                if event["kind"] == "loop":
                    parts.append(Text(f"    {visible(history_text(event, view))}"))
                    continue
                for field, change in (event.get("changes") or {}).items():
                    old = clipped(self._shown(field, change["old"])) or _("(empty)")
                    new = clipped(self._shown(field, change["new"])) or _("(empty)")
                    if "\n" in old or "\n" in new:
                        # Several lines (a body, commitments): each value its own indented block,
                        # so where the old one ends and the new one starts is plain.
                        parts.append(Text("    " + change_heading(field_name(field))))
                        parts.append(Text(_indented(old, "      ")))
                        parts.append(Text("      →"))
                        parts.append(Text(_indented(new, "      ")))
                    else:
                        parts.append(Text("    " + change_line(field_name(field), old, new)))
                reason = clipped(value_text("reason", event["reason"]))
                parts.append(Text("    " + _("reason: {reason}").format(reason=reason), style="italic"))
                if "imported" in event:
                    imported = imported_text(event["imported"], local_date, visible)
                    parts.append(Text("    " + _("imported {what}").format(what=imported), style="dim"))
        return Group(*parts)

    def _shown(self, field: str, value) -> str:
        if field == "links":
            return value_text(field, value, refer=self._refer)
        return shown_value(field, value, self.display_person)

    def _refer(self, entry_id: str) -> str:
        view = self.views.get(entry_id)
        return ref_of(view) if view is not None else entry_id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Jump(event.option.id.split(":", 1)[1]))  # after its place
