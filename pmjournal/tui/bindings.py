"""Every key the app offers, in one place, each with an id users can remap.

The ids are the names in the config's `[keymap]` table (`people = "P"`), applied
with App.set_keymap, so a binding is renamed here only with a migration note.
The help screen and the command palette are built from these lists.

The descriptions here are English; what the footer, the help screen and the palette
show is `shown(binding)` and `help_text(id)`, looked up by id in the interface's
language at the moment they are drawn, so a language switch changes them (a Binding
is built once, at import). Short words carry a context ("key"): the catalogs of
every area are chained, and a bare "New" or "Due" may mean something else elsewhere.
"""

from functools import lru_cache

from textual.binding import Binding

from ..core.i18n import N_, _, pgettext

APP = [
    Binding("q", "quit", "Quit", id="quit"),
    # F1 as in most programs; one binding with both keys (a second one, without an id, had no
    # row of its own in the help screen's table and broke the one-key-per-id rules of [keymap]).
    Binding("question_mark,f1", "help", "Help", id="help"),
    # Priority, as the keys that open a screen (TRAIL, below): the palette is pushed as the App
    # reads ctrl+p, and holds the keys typed behind it (app.Palette).
    Binding("ctrl+p", "command_palette", "Commands", id="command_palette", show=False, priority=True),
]

# The keys that open a form, the kind picker, People, Trace or Due, and "/" and "l",
# have priority: the App runs them as it reads them, so the keys typed behind them
# are routed to the screen they open (which holds them until its first widget has the
# focus, and People and Due until their rows are counted: key_order.HoldsKeys), to the
# filter or to the links, not to the trail. A focused Input (the filter) still takes
# them as text: Textual drops the bindings of keys an Input consumes from the chain
# above it.
TRAIL = [
    Binding("slash", "filter", "Filter", id="filter", key_display="/", priority=True),
    Binding("p", "people", "People", id="people", priority=True),
    Binding("t", "trace", "Trace", id="trace", priority=True),
    Binding("l", "links", "Links", id="links", priority=True),
    Binding("u", "due", "Due", id="due", priority=True),
    Binding("n", "new_entry", "New", id="new_entry", priority=True),
    Binding("d", "new_kind('decision')", "Decision", id="new_decision", show=False, priority=True),
    Binding("c", "new_kind('change')", "Change", id="new_change", show=False, priority=True),
    Binding("m", "new_kind('communication')", "Communication", id="new_communication", show=False, priority=True),
    Binding("r", "new_kind('risk')", "Risk", id="new_risk", show=False, priority=True),
    Binding("i", "new_kind('incident')", "Incident", id="new_incident", show=False, priority=True),
    Binding("a", "amend", "Amend", id="amend", priority=True),
    Binding("x", "retract", "Retract", id="retract", priority=True),
    Binding("e", "export", "Export", id="export", priority=True),
    # Only in a journal that joined a team (TrailScreen.check_action hides it otherwise,
    # and the help screen and the palette leave it out: TEAM_ONLY).
    Binding("S", "sync", "Sync", id="sync"),
    # Priority too: `escape p` typed at once opened People on the filtered trail, p running as
    # the App read it while escape waited in the trail's queue (TrailScreen.action_clear_filter
    # waits for the keys typed before it).
    Binding("escape", "clear_filter", "Clear filter", id="clear_filter", show=False, priority=True),
]

# What each action does, for the help screen and the command palette (English: help_text() translates).
HELP = {
    "quit": N_("Leave pmjournal"),
    "help": N_("Show every key"),
    "command_palette": N_("Search every command"),
    "filter": N_("Filter the trail as you type: text @person #tag kind: project: since: until: cause: role: author: retracted:"),
    "people": N_("Who owned, requested, approved, was consulted or informed (for the current filter)"),
    "trace": N_("The tree of entries the highlighted one was caused by"),
    "links": N_("Move to the highlighted entry's links (enter jumps to one)"),
    "due": N_("What is owed: open follow-ups, reviews, commitments and escalations, overdue first (one is marked done there)"),
    "new_entry": N_("Record a new entry: choose its kind"),
    "new_decision": N_("Record a decision"),
    "new_change": N_("Record a requirement change"),
    "new_communication": N_("Record a communication"),
    "new_risk": N_("Record a risk"),
    "new_incident": N_("Record an incident"),
    "amend": N_("Amend the highlighted entry (with a reason)"),
    "retract": N_("Retract the highlighted entry (with a reason)"),
    "export": N_("Export the filtered trail"),
    "clear_filter": N_("Clear the filter"),
    "sync": N_("Sync the team journal: push your entries, take your colleagues' (pmjournal sync)"),
    # the views' own keys (screens/: their help_keys)
    "people.close": N_("Back to the trail"),
    "people.choose": N_("Filter the trail to the highlighted person"),
    "trace.close": N_("Back to the trail"),
    "due.close": N_("Back to the trail"),
    "due.choose": N_("Go to the highlighted loop's entry in the trail"),
    "due.done": N_("Record that the highlighted loop was done: when, by whom, a note"),
}

# Ids of the keys a single-user journal does not have: not in its footer, help or palette.
TEAM_ONLY = frozenset({"sync"})


def key_labels() -> dict[str, str]:
    """Binding id -> its footer word in the interface's language (built at each call: the language
    may have changed). The English is each Binding's description (tests/tui/test_i18n_tui.py)."""
    return {
        "quit": pgettext("key", "Quit"),
        "help": pgettext("key", "Help"),
        "command_palette": pgettext("key", "Commands"),
        "filter": pgettext("key", "Filter"),
        "people": pgettext("key", "People"),
        "trace": pgettext("key", "Trace"),
        "links": pgettext("key", "Links"),
        "due": pgettext("key", "Due"),
        "new_entry": pgettext("key", "New"),
        "new_decision": pgettext("key", "Decision"),
        "new_change": pgettext("key", "Change"),
        "new_communication": pgettext("key", "Communication"),
        "new_risk": pgettext("key", "Risk"),
        "new_incident": pgettext("key", "Incident"),
        "amend": pgettext("key", "Amend"),
        "retract": pgettext("key", "Retract"),
        "export": pgettext("key", "Export"),
        "sync": pgettext("key", "Sync"),
        "clear_filter": pgettext("key", "Clear filter"),
        # the views' own keys (screens/)
        "due.close": pgettext("key", "Back"),
        "due.choose": pgettext("key", "Go to entry"),
        "due.done": pgettext("key", "Done"),
        "people.close": pgettext("key", "Back"),
        "people.choose": pgettext("key", "Filter to person"),
        "trace.close": pgettext("key", "Back"),
        "help.close": pgettext("key", "Close"),
    }


def shown(binding: Binding) -> str:
    """A binding's description as the footer and the palette show it. A binding of another
    area (the forms) that is not in key_labels() is translated as it is written."""
    label = key_labels().get(binding.id or "")
    return label if label is not None else (_(binding.description) if binding.description else "")


def help_text(binding_id: str, default: str = "") -> str:
    """What the action does (HELP), in the interface's language."""
    english = HELP.get(binding_id)
    return _(english) if english else default


def _keys_now(app, binding: Binding) -> str:
    """The keys that run `binding` now: the config's [keymap] for its id, else its own."""
    return getattr(app, "keymap", {}).get(binding.id, binding.key) if binding.id else binding.key


def key_for(app, binding: Binding) -> str:
    """The key(s) that run `binding` now, as the footer writes them: the config's [keymap] included."""
    keys = _keys_now(app, binding)
    shown = [app.get_key_display(Binding(k.strip(), "")) for k in keys.split(",")]
    if binding.key_display and keys == binding.key:
        shown[0] = binding.key_display  # ("/" for slash)
    return ", ".join(shown)


def first_key(app, binding: Binding) -> str:
    """The one key a sentence names ("press u to see what is due"): the first that runs `binding`
    now, as a sentence writes it: "enter" and "ctrl+p" (where the footer draws ⏎ and ^p), "/" for slash."""
    key = _keys_now(app, binding).split(",")[0].strip()
    named = {
        "enter": pgettext("key name", "enter"),
        "escape": pgettext("key name", "escape"),
        "tab": pgettext("key name", "tab"),
        "space": pgettext("key name", "space"),
    }
    if key in named:
        return named[key]
    if len(key) == 1 or "+" in key:
        return key
    return app.get_key_display(Binding(key, ""))


def by_id(binding_id: str, bindings=None) -> Binding:
    return next(b for b in (bindings if bindings is not None else TRAIL + APP) if b.id == binding_id)


def keymap_problems(keymap: dict, views: dict[str, list[Binding]], moves: list[Binding] = ()) -> tuple[dict, list[str]]:
    """The config's [keymap] as it can be applied, and what is wrong with the rest, a line each:
    an id no key has, an empty value, or a key another action of the same screen already has
    (`due = "d"` left `d` for a decision unreachable without a word). What is refused is left
    out: that action keeps its own key. `views`: each view's bindings by scope; `moves`: the
    trail's own keys, which have no id (j, k, g, space...: `people = "j"` took j from moving)."""
    scopes = {"trail": TRAIL + APP, **views}
    scope_of = {b.id: name for name, bindings in scopes.items() for b in bindings if b.id}
    default = {b.id: b.key for bindings in scopes.values() for b in bindings if b.id}
    applied: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in scope_of:
            problems.append(_("[keymap] {id}: no key has that id (? lists them)").format(id=binding_id))
        elif not isinstance(keys, str):
            problems.append(
                _('[keymap] {id} = {keys!r}: write the keys as text, "P" or "ctrl+o,P"; it keeps {key}').format(
                    id=binding_id, keys=keys, key=default[binding_id]
                )
            )
        elif not keys.strip(" ,"):
            problems.append(_("[keymap] {id} is empty: it keeps {key}").format(id=binding_id, key=default[binding_id]))
        elif bad := next((key.strip() for key in keys.split(",") if not _is_key(key.strip())), None):
            # "ctrl-o" or "ctrl+" was applied as it was: no key sends it, and the action was out of reach.
            problems.append(
                _("[keymap] {id} = {keys!r}: {bad!r} is not a key (ctrl+o, shift+tab, f5, slash, P); it keeps {key}").format(
                    id=binding_id, keys=keys, bad=bad, key=default[binding_id]
                )
            )
        else:
            applied[binding_id] = keys
    for binding_id, keys in list(applied.items()):
        scope = scope_of[binding_id]
        taken = {
            key.strip(): other
            for other in scope_of
            if scope_of[other] == scope and other != binding_id
            for key in applied.get(other, default[other]).split(",")
        }
        if scope == "trail":
            for move in moves:
                for key in move.key.split(","):
                    taken.setdefault(key.strip(), None)
        clashing = next((key.strip() for key in keys.split(",") if key.strip() in taken), None)
        if clashing is None:
            continue
        del applied[binding_id]
        other = taken[clashing]  # None: one of the trail's moves
        problems.append(
            _("[keymap] {id} = {keys!r}: {key} moves in the trail; {id} keeps {default}").format(
                id=binding_id, keys=keys, key=clashing, default=default[binding_id]
            )
            if other is None
            else _("[keymap] {id} = {keys!r}: that key is {other}'s; {id} keeps {key}").format(
                id=binding_id, keys=keys, other=other, key=default[binding_id]
            )
        )
    return applied, problems


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "super", "meta", "hyper"})


def _is_key(name: str) -> bool:
    """Whether a terminal can send `name` as Textual names keys: a character, a named key
    (enter, f5, slash) or either after modifiers (ctrl+o, shift+tab)."""
    *modifiers, base = name.split("+")
    if not base or not set(modifiers) <= _MODIFIERS:
        return False
    return len(base) == 1 and base.isprintable() or base in _key_names()


@lru_cache(maxsize=1)
def _key_names() -> frozenset:
    from textual.keys import Keys, _character_to_key

    named = {key.value.split("+")[-1] for key in Keys if not key.value.startswith("<")}
    return frozenset(named | {_character_to_key(chr(c)) for c in range(33, 127)} | {"space"})
