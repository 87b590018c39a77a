"""People are free-text names matched case-insensitively; the first spelling wins.

Records keep names exactly as typed (nothing a user typed is altered); this
directory decides how a name is displayed and which spellings are one person.
"""

from functools import lru_cache

from .model import PEOPLE_FIELDS


@lru_cache(maxsize=65536)
def key(name: str) -> str:
    """The identity of a name: case and spacing do not matter. Cached: a
    journal names the same few hundred people again and again."""
    return " ".join(name.split()).casefold()


def names_in(entry: dict, fields=PEOPLE_FIELDS) -> list[str]:
    out = []
    for field in fields:
        value = entry.get(field)
        if not value:
            continue
        if isinstance(value, str):
            out.append(value)
        else:
            out.extend(value)
    return out


class People:
    def __init__(self):
        self._display: dict[str, str] = {}
        self._seen: set[str] = set()

    def learn(self, entry: dict) -> None:
        display, seen = self._display, self._seen
        for field in PEOPLE_FIELDS:
            if field not in entry or not (value := entry[field]):
                continue
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

    def all(self) -> list[str]:
        return sorted(self._display.values(), key=str.casefold)

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Known names starting with `prefix` (case-insensitive), for autocomplete."""
        p = key(prefix)
        return [n for n in self.all() if key(n).startswith(p)][:limit]
