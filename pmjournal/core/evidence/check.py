"""`pmjournal verify --evidence FILE` and `verify --since FILE`: an export checked on its own,
and against a journal.

Every problem is one line naming what it concerns (an entry, a record, the
document's part, the signature); the export holds only if there are none.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from ..chain import record_hash
from ..fold import fold, ref_of
from ..i18n import _
from ..model import ENTRY_KINDS
from ..query import public
from ..team.layout import colleagues
from . import merkle, proof, signing
from .exported import key_of, value_of
from .exportfile import Evidence, chain_ref, read  # noqa: F401 (check.read: what the CLI and tests call)


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signed: bool = True
    # What the export's entries claim of entries outside it (shown.EntryCheck, JsonOutside):
    # held against the context the evidence carries (check) and the journal (Against.complete).
    outside: object = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _same_key(shown, stated) -> bool:
    """The block's public_key names the statement's key (or both none)."""
    if shown is None or stated is None:
        return shown is None and stated is None
    try:
        return signing.PublicKey(shown).fingerprint() == signing.PublicKey(stated).fingerprint()
    except (signing.PmjournalError, ValueError, TypeError):
        return False


def check(ev: Evidence, allowed_signers: Path | None = None) -> Findings:
    out = Findings()
    st, block = ev.statement, ev.block
    statement = block["statement"].encode()
    # 1. Who signed it.
    signature = block.get("signature")
    if signature:
        try:
            made_by = signing.signature_key(signature, statement)
        except signing.PmjournalError as err:
            out.problems.append(f"signature: {err}")
            made_by = None
        stated = st.get("key")
        if made_by and stated and made_by != signing.PublicKey(stated).fingerprint():
            out.problems.append(_("signature: made by another key than the one the statement names"))
        if made_by and block.get("fingerprint") not in (None, made_by):
            out.problems.append(
                _("signature: made by the key {made_by}, not by {fingerprint} as the appendix says").format(
                    made_by=made_by, fingerprint=block["fingerprint"]
                )
            )
        if made_by and allowed_signers is not None:
            names = signing.principals(signature, allowed_signers)
            if not names:
                out.problems.append(
                    _("signature: the key {made_by} is not in {allowed_signers}").format(
                        made_by=made_by, allowed_signers=allowed_signers
                    )
                )
            else:
                try:
                    signing.verify_signed(signature, statement, allowed_signers, names[0])
                    out.notes.append(f"signed by {names[0]} ({made_by})")
                except signing.PmjournalError as err:
                    out.problems.append(f"signature: {err}")
        elif made_by:
            out.notes.append(
                _("signed by the key {made_by} (compare it with the signer's published key, or pass --allowed-signers)").format(
                    made_by=made_by
                )
            )
    elif st.get("key"):
        out.problems.append(_("signature: the statement names a signing key, but the signature was removed"))
    else:
        if allowed_signers is not None:
            out.problems.append(_("signature: the export is not signed"))
        else:
            # Anyone can recompute an unsigned statement's document hash: even the journal
            # cannot tell its text from an edited one, only that its entries are the journal's.
            out.notes.append(
                _(
                    "not signed: the entries are checked against the stated chain heads, but nothing shows who made this document, nor that its text is what was exported (anyone can edit it and recompute its hash)"
                )
            )
            out.signed = False
    # The block's own words must be the statement's: the filter and the key a reader sees there
    # were edited with verify still saying ok (the statement, which is hashed and signed, held).
    if ev.unknown:
        out.problems.append(
            _("evidence: {members}: not written by pmjournal (added after the export)").format(members=", ".join(ev.unknown))
        )
    if ev.twice:
        out.problems.append(
            _("evidence: {members}: written twice (a reader sees the first, a JSON reader takes the last)").format(
                members=", ".join(ev.twice)
            )
        )
    if ev.fmt == "json":
        out.problems += _json_header(ev, st)
    if block.get("query") != st.get("query"):
        out.problems.append(_("query: the filter shown differs from the one the statement names"))
    if not _same_key(block.get("public_key"), st.get("key")):
        out.problems.append(_("public_key: not the key the statement names"))
    if not signature and block.get("fingerprint") is not None:
        out.problems.append(_("fingerprint: an unsigned export names a signing key"))
    # What a reader saves for ssh-keygen must be what pmjournal checks.
    if ev.shown is not None:
        if ev.shown.get("statement") != block["statement"]:
            out.problems.append(_("statement: the statement shown for ssh-keygen differs from the one in the evidence JSON"))
        elif ev.shown.get("signature") != (signature or None):
            out.problems.append(_("signature: the signature shown for ssh-keygen differs from the one in the evidence JSON"))
        elif ev.appendix != proof.appendix_text(block):
            out.problems.append(_("appendix: its text was changed after it was exported"))
    # Nothing the signature does not cover may follow the evidence: a reader would take it as part of the document.
    if ev.added_after:
        out.problems.append(_("document: something was added after its evidence block"))
    # 2. The document is the one the statement describes. A JSON export's content is held
    # whole below (its members, entries and records): laid out again by a JSON tool (indented,
    # keys sorted), it says what was exported, and `import` takes it (transfer._File).
    relaid = False
    if st.get("document") != "sha256:" + ev.digest():
        if ev.fmt == "json":
            relaid, before = True, len(out.problems)
        else:
            out.problems.append(_what_changed(ev))
    elif ev.fmt == "markdown" and not _sections_hold(ev):
        out.problems.append(_("sections: the appendix names the document's parts otherwise than they are"))
    # 3. The records are the ones it lists, and each is in its chain at the stated head.
    own = ev.own
    hashes = _Hashes()

    def visit(name: str):
        stated_chain = st["chains"].get(name)
        chain = ev.proofs.get(name)
        fields = (block.get("chains") or {}).get(name) or {}
        if stated_chain is None:
            out.problems.append(_("records of {name}: the statement names no such chain").format(name=name))
            return hashes.add
        if {k: fields.get(k) for k in ("size", "head", "root", "first")} != stated_chain:
            out.problems.append(_("chain {name}: its size, head or root differ from the statement's").format(name=name))
        checks[name] = _ChainCheck(name, stated_chain, chain, own, out.problems, hashes.add)
        return checks[name]

    checks: dict[str, _ChainCheck] = {}  # each chain's, its root made once (the context's use them too)
    exported = ev.exported(visit)
    context = _context(ev, out.problems, checks, exported)  # before the proofs go
    out.problems.extend(_generated_after(st, checks, own))
    ev.proofs = {}  # every record is checked: the leaves (32 MB at 1M) are not needed past here
    count, _sep, digest = (st.get("records") or "").partition(" sha256:")
    if count != str(hashes.count) or digest != hashes.hexdigest():
        out.problems.append(
            _(
                "records: the export holds {n} records, not the ones the statement lists (records were added, removed or changed)"
            ).format(n=hashes.count)
        )
    # Each colleague vouches for their own chain: their signed head, and the exported
    # chain growing from it without rewriting it.
    for name, head in sorted((block.get("heads") or {}).items()):
        if name == own:  # the exporter's own chain: the statement's signature is its word
            out.problems.append(_("{name}'s signed head: the exporter's own chain has none (the statement is signed)").format(name=name))
            continue
        out.problems.extend(_check_head(name, head, st["chains"].get(name), out.notes, own, allowed_signers))
    # 4. The entries shown are what those records fold to, and what a Markdown document says
    # of entries outside it is what their records in the evidence say (where it carries them).
    out.problems.extend(_check_entries(ev, exported, out))
    if context is not None and out.outside is not None:
        out.problems.extend(_outside(ev, context, exported).held_by(out.outside))
    if ev.doubled:  # (known once the records and entries were read)
        shown = ", ".join(dict.fromkeys(ev.doubled[:5])) + (", …" if len(ev.doubled) > 5 else "")
        out.problems.append(
            _("{what}: a member written twice (a reader sees the first, a JSON reader takes the last)").format(what=shown)
        )
    if relaid and len(out.problems) > before:
        out.problems.insert(before, _what_changed(ev))
    elif relaid:
        out.notes.append(
            _(
                "laid out again since it was exported (its bytes are not the ones its statement hashes): its content was held whole against the records and the statement"
            )
        )
    return out


def _check_head(name: str, head: dict, chain: dict | None, notes: list, own: str, allowed_signers: Path | None = None) -> list[str]:
    """A colleague's signed head. Who signed it is said by its key's fingerprint, which the
    reader holds against the colleague's published key, or, given --allowed-signers, must be
    in that file (any key at all passed as "bb's key", a third tamper hunt)."""
    from . import heads

    if chain is None or not isinstance(head, dict):
        return [_("{name}'s signed head: the statement names no such chain").format(name=name)]
    try:
        signed = heads.parse(head.get("statement") or "")
        made_by = signing.signature_key(head.get("signature") or "", head["statement"].encode())
    except (ValueError, signing.SigningError) as err:
        return [_("{name}'s signed head: not valid ({err})").format(name=name, err=err)]
    size, n = signed["size"], chain["size"]
    if signed["handle"] != name or signed["first"] != chain["first"] or not 0 < size <= n:
        return [_("{name}'s signed head: it is of another chain, or of more records than exported").format(name=name)]
    if size == n:
        good = signed["root"] == chain["root"] and signed["head"] == chain["head"]
    else:
        try:
            good = merkle.verify_consistency(
                size,
                n,
                bytes.fromhex(signed["root"]),
                bytes.fromhex(chain["root"]),
                merkle.from_hex(head.get("consistency") or []),
            )
        except ValueError:
            good = False
    if not good:
        return [
            _("{name}'s signed head: the exported chain does not extend what {name} signed at {ref} (rewritten)").format(
                name=name, ref=chain_ref(name, size, own)
            )
        ]
    if allowed_signers is not None:
        principals = signing.principals(head.get("signature") or "", allowed_signers)
        if not principals:
            return [
                _("{name}'s signed head: the key {made_by} is not in {allowed_signers}").format(
                    name=name, made_by=made_by, allowed_signers=allowed_signers
                )
            ]
        notes.append(
            _("{name}'s records up to {ref} are signed by {principal} ({made_by})").format(
                name=name, ref=chain_ref(name, size, own), principal=principals[0], made_by=made_by
            )
        )
        return []
    notes.append(
        _("{name}'s records up to {ref} are signed by the key {made_by} (compare it with {name}'s published key, or pass --allowed-signers)").format(
            name=name, ref=chain_ref(name, size, own), made_by=made_by
        )
    )
    return []


class _Hashes:
    """proof.hashes_digest of the records' hashes, fed as the records are read."""

    def __init__(self):
        self.count = 0
        self._digest = hashlib.sha256()
        self._batch: list[str] = []

    def add(self, record: dict) -> None:
        self.count += 1
        self._batch.append(f"{record.get('hash')}\n")
        if len(self._batch) >= 1000:
            self._digest.update("".join(self._batch).encode())
            self._batch.clear()

    def hexdigest(self) -> str:
        self._digest.update("".join(self._batch).encode())
        self._batch.clear()
        return self._digest.hexdigest()


class _ChainCheck:
    """One chain's records, each checked as it is read against the chain's proofs: every
    leaf, or an inclusion proof each."""

    def __init__(self, name: str, stated: dict, chain, own: str, problems: list[str], also):
        self.name, self.own, self.problems, self.also = name, own, problems, also
        self.size, self.root = stated["size"], bytes.fromhex(stated["root"])
        self.chain = chain
        self.skip = False
        head = stated["head"]
        leaves = chain.leaves if chain is not None else None
        if leaves is not None:
            if chain.damaged:
                problems.append(_("chain {name}: its leaves are damaged").format(name=name))
                self.skip = True
            elif len(leaves) != self.size * merkle.HASH_SIZE or merkle.packed_root(leaves) != self.root:
                problems.append(_("chain {name}: its leaves do not make the stated root").format(name=name))
                self.skip = True
            elif chain.leaf(self.size).hex() != head:
                problems.append(_("chain {name}: the stated head is not its last record").format(name=name))
        else:
            head_proof = chain.proof(str(self.size)) if chain is not None else None
            if head_proof is None or not merkle.verify_inclusion(
                bytes.fromhex(head), self.size - 1, self.size, head_proof, self.root
            ):
                problems.append(
                    _("chain {name}: the stated head is not proved to be record #{size} under the root").format(
                        name=name, size=self.size
                    )
                )

    latest = ""  # the latest recorded_at of its records (as stored: UTC, one format, so they sort)

    def __call__(self, record: dict) -> None:
        self.also(record)
        if self.skip:
            return
        recorded = record.get("recorded_at")
        if isinstance(recorded, str) and recorded > self.latest:
            self.latest = recorded
        seq, size, chain = record.get("seq"), self.size, self.chain
        ref = chain_ref(self.name, seq, self.own)
        if not isinstance(seq, int) or not 0 < seq <= size:
            self.problems.append(_("{ref}: not a record of the chain at the stated head").format(ref=ref))
            return
        if record.get("hash") != record_hash(record):
            self.problems.append(
                _("{ref}: its content does not match its hash (the record was changed after it was exported)").format(ref=ref)
            )
            return
        if chain is not None and chain.leaves is not None:
            if chain.leaf(seq) != bytes.fromhex(record["hash"]):
                self.problems.append(_("{ref}: not the record the journal holds at #{seq}").format(ref=ref, seq=seq))
            return
        path = chain.proof(str(seq)) if chain is not None else None
        good = path is not None and merkle.verify_inclusion(bytes.fromhex(record["hash"]), seq - 1, size, path, self.root)
        if not good:
            self.problems.append(_("{ref}: no proof that the journal held it at the stated head").format(ref=ref))


def _records_of(ev: Evidence, group: list[tuple], own: str) -> list[dict]:
    """An entry's records, read back from the export, named as a load names a colleague's."""
    records = []
    for name, start, end in group:
        record = orjson.loads(ev.read_at(start, end))
        records.append(record if name == own else colleagues(record, name))
    return records


def edits(ev: Evidence) -> list[str]:
    """What was changed in a JSON export's own members and entries since it was exported: what
    an import, which takes only the records, would drop (a title corrected by hand). Nothing
    where the document still has the hash its statement states; a layout changed by a JSON
    tool (indented, keys sorted) changes that hash and nothing of this."""
    if ev.fmt != "json" or ev.statement.get("document") == "sha256:" + ev.digest():
        return []
    return _json_header(ev, ev.statement) + _check_entries(ev, ev.exported())


def _check_entries(ev: Evidence, exported, found: Findings | None = None) -> list[str]:
    """The folded entries the document shows must be what its records fold to: each entry
    folded from its own records (links from entries outside the export, and the status they
    derive, are the journal's, so only a supersession the export holds counts)."""
    own = ev.own
    db = exported.db
    problems: list[str] = []
    if ev.fmt == "json":
        db.execute("CREATE TABLE shown(key PRIMARY KEY, start INT, end INT, twice INT DEFAULT 0)")
        # An id shown twice is named: a reader may take either (a made-up first copy passed);
        # the last is checked, the one a JSON reader's dict keeps.
        upsert = (
            "INSERT INTO shown(key, start, end) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET start = excluded.start, end = excluded.end, twice = 1"
        )
        rows = []
        for n, (entry, start, end) in enumerate(ev.entries(), start=1):
            if isinstance(entry, dict):
                rows.append((key_of(entry.get("id")), start, end))
                if len(rows) >= 5000:
                    db.executemany(upsert, rows)
                    rows = []
            else:  # a note or a list among the entries, which a reader takes for part of them
                problems.append(_("entries: item {n} is not an entry (added after the export)").format(n=n))
        db.executemany(upsert, rows)
    entry_check = None
    json_outside = JsonOutside()
    if ev.fmt == "json" and found is not None:
        found.outside = json_outside
    if ev.fmt == "markdown":
        from .shown import EntryCheck, Sections

        entry_check = EntryCheck(Sections(db, ev.body_chunks()), ev.statement, own)
        if found is not None:
            found.outside = entry_check
    try:
        superseded = set()
        backlinks: dict[str, Counter] = {}  # an exported entry's key -> (rel, key) of the exported entries linking to it
        for _key, group in exported.linking():
            for view in fold(_records_of(ev, group, own)).values():
                for link in view.get("links") or ():
                    # a retracted entry's links are still shown from their targets; it supersedes nothing
                    if link["rel"] == "supersedes" and not view["retracted"]:
                        superseded.add(key_of(link["to"]))
                    backlinks.setdefault(key_of(link["to"]), Counter())[(link["rel"], key_of(view["id"]))] += 1
        for key, group in exported.groups():
            views = fold(_records_of(ev, group, own))
            if entry_check is not None:
                for view in views.values():
                    if view["kind"] == "decision" and key in superseded:
                        view["status"] = "superseded"
                    entry_check.add(view)
                continue
            if ev.fmt != "json":
                continue
            for entry_id, view in views.items():
                if view["kind"] not in ENTRY_KINDS:
                    continue
                if view["kind"] == "decision" and key in superseded:
                    view["status"] = "superseded"
                found = db.execute("SELECT start, end FROM shown WHERE key = ?", (key_of(entry_id),)).fetchone()
                if found is None:
                    problems.append(
                        _("{ref}: its records are in the export but the entry is not").format(
                            ref=ref_of(view)
                        )
                    )
                    continue
                shown = orjson.loads(ev.read_at(*found))
                if not _links_from_inside(shown, backlinks.get(key, _NONE), exported):
                    problems.append(
                        _("{ref}: the entry shown differs from its records ({changed})").format(
                            ref=ref_of(view), changed="linked_from, superseded_by"
                        )
                    )
                # (a decision superseded by one outside the export: only the journal shows it,
                # held with --db: JsonOutside; one shown superseded by nothing is named here)
                shown_superseded = view["kind"] == "decision" and shown.get("status") == "superseded"
                by_outside = json_outside.add(entry_id, ref_of(view), shown, exported)
                if shown_superseded and key not in superseded and not by_outside:
                    problems.append(
                        _("{ref}: the entry shown differs from its records ({changed})").format(ref=ref_of(view), changed="status")
                    )
                derived = ("linked_from", "superseded_by") + (("status",) if shown_superseded else ())
                want = {k: v for k, v in public(view).items() if k not in derived}
                got = {k: v for k, v in shown.items() if k not in derived}
                if not _same(got, want):
                    changed = sorted(k for k in want.keys() | got.keys() if k not in got or k not in want or not _same(want[k], got[k]))
                    problems.append(
                        _("{ref}: the entry shown differs from its records ({changed})").format(
                            ref=ref_of(view), changed=", ".join(changed)
                        )
                    )
        if entry_check is not None:
            problems.extend(entry_check.finish())  # (renders the last entries: a record short of a field fails here too)
    except (KeyError, TypeError, ValueError, AttributeError):
        return [_("records: they do not fold into entries (damaged)")]
    if ev.fmt == "json":
        for (key,) in db.execute(f"SELECT key FROM shown WHERE key NOT IN ({exported.entry_keys()}) ORDER BY start"):  # noqa: S608
            problems.append(_("entry {entry_id}: shown without the records behind it").format(entry_id=value_of(key)))
        for (key,) in db.execute("SELECT key FROM shown WHERE twice ORDER BY start"):
            problems.append(_("entry {entry_id}: shown twice").format(entry_id=value_of(key)))
    return problems


class JsonOutside:
    """What a JSON export's entries say of entries outside it (their linked_from and
    superseded_by), which only the journal shows: held by against.missing's pass with --db
    (hold_outside), as shown.EntryCheck holds a Markdown export's."""

    def __init__(self):
        self.claims: dict[str, tuple[str, Counter, set]] = {}  # id -> (its ref, (rel, from) linking, superseding ids)

    def add(self, entry_id: str, ref: str, shown: dict, exported) -> bool:
        """Keep what `shown` (an exported entry) says of entries outside the export; whether one
        of them supersedes it."""
        items = shown.get("linked_from") or []
        linking = Counter(
            (x.get("rel"), x.get("from")) for x in items if isinstance(x, dict) and not exported.holds(key_of(x.get("from")))
        )
        by = shown.get("superseded_by")
        superseding = {one for one in (by if isinstance(by, list) else []) if not exported.holds(key_of(one))}
        if linking or superseding:
            self.claims[entry_id] = (ref, linking, superseding)
        return bool(superseding)

    def outside_wanted(self) -> tuple[set, set]:
        return set(), set()

    def hold_outside(self, _found, _back, linking=None, superseding=None) -> list[str]:
        """`linking`: for each exported entry, (rel, id) of each entry outside the export that
        links to it; `superseding`: the ids of those (not retracted) that supersede it."""
        if linking is None:
            return []
        wrong = []
        for entry_id in dict.fromkeys([*self.claims, *linking]):
            ref, said, by = self.claims.get(entry_id, (None, Counter(), set()))
            if said != linking.get(entry_id, Counter()) or by != (superseding or {}).get(entry_id, set()):
                wrong.append(ref or entry_id)
        return [
            _("{ref}: its linked_from or superseded_by name entries outside the export otherwise than the journal does").format(ref=r)
            for r in wrong
        ]


def _links_from_inside(shown: dict, inside: Counter, exported) -> bool:
    """An entry's linked_from and superseded_by, as far as the export's own entries make them:
    each exported entry that links to it, as often as it does, and no other exported one (those
    outside it are the journal's, which the records here cannot show). An item is a rel and
    a from, nothing more: a member added to one ("approved": true) passed."""
    items, by = shown.get("linked_from"), shown.get("superseded_by")
    if not items and not by:
        return not inside  # most entries: nothing links to them
    items = items or []
    if not isinstance(items, list) or not all(isinstance(x, dict) and x.keys() == _LINKED_FROM for x in items):
        return False
    said = Counter((x["rel"], key_of(x["from"])) for x in items)
    if any(n > 1 and inside[link] != n for link, n in said.items()):
        return False  # an item shown twice, from outside the export too (only the journal shows those)
    superseding = {("supersedes", key_of(one)) for one in (by if isinstance(by, list) else [] if by is None else [by])}
    from_inside = Counter({link: n for link, n in said.items() if exported.holds(link[1])})
    return from_inside == inside and {link for link in superseding if exported.holds(link[1])} <= inside.keys()


_LINKED_FROM = {"rel", "from"}
_NONE: Counter = Counter()  # (read, never written)
_SORTED = orjson.OPT_SORT_KEYS


def _same(a, b) -> bool:
    """Equal as JSON, where Python's == is not: `true` is not 1, nor 1.0 1 (a third tamper
    hunt's "seq": true passed as #1)."""
    if a != b:
        return False
    try:
        # (in the order exported first: the same in all but a file laid out again with its keys sorted)
        return orjson.dumps(a) == orjson.dumps(b) or orjson.dumps(a, option=_SORTED) == orjson.dumps(b, option=_SORTED)
    except TypeError:  # (orjson.JSONEncodeError) an integer past 64 bits, which a record cannot hold either
        return True


def _json_header(ev: Evidence, st: dict) -> list[str]:
    """A JSON export's own members must be the statement's: its filter, its chain head, its
    time (a user trial changed each, and added a member, and signed again)."""
    from ..query import Filter

    problems = []
    if ev.strays:
        problems.append(
            _("document: {members}: not written by pmjournal (added after the export)").format(members=", ".join(ev.strays))
        )
    head = ev.header
    from ..transfer import EXPORT_FORMAT, EXPORT_VERSION

    if not (_same(head.get("format"), EXPORT_FORMAT) and _same(head.get("version"), EXPORT_VERSION)):
        problems.append(_("document: its format or version is not the one pmjournal wrote"))
    if "unverified" in head:  # an export with evidence is of a journal that verified
        problems.append(_("document: it says its journal failed verification, which an export with evidence never does"))
    try:
        described = Filter.from_json(st.get("query") or {}).describe()
    except (TypeError, ValueError, KeyError, AttributeError):
        described = None  # the statement's own check names a damaged filter
    if described is not None and head.get("filter") != described:
        problems.append(_("filter: the document's filter differs from the one the statement names"))
    chains = st.get("chains") or {}
    chain = chains.get(ev.own) or {}
    if not _same(head.get("chain_head"), {"seq": chain.get("size"), "hash": chain.get("head")}):
        problems.append(_("chain_head: not the head the statement names"))
    # A team export's colleagues' chains each say their head, which was passed over unread.
    for name in sorted(name for name in ev.records_at if name != ev.own):
        chain = chains.get(name) or {}
        if not _same(ev.chain_heads.get(name), {"seq": chain.get("size"), "hash": chain.get("head")}):
            problems.append(_("chains.{name}.chain_head: not the head the statement names").format(name=name))
    try:
        early = datetime.fromisoformat(st["generated"]) - datetime.fromisoformat(head["generated_at"])
    except (KeyError, TypeError, ValueError):
        early = None
    # (the same time since this stop; an older export stamped its statement after writing it)
    if early is None or not timedelta(0) <= early <= timedelta(hours=1):
        problems.append(_("generated_at: not the time the statement names"))
    return problems


def _part(heading: str) -> str:
    # The first part has no heading of its own: the evidence block names it in English.
    if heading == proof.HEADER_PART:
        return _("the document header")
    # As a reader sees the heading, not as Markdown writes it: "Cut \[/\] offline mode" was
    # "Cut [/] offline mode" on the page (markdown_text's escapes and autolinks, a retraction's <del>).
    return _MARKDOWN_ESCAPE.sub(_as_read, _STRUCK.sub("", heading))


def _as_read(match: re.Match) -> str:
    return match.group(1) or match.group(2)


# An escaped character, or an autolink (markdown_text writes a URL as <https://…>): left to
# right, so the escaped < of a typed "<https://…>" is not taken for an autolink's.
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]<&#|~$])|<((?i:https?)://[^<>\s]*)>")
_STRUCK = re.compile(r"</?del>")


def _generated_after(st: dict, checks: dict, own: str) -> list[str]:
    """The export was made after the records it holds were recorded: a statement backdated (with
    the document's Generated line) counted the loops on an earlier day, and an overdue one
    showed not yet due. This author's own records are stamped by the exporter's clock (an
    hour's slack: a clock set back a little, a demo journal built for a fixed day); a
    colleague's by theirs, which may run ahead (a day's)."""
    try:
        generated = datetime.fromisoformat(str(st.get("generated")))
    except ValueError:
        return []  # the statement's own check names it
    for name, each in sorted(checks.items()):
        try:
            latest = datetime.fromisoformat(each.latest) if each.latest else None
        except ValueError:
            continue
        slack = timedelta(hours=1) if name == own else timedelta(days=1)
        if latest is not None and generated.tzinfo is not None and latest.tzinfo is not None and generated + slack < latest:
            return [
                _("generated: {generated} is before the records it holds were recorded (the last at {latest})").format(
                    generated=st.get("generated"), latest=each.latest
                )
            ]
    return []


def _context(ev: Evidence, problems: list[str], checks: dict, exported) -> list[dict] | None:
    """The records of the entries outside the export that a Markdown document names (the
    block's `context`: none in a document made before it was written), each checked as the
    exported ones are (its hash, and its place in its chain at the stated head), named as a
    load names a colleague's. They are as the exporter writes them: each chain's in its order,
    once, and none the export holds already (padded or shuffled, they passed)."""
    st, own = ev.statement, ev.own
    if ev.context_at is None:
        if st.get("context") is not None:
            problems.append(_("context: the statement names records of entries outside the export that the evidence does not hold"))
        return None
    hashes = _Hashes()
    out = []
    disordered = padded = False
    for name in sorted(ev.context_at):
        chain = st["chains"].get(name)
        if chain is None:
            problems.append(_("records of {name}: the statement names no such chain").format(name=name))
            continue
        each = checks.get(name) or _ChainCheck(name, chain, ev.proofs.get(name), own, problems, hashes.add)
        each.also = hashes.add
        last = 0
        for record in ev.context_records(name):
            each(record)
            seq = record.get("seq")
            if not (isinstance(seq, int) and seq > last) and not disordered:
                disordered = True
                problems.append(_("context: the records of {name} are not in their chain's order, or one is there twice").format(name=name))
            last = seq if isinstance(seq, int) else last
            if exported.holds(key_of(record.get("id"))) and not padded:
                padded = True
                problems.append(_("context: it holds records the export holds already"))
            out.append(record if name == own else colleagues(record, name))
    if st.get("context") != f"{hashes.count} sha256:{hashes.hexdigest()}":
        problems.append(_("context: the records of entries outside the export are not the ones the statement names"))
    return out


class Outside:
    """What the entries outside an export say of it, gathered as they pass, for hold_outside
    (shown.EntryCheck's, JsonOutside's): each outside entry `keep(id, ref)` names, with its
    #ref as the exporter numbers it and its links; and for each exported entry, the outside
    entries linking to it by (rel, #ref) and by (rel, id), and those superseding it (not
    retracted). Fed from the context the evidence carries (_outside), or the journal
    (against.missing)."""

    def __init__(self, exported, keep=None):
        self.exported, self.keep = exported, keep
        self.found: dict[str, dict] = {}
        self.back: dict[str, Counter] = {}
        self.linking: dict[str, Counter] = {}
        self.superseding: dict[str, set] = {}

    def add(self, view: dict, ref: str) -> None:
        entry_id, links = view["id"], view.get("links") or []
        if self.keep is None or self.keep(entry_id, ref):
            self.found[entry_id] = {"id": entry_id, "seq": view["seq"], "ref": ref, "links": links}
        for link in links:
            to, rel = link.get("to"), link.get("rel")
            if to in self.exported:
                self.back.setdefault(to, Counter())[(rel, ref)] += 1
                self.linking.setdefault(to, Counter())[(rel, entry_id)] += 1
                if rel == "supersedes" and not view["retracted"]:
                    self.superseding.setdefault(to, set()).add(entry_id)

    def held_by(self, outside) -> list[str]:
        return outside.hold_outside(self.found, self.back, linking=self.linking, superseding=self.superseding)


def _outside(ev: Evidence, records: list[dict], exported) -> Outside:
    """What the context's entries say of the export: folded from their records in the team's order."""
    from ..team.layout import clock_of

    own = ev.own
    records = sorted(records, key=lambda r: (clock_of(r), r.get("author", own), r.get("seq", 0)))
    collected = Outside(exported)
    try:
        views = fold(records)
    except (KeyError, TypeError, ValueError):
        return collected  # a damaged record: named by its check above
    for view in views.values():
        if view.get("kind") in ENTRY_KINDS and view["id"] not in exported:
            collected.add(view, chain_ref(view.get("author") or own, view["seq"], own))
    return collected


def _sections_hold(ev: Evidence) -> bool:
    """The appendix's list of the document's parts is the document's (its headings and
    digests): a reader of the appendix sees it, though only _what_changed reads it."""
    stated, now = ev.sections(), proof.Sections()
    for chunk in ev.body_chunks():
        now.feed(chunk)
        if any(next(stated, None) != part for part in now.parts):
            return False
        now.parts = []
    return all(next(stated, None) == part for part in now.done()) and next(stated, None) is None


def _what_changed(ev: Evidence) -> str:
    if ev.fmt != "markdown":
        return _("document: the export's content differs from what its statement hashes (it was changed after it was exported)")
    stated = ev.sections()
    now = proof.Sections()
    count = 0

    def compare(parts: list) -> str | None:
        nonlocal count
        for heading, digest in parts:
            was = next(stated, None)
            if was is None:
                return _("document: a part was added after it was exported ({heading})").format(heading=_part(heading))
            if was[1] != digest:
                return _("document: {stated} was changed after it was exported").format(stated=_part(was[0]))
            count += 1
        return None

    for chunk in ev.body_chunks():
        now.feed(chunk)
        found = compare(now.parts)
        now.parts = []
        if found:
            return found
    found = compare(now.done())
    if found:
        return found
    was = next(stated, None)
    if was is not None:
        return _("document: {stated} was removed after it was exported").format(stated=_part(was[0]))
    return _("document: it was changed after it was exported")


def same_journal(ev: Evidence, chains: dict, own_name: str) -> bool:
    """Whether the journal holding `chains` (evidence/against.Against: each chain file as its
    first pass found it) is the one the export was taken from: its own chain (`own_name`)
    starts with the record the statement names first."""
    own = ev.own
    stated = ev.statement["chains"].get(own)
    chain = chains.get(own) or chains.get(own_name)
    return bool(stated and chain and chain.first == stated["first"])


def check_since(ev: Evidence, chains: dict) -> list[str]:
    """The journal still extends every chain head the export states: nothing in it was
    rewritten or removed since (a record's hash covers every record before it). `chains`: by
    name, what answers `first`, len() and hash_at(#seq) of each (evidence/against.Scanned)."""
    problems = []
    own = ev.own
    for name, stated in sorted(ev.statement["chains"].items()):
        records = chains.get(name)
        if records is None:
            problems.append(_("chain {name}: this journal does not hold it").format(name=name))
            continue
        size = stated["size"]
        if records and records.first != stated["first"]:
            problems.append(
                _(
                    "chain {name}: its first record differs from the export's: another journal, or rewritten from the start"
                ).format(name=name)
            )
        elif len(records) < size and getattr(records, "handle", None) is not None:
            # A colleague's chain: the copy here is behind the one the export was taken from.
            problems.append(
                _(
                    "chain {name}: the copy of it here ends at {ref}, before the exported head {ref2}: run `pmjournal sync` and check again"
                ).format(name=name, ref=f"{name}#{len(records)}", ref2=f"{name}#{size}")
            )
        elif len(records) < size:
            problems.append(
                _("chain {name}: the journal ends at {ref}, before the exported head {ref2} (records were removed)").format(
                    name=name, ref=chain_ref(name, len(records), own), ref2=chain_ref(name, size, own)
                )
            )
        elif records.hash_at(size) != stated["head"]:
            problems.append(
                _("chain {name}: {ref} is not the record the export was taken at (the journal was rewritten)").format(
                    name=name, ref=chain_ref(name, size, own)
                )
            )
    return problems
