"""verify in two processes says exactly what one walk over the file says.

verify_split checks the second half of a large journal in a forked child; the
halves are taken together only when that is provably the one walk's answer, and
otherwise the caller walks the whole file. These tests run the second half
in-process (pytest's workers run threads, which a fork does not copy) over
damaged journals and at the seam, and one test forks for real in a fresh
process.
"""

import json
import os
import random
import subprocess
import sys
import threading

import orjson
import pytest
from damagehelp import build, damaged, reseal

from pmjournal.core import verify, verify_split
from pmjournal.core.chain import canonical, record_hash
from pmjournal.core.errors import JournalDamaged
from pmjournal.core.storage import JournalFile

STATE = ("seq", "prev", "end", "last_start", "broken", "unfinished", "torn", "loose_end")


def state(reader) -> tuple:
    return tuple(getattr(reader, name) for name in STATE)


def one_walk(path):
    """The report and end state of the one-process walk, or None past a damaged header."""
    jf = JournalFile(path)
    with jf.open_read() as fh:
        try:
            header, reader = jf.start(fh)
        except JournalDamaged:
            return None
        if header is None:
            return None
        report = verify._walk(reader, fh, header["schema"])
    return report, state(reader)


def split_walk(path):
    """The same from two halves (the second run in-process), or None where it falls back."""
    jf = JournalFile(path)
    with jf.open_read() as fh:
        header, reader = jf.start(fh)
        out = verify_split.check(fh.fileno(), reader, header["schema"], verify._walk, run_second=verify_split.InProcess)
    return None if out is None else (out[0], state(out[1]))


@pytest.fixture
def forced(monkeypatch):
    """verify_file splits every journal, the second half in-process."""
    monkeypatch.setattr(verify, "SPLIT_FROM", 0)
    monkeypatch.setattr(verify_split, "usable", lambda: True)
    monkeypatch.setattr(verify_split, "_fork", verify_split.InProcess)


def singles(path, n: int = 40, ids=None) -> bytes:
    jf = JournalFile(path)
    jf.create("2026-01-01T00:00:00Z")
    for i in range(1, n + 1):
        jf.append([{"id": (ids or {}).get(i, f"01J{i:023d}"), "kind": "note", "title": f"entry {i}"}])
    return path.read_bytes()


def middle_seq(path) -> tuple[int, int]:
    """(#seq, line index) of the record the file is split at."""
    data = path.read_bytes()
    with open(path, "rb") as fh:
        at, seq, _ = verify_split.middle(fh.fileno(), data.find(b"\n") + 1, len(data))
    return seq, data[:at].count(b"\n")


@pytest.mark.parametrize("seed", range(8))
def test_damaged_journals_give_the_one_walks_report(tmp_path, seed):
    rng = random.Random(300 + seed)
    path = tmp_path / "j.json"
    original = build(path, rng, duplicate_ids=seed % 2 == 0, writes=(8, 16))
    taken = {True: 0, False: 0}
    for data in [original] + [damaged(original, rng) for _ in range(40)]:
        path.write_bytes(data)
        expected = one_walk(path)
        if expected is None:
            continue
        got = split_walk(path)
        if got is not None:
            assert got == expected
            taken[got[0].ok] += 1
    # the halves were taken together, failing and (unless ids repeat throughout) passing
    assert taken[False] and (taken[True] or seed % 2 == 0)


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
def test_a_record_altered_at_the_seam_is_named_as_one_walk_names_it(tmp_path, forced, offset):
    """Records around the split line altered in place: in the first half, the second half's
    first record, or after it: the same #seq and problem as one walk."""
    path = tmp_path / "j.json"
    singles(path)
    seq, index = middle_seq(path)
    lines = path.read_bytes().split(b"\n")
    lines[index + offset] = lines[index + offset].replace(b"entry", b"Entry")
    path.write_bytes(b"\n".join(lines))
    expected = one_walk(path)
    assert expected[0].bad_seq == seq + offset
    assert split_walk(path) == expected  # taken together: the break is inside one half
    assert verify.verify_file(path) == expected[0]


def test_a_chain_cut_exactly_at_the_seam_is_named(tmp_path, forced):
    """The split line re-sealed onto another prev_hash: each half holds on its own, the seam
    does not; the first half reads on and names the record there, as one walk does."""
    path = tmp_path / "j.json"
    singles(path)
    seq, index = middle_seq(path)
    lines = path.read_bytes().split(b"\n")
    lines[index] = reseal(lines[index], lambda r: r.update(prev_hash="f" * 64))
    path.write_bytes(b"\n".join(lines))
    expected = one_walk(path)
    assert (expected[0].bad_seq, expected[0].problem) == (seq, "it does not chain to the record before it (a record was removed, inserted or rewritten)")
    assert split_walk(path) == expected  # the first half read on past the middle
    assert verify.verify_file(path) == expected[0]


def test_a_torn_last_line_is_reported_from_the_second_half(tmp_path, forced):
    path = tmp_path / "j.json"
    data = singles(path)
    path.write_bytes(data[:-20])
    expected = one_walk(path)
    assert expected[0].ok and expected[0].torn_tail and expected[0].head_seq == 39
    assert split_walk(path) == expected
    assert verify.verify_file(path) == expected[0]


def test_a_batch_across_the_middle_moves_the_split_past_it(tmp_path, forced):
    """A finished batch across the middle: the split moves to the line after it; the same
    batch cut short by a crash (its last records never written): one walk."""
    path = tmp_path / "j.json"
    jf = JournalFile(path)
    jf.create("2026-01-01T00:00:00Z")
    for i in range(5):
        jf.append([{"id": f"a{i}", "title": "single"}])
    jf.append([{"id": f"b{i}", "title": "batched " * 5} for i in range(30)])  # #6-#35
    for i in range(5):
        jf.append([{"id": f"c{i}", "title": "single"}])
    seq, _ = middle_seq(path)
    assert seq == 36
    expected = one_walk(path)
    assert expected[0].ok and split_walk(path) == expected
    data = path.read_bytes()
    lines = data.split(b"\n")
    path.write_bytes(b"\n".join(lines[:31]) + b"\n")  # #6-#30 of the batch #6-#35
    expected = one_walk(path)
    assert expected[0].ok and expected[0].unfinished == (6, 30, 35)
    assert verify.verify_file(path) == expected[0]


def test_a_batch_whose_record_at_the_middle_denies_it_is_walked_from_the_header(tmp_path, forced):
    """A batch whose record at the middle was re-sealed without its `batch`: the split is made
    there, the first half ends with the batch open, and the whole file is walked again."""
    path = tmp_path / "j.json"
    jf = JournalFile(path)
    jf.create("2026-01-01T00:00:00Z")
    jf.append([{"id": f"b{i}", "title": "batched"} for i in range(40)])
    original = path.read_bytes().split(b"\n")

    def without_batch(at: int) -> bytes:
        lines, prev = list(original), orjson.loads(original[1])["prev_hash"]
        for index in range(1, 41):  # #at without its batch, every record after it re-chained
            record = orjson.loads(lines[index])
            if index == at:
                del record["batch"]
            record["prev_hash"] = prev
            record["hash"] = prev = record_hash(record)
            lines[index] = canonical(record)
        return b"\n".join(lines)

    for at in range(15, 26):  # the one that is then the line at the middle
        path.write_bytes(without_batch(at))
        with open(path, "rb") as fh:
            data = path.read_bytes()
            found = verify_split.middle(fh.fileno(), data.find(b"\n") + 1, len(data))
        if found and found[1] == at:
            break
    else:
        pytest.fail("no record at the middle")
    assert split_walk(path) is None
    expected = one_walk(path)
    assert expected[0].ok and expected[0].head_seq == 40
    assert verify.verify_file(path) == expected[0]


def test_an_id_in_both_halves_is_named_as_one_walk_names_it(tmp_path, forced):
    path = tmp_path / "j.json"
    singles(path, ids={35: f"01J{3:023d}"})  # #3's id
    expected = one_walk(path)
    assert (expected[0].bad_seq, expected[0].problem) == (35, f"its id 01J{3:023d} is used twice")
    assert split_walk(path) == expected  # the first half read on past the middle
    assert verify.verify_file(path) == expected[0]


def test_a_threaded_process_does_not_fork():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not verify_split.usable()
    finally:
        stop.set()
        thread.join()


FORKED = """
import json, sys
from pmjournal.core import verify, verify_split
from pmjournal.core.chain import canonical, record_hash
verify.SPLIT_FROM = 0
verify_split.usable = lambda: True
forks = []
real = verify_split._fork
verify_split._fork = lambda produce: forks.append(1) or real(produce)
out = []
for path in sys.argv[1:]:
    report = verify.verify_file(path)
    out.append({"report": report.__dict__, "forked": len(forks)})
print(json.dumps(out))
"""


def test_a_real_fork_reports_what_one_process_does(tmp_path):
    """In a fresh process (one thread), the second half runs in a forked child: the reports
    and the quick-check memo are those of one walk, passing, failing or cut short."""
    def edit(index, change):
        def apply(data: bytes) -> bytes:
            lines = data.split(b"\n")
            lines[index] = change(lines[index])
            return b"\n".join(lines)

        return apply

    files = []
    for name, change in [
        ("clean", lambda data: data),
        ("late", edit(38, lambda line: line.replace(b"entry", b"Entry"))),
        ("early", edit(3, lambda line: line.replace(b"entry", b"Entry"))),
        ("torn", lambda data: data[:-10]),
        ("twice", edit(33, lambda line: reseal(line, lambda r: r.update(id=f"01J{30:023d}")))),
    ]:
        path = tmp_path / f"{name}.json"
        path.write_bytes(change(singles(path)))
        files.append(path)
    proc = subprocess.run([sys.executable, "-c", FORKED, *map(str, files)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert [r["forked"] for r in results] == [1, 2, 3, 4, 5]
    memos = {path: path.with_name(path.name + ".checked").read_bytes() for path in files if path.with_name(path.name + ".checked").exists()}
    assert set(memos) == {files[0]}  # only a whole chain is remembered (torn passes, with its tail left out)
    for path, result in zip(files, results, strict=True):
        path.with_name(path.name + ".checked").unlink(missing_ok=True)
        expected = verify.verify_file(path)  # in this (threaded) process: one walk
        assert result["report"] == json.loads(json.dumps(expected.__dict__)), path.name
        if path in memos:
            assert path.with_name(path.name + ".checked").read_bytes() == memos[path]
    assert [r["report"]["ok"] for r in results] == [True, False, False, True, False]


CLI = """
import sys
from pmjournal.core import verify, verify_split
verify.SPLIT_FROM = 0
forks = []
real = verify_split._fork
verify_split._fork = lambda produce: forks.append(1) or real(produce)
from pmjournal.cli import main
code = main(["--db", sys.argv[1], "verify"])
print("forks", len(forks))
sys.exit(code)
"""


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2, reason="one CPU: verify checks in one process")
def test_the_cli_verify_splits(tmp_path):
    """`pmjournal verify` runs in a process that may fork (one thread) and does: a thread
    started on its way (a progress display, say) would quietly keep it to one process."""
    path = tmp_path / "j.json"
    singles(path)
    proc = subprocess.run([sys.executable, "-c", CLI, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: 40 records") and proc.stdout.rstrip().endswith("forks 1")
