"""What an export carries so that a reader holding only the file can check it.

An export (Markdown or JSON) ends with an evidence block: a statement, signed
when a key is configured, and the proofs behind it. The statement's exact bytes
(UTF-8, one `\\n` after each line) are:

    pmjournal evidence 1
    format markdown|json
    generated <ISO 8601 time of the export>
    query <the filter, as canonical JSON>
    document sha256:<hex of every byte of the file before the evidence block>
    chain <name> size <N> head <hash of record #N> root <RFC 9162 Merkle root of records #1-#N> first <hash of record #1>
    records <count> sha256:<hex of the exported records' hashes, in order, one a line>
    context <count> sha256:<the same of the records of entries outside the export it names>
                                                             (Markdown exports naming any)
    key <the signer's public key: type and base64>          (signed exports only)

one `chain` line per chain the journal holds ("journal", or each author's
handle in a team journal), sorted by name. The signature is SSHSIG armour over
exactly those bytes, namespace `pmjournal` (signing.py): `ssh-keygen -Y verify`
checks it with nothing else installed (docs/evidence.md).

The proofs: every exported record (the entries and their corrections) with,
per chain, either an inclusion proof for each of them and for the head (when
few records of a large chain are exported: ~17 hashes each at 100k), or every
leaf of the chain (when that is smaller: a large part of the chain exported).
A leaf is a record's hash; a record's hash covers its content and the hash
before it, so a record that hashes to a leaf under the signed root was in the
journal, exactly so, at the signed head.

Completeness (that no entry matching the filter was left out) cannot be shown
from the exported records alone without revealing the others: the statement
says which filter selected them, so the signer vouches for it, and
`verify --evidence` with the journal at hand runs the filter again.
"""

import hashlib
import itertools
import json
import re

import orjson

from ..i18n import _
from . import heads, merkle

FORMAT = "pmjournal-evidence"
VERSION = 1
# Where the evidence block starts: what comes before it is the document the statement hashes.
# In English; markdown_proof.mark(lang) is the same in the document's language.
MARKDOWN_MARK = '\n---\n\n## <a id="proof" name="proof"></a>Appendix: machine-readable proof\n'
JSON_MARK = b',\n  "evidence": '
_HEX64 = re.compile(r"[0-9a-f]{64}")


def chain_name(record: dict, own: str) -> str:
    return record.get("author") or own


def statement_text(fmt: str, generated: str, query: dict, document: str, chains: dict, records, key: str | None, context=None) -> str:
    """`records`: the exported records (evidence/attach.Held or index/reads.KeptRecords);
    `context`: the records of the entries outside the export a Markdown document names
    (attach.Held), stated so that a document cannot pass with them taken out."""
    lines = [
        f"pmjournal evidence {VERSION}",
        f"format {fmt}",
        f"generated {generated}",
        "query " + orjson.dumps(query, option=orjson.OPT_SORT_KEYS).decode(),
        f"document sha256:{document}",
    ]
    for name in sorted(chains):
        c = chains[name]
        lines.append(f"chain {name} size {c['size']} head {c['head']} root {c['root']} first {c['first']}")
    lines.append(f"records {len(records)} sha256:{hashes_digest(records.hashes())}")
    if context:
        lines.append(f"context {len(context)} sha256:{hashes_digest(context.hashes())}")
    if key:
        lines.append(f"key {key}")
    return "".join(line + "\n" for line in lines)


def records_digest(records: list[dict]) -> str:
    return hashes_digest(r.get("hash") for r in records)


def hashes_digest(hashes) -> str:
    """sha256 of the records' hashes, one a line (a missing one reads None), fed a thousand at a time."""
    digest = hashlib.sha256()
    batch: list[str] = []
    for h in hashes:
        batch.append(f"{h}\n")
        if len(batch) >= 1000:
            digest.update("".join(batch).encode())
            batch.clear()
    digest.update("".join(batch).encode())
    return digest.hexdigest()


def parse_statement(text: str) -> dict:
    """The statement's fields; chains as {name: {size, head, root}}. Raises ValueError if it is not one."""
    lines = text.split("\n")
    if not lines or lines[0] != f"pmjournal evidence {VERSION}" or lines[-1] != "":
        raise ValueError(_("not a pmjournal evidence statement"))
    out: dict = {"chains": {}}
    for line in lines[1:-1]:
        key, _sep, rest = line.partition(" ")
        if key == "chain":
            parts = rest.split(" ")
            if (
                len(parts) != 9
                or parts[1:8:2] != ["size", "head", "root", "first"]
                or not parts[2].isascii()
                or not parts[2].isdigit()
                or not all(_HEX64.fullmatch(h) for h in parts[4:9:2])
            ):
                raise ValueError(_("a damaged chain line: {line}").format(line=line[:80]))
            out["chains"][parts[0]] = {"size": int(parts[2]), "head": parts[4], "root": parts[6], "first": parts[8]}
        elif key == "query":
            out["query"] = json.loads(rest)
        elif key in ("format", "generated", "document", "records", "context", "key"):
            out[key] = rest
        else:
            raise ValueError(_("an unknown statement line: {line}").format(line=line[:80]))
    return out


def chain_proofs(chains: dict[str, list[bytes]], exported) -> dict:
    """Per chain (its leaves: the records' hashes as bytes in #seq order, merkle.chain_leaves):
    size, head, root and what proves each exported record (proofs or leaves). `exported`:
    the exported records (evidence/attach.Held or index/reads.KeptRecords)."""
    out = {}
    for name, leaves in chains.items():
        if not leaves:
            continue
        size = len(leaves)
        entry = {"size": size, "head": leaves[-1].hex(), "first": leaves[0].hex()}
        mine = exported.seqs(name)  # ascending, each once
        wanted = len(mine) + (not mine or mine[-1] != size)  # and the head
        # Inclusion proofs cost ~log2(size) hashes a record; every leaf costs `size`.
        depth = max(size - 1, 1).bit_length()
        if wanted * depth < size:
            wanted = sorted({*mine, size})
            tree = merkle.tree_of(leaves)
            entry["root"] = tree.root().hex()
            entry["proofs"] = {str(seq): merkle.to_hex(tree.inclusion_proof(seq - 1)) for seq in wanted}
        else:
            # no tree kept: nothing to prove one by one
            entry["root"] = (merkle.tree_of(leaves).root() if hasattr(leaves, "tree") else merkle.root(leaves)).hex()
            entry["leaves"] = Hexes(leaves)  # written as they are read: 64 MB of text at 1M
        out[name] = entry
    return out


# A heading line after a line break: the same lines as rb"^###? " with re.MULTILINE, found
# ~6x faster (58 ms against 9 ms over a 10k-entry document); a chunk's first line is
# looked at on its own (Sections.feed).
_HEADING = re.compile(rb"\n###? ")
_ANCHOR = re.compile(r"<a [^>]*></a>")
# The name of the document's first part (before any heading) in the evidence block: data,
# the same in every language; check.py shows it in the reader's.
HEADER_PART = "the document header"


class Sections:
    """Fed a Markdown document chunk by chunk: [heading, sha256] for each part that starts
    at a `## ` or `### ` heading (the first part is the document's header), so that a changed
    document names the entry that changed. Only heading lines are looked at one by one.
    `spooled`: the parts go to a temporary file as they are found (an export: one part an
    entry, a million of them would cost 300 MB held), read back when the evidence is written."""

    def __init__(self, spooled: bool = False):
        self.parts: list[list[str]] | SpooledItems = SpooledItems() if spooled else []
        self._heading = HEADER_PART
        self._hash = hashlib.sha256()
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
        data = self._partial + chunk
        cut = data.rfind(b"\n") + 1
        complete, self._partial = data[:cut], data[cut:]
        at = 0
        starts = (found.start() + 1 for found in _HEADING.finditer(complete))
        if complete.startswith((b"## ", b"### ")):  # complete always begins a line
            starts = itertools.chain((0,), starts)
        view, parts, sha256 = memoryview(complete), self.parts, hashlib.sha256
        for start in starts:
            self._hash.update(view[at:start])
            parts.append([self._heading, self._hash.hexdigest()])
            eol = complete.index(b"\n", start)
            self._heading = _plain_heading(complete[start:eol].decode("utf-8", "replace"))
            self._hash = sha256()
            at = start
        self._hash.update(view[at:])

    def done(self) -> list[list[str]]:
        if self._partial:
            self.feed(b"")
            self._hash.update(self._partial)  # a last line without its newline
            self._partial = b""
        self.parts.append([self._heading, self._hash.hexdigest()])
        return self.parts


def signed_heads(team, chains: dict[str, list[bytes]], own: str) -> dict:
    """Each colleague's latest signed head (evidence/heads.py) as the last sync checked it,
    with a consistency proof from it to the chain as exported (none when it is the same)."""
    out = {}
    for name, leaves in chains.items():
        head = team.signed_head(name) if name != own else None
        if not head or not leaves:
            continue
        try:
            size = heads.parse(head["statement"])["size"]
        except (ValueError, KeyError, TypeError):
            continue  # kept by a sync that checked it; a damaged copy here vouches for nothing
        if not 0 < size <= len(leaves):
            continue
        entry = {"statement": head["statement"], "signature": head["signature"]}
        if size < len(leaves):
            entry["consistency"] = merkle.to_hex(merkle.tree_of(leaves).consistency_proof(size))
        out[name] = entry
    return out


def sections(body: bytes) -> list[list[str]]:
    found = Sections()
    found.feed(body)
    return found.done()


def _plain_heading(line: str) -> str:
    return _ANCHOR.sub("", line.strip().lstrip("#").strip())


def fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in `text` (user text may hold ```)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


class Lazy:
    """A list the evidence holds that iter_dumps writes as it reads it, never held whole."""

    def json_items(self):
        """Each item as JSON text, as orjson writes it."""
        for item in self:
            yield orjson.dumps(item).decode()


class Hexes(Lazy):
    """A chain's leaves as the hex strings the evidence lists, made as they are written
    (iter_dumps): a list of a million of them would cost 110 MB."""

    def __init__(self, leaves):
        self.leaves = leaves

    def __len__(self) -> int:
        return len(self.leaves)

    def __iter__(self):
        for leaf in self.leaves:
            yield leaf.hex()

    def json_items(self):
        for leaf in self.leaves:
            yield f'"{leaf.hex()}"'  # hex needs no escaping


class SpooledItems(Lazy):
    """A list appended to in memory up to a few MB and in a temporary file beyond, one JSON
    line an item, read back in order (Sections of a large export)."""

    def __init__(self):
        import tempfile

        self._file = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (lives as long as the export)
        self._n = 0

    def append(self, item) -> None:
        self._file.write(orjson.dumps(item) + b"\n")
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self):
        self._file.seek(0)
        for line in self._file:
            yield orjson.loads(line)
        self._file.seek(0, 2)  # appending goes on at the end


def dumps(value, indent: str = "", depth: int = 3) -> str:
    """JSON with the first `depth` levels spread over lines and everything deeper on one
    line: a record, a proof or a leaf list a line, instead of one value a line (a 10-entry
    export stays small, and still reads)."""
    return "".join(iter_dumps(value, indent, depth))


def iter_dumps(value, indent: str = "", depth: int = 3):
    """dumps() in pieces, joined about 64 KB at a time: the evidence of a whole large chain
    (every leaf) is written without ever being one string."""
    batch: list[str] = []
    size = 0
    for piece in _pieces(value, indent, depth):
        if size + len(piece) > 1 << 16 and batch:
            yield "".join(batch)
            batch.clear()
            size = 0
        batch.append(piece)
        size += len(piece)
    if batch:
        yield "".join(batch)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _pieces(value, indent: str, depth: int):
    if isinstance(value, Lazy) and (depth == 0 or not len(value)):
        # what orjson makes of the list on one line, joined 256 items at a time (a chain's
        # leaves: 12k in a 10k-entry export)
        yield "["
        batch: list[str] = []
        sep = ""
        for text in value.json_items():
            batch.append(text)
            if len(batch) >= 256:
                yield sep + ",".join(batch)
                batch.clear()
                sep = ","
        if batch:
            yield sep + ",".join(batch)
        yield "]"
        return
    if depth == 0 or not isinstance(value, dict | list | Lazy) or not len(value):
        yield orjson.dumps(value).decode()
        return
    inner = indent + "  "
    if (flat := _flat(value, indent)) is not None:
        yield flat
        return
    if isinstance(value, dict):
        sep = "{\n"
        for k, v in value.items():
            yield f"{sep}{inner}{orjson.dumps(str(k)).decode()}: "
            yield from _pieces(v, inner, depth - 1)
            sep = ",\n"
        yield f"\n{indent}}}"
        return
    sep = "[\n"
    run: list = []  # consecutive flat items (a section's [heading, hash]: 100k of them at 100k)
    for v in value:
        if depth > 1 and _is_flat(v):
            run.append(v)
            if len(run) >= 128:
                yield sep + _spread(run, indent)
                sep, run = ",\n", []
            continue
        if run:
            yield sep + _spread(run, indent)
            sep, run = ",\n", []
        yield sep + inner
        yield from _pieces(v, inner, depth - 1)
        sep = ",\n"
    if run:
        yield sep + _spread(run, indent)
    yield f"\n{indent}]"


def _is_flat(value) -> bool:
    """A non-empty list of plain values: _pieces spreads it one value a line."""
    if value.__class__ is not list or not value:
        return False
    for item in value:
        if item.__class__ not in _SCALARS:
            return False
    return True


def _flat(value, indent: str) -> str | None:
    """_pieces' text of a flat list (_is_flat) at `indent`, in one piece; else None."""
    if not _is_flat(value):
        return None
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n" + indent)


def _spread(items: list, indent: str) -> str:
    """Flat lists, the items of a list at `indent`, as _pieces writes them one by one ("  [",
    one value a line, "  ]", joined by ",\n"), from one orjson call: its OPT_INDENT_2 text is
    that, two spaces in; moved right by `indent`, without the brackets around it."""
    text = orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()
    return indent + text[2:-2].replace("\n", "\n" + indent)


def _no_backticks(line: bytes) -> bytes:
    # A backtick only ever appears inside a JSON string, where \u0060 means the same:
    # then no user text can close the appendix's code fence.
    return line.replace(b"`", b"\\u0060")


def markdown_block(evidence: dict, records, context=None):
    """The appendix, in pieces: readable instructions, the statement and signature as plain
    blocks a reader can save for ssh-keygen, and the whole evidence as one JSON block whose
    records (`records`: evidence/attach.Held or index/reads.KeptRecords) are written one a
    line as they are read (a 100k-record export never holds their JSON at once); so are
    those of the entries outside the export it names (`context`: attach.Held), before them."""
    from ..markdown_proof import with_language

    evidence = with_language(evidence)  # before the appendix's words: they are in that language
    yield appendix_text(evidence).encode("utf-8")
    # The evidence object without its closing "\n}": the context and records members follow.
    held = ""
    for piece in iter_dumps(evidence):
        if held:
            yield _no_backticks(held.encode("utf-8"))
        held = piece
    yield _no_backticks(held[: held.rfind("\n}")].encode("utf-8"))
    if context:
        yield b',\n  "context": {'
        yield from _chains_of(context)
        yield b"\n  }"
    yield b',\n  "records": {'
    yield from _chains_of(records)
    yield b"\n  }\n}\n```\n"


def _chains_of(records):
    """Each chain's records, one stored line a line, as `"name": [...]` members."""
    dump = orjson.dumps
    for n, name in enumerate(records.names()):
        yield (b"," if n else b"") + b"\n    " + dump(name) + b": ["
        chunk = []
        for i, line in enumerate(records.lines(name)):
            chunk.append((b",\n      " if i else b"\n      ") + line)
            if len(chunk) >= 1000:
                yield _no_backticks(b"".join(chunk))
                chunk = []
        yield _no_backticks(b"".join(chunk)) + b"\n    ]"


def appendix_text(evidence: dict) -> str:
    """The appendix up to its JSON block: what a reader reads, so verify checks it is exactly this.
    In the document's language (the block's `language`; markdown_proof.py has the words)."""
    from ..markdown_proof import appendix_text

    return appendix_text(evidence)
