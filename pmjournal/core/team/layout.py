"""What a journal that joined a team keeps beside itself.

    journal.json              this author's own chain (unchanged by joining)
    journal.json.team/
        team.json             the remote, this author's handle, the team's id,
                              when it last synced and what it last pushed
        chains/<handle>.json  each colleague's chain, a journal file as they
                              wrote it (read with the same checks as one's own)
        git/                  a private bare git repository: the transport

Everything in the folder but team.json can be rebuilt by the next sync; a
journal without the folder is a single-user journal, exactly as before.
"""

import re
from pathlib import Path

from ..files import write_atomically
from ..storage import JournalFile

HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


def handle_from(name: str) -> str:
    """A handle for refs and `handle#42`: the first word of the name's ASCII letters and
    digits, lower-case ("Dana Whitfield" -> dana). Handles stay ASCII: they name git refs
    and files on every filesystem. A name with none (张伟) falls back to the login name."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    if not words:
        import getpass

        words = re.findall(r"[a-z0-9]+", getpass.getuser().lower()) or ["member"]
    return words[0][:32]


class Team:
    def __init__(self, journal_path):
        self.journal_path = Path(journal_path)
        self.root = self.journal_path.with_name(self.journal_path.name + ".team")
        self.state_path = self.root / "team.json"
        self.chains_dir = self.root / "chains"
        self.git_dir = self.root / "git"

    @property
    def joined(self) -> bool:
        return self.state_path.is_file()

    def state(self) -> dict:
        import orjson  # here: a journal of one (every `pmjournal add` in one) never reads team.json

        try:
            state = orjson.loads(self.state_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return state if isinstance(state, dict) else {}

    def save_state(self, state: dict) -> None:
        import orjson

        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(self.state_path, orjson.dumps(state, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2), through_link=False)

    @property
    def handle(self) -> str | None:
        return self.state().get("handle")

    def chain_path(self, handle: str) -> Path:
        return self.chains_dir / f"{handle}.json"

    def head_path(self, handle: str) -> Path:
        """A colleague's latest signed head (evidence/heads.py), as the last sync checked it."""
        return self.chains_dir / f"{handle}.head.json"

    def signed_head(self, handle: str) -> dict | None:
        import orjson

        try:
            head = orjson.loads(self.head_path(handle).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return head if isinstance(head, dict) else None

    def colleagues(self) -> dict[str, Path]:
        """handle -> the file of each colleague's chain held here."""
        if not self.chains_dir.is_dir():
            return {}
        return {
            p.stem: p for p in sorted(self.chains_dir.glob("*.json")) if HANDLE.match(p.stem) and not p.stem.endswith(".head")
        }

    def signature(self) -> tuple:
        """Changes whenever a sync brought records in: for readers that poll."""
        out = []
        for handle, path in self.colleagues().items():
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((handle, st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def max_clock(self) -> int:
        """The highest Lamport clock among the colleagues' chains (their last records)."""
        top = 0
        for path in self.colleagues().values():
            last = last_record(path)
            if last is not None:
                top = max(top, clock_of(last))
        return top


def colleagues(record: dict, handle: str) -> dict:
    """`record`, of `handle`'s chain, named as every read names a colleague's record: its
    author, and its reference (`dana#42`, fold.ref_of) (merge.ChainCopy, the index, evidence)."""
    record["author"], record["ref"] = handle, f"{handle}#{record.get('seq')}"
    return record


def clock_of(record: dict) -> int:
    """A record's Lamport clock; records written before their journal joined a team have
    none, and their #seq serves (it only grows along a chain)."""
    clock = record.get("clock")
    return clock if clock.__class__ is int else record.get("seq", 0)


def last_record(path) -> dict | None:
    file = JournalFile(path)
    for window in (4096, 65536, 1 << 20):
        # The last few records of a chain are read without orjson: an add imports nothing it
        # would not need in a journal of one (tests/test_import_hygiene.py).
        few = window <= 65536
        records = file.tail_records(window, few)
        if records:
            return records[-1]
        if records is None:
            # The file is smaller than the window (or odd there): read it whole.
            _, all_records, _ = file.load(few)
            return all_records[-1] if all_records else None
    return None


def stamp_clocks(journal_path, bodies: list[dict]) -> None:
    """In a team journal, give each record about to be appended a Lamport clock above
    everything this machine holds, so the team's merged order (merge.py) puts it
    after all its author could have seen. A journal of one gets none."""
    team = Team(journal_path)
    if not team.joined:
        return
    own_last = last_record(journal_path)
    clock = max(clock_of(own_last) if own_last else 0, team.max_clock()) + 1
    for body in bodies:
        body["clock"] = clock
        clock += 1
