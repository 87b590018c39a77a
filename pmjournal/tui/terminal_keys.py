"""Escape typed a moment before a letter, read as the terminal sent it.

A terminal sends escape as the byte ESC and alt+j as ESC then "j", so escape typed just
before a letter (a fast typist, a text expander, SSH lag) reaches the app as alt+j, which
key_order.escape_then_key splits back into escape and j. Textual's parser (8.x) reads
ESC j that way only when nothing follows within its escape delay: when another escape
sequence comes right behind (ESC j ESC [ B: escape, j, down), it gives up on "ESC j" as an
unknown sequence and reissues it as the key "^" then "j". The escape was lost and a "^"
typed in its place: `escape y down` on a form with text left the form open with "^y" in its
field. Here ESC and a printable character is alt+that character as soon as it is read,
whatever comes next (the app splits it back into escape and the character), unless the pair
starts a longer sequence (ESC [ and ESC O: keys; ESC P, ESC ], ESC _, ESC ^, ESC X and
ESC \\: the terminal's replies) or means a key of its own (ESC b and ESC f: ctrl+left and
ctrl+right, as macOS terminals send them). Textual read ESC 1, ESC - and ESC = as "¡", "–"
and "≠" (macOS's option keys): escape then 1 typed "¡" into a field.
"""

from textual import events
from textual._xterm_parser import XTermParser
from textual.keys import _character_to_key

ESC = "\x1b"
_STARTS_A_SEQUENCE = frozenset("[OP]_^X\\")
_KEYS_OF_THEIR_OWN = frozenset("bf")  # word moves: ESC b, ESC f


class Parser(XTermParser):
    def _sequence_to_key_events(self, sequence: str, alt: bool = False):
        if len(sequence) == 2 and sequence[0] == ESC and _alt_character(sequence[1]):
            character = sequence[1]
            name = f"shift+{character.lower()}" if character.isupper() else _character_to_key(character)
            yield events.Key(f"alt+{name}", character)
            return
        yield from super()._sequence_to_key_events(sequence, alt)


def _alt_character(character: str) -> bool:
    return " " < character < "\x7f" and character not in _STARTS_A_SEQUENCE and character not in _KEYS_OF_THEIR_OWN


def use_in_drivers() -> None:
    """Make Textual's terminal drivers read keys with Parser (they look XTermParser up by name
    when their input thread starts)."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = Parser
