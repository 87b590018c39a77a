"""What people type to name a record (`#42`, `42`, `dana#42`, an id prefix), resolved the
same way whatever holds the journal: the loaded Journal (store.py) or the index
(index/reads.py). Each supplies the lookups; the rules and the messages live here."""

from typing import Protocol

from .errors import NotFound
from .fold import ref_of
from .i18n import _
from .model import META_KINDS


class Lookups(Protocol):
    def own_handle(self) -> str | None: ...
    def colleague_handles(self) -> list[str]: ...
    def by_seq(self, seq: int) -> dict | None: ...  # this author's record #seq
    def in_chain(self, handle: str, seq: int) -> dict | None: ...  # a colleague's record
    def by_prefix(self, prefix: str) -> list[dict]: ...  # up to two records whose id starts so
    def entry_ref(self, entry_id: str) -> str | None: ...  # how an entry is referred to


def resolve(ref, lookups: Lookups) -> dict:
    """The record that `#42`, `42`, `dana#42` or a unique id prefix names."""
    text = str(ref).strip()
    handle, hash_, number = text.partition("#")
    if hash_ and handle:
        return _in_chain(handle.lower(), number, lookups)
    digits = text[1:] if text.startswith("#") else text
    # `#07` is #7, but a bare number with a leading zero is an id prefix: ids
    # start with 0 (their first character is the time, until the year 10889),
    # and no #seq is ever written with a leading zero.
    if digits.isascii() and digits.isdigit() and (text.startswith("#") or not digits.startswith("0")):
        if len(digits) > 12:
            raise NotFound(_("no entry #{digits}… in this journal").format(digits=digits[:12]))
        seq = int(digits)
        record = lookups.by_seq(seq)
        if not record:
            raise NotFound(_("no entry #{seq} in this journal").format(seq=seq))
        return record
    prefix = text.upper()
    if len(prefix) < 2 or not prefix.isalnum():
        raise NotFound(_("{text!r} is not an entry reference; use #42, 42 or an id prefix").format(text=text))
    found = lookups.by_prefix(prefix)
    if not found:
        raise NotFound(_("no entry with an id starting {text!r}").format(text=text))
    if len(found) > 1:
        raise NotFound(
            _("id prefix {text!r} is ambiguous ({found}, {found2}, ...); type more of it").format(
                text=text, found=ref_of(found[0]), found2=ref_of(found[1])
            )
        )
    return found[0]


def _in_chain(handle: str, number: str, lookups: Lookups) -> dict:
    """`dana#42`: record #42 of the chain of the author whose handle is dana."""
    if not (number.isascii() and number.isdigit()) or len(number) > 12:
        raise NotFound(
            _("{handle}#{number} is not an entry reference; use dana#42, #42, 42 or an id prefix").format(
                handle=handle, number=number[:12]
            )
        )
    if handle == lookups.own_handle():
        return resolve(f"#{number}", lookups)
    handles = lookups.colleague_handles()
    if not handles and lookups.own_handle() is None:
        # "no author 'dana' in this team journal" of a journal that is in no team
        raise NotFound(
            _("{handle}#{number} names an author's chain, but this journal is kept alone (no `pmjournal sync` yet): write #{number}").format(
                handle=handle, number=int(number)
            )
        )
    if handle not in handles:
        known = ", ".join(sorted(handles)) or _("none yet (run `pmjournal sync`)")
        raise NotFound(
            _("no author {handle!r} in this team journal (colleagues here: {known})").format(handle=handle, known=known)
        )
    record = lookups.in_chain(handle, int(number))
    if record is None:
        raise NotFound(_("no entry {handle}#{number} in this journal").format(handle=handle, number=int(number)))
    return record


def resolve_entry(ref, lookups: Lookups) -> dict:
    """The entry record `ref` names; one line saying what it is when it names a correction or a key."""
    record = resolve(ref, lookups)
    if record["kind"] == "key":
        raise NotFound(
            _("{record} records a signing key ({fingerprint}), not an entry").format(
                record=ref_of(record), fingerprint=record.get("fingerprint", "")
            )
        )
    if record["kind"] in META_KINDS:
        target = lookups.entry_ref(record["target"]) or record["target"][:12]
        what = {
            "amendment": _("{record} is an amendment of {target}; refer to {target}"),
            "retraction": _("{record} is a retraction of {target}; refer to {target}"),
            "loop": _("{record} is a loop record of {target}; refer to {target}"),
        }[record["kind"]]
        raise NotFound(what.format(record=ref_of(record), target=target))
    return record
