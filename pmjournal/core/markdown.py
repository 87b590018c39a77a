"""The Markdown evidence export: the trail as a document someone else can read.

A product manager hands this to a manager, a retrospective or a review, so it
has to read well on GitHub and on paper, and nothing a user typed may change
its structure. Every piece of user text goes through one of two escapers:
`_inline` (one line: table cells, headings, list items) or `_block` (bodies and
other multi-line text). Both backslash-escape the Markdown punctuation that
could start emphasis, code, links, HTML, entities, tables, strikethrough or
math, and `_block` also defuses whatever can start a block at the beginning of
a line (headings, lists, quotes, rules, setext underlines, indented code). The
only raw HTML in the document is the `<a id>` anchors generated here from
#seq numbers (and, for a colleague's entry in a team journal, the author's
handle, which is only ever lower-case letters, digits and hyphens), never from text.

Written for speed (10,000 entries well under a tenth of a second): one list of
strings joined once, `str.translate` for escaping, and per-name and per-day
caches so nothing is formatted twice.
"""

import re
from collections import Counter
from datetime import date, datetime
from operator import itemgetter

from . import causes as causes_mod
from . import dates
from . import loops as loops_mod
from .display import BACKLINK_WORDS, LINK_WORDS, concurrent_note, label, long_date, retraction_ref
from .fold import ref_of
from .model import COMMON, KIND_FIELDS, PEOPLE_FIELDS
from .query import WHO_COLUMNS, Filter, trace, who

# ASCII punctuation that means something inline in CommonMark or GitHub's dialect:
# \ escape, ` code, * _ emphasis, [ ] links, < autolinks and HTML, & entities,
# # closing heading sequence, | table cells, ~ strikethrough, $ math.
_SPECIAL = "\\`*_[]<&#|~$"
_INLINE = str.maketrans({c: "\\" + c for c in _SPECIAL})
# Same, for one-line contexts: a line break would end a table row or a heading.
_CELL = str.maketrans({**{c: "\\" + c for c in _SPECIAL}, "\r": " ", "\n": " "})
# Most text needs no escaping; a regex scan is much cheaper than translate.
_NEEDS_INLINE = re.compile(r"[\\`*_\[\]<&#|~$]").search
_NEEDS_CELL = re.compile(r"[\\`*_\[\]<&#|~$\r\n]").search
_MONTH = re.compile(r"\d{4}-\d{2}").fullmatch
# At the start of a line these open a block (list, quote, setext underline).
_LINE_START = frozenset("-+=>")

_PEOPLE = frozenset(PEOPLE_FIELDS)
_TEXT_FIELDS = tuple(f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "text")
_DATE_FIELDS = ("review_by", "follow_up_by")
_DATE_OR_PEOPLE = frozenset((*_DATE_FIELDS, *PEOPLE_FIELDS))
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_KIND_NAMES = {k: k.capitalize() for k in KIND_FIELDS}
_LINK_LABELS = {rel: words.capitalize() for rel, words in LINK_WORDS.items()}
_BACKLINK_LABELS = {rel: words.capitalize() for rel, words in BACKLINK_WORDS.items()}
_ROLE_HEADERS = ("Owner", "Requested", "Approved", "Consulted", "Informed", "Other")
_COMMON_LABELS = {f.name: f.label for f in COMMON}
_NOBODY = "(nobody named)"
# CommonMark parsers stop nesting blocks at some depth (markdown-it: 20 in its
# commonmark preset); a cause trace deeper than this is cut with a pointer.
_MAX_TRACE_DEPTH = 6


def _inline(text) -> str:
    """One line of user text, shown as typed wherever it lands (cell, heading, link text)."""
    if text.__class__ is not str:
        text = str(text)
    return text.translate(_CELL) if _NEEDS_CELL(text) else text


def _code(text: str) -> str:
    """A hash or id as code; text that is not plain letters and digits stays escaped text."""
    return f"`{text}`" if text.isalnum() else _inline(text)


def _item(text) -> str:
    """One line of user text opening a list item, where a leading -, >, 1. would open a block."""
    return _line_start(_inline(text).strip())


def _line_start(text: str) -> str:
    if not text:
        return text
    first = text[0]
    if first in _LINE_START:
        return "\\" + text
    if first.isdigit():
        # "1." or "1)" would start an ordered list.
        i = 1
        while i < len(text) and text[i].isdigit():
            i += 1
        if i < len(text) and text[i] in ".)":
            return text[:i] + "\\" + text[i:]
    return text


def _line(text: str) -> str:
    """One non-blank line of a multi-line text (trailing space removed), escaped so it can only ever be paragraph text."""
    lead = ""
    if text[0] in " \t":
        stripped = text.lstrip(" \t")
        # Leading spaces would make an indented code block, so keep the
        # indentation visible with non-breaking spaces instead.
        lead = "&nbsp;" * len(text[: len(text) - len(stripped)].replace("\t", "    "))
        text = stripped
    if _NEEDS_INLINE(text):
        text = text.translate(_INLINE)
    first = text[0]
    if first in _LINE_START or first.isdigit():
        text = _line_start(text)
    return lead + text if lead else text


def _block(out: list, text, indent: str = "") -> None:
    """Multi-line user text as paragraphs: blank lines separate them, line breaks are kept (hard breaks)."""
    if text.__class__ is not str:
        text = str(text)
    if "\n" not in text and "\r" not in text:
        text = text.rstrip()
        if text:
            out.append(f"{indent}{_line(text)}\n\n")
        return
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    para: list[str] = []
    joiner = "\\\n" + indent
    for raw in text.split("\n"):
        raw = raw.rstrip()
        if raw:
            para.append(_line(raw))
        elif para:
            out.append(indent + joiner.join(para) + "\n\n")
            para = []
    if para:
        out.append(indent + joiner.join(para) + "\n\n")


class _Cache(dict):
    """A dict that computes a missing value once: `cache[key]` costs a lookup after the first time."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


def _day_text(key: str) -> str:
    """'Mon 23 Nov 2026' for 'YYYY-MM-DD'."""
    try:
        d = date.fromisoformat(key)
    except ValueError:
        return _inline(key)
    return f"{_DAYS[d.weekday()]} {d.day:02d} {_MONTHS[d.month - 1][:3]} {d.year}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _due_in(loop) -> str:
    return f"{_days(loop.days)} (soon)" if loop.state == "soon" else _days(loop.days)


def _anchor(view: dict) -> str:
    """The anchor id of an entry's heading: `e-42` for one's own #42, `e-dana-42` for
    dana#42, so two authors' #1 never share one. Unique: an own anchor has no hyphen
    after `e-`, and a colleague's #seq is the digits after its last hyphen (a handle
    is lower-case letters, digits and hyphens: core/team/layout.HANDLE)."""
    author = view.get("author")
    return f"e-{author}-{int(view['seq'])}" if author else f"e-{int(view['seq'])}"


def _cause_text(key: str) -> str:
    c = causes_mod.BY_KEY.get(key)
    return _inline(f"{c.label} ({c.zh})" if c else key)


_PLAIN, _PERSON, _PEOPLE_LIST, _OTHER = range(4)
_HOW = {"enum": _PLAIN, "line": _PLAIN, "person": _PERSON, "people": _PEOPLE_LIST}


def _table_fields(kind: str) -> tuple:
    """(field, row prefix, how to render it) for the kind-specific fields shown in an entry's table.

    Multi-line text, options and commitments are shown below the table instead."""
    return tuple(
        (f.name, f"| {f.label} | ", _HOW.get(f.type, _OTHER))
        for f in KIND_FIELDS.get(kind, ())
        if f.type not in ("text", "commitments") and f.name != "options"
    )


def _text_fields(kind: str) -> tuple:
    """(field, label paragraph) for the kind's multi-line fields, shown as paragraphs after the body."""
    return tuple((f.name, f"**{f.label}**\n\n") for f in KIND_FIELDS.get(kind, ()) if f.type == "text")


_TABLE_FIELDS = _Cache(_table_fields)
_KIND_TEXT_FIELDS = _Cache(_text_fields)
# (field, row prefix, column in the summary's counts: 0 is the person's name)
_ROLE_ROWS = tuple(
    (f, f"| {_COMMON_LABELS[f]} | ", i)
    for i, f in enumerate(("owner", "requested_by", "approved_by", "consulted", "informed"), 1)
)


class _Writer:
    """Formats one export; holds the caches that make 100k entries cheap."""

    def __init__(self, journal, views: list[dict], today: date | None = None, answer_days: int = loops_mod.ANSWER_DAYS):
        self.journal = journal
        self.views = views
        # The day the open loops are counted on: the day the document is generated.
        self.today = today or dates.now().date()
        self.answer_days = answer_days
        self.loops: list = []  # every loop of the exported entries, done ones included (filled by entries())
        self.due_days = _Cache(lambda day: _day_text(day.isoformat()))  # date -> 'Fri 23 Oct 2026'
        self.today_text = self.due_days[self.today]
        self.loops_heading = f"**Loops** (as of {self.today_text})\n\n"
        self.all_views = journal.views
        self.exported = set(map(itemgetter("id"), views))
        display = journal.people.display
        self.names = _Cache(lambda name: _inline(display(name)))
        self.days = _Cache(_day_text)
        self.causes = _Cache(_cause_text)
        self.refs = _Cache(self._ref_text)
        self.trace_lines = _Cache(self._trace_line)
        broken = journal.broken
        # An export made with --unverified says so on every entry, not only at the top:
        # a page printed or quoted on its own must not pass for checked evidence.
        self.broken = broken
        self.unverified = (
            f"| Verified | **NO**: the journal fails verification at #{broken[0]}; this entry is not vouched for by its hash chain |\n"
            if broken
            else ""
        )

    def imported(self, origin: dict) -> str:
        """Where an imported record came from, and what the file claimed about it."""
        from .provenance import imported_text

        return imported_text(origin, self.utc, self.names.__getitem__, _inline)

    # -- cached formatting ---------------------------------------------

    def person(self, name: str) -> str:
        return self.names[name]

    def people(self, names) -> str:
        if names.__class__ is str:
            return self.names[names]
        return ", ".join(map(self.names.__getitem__, names))

    def day(self, iso: str) -> str:
        """'Mon 23 Nov 2026' for the date part of an ISO timestamp."""
        return self.days[iso[:10]]

    def when(self, iso: str) -> str:
        """'Mon 23 Nov 2026 15:00 +08:00', in the entry's own offset (as display.long_date)."""
        if len(iso) == 25 and iso[10] == "T" and iso[19] in "+-":
            return f"{self.days[iso[:10]]} {iso[11:16]} {iso[19:]}"
        return _inline(long_date(iso))

    def utc(self, iso: str) -> str:
        """A recorded_at stamp (UTC): '2026-11-23 07:25 UTC'."""
        if iso.endswith("+00:00") and len(iso) >= 16:
            return f"{iso[:10]} {iso[11:16]} UTC"
        return _inline(long_date(iso))

    def cause(self, key: str) -> str:
        return self.causes[key]

    def value(self, field: str, value) -> str:
        """A field's value on one line, escaped."""
        if value is None or value == "" or value == [] or value == {}:
            return "(empty)"
        if field in _PEOPLE:
            return self.people(value)
        if field == "causes":
            return ", ".join(map(self.causes.__getitem__, value))
        if field in _DATE_FIELDS or field == "occurred_at":
            return self.when(value)
        if field == "links":
            return ", ".join(f"{_LINK_LABELS.get(x.get('rel'), x.get('rel'))} {self.ref(x.get('to'))}" for x in value)
        if field == "commitments" and isinstance(value, list):
            return "; ".join(map(self.commitment, value))
        if isinstance(value, dict):
            return "; ".join(f"{_inline(k)}: {_inline(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(_inline(v) for v in value)
        return _inline(value)

    def commitment(self, item) -> str:
        """'Priya Raman: design hand-off, by Fri 18 Sep 2026' (escaped), for history lines."""
        if not isinstance(item, dict):
            return _inline(item)
        return f"{self.names[item['who']]}: {_inline(item['what'])}, by {self.day(item['due'])}"

    def ref(self, entry_id) -> str:
        """A link to another entry: an anchor link if it is in this document, its #seq if not."""
        return self.refs[entry_id]

    def _ref_text(self, entry_id) -> str:
        view = self.all_views.get(entry_id)
        if view is None:
            return f"an entry not in this journal ({_inline(entry_id)})"
        ref = ref_of(view)
        if entry_id not in self.exported:
            return f"{ref} (not in this export)"
        title = _inline(view.get("title", ""))
        return f"[{ref} · {_KIND_NAMES.get(view['kind']) or _inline(view['kind'])} · {view['occurred_at'][:10]} — {title}](#{_anchor(view)})"

    # -- the document ----------------------------------------------------

    def header(self, out: list, filt: Filter, generated_at: str, journal_label: str | None) -> None:
        seq, head = self.journal.head()
        views = self.views
        name = journal_label if journal_label is not None else self.journal.path.name
        out.append(f"# Evidence trail: {_inline(name)}\n\n")
        if self.broken:
            out.append(
                f"> **UNVERIFIED EXPORT.** The journal fails verification at #{self.broken[0]} "
                f"({_inline(self.broken[1])}). It was exported anyway with `--unverified`: nothing below "
                "is vouched for by its hash chain, and the chain head printed here does not vouch for it either.\n\n"
            )
        out.append(f"- **Journal:** {_inline(journal_label if journal_label is not None else self.journal.path)}\n")
        out.append(f"- **Filters:** {_inline(filt.describe())}\n")
        if views:
            first, last = views[0]["occurred_at"], views[-1]["occurred_at"]
            out.append(f"- **Period:** {self.day(first)} to {self.day(last)}\n")
        out.append(f"- **Generated:** {_inline(generated_at)}\n")
        retracted = len(views) - list(map(itemgetter("retracted"), views)).count(None)
        by_kind = Counter(map(itemgetter("kind"), views))
        kinds = ", ".join(f"{n} {k if n == 1 else k + 's'}" for k, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
        count = f"{len(views)}" + (f" ({kinds})" if kinds else "")
        if retracted:
            count += f", of which {retracted} retracted"
        out.append(f"- **Entries:** {count}\n")
        out.append(f"- **Chain head:** #{seq} {_code(head)}\n\n")
        out.append(
            f"**To check this copy** against the journal it came from, run `pmjournal --db JOURNAL verify`. It must print "
            f"`ok` and, if nothing was recorded since, `chain head #{seq}` with the hash above; if more was recorded, "
            f"record #{seq} must still carry that hash (`pmjournal export --format json` lists every record's hash). Anything else means the journal was rewritten after this document was made.\n\n"
        )

    def summary(self, out: list) -> None:
        """Person x role counts, busiest first: query.who over these entries, as `pmjournal who` and the People view."""
        rows = who(self.views, self.journal.people)
        out.append('## <a id="summary" name="summary"></a>Accountability summary\n\n')
        if not rows:
            out.append("No one is named in these entries.\n\n")
            return
        out.append(
            "How many of the entries below name each person in each role (owner: the one accountable person; other: "
            "participant, acknowledged, raised by or to). Retracted entries hold nobody accountable and count in no "
            "role; Entries counts every entry below that names the person.\n\n"
        )
        out.append("| Person | " + " | ".join(_ROLE_HEADERS) + " | Entries |\n")
        out.append("|---|" + "---:|" * (len(_ROLE_HEADERS) + 1) + "\n")
        for row in rows:
            out.append(f"| {self.names[row['person']]} | {' | '.join(str(row[c]) for c in WHO_COLUMNS)} | {row['total']} |\n")
        out.append("\n")

    def contents(self, out: list, months: list[tuple[str, int]]) -> None:
        out.append("## Contents\n\n")
        out.append("- [Accountability summary](#summary)\n")
        still = [lp for lp in self.loops if lp.state != "done"]
        overdue = sum(lp.state == "overdue" for lp in still)
        out.append(f"- [Open loops](#loops) ({len(still)} open, {overdue} overdue)\n")
        for month, n in months:
            out.append(f"- [{self.month_name(month)}](#m-{month}) ({n} {'entry' if n == 1 else 'entries'})\n")
        out.append("\n")

    @staticmethod
    def month_name(month: str) -> str:
        number = int(month[5:7])
        return f"{_MONTHS[number - 1]} {month[:4]}" if 1 <= number <= 12 else "Undated"

    def entries(self, out: list, views: list[dict], chunks: list | None = None) -> list[list]:
        """Every entry under its month's heading; returns (month, entries) for the contents.

        One loop with its look-ups bound once: this is the hot path. Months
        follow the entries' own dates; an entry that is a month "back" in
        absolute time (1 Nov 01:00 +08:00 comes before 31 Oct 20:00 -05:00)
        stays in the current month, so each month, and its anchor, appears once.
        """
        months: list[list] = []
        current = ""
        append = out.append
        names, days, causes = self.names, self.days, self.causes
        names_get = names.__getitem__
        causes_get = causes.__getitem__
        needs_cell, cell = _NEEDS_CELL, _CELL
        kind_names, table_fields, text_fields = _KIND_NAMES, _TABLE_FIELDS, _KIND_TEXT_FIELDS
        role_rows = _ROLE_ROWS
        plain, person, people = _PLAIN, _PERSON, _PEOPLE_LIST
        block, item, when, utc = _block, _item, self.when, self.utc
        refs, link_labels, backlink_labels = self.refs, _LINK_LABELS, _BACKLINK_LABELS
        # Enum values, projects and tag lists repeat across entries: escape each distinct one once.
        escaped = _Cache(_inline)
        could_open, loops_of, today, answer_days = loops_mod.could_open, loops_mod.loops_of, self.today, self.answer_days
        found_loops = self.loops
        for v in views:
            if chunks is not None and len(out) > 4096:
                # Join as we go: 100k entries as millions of small strings, then one
                # giant string (4 bytes a character once an emoji is in it), cost GBs.
                chunks.append("".join(out))
                out.clear()
            month = v["occurred_at"][:7]
            if month != current:
                if not _MONTH(month):
                    month = current or "0000-00"  # never expected from a validated entry; keeps anchor ids safe
                if month > current:
                    current = month
                    months.append([month, 0])
                    append(f'## <a id="m-{month}" name="m-{month}"></a>{self.month_name(month)}\n\n')
            months[-1][1] += 1
            kind, occurred = v["kind"], v["occurred_at"]
            # A colleague's entry (team journals) reads dana#42 and is anchored e-dana-42.
            ref, anchor = ref_of(v), (_anchor(v) if "author" in v else f"e-{int(v['seq'])}")
            title = v.get("title") or ""
            if needs_cell(title):
                title = title.translate(cell)
            title = f"{ref} · {kind_names.get(kind) or _inline(kind)} · {occurred[:10]} — {title}"
            retraction = v["retracted"]
            if retraction:
                # <del>, not ~~: a title ending in a URL would carry GitHub's autolink over a closing ~~.
                append(f'### <a id="{anchor}" name="{anchor}"></a><del>{title}</del> (retracted)\n\n')
                append(
                    f"**Retracted** {utc(retraction['recorded_at'])} by {names[retraction.get('recorded_by') or '?']} "
                    f"(record {retraction_ref(v)}). Reason:\n\n"
                )
                block(out, retraction.get("reason") or "(none given)")
                rows = ["| Field | Value |\n|---|---|\n| When | "]
            else:
                # GitHub keeps id and name (prefixed with user-content-) and scrolls to either; other renderers use id.
                rows = [f'### <a id="{anchor}" name="{anchor}"></a>{title}\n\n| Field | Value |\n|---|---|\n| When | ']
            if len(occurred) == 25 and occurred[10] == "T":
                rows.append(f"{days[occurred[:10]]} {occurred[11:16]} {occurred[19:]} |\n")
            else:
                rows.append(f"{when(occurred)} |\n")
            # `field in v` before v[field]: most fields are absent, and a membership test is cheaper than v.get.
            for field, prefix, _role in role_rows:
                if field in v and (value := v[field]):
                    if value.__class__ is str:
                        rows.append(f"{prefix}{names[value]} |\n")
                    else:
                        rows.append(f"{prefix}{', '.join(map(names_get, value))} |\n")
            for field, prefix, how in table_fields[kind]:
                if field in v and (value := v[field]):
                    # (fold has already set a superseded decision's status to "superseded")
                    if how == plain and value.__class__ is str:
                        rows.append(f"{prefix}{escaped[value]} |\n")
                    elif how == person and value.__class__ is str:
                        rows.append(f"{prefix}{names[value]} |\n")
                    elif how == people and value.__class__ is list:
                        rows.append(f"{prefix}{', '.join(map(names_get, value))} |\n")
                    else:
                        rows.append(f"{prefix}{self.value(field, value)} |\n")
            if "project" in v and (project := v["project"]):
                rows.append(f"| Project | {escaped[project]} |\n")
            if "tags" in v and (tags := v["tags"]):
                # escaping the joined text is the same as escaping each tag
                rows.append(f"| Tags | {escaped[', '.join(tags)]} |\n")
            if "causes" in v and (keys := v["causes"]):
                rows.append(f"| Causes | {', '.join(map(causes_get, keys))} |\n")
            entry_id = v["id"]
            # Our ids are ULIDs, shown as code; anything else is escaped text (a code span would show the escapes).
            entry_id = f"`{entry_id}`" if entry_id.isalnum() else _inline(entry_id)
            recorded = v["recorded_at"]
            recorded = f"{recorded[:10]} {recorded[11:16]} UTC" if recorded.endswith("+00:00") else utc(recorded)
            rows.append(f"| Recorded | {recorded} by {names[v.get('recorded_by') or '?']} |\n")
            if "imported" in v:
                rows.append(f"| Imported | {self.imported(v['imported'])} |\n")
            if self.unverified:
                rows.append(self.unverified)
            rows.append(f"| Id | {entry_id} |\n\n")
            append("".join(rows))

            if "body" in v and (body := v["body"]):
                block(out, body)
            if "options" in v and (options := v["options"]):
                append("**Options considered**\n\n" + "".join([f"- {item(o)}\n" for o in options]) + "\n")
            for field, heading in text_fields[kind]:
                if field in v and (text := v[field]):
                    append(heading)
                    block(out, text)
            if "commitments" in v and (commitments := v["commitments"]):
                self.commitments(out, commitments)
            links, backlinks = v.get("links"), v["linked_from"]
            if links or backlinks:
                items = ["**Links**\n\n"]
                for x in links or ():
                    items.append(f"- {link_labels.get(x['rel']) or _inline(x['rel'])} {refs[x['to']]}\n")
                for x in backlinks:
                    items.append(f"- {backlink_labels.get(x['rel']) or _inline(x['rel'])} {refs[x['from']]}\n")
                items.append("\n")
                append("".join(items))
            if "evidence" in v and (evidence := v["evidence"]):
                append("**Evidence**\n\n" + "".join([f"- {item(e)}\n" for e in evidence]) + "\n")
            if could_open(v) and (found := loops_of(v, today, answer_days)):
                found_loops.extend(found)
                self.entry_loops(out, found)
            if links and kind == "incident" and any(link["rel"] == "caused_by" for link in links):
                self.trace(out, v)
            if v["history"]:
                self.history(out, v)
        return months

    def commitments(self, out: list, items) -> None:
        """Who committed to what by when, as a table; commitments written before they had that shape are text."""
        out.append("**Commitments**\n\n")
        if isinstance(items, str):
            _block(out, items)
            return
        rows = ["| Who | What | By |\n|---|---|---|\n"]
        for item in items:
            rows.append(f"| {self.names[item['who']]} | {_inline(item['what'])} | {self.day(item['due'])} |\n")
        rows.append("\n")
        out.append("".join(rows))

    def entry_loops(self, out: list, found: list) -> None:
        """Each loop of one entry in a line: what was owed by when, what happened to it, who owed it to whom."""
        items = [self.loops_heading]
        for loop in found:
            items.append(f"- {_item(loops_mod.describe(loop))}{self.standing(loop)} · {self.owing(loop)}\n")
        items.append("\n")
        out.append("".join(items))

    @staticmethod
    def standing(loop) -> str:
        """What describe() leaves out: how late a done loop was, how far off an open one's due date is."""
        if loop.state == "done":
            late = (date.fromisoformat(loop.closed["occurred_at"][:10]) - loop.due).days
            return f" ({_days(late)} late)" if late > 0 else ""
        if loop.state == "overdue":
            return ""
        if loop.days == 0:
            return ", due today"
        return f", due soon: in {_days(loop.days)}" if loop.state == "soon" else f", still open: due in {_days(loop.days)}"

    def owing(self, loop) -> str:
        owed_to = f" to {self.people(loop.owed_to)}" if loop.owed_to else ""
        return f"owed by {self.people(loop.owes) if loop.owes else _NOBODY}{owed_to}"

    def open_loops(self, out: list) -> None:
        """What was owed and not done on the day of the export, overdue first; then the escalations nobody answered."""
        today = self.today_text
        out.append('## <a id="loops" name="loops"></a>Open loops\n\n')
        found = self.loops
        if not found:
            out.append(
                f"None of these entries owed anything on {today}, the day this document was generated: no follow-up, "
                "review, commitment or escalation with a date.\n\n"
            )
            return
        by_due = sorted((lp for lp in found if lp.state != "done"), key=lambda lp: (lp.due, lp.view["seq"], lp.key))
        overdue = [lp for lp in by_due if lp.state == "overdue"]
        later = [lp for lp in by_due if lp.state != "overdue"]
        waiting = [lp for lp in by_due if lp.type == "answer"]
        done = len(found) - len(by_due)
        out.append(
            f"What these entries owed on {today}, the day this document was generated: {len(by_due)} "
            f"{'loop was' if len(by_due) == 1 else 'loops were'} open, {len(overdue)} of them overdue; {done} "
            f"{'was' if done == 1 else 'were'} done by then. A loop is a follow-up, a review, a commitment or the answer "
            "to an escalation, owed by someone by a date; each entry's **Loops** list tells its story.\n\n"
        )
        tables = (
            (
                "Overdue",
                "most overdue first",
                overdue,
                "Days overdue",
                lambda lp: str(-lp.days),
                f"Nothing was overdue on {today}.",
            ),
            ("Not yet due", "soonest first", later, "Due in", _due_in, "Nothing else was open."),
        )
        for name, order, listed, last, cell, empty in tables:
            out.append(f"**{name}** ({len(listed)}), {order}\n\n")
            if not listed:
                out.append(f"{empty}\n\n")
                continue
            rows = [f"| Owed | Entry | Owed by | Owed to | Due | {last} |\n|---|---|---|---|---|---:|\n"]
            rows.extend(f"{self.loop_row(lp)}{cell(lp)} |\n" for lp in listed)
            out.append("".join(rows) + "\n")
        out.append(f"**Unanswered escalations** ({len(waiting)}), longest wait first\n\n")
        if not waiting:
            out.append(f"Every escalation in these entries had been answered by {today}.\n\n")
            return
        out.append(
            f"Raised to someone who had not answered by {today}. An answer is due {self.answer_days} working days after "
            "the escalation; one that never came stays open here, because the absence of an answer is evidence.\n\n"
        )
        rows = ["| Entry | Raised by | Raised to | Raised on | Answer due | Waited |\n|---|---|---|---|---|---:|\n"]
        for lp in waiting:
            raised = self.people(lp.owed_to) if lp.owed_to else _NOBODY
            rows.append(
                f"| {self.entry_cell(lp.view)} | {raised} | {self.people(lp.owes)} | {self.day(lp.view['occurred_at'])} "
                f"| {self.due_days[lp.due]} | {_days(lp.waited)} |\n"
            )
        out.append("".join(rows) + "\n")

    def loop_row(self, loop) -> str:
        """The cells of an Overdue or Not yet due row, up to its last one."""
        if loop.type == "commitment":
            owed = f"commitment: {_inline(loop.what)}"
        else:
            owed = {"follow-up": "follow-up", "answer": "an answer"}.get(loop.type) or _inline(loop.what)
        owes = self.people(loop.owes) if loop.owes else _NOBODY
        owed_to = self.people(loop.owed_to) if loop.owed_to else _NOBODY
        return f"| {owed} | {self.entry_cell(loop.view)} | {owes} | {owed_to} | {self.due_days[loop.due]} | "

    def entry_cell(self, view: dict) -> str:
        """'[#17](#e-17) Asked the provider…': a link to an entry of this document, with its title."""
        return f"[{ref_of(view)}](#{_anchor(view)}) {_inline(view.get('title') or '')}"

    def trace(self, out: list, v: dict) -> None:
        tree = trace(self.all_views, v["id"])
        out.append("**Cause trace** (what this incident was caused by, and what caused those)\n\n")

        lines = self.trace_lines

        def walk(node: dict, depth: int) -> None:
            pad = "  " * depth
            if node.get("missing"):
                out.append(f"{pad}- an entry not in this journal ({_inline(node['id'])})\n")
                return
            cycle = " · (a cycle: already listed above)" if node["cycle"] else ""
            out.append(f"{pad}- {lines[node['id']]}{cycle}\n")
            if depth + 1 >= _MAX_TRACE_DEPTH and node["children"]:
                out.append(f"{pad}  - … further causes not shown; see {ref_of(node['view'])}\n")
                return
            for child in node["children"]:
                walk(child, depth + 1)

        for child in tree.get("children", ()):
            walk(child, 0)
        out.append("\n")

    def _trace_line(self, entry_id: str) -> str:
        """One entry in a cause trace: its link, and (if it is in this export) its owner and causes."""
        parts = [self.refs[entry_id]]
        if entry_id in self.exported:
            view = self.all_views[entry_id]
            if view.get("owner"):
                parts.append(f"owner {self.names[view['owner']]}")
            if view.get("causes"):
                parts.append("causes: " + ", ".join(map(self.causes.__getitem__, view["causes"])))
        return " · ".join(parts)

    def history(self, out: list, view: dict) -> None:
        out.append("**History**\n\n")
        for event in view["history"]:
            kind = event["kind"]
            if kind == "loop":
                # A loop closed or re-opened: one line ('follow-up done 14 Nov 2026 by Dana: recap email').
                what = "Loop done" if event.get("state") == "done" else "Loop re-opened"
                out.append(
                    f"- **{what}** {self.utc(event['recorded_at'])} by {self.person(event.get('recorded_by') or '?')} "
                    f"(record {ref_of(event)}){concurrent_note(event)}: {_inline(loops_mod.history_text(event, view))}\n\n"
                )
                continue
            what = "Amended" if kind == "amendment" else "Retracted"
            out.append(
                f"- **{what}** {self.utc(event['recorded_at'])} by {self.person(event.get('recorded_by') or '?')} "
                f"(record {ref_of(event)}){concurrent_note(event)}. Reason:\n\n"
            )
            _block(out, event.get("reason") or "(none given)", "  ")
            for field, change in (event.get("changes") or {}).items():
                name = label(field)
                if field in _TEXT_FIELDS or field == "body":
                    for side in ("old", "new"):
                        out.append(f"  - {name}, {'before' if side == 'old' else 'after'}:\n\n")
                        if change[side]:
                            _block(out, change[side], "    ")
                        else:
                            out.append("    (empty)\n\n")
                else:
                    out.append(f"  - {name}: {self.value(field, change['old'])} → {self.value(field, change['new'])}\n\n")

    def footer(self, out: list) -> None:
        seq, head = self.journal.head()
        out.append("---\n\n")
        n = len(self.views)
        out.append(f"End of the evidence trail: {n} {'entry' if n == 1 else 'entries'}; chain head #{seq} {_code(head)}.\n")
        if self.broken:
            out.append(f"\n**UNVERIFIED EXPORT**: the journal fails verification at #{self.broken[0]}.\n")


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
    return "".join(iter_markdown(journal, filt, generated_at, journal_label, answer_days))


def iter_markdown(
    journal,
    filt: Filter,
    generated_at: datetime | str | None = None,
    journal_label: str | None = None,
    answer_days: int = loops_mod.ANSWER_DAYS,
    views=None,
):
    """The same document in pieces of a few hundred KB, for writing to a file or a pipe.
    `views`: what `filt` selects, in time order, when the caller has it already."""
    if views is None:
        from .reads import selected

        views = selected(journal, filt)
    if generated_at is None:
        generated_at = dates.now()
    today = generated_at.date() if isinstance(generated_at, datetime) else None
    if isinstance(generated_at, datetime):
        generated_at = long_date(generated_at.isoformat(timespec="minutes"))
    w = _Writer(journal, views, today, answer_days)
    out: list[str] = []
    w.header(out, filt, generated_at, journal_label)
    if not views:
        out.append("No entries match these filters.\n\n")
        w.footer(out)
        yield "".join(out)
        return
    # The entries are written first (that pass counts the summary shown above
    # them) into a spool that stays in memory up to 16 MB and goes to a temp
    # file beyond: a 100k-entry document never sits in memory whole.
    import tempfile
    from types import SimpleNamespace

    with tempfile.SpooledTemporaryFile(max_size=16 << 20, mode="w+", encoding="utf-8") as spool:
        body: list[str] = []
        months = w.entries(body, views, SimpleNamespace(append=spool.write))
        spool.write("".join(body))
        body.clear()
        w.footer(body)
        spool.write("".join(body))
        w.contents(out, months)
        w.summary(out)
        w.open_loops(out)
        yield "".join(out)
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            yield chunk
