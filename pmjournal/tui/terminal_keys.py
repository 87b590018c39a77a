"""Escape typed a moment before a letter, read as the terminal sent it.

A terminal sends escape as the byte ESC and alt+j as ESC then "j", so escape typed just
before a letter (a fast typist, a text expander, SSH lag) reaches the app as alt+j, which
key_order.escape_then_key splits back into escape and j. Textual's parser (8.x) reads
ESC j that way only when nothing follows within its escape delay: when another escape
sequence comes right behind (ESC j ESC [ B: escape, j, down), it gives up on "ESC j" as an
unknown sequence and reissues it as the key "^" then "j". The escape was lost and a "^"
typed in its place: `escape y down` on a form with text left the form open with "^y" in its
field. Here ESC and a letter is alt+that letter as soon as it is read, whatever comes next,
unless Textual gives the pair a meaning of its own (ESC b and ESC f: ctrl+left and ctrl+right,
as macOS terminals send them) or it starts a longer sequence (ESC O: SS3 arrows; ESC P: DCS).
"""

from string import ascii_letters

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import XTermParser

ESC = "\x1b"
_ALT_LETTERS = frozenset(c for c in ascii_letters if c not in "OP" and ESC + c not in ANSI_SEQUENCES_KEYS)


class Parser(XTermParser):
    def _sequence_to_key_events(self, sequence: str, alt: bool = False):
        if len(sequence) == 2 and sequence[0] == ESC and sequence[1] in _ALT_LETTERS:
            key = sequence[1]
            name = f"shift+{key.lower()}" if key.isupper() else key
            yield events.Key(f"alt+{name}", key)
            return
        yield from super()._sequence_to_key_events(sequence, alt)


def use_in_drivers() -> None:
    """Make Textual's terminal drivers read keys with Parser (they look XTermParser up by name
    when their input thread starts)."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = Parser
