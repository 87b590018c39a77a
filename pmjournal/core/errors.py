"""Exceptions the front ends turn into one-line messages.

Every error a user can cause derives from PmjournalError so the CLI can print
`str(err)` and exit 1 without a traceback; anything else is a bug.
"""

from .i18n import _


class PmjournalError(Exception):
    """A problem with the data or the request; the message is shown as is."""


class ValidationError(PmjournalError):
    """An entry or amendment that the model refuses.

    `field` names the offending field so a form can show the error beside it; `part`, the
    part of it (a link's kind: "supersedes"), for the form to put the cursor there.
    """

    def __init__(self, message: str, field: str | None = None, part: str | None = None):
        super().__init__(message)
        self.field = field
        self.part = part
        self.others: list[ValidationError] = []  # more fields refused with it (model.missing)


class DateError(ValidationError):
    """A date or time the parser could not understand."""


class NotFound(PmjournalError):
    """An id, #seq or prefix that matches no entry (or more than one)."""


class StoreError(PmjournalError):
    """The journal file cannot be read or written safely."""


class JournalLocked(StoreError):
    """Another process held the write lock for longer than we wait."""


class JournalDamaged(StoreError):
    """The file is not a journal we can read; it is never modified."""


def refuse_unverified(broken: tuple[int, str] | None, refused: str, hint: str | None = None) -> None:
    """One line refusing to go on when the chain does not vouch for the journal (`broken`: the
    first record it does not vouch for): an export or import must not present or take in what
    the record cannot vouch for. `refused`: "exported", "imported", "checked against"."""
    if broken:
        seq, problem = broken
        # One sentence per refusal, so that a translation need not put an English verb in its place.
        line = {
            "exported": _("the journal fails verification at #{seq} ({problem}); nothing was exported: {hint}"),
            "imported": _("the journal fails verification at #{seq} ({problem}); nothing was imported: {hint}"),
            "checked against": _("the journal fails verification at #{seq} ({problem}); nothing was checked against: {hint}"),
        }.get(refused)
        if line is None:
            line = _("the journal fails verification at #{seq} ({problem}); nothing was {refused}: {hint}")
        hint = _("run `pmjournal verify`") if hint is None else hint
        raise PmjournalError(line.format(seq=seq, problem=problem, refused=refused, hint=hint))
