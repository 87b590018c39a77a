"""The core and the CLI must not pay for (or depend on) Textual."""

import json
import subprocess
import sys

import pytest

MODULES = [
    "pmjournal.core.store",
    "pmjournal.core.query",
    "pmjournal.core.transfer",
    "pmjournal.core.verify",
    "pmjournal.cli",
    "pmjournal.cli.commands",
]


@pytest.mark.parametrize("module", MODULES)
def test_module_does_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_core_has_no_textual_import_line():
    from pathlib import Path

    import pmjournal.core

    root = Path(pmjournal.core.__file__).parent
    offenders = [p.name for p in root.rglob("*.py") if "import textual" in p.read_text() or "from textual" in p.read_text()]
    assert offenders == []


def test_running_commands_does_not_import_textual(tmp_path):
    db = tmp_path / "j.json"
    code = (
        "import sys\n"
        "from pmjournal.cli import main\n"
        f"for args in (['add', 'note', 'x'], ['list'], ['show', '1'], ['who'], ['export'], ['verify']):\n"
        f"    main(['--db', {str(db)!r}, *args])\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "False"


# What `pmjournal add` must not load: each costs milliseconds of a command that has to
# finish in well under 0.1 s (docs/performance.md). orjson (and the dataclasses, inspect,
# uuid and platform its extension imports) is replaced by the standard library's json for a
# plain record (core/chain.py), platformdirs by the XDG folders on Linux (core/paths.py),
# dateutil by a plain ISO date and a zone without DST (core/dates.py), hashlib by CPython's
# own SHA-256 for the two digests of an add, shutil by a fixed width while argparse is
# built (cli/parser.py); the rest is what other commands need (loops, labels, causes...).
ADD_DOES_NOT_IMPORT = (
    "orjson",
    "dataclasses",
    "inspect",
    "uuid",
    "platform",
    "platformdirs",
    "dateutil",
    "dateutil.tz",
    "dateutil.parser",
    "hashlib",
    "_hashlib",
    "shutil",
    "tempfile",
    "threading",
    "difflib",
    "textual",
    "rich",
    "pmjournal.core.causes",
    "pmjournal.core.loops",
    "pmjournal.core.labels",
    "pmjournal.core.display",
    "pmjournal.core.people",
    "pmjournal.core.query",
    "pmjournal.core.index",
)


def imported_by(cli_process, *args, env=None):
    """Run `python -m pmjournal ARGS` as a process; (the process, every module it imported)."""
    proc = cli_process(*args, env={"PYTHONPROFILEIMPORTTIME": "1", **(env or {})})
    names = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "pmjournal.cli" in names, proc.stderr[-2000:]
    return proc, names


def test_add_imports_only_what_it_uses(tmp_path, cli_process):
    db = tmp_path / "small.json"
    for title in ("First", "Second"):
        proc, names = imported_by(cli_process, "--db", str(db), "add", "decision", title, "--owner", "Dana", "--when", "2026-11-30 12:00")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert sorted(set(ADD_DOES_NOT_IMPORT) & names) == []
    # An incident with its causes and the entry behind it (found by bisecting the file).
    args = ("add", "incident", "Checkout outage", "--cause", "decision", "--caused-by", "2", "--severity", "high")
    proc, names = imported_by(cli_process, "--db", str(db), *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(set(ADD_DOES_NOT_IMPORT) & names) == ["pmjournal.core.causes"]


def test_add_in_a_team_journal_imports_only_what_it_uses(tmp_path, cli_process):
    # A team add reads the last lines of its own chain and its colleagues' for their clocks
    # (team/layout.stamp_clocks): with the standard library's json, as an add reads its own.
    from teamhelp import team_of

    dana, lee = team_of(tmp_path, "Dana Whitfield", "Lee Chen")
    for member in (dana, lee):
        member.journal().add("note", {"title": f"{member.handle} joins"})
        member.sync()
    dana.sync()
    proc, names = imported_by(cli_process, "--db", str(dana.path), "add", "note", "Stand-up", "--tag", "x")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(set(ADD_DOES_NOT_IMPORT) & names) == []
    # Above both chains' last records (#1 each, from before the team: their #seq is their clock).
    last = json.loads(dana.path.read_text(encoding="utf-8").splitlines()[-1])
    assert (last["title"], last["clock"]) == ("Stand-up", 2)
    assert cli_process("--db", str(dana.path), "verify").returncode == 0


def test_add_to_the_default_journal_imports_only_what_it_uses(tmp_path, cli_process):
    # No --db, no $PMJOURNAL_DB or $PMJOURNAL_CONFIG_DIR: the XDG folders under a private HOME.
    env = {
        "PMJOURNAL_DB": "",
        "PMJOURNAL_CONFIG_DIR": "",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": "",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    proc, names = imported_by(cli_process, "add", "note", "One more note", "--tag", "x", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(set(ADD_DOES_NOT_IMPORT) & names) == []
    assert (tmp_path / "data" / "pmjournal" / "journal.json").is_file()
    assert cli_process("verify", env=env).returncode == 0
