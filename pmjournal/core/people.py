"""People are free-text names matched case-insensitively; the first spelling wins.

Records keep names exactly as typed (nothing a user typed is altered); this
directory decides how a name is displayed and which spellings are one person.
"""

from functools import lru_cache

from .i18n import _
from .model import PEOPLE_FIELDS


@lru_cache(maxsize=65536)
def key(name: str) -> str:
    """The identity of a name: case and spacing do not matter. Cached: a
    journal names the same few hundred people again and again."""
    return " ".join(name.split()).casefold()


def names_in(entry: dict, fields=PEOPLE_FIELDS) -> list[str]:
    """The names in `fields` of `entry`; with the default, everyone it names: the people
    fields and whoever owes one of its commitments (owers)."""
    out = []
    for field in fields:
        value = entry.get(field)
        if not value:
            continue
        if isinstance(value, str):
            out.append(value)
        else:
            out.extend(value)
    if fields is PEOPLE_FIELDS and "commitments" in entry:
        out.extend(owers(entry))
    return out


def owers(entry: dict) -> list[str]:
    """Who owes the entry's commitments ({"who", "what", "due"} each; commitments written as
    text, before they had that shape, name nobody). Named in the entry as much as a
    participant is: `who` counts them under "other", and `@person` finds the entry."""
    items = entry.get("commitments")
    if not isinstance(items, list):
        return []
    return [item["who"] for item in items if isinstance(item, dict) and isinstance(item.get("who"), str) and item["who"]]


_SHOWN_HITS = 5  # names an ambiguous @person lists
NAMED_FIELDS = (*PEOPLE_FIELDS, "commitments")  # where an entry names people (commitments: their owers)


class People:
    def __init__(self):
        self._display: dict[str, str] = {}
        self._seen: set[str] = set()

    def learn(self, entry: dict) -> None:
        display, seen = self._display, self._seen
        for field in NAMED_FIELDS:
            if field not in entry or not (value := entry[field]):
                continue
            if field == "commitments":
                value = owers(entry)
            for name in (value,) if value.__class__ is str else value:
                # The same few names recur in every entry: skip the ones met before
                # without normalising them again (this runs 100k times at start-up).
                if name not in seen:
                    seen.add(name)
                    k = key(name)
                    if k not in display:
                        display[k] = name

    def display(self, name: str) -> str:
        return self._display.get(key(name), name)

    def knows(self, name: str) -> bool:
        """Whether some entry names `name` (in any spelling of its key)."""
        return key(name) in self._display

    def all(self) -> list[str]:
        return sorted(self._display.values(), key=str.casefold)

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Known names starting with `prefix` (case-insensitive), for autocomplete."""
        p = key(prefix)
        return [n for n in self.all() if key(n).startswith(p)][:limit]

    def resolve(self, name: str) -> str:
        """Whom `name` means in a filter (the app's @person, the CLI's --person): a known
        person in their first spelling, else the one known name it begins (`marcus` for
        Marcus Chen); with none, `name` as typed. With several, PmjournalError naming them:
        no one is guessed, and `@Tom` for Tom Becker and Tom "TJ" Becker showed an empty
        trail without a word."""
        if key(name) in self._display:
            return self.display(name)  # (others it begins are said by also_named)
        hits = self.complete(name, limit=_SHOWN_HITS + 1)
        if len(hits) == 1:
            return hits[0]
        if hits:
            from .errors import PmjournalError

            shown = "; ".join(hits[:_SHOWN_HITS]) + ("; …" if len(hits) > _SHOWN_HITS else "")
            raise PmjournalError(_("{name!r} could be {names}: type more of the name").format(name=name, names=shown))
        return name

    def also_named(self, name: str) -> str:
        """What to say when `name` is a known person and begins others' names too: `@dana` is
        Dana, and Dana Whitfield's calls dropped out of a trail without a word once a
        commitment named "Dana" (a user trial). "" when it names no one else."""
        if key(name) not in self._display:
            return ""
        person = self.display(name)
        others = [n for n in self.complete(name, limit=_SHOWN_HITS + 2) if key(n) != key(person)]
        if not others:
            return ""
        shown = "; ".join(others[:_SHOWN_HITS]) + ("; …" if len(others) > _SHOWN_HITS else "")
        return _("{name!r} is {person}, not {others}: type more of the name for them").format(name=name, person=person, others=shown)


# -- look-alike names ----------------------------------------------------------
#
# Two spellings that differ only by letters that look the same (Latin `a` and
# Cyrillic `а`, Greek `Ο` and Latin `O`) are two people to the journal and one
# to a reader. The test is the skeleton of Unicode UTS #39 (Confusable
# Detection): NFD, drop default-ignorable characters, map each character to the
# prototype it is confused with, NFD again; same skeleton, confusable. We carry
# the part of the confusables table that matters for names typed in a journal
# (Cyrillic and Greek letters that look Latin, I/l/1, 0/O, rn/m) rather than
# the whole 6,000-line file; NFKC first covers fullwidth and mathematical
# letters. No PyPI package is kept up to date with the Unicode data and offers
# a skeleton (confusables 1.2.0 is from 2021; confusable_homoglyphs checks
# mixed scripts, not skeletons), so this small table is ours.

_PROTOTYPES = {
    # Cyrillic lower case
    "а": "a", "в": "ʙ", "е": "e", "ё": "ë", "һ": "h", "і": "i", "ї": "ï", "ј": "j", "ӏ": "l",
    "о": "o", "р": "p", "с": "c", "ԁ": "d", "ԛ": "q", "ѕ": "s", "у": "y", "ү": "y", "ԝ": "w",
    "х": "x", "ɡ": "g", "ѵ": "v", "ь": "ь",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "Ё": "Ë", "З": "3", "Ѕ": "S", "І": "l", "Ї": "Ï", "Ј": "J", "К": "K",
    "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Ү": "Y", "Х": "X",
    "Ԛ": "Q", "Ԝ": "W", "Ӏ": "l", "Ѵ": "V",
    # Greek lower case
    "α": "a", "γ": "y", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "ϲ": "c", "ϳ": "j", "η": "n", "χ": "x",
    "υ": "u",
    # Greek upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "l", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Latin look-alikes within Latin and digits
    "I": "l", "1": "l", "|": "l", "ǀ": "l", "ℓ": "l", "0": "O", "ɑ": "a", "ı": "i", "m": "rn",
}  # fmt: skip


def _ignorable(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) == "Cf" or ch in "\u034f\u115f\u1160\u3164\uffa0\u00ad" or "\ufe00" <= ch <= "\ufe0f"


def _overridden(text: str) -> str:
    """Text after a RIGHT-TO-LEFT OVERRIDE is shown reversed, up to a POP
    DIRECTIONAL FORMATTING or the end: `\u202eanaD` reads `Dana`."""
    while "\u202e" in text:
        head, _mark, rest = text.partition("\u202e")
        run, _pop, tail = rest.partition("\u202c")
        text = head + run[::-1] + tail
    return text


def skeleton(name: str) -> str:
    """The UTS #39 skeleton of a name (as a person reads it: spacing does not
    count). Only for comparing: it is not a spelling to show."""
    import unicodedata

    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", _overridden(name)))
    text = "".join(_PROTOTYPES.get(ch, ch) for ch in text if not _ignorable(ch))
    return " ".join(unicodedata.normalize("NFD", text).split())


def confusable_pairs(names) -> list[tuple[str, str]]:
    """Pairs of names that are different people (different key()) but look
    alike: the same skeleton, as typed or case-folded (the journal matches
    names case-insensitively, so `dаna` with a Cyrillic `а` passes for Dana).
    Each pair in the order the names came; each name with the first it resembles."""
    seen: dict[str, str] = {}  # key -> the name, first spelling
    for name in names:
        seen.setdefault(key(name), name)
    groups: dict[str, list[str]] = {}
    pairs: list[tuple[str, str]] = []
    done: set[tuple[str, str]] = set()
    for name in seen.values():
        for sk in {skeleton(name), skeleton(name.casefold())}:
            for other in groups.get(sk, ()):
                if (other, name) not in done:
                    done.add((other, name))
                    pairs.append((other, name))
            groups.setdefault(sk, []).append(name)
    return pairs


def confusable_note(a: str, b: str) -> str:
    """One line saying why two names are told apart: which characters are not what they look like."""
    from .display import visible
    from .model import char_name

    def odd(name: str) -> list[str]:
        import unicodedata

        decomposed = unicodedata.normalize("NFC", name) != name
        return [
            ch
            for ch in dict.fromkeys(name)
            if not ch.isascii() and (_ignorable(ch) or ch in _PROTOTYPES or (decomposed and unicodedata.category(ch) == "Mn"))
        ]

    unusual = [f"{visible(n)} has {', '.join(char_name(ch) for ch in odd(n))}" for n in (a, b) if odd(n)]
    detail = f" ({'; '.join(unusual)})" if unusual else ""
    return _('"{a}" and "{b}" look alike but are different people{detail}').format(a=visible(a), b=visible(b), detail=detail)


def look_alike_notes(names, only: str | None = None) -> list[str]:
    """confusable_note() for each confusable pair among `names` (with `only`,
    the pairs that name that person): what `who` and the People view warn."""
    return [confusable_note(a, b) for a, b in confusable_pairs(names) if only is None or key(only) in (key(a), key(b))]
