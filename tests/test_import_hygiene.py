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
