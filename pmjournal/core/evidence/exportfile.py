"""An export file as `verify --evidence` and `verify --since` read it: in pieces, never whole.

A whole-journal export is ~1.4 KB a record (a 1M-record Markdown export is ~1.4 GB), and the
file once held whole, parsed and folded cost 4-6 times its size. Here it is read with
core/jsonstream.py, as `import` reads one, in passes that each hold one record at a time:

1. read(): where the evidence block starts (the last mark in the file, found from its end),
   then the whole document as JSON, checking that it is JSON and of the shape pmjournal
   writes, keeping the block's small members (statement, signature, heads, query...), each
   chain's leaves packed 32 bytes a hash (`ChainProof`, 32 MB at 1M), and where each chain's
   records, the JSON export's entries and the Markdown appendix's section digests start;
2. check.check() then hashes the document before the block (`digest()`), reads each chain's
   records from where they start (`records()`), checking each against its proofs as it goes,
   and keeps where each one is in a temporary SQLite database (evidence/exported.py), which
   groups them by entry so that each entry is folded from its own records.

What it finds is what reading the file whole found: tests/test_evidence.py damages exports
in every way it knows and checks the line that names each.
"""

import hashlib
import os
import re
from functools import partial
from pathlib import Path

import orjson

from .. import i18n, markdown_proof
from ..errors import PmjournalError
from ..i18n import _
from ..jsonstream import JsonStream, NotJSON
from ..verify_split import Window
from . import merkle, proof

_CHUNK = 1 << 20
_FENCE = re.compile(rb"\n(`{3,})json\n")
_OBJECT, _ARRAY = ord("{"), ord("[")
_WHITESPACE = b" \t\r\n"
# The block's members read whole: each a few KB at most. Anything else is stepped through.
_SMALL = ("format", "version", "statement", "signature", "public_key", "fingerprint", "own", "query", "heads", "language")
_STATED = ("size", "head", "root", "first")
_HEAD = ("statement", "signature", "consistency")  # a colleague's signed head, as proof.signed_heads writes it


class ChainProof:
    """What the evidence block says proves one chain's records: every leaf (`leaves`, the
    hashes packed end to end; `damaged` if one was not a hash) or inclusion proofs by #seq as
    text (`proofs`, each packed; None for a proof that was not hashes)."""

    def __init__(self):
        self.leaves: bytearray | None = None
        self.damaged = False
        self.proofs: dict[str, bytes | None] = {}

    def leaf(self, seq: int) -> bytes:
        return bytes(self.leaves[(seq - 1) * merkle.HASH_SIZE : seq * merkle.HASH_SIZE])

    def proof(self, key: str) -> list[bytes] | None:
        packed = self.proofs.get(key)
        if packed is None:
            return None
        return [packed[at : at + merkle.HASH_SIZE] for at in range(0, len(packed), merkle.HASH_SIZE)]


# The members a JSON export has before its entries (transfer.iter_json), each small.
JSON_HEADER = ("format", "version", "generated_at", "journal", "filter", "chain_head", "unverified")


class Evidence:
    """An export read by read(): `block` holds the evidence block's small members and, under
    "chains", each chain's stated size, head, root and first (`proofs` holds what proves
    them); the rest is read from the file when asked."""

    def __init__(self, path: Path, fmt: str, fh):
        self.path, self.fmt, self.fh = path, fmt, fh
        self.block: dict = {}
        self.statement: dict = {}
        self.proofs: dict[str, ChainProof] = {}
        self.records_at: dict[str, int | None] = {}  # where each chain's records start (None: it has none)
        # where each chain's context records start (the Markdown appendix's records of the entries
        # outside the export it names); None: it carries none (a document made before they were)
        self.context_at: dict[str, int] | None = None
        self.entries_at: int | None = None  # the JSON export's entries
        self.sections_at: int | None = None  # the Markdown appendix's section digests
        self.body_end = 0  # the document the statement hashes is the file's bytes before this
        self.added_after = False  # something follows the evidence block
        self.shown: dict | None = None  # the Markdown appendix's statement and signature blocks, for ssh-keygen
        self.appendix: str | None = None  # the Markdown appendix's text before its JSON block
        self.unknown: list[str] = []  # members of the evidence block pmjournal does not write
        self.twice: list[str] = []  # members of the evidence block it holds more than once
        # what holds a member twice (the JSON export's own members, a record, an entry): a reader
        # of the file sees the first, a JSON reader (and the check) takes the last
        self.doubled: list[str] = []
        self.header: dict = {}  # the JSON export's own members before its entries (format, filter...)
        self.strays: list[str] = []  # members of the JSON export pmjournal does not write
        self.chain_heads: dict[str, object] = {}  # a team JSON export's `chains.<name>.chain_head`
        self._exported = None

    def close(self) -> None:
        if self._exported is not None:
            self._exported.close()
        self.fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def own(self) -> str:
        return self.block.get("own") or "journal"

    def digest(self) -> str:
        """sha256 of the document: every byte before the evidence block."""
        digest = hashlib.sha256()
        for chunk in self.body_chunks():
            digest.update(chunk)
        return digest.hexdigest()

    def body_chunks(self):
        return self._chunks(0, self.body_end)

    def _chunks(self, start: int, end: int):
        return iter(partial(Window(self.fh.fileno(), start, end).read, _CHUNK), b"")

    def records(self, name: str):
        """(record, start, end) of each record of chain `name` as the file holds them, in order."""
        own = self.own
        return self._spans(self.records_at.get(name), lambda r: f"record {chain_ref(name, r.get('seq'), own)}")

    def context_records(self, name: str):
        """Each context record of chain `name` as the file holds it, in order."""
        own = self.own
        for record, _start, _end in self._spans(self.context_at.get(name), lambda r: f"record {chain_ref(name, r.get('seq'), own)}"):
            yield record

    def entries(self):
        """(entry, start, end) of each entry the JSON export shows."""
        return self._spans(self.entries_at, lambda e: f"entry {e.get('id')}")

    def _spans(self, at: int | None, label=None):
        """(item, where it starts, where it ends) of the array read() found at `at`; an item
        holding a member twice goes to `doubled`, as `label(item)` names it."""
        if at is None:
            return
        stream = JsonStream(self.fh, at)
        try:
            for _item in stream.items():
                stream.peek()
                start = stream.offset
                item = stream.value()
                if label is not None and isinstance(item, dict) and doubled(self.read_at(start, stream.offset), item):
                    self.doubled.append(label(item))
                yield item, start, stream.offset
        except NotJSON:  # read() read it all: only a file changed since can fail here
            raise PmjournalError(_("{path} changed while it was being checked").format(path=self.path)) from None

    def read_at(self, start: int, end: int) -> bytes:
        return os.pread(self.fh.fileno(), end - start, start)

    def sections(self):
        """The Markdown appendix's [heading, sha256] of each part of the document, in order."""
        if self.sections_at is None:
            return
        yield from JsonStream(self.fh, self.sections_at).values()

    def exported(self, visit=None):
        """The exported records (evidence/exported.Exported), read once, chain by chain in name
        order; `visit(name)` is asked at the start of each chain for what to call with each of
        its records (or None)."""
        from .exported import Exported

        if self._exported is not None and visit is None:
            return self._exported
        if self._exported is not None:
            self._exported.close()
        found = Exported(self.own)
        for name in sorted(self.records_at):
            each = visit(name) if visit is not None else None
            for record, start, end in self.records(name):
                found.add(name, record, start, end)
                if each is not None:
                    each(record)
        found.done()
        self._exported = found
        return found


def doubled(raw: bytes, item: dict) -> bool:
    """Whether the JSON object `raw` (which parsed to `item`) holds a member twice, at any depth.
    As pmjournal writes a record or an entry (orjson, keys sorted or in order), at once."""
    raw = raw.strip()
    if raw == orjson.dumps(item) or raw == orjson.dumps(item, option=orjson.OPT_SORT_KEYS):
        return False
    import json

    found = False

    def pairs(members):
        nonlocal found
        keys = [key for key, _value in members]
        found = found or len(keys) != len(set(keys))
        return dict(members)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except ValueError:
        return False  # (what orjson read, json did not: the record's own checks say more)
    return found


def chain_ref(name: str, seq, own: str) -> str:
    """How the export's author names record `seq` of chain `name`: `#4` in their own, `bb#4` in a colleague's."""
    return f"#{seq}" if name == own else f"{name}#{seq}"


def read(path) -> Evidence:
    """The export at `path`, checked as JSON and for its evidence block's shape; one line if
    it is not an export with evidence."""
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 (Evidence closes it)
        size = os.fstat(fh.fileno()).st_size
        first = os.pread(fh.fileno(), 4096, 0).lstrip()
    except OSError as err:
        raise PmjournalError(_("cannot read {path}: {strerror}").format(path=path, strerror=err.strerror)) from None
    try:
        if first.startswith(b"\xef\xbb\xbf"):
            raise PmjournalError(
                _("{path} begins with a byte-order mark, which pmjournal never writes: it was edited after the export").format(
                    path=path
                )
            )
        if _journal_header(first):
            # A journal, given where an export was meant ("is not valid JSON (it was cut or edited)")
            raise PmjournalError(
                _("{path} is a journal, not an export: check it with pmjournal --db {path} verify").format(path=path)
            )
        if first.startswith(b"{"):
            ev = Evidence(path, "json", fh)
            _read_json(ev, size)
        else:
            ev = Evidence(path, "markdown", fh)
            _read_markdown(ev, size)
    except BaseException:
        fh.close()
        raise
    return ev


class DocumentHash:
    """sha256 of a JSON export's document (its bytes before the evidence block, where the
    export's own layout puts it), hashed in a thread while the caller reads the file:
    hashlib lets other threads run while it hashes, so an import checks a 140 MB export's
    hash in about the time its own pass over the file takes anyway (transfer._File)."""

    def __init__(self, fd: int, size: int):
        import threading

        self.end = _last(fd, size, [proof.JSON_MARK])
        self._hex: str | None = None
        self._thread = None
        if self.end >= 0:
            self._thread = threading.Thread(target=self._hash, args=(fd,), daemon=True)
            self._thread.start()

    def _hash(self, fd: int) -> None:
        digest = hashlib.sha256()
        try:
            for chunk in iter(partial(Window(fd, 0, self.end).read, _CHUNK), b""):
                digest.update(chunk)
        except OSError:  # the file was closed under it: the caller refused it and went on
            return
        self._hex = digest.hexdigest()

    def hexdigest(self) -> str | None:
        """The document's sha256; None where the file has no evidence block in the export's layout."""
        if self._thread is not None:
            self._thread.join()
        return self._hex


def _read_json(ev: Evidence, size: int) -> None:
    path, fd = ev.path, ev.fh.fileno()
    stream = JsonStream(ev.fh)
    block = None
    bad: set[str] = set()
    own_at, chains, damaged = None, {}, False
    try:
        if stream.peek() != _OBJECT:
            stream.skip()
        else:
            seen: set[str] = set()
            for key in stream.members():
                if key in seen:
                    ev.doubled.append(key)
                seen.add(key)
                if key == "entries":
                    ev.entries_at, ok = _array_at(stream)
                    damaged = damaged or not ok
                elif key == "records":
                    own_at = None  # only a list is this author's records (a JSON reader's `records`)
                    if stream.peek() == _ARRAY:
                        own_at = _record_array(stream, path, "journal")
                    else:
                        stream.skip()
                elif key == "chains":
                    chains = {}
                    if stream.peek() != _OBJECT:
                        stream.skip()
                        damaged = True
                        continue
                    for name in stream.members():
                        chains[name] = None
                        if stream.peek() != _OBJECT:
                            stream.skip()
                            continue
                        for member in stream.members():
                            if member == "records":
                                chains[name] = _record_array(stream, path, name)
                            elif member == "chain_head":
                                ev.chain_heads[name] = stream.value()  # held against the statement (check._json_header)
                            else:
                                ev.strays.append(f"chains.{name}.{member}")
                                stream.skip()
                elif key == "evidence":
                    if stream.peek() == _OBJECT:
                        bad = set()
                        block = _read_block(ev, stream, bad)
                    else:
                        stream.skip()
                        block = None
                elif key in JSON_HEADER:
                    ev.header[key] = stream.value()  # a few small values (check._check_header)
                else:
                    ev.strays.append(key)  # added after the export (check.check names it)
                    stream.skip()
        stream.end()
    except NotJSON:
        raise PmjournalError(_("{path} is not valid JSON (it was cut or edited)").format(path=path)) from None
    if block is None:
        raise PmjournalError(_("{path} has no evidence block (exported by an older pmjournal?)").format(path=path))
    _shape(ev.block, bad, path)
    if damaged:
        raise PmjournalError(_("{path}: the export's entries or chains are damaged").format(path=path))
    if own_at is not None:
        ev.records_at[ev.own] = own_at
    ev.records_at.update(chains)
    ev.statement = _statement(ev.block, path)
    at = _last(fd, size, [proof.JSON_MARK])
    if at < 0:
        return  # written out again by something else: the document cannot match; the rest is still checked
    ev.body_end = at
    # Members after the evidence would go unhashed, yet override the document's for a JSON
    # reader (the last of duplicate keys wins).
    after = JsonStream(ev.fh, at + len(proof.JSON_MARK))
    try:
        after.skip()
    except NotJSON:
        ev.added_after = True
        return
    ev.added_after = _content(fd, after.offset, size) != b"}"


def _journal_header(first: bytes) -> bool:
    """Whether the file starts as a journal does: one line, {"format": "pmjournal", "schema": N}."""
    import orjson

    try:
        header = orjson.loads(first.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return False
    return isinstance(header, dict) and header.get("format") == "pmjournal" and "schema" in header


def _unverified(head: bytes) -> bool:
    """Whether a document's start carries the banner of an export made with --unverified
    (markdown._Writer.header), in any language."""
    from ..markdown import unverified_mark

    text = head.decode("utf-8", "replace")
    return any(unverified_mark(lang) in text for lang in i18n.LANGUAGES)


def first_line(fd: int) -> str:
    return os.pread(fd, 4096, 0).split(b"\n", 1)[0].decode("utf-8", "replace")


def _read_markdown(ev: Evidence, size: int) -> None:
    path, fd = ev.path, ev.fh.fileno()
    at = _last(fd, size, [markdown_proof.mark(lang).encode() for lang in i18n.LANGUAGES])  # in the document's language
    if at < 0:
        if path.suffix.lower() == ".csv" or first_line(fd).count(",") >= 3:
            raise PmjournalError(
                _("{path} looks like a CSV export, which carries no evidence: export Markdown or JSON to check one").format(
                    path=path
                )
            )
        head = os.pread(fd, 1 << 16, 0)
        if b"\r\n" in head:
            # A copy whose lines were turned into CRLF (an email client, git's autocrlf) hides its
            # evidence mark, and its hashes no longer match: say so rather than "no appendix".
            raise PmjournalError(
                _(
                    "{path} has Windows line endings (CRLF): it was converted after the export (an email client, git's autocrlf); check the file as exported, or convert it back (dos2unix)"
                ).format(path=path)
            )
        if _unverified(head):
            raise PmjournalError(
                _(
                    "{path} was exported with --unverified, from a journal that failed verification: it carries no evidence by design, and nothing in it is vouched for"
                ).format(path=path)
            )
        raise PmjournalError(
            _("{path} has no evidence appendix (exported by an older pmjournal, or the appendix was removed)").format(path=path)
        )
    window = 1 << 16
    while True:  # the appendix's words and statement: a few KB
        head = os.pread(fd, window, at)
        fence = _FENCE.search(head)
        if fence is not None or at + len(head) >= size:
            break
        window *= 4
    if fence is None:
        raise PmjournalError(_("{path}: the evidence appendix has no JSON block").format(path=path))
    start = at + fence.end()
    closing = b"\n" + fence.group(1) + b"\n"
    stream = JsonStream(ev.fh, start)
    bad: set[str] = set()
    block = None
    try:
        if stream.peek() == _OBJECT:
            block = _read_block(ev, stream, bad)
        else:
            stream.skip()
        ends = re.compile(rb"[ \t\r\n]*?" + re.escape(closing)).match(os.pread(fd, 1 << 16, stream.offset))
    except NotJSON:
        ends = None
    if ends is None:
        if _find(fd, closing, start, size) < 0:
            raise PmjournalError(
                _("{path}: the evidence appendix's JSON block is not closed (the file was cut)").format(path=path)
            )
        raise PmjournalError(_("{path}: the evidence appendix's JSON is damaged").format(path=path))
    if block is None or ev.records_at is None:
        raise PmjournalError(_("{path}: the evidence appendix is not pmjournal evidence").format(path=path))
    _shape(ev.block, bad, path)
    ev.statement = _statement(ev.block, path)
    ev.body_end = at
    ev.added_after = bool(_content(fd, stream.offset + ends.end(), size))
    text = head[: fence.start()].decode("utf-8", "replace")
    ev.shown = markdown_proof.shown(text, ev.block)
    ev.appendix = head[: fence.end()].decode("utf-8", "replace")


def _read_block(ev: Evidence, stream: JsonStream, bad: set[str]) -> dict:
    """The evidence block's members, into `ev` (a later duplicate replaces an earlier one, as
    for a JSON reader, and is named in `ev.twice`: a reader of the appendix sees the first);
    what is not of the shape pmjournal writes is named in `bad`."""
    block: dict = {}
    ev.block, ev.proofs, ev.sections_at, ev.unknown, ev.twice = block, {}, None, [], []
    ev.records_at = {} if ev.fmt == "json" else None
    seen: set[str] = set()
    for key in stream.members():
        if key in seen and key not in ev.twice:
            ev.twice.append(key)
        seen.add(key)
        if key == "chains":
            block["chains"], ev.proofs = _chains(stream, bad, ev.unknown)
        elif key == "sections":
            ev.sections_at = _sections(stream, bad)
        elif key == "records" and ev.fmt == "markdown":
            ev.records_at = None
            if stream.peek() != _OBJECT:
                stream.skip()
                continue
            ev.records_at = {name: _record_array(stream, ev.path, name) for name in stream.members()}
        elif key == "context":
            # where each chain's records start, read one at a time when checked (context_records)
            if stream.peek() != _OBJECT:
                stream.skip()
                bad.add("context")
                continue
            ev.context_at = {}
            for name in stream.members():
                if name in ev.context_at:
                    ev.doubled.append("context")
                ev.context_at[name] = _record_array(stream, ev.path, name)
        elif key in _SMALL:
            block[key] = stream.value()
            if key == "heads" and isinstance(block[key], dict):
                for name, head in block[key].items():
                    unknown = [k for k in head if k not in _HEAD] if isinstance(head, dict) else []
                    ev.unknown.extend(f"heads.{name}.{k}" for k in unknown)
        else:
            ev.unknown.append(key)  # added after the export (check.check names it)
            stream.skip()
    return block


def _chains(stream: JsonStream, bad: set[str], unknown: list[str]) -> tuple[dict, dict]:
    stated: dict = {}
    proofs: dict[str, ChainProof] = {}
    if stream.peek() != _OBJECT:
        stream.skip()
        bad.add("chains")
        return {}, {}
    for name in stream.members():
        if stream.peek() != _OBJECT:
            stream.skip()
            bad.add("chains")
            continue
        fields: dict = {}
        chain = ChainProof()
        for key in stream.members():
            if key in _STATED:
                fields[key] = stream.value()
            elif key == "leaves":
                chain.leaves = _leaves(stream, chain, bad)
            elif key == "proofs":
                _proofs(stream, chain, bad)
            else:
                unknown.append(f"chains.{name}.{key}")  # a reader of the appendix takes it as pmjournal's word
                stream.skip()
        stated[name], proofs[name] = fields, chain
    return stated, proofs


def _leaves(stream: JsonStream, chain: ChainProof, bad: set[str]) -> bytearray | None:
    if stream.peek() != _ARRAY:
        stream.skip()
        bad.add("chains")
        return None
    packed = bytearray()
    fromhex = bytes.fromhex
    for item in stream.strings():
        if item.__class__ is not str:
            bad.add("chains")
        elif not chain.damaged:
            try:
                digest = fromhex(item)
            except ValueError:
                digest = b""
            if len(digest) != merkle.HASH_SIZE or len(item) != 2 * merkle.HASH_SIZE:  # fromhex skips spaces
                chain.damaged = True
            packed += digest
    return packed


def _proofs(stream: JsonStream, chain: ChainProof, bad: set[str]) -> None:
    if stream.peek() != _OBJECT:
        stream.skip()
        bad.add("chains")
        return
    for key in stream.members():
        if stream.peek() != _ARRAY:
            stream.skip()
            bad.add("chains")
            continue
        hexes = list(stream.strings())
        if not all(h.__class__ is str for h in hexes):
            bad.add("chains")
            continue
        try:
            chain.proofs[key] = b"".join(merkle.from_hex(hexes))
        except ValueError:
            chain.proofs[key] = None


def _sections(stream: JsonStream, bad: set[str]) -> int | None:
    if stream.peek() != _ARRAY:
        stream.skip()
        bad.add("sections")
        return None
    at = stream.offset
    for item in stream.values():
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(s, str) for s in item)):
            bad.add("sections")
    return at


def _array_at(stream: JsonStream) -> tuple[int | None, bool]:
    """Where the array at the stream's position starts (each item checked as JSON); (None,
    False) if it is no array."""
    if stream.peek() != _ARRAY:
        stream.skip()
        return None, False
    at = stream.offset
    for _item in stream.items():
        stream.skip()
    return at, True


def _record_array(stream: JsonStream, path, name: str) -> int:
    """Where a chain's exported records start; one line if they are not a list of records."""
    if stream.peek() != _ARRAY:
        raise PmjournalError(_("{path}: the exported records of {name} are damaged").format(path=path, name=name))
    at = stream.offset
    for _item in stream.items():
        if stream.peek() != _OBJECT:
            raise PmjournalError(_("{path}: the exported records of {name} are damaged").format(path=path, name=name))
        stream.skip()
    return at


def _shape(block: dict, bad: set[str], path) -> None:
    """One line, not a traceback, for an evidence block whose members are not what pmjournal
    writes: the members read whole are checked here, the ones stepped through were put in `bad`
    as they were read."""

    def strs(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    heads = block.get("heads", {})
    wrong = [
        name
        for name, good in (
            ("signature", isinstance(block.get("signature"), str | None)),
            ("public_key", isinstance(block.get("public_key"), str | None)),
            ("fingerprint", isinstance(block.get("fingerprint"), str | None)),
            ("own", isinstance(block.get("own", ""), str)),
            ("sections", "sections" not in bad),
            ("context", "context" not in bad),
            ("chains", "chains" not in bad),
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


def _last(fd: int, size: int, marks: list[bytes]) -> int:
    """Where the last of any of `marks` starts in the file, read from its end; -1 if none."""
    overlap = max(map(len, marks)) - 1
    end = size
    while end > 0:
        start = max(0, end - _CHUNK)
        window = os.pread(fd, end - start + overlap, start)
        found = max(window.rfind(mark) for mark in marks)
        if found >= 0:
            return start + found
        end = start
    return -1


def _find(fd: int, needle: bytes, start: int, size: int) -> int:
    """Where `needle` first occurs from `start` on; -1 if it does not."""
    while start < size:
        window = os.pread(fd, _CHUNK + len(needle) - 1, start)
        found = window.find(needle)
        if found >= 0:
            return start + found
        start += _CHUNK
    return -1


def _content(fd: int, start: int, size: int) -> bytes:
    """What is not whitespace from `start` to the end of the file (the first few KB of it)."""
    out = b""
    while start < size and len(out) < 4096:
        chunk = os.pread(fd, _CHUNK, start)
        if not chunk:
            break
        start += len(chunk)
        out += chunk.translate(None, _WHITESPACE)
    return out
