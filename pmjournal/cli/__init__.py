"""The `pmjournal` command. Importing this must not import Textual (a test checks):
the TUI is loaded only when it is launched, so CLI commands start fast."""

import sys

from ..core.errors import PmjournalError


def launch_tui(args) -> int:
    from ..core import config, paths

    cfg = config.load()
    path = paths.journal_path(args.db)
    try:
        from ..tui.app import run
    except ImportError:
        print("pmjournal: the terminal app is not built yet; use the commands (pmjournal --help)", file=sys.stderr)
        return 1
    return run(path, cfg)


def main(argv=None) -> int:
    from . import commands, parser

    args = parser.build().parse_args(argv)
    try:
        if args.command is None:
            return launch_tui(args)
        return commands.COMMANDS[args.command.replace("-", "_")](args)
    except PmjournalError as err:
        print(f"pmjournal: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `pmjournal list | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
