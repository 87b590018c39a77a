"""The one-line filter people type: `launch @ann #pricing kind:decision since:2026-10-01`.

Shared by the TUI's live filter and any CLI command that takes a query. Parsing
never raises: a token that cannot be read (a half-typed `since:2026-1`, an
unknown kind) is reported in `errors` and left out, so a filter that updates on
every keystroke keeps showing the last sensible result instead of failing.

Syntax (tokens are ANDed; double quotes group words: `@"Pat PM"`, `since:"last fri"`; the
full-width ＠ ＃ and ： a Chinese input method types read as @ # and :):
  word            free text, matched case-insensitively anywhere in the entry
  @person         someone in any role (or in `role:`), a unique prefix of a known name is enough
  #tag            an entry tag
  kind:K[,K]      decision, change, communication, risk, incident, note (unique prefixes accepted)
  project:P       the project, case-insensitive
  since:DATE      on or after; until:DATE on or before (a bare day includes the whole day)
  cause:C         a blame cause key, or a unique prefix of one
  role:R          owner, requested, approved, consulted, informed (with @person: that person in that role)
  author:A        written down by A: a name (or its first word), or a team member's handle
  retracted:yes|no  show or hide retracted entries
"""

import re
from dataclasses import dataclass, field

from . import dates
from .causes import BY_KEY
from .errors import PmjournalError
from .i18n import _
from .model import ENTRY_KINDS
from .query import Filter, crossed, role_name

KEYS = ("kind", "project", "since", "until", "cause", "role", "author", "retracted")
# A token: runs of anything but spaces, quotes and backslashes; a backslash and what it
# escapes (\" is a quote inside the value: a name such as Tom "TJ" Becker; \\ a backslash);
# a quoted stretch, spaces and all.
_TOKEN = re.compile(r'(?:[^\s"\\]+|\\["\\]?|"(?:[^"\\]|\\["\\]?)*"?)+')
_UNQUOTE = re.compile(r'\\(["\\])|"')
_YES = {"yes", "y", "true", "1", "show", "on"}
_NO = {"no", "n", "false", "0", "hide", "off"}


@dataclass
class Parsed:
    filter: Filter
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the filter's words mean, where a reader could take them otherwise

    @property
    def ok(self) -> bool:
        return not self.errors


def _unquoted(token: str) -> str:
    return _UNQUOTE.sub(lambda m: m.group(1) or "", token)


_FULL_WIDTH_MARKS = {"\uff20": "@", "\uff03": "#"}  # ＠ ＃


def _ascii_marks(token: str) -> str:
    """＠张伟, ＃标签 and kind：decision, as a Chinese input method types them: @, # and the colon.
    Read as words, they matched nothing and the trail went empty."""
    token = _FULL_WIDTH_MARKS.get(token[:1], token[:1]) + token[1:]
    key, colon, rest = token.partition("\uff1a")  # ：
    if colon and ":" not in key and key.lower() in KEYS:
        return f"{key}:{rest}"
    return token


def tokens(text: str) -> list[str]:
    """Whitespace-separated tokens; double quotes keep spaces inside one token and are removed,
    and \" is a quote inside a value."""
    return [value for t in _TOKEN.findall(text or "") if (value := _unquoted(t))]


def quote(value: str) -> str:
    """A value as it must be typed after `@`, `#` or `key:` to survive tokenising."""
    if '"' in value or "\\" in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f'"{value}"' if any(c.isspace() for c in value) or not value else value


def _unique_prefix(value: str, choices, what: str) -> str:
    v = value.strip().lower()
    if v in choices:
        return v
    hits = [c for c in choices if c.startswith(v)] if v else []
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise PmjournalError(_("{what} {value!r} could be {hits}").format(what=what, value=value, hits=", ".join(hits)))
    raise PmjournalError(
        _("unknown {what} {value!r}; choose from {choices}").format(what=what, value=value, choices=", ".join(choices))
    )


def _kind(value: str) -> str:
    """A kind as the filter syntax names it (decision, or its start), or as the interface shows
    it (决策 in Chinese: the trail's Kind column says so, and kind:决策 was refused)."""
    from .labels import kind_label

    shown = {kind_label(kind).casefold(): kind for kind in ENTRY_KINDS}
    return shown.get(value.strip().casefold()) or _unique_prefix(value, ENTRY_KINDS, "kind")


def _person(value: str, people) -> str:
    return value if people is None else people.resolve(value)


def parse(text: str, people=None, include_retracted: bool = True, own: str | None = None) -> Parsed:
    """The Filter `text` describes. `people` (core.people.People) lets `@ann` find "Ann Lee";
    `own`: this machine's handle in a team journal (Filter.own)."""
    kinds: list[str] = []
    tags: list[str] = []
    words: list[str] = []
    errors: list[str] = []
    notes: list[str] = []
    opts: dict = {"include_retracted": include_retracted}
    for token in tokens(text):
        token = _ascii_marks(token)
        try:
            if token.startswith("@") and len(token) > 1:
                if "person" in opts:
                    raise PmjournalError(_("only one @person at a time"))
                opts["person"] = _person(token[1:], people)
                if people is not None and (note := people.also_named(token[1:])):
                    notes.append(note)
            elif token.startswith("#") and len(token) > 1:
                tags.append(token[1:].lower())
            elif token in ("@", "#"):
                # Half-typed, as `since:` is: searched for as a word it emptied the trail.
                raise PmjournalError(_("@ needs a name") if token == "@" else _("# needs a tag"))
            elif ":" in token and token.split(":", 1)[0].lower() in KEYS:
                key, value = token.split(":", 1)
                key = key.lower()
                if not value.strip():
                    raise PmjournalError(_("{key}: needs a value").format(key=key))
                if key == "kind":
                    kinds += [_kind(k) for k in value.split(",") if k.strip()]
                elif key == "project":
                    opts["project"] = value
                elif key in ("since", "until"):
                    opts[key] = dates.parse_bound(value, end=key == "until")
                elif key == "cause":
                    opts["cause"] = _unique_prefix(value, tuple(BY_KEY), "cause")
                elif key == "role":
                    opts["role"] = role_name(value)
                elif key == "author":
                    opts["author"] = value
                elif key == "retracted":
                    if value.lower() not in _YES | _NO:
                        raise PmjournalError(_("retracted: takes yes or no"))
                    opts["include_retracted"] = value.lower() in _YES
            else:
                words.append(token)
        except PmjournalError as err:
            errors.append(str(err))
    if said := crossed(opts.get("since"), opts.get("until")):
        errors.append(said)
    filt = Filter(
        kinds=tuple(dict.fromkeys(kinds)), tags=tuple(dict.fromkeys(tags)), search=" ".join(words) or None, own=own, **opts
    )
    return Parsed(filt, errors, notes)


def with_person(text: str, person: str) -> str:
    """`text` with its @person token replaced by (or extended with) `person`."""
    kept = [t for t in _TOKEN.findall(text or "") if not _ascii_marks(t).startswith("@")]
    return " ".join([*kept, "@" + quote(person)])
