"""`due` remembers what it verified (core/verified.py) and checks only what was appended since;
anything else about the file (an edit, a truncation, a replaced file, a damaged memo) makes it
check everything again. Every case compares with what a fresh check says."""

import json
import os
import shutil
from pathlib import Path

import pytest
from clihelp import journal_once, lay, ok

from pmjournal.core.verified import memo_path

TODAY = "2026-12-01"


def journal() -> Path:
    return Path(os.environ["PMJOURNAL_DB"])


def due(cli) -> list[tuple[int, str, str]]:
    proc = cli("due", "--today", TODAY, "--format", "json")
    return proc, ([(r["seq"], r["loop"], r["state"]) for r in json.loads(proc.stdout)] if proc.stdout.strip() else [])


def fresh(cli):
    """What `due` says with no memo: every record checked."""
    memo_path(journal()).unlink(missing_ok=True)
    proc, rows = due(cli)
    memo_path(journal()).unlink(missing_ok=True)
    return proc.returncode, rows


@pytest.fixture(autouse=True)
def without_index(monkeypatch):
    # The memo serves `due` where the index cannot (core/index): tests/test_index.py covers the index.
    monkeypatch.setenv("PMJOURNAL_INDEX", "off")


def _add_loops(cli):
    ok(cli("add", "communication", "Call with Acme", "--owner", "Dana", "--when", "2026-11-20", "--follow-up-by", "2026-11-25"))
    ok(cli("add", "decision", "Ship v2", "--owner", "Dana", "--when", "2026-11-01", "--review-by", "2026-12-10"))
    ok(cli("add", "note", "Nothing owed", "--when", "2026-11-02"))
    ok(cli("add", "decision", "Price at 20 euros", "--owner", "Lee", "--when", "2026-11-03"))


@pytest.fixture(scope="module")
def loops_journal(tmp_path_factory) -> bytes:
    return journal_once(tmp_path_factory, _add_loops)


@pytest.fixture
def loops(cli, loops_journal):
    """The journal the commands in _add_loops write (run once a module)."""
    lay(loops_journal)
    return cli


def test_due_remembers_what_it_verified_and_says_the_same_from_it(loops):
    proc, first = due(loops)
    memo = memo_path(journal())
    assert proc.returncode == 0 and memo.exists()
    assert memo.stat().st_mode & 0o777 == 0o600
    assert json.loads(memo.read_text())["seq"] == 4
    proc, second = due(loops)
    assert proc.returncode == 0 and second == first == [(1, "follow-up", "overdue"), (2, "review", "open")]


def test_records_appended_since_are_checked_and_counted(loops):
    due(loops)
    ok(loops("add", "risk", "Vendor exit", "--owner", "Lee", "--when", "2026-11-20", "--raised-to", "Marcus"))
    ok(loops("done", "1", "--when", "2026-11-26", "--note", "sent"))
    proc, rows = due(loops)
    assert proc.returncode == 0
    assert json.loads(memo_path(journal()).read_text())["seq"] == 6
    assert rows == [(5, "answer", "overdue"), (2, "review", "open")] == fresh(loops)[1]


def test_an_amendment_giving_an_unselected_entry_a_loop_is_followed(loops):
    """#4 holds no loop field, so a remembered prefix is not parsed for it; the amendment that
    gives it a review date is, and brings it back."""
    ok(loops("amend", "4", "--review-by", "2026-11-30", "--reason", "review agreed"))
    due(loops)  # remembers #1-#5
    ok(loops("add", "note", "later", "--when", "2026-11-29"))
    proc, rows = due(loops)
    assert (4, "review", "overdue") in rows
    assert rows == fresh(loops)[1]


def test_a_superseding_decision_in_the_remembered_prefix_still_closes_the_review(loops):
    ok(loops("add", "decision", "Ship v3 instead", "--owner", "Dana", "--when", "2026-11-05", "--supersedes", "2"))
    due(loops)
    ok(loops("add", "note", "later", "--when", "2026-11-29"))
    proc, rows = due(loops)
    assert (2, "review", "open") not in rows
    assert rows == fresh(loops)[1]


def edit_in_place(old: bytes, new: bytes) -> None:
    path = journal()
    data = path.read_bytes()
    assert old in data
    with open(path, "r+b") as fh:  # the same inode: only the bytes say it changed
        fh.write(data.replace(old, new, 1))


def test_an_edit_in_the_remembered_bytes_is_caught_as_without_a_memo(loops):
    due(loops)
    edit_in_place(b'"owner":"Dana"', b'"owner":"Dora"')
    proc, rows = due(loops)
    assert proc.returncode == 1 and "fails verification at #1" in proc.stderr
    assert not json.loads(memo_path(journal()).read_text())["seq"] > 4  # nothing newer was remembered
    memo_path(journal()).unlink()
    proc2, _ = due(loops)
    assert proc2.returncode == 1 and proc2.stderr == proc.stderr


def test_a_truncated_or_replaced_journal_is_checked_again(loops):
    due(loops)
    path = journal()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # the last record gone: shorter than the memo
    proc, rows = due(loops)
    assert proc.returncode == 0 and rows == [(1, "follow-up", "overdue"), (2, "review", "open")]
    assert json.loads(memo_path(journal()).read_text())["seq"] == 3
    # A copy put in its place (another inode), with the removed record back but edited: it no
    # longer matches its hash, and what was remembered of the old file is not taken for it.
    copy = path.with_name("copy.json")
    shutil.copyfile(path, copy)
    with open(copy, "ab") as fh:
        fh.write(lines[-1].replace(b"Price at 20 euros", b"Price at 10 euros"))
    os.replace(copy, path)
    proc, _ = due(loops)
    assert proc.returncode == 1 and "fails verification at #4" in proc.stderr


@pytest.mark.parametrize(
    "memo",
    [b"", b"not json", b'{"version": 2}', b"[]", b'{"version": 1, "dev": "x"}'],
    ids=["empty", "garbage", "newer", "list", "wrong-types"],
)
def test_a_damaged_or_newer_memo_is_ignored(loops, memo):
    due(loops)
    memo_path(journal()).write_bytes(memo)
    proc, rows = due(loops)
    assert proc.returncode == 0 and rows == [(1, "follow-up", "overdue"), (2, "review", "open")]
    assert json.loads(memo_path(journal()).read_text())["version"] == 1  # rewritten by the check


def test_a_fifo_in_place_of_the_memo_does_not_hang(loops):
    os.mkfifo(memo_path(journal()))
    proc, rows = due(loops)
    assert proc.returncode == 0 and rows == [(1, "follow-up", "overdue"), (2, "review", "open")]


def test_verify_never_reads_the_memo(loops):
    due(loops)
    edit_in_place(b"Nothing owed", b"Nothing ow3d")
    memo = memo_path(journal())
    # A forged memo that vouches for the edited bytes: `due` would trust it, `verify` does not.
    import hashlib

    data = journal().read_bytes()
    forged = json.loads(memo.read_text())
    forged["digest"] = hashlib.sha256(data[: forged["offset"]]).hexdigest()
    memo.write_text(json.dumps(forged))
    proc = loops("verify")
    assert proc.returncode == 1 and "#3" in (proc.stdout + proc.stderr)
