"""Generated documentation must match the code that generates it."""

import sys
from pathlib import Path

import pytest
from texthelp import assert_same_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="argparse help layout differs between Python versions")
def test_cli_reference_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_cli_reference
    finally:
        sys.path.pop(0)
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert_same_text(current, make_cli_reference.render(), "docs/cli.md is stale: run python scripts/make_cli_reference.py")


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && pmjournal" in readme
    assert "python3 -m pytest" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -e '.[test]' && python3 -m pytest" in ci


def test_every_subcommand_has_help(cli):
    """In this process through main(argv) (argparse's --help exits 0 there as in a process;
    tests/test_cli.py runs `add --help` and `--version` as real processes)."""
    for name in ("add", "list", "show", "amend", "retract", "who", "trace", "export", "import", "verify", "demo"):
        out = cli(name, "--help")
        assert out.returncode == 0 and f"pmjournal {name}" in out.stdout


def test_keys_reference_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_keys_reference
    finally:
        sys.path.pop(0)
    current = (ROOT / "docs" / "keys.md").read_text(encoding="utf-8")
    assert_same_text(current, make_keys_reference.render(), "docs/keys.md is stale: run python scripts/make_keys_reference.py")
