"""Open loops: what someone owes by a date, and whether it was done.

The one definition that `pmjournal due`, `remind`, the TUI's Due view, the
trail's marker and the Markdown export all use (docs/guide.md, "Open loops").

- follow-up: a communication with `follow_up_by`; owed by its owner, else by
  whoever recorded it; owed to its participants.
- review: a decision with `review_by` (unless rejected or superseded), or a
  risk with `review_by` while it is open or being mitigated; owed by the owner.
- commitment: each of a communication's commitments (who; what; by when);
  owed by its `who`, to the entry's owner or whoever recorded it.
- answer: a communication or risk raised to someone; owed by the people it was
  raised to, to whoever raised it, and due `answer_days` working days (config,
  default 5) after it happened. An escalation nobody answered stays open: the
  absence of an answer is evidence.

Closing or re-opening a loop is a record (kind `loop`, see model.LOOP_STATES),
never an edit; the last such record for a loop decides whether it is done.
A retracted entry owes nothing.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .display import day_text, list_separator
from .errors import ValidationError
from .fold import ref_of
from .i18n import _, pgettext
from .labels import loop_type_label
from .model import ANSWER_DAYS
from .people import key as person_key

SOON_DAYS = 3  # a loop due within this many days is "due soon"
STATES = ("overdue", "soon", "open", "done")


# How each state reads where colour may be missing (a monochrome terminal, a pipe, a screen reader).
class _Words(dict):
    """STATE_WORDS: the English words, given back in the language in use when they are
    looked up, so every front end that shows STATE_WORDS[state] speaks it."""

    def __getitem__(self, key):
        super().__getitem__(key)  # KeyError for an unknown state, as a dict
        return _state_shown(key)

    def get(self, key, default=None):
        return self[key] if key in self else default


def _state_shown(state: str) -> str:
    # The context keeps these apart from the same English words as statuses ("open" risk).
    return {
        # TRANSLATORS: an overdue loop's state, in capitals in English so it reads without colour.
        "overdue": _("OVERDUE"),
        "soon": pgettext("loop state", "due soon"),
        "open": pgettext("loop state", "open"),
        "done": pgettext("loop state", "done"),
    }[state]


STATE_WORDS = _Words({"overdue": "OVERDUE", "soon": "due soon", "open": "open", "done": "done"})
TYPES = ("follow-up", "review", "commitment", "answer")
_REVIEWED_STATUS = {"decision": ("proposed", "accepted", None), "risk": ("open", "mitigating", None)}


@dataclass(slots=True, eq=False)  # not frozen: a frozen init costs a third of `due` at 100k
class Loop:
    view: dict  # the entry's folded view
    key: str  # "follow-up", "review", "answer" or "commitment-N" (1-based)
    type: str  # one of TYPES
    what: str  # what is owed, as a person reads it
    owes: tuple[str, ...]
    owed_to: tuple[str, ...]
    due: date
    state: str  # one of STATES
    days: int  # due minus today: negative when overdue
    events: tuple[dict, ...] = ()  # the loop records for it, oldest first (history events)

    @property
    def closed(self) -> dict | None:
        """The record that closed it, when it is done."""
        return self.events[-1] if self.state == "done" else None

    @property
    def waited(self) -> int:
        """Days since the entry happened, up to today or to the day it was closed."""
        end = _day(self.closed["occurred_at"]) if self.closed else None
        start = _day(self.view["occurred_at"])
        return ((end or self.today) - start).days

    @property
    def today(self) -> date:
        return date.fromordinal(self.due.toordinal() - self.days)


def days_text(days: int) -> str:
    """'3 d overdue', 'today', 'in 5 d': how far a due date is from today."""
    if days < 0:
        return _("{n} d overdue").format(n=-days)
    return _("today") if days == 0 else _("in {n} d").format(n=days)


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


@lru_cache(maxsize=4096)
def working_days_after(start: date, n: int) -> date:
    """The n-th working day (Monday to Friday) after `start`. Counted day by day
    (n is at most a year of working days, config `answer_days`) and cached: a
    journal's escalations fall on a few hundred distinct days."""
    day = start.toordinal()
    while n:
        day += 1
        if date.fromordinal(day).weekday() < 5:
            n -= 1
    return date.fromordinal(day)


def _names(value) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _not_owing(owes: tuple[str, ...], owed_to: tuple[str, ...]) -> tuple[str, ...]:
    """Nobody owes a loop to themselves: the owner among a follow-up's participants,
    a commitment the owner made."""
    if not owed_to:
        return owed_to
    owing = {person_key(n) for n in owes}
    return tuple(n for n in owed_to if person_key(n) not in owing)


def _raw_candidates(view: dict, answer_days: int):
    """(key, type, what, owes, owed_to, due) for every loop the entry opens (owed_to before _not_owing)."""
    kind = view["kind"]
    owner = _names(view.get("owner")) or _names(view.get("recorded_by"))
    if kind == "communication" and view.get("follow_up_by"):
        yield "follow-up", "follow-up", "follow-up", owner, _names(view.get("participants")), _day(view["follow_up_by"])
    if kind in _REVIEWED_STATUS and view.get("review_by") and view.get("status") in _REVIEWED_STATUS[kind]:
        yield "review", "review", f"review of this {kind}", owner, _names(view.get("approved_by")), _day(view["review_by"])
    if kind == "communication" and isinstance(view.get("commitments"), list):
        for n, item in enumerate(view["commitments"], 1):
            yield f"commitment-{n}", "commitment", item["what"], (item["who"],), owner, _day(item["due"])
    if kind in ("communication", "risk") and view.get("raised_to"):
        raised_by = _names(view.get("raised_by")) or owner
        due = working_days_after(_day(view["occurred_at"]), answer_days)
        yield "answer", "answer", "an answer", _names(view["raised_to"]), raised_by, due


LOOP_FIELDS = ("follow_up_by", "review_by", "raised_to", "commitments")


def _has_loop_field(record: dict) -> bool:
    # Spelled out rather than any(...) over LOOP_FIELDS: this runs once per entry at 100k.
    return "follow_up_by" in record or "review_by" in record or "raised_to" in record or "commitments" in record


def could_open(view: dict) -> bool:
    """A quick test (no dates parsed) of whether the entry may hold a loop (one of LOOP_FIELDS)."""
    return not view["retracted"] and _has_loop_field(view)


def has_open_loop(view: dict) -> bool:
    """Whether a loop of the entry is not done (whatever today is, and however many days an
    answer may take): which entries `due` looks at, without the ones whose loops all closed."""
    last = {e["loop"]: e.get("state") for e in view["history"] if e["kind"] == "loop"}
    return any(last.get(key) != "done" for key, *_ in _raw_candidates(view, ANSWER_DAYS))


# Every line loop_views' keep() can accept: an entry with a loop field or a supersedes link, and
# every amendment, retraction and loop record (a superset; keep decides). As bytes of canonical
# JSON, where a quoted key can only be a key (storage.find_lines).
SELECT = re.compile(
    b'"(?:' + b"|".join(f.encode() for f in LOOP_FIELDS) + b')":|"rel":"supersedes"|"kind":"(?:amendment|retraction|loop)"'
)


def loop_views(journal) -> list[dict]:
    """The folded view of every entry that may hold a loop, for `pmjournal due` and `remind`.

    Reads the journal once with `journal.scan` (every record checked by the
    chain, or by what an earlier scan remembered of it: verified.py) and keeps
    only what loops depend on: entries with a loop field, entries that
    supersede another (a superseded decision owes no review), and the
    amendment, retraction and loop records of those. An amendment that gives
    a loop field or links to an entry that was left out brings that entry back
    with its earlier amendments: by #seq (`journal.reread`) when the scan saw
    and dropped it, by id (`journal.entry_records`) when it sat unparsed in the
    remembered part of the file. The views are for loops only: their
    linked_from lists only the entries kept.
    """
    from .fold import fold
    from .model import META_KINDS
    from .storage import paused_gc

    meta = frozenset(META_KINDS)
    # id -> (#seq, hash) of the entries not kept; a colleague's (team journals) is kept whole:
    # it is not in this author's file for reread(), and a team's records are all in memory anyway.
    dropped: dict[str, tuple[int, str] | dict] = {}
    held: dict[str, list[dict]] = {}  # the amendments and retractions of those, in case one is wanted
    wanted: set[str] = set()
    relevant = (*LOOP_FIELDS, "links")

    def gives_loop(record: dict) -> bool:
        changes = record.get("changes") if record["kind"] == "amendment" else None
        return bool(changes) and any(k in changes for k in relevant)

    def keep(record: dict) -> bool:
        if record["kind"] in meta:
            target = record.get("target")
            if target not in dropped:
                return True  # about an entry kept (or one this journal does not hold: fold skips it)
            if gives_loop(record):
                wanted.add(target)
            if target in wanted:
                return True
            held.setdefault(target, []).append(record)
            return False
        if _has_loop_field(record):
            return True
        if "links" in record and any(link.get("rel") == "supersedes" for link in record["links"] or ()):
            return True
        dropped[record["id"]] = record if "author" in record else (record["seq"], record.get("hash"))
        return False

    def again(entry_id: str) -> dict:
        seen = dropped[entry_id]
        return seen if isinstance(seen, dict) else journal.reread(*seen)

    records = journal.scan(keep, SELECT)
    # What scan took from a remembered prefix without parsing (see SELECT) never reached keep(): an
    # amendment there that gives an entry a loop field or links names an entry not yet held.
    held_ids = {r["id"] for r in records if r["kind"] not in meta}
    missing = {r["target"] for r in records if gives_loop(r) and r["target"] not in held_ids and r["target"] not in dropped}
    fetched = list(journal.entry_records(missing).values())
    if wanted or fetched:
        records += fetched
        records += [again(entry_id) for entry_id in wanted]
        records += [record for entry_id in wanted for record in held.get(entry_id, ())]
        if any("author" in r for r in records):
            # A team journal: #seqs repeat across the authors' chains; put them back in its merged order.
            position = {r["id"]: i for i, r in enumerate(journal.records())}
            records.sort(key=lambda r: position[r["id"]])
        else:
            records.sort(key=lambda r: r["seq"])
    with paused_gc():
        return [view for view in fold(records).values() if could_open(view)]


def loops_of(view: dict, today: date, answer_days: int = ANSWER_DAYS) -> list[Loop]:
    """Every loop the entry opens, done ones included, in the order of TYPES."""
    return _loops_of(view, today, answer_days) if could_open(view) else []


def _loops_of(view: dict, today: date, answer_days: int, open_only: bool = False) -> list[Loop]:
    """`open_only`: leave out the done ones before building them (most loops of an old journal are done)."""
    events: dict[str, list[dict]] = {}
    for event in view["history"]:
        if event["kind"] == "loop":
            events.setdefault(event["loop"], []).append(event)
    out = []
    for key, type_, what, owes, owed_to, due in _raw_candidates(view, answer_days):
        mine = tuple(events.get(key, ()))
        days = (due - today).days
        if mine and mine[-1]["state"] == "done":
            if open_only:
                continue
            state = "done"
        elif days < 0:
            state = "overdue"
        elif days <= SOON_DAYS:
            state = "soon"
        else:
            state = "open"
        out.append(Loop(view, key, type_, what, owes, _not_owing(owes, owed_to), due, state, days, mine))
    return out


def _sort_key(loop: Loop):
    return (loop.state != "overdue", loop.due, loop.view["seq"], loop.key)


def _names_one_of(typed: str, names) -> bool:
    """`typed` is one of `names`. (It was also the start of one, from before the journal's
    directory of people held commitments' owers, which the CLI now completes `--person Tom`
    to Tom Becker from; `due --person Dana` then listed Dana Whitfield's loops while `list
    --person Dana` listed Dana's: a user trial.)"""
    wanted = person_key(typed)
    return any(person_key(n) == wanted for n in names)


@dataclass(frozen=True)
class LoopFilter:
    """Which loops `due`, `remind` and the Due view show."""

    overdue: bool = False  # only overdue ones
    within: int | None = None  # only those due within this many days (overdue included)
    person: str | None = None  # only those this person owes
    owed_to: str | None = None  # only those owed to this person
    project: str | None = None
    include_done: bool = False

    def keeps(self, loop: Loop) -> bool:
        if loop.state == "done" and not self.include_done:
            return False
        if self.overdue and loop.state != "overdue":
            return False
        if self.within is not None and loop.days > self.within:
            return False
        if self.person and not _names_one_of(self.person, loop.owes):
            return False
        if self.owed_to and person_key(self.owed_to) not in {person_key(n) for n in loop.owed_to}:
            return False
        return not (self.project and (loop.view.get("project") or "").casefold() != self.project.casefold())


def open_loops(views, today: date, answer_days: int = ANSWER_DAYS, filt: LoopFilter | None = None) -> list[Loop]:
    """The loops of `views` that `filt` keeps (default: every open one): overdue first, then by due date."""
    from .storage import paused_gc

    filt = filt or LoopFilter()
    open_only = not filt.include_done
    every = filt == LoopFilter()
    out = []
    # Loops hold their views and nothing holds a loop: no cycles for the collector to find.
    with paused_gc(freeze=False):
        for view in views:
            if could_open(view):
                found = _loops_of(view, today, answer_days, open_only)
                out.extend(found if every else filter(filt.keeps, found))
        out.sort(key=_sort_key)
    return out


def choose(view: dict, key: str | None, today: date, answer_days: int, state: str) -> Loop:
    """The loop of `view` that `done` (state "done") or `reopen` (state "open") acts on.

    `key` may be omitted when exactly one loop can take the step; it may be a
    type ("follow-up") when the entry has one loop of that type, or
    "commitment-2" / "commitment 2". One line naming the choices otherwise.
    """
    ref = ref_of(view)
    if view["retracted"]:
        raise ValidationError(_("{ref} is retracted; it owes nothing").format(ref=ref))
    loops = loops_of(view, today, answer_days)
    if not loops:
        raise ValidationError(
            _("{ref} has no loop to close: no follow-up, review, commitment or escalation with a date").format(ref=ref)
        )
    able = [lp for lp in loops if (lp.state == "done") == (state == "open")]
    if key:
        wanted = key.strip().lower().replace(" ", "-")
        picked = [lp for lp in loops if lp.key == wanted or lp.type == wanted]
        if not picked:
            raise ValidationError(
                _("{ref} has no {key!r} loop; it has {listing}").format(ref=ref, key=key.strip(), listing=_listing(loops)),
                field="loop",
            )
        able = [lp for lp in picked if lp in able]
        if not able:
            done = picked[0]
            if state == "done":
                raise ValidationError(
                    _("{ref}: the {loop} is already done ({event})").format(
                        ref=ref, loop=label(done), event=event_text(done.closed)
                    )
                )
            raise ValidationError(_("{ref}: the {loop} is not done; nothing to re-open").format(ref=ref, loop=label(done)))
        picked = able
    else:
        picked = able
        if not picked:
            if state == "done":
                raise ValidationError(_("{ref}: every loop is already done ({listing})").format(ref=ref, listing=_listing(loops)))
            raise ValidationError(_("{ref} has no done loop to re-open").format(ref=ref))
    if len(picked) > 1:
        raise ValidationError(
            _("{ref} has {n} loops: {listing}; say which with --loop").format(ref=ref, n=len(picked), listing=_listing(picked)),
            field="loop",
        )
    return picked[0]


def label(loop: Loop) -> str:
    if loop.type == "commitment":
        return _("commitment {n} ({what})").format(n=loop.key.rsplit("-", 1)[1], what=loop.what)
    return loop_type_label(loop.type)


def _listing(loops) -> str:
    # The key is what --loop takes: it stays as it is in every language.
    return list_separator().join(
        _("{key} ({state}, due {day})").format(key=lp.key, state=_state_word(lp.state), day=lp.due.isoformat()) for lp in loops
    )


def _state_word(state: str) -> str:
    """A loop's state in a message: 'overdue', 'soon', 'open', 'done' (not STATE_WORDS' OVERDUE)."""
    words = {
        "overdue": pgettext("loop state", "overdue"),
        "soon": pgettext("loop state", "soon"),
        "open": pgettext("loop state", "open"),
        "done": pgettext("loop state", "done"),
    }
    return words.get(state, state)


def event_text(event: dict) -> str:
    """'done 14 Nov 2026 by Dana: recap email': one closing or re-opening record."""
    day = day_text(event["occurred_at"])
    text = (_("done {day}") if event["state"] == "done" else _("re-opened {day}")).format(day=day)
    if event.get("by"):
        text += _(" by {name}").format(name=event["by"])
    if event.get("note"):
        text += _(": {note}").format(note=event["note"])
    return text


def history_text(event: dict, view: dict) -> str:
    """A `loop` event as the entry's history shows it: 'follow-up done 14 Nov 2026 by Dana: recap email'."""
    key = event.get("loop", "")
    name = loop_type_label(key)
    if key.startswith("commitment-"):
        name = key
        items = view.get("commitments")
        n = int(key.rsplit("-", 1)[1])
        if isinstance(items, list) and n <= len(items):
            name = _("commitment {n} ({what})").format(n=n, what=items[n - 1]["what"])
    return f"{name} {event_text(event)}"


def describe(loop: Loop) -> str:
    """'follow-up due 12 Nov 2026, done 14 Nov 2026 by Dana: recap email': a loop's story in one line."""
    due = day_text(loop.due.isoformat())
    what = label(loop)
    parts = [_("{what} due {day}").format(what=what, day=due)]
    parts += [event_text(e) for e in loop.events]
    if loop.state == "overdue":
        parts.append(_("overdue by {n} d").format(n=-loop.days))
    return _(", ").join(parts)


class OpenLoops:
    """The open loops of a set of views as of a day, and the most urgent one of
    each entry (the trail marks its row). Built again from `previous` (the
    same views before some records were appended) only for the views that
    changed: a view no record touched is the same object in both (fold.extend)."""

    def __init__(self, views: dict[str, dict], today: date, answer_days: int = ANSWER_DAYS, previous: "OpenLoops | None" = None):
        self.views, self.today, self.answer_days = views, today, answer_days
        if previous is not None and (previous.today, previous.answer_days) == (today, answer_days):
            old = previous.views
            kept = [lp for lp in previous.loops if views.get(lp.view["id"]) is lp.view]
            fresh = open_loops((v for k, v in views.items() if old.get(k) is not v), today, answer_days)
            self.loops = sorted(kept + fresh, key=_sort_key)
        else:
            self.loops = open_loops(views.values(), today, answer_days)
        self.by_entry: dict[str, Loop] = {}
        for loop in self.loops:
            self.by_entry.setdefault(loop.view["id"], loop)  # sorted: the first is the most urgent

    @property
    def overdue(self) -> int:
        return sum(1 for lp in self.loops if lp.state == "overdue")
