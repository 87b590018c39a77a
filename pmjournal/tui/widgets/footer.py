"""The key footer every screen shows."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's footer, rebuilt only when the keys it shows change.

    Textual's own footer throws away and remounts every key whenever the screen
    says its bindings may have changed: every focus move, every reactive declared
    with bindings=True. On the trail that was five rebuilds of ~15 keys before the
    first paint and one per arrow key between the list and the filter, for the
    same keys. Comparing what would be shown first keeps the behaviour and skips
    the work."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        # compose() shows nothing until the screen has said its bindings once.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _what_it_shows(self) -> tuple:
        # Only what compose() draws: hidden bindings (the arrows, the list's
        # own keys) change with every focus move and show nothing; the palette's
        # key is drawn though hidden.
        return tuple(
            (
                binding.key,
                binding.action,
                binding.description,
                binding.group,
                enabled,
                tooltip,
                self.app.get_key_display(binding),
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._what_it_shows()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
