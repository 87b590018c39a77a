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
from ..core.fold import ref_of
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
        return "retracted"
    return display.value_text("status", view.get("status"))


def entry_detail(view: dict, journal, loops=()) -> Group:
    """`loops`: the entry's open loops (loops.loops_of), shown under Loops with their story."""
    people = journal.people
    head = Text(f"{ref_of(view)} ", style="bold")
    head.append(view["kind"], style=KIND_STYLE.get(view["kind"], ""))
    if view.get("status"):
        head.append(f" · {display.value_text('status', view['status'])}")
    title = Text(display.value_text("title", view.get("title")), style="bold")
    parts: list = [head, title]
    if view["retracted"]:
        r = view["retracted"]
        parts.append(
            Text(
                f"RETRACTED {display.retraction_ref(view)} {display.short_date(r['recorded_at'])} by {display.visible(r['recorded_by'])}: "
                f"{display.value_text('reason', r['reason'])}",
                style="red",
            )
        )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()

    def row(name: str, text: str) -> None:
        if text:
            grid.add_row(Text(name), Text(text))

    row("When", display.long_date(view["occurred_at"]))
    row("Recorded", f"{display.local_date(view['recorded_at'])} by {display.visible(view.get('recorded_by', ''))}")
    if "imported" in view:
        from ..core.provenance import imported_text

        row("Imported", imported_text(view["imported"], display.local_date, display.visible))
    for field in display.ROLE_FIELDS + tuple(display.kind_fields(view)):
        row(display.label(field), display.value_text(field, view.get(field), people.display))
    for field in ("project", "tags", "causes", "evidence"):
        row(display.label(field), display.value_text(field, view.get(field)))
    parts.append(grid)
    links = _links(view, journal)
    if links:
        parts += [Text("Links", style="bold"), *links]
    if view.get("body"):
        parts += [Text("Body", style="bold"), Text(display.value_text("body", view["body"]))]
    if loops:
        parts.append(Text("Loops", style="bold"))
        for loop in loops:
            line = Text(f"  {STATE_WORDS[loop.state]:<8} ", style=STATE_STYLE.get(loop.state, ""))
            line.append(display.visible(f"{describe(loop)}; owed by {', '.join(loop.owes)}", multiline=True))
            parts.append(line)
    if view["history"]:
        parts.append(Text("History", style="bold"))
        for event in view["history"]:
            line = Text(
                f"  {ref_of(event)} {display.local_date(event['recorded_at'])} by {display.visible(event['recorded_by'])}: "
            )
            line.append(event["kind"], style="yellow")
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
                    Text(f"      imported {imported_text(event['imported'], display.local_date, display.visible)}", style="dim")
                )
            for field, change in (event.get("changes") or {}).items():
                old = _change_text(field, change["old"])
                new = _change_text(field, change["new"])
                parts.append(Text(f"      {display.label(field)}: {old} → {new}"))
    parts.append(Text(f"id {view['id']}  hash {view['hash'][:16]}…", style="dim"))
    return Group(*parts)


def _change_text(field: str, value) -> str:
    """A value in a history line: commitments (one a line in the grid) joined by '; ' so old → new stays readable."""
    text = display.value_text(field, value)
    if field == "commitments" and isinstance(value, list):
        text = "; ".join(text.split("\n"))
    return text or "(empty)"


def _ref(journal, entry_id: str) -> str:
    target = journal.by_id(entry_id)
    if target is None:
        return f"{display.visible(entry_id)} (not in this journal)"
    retracted = " (retracted)" if target["retracted"] else ""
    return f"{ref_of(target)} {target['kind']}: {display.value_text('title', target.get('title'))}{retracted}"


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
    table.add_column("person", no_wrap=True)
    for column in WHO_COLUMNS:
        table.add_column(column, justify="right", overflow="ellipsis", min_width=2)
    table.add_column("entries", justify="right", overflow="ellipsis", min_width=2)
    for r in rows:
        table.add_row(
            Text(display.visible(r["person"])), *(Text(str(r[x]) if r[x] else "·") for x in WHO_COLUMNS), Text(str(r["total"]))
        )
    return table


def who_person(summary: dict, people) -> Group:
    parts: list = [Text(display.visible(summary["person"]), style="bold")]
    counts = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    counts.add_column("kind")
    for role in ROLE_NAMES:
        counts.add_column(role, justify="right")
    for kind, roles in sorted(summary["by_kind"].items()):
        counts.add_row(Text(kind), *(Text(str(roles[r]) if roles[r] else "·") for r in ROLE_NAMES))
    counts.add_row(Text("all", style="bold"), *(Text(str(summary["roles"][r]), style="bold") for r in ROLE_NAMES))
    parts.append(counts)
    if summary["entries"]:
        parts.append(Text("Owned, requested or approved (newest first)", style="bold"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for name in ("#", "when", "kind", "title", "as", "status"):
            table.add_column(name, justify="right" if name == "#" else "left")
        for view, held in summary["entries"]:
            table.add_row(
                Text(ref_of(view)),
                Text(display.short_date(view["occurred_at"])),
                Text(view["kind"]),
                Text(display.value_text("title", view.get("title"))),
                Text(", ".join(held)),
                Text(_status(view)),
                style="dim strike" if view["retracted"] else "",
            )
        parts.append(table)
    return Group(*parts)


def trace_tree(tree: dict, people) -> Tree:
    def label(node: dict) -> Text:
        if node.get("missing"):
            return Text(f"{display.visible(node['id'])} (not in this journal)", style="red")
        v = node["view"]
        text = Text(f"{ref_of(v)} ")
        text.append(v["kind"], style=KIND_STYLE.get(v["kind"], ""))
        text.append(f" {display.short_date(v['occurred_at'])} ")
        text.append(display.value_text("title", v.get("title")), style="dim strike" if v["retracted"] else "bold")
        status = "retracted" if v["retracted"] else display.value_text("status", v.get("status"))
        if status:
            text.append(f"  [{status}]")
        if v.get("owner"):
            text.append(f"  owner {display.value_text('owner', v['owner'], people.display)}")
        if node["causes"]:
            text.append("  causes: " + ", ".join(f"{c['key']} ({c['label']}, {c['zh']})" for c in node["causes"]), style="yellow")
        if node["cycle"]:
            text.append("  ↺ cycle: already on this path, not followed", style="red")
        return text

    def grow(branch: Tree, node: dict) -> None:
        for child in node["children"]:
            grow(branch.add(label(child)), child)

    root = Tree(label(tree))
    grow(root, tree)
    return root
