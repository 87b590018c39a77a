"""Tests never see the user's machine: journal and config live in tmp_path,
and the clock's zone is fixed so dates print the same everywhere."""

import gc
import itertools
import os
import re
import sys
import time

import pytest
from clihelp import run_cli, run_cli_process

# This machine's environment sets PYTHONDONTWRITEBYTECODE=1, so nothing was ever cached:
# every pytest-xdist worker rewrote every test module's asserts and compiled pmjournal
# from source (about 2.5 s of CPU each), and so did every `python -m pmjournal` a test
# starts for its modules. The bytecode goes where Python puts it (__pycache__, ignored
# by git) and is checked against each source file's mtime and size as usual; the
# workers and the processes they start inherit the setting.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# A Pilot test allocates millions of short-lived objects; at the default thresholds
# (700, 10, 10) the cyclic collector ran thousands of times per test file, 10-12% of
# the TUI tests' CPU (2.5 s of test_forms.py's 23 s; 0.7 s at these). Only the tests'
# processes are tuned; what is collected, and pmjournal itself, are unchanged. At
# 200,000 the whole suite spent 1.0 s in the collector instead of 2.6 s (gc.callbacks
# timed), but no less CPU in all (a larger young generation, ~10% more RSS a worker):
# three alternating runs of the form, burst and import tests, 31.1 s at these, 31.6 at that.
gc.set_threshold(20_000, 20, 20)

os.environ["TZ"] = "Asia/Shanghai"
time.tzset()


def _draw_headless_frames_only_when_read():
    """Under Pilot the app is headless: Textual still renders every frame of the top screen
    (each dirty widget's lines, the dimmed screens behind a dialog) and the headless driver
    throws the result away. That was a quarter of the TUI tests' CPU (the form tests 66 s ->
    51 s, the whole suite 246 s -> 208 s of CPU on 2026-12-02). What a test reads is drawn
    for it anyway: a snapshot or `export_screenshot` renders the whole screen afresh, and
    `render_line`/`render_lines` ask the widget. Layout, refresh callbacks and every message
    still run as in the real app; only the discarded frame is skipped, and only headless.

    So that a widget that fails to draw (markup in user text, a bad width) still fails its
    test, a screen is drawn in full as it is closed (a form as it saves, with all that was
    typed in it), and so is the screen a Pilot test ends on, before the app shuts down."""
    import contextlib

    from textual._compositor import Compositor
    from textual.app import App
    from textual.screen import Screen

    # Textual's internals, as of 8.x: a Textual without them runs the tests as it draws them.
    if not all(
        hasattr(owner, name)
        for owner, name in [
            (Screen, "_compositor_refresh"),
            (App, "_update_mouse_over"),
            (App, "_background_screens"),
            (Compositor, "render_update"),
        ]
    ):
        return

    refresh = Screen._compositor_refresh

    def compositor_refresh(self):
        app = self.app
        if app.is_headless and self is app.screen and not app.is_inline:
            self._compositor._dirty_regions.clear()
            self._dirty_widgets.clear()
            app._update_mouse_over(self)
            return
        refresh(self)

    def draw(app):
        if app.is_headless and app.is_running and app.screen_stack:
            app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)

    pop_screen = App.pop_screen

    def pop_screen_drawn(self):
        draw(self)
        return pop_screen(self)

    run_test = App.run_test

    @contextlib.asynccontextmanager
    async def run_test_drawing_the_end(self, *args, **kwargs):
        async with run_test(self, *args, **kwargs) as pilot:
            yield pilot
            draw(self)

    Screen._compositor_refresh = compositor_refresh
    App.pop_screen = pop_screen_drawn
    App.run_test = run_test_drawing_the_end


_draw_headless_frames_only_when_read()


_dispatch_plans: dict = {}


def _look_up_handlers_once_per_class():
    """Textual finds a message's handlers by walking the receiving widget's class hierarchy
    (15-20 classes for an Input) for every message it dispatches, and again for the Idle
    event after each one: 593,000 walks in the TUI tests, a twentieth of their CPU. Where no
    class on the way has an @on handler for the message (those match selectors against the
    message, so they are looked up as Textual does), the walk finds the same methods every
    time, so it is made once per (widget class, handler name, message class).

    The plans are forgotten before every test (tests/conftest.py `isolated`): a test that
    replaces a handler with monkeypatch does so before its app starts."""
    from textual.message import Message
    from textual.message_pump import MessagePump

    if not hasattr(MessagePump, "_get_dispatch_methods"):
        return
    look_up = MessagePump._get_dispatch_methods

    def plan(pump_class, method_name, message_class):
        message_mro = [c for c in message_class.__mro__ if issubclass(c, Message)]
        found = []
        for cls in pump_class.__mro__:
            decorated = cls.__dict__.get("_decorated_handlers")
            if decorated and any(decorated.get(c) for c in message_mro):
                return None  # @on handlers: looked up by Textual every time
            method = cls.__dict__.get(f"_{method_name}") or cls.__dict__.get(method_name)
            if method is not None and not getattr(method, "_textual_on", None):
                found.append((cls, method))
        return tuple(found)

    def get_dispatch_methods(self, method_name, message):
        key = (type(self), method_name, type(message))
        try:
            found = _dispatch_plans[key]
        except KeyError:
            found = _dispatch_plans[key] = plan(*key)
        if found is None:
            yield from look_up(self, method_name, message)
            return
        for cls, method in found:
            # As Textual's walk: a handler that prevents the default stops the classes above it.
            if message._no_default_action:
                break
            yield cls, method.__get__(self, cls)

    MessagePump._get_dispatch_methods = get_dispatch_methods


def _call_later_without_a_new_partial():
    """`call_later(f)` wraps f in a new functools.partial, and Textual counts a callback's
    parameters (inspect.signature) once per callable object, remembered on the object: a
    new partial is counted every time. Pilot waits for the screen by a call_later of one
    function to every widget (~75 on a form), after every key and pause: 77,000 signatures
    in the TUI tests. Without arguments the partial adds nothing, so f is posted itself."""
    from textual import events
    from textual.message_pump import MessagePump

    call_later = MessagePump.call_later

    def call_later_plain(self, callback, *args, **kwargs):
        if args or kwargs:
            return call_later(self, callback, *args, **kwargs)
        return self.post_message(events.Callback(callback=callback))

    MessagePump.call_later = call_later_plain


_look_up_handlers_once_per_class()
_call_later_without_a_new_partial()


_numbers = itertools.count()


@pytest.fixture
def tmp_path(request, tmp_path_factory):
    """pytest's tmp_path made with one mkdir: a new empty folder under the session's (the
    xdist worker's) base temp, named after the test. pytest's own lists the base temp to
    number the folder and moves a `-current` symlink, ~1 ms of CPU a test on this machine's
    file system (an mkdir alone costs 0.4 ms), for 1,400 tests."""
    name = re.sub(r"\W", "_", request.node.name)[:30]
    path = tmp_path_factory.getbasetemp() / f"{name}{next(_numbers)}"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def isolated(request, tmp_path_factory, monkeypatch):
    _dispatch_plans.clear()  # a test may replace a handler (monkeypatch) before its app starts
    # A test that asks for tmp_path (itself or through a fixture: db, journal...) has its
    # journal and config there, as always; any other test gets a folder nobody has made
    # (pmjournal makes what it writes into), unique to it, for nothing.
    if "tmp_path" in request.fixturenames:
        home = request.getfixturevalue("tmp_path")
    else:
        home = tmp_path_factory.getbasetemp() / f"isolated{next(_numbers)}"
    monkeypatch.setenv("PMJOURNAL_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("PMJOURNAL_DB", str(home / "data" / "journal.json"))
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    # English whatever the developer's locale: a zh_CN test sets its own (tests/test_i18n_cli.py).
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    from pmjournal.core import i18n

    i18n.set_language("en")
    yield


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "journal.json"


@pytest.fixture
def journal(db):
    from pmjournal.core.store import Journal

    return Journal(db, user="Pat PM")


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def cli_process():
    return run_cli_process


def forge_export(out, data):
    """Write an export's `data` as a forger would: every record resealed in order and the
    head moved, so the chain holds and only the importer's other checks can refuse it."""
    import json

    from pmjournal.core.chain import record_hash

    data.pop("evidence", None)  # its statement states the document's hash: a forger leaves it out
    prev = data["records"][0]["prev_hash"]
    for seq, record in enumerate(data["records"], start=1):
        if isinstance(record, dict):
            record["seq"], record["prev_hash"] = seq, prev
            record["hash"] = prev = record_hash(record)
    data["chain_head"] = {"seq": len(data["records"]), "hash": prev}
    out.write_text(json.dumps(data))


@pytest.fixture
def forge():
    return forge_export
