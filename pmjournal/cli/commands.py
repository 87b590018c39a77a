"""One function per command: parse arguments into core calls, print the result."""

import os
import sys
from pathlib import Path

from ..core import config, paths
from ..core.errors import PmjournalError, ValidationError
from ..core.fold import ref_of
from ..core.i18n import _, ngettext
from ..core.model import check_happened
from ..core.store import Journal

# argparse dest -> record field
FIELD_ARGS = {
    "title": "title",
    "owner": "owner",
    "requested_by": "requested_by",
    "approved_by": "approved_by",
    "consulted": "consulted",
    "informed": "informed",
    "when": "occurred_at",
    "project": "project",
    "tag": "tags",
    "body": "body",
    "cause": "causes",
    "evidence": "evidence",
    "status": "status",
    "option": "options",
    "rationale": "rationale",
    "review_by": "review_by",
    "source": "source",
    "previous": "previous",
    "channel": "channel",
    "participants": "participants",
    "commitments": "commitments",
    "ack_by": "acknowledged_by",
    "follow_up_by": "follow_up_by",
    "raised_by": "raised_by",
    "raised_to": "raised_to",
    "likelihood": "likelihood",
    "impact": "impact",
    "mitigation": "mitigation",
    "severity": "severity",
}
IMPACT_ARGS = {"impact_scope": "scope", "impact_schedule": "schedule", "impact_cost": "cost"}
LINK_ARGS = {"caused_by": "caused_by", "supersedes": "supersedes", "relates": "relates"}


def _out(text: str) -> None:
    sys.stdout.write(text)


OPENED: list = []  # the journals (or their reads, core/reads.py) this command opened, for finish()
READING = ("list", "show", "who", "trace", "due", "remind")


def open_journal(args, cfg: config.Config | None = None) -> Journal:
    cfg = cfg or config.load()
    journal = Journal(paths.journal_path(getattr(args, "db", None)), user=cfg.user)
    OPENED.append(journal)
    return journal


def open_reads(args, cfg: config.Config | None = None):
    """The reads a reading command answers from: the index when it can serve (core/reads.py)."""
    from ..core.reads import reads_of

    cfg = cfg or config.load()
    reads = reads_of(Journal(paths.journal_path(getattr(args, "db", None)), user=cfg.user))
    OPENED.append(reads)
    return reads


def unverified_line(broken: tuple[int, str]) -> str:
    return _(
        "this journal fails verification at #{seq} ({problem}): what it shows is not vouched for by its "
        "hash chain; run `pmjournal verify`"
    ).format(seq=broken[0], problem=broken[1])


def finish(args, failed: bool = False) -> int:
    """After a command: tell what the journal's file needs the user to know.

    A reading command that showed records the chain does not vouch for says
    so and exits 1, so neither a person nor a script takes them as evidence.
    """
    code = 0
    for journal in OPENED:
        for note in journal.notices():
            print(_("pmjournal: note: {note}").format(note=note), file=sys.stderr)
        if journal.broken and args.command in READING and not failed:
            print(_("pmjournal: warning: {problem}").format(problem=unverified_line(journal.broken)), file=sys.stderr)
            code = 1
        if args.command in READING and not failed and _copies_changed_here(journal):
            code = 1
        if hasattr(journal, "close"):
            journal.close()
    OPENED.clear()
    return code


def _copies_changed_here(journal) -> bool:
    """A team journal whose copy of a colleague's chain was changed on this machine: what a
    reading command showed of theirs is not what they recorded. Said, as a chain that fails
    verification is (`show dana#1` printed the rewritten record, exit 0, for anyone to paste)."""
    from ..core.team.layout import Team

    path = getattr(journal, "path", None)
    team = Team(path) if path is not None else None
    if team is None or not team.joined:
        return False
    from ..core.team.witness import changed_here

    changed = changed_here(team)
    for handle in changed:
        print(
            _(
                "pmjournal: warning: the copy of {handle}'s chain here was changed on this machine: what it shows of {handle}'s is not what {handle} recorded; `pmjournal verify` says where, `pmjournal sync` puts back what was taken"
            ).format(handle=handle),
            file=sys.stderr,
        )
    return bool(changed)


def _values(args, kind: str | None) -> dict:
    values = {}
    for dest, field in FIELD_ARGS.items():
        value = getattr(args, dest, None)
        if value is not None:
            values[field] = value
    if values.get("body") == "-":
        values["body"] = sys.stdin.read()
    impact = {part: getattr(args, dest) for dest, part in IMPACT_ARGS.items() if getattr(args, dest, None) is not None}
    if impact:
        if kind != "change":
            raise ValidationError(_("--impact-scope/--impact-schedule/--impact-cost are for a change"))
        values["impact"] = impact
    elif kind == "change" and "impact" in values:
        raise ValidationError(_("for a change use --impact-scope, --impact-schedule and --impact-cost"))
    return values


def _links(args) -> dict:
    return {rel: getattr(args, dest) for dest, rel in LINK_ARGS.items() if getattr(args, dest, None)}


def filter_from(args):
    # query and causes are imported where they are used: `add` has no use for them.
    from ..core.causes import BY_KEY
    from ..core.dates import parse_bound
    from ..core.query import Filter, crossed, role_name

    since = parse_bound(args.since) if args.since else None
    until = parse_bound(args.until, end=True) if args.until else None
    if said := crossed(since, until):
        raise ValidationError(said)
    options = (
        ("--person", args.person),
        ("--project", args.project),
        ("--search", args.search),
        ("--author", getattr(args, "author", None)),
    )
    for option, value in options:
        if value is not None and not value.strip():
            raise ValidationError(_("{option} is empty").format(option=option))
    if args.cause and args.cause.lower() not in BY_KEY:
        raise ValidationError(_("unknown cause {cause!r}; `pmjournal causes` lists them").format(cause=args.cause))
    return Filter(
        project=args.project,
        kinds=tuple(args.kind or ()),
        person=args.person,
        role=role_name(args.role) if args.role else None,
        tags=tuple(t.lstrip("#").lower() for t in args.tag or ()),
        cause=args.cause.lower() if args.cause else None,
        since=since,
        until=until,
        search=args.search,
        author=getattr(args, "author", None),
        include_retracted=args.include_retracted,
        cache_text=False,  # one search per process: no need to keep lower-cased copies
    )


def resolve_person(filt, journal, fields=("person",)):
    """`filt` with its people (--person; due's --owed-to too) read as the app reads @person
    (People.resolve): `marcus` is Marcus Chen."""
    changed = {}
    for field in fields:
        name = getattr(filt, field)
        if name and name.startswith("@") and len(name) > 1:
            name = changed[field] = name[1:]  # `--person @Tom`, as the app's filter writes it
        if name and (person := journal.people.resolve(name)) != name:
            changed[field] = person
        if name and (note := journal.people.also_named(name)):
            print("pmjournal: " + _("note: {note}").format(note=note), file=sys.stderr)
    if not changed:
        return filt
    from dataclasses import replace

    return replace(filt, **changed)


def cmd_add(args) -> int:
    journal = open_journal(args)
    values = _values(args, args.kind)
    check_happened(values.get("occurred_at"))
    if "project" not in values:
        project = config.load().project
        if project:
            values["project"] = project
    record = journal.add(args.kind, values, links=_links(args))
    _out(f"{ref_of(record)} {record['id']}\n")
    return 0


def cmd_list(args) -> int:
    filt = filter_from(args)
    journal = open_reads(args)
    filt = resolve_person(filt, journal).for_journal(journal)
    # Streamed from the index a chunk at a time: `list` of every entry of a large journal
    # holds none of them (issue 16); a loaded journal's reads stream what they hold.
    if args.format == "json":
        from ..core.transfer import entries_json_chunks

        write_output(entries_json_chunks(journal.stream(filt)), None, False)
    elif args.format == "csv":
        from ..core.transfer import csv_chunks

        write_output((text.encode("utf-8") for text in csv_chunks(journal.stream(filt))), None, False)
    else:
        print_trail(lambda: journal.stream(filt), journal, filt)
    return 0


def _as_wide_as_a_date(_iso: str) -> str:
    return "0000-00-00 00:00"


def print_trail(views, journal, filt=None) -> None:
    """The table of `list`. `views()` gives the entries afresh for each of two passes (the
    columns' widths, then the rows), so no pass holds them all. Nothing selected by `filt`
    says what it names that no entry has."""
    from ..core.display import list_separator, short_date
    from ..core.labels import kind_label, value_label
    from . import columns

    display = journal.people.display
    retracted = value_label("retracted")

    def cells(v, when=short_date) -> tuple:
        return (
            ref_of(v),
            when(v["occurred_at"]),
            kind_label(v["kind"]),
            v.get("title", ""),
            display(v["owner"]) if v.get("owner") else "",
            list_separator().join(display(p) for p in v.get("approved_by") or ()),
            retracted if v["retracted"] else value_label(v.get("status", "")),
        )

    # TRANSLATORS: the column headings of `pmjournal list`.
    headers = ("#", _("when"), _("kind"), _("title"), _("owner"), _("approved by"), _("status"))
    count = widest_ref = 0

    def first_pass():
        nonlocal count, widest_ref
        for v in views():
            count += 1
            if "ref" in v:  # the # column fits `dana#12` in a team journal
                widest_ref = max(widest_ref, len(v["ref"]))
            yield cells(v, when=_as_wide_as_a_date)  # the dates are 16 cells: worked out in the second pass only

    widths = columns.natural_widths(headers, first_pass(), (sys.maxsize, 16, 13, 60, 16, 20, 10))
    widths[0] = min(widths[0], max(7, widest_ref))  # display.ref_width's cap, known after the pass
    if not count:
        if not len(journal):
            _out(_("the journal is empty: add an entry with `pmjournal add`, or try `pmjournal demo`"))
        else:
            from ..core.query import named_nowhere

            why = named_nowhere(filt, journal.known_values, journal.people) if filt is not None else ""
            _out(_("no entries match: {why}").format(why=why) if why else _("no entries match"))
        _out("\n")
        return
    import shutil

    width = shutil.get_terminal_size((120, 24)).columns
    tty = sys.stdout.isatty()
    shown_retracted = False  # of the row render() yields next: it reads one row per line it yields

    def rows():
        nonlocal shown_retracted
        for v in views():
            shown_retracted = bool(v["retracted"])
            yield cells(v)

    out = []
    for i, line in enumerate(columns.render(headers, rows(), widths, flex=3, total_width=width)):
        if tty and i >= 2 and shown_retracted:
            line = f"\x1b[2;9m{line}\x1b[0m"
        out.append(line)
        if len(out) >= 2000:
            _out("\n".join(out) + "\n")
            out = []
    if out:
        _out("\n".join(out) + "\n")


def _console(soft_wrap: bool = False):
    from rich.console import Console

    # soft_wrap keeps long lines (reasons, bodies) whole for grep and pipes;
    # trees must wrap instead, or their lines would be cropped.
    console = Console(highlight=False, soft_wrap=soft_wrap)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        # A file or a pipe has no width: rich's 80 dropped who's last columns and cut names
        # and headings ("reques…"), and wrapped a trace's lines. There, a table or a tree is
        # as wide as what it holds ($COLUMNS still sets a width).
        console.width = 10_000
    return console


def _print(renderable, soft_wrap: bool = False) -> None:
    """`renderable` on standard output; to a pipe or a file, without the spaces rich pads each
    line of a table with to its width (`show 1 | diff`, `grep 'Owner  *Dana$'` tripped on them)."""
    console = _console(soft_wrap)
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    _out("\n".join(line.rstrip() for line in captured.get().split("\n")))


def cmd_show(args) -> int:
    import orjson

    from ..core.dates import now
    from ..core.loops import loops_of
    from ..core.query import public

    cfg = config.load()
    journal = open_reads(args, cfg)
    view = journal.get(args.id)
    found = loops_of(view, now().date(), cfg.answer_days)
    if args.format == "json":
        doc = public(view)
        if found:
            from .due import loop_fields

            doc["loops"] = [loop_fields(loop) for loop in found]
        write_output(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n", None, False)
        return 0
    from .render import entry_detail

    _print(entry_detail(view, journal, found), soft_wrap=True)
    return 0


def cmd_amend(args) -> int:
    journal = open_journal(args)
    target = journal.resolve_entry(args.id)
    values = _values(args, target["kind"])
    check_happened(values.get("occurred_at"))
    if "impact" in values and target["kind"] == "change":
        current = journal.view_of(target["id"]).get("impact") or {}  # the entry's records only, not a whole load
        values["impact"] = {**current, **values["impact"]}
    for field in args.clear or ():
        if field in values:
            raise ValidationError(_("--clear {field} and a new value for it at once").format(field=field))
        values[field] = None
    record = journal.amend(target["id"], values, args.reason, links=_links(args))
    from ..core.model import shown

    changed = _(", ").join(shown(field) for field in record["changes"])
    _out(_("{record} amends {target}: {changed}").format(record=ref_of(record), target=ref_of(target), changed=changed) + "\n")
    return 0


def cmd_retract(args) -> int:
    journal = open_journal(args)
    target = journal.resolve_entry(args.id)
    record = journal.retract(target["id"], args.reason)
    _out(_("{record} retracts {target}").format(record=ref_of(record), target=ref_of(target)) + "\n")
    return 0


def _close(args, state: str) -> int:
    """done (state "done") and reopen (state "open"): one `loop` record, then one line saying what it says."""
    from ..core.display import visible
    from ..core.loops import history_text

    for option, value in (("--loop", args.loop), ("--by", getattr(args, "by", None)), ("--when", args.when)):
        if value is not None and not value.strip():
            raise ValidationError(_("{option} is empty").format(option=option))
    values = {"occurred_at": args.when, "by": getattr(args, "by", None), "note": args.note}
    cfg = config.load()
    journal = open_journal(args, cfg)
    # Resolved here, as amend and retract do: the view below is folded from stored records,
    # which do not say whose chain a record came from; the resolved record does (dana#3).
    target = journal.resolve_entry(args.id)
    try:
        record = journal.close_loop(
            target["id"],
            args.loop,
            state=state,
            answer_days=cfg.answer_days,
            **{k: v for k, v in values.items() if v is not None},
        )
    except ValidationError as err:
        if err.field != "by" or getattr(args, "by", None) is not None:
            raise
        # The core says which people; here is how to name one of them.
        raise ValidationError(_("{error} (--by NAME)").format(error=err), field="by") from err
    view = journal.view_of(record["target"])
    said = " ".join(history_text(record, view).split())  # one line, even for a note that runs over several
    line = _("{record} closes {target}: {what}") if state == "done" else _("{record} re-opens {target}: {what}")
    _out(line.format(record=ref_of(record), target=ref_of(target), what=visible(said)) + "\n")
    return 0


def cmd_done(args) -> int:
    return _close(args, "done")


def cmd_reopen(args) -> int:
    return _close(args, "open")


def as_of(args):
    """The day `due` and `remind` count from: --today, else today (local time)."""
    from ..core import dates

    if args.today is None:
        return dates.now().date()
    if not args.today.strip():
        raise ValidationError(_("--today is empty"))
    try:
        return dates.parse_when(args.today).date()
    except ValidationError as err:
        raise ValidationError(_("--today: {err}").format(err=err), field="today") from err


def loop_filter(args, **extra):
    from ..core.loops import LoopFilter

    for option, value in (("--person", args.person), ("--owed-to", args.owed_to), ("--project", args.project)):
        if value is not None and not value.strip():
            raise ValidationError(_("{option} is empty").format(option=option))
    return LoopFilter(person=args.person, owed_to=args.owed_to, project=args.project, **extra)


def _due_loops(args, cfg, today, filt):
    from ..core.loops import open_loops

    journal = open_reads(args, cfg)
    filt = resolve_person(filt, journal, ("person", "owed_to"))
    for option, name in (("--person", filt.person), ("--owed-to", filt.owed_to)):
        if name and not journal.people.knows(name):
            from ..core.display import visible

            # `remind --person "Dana Whitfeld"` in cron said nothing, for good: as if nothing were due.
            raise PmjournalError(
                _("{option} {person}: no entry names this person (`pmjournal who` lists who is named)").format(
                    option=option, person=visible(name)
                )
            )
    # Only the entries that may hold a loop (still open, unless done ones are asked for) are read.
    return open_loops(journal.loop_views(filt.include_done), today, cfg.answer_days, filt)


def cmd_due(args) -> int:
    import orjson

    cfg = config.load()
    filt = loop_filter(args, overdue=args.overdue, within=args.within)
    found = _due_loops(args, cfg, as_of(args), filt)
    from . import due

    if args.format == "json":
        write_output(orjson.dumps([due.row_of(loop) for loop in found], option=orjson.OPT_INDENT_2) + b"\n", None, False)
    elif args.format == "csv":
        write_output(due.csv_text(found).encode("utf-8"), None, False)
    elif not found:
        narrowed = args.overdue or args.within is not None or args.person or args.owed_to or args.project
        _out((_("no open loops match") if narrowed else _("no open loops: nothing is due")) + "\n")
    else:
        _out(due.table(found, color=_color()))
    return 0


def _color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def cmd_remind(args) -> int:
    cfg = config.load()
    today = as_of(args)
    found = _due_loops(args, cfg, today, loop_filter(args, within=0))
    if found:
        from .due import reminder

        _out(reminder(found, today, color=_color()))
    return 0


def cmd_who(args) -> int:
    import orjson

    from ..core.display import visible
    from ..core.people import look_alike_notes
    from ..core.query import who, who_person

    def warn(names, only=None) -> None:
        # Names that look alike but are different people: a line each on stderr.
        for note in look_alike_notes(names, only):
            print(_("pmjournal: warning: {note}").format(note=note), file=sys.stderr)

    from ..core.people import key as person_key
    from ..core.reads import everything

    if args.one is not None:
        if args.person is not None and person_key(args.person) != person_key(args.one):
            # `who ma --person Dana` showed Dana and dropped "ma" without a word
            raise ValidationError(
                _("who {one} --person {person}: name one person, as the argument or with --person").format(
                    one=args.one, person=args.person
                )
            )
        args.person = args.one
    filt = filter_from(args)
    journal = open_reads(args)
    filt = resolve_person(filt, journal).for_journal(journal)
    args.person = filt.person
    people = journal.people
    whole = not args.person and everything(filt)
    # Streamed, never held: a filter may select most of a 1M journal (`who --since 2020`).
    views = None if whole else journal.stream(filt)
    if args.person:  # `filt` holds it too: only the entries naming them stream
        named = 0

        def counted(views):
            nonlocal named
            for view in views:
                named += 1
                yield view

        summary = who_person(counted(views), people, args.person)
        warn([summary["person"], *people.all()], only=args.person)
        if args.format == "json":
            doc = {
                **summary,
                "entries": [
                    {
                        "seq": v["seq"],
                        "id": v["id"],
                        "kind": v["kind"],
                        "title": v.get("title", ""),
                        "occurred_at": v["occurred_at"],
                        "status": v.get("status"),
                        "roles": held,
                    }
                    for v, held in summary["entries"]
                ],
            }
            write_output(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n", None, False)
            return 0
        if not any(summary["roles"].values()):
            if not named:
                raise PmjournalError(_("{person} is not named in the entries selected").format(person=visible(args.person)))
            _out(
                ngettext(
                    "{name} holds no owner/requested/approved/consulted/informed role in the entries selected, but is named "
                    "in {n} (participants, acknowledged, raised by/to, commitments): pmjournal list --person {person}",
                    "{name} holds no owner/requested/approved/consulted/informed role in the entries selected, but is named "
                    "in {n} (participants, acknowledged, raised by/to, commitments): pmjournal list --person {person}",
                    named,
                ).format(name=visible(people.display(args.person)), n=named, person=visible(repr(args.person)))
                + "\n"
            )
            return 0
        from .render import who_person as render_person

        _print(render_person(summary, people))
        return 0
    rows = journal.who_all(filt.include_retracted) if whole else who(views, people)
    warn([r["person"] for r in rows])
    if args.format == "json":
        write_output(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n", None, False)
        return 0
    if not rows:
        _out(_("nobody holds a role in the entries selected") + "\n")
        return 0
    from .render import who_table

    _print(who_table(rows))
    return 0


def cmd_trace(args) -> int:
    import orjson

    from ..core.query import TRACE_DEPTH, trace, trace_json

    journal = open_reads(args)
    view = journal.get(args.id)
    if args.format == "json":
        depth = TRACE_DEPTH
    else:
        # rich's tree indents 4 columns a level: keep 40 for the entry itself
        depth = max(3, min(TRACE_DEPTH, (_console().width - 40) // 4))
    tree = trace(journal.views, view["id"], depth)
    if args.format == "json":
        write_output(orjson.dumps(trace_json(tree), option=orjson.OPT_INDENT_2) + b"\n", None, False)
        return 0
    from .render import trace_tree

    _print(trace_tree(tree, journal.people))
    if not tree["children"]:
        # A bare number for one's own entry: a shell word starting with # is a comment.
        typed = view.get("ref") or view["seq"]
        _out(
            _("{ref} has no caused-by links (add them with `pmjournal amend {typed} --caused-by ID --reason ...`)").format(
                ref=ref_of(view), typed=typed
            )
            + "\n"
        )
    return 0


def output_path(output: str, force: bool) -> tuple[Path, str | None]:
    """(the file -o names, the kind of device it is or None), refused in one line where
    write_output would refuse it: an export checks it before it records a signing key
    (a refused `export -o taken.md` appended the key's record all the same)."""
    from ..core.files import device_kind, is_standard_output

    if not output.strip():
        raise PmjournalError(_("-o needs a file name"))
    path = Path(output)
    device = device_kind(path)
    if (path.is_file() or (path.is_symlink() and not device and not path.exists())) and not force:
        # (a link to no file yet names one all the same; /dev/stdout is a link to a device)
        raise PmjournalError(_("{path} exists; use --force to overwrite it").format(path=path))
    if device and not force and not is_standard_output(path):
        raise PmjournalError(_("{path} is {device}, not a file; use --force to write into it").format(path=path, device=device))
    return path, device


def write_output(data, output: str | None, force: bool) -> None:
    """`data` (bytes or an iterable of bytes) to stdout, or atomically to a file
    that must not exist unless `force`.

    A device (a terminal, a disk, /dev/null, or a symlink to one) is written
    into only with `force`, or when it is the standard output itself
    (/dev/stdout, /dev/fd/1, the same file as descriptor 1). A FIFO the user
    named is written into: that is what it is for. What goes to a terminal has
    its control characters shown, not sent (display.visible_chunks)."""
    from ..core.display import visible_chunks
    from ..core.files import is_standard_output, is_terminal, write_atomically

    chunks = [data] if isinstance(data, bytes | bytearray) else data
    if output is None:
        if sys.stdout.isatty():
            chunks = visible_chunks(chunks)
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        return
    path, device = output_path(output, force)
    if device:
        stdout = is_standard_output(path)
        to_terminal = sys.stdout.isatty() if stdout else is_terminal(path)
        if to_terminal:
            chunks = visible_chunks(chunks)
    try:
        write_atomically(path, chunks)
    except BrokenPipeError:
        if is_standard_output(path):
            raise  # `-o /dev/stdout | head`: the reader left, as with plain stdout (cli._run)
        raise PmjournalError(_("cannot write {path}: {reason}").format(path=path, reason=_("the reader closed the pipe"))) from None
    except OSError as err:
        raise PmjournalError(_("cannot write {path}: {reason}").format(path=path, reason=err.strerror or err)) from err


def journal_missing(path: Path) -> bool:
    """No journal at `path`: no file, nor a link, nor a team joined beside it."""
    from ..core.team.layout import Team

    return not path.exists() and not path.is_symlink() and not Team(path).joined


def cmd_export(args) -> int:
    from ..core.files import journal_own_file
    from ..core.transfer import render_chunks

    filt = filter_from(args)
    if args.output == "-":
        args.output = None  # `-o -`: standard output, as in tar, curl and sort
    cfg = config.load()
    path = paths.journal_path(getattr(args, "db", None))
    if journal_missing(path):
        # A mistyped --db wrote an empty export, and with a signing key made a journal to record it in.
        raise PmjournalError(_("no journal at {path}: nothing to export").format(path=path))
    journal = open_reads(args, cfg)
    filt = resolve_person(filt, journal).for_journal(journal)
    if args.output and (why := journal_own_file(args.output, journal.path)):
        raise PmjournalError(why)
    from ..core.query import named_nowhere

    if why := named_nowhere(filt, journal.known_values, journal.people):
        # A mistyped name wrote an evidence document of no entries without a word (a user trial).
        raise PmjournalError(_("no entries match: {why}; nothing was exported").format(why=why))
    if args.output:
        output_path(args.output, args.force)
    if not args.unverified:
        journal.require_verified(
            "exported",
            _("`pmjournal verify` says more; --unverified exports it anyway, marked as unverified throughout"),
            every_chain=True,
        )
    key = None
    if args.format != "csv" and cfg.signing_key:
        key, *_rest, recorded = journal.journal.signer(cfg.signing_key, journal.signing_keys())
        if recorded and hasattr(journal, "count"):  # the key's record is part of the chain the export proves
            OPENED.remove(journal)
            journal.close()
            journal = open_reads(args, cfg)
    if args.unverified and journal.broken is None:
        from ..core.verify import unverified_mark

        # marked as the refusal's hint says, though what failed is older than the reads' last look
        if (mark := unverified_mark(journal.journal)) is not None:
            journal.mark_unverified(mark)
    from ..core.i18n import using
    from ..core.reads import consistent, selected

    # the document's language (the messages stay the interface's); one state of the journal throughout
    with using(args.export_lang), consistent(journal):
        data = render_chunks(journal, filt, args.format, cfg.answer_days, key)
        write_output(data, args.output, args.force)
        none = not (journal.selects_any(filt) if hasattr(journal, "selects_any") else selected(journal, filt, ordered=False))
    if args.output:
        wrote = _("wrote {output}").format(output=args.output)
        print(_("{wrote}: no entries match these filters").format(wrote=wrote) if none else wrote, file=sys.stderr)
    elif none:
        print("pmjournal: " + _("no entries match these filters; the document says so"), file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    from ..core.transfer import import_file
    from .progress import Progress

    journal = open_journal(args)
    with Progress(os.path.basename(args.file)) as progress:  # on a terminal, after a second
        added, skipped = import_file(journal, args.file, progress=progress)
    _out(
        ngettext(
            "imported {added} record, skipped {skipped} already present",
            "imported {added} records, skipped {skipped} already present",
            added,
        ).format(added=added, skipped=skipped)
        + "\n"
    )
    return 0


def cmd_verify(args) -> int:
    from ..core.team.layout import Team
    from ..core.verify import as_last_checked, check_colleague, verify_file

    if args.allowed_signers and not args.evidence:
        # It was ignored: `verify --allowed-signers F` checked the journal and said ok.
        raise ValidationError(_("--allowed-signers goes with --evidence FILE: it says whose signature an export must carry"))
    if args.evidence or args.since:
        return _verify_evidence(args)
    path = paths.journal_path(getattr(args, "db", None))
    team = Team(path)
    if journal_missing(path):
        # "ok: 0 records" of a mistyped --db, or of a journal moved away, read as a pass.
        raise PmjournalError(_("no journal at {path}: nothing to verify").format(path=path))
    quick = getattr(args, "quick", False)
    report = verify_file(path, quick=quick)
    if not team.joined:
        # Alone, the last check here is the only witness of how far the chain went; a team
        # has the remote and every colleague's clone (a sync names a rewrite or a chain behind).
        report = as_last_checked(path, report)
    if not team.joined:
        if report.ok:
            _out(report.message(path) + "\n")
            return 0
        print(f"pmjournal: {report.message(path)}", file=sys.stderr)
        return 1
    # A team journal: every author's chain, each named by its handle.
    from ..core.team.witness import Witnesses
    from ..core.verify import as_pushed

    witnesses = Witnesses(team)  # what this machine pushed and took of each chain: a chain rewritten here holds on its own
    report = as_pushed(path, report, witnesses)
    failed = not report.ok
    lines = [(not report.ok, _("{handle} (you): {message}").format(handle=team.handle, message=report.message(path)))]
    for handle, chain in team.colleagues().items():
        theirs = check_colleague(chain, handle, witnesses, quick=quick)
        failed |= not theirs.ok
        lines.append(
            (
                not theirs.ok,
                f"{handle}: {theirs.message(chain, handle)}",
            )
        )
    for handle, why in sorted((team.state().get("refused") or {}).items()):
        failed = True
        lines.append((True, _("{handle}: the last sync refused the remote's copy: {why}").format(handle=handle, why=why)))
    for bad, line in lines:
        if bad:
            print(f"pmjournal: {line}", file=sys.stderr)
        else:
            _out(line + "\n")
    return 1 if failed else 0


def _verify_evidence(args) -> int:
    """verify --evidence FILE [--allowed-signers F] and verify --since FILE: one line per problem."""
    from ..core.evidence import check

    if args.evidence and args.since:
        raise ValidationError(_("give --evidence or --since, not both"))
    with check.read(args.evidence or args.since) as ev:
        return _checked(args, ev, check)


def _checked(args, ev, check) -> int:
    signers = Path(args.allowed_signers) if args.allowed_signers else None
    if signers is not None and not signers.is_file():
        raise ValidationError(_("--allowed-signers {signers} is not a file").format(signers=signers))
    problems, notes, verdict = [], [], _("ok")
    if args.evidence:
        found = check.check(ev, signers)
        problems += found.problems
        notes += found.notes
        verdict = _("ok") if found.signed else _("ok (not signed)")
    path = paths.journal_path(getattr(args, "db", None))
    named = getattr(args, "db", None) is not None or args.since
    from ..core.evidence.against import Against

    # the journal streamed, refused if its own chain fails verification
    chains = Against(ev, path) if path.is_file() else None
    if chains is not None and (named or check.same_journal(ev, chains, chains.own)):
        problems += check.check_since(ev, chains)
        if args.evidence and not problems:
            problems += chains.complete(outside=found.outside)
            if not problems:  # (it said so under the entries the filter selects and the export left out)
                notes.append(
                    _(
                        "checked against {path}: it still extends the exported head, and the filter selects exactly the exported entries"
                    ).format(path=path)
                )
        elif not args.evidence and not problems:
            notes.append(_("{path} still extends the head {since} was taken at").format(path=path, since=args.since))
    elif getattr(args, "db", None) is not None:
        # (a --db mistyped was "checked on its own: give --db JOURNAL")
        raise ValidationError(_("no journal at {path} to check {file} against").format(path=path, file=args.since or args.evidence))
    elif args.since:
        raise ValidationError(_("no journal at {path} to check {since} against; give --db").format(path=path, since=args.since))
    elif args.evidence:
        notes.append(
            _(
                "checked on its own: give --db JOURNAL to check that the journal still extends its head and that nothing matching the filter was left out"
            )
        )
    for line in problems:
        print(f"pmjournal: {args.evidence or args.since}: {line}", file=sys.stderr)
    for line in notes:
        _out(line + "\n")
    if not problems:
        _out(_("{verdict}: {file}").format(verdict=verdict, file=args.evidence or args.since) + "\n")
    return 1 if problems else 0


def cmd_sync(args) -> int:
    from ..core.team.sync import sync

    path = paths.journal_path(getattr(args, "db", None))
    cfg = config.load()
    report = sync(path, args.remote, args.handle, name=cfg.user, signing_key=cfg.signing_key)
    lines = report.lines()
    for line in lines[: len(lines) - len(report.refused) - len(report.put_back)]:
        _out(line + "\n")
    # A copy changed on this machine and put back is said where a refusal is: someone changed it.
    for handle in sorted(report.put_back):
        print(f"pmjournal: {report.put_back[handle]}", file=sys.stderr)
    for handle in sorted(report.refused):
        print(f"pmjournal: {report.refused[handle]}", file=sys.stderr)
    return 1 if report.refused else 0


def cmd_demo(args) -> int:
    from ..core.demo import write_demo

    journal = open_journal(args)
    count = write_demo(journal)
    _out(_("wrote {count} sample records to {path}; try `pmjournal --db {path}`").format(count=count, path=journal.path) + "\n")
    return 0


def cmd_causes(args) -> int:
    from ..core.causes import CAUSES
    from ..core.i18n import language

    width = max(len(c.key) for c in CAUSES)
    for c in CAUSES:
        # The key is what --cause takes. English shows both labels; Chinese its own.
        label = c.zh if language() == "zh_CN" else f"{c.label} ({c.zh})"
        _out(_("{key}  {label}: {sub_causes}").format(key=f"{c.key:<{width}}", label=label, sub_causes=_(c.sub_causes)) + "\n")
    return 0


def cmd_paths(args) -> int:
    _out(
        _("journal  {journal}\nconfig   {config}\nthemes   {themes}").format(
            journal=paths.journal_path(getattr(args, "db", None)), config=paths.config_file(), themes=paths.user_themes_dir()
        )
        + "\n"
    )
    return 0


COMMANDS = {name[4:]: fn for name, fn in globals().items() if name.startswith("cmd_")}
