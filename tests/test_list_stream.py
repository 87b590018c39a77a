"""`list` of every entry and every export stream from the index (issue 16: no command holds
the whole journal): the same bytes as the whole answer made at once, in the same order, in
every format, and the exports' evidence verifies."""

import orjson
import pytest
from clihelp import never_loaded, run_cli, without_generation_time

from pmjournal.core.demo import write_demo
from pmjournal.core.query import Filter
from pmjournal.core.reads import reads_of
from pmjournal.core.store import Journal
from pmjournal.core.transfer import csv_chunks, entries_json_chunks, public

TITLES = ["[/] <b>x</b>", "中文 标题", '"quoted" \\ back', "=1+1", "-2", "@sum(A1)"]
BODIES = ["line\nbreak", "tab\there", "中文\n\n段落", '{"json": [1, 2]}', "", "\\u0000 as text"]


@pytest.fixture
def views(tmp_path):
    journal = Journal(tmp_path / "j.json", user="Pat PM")
    for n, (title, body) in enumerate(zip(TITLES, BODIES, strict=True)):
        values = {"title": title, "tags": [f"t{n}"], "occurred_at": "2026-11-02 10:00"}
        if body:
            values["body"] = body
        journal.add("note", values)
    journal.add("decision", {"title": "Ship", "owner": "Dana", "approved_by": ["Ann", "李娜"]})
    return list(journal.views.values())


@pytest.mark.parametrize("per_chunk", [1, 2, 3, 500])
def test_json_written_in_chunks_is_the_whole_lists_bytes(views, per_chunk):
    whole = orjson.dumps([public(v) for v in views], option=orjson.OPT_INDENT_2) + b"\n"
    assert b"".join(entries_json_chunks(iter(views), per_chunk=per_chunk)) == whole
    assert b"".join(entries_json_chunks(iter([]), per_chunk=per_chunk)) == b"[]\n"


@pytest.mark.parametrize("per_chunk", [1, 2, 1000])
def test_csv_written_in_chunks_is_the_whole_tables_text(views, per_chunk):
    for broken in (None, (3, "hash mismatch")):
        whole = "".join(csv_chunks(views, broken, per_chunk=len(views) + 1))  # one chunk
        assert whole.count("\n") == len(views) + 1 + sum(v.get("body", "").count("\n") for v in views)
        assert "".join(csv_chunks(iter(views), broken, per_chunk=per_chunk)) == whole


def test_the_index_streams_what_it_selects_in_the_same_order(db):
    """Entries at the same minute (the demo has some) keep select()'s order, tie-breaks included."""
    write_demo(Journal(db, user="Pat PM"))
    journal = Journal(db, user="Pat PM")
    journal.add("note", {"title": "Same minute A", "occurred_at": "2026-11-02 10:00"})
    journal.add("note", {"title": "Same minute B", "occurred_at": "2026-11-02 10:00"})
    reads = reads_of(Journal(db, user="Pat PM"))
    try:
        assert hasattr(reads, "db"), "the index serves these reads"
        for filt in (Filter(), Filter(include_retracted=True), Filter(kinds=("decision",)), Filter(search="launch")):
            assert [v["id"] for v in reads.stream(filt, chunk=3)] == [v["id"] for v in reads.select(filt)]
    finally:
        reads.close()


@pytest.mark.parametrize("fmt", [[], ["--format", "json"], ["--format", "csv"]])
def test_list_gives_the_same_with_and_without_the_index(db, fmt):
    write_demo(Journal(db, user="Pat PM"))
    streamed = run_cli("--db", str(db), "list", "--include-retracted", *fmt, check=True).stdout
    whole = run_cli("--db", str(db), "list", "--include-retracted", *fmt, env={"PMJOURNAL_INDEX": "off"}, check=True).stdout
    assert streamed == whole
    assert streamed.count("\n") > 40


def test_a_csv_export_streams_the_same_table(db, tmp_path):
    write_demo(Journal(db, user="Pat PM"))
    streamed = run_cli("--db", str(db), "export", "--format", "csv", "--include-retracted", check=True).stdout
    whole = run_cli(
        "--db", str(db), "export", "--format", "csv", "--include-retracted", env={"PMJOURNAL_INDEX": "off"}, check=True
    ).stdout
    assert streamed == whole and streamed.count("\n") > 40


def test_a_json_export_streams_the_same_document_and_evidence(db, tmp_path):
    """Entries as the index yields them, records read by offset, the evidence from each
    record's chain, #seq and hash: the same export as the journal loaded whole, and it verifies."""
    write_demo(Journal(db, user="Pat PM"))
    streamed, whole = tmp_path / "streamed.json", tmp_path / "whole.json"
    run_cli("--db", str(db), "export", "--format", "json", "--include-retracted", "-o", str(streamed), check=True)
    run_cli(
        "--db", str(db), "export", "--format", "json", "--include-retracted", "-o", str(whole),
        env={"PMJOURNAL_INDEX": "off"}, check=True,
    )  # fmt: skip
    a, b = streamed.read_text(encoding="utf-8"), whole.read_text(encoding="utf-8")
    assert without_generation_time(a) == without_generation_time(b)
    assert '"records": [' in a and '"evidence": {' in a
    assert "ok" in run_cli("--db", str(db), "verify", "--evidence", str(streamed), check=True).stdout


# Every entry, retracted ones too; the incidents alone (their links and cause traces point at
# entries outside the export); a search.
MARKDOWN_EXPORTS = (["--include-retracted"], ["--kind", "incident"], ["--search", "launch"])


def test_a_markdown_export_streams_the_same_document_and_evidence(db, tmp_path):
    """Entries as the index yields them, the header, contents, summary and open loops counted
    as they pass, links outside the export looked up one by one, the appendix's records read
    by offset: the same document as the journal loaded whole, and it verifies."""
    write_demo(Journal(db, user="Pat PM"))
    for n, args in enumerate(MARKDOWN_EXPORTS):
        streamed, whole = tmp_path / f"streamed{n}.md", tmp_path / f"whole{n}.md"
        run_cli("--db", str(db), "export", *args, "-o", str(streamed), check=True)
        run_cli("--db", str(db), "export", *args, "-o", str(whole), env={"PMJOURNAL_INDEX": "off"}, check=True)
        a, b = streamed.read_text(encoding="utf-8"), whole.read_text(encoding="utf-8")
        assert without_generation_time(a) == without_generation_time(b), args
        assert "ok" in run_cli("--db", str(db), "verify", "--evidence", str(streamed), check=True).stdout
    assert "(not in this export)" in (tmp_path / "streamed1.md").read_text(encoding="utf-8")


def test_a_whole_export_or_who_holds_neither_the_journal_nor_its_selection(db, tmp_path, monkeypatch):
    """What a Markdown or JSON export of every entry, and `who` over a filter or for one person,
    read: the index a chunk at a time, never the journal loaded and folded whole, nor the
    selection as one list (select())."""
    from pmjournal.core.index.reads import IndexedReads

    write_demo(Journal(db, user="Pat PM"))
    run_cli("--db", str(db), "list", check=True)  # the index is built

    with never_loaded(monkeypatch, (IndexedReads, "select")):
        for fmt in ("markdown", "json"):
            run_cli("--db", str(db), "export", "--format", fmt, "-o", str(tmp_path / f"all.{fmt}"), check=True)
        assert "Dana Whitfield" in run_cli("--db", str(db), "who", "--since", "2000-01-01", check=True).stdout
        assert "owner" in run_cli("--db", str(db), "who", "Dana Whitfield", "--format", "json", check=True).stdout
    for fmt in ("markdown", "json"):
        assert "ok" in run_cli("--db", str(db), "verify", "--evidence", str(tmp_path / f"all.{fmt}"), check=True).stdout


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_an_export_is_of_one_state_of_the_journal_while_another_process_appends(db, tmp_path, monkeypatch, fmt):
    """An amendment recorded, and the index brought up to date by another command, while an
    export is half written: the export's records and proofs are still of the state its header
    and entries were read from (one read transaction, IndexedReads.snapshot), so it verifies."""
    from pmjournal.core.evidence import attach

    write_demo(Journal(db, user="Pat PM"))
    run_cli("--db", str(db), "list", check=True)  # the index is built
    real = attach.exported_records

    done = []

    def meanwhile(journal, filt, views=None):
        if not done:  # (the JSON export asks twice: for its records, then for its proofs)
            other = Journal(db, user="Dana Whitfield")
            first = min(other.views.values(), key=lambda v: v["seq"])
            done.append(other.amend(first["id"], {"title": "changed during the export"}, "meanwhile"))
            reads_of(Journal(db, user="Dana Whitfield")).close()  # another command catches the index up
        return real(journal, filt, views)

    monkeypatch.setattr(attach, "exported_records", meanwhile)
    out = tmp_path / f"during.{fmt}"
    run_cli("--db", str(db), "export", "--format", fmt, "-o", str(out), check=True)
    monkeypatch.setattr(attach, "exported_records", real)
    assert "changed during the export" not in out.read_text(encoding="utf-8")
    assert "ok" in run_cli("--db", str(db), "verify", "--evidence", str(out), check=True).stdout


def test_a_temporary_folder_that_cannot_be_written_stops_an_export_in_one_line(db, tmp_path, monkeypatch):
    """The kept selection is a SQLite temp table; when it cannot be written (the temporary folder
    full) the export says so in one line and writes nothing."""
    import sqlite3

    from pmjournal.core.index import reads

    write_demo(Journal(db, user="Pat PM"))

    def full(self, *args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(reads.KeptRecords, "__init__", full)
    out = tmp_path / "all.md"
    proc = run_cli("--db", str(db), "export", "-o", str(out))
    assert proc.returncode == 1 and not out.exists()
    assert proc.stderr.strip().splitlines() == [
        "pmjournal: the export's selection could not be kept in a temporary file: database or disk is full"
    ]


def test_amending_one_impact_part_reads_only_that_entry(db, monkeypatch):
    """`amend --impact-cost` keeps the other parts of the change's impact: it reads them from
    the entry's own records, never by loading and folding the whole journal."""
    write_demo(Journal(db, user="Pat PM"))
    run_cli(
        "--db", str(db), "add", "change", "Scope grew", "--owner", "Sam", "--requested-by", "Acme",
        "--impact-scope", "+1 screen", "--impact-schedule", "+2 weeks", check=True,
    )  # fmt: skip
    seq = max(v["seq"] for v in Journal(db, user="Pat PM").views.values())

    with never_loaded(monkeypatch):
        run_cli("--db", str(db), "amend", f"#{seq}", "--impact-cost", "1 dev-month", "--reason", "costed", check=True)
    shown = orjson.loads(run_cli("--db", str(db), "show", f"#{seq}", "--format", "json", check=True).stdout)
    assert shown["impact"] == {"scope": "+1 screen", "schedule": "+2 weeks", "cost": "1 dev-month"}


def test_on_a_terminal_only_the_retracted_rows_are_struck_through(db):
    """`list` on a terminal dims and strikes the rows of retracted entries, and no other
    (the rows stream: each line is marked by the entry it was drawn from)."""
    import os
    import pty
    import subprocess
    import sys

    journal = Journal(db, user="Pat PM")
    for n in range(1, 6):
        journal.add("note", {"title": f"note {n}", "occurred_at": f"2026-11-0{n} 10:00"})
    journal.retract("#2", reason="wrong day")
    journal.retract("#5", reason="duplicate")
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "pmjournal", "--db", str(db), "list", "--include-retracted"],
            stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=60, check=True,
        )  # fmt: skip
        os.close(follower)
        shown = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: everything is read
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
    lines = [line for line in shown.decode().splitlines() if "note " in line]
    assert len(lines) == 5
    struck = sorted(line.split()[0].removeprefix("\x1b[2;9m") for line in lines if line.startswith("\x1b[2;9m"))
    assert struck == ["#2", "#5"]
