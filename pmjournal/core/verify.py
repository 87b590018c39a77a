"""Walk the hash chain of a journal file and name the first record that breaks it.

Uses the same Reader as every load (storage.Reader), streaming the file, so
what `verify` accepts is exactly what reads show. It never writes the journal.
A journal of SPLIT_FROM bytes or more is checked in two processes at once when
this one may fork (verify_split: the second half in a child, taken together
with the first only when that is what one walk gives, else one walk's answer).

A full check that passes leaves `<journal>.checked` beside it (derived, deletable):
the file's identity and where the checked part ends (offset, last #seq, its hash).
`verify --quick` then checks only what was appended since: it trusts the bytes
before that offset if the file is the same one (device, inode), is not shorter,
and the line that ended the checked part still carries that hash; anything else
falls back to the full check. What it cannot see is an old record edited in
place with its length kept, and the hashes after it recomputed up to the checked
offset, nor a new record reusing an id from before the offset: the full check
(the default) sees both.
"""

from dataclasses import dataclass
from hashlib import sha256
from operator import methodcaller
from pathlib import Path

from .chain import GENESIS
from .errors import JournalDamaged, StoreError
from .i18n import _, ngettext
from .storage import JournalFile


@dataclass
class Report:
    ok: bool
    count: int  # records that verified
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    problem: str = ""
    torn_tail: bool = False
    unfinished: tuple[int, int, int] | None = None  # an interrupted multi-record write, left out
    schema: int = 0
    quick_from: int | None = None  # verify --quick: records up to this #seq were taken from the last full check
    changed_here: bool = False  # a colleague's copy that is not what this machine took of their chain (check_colleague)

    def notes(self) -> list[str]:
        out = []
        if self.unfinished:
            first, written, last = self.unfinished
            out.append(
                _(
                    "an interrupted write of {n} records (#{first}-#{last}, {written} written) is not part of the journal; the next write moves it to a side file"
                ).format(n=last - first + 1, first=first, last=last, written=written - first + 1)
            )
        if self.torn_tail:
            out.append(_("an unfinished last write is not part of the journal; the next write moves it to a side file"))
        if self.schema == 1:
            out.append(
                _("this journal's header (schema 1) is outside the chain; journals created since are chained from the header")
            )
        return out

    def message(self, path, handle: str = "") -> str:
        """One line saying what the check found; `handle` names a colleague's chain (`dana#12`)."""
        ref = f"{handle}#"
        if self.changed_here:
            return _(
                "the copy of {handle}'s chain here was changed on this machine: {detail}; `pmjournal sync` puts back what was taken ({path})"
            ).format(handle=handle, detail=self.problem, path=path)
        if self.ok:
            tail = "".join(f"; {note}" for note in self.notes())
            if self.quick_from is not None and self.head_seq > self.quick_from:
                tail += _("; quick: #{first}-#{head_seq} checked, #1-#{quick_from} as of the last full check").format(
                    first=self.quick_from + 1, head_seq=self.head_seq, quick_from=self.quick_from
                )
            elif self.quick_from is not None:
                tail += _("; quick: nothing was appended since the last full check")
            return ngettext(
                "ok: {count} record, chain head {ref}{head_seq} {head_hash}{tail}",
                "ok: {count} records, chain head {ref}{head_seq} {head_hash}{tail}",
                self.count,
            ).format(count=self.count, ref=ref, head_seq=self.head_seq, head_hash=self.head_hash, tail=tail)
        if self.bad_seq == 0:  # the header: a newer pmjournal's file, or no journal at all (the problem names the file)
            return self.problem
        return _("broken at {ref}{seq}: {problem} ({path})").format(ref=ref, seq=self.bad_seq, problem=self.problem, path=path)


CHECKED = ".checked"


def _checked_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKED)


def _recall_checked(path: Path, fh):
    """(offset, seq, hash) of the part a full check passed, if it still applies to `fh`."""
    import os

    try:
        memo = _memo(path)
        st = os.fstat(fh.fileno())
        offset, seq, last = memo["offset"], memo["seq"], memo["hash"]
        if (memo["dev"], memo["ino"]) != (st.st_dev, st.st_ino) or not 0 < offset <= st.st_size:
            return None
        fh.seek(max(0, offset - 65536))
        tail = fh.read(offset - max(0, offset - 65536))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    import orjson

    if not tail.endswith(b"\n"):
        return None
    line = tail[tail.rfind(b"\n", 0, len(tail) - 1) + 1 :]
    # The line's bytes, not only the hash it carries: an edit that keeps the "hash" field
    # (and the length) must not pass for the record that was checked.
    if sha256(line).hexdigest() != memo.get("line"):
        return None
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or record.get("seq") != seq or record.get("hash") != last:
        return None
    return offset, seq, last


def _remember_checked(path: Path, fh, reader) -> None:
    import json
    import os

    from .files import write_atomically

    if reader.broken or reader.unfinished or reader.torn or reader.loose_end or reader.seq == 0:
        return
    if not as_last_checked(path, Report(True, reader.seq, reader.seq, reader.prev)).ok:
        return  # a chain that went back: the memo stays the witness of how far it went (as_last_checked)
    st = os.fstat(fh.fileno())
    try:
        fh.seek(reader.last_start)
        line = fh.read(reader.end - reader.last_start)
    except OSError:
        return
    memo = {
        "dev": st.st_dev,
        "ino": st.st_ino,
        "offset": reader.end,
        "seq": reader.seq,
        "hash": reader.prev,
        "line": sha256(line).hexdigest(),
    }
    target = _checked_path(path)
    try:
        if not target.exists() or target.is_file():
            write_atomically(target, json.dumps(memo).encode(), through_link=False)
    except OSError:
        pass  # best effort: the next quick check is then a full one


def verify_file(path, quick: bool = False, remember: bool = True) -> Report:
    """The chain of the file at `path`, checked from its header (or, `quick`, from where
    the last full check ended, when that still applies: see the module docstring).
    `remember` False: no `.checked` memo is written (a sync's check of a colleague's copy)."""
    path = Path(path)
    jf = JournalFile(path)
    fh = jf.open_read()
    if fh is None:
        return Report(True, 0, 0, GENESIS)
    with fh:
        if quick:
            known = _recall_checked(path, fh)
            if known is not None:
                from .storage import Reader

                offset, seq, last = known
                fh.seek(offset)
                reader = Reader(path, seq, last, offset)
                report = _walk(reader, fh, schema=2)
                report.quick_from = seq
                return report
            fh.seek(0)
        try:
            header, reader = jf.start(fh)
        except JournalDamaged as err:
            return Report(False, 0, 0, GENESIS, bad_seq=0, problem=str(err))
        if header is None:
            return Report(True, 0, 0, GENESIS, torn_tail=reader.end < _size(fh))
        split = _split(fh, reader, header["schema"])
        if split is not None:
            report, reader = split
        else:
            report = _walk(reader, fh, header["schema"])
        if report.ok and remember:
            _remember_checked(path, fh, reader)
        return report


def as_last_checked(path, report: Report, handle: str | None = None) -> Report:
    """`pmjournal verify`: a chain that holds, held against what the last full check here found (<journal>.checked):
    a chain is only ever appended to, so one that now ends before that check's last record,
    or carries another hash there, lost its tail or was rewritten and rehashed from there,
    which the chain alone cannot show. (`verify` said "ok: 0 records" of an emptied file.)
    `handle`: the file is the copy of that colleague's chain, which only a sync writes."""
    if not report.ok:
        return report
    path = Path(path)
    memo = _memo(path)
    seq, last = memo.get("seq"), memo.get("hash")
    if not isinstance(seq, int) or not isinstance(last, str) or seq < 1:
        return report
    # A colleague's copy is only ever appended to by a sync (or put back whole): one that went
    # back or carries another hash was changed on this machine, and is said so.
    memo_name = _checked_path(path).name
    if report.head_seq < seq:
        if handle is None:
            problem = _(
                "the chain ends at #{head} but went up to #{seq} when it was last verified here: records were removed, "
                "or an older copy was put back (if you restored a backup on purpose, delete {memo})"
            ).format(head=report.head_seq, seq=seq, memo=memo_name)
        else:
            problem = _(
                "the copy here ends at {handle}#{head} but went up to {handle}#{seq} when it was last verified on this machine: records were removed from it here"
            ).format(handle=handle, head=report.head_seq, seq=seq)
        return Report(False, report.count, report.head_seq, report.head_hash, bad_seq=report.head_seq + 1, problem=problem)
    record = JournalFile(path).find_seq(seq)
    if record is None or record.get("hash") != last:
        if handle is None:
            problem = _(
                "it carries another hash than when it was last verified here: the chain was rewritten and rehashed at or "
                "before #{seq} (if you put another journal at this path on purpose, delete {memo})"
            ).format(seq=seq, memo=memo_name)
        else:
            problem = _(
                "the copy here carries another hash than when it was last verified on this machine: it was rewritten and rehashed here at or before {handle}#{seq}"
            ).format(handle=handle, seq=seq)
        return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
    return report


def as_pushed(path, report: Report, witnesses) -> Report:
    """This author's chain in a team journal, held against what this machine last pushed of it
    (team/witness.py): rewritten and rehashed after a push, it held on its own, `verify` said ok
    and exports were signed, while the remote and every colleague held the chain pushed."""
    if not report.ok:
        return report
    found = witnesses.own_departure(path)
    if found is None:
        return report
    from .team.witness import own_detail

    return Report(False, max(found.line - 1, 0), max(found.line - 1, 0), "", bad_seq=max(found.line, 0), problem=own_detail(found))


def check_colleague(path, handle: str, witnesses, quick: bool = False) -> Report:
    """A colleague's copy as `verify` and every export check it: its own chain, and what this
    machine last took of that chain (team/witness.py), then its `.checked` memo. A copy
    rewritten here with every hash recomputed holds on its own: one that departs from what was
    taken is said to be changed here, and its memo is not written (it keeps the head checked
    before); one that does not hold is named as before, by its first broken record."""
    found = witnesses.departure(handle, path)
    if found is None:
        return as_last_checked(path, verify_file(path, quick=quick), handle)
    report = verify_file(path, quick=quick, remember=False)
    if not report.ok:
        return report
    from .team.witness import detail

    return Report(False, 0, 0, "", bad_seq=max(found.line, 0), problem=detail(found, handle), changed_here=True)


def _memo(path: Path) -> dict:
    import json

    try:
        memo = json.loads(_checked_path(path).read_bytes()[:4096])
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def first_break(path) -> int | None:
    """Where the chain file at `path` stops chaining as every read's Reader finds it (not the
    check of ids used twice, which only `verify` makes): the #seq of the first record it does
    not vouch for, 0 for its header, None if it holds."""
    jf = JournalFile(Path(path))
    fh = jf.open_read()
    if fh is None:
        return None
    with fh:
        try:
            header, reader = jf.start(fh)
            if header is None:
                return None
            for _record in reader.read(fh, _ID):
                if reader.broken:
                    break
        except JournalDamaged as err:
            return reader.broken[0] if reader.broken else getattr(err, "bad", (0,))[0]
    return reader.broken[0] if reader.broken else None


def require_every_chain(journal, hint: str | None = None) -> None:
    """Before an export vouches for them: this author's file and each colleague's copy
    checked from the header, as `pmjournal verify` checks them. Reads (and the index) take
    what they covered before as it was, checking what was appended since; an edit in place
    since then, or a copy put back after one, is found here, and the export is refused in
    one line naming the first chain that fails."""
    from .errors import PmjournalError, refuse_unverified

    found = first_broken_chain(journal)
    if found is None:
        return
    handle, path, report = found
    if handle is None and report.bad_seq == 0:
        raise PmjournalError(report.message(path))  # its header: no record to name
    if handle is None:
        refuse_unverified((report.bad_seq, report.problem), "exported", hint)
    if report.changed_here:
        raise PmjournalError(
            _(
                "the copy of {handle}'s chain here was changed on this machine: {detail}; nothing was exported: `pmjournal sync` puts back what was taken"
            ).format(handle=handle, detail=report.problem)
        )
    if report.bad_seq == 0:  # its header: a newer pmjournal's copy, which taking it again would not mend
        raise PmjournalError(
            _("the copy of {handle}'s chain here cannot be read ({problem}); nothing was exported").format(
                handle=handle, problem=report.problem
            )
        )
    raise PmjournalError(
        _(
            "the copy of {handle}'s chain here fails verification at {handle}#{seq} ({problem}); nothing was exported: delete {path} and `pmjournal sync` takes the chain again"
        ).format(handle=handle, seq=report.bad_seq, problem=report.problem, path=path)
    )


def first_broken_chain(journal):
    """(None or a colleague's handle, the file, its Report) of the first chain that fails a
    check from its header, this author's first; None if every one holds."""
    report = verify_file(journal.path)
    if not report.ok:
        return None, journal.path, report
    if journal.team.joined:
        from .team.witness import Witnesses

        witnesses = Witnesses(journal.team)
        report = as_pushed(journal.path, report, witnesses)
        if not report.ok:
            return None, journal.path, report
        for handle, path in sorted(journal.team.colleagues().items()):
            report = check_colleague(path, handle, witnesses)
            if not report.ok:
                return handle, path, report
    return None


def unverified_mark(journal) -> tuple[int, str] | None:
    """For `export --unverified`: what the export must say fails verification, the check from
    each chain's header included (the reads' own `broken` covers only what they read since
    they last looked). A colleague's failure is named in the problem."""
    found = first_broken_chain(journal)
    if found is None:
        return None
    handle, _path, report = found
    problem = report.problem if handle is None else f"{handle}#{report.bad_seq}: {report.problem}"
    return report.bad_seq, problem


def _split(fh, reader, schema: int):
    """(report, reader) of the whole file checked in two processes at once, when it is
    large and this process may fork; None to check it in one (see verify_split)."""
    if _size(fh) - reader.end < SPLIT_FROM:
        return None
    from . import verify_split
    from .storage import Reader

    if not verify_split.usable():
        return None
    start = Reader(reader.path, reader.seq, reader.prev, reader.end)  # `reader` stays at the header for one walk
    return verify_split.check(fh.fileno(), start, schema, _walk)


SPLIT_FROM = 32 << 20  # ~50k records: below it, forking and the hand-over cost more than they save


def _walk(reader, fh, schema: int, seen: set | None = None) -> Report:
    """The report on the records `reader` reads from `fh`; `seen` collects the ids it looked at."""
    seen = set() if seen is None else seen
    try:
        # The reader hands over only each record's id (what is checked here beyond the
        # chain); records are yielded in #seq order from the one after where it starts.
        for seq, entry_id in enumerate(reader.read(fh, _ID), reader.seq + 1):
            if reader.broken:
                break
            if entry_id in seen:
                return Report(
                    False,
                    seq - 1,
                    seq - 1,
                    "",
                    bad_seq=seq,
                    problem=_("its id {entry_id} is used twice").format(entry_id=entry_id),
                )
            seen.add(entry_id)
    except JournalDamaged as err:
        if reader.broken:  # an earlier record already broke the chain: report the first
            seq, problem = reader.broken
        else:
            seq, problem = err.bad
        return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
    if reader.broken:
        seq, problem = reader.broken
        return Report(False, seq - 1, seq - 1, "", bad_seq=seq, problem=problem)
    return Report(True, reader.seq, reader.seq, reader.prev, torn_tail=reader.torn, unfinished=reader.unfinished, schema=schema)


_ID = methodcaller("get", "id")


def _size(fh) -> int:
    import os

    try:
        return os.fstat(fh.fileno()).st_size
    except OSError as err:
        raise StoreError(_("cannot read {name}: {strerror}").format(name=fh.name, strerror=err.strerror)) from err
