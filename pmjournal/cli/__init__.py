"""The `pmjournal` command. Importing this must not import Textual (a test checks):
the TUI is loaded only when it is launched, so CLI commands start fast."""

import os
import sys

from ..core.errors import PmjournalError


def launch_tui(args) -> int:
    from ..core import config, paths
    from ..core.i18n import _
    from ..core.storage import JournalFile

    cfg = config.load()
    path = paths.journal_path(args.db)
    # A file that is not a journal, or is from a newer pmjournal, is refused here
    # with one line, before the app takes over the screen.
    JournalFile(path).check_existing()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # `pmjournal --db X > log` from cron (a typo for `remind`) drew the app's escape codes
        # into the file and waited for keys that never come.
        print(
            "pmjournal: "
            + _("the app needs a terminal (standard input and output); give a command for scripts: pmjournal --help"),
            file=sys.stderr,
        )
        return 2
    from ..tui.app import run

    return run(path, cfg)


def main(argv=None) -> int:
    code, ran_tui = _run(argv)
    if argv is None and not ran_tui:
        # Run as the `pmjournal` program: every file is written, fsynced and
        # closed by now, so skip the interpreter's teardown, which frees the
        # loaded journal object by object (tens of ms at 10k entries, a few
        # hundred at 100k). Called with arguments (tests, scripts), return.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass  # a reader that left (`| head`) is not our problem
        os._exit(code)
    return code


def choose_language(asked: str | None) -> None:
    """The interface language before anything is printed, argparse's help included:
    `--lang`, else the config's `language`, else the locale (core/i18n.py)."""
    from ..core import config, i18n

    configured = None
    if not asked:
        try:
            configured = config.load().language
        except PmjournalError:
            pass  # a broken config is reported, in the locale's language, by the command that reads it
    i18n.set_language(i18n.resolve(asked, configured))


def _run(argv) -> tuple[int, bool]:
    from . import parser

    command, lang = parser.asked(sys.argv[1:] if argv is None else argv)
    choose_language(lang)
    args = parser.build(command).parse_args(argv)  # --help, --version and usage errors end here
    if args.lang and args.lang != lang:  # written in a way asked() leaves to argparse (`--la zh_CN`)
        choose_language(args.lang)
    from . import commands

    try:
        if args.command is None:
            return launch_tui(args), True
        if argv is None:
            from ..core.collector import one_command

            one_command()
        code = commands.COMMANDS[args.command.replace("-", "_")](args)
        return max(code, commands.finish(args)), False
    except PmjournalError as err:
        commands.finish(args, failed=True)
        print(f"pmjournal: {err}", file=sys.stderr)
        return 1, False
    except BrokenPipeError:
        # `pmjournal list | head`: the reader left; that is not an error. Point
        # stdout at /dev/null so the final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0, False
    except KeyboardInterrupt:
        return 130, False
