"""Between what a form's widgets hold ("raw" values) and what the core takes.

Raw values are plain strings and tuples so a form can tell exactly which
fields the user touched (an amendment carries only those) and whether a form
is dirty. Everything here is pure: no widgets, easy to reason about.
"""

import re
from datetime import datetime

from pmjournal.core import dates
from pmjournal.core.errors import DateError, NotFound, ValidationError
from pmjournal.core.fold import ref_of
from pmjournal.core.i18n import _
from pmjournal.core.model import (
    DUE_FIELDS,
    IMPACT_PARTS,
    LIST_SEPARATORS,
    Field,
    check_happened_at,
    clean_commitments,
    commitment_line,
)

from .labels import field_label, link_label

# #12, 12, and in a team journal dana#12 (a colleague's entry: core/team)
_REF = re.compile(r"^(?:[a-z0-9][a-z0-9-]*#|#)?\d+$", re.IGNORECASE)
# No date is this long; refusing early keeps a huge paste from stalling the
# preview (the general date parser takes most of a second on 100 KB).
MAX_DATE_TEXT = 200


def too_long() -> str:
    return _("too long to be a date (over {count} characters)").format(count=MAX_DATE_TEXT)


def link_rels(kind: str) -> tuple[str, ...]:
    # Only a decision may supersede (the store refuses the rest), so only its form offers it.
    return ("caused_by", "supersedes", "relates") if kind == "decision" else ("caused_by", "relates")


def is_ref(token: str) -> bool:
    return bool(_REF.match(token.strip()))


def split_refs(text: str) -> list[str]:
    """'#12, #15' (or '#12，#15', as a Chinese input method types the comma) -> ['#12', '#15']."""
    return [t.strip() for t in LIST_SEPARATORS.split(text) if t.strip()]


def empty_raw(field: Field, kind: str):
    if field.type == "causes":
        return ()
    if field.type == "impact":
        return ("", "", "")
    if field.type == "links":
        return tuple("" for _ in link_rels(kind))
    if field.type == "enum":
        return field.default or ""
    return ""


def raw_from_view(field: Field, view: dict, views: dict[str, dict]):
    """What a field's widget shows for an existing entry (the amend form); `views`
    gives the reference (#seq, or dana#seq for a colleague's) of the entries it links to."""
    value = view.get(field.name)
    kind = view["kind"]
    if field.type == "links":
        by_rel: dict[str, list[str]] = {rel: [] for rel in link_rels(kind)}
        for link in value or ():
            target = views.get(link["to"])
            ref = ref_of(target) if target else link["to"]
            by_rel.setdefault(link["rel"], []).append(ref)
        return tuple(", ".join(by_rel[rel]) for rel in link_rels(kind))
    if value is None:
        return empty_raw(field, kind) if field.type != "enum" else ""
    if field.type == "causes":
        return tuple(value)
    if field.type == "impact":
        return tuple(str(value.get(part, "")) for part in IMPACT_PARTS)
    if field.type == "people":
        return ", ".join(value)
    if field.type == "tags":
        return " ".join(value)
    if field.type == "list":
        return "\n".join(value)
    if field.type == "commitments" and isinstance(value, list):
        return "\n".join(commitment_line(item) for item in value)
    return str(value)


def parse_date(field: Field, text: str, clock) -> str | None:
    """ISO for what was typed, read against the form's clock, so the saved
    value is exactly what the preview beside the field showed."""
    if not text.strip():
        return None
    if len(text) > MAX_DATE_TEXT:
        raise ValidationError(beside(field_label(field), too_long()), field=field.name)
    now = clock()
    try:
        when = dates.parse_when(text, ref=now, ahead=field.name in DUE_FIELDS)
    except DateError as err:
        raise ValidationError(beside(field_label(field), err), field=field.name) from err
    if field.name == "occurred_at":
        check_happened_at(when, now)
    return dates.iso(when)


def beside(label: str, err) -> str:
    """An error shown beside a field, naming what it is about ("when: ..."): the label as a
    word in a sentence, so lowercased in English (a no-op on Chinese)."""
    # TRANSLATORS: {what} is a field's label (When, Review by, Caused by), {error} why its text was refused.
    return _("{what}: {error}").format(what=label.lower(), error=err)


def core_value(field: Field, raw, clock):
    """The value the core's model expects for a raw widget value (None = empty)."""
    kind = field.type
    if kind == "date":
        return parse_date(field, raw, clock)
    if kind == "causes":
        return list(raw) or None
    if kind == "impact":
        impact = {part: text for part, text in zip(IMPACT_PARTS, raw, strict=True) if text.strip()}
        return impact or None
    if kind == "list":
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        return items or None
    if kind == "text":
        return raw if raw.strip() else None
    if kind == "commitments":
        # 'who; what; by when' lines, their dates read against the form's clock as the date fields are
        return clean_commitments(raw, ref=clock())
    return raw.strip() or None


# What names an entry: #42, 42, dana#42, or an id prefix (Crockford base32: no I, L, O or U).
_LOOKS_LIKE_A_REF = re.compile(r"(?:[a-z0-9-]*#)?\d+|[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{2,26}")


def resolve_links(session, kind: str, raw: tuple) -> dict[str, list[str]]:
    """rel -> list of entry ids, looked up through the JournalSession; a bad
    reference is a ValidationError on the links field."""
    out: dict[str, list[str]] = {}
    for rel, text in zip(link_rels(kind), raw, strict=True):
        ids = []
        for token in split_refs(text):
            try:
                ids.append(session.resolve_entry(token)["id"])
            except NotFound as err:
                why = str(err)
                if not _LOOKS_LIKE_A_REF.fullmatch(token):
                    # Words from a title, left unchosen: "no entry with an id starting 'offline'"
                    # named the wrong way out.
                    why = _("{text!r} is not an entry: choose one its words match (↓, then enter), or type its #number").format(
                        text=token
                    )
                raise ValidationError(beside(link_label(rel), why), field="links", part=rel) from err
        out[rel] = ids
    return out


class PreviewClock:
    """One moment for a date field's preview and its save: "yesterday 9" previewed at 23:59
    and saved after midnight was recorded a day later than the preview said."""

    def __init__(self, clock):
        self.clock = clock
        self._read: tuple = ("", None)  # (the text previewed, the moment it was read against)

    def preview(self, text: str) -> datetime:
        """The moment to read `text` against now, kept for its save."""
        now = self.clock()
        self._read = (text, now)
        return now

    def for_save(self, text: str):
        """The clock to save `text` with: the preview's moment while the text is what it previewed."""
        seen, moment = self._read
        return (lambda: moment) if moment is not None and seen == text else self.clock


def describe_date(text: str, clock, empty_hint: str, ahead: bool = False, happened: bool = False) -> tuple[list[str], bool]:
    """(what the date preview says, longest first, then shorter ways for a narrow form
    (dates.describe_shorter); whether it is an error). `happened`: a When, which the save
    refuses in the future (model.check_happened): said as it is typed."""
    now = clock()
    message, bad, when = read_date(text, lambda: now, empty_hint, ahead)
    if when is not None and happened:
        try:
            check_happened_at(when, now)
        except ValidationError as err:
            return [str(err)], True
    return (dates.describe_shorter(when, now) if when is not None else [message]), bad


def read_date(text: str, clock, empty_hint: str, ahead: bool = False) -> tuple[str, bool, datetime | None]:
    """describe_date, and the moment read (None when empty or refused)."""
    if not text.strip():
        return empty_hint, False, None
    if len(text) > MAX_DATE_TEXT:
        return too_long(), True, None
    try:
        when: datetime = dates.parse_when(text, ref=clock(), ahead=ahead)
    except DateError as err:
        return str(err), True, None
    return dates.describe(when), False, when
