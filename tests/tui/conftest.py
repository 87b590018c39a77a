"""Fixtures for the TUI tests: fixed journals (snapshots must not move) and the app factory."""

import pytest
from tuihelp import REF, hostile_bodies

from pmjournal.core import dates
from pmjournal.core.config import Config
from pmjournal.core.demo import write_demo
from pmjournal.core.store import Journal
from pmjournal.tui.app import build_app


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Every TUI test runs on the demo's day: which loops are overdue (the Due column,
    the Due view, the overdue notice) must not change with the day the tests run."""
    monkeypatch.setattr(dates, "now", lambda: REF)


@pytest.fixture
def demo_db(db):
    write_demo(Journal(db, user="Pat PM"), ref=REF)
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
