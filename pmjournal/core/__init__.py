"""The headless library behind the CLI and the TUI.

Nothing below this package may import Textual (import-linter and
tests/test_import_hygiene.py both check it): the CLI must start fast and the
store must be usable from scripts and tests without a terminal.
"""
