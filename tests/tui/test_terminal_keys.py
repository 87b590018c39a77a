"""Keys as a terminal sends them, through Textual's real driver: the app runs on a
pseudo-terminal and is typed at in bytes, as a fast typist's terminal sends them."""

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

from pmjournal.core.store import Journal
from pmjournal.tui.terminal_keys import Parser

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a Linux pseudo-terminal")


def keys_of(data: str) -> list[str]:
    return [event.key for event in Parser().feed(data)]


def test_escape_then_a_letter_with_more_behind_is_alt_that_letter_not_a_caret():
    """Textual read ESC j ESC [ B (escape, j, down) as "^", "j", "down"."""
    assert keys_of("\x1bj\x1b[B") == ["alt+j", "down"]
    assert keys_of("\x1bY\x1b[B") == ["alt+shift+y", "down"]
    # what the parser gives a meaning of its own keeps it
    assert keys_of("\x1bf") == ["ctrl+right"] and keys_of("\x1b[B") == ["down"] and keys_of("\x1bOA") == ["up"]
    assert keys_of("\x1b\x1b[B") == ["escape", "down"]


def test_escape_then_any_printable_character_is_alt_that_character():
    """ESC / (escape, then a new filter) waited for more and ESC 1, ESC - and ESC = were read
    as macOS's option characters: "¡", "–", "≠" typed into a field, the escape lost."""
    assert keys_of("\x1b/") == ["alt+slash"] and keys_of("\x1b/risk") == ["alt+slash", "r", "i", "s", "k"]
    assert keys_of("\x1b1") == ["alt+1"] and keys_of("\x1b-") == ["alt+minus"] and keys_of("\x1b=") == ["alt+equals_sign"]
    assert keys_of("\x1b\t") == ["shift+tab"]  # what Textual gives a meaning of its own keeps it


class Terminal:
    """pmjournal on a pseudo-terminal of 120x40; what it draws is kept in `shown`."""

    def __init__(self, db, env):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pmjournal", "--db", str(db)],
            stdin=slave,
            stdout=slave,
            stderr=slave,  # where Textual draws
            env={**os.environ, **env, "TERM": "xterm-256color"},
            start_new_session=True,
        )
        os.close(slave)
        self.shown = bytearray()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.shown += chunk

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.shown:
            assert time.monotonic() < deadline, f"never drew {text!r}"
            time.sleep(0.05)

    def type(self, data: str, settle: float = 0.8) -> None:
        os.write(self.master, data.encode())
        time.sleep(settle)

    def close(self) -> int | None:
        """The app's exit code once it has ended; None if it was still running 10 s on (then killed)."""
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return None
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.master is not None:
                os.close(self.master)
                self.master = None


def a_decision_typed(db, tmp_path, title: str) -> Terminal:
    """The app on an empty journal (a name configured), its decision form open with `title` typed."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('name = "Pat PM"\n')
    term = Terminal(db, {"PMJOURNAL_CONFIG_DIR": str(config)})
    try:
        term.wait_for("Welcome to pmjournal")
        term.type("d", settle=1.5)
        term.type(title)
    except BaseException:
        term.close()
        raise
    return term


def test_escape_y_and_a_move_sent_at_once_discard_the_form(db, tmp_path):
    """`escape y down` sent in one go (a fast typist, SSH lag): the form must ask, take the y as
    the answer and close; Textual's parser turned the escape into a "^" typed into the title."""
    term = a_decision_typed(db, tmp_path, "Ship it")
    try:
        term.type("\x1by\x1b[B")
        term.type("\x13")  # ctrl+s: had the form stayed open, this saved "Ship it^y"
        term.type("q", settle=0)
    finally:
        code = term.close()
    assert code == 0, "the app did not quit: q was typed into a form still open"
    assert len(Journal(db)) == 0


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["hang-up", "terminate"])
def test_the_terminal_closing_under_an_open_form_keeps_what_was_typed(db, tmp_path, signum):
    """An SSH link dropped or the window closed (SIGHUP), or a polite kill (SIGTERM), ended the
    app at once: the title typed into the open form was gone."""
    db.parent.mkdir(parents=True, exist_ok=True)  # the file is kept beside the journal
    term = a_decision_typed(db, tmp_path, "Vendor slipped the date")
    try:
        term.proc.send_signal(signum)
    finally:
        code = term.close()
    assert code == 1
    [kept] = db.parent.glob("journal.json.unsaved-*.txt")
    assert "Vendor slipped the date" in kept.read_text(encoding="utf-8")
