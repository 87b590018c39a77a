"""Fixtures for the TUI tests: fixed journals (snapshots must not move) and the app factory."""

import re

import pytest
from textual.css.stylesheet import Stylesheet
from tuihelp import REF, hostile_bodies

from pmjournal.core import dates
from pmjournal.core.config import Config
from pmjournal.core.demo import write_demo
from pmjournal.core.store import Journal
from pmjournal.tui.app import build_app


def _parse_each_stylesheet_once():
    """Every app a test starts parses the same CSS (the widgets' DEFAULT_CSS, ours, each
    theme's variables) with its own empty cache: about a tenth of a Pilot test's CPU.
    Parsing is a pure function of the text, where it came from and the variables, and
    Textual only reads the RuleSets it returns, so the tests' process keeps one cache.

    Of the variables, only those the text names ($primary) can change what it parses to:
    the key holds their values, so a theme switch parses again only the CSS that names a
    variable the theme changed (all the variables, should a value name another variable)."""
    parse = Stylesheet._parse_rules
    parsed: dict = {}
    named: dict[str, tuple[str, ...]] = {}

    def parse_rules(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        names = named.get(css)
        if names is None:
            names = named[css] = tuple(sorted(set(re.findall(r"\$([A-Za-z0-9_-]+)", css))))
        variables = self._variables
        used = tuple((name, variables.get(name)) for name in names)
        if any("$" in str(value) for _name, value in used):
            used = tuple(sorted(variables.items()))
        key = (css, read_from, is_default_rules, tie_breaker, scope, used)
        if key not in parsed:
            parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    Stylesheet._parse_rules = parse_rules


_parse_each_stylesheet_once()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Every TUI test runs on the demo's day: which loops are overdue (the Due column,
    the Due view, the overdue notice) must not change with the day the tests run."""
    monkeypatch.setattr(dates, "now", lambda: REF)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> dict[str, bytes]:
    """The files write_demo leaves (the journal and its lock file), written once per process:
    with the fixed REF its bytes are the same every time, and ~150 tests start from it."""
    db = tmp_path_factory.mktemp("demo") / "journal.json"
    write_demo(Journal(db, user="Pat PM"), ref=REF)
    return {path.name: path.read_bytes() for path in db.parent.iterdir()}


@pytest.fixture
def demo_db(db, demo_files):
    """A new demo journal (REF's), as write_demo writes it, copied from demo_files."""
    db.parent.mkdir(parents=True, exist_ok=True)
    for name, data in demo_files.items():
        db.with_name(name).write_bytes(data)
    return db


@pytest.fixture
def hostile_db(db):
    Journal(db, user="Pat PM").append_raw(hostile_bodies())
    return db


@pytest.fixture
def make_app():
    def make(path, **cfg):
        return build_app(path, Config(name="Pat PM", **cfg))

    return make
