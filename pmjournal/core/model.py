"""Entry kinds, their fields, and validation.

A record is one JSON document. Fields left empty are not stored, so records
stay small and the folded view (fold.py) supplies the defaults. Validation
normalises what is safe to normalise (whitespace around names, tag case,
comma-separated people) and refuses everything else with a ValidationError
naming the field, so a form can show the message beside it.
"""

import re
from collections import namedtuple
from datetime import datetime, time, timedelta

from . import dates
from .errors import ValidationError
from .i18n import N_, _, language

ENTRY_KINDS = ("decision", "change", "communication", "risk", "incident", "note")
# Records that are not entries: corrections of an entry (they carry its id as `target`)
# and `key`, which records the SSH key this author signs exports with (evidence/).
META_KINDS = ("amendment", "retraction", "loop", "key")
# A `loop` record closes or re-opens one of an entry's open loops (loops.py):
# {"kind": "loop", "target", "loop": key, "state": done|open, "occurred_at", "by"?, "note"?}
LOOP_STATES = ("done", "open")
ANSWER_DAYS = 5  # working days an escalation may wait for an answer (config `answer_days`; loops.py)
LOOP_KEYS = ("loop", "state", "occurred_at", "by", "note")
OWNER_REQUIRED = ("decision", "change", "risk")
# Dates that say by when something is owed: read forward ("fri" the coming one, dates.parse_when).
DUE_FIELDS = frozenset({"review_by", "follow_up_by"})
LINK_RELS = ("supersedes", "caused_by", "relates")
LEVELS = ("low", "medium", "high")

# RACI roles, as the `who` summary and --role filter name them.
ROLES = {
    "owner": "owner",
    "requested": "requested_by",
    "approved": "approved_by",
    "consulted": "consulted",
    "informed": "informed",
}
# Every field that holds people, for --person without --role.
PEOPLE_FIELDS = (
    "owner",
    "requested_by",
    "approved_by",
    "consulted",
    "informed",
    "participants",
    "acknowledged_by",
    "raised_by",
    "raised_to",
)


# One field of an entry kind, immutable. A named tuple rather than a frozen dataclass:
# importing dataclasses (inspect, ast, dis, tokenize) costs ~8 ms of `pmjournal add`.
# type: text, line, person, people, date, enum, list, tags, causes, links, impact, commitments
Field = namedtuple("Field", ("name", "type", "label", "choices", "default"), defaults=((), None))


COMMON = (
    Field("title", "line", N_("Title")),
    Field("occurred_at", "date", N_("When")),
    Field("owner", "person", N_("Owner")),
    Field("requested_by", "people", N_("Requested by")),
    Field("approved_by", "people", N_("Approved by")),
    Field("consulted", "people", N_("Consulted")),
    Field("informed", "people", N_("Informed")),
    Field("project", "line", N_("Project")),
    Field("tags", "tags", N_("Tags")),
    Field("causes", "causes", N_("Causes")),
    Field("links", "links", N_("Links")),
    Field("evidence", "list", N_("Evidence")),
    Field("body", "text", N_("Body")),
)

KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    "decision": (
        Field("status", "enum", N_("Status"), ("proposed", "accepted", "rejected", "superseded"), "accepted"),
        Field("options", "list", N_("Options considered")),
        Field("rationale", "text", N_("Rationale")),
        Field("review_by", "date", N_("Review by")),
    ),
    "change": (
        Field("status", "enum", N_("Status"), ("requested", "approved", "rejected", "done")),
        Field("source", "enum", N_("Source"), ("customer", "internal", "regulatory", "market")),
        Field("previous", "text", N_("Previously")),
        Field("impact", "impact", N_("Impact")),
    ),
    "communication": (
        Field("channel", "enum", N_("Channel"), ("meeting", "email", "chat", "call", "doc")),
        Field("participants", "people", N_("Participants")),
        Field("commitments", "commitments", N_("Commitments")),
        Field("acknowledged_by", "people", N_("Acknowledged by")),
        Field("follow_up_by", "date", N_("Follow up by")),
        Field("raised_to", "people", N_("Raised to")),
    ),
    "risk": (
        Field("status", "enum", N_("Status"), ("open", "mitigating", "accepted", "closed", "occurred"), "open"),
        Field("raised_by", "person", N_("Raised by")),
        Field("raised_to", "people", N_("Raised to")),
        Field("likelihood", "enum", N_("Likelihood"), LEVELS),
        Field("impact", "enum", N_("Impact"), LEVELS),
        Field("mitigation", "text", N_("Mitigation")),
        Field("review_by", "date", N_("Review by")),
    ),
    "incident": (
        Field("status", "enum", N_("Status"), ("open", "resolved"), "open"),
        Field("severity", "enum", N_("Severity"), ("low", "medium", "high", "critical")),
    ),
    "note": (),
}
IMPACT_PARTS = ("scope", "schedule", "cost")

# Fields the store sets; never amendable.
SYSTEM_FIELDS = ("id", "seq", "kind", "recorded_at", "recorded_by", "prev_hash", "hash", "batch", "imported")

_TAG = re.compile(r"^[\w][\w\-/.]*$")


def fields_for(kind: str) -> dict[str, Field]:
    if kind not in KIND_FIELDS:
        raise ValidationError(
            _("unknown kind {kind!r}; choose one of {kinds}").format(kind=kind, kinds=", ".join(ENTRY_KINDS)),
            field="kind",
        )
    return {f.name: f for f in COMMON + KIND_FIELDS[kind]}


# A list of names (or of references) is separated by a comma, or the full-width comma or
# enumeration comma a Chinese input method types (张三，李四、王五): no name contains one.
LIST_SEPARATORS = re.compile("[,\uff0c\u3001]")


def split_names(value, field: str = "a name") -> list[str]:
    """'Alice, bob' or ['Alice', 'bob, Carol'] or '张三，李四' -> ['Alice', 'bob', 'Carol'], ['张三', '李四']."""
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationError(_("names must be text, not {value!r}").format(value=value))
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ValidationError(_("a name must be text, not {item!r}").format(item=item))
        for part in LIST_SEPARATORS.split(check_text(field, item)):
            name = " ".join(part.split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                out.append(name)
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise ValidationError(_("expected text or a list of text, not {value!r}").format(value=value))


# -- text rules (docs/data-format.md, "Text rules") --------------------------
#
# Every text a person or a file supplies passes check_text. Refused everywhere:
# control characters other than tab and newline (C0, DEL, C1: they reach
# terminals as escape sequences, ESC[31m...), lone surrogates (undecodable
# bytes from a pipe), and the bidi embeddings, overrides and isolates, which
# reorder how the text around them is shown (U+202E makes `Dana` read `anaD`).
# Refused in single-line fields (titles, names, project, list items, config
# values): every other invisible formatting character (Unicode category Cf:
# zero-width spaces, bidi marks, word joiner, BOM...), line and paragraph
# separators and the invisible filler letters, which make two names that look
# the same different people. Kept where they are language: a zero-width joiner
# or non-joiner between two letters of a script that uses them (Persian,
# Devanagari...; not Latin, Greek or Cyrillic), a ZWJ inside an emoji sequence,
# and the tag characters of a flag emoji. display.visible() shows on output
# what these rules refuse on input, for text that was stored before them.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + _BIDI_CONTROLS
# The Cf code points (Unicode 14-16; tests/test_text_rules.py checks the list
# against the running Python's unicodedata), and the other invisibles.
_FORMAT = (
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2060-\u2065\u206a-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = "\u2028\u2029\u034f\u115f\u1160\u3164\uffa0"
# The two patterns below are compiled on first use (~1.5 ms: a character class this wide),
# which `pmjournal add` with printable ASCII text never reaches (check_text); the module's
# __getattr__ compiles them for whoever imports them.
_TEXT_RULES: tuple | None = None  # (_MULTI_LINE_BAD, _SINGLE_LINE_BAD) once compiled
_COMPILED_NAMES = ("_MULTI_LINE_BAD", "_SINGLE_LINE_BAD", "suspect_in_line", "suspect_in_text")


def _text_rules() -> tuple:
    global _TEXT_RULES, _MULTI_LINE_BAD, _SINGLE_LINE_BAD, suspect_in_line, suspect_in_text
    if _TEXT_RULES is None:
        _MULTI_LINE_BAD = re.compile(f"[{_ALWAYS}]")
        _SINGLE_LINE_BAD = re.compile(f"[{_ALWAYS}{_FORMAT}{_INVISIBLE}]")
        # The quick test, for output paths that look at every cell of 100k rows: None
        # means nothing in the text can be refused (refused_chars would yield nothing).
        suspect_in_line = _SINGLE_LINE_BAD.search
        suspect_in_text = _MULTI_LINE_BAD.search
        _TEXT_RULES = (_MULTI_LINE_BAD, _SINGLE_LINE_BAD)
    return _TEXT_RULES


def __getattr__(name: str):
    if name in _COMPILED_NAMES:
        _text_rules()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_JOINERS = ("\u200c", "\u200d")
_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"

# Control characters have no name in unicodedata: their Unicode aliases.
_CONTROL_NAMES = dict(
    enumerate(
        (
            "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
            "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
            "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
            "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
            "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
            "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
            "INFORMATION SEPARATOR ONE",
        )
    )
)  # fmt: skip
_CONTROL_NAMES.update(
    {
        0x7F: "DELETE",
        0x85: "NEXT LINE",
        0x90: "DEVICE CONTROL STRING",
        0x9B: "CONTROL SEQUENCE INTRODUCER",
        0x9C: "STRING TERMINATOR",
        0x9D: "OPERATING SYSTEM COMMAND",
    }
)


def char_name(ch: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': how messages name a character."""
    import unicodedata

    code = ord(ch)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(ch, "")
    return f"U+{code:04X} {name}".rstrip()


def _latin_like(ch: str) -> bool:
    import unicodedata

    name = unicodedata.name(ch, "")
    return ch.isascii() or name.startswith(("LATIN", "GREEK", "CYRILLIC", "COMBINING", "FULLWIDTH LATIN"))


def _allowed_in_line(value: str, i: int) -> bool:
    """Whether the format character at value[i] is language here, not a disguise."""
    import unicodedata

    ch = value[i]
    if ch in _JOINERS:
        if i == 0 or i + 1 >= len(value):
            return False
        before, after = value[i - 1], value[i + 1]
        cat_before, cat_after = unicodedata.category(before), unicodedata.category(after)
        if ch == "\u200d" and (cat_before in ("So", "Sk") or before == "\ufe0f") and cat_after == "So":
            return True  # an emoji sequence: 👩‍💻
        return cat_before[0] in "LM" and cat_after[0] in "LM" and not (_latin_like(before) or _latin_like(after))
    if "\U000e0020" <= ch <= _CANCEL_TAG:
        # A flag emoji: U+1F3F4, tag letters, U+E007F CANCEL TAG.
        start = i
        while start > 0 and "\U000e0020" <= value[start - 1] <= "\U000e007e":
            start -= 1
        end = i
        while end < len(value) and "\U000e0020" <= value[end] <= "\U000e007e":
            end += 1
        return start > 0 and value[start - 1] == _FLAG and end < len(value) and value[end] == _CANCEL_TAG
    return False


def refused_chars(value: str, multiline: bool = False):
    """Yield (index, character) for each character the text rules refuse in `value`.

    Tab is always allowed, and newline in multi-line text (a newline in a
    single-line field has its own message in check_text); carriage return is
    the caller's business (check_text's callers turn \\r into \\n first).
    """
    multi_line_bad, single_line_bad = _text_rules()
    pattern = multi_line_bad if multiline else single_line_bad
    for match in pattern.finditer(value):
        i = match.start()
        if not multiline and _allowed_in_line(value, i):
            continue
        yield i, match.group()


def shown(name: str) -> str:
    """A field as a message names it: as stored in English (what --clear takes), by its
    label in another language (`requested_by` -> 提出人)."""
    if language() == "en":
        return name
    for field in COMMON + tuple(f for fields in KIND_FIELDS.values() for f in fields):
        if field.name == name:
            return _(field.label)
    return _(name)


def kind_label(kind: str) -> str:
    from .labels import kind_label

    return kind_label(kind)


def a_kind(kind: str) -> str:
    """'a decision', 'an incident', 'an amendment': a kind with its article, in a sentence
    ("a incident needs an owner" read wrong). The catalogue gives each language its own."""
    label = kind_label(kind)
    return (_("an {kind}") if label[:1].lower() in "aeiou" else _("a {kind}")).format(kind=label)


def check_text(name: str, value: str, multiline: bool = False) -> str:
    if value.isascii() and value.isprintable():
        return value  # the commonest case: the rules refuse no printable ASCII, and it has no line break
    multi_line_bad, single_line_bad = _text_rules()
    if multiline:
        if multi_line_bad.search(value) is None:
            return value  # the common case, one regular-expression search: nothing to refuse
    elif single_line_bad.search(value) is None and "\n" not in value and "\r" not in value:
        return value
    for _at, bad in refused_chars(value, multiline):
        if "\ud800" <= bad <= "\udfff":
            raise ValidationError(_("{name} contains bytes that are not UTF-8; remove them").format(name=shown(name)), field=name)
        if bad <= "\x9f":
            raise ValidationError(
                _("{name} contains a control character ({char_name}); remove it").format(
                    name=shown(name), char_name=char_name(bad)
                ),
                field=name,
            )
        if bad in _BIDI:
            what = _("an invisible character that changes the direction text is shown in")
        elif bad in "\u2028\u2029":
            what = _("a line break ({name} must be a single line)").format(name=shown(name))
        else:
            what = _("an invisible character")
        raise ValidationError(
            _("{name} contains {char_name}, {what}; remove it").format(name=shown(name), char_name=char_name(bad), what=what),
            field=name,
        )
    if not multiline and ("\n" in value or "\r" in value):
        raise ValidationError(_("{name} must be a single line (put details in the body)").format(name=shown(name)), field=name)
    return value


def _clean(field: Field, value, stored: bool = False):
    """Normalise one value; return None for 'empty' so it is not stored."""
    name, kind = field.name, field.type
    if value is None:
        return None
    if kind == "line":
        if not isinstance(value, str):
            raise ValidationError(_("{name} must be text").format(name=shown(name)), field=name)
        return check_text(name, value).strip() or None
    if kind == "text":
        if not isinstance(value, str):
            raise ValidationError(_("{name} must be text").format(name=shown(name)), field=name)
        check_text(name, value.replace("\r", "\n"), multiline=True)
        return value if value.strip() else None
    if kind == "person":
        names = split_names(value, name)
        if len(names) > 1:
            raise ValidationError(
                _("{name} is one accountable person, got {names}").format(name=shown(name), names=", ".join(names)), field=name
            )
        return names[0] if names else None
    if kind == "people":
        return split_names(value, name) or None
    if kind == "date":
        if not isinstance(value, str):
            raise ValidationError(_("{label} must be a date written as text").format(label=_(field.label).lower()), field=name)
        if not value.strip():
            return None
        try:
            return dates.iso_when(value, ahead=name in DUE_FIELDS)
        except ValidationError as err:
            raise ValidationError(_("{label}: {err}").format(label=_(field.label).lower(), err=err), field=name) from err
    if kind == "enum":
        text = str(value).strip().lower()
        if not text:
            return None
        if text not in field.choices:
            raise ValidationError(
                _("{name} must be one of {choices}, not {value!r}").format(
                    name=shown(name), choices=", ".join(offered(name, field)), value=value
                ),
                field=name,
            )
        return text
    if kind == "list":
        items = []
        for item in _as_list(value):
            if not isinstance(item, str):
                raise ValidationError(_("{name} holds text, not {item!r}").format(name=shown(name), item=item), field=name)
            if check_text(name, item).strip():
                items.append(item.strip())
        return items or None
    if kind == "tags":
        tags: list[str] = []
        for raw in _as_list(value):
            for part in str(raw).replace(",", " ").split():
                tag = part.lstrip("#").lower()
                if not tag:
                    continue
                if not _TAG.match(tag):
                    raise ValidationError(
                        _("tag {part!r} must be one word (letters, digits, - _ / .)").format(part=part), field=name
                    )
                if tag not in tags:
                    tags.append(tag)
        return tags or None
    if kind == "causes":
        from .causes import BY_KEY  # only an entry that names causes needs the taxonomy

        keys: list[str] = []
        for raw in _as_list(value):
            for part in str(raw).replace(",", " ").split():
                key = part.lower()
                if key not in BY_KEY:
                    raise ValidationError(
                        _("unknown cause {part!r}; known causes: {known}").format(part=part, known=", ".join(BY_KEY)),
                        field=name,
                    )
                if key not in keys:
                    keys.append(key)
        return keys or None
    if kind == "links":
        links = []
        for link in _as_list(value):
            if not isinstance(link, dict) or link.get("rel") not in LINK_RELS or not link.get("to"):
                raise ValidationError(_("a link needs rel ({rels}) and to").format(rels=", ".join(LINK_RELS)), field=name)
            item = {"rel": link["rel"], "to": str(link["to"])}
            if item not in links:
                links.append(item)
        return links or None
    if kind == "commitments":
        if stored and isinstance(value, str):
            return _clean(Field(name, "text", field.label), value)  # written before commitments had a shape
        return clean_commitments(value)
    if kind == "impact":
        if not isinstance(value, dict):
            raise ValidationError(_("impact of a change has scope, schedule and cost"), field=name)
        impact = {}
        for part, text in dict(value).items():
            if part not in IMPACT_PARTS:
                raise ValidationError(
                    _("impact has {parts}, not {part!r}").format(parts=", ".join(IMPACT_PARTS), part=part),
                    field=name,
                )
            if text is not None and str(text).strip():
                impact[part] = str(text)
                check_text(f"impact {part}", impact[part].replace("\r", "\n"), multiline=True)
        return impact or None
    raise AssertionError(f"unhandled field type {kind}")


COMMITMENT_HINT = N_("write a commitment as 'who; what; by when', e.g. 'Dana; send the pricing sheet; friday'")


def parse_commitment(text: str, ref=None) -> dict:
    """'Dana; send the pricing sheet; friday' (or 李娜；整理纪要；下周一) -> {"who", "what", "due"}
    (due as ISO, read against `ref`, default now)."""
    # The full-width ；a Chinese input method types separates as ; does (as ，and 、do names).
    # Who is before the first separator and by when after the last: what is owed may hold
    # more, as typed ('Dana; send the spec; v2 only; friday' was refused).
    plain = text.replace("；", ";")
    first, last = plain.find(";"), plain.rfind(";")
    parts = [text[:first].strip(), text[first + 1 : last].strip(), text[last + 1 :].strip()]
    if first == last or not all(parts):
        raise ValidationError(
            _("commitment {text!r}: {hint}").format(text=text.strip(), hint=_(COMMITMENT_HINT)),
            field="commitments",
        )
    return _commitment({"who": parts[0], "what": parts[1], "due": parts[2]}, ref)


def commitment_line(item: dict) -> str:
    """A commitment as one types it: 'Dana; send the pricing sheet; 2026-11-27' (parse_commitment's
    input), read back by parse_commitment to the same due: the day alone when the due is that
    day's midnight here (what a typed day gives), else with its time and offset. The amend form
    showed every due as its day, and saving it moved 15:00 and 09:30 +08:00 to midnight here."""
    return f"{item['who']}; {item['what']}; {_due_text(item['due'])}"


def _due_text(due: str) -> str:
    try:
        when = datetime.fromisoformat(due)
    except (TypeError, ValueError):
        return str(due)
    if when.tzinfo is None:
        return due
    midnight = datetime.combine(when.date(), time(0), tzinfo=dates.local_zone())
    if when.time() == time(0) and when.utcoffset() == midnight.utcoffset():
        return when.date().isoformat()
    # 2026-12-05T09:30+08:00, its seconds when it has some (09:30:45 was saved back as 09:30)
    iso = when.isoformat(timespec="seconds" if when.second else "minutes")
    return f"{iso[:10]} {iso[11:-6]} {iso[-6:]}"


def _commitment(item: dict, ref=None) -> dict:
    if set(item) != {"who", "what", "due"}:
        raise ValidationError(
            _("a commitment has who, what and due; {hint}").format(hint=_(COMMITMENT_HINT)),
            field="commitments",
        )
    who = split_names(item["who"], "commitments")
    if len(who) != 1:
        raise ValidationError(_("a commitment is owed by one person, not {who!r}").format(who=item["who"]), field="commitments")
    what = item["what"]
    if not isinstance(what, str) or not check_text("commitments", what).strip():
        raise ValidationError(_("a commitment says what is owed; {hint}").format(hint=_(COMMITMENT_HINT)), field="commitments")
    due = item["due"]
    if not isinstance(due, str) or not due.strip():
        raise ValidationError(_("a commitment says by when; {hint}").format(hint=_(COMMITMENT_HINT)), field="commitments")
    try:
        due = dates.iso_when(due, ref, ahead=True)
    except ValidationError as err:
        raise ValidationError(_("commitment {text!r}: {err}").format(text=what.strip(), err=err), field="commitments") from err
    return {"who": who[0], "what": " ".join(what.split()), "due": due}


def clean_commitments(value, ref=None) -> list[dict] | None:
    """What a communication commits people to: each item owed by one person, by a date.

    Takes a list of {"who", "what", "due"} or of 'who; what; by when' lines, or
    one text of such lines (the form's text area). Commitments stored before
    they had this shape are text (build_entry's `stored`); they stay as they
    were written and open no loop.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = [line for line in value.replace("\r", "\n").split("\n") if line.strip()]
    if not isinstance(value, list | tuple):
        raise ValidationError(COMMITMENT_HINT, field="commitments")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(parse_commitment(item, ref))
        elif isinstance(item, dict):
            out.append(_commitment(dict(item), ref))
        else:
            raise ValidationError(COMMITMENT_HINT, field="commitments")
    return out or None


# The dates by which something is owed: none may come before the entry itself.
DUE_FIELDS = ("follow_up_by", "review_by")


# How far ahead of this machine's clock a When (or a loop's closing) may be: another machine's
# clock, a minute typed as the next one. Further is the future, which what happened cannot be in.
FUTURE_SLACK = timedelta(minutes=5)


def check_happened(typed, now: datetime | None = None) -> None:
    """Refuse a typed When in the future (the CLI's --when, the app's When field): an entry says
    what happened. `--when tomorrow` was taken, and the entry sorted after today's, dated later
    than records written after it. What is to come is a follow-up, a review or a commitment.
    (A script's insert calls it too, through open_db; an import keeps what it is given.)"""
    if not isinstance(typed, str) or not typed.strip():
        return
    now = now or dates.now()
    try:
        when = dates.parse_when(typed, ref=now)
    except ValidationError:
        return  # said by the field's own check
    check_happened_at(when, now)


def check_happened_at(when: datetime, now: datetime) -> None:
    """check_happened for a When already read (the app's preview and save read it once)."""
    if when > now + FUTURE_SLACK:
        raise ValidationError(
            _(
                "when: {when} is in the future; an entry records what happened (what is to come is a follow-up, "
                "a review or a commitment)"
            ).format(when=dates.describe(when)),
            field="occurred_at",
        )


def check_due_dates(entry: dict) -> None:
    """Refuse a due date earlier than the day the entry happened (compared as calendar days)."""
    occurred = entry.get("occurred_at")
    if not occurred:
        return
    day = occurred[:10]
    for name in DUE_FIELDS:
        due = entry.get(name)
        if isinstance(due, str) and due[:10] < day:
            label = name.replace("_", " ") if language() == "en" else shown(name)
            raise ValidationError(
                _("{label} {due} is before the entry's own date {day}").format(label=label, due=due[:10], day=day), field=name
            )
    commitments = entry.get("commitments")
    if isinstance(commitments, list):
        for item in commitments:
            if item["due"][:10] < day:
                raise ValidationError(
                    _("commitment {what!r} is due {due}, before the entry's own date {day}").format(
                        what=item["what"], due=item["due"][:10], day=day
                    ),
                    field="commitments",
                )


def missing(kind: str, record: dict) -> list[ValidationError]:
    """Every required field a new entry of `kind` lacks (its title, a decision's owner), in
    the form's order: the form says them all at once, build_entry refuses the first."""
    gaps = []
    if not record.get("title"):
        gaps.append(ValidationError(_("a title is required"), field="title"))
    if kind in OWNER_REQUIRED and not record.get("owner"):
        gaps.append(
            ValidationError(_("{a_kind} needs an owner: the one accountable person").format(a_kind=a_kind(kind)), field="owner")
        )
    return gaps


def build_entry(kind: str, values: dict, stored: bool = False) -> dict:
    """Validate a new entry's fields; return the record body without system fields.

    `stored`: the values come from a journal (an import, the demo) and may hold
    what older versions wrote, such as commitments as free text."""
    kind = (kind or "").strip().lower()
    spec = fields_for(kind)
    unknown = [k for k in values if k not in spec]
    if unknown:
        raise ValidationError(
            _("{a_kind} has no {unknown} field").format(a_kind=a_kind(kind), unknown=unknown[0]), field=unknown[0]
        )
    record: dict = {"kind": kind}
    refused: list[ValidationError] = []  # every field's own error, for a form to show each beside its field
    for name, field in spec.items():
        value = values.get(name)
        if value is not None:  # _clean(field, None) is None: most fields are empty
            try:
                value = _clean(field, value, stored)
            except ValidationError as err:
                refused.append(err)
                continue
        if value is None and field.default and (name not in values or not stored):
            # given empty (`--status ""`) is not given: a decision without a status was saved
            value = field.default
        if value is not None:
            record[name] = value
    gaps = [gap for gap in missing(kind, record) if gap.field not in {err.field for err in refused}]
    if refused or gaps:
        first, *others = [*refused, *gaps]
        first.others = [*first.others, *others]
        raise first
    if "occurred_at" not in record:
        record["occurred_at"] = dates.iso(dates.now().replace(microsecond=0))
    return record


def clean_changes(kind: str, changes: dict, stored: bool = False) -> dict:
    """Validate an amendment's {field: new value}; None/empty clears a field."""
    spec = fields_for(kind)
    if not changes:
        raise ValidationError(_("an amendment must change at least one field"))
    out = {}
    for name, value in changes.items():
        if name in SYSTEM_FIELDS:
            raise ValidationError(_("{name} is set by the journal and cannot be amended").format(name=shown(name)), field=name)
        if name not in spec:
            raise ValidationError(_("{a_kind} has no {name} field").format(a_kind=a_kind(kind), name=name), field=name)
        cleaned = _clean(spec[name], value, stored)
        if cleaned is None and name == "title":
            raise ValidationError(_("the title cannot be emptied"), field="title")
        if cleaned is None and name == "owner" and kind in OWNER_REQUIRED:
            raise ValidationError(_("{a_kind} needs an owner").format(a_kind=a_kind(kind)), field="owner")
        if cleaned is None and name == "occurred_at":
            raise ValidationError(_("when it happened cannot be emptied; give the right date instead"), field=name)
        if cleaned is None and spec[name].default:
            # `amend --clear status` left a decision with no status at all (a user trial)
            raise ValidationError(
                _("{field} cannot be emptied; choose one of: {choices}").format(
                    field=shown(name), choices=", ".join(offered(name, spec[name]))
                ),
                field=name,
            )
        out[name] = cleaned
    return out


def offered(name: str, field: Field) -> list[str]:
    """The choices a user may give a field: "superseded" is shown, never chosen (a later
    decision's link sets it), so not offered (`amend --clear status` offered it, then refused it)."""
    return [c for c in field.choices if not (name == "status" and c == "superseded")]


_LOOP_KEY = re.compile(r"^(follow-up|review|answer|commitment-[1-9][0-9]{0,3})$")


def build_loop(target: str, values: dict) -> dict:
    """Validate a `loop` record's body: which loop of `target`, done or open
    again, when (a date as people type it), by whom, and a note."""
    unknown = [k for k in values if k not in LOOP_KEYS]
    if unknown:
        raise ValidationError(_("a loop record has no {unknown} field").format(unknown=unknown[0]), field=unknown[0])
    key = values.get("loop")
    if not isinstance(key, str) or not _LOOP_KEY.match(key):
        raise ValidationError(_("unknown loop {key!r}: follow-up, review, answer or commitment-N").format(key=key), field="loop")
    if values.get("state") not in LOOP_STATES:
        raise ValidationError(_("a loop's state is done or open, not {state!r}").format(state=values.get("state")), field="state")
    body = {"kind": "loop", "target": target, "loop": key, "state": values["state"]}
    when = values.get("occurred_at")
    if when is None:
        body["occurred_at"] = dates.iso(dates.now().replace(microsecond=0))
    else:
        body["occurred_at"] = _clean(Field("occurred_at", "date", N_("When")), when) or dates.iso(
            dates.now().replace(microsecond=0)
        )
    by = _clean(Field("by", "person", N_("By")), values.get("by"))
    if by:
        body["by"] = by
    note = _clean(Field("note", "text", N_("Note")), values.get("note"))
    if note:
        body["note"] = note.strip()
    return body


def require_reason(reason) -> str:
    """A correction's reason: text like a body (it may run over lines), under the same rules."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError(_("a reason is required"), field="reason")
    check_text("reason", reason.replace("\r", "\n"), multiline=True)
    return reason.strip()
