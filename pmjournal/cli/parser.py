"""The command-line contract (DESIGN.md, "Command line"): argparse definitions only."""

import argparse

from .. import __version__
from ..core.i18n import N_, _, language, ngettext
from ..core.model import ENTRY_KINDS

# argparse's own words ("usage:", "options", its error messages) are looked up in
# our catalog, so that `pmjournal --help` reads in one language: argparse calls its
# module's _() and ngettext() when it builds and formats, after choose_language().
argparse._ = _
argparse.ngettext = ngettext
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("subcommands"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"),
)


def _argparse_plurals(n: int) -> tuple[str, ...]:
    """Never called: marks argparse's plural messages for the catalog."""
    return (
        ngettext("expected %s argument", "expected %s arguments", n),
        ngettext("conflicting option string: %s", "conflicting option strings: %s", n),
    )


EXAMPLES = {
    "add": N_("""examples:
  pmjournal add decision "Cut offline mode from v1" --owner Dana --approved-by "VP Eng" --when "yesterday 15:00"
  pmjournal add change "Export to PDF added" --owner Sam --requested-by "Acme Corp" --source customer --impact-schedule "+2 weeks"
  pmjournal add risk "Vendor API rate limits" --owner Lee --raised-to Dana --likelihood high --impact medium
  pmjournal add incident "Checkout outage" --cause decision --caused-by 12 --caused-by 15
  echo "long notes" | pmjournal add note "Retro notes" --body -"""),
    "list": N_("""examples:
  pmjournal list --person "Dana Whitfield" --role owner --since 2026-10-01
  pmjournal list --kind decision --project apollo --format json
  pmjournal list --search "pricing" --include-retracted"""),
    "who": N_("""examples:
  pmjournal who                                 everyone, by role
  pmjournal who --project apollo --since 2026-10-01
  pmjournal who "Marcus Chen"                   one person: counts by role and kind, and their calls
  pmjournal who marcus --format json"""),
    "trace": N_("""examples:
  pmjournal trace 43                            the calls behind incident #43, recursively
  pmjournal trace 43 --format json"""),
    "export": N_("""examples:
  pmjournal export -o evidence.md                       the whole trail as Markdown evidence
  pmjournal export --person "Marcus Chen" --since 2026-07-01 -o q3-marcus.md
  pmjournal export --format json --include-retracted -o backup.json
  pmjournal export --format csv > trail.csv"""),
    "sync": N_("""examples:
  pmjournal sync /mnt/shared/team-journal.git   the first time: remember the remote, push, fetch
  pmjournal sync                                later: push what is new, take everyone's new records
  pmjournal sync git@github.com:acme/pm-journal.git --as dana

Each author's records stay their own chain; a rewrite of anyone's history on the
remote is refused and named. Colleagues' entries are referred to as handle#42
(#42 alone is your own). docs/team.md has the set-up for a team."""),
    "verify": N_("""examples:
  pmjournal verify                              the whole chain (every author's in a team journal)
  pmjournal verify --quick                      only what was appended since the last full check
  pmjournal verify --evidence q3-marcus.md      an export on its own: signature, proofs, document
  pmjournal verify --evidence q3.md --allowed-signers allowed_signers
  pmjournal --db journal.json verify --since q3.md   nothing rewritten or removed since the export

With --evidence and a journal (--db, or the default one when it is the journal the
export came from), it also checks that the journal still extends the exported head
and that no entry matching the export's filter was left out. docs/evidence.md."""),
    "import": N_("""examples:
  pmjournal import backup.json                  records already present are skipped
  jrnl --export json > jrnl.json && pmjournal import jrnl.json"""),
    "done": N_("""examples:
  pmjournal done 12 --note "recap email sent"   its one open loop, done now
  pmjournal done 12 --loop commitment-2 --when yesterday
  pmjournal done 14 --by Marcus --note "no budget this quarter"
                                                an escalation answered: who answered, and what"""),
    "reopen": N_("""examples:
  pmjournal reopen 12 --note "they never got the email"
  pmjournal reopen 12 --loop commitment-2 --note "the sheet had last year's prices\""""),
    "due": N_("""examples:
  pmjournal due                                 every open loop, overdue first
  pmjournal due --overdue --person "Dana Whitfield"   what Dana owes that is late
  pmjournal due --within 2w --owed-to "Dana Whitfield"   what others owe Dana in the next two weeks
  pmjournal due --today 2026-12-01 --format json

JSON and CSV: id, seq, kind, title, project, loop (the key --loop takes), type, what,
owes, owed_to, due (ISO date), state (overdue; soon: within 3 days; open) and days:
the due date minus today, negative when overdue. Exit status 0 whether or not
anything is due."""),
    "remind": N_("""examples:
  pmjournal remind                              in ~/.profile, or a cron job (cron mails output)
  pmjournal remind --person "Dana Whitfield"

Prints nothing when nothing is due today or overdue; exit status 0 either way."""),
    "amend": N_("""examples:
  pmjournal amend 12 --owner Bob --reason "Alice handed the call to Bob on Monday"
  pmjournal amend '#7' --status rejected --reason "Leadership said no in the 1:1"
  pmjournal amend 7 --clear review_by --reason "No review planned"

A field given replaces its value, lists too: `--approved-by "Lena Park"` leaves Lena Park the
only approver, so give every name that stays. Links (--caused-by, --supersedes, --relates)
are added to the entry's links. The history keeps every earlier value."""),
}


class _Once(argparse._StoreAction):
    """An option that takes one value, given twice with two values (`--owner A --owner B`, a
    second `--reason` or `--when`): refused. argparse kept the last and dropped the first
    without a word; an entry recorded with the wrong owner is the blame this tool exists to
    prevent. (A first value equal to the default cannot be told from none.)"""

    def __call__(self, parser, namespace, values, option_string=None):
        earlier = getattr(namespace, self.dest, None)
        if option_string and earlier is not None and earlier != self.default and earlier != values:
            parser.error(
                _("{option} was given twice ({first}, then {second}); it takes one value").format(
                    option=option_string, first=repr(earlier), second=repr(values)
                )
            )
        setattr(namespace, self.dest, values)


class Parser(argparse.ArgumentParser):
    """Wrong usage: one line on stderr and exit 2, as the contract says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)

    # While build() runs, argparse makes a help formatter for every add_argument (to check
    # the metavar) and for add_subparsers (the prog, "pmjournal"): neither depends on the
    # width, which HelpFormatter otherwise asks shutil for (importing shutil costs ~2.5 ms
    # of every command). Help and usage messages are formatted afterwards, at full width.
    _building = False

    def _get_formatter(self):
        if Parser._building:
            return self.formatter_class(prog=self.prog, width=80)
        return super()._get_formatter()

    def format_help(self) -> str:
        """argparse ends its section headings with an ASCII colon (not a catalog word):
        in Chinese they take the full-width one, as the rest of the help does."""
        text = super().format_help()
        if language() == "zh_CN":
            import re

            text = re.sub(r"(?m)^(\S[^\n]*?):$", "\\1：", text)
        return text

    def error(self, message: str):
        if message.endswith(_("expected one argument")):
            # `--reason "-r"`: argparse takes a value that starts with "-" for an option.
            message += _(" (a value that starts with - is written --option=VALUE, as in --reason=-r)")
        self.exit(2, _("{prog}: error: {message} (see {prog} --help)").format(prog=self.prog, message=message) + "\n")


def not_empty(text: str) -> str:
    """An option's value that may not be blank: `--db "$UNSET"` wrote to the default journal,
    `--since ""` filtered nothing and `--when ""` meant now, each without a word."""
    if not text.strip():
        raise argparse.ArgumentTypeError(_("is empty"))
    return text


def _db(parser: argparse.ArgumentParser, default, dest: str = "db") -> None:
    parser.add_argument(
        "--db",
        dest=dest,
        metavar="PATH",
        default=default,
        type=not_empty,
        help=_("journal file (default: $PMJOURNAL_DB, else the user data folder)"),
    )


def _lang(parser: argparse.ArgumentParser, default, dest: str = "lang") -> None:
    parser.add_argument(
        "--lang",
        dest=dest,
        metavar="LANG",
        default=default,
        type=language_arg,
        help=_("the interface language: en or zh_CN (default: the config's `language`, else the locale)"),
    )


def _filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(_("filters"))
    g.add_argument("--project", help=_("only this project"))
    g.add_argument("--kind", action="append", choices=ENTRY_KINDS, help=_("only this kind (repeatable)"))
    g.add_argument("--person", help=_("only entries naming this person (case-insensitive; the start of a name is enough when one name has it)"))
    g.add_argument("--role", help=_("owner, requested, approved, consulted or informed: with --person, only where that person holds it; alone, entries where someone does"))
    g.add_argument("--tag", action="append", help=_("only entries with this tag (repeatable: all must match)"))
    g.add_argument("--cause", help=_("only entries with this cause key"))
    g.add_argument("--since", metavar="DATE", type=not_empty, help=_("occurred on or after (e.g. 2026-10-01, 'last monday')"))
    g.add_argument("--until", metavar="DATE", type=not_empty, help=_("occurred on or before (a bare day includes all of it)"))
    g.add_argument("--search", metavar="TEXT", help=_("words that must all appear (case-insensitive)"))
    g.add_argument(
        "--author", metavar="NAME", help=_("only records written down by NAME (a name, its first word, or a team handle)")
    )
    g.add_argument("--include-retracted", action="store_true", help=_("show retracted entries too"))


def _fields(p: argparse.ArgumentParser, amend: bool = False) -> None:
    roles = p.add_argument_group(_("roles (repeatable or comma-separated)"))
    roles.add_argument("--owner", help=_("the one accountable person"))
    for flag in ("--requested-by", "--approved-by", "--consulted", "--informed"):
        roles.add_argument(flag, action="append", metavar="P")
    common = p.add_argument_group(_("entry"))
    if amend:
        common.add_argument("--title")
    common.add_argument("--when", metavar="TEXT", type=not_empty, help=_("when it happened: 'yesterday 15:00', 'last fri', ISO"))
    common.add_argument("--project")
    common.add_argument("--tag", action="append", metavar="T")
    common.add_argument("--body", metavar="TEXT", help=_("details; - reads standard input"))
    common.add_argument("--cause", action="append", metavar="KEY", help=_("cause key (see `pmjournal causes`)"))
    common.add_argument("--caused-by", action="append", metavar="ID", help=_("an entry this one was caused by (dated no later than this one's day)"))
    common.add_argument("--supersedes", action="append", metavar="ID", help=_("an earlier decision this one replaces"))
    common.add_argument("--relates", action="append", metavar="ID", help=_("a related entry"))
    common.add_argument("--evidence", action="append", metavar="REF", help=_("URL, file path or ticket id"))
    kind = p.add_argument_group(_("kind-specific"))
    kind.add_argument("--status")
    kind.add_argument("--option", action="append", metavar="TEXT", help=_("decision: an option weighed"))
    kind.add_argument("--rationale")
    kind.add_argument("--review-by", metavar="DATE", help=_("decision or risk: review it by this day (an open loop until done)"))
    kind.add_argument("--source", help=_("change: customer, internal, regulatory, market"))
    kind.add_argument("--previous", metavar="TEXT", help=_("change: what the requirement was"))
    kind.add_argument("--impact-scope", metavar="TEXT")
    kind.add_argument("--impact-schedule", metavar="TEXT")
    kind.add_argument("--impact-cost", metavar="TEXT")
    kind.add_argument("--channel", help=_("communication: meeting, email, chat, call, doc"))
    kind.add_argument("--participants", action="append", metavar="P")
    kind.add_argument(
        "--commitment",
        "--commitments",
        dest="commitments",
        action="append",
        metavar="'WHO; WHAT; WHEN'",
        help=_(
            "communication: who owes what by when, e.g. 'Dana; send the pricing sheet; next fri' (repeatable; "
            "replaces the list: give every commitment, in the same order, new ones last)"
        )
        if amend
        else _("communication: who owes what by when, e.g. 'Dana; send the pricing sheet; next fri' (repeatable)"),
    )
    kind.add_argument("--ack-by", action="append", metavar="P", help=_("communication: who acknowledged it"))
    kind.add_argument("--follow-up-by", metavar="DATE", help=_("communication: follow up by this day (an open loop until done)"))
    kind.add_argument("--raised-by", metavar="P", help=_("risk: who raised it"))
    kind.add_argument(
        "--raised-to", action="append", metavar="P", help=_("risk or communication: raised to whom; they owe an answer")
    )
    kind.add_argument("--likelihood", help=_("risk: low, medium, high"))
    kind.add_argument("--impact", help=_("risk: low, medium, high"))
    kind.add_argument("--mitigation")
    kind.add_argument("--severity", help=_("incident: low, medium, high, critical"))


def days_arg(text: str) -> int:
    """--within: 14, 14d or 2w (days or weeks)."""
    value = text.strip().lower()
    unit = 1
    if value.endswith(("d", "w")):
        unit = 7 if value[-1] == "w" else 1
        value = value[:-1].strip()
    if value.isascii() and value.isdigit() and len(value) > 5:
        raise argparse.ArgumentTypeError(_("{text!r} is too far ahead: at most 99999 days").format(text=text))
    if not value.isascii() or not value.isdigit():
        raise argparse.ArgumentTypeError(_("{text!r} is not a number of days: write 14, 14d or 2w").format(text=text))
    return int(value) * unit


def _loop_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--loop",
        metavar="KEY",
        help=_("which loop, when the entry has several: follow-up, review, answer or commitment-N (`pmjournal due` shows them)"),
    )
    p.add_argument("--note", metavar="TEXT", help=_("what was sent, decided or answered"))
    p.add_argument(
        "--when", metavar="DATE", type=not_empty, help=_("when it happened (default: now): 'yesterday 15:00', 'last fri', ISO")
    )


def _loop_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--person", metavar="P", help=_("only loops this person owes (case-insensitive; the start of a name is enough when one name has it)"))
    p.add_argument("--owed-to", metavar="P", help=_("only loops owed to this person"))
    p.add_argument("--project", help=_("only this project"))
    p.add_argument("--today", metavar="DATE", help=_("count due and overdue from this day instead of today (e.g. 2026-12-01, 'next mon'); the loops are the journal's as it is now"))


def _add(p):
    p.add_argument("kind", choices=ENTRY_KINDS)
    p.add_argument("title", metavar=_("title"))
    _fields(p)


def _list(p):
    _filters(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _show(p):
    p.add_argument("id", metavar=_("id"), help=_("#42, 42 or an id prefix"))
    p.add_argument("--format", choices=("text", "json"), default="text")


def _amend(p):
    p.add_argument("id", metavar=_("id"))
    _fields(p, amend=True)
    p.add_argument("--clear", action="append", metavar="FIELD", help=_("empty a field (e.g. review_by)"))
    p.add_argument("--reason", required=True, help=_("why the record changes (required)"))


def _retract(p):
    p.add_argument("id", metavar=_("id"))
    p.add_argument("--reason", required=True, help=_("why the entry is retracted (required)"))


def _done(p):
    p.add_argument("id", metavar=_("id"), help=_("the entry: #42, 42 or an id prefix"))
    _loop_args(p)
    p.add_argument("--by", metavar="P", help=_("who did it or answered (default: the one person who owed it)"))


def _reopen(p):
    p.add_argument("id", metavar=_("id"), help=_("the entry: #42, 42 or an id prefix"))
    _loop_args(p)


def _due(p):
    p.add_argument("--overdue", action="store_true", help=_("only the overdue ones"))
    p.add_argument(
        "--within",
        metavar="DAYS",
        type=days_arg,
        help=_("only those due within this many days (14, 14d, 2w); overdue ones included"),
    )
    _loop_filters(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _who(p):
    p.add_argument(
        "one",
        nargs="?",
        metavar=_("person"),
        type=not_empty,  # `who ""` said "--person is empty", an option nobody typed
        default=None,
        help=_("one person: counts by role and kind, and their calls"),
    )
    _filters(p)
    p.add_argument("--format", choices=("table", "json"), default="table")


def _trace(p):
    p.add_argument("id", metavar=_("id"))
    p.add_argument("--format", choices=("text", "json"), default="text")


def _export(p):
    _filters(p)
    p.add_argument("--format", choices=("markdown", "json", "csv"), default="markdown")
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (atomically) instead of standard output"))
    p.add_argument("--force", action="store_true", help=_("overwrite FILE if it exists"))
    p.add_argument(
        "--unverified",
        action="store_true",
        help=_("export even if the journal fails verification; every entry is then marked as not vouched for"),
    )
    p.add_argument(
        "--lang",
        dest="export_lang",
        metavar="LANG",
        type=language_arg,
        help=_("the language of the Markdown document: en or zh_CN (default: the interface's)"),
    )


def _import(p):
    p.add_argument("file", metavar=_("file"))


def _sync(p):
    p.add_argument(
        "remote",
        nargs="?",
        metavar=_("remote"),
        help=_("a git URL or the path of a bare repository; remembered after the first sync"),
    )
    p.add_argument(
        "--as", dest="handle", metavar="HANDLE", help=_("your handle in the team (first sync only; default: from your name)")
    )


def _verify(p):
    p.add_argument(
        "--evidence",
        metavar="FILE",
        type=not_empty,
        help=_("check an export on its own: signature, entries against proofs, the document"),
    )
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        type=not_empty,
        help=_("with --evidence: the signature must be by a key in this ssh allowed_signers file"),
    )
    p.add_argument(
        "--since",
        metavar="FILE",
        type=not_empty,
        help=_("check only that the journal still extends the head an export was taken at"),
    )
    p.add_argument(
        "--quick", action="store_true", help=_("check only what was appended since the last full check (which stays the default)")
    )


def _nothing(p):
    pass


# name -> (one-line help, what adds its arguments), in the order `--help` lists them.
COMMANDS = {
    "add": (N_("record a new entry; prints its #seq and id"), _add),
    "list": (N_("list entries (folded: amendments applied)"), _list),
    "show": (N_("an entry as it reads now, and its full history"), _show),
    "amend": (N_("correct an entry by recording an amendment (never an edit)"), _amend),
    "retract": (N_("mark an entry retracted; it stays in the record"), _retract),
    "done": (N_("record that an open loop was closed: follow-up sent, review held, commitment met, answer received"), _done),
    "reopen": (N_("record that a loop closed by `done` is open again"), _reopen),
    "due": (N_("open loops (follow-ups, reviews, commitments, escalations awaiting an answer), overdue first"), _due),
    "remind": (
        N_("what is due today or overdue, as plain text for a login script or cron; nothing when nothing is"),
        _loop_filters,
    ),
    "who": (N_("accountability summary: who owned, requested, approved, was consulted or informed"), _who),
    "trace": (N_("the tree of entries behind an incident"), _trace),
    "export": (N_("write the (filtered) trail as Markdown evidence, JSON or CSV"), _export),
    "import": (N_("add the records of a pmjournal JSON export or a jrnl JSON export"), _import),
    "sync": (N_("team journals: push your records to a git remote and take everyone else's"), _sync),
    "verify": (N_("check the hash chain (every author's, in a team journal); exit 1 naming the first bad record"), _verify),
    "demo": (N_("write a sample journal for a fictional launch (refuses a non-empty journal)"), _nothing),
    "causes": (N_("list the blame-cause keys with their English and Chinese labels"), _nothing),
    "paths": (N_("print the journal, config and theme paths in use"), _nothing),
}
# The options the top level takes, with a value each (the rest are --help and --version).
_ROOT_VALUES = ("--db", "--lang")


def asked(argv: list[str]) -> tuple[str | None, str | None]:
    """(the command, the `--lang` for the interface) as argparse will read argv, when
    argv is plain: only the top level's own options before the command. Else
    (None, None), and the caller builds every command (`--help`, usage errors).
    `--lang` after the command counts too, except for export, where it is the
    document's language."""
    command = lang = None
    tokens = iter(argv)
    for token in tokens:
        name, eq, value = token.partition("=")
        if command is None and token in COMMANDS:
            command = token
            continue
        if name in _ROOT_VALUES:
            value = value if eq else next(tokens, None)
            if name == "--lang" and command != "export":
                lang = value
        elif command is None:
            return None, lang
    return command, lang


def language_arg(text: str) -> str:
    from ..core.i18n import check

    try:
        return check(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def build(only: str | None = None) -> Parser:
    """The whole command line, or the top level and the one command `only` (what a
    command run needs: building all eighteen costs a tenth of `pmjournal add`)."""
    Parser._building = True
    try:
        return _build(only)
    finally:
        Parser._building = False


def _build(only: str | None) -> Parser:
    root = Root(
        prog="pmjournal",
        description=_("A product manager's record of who decided what."),
        epilog=_("Run without a command to open the journal in the terminal app."),
    )
    root.add_argument(
        "--version", action="version", version=f"pmjournal {__version__}", help=_("show program's version number and exit")
    )
    _db(root, None)
    _lang(root, None)
    sub = root.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=Parser)
    for name, (help_text, arguments) in COMMANDS.items():
        if only is not None and name != only:
            continue
        help_text = _(help_text)
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_(EXAMPLES[name]) if name in EXAMPLES else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        # After the command too, kept apart (Root.parse_known_args): a subcommand parses into
        # a namespace of its own, so `--db a.json add … --db b.json` took b.json without a word.
        _db(p, argparse.SUPPRESS, AFTER["db"])
        if name != "export":
            _lang(p, argparse.SUPPRESS, AFTER["lang"])
        arguments(p)
    return root


AFTER = {"db": "db_after_command", "lang": "lang_after_command"}


def _same_file(dest: str, first: str, second: str) -> bool:
    """`--db=./j.json list --db j.json`: one journal, spelled two ways."""
    from pathlib import Path

    return dest == "db" and Path(first).expanduser().resolve() == Path(second).expanduser().resolve()


class Root(Parser):
    """The top level: a root option given before the command and again after it with
    another value is refused, as _Once refuses any option given twice."""

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        for dest, after in AFTER.items():
            value = namespace.__dict__.pop(after, None)
            if value is None:
                continue
            earlier = getattr(namespace, dest, None)
            if earlier is not None and earlier != value and not _same_file(dest, earlier, value):
                self.error(
                    _("{option} was given twice ({first}, then {second}); it takes one value").format(
                        option=f"--{dest}", first=repr(earlier), second=repr(value)
                    )
                )
            setattr(namespace, dest, value)
        return namespace, extras
