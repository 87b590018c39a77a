"""The highlighted entry in full: roles, the kind's fields, body, links, evidence, history,
and the SSH key its chain signed exports with when it was recorded (tui/signers.py).

Everything a user typed goes into rich Text objects (never markup), so a title
like `[bold]x` or `<b>` shows exactly as typed, and through display.value_text
or display.visible, so a control or invisible character an old journal holds
is shown (␛, <U+202E>) rather than sent to the terminal. Links, incoming and outgoing,
are an OptionList: pick one with enter to jump to that entry.
"""

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core import dates
from ...core.display import (
    ROLE_FIELDS,
    concurrent_note,
    kind_fields,
    label,
    link_words,
    local_date,
    long_date,
    value_text,
    visible,
)
from ...core.fold import ref_of
from ...core.loops import ANSWER_DAYS, STATE_WORDS, describe, history_text, loops_of
from ...core.provenance import imported_text
from ..signers import Signers, key_words

LABEL_WIDTH = 20  # the longest label, "Options considered", and a gap


def field_line(name: str, text: str) -> Text:
    line = Text(f"{name:<{LABEL_WIDTH}}", style="bold")
    line.append(text)
    return line


def link_prompt(arrow: str, view: dict | None, entry_id: str) -> Text:
    text = Text(f"{arrow:<{LABEL_WIDTH}}", style="bold")
    if view is None:
        text.append(f"{visible(entry_id[:10])}… (not in this journal)", style="italic")
        return text
    text.append(f"{ref_of(view)} {view['kind']}: ")
    text.append(value_text("title", view.get("title")), style="strike" if view["retracted"] else "")
    return text


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
            main.update(Text("No entry selected.", style="italic"))
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
        head.append(f"{ref_of(view)} {view['kind']}  ", style="bold")
        head.append(value_text("title", view.get("title")), style="bold strike" if view["retracted"] else "bold")
        parts = [head]
        if view["retracted"]:
            r = view["retracted"]
            by, reason = visible(r["recorded_by"]), value_text("reason", r["reason"])
            parts.append(Text(f"RETRACTED by {by} ({local_date(r['recorded_at'])}): {reason}", style="bold"))
        if view.get("superseded_by"):
            later = [self.views.get(i) for i in view["superseded_by"]]
            seqs = ", ".join(ref_of(v) for v in later if v)
            parts.append(Text(f"SUPERSEDED by {seqs}", style="bold"))
        parts.append(field_line("When", long_date(view.get("occurred_at", ""))))
        for f in ROLE_FIELDS:
            parts.append(field_line(label(f), value_text(f, view.get(f), dp) or "—"))
        for f in kind_fields(view):
            parts.append(field_line(label(f), value_text(f, view.get(f), dp)))
        for f in ("project", "tags", "causes"):
            if view.get(f):
                parts.append(field_line(label(f), value_text(f, view[f], dp)))
        # A colleague's entry (team journals) also names the author's handle: the bob of bob#1.
        author = f" ({visible(view['author'])})" if view.get("author") else ""
        parts.append(
            field_line("Recorded", f"{local_date(view.get('recorded_at', ''))} by {visible(view.get('recorded_by', ''))}{author}")
        )
        if "imported" in view:
            parts.append(field_line("Imported", imported_text(view["imported"], local_date, visible)))
        # Nothing at all in a journal that never signed: it reads as it always did.
        key = self.signers.of(view)
        if key is not None:
            fingerprint = visible(key.get("fingerprint", ""))
            parts.append(field_line("Signer", f"{visible(key_words(key.get('public_key', '')))} {fingerprint} (since {ref_of(key)})"))
        parts += self._loops(view)
        if view.get("body"):
            parts += [Text(""), Text(value_text("body", view["body"]))]
        if self._links(view):
            parts += [Text(""), Text("Links (tab here, enter to jump)", style="bold underline")]
        return Group(*parts)

    def _loops(self, view: dict) -> list[Text]:
        """What the entry still owes, and what was closed: the state in words, so it reads in monochrome."""
        found = loops_of(view, dates.now().date(), self.answer_days)
        if not found:
            return []
        out = [Text(""), Text("Loops", style="bold underline")]
        for loop in found:
            line = Text(f"{STATE_WORDS[loop.state]:<9}", style="bold" if loop.state == "overdue" else "")
            line.append(visible(describe(loop)))
            if loop.state != "done":
                line.append(" · owed by " + visible(", ".join(self.display_person(n) for n in loop.owes)))
            out.append(line)
        return out

    def _links(self, view: dict) -> list[Option]:
        options = []
        for link in view.get("links") or ():
            target = self.views.get(link["to"])
            options.append(Option(link_prompt(link_words(link["rel"]), target, link["to"]), id=f"to:{link['to']}"))
        for link in view.get("linked_from") or ():
            source = self.views.get(link["from"])
            arrow = link_words(link["rel"], backwards=True)
            options.append(Option(link_prompt(arrow, source, link["from"]), id=f"from:{link['from']}"))
        return options

    def _history(self, view: dict) -> Group:
        parts = []
        if view.get("evidence"):
            parts.append(Text("Evidence", style="bold underline"))
            parts += [Text(f"• {visible(item)}") for item in view["evidence"]]
        if view.get("history"):
            parts += [Text(""), Text("History", style="bold underline")]
            for event in view["history"]:
                line = Text(f"{local_date(event['recorded_at'])}  {visible(event['recorded_by'])}  ", style="bold")
                line.append(event["kind"])
                if event.get("concurrent"):
                    line.append(concurrent_note(event))
                parts.append(line)
                if event["kind"] == "loop":
                    parts.append(Text(f"    {visible(history_text(event, view))}"))
                    continue
                for field, change in (event.get("changes") or {}).items():
                    old = value_text(field, change["old"], self.display_person) or "(empty)"
                    new = value_text(field, change["new"], self.display_person) or "(empty)"
                    parts.append(Text(f"    {label(field)}: {old} -> {new}"))
                parts.append(Text(f"    reason: {value_text('reason', event['reason'])}", style="italic"))
                if "imported" in event:
                    parts.append(Text(f"    imported {imported_text(event['imported'], local_date, visible)}", style="dim"))
        return Group(*parts)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Jump(event.option.id.split(":", 1)[1]))
