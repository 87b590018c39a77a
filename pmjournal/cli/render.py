"""Rich renderables for the CLI. User text is always wrapped in Text: never markup.

And it always comes through display.value_text (a field) or display.visible
(anything else), so a control character stored in an old journal is shown as
␛ or <U+202E>, never sent to the terminal.
"""

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..core import display
from ..core.causes import describe as describe_cause
from ..core.fold import ref_of
from ..core.i18n import _
from ..core.labels import kind_label, role_label, value_label
from ..core.loops import STATE_WORDS, describe, history_text
from ..core.query import ROLE_NAMES, WHO_COLUMNS

KIND_STYLE = {
    "decision": "cyan",
    "change": "magenta",
    "communication": "blue",
    "risk": "yellow",
    "incident": "red",
    "note": "white",
}


# A loop's state is said in words (loops.STATE_WORDS); colour only adds to it, on a terminal.
STATE_STYLE = {"overdue": "bold red", "soon": "yellow", "done": "dim"}


def _status(view: dict) -> str:
    if view["retracted"]:
        return value_label("retracted")
    return display.value_text("status", view.get("status"))


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal cells (a Chinese character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def entry_detail(view: dict, journal, loops=()) -> Group:
    """`loops`: the entry's open loops (loops.loops_of), shown under Loops with their story."""
    people = journal.people
    head = Text(f"{ref_of(view)} ", style="bold")
    head.append(kind_label(view["kind"]), style=KIND_STYLE.get(view["kind"], ""))
    if view.get("status"):
        head.append(f" · {display.value_text('status', view['status'])}")
    title = Text(display.value_text("title", view.get("title")), style="bold")
    parts: list = [head, title]
    if view["retracted"]:
        r = view["retracted"]
        parts.append(
            Text(
                _("RETRACTED {ref} {when} by {name}: {reason}").format(
                    ref=display.retraction_ref(view),
                    when=display.short_date(r["recorded_at"]),
                    name=display.visible(r["recorded_by"]),
                    reason=display.value_text("reason", r["reason"]),
                ),
                style="red",
            )
        )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()

    def row(name: str, text: str) -> None:
        if text:
            grid.add_row(Text(name), Text(text))

    row(display.label("occurred_at"), display.when_text(view["occurred_at"]))
    row(
        display.label("recorded_at"),
        _("{when} by {name}").format(
            when=display.local_date(view["recorded_at"]), name=display.visible(view.get("recorded_by", ""))
        ),
    )
    if "imported" in view:
        from ..core.provenance import imported_text

        row(_("Imported"), imported_text(view["imported"], display.local_date, display.visible))
    for field in display.ROLE_FIELDS + tuple(display.kind_fields(view)):
        row(display.label(field), display.value_text(field, view.get(field), people.display))
    for field in ("project", "tags", "causes", "evidence"):
        row(display.label(field), display.value_text(field, view.get(field)))
    for field in display.unknown_fields(view):
        row(display.visible(field), display.unknown_text(view[field]))
    parts.append(grid)
    links = _links(view, journal)
    if links:
        parts += [Text(display.label("links"), style="bold"), *links]
    if view.get("body"):
        parts += [Text(display.label("body"), style="bold"), Text(display.value_text("body", view["body"]))]
    if loops:
        parts.append(Text(_("Loops"), style="bold"))
        for loop in loops:
            line = Text(f"  {_pad(STATE_WORDS[loop.state], 8)} ", style=STATE_STYLE.get(loop.state, ""))
            owed = _("{loop}; owed by {names}").format(loop=describe(loop), names=display.list_separator().join(loop.owes))
            line.append(display.visible(owed, multiline=True))
            parts.append(line)
    if view["history"]:
        parts.append(Text(_("History"), style="bold"))
        for event in view["history"]:
            line = Text(
                "  "
                + _("{ref} {when} by {name}: ").format(
                    ref=ref_of(event), when=display.local_date(event["recorded_at"]), name=display.visible(event["recorded_by"])
                )
            )
            line.append(kind_label(event["kind"]), style="yellow")
            if event.get("concurrent"):
                line.append(display.concurrent_note(event), style="bold")
            if event["kind"] == "loop":
                line.append(f" — {display.visible(history_text(event, view), multiline=True)}")
            else:
                line.append(f" — {display.value_text('reason', event['reason'])}")
            parts.append(line)
            if "imported" in event:
                from ..core.provenance import imported_text

                parts.append(
                    Text(
                        "      "
                        + _("imported {how}").format(how=imported_text(event["imported"], display.local_date, display.visible)),
                        style="dim",
                    )
                )
            for field, change in (event.get("changes") or {}).items():
                old = _change_text(field, change["old"], journal)
                new = _change_text(field, change["new"], journal)
                parts.append(Text("      " + display.change_line(display.label(field), old, new)))
    parts.append(Text(_("id {id}  hash {hash}…").format(id=view["id"], hash=view["hash"][:16]), style="dim"))
    return Group(*parts)


def _change_text(field: str, value, journal) -> str:
    """A value in a history line: commitments (one a line in the grid) joined by '; ' so old → new stays readable;
    links name their entries (#34)."""
    text = display.value_text(field, value, refer=lambda entry_id: _short_ref(journal, entry_id))
    if field == "commitments" and isinstance(value, list):
        text = "; ".join(text.split("\n"))
    return text or _("(empty)")


def _short_ref(journal, entry_id: str) -> str:
    target = journal.by_id(entry_id)
    return ref_of(target) if target is not None else entry_id


def _ref(journal, entry_id: str) -> str:
    target = journal.by_id(entry_id)
    if target is None:
        return _("{id} (not in this journal)").format(id=display.visible(entry_id))
    retracted = " ({})".format(value_label("retracted")) if target["retracted"] else ""
    return (
        _("{ref} {kind}: {title}").format(
            ref=ref_of(target), kind=kind_label(target["kind"]), title=display.value_text("title", target.get("title"))
        )
        + retracted
    )


def _links(view: dict, journal) -> list[Text]:
    out = []
    for link in view.get("links") or ():
        out.append(Text(f"  {display.link_words(link['rel'])} {_ref(journal, link['to'])}"))
    for link in view["linked_from"]:
        out.append(Text(f"  {display.link_words(link['rel'], backwards=True)} {_ref(journal, link['from'])}"))
    return out


def who_table(rows) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # Names stay whole on a narrow terminal; the column headings give way instead.
    table.add_column(_("person"), no_wrap=True)
    for column in WHO_COLUMNS:
        table.add_column(role_label(column), justify="right", overflow="ellipsis", min_width=2)
    table.add_column(_("entries"), justify="right", overflow="ellipsis", min_width=2)
    for r in rows:
        table.add_row(
            Text(display.visible(r["person"])), *(Text(str(r[x]) if r[x] else "·") for x in WHO_COLUMNS), Text(str(r["total"]))
        )
    return table


def who_person(summary: dict, people) -> Group:
    parts: list = [Text(display.visible(summary["person"]), style="bold")]
    counts = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    counts.add_column(_("kind"))
    for role in ROLE_NAMES:
        counts.add_column(role_label(role), justify="right")
    for kind, roles in sorted(summary["by_kind"].items()):
        counts.add_row(Text(kind_label(kind)), *(Text(str(roles[r]) if roles[r] else "·") for r in ROLE_NAMES))
    counts.add_row(Text(_("all"), style="bold"), *(Text(str(summary["roles"][r]), style="bold") for r in ROLE_NAMES))
    parts.append(counts)
    if summary["entries"]:
        parts.append(Text(_("Owned, requested or approved (newest first)"), style="bold"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        # TRANSLATORS: the column headings of `pmjournal who PERSON`; "as" is the role the person held.
        for name in ("#", _("when"), _("kind"), _("title"), _("as"), _("status")):
            table.add_column(name, justify="right" if name == "#" else "left")
        for view, held in summary["entries"]:
            table.add_row(
                Text(ref_of(view)),
                Text(display.short_date(view["occurred_at"])),
                Text(kind_label(view["kind"])),
                Text(display.value_text("title", view.get("title"))),
                Text(", ".join(role_label(r) for r in held)),
                Text(_status(view)),
                style="dim strike" if view["retracted"] else "",
            )
        parts.append(table)
    return Group(*parts)


def trace_tree(tree: dict, people) -> Tree:
    def label(node: dict) -> Text:
        if node.get("missing"):
            return Text(_("{id} (not in this journal)").format(id=display.visible(node["id"])), style="red")
        v = node["view"]
        text = Text(f"{ref_of(v)} ")
        text.append(kind_label(v["kind"]), style=KIND_STYLE.get(v["kind"], ""))
        text.append(f" {display.short_date(v['occurred_at'])} ")
        text.append(display.value_text("title", v.get("title")), style="dim strike" if v["retracted"] else "bold")
        status = value_label("retracted") if v["retracted"] else display.value_text("status", v.get("status"))
        if status:
            text.append(f"  [{status}]")
        if v.get("owner"):
            text.append("  " + _("owner {name}").format(name=display.value_text("owner", v["owner"], people.display)))
        if node["causes"]:
            causes = _(", ").join(describe_cause(c["key"]) for c in node["causes"])
            text.append("  " + _("causes: {causes}").format(causes=causes), style="yellow")
        if node["cycle"]:
            text.append("  " + _("↺ cycle: already on this path, not followed"), style="red")
        elif node["repeat"]:
            text.append("  " + _("↑ its causes are listed above"), style="dim")
        elif node["more"]:
            typed = v.get("ref") or v["seq"]
            text.append("  " + _("↓ further causes: pmjournal trace {typed}").format(typed=typed), style="dim")
        return text

    def grow(branch: Tree, node: dict) -> None:
        for child in node["children"]:
            grow(branch.add(label(child)), child)

    root = Tree(label(tree))
    grow(root, tree)
    return root
