"""Words the trail, its detail pane and the Due view share, in the interface's language.

Functions, not constants: a constant would be translated once, at import, and the
language can change while the app runs (the palette's language command).
"""

from ..core.i18n import _, pgettext


def overdue_word() -> str:
    # TRANSLATORS: an overdue loop's state (the Due view, the detail pane, the trail's Status cell); short.
    return _("OVERDUE")


def state_word(state: str) -> str:
    """A loop's state in words as well as colour, so it reads on a monochrome terminal
    (loops.STATE_WORDS in English)."""
    words = {
        "overdue": overdue_word(),
        "soon": pgettext("loop state", "due soon"),
        "open": pgettext("loop state", "open"),
        "done": pgettext("loop state", "done"),
    }
    return words.get(state, state)
