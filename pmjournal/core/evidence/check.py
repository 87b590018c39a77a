"""`pmjournal verify --evidence FILE` and `verify --since FILE`: an export checked on its own,
and against a journal.

Every problem is one line naming what it concerns (an entry, a record, the
document's part, the signature); the export holds only if there are none.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import markdown_proof
from ..chain import record_hash
from ..errors import PmjournalError
from ..fold import fold
from ..i18n import _
from ..model import ENTRY_KINDS
from ..query import public
from ..team.layout import clock_of
from . import merkle, proof, signing
from .attach import ordered


@dataclass
class Evidence:
    fmt: str
    body: bytes
    block: dict
    statement: dict
    records: dict[str, list[dict]]
    entries: list[dict] | None = None  # the JSON export's folded entries
    shown: dict | None = None  # the Markdown appendix's statement and signature blocks, for ssh-keygen
    appendix: str | None = None  # the Markdown appendix's text before its JSON block
    tail: bytes = b""  # whatever follows the evidence block: nothing, in an export as written


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signed: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


_FENCE = re.compile(rb"\n(`{3,})json\n")


def read(path) -> Evidence:
    """The export at `path`, split into the document and its evidence block; one line if it has none."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PmjournalError(_("cannot read {path}: {strerror}").format(path=path, strerror=err.strerror)) from None
    if data.lstrip().startswith(b"{"):
        at = data.rfind(proof.JSON_MARK)
        try:
            whole = json.loads(data)
        except ValueError:
            raise PmjournalError(_("{path} is not valid JSON (it was cut or edited)").format(path=path)) from None
        block = whole.get("evidence") if isinstance(whole, dict) else None
        if not isinstance(block, dict):
            raise PmjournalError(_("{path} has no evidence block (exported by an older pmjournal?)").format(path=path))
        tail = b""
        if at < 0:
            at = 0  # written out again by something else: the document cannot match; the rest is still checked
        else:
            # Members after the evidence would go unhashed, yet override the document's
            # for a JSON reader (the last of duplicate keys wins).
            try:
                _doc, end = json.JSONDecoder().raw_decode(data[at + len(proof.JSON_MARK) :].decode("utf-8"))
                tail = data[at + len(proof.JSON_MARK) :].decode("utf-8")[end:].encode("utf-8")
            except ValueError:
                tail = data[at:]
            tail = b"" if tail.strip() == b"}" else tail
        _shape(block, path)
        if not isinstance(whole.get("chains", {}), dict) or not isinstance(whole.get("entries", []), list):
            raise PmjournalError(_("{path}: the export's entries or chains are damaged").format(path=path))
        records = {}
        own = _own_chain(block)
        if isinstance(whole.get("records"), list):
            records[own] = whole["records"]
        for name, chain in (whole.get("chains") or {}).items():
            records[name] = chain.get("records", []) if isinstance(chain, dict) else []
        _shape_records(records, path)
        return Evidence("json", data[:at], block, _statement(block, path), records, whole.get("entries"), tail=tail)
    at = markdown_proof.mark_at(data)  # in the document's language
    if at < 0:
        raise PmjournalError(
            _("{path} has no evidence appendix (exported by an older pmjournal, or the appendix was removed)").format(path=path)
        )
    fence = _FENCE.search(data, at)
    if fence is None:
        raise PmjournalError(_("{path}: the evidence appendix has no JSON block").format(path=path))
    start = fence.end()
    end = data.find(b"\n" + fence.group(1) + b"\n", start)
    if end < 0:
        raise PmjournalError(_("{path}: the evidence appendix's JSON block is not closed (the file was cut)").format(path=path))
    try:
        block = json.loads(data[start:end])
    except ValueError:
        raise PmjournalError(_("{path}: the evidence appendix's JSON is damaged").format(path=path)) from None
    if not isinstance(block, dict) or not isinstance(block.get("records"), dict):
        raise PmjournalError(_("{path}: the evidence appendix is not pmjournal evidence").format(path=path))
    _shape(block, path)
    _shape_records(block["records"], path)
    text = data[at : fence.start()].decode("utf-8", "replace")
    shown = markdown_proof.shown(text, block)
    appendix = data[at : fence.end()].decode("utf-8", "replace")
    tail = data[end + len(fence.group(1)) + 2 :]
    return Evidence(
        "markdown", data[:at], block, _statement(block, path), block["records"], shown=shown, appendix=appendix, tail=tail
    )


def _shape(block: dict, path) -> None:
    """One line, not a traceback, for an evidence block whose members are not what pmjournal writes."""

    def strs(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    chains, heads = block.get("chains", {}), block.get("heads", {})
    wrong = [
        name
        for name, good in (
            ("signature", isinstance(block.get("signature"), str | None)),
            ("public_key", isinstance(block.get("public_key"), str | None)),
            ("fingerprint", isinstance(block.get("fingerprint"), str | None)),
            ("own", isinstance(block.get("own", ""), str)),
            (
                "sections",
                isinstance(block.get("sections", []), list) and all(strs(s) and len(s) == 2 for s in block.get("sections", [])),
            ),
            (
                "chains",
                isinstance(chains, dict)
                and all(
                    isinstance(c, dict)
                    and isinstance(c.get("proofs", {}), dict)
                    and all(strs(v) for v in c.get("proofs", {}).values())
                    and strs(c.get("leaves", []))
                    for c in chains.values()
                ),
            ),
            (
                "heads",
                isinstance(heads, dict)
                and all(
                    isinstance(h, dict)
                    and isinstance(h.get("statement"), str)
                    and isinstance(h.get("signature"), str)
                    and strs(h.get("consistency", []))
                    for h in heads.values()
                ),
            ),
        )
        if not good
    ]
    if wrong:
        raise PmjournalError(
            _("{path}: the evidence block is damaged ({wrong} not as pmjournal writes it)").format(
                path=path, wrong=", ".join(wrong)
            )
        )


def _shape_records(records: dict, path) -> None:
    for name, chain in records.items():
        if not isinstance(chain, list) or not all(isinstance(r, dict) for r in chain):
            raise PmjournalError(_("{path}: the exported records of {name} are damaged").format(path=path, name=name))


def _own_chain(block: dict) -> str:
    return block.get("own") or "journal"


def _statement(block: dict, path) -> dict:
    if block.get("format") != proof.FORMAT or not isinstance(block.get("statement"), str):
        raise PmjournalError(_("{path}: the evidence block is not pmjournal evidence").format(path=path))
    if block.get("version") != proof.VERSION:
        raise PmjournalError(
            _("{path}: evidence version {version!r} is not one this pmjournal reads; upgrade").format(
                path=path, version=block.get("version")
            )
        )
    try:
        return proof.parse_statement(block["statement"])
    except ValueError as err:
        raise PmjournalError(_("{path}: the statement is damaged ({err})").format(path=path, err=err)) from None


def _ref(name: str, seq, own: str) -> str:
    return f"#{seq}" if name == own else f"{name}#{seq}"


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
    # What a reader saves for ssh-keygen must be what pmjournal checks.
    if ev.shown is not None:
        if ev.shown.get("statement") != block["statement"]:
            out.problems.append(_("statement: the statement shown for ssh-keygen differs from the one in the evidence JSON"))
        elif ev.shown.get("signature") != (signature or None):
            out.problems.append(_("signature: the signature shown for ssh-keygen differs from the one in the evidence JSON"))
        elif ev.appendix != proof.appendix_text(block):
            out.problems.append(_("appendix: its text was changed after it was exported"))
    # Nothing the signature does not cover may follow the evidence: a reader would take it as part of the document.
    if ev.tail.strip():
        out.problems.append(_("document: something was added after its evidence block"))
    # 2. The document is the one the statement describes.
    if st.get("document") != "sha256:" + hashlib.sha256(ev.body).hexdigest():
        out.problems.append(_what_changed(ev))
    # 3. The records are the ones it lists, and each is in its chain at the stated head.
    records = ordered(ev.records)
    count, _sep, digest = (st.get("records") or "").partition(" sha256:")
    if count != str(len(records)) or digest != proof.records_digest(records):
        out.problems.append(
            _(
                "records: the export holds {n} records, not the ones the statement lists (records were added, removed or changed)"
            ).format(n=len(records))
        )
    own = _own_chain(block)
    for name, chain_records in sorted(ev.records.items()):
        stated_chain = st["chains"].get(name)
        proofs = (block.get("chains") or {}).get(name) or {}
        if stated_chain is None:
            out.problems.append(_("records of {name}: the statement names no such chain").format(name=name))
            continue
        if {k: proofs.get(k) for k in ("size", "head", "root", "first")} != stated_chain:
            out.problems.append(_("chain {name}: its size, head or root differ from the statement's").format(name=name))
        out.problems.extend(_check_chain(name, chain_records, stated_chain, proofs, own))
    # Each colleague vouches for their own chain: their signed head, and the exported
    # chain growing from it without rewriting it.
    for name, head in sorted((block.get("heads") or {}).items()):
        out.problems.extend(_check_head(name, head, st["chains"].get(name), out.notes, own))
    # 4. The entries shown are what those records fold to.
    out.problems.extend(_check_entries(ev, own))
    return out


def _check_head(name: str, head: dict, chain: dict | None, notes: list, own: str) -> list[str]:
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
                name=name, ref=_ref(name, size, own)
            )
        ]
    notes.append(
        _("{name}'s records up to {ref} are signed by {name}'s key {made_by}").format(
            name=name, ref=_ref(name, size, own), made_by=made_by
        )
    )
    return []


def _check_chain(name: str, records: list, stated: dict, proofs: dict, own: str) -> list[str]:
    problems = []
    size, head, root = stated["size"], stated["head"], bytes.fromhex(stated["root"])
    leaves = proofs.get("leaves")
    if leaves is not None:
        try:
            leaf_bytes = merkle.from_hex(leaves)
        except ValueError:
            return [_("chain {name}: its leaves are damaged").format(name=name)]
        if len(leaf_bytes) != size or merkle.root(leaf_bytes) != root:
            return [_("chain {name}: its leaves do not make the stated root").format(name=name)]
        if leaves[-1] != head:
            problems.append(_("chain {name}: the stated head is not its last record").format(name=name))
    else:
        head_proof = (proofs.get("proofs") or {}).get(str(size))
        if head_proof is None or not merkle.verify_inclusion(
            bytes.fromhex(head), size - 1, size, merkle.from_hex(head_proof), root
        ):
            problems.append(
                _("chain {name}: the stated head is not proved to be record #{size} under the root").format(name=name, size=size)
            )
    for record in records:
        seq = record.get("seq") if isinstance(record, dict) else None
        ref = _ref(name, seq, own)
        if not isinstance(seq, int) or not 0 < seq <= size:
            problems.append(_("{ref}: not a record of the chain at the stated head").format(ref=ref))
            continue
        if record.get("hash") != record_hash(record):
            problems.append(
                _("{ref}: its content does not match its hash (the record was changed after it was exported)").format(ref=ref)
            )
            continue
        if leaves is not None:
            if leaves[seq - 1] != record["hash"]:
                problems.append(_("{ref}: not the record the journal holds at #{seq}").format(ref=ref, seq=seq))
            continue
        path = (proofs.get("proofs") or {}).get(str(seq))
        try:
            good = path is not None and merkle.verify_inclusion(
                bytes.fromhex(record["hash"]), seq - 1, size, merkle.from_hex(path), root
            )
        except ValueError:
            good = False
        if not good:
            problems.append(_("{ref}: no proof that the journal held it at the stated head").format(ref=ref))
    return problems


def _check_entries(ev: Evidence, own: str) -> list[str]:
    """The folded entries the document shows must be what its records fold to."""
    merged = []
    for name, records in ev.records.items():
        for record in records:
            if isinstance(record, dict):
                r = dict(record)
                if name != own:
                    r["author"], r["ref"] = name, f"{name}#{r.get('seq')}"
                merged.append(r)
    # A record without an int seq or clock is already named by _check_chain; it cannot be ordered.
    merged = [
        r
        for r in merged
        if isinstance(r.get("seq"), int) and isinstance(r.get("clock", 0), int) and isinstance(r.get("author", ""), str)
    ]
    merged.sort(key=lambda r: (clock_of(r), r.get("author", ""), r.get("seq", 0)))
    try:
        views = fold(merged)
    except (KeyError, TypeError):
        return [_("records: they do not fold into entries (damaged)")]
    problems = []
    if ev.entries is not None:
        shown = {e.get("id"): e for e in ev.entries if isinstance(e, dict)}
        for entry_id, view in views.items():
            if view["kind"] not in ENTRY_KINDS:
                continue
            if entry_id not in shown:
                problems.append(
                    _("{ref}: its records are in the export but the entry is not").format(
                        ref=view.get("ref") or "#" + str(view["seq"])
                    )
                )
                continue
            # Links from entries outside the export, and the status they derive, are the
            # journal's: the rest must be what the records say.
            derived = ("linked_from", "superseded_by") + (("status",) if shown[entry_id].get("status") == "superseded" else ())
            want = {k: v for k, v in public(view).items() if k not in derived}
            got = {k: v for k, v in shown[entry_id].items() if k not in derived}
            if got != want:
                changed = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
                problems.append(
                    _("{ref}: the entry shown differs from its records ({changed})").format(
                        ref=view.get("ref") or "#" + str(view["seq"]), changed=", ".join(changed)
                    )
                )
        for entry_id in set(shown) - set(views):
            problems.append(_("entry {entry_id}: shown without the records behind it").format(entry_id=entry_id))
    return problems


def _part(heading: str) -> str:
    # The first part has no heading of its own: the evidence block names it in English.
    return _("the document header") if heading == proof.HEADER_PART else heading


def _what_changed(ev: Evidence) -> str:
    if ev.fmt != "markdown":
        return _("document: the export's content differs from what was signed (it was changed after it was exported)")
    stated = ev.block.get("sections") or []
    now = proof.sections(ev.body)
    for i, (heading, digest) in enumerate(now):
        if i >= len(stated):
            return _("document: a part was added after it was exported ({heading})").format(heading=_part(heading))
        if stated[i][1] != digest:
            return _("document: {stated} was changed after it was exported").format(stated=_part(stated[i][0]))
    if len(stated) > len(now):
        return _("document: {stated} was removed after it was exported").format(stated=_part(stated[len(now)][0]))
    return _("document: it was changed after it was exported")


def same_journal(ev: Evidence, chains: dict, own_name: str) -> bool:
    """Whether the journal holding `chains` (evidence/against.Against: each chain file as its
    first pass found it) is the one the export was taken from: its own chain (`own_name`)
    starts with the record the statement names first."""
    own = _own_chain(ev.block)
    stated = ev.statement["chains"].get(own)
    chain = chains.get(own) or chains.get(own_name)
    return bool(stated and chain and chain.first == stated["first"])


def check_since(ev: Evidence, chains: dict) -> list[str]:
    """The journal still extends every chain head the export states: nothing in it was
    rewritten or removed since (a record's hash covers every record before it). `chains`: by
    name, what answers `first`, len() and hash_at(#seq) of each (evidence/against.Scanned)."""
    problems = []
    own = _own_chain(ev.block)
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
        elif len(records) < size:
            problems.append(
                _("chain {name}: the journal ends at {ref}, before the exported head {ref2} (records were removed)").format(
                    name=name, ref=_ref(name, len(records), own), ref2=_ref(name, size, own)
                )
            )
        elif records.hash_at(size) != stated["head"]:
            problems.append(
                _("chain {name}: {ref} is not the record the export was taken at (the journal was rewritten)").format(
                    name=name, ref=_ref(name, size, own)
                )
            )
    return problems
