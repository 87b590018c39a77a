"""Which SSH key was in effect in an entry's chain when the entry was recorded.

A `key` record (core/evidence, Journal.record_key) says that from its #seq on,
its author signs exports with that key. An entry's signer is the last key
record of the entry's own chain (this author's for our entries, the colleague's
for theirs: `author`) with a smaller #seq. The detail pane asks at every
highlight, so each snapshot holds the key records once, per chain, and a
question is a bisect: never a scan of 100k records.
"""

from bisect import bisect_left
from dataclasses import dataclass, field

from ..core.i18n import pgettext


@dataclass(frozen=True)
class Signers:
    # chain (None: this author's own; a colleague's handle: theirs) -> (the key records' #seqs, the records)
    chains: dict[str | None, tuple[tuple[int, ...], tuple[dict, ...]]] = field(default_factory=dict)

    @classmethod
    def read(cls, chains) -> "Signers":
        """From each chain's records in #seq order (Journal.chains().values()). A colleague's
        records carry `author` (core/team/merge.py); our own do not."""
        out = {}
        for records in chains:
            keys = tuple(r for r in records if r["kind"] == "key")
            if keys:
                out[keys[0].get("author")] = tuple(r["seq"] for r in keys), keys
        return cls(out)

    def extended(self, own_new: list[dict]) -> "Signers":
        """These signers and the key records among `own_new`, records appended to our own
        chain (a catch-up): a copy, the old snapshot keeps its own."""
        keys = tuple(r for r in own_new if r["kind"] == "key")
        if not keys:
            return self
        seqs, known = self.chains.get(None, ((), ()))
        return Signers({**self.chains, None: (seqs + tuple(r["seq"] for r in keys), known + keys)})

    def of(self, view: dict) -> dict | None:
        """The key record in effect when `view`'s entry was recorded, or None."""
        found = self.chains.get(view.get("author"))
        if found is None:
            return None
        seqs, keys = found
        at = bisect_left(seqs, view.get("seq") or 0)
        return keys[at - 1] if at else None

    def __bool__(self) -> bool:
        return bool(self.chains)


def key_words(public_line: str) -> str:
    """`ed25519`, `rsa`, `ecdsa-sha2-nistp256`: the key's type as people say it."""
    parts = (public_line or "").split()
    return parts[0].removeprefix("ssh-") if parts else pgettext("key type", "unknown")
