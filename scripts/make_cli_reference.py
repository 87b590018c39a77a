"""Write docs/cli.md from the argparse definitions, so the reference cannot drift.

Run: python scripts/make_cli_reference.py   (tests/test_docs.py fails if it is stale)
"""

import contextlib
import io
import os
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

INTRO = """# Command-line reference

`pmjournal` with no command opens the terminal app. Every command takes `--db PATH`
(before or after the command; default `$PMJOURNAL_DB`, else the user data folder, see
`pmjournal paths`). Exit status: 0 success, 1 a problem with the data or the request
(unknown id, invalid date, broken chain; one line on stderr), 2 wrong usage. A refused
command changes nothing.

References to entries accept `#42`, `42` or a unique prefix of the entry's id; in a team
journal ([team.md](team.md)) a colleague's entry is `dana#42`. Roles and
other lists can be repeated (`--consulted A --consulted B`) or comma-separated
(`--consulted "A, B"`); an option that takes one value (`--owner`, `--when`, `--reason`) given
twice with two values is refused, never half-taken. Dates accept `today`, `yesterday 15:00`, `last fri`, `3 days ago`,
`in 2 weeks`, `15:00`, `tomorrow noon`, `23 Nov 2026 3pm` and ISO 8601, and Chinese (`昨天下午3点`,
`上周五`, `上个月3号`, `今天中午`); a time without an offset is local. A due
date (`--follow-up-by`, `--review-by`, a commitment's) reads forward where the text leaves it
open: `fri` is the coming Friday, `5 Jan` typed in December next January's; a When reads
back (`fri 16:00` typed on a Friday morning is last Friday's).

Generated from the program's own help by `scripts/make_cli_reference.py`.
"""


def help_text(args: list[str]) -> str:
    from pmjournal.cli.parser import build

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        build().parse_args([*args, "--help"])
    return out.getvalue().rstrip()


def render() -> str:
    os.environ["COLUMNS"] = "100"
    from pmjournal.cli.parser import build

    parser = build()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    parts = [INTRO, "## pmjournal\n", "```text\n" + help_text([]) + "\n```\n"]
    for name in sub.choices:
        parts.append(f"## pmjournal {name}\n")
        parts.append("```text\n" + help_text([name]) + "\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)
