"""How an imported record's origin reads, for `show`, the TUI detail and history.

The journal records an imported record as written down when and by whom it was
imported; what the file claimed (its own recorded_at and recorded_by, its #seq
and chain head) is kept under `imported` and shown here, labelled as the
file's claim, never as this journal's.
"""

from collections.abc import Callable

from .i18n import _


def imported_text(
    origin: dict, date_text: Callable[[str], str], name_text: Callable[[str], str] = str, escape: Callable[[str], str] = str
) -> str:
    """One line; `escape` makes the file name safe where it goes (Markdown), `name_text` a name."""
    source = escape(str(origin.get("file") or "?"))
    if origin.get("format") == "jrnl":
        return _("from {source} (a jrnl export)").format(source=source)
    text = _("from {source}").format(source=source)
    head = origin.get("head") or {}
    if head.get("hash"):
        text += _(" (chain head #{seq} {hash}…)").format(seq=head.get("seq"), hash=str(head["hash"])[:16])
    if origin.get("recorded_at"):
        text += _("; the file says #{seq} was recorded {when}").format(
            seq=origin.get("seq"), when=date_text(origin["recorded_at"])
        )
        text += _(" by {name}").format(name=name_text(origin.get("recorded_by") or "?"))
    return text
