"""The key footer every screen shows."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from ...core.i18n import DEFAULT, language
from ..bindings import shown

# The footer's keys left out first when they do not all fit, rather than cut one in half and
# lose Quit and Help past the edge (English at 80 columns showed "x Ret"): each is also
# reached another way (enter shows the links; ? lists every key).
GIVE_WAY = ("links", "trace", "export", "retract", "amend", "people", "due")
KEPT = ("quit", "help")  # never left out


class Footer(TextualFooter):
    """Textual's footer, rebuilt only when the keys it shows change.

    Textual's own footer throws away and remounts every key whenever the screen
    says its bindings may have changed: every focus move, every reactive declared
    with bindings=True. On the trail that was five rebuilds of ~15 keys before the
    first paint and one per arrow key between the list and the filter, for the
    same keys. Comparing what would be shown first keeps the behaviour and skips
    the work.

    The words are the interface language's (bindings.shown), looked up as the keys
    are drawn: the Bindings themselves are English, built once at import."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        # compose() shows nothing until the screen has said its bindings once.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def compose(self) -> ComposeResult:
        # Textual's Footer.compose, less the key groups (no binding here has one), with each
        # description in the interface's language. The keys take `compact` as they are made
        # rather than through data_bind, which needs the footer's own task: a language switch
        # recomposes it from the App's (relabel).
        if not self._bindings_ready:
            return
        # Compact (no padding around each key) in a language of wide characters: at 80 columns
        # the Chinese footer then shows every key, Quit and Help included. English is as it was.
        compact = self.compact or language() != DEFAULT
        self.set_class(compact, "-compact")
        active = self.screen.active_bindings
        by_action: dict[str, tuple] = {}
        for _key, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        self._fit(by_action, active, pad=2 if compact else 3)
        self.styles.grid_size_columns = len(by_action)
        for binding, enabled, tooltip in by_action.values():
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                shown(binding),
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
                classes="-compact" if compact else "",
            )
            key.set_reactive(FooterKey.compact, compact)
            yield key
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    shown(binding),
                    binding.action,
                    classes="-command-palette -compact" if compact else "-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def _fit(self, by_action: dict[str, tuple], active, pad: int) -> None:
        """Leave out the keys that would not fit the width, in GIVE_WAY's order, rather than cut
        the last one in half under the palette's key (a wide character split at that edge is
        drawn as garbage). Every key stays in the help screen and the palette."""
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        room = self.size.width or self.app.size.width
        if palette is not None and self.show_command_palette:
            room -= cell_len(self.app.get_key_display(palette[1])) + cell_len(shown(palette[1])) + 3
        def used() -> int:
            # A key takes its key, its word and `pad` spaces around them (1 each side less in a compact footer).
            return sum(cell_len(self.app.get_key_display(b)) + cell_len(shown(b)) + pad for b, _e, _t in by_action.values())

        for action in GIVE_WAY:
            if used() <= room:
                return
            by_action.pop(action, None)
        # Still too wide (60 columns; a view's own keys): the last keys but Quit and Help go next.
        while used() > room and (rest := [a for a in by_action if a not in KEPT]):
            by_action.pop(rest[-1])

    def on_resize(self) -> None:
        self._recompose_if_changed_soon()

    def _recompose_if_changed_soon(self) -> None:
        if self.is_attached and self._bindings_ready:
            self.call_after_refresh(self._recompose_if_changed)

    def relabel(self) -> None:
        """The language changed: draw the keys again in it."""
        if self.is_attached:
            self.call_after_refresh(self._recompose_if_changed)

    def _what_it_shows(self) -> tuple:
        # Only what compose() draws: hidden bindings (the arrows, the list's
        # own keys) change with every focus move and show nothing; the palette's
        # key is drawn though hidden.
        return (language(), self.size.width) + tuple(
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
