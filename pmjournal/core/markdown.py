"""The Markdown evidence export: the trail as a document someone else can read.

A product manager hands this to a manager, a retrospective or a review, so it
has to read well on GitHub and on paper, and nothing a user typed may change
its structure. Every piece of user text goes through markdown_text.py's escapers:
`_inline` (one line: table cells, headings, list items), `_link_text` (inside a
link's brackets) or `_block` (bodies and other multi-line text), which escape the
Markdown punctuation, defuse what would open a block, write http(s) URLs as
autolinks and show control characters and bidi overrides as the terminal does. The
only raw HTML in the document is the `<a id>` anchors generated here from
#seq numbers (and, for a colleague's entry in a team journal, the author's
handle, which is only ever lower-case letters, digits and hyphens), never from text.

The document is written in the language in use (`i18n.language()`: `export --lang`
renders inside `i18n.using()`): every heading, label, sentence, date and the names
of kinds, roles, statuses and fields come from the pmjournal-export catalog (_Words,
built once per language). What the user typed, names, ids and hashes are data and
never change with the language; anchors (`#e-42`, `#m-2026-11`) stay the same too.

Written for speed (10,000 entries well under a tenth of a second): one list of
strings joined once, `str.translate` for escaping, and per-name and per-day
caches so nothing is formatted twice.
"""

import re
from collections import Counter, deque
from datetime import date, datetime

from . import causes as causes_mod
from . import dates, i18n
from . import loops as loops_mod
from .bounded import Bounded
from .display import LINK_WORDS, as_stored, label, link_words, retraction_ref
from .fold import ref_of
from .i18n import ngettext
from .labels import field_labels, value_labels
from .markdown_text import block as _block
from .markdown_text import cell as _cell
from .markdown_text import code as _code
from .markdown_text import inline as _inline
from .markdown_text import item as _item
from .markdown_text import link_text as _link_text
from .markdown_text import needs_cell as _needs_cell
from .model import ENTRY_KINDS, IMPACT_PARTS, KIND_FIELDS, PEOPLE_FIELDS
from .query import WHO_COLUMNS, Filter, Who, trace

_MONTH = re.compile(r"\d{4}-\d{2}").fullmatch

_PEOPLE = frozenset(PEOPLE_FIELDS)
_TEXT_FIELDS = tuple(f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "text")
_DATE_FIELDS = ("review_by", "follow_up_by")
_DATE_OR_PEOPLE = frozenset((*_DATE_FIELDS, *PEOPLE_FIELDS))
_ROLE_FIELDS = ("owner", "requested_by", "approved_by", "consulted", "informed")
# CommonMark parsers stop nesting blocks at some depth (markdown-it: 20 in its
# commonmark preset); a cause trace deeper than this is cut with a pointer.
_MAX_TRACE_DEPTH = 6
# A translation looked up once per language: a history or loop line of each of 100k
# entries asks for the same few words, and the catalogs' chain is slow to walk.
_TRANSLATED: dict[tuple, str] = {}


def _(message: str) -> str:
    key = (i18n.language(), message)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = i18n._(message)
    return found


def pgettext(context: str, message: str) -> str:
    key = (i18n.language(), context, message)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = i18n.pgettext(context, message)
    return found


class _Cache(Bounded):
    """A dict that computes a missing value once: `cache[key]` costs a lookup after the first
    time. `bound`: it starts over past this many keys (bounded.Bounded)."""

    def __init__(self, compute, bound: int = 0):
        super().__init__(bound)
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


# What the open-loops tables read of a loop's entry (entry_cell, loop_row, the escalations').
_LOOP_VIEW = ("id", "seq", "ref", "author", "title", "kind", "occurred_at")


class _Written(Bounded):
    """The last _WRITTEN entries the export wrote, by id (`in` says an entry is the export's);
    get() falls back to `views` for any other."""

    def __init__(self, views):
        super().__init__(_WRITTEN)
        self.views = views
        self.coming: dict = {}  # the entries the export will write next (_read_ahead)

    def get(self, key, default=None):
        found = super().get(key)
        if found is None:
            found = self.coming.get(key)
        return found if found is not None else self.views.get(key, default)


def _read_ahead(views, coming: dict):
    """`views` in order, each read _AHEAD ahead and kept by id in `coming` until it is
    yielded: a link to an entry written a little later (the incident a cause led to, the
    decision that superseded another) is found there, not looked up in the index."""
    queue: deque = deque()
    for view in views:
        queue.append(view)
        coming[view["id"]] = view
        if len(queue) > _AHEAD:
            first = queue.popleft()
            coming.pop(first["id"], None)
            yield first
    while queue:
        first = queue.popleft()
        coming.pop(first["id"], None)
        yield first


# How many link targets' texts an export keeps: one per distinct target would grow with a
# million-entry export; a link mostly points at a recent entry, so starting over costs little.
_BOUND = 20_000
_WRITTEN = 5_000  # views, ~3 KB each
_AHEAD = 2_000  # views read ahead (the index's stream holds a chunk of 2,000 anyway)


# -- what the document says, in the language in use ---------------------------
#
# Each function below returns the catalog's text for the language in use; _Words
# calls them once per language. Written out one string a call so that the catalog
# tool finds them (the English is the code's own text: the English document is what
# it always was, byte for byte).


def _kind_names() -> dict[str, str]:
    """An entry's kind as a heading or table shows it."""
    return {
        "decision": pgettext("kind", "Decision"),
        "change": pgettext("kind", "Change"),
        "communication": pgettext("kind", "Communication"),
        "risk": pgettext("kind", "Risk"),
        "incident": pgettext("kind", "Incident"),
        "note": pgettext("kind", "Note"),
    }


def _kind_words() -> dict[str, str]:
    """An entry's kind inside a sentence ("review of this decision", a filter's "kind decision")."""
    return {
        "decision": pgettext("kind, in a sentence", "decision"),
        "change": pgettext("kind, in a sentence", "change"),
        "communication": pgettext("kind, in a sentence", "communication"),
        "risk": pgettext("kind, in a sentence", "risk"),
        "incident": pgettext("kind, in a sentence", "incident"),
        "note": pgettext("kind, in a sentence", "note"),
    }


def _role_words() -> dict[str, str]:
    """A role inside a sentence (a filter's "person Dana as owner"): model.ROLES."""
    return {
        "owner": pgettext("role, in a sentence", "owner"),
        "requested": pgettext("role, in a sentence", "requested"),
        "approved": pgettext("role, in a sentence", "approved"),
        "consulted": pgettext("role, in a sentence", "consulted"),
        "informed": pgettext("role, in a sentence", "informed"),
    }


def _kind_count(kind: str, n: int) -> str | None:
    """'3 decisions', in the header's count of entries by kind (None: a kind not known here)."""
    if kind == "decision":
        return ngettext("{n} decision", "{n} decisions", n).format(n=n)
    if kind == "change":
        return ngettext("{n} change", "{n} changes", n).format(n=n)
    if kind == "communication":
        return ngettext("{n} communication", "{n} communications", n).format(n=n)
    if kind == "risk":
        return ngettext("{n} risk", "{n} risks", n).format(n=n)
    if kind == "incident":
        return ngettext("{n} incident", "{n} incidents", n).format(n=n)
    if kind == "note":
        return ngettext("{n} note", "{n} notes", n).format(n=n)
    return None


def _cause_names() -> dict[str, str]:
    """The causes' names (causes.py); a translation that is the cause's own Chinese name
    is shown once, any other with the Chinese name after it, as in English."""
    return {
        "expectations": pgettext("cause", "Inflated expectations"),
        "communication": pgettext("cause", "Communication breakdown"),
        "decision": pgettext("cause", "Decision error"),
        "requirement-change": pgettext("cause", "Requirement change"),
        "resources": pgettext("cause", "Insufficient resources"),
        "collaboration": pgettext("cause", "Team collaboration"),
        "ownership": pgettext("cause", "Unclear ownership"),
        "risk": pgettext("cause", "Risk management"),
        "tooling": pgettext("cause", "Tooling"),
        "external": pgettext("cause", "External change"),
        "positioning": pgettext("cause", "Product positioning"),
        "quality": pgettext("cause", "Product quality"),
        "schedule": pgettext("cause", "Time management"),
        "culture": pgettext("cause", "Team culture"),
        "leadership": pgettext("cause", "Leadership support"),
        "feedback": pgettext("cause", "User feedback handling"),
        "go-to-market": pgettext("cause", "Go-to-market"),
        "competition": pgettext("cause", "Competitor pressure"),
        "economy": pgettext("cause", "Economic climate"),
        "legal": pgettext("cause", "Law and compliance"),
    }


def _link_labels() -> tuple[dict[str, str], dict[str, str]]:
    """How a link reads from the entry that made it, and from the entry it points to."""
    forward = {rel: link_words(rel, capital=True) for rel in LINK_WORDS}
    backward = {rel: link_words(rel, backwards=True, capital=True) for rel in LINK_WORDS}
    return forward, backward


def _role_headers() -> tuple[str, ...]:
    """The accountability summary's columns (query.WHO_COLUMNS)."""
    return (
        pgettext("role", "Owner"),
        pgettext("role", "Requested"),
        pgettext("role", "Approved"),
        pgettext("role", "Consulted"),
        pgettext("role", "Informed"),
        pgettext("role", "Other"),
    )


class _Words:
    """What the document says in one language: labels, table rows, date patterns.

    Built once per language (`_words()`), under that language, so that the hot
    path (a row prefix per field of 100k entries) never looks up a catalog."""

    def __init__(self):
        self.lang = i18n.language()
        self.kind_names = _kind_names()
        self.kind_words = _kind_words()
        self.role_words = _role_words()
        self.fields = field_labels()
        self.choices = value_labels()
        self.choices_of = frozenset(f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "enum")
        self.impact = {part: self.choices[part] for part in IMPACT_PARTS}
        self.link, self.backlink = _link_labels()
        self.role_headers = _role_headers()
        self.day_names = dates.day_names()
        cause_names = self.cause_names = _cause_names()
        # TRANSLATORS: a cause of blame: its name, then its Chinese name (causes.py), e.g. "Decision error (决策失误)".
        both = _("{label} ({zh})")
        self.causes = {}
        for c in causes_mod.CAUSES:
            name = cause_names.get(c.key, c.label)
            self.causes[c.key] = name if name == c.zh else both.format(label=name, zh=c.zh)
        # TRANSLATORS: between the items of a list in one line (names, tags, causes, links).
        self.sep = pgettext("list separator", ", ")
        # TRANSLATORS: a day with its weekday: %a weekday (Mon), %d day (01), %-d day (1), %b month (Nov), %B month (November), %m month (11), %-m month (11), %Y year.
        self.day_pattern = pgettext("date pattern", "%a %d %b %Y")
        # TRANSLATORS: a day without its weekday (the same codes as "%a %d %b %Y").
        self.short_day_pattern = pgettext("date pattern", "%-d %b %Y")
        # TRANSLATORS: a month's heading (the same codes as "%a %d %b %Y").
        self.month_pattern = pgettext("date pattern", "%B %Y")
        # TRANSLATORS: the day of a time recorded in UTC (the same codes as "%a %d %b %Y").
        self.utc_day_pattern = pgettext("date pattern", "%Y-%m-%d")
        # TRANSLATORS: a filter's since and until (the same codes as "%a %d %b %Y"; %H:%M the time, %z its offset +08:00).
        self.filter_time_pattern = pgettext("date pattern", "%Y-%m-%dT%H:%M%z")
        # TRANSLATORS: a time recorded in UTC: {day} as "%Y-%m-%d" says, {time} 07:25.
        self.utc_time = _("{day} {time} UTC")
        # TRANSLATORS: a time in its own UTC offset: {day} as "%a %d %b %Y" says, {time} 15:00, {offset} +08:00.
        self.local_time = _("{day} {time} {offset}")
        self.field_value = (
            "| " + pgettext("table header", "Field") + " | " + pgettext("table header", "Value") + " |\n|---|---|\n"
        )
        self.when_row = "| " + self.fields["occurred_at"] + " | "
        self.role_rows = tuple((f, f"| {self.fields[f]} | ", i) for i, f in enumerate(_ROLE_FIELDS, 1))
        self.table_fields = _Cache(self._table_fields)
        self.text_fields = _Cache(self._text_fields)
        self.project_row = "| " + self.fields["project"] + " | "
        self.tags_row = "| " + self.fields["tags"] + " | "
        self.causes_row = "| " + self.fields["causes"] + " | "
        self.recorded_row = "| " + self.fields["recorded_at"] + " | "
        # TRANSLATORS: an entry's Recorded cell: {when} the time it was recorded (UTC), {who} who recorded it.
        self.recorded_by = _("{when} by {who}")
        self.imported_row = "| " + pgettext("field", "Imported") + " | "
        self.id_row = "| " + pgettext("field", "Id") + " | "
        # TRANSLATORS: after a retracted entry's heading.
        self.retracted_mark = _(" (retracted)")
        self.empty = _("(empty)")
        self.nobody = _("(nobody named)")
        self.none_given = _("(none given)")

    def label(self, field: str) -> str:
        """A field's name (any field: one the document does not know keeps the core's label)."""
        return self.fields.get(field) or label(field)

    def _table_fields(self, kind: str) -> tuple:
        """(field, row prefix, how to render it) for the kind-specific fields shown in an entry's table.

        Multi-line text, options and commitments are shown below the table instead."""
        return tuple(
            (f.name, f"| {self.label(f.name)} | ", _HOW.get(f.type, _OTHER))
            for f in KIND_FIELDS.get(kind, ())
            if f.type not in ("text", "commitments") and f.name != "options"
        )

    def _text_fields(self, kind: str) -> tuple:
        """(field, label paragraph) for the kind's multi-line fields, shown as paragraphs after the body."""
        return tuple((f.name, f"**{self.label(f.name)}**\n\n") for f in KIND_FIELDS.get(kind, ()) if f.type == "text")

    def date(self, pattern: str, d: date) -> str:
        """`d` as `pattern` says (dates.day_in's codes), in the document's language."""
        return dates.day_in(pattern, d, self.day_names)

    def days(self, n: int) -> str:
        return ngettext("{n} day", "{n} days", n).format(n=n)

    def choice(self, value: str) -> str:
        """A value of a field with fixed choices; one that is not among them is shown as typed."""
        return self.choices.get(value) or _inline(value)


_PLAIN, _PERSON, _PEOPLE_LIST, _OTHER, _CHOICE = range(5)
OWN, OWN_AND_HISTORY = 1, 2  # _Writer.entries(own_only=...)
_HOW = {"enum": _CHOICE, "line": _PLAIN, "person": _PERSON, "people": _PEOPLE_LIST}
_WORDS: dict[str, _Words] = {}


def _words() -> _Words:
    """The document's words in the language in use (built the first time it is asked for)."""
    lang = i18n.language()
    found = _WORDS.get(lang)
    if found is None:
        found = _WORDS[lang] = _Words()
    return found


def _any_retracted(journal) -> bool:
    """Whether the journal holds a retracted entry: the reads' own answer (the index's, in one
    look-up), else a look at the views held (a loaded journal, the app's snapshot)."""
    asked = getattr(journal, "any_retracted", None)
    if asked is not None:
        return asked()
    views = getattr(journal, "views", None)
    return isinstance(views, dict) and any(v.get("retracted") for v in views.values() if v.get("kind") in ENTRY_KINDS)


def _anchor(view: dict) -> str:
    """The anchor id of an entry's heading: `e-42` for one's own #42, `e-dana-42` for
    dana#42, so two authors' #1 never share one. Unique: an own anchor has no hyphen
    after `e-`, and a colleague's #seq is the digits after its last hyphen (a handle
    is lower-case letters, digits and hyphens: core/team/layout.HANDLE)."""
    author = view.get("author")
    return f"e-{author}-{int(view['seq'])}" if author else f"e-{int(view['seq'])}"


def _due_in(w: _Words, loop) -> str:
    days = w.days(loop.days)
    # TRANSLATORS: a Due in cell of a loop due within three days: {days} is "2 days".
    return _("{days} (soon)").format(days=days) if loop.state == "soon" else days


def _filter_text(filt: Filter, w: _Words) -> str:
    """Which entries the filter selects, in words (as Filter.describe says it in English)."""
    parts = []
    if filt.project:
        parts.append(_("project {project}").format(project=filt.project))
    if filt.kinds:
        parts.append(_("kind {kinds}").format(kinds="/".join(w.kind_words.get(k, k) for k in filt.kinds)))
    role = w.role_words.get(filt.role, filt.role) if filt.role else None
    if filt.person:
        parts.append(_("person {person}").format(person=filt.person) + (_(" as {role}").format(role=role) if role else ""))
    elif role:
        parts.append(_("role {role}").format(role=role))
    if filt.tags:
        parts.append(_("tag {tags}").format(tags=w.sep.join(filt.tags)))
    if filt.cause:
        c = causes_mod.BY_KEY.get(filt.cause)
        name = w.cause_names.get(filt.cause) if c else None
        parts.append(_("cause {cause}").format(cause=filt.cause if name is None or name == c.label else name))
    if filt.since:
        parts.append(_("since {when}").format(when=w.date(w.filter_time_pattern, filt.since).strip()))
    if filt.until:
        parts.append(_("until {when}").format(when=w.date(w.filter_time_pattern, filt.until).strip()))
    if filt.search:
        # In quotes as typed: repr() showed a\b as 'a\\b' and it's as "it's"
        parts.append(_("search '{search}'").format(search=filt.search))
    if filt.author:
        parts.append(_("author {author}").format(author=filt.author))
    if filt.include_retracted:
        parts.append(_("retracted included"))
    # TRANSLATORS: between the criteria of a filter ("project checkout-v2; kind decision").
    return pgettext("filter separator", "; ").join(parts) or _("all entries")


class _Writer:
    """Formats one export; holds the caches that make 100k entries cheap."""

    def __init__(
        self,
        journal,
        filt: Filter,
        today: date | None = None,
        answer_days: int = loops_mod.ANSWER_DAYS,
        counts_kept: bool = False,
    ):
        self.journal = journal
        self.filt = filt
        self.matches = filt.matcher()
        self.w = _words()
        # The day the open loops are counted on: the day the document is generated.
        self.today = today or dates.now().date()
        self.answer_days = answer_days
        # What entries() counts as the entries stream past, for the sections written above them.
        self.count = self.retracted = 0
        self.first = self.last = ""  # the first and last entry's occurred_at
        self.by_kind: Counter = Counter()
        # counts_kept: the export is every entry the journal streams (retracted ones aside), so
        # the summary is the journal's own who_all, which its index keeps as records arrive;
        # else the entries are counted as they are written.
        self.who = None if counts_kept else Who(journal.people)
        self.loops: list = []  # the loops of the exported entries still open (or overdue) on `today`
        # the journal holds retracted entries, which an export without --include-retracted leaves out
        self.retracted_left_out = not filt.include_retracted and _any_retracted(journal)
        self.loops_done = 0  # and how many were done
        # entries(own_only=...) writes the loops too: they are the entry's records and the day's
        # (verify --evidence, once it knows the day the document was generated)
        self.own_loops = False
        self.due_days = _Cache(lambda day: self.day_text(day.isoformat()))  # date -> 'Fri 23 Oct 2026'
        self.today_text = self.due_days[self.today]
        self.loops_heading = "**" + _("Loops") + "**" + _(" (as of {today})").format(today=self.today_text) + "\n\n"
        # The entries just written, by id: the export's own (a link or a cause mostly points at
        # a recent one), so neither looked up again nor tested against the filter. Any other is
        # read from the index one at a time, only the last few thousand kept, where the export
        # is most of a large journal (index/reads.IndexedViews.bounded).
        self.written = _Written(getattr(journal.views, "bounded", journal.views))
        display = journal.people.display
        self.names = _Cache(lambda name: _inline(display(name)))
        self.days = _Cache(self.day_text)
        self.utc_days = _Cache(self._utc_day)
        self.short_days = _Cache(self._short_day, bound=_BOUND)  # a loop's due day, a loop record's time
        self.causes = _Cache(self._cause_text)
        self.refs = _Cache(self._ref_text, bound=_BOUND)
        self.outside: set[str] = set()  # the entries outside the export the document names by #ref
        self.trace_lines = _Cache(self._trace_line, bound=_BOUND)
        broken = journal.broken
        # An export made with --unverified says so on every entry, not only at the top:
        # a page printed or quoted on its own must not pass for checked evidence.
        self.broken = broken
        self.unverified = (
            "| "
            + pgettext("field", "Verified")
            + " | "
            + _("**NO**: the journal fails verification at #{seq}; this entry is not vouched for by its hash chain").format(
                seq=broken[0]
            )
            + " |\n"
            if broken
            else ""
        )

    # -- dates -------------------------------------------------------------

    def day_text(self, key: str) -> str:
        """'Mon 23 Nov 2026' for 'YYYY-MM-DD' (the language's "%a %d %b %Y")."""
        try:
            d = date.fromisoformat(key)
        except ValueError:
            return _inline(key)
        return self.w.date(self.w.day_pattern, d)

    def short_day(self, iso: str) -> str:
        """'27 Nov 2026': the day of an ISO date or time, without its weekday."""
        # Only text is cached: a record that passed its chain may still hold a list or a
        # number there (a colleague's), which _short_day shows as it is, and 1 == True as keys.
        return self.short_days[iso] if iso.__class__ is str else self._short_day(iso)

    def _short_day(self, iso: str) -> str:
        try:
            d = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return str(iso)
        return self.w.date(self.w.short_day_pattern, d)

    def _utc_day(self, key: str) -> str:
        try:
            d = date.fromisoformat(key)
        except ValueError:
            return _inline(key)
        return self.w.date(self.w.utc_day_pattern, d)

    def long(self, iso: str) -> str:
        """Any ISO time as a person reads it, in its own offset (escaped)."""
        try:
            dt = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return _inline(as_stored(iso))
        offset = dt.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
        text = self.w.local_time.format(
            day=self.days[dt.date().isoformat()], time=f"{dt.hour:02d}:{dt.minute:02d}", offset=offset
        )
        return text if offset else text.rstrip()

    # -- cached formatting ---------------------------------------------

    def imported(self, origin: dict) -> str:
        """Where an imported record came from, and what the file claimed about it (provenance.imported_text)."""
        source = _inline(str(origin.get("file") or "?"))
        if origin.get("format") == "jrnl":
            return _("from {file} (a jrnl export)").format(file=source)
        text = _("from {file}").format(file=source)
        head = origin.get("head") or {}
        if head.get("hash"):
            text += _(" (chain head #{seq} {hash}…)").format(seq=_inline(head.get("seq")), hash=_inline(str(head["hash"])[:16]))
        if origin.get("recorded_at"):
            text += _("; the file says #{seq} was recorded {when} by {who}").format(
                seq=_inline(origin.get("seq")),
                when=self.utc(origin["recorded_at"]),
                who=self.names[origin.get("recorded_by") or "?"],
            )
        return text

    def person(self, name: str) -> str:
        return self.names[name]

    def people(self, names) -> str:
        if names.__class__ is str:
            return self.names[names]
        return self.w.sep.join(map(self.names.__getitem__, names))

    def day(self, iso: str) -> str:
        """'Mon 23 Nov 2026' for the date part of an ISO timestamp."""
        return self.days[as_stored(iso)[:10]]

    def when(self, iso: str) -> str:
        """'Mon 23 Nov 2026 15:00 +08:00', in the entry's own offset (as display.long_date)."""
        if len(iso) == 25 and iso[10] == "T" and iso[19] in "+-":
            return self.w.local_time.format(day=self.days[iso[:10]], time=iso[11:16], offset=iso[19:])
        return self.long(iso)

    def utc(self, iso: str) -> str:
        """A recorded_at stamp (UTC): '2026-11-23 07:25 UTC'."""
        if iso.endswith("+00:00") and len(iso) >= 16:
            return self.w.utc_time.format(day=self.utc_days[iso[:10]], time=iso[11:16])
        return self.long(iso)

    def _cause_text(self, key: str) -> str:
        return _inline(self.w.causes.get(key, key))

    def cause(self, key: str) -> str:
        return self.causes[key]

    def value(self, field: str, value) -> str:
        """A field's value on one line, escaped."""
        w = self.w
        if value is None or value == "" or value == [] or value == {}:
            return w.empty
        if field in _PEOPLE:
            return self.people(value)
        if field == "causes":
            return w.sep.join(map(self.causes.__getitem__, value))
        if field in _DATE_FIELDS or field == "occurred_at":
            return self.when(value)
        if field == "links":
            return w.sep.join(f"{w.link.get(x.get('rel')) or _inline(x.get('rel'))} {self.ref(x.get('to'))}" for x in value)
        if field == "commitments" and isinstance(value, list):
            return pgettext("list separator", "; ").join(map(self.commitment, value))
        if isinstance(value, dict):
            parts = w.impact if field == "impact" else {}
            return pgettext("list separator", "; ").join(
                _("{part}: {text}").format(part=parts.get(k) or _inline(k), text=_inline(v)) for k, v in value.items()
            )
        if isinstance(value, list):
            return w.sep.join(_inline(v) for v in value)
        if field in w.choices_of:
            return w.choice(value)
        return _inline(value)

    def commitment(self, item) -> str:
        """'Priya Raman: design hand-off, by Fri 18 Sep 2026' (escaped), for history lines."""
        if not isinstance(item, dict):
            return _inline(item)
        return _("{who}: {what}, by {day}").format(
            who=self.names[item["who"]], what=_inline(item["what"]), day=self.day(item["due"])
        )

    def ref(self, entry_id) -> str:
        """A link to another entry: an anchor link if it is in this document, its #seq if not."""
        return self.refs[entry_id]

    def _ref_text(self, entry_id) -> str:
        view = self.written.get(entry_id)
        if view is None:
            return _("an entry not in this journal ({id})").format(id=_inline(entry_id))
        ref = ref_of(view)
        if entry_id not in self.written and not self.matches(view):
            self.outside.add(entry_id)  # its records go to the evidence (attach.with_evidence)
            return _("{ref} (not in this export)").format(ref=ref)
        return self.link_to(view)

    def link_to(self, view: dict) -> str:
        """'[#42 · Decision · 2026-11-23 — Ship it](#e-42)': a link to an entry of the document."""
        return f"[{self.title(view, _link_text(view.get('title', '')))}](#{_anchor(view)})"

    def title(self, view: dict, title: str) -> str:
        """'#42 · Decision · 2026-11-23 — Ship it': an entry's heading (`title` escaped already)."""
        kind = view["kind"]
        kind = self.w.kind_names.get(kind) or _inline(kind)
        return f"{ref_of(view)} · {kind} · {as_stored(view['occurred_at'])[:10]} — {title}"

    # -- the document ----------------------------------------------------

    def header(self, out: list, filt: Filter, generated_at: str, journal_label: str | None) -> None:
        seq, head = self.journal.head()
        w = self.w
        name = journal_label if journal_label is not None else self.journal.path.name
        out.append("# " + _("Evidence trail: {journal}").format(journal=_inline(name)) + "\n\n")
        if self.broken:
            out.append("> " + _unverified_banner().format(seq=self.broken[0], problem=_inline(self.broken[1])) + "\n\n")

        item = _header_item
        out.append(item(_("Journal"), _inline(journal_label if journal_label is not None else self.journal.path)))
        out.append(item(_("Filters"), _inline(_filter_text(filt, w))))
        if self.count:
            out.append(item(_("Period"), _("{first} to {last}").format(first=self.day(self.first), last=self.day(self.last))))
        out.append(item(_("Generated"), _inline(generated_at)))
        retracted, by_kind = self.retracted, self.by_kind
        kinds = w.sep.join(
            _kind_count(k, n) or f"{n} {k if n == 1 else k + 's'}"
            for k, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        count = f"{self.count}" + (_(" ({kinds})").format(kinds=kinds) if kinds else "")
        if retracted:
            count += _(", of which {n} retracted").format(n=retracted)
        out.append(item(_("Entries"), count))
        if not filt.include_retracted and self.retracted_left_out:
            # "all entries" read as every entry while the retracted ones were silently not there
            out.append(_left_out())
        out.append(item(_("Chain head"), f"#{seq} {_code(head)}") + "\n")
        out.append(
            _(
                "**To check this copy** against the journal it came from, run `pmjournal --db JOURNAL verify`. It must print "
                "`ok` and, if nothing was recorded since, `chain head #{seq}` with the hash above; if more was recorded, "
                "record #{seq} must still carry that hash (`pmjournal export --format json` lists every record's hash). "
                "Anything else means the journal was rewritten after this document was made."
            ).format(seq=seq)
            + "\n\n"
        )

    def summary(self, out: list) -> None:
        """Person x role counts, busiest first: query.who over these entries, as `pmjournal who` and the People view."""
        rows = self.who.rows() if self.who is not None else self.journal.who_all(self.filt.include_retracted)
        out.append('## <a id="summary" name="summary"></a>' + _("Accountability summary") + "\n\n")
        if not rows:
            out.append(_("No one is named in these entries.") + "\n\n")
            return
        out.append(
            _(
                "How many of the entries below name each person in each role (owner: the one accountable person; other: "
                "participant, acknowledged, raised by or to, owing a commitment). Retracted entries hold nobody accountable and count in no "
                "role; Entries counts every entry below that names the person."
            )
            + "\n\n"
        )
        headers = self.w.role_headers
        out.append(
            "| "
            + pgettext("table header", "Person")
            + " | "
            + " | ".join(headers)
            + " | "
            + pgettext("table header", "Entries")
            + " |\n"
        )
        out.append("|---|" + "---:|" * (len(headers) + 1) + "\n")
        for row in rows:
            out.append(f"| {self.names[row['person']]} | {' | '.join(str(row[c]) for c in WHO_COLUMNS)} | {row['total']} |\n")
        out.append("\n")

    def contents(self, out: list, months: list[tuple[str, int]]) -> None:
        out.append("## " + _("Contents") + "\n\n")
        out.append("- [" + _("Accountability summary") + "](#summary)\n")
        still = self.loops
        overdue = sum(lp.state == "overdue" for lp in still)
        out.append(
            "- ["
            + _("Open loops")
            + "](#loops)"
            + _(" ({open} open, {overdue} overdue)").format(open=len(still), overdue=overdue)
            + "\n"
        )
        for month, n in months:
            count = ngettext(" ({n} entry)", " ({n} entries)", n).format(n=n)
            out.append(f"- [{self.month_name(month)}](#m-{month}){count}\n")
        out.append("\n")

    def month_name(self, month: str) -> str:
        number = int(month[5:7])
        if not 1 <= number <= 12:
            return _("Undated")
        try:
            return self.w.date(self.w.month_pattern, date(int(month[:4]), number, 1))
        except ValueError:  # year 0: never from a validated entry
            return f"{self.w.months[number - 1]} {month[:4]}"

    def entries(self, out: list, views: list[dict], chunks: list | None = None, own_only: int = 0) -> list[list]:
        """Every entry under its month's heading; returns (month, entries) for the contents.

        `own_only`: only what the entry's own records say (OWN, or OWN_AND_HISTORY with its
        history): no links nor cause trace, which read other entries, and no loops, which read
        the day, unless `own_loops` (`verify --evidence` holds a document's entries against
        their records with it).

        One loop with its look-ups bound once: this is the hot path. Months
        follow the entries' own dates; an entry that is a month "back" in
        absolute time (1 Nov 01:00 +08:00 comes before 31 Oct 20:00 -05:00)
        stays in the current month, so each month, and its anchor, appears once.
        """
        months: list[list] = []
        current = ""
        append = out.append
        w = self.w
        names, days, causes = self.names, self.days, self.causes
        names_get = names.__getitem__
        causes_get = causes.__getitem__
        needs_cell, cell = _needs_cell, _cell
        kind_names, table_fields, text_fields = w.kind_names, w.table_fields, w.text_fields
        role_rows = w.role_rows
        sep, field_value, when_row, local_time = w.sep, w.field_value, w.when_row, w.local_time
        project_row, tags_row, causes_row = w.project_row, w.tags_row, w.causes_row
        recorded_row, recorded_by, id_row = w.recorded_row, w.recorded_by, w.id_row
        plain, person, people, choice = _PLAIN, _PERSON, _PEOPLE_LIST, _CHOICE
        block, item, when, utc = _block, _item, self.when, self.utc
        refs, link_labels, backlink_labels = self.refs, w.link, w.backlink
        # Enum values, projects and tag lists repeat across entries: escape each distinct one once.
        escaped = _Cache(_inline, bound=_BOUND)
        choices = _Cache(w.choice)
        retracted_mark, none_given = w.retracted_mark, w.none_given
        options_heading = f"**{w.label('options')}**\n\n"
        evidence_heading = f"**{w.label('evidence')}**\n\n"
        links_heading = f"**{w.label('links')}**\n\n"
        could_open, loops_of, today, answer_days = loops_mod.could_open, loops_mod.loops_of, self.today, self.answer_days
        still_open = self.loops
        done = count = retracted = 0
        first = ""
        by_kind = self.by_kind
        whole = not own_only
        own_loops = self.own_loops
        with_history = own_only != OWN
        count_who = self.who.add if self.who is not None else None
        written = self.written
        for v in _read_ahead(views, written.coming):
            written[v["id"]] = v
            if chunks is not None and len(out) > 4096:
                # Join as we go: 100k entries as millions of small strings, then one
                # giant string (4 bytes a character once an emoji is in it), cost GBs.
                chunks.append("".join(out))
                out.clear()
            occurred = v["occurred_at"]
            if occurred.__class__ is not str:
                occurred = as_stored(occurred)  # a When made by hand as a number: shown as stored
            month = occurred[:7]
            if month != current:
                if not _MONTH(month):
                    month = current or "0000-00"  # never expected from a validated entry; keeps anchor ids safe
                if month > current:
                    current = month
                    months.append([month, 0])
                    append(f'## <a id="m-{month}" name="m-{month}"></a>{self.month_name(month)}\n\n')
            months[-1][1] += 1
            kind = v["kind"]
            if not count:
                first = occurred
            count += 1
            by_kind[kind] += 1
            if count_who:
                count_who(v)
            # A colleague's entry (team journals) reads dana#42 and is anchored e-dana-42.
            ref, anchor = ref_of(v), (_anchor(v) if "author" in v else f"e-{int(v['seq'])}")
            title = v.get("title") or ""
            if needs_cell(title):
                title = cell(title)
            title = f"{ref} · {kind_names.get(kind) or _inline(kind)} · {occurred[:10]} — {title}"
            retraction = v["retracted"]
            if retraction:
                retracted += 1
                # <del>, not ~~: a title ending in a URL would carry GitHub's autolink over a closing ~~.
                append(f'### <a id="{anchor}" name="{anchor}"></a><del>{title}</del>{retracted_mark}\n\n')
                append(
                    _("**Retracted** {when} by {who} (record {ref}). Reason:").format(
                        when=utc(retraction["recorded_at"]),
                        who=names[retraction.get("recorded_by") or "?"],
                        ref=retraction_ref(v),
                    )
                    + "\n\n"
                )
                block(out, retraction.get("reason") or none_given)
                rows = [field_value, when_row]
            else:
                # GitHub keeps id and name (prefixed with user-content-) and scrolls to either; other renderers use id.
                rows = [f'### <a id="{anchor}" name="{anchor}"></a>{title}\n\n', field_value, when_row]
            if len(occurred) == 25 and occurred[10] == "T":
                rows.append(local_time.format(day=days[occurred[:10]], time=occurred[11:16], offset=occurred[19:]) + " |\n")
            else:
                rows.append(f"{when(occurred)} |\n")
            # `field in v` before v[field]: most fields are absent, and a membership test is cheaper than v.get.
            for field, prefix, _role in role_rows:
                if field in v and (value := v[field]):
                    if value.__class__ is str:
                        rows.append(f"{prefix}{names[value]} |\n")
                    else:
                        rows.append(f"{prefix}{sep.join(map(names_get, value))} |\n")
            for field, prefix, how in table_fields[kind]:
                if field in v and (value := v[field]):
                    # (fold has already set a superseded decision's status to "superseded")
                    if how == choice and value.__class__ is str:
                        rows.append(f"{prefix}{choices[value]} |\n")
                    elif how == plain and value.__class__ is str:
                        rows.append(f"{prefix}{escaped[value]} |\n")
                    elif how == person and value.__class__ is str:
                        rows.append(f"{prefix}{names[value]} |\n")
                    elif how == people and value.__class__ is list:
                        rows.append(f"{prefix}{sep.join(map(names_get, value))} |\n")
                    else:
                        rows.append(f"{prefix}{self.value(field, value)} |\n")
            if "project" in v and (project := v["project"]):
                rows.append(f"{project_row}{escaped[project]} |\n")
            if "tags" in v and (tags := v["tags"]):
                # escaping the joined text is the same as escaping each tag
                rows.append(f"{tags_row}{escaped[sep.join(tags)]} |\n")
            if "causes" in v and (keys := v["causes"]):
                rows.append(f"{causes_row}{sep.join(map(causes_get, keys))} |\n")
            entry_id = v["id"]
            # Our ids are ULIDs, shown as code; anything else is escaped text (a code span would show the escapes).
            entry_id = f"`{entry_id}`" if entry_id.isalnum() else _inline(entry_id)
            recorded = v["recorded_at"]
            rows.append(f"{recorded_row}{recorded_by.format(when=utc(recorded), who=names[v.get('recorded_by') or '?'])} |\n")
            if "imported" in v:
                rows.append(f"{w.imported_row}{self.imported(v['imported'])} |\n")
            if self.unverified:
                rows.append(self.unverified)
            rows.append(f"{id_row}{entry_id} |\n\n")
            append("".join(rows))

            if "body" in v and (body := v["body"]):
                block(out, body)
            if "options" in v and (options := v["options"]):
                append(options_heading + "".join([f"- {item(o)}\n" for o in options]) + "\n")
            for field, heading in text_fields[kind]:
                if field in v and (text := v[field]):
                    append(heading)
                    block(out, text)
            if "commitments" in v and (commitments := v["commitments"]):
                self.commitments(out, commitments)
            links, backlinks = v.get("links"), v["linked_from"]
            if (links or backlinks) and whole:
                items = [links_heading]
                for x in links or ():
                    items.append(f"- {link_labels.get(x['rel']) or _inline(x['rel'])} {refs[x['to']]}\n")
                for x in backlinks:
                    items.append(f"- {backlink_labels.get(x['rel']) or _inline(x['rel'])} {refs[x['from']]}\n")
                items.append("\n")
                append("".join(items))
            if "evidence" in v and (evidence := v["evidence"]):
                append(evidence_heading + "".join([f"- {item(e)}\n" for e in evidence]) + "\n")
            if (whole or own_loops) and could_open(v) and (found := loops_of(v, today, answer_days)):
                self.entry_loops(out, found)
                slim = None
                for lp in found:
                    if lp.state == "done":
                        done += 1
                        continue
                    # Kept for the open-loops tables above the entries, which name the entry
                    # and nothing else of it: 14,000 open loops of a 1M journal held whole were 50 MB.
                    if slim is None:
                        slim = {k: v[k] for k in _LOOP_VIEW if k in v}
                    lp.view = slim
                    still_open.append(lp)
            if whole and links and kind == "incident" and any(link["rel"] == "caused_by" for link in links):
                self.trace(out, v)
            if v["history"] and with_history:
                self.history(out, v)
        if count:
            self.first, self.last = first, occurred
        self.count, self.retracted, self.loops_done = count, retracted, done
        return months

    def commitments(self, out: list, items) -> None:
        """Who committed to what by when, as a table; commitments written before they had that shape are text."""
        out.append(f"**{self.w.label('commitments')}**\n\n")
        if isinstance(items, str):
            _block(out, items)
            return
        header = (pgettext("table header", "Who"), pgettext("table header", "What"), pgettext("table header", "By"))
        rows = ["| " + " | ".join(header) + " |\n|---|---|---|\n"]
        for item in items:
            rows.append(f"| {self.names[item['who']]} | {_inline(item['what'])} | {self.day(item['due'])} |\n")
        rows.append("\n")
        out.append("".join(rows))

    # -- loops ---------------------------------------------------------------

    def loop_name(self, loop) -> str:
        """'follow-up', 'commitment 2 (send the brief)': which loop of its entry it is (loops.label)."""
        if loop.type == "commitment":
            return _("commitment {n} ({what})").format(n=loop.key.rsplit("-", 1)[-1], what=loop.what)
        return self.loop_word(loop.type)

    @staticmethod
    def loop_word(key: str) -> str:
        return {
            "follow-up": pgettext("loop", "follow-up"),
            "review": pgettext("loop", "review"),
            "answer": pgettext("loop", "answer"),
        }.get(key, key)

    def event_text(self, event: dict) -> str:
        """'done 14 Nov 2026 by Dana: recap email': one closing or re-opening record (loops.event_text)."""
        day = self.short_day(event["occurred_at"])
        text = _("done {day}").format(day=day) if event["state"] == "done" else _("re-opened {day}").format(day=day)
        if event.get("by"):
            text += _(" by {who}").format(who=event["by"])
        if event.get("note"):
            text += _(": {note}").format(note=event["note"])
        return text

    def history_text(self, event: dict, view: dict) -> str:
        """A `loop` event as the entry's history shows it: 'follow-up done 14 Nov 2026 by Dana: recap email'."""
        key = event.get("loop", "")
        name = self.loop_word(key)
        if key.startswith("commitment-"):
            items = view.get("commitments")
            n = int(key.rsplit("-", 1)[1])
            if isinstance(items, list) and n <= len(items):
                name = _("commitment {n} ({what})").format(n=n, what=items[n - 1]["what"])
        return _("{loop} {event}").format(loop=name, event=self.event_text(event))

    def describe(self, loop) -> str:
        """'follow-up due 12 Nov 2026, done 14 Nov 2026 by Dana: recap email': a loop's story in one line (loops.describe)."""
        parts = [_("{loop} due {day}").format(loop=self.loop_name(loop), day=self.short_day(loop.due.isoformat()))]
        parts += [self.event_text(e) for e in loop.events]
        if loop.state == "overdue":
            parts.append(_("overdue by {n} d").format(n=-loop.days))
        # TRANSLATORS: between the parts of a loop's story ("follow-up due 12 Nov 2026, done 14 Nov 2026").
        return pgettext("clause separator", ", ").join(parts)

    def entry_loops(self, out: list, found: list) -> None:
        """Each loop of one entry in a line: what was owed by when, what happened to it, who owed it to whom."""
        items = [self.loops_heading]
        for loop in found:
            items.append(f"- {_item(self.describe(loop))}{self.standing(loop)} · {self.owing(loop)}\n")
        items.append("\n")
        out.append("".join(items))

    def standing(self, loop) -> str:
        """What describe() leaves out: how late a done loop was, how far off an open one's due date is."""
        if loop.state == "done":
            late = (date.fromisoformat(loop.closed["occurred_at"][:10]) - loop.due).days
            return _(" ({days} late)").format(days=self.w.days(late)) if late > 0 else ""
        if loop.state == "overdue":
            return ""
        if loop.days == 0:
            return _(", due today")
        if loop.state == "soon":
            return _(", due soon: in {days}").format(days=self.w.days(loop.days))
        return _(", still open: due in {days}").format(days=self.w.days(loop.days))

    def owing(self, loop) -> str:
        owes = self.people(loop.owes) if loop.owes else self.w.nobody
        if loop.owed_to:
            return _("owed by {owes} to {owed_to}").format(owes=owes, owed_to=self.people(loop.owed_to))
        return _("owed by {owes}").format(owes=owes)

    def open_loops(self, out: list) -> None:
        """What was owed and not done on the day of the export, overdue first; then the escalations nobody answered."""
        today, w = self.today_text, self.w
        out.append('## <a id="loops" name="loops"></a>' + _("Open loops") + "\n\n")
        if not self.loops and not self.loops_done:
            out.append(
                _(
                    "None of these entries owed anything on {today}, the day this document was generated: no follow-up, "
                    "review, commitment or escalation with a date."
                ).format(today=today)
                + "\n\n"
            )
            return
        by_due = sorted(self.loops, key=lambda lp: (lp.due, lp.view["seq"], lp.key))
        overdue = [lp for lp in by_due if lp.state == "overdue"]
        later = [lp for lp in by_due if lp.state != "overdue"]
        waiting = [lp for lp in by_due if lp.type == "answer"]
        done = self.loops_done
        out.append(
            _(
                "What these entries owed on {today}, the day this document was generated: {open_loops}, {overdue} of them "
                "overdue; {done_loops} by then."
            ).format(
                today=today,
                open_loops=ngettext("{n} loop was open", "{n} loops were open", len(by_due)).format(n=len(by_due)),
                overdue=len(overdue),
                done_loops=ngettext("{n} was done", "{n} were done", done).format(n=done),
            )
            + _(
                " A loop is a follow-up, a review, a commitment or the answer to an escalation, owed by someone by a date; "
                "each entry's **Loops** list tells its story."
            )
            + "\n\n"
        )
        tables = (
            (
                _("Overdue"),
                _("most overdue first"),
                overdue,
                pgettext("table header", "Days overdue"),
                lambda lp: str(-lp.days),
                _("Nothing was overdue on {today}.").format(today=today),
            ),
            (
                _("Not yet due"),
                _("soonest first"),
                later,
                pgettext("table header", "Due in"),
                lambda lp: _due_in(w, lp),
                _("Nothing else was open."),
            ),
        )
        header = " | ".join(
            (
                pgettext("table header", "Owed"),
                pgettext("table header", "Entry"),
                pgettext("table header", "Owed by"),
                pgettext("table header", "Owed to"),
                pgettext("table header", "Due"),
            )
        )
        for name, order, listed, last, cell, empty in tables:
            # TRANSLATORS: above a table of loops: {name} "Overdue", {count} how many, {order} "most overdue first".
            out.append(_("**{name}** ({count}), {order}").format(name=name, count=len(listed), order=order) + "\n\n")
            if not listed:
                out.append(f"{empty}\n\n")
                continue
            rows = [f"| {header} | {last} |\n|---|---|---|---|---|---:|\n"]
            rows.extend(f"{self.loop_row(lp)}{cell(lp)} |\n" for lp in listed)
            out.append("".join(rows) + "\n")
        out.append(
            _("**{name}** ({count}), {order}").format(
                name=_("Unanswered escalations"), count=len(waiting), order=_("longest wait first")
            )
            + "\n\n"
        )
        if not waiting:
            # answer_days said even so: the entries' answer loops show due days it decided (verify --evidence reads it)
            out.append(_all_answered().format(today=today, days=self.answer_days) + "\n\n")
            return
        out.append(_waiting_for_answers().format(today=today, days=self.answer_days) + "\n\n")
        header = " | ".join(
            (
                pgettext("table header", "Entry"),
                pgettext("table header", "Raised by"),
                pgettext("table header", "Raised to"),
                pgettext("table header", "Raised on"),
                pgettext("table header", "Answer due"),
                pgettext("table header", "Waited"),
            )
        )
        rows = [f"| {header} |\n|---|---|---|---|---|---:|\n"]
        for lp in waiting:
            raised = self.people(lp.owed_to) if lp.owed_to else w.nobody
            rows.append(
                f"| {self.entry_cell(lp.view)} | {raised} | {self.people(lp.owes)} | {self.day(lp.view['occurred_at'])} "
                f"| {self.due_days[lp.due]} | {w.days(lp.waited)} |\n"
            )
        out.append("".join(rows) + "\n")

    def loop_row(self, loop) -> str:
        """The cells of an Overdue or Not yet due row, up to its last one."""
        if loop.type == "commitment":
            owed = _("commitment: {what}").format(what=_inline(loop.what))
        elif loop.type == "follow-up":
            owed = pgettext("loop", "follow-up")
        elif loop.type == "answer":
            owed = _("an answer")
        elif loop.type == "review" and loop.view["kind"] == "decision":
            owed = _("review of this decision")
        elif loop.type == "review" and loop.view["kind"] == "risk":
            owed = _("review of this risk")
        else:
            owed = _inline(loop.what)
        owes = self.people(loop.owes) if loop.owes else self.w.nobody
        owed_to = self.people(loop.owed_to) if loop.owed_to else self.w.nobody
        return f"| {owed} | {self.entry_cell(loop.view)} | {owes} | {owed_to} | {self.due_days[loop.due]} | "

    def entry_cell(self, view: dict) -> str:
        """'[#17](#e-17) Asked the provider…': a link to an entry of this document, with its title."""
        return f"[{ref_of(view)}](#{_anchor(view)}) {_inline(view.get('title') or '')}"

    # -- causes and history ----------------------------------------------------

    def trace(self, out: list, v: dict) -> None:
        tree = trace(self.written, v["id"], depth=_MAX_TRACE_DEPTH)
        out.append(_trace_heading() + "\n\n")

        lines = self.trace_lines
        missing = _("an entry not in this journal ({id})")
        cycle_note, repeat_note = _trace_notes()

        def walk(node: dict, depth: int) -> None:
            pad = "  " * depth
            if node.get("missing"):
                out.append(f"{pad}- {missing.format(id=_inline(node['id']))}\n")
                return
            cycle = cycle_note if node["cycle"] else repeat_note if node["repeat"] else ""
            out.append(f"{pad}- {lines[node['id']]}{cycle}\n")
            if node["more"]:
                out.append(f"{pad}  - " + _further().format(ref=ref_of(node["view"])) + "\n")
                return
            for child in node["children"]:
                walk(child, depth + 1)

        for child in tree.get("children", ()):
            walk(child, 0)
        out.append("\n")

    def _trace_line(self, entry_id: str) -> str:
        """One entry in a cause trace: its link, and (if it is in this export) its owner and causes."""
        view = self.written.get(entry_id)
        if view is not None and (entry_id in self.written or self.matches(view)):
            return self.trace_text(view, self.refs[entry_id])
        return self.refs[entry_id]

    def trace_text(self, view: dict, ref: str) -> str:
        """A cause trace's line for an entry of this export: `ref` (its link), its owner, its causes."""
        parts = [ref]
        if view.get("owner"):
            parts.append(_("owner {name}").format(name=self.names[view["owner"]]))
        if view.get("causes"):
            parts.append(_("causes: {causes}").format(causes=self.w.sep.join(map(self.causes.__getitem__, view["causes"]))))
        return " · ".join(parts)

    def concurrent(self, event: dict) -> str:
        """' (concurrent: ...)' after a history event that carries the flag (display.concurrent_note), else ''."""
        return _(" (concurrent: made without seeing another correction of this entry)") if event.get("concurrent") else ""

    def history(self, out: list, view: dict) -> None:
        w = self.w
        out.append("**" + _("History") + "**\n\n")
        for event in view["history"]:
            kind = event["kind"]
            who = self.person(event.get("recorded_by") or "?")
            when = self.utc(event["recorded_at"])
            if kind == "loop":
                # A loop closed or re-opened: one line ('follow-up done 14 Nov 2026 by Dana: recap email').
                what = _("Loop done") if event.get("state") == "done" else _("Loop re-opened")
                out.append(
                    "- "
                    + _("**{what}** {when} by {who} (record {ref}){concurrent}: {text}").format(
                        what=what,
                        when=when,
                        who=who,
                        ref=ref_of(event),
                        concurrent=self.concurrent(event),
                        text=_inline(self.history_text(event, view)),
                    )
                    + "\n\n"
                )
                continue
            what = _("Amended") if kind == "amendment" else _("Retracted")
            out.append(
                "- "
                + _("**{what}** {when} by {who} (record {ref}){concurrent}. Reason:").format(
                    what=what, when=when, who=who, ref=ref_of(event), concurrent=self.concurrent(event)
                )
                + "\n\n"
            )
            _block(out, event.get("reason") or w.none_given, "  ")
            for field, change in (event.get("changes") or {}).items():
                name = w.label(field)
                if field in _TEXT_FIELDS or field == "body":
                    for side in ("old", "new"):
                        text = _("{field}, before:") if side == "old" else _("{field}, after:")
                        out.append(f"  - {text.format(field=name)}\n\n")
                        if change[side]:
                            _block(out, change[side], "    ")
                        else:
                            out.append(f"    {w.empty}\n\n")
                else:
                    change_text = _("{field}: {old} → {new}").format(
                        field=name, old=self.value(field, change["old"]), new=self.value(field, change["new"])
                    )
                    out.append(f"  - {change_text}\n\n")

    def footer(self, out: list) -> None:
        seq, head = self.journal.head()
        out.append("---\n\n")
        n = self.count
        out.append(
            ngettext(
                "End of the evidence trail: {n} entry; chain head #{seq} {head}.",
                "End of the evidence trail: {n} entries; chain head #{seq} {head}.",
                n,
            ).format(n=n, seq=seq, head=_code(head))
            + "\n"
        )
        if self.broken:
            out.append(
                "\n" + _("**UNVERIFIED EXPORT**: the journal fails verification at #{seq}.").format(seq=self.broken[0]) + "\n"
            )


def export_markdown(
    journal,
    filt: Filter,
    generated_at: datetime | str | None = None,
    journal_label: str | None = None,
    answer_days: int = loops_mod.ANSWER_DAYS,
) -> str:
    """The entries `filt` selects as a Markdown evidence document.

    `generated_at` and `journal_label` override the generation time and the
    journal's path in the header, for documents that must be reproducible
    (docs/example-evidence.md). The open loops are counted on the day of
    `generated_at` (default: now, `dates.now()`); `answer_days` is how many
    working days an escalation may wait for an answer (config `answer_days`).
    """
    return b"".join(iter_markdown(journal, filt, generated_at, journal_label, answer_days)).decode("utf-8")


def iter_markdown(
    journal,
    filt: Filter,
    generated_at: datetime | str | None = None,
    journal_label: str | None = None,
    answer_days: int = loops_mod.ANSWER_DAYS,
    views=None,
    own_selection: bool = False,
    outside: set | None = None,
):
    """The same document as UTF-8, in pieces of up to 1 MB, for writing to a file or a pipe.
    `views`: what `filt` selects, in time order (any iterable, read once), when the caller
    has it already; else the reads' stream() where they offer it. `own_selection`: `views`
    is the journal's own selection of `filt` (not, say, the app's snapshot of it).
    `outside`: filled, as the document is written, with the ids of the entries outside the
    export it names (their records go to its evidence: attach.with_evidence)."""
    from .reads import everything, streamed

    if views is None:
        views, own_selection = streamed(journal, filt), True
    counts_kept = own_selection and hasattr(journal, "who_all") and everything(filt)
    if generated_at is None:
        generated_at = dates.now()
    today = generated_at.date() if isinstance(generated_at, datetime) else None
    w = _Writer(journal, filt, today, answer_days, counts_kept)
    if outside is not None:
        w.outside = outside
    if isinstance(generated_at, datetime):
        generated_at = w.long(generated_at.isoformat(timespec="minutes"))
    # The entries are written first, as they stream past (that pass counts what the header,
    # the contents, the summary and the open loops above them say), into a spool that stays
    # in memory up to 16 MB and goes to a temp file beyond: a 100k-entry document never
    # sits in memory whole, and neither do its entries.
    import tempfile
    from types import SimpleNamespace

    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
        # Bytes, encoded once as they go in: a text spool encoded them going in, decoded them
        # coming out, and the writer encoded them again (~40 ms of a 10k export).
        def spooled(text: str) -> None:
            spool.write(text.encode("utf-8"))

        body: list[str] = []
        months = w.entries(body, views, SimpleNamespace(append=spooled))
        out: list[str] = []
        w.header(out, filt, generated_at, journal_label)
        if not w.count:
            out.append(_("No entries match these filters.") + "\n\n")
            w.footer(out)
            yield "".join(out).encode("utf-8")
            return
        spooled("".join(body))
        body.clear()
        w.footer(body)
        spooled("".join(body))
        w.contents(out, months)
        w.summary(out)
        w.open_loops(out)
        yield "".join(out).encode("utf-8")
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            yield chunk


class Rerender:
    """What a document in `language` says of entries, said again from their folded views, for
    `verify --evidence` to hold the document against: each entry's own part (heading to the end
    of its history, without what other entries add: links and the cause trace; its loops too
    given `today`, the day the document was generated; each name as its record spells it), then
    the header, contents, summary, open loops and footer over every entry rendered. `head`: the
    exporter's own chain's (size, head hash)."""

    def __init__(self, language: str, head: tuple[int, str], today: date | None = None, answer_days: int = loops_mod.ANSWER_DAYS):
        from types import SimpleNamespace

        self.language = language
        stand_in = SimpleNamespace(
            people=SimpleNamespace(display=str), views={}, broken=None, head=lambda: head, path=None
        )
        with i18n.using(language):
            self.w = _Writer(stand_in, Filter(), today, answer_days, counts_kept=False)
            # for an entry rendered a second time (another way it may have been shown), which
            # the header's counts and the summary must not count again
            self.aside = _Writer(stand_in, Filter(), today, answer_days, counts_kept=False)
        # `today`: the day the document was generated, on which its loops were counted
        self.w.own_loops = self.aside.own_loops = today is not None
        self.count = self.retracted = self.loops_done = 0

    def entries(self, views: list[dict], own_only: int, counted: bool = True) -> str:
        """Their part of the document, under month headings (own_only: OWN or OWN_AND_HISTORY);
        `counted`: in the header's counts and the summary (each entry once)."""
        out: list[str] = []
        w = self.w if counted else self.aside
        with i18n.using(self.language):
            w.entries(out, views, own_only=own_only)
        if counted:
            self.count += w.count
            self.retracted += w.retracted
            self.loops_done += w.loops_done
        return "".join(out)

    def recount_loops(self, was: dict, now: dict) -> None:
        """An entry rendered and counted as `was` is shown as `now` (a decision superseded by one
        outside the export, which owes no review): its loops are counted as `now`'s."""
        w = self.w
        if not w.own_loops:
            return
        w.loops[:] = [lp for lp in w.loops if lp.view["id"] != was["id"]]
        self.loops_done -= sum(lp.state == "done" for lp in loops_mod.loops_of(was, w.today, w.answer_days))
        for lp in loops_mod.loops_of(now, w.today, w.answer_days):
            if lp.state == "done":
                self.loops_done += 1
            else:
                lp.view = {k: now[k] for k in _LOOP_VIEW if k in now}
                w.loops.append(lp)

    def _written(self, write, *args) -> str:
        """What the writer's `write(out, *args)` writes, in the document's language."""
        out: list[str] = []
        with i18n.using(self.language):
            write(out, *args)
        return "".join(out)

    def history(self, view: dict, views: dict, inside=None) -> str:
        """`view`'s history as the document writes it, the entries its amended links name
        found in `views` (by id); those of `inside` are the document's, any other shown by
        its #ref (by default every one of `views` is the document's). An entry not among
        `views` is named as one not in the journal (without the journal, the caller holds
        those outside the export apart)."""
        from types import SimpleNamespace

        stand_in = SimpleNamespace(people=SimpleNamespace(display=str), views=views, broken=None, head=None, path=None)
        out: list[str] = []
        with i18n.using(self.language):
            w = _Writer(stand_in, Filter(include_retracted=True), self.w.today, self.w.answer_days)
            if inside is not None:
                w.matches = lambda v: v["id"] in inside
            w.history(out, view)
        return "".join(out)

    def open_loops(self) -> str:
        """The Open loops section over every entry rendered (with a `today` only)."""
        self.w.loops_done = self.loops_done
        return self._written(self.w.open_loops)

    def answer_days_said(self, section: str) -> int | None:
        """How many working days an escalation's answer was due after it, as a document's
        Open loops `section` says (None if it does not)."""
        with i18n.using(self.language):
            for sentence in (_all_answered(), _waiting_for_answers()):
                pattern = re.escape(sentence).replace(re.escape("{today}"), ".*?").replace(re.escape("{days}"), "(\\d{1,4})")
                if found := re.search(pattern, section):
                    return int(found.group(1))
        return None

    def cause_trace(self, view: dict, views: dict, inside) -> list[str]:
        """The lines of `view`'s cause trace as the document writes them, the entries it walks
        found in `views` (by id, with their links; those of `inside` are the document's, any
        other shown by its #ref, as its view's `ref` says)."""
        from types import SimpleNamespace

        stand_in = SimpleNamespace(people=SimpleNamespace(display=str), views=views, broken=None, head=None, path=None)
        out: list[str] = []
        with i18n.using(self.language):
            w = _Writer(stand_in, Filter(include_retracted=True), self.w.today, self.w.answer_days)
            w.matches = lambda v: v["id"] in inside
            w.trace(out, view)
        return "".join(out[1:]).rstrip("\n").split("\n")

    def trace_line(self, view: dict) -> str:
        """A cause trace's line for `view`, an entry of the document (without a note after it)."""
        with i18n.using(self.language):
            return self.w.trace_text(view, self.w.link_to(view))

    def trace_notes(self) -> tuple[str, str]:
        """The notes a cause trace's line may end with (a cycle, causes listed above)."""
        with i18n.using(self.language):
            return _trace_notes()

    def generated_line(self, at: datetime) -> str:
        """The header's Generated line of a document made at `at` (its minute, in its offset)."""
        with i18n.using(self.language):
            return _header_item(_("Generated"), _inline(self.w.long(at.isoformat(timespec="minutes")))).rstrip("\n")

    def header_text(self, filt: Filter, period: tuple[str, str] | None) -> str:
        """The whole header as the document writes it (its journal's name, path and time of
        generation left empty: the caller holds those lines apart), and the line a document
        of no entries has after it."""
        self._counted(filt, period)
        out: list[str] = []
        with i18n.using(self.language):
            self.w.header(out, filt, "", "")
            if not self.count:
                out.append(_("No entries match these filters.") + "\n\n")
        return "".join(out)

    def _counted(self, filt: Filter, period: tuple[str, str] | None) -> None:
        """The writer told what the header says of the entries rendered."""
        w = self.w
        w.count, w.retracted, w.filt = self.count, self.retracted, filt
        if period is not None:
            w.first, w.last = period

    def free_lines(self) -> tuple[tuple[str, ...], str]:
        """(how the header's lines start whose rest the exporter chose: the title (the journal's
        name), the journal's path, the time of generation (its day is held apart); the line
        that says retracted entries were left out, which depends on the journal, not on what
        the export holds)."""
        with i18n.using(self.language):
            names = (_("Journal"), _("Generated"))
            starts = (document_title(self.language), *(_header_item(name, "").rstrip("\n") for name in names))
            return starts, _left_out().rstrip("\n")

    def footer(self) -> str:
        self.w.count = self.count
        return self._written(self.w.footer)

    def month_heading(self, month: str) -> str:
        with i18n.using(self.language):
            return f'## <a id="m-{month}" name="m-{month}"></a>{self.w.month_name(month)}\n'

    def header(self, filt: Filter, period: tuple[str, str] | None = None) -> list[str]:
        """The header's lines that the records and the statement decide: the filter, how many
        entries of each kind, and the chain head (not the journal's path, the time); the
        period too, given the first and last entry's When (`period`)."""
        with i18n.using(self.language):
            names = (_("Filters"), _("Entries"), _("Chain head")) + ((_("Period"),) if period is not None else ())
            wanted = tuple(_header_item(name, "").rstrip("\n") for name in names)
        return [line for line in self.header_text(filt, period).split("\n") if line.startswith(wanted)]

    def contents(self, months: list[tuple[str, int]]) -> str:
        """The Contents section for `months` ((month, how many entries) as the document groups
        them), with the open loops counted over every entry rendered."""
        return self._written(self.w.contents, months)

    def link_rels(self, backwards: bool = False) -> list[str]:
        """Every link's rel the document names with a label of its own."""
        return list(self.w.w.backlink if backwards else self.w.w.link)

    def link_item(self, rel: str, view: dict | None, backwards: bool = False) -> str:
        """A links block's line: '- Caused by [#3 · Risk · … — title](#e-3)' for `view` (an
        entry of the document), '- Caused by ' alone for an entry outside it."""
        w = self.w.w
        label = (w.backlink if backwards else w.link).get(rel) or _inline(rel)
        if view is None:
            return f"- {label} "
        with i18n.using(self.language):
            return f"- {label} {self.w.link_to(view)}"

    def summary(self) -> str:
        """The accountability summary over every entry rendered, names as first spelled here."""
        return self._written(self.w.summary)


def anchor_of(view: dict) -> str:
    """The anchor of the entry's heading in a document (`e-42`, `e-dana-42`)."""
    return _anchor(view)


def headings(language: str) -> tuple[tuple[str, ...], str]:
    """(the heading lines of an entry's blocks that other entries and the day make: links,
    loops (how it starts: the day follows), cause trace; its history's heading), as a
    document in `language` writes them."""
    with i18n.using(language):
        w = _words()
        return (f"**{w.label('links')}**", "**" + _("Loops") + "**", _trace_heading()), "**" + _("History") + "**"


def outside_lines(language: str) -> tuple[str, str, str]:
    """How a document in `language` names an entry outside it, one not in the journal, and
    where a cause trace is cut: templates with {ref}, {id}."""
    with i18n.using(language):
        return _("{ref} (not in this export)"), _("an entry not in this journal ({id})"), _further()


def _trace_heading() -> str:
    return "**" + _("Cause trace") + "**" + _(" (what this incident was caused by, and what caused those)")


def _trace_notes() -> tuple[str, str]:
    """What a cause trace's line ends with when its entry is on the path already, or was listed."""
    return _(" · (a cycle: already listed above)"), _(" · (its causes are listed above)")


def _further() -> str:
    return _("… further causes not shown; see {ref}")


def _all_answered() -> str:
    return _(
        "Every escalation in these entries had been answered by {today} (an answer is due {days} working days "
        "after the escalation)."
    )


def _waiting_for_answers() -> str:
    return _(
        "Raised to someone who had not answered by {today}. An answer is due {days} working days after the "
        "escalation; one that never came stays open here, because the absence of an answer is evidence."
    )


def generated_item(language: str) -> str:
    """How the header's Generated line starts in a document in `language`."""
    with i18n.using(language):
        return _header_item(_("Generated"), "").rstrip("\n")


def _left_out() -> str:
    return _header_item(_("Retracted entries"), _("left out; `--include-retracted` shows them, with why each was retracted"))


def _header_item(name: str, text: str) -> str:
    # TRANSLATORS: a line of the document's header: {name} is "Journal", "Filters", "Period"...
    return "- " + _("**{name}:** {text}").format(name=name, text=text) + "\n"


def _unverified_banner() -> str:
    return _(
        "**UNVERIFIED EXPORT.** The journal fails verification at #{seq} ({problem}). It was exported anyway "
        "with `--unverified`: nothing below is vouched for by its hash chain, and the chain head printed here "
        "does not vouch for it either."
    )


def unverified_mark(language: str) -> str:
    """How the banner of an export made with --unverified starts, in `language`."""
    with i18n.using(language):
        return "> " + _unverified_banner().split("{seq}")[0]


def document_title(language: str) -> str:
    """How a document in `language` starts: its first line, up to the journal's name."""
    with i18n.using(language):
        return "# " + _("Evidence trail: {journal}").split("{journal}")[0]
