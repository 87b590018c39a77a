"""`pmjournal verify --quick`: only what was appended since the last full check."""

import json

from clihelp import ok, refused


def test_quick_checks_what_was_appended_since_the_last_full_check(cli, journal):
    for n in range(5):
        journal.add("note", {"title": f"n{n}"})
    assert ok(cli("verify")).startswith("ok: 5 records")
    assert "quick: nothing was appended since the last full check" in ok(cli("verify", "--quick"))
    journal.add("note", {"title": "later"})
    assert "quick: #6-#6 checked, #1-#5 as of the last full check" in ok(cli("verify", "--quick"))


def test_quick_still_catches_a_bad_record_appended_since(cli, journal, db):
    for n in range(3):
        journal.add("note", {"title": f"n{n}"})
    ok(cli("verify"))
    journal.add("note", {"title": "appended"})
    lines = db.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b"appended", b"APPENDED")
    db.write_bytes(b"\n".join(lines))
    proc = cli("verify", "--quick")
    assert proc.returncode == 1 and "broken at #4" in proc.stderr


def test_quick_falls_back_to_the_full_check_when_the_checked_part_changed(cli, journal, db):
    for n in range(3):
        journal.add("note", {"title": f"n{n}"})
    ok(cli("verify"))
    # The last checked record edited (so the line ending the checked part no longer
    # carries its hash): quick cannot trust the memo and checks everything.
    lines = db.read_bytes().split(b"\n")
    record = json.loads(lines[3])
    lines[3] = lines[3].replace(record["hash"].encode(), b"0" * 64)
    db.write_bytes(b"\n".join(lines))
    proc = cli("verify", "--quick")
    assert proc.returncode == 1 and "broken at #3" in proc.stderr and "quick:" not in proc.stdout


def test_quick_on_another_file_or_without_a_memo_is_the_full_check(cli, journal, db, tmp_path):
    from pmjournal.core.store import Journal

    for n in range(3):
        journal.add("note", {"title": f"n{n}"})
    assert "quick:" not in ok(cli("verify", "--quick"))  # no full check yet: a full one
    other = Journal(tmp_path / "other.json", user="Pat PM")
    for n in range(4):
        other.add("note", {"title": f"other {n}"})
    db.write_bytes((tmp_path / "other.json").read_bytes())  # another journal copied over it
    # Its chain holds, but #3 is not what the last check here saw: said, until the memo goes.
    refused(cli("verify", "--quick"), "#3: it carries another hash than when it was last verified here")
    db.with_name(db.name + ".checked").unlink()
    out = ok(cli("verify", "--quick"))
    assert out.startswith("ok: 4 records") and "quick:" not in out


def test_quick_catches_the_last_checked_record_edited_in_place_with_its_hash_kept(cli, journal, db):
    for n in range(3):
        journal.add("note", {"title": f"n{n}"})
    ok(cli("verify"))
    # Same length, same "hash" field, other content: the memo must compare the line's bytes.
    lines = db.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"n2"', b'"X2"')
    db.write_bytes(b"\n".join(lines))
    proc = cli("verify", "--quick")
    assert proc.returncode == 1 and "broken at #3" in proc.stderr


# -- what the last check here saw: the witness of how far a journal kept alone went ----------


def test_verify_of_a_journal_that_is_not_there_says_so(cli, db):
    """`--db typo.json verify`, or a journal moved away, said "ok: 0 records", exit 0."""
    refused(cli("verify"), f"no journal at {db}: nothing to verify")
    assert not db.exists()


def _five(journal, cli):
    for n in range(5):
        journal.add("note", {"title": f"n{n}"})
    ok(cli("verify"))


def test_a_journal_cut_short_after_a_check_fails_verify_until_the_memo_goes(cli, journal, db):
    """A file emptied, or cut after its third record, held on its own: "ok: 0 records" (or 3)
    after "ok: 5 records" a moment before. Each later verify says it again: the memo is not
    overwritten by a chain that went back."""
    _five(journal, cli)
    whole = db.read_bytes()
    for cut in (b"", b"".join(line + b"\n" for line in whole.splitlines()[:4])):
        db.write_bytes(cut)
        for quick in ((), ("--quick",)):
            said = refused(cli("verify", *quick), "but went up to #5 when it was last verified here")
            assert "delete journal.json.checked" in said
    db.with_name(db.name + ".checked").unlink()  # a backup put back on purpose
    assert ok(cli("verify")).startswith("ok: 3 records")
    db.write_bytes(whole)
    assert ok(cli("verify")).startswith("ok: 5 records")


def test_a_journal_rewritten_and_rehashed_after_a_check_fails_verify(cli, journal, db):
    """An edit with every hash after it recomputed holds on its own; the record the last
    check ended on now carries another hash."""
    from teamhelp import edited, rechained

    _five(journal, cli)
    db.write_bytes(rechained(edited(db.read_bytes().splitlines(), 2, "It was always Bob's idea")))
    refused(cli("verify"), "broken at #5: it carries another hash than when it was last verified here")


def test_a_journal_that_only_lost_its_last_newline_is_not_called_rewritten(cli, journal, db):
    """An editor's save that drops the final newline: the reader keeps that record, but the
    memo's look-up took it for a torn tail, and verify said the chain was rewritten and
    rehashed (a false accusation of tampering) while export went ahead."""
    for n in range(3):
        journal.add("note", {"title": f"n{n}"})
    ok(cli("verify"))
    db.write_bytes(db.read_bytes()[:-1])
    assert "ok: 3 records" in ok(cli("verify"))
    assert "ok: 3 records" in ok(cli("verify", "--quick"))
