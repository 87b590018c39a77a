"""Plain-text formatting shared by the CLI, the TUI and the exports.

Kept in the core (no Rich, no Textual) so every front end says the same thing
the same way: a field's label, a value as text, a date as a person reads it.
"""

from datetime import date, datetime, timedelta

from . import causes as causes_mod
from .dates import describe, local_zone, zone_key
from .fold import CHAIN_KEYS, DERIVED, ref_of
from .i18n import N_, _, pgettext
from .labels import value_label
from .model import COMMON, IMPACT_PARTS, KIND_FIELDS, SYSTEM_FIELDS, refused_chars, suspect_in_line, suspect_in_text

_LABELS = {f.name: f.label for f in COMMON}
for _fields in KIND_FIELDS.values():
    _LABELS.update({f.name: f.label for f in _fields})
_LABELS.update({"kind": N_("Kind"), "occurred_at": N_("When"), "recorded_at": N_("Recorded"), "recorded_by": N_("Recorded by")})

# Fields whose value is one of a few English words (model.Field.choices): shown translated.
_CHOICE_FIELDS = frozenset({"status", "source", "channel", "likelihood", "severity", "impact"})
# Fields shown as roles, in RACI order, then the kind-specific ones.
ROLE_FIELDS = ("owner", "requested_by", "approved_by", "consulted", "informed")
# Fields that may run over lines (shown with newlines kept); everything else is one line.
# Lists of free text (options considered, evidence): an item a line, since an item may hold
# a comma ("opt A, opt B" read as two options or one).
LIST_FIELDS = frozenset(
    {f.name for f in COMMON if f.type == "list"} | {f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "list"}
)
MULTILINE_FIELDS = frozenset(
    {f.name for f in COMMON if f.type == "text"}
    | {f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "text"}
    | {"reason", "commitments"}
    | LIST_FIELDS
)


def visible(text: str, multiline: bool = False) -> str:
    """`text` safe to put on a terminal: every character the text rules
    (model.check_text) refuse is shown instead of sent. A journal written
    before the rules, or by hand, may hold them.

    C0 controls and DEL become their Unicode control pictures (ESC -> ␛, one
    cell wide like the rest), anything else (C1 controls, bidi overrides,
    zero-width and other invisible characters, undecodable bytes) becomes
    `<U+202E>`. Tab is kept, newline too in multi-line text, where a lone
    carriage return (which would let later text overwrite a line) is shown as ␍.
    """
    if text.__class__ is not str:
        text = str(text)
    if (suspect_in_text if multiline else suspect_in_line)(text) is None:
        return text  # nearly always: one regex search, no copy
    if multiline and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\u240d")
    bad = list(refused_chars(text, multiline))
    if not bad:
        return text
    out = []
    last = 0
    for i, ch in bad:
        out.append(text[last:i])
        code = ord(ch)
        out.append(chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else f"<U+{code:04X}>")
        last = i + 1
    out.append(text[last:])
    return "".join(out)


def visible_chunks(chunks):
    """Bytes (UTF-8) made safe for a terminal, chunk by chunk, as multi-line
    text: for an export (CSV, JSON, Markdown) written to a terminal."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    held = ""
    for chunk in chunks:
        text = held + decoder.decode(chunk)
        # a \r\n cut between two chunks must stay one line ending
        held, text = (text[-1], text[:-1]) if text.endswith("\r") else ("", text)
        if text:
            yield visible(text, multiline=True).encode("utf-8")
    text = held + decoder.decode(b"", final=True)
    if text:
        yield visible(text, multiline=True).encode("utf-8")


# How a link reads from each end, for every front end (CLI, TUI, Markdown capitalises).
# Marked with N_ and translated where shown (link_words).
LINK_WORDS = {"supersedes": N_("supersedes"), "caused_by": N_("caused by"), "relates": N_("relates to")}
BACKLINK_WORDS = {"supersedes": N_("superseded by"), "caused_by": N_("led to"), "relates": N_("related from")}


# A history event two people recorded without seeing each other's (fold.apply sets
# `concurrent` on both): every front end marks it with these words.
CONCURRENT = N_("concurrent: made without seeing another correction of this entry")


def concurrent_note(event: dict) -> str:
    """' (concurrent: ...)' after a history event that carries the flag, else ''."""
    return f" ({_(CONCURRENT)})" if event.get("concurrent") else ""


def retraction_ref(view: dict) -> str:
    """How the record that retracted `view` is referred to (`#42`, `dana#7`).

    The view's `retracted` summary keeps no `ref`; its history event does."""
    retracted = view["retracted"]
    for event in reversed(view.get("history") or ()):
        if event["id"] == retracted["id"]:
            return ref_of(event)
    return ref_of(retracted)


def ref_width(views, least: int = 0) -> int:
    """The cells the widest reference of `views` takes (at least `least`): a `#`
    column fits `dana#12` as well as `#12`. Only a colleague's record has `ref`."""
    widest = max([len(v["ref"]) for v in views if "ref" in v], default=0)
    return max(least, widest)


def link_words(rel: str, backwards: bool = False, capital: bool = False) -> str:
    """How a link reads, in the interface language ('caused by', 起因于): the one wording the
    CLI, the detail pane, the forms and the export share. `capital` for a label or the start
    of a sentence ('Caused by'; a language without capitals reads the same)."""
    words = (BACKLINK_WORDS if backwards else LINK_WORDS).get(rel)
    text = _(words) if words else rel
    return text[:1].upper() + text[1:] if capital else text


def label(field: str) -> str:
    """A field's label in the interface language ('Requested by')."""
    known = _LABELS.get(field)
    return _(known) if known else field.replace("_", " ").capitalize()


def short_date(iso: str) -> str:
    """'2026-11-23 15:00' in the reader's local time: the same in every language, so a
    table's date column keeps one width (16 cells), and reads in the order it is sorted in
    (by instant). In each entry's own offset, a colleague's 10:00 -05:00 read as before a
    15:00 +08:00 written an hour earlier. when_text says the entry's own time too."""
    if iso.__class__ is not str:
        return as_stored(iso)
    if not iso:
        return ""
    if len(iso) == 25 and iso[10] == "T" and iso[19] in "+-":
        # `list` of 100,000 entries: the shift to local time is worked out once per day and
        # offset, then added (a datetime conversion per row cost ~0.4 s there).
        day = iso[:10]
        if _shifts_zone != zone_key():
            _forget_shifts()
        shift = _shifts.get(day + iso[19:])
        if shift is None:
            shift = _shifts[day + iso[19:]] = _day_shift(day, iso[19:])
        if shift is False:  # (not `== 0`: False is 0 to Python)
            pass
        elif shift == 0:
            return day + " " + iso[11:16]
        elif iso[11:13].isdigit() and iso[14:16].isdigit():
            days, minutes = divmod(int(iso[11:13]) * 60 + int(iso[14:16]) + shift, 1440)
            if days:
                day = (date.fromisoformat(day) + timedelta(days=days)).isoformat()
            return f"{day} {minutes // 60:02d}:{minutes % 60:02d}"
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso[:16].replace("T", " ")
    if dt.tzinfo is None:
        return iso[:16].replace("T", " ")
    return dt.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


_shifts: dict[str, int | bool] = {}  # '2026-11-20-05:00' -> minutes to add for local time (False: no one shift)
_shifts_zone: tuple = ()


def _forget_shifts() -> None:
    global _shifts_zone
    _shifts.clear()
    _shifts_zone = zone_key()  # another TZ (a test's): America/Halifax and America/Santiago share time.timezone


def _day_shift(day: str, offset: str) -> int | bool:
    """Minutes from `offset` to local time all through `day` (in that offset); False where the
    local offset changes within it (daylight saving time starts or ends) or the text is odd."""
    try:
        start = datetime.fromisoformat(f"{day}T00:00:00{offset}")
    except ValueError:
        return False
    zone = local_zone()
    first, last = start.astimezone(zone).utcoffset(), (start + timedelta(hours=24)).astimezone(zone).utcoffset()
    if first != last or first is None:
        return False
    return int((first - start.utcoffset()).total_seconds()) // 60


def long_date(iso: str) -> str:
    """'Mon 23 Nov 2026 15:00 +08:00' ('2026年11月23日 周一 15:00 +08:00' in Chinese),
    in the entry's own offset and the interface language at call time."""
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return as_stored(iso)
    return describe(dt)


def when_text(iso: str) -> str:
    """An entry's When as `show` and the detail pane write it: long_date, followed by the
    reader's local time where that differs ('· 23:00 +08:00 here'), as the trail's column
    (short_date) shows it."""
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return as_stored(iso)
    text = describe(dt)  # long_date
    if dt.tzinfo is None:
        return text
    local = dt.astimezone(local_zone())
    if local.utcoffset() == dt.utcoffset():
        return text
    if local.date() == dt.date():
        offset = local.strftime("%z")
        shown = f"{local:%H:%M} {offset[:3]}:{offset[3:]}"
    else:
        shown = describe(local)
    # TRANSLATORS: an entry's time as the reader's clock reads it: {when} is "23:00 +08:00" or a whole date.
    return text + " · " + _("{when} here").format(when=shown)


def local_date(iso: str) -> str:
    """A UTC stamp (recorded_at) as the reader's local time."""
    try:
        return long_date(datetime.fromisoformat(iso).astimezone().isoformat())
    except (TypeError, ValueError):
        return as_stored(iso)


def value_text(field: str, value, display_person=lambda n: n, refer=None) -> str:
    """One field's value as text to show (lists joined, people by their first
    spelling), made visible(): the one door from a record to a CLI or TUI screen.
    `refer`: how a link names the entry it points to (#34), from its id."""
    return visible(_value_text(field, value, display_person, refer), multiline=field in MULTILINE_FIELDS)


def list_separator() -> str:
    """What joins the items of a list shown (names, causes): ", ", and in Chinese "、" (as the
    Markdown export joins them)."""
    return pgettext("list separator", ", ")


def change_line(field: str, old: str, new: str) -> str:
    """One field of an amendment in a history: 'Title: old → new' ('标题：旧 → 新'). `field` is
    the field's label, `old` and `new` the values as shown."""
    # TRANSLATORS: one changed field in an entry's history: {field} its label, {old} and {new} its values.
    return pgettext("history change", "{field}: {old} → {new}").format(field=field, old=old, new=new)


def change_heading(field: str) -> str:
    """'Body:': above a changed field whose old and new values take several lines each."""
    return pgettext("history change", "{field}:").format(field=field)


def _value_text(field: str, value, display_person, refer=None) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if field == "links" and isinstance(value, list):
        # A history line's old -> new: "relates to #34", not {'rel': 'relates', 'to': '01M6…'}
        return list_separator().join(
            f"{link_words(str(link.get('rel')))} {(refer or str)(link.get('to'))}" if isinstance(link, dict) else str(link)
            for link in value
        )
    if field in ("owner", "raised_by"):
        return display_person(value)
    if field in ("requested_by", "approved_by", "consulted", "informed", "participants", "acknowledged_by", "raised_to"):
        return list_separator().join(display_person(v) for v in value)
    if field == "causes":
        return list_separator().join(causes_mod.describe(k) for k in value)
    if field == "commitments" and isinstance(value, list):
        return "\n".join(commitment_text(item, display_person) for item in value)
    if field == "impact" and isinstance(value, dict):
        # in the form's order (scope, schedule, cost), each part as the language writes it
        parts = sorted(value.items(), key=lambda kv: IMPACT_PARTS.index(kv[0]) if kv[0] in IMPACT_PARTS else len(IMPACT_PARTS))
        return pgettext("impact parts", "; ").join(
            pgettext("impact part", "{part}: {value}").format(part=value_label(k), value=v) for k, v in parts
        )
    if field in ("review_by", "follow_up_by", "occurred_at"):
        return long_date(value)
    if isinstance(value, list):
        return ("\n" if field in LIST_FIELDS else list_separator()).join(str(v) for v in value)
    if field in _CHOICE_FIELDS:
        return value_label(str(value))  # a stored status, source or level, in the interface language
    return str(value)


def commitment_text(item: dict, display_person=lambda n: n) -> str:
    """'Dana Whitfield: send the pricing sheet, by 27 Nov 2026'."""
    return _("{who}: {what}, by {day}").format(who=display_person(item["who"]), what=item["what"], day=day_text(item["due"]))


def day_text(iso: str, weekday: bool = False) -> str:
    """'27 Nov 2026' ('Fri 27 Nov 2026' with the weekday; '2026年11月27日 周五' in
    Chinese): the day of an ISO date or time, in the interface language at call time."""
    from .dates import written_day

    try:
        return written_day(datetime.fromisoformat(iso), weekday=weekday)
    except (TypeError, ValueError):
        return as_stored(iso)


# What a stored entry holds besides its fields: the chain's, a team's, the fold's.
_NOT_FIELDS = frozenset((*SYSTEM_FIELDS, "clock", "seen", "links", *DERIVED, *CHAIN_KEYS))


def unknown_fields(view: dict) -> list[str]:
    """Fields this pmjournal does not know for the view's kind (a newer version's, or written by
    hand): `show` and the detail pane list them as they are, rather than leave them out."""
    known = {f.name for f in COMMON + KIND_FIELDS.get(view.get("kind"), ())}
    return [k for k in view if k not in known and k not in _NOT_FIELDS and not k.startswith("_")]


def unknown_text(value) -> str:
    """An unknown field's value, as it is stored (JSON), made visible."""
    return visible(as_stored(value), multiline=True)


def as_stored(value) -> str:
    """A value as the record holds it: text as it is, anything else as its JSON (a When
    made by hand as a number read 20261130, not a traceback; a list not as Python writes one)."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def kind_fields(view: dict) -> list[str]:
    """The kind-specific fields of this view that hold a value, in form order."""
    return [f.name for f in KIND_FIELDS.get(view["kind"], ()) if view.get(f.name) not in (None, "", [], {})]
