"""The team's trail: every author's chain, read and merged into one order.

Each colleague's chain is read from its file with the same Reader (the same
checks) as one's own journal. Records are ordered by Lamport clock (`clock`,
written by a team journal; a record from before joining uses its #seq), then by
the author's handle, then by #seq: the same order on every machine that holds
the same records, and a correction always after what it corrects (its author
had seen that, so its clock is higher).
"""

from pathlib import Path

from ..errors import JournalDamaged
from ..i18n import _
from ..storage import JournalFile, Reader
from .layout import Team, clock_of


class ChainCopy:
    """One colleague's chain as read from its file here, with what the read found."""

    def __init__(self, handle: str, path: Path):
        self.handle = handle
        self.path = path
        self.damaged: str | None = None
        try:
            _header, records, reader = JournalFile(path).load()
        except JournalDamaged as err:
            # Shown as a notice; the rest of the team's trail still reads.
            records, reader, self.damaged = [], Reader(path), str(err)
        self.reader: Reader = reader
        ref = f"{handle}#".__add__
        for record in records:
            record["author"] = handle
            record["ref"] = ref(str(record["seq"]))
        self.records = records


class TeamRecords:
    """The colleagues' chains, re-read only when a sync changed their files."""

    def __init__(self, team: Team):
        self.team = team
        self._signature = None
        self.chains: list[ChainCopy] = []
        self.clashes: list[str] = []  # refs of records left out of the merge (see merged)

    def current(self) -> list[ChainCopy]:
        signature = self.team.signature()
        if signature != self._signature:
            self.chains = [ChainCopy(handle, path) for handle, path in self.team.colleagues().items()]
            self._signature = signature
        return self.chains

    def notices(self) -> list[str]:
        out = [clash_note(self.clashes)] if self.clashes else []
        for chain in self.chains:
            if chain.damaged:
                out.append(
                    _("the copy of {handle}'s chain here is damaged and was left out ({damaged})").format(
                        handle=chain.handle, damaged=chain.damaged
                    )
                )
            elif chain.reader.broken:
                out.append(broken_copy_note(chain.handle, *chain.reader.broken))
        return out


def clash_note(clashes: list[str]) -> str:
    shown = ", ".join(clashes[:3]) + (", ..." if len(clashes) > 3 else "")
    return _(
        "{n} colleague record(s) reuse an id already in the journal and were left out ({shown}): run `pmjournal verify`"
    ).format(n=len(clashes), shown=shown)


def broken_copy_note(handle: str, seq: int, problem: str) -> str:
    return _("the copy of {handle}'s chain here fails verification at {handle}#{seq} ({problem}): run `pmjournal verify`").format(
        handle=handle, seq=seq, problem=problem
    )


def merged(own: list[dict], own_handle: str, chains: list[ChainCopy], clashes: list | None = None) -> list[dict]:
    """Every record in the team's order. A colleague's record whose id another record
    already has is left out (and listed in `clashes`): ids are global, and a record
    reusing one would stand in for somebody else's entry. Sync refuses such chains;
    this keeps a copy put here by other means from doing it."""
    keyed = [(clock_of(r), own_handle, r["seq"], r) for r in own]
    for chain in chains:
        keyed.extend((clock_of(r), chain.handle, r["seq"], r) for r in chain.records)
    keyed.sort(key=lambda item: item[:3])
    out, seen = [], {r["id"] for r in own}
    for *_key, record in keyed:
        if "author" in record:
            if record["id"] in seen:
                if clashes is not None:
                    clashes.append(record["ref"])
                continue
            seen.add(record["id"])
        out.append(record)
    return out
