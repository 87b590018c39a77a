"""The journal: TinyDB over our crash-safe storage, plus the append-only operations.

`Journal` is the API the CLI, the TUI and the tests use. It never parses the
whole file to add an entry (the add path reads only the header and the last
line, and finds link targets by a byte search), and it folds the journal into
views lazily, the first time something reads them.
"""

import contextlib
import getpass
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Table

from . import dates, model
from .chain import GENESIS
from .errors import NotFound, StoreError, ValidationError
from .fold import absorb, fold, raw
from .ids import new_id
from .people import People
from .storage import LOCK_TIMEOUT, TABLE, JournalStorage, paused_gc


class EntryTable(Table):
    """A TinyDB table that can only grow: inserts append, nothing is rewritten."""

    def insert(self, document) -> int:
        return self.insert_multiple([document])[0]

    def insert_multiple(self, documents) -> list[int]:
        records, _ = self.storage.append([dict(d) for d in documents])
        self.clear_cache()
        return [r["seq"] for r in records]

    def _refuse(self, *args, **kwargs):
        raise StoreError("the journal is append-only: record an amendment or a retraction instead")

    update = update_multiple = upsert = remove = truncate = _refuse


class _JournalDB(TinyDB):
    table_class = EntryTable


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Journal:
    def __init__(self, path, user: str | None = None, lock_timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.db = _JournalDB(str(self.path), storage=JournalStorage, lock_timeout=lock_timeout)
        self.storage: JournalStorage = self.db.storage
        self.table: EntryTable = self.db.table(TABLE)
        self.user = (user or "").strip() or default_user()
        self._views: dict[str, dict] | None = None
        self._people: People | None = None
        self._by_id: dict[str, dict] | None = None

    # -- reading -------------------------------------------------------

    def records(self) -> list[dict]:
        """Every record in journal order, amendments and retractions included.

        Entries double as their folded views until amended (see fold.py), so
        they may carry derived keys: `fold.raw(record)` strips them.
        """
        return self.storage.records()

    def __len__(self) -> int:
        """How many records (amendments and retractions included)."""
        return len(self.storage.records())

    @property
    def views(self) -> dict[str, dict]:
        if self._views is None:
            records = self.records()
            with paused_gc():
                self._views = fold(records)
        return self._views

    def take_views(self) -> tuple[dict[str, dict], People]:
        """The folded views and people, handed over: the journal stops updating them.

        For a reader that keeps them as an immutable snapshot (the TUI, reading
        on one thread while a worker writes): later appends are then not folded
        into them in place. The next access to `views` folds afresh.
        """
        views, people = self.views, self.people
        self._views = self._people = None
        return views, people

    def _still_there(self, target: dict) -> None:
        """Under the lock, after a refresh: the entry resolved before is still in the file."""
        record = self.storage.get(target["seq"])
        if record is None or record["id"] != target["id"]:
            raise NotFound(f"#{target['seq']} is no longer in the journal (the file was replaced since it was read); nothing was saved")

    def view_of(self, entry_id: str) -> dict:
        """One entry's own record with its amendments and retraction applied.

        Folded from that entry's records alone, so derived state (a decision
        shown as superseded because another supersedes it) is not in it: an
        amendment compares against, and records, what was stored, whichever
        process makes it and whatever it has loaded.
        """
        return fold([raw(r) for r in self.records() if r["id"] == entry_id or r.get("target") == entry_id])[entry_id]

    def entries(self, include_retracted: bool = True) -> list[dict]:
        views = self.views.values()
        return list(views) if include_retracted else [v for v in views if not v["retracted"]]

    @property
    def people(self) -> People:
        if self._people is None:
            people = People()
            for view in self.views.values():
                people.learn(view)
            self._people = people
        return self._people

    def refresh(self) -> list[dict]:
        """Load what other processes appended; return the new records.

        If the file was replaced underneath us (a backup restored, a sync
        tool), everything is reloaded and every record is returned; watch
        `generation` to tell the two apart.
        """
        new = self.storage.refresh()
        if new is None:
            self._invalidate()
            return self.records()
        self._absorb(new)
        return new

    @property
    def generation(self) -> int:
        """Bumped each time the file was found replaced and reloaded from scratch."""
        return self.storage.generation

    @property
    def broken(self) -> tuple[int, str] | None:
        """(#seq, why) of the first loaded record the chain does not vouch for, or None."""
        return self.storage.reader.broken if self.storage.loaded else None

    def notices(self) -> list[str]:
        """What the user should know about the file beyond the records read or written."""
        out = list(self.storage.file.notices)
        unfinished = self.storage.reader.unfinished if self.storage.loaded else None
        if unfinished:
            first, written, last = unfinished
            out.append(
                f"an interrupted write of {last - first + 1} records (#{first}-#{last}; {written - first + 1} had reached the disk) "
                "is not part of the journal and is left out; the next write moves it to a side file"
            )
        return out

    def _absorb(self, records: list[dict] | None) -> None:
        """Bring the folded views up to date with records just appended
        (None: the file was replaced and reloaded, so fold afresh)."""
        if records is None:
            self._invalidate()
            return
        if not records:
            return
        self.table.clear_cache()
        if self._views is None:
            return
        for record in records:
            if not absorb(self._views, record):
                self._invalidate()
                return
            if self._people is not None and record["kind"] not in model.META_KINDS:
                self._people.learn(record)
            elif self._people is not None and record["kind"] == "amendment":
                self._people.learn(record.get("changes", {}))

    def _invalidate(self) -> None:
        self._views = None
        self._people = None
        self._by_id = None
        self.table.clear_cache()

    def head(self) -> tuple[int, str]:
        """(last #seq, its hash): what an export prints so a copy can be checked."""
        records = self.records()
        if not records:
            return 0, GENESIS
        return records[-1]["seq"], records[-1]["hash"]

    # -- resolving what people type ------------------------------------

    def resolve(self, ref) -> dict:
        """The record that `#42`, `42` or a unique id prefix names."""
        text = str(ref).strip()
        digits = text[1:] if text.startswith("#") else text
        # `#07` is #7, but a bare number with a leading zero is an id prefix: ids
        # start with 0 (their first character is the time, until the year 10889),
        # and no #seq is ever written with a leading zero.
        if digits.isascii() and digits.isdigit() and (text.startswith("#") or not digits.startswith("0")):
            if len(digits) > 12:
                raise NotFound(f"no entry #{digits[:12]}… in this journal")
            seq = int(digits)
            if self.storage.loaded:
                record = self.storage.get(seq)
                found = [record] if record else []
            else:
                record = self.storage.file.find_seq(seq)
                found = [record] if record else []
            if not found:
                raise NotFound(f"no entry #{seq} in this journal")
            return found[0]
        prefix = text.upper()
        if len(prefix) < 2 or not prefix.isalnum():
            raise NotFound(f"{text!r} is not an entry reference; use #42, 42 or an id prefix")
        if self.storage.loaded:
            found = [r for r in self.records() if r["id"].startswith(prefix)][:2]
        else:
            found = self.storage.file.find_lines(b'"id":"' + prefix.encode(), lambda r: str(r.get("id", "")).startswith(prefix))
        if not found:
            raise NotFound(f"no entry with an id starting {text!r}")
        if len(found) > 1:
            raise NotFound(f"id prefix {text!r} is ambiguous (#{found[0]['seq']}, #{found[1]['seq']}, ...); type more of it")
        return found[0]

    def resolve_entry(self, ref) -> dict:
        record = self.resolve(ref)
        if record["kind"] in model.META_KINDS:
            target = self.resolve(record["target"])
            raise NotFound(f"#{record['seq']} is an {record['kind']} of #{target['seq']}; refer to #{target['seq']}")
        return record

    def get(self, ref) -> dict:
        """The folded view of the entry `ref` names."""
        return self.views[self.resolve_entry(ref)["id"]]

    def by_id(self, entry_id: str) -> dict | None:
        return self.views.get(entry_id)

    # -- writing -------------------------------------------------------

    def _stamp(self, body: dict) -> dict:
        body["id"] = new_id()
        body["recorded_at"] = dates.utc_stamp()
        body["recorded_by"] = self.user
        return body

    def _link_values(self, kind: str, links: dict, own_id: str | None = None) -> list[dict]:
        out = []
        for rel, refs in links.items():
            if rel not in model.LINK_RELS:
                raise ValidationError(f"unknown link {rel!r}", field="links")
            for ref in refs or ():
                target = self.resolve_entry(ref)
                if target["id"] == own_id:
                    raise ValidationError(f"#{target['seq']} cannot be linked to itself", field="links")
                if rel == "supersedes" and (kind != "decision" or target["kind"] != "decision"):
                    raise ValidationError(
                        f"only a decision can supersede a decision (#{target['seq']} is a {target['kind']})",
                        field="links",
                    )
                link = {"rel": rel, "to": target["id"]}
                if link not in out:  # `--supersedes 1 --supersedes #1` is one link
                    out.append(link)
        return out

    @staticmethod
    def _not_superseded_by_hand(changes: dict) -> None:
        # "superseded" is what the journal shows once a later decision supersedes
        # this one; typed by hand it would claim a supersession nobody recorded.
        status = changes.get("status")
        if isinstance(status, str) and status.strip().lower() == "superseded":
            raise ValidationError(
                "status superseded is shown once a later decision supersedes this one: record that decision with a supersedes link",
                field="status",
            )

    def prepare(self, kind: str, values: dict, links: dict | None = None) -> dict:
        """Validate a new entry without saving it (forms use this to show errors)."""
        self._not_superseded_by_hand(values)
        values = dict(values)
        if links:
            values["links"] = list(values.get("links") or []) + self._link_values(kind, links)
        return model.build_entry(kind, values)

    def add(self, kind: str, values: dict, links: dict | None = None) -> dict:
        """Record a new entry; `links` maps rel -> references (#seq, ids)."""
        body = self._stamp(self.prepare(kind, values, links))
        return self._save(body)

    def _save(self, body: dict) -> dict:
        return self.append_raw([body])[0]

    @contextlib.contextmanager
    def _checked_write(self):
        """Hold the write lock from the checks to the append.

        Checks such as "already retracted" must see what other processes
        wrote, and nothing may slip in between: two `retract 7` at once would
        otherwise both pass and both write.
        """
        with self.storage.file.locked():
            self.refresh()
            yield

    def amend(self, ref, changes: dict, reason: str, links: dict | None = None) -> dict:
        target = self.resolve_entry(ref)
        reason = model.require_reason(reason)
        self._not_superseded_by_hand(changes)
        with self._checked_write():
            self._still_there(target)
            view = self.view_of(target["id"])
            changes = dict(changes)
            if links:
                changes["links"] = list(view.get("links") or []) + self._link_values(target["kind"], links, target["id"])
            cleaned = model.clean_changes(target["kind"], changes)
            if view["retracted"]:
                raise ValidationError(f"#{target['seq']} is retracted; it cannot be amended")
            cleaned = {k: v for k, v in cleaned.items() if view.get(k) != v}
            if not cleaned:
                raise ValidationError("nothing to amend: every value is already as given")
            body = self._stamp({"kind": "amendment", "target": target["id"], "changes": cleaned, "reason": reason})
            return self._save(body)

    def retract(self, ref, reason: str) -> dict:
        target = self.resolve_entry(ref)
        reason = model.require_reason(reason)
        with self._checked_write():
            self._still_there(target)
            if self.view_of(target["id"])["retracted"]:
                raise ValidationError(f"#{target['seq']} is already retracted")
            body = self._stamp({"kind": "retraction", "target": target["id"], "reason": reason})
            return self._save(body)

    def append_raw(self, bodies: list[dict]) -> list[dict]:
        """Append already-validated record bodies in one locked write (import, demo)."""
        if not bodies:
            return []
        records, new = self.storage.append(bodies)
        self._absorb(new)
        return records
