"""`import` streams (issue 16): the file is read a line at a time (any other layout of the
same JSON still reads, and gives the same journal), the journal is never loaded, what is
taken is one batch written as it goes, and anything refused, cut short or interrupted
leaves the journal exactly as it was. The progress bar shows only on a terminal."""

import io
import json
import os

import orjson
import pytest
from clihelp import ok, refused

from pmjournal.core import dates, transfer
from pmjournal.core.errors import PmjournalError, ValidationError
from pmjournal.core.jsonstream import JsonStream, NotJSON
from pmjournal.core.store import Journal
from pmjournal.core.verify import verify_file

DAY = "2026-11-0{}T10:00:00+08:00"


def _source(tmp_path, n=40) -> Journal:
    """A journal with every kind of correction, links back and forward, and Chinese text."""
    src = Journal(tmp_path / "src.json", user="Source PM")
    first = src.add(
        "decision", {"title": "Ship v2", "owner": "Dana", "approved_by": ["王芳", "Sam"], "occurred_at": DAY.format(1)}
    )
    talk = src.add(
        "communication",
        {
            "title": "Sync",
            "owner": "Sam",
            "follow_up_by": DAY.format(5),
            "occurred_at": DAY.format(2),
            "body": "客户要求\n第二行",
        },
    )
    # The notes are checked and stamped as `add` does, and written in one batch: thousands of
    # locked, fsynced writes cost seconds, and the import tests are not about `add`.
    src.append_raw(
        [src._stamp(src.prepare("note", {"title": f"note {i}", "tags": ["q4", "ux"], "occurred_at": DAY.format(3)})) for i in range(n)]
    )
    src.add("incident", {"title": "Outage", "occurred_at": DAY.format(4)}, links={"caused_by": [first["id"]]})
    src.amend(first["id"], {"owner": "Marcus"}, "the reorg")
    src.close_loop(talk["id"], state="done", occurred_at=DAY.format(4), by="Sam")
    src.retract(f"#{len(src) - 2}", "entered twice")
    return src


def _export(tmp_path, src: Journal, name="e.json"):
    out = tmp_path / name
    from pmjournal.core.query import Filter

    out.write_bytes(transfer.render(src, Filter(include_retracted=True), "json"))
    return out


@pytest.fixture(scope="session")
def large_export(tmp_path_factory):
    """`large_export(tmp_path, n)`: a copy, as tmp_path/e.json, of the export of `_source(n)`.

    Building a source of thousands of entries is thousands of locked, fsynced adds (seconds
    each time); the tests only read or damage the export, so each size is built once per
    run and shared by the xdist workers (pytest-xdist's documented file-lock recipe)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base

    def make(tmp_path, n):
        built = shared / f"import-stream-export-{n}.json"
        with FileLock(str(built) + ".lock"):
            if not built.is_file():
                folder = shared / f"import-stream-source-{n}"
                folder.mkdir(exist_ok=True)
                _export(folder, _source(folder, n=n)).replace(built)
        out = tmp_path / "e.json"
        out.write_bytes(built.read_bytes())
        return out

    return make


def _content(path) -> list[dict]:
    """The journal's records less what an import stamps afresh (when, the chain)."""
    rows = []
    for line in path.read_bytes().splitlines()[1:]:
        record = orjson.loads(line)
        for key in ("recorded_at", "hash", "prev_hash"):
            record.pop(key)
        record["imported"].pop("file")
        rows.append(record)
    return rows


def _import(tmp_path, source, name, **kwargs):
    journal = Journal(tmp_path / name, user="Importer")
    return journal, transfer.import_file(journal, source, **kwargs)


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# -- one line a record, and every other layout of the same JSON ------------------------


def test_the_export_writes_one_record_a_line(tmp_path):
    out = _export(tmp_path, _source(tmp_path))
    lines = out.read_bytes().split(b"\n")
    start = lines.index(b'  "records": [')
    records = json.loads(out.read_bytes())["records"]
    for i, record in enumerate(records):
        assert orjson.loads(lines[start + 1 + i].strip().rstrip(b",")) == record
    assert lines[start + 1 + len(records)] == b"  ],"


@pytest.mark.parametrize(
    "layout",
    [
        lambda d: json.dumps(d),  # one line
        lambda d: json.dumps(d, indent=2, ensure_ascii=False),  # a record over many lines
        lambda d: json.dumps(d, indent="\t", sort_keys=True),  # the chain head after the records
        lambda d: json.dumps({k: d[k] for k in reversed(list(d))}, separators=(",", ":")),  # records first
        lambda d: "\n\n" + json.dumps(d, indent=1).replace(",\n", "\n,") + "\n\n",
    ],
    ids=["one-line", "indented", "sorted-keys", "reversed", "commas-first"],
)
def test_every_layout_of_the_same_export_gives_the_same_journal(tmp_path, layout):
    src = _source(tmp_path)
    out = _export(tmp_path, src)
    _, counts = _import(tmp_path, out, "lines.json")
    other = tmp_path / "other.json"
    other.write_text(layout(json.loads(out.read_bytes())), encoding="utf-8")
    journal, again = _import(tmp_path, other, "layout.json")
    assert counts == again == (len(src), 0)
    assert _content(tmp_path / "lines.json") == _content(tmp_path / "layout.json")
    assert verify_file(journal.path).ok


def test_an_import_keeps_what_the_file_claimed_and_records_it_afresh(tmp_path):
    src = _source(tmp_path)
    out = _export(tmp_path, src)
    journal, (added, skipped) = _import(tmp_path, out, "j.json")
    assert (added, skipped) == (len(src), 0)
    mine = Journal(journal.path).records()
    head = {"seq": len(src), "hash": src.records()[-1]["hash"]}
    for theirs, record in zip(src.records(), mine, strict=True):
        assert record["imported"] == {
            "file": str(out),
            "format": "pmjournal-export",
            "head": head,
            "seq": theirs["seq"],
            "recorded_at": theirs["recorded_at"],
            "recorded_by": "Source PM",
        }
        assert record["recorded_by"] == "Importer" and record["id"] == theirs["id"]
        assert record["batch"] == [1, len(src)]
    views = Journal(journal.path).views
    assert {v["id"]: (v["title"], v.get("owner"), bool(v["retracted"])) for v in views.values()} == {
        v["id"]: (v["title"], v.get("owner"), bool(v["retracted"])) for v in src.views.values()
    }


def test_importing_twice_skips_everything_and_writes_nothing(tmp_path):
    out = _export(tmp_path, _source(tmp_path))
    journal, (added, _) = _import(tmp_path, out, "j.json")
    before = _files(tmp_path)
    assert transfer.import_file(Journal(journal.path), out) == (0, added)
    assert _files(tmp_path) == before


def test_the_journal_is_not_loaded_to_learn_its_ids(tmp_path):
    out = _export(tmp_path, _source(tmp_path))
    journal, _ = _import(tmp_path, out, "j.json")
    fresh = Journal(journal.path)
    transfer.import_file(fresh, out)
    assert not fresh.storage.loaded


def test_a_link_to_an_entry_further_on_in_the_file_is_taken(tmp_path, forge):
    src = _source(tmp_path)
    out = _export(tmp_path, src)
    data = json.loads(out.read_bytes())
    last_note = [r for r in data["records"] if r["kind"] == "note"][-1]
    data["records"][0]["links"] = [{"rel": "relates", "to": last_note["id"]}]
    forge(out, data)
    journal, (added, _) = _import(tmp_path, out, "j.json")
    assert added == len(src)
    assert journal.views[data["records"][0]["id"]]["links"] == [{"rel": "relates", "to": last_note["id"]}]


def test_records_out_of_seq_order_are_checked_as_a_whole(tmp_path):
    src = Journal(tmp_path / "src.json", user="Source PM")
    for i in range(30):
        src.add("note", {"title": f"n{i}", "occurred_at": DAY.format(1)})
    out = _export(tmp_path, src)
    data = json.loads(out.read_bytes())
    data["records"].reverse()  # every hash still holds, and #n, #n+1 still chain
    out.write_text(json.dumps(data))
    journal, (added, _) = _import(tmp_path, out, "j.json")
    assert added == 30
    assert [r["title"] for r in journal.records()] == [f"n{i}" for i in reversed(range(30))]
    data["records"].append(data["records"][3])
    out.write_text(json.dumps(data))
    with pytest.raises(PmjournalError, match=r"record 31 \(#27\) appears twice"):
        _import(tmp_path, out, "k.json")


def test_a_record_that_does_not_chain_is_named(tmp_path):
    src = Journal(tmp_path / "src.json", user="Source PM")
    for i in range(10):
        src.add("note", {"title": f"n{i}", "occurred_at": DAY.format(1)})
    out = _export(tmp_path, src)
    data = json.loads(out.read_bytes())
    from pmjournal.core.chain import record_hash

    record = data["records"][5]
    record["title"] = "rewritten"
    record["hash"] = record_hash(record)  # resealed alone: #7 no longer chains to it
    out.write_text(json.dumps(data))
    with pytest.raises(PmjournalError, match="#7 does not chain to #6"):
        _import(tmp_path, out, "j.json")
    assert not (tmp_path / "j.json").exists()


# -- refused, cut short, interrupted: the journal as it was ----------------------------


@pytest.fixture
def target(tmp_path):
    """A journal holding something already, and its files' bytes."""
    journal = Journal(tmp_path / "target" / "journal.json", user="Importer")
    journal.add("note", {"title": "before"})
    return journal


def _unchanged(journal, before):
    assert _files(journal.path.parent) == before
    assert verify_file(journal.path).ok


def test_a_bad_record_in_the_middle_changes_nothing(tmp_path, target, forge, cli, large_export):
    out = large_export(tmp_path, 3000)
    data = json.loads(out.read_bytes())
    middle = len(data["records"]) // 2
    data["records"][middle]["title"] = "bad \x1b[2J title"
    forge(out, data)
    before = _files(target.path.parent)
    proc = cli("--db", str(target.path), "import", str(out))
    refused(proc, f"record {middle + 1} ({data['records'][middle]['id']}): title contains a control character")
    assert "nothing was imported" in proc.stderr
    _unchanged(target, before)


def test_a_link_to_nothing_found_at_the_end_changes_nothing(tmp_path, target, forge, large_export):
    out = large_export(tmp_path, 3000)
    data = json.loads(out.read_bytes())
    data["records"][10]["links"] = [{"rel": "relates", "to": "01NOSUCHENTRYXXXXXXXXXXXXX"}]
    forge(out, data)
    before = _files(target.path.parent)
    with pytest.raises(PmjournalError, match=r"record 11 .*neither in the journal nor in the file.*nothing was imported"):
        transfer.import_file(target, out)
    _unchanged(target, before)


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_not_valid_json_and_changes_nothing(tmp_path, target, cli, cut, large_export):
    out = large_export(tmp_path, 300)
    data = out.read_bytes()
    out.write_bytes(data[: int(len(data) * cut)])
    before = _files(target.path.parent)
    refused(cli("--db", str(target.path), "import", str(out)), "is not valid JSON")
    _unchanged(target, before)


def test_bytes_after_the_document_are_refused(tmp_path, target):
    out = _export(tmp_path, _source(tmp_path, n=3))
    out.write_bytes(out.read_bytes() + b'{"records": []}\n')
    with pytest.raises(PmjournalError, match="is not valid JSON"):
        transfer.import_file(target, out)


def test_a_member_twice_is_refused(tmp_path, target):
    out = _export(tmp_path, _source(tmp_path, n=3))
    text = out.read_text()
    out.write_text(text[:-2] + ',\n  "records": []\n}\n')
    with pytest.raises(PmjournalError, match="has 'records' twice"):
        transfer.import_file(target, out)


def test_an_import_stopped_part_way_leaves_the_journal_as_it_was(tmp_path, target, large_export):
    """Whatever stops the write (here: an interrupt from the progress callback, after
    thousands of records were written), the journal is cut back to its bytes."""
    out = large_export(tmp_path, 5000)
    before = _files(target.path.parent)
    seen = []

    def progress(phase, done, total):
        seen.append(phase)
        if phase == "importing" and done >= 4000:
            size = target.path.stat().st_size
            assert size > len(before["journal.json"]) + 1_000_000  # written as it goes
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        transfer.import_file(target, out, progress=progress)
    assert "checking" in seen
    _unchanged(target, before)
    assert [r["title"] for r in Journal(target.path).records()] == ["before"]


def test_a_batch_cut_by_a_crash_is_left_out_and_set_aside(tmp_path, target, cli, large_export):
    """The bytes a kill -9 part-way through the write would leave: the batch's first
    records, correctly chained, without its last. Readers leave them out; the next write
    moves them aside."""
    out = large_export(tmp_path, 3000)
    before = target.path.read_bytes()
    transfer.import_file(Journal(target.path), out)
    whole = target.path.read_bytes()
    target.path.write_bytes(whole[: len(before) + (len(whole) - len(before)) // 2])
    assert [r["title"] for r in Journal(target.path).records()] == ["before"]
    assert verify_file(target.path).ok
    ok(cli("--db", str(target.path), "import", str(out)))
    assert [p for p in target.path.parent.iterdir() if ".unfinished-" in p.name]
    assert len(Journal(target.path).records()) == 1 + len(json.loads(out.read_bytes())["records"])
    assert verify_file(target.path).ok


def test_a_file_changed_while_it_was_imported_changes_nothing(tmp_path, target, large_export):
    out = large_export(tmp_path, 3000)
    before = _files(target.path.parent)

    def progress(phase, done, total):
        if phase == "importing" and done >= 2000:
            with open(out, "r+b") as fh:  # another program writes into the file
                fh.seek(10)
                fh.write(b" ")

    with pytest.raises(PmjournalError, match="changed while it was imported"):
        transfer.import_file(target, out, progress=progress)
    _unchanged(target, before)


# -- team journals ---------------------------------------------------------------------


def test_a_team_export_is_taken_in_the_teams_order(tmp_path):
    """Dana amends Bob's entry: her amendment is in her chain (the file's `records`), the
    entry in Bob's (`chains`), later in the file; the clocks put the entry first."""
    from teamhelp import cli as team_cli
    from teamhelp import team_of

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("note", {"title": "Dana first"})
    dana.sync()
    risk = bob.journal().add("risk", {"title": "Vendor", "owner": "Bob"})
    bob.sync()
    dana.sync()
    dana.journal().amend(risk["id"], {"owner": "Dana"}, "she owns it now")
    out = tmp_path / "team.json"
    ok(team_cli(dana, "export", "--format", "json", "--include-retracted", "-o", str(out)))
    data = json.loads(out.read_text())
    assert [r["kind"] for r in data["records"]] == ["note", "amendment"]
    journal, (added, skipped) = _import(tmp_path, out, "elsewhere.json")
    assert (added, skipped) == (3, 0)
    assert [r["kind"] for r in journal.records()] == ["note", "risk", "amendment"]
    assert journal.views[risk["id"]]["owner"] == "Dana"
    assert journal.records()[1]["imported"]["head"] == data["chains"]["bob"]["chain_head"]


def test_chains_of_several_megabytes_are_merged_record_by_record(tmp_path):
    """A team export whose chains each span many 1 MB reads: each chain is read by its own
    stream, interleaved by (clock, #seq), and none disturbs another's place in the file."""
    chains = {}
    for name in ("own", "bob", "cy"):
        src = Journal(tmp_path / f"{name}.json", user=name)
        src.append_raw(
            [
                {
                    "kind": "note",
                    "title": f"{name} {i}",
                    "body": f"{name} " * 300,
                    "occurred_at": DAY.format(1),
                    "id": f"01K{name.upper():0>3}{i:020d}",
                    "recorded_at": "2026-11-01T10:00:00+00:00",
                    "recorded_by": name,
                }
                for i in range(1500)
            ]
        )
        records = src.records()
        chains[name] = {"chain_head": {"seq": records[-1]["seq"], "hash": records[-1]["hash"]}, "records": records}
    own = chains.pop("own")
    out = tmp_path / "team.json"
    out.write_bytes(
        orjson.dumps({"format": "pmjournal-export", "version": 1, **own, "chains": chains}, option=orjson.OPT_INDENT_2)
    )
    assert out.stat().st_size > 6_000_000
    journal, (added, _) = _import(tmp_path, out, "j.json")
    assert added == 4500
    titles = [r["title"] for r in Journal(journal.path).records()]
    assert titles == [f"{name} {i}" for i in range(1500) for name in ("own", "bob", "cy")]


def test_streams_on_one_file_keep_their_own_places(tmp_path):
    path = tmp_path / "d.json"
    doc = {"a": [{"n": i, "pad": "x" * 900} for i in range(3000)], "b": [{"m": i, "pad": "y" * 700} for i in range(3000)]}
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    with open(path, "rb") as fh:
        walk = JsonStream(fh)
        starts = {}
        for key in walk.members():
            starts[key] = walk.offset if walk.peek() == ord("[") else None
            walk.skip()
        a, b = JsonStream(fh, starts["a"]).values(), JsonStream(fh, starts["b"]).values()
        pairs = list(zip(a, b, strict=True))
    assert pairs == list(zip(doc["a"], doc["b"], strict=True))


# -- the progress bar ------------------------------------------------------------------


def test_progress_is_reported_while_checking_and_importing(tmp_path, large_export):
    out = large_export(tmp_path, 5000)
    calls = []
    _import(tmp_path, out, "j.json", progress=lambda *a: calls.append(a))
    checking = [c for c in calls if c[0] == "checking"]
    importing = [c for c in calls if c[0] == "importing"]
    assert checking and checking[-1][2] == out.stat().st_size
    assert all(a[1] <= b[1] for a, b in zip(checking, checking[1:], strict=False))
    assert importing[-1][1] == importing[-1][2] == 5000 + 6
    calls.clear()
    transfer.import_file(Journal(tmp_path / "j.json"), out, progress=lambda *a: calls.append(a))
    reading = [c for c in calls if c[0] == "reading"]
    assert reading and all(0 < done <= total == (tmp_path / "j.json").stat().st_size for _, done, total in reading)
    assert not [c for c in calls if c[0] == "importing"]  # everything was there already


def test_no_progress_bar_on_a_pipe(tmp_path, cli, monkeypatch, large_export):
    from pmjournal.cli import progress

    monkeypatch.setattr(progress, "AFTER", 0.0)
    out = large_export(tmp_path, 3000)
    proc = cli("--db", str(tmp_path / "j.json"), "import", str(out))
    assert proc.stdout == f"imported {3006} records, skipped 0 already present\n"
    assert proc.stderr == ""


def test_the_progress_bar_on_a_terminal(tmp_path, monkeypatch, large_export):
    """On a terminal (a pty), after the delay, a bar is drawn on standard error; the
    command's own output is unchanged."""
    import pty

    from pmjournal.cli import progress

    monkeypatch.setattr(progress, "AFTER", 0.0)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    out = large_export(tmp_path, 3000)
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", encoding="utf-8", closefd=False) as tty:
            bar = progress.Progress("e.json", stream=tty)
            assert bar.enabled
            with bar:
                _import(tmp_path, out, "j.json", progress=bar)
            tty.flush()
        os.set_blocking(leader, False)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        os.close(follower)
    text = shown.decode("utf-8", "replace")
    assert "checking e.json" in text and "importing" in text and "records" in text


def test_no_bar_when_the_command_is_quick(monkeypatch):
    from pmjournal.cli import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("TERM", "xterm")
    stream = Terminal()
    with progress.Progress("e.json", stream=stream, after=60) as bar:
        bar("checking", 10, 100)
        bar("importing", 1, 2)
    assert stream.getvalue() == ""
    plain = io.StringIO()
    with progress.Progress("e.json", stream=plain, after=0) as bar:
        assert not bar.enabled
        bar("importing", 1, 2)
    assert plain.getvalue() == ""


# -- the pieces ------------------------------------------------------------------------


def _documents():
    yield {"a": 1, "b": [1, 2.5, -3e5, True, False, None], "c": {"d": "é中\u2028", "e": []}, "f": {}}
    yield [{"x": '\\"quoted"', "y": [[[]]]}, "plain", 12, "😀"]
    yield {"leaves": ["a" * 64 for _ in range(3000)] + ["b\\n", "c"], "k": "v"}
    yield {"records": [{"id": str(i), "body": "x" * (i * 37 % 5000)} for i in range(300)]}
    yield "just a string"
    yield 0


@pytest.mark.parametrize("indent", [None, 2, "\t"])
@pytest.mark.parametrize("doc", list(_documents()), ids=lambda d: type(d).__name__)
def test_jsonstream_reads_what_json_reads(tmp_path, doc, indent):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, indent=indent, ensure_ascii=indent is None))
    with open(path, "rb") as fh:
        stream = JsonStream(fh)
        assert stream.value() == doc
        stream.end()
    with open(path, "rb") as fh:
        stream = JsonStream(fh)
        stream.skip()
        stream.end()
    if isinstance(doc, dict):
        with open(path, "rb") as fh:
            stream = JsonStream(fh)
            walked = {}
            for key in stream.members():
                if stream.peek() == ord("["):
                    walked[key] = list(stream.values())
                else:
                    walked[key] = stream.value()
            stream.end()
        assert walked == doc


def test_jsonstream_refuses_every_cut_and_damage(tmp_path):
    text = json.dumps({"a": [1, {"b": "c\\u00e9"}, "d"], "e": {"f": None}}, indent=1).encode()
    path = tmp_path / "d.json"
    for end in range(len(text)):
        path.write_bytes(text[:end])
        with open(path, "rb") as fh, pytest.raises(NotJSON):
            stream = JsonStream(fh)
            stream.skip()
            stream.end()
    for bad in (b'{"a": [1,]}', b'{"a" 1}', b'{"a": 1,}', b"[1 2]", b'{"a": tru}', b"[NaN]", b'{"a": "\xff"}', b"[" * 2000):
        path.write_bytes(bad)
        with open(path, "rb") as fh, pytest.raises(NotJSON):
            stream = JsonStream(fh)
            stream.skip()
            stream.end()


def test_stored_dates_read_as_dateutil_reads_them():
    import random

    rng = random.Random(16)
    for _ in range(3000):
        year = rng.choice([1, 2, 99, 1000, 1970, 2026, 9999, rng.randint(1, 9999)])
        text = (
            f"{year:04d}-{rng.choice([1, 2, 12, 13]):02d}-{rng.choice([1, 28, 29, 30, 31, 32]):02d}"
            f"T{rng.choice([0, 23, 24]):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d}"
            f"{rng.choice('+-')}{rng.choice([0, 8, 14, 23, 24]):02d}:{rng.choice([0, 30, 59, 60]):02d}"
        )
        try:
            fast = dates.iso_when(text)
        except ValidationError as err:
            fast = str(err)
        try:
            when = dates.parse_when(text)
            first, last = dates._YEARS  # what iso_when keeps, either way (a year 1 date broke every read)
            slow = dates.iso(when) if first <= when.year <= last else f"the date {text!r} is out of range: pmjournal keeps dates from the year {first} to {last}"
        except ValidationError as err:
            slow = str(err)
        assert fast == slow, text
