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
#seq numbers, never from text.

Written for speed (10,000 entries well under a tenth of a second): one list of
strings joined once, `str.translate` for escaping, and per-name and per-day
caches so nothing is formatted twice.
"""

from datetime import date, datetime

from . import causes as causes_mod
from .display import label, long_date
from .model import COMMON, KIND_FIELDS, PEOPLE_FIELDS
from .query import Filter, trace, who

# ASCII punctuation that means something inline in CommonMark or GitHub's dialect:
# \ escape, ` code, * _ emphasis, [ ] links, < autolinks and HTML, & entities,
# # closing heading sequence, | table cells, ~ strikethrough, $ math.
_SPECIAL = "\\`*_[]<&#|~$"
_INLINE = str.maketrans({c: "\\" + c for c in _SPECIAL})
# Same, for one-line contexts: a line break would end a table row or a heading.
_CELL = str.maketrans({**{c: "\\" + c for c in _SPECIAL}, "\r": " ", "\n": " "})
# At the start of a line these open a block (list, quote, setext underline).
_LINE_START = frozenset("-+=>")

_PEOPLE = frozenset(PEOPLE_FIELDS)
_TEXT_FIELDS = tuple(f.name for fields in KIND_FIELDS.values() for f in fields if f.type == "text")
_DATE_FIELDS = ("review_by", "follow_up_by")
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
_LINK_LABELS = {"supersedes": "Supersedes", "caused_by": "Caused by", "relates": "Related to"}
_BACKLINK_LABELS = {"supersedes": "Superseded by", "caused_by": "Led to", "relates": "Related to"}
_ROLE_HEADERS = ("Owner", "Requested", "Approved", "Consulted", "Informed")
_COMMON_LABELS = {f.name: f.label for f in COMMON}
# CommonMark parsers stop nesting blocks at some depth (markdown-it: 20 in its
# commonmark preset); a cause trace deeper than this is cut with a pointer.
_MAX_TRACE_DEPTH = 6


def _inline(text) -> str:
    """One line of user text, shown as typed wherever it lands (cell, heading, link text)."""
    return str(text).translate(_CELL)


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


def _line(raw: str) -> str:
    """One line of a multi-line text, escaped so it can only ever be paragraph text."""
    stripped = raw.lstrip(" \t")
    text = _line_start(stripped.rstrip().translate(_INLINE))
    if len(stripped) != len(raw):
        # Leading spaces would make an indented code block, so keep the
        # indentation visible with non-breaking spaces instead.
        lead = raw[: len(raw) - len(stripped)].replace("\t", "    ")
        text = "&nbsp;" * len(lead) + text
    return text


def _block(out: list, text, indent: str = "") -> None:
    """Multi-line user text as paragraphs: blank lines separate them, line breaks are kept (hard breaks)."""
    para: list[str] = []
    joiner = "\\\n" + indent
    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip():
            para.append(_line(raw))
        elif para:
            out.append(indent + joiner.join(para) + "\n\n")
            para = []
    if para:
        out.append(indent + joiner.join(para) + "\n\n")


def _anchor(seq) -> str:
    # GitHub keeps id and name (prefixed with user-content-) and scrolls to
    # either; other renderers and print tools use id.
    seq = int(seq)
    return f'<a id="e-{seq}" name="e-{seq}"></a>'


class _Writer:
    """Formats one export; holds the caches that make 100k entries cheap."""

    def __init__(self, journal, views: list[dict]):
        self.journal = journal
        self.views = views
        self.all_views = journal.views
        self.exported = {v["id"] for v in views}
        self.display = journal.people.display
        self._names: dict[str, str] = {}
        self._days: dict[str, str] = {}
        self._causes: dict[str, str] = {}

    # -- cached formatting ---------------------------------------------

    def person(self, name: str) -> str:
        text = self._names.get(name)
        if text is None:
            text = self._names[name] = _inline(self.display(name))
        return text

    def people(self, names) -> str:
        if isinstance(names, str):
            return self.person(names)
        return ", ".join(self.person(n) for n in names)

    def day(self, iso: str) -> str:
        """'Mon 23 Nov 2026' for the date part of an ISO timestamp."""
        key = iso[:10]
        text = self._days.get(key)
        if text is None:
            try:
                d = date.fromisoformat(key)
                text = f"{_DAYS[d.weekday()]} {d.day:02d} {_MONTHS[d.month - 1][:3]} {d.year}"
            except ValueError:
                text = _inline(key)
            self._days[key] = text
        return text

    def when(self, iso: str) -> str:
        """'Mon 23 Nov 2026 15:00 +08:00', in the entry's own offset (as display.long_date)."""
        if len(iso) == 25 and iso[10] == "T" and iso[19] in "+-":
            return f"{self.day(iso)} {iso[11:16]} {iso[19:]}"
        return _inline(long_date(iso))

    def utc(self, iso: str) -> str:
        """A recorded_at stamp (UTC): '2026-11-23 07:25 UTC'."""
        if iso.endswith("+00:00") and len(iso) >= 16:
            return f"{iso[:10]} {iso[11:16]} UTC"
        return _inline(long_date(iso))

    def cause(self, key: str) -> str:
        text = self._causes.get(key)
        if text is None:
            c = causes_mod.BY_KEY.get(key)
            text = self._causes[key] = _inline(f"{c.label} ({c.zh})" if c else key)
        return text

    def value(self, field: str, value) -> str:
        """A field's value on one line, escaped."""
        if value is None or value == "" or value == [] or value == {}:
            return "(empty)"
        if field in _PEOPLE:
            return self.people(value)
        if field == "causes":
            return ", ".join(self.cause(k) for k in value)
        if field in _DATE_FIELDS or field == "occurred_at":
            return self.when(value)
        if field == "links":
            return ", ".join(f"{_LINK_LABELS.get(x.get('rel'), x.get('rel'))} {self.ref(x.get('to'))}" for x in value)
        if isinstance(value, dict):
            return "; ".join(f"{_inline(k)}: {_inline(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(_inline(v) for v in value)
        return _inline(value)

    def ref(self, entry_id) -> str:
        """A link to another entry: an anchor link if it is in this document, its #seq if not."""
        view = self.all_views.get(entry_id)
        if view is None:
            return f"an entry not in this journal ({_inline(entry_id)})"
        seq = view["seq"]
        if entry_id not in self.exported:
            return f"#{seq} (not in this export)"
        title = _inline(view.get("title", ""))
        return f"[#{seq} · {_KIND_NAMES.get(view['kind'], view['kind'])} · {view['occurred_at'][:10]} — {title}](#e-{seq})"

    # -- the document ----------------------------------------------------

    def header(self, out: list, filt: Filter, generated_at: str, journal_label: str | None) -> None:
        seq, head = self.journal.head()
        views = self.views
        name = journal_label if journal_label is not None else self.journal.path.name
        out.append(f"# Evidence trail: {_inline(name)}\n\n")
        out.append(f"- **Journal:** {_inline(journal_label if journal_label is not None else self.journal.path)}\n")
        out.append(f"- **Filters:** {_inline(filt.describe())}\n")
        if views:
            first, last = views[0]["occurred_at"], views[-1]["occurred_at"]
            out.append(f"- **Period:** {self.day(first)} to {self.day(last)}\n")
        out.append(f"- **Generated:** {_inline(generated_at)}\n")
        retracted = sum(1 for v in views if v["retracted"])
        by_kind: dict[str, int] = {}
        for v in views:
            by_kind[v["kind"]] = by_kind.get(v["kind"], 0) + 1
        kinds = ", ".join(f"{n} {k if n == 1 else k + 's'}" for k, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
        count = f"{len(views)}" + (f" ({kinds})" if kinds else "")
        if retracted:
            count += f", of which {retracted} retracted"
        out.append(f"- **Entries:** {count}\n")
        out.append(f"- **Chain head:** #{seq} `{head}`\n\n")
        out.append(
            f"To check this copy against the journal, run `pmjournal verify` on it: it must print `ok`, and record #{seq} "
            f"must still carry the hash above (it is the chain head printed by `verify` until more is recorded). "
            f"A different hash means the journal was rewritten after this document was made.\n\n"
        )

    def summary(self, out: list) -> None:
        rows = who(self.views, self.journal.people)
        out.append('## <a id="summary" name="summary"></a>Accountability summary\n\n')
        if not rows:
            out.append("No one holds a role in these entries.\n\n")
            return
        out.append("How many of the entries below name each person in each role (owner: the one accountable person).\n\n")
        out.append("| Person | " + " | ".join(_ROLE_HEADERS) + " | Total |\n")
        out.append("|---|" + "---:|" * (len(_ROLE_HEADERS) + 1) + "\n")
        for row in rows:
            counts = " | ".join(str(row[r]) for r in ("owner", "requested", "approved", "consulted", "informed"))
            out.append(f"| {_inline(row['person'])} | {counts} | {row['total']} |\n")
        out.append("\n")

    def contents(self, out: list, months: list[tuple[str, int]]) -> None:
        out.append("## Contents\n\n")
        out.append("- [Accountability summary](#summary)\n")
        for month, n in months:
            out.append(f"- [{self.month_name(month)}](#m-{month}) ({n} {'entry' if n == 1 else 'entries'})\n")
        out.append("\n")

    @staticmethod
    def month_name(month: str) -> str:
        number = int(month[5:7])
        return f"{_MONTHS[number - 1]} {month[:4]}" if 1 <= number <= 12 else "Undated"

    def entry(self, out: list, v: dict) -> None:
        seq, kind = v["seq"], v["kind"]
        title = f"#{seq} · {_KIND_NAMES.get(kind, _inline(kind))} · {v['occurred_at'][:10]} — {_inline(v.get('title', ''))}"
        retraction = v["retracted"]
        if retraction:
            # <del>, not ~~: a title ending in a URL would carry GitHub's autolink over a closing ~~.
            out.append(f"### {_anchor(seq)}<del>{title}</del> (retracted)\n\n")
            out.append(
                f"**Retracted** {self.utc(retraction['recorded_at'])} by {self.person(retraction.get('recorded_by') or '?')} "
                f"(record #{retraction['seq']}). Reason:\n\n"
            )
            _block(out, retraction.get("reason") or "(none given)")
        else:
            out.append(f"### {_anchor(seq)}{title}\n\n")

        out.append(f"| Field | Value |\n|---|---|\n| When | {self.when(v['occurred_at'])} |\n")
        for field in ("owner", "requested_by", "approved_by", "consulted", "informed"):
            names = v.get(field)
            if names:
                out.append(f"| {_COMMON_LABELS[field]} | {self.people(names)} |\n")
        for f in KIND_FIELDS.get(kind, ()):
            value = v.get(f.name)
            if value is None or value == "" or value == [] or value == {} or f.type == "text" or f.name == "options":
                continue
            if f.name == "status" and v.get("superseded_by"):
                value = "superseded"
            out.append(f"| {f.label} | {self.value(f.name, value)} |\n")
        if v.get("project"):
            out.append(f"| Project | {_inline(v['project'])} |\n")
        if v.get("tags"):
            out.append(f"| Tags | {', '.join(_inline(t) for t in v['tags'])} |\n")
        if v.get("causes"):
            out.append(f"| Causes | {', '.join(self.cause(k) for k in v['causes'])} |\n")
        out.append(f"| Recorded | {self.utc(v['recorded_at'])} by {self.person(v.get('recorded_by') or '?')} |\n")
        out.append(f"| Id | `{_inline(v['id'])}` |\n\n")

        if v.get("body"):
            _block(out, v["body"])
        if v.get("options"):
            out.append("**Options considered**\n\n")
            for option in v["options"]:
                out.append(f"- {_item(option)}\n")
            out.append("\n")
        for name in _TEXT_FIELDS:
            text = v.get(name)
            if text:
                out.append(f"**{label(name)}**\n\n")
                _block(out, text)
        self.links(out, v)
        if v.get("evidence"):
            out.append("**Evidence**\n\n")
            for item in v["evidence"]:
                out.append(f"- {_item(item)}\n")
            out.append("\n")
        if kind == "incident" and any(link["rel"] == "caused_by" for link in v.get("links") or ()):
            self.trace(out, v)
        if v["history"]:
            self.history(out, v["history"])

    def links(self, out: list, v: dict) -> None:
        items = [f"- {_LINK_LABELS.get(x['rel'], _inline(x['rel']))} {self.ref(x['to'])}\n" for x in v.get("links") or ()]
        items += [f"- {_BACKLINK_LABELS.get(x['rel'], _inline(x['rel']))} {self.ref(x['from'])}\n" for x in v["linked_from"]]
        if items:
            out.append("**Links**\n\n")
            out.extend(items)
            out.append("\n")

    def trace(self, out: list, v: dict) -> None:
        tree = trace(self.all_views, v["id"])
        out.append("**Cause trace** (what this incident was caused by, and what caused those)\n\n")

        def walk(node: dict, depth: int) -> None:
            pad = "  " * depth
            if node.get("missing"):
                out.append(f"{pad}- an entry not in this journal ({_inline(node['id'])})\n")
                return
            view = node["view"]
            parts = [self.ref(node["id"])]
            if view.get("owner") and node["id"] in self.exported:
                parts.append(f"owner {self.person(view['owner'])}")
            if node["causes"] and node["id"] in self.exported:
                parts.append(
                    "causes: "
                    + ", ".join(_inline(f"{c['label']} ({c['zh']})" if c["zh"] else c["label"]) for c in node["causes"])
                )
            if node["cycle"]:
                parts.append("(a cycle: already listed above)")
            out.append(f"{pad}- {' · '.join(parts)}\n")
            if depth + 1 >= _MAX_TRACE_DEPTH and node["children"]:
                out.append(f"{pad}  - … further causes not shown; see #{view['seq']}\n")
                return
            for child in node["children"]:
                walk(child, depth + 1)

        for child in tree.get("children", ()):
            walk(child, 0)
        out.append("\n")

    def history(self, out: list, events: list[dict]) -> None:
        out.append("**History**\n\n")
        for event in events:
            what = "Amended" if event["kind"] == "amendment" else "Retracted"
            out.append(
                f"- **{what}** {self.utc(event['recorded_at'])} by {self.person(event.get('recorded_by') or '?')} "
                f"(record #{event['seq']}). Reason:\n\n"
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
        out.append(f"End of the evidence trail: {n} {'entry' if n == 1 else 'entries'}; chain head #{seq} `{head}`.\n")


def _months(views: list[dict]) -> list[tuple[str, list[dict]]]:
    """The views (in time order) grouped by the month of their own date.

    Entries in different offsets can step back a month in absolute order (1 Nov
    01:00 +08:00 comes before 31 Oct 20:00 -05:00); such an entry stays in the
    current group so each month, and its anchor, appears once.
    """
    groups: list[tuple[str, list[dict]]] = []
    for v in views:
        month = v["occurred_at"][:7]
        if not (len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit()):
            month = "0000-00"  # never expected from a validated entry; keeps the anchor id safe
        if not groups or month > groups[-1][0]:
            groups.append((month, [v]))
        else:
            groups[-1][1].append(v)
    return groups


def export_markdown(journal, filt: Filter, generated_at: datetime | str | None = None, journal_label: str | None = None) -> str:
    """The entries `filt` selects as a Markdown evidence document.

    `generated_at` and `journal_label` override the generation time and the
    journal's path in the header, for documents that must be reproducible
    (docs/example-evidence.md).
    """
    views = filt.apply(journal.views.values())
    if generated_at is None:
        generated_at = datetime.now().astimezone()
    if isinstance(generated_at, datetime):
        generated_at = long_date(generated_at.isoformat(timespec="minutes"))
    w = _Writer(journal, views)
    out: list[str] = []
    w.header(out, filt, generated_at, journal_label)
    if not views:
        out.append("No entries match these filters.\n\n")
        w.footer(out)
        return "".join(out)

    groups = _months(views)
    w.contents(out, [(month, len(members)) for month, members in groups])
    w.summary(out)
    for month, members in groups:
        out.append(f'## <a id="m-{month}" name="m-{month}"></a>{w.month_name(month)}\n\n')
        for v in members:
            w.entry(out, v)
    w.footer(out)
    return "".join(out)
