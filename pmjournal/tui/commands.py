"""The command palette's commands, found by their name in the interface's language or in
English: a Chinese user who typed "quit" or "trace" in the palette found nothing."""

from textual.command import Hit, Hits
from textual.content import Content
from textual.system_commands import SystemCommandsProvider

from ..core import i18n


class BothLanguages(SystemCommandsProvider):
    """App.get_system_commands, matched on each command's name as shown and as it is in English
    (the same commands, in the same order, asked for in each language)."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        shown = list(self.app.get_system_commands(self.screen))
        english = shown
        if i18n.language() != i18n.DEFAULT:
            with i18n.using(i18n.DEFAULT):
                english = list(self.app.get_system_commands(self.screen))
            if len(english) != len(shown):
                english = shown
        for (name, help_text, callback, *_rest), (in_english, *_more) in zip(shown, english, strict=True):
            own = matcher.match(name)
            score = max(own, matcher.match(in_english) if in_english != name else 0)
            if score > 0:
                # the name as shown, its letters marked where they were what matched
                yield Hit(score, matcher.highlight(name) if own > 0 else Content(name), callback, help=help_text)
