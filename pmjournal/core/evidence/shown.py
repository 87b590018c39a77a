"""A Markdown export's entries held against what their records say (`verify --evidence`).

The signature covers the document's bytes, so it shows who made the document, not that its
text is what the records say: a signer who edited an entry's text (or whose index,
journal.json.index, had a view edited in it: no chain covers the index) signed a document
whose records, in its appendix, said otherwise, and verify passed it. Each entry is
rendered again from its records, as the export writes it, and held against the document.

An entry's loops are counted on the day the document was generated, as its header's
Generated line shows the statement's time, with the answer_days its Open loops section
states; the section itself is counted again over every exported entry. The links blocks and
the cause traces are held once every entry is known (EntryCheck._links, EntryCheck._traces):
a trace's first level and each of its lines that names an exported entry; what they say of
entries outside the export (their #refs, backlinks from them, the trace under them) is held
by EntryCheck.hold_outside against those entries' records, which the evidence carries
(check._context) or the journal has (against.missing, with --db). A name is shown as the
journal first spelled it (people.display), which may differ from the record's in case and
spacing only: a line that differs only so, in the name only, holds. A decision superseded by
one outside the export is shown superseded.
"""

import codecs
import re
import sqlite3
from collections import ChainMap, Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from functools import cached_property, lru_cache

from ..display import as_stored, visible
from ..fold import ref_of
from ..i18n import LANGUAGES, _
from ..loops import ANSWER_DAYS
from ..markdown import (
    OWN,
    OWN_AND_HISTORY,
    Rerender,
    anchor_of,
    document_title,
    generated_item,
    headings,
    outside_lines,
)
from ..markdown_text import inline, written_inline
from ..model import ENTRY_KINDS, PEOPLE_FIELDS
from ..people import key as name_key
from ..people import names_in
from ..query import when as query_when


def language_of(first_line: str) -> str:
    """The language the document was written in, from its first line (English if unknown)."""
    for lang in sorted(LANGUAGES, key=lambda tag: tag == "en"):
        if first_line.startswith(document_title(lang)):
            return lang
    return "en"


# Where a part of a document starts: a month's or an entry's heading, or the footer's rule
# (user text is escaped, so none of its lines can start so: markdown_text.block).
_PART = re.compile(r"\n(?=## |### |---\n)")
_ENTRY = '### <a id="'


_ANCHOR = re.compile(r"\]\(#([^()\s]+)\)")  # each link to an anchor of the document in a line
# what a link or a trace line shows of an entry, and what orders it
_SLIM = ("id", "seq", "ref", "author", "title", "kind", "occurred_at", "recorded_at", "owner", "causes", "retracted")
# the parts held that are not an entry's (no entry's anchor starts so); MONTH: a month's heading;
# OTHER: a part pmjournal does not write
HEADER, CONTENTS, SUMMARY, LOOPS, FOOTER = "#header", "#contents", "#summary", "#loops", "#footer"
MONTH, OTHER = "#month", "#other"
_MONTH_HEADING = re.compile(r'## <a id="m-(\d{4}-\d{2})"')
_YEAR_MONTH = re.compile(r"\d{4}-\d{2}").fullmatch


def parts(text: str, every: bool = False):
    """(anchor, text) of each entry's part of `text` (a document, or a run of its entries), and
    of the document's header (HEADER), contents (CONTENTS), accountability summary (SUMMARY),
    open loops (LOOPS) and footer (FOOTER); `every`: each month's heading too (MONTH) and each
    part pmjournal does not write (OTHER)."""
    for part in _PART.split(text):
        if part.startswith(_ENTRY) and (end := part.find('"', len(_ENTRY))) > 0:
            yield part[len(_ENTRY) : end], part
        elif part.startswith('## <a id="summary"'):
            yield SUMMARY, part
        elif part.startswith('## <a id="loops"'):
            yield LOOPS, part
        elif part.startswith("# "):
            yield HEADER, part
        elif part.startswith("---\n"):
            yield FOOTER, part
        elif every and _MONTH_HEADING.match(part):
            yield MONTH, part
        elif part.startswith("## ") and "](#summary)\n" in part:
            yield CONTENTS, part
        elif every and part.strip():
            yield OTHER, part


class Sections:
    """The document's entry sections by anchor, in a table of the check's database (a 100k
    export's entries are ~60 MB of text)."""

    def __init__(self, db: sqlite3.Connection, chunks):
        self.db = db
        # `month`: the heading an entry's section is under; rowid: the order of the document
        db.execute("CREATE TABLE md(anchor TEXT PRIMARY KEY, body TEXT, seen INT DEFAULT 0, month TEXT, twice INT DEFAULT 0)")
        self.first_line = ""
        self.month = None
        self.months: list[tuple[str, str]] = []  # (month, its heading as shown)
        self.others: list[str] = []  # the parts pmjournal does not write
        # A line ending to a Markdown renderer, never written by pmjournal (markdown_text: user
        # text's become spaces or line breaks), and no line break here: a lone one in a
        # line the check reads by its start or names in (the title, a table row) showed a
        # whole other document.
        self.carriage_return = False
        rest = ""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for chunk in chunks:
            self.carriage_return = self.carriage_return or b"\r" in chunk
            text = rest + decoder.decode(chunk)
            if not self.first_line:
                self.first_line = text.split("\n", 1)[0]
            cut = text.rfind("\n### ")  # a part is held whole: the rest waits for the next chunk
            if cut < 0:
                rest = text
                continue
            rest = text[cut:]
            self._add(parts(text[:cut], every=True))
        self._add(parts(rest + decoder.decode(b"", final=True), every=True))

    def _add(self, rows) -> None:
        held = []
        for anchor, body in rows:
            if anchor == MONTH:
                self.month = _MONTH_HEADING.match(body).group(1)
                self.months.append((self.month, body))
            elif anchor == OTHER:
                self.others.append(body)
            else:
                held.append((anchor, body, None if anchor.startswith("#") else self.month))
        # A second part under one anchor is the document's, not its records': the first is held,
        # and the second named (twice).
        self.db.executemany(
            "INSERT INTO md(anchor, body, month) VALUES (?, ?, ?) ON CONFLICT(anchor) DO UPDATE SET twice = 1", held
        )

    def twice(self) -> list[str]:
        """The anchors (and the parts of the document: HEADER...) shown more than once."""
        return [anchor for (anchor,) in self.db.execute("SELECT anchor FROM md WHERE twice ORDER BY rowid")]

    def in_order(self):
        """(anchor, the month heading it is under) of each entry's section, as the document has them."""
        return self.db.execute("SELECT anchor, month FROM md WHERE anchor NOT LIKE '#%' ORDER BY rowid")

    def take(self, anchors: list[str]) -> dict[str, str]:
        """The sections of `anchors` that the document has, marked as held against records."""
        marks = ",".join("?" * len(anchors))
        found = dict(self.db.execute(f"SELECT anchor, body FROM md WHERE anchor IN ({marks})", anchors))  # noqa: S608
        self.db.execute(f"UPDATE md SET seen = 1 WHERE anchor IN ({marks})", anchors)  # noqa: S608
        return found

    def unseen(self):
        """The anchors of the sections no records were held against."""
        return (anchor for (anchor,) in self.db.execute("SELECT anchor FROM md WHERE NOT seen ORDER BY rowid"))


class EntryCheck:
    """Each folded entry of the export held against its section of the document: the entries
    are rendered a batch at a time (one call of the export's writer for BATCH of them)."""

    BATCH = 500

    def __init__(self, sections: Sections, statement: dict, own: str):
        self.sections = sections
        self.statement = statement
        self.lang = language_of(sections.first_line)
        self.generated_item = generated_item(self.lang)
        chain = (statement.get("chains") or {}).get(own) or {}
        head = (chain.get("size"), chain.get("head"))
        self.problems: list[str] = []
        # The loops are counted on the day the document was generated, a working-day count
        # after an escalation its answer is due: the statement's time and the document's words.
        words = Rerender(self.lang, head)  # (how the document writes a day and answer_days)
        self.today = self._generated_on(words)
        answer_days = None
        if self.today is not None:
            answer_days = words.answer_days_said(sections.take([LOOPS]).get(LOOPS, ""))
        self.rerender = Rerender(self.lang, head, self.today, answer_days or ANSWER_DAYS)
        self.render = self.rerender.entries
        (self.links_heading, loops_heading, self.trace_heading), self.history = headings(self.lang)
        # A block other entries and the day make: its heading line (exactly), a blank line, its
        # lines, a blank line; each line is held apart (_links, _traces). The loops are held in
        # the entry's text, unless the day they were counted on is not known.
        blocks = [re.escape(self.links_heading), re.escape(self.trace_heading)]
        if self.today is None:
            blocks.append(re.escape(loops_heading) + ".*")
        # (one of each: a second is the document's, and stays in the text held against the records)
        self.not_own = [re.compile("^" + block + "\n\n(?:.+\n)*(?:\n|$)", re.M) for block in blocks]
        outside, missing, further = outside_lines(self.lang)
        ref = r"[a-z0-9-]*#\d+"
        # an entry outside the export, its #ref the group (no space after it in Chinese)
        self.outside = re.compile(re.escape(outside).replace(re.escape("{ref}"), f"({ref})"))
        self.missing = missing  # one not in the journal: {id}
        self.missing_any = re.compile(re.escape(missing).replace(re.escape("{id}"), r"(\S+)"))
        self.further = re.compile(re.escape(further).replace(re.escape("{ref}"), ref))
        self.waiting: list[tuple[dict, int]] = []
        # For the links blocks, held once every entry is known (a link may point ahead):
        self.slim: dict[str, dict] = {}  # id -> what a link to the entry shows of it
        self.linking: list[tuple[str, str, str]] = []  # (from, rel, to) of each exported entry
        self.shown_links: dict[str, tuple[list, list[str]]] = {}  # id -> (its links, its block's lines)
        # For the cause traces, held once every entry is known too:
        self.amended: list[tuple[dict, str]] = []  # (view, section) of the entries whose links were amended
        self.tracing: dict[str, list[str]] = {}  # an incident's id -> what its records say caused it
        # What the links blocks say of entries outside the export, which their records show
        # (hold_outside: the context the evidence carries, or the journal with --db): (entry,
        # target id, the #ref shown) of each link to one, and each entry's backlink lines from
        # them, (rel, #ref shown).
        self.outside_links: list[tuple[str, str, str]] = []
        self.outside_back: dict[str, Counter] = {}
        self.named: set[tuple[str, str]] = set()  # (entry, "links"/"trace"/"history") named already: not again
        self.traces: dict[str, list[str]] = {}  # an entry's id -> the lines of the trace its section shows

    def _generated_on(self, rerender: Rerender) -> date | None:
        """The day the header's Generated line shows: the line must show the statement's time
        as pmjournal writes it (a problem, and None, if it does not)."""
        try:
            generated = datetime.fromisoformat(str(self.statement.get("generated")))
        except ValueError:
            return None  # the statement's own check names it
        line = next(
            (line for line in self.sections.take([HEADER]).get(HEADER, "").split("\n") if line.startswith(self.generated_item)),
            "",
        )
        # The line is the statement's time (or the minute before: an older export stamped its
        # statement after writing it) as the exporter's clock showed it, in its UTC offset.
        offset = re.search(r"([+-])(\d\d):(\d\d)$", line)
        if offset and generated.tzinfo is not None:
            sign = -1 if offset.group(1) == "-" else 1
            zone = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
            at = generated.astimezone(zone).replace(second=0, microsecond=0)
            for shown in (at, at - timedelta(minutes=1)):
                if line == rerender.generated_line(shown):
                    return shown.date()
        self.problems.append(
            _("the document header: its {name} line differs from the statement and the records").format(name=self.generated_item[2:].split(":**", 1)[0].strip("*"))
        )
        return None

    def add(self, view: dict) -> None:
        if view["kind"] not in ENTRY_KINDS:
            return
        # A link amended shows its target's title in the history: that part is left out too.
        links_changed = any("links" in (event.get("changes") or {}) for event in view["history"])
        self.waiting.append((view, OWN if links_changed else OWN_AND_HISTORY))
        if len(self.waiting) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        shown = self.sections.take([anchor_of(view) for view, _own in waiting])
        rendered: dict[int, dict[str, str]] = {}
        for own_only in (OWN_AND_HISTORY, OWN):  # each entry rendered (and counted) once
            views = [view for view, own in waiting if own == own_only]
            text = self.render(views, own_only) if views else ""
            rendered[own_only] = {anchor: part.rstrip("\n") for anchor, part in parts(text)}
        for view, own in waiting:
            anchor = anchor_of(view)
            ref = ref_of(view)
            self._keep_links(view, shown.get(anchor))
            if anchor not in shown:
                self.problems.append(_("{ref}: its records are in the export but the entry is not").format(ref=ref))
                continue
            if own == OWN:  # its history names the entries its links were amended to: once all are known
                self.amended.append((view, shown[anchor]))
            got = self._own(shown[anchor], own)
            want = rendered[own].get(anchor, "")
            if want == got:
                continue
            found = _first_difference(want.split("\n"), got.split("\n"), {name_key(n) for n in _named(view)})
            if found is not None and view["kind"] == "decision" and view.get("status") != "superseded":
                # Superseded by a decision in the export, or by one outside it, which the records
                # here cannot show (as the JSON check has it).
                superseded = dict(view, status="superseded")
                again = self._rendered(superseded, own)
                if _first_difference(again.split("\n"), got.split("\n"), {name_key(n) for n in _named(view)}) is None:
                    self.rerender.recount_loops(view, superseded)  # (a superseded decision owes no review)
                    continue
            if found is not None:
                self.problems.append(
                    _("{ref}: the entry shown differs from its records ({changed})").format(ref=ref, changed=found)
                )

    def _rendered(self, view: dict, own: int) -> str:
        """One entry rendered on its own (not counted again: it was, in its batch or not at all)."""
        return next(iter(dict(parts(self.render([view], own, counted=False))).values()), "").rstrip("\n")

    def _own(self, shown: str, own: int) -> str:
        """The section without the blocks other entries and the day make."""
        text = shown
        for block in self.not_own:
            text = block.sub("", text, count=1)
        if own == OWN:
            cut = text.find("\n" + self.history + "\n")
            if cut >= 0:
                text = text[: cut + 1]
        return text.rstrip("\n")

    def finish(self) -> list[str]:
        """The problems found: the entries' own, then those of what every exported entry must be
        known for (links, histories, cause traces, order), of the header, contents, summary,
        open loops and footer, of any other part, and last the entries shown without records."""
        self.flush()
        order, months, period = self._order()
        self.problems += self._links() + self._histories() + self._traces() + order + self._header(period) + self._contents(months)
        self.problems += self._summary() + self._open_loops() + self._footer() + self._rest()
        return self.problems + [
            _("entry {entry_id}: shown without the records behind it").format(entry_id=_ref_of_anchor(anchor))
            for anchor in self.sections.unseen()
        ]

    def _keep_links(self, view: dict, shown: str | None) -> None:
        entry_id = view["id"]
        self.slim[entry_id] = {k: view[k] for k in _SLIM if k in view}
        links = [(x.get("rel"), x.get("to")) for x in view.get("links") or () if isinstance(x, dict)]
        # (a retracted entry's links are shown from their targets too: an export with
        # --include-retracted holds it, and links to it from there)
        self.linking.extend((entry_id, rel, to) for rel, to in links)
        lines = _block(shown, "\n" + self.links_heading + "\n\n")
        if links or lines:
            self.shown_links[entry_id] = (links, lines)
        if view["kind"] == "incident" and (causes := [to for rel, to in links if rel == "caused_by"]):
            self.tracing[entry_id] = causes
        if trace := _block(shown, "\n" + self.trace_heading + "\n\n"):
            self.traces[entry_id] = trace

    def _links(self) -> list[str]:
        """Each entry's links block must show its own links, then the exported entries that link
        to it, as their records say; a line to an entry outside the export may not name one in
        it (its title there cannot be checked, nor whether it is one)."""
        problems = []
        backlinks: dict[str, list] = {}
        for source, rel, to in self.linking:
            if to in self.slim:
                backlinks.setdefault(to, []).append((rel, source))
        back = {self.rerender.link_item(rel, None, backwards=True): rel for rel in self.rerender.link_rels(backwards=True)}

        def outside(line: str, start: str, target: str | None = None) -> bool:
            return line.startswith(start) and self._names_outside(line[len(start) :], target)

        def shown_ref(line: str, start: str) -> str | None:
            """The #ref an outside line shows (None: one not in the journal)."""
            text = line[len(start) :]
            return found.group(1) if (found := self.outside.fullmatch(text)) else None

        for entry_id in dict.fromkeys([*self.shown_links, *backlinks]):
            links, lines = self.shown_links.get(entry_id, ([], []))
            good = len(lines) >= len(links)
            for (rel, to), line in zip(links, lines, strict=False):
                target = self.slim.get(to)
                want = self.rerender.link_item(rel, target)
                good = good and (line == want if target is not None else outside(line, want, to))
                if good and target is None:
                    # its #ref, or None for one shown as not in the journal: held too (hold_outside)
                    self.outside_links.append((entry_id, to, shown_ref(line, want)))
            rest = lines[len(links) :]
            wanted = sorted(
                self.rerender.link_item(rel, self.slim[source], backwards=True) for rel, source in backlinks.get(entry_id, ())
            )
            inside = []
            for line in rest:
                start = next((start for start in back if outside(line, start)), None)
                if start is None:
                    inside.append(line)
                else:
                    self.outside_back.setdefault(entry_id, Counter())[(back[start], shown_ref(line, start))] += 1
            good = good and sorted(inside) == wanted
            if not good:
                self.named.add((entry_id, "links"))
                problems.append(self._differs(entry_id, _("its links")))
        return problems

    def outside_wanted(self) -> tuple[set[str], set[str]]:
        """What hold_outside needs of the entries outside the export: (their ids: those the
        links name, an incident's causes, those a trace calls not in the journal; the #refs
        its cause traces show). Every entry a trace of the document walks is among them."""
        ids = {to for _entry, to, _ref in self.outside_links}
        ids.update(to for _source, rel, to in self.linking if rel == "caused_by" and to not in self.slim)
        ids.update(to for view, _section in self.amended for to in _history_targets(view) if to not in self.slim)
        refs: set[str] = set()
        cycle, repeat = self.rerender.trace_notes()
        for lines in self.traces.values():
            for line in lines:
                text = line.lstrip(" ")[2:]
                for note in (cycle, repeat):
                    text = text.removesuffix(note)
                if found := self.outside.fullmatch(text):
                    refs.add(found.group(1))
                elif found := self.missing_any.fullmatch(text):
                    ids.add(found.group(1))
        return ids, refs

    def hold_outside(self, outside: dict[str, dict], back: dict[str, Counter], **_journal) -> list[str]:
        """What the document says of entries outside the export, held against the journal at
        the stated heads: `outside`, the views (id, #ref as the exporter numbers them, links)
        of the entries outside_wanted() names; `back`, for each exported entry, (rel, #ref)
        of each entry outside the export that links to it. A made-up "Led to #58" passed, and
        a cause trace could move a line under another entry."""
        wrong = {entry_id for entry_id, to, ref in self.outside_links if (outside.get(to) or {}).get("ref") != ref}
        for entry_id in dict.fromkeys([*back, *self.outside_back]):
            if entry_id in self.slim and back.get(entry_id, Counter()) != self.outside_back.get(entry_id, Counter()):
                wrong.add(entry_id)
        wrong = {e for e in wrong if (e, "links") not in self.named}
        order = sorted(wrong, key=lambda e: (self.slim[e].get("author") or "", self.slim[e]["seq"]))
        problems = [
            _("{ref}: its links name entries outside the export otherwise than the journal does").format(ref=ref_of(self.slim[e]))
            for e in order
        ]
        views = ChainMap(self.slim, outside)  # (not copied: a whole 100k export's slim views)
        heading = "\n" + self.history + "\n"
        for view, section in self.amended:
            if (view["id"], "history") in self.named:
                continue
            at = section.find(heading)
            want = self.rerender.history(view, views, inside=self.slim).rstrip("\n").split("\n")
            got = (section[at + 1 :] if at >= 0 else "").rstrip("\n").split("\n")
            if _first_difference(want, got, {name_key(n) for n in _named(view)}) is not None:
                problems.append(_("{ref}: its history names entries outside the export otherwise than the journal does").format(ref=ref_of(view)))
        if self.traces:
            links: dict[str, list] = {}
            for source, rel, to in self.linking:
                links.setdefault(source, []).append({"rel": rel, "to": to})
            views = _Linked(self.slim, links, outside)
            names = {name_key(v["owner"]) for v in self.slim.values() if isinstance(v.get("owner"), str)}
            for entry_id, lines in self.traces.items():
                if (entry_id, "trace") in self.named or entry_id not in self.slim:
                    continue
                want = self.rerender.cause_trace(views[entry_id], views, self.slim)
                if _first_difference(want, lines, names) is not None:
                    problems.append(
                        _("{ref}: its cause trace differs from what the journal shows").format(ref=ref_of(self.slim[entry_id]))
                    )
        return problems

    def _traces(self) -> list[str]:
        """An incident's cause trace must start from what its records say caused it, and each
        line naming an exported entry must show its owner and causes as its records say.
        What a trace shows under an entry outside the export is that entry's causes, which
        the records here cannot show; nor is which line stands under which held."""
        problems = []
        cycle, repeat = self.rerender.trace_notes()
        by_anchor = self._by_anchor

        def holds(line: str, target: dict | None, cause: str | None = None) -> bool:
            """One line: the entry it names as `target`'s records say; None: one outside the
            export (its number), or not in the journal (its id: `cause`'s, where known)."""
            text = line.lstrip(" ")[2:]
            for note in (cycle, repeat):
                text = text.removesuffix(note)
            if target is None:
                return self._names_outside(text, cause, any_id=cause is None)
            want = self.rerender.trace_line(target)
            return text == want or name_key(text) == name_key(want)

        for entry_id in dict.fromkeys([*self.tracing, *self.traces]):
            lines = self.traces.get(entry_id, [])
            causes = self.tracing.get(entry_id, [])
            top = [line for line in lines if line.startswith("- ")]
            good = len(top) == len(causes) and all(
                holds(line, self.slim.get(to), to) for to, line in zip(causes, top, strict=False)
            )
            depth = -1
            for line in lines:
                pad = len(line) - len(line.lstrip(" "))
                good = good and pad % 2 == 0 and pad // 2 <= depth + 1 and line[pad : pad + 2] == "- "
                depth = pad // 2
                if self.further.fullmatch(line[pad + 2 :]):
                    continue  # where a trace too deep is cut: under the line before
                named = [by_anchor[a] for a in _ANCHOR.findall(line) if a in by_anchor]
                good = good and (any(holds(line, view) for view in named) if named else holds(line, None))
            if not good:
                self.named.add((entry_id, "trace"))
                problems.append(self._differs(entry_id, _("its cause trace")))
        return problems

    def _histories(self) -> list[str]:
        """The history of an entry whose links were amended, held once every exported entry is
        known (it shows the titles of the entries linked then); an entry outside the export is
        shown by its number, which the records here cannot show: any such line holds for it."""
        problems = []
        heading = "\n" + self.history + "\n"

        def plain(text: str) -> list[str]:
            return self.missing_any.sub("…", self.outside.sub("…", text)).rstrip("\n").split("\n")

        for view, section in self.amended:
            at = section.find(heading)
            got = section[at + 1 :] if at >= 0 else ""
            want = self.rerender.history(view, self.slim)
            if _first_difference(plain(want), plain(got), {name_key(n) for n in _named(view)}) is not None:
                self.named.add((view["id"], "history"))
                problems.append(self._differs(view["id"], _("its history")))
        return problems

    def _names_outside(self, text: str, target: str | None = None, any_id: bool = False) -> bool:
        """`text` names an entry outside the export: by its number, which the records here
        cannot show (but not one inside it); or as one the journal does not have, by
        `target`'s id (any id, with `any_id`)."""
        if found := self.outside.fullmatch(text):
            return found.group(1) not in self._refs
        if target is not None:
            return text == self.missing.format(id=inline(target))
        return any_id and bool(self.missing_any.fullmatch(text))

    @cached_property
    def _by_anchor(self) -> dict[str, dict]:
        """Each exported entry by its anchor (asked once every entry is known: finish)."""
        return {anchor_of(view): view for view in self.slim.values()}

    @cached_property
    def _refs(self) -> set[str]:
        """The #refs of the exported entries (asked once every entry is known: finish)."""
        return {ref_of(view) for view in self.slim.values()}

    def _differs(self, entry_id: str, changed: str) -> str:
        view = self.slim[entry_id]
        ref = ref_of(view)
        return _("{ref}: the entry shown differs from its records ({changed})").format(ref=ref, changed=changed)

    def _order(self) -> tuple[list[str], list[tuple[str, int]], tuple[str, str] | None]:
        """(the problems with the order of the entries shown, the months they are grouped in
        with how many each, the first and last one's When). The entries come in the order of
        their When (query.when: the instant), each under the heading of the month the first
        of its run has: an entry whose own month is earlier (1 Nov 01:00 +08:00 before 31 Oct
        20:00 -05:00) stays under the later heading."""
        by_anchor = self._by_anchor
        months: list[list] = []
        first = last = None
        before = None
        problems = []
        for anchor, heading in self.sections.in_order():
            view = by_anchor.get(anchor)
            if view is None:
                continue  # shown without records: named as such
            occurred = as_stored(view["occurred_at"])
            own = occurred[:7]
            if not _YEAR_MONTH(own):  # (a When made by hand: the export keeps it under the heading before)
                own = months[-1][0] if months else "0000-00"
            when = query_when(view)
            fresh = not months or heading != months[-1][0]
            grouped = heading is not None and (
                (fresh and own == heading and (not months or heading > months[-1][0])) or (not fresh and own <= heading)
            )
            if (before is not None and when < before) or not grouped:
                problems = [_("the document's entries are not in the order, or under the months, of their records")]
            before = when
            if fresh:
                months.append([heading, 0])
            months[-1][1] += 1
            first = first or occurred
            last = occurred
        return problems, [(m, n) for m, n in months], (first, last) if first is not None else None

    def _contents(self, months: list[tuple[str, int]]) -> list[str]:
        """The Contents must list the months the entries are under, with how many each, and the
        open loops (counted on the day the document was generated: not held without it)."""
        shown = self.sections.take([CONTENTS]).get(CONTENTS)
        if self.today is None or not self.rerender.count:
            return []
        if (shown or "").rstrip("\n") == self.rerender.contents(months).rstrip("\n"):
            return []
        return [_("the document's contents differ from the entries it shows")]

    def _header(self, period: tuple[str, str] | None = None) -> list[str]:
        """The header must be what pmjournal writes for the statement's filter and chain and
        the records: its filter, entry counts, period and chain head lines named where they
        differ; only the journal's name and path and the time of generation (whose day is
        held: _generated_on) are the exporter's."""
        from ..query import Filter

        try:
            filt = Filter.from_json(self.statement.get("query") or {})
        except (TypeError, ValueError, KeyError):
            return []  # the statement's own check names a damaged filter
        free, left_out = self.rerender.free_lines()

        def lines(text: str) -> list[str]:
            return [
                next((start for start in free if line.startswith(start)), line)
                for line in text.rstrip("\n").split("\n")
                if line != left_out
            ]

        text = self.sections.take([HEADER]).get(HEADER, "")
        problems = []
        # The exporter chose the title's journal name and the journal's path, which pmjournal
        # writes escaped: markup there (an HTML comment hiding the Filters line) is named.
        for start, name in zip(free[:2], (_("title"), free[1][2:].split(":**", 1)[0].strip("*")), strict=True):
            line = next((line for line in text.split("\n") if line.startswith(start)), None)
            if line is not None and not written_inline(line[len(start) :].lstrip(" ")):
                problems.append(_("the document header: its {name} line holds markup pmjournal does not write").format(name=name))
        shown = lines(text)
        want = lines(self.rerender.header_text(filt, period))
        if shown == want:
            return problems
        for line in self.rerender.header(filt, period):
            if line not in shown:
                name = line[2:].split(":**", 1)[0].strip("*")
                problems.append(
                    _("the document header: its {name} line differs from the statement and the records").format(name=name)
                )
        return problems or [_("the document header differs from what pmjournal writes for the statement and the records")]

    def _footer(self) -> list[str]:
        """The footer's entry count and chain head must be the records' and the statement's."""
        shown = self.sections.take([FOOTER]).get(FOOTER)
        if (shown or "").rstrip("\n") == self.rerender.footer().rstrip("\n"):
            return []
        return [_("the document's footer differs from the statement and the records")]

    def _rest(self) -> list[str]:
        """Nothing else: each month's heading as pmjournal writes it, no part twice, no part
        pmjournal does not write (a section without an anchor, an HTML comment hiding one)."""
        problems = []
        if self.sections.carriage_return:
            problems.append(_("the document holds a carriage return (\\r), which pmjournal never writes: a renderer starts a new line there"))
        for month, heading in self.sections.months:
            if heading.rstrip("\n") != self.rerender.month_heading(month).rstrip("\n"):
                problems.append(_("the document's heading for {month} differs from what pmjournal writes").format(month=month))
        for anchor in self.sections.twice():
            problems.append(_("the document shows {part} twice").format(part=anchor[1:] if anchor[0] == "#" else _ref_of_anchor(anchor)))
        for other in self.sections.others:
            problems.append(
                _("the document has text pmjournal does not write: {line}").format(line=visible(other.strip().split("\n", 1)[0][:80]))
            )
        return problems

    def _summary(self) -> list[str]:
        """The accountability summary must count what the entries' records name."""
        shown = self.sections.take([SUMMARY]).get(SUMMARY)
        if not self.rerender.count:  # a document of no entries has no summary
            return [] if shown is None else [_("the accountability summary differs from what the entries' records name")]
        want = self.rerender.summary().rstrip("\n").split("\n")
        got = (shown or "").rstrip("\n").split("\n")
        names = {name_key(line.split(" | ", 1)[0][2:]) for line in want if line.startswith("| ")}
        if _first_difference(want, got, names) is None:
            return []
        return [_("the accountability summary differs from what the entries' records name")]


    def _open_loops(self) -> list[str]:
        """The Open loops section must list what the entries' records owed on the day it was
        generated (not held when that day is not known: the header's problem says why)."""
        shown = self.sections.take([LOOPS]).get(LOOPS)
        if self.today is None or not self.rerender.count:
            return []
        want = self.rerender.open_loops().rstrip("\n").split("\n")
        got = (shown or "").rstrip("\n").split("\n")
        names = {name_key(name) for lp in self.rerender.w.loops for name in _owing(lp)}
        if _first_difference(want, got, names) is None:
            return []
        return [_("the open loops differ from what the entries' records owed on the day the document was generated")]


def _owing(loop) -> tuple[str, ...]:
    """Who owes a loop and to whom, as its entry's records name them."""
    return (*loop.owes, *loop.owed_to)


class _Linked(Mapping):
    """The exported entries (their slim views) with their links, then the entries outside the
    export, by id: each made as a cause trace asks for it (copied whole, a 100k export's slim
    views cost ~40 MB more to verify)."""

    def __init__(self, slim: dict, links: dict, outside: dict):
        self._slim, self._links, self._outside = slim, links, outside

    def __getitem__(self, entry_id):
        view = self._slim.get(entry_id)
        if view is not None:
            return {**view, "links": self._links.get(entry_id, [])}
        return self._outside[entry_id]

    def __iter__(self):
        yield from self._slim
        yield from (i for i in self._outside if i not in self._slim)

    def __len__(self) -> int:
        return len(self._slim) + sum(1 for i in self._outside if i not in self._slim)


def _block(section: str | None, heading: str) -> list[str]:
    """The lines of the block of `section` that starts with `heading` (its heading line and
    the blank line after it), up to the next blank line: each of them is held."""
    if section is None or (at := section.find(heading)) < 0:
        return []
    lines = []
    for line in section[at + len(heading) :].split("\n"):
        if not line:
            break
        lines.append(line)
    return lines


def _history_targets(view: dict):
    """The ids of the entries the link amendments in `view`'s history name, before and after."""

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("to"), str):
                yield value["to"]
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for event in view.get("history") or ():
        changes = event.get("changes") if isinstance(event, dict) else None
        if isinstance(changes, dict) and "links" in changes:
            yield from walk(changes["links"])


def _ref_of_anchor(anchor: str) -> str:
    """`#42` for e-42, `dana#42` for e-dana-42 (markdown.anchor_of)."""
    body = anchor[2:] if anchor.startswith("e-") else anchor
    handle, _sep, seq = body.rpartition("-")
    return f"{handle}#{seq}" if handle else f"#{seq}"


def _named(view: dict) -> set[str]:
    """Everyone whose name the entry's text may show: its people, who recorded it and its history."""
    named = set(names_in(view))
    for who in [view.get("recorded_by"), (view.get("retracted") or {}).get("recorded_by")]:
        if isinstance(who, str):
            named.add(who)
    for event in view["history"]:
        if isinstance(event.get("recorded_by"), str):
            named.add(event["recorded_by"])
        for field, change in (event.get("changes") or {}).items():
            if field not in PEOPLE_FIELDS:
                continue  # an old title's case is the text's, not a spelling of a name
            for side in ("old", "new"):
                value = change.get(side) if isinstance(change, dict) else None
                if isinstance(value, str):
                    named.add(value)
                elif isinstance(value, list):
                    named.update(v for v in value if isinstance(v, str))
    return {n for n in named if isinstance(n, str) and n.strip()}


def _written(names: set[str]) -> set[str]:
    """The name keys as a document line holds them: escaped ("r\\&d team" for R&D Team)."""
    return names | {name_key(inline(n)) for n in names}


# What str.split() takes for spacing but pmjournal never writes as such (markdown_text shows a
# control as a symbol, a line or paragraph separator as <U+2028>): not a name's spacing.
_NOT_A_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")


def _same_but_names(a: str, b: str, keys: set[str]) -> bool:
    """`a` and `b` are the same line but for how the names of `keys` are spelled in them (case,
    spacing): the rest of the line as it is. The whole line compared without case passed an
    evidence link's document id changed in case, wherever any name (a login's "root", "Al")
    was in the line (a tamper hunt)."""
    if not keys:
        return False
    pattern = _names_pattern(frozenset(keys))
    return _names_as_keys(a, pattern) == _names_as_keys(b, pattern)


@lru_cache(maxsize=256)
def _names_pattern(keys: frozenset) -> re.Pattern:
    """Each key as a whole word or words, any spacing between them, longest first."""
    words = sorted((r"\s+".join(map(re.escape, key.split())) for key in keys if key.strip()), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)") if words else re.compile(r"(?!)")


def _names_as_keys(line: str, pattern: re.Pattern) -> str:
    """`line` with each name `pattern` finds in it (matched without case: casefolded, which
    makes ß two letters, so the spans are mapped back) put as its key."""
    folded, at = [], []
    for i, char in enumerate(line):
        fold = char.casefold()
        folded.append(fold)
        at.extend([i] * len(fold))
    at.append(len(line))
    out, last = [], 0
    for found in pattern.finditer("".join(folded)):
        start, end = at[found.start()], at[found.end()]
        out += [line[last:start], "\0", " ".join(found.group().split()), "\0"]
        last = end
    out.append(line[last:])
    return "".join(out)


def _first_difference(want: list[str], got: list[str], names: set[str]) -> str | None:
    """What the first line that differs shows (its field's label, or "text"), or None."""
    for i in range(max(len(want), len(got))):
        a = want[i] if i < len(want) else None
        b = got[i] if i < len(got) else None
        if a == b:
            continue
        if a is not None and b is not None and not _NOT_A_SPACE.search(b) and _same_but_names(a, b, _written(names)):
            continue  # a name as the journal first spelled it
        line = a if a is not None else b
        if line.startswith("### "):
            return _("its heading")
        if line.startswith("| ") and " | " in line[2:]:
            return line[2:].split(" | ", 1)[0]
        return _("its text")
    return None
