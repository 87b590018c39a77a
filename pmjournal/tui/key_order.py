"""Keys typed in one burst stay in order, wherever they are going (see forms/editors.py).

A fast typist, a text expander or a laggy SSH link delivers many keys at once,
and Textual routes each as it reads it. Three helpers keep them in order across
the App's task and the widgets' own:

- `caught_up(screen)`: for a priority binding (run by the App the moment it
  reads the key), wait until every widget of the screen has handled the keys
  queued before it. Used by the forms' ctrl+s and the filter's enter/escape.
- `InOrder`: a key that is a binding rather than a typed character (backspace,
  arrows) runs in the widget's own task, in the order the keys came (forms/editors.py
  says why). Used by the forms' widgets and by the trail's filter.
- `HoldsKeys`: for a screen pushed by a key, hold what arrives before its first
  widget has the focus, then replay it. Used by the forms and by the People,
  Trace and Due screens (People and Due, whose rows may be counted in a thread,
  hold the keys until the rows are shown: `release_when_loaded`). The first-run
  question keeps it instead, for the form the key asked for (`replay` once the
  question is answered).

Kept out of tui/forms so that the trail can use them without loading every form.
"""

import asyncio
from time import monotonic

from textual import events
from textual.screen import Screen
from textual.widget import Widget

from ..core.i18n import _

# How long ctrl+s waits for keys already typed; past it the form stays open.
CATCH_UP_SECONDS = 5.0
# A handled key may post more messages (space in a SelectionList posts the toggle
# to itself), so wait again while any queue is not empty, a few times at most.
CATCH_UP_ROUNDS = 10


async def caught_up(screen: Screen, say: bool = True) -> bool:
    """Wait until every widget of `screen` has handled what it had queued.

    For priority bindings only: they run in the App's task, which this blocks,
    so keys typed after ctrl+s wait in the App's queue and are not taken in.
    Called from the screen's own task it would wait for itself and time out.
    On timeout, says so and returns False: the caller must not save.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CATCH_UP_SECONDS
    for _round in range(CATCH_UP_ROUNDS):
        widgets = list(screen.walk_children(with_self=True))
        waits = []
        for widget in widgets:
            done = loop.create_future()
            # A Callback message runs after everything queued before it.
            if widget.call_later(done.set_result, None):
                waits.append(done)
        if waits:
            _done, pending = await asyncio.wait(waits, timeout=max(0.0, deadline - loop.time()))
            if pending:
                if not say:
                    return False
                screen.notify(
                    _("Still reading what you typed: nothing saved yet; press ctrl+s again."),
                    title=_("Not saved"),
                    severity="warning",
                    markup=False,
                )
                return False
        if not any(widget.message_queue_size for widget in widgets):
            break
    return True


class InOrder:
    """Mixed into a form's focusable widgets and the trail's filter: a key this widget does not handle
    itself runs the binding it would reach (this widget's, then its ancestors'
    up to the modal screen, as App._check_bindings looks them up) right here, in
    the widget's own task, in the order the keys came; instead of bubbling up to
    the App, which would run it later against whatever is focused by then."""

    async def handle_key(self, event: events.Key) -> bool:
        if await super().handle_key(event):
            return True
        app = self.app
        # From the focused widget when it is inside this one (a Select's open list): its own
        # bindings (down, enter) come first, as the App would look them up; starting here ran
        # the Select's "down" (open the list) instead, so no choice could be made by keyboard.
        focused = self.screen.focused
        start = focused if focused is not None and (focused is self or self in focused.ancestors) else self
        for node in start.ancestors_with_self:
            for binding in node._bindings.key_to_bindings.get(event.key, ()):
                # Priority bindings were run by the App before the key got here.
                if not binding.priority and await app.run_action(binding.action, node):
                    event.stop()  # done: the App must not run it a second time
                    return True
            if node.is_modal:
                break
        return False


# Zero-width non-joiner and joiner: text (Persian's ZWNJ, an emoji's joiner: 👩‍💻), though
# not str.isprintable(), which is all Textual's Input and TextArea type.
_JOINERS = frozenset("\u200c\u200d")


class TypesJoiners:
    """Mixed into an Input or a TextArea: a typed U+200D or U+200C is inserted like any
    character. Textual dropped them, so 👩‍💻 typed through an emoji picker was saved as 👩💻
    (a user trial); a paste kept them. Runs before the widget's own key handler (Textual calls
    each class's in MRO order until one prevents the default)."""

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if character is None or character not in _JOINERS:
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        if hasattr(self, "insert_text_at_cursor"):  # an Input
            if start == end:
                self.insert_text_at_cursor(character)
            else:
                self.replace(character, *sorted((start, end)))
        else:  # a TextArea
            self._replace_via_keyboard(character, start, end)


class HoldsKeys:
    """Mixed into a form screen: keys that arrive before its first field has the
    focus are held, then replayed in order, as if they arrived only then.

    The App routes each key as it reads it: bindings with priority first, else to
    the focused widget, or to the screen if nothing has the focus. A form pushed
    by a key is composed and mounted later, in its own task, while the App goes on
    reading the keys typed behind that key: they went to the bare screen and were
    lost (or ran its bindings: escape cancelled), or to whichever field Textual
    focused first (the amend form's reason, not the title); ctrl+s saved an
    empty form. So the App gives every key and paste to the screen's `hold` first
    (PmjournalApp.on_event),
    and the screen keeps it while `held_keys` is a list. On mount the screen asks
    for `release`; that runs in the App's task behind every key the App has read
    by then (all held): it focuses the first field at once (Widget.focus would
    wait behind those keys) and routes the held keys as the App would have, before
    the App reads the next one, so no later key overtakes them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_keys: list[events.Event] | None = []
        self.typed_ahead: list[events.Event] = []  # what release(keep=True) kept for later

    @property
    def ready(self) -> bool:
        """Its first widget has the focus and the keys held until then have been replayed."""
        return self.held_keys is None

    def hold(self, event: events.Event) -> bool:
        """Keep `event` (a key or a paste) for later if the form is not ready; say if it was kept."""
        if self.held_keys is None or not isinstance(event, (events.Key, events.Paste)):
            return False
        self.held_keys.append(event)
        return True

    def release(self, first: Widget, keep: bool = False) -> None:
        """Called at the end of on_mount: focus `first`, then replay what was held, or with
        `keep` put it in `typed_ahead` for whatever comes after this screen (replay())."""
        self.app.call_later(self._release, first, keep)

    def release_when_loaded(self, load, show, first: Widget) -> None:
        """For a screen whose rows are counted in a thread (People, Due at 100,000 entries): it
        opens at once and holds the keys typed behind the key that opened it until `show` has
        put `load()`'s rows in place; then focuses `first` and replays them. (Counting before
        opening, as People did, let those keys reach the trail beneath.) A failed load is said
        in one line and closes the screen."""

        async def loading() -> None:
            try:
                rows = await asyncio.to_thread(load)
            except Exception as err:  # a bug: said, not swallowed with the key that opened the screen
                self.app.notify(
                    _("unexpected error: {error}").format(error=bug_line(err)), severity="error", timeout=15, markup=False
                )
                self.held_keys = None
                self.dismiss(None)
                return
            show(rows)
            self.release(first)

        self.run_worker(loading(), group="rows", exclusive=True)

    def hold_until_settled(self) -> None:
        """A save (or a question it asked) is under way: hold the keys typed behind the key that
        started it until settle(). They went to the form being closed and were lost (`ctrl+s j
        j` saved and the trail never moved), or into its field (`enter y` in the retract dialog
        put a y into the reason and wrote it to the journal)."""
        if self.held_keys is None:
            self.held_keys = []

    def settle(self) -> None:
        """The save is done (the screen dismissed, or open again with why not): the held keys go
        to whatever the App shows now, in order."""
        held, self.held_keys = self.held_keys or [], None
        if held:
            # In the queue of the screen now shown, behind what closing this one queued there
            # (the trail's entry_saved, which holds them again until the saved entry is shown).
            self.app.screen.call_next(replay, self.app, held)

    async def _release(self, first: Widget, keep: bool = False) -> None:
        if first.is_attached:
            self.set_focus(first)
        held, self.held_keys = self.held_keys or [], None
        if keep:
            self.typed_ahead = held
        else:
            await replay(self.app, held)


class EscapesInOrder:
    """Mixed into a form or dialog that escape closes (ESCAPE: the action it runs).

    Its escape binding has priority, action "escape": the App runs it the moment it reads
    the key, after the keys typed before it have been handled (caught_up: a changed form
    still asks before dropping them), and before it reads the keys typed after it, which
    therefore reach the screen beneath (or the question escape asked). Without priority,
    escape waited in the form's queue while the App went on routing those keys to the form
    being closed: `escape up a` closed the form and lost the move and the amend, and
    `escape y` typed the y into the field while the discard question stayed up. A widget
    inside that takes escape itself (an open Select's list, the links' matches) still gets it.
    """

    ESCAPE = "cancel"

    async def action_escape(self) -> None:
        if not await caught_up(self):
            return
        if not await run_focused_binding(self, "escape"):
            await self.run_action(self.ESCAPE)


class MovesInOrder:
    """Mixed into a form or dialog whose tab and shift+tab have priority (forms/editors.py
    FIELD_MOVES, actions next_field and previous_field): the focus moves once the keys typed
    before them have been handled where they were typed. Moved at once, the focus left a
    dropdown whose `enter down down enter` it had not yet handled; handling them took the focus
    back, and what was typed in the next field went to the dropdown and was lost."""

    async def action_next_field(self) -> None:
        await caught_up(self, say=False)  # past the wait, the focus moves anyway
        self.focus_next()

    async def action_previous_field(self) -> None:
        await caught_up(self, say=False)
        self.focus_previous()


async def run_focused_binding(screen: Screen, key: str) -> bool:
    """Run what `key` does in the widget that has the focus on `screen`, or in its ancestors
    below the screen (an open Select's list, a radio set), as the App would have had the key
    no priority binding of the screen's: for such a binding, which the App runs first. Says
    whether one ran."""
    node = screen.focused
    while node is not None and node is not screen:
        for binding in node._bindings.key_to_bindings.get(key, ()):
            if await screen.app.run_action(binding.action, node):
                return True
        node = node.parent
    return False


def escape_then_key(event: events.Key) -> tuple[events.Key, events.Key] | None:
    """A terminal sends escape as the byte ESC and alt+j as ESC then "j": escape typed a
    moment before a letter (a fast typist, a text expander, SSH lag) reaches the App as
    alt+j, which nothing here binds, and the escape was lost ("t", escape, "j j" left Trace
    open). This app binds no alt+character (a [keymap] in the config may: the App checks), so
    such a key is split back into what was typed: escape, then the character. None for any
    other key (alt+backspace stays)."""
    key, character = event.key, event.character
    if not key.startswith("alt+") or character is None or len(character) != 1 or not character.isprintable():
        return None
    plain = key.removeprefix("alt+")
    if plain.startswith("shift+") and character.isalpha():
        plain = character  # alt+shift+j: "J"
    if plain != character and len(plain) == 1:
        return None
    return events.Key("escape", "\x1b"), events.Key(plain, character)


# Keys made within this long after a refusal were typed before it could be read: nobody reacts
# in under ~0.2 s, and a burst (a text expander, a laggy SSH link) arrives well within it.
REACTION_SECONDS = 0.3


def drop_typed_ahead(app) -> None:
    """A key was refused (`a` on a retracted entry or on none, a ctrl+s that did not save): the
    keys typed behind it, before anyone could read why, were meant for what it did not open,
    and are dropped (the App asks typed_before_a_refusal), not run where they land: a refused
    `a`, then `corrected title`: `c` opened a change form and the ctrl+s typed after saved
    it; `j j` after a refused ctrl+s went into the title."""
    app._typed_ahead_until = monotonic() + REACTION_SECONDS


def typed_before_a_refusal(app, event: events.Event) -> bool:
    return isinstance(event, (events.Key, events.Paste)) and event.time <= getattr(app, "_typed_ahead_until", 0.0)


def bug_line(err: BaseException) -> str:
    """An error nobody planned for, in one line: its class and the first line of its message."""
    return f"{type(err).__name__}: {err}".splitlines()[0]


async def replay(app, held: list[events.Event]) -> None:
    """Route each of `held` as the App's message loop would, then run what that queued to
    run next (a screen a key opened gets mounted, and holds the keys behind it in turn)."""
    for event in held:
        await app.on_event(event)
        await app._flush_next_callbacks()
