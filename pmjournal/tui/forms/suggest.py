"""Name completion for person fields, from the people the journal already knows."""

from textual.suggester import Suggester

from pmjournal.core.model import LIST_SEPARATORS


def last_name_start(value: str) -> int:
    """Where the name being typed starts: after the last comma (or full-width comma or
    enumeration comma, model.LIST_SEPARATORS) and its spaces."""
    start = max((m.end() for m in LIST_SEPARATORS.finditer(value)), default=0)
    while start < len(value) and value[start] == " ":
        start += 1
    return start


class PeopleSuggester(Suggester):
    """Completes the name after the last comma, so "Ann, bo" offers "Ann, Bob Li".

    The journal's People keeps the first spelling of each name; the completion
    uses it, so accepting it (right arrow) also fixes the case of what was typed.
    """

    def __init__(self, people):
        """`people` returns the People to complete from; called on the first keystroke, not before."""
        # No cache: the people known change as entries are saved.
        super().__init__(use_cache=False, case_sensitive=True)
        self.people = people

    def matches(self, value: str) -> list[str]:
        typed = value[last_name_start(value) :]
        if not typed.strip():
            return []
        return [name for name in self.people().complete(typed) if name.casefold() != typed.casefold()]

    def suggestion(self, value: str) -> str | None:
        """The completion of `value`, at once (FormInput takes it this way when right arrives
        before Textual's worker has made it)."""
        found = self.matches(value)
        if not found:
            return None
        return value[: last_name_start(value)] + found[0]

    async def get_suggestion(self, value: str) -> str | None:
        return self.suggestion(value)
