"""Why did this happen: the entries the highlighted one was caused by, as a tree."""

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static, Tree
from textual.widgets.tree import TreeNode

from ...core.display import short_date, value_text
from ...core.fold import ref_of
from ...core.i18n import _, language, pgettext
from ...core.labels import kind_label
from ...core.query import TRACE_DEPTH
from ..key_order import HoldsKeys
from ..widgets.footer import Footer


def node_label(node: dict) -> Text:
    if node.get("missing"):
        return Text(_("{id}… (not in this journal)").format(id=node["id"][:10]), style="italic")
    view = node["view"]
    text = Text()
    text.append(f"{ref_of(view)} ", style="bold")
    text.append(f"{kind_label(view['kind'])} · {short_date(view.get('occurred_at', ''))} · ")
    text.append(view.get("title", ""), style="strike" if view["retracted"] else "")
    if view.get("owner"):
        text.append(" · " + _("owner {name}").format(name=view["owner"]))
    # as `pmjournal trace` and the trail say it: retracted, superseded, mitigated, resolved... (a
    # retracted cause showed its old status, "open": the strike-through alone says nothing in
    # plain text or to a screen reader)
    status = "retracted" if view["retracted"] else view.get("status")
    if status:
        text.append(" · " + value_text("status", status), style="bold" if view["retracted"] else "")
    for cause in node["causes"]:
        text.append(f"  [{cause_words(cause)}]".rstrip(), style="italic")
    if node.get("cycle"):
        text.append("  ↺ " + _("already on this path"), style="bold")
    elif node.get("repeat"):
        text.append("  ↑ " + _("its causes are listed above"), style="italic")
    elif node.get("more"):
        text.append("  ↓ " + _("further causes: enter, then t"), style="italic")
    return text


def cause_words(cause: dict) -> str:
    """A blame cause in the tree: both names in English (the taxonomy is bilingual), its own
    Chinese name (core/causes.py) in Chinese."""
    if language().startswith("zh"):
        return cause["zh"] or cause["label"]
    return f"{cause['label']} {cause['zh']}".rstrip()


class TraceTree(Tree[str]):
    """The tree, each row cut with "…" where the window ends rather than at its edge (a long
    title hid the owner, the causes and the "further causes" note without a sign); j and k
    move as in every other list."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.size.width - depth * self.guide_depth - 4  # the guides, the ▼ and a margin
        if room > 8 and label.cell_len > room:
            label = label.copy()
            label.truncate(room, overflow="ellipsis")
        return label


def title() -> str:
    return _("What this entry was caused by, and what caused those · enter jumps to an entry")


class TraceScreen(HoldsKeys, Screen[str | None]):
    BINDINGS = [
        # Priority: "t escape j j" typed at once closes Trace before the moves reach the trail.
        Binding("escape,t", "close", "Back", id="trace.close", priority=True),
    ]

    GUIDE = 3  # columns a level of the tree indents

    @classmethod
    def depth_for(cls, width: int) -> int:
        """How many levels of causes fit `width` columns, leaving 80 for the deepest entry's label and its note."""
        return max(3, min(TRACE_DEPTH, (width - 80) // cls.GUIDE))

    def __init__(self, tree: dict) -> None:
        super().__init__()
        self.tree_data = tree

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static(Text(title()), id="trace-title")
        root = self.tree_data
        tree = TraceTree(node_label(root), data=root.get("id"), id="trace-tree")
        tree.guide_depth = self.GUIDE
        self._add(tree.root, root)
        tree.root.expand_all()
        yield tree
        # A row cut with "…" (the owner, the causes of a long title) is read here whole.
        yield Static(node_label(root), id="trace-detail", markup=False)
        yield Footer()

    def _add(self, parent: TreeNode, node: dict) -> None:
        for child in node.get("children", ()):
            if child.get("children"):
                self._add(parent.add(node_label(child), data=child["id"]), child)
            else:
                parent.add_leaf(node_label(child), data=child["id"])
        if parent.is_root and not node.get("children"):
            parent.add_leaf(Text(_("(no recorded causes: record them in the entry's Caused by)"), style="italic"))

    def on_mount(self) -> None:
        self.sub_title = pgettext("screen", "Trace")
        self.release(self.query_one(Tree))  # focus it, then the keys typed behind "t"

    def relabel(self) -> None:
        """The interface's language changed (PmjournalApp.relabel): the tree is drawn again from its data."""
        self.sub_title = pgettext("screen", "Trace")
        self.call_later(self._redraw)

    async def _redraw(self) -> None:
        await self.recompose()
        self.query_one(Tree).focus()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.query_one("#trace-detail", Static).update(event.node.label)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            self.dismiss(event.node.data)

    def help_keys(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What `?` lists here besides this screen's bindings (screens/help.py)."""
        return _("Keys: {screen}").format(screen=pgettext("screen", "Trace")), (
            ("up/down, j/k", _("Move through the tree")),
            ("enter", _("Go to the highlighted entry in the trail")),
            ("space", _("Fold or unfold what caused the highlighted entry")),
        )

    def action_close(self) -> None:
        self.dismiss(None)
