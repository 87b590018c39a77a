"""Every key the app offers, in one place, each with an id users can remap.

The ids are the names in the config's `[keymap]` table (`people = "P"`), applied
with App.set_keymap, so a binding is renamed here only with a migration note.
The help screen and the command palette are built from these lists.
"""

from textual.binding import Binding

APP = [
    Binding("q", "quit", "Quit", id="quit"),
    Binding("question_mark", "help", "Help", id="help", key_display="?"),
    Binding("ctrl+p", "command_palette", "Commands", id="command_palette", show=False),
]

# The keys that open a form, the kind picker, Trace or Due, and "/" and "l", have
# priority: the App runs them as it reads them, so the keys typed behind them are
# routed to the screen they open (which holds them until its first widget has the
# focus: key_order.HoldsKeys), to the filter or to the links, not to the trail.
# (People is counted in a worker first: keys typed behind "p" still reach the trail.) A focused Input (the filter) still
# takes them as text: Textual drops the bindings of keys an Input consumes from the
# chain above it.
TRAIL = [
    Binding("slash", "filter", "Filter", id="filter", key_display="/", priority=True),
    Binding("p", "people", "People", id="people"),
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
    Binding("escape", "clear_filter", "Clear filter", id="clear_filter", show=False),
]

# What each action does, for the help screen and the command palette.
HELP = {
    "quit": "Leave pmjournal",
    "help": "Show every key",
    "command_palette": "Search every command",
    "filter": "Filter the trail as you type: text @person #tag kind: project: since: until: cause: role:",
    "people": "Who owned, requested, approved, was consulted or informed (for the current filter)",
    "trace": "The tree of entries the highlighted one was caused by",
    "links": "Move to the highlighted entry's links (enter jumps to one)",
    "due": "What is owed: open follow-ups, reviews, commitments and escalations, overdue first (d marks one done)",
    "new_entry": "Record a new entry: choose its kind",
    "new_decision": "Record a decision",
    "new_change": "Record a requirement change",
    "new_communication": "Record a communication",
    "new_risk": "Record a risk",
    "new_incident": "Record an incident",
    "amend": "Amend the highlighted entry (with a reason)",
    "retract": "Retract the highlighted entry (with a reason)",
    "export": "Export the filtered trail",
    "clear_filter": "Clear the filter",
    "sync": "Sync the team journal: push your entries, take your colleagues' (pmjournal sync)",
}

# Ids of the keys a single-user journal does not have: not in its footer, help or palette.
TEAM_ONLY = frozenset({"sync"})
