"""The main screen: the filter bar, the trail, the highlighted entry's details.

The journal is read in a thread worker (one exclusive group, so the store is
never used by two threads at once) which posts Snapshots back; the screen only
swaps snapshots and filters them. A timer watches the file's size and mtime so
entries another process adds appear without a restart; in a team journal it also
watches team.json and the colleagues' chains, so what a `pmjournal sync` in another
terminal brought appears too. A team journal's title says when it last synced and
what is still to push, and `S` syncs (in a worker: git may take seconds).
"""

import gc
import os
from dataclasses import replace
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList
from textual.worker import Worker, WorkerState

from ...core import dates
from ...core.errors import PmjournalError
from ...core.filter_index import FilterIndex
from ...core.filter_syntax import parse, with_person
from ...core.fold import ref_of
from ...core.i18n import DEFAULT, N_, _, language, ngettext
from ...core.loops import OpenLoops, open_loops
from ...core.loops import _sort_key as loop_order
from ...core.query import named_nowhere, trace, who
from ...core.reads import everything
from ..bindings import TRAIL, by_id, first_key
from ..key_order import HoldsKeys, bug_line, caught_up, drop_typed_ahead
from ..restyle import ResumesStyled
from ..session import PREVIEW_BYTES, JournalSession, Snapshot
from ..widgets.entry_detail import EntryDetail
from ..widgets.filter_bar import FilterBar, FilterInput
from ..widgets.footer import Footer
from ..widgets.trail_table import TrailTable
from ..widgets.welcome import Welcome

POLL_SECONDS = 0.5
# What the open loops keep of their entries' views over the index (see _loops_of).
LOOP_VIEW_KEYS = ("id", "seq", "ref", "author", "kind", "title", "project", "retracted", "occurred_at", "commitments")
# From this many entries a filter the index has not answered yet is searched in a worker.
BACKGROUND_ROWS = 20_000  # from here a search runs in a worker (at 100k one takes ~0.3 s)
TITLE_SECONDS = 30  # a team journal's "synced 3 min ago" is redrawn this often


def filter_words(filt) -> str:
    """The filter in words in the interface's language. Filter.describe() is English (the JSON
    export keeps it as data); another language's words are the Markdown export's, as the export
    dialog says them (core/markdown.py has no public name for them yet), loaded only then."""
    if language() == DEFAULT:
        return filt.describe()
    from ...core.markdown import _filter_text, _words

    return _filter_text(filt, _words())


class PagedLoops(OpenLoops):
    """OpenLoops of loops already found (in open_loops' order), over the index (_loops_of)."""

    def __init__(self, views: dict[str, dict], today, answer_days: int, loops: list) -> None:
        self.views, self.today, self.answer_days, self.loops = views, today, answer_days, loops
        self.by_entry = {}
        for loop in loops:
            self.by_entry.setdefault(loop.view["id"], loop)  # sorted: the first is the most urgent


# Keys typed as the app starts are held until the trail has something to act on (HoldsKeys);
# past this many seconds they go on anyway, whatever is still loading.
HOLD_AT_START_SECONDS = 3.0


class TrailScreen(ResumesStyled, HoldsKeys, Screen):
    """The trail: every entry, newest first, and the highlighted one in full.

    Holds the keys typed while the app starts (HoldsKeys) until the journal is
    shown and its loops counted, or a large journal's preview is: `u` typed at once opened
    Due saying nothing was due, `p`, `e`, `a` were dropped, and `/kind:risk enter j j` left
    the filter reading 'kind:riskjj'."""

    # Tab with priority, as in the forms (FIELD_MOVES): `tab pagedown` typed at once moved the
    # trail a page, the keys behind tab routed to the trail before the focus left it.
    BINDINGS = [
        *TRAIL,
        Binding("tab", "app.focus_next", N_("Next pane"), show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", N_("Previous pane"), show=False, priority=True),
    ]
    # The trail has the focus from the start: Textual's default focused the first focusable widget,
    # the filter, which on_mount then blurred (each move restyles the widget and its own).
    AUTO_FOCUS = "#trail"
    # An empty journal shows the welcome panel, where only recording makes sense:
    # reactive with bindings=True so the footer and palette follow (as posting and harlequin do).
    empty = reactive(False, bindings=True)
    # The journal joined a team (core/team): the sync key shows, the title says how it stands.
    team = reactive(False, bindings=True)

    class Loaded(Message):
        def __init__(self, snapshot: Snapshot, stamp) -> None:
            self.snapshot, self.stamp = snapshot, stamp
            super().__init__()

    class LoopsReady(Message):
        def __init__(self, loops: OpenLoops, first: bool, snapshot: Snapshot) -> None:
            self.loops, self.first, self.snapshot = loops, first, snapshot
            super().__init__()

    class LoadFailed(Message):
        def __init__(self, error: str) -> None:
            self.error = error
            super().__init__()

    class Synced(Message):
        def __init__(self, report) -> None:
            self.report = report  # core.team.sync.SyncReport
            super().__init__()

    class SyncFailed(Message):
        def __init__(self, error: str) -> None:
            self.error = error
            super().__init__()

    def __init__(self, session: JournalSession) -> None:
        super().__init__()
        self.session = session
        self.snapshot = Snapshot({}, None, FilterIndex(()), partial=True)
        self.filter_text = ""
        self.parsed = parse("")
        self._stamp = None
        self._said_gone = False  # the journal file is gone, and the trail said so (poll)
        self._loading = False
        self._asking_demo = False  # the welcome's "load the demo?" is up, or the demo is being written
        self._pending_id: str | None = None
        self._settle_when_loaded = False  # keys typed behind a save: held until it is shown (entry_saved)
        self.open_loops: OpenLoops | None = None  # the open loops of the snapshot's views, as of a day
        self.loops_of: Snapshot | None = None  # the snapshot open_loops was counted in
        self._filtering = False  # a search runs in a worker (a large journal's index)
        self.shown_text: str | None = None  # the filter whose rows the trail shows (its top, while _filtering)
        self._top_cursor: tuple | None = None  # (entry highlighted before, entry the top put the cursor on)
        # (snapshot, filter text, what it names that no entry has; None while asked): said beside
        # "0 of N" (_explain); and (snapshot, the projects and tags it holds, as asked for)
        self._nowhere: tuple | None = None
        self._known: tuple | None = None
        self.syncing = False
        self._title_timer = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield FilterBar(id="filter-bar")
        yield Welcome(id="welcome")
        with Vertical(id="trail-pane"):
            yield TrailTable(id="trail")
            yield EntryDetail(id="detail")
        yield Footer()

    @property
    def table(self) -> TrailTable:
        return self.query_one(TrailTable)

    @property
    def settled(self) -> bool:
        """The whole journal is shown and its open loops counted (what tests and screenshots wait for)."""
        book = self.open_loops
        if self._loading or self.snapshot.partial or book is None or self.loops_of is not self.snapshot:
            return False
        # and the detail pane shows the highlighted entry (its message may still be on the way)
        return (self.detail.view or {}).get("id") == (self.table.current or {}).get("id")

    @property
    def detail(self) -> EntryDetail:
        return self.query_one(EntryDetail)

    def on_mount(self) -> None:
        self.sub_title = self.session.path.name
        self.detail.answer_days = self.session.answer_days
        self.query_one("#welcome").display = False
        self.table.focus()
        self._update_status()
        self.team = self.session.team_joined
        self.reload(first=True)
        self.set_interval(POLL_SECONDS, self.poll)
        self.set_timer(HOLD_AT_START_SECONDS, self._release_typed_ahead)

    def _release_typed_ahead(self) -> None:
        if self.held_keys is not None:
            self.release(self.query_one("#load-demo") if self.empty else (self.focused or self.table))

    def on_unmount(self) -> None:
        # Quitting while a large journal's first index is built: end that child, or the app's
        # exit would wait for the worker waiting for it.
        self.session.stop_building()

    NEEDS_ENTRIES = {"filter", "clear_filter", "people", "trace", "links", "amend", "retract", "export", "due"}

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "sync":
            return self.team  # a single-user journal has no sync key (the palette explains how to join)
        if action == "filter" and isinstance(self.focused, FilterInput):
            return None  # "/" typed in the filter is text ("go/no-go"), in the order it came (shown, greyed)
        # On the welcome panel only recording (and the app's own keys) make sense.
        return not (self.empty and action in self.NEEDS_ENTRIES)

    def watch_team(self, joined: bool) -> None:
        if joined and self._title_timer is None:
            self._title_timer = self.set_interval(TITLE_SECONDS, self._update_title)
        self._update_title()

    # -- loading ---------------------------------------------------------

    def reload(self, first: bool = False) -> None:
        self._loading = True
        self._load(first)

    @work(thread=True, exclusive=True, group="journal", exit_on_error=False)
    def _load(self, first: bool) -> None:
        try:
            if first and self._worth_a_preview():
                # From the index when it is there (the newest rows, then the whole order); else the
                # file's tail, folded on its own, while the journal loads (or its index is built).
                preview = self.session.paged_preview() if self.session.index_ready() else None
                if preview is None:
                    preview = self.session.preview()
                if preview is not None:
                    self.post_message(self.Loaded(preview, None))
            stamp = self.session.stamp()
            snapshot = self.session.load() if first else self.session.catch_up(self.snapshot)
        except PmjournalError as err:
            self.post_message(self.LoadFailed(str(err)))
            return
        except Exception as err:  # noqa: BLE001 - a bug, said in one line, not a trail "loading…" for ever
            self.post_message(self.LoadFailed(bug_line(err)))
            return
        self.post_message(self.Loaded(snapshot, stamp))
        # Once the trail is up: the Due column, the overdue notice and `u` read these.
        self.post_message(self.LoopsReady(self._loops_of(snapshot), first, snapshot))
        snapshot.index.warm()  # so the first keystroke in the filter does not pay for the caches

    def _worth_a_preview(self) -> bool:
        """Whether the first load paints a preview before the whole journal: not for a journal
        file the preview would read whole (PREVIEW_BYTES, a thousand entries or so), which loads
        as quickly as its preview does. The preview was that same journal folded, or paged,
        a second time, and a second paint of the trail, moments before the load replaced it.
        A team journal keeps it: its colleagues' chains are beside the file, of any size."""
        if self.team:
            return True
        try:
            return os.stat(self.session.path).st_size > PREVIEW_BYTES
        except OSError:
            return False  # no journal yet: nothing to preview

    def _loops_of(self, snapshot: Snapshot) -> OpenLoops:
        today = dates.now().date()
        if snapshot.paged is not None:
            # Only the entries with a loop still open (the index keeps which): the same loops,
            # each holding only what the Due view, the trail's marks and Done read of its entry
            # (14,000 whole views are 70 MB at 1M entries; the detail pane reads the index).
            # Read a thousand at a time: the whole views are never all held at once.
            slim: dict[str, dict] = {}
            found = []
            for views in snapshot.paged.loop_batches():
                part = open_loops(views, today, self.session.answer_days)
                for loop in part:
                    view = loop.view
                    kept = slim.get(view["id"])
                    if kept is None:
                        kept = slim[view["id"]] = {k: view[k] for k in LOOP_VIEW_KEYS if k in view}
                    loop.view = kept
                found += part
            # open_loops' order: its sort is stable, so sorting the batches' loops (in the
            # journal's order) again gives what one sort of them all gives.
            found.sort(key=loop_order)
            return PagedLoops(slim, today, self.session.answer_days, found)
        return OpenLoops(snapshot.views, today, self.session.answer_days, previous=self.open_loops)

    def _due_on_top(self) -> bool:
        from .due import DueScreen

        return isinstance(self.app.screen, DueScreen)

    @on(LoopsReady)
    def _on_loops_ready(self, message: LoopsReady) -> None:
        book = message.loops
        if message.snapshot is not self.snapshot:
            return  # a newer snapshot is shown; its own loops follow
        self.open_loops, self.loops_of = book, message.snapshot
        self.table.show_loops(book.by_entry)
        self._release_typed_ahead()
        if self._due_on_top():  # opened on a large journal's preview, or before another program wrote
            self.app.screen.recounted(book.loops)
        if message.first and book.overdue:
            n = book.overdue
            self.notify(
                ngettext(
                    "{n} loop is overdue: press {key} to see what is due.",
                    "{n} loops are overdue: press {key} to see what is due.",
                    n,
                ).format(n=n, key=first_key(self.app, by_id("due"))),
                title=_("Overdue"),
                severity="warning",
                timeout=10,
                markup=False,
            )

    def poll(self) -> None:
        if self._loading or self._stamp is None:
            return
        if self.session.gone() != self._said_gone:
            # Moved or deleted underneath: the trail keeps what it read, and says so once
            # (saves are refused: session._still_there); back again, it is read as ever.
            self._said_gone = not self._said_gone
            if self._said_gone:
                self.app.notify(
                    _("{path} is gone: it was moved or deleted. The trail shows it as it was read; nothing can be saved until it is back.").format(
                        path=self.session.path
                    ),
                    title=_("Journal gone"),
                    severity="error",
                    timeout=30,
                    markup=False,
                )
                return
        if not self.is_current and not self._due_on_top():
            return  # a form reads what it read; Due shows the loops (recounted: _on_loops_ready)
        if self.session.changed_since(self._stamp):
            self.reload()

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        snap = message.snapshot
        if not snap.partial:
            self._loading = False
            self._stamp = message.stamp
            old = self.snapshot
            if not old.partial and snap.generation == old.generation and snap.last_seq < old.last_seq:
                return  # an older worker finished late; what is shown is already newer
            if snap.generation < old.generation:
                return  # read before the file was replaced
        elif not self.snapshot.partial:
            return  # the full journal arrived first; a preview would only go backwards
        if not snap.partial:
            # A large journal is millions of long-lived objects; without this every full
            # garbage collection walks them all and stalls a keystroke or a scroll by 100 ms+.
            gc.freeze()
        keep = self._pending_id or (self.table.current or {}).get("id")
        self._pending_id = None
        if not snap.partial:
            self._warn_about(snap)
        if self.snapshot.paged is not None and self.snapshot.paged is not snap.paged:
            self.snapshot.paged.release()  # a form may still read it, on the index as it is now
        self.snapshot = snap
        if not snap.partial:
            self.team = snap.team is not None  # joined by a sync in another terminal, or not
            self._update_title()
        empty = not snap.partial and not snap.views
        self.empty = empty  # reactive: the footer's keys follow
        self.query_one("#welcome").display = empty
        self.query_one("#trail-pane").display = not empty
        self.query_one("#filter-bar").display = not empty
        # Back from a question (Load the demo? Back), Textual gives the focus to the first
        # widget AUTO_FOCUS finds: it was the hidden trail, and enter on the welcome did nothing.
        self.AUTO_FOCUS = "#load-demo" if empty else "*"
        if empty:
            self.query_one("#load-demo").focus()
        elif self.focused is None or not self.focused.is_attached or self.focused.id == "load-demo":
            self.table.focus()
        self.apply_filter(self.filter_text, keep_id=keep)
        if self._settle_when_loaded and not snap.partial:
            self._settle_when_loaded = False
            self.call_after_refresh(self.settle)
        if snap.partial:
            self.call_after_refresh(self._release_typed_ahead)  # a large journal's preview is up: let keys act on it
        elif getattr(self.app.screen, "from_preview", False):
            # People, opened on the preview, counted its newest entries only: count the journal.
            self.app.screen.from_preview = False
            self.app.screen.recount(self._people_count(snap, self.parsed.filter))

    def _warn_about(self, snap: Snapshot) -> None:
        """Say, and keep saying in the title, when the chain does not vouch for what is shown."""
        old = self.snapshot
        if snap.broken != (None if old.partial else old.broken) and snap.broken:
            seq, problem = snap.broken
            self.notify(
                _(
                    "This journal fails verification at #{seq} ({problem}): what it shows is not vouched for by its "
                    "hash chain. Run `pmjournal verify`."
                ).format(seq=seq, problem=problem),
                title=_("Not verified"),
                severity="error",
                timeout=30,
                markup=False,
            )
        for note in snap.notices:
            if note not in old.notices:
                self.notify(note, severity="warning", timeout=15, markup=False)

    def _update_title(self) -> None:
        """The file's name, whether the chain vouches for it and, in a team journal, how it stands with the team."""
        snap = self.snapshot
        title = self.session.path.name
        if snap.broken:
            title += " · " + _("FAILS VERIFICATION at #{seq}").format(seq=snap.broken[0])
        if self.syncing:
            title += " · " + _("syncing…")
        elif snap.team is not None:
            title += " · " + snap.team.describe(None if snap.partial else snap.last_seq)
        self.sub_title = title

    def relabel(self) -> None:
        """The interface's language changed (PmjournalApp.relabel): say everything again in it."""
        self._update_title()
        self.query_one(FilterBar).relabel()
        self._update_status()
        self.table.refresh()
        if self.detail.is_mounted:
            self.detail.show(self.detail.view)
        self.query_one(Welcome).relabel()

    @on(Worker.StateChanged)
    def _on_worker_failed(self, event: Worker.StateChanged) -> None:
        # This screen's workers run with exit_on_error=False (a search abandoned for a newer one,
        # a sync that fails, are not the app's end); a bug in one must still be said, not
        # swallowed with the key that started it doing nothing.
        if event.state is WorkerState.ERROR:
            self.notify(
                _("unexpected error: {error}").format(error=bug_line(event.worker.error)),
                severity="error",
                timeout=15,
                markup=False,
            )

    @on(LoadFailed)
    def _on_load_failed(self, message: LoadFailed) -> None:
        self._loading = False
        self.settle()
        self.app.end(message.error)

    # -- filtering -------------------------------------------------------

    def apply_filter(self, text: str, keep_id: str | None = None) -> None:
        snap = self.snapshot
        # in a team journal, `author:` with this machine's handle selects its own entries (Filter.own)
        parsed = parse(text, snap.people, own=snap.team.handle if snap.team else None)
        new_filter = text != self.shown_text  # typed, not the same filter read again
        if keep_id is None:
            keep_id = (self.table.current or {}).get("id")
        known = getattr(snap.index, "known", None)
        if known is not None and len(snap.index) >= BACKGROUND_ROWS and known(text, parsed.filter) is None:
            # A search of a large journal's index takes 0.1-1 s: in a worker, so the keys typed
            # meanwhile reach the filter. What it selects among the newest few thousand entries
            # is found at once and shown (the top of its answer); if none of them matches, the
            # trail shows the last answer until this one is in.
            self.filter_text, self.parsed = text, parsed
            self._filtering = True
            top = snap.index.quick(parsed.filter)
            if len(top):
                self.table.show(
                    snap.index, top, keep_id=keep_id, display_person=snap.people.display if snap.people else None, new_filter=new_filter
                )
                self.shown_text = text
                # Where the top put the cursor, for the whole answer (_searched): if it is still
                # there, the entry highlighted before is looked for again, not lost.
                self._top_cursor = (keep_id, (self.table.current or {}).get("id"))
            self._update_status()
            self._search(snap, text, parsed, keep_id)
            return
        hits = snap.index.search(text, parsed.filter)
        self._show_hits(snap, text, parsed, hits, keep_id, new_filter)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _search(self, snap: Snapshot, text: str, parsed, keep_id: str | None) -> None:
        # Abandoned (SQLite's progress handler) as soon as another filter is typed or shown.
        hits = snap.index.search(text, parsed.filter, stale=lambda: text != self.filter_text or snap is not self.snapshot)
        if hits is not None:
            self.app.call_from_thread(self._searched, snap, text, parsed, hits, keep_id)

    def _searched(self, snap: Snapshot, text: str, parsed, hits, keep_id: str | None) -> None:
        if snap is self.snapshot and text == self.filter_text:  # else a newer filter or snapshot follows
            new_filter = self.shown_text != text  # nothing of it shown yet
            current = (self.table.current or {}).get("id")
            if not new_filter and self._top_cursor == (keep_id, current):
                new_filter = True  # not moved since the top was shown: the entry highlighted before, if shown
            elif not new_filter:  # moved on the top meanwhile: the cursor stays where it is now
                keep_id = current
            self._show_hits(snap, text, parsed, hits, keep_id, new_filter)

    def _show_hits(self, snap: Snapshot, text: str, parsed, hits, keep_id: str | None, new_filter: bool = False) -> None:
        self.filter_text, self.parsed = text, parsed
        self.shown_text = text
        self._filtering = False
        people = snap.people.display if snap.people else None
        self.table.show(snap.index, hits, keep_id=keep_id, display_person=people, new_filter=new_filter)
        self._update_status()

    def describe(self, filt=None) -> str:
        """The filter (the one shown: None) in words; showing retracted entries is the TUI's default,
        so only hiding them is said. In the interface's language as it is now."""
        filt = self.parsed.filter if filt is None else filt
        words = filter_words(replace(filt, include_retracted=False))
        return words if filt.include_retracted else _("{words}; retracted hidden").format(words=words)

    def _update_status(self) -> None:
        description = self.describe()
        for note in self.parsed.notes:  # `@dana` is Dana, not Dana Whitfield: said, as the CLI says it
            description = f"{description} · {note}"
        if self._filtering:
            description = _("filtering… {description}").format(description=description)
        elif not self.table.hits and self.filter_text and not self.snapshot.partial and len(self.snapshot.index):
            nowhere = self._nowhere
            if nowhere is None or nowhere[0] is not self.snapshot or nowhere[1] != self.filter_text:
                self._nowhere = (self.snapshot, self.filter_text, None)
                self._explain(self.snapshot, self.filter_text, self.parsed.filter)
            elif nowhere[2]:
                description = f"{description} · {nowhere[2]}"
        self.query_one(FilterBar).set_status(
            len(self.table.hits),
            len(self.snapshot.index),
            description,
            self.parsed.errors,
            partial=self.snapshot.partial,
            more=self._filtering and self.shown_text == self.filter_text,
        )

    @work(thread=True, exclusive=True, group="nowhere", exit_on_error=False)
    def _explain(self, snap: Snapshot, text: str, filt) -> None:
        """What a filter that matched nothing names that no entry has (query.named_nowhere): in a
        thread, as the index's projects are a scan of its views (done once a snapshot)."""
        if self._known is None or self._known[0] is not snap:
            self._known = (snap, {})
        held = self._known[1]

        def known(column: str) -> set[str]:
            if column not in held:
                held[column] = snap.index.known_values(column)
            return held[column]

        said = named_nowhere(filt, known, snap.people) if snap.people is not None else ""
        self.app.call_from_thread(self._explained, (snap, text, said))

    def _explained(self, nowhere: tuple) -> None:
        if nowhere[0] is not self.snapshot or nowhere[1] != self.filter_text:
            return  # typed on, or the journal changed: that one is asked for itself
        self._nowhere = nowhere
        if nowhere[2] and not self.table.hits:
            self._update_status()

    @on(Input.Changed, "#filter-input")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        # Typing faster than a large journal filters: skip to the newest text, its own event follows.
        if event.value != event.input.value:
            return
        if event.value != self.filter_text:
            self.apply_filter(event.value)

    @on(FilterInput.Cleared)
    @on(FilterInput.Done)
    def _back_to_trail(self, message: FilterInput.Cleared | FilterInput.Done) -> None:
        # At once: Widget.focus() goes through the App's queue, behind the keys typed
        # after enter, which would then still land in the filter (FilterInput.action_leave).
        self.set_focus(self.table)
        if isinstance(message, FilterInput.Done):
            self.query_one(FilterBar).said_all()

    def set_filter(self, text: str) -> None:
        self.query_one(FilterInput).value = text
        self.apply_filter(text)

    # -- the highlighted entry ---------------------------------------------

    @on(TrailTable.Highlighted)
    def _on_highlighted(self, message: TrailTable.Highlighted) -> None:
        people = self.snapshot.people
        self.detail.show(message.view, self.snapshot.views, people.display if people else None, self.snapshot.signers)

    @on(TrailTable.Chosen)
    def _on_chosen(self) -> None:
        self.action_links()

    @on(EntryDetail.Jump)
    def _on_jump(self, message: EntryDetail.Jump) -> None:
        self.jump_to(message.entry_id)

    def jump_to(self, entry_id: str) -> None:
        view = self.snapshot.views.get(entry_id)
        if view is None:
            self.notify(_("That entry is not in this journal."), severity="warning", markup=False)
            return
        if not self.table.move_to(entry_id):
            self.set_filter("")
            self.table.move_to(entry_id)
            self.notify(_("Filter cleared to show {ref}.").format(ref=ref_of(view)), markup=False)
        self.table.focus()

    def _current(self) -> dict | None:
        view = self.table.current
        if view is None:
            self.notify(_("No entry is highlighted."), severity="warning", markup=False)
            drop_typed_ahead(self.app)
        return view

    # -- actions -----------------------------------------------------------

    def action_filter(self) -> None:
        # At once ("/" has priority): Widget.focus() would wait behind the keys typed after "/".
        self.set_focus(self.query_one(FilterInput))

    async def action_clear_filter(self) -> None:
        if not await caught_up(self):
            return
        # From the links or the detail pane, escape goes back to the trail as it was (as tab
        # does): it cleared the filter the entry was found with. On the trail it clears it.
        if self.filter_text and not (self.focused is not None and self.focused.id in ("detail", "detail-links")):
            self.set_filter("")
        self.set_focus(self.table)  # at once: focus() would wait behind the keys typed after escape
        await caught_up(self)

    def action_links(self) -> None:
        links = self.query_one("#detail-links", OptionList)
        if links.display and links.option_count:
            self.set_focus(links)  # at once: focus() would wait behind the keys typed after "l"
        else:
            self.notify(_("The highlighted entry has no links."), markup=False)

    def action_people(self) -> None:
        from .people import PeopleScreen

        snap = self.snapshot
        if snap.people is None:
            return
        filt = self.parsed.filter

        def chosen(person: str | None) -> None:
            if person:
                self.set_filter(with_person(self.filter_text, person))
                self.table.focus()

        screen = PeopleScreen(self._people_count(snap, filt), partial(self.describe, filt))
        screen.from_preview = snap.partial  # counted again once the whole journal is read (_on_loaded)
        self.app.push_screen(screen, chosen)

    def _people_count(self, snap: Snapshot, filt):
        """What counts the People view's rows (in its thread): query.who of what the trail shows."""
        if snap.paged is not None and not snap.partial:
            return partial(self._count_indexed, snap, filt)
        # A quarter of a second at 100,000 entries: the screen counts in a thread. Reads views only.
        return partial(who, self.table.visible_views(), snap.people)

    @staticmethod
    def _count_indexed(snap: Snapshot, filt) -> list[dict]:
        # query.who of what the trail shows, counted by the index: its kept table when the
        # filter keeps every entry, else one aggregate over the entries it selects.
        if everything(filt):
            return snap.paged.who_all(snap.people, filt.include_retracted)
        return snap.paged.who(filt, snap.people)

    def action_trace(self) -> None:
        from .trace import TraceScreen

        view = self._current()
        if view is None:
            return

        def chosen(entry_id: str | None) -> None:
            if entry_id:
                self.jump_to(entry_id)

        tree = trace(self.snapshot.views, view["id"], depth=TraceScreen.depth_for(self.app.size.width))
        self.app.push_screen(TraceScreen(tree), chosen)

    def action_due(self) -> None:
        from .due import DueScreen

        book = self.open_loops
        if book is None or self.loops_of is not self.snapshot or book.today != dates.now().date():
            # still loading, or a new day since: a quarter second at 100k, counted by the screen in a thread
            snapshot = self.snapshot

            def loops() -> list:
                return self._loops_of(snapshot).loops
        else:
            loops = book.loops

        def chosen(entry_id: str | None) -> None:
            if entry_id:
                self.jump_to(entry_id)

        people = self.snapshot.people
        screen = DueScreen(loops, self.session, people.display if people else None)
        screen.partial = self.snapshot.partial  # says "so far" until the trail counts the whole journal
        self.app.push_screen(screen, chosen)

    # -- the forms (pmjournal.tui.forms), loaded only when used -------------

    def _forms(self):
        from .. import forms

        return forms

    def entry_saved(self, record: dict | None) -> None:
        if record:
            self.app.withdraw_notices(_("Not saved yet"))  # the first run's, about this form
            self._pending_id = record.get("target") or record.get("id")
            # `ctrl+s j j`: the j's move from the saved entry, once the trail shows it; moved
            # before, the reload put the cursor back on it.
            self.hold_until_settled()
            self._settle_when_loaded = True
            self.reload()

    def action_new_entry(self) -> None:
        forms = self._forms()

        def picked(kind: str | None) -> None:
            if kind:
                self.action_new_kind(kind)

        # The kind first, then (on a first run) the name: asked between `n` and the kind, the
        # question took the `d` typed for the picker into the name, and the title's first
        # letters then chose the kind ("Shi": an incident).
        self.app.push_screen(forms.KindPicker(), picked)

    def action_new_kind(self, kind: str) -> None:
        self.app.signed_first(lambda: self._new_kind(kind))

    def _new_kind(self, kind: str) -> None:
        forms = self._forms()
        self.app.push_screen(forms.EntryForm(self.session, kind, snapshot=self.snapshot), self.entry_saved)

    def _refused_retracted(self, view: dict, message: str) -> bool:
        """A retracted entry is neither amended nor retracted again: say so at the key,
        before a form is filled in for nothing (the journal refuses it at the save anyway)."""
        if not view["retracted"]:
            return False
        self.notify(message.format(target=ref_of(view)), severity="warning", markup=False)
        drop_typed_ahead(self.app)
        return True

    def action_amend(self) -> None:
        view, forms = self._current(), self._forms()
        if view is not None and not self._refused_retracted(view, _("{target} is retracted; it cannot be amended")):
            self.app.signed_first(
                lambda: self.app.push_screen(forms.AmendForm(self.session, view["id"], snapshot=self.snapshot), self.entry_saved)
            )

    def action_retract(self) -> None:
        view, forms = self._current(), self._forms()
        if view is not None and not self._refused_retracted(view, _("{target} is already retracted")):
            self.app.signed_first(
                lambda: self.app.push_screen(
                    forms.RetractDialog(self.session, view["id"], snapshot=self.snapshot), self.entry_saved
                )
            )

    def action_export(self) -> None:
        forms = self._forms()
        # The dialog itself reports the path written (or the error).
        self.app.push_screen(forms.ExportDialog(self.session, self.parsed.filter, snapshot=self.snapshot))

    # -- the team ------------------------------------------------------------

    def action_sync(self) -> None:
        if not self.session.team_joined:
            # From the palette (the key is hidden): joining names the remote, which is the CLI's job.
            self.notify(
                _(
                    "This journal has not joined a team: run `pmjournal sync REMOTE` once (a git URL or the path "
                    "of a bare repository); then S syncs from here."
                ),
                title=_("Sync"),
                timeout=12,
                markup=False,
            )
            return
        if self.syncing:
            self.notify(_("A sync is already running."), markup=False)
            return
        self.syncing = True
        self._update_title()
        self._sync()

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync(self) -> None:
        try:
            report = self.session.sync()
        except PmjournalError as err:  # SyncError: one line, nothing local changed
            self.post_message(self.SyncFailed(str(err)))
        except Exception as err:  # anything else must not leave "syncing…" up for good
            self.post_message(self.SyncFailed(bug_line(err)))
        else:
            self.post_message(self.Synced(report))

    @on(Synced)
    def _on_synced(self, message: Synced) -> None:
        self.syncing = False
        report = message.report
        refusals = [report.refused[handle] for handle in sorted(report.refused)]
        lines = [line for line in report.lines() if line not in refusals]
        self.notify("\n".join(lines), title=_("Synced"), timeout=8, markup=False)
        for refusal in refusals:
            self.notify(refusal, title=_("Refused"), severity="error", timeout=30, markup=False)
        self._update_title()
        self.reload()  # what it brought, and team.json's new state

    @on(SyncFailed)
    def _on_sync_failed(self, message: SyncFailed) -> None:
        self.syncing = False
        self.notify(message.error, title=_("Sync failed"), severity="error", timeout=15, markup=False)
        self._update_title()

    # -- the welcome panel ---------------------------------------------------

    @on(Welcome.LoadDemo)
    def _on_load_demo(self) -> None:
        """Asked first: one enter on a new journal wrote the demo's fictional entries into it
        for good (the button has the focus, and a journal is append-only)."""
        from ..forms.confirm import ConfirmDialog

        if self._asking_demo:
            return  # a second press while the question is up, or the demo is being written
        self._asking_demo = True
        question = _(
            "Load the demo into {path}? Its fictional entries stay in this journal for good: a journal is "
            "append-only. To keep this one for your own entries, run `pmjournal demo --db demo.json` and open that."
        ).format(path=self.session.path)

        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#load-demo").disabled = True
                self._write_demo()
            else:
                self._offer_demo_again()

        self.app.push_screen(ConfirmDialog(question, yes=_("Load the demo"), no=_("Back"), danger=False), answered)

    def _offer_demo_again(self) -> None:
        """The welcome's button back for another go: the question answered Back, or the demo
        could not be written (the button is disabled while it is written)."""
        self._asking_demo = False
        button = self.query_one("#load-demo")
        if button.disabled:
            button.disabled = False
            if self.empty:
                self.set_focus(button)

    @work(thread=True, exclusive=True, group="journal", exit_on_error=False)
    def _write_demo(self) -> None:
        try:
            count = self.session.write_demo()
        except (PmjournalError, ImportError) as err:
            self.app.call_from_thread(
                self.notify, _("Could not load the demo journal: {err}").format(err=err), severity="error", markup=False
            )
            self.app.call_from_thread(self._offer_demo_again)
            return
        self.app.call_from_thread(
            self.notify,
            ngettext("Loaded the demo journal: {n} entry.", "Loaded the demo journal: {n} entries.", count).format(n=count),
            markup=False,
        )
        self.app.call_from_thread(self.reload)
