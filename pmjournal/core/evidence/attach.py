"""An export with its evidence block (proof.py): the document, hashed as it is written,
then the statement, its signature and the proofs."""

import hashlib

import orjson

from .. import dates
from ..fold import raw
from ..i18n import _
from ..query import Filter
from . import proof
from .signing import SigningKey


def exported_records(journal, filt: Filter, views=None):
    """The records of the entries `filt` selects and of their corrections, by chain, in #seq
    order: what the export shows, as recorded (the journal's own dicts: callers that write
    them strip what a view adds, with fold.raw).

    From the index where the reads offer it (index/reads.KeptRecords: the ids the export's
    stream kept, the records read by offset as they are written); else held (Held), from
    `views` when the caller holds them. Both answer names(), seqs(name), records(name),
    lines(name), hashes() and len()."""
    kept = getattr(journal, "kept", None)
    if kept is not None:
        return kept(filt)
    if views is None:
        from ..reads import selected

        views = selected(journal, filt, ordered=False)
    return Held(by_chain(journal, journal.records_of({v["id"] for v in views})))


class Held:
    """Exported records held in memory, by chain, each chain's in #seq order: the export of a
    loaded journal (the app's, or with the index off)."""

    def __init__(self, chained: dict[str, list[dict]]):
        self.chained = chained

    def names(self) -> list[str]:
        return sorted(self.chained)

    def seqs(self, name: str) -> list[int]:
        return [r["seq"] for r in self.chained.get(name, ())]

    def records(self, name: str):
        return iter(self.chained.get(name, ()))

    def lines(self, name: str):
        """Each record as the export writes it: its stored JSON (fold.raw strips what a view adds)."""
        dumps = orjson.dumps
        for record in self.chained.get(name, ()):
            yield dumps(raw(record))

    def hashes(self):
        for name in self.names():
            for record in self.chained[name]:
                yield record.get("hash")

    def __len__(self) -> int:
        return sum(map(len, self.chained.values()))


class _Both:
    """The exported records and the context's, as chain_proofs asks of them: each chain's #seqs."""

    def __init__(self, exported, context: Held):
        self.exported, self.context = exported, context

    def seqs(self, name: str) -> list[int]:
        return sorted({*self.exported.seqs(name), *self.context.seqs(name)})


def by_chain(journal, records) -> dict[str, list[dict]]:
    """`records` by the chain each is in, each chain's in #seq order."""
    own = journal.team.handle or "journal"
    out: dict[str, list[dict]] = {}
    for record in records:
        out.setdefault(proof.chain_name(record, own), []).append(record)
    for chain in out.values():
        chain.sort(key=lambda r: r["seq"])
    return out


def ordered(by_chain: dict[str, list[dict]]) -> list[dict]:
    return [r for name in sorted(by_chain) for r in by_chain[name]]


def with_evidence(chunks, journal, filt: Filter, fmt: str, key: SigningKey | None = None, views=None, generated=None, outside=None):
    """`chunks` (the export's bytes) followed by its evidence block. An `--unverified`
    export (a journal that fails verification) gets none: no proof or signature may
    vouch for what the chain does not. The exported records are those of `views` when
    the caller holds them, else those of the selection the chunks' stream kept in the
    index (exported_records). `generated`: the time the document says it was generated
    (default: now), which the statement states. `outside`: the ids of the entries outside
    the export a Markdown document names (markdown.iter_markdown fills it as the chunks are
    written): their records go in as `context`, each proved as the exported ones are, so
    that a reader without the journal holds what the document says of them (their #refs,
    their links: shown.EntryCheck.hold_outside)."""
    public = key.public() if key is not None else None  # refuses a bad key before anything is written
    digest = hashlib.sha256()
    parts = proof.Sections(spooled=True) if fmt == "markdown" else None
    tail = b""
    for chunk in chunks:
        if fmt == "json":
            # The JSON document's closing brace comes after the evidence member.
            chunk, tail = (tail + chunk)[:-3], (tail + chunk)[-3:]
        digest.update(chunk)
        if parts is not None:
            parts.feed(chunk)
        if chunk:
            yield chunk
    if fmt == "json" and tail != b"\n}\n":
        raise ValueError(_("the JSON export did not end as expected"))
    if journal.broken:  # known once the document was rendered (it reads every record)
        yield tail
        return
    records = exported_records(journal, filt, views)
    leaves = journal.chain_leaves()
    context = Held(by_chain(journal, journal.records_of(outside))) if fmt == "markdown" and outside else None
    chains = proof.chain_proofs(leaves, records if context is None else _Both(records, context))
    generated = dates.utc_stamp(generated)  # the document's own time, when the caller gave it one
    statement = proof.statement_text(
        fmt,
        generated,
        filt.to_json(),
        digest.hexdigest(),
        chains,
        records,
        public.blob if public else None,
        context,
    )
    evidence = {
        "format": proof.FORMAT,
        "version": proof.VERSION,
        "statement": statement,
        "signature": key.sign(statement.encode()) if key is not None else None,
        "public_key": public.line if public else None,
        "fingerprint": public.fingerprint() if public else None,
        "query": filt.to_json(),
        "own": journal.team.handle or "journal",
        "chains": chains,
        "heads": proof.signed_heads(journal.team, leaves, journal.team.handle or "journal"),
    }
    if fmt == "markdown":
        evidence["sections"] = parts.done()
        yield from proof.markdown_block(evidence, records, context)
    else:
        yield proof.JSON_MARK
        for piece in proof.iter_dumps(evidence, "  "):
            yield piece.encode()
        yield b"\n}\n"
