"""The core and the CLI must not pay for (or depend on) Textual."""

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
