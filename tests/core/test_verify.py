"""Tamper-evidence: any altered byte of any record is caught and named."""

import random

import pytest

from pmjournal.core.verify import verify_file


@pytest.fixture
def filled(journal, db):
    for i in range(6):
        journal.add("decision", {"title": f"call {i} 中文", "owner": "Alice", "body": "x" * 50})
    return db


def lines_of(db):
    return db.read_bytes().split(b"\n")


def test_clean_journal_verifies(filled):
    report = verify_file(filled)
    assert report.ok and report.count == 6 and report.head_seq == 6


def test_every_byte_of_a_record_is_protected(filled):
    original = filled.read_bytes()
    lines = lines_of(filled)
    start = len(lines[0]) + 1 + len(lines[1]) + 1 + len(lines[2]) + 1  # record #3
    length = len(lines[3])
    rng = random.Random(7)
    for offset in list(range(start, start + length, 7)) + [start, start + length - 1]:
        data = bytearray(original)
        data[offset] = (data[offset] + rng.randint(1, 254)) % 256
        filled.write_bytes(bytes(data))
        report = verify_file(filled)
        assert not report.ok, offset
        assert report.bad_seq == 3, (offset, report)
    filled.write_bytes(original)


def test_removed_record_is_named(filled):
    lines = lines_of(filled)
    del lines[4]  # record #4
    filled.write_bytes(b"\n".join(lines))
    report = verify_file(filled)
    assert report.bad_seq == 4


def test_rewritten_chain_is_caught_at_the_edit(filled):
    import orjson

    from pmjournal.core.chain import canonical, record_hash

    lines = lines_of(filled)
    record = orjson.loads(lines[2])
    record["owner"] = "Mallory"
    record["hash"] = record_hash(record)  # recomputing one hash is not enough
    lines[2] = canonical(record)
    filled.write_bytes(b"\n".join(lines))
    assert verify_file(filled).bad_seq == 3
