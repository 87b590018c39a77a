"""Text rules (docs/data-format.md): what is refused on the way in, what is shown
instead of sent on the way out, look-alike names, and -o onto a device."""

import json
import os
import select
import subprocess
import sys
import unicodedata

import pytest
from clihelp import ok

from pmjournal.core import display, model, people
from pmjournal.core.errors import ValidationError
from pmjournal.core.store import Journal

ESC_TITLE = "x\x1b[31mred\x07\x08"




def refused(proc, *fragments):
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr
    assert proc.stdout == ""


def no_controls(text: str) -> None:
    bad = [ch for ch in text if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F or ch in "\u202e\u200b"]
    assert not bad, (bad, text)


# -- A: control characters refused wherever text comes in -----------------------


def test_reasons_with_control_characters_are_refused(cli, db):
    ok(cli("add", "note", "n"))
    before = db.read_bytes()
    refused(cli("amend", "1", "--title", "m", "--reason", "bad\x1b[31mred"), "reason", "U+001B ESCAPE")
    refused(cli("retract", "1", "--reason", "ring\x07"), "reason", "U+0007 BELL")
    refused(cli("retract", "1", "--reason", "csi\x9b2J"), "U+009B CONTROL SEQUENCE INTRODUCER")
    assert db.read_bytes() == before
    ok(cli("retract", "1", "--reason", "two lines\nare fine"))


def test_reasons_are_checked_in_the_store(journal):
    entry = journal.add("note", {"title": "n"})
    for reason in ("\x1b]0;title\x07", "\u202ereversed"):
        with pytest.raises(ValidationError, match="reason contains"):
            journal.retract(entry["id"], reason)
    assert len(journal.records()) == 1


@pytest.mark.parametrize(
    "line, fragment",
    [
        ('name = "Pat\\u001b[31m"', "U+001B ESCAPE"),
        ('name = "Pat\\u202e"', "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ('project = "apollo\\u0007"', "U+0007 BELL"),
        ('theme = "dark\\u200b"', "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_config_values_follow_the_text_rules(cli, db, tmp_path, line, fragment):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(line + "\n", encoding="utf-8")
    refused(cli("add", "note", "n"), "config.toml", fragment)
    assert not db.exists()


def test_config_save_refuses_before_writing(tmp_path):
    from pmjournal.core import config
    from pmjournal.core.errors import PmjournalError

    path = tmp_path / "c" / "config.toml"
    config.save({"name": "Pat"}, path)
    before = path.read_bytes()
    with pytest.raises(PmjournalError, match=r"U\+001B ESCAPE"):
        config.save({"name": "Pat\x1b[2J"}, path)
    assert path.read_bytes() == before


def test_imported_reasons_follow_the_text_rules(cli, db, tmp_path, journal, forge):
    journal.add("note", {"title": "n"})
    out = tmp_path / "e.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    data = json.loads(out.read_text())
    data["records"].append(
        {
            "id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
            "kind": "retraction",
            "target": data["records"][0]["id"],
            "reason": "gone\x1b[2J",
            "recorded_at": "2026-11-25T00:00:00+00:00",
            "recorded_by": "Pat",
        }
    )
    forge(out, data)  # the chain holds: only the text rules can refuse it
    before = db.read_bytes()
    refused(cli("import", str(out)), "reason", "U+001B")
    assert db.read_bytes() == before


# -- A: text stored before the rules is shown, never sent ------------------------


def _old_journal(db):
    """Records as an older pmjournal (or a hand-made file) could hold them."""
    j = Journal(db, user="Pat")
    bodies = [
        {
            "kind": "decision",
            "id": "01JOLD0000000000000000000A",
            "title": ESC_TITLE,
            "owner": "Bo\x1b[2Jb",
            "approved_by": ["Al\u202eice"],
            "occurred_at": "2026-10-01T10:00:00+08:00",
            "recorded_at": "2026-10-01T02:30:00.000+00:00",
            "recorded_by": "Pat\x9b31m",
            "body": "body \x1b]0;pwned\x07 end\rover",
            "evidence": ["JIRA-1\x1b[8m"],
            "status": "accepted",
        },
        {
            "kind": "incident",
            "id": "01JOLD0000000000000000000B",
            "title": "outage",
            "occurred_at": "2026-10-02T10:00:00+08:00",
            "recorded_at": "2026-10-02T02:30:00.000+00:00",
            "recorded_by": "Pat",
            "links": [{"rel": "caused_by", "to": "01JOLD0000000000000000000A"}],
            "status": "open",
        },
        {
            "kind": "amendment",
            "id": "01JOLD0000000000000000000C",
            "target": "01JOLD0000000000000000000A",
            "changes": {"rationale": "because\x1b[1m"},
            "reason": "fix \x1b[31mit\x08\x08",
            "recorded_at": "2026-10-03T02:30:00.000+00:00",
            "recorded_by": "Pat\x1b",
        },
    ]
    j.append_raw(bodies)
    return j


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("show", "1"),
        ("show", "2"),
        ("who",),
        ("who", "Bo\x1b[2Jb"),
        ("trace", "2"),
    ],
)
def test_old_control_characters_are_never_written_to_the_terminal(cli, db, args):
    _old_journal(db)
    proc = cli(*args, env={"COLUMNS": "200"})
    out = ok(proc)
    no_controls(out)
    assert "␛" in out


def test_show_names_each_neutralised_character(cli, db):
    _old_journal(db)
    out = ok(cli("show", "1", env={"COLUMNS": "200"}))
    assert "x␛[31mred␇␈" in out  # the title, each control as its picture
    assert "Al<U+202E>ice" in out  # a bidi override, by its code point
    assert "Pat<U+009B>31m" in out  # a C1 control
    assert "fix ␛[31mit␈␈" in out  # the amendment's reason
    assert "end␍over" in out  # a lone carriage return would overwrite the line


def test_display_visible_keeps_ordinary_text():
    for text in ("中文标题", "emoji 🚀 👩\u200d💻", "tabs\tkept", "[bold]x[/]", "Persian می\u200cخواهم"):
        assert display.visible(text) == text
    assert display.visible("a\nb", multiline=True) == "a\nb"
    assert display.visible("a\r\nb", multiline=True) == "a\nb"
    assert display.visible("\x1b\x7f\x85\u200b") == "␛␡<U+0085><U+200B>"


def _on_a_terminal(args, env):
    """Run pmjournal with its standard output on a pseudo-terminal; return (code, bytes shown, stderr)."""
    master, slave = os.openpty()
    full_env = {**os.environ, **env, "COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmjournal", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=full_env,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=60), shown, proc.stderr.read().decode()


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_an_export_to_a_terminal_shows_control_characters(db, fmt):
    _old_journal(db)
    code, shown, err = _on_a_terminal(["export", "--format", fmt], {})
    assert code == 0, err
    text = shown.decode()
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text
    assert "outage" in text


@pytest.mark.parametrize(
    "args", [("list", "--format", "csv"), ("list", "--format", "json"), ("show", "1", "--format", "json"), ("trace", "2", "--format", "json")]
)
def test_machine_formats_on_a_terminal_show_control_characters(db, args):
    _old_journal(db)
    code, shown, err = _on_a_terminal(list(args), {})
    assert code == 0, err
    text = shown.decode()
    # JSON escapes controls itself (\u001b); bidi overrides and C1 it would send raw
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text
    assert "␛" in text or "\\u001b" in text


def test_the_list_table_on_a_terminal_shows_control_characters(db):
    _old_journal(db)
    code, shown, err = _on_a_terminal(["list"], {})
    assert code == 0, err
    text = shown.decode()
    no_controls(text.replace("\r\n", "\n"))
    assert "x␛[31mred␇␈" in text and "Bo␛[2Jb" in text


def test_csv_to_a_file_keeps_the_data_as_stored(cli, db, tmp_path):
    _old_journal(db)
    out = tmp_path / "e.csv"
    ok(cli("export", "--format", "csv", "-o", str(out)))
    assert ESC_TITLE in out.read_text(encoding="utf-8")


# -- B: invisible and direction-changing characters --------------------------------


@pytest.mark.parametrize(
    "char, name",
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
        ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("\u061c", "U+061C ARABIC LETTER MARK"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u200c", "U+200C ZERO WIDTH NON-JOINER"),
        ("\u200d", "U+200D ZERO WIDTH JOINER"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\u2028", "U+2028 LINE SEPARATOR"),
        ("\u3164", "U+3164 HANGUL FILLER"),
    ],
)
def test_invisible_characters_are_refused_in_names_and_titles(journal, char, name):
    for values in (
        {"title": f"Da{char}na"},
        {"title": "t", "owner": f"Da{char}na"},
        {"title": "t", "informed": ["Lee", f"Da{char}na"]},
        {"title": "t", "project": f"apo{char}llo"},
        {"title": "t", "evidence": [f"JIRA{char}-1"]},
    ):
        with pytest.raises(ValidationError) as err:
            journal.add("decision", {"owner": "Lee", **values})
        assert name in str(err.value), err.value
        assert err.value.field in values, err.value.field
    assert len(journal) == 0


def test_the_cli_refuses_a_reversed_title_with_one_line(cli, db):
    refused(cli("add", "decision", "\u202eanaD", "--owner", "Dana"), "title", "U+202E RIGHT-TO-LEFT OVERRIDE")
    refused(cli("add", "decision", "Dana", "--owner", "Da\u200bna"), "owner", "U+200B ZERO WIDTH SPACE")
    assert not db.exists() or "anaD" not in db.read_text()


@pytest.mark.parametrize("char", ["\u202e", "\u202b", "\u2067", "\u2068"])
def test_direction_overrides_are_refused_in_multi_line_text_too(journal, char):
    with pytest.raises(ValidationError, match="changes the direction"):
        journal.add("note", {"title": "t", "body": f"see {char}here"})


def test_language_uses_of_invisible_characters_are_kept(journal):
    kept = {
        "title": "می\u200cخواهم 👩\u200d💻 🏳\ufe0f\u200d🌈 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        "owner": "علی\u200cرضا",  # ZWNJ in a Persian name
        "consulted": ["क्\u200dष"],  # ZWJ after a Devanagari virama
        "body": "Hebrew with a mark \u200f and a zero width\u200bspace: fine in running text",
    }
    entry = journal.add("decision", kept)
    for field, value in kept.items():
        assert entry[field] == value


def test_every_format_character_is_covered():
    """The refused set is a list of code points (fast to search); it must cover
    every Cf character of the running Python's Unicode version."""
    missed = []
    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) == "Cf":
            value = f"x{ch}x"
            if not list(model.refused_chars(value)):
                missed.append(f"U+{code:04X}")
    assert not missed


# -- B: look-alike names ------------------------------------------------------------


def test_confusable_pairs():
    pairs = people.confusable_pairs(["Dana", "Dаna", "Marcus", "Маrcus", "Lee", "lee", "Οla", "Ola", "Jose", "José"])
    assert ("Dana", "Dаna") in pairs  # Cyrillic а
    assert ("Marcus", "Маrcus") in pairs  # Cyrillic М
    assert ("Οla", "Ola") in pairs  # Greek capital omicron
    assert not any("Lee" in p and "lee" in p for p in pairs)  # the same person, not a look-alike
    assert not any("Jose" in p for p in pairs)  # an accent is a difference you can see
    assert people.confusable_pairs(["Dana", "Da\u200bna", "\u202eanaD"]) == [
        ("Dana", "Da\u200bna"),
        ("Dana", "\u202eanaD"),
        ("Da\u200bna", "\u202eanaD"),
    ]
    assert people.confusable_pairs(["Ｄａｎａ", "Dana"]) == [("Ｄａｎａ", "Dana")]  # fullwidth
    note = people.confusable_note("Dana", "Dаna")
    assert "U+0430 CYRILLIC SMALL LETTER A" in note


def test_who_warns_about_look_alike_names(cli, journal):
    journal.add("decision", {"title": "one", "owner": "Dana"})
    journal.add("decision", {"title": "two", "owner": "Dаna"})  # Cyrillic а
    journal.add("decision", {"title": "three", "owner": "Lee"})
    proc = cli("who")
    assert proc.returncode == 0
    [warning] = proc.stderr.splitlines()
    assert "warning" in warning and "Dana" in warning and "U+0430 CYRILLIC SMALL LETTER A" in warning
    assert "Lee" in proc.stdout
    assert cli("who", "--format", "json").stderr == proc.stderr
    assert "U+0430" in cli("who", "Dana").stderr
    assert cli("who", "Lee").stderr == ""


def test_who_is_quiet_when_names_differ(cli, journal):
    journal.add("decision", {"title": "one", "owner": "Dana", "approved_by": ["dana", "Dan", "Diana"]})
    proc = cli("who")
    assert proc.returncode == 0 and proc.stderr == ""


# -- C: -o onto a device ----------------------------------------------------------


def test_export_onto_a_device_needs_force(cli, journal, tmp_path):
    journal.add("note", {"title": "n"})
    refused(cli("export", "-o", "/dev/null"), "/dev/null is a character device", "--force")
    link = tmp_path / "quiet"
    link.symlink_to("/dev/null")
    refused(cli("export", "-o", str(link)), "character device")
    assert link.is_symlink()
    proc = cli("export", "-o", str(link), "--force")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


def test_export_onto_the_standard_output_needs_no_force(journal, tmp_path):
    journal.add("note", {"title": "to stdout"})
    for target in ("/dev/stdout", "/dev/fd/1"):
        proc = subprocess.run(
            [sys.executable, "-m", "pmjournal", "export", "--format", "json", "-o", target],
            capture_output=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert b"to stdout" in proc.stdout
    # stdout is /dev/null itself: -o /dev/null is the standard output, not another device
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.run(
            [sys.executable, "-m", "pmjournal", "export", "-o", "/dev/null"], stdout=devnull, stderr=subprocess.PIPE, timeout=60
        )
    assert proc.returncode == 0, proc.stderr


def test_export_onto_a_terminal_device_writes_nothing_without_force(cli, db):
    _old_journal(db)
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        refused(cli("export", "--format", "csv", "-o", name), "character device")
        assert select.select([master], [], [], 0.2)[0] == []  # nothing reached the terminal
        ok(cli("export", "--format", "csv", "-o", name, "--force"))
        shown = b""
        while select.select([master], [], [], 0.5)[0]:
            shown += os.read(master, 65536)
        assert b"outage" in shown and b"\x1b" not in shown
    finally:
        os.close(master)
        os.close(slave)
