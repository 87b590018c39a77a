"""`pmjournal add` as a process seals and writes its record with the standard library's json
(orjson is not loaded: core/chain.py). What it writes must be, byte for byte, what the
orjson path writes for the same record, and must verify; what the text rules refuse is
refused before anything is written, as before."""

import hashlib

import orjson
from clihelp import ok, refused


def orjson_canonical(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


HOSTILE = [
    # (title, body, other options)
    ("产品经理背锅：决策失误", "背景\n\t• 第一条\n\t• 第二条", ["--owner", "张伟", "--tag", "定价"]),
    ("Emoji 🙂👍🏽 👨‍👩‍👧 🏴󠁧󠁢󠁳󠁣󠁴󠁿", "✅ shipped 🚀\n", ["--owner", "Dana 🙂", "--project", "Ω-project"]),
    ('Quotes " \' and \\ backslashes \\\\ \\" \\u0041 \\n', 'body "quoted" \\ \\\\\n', ["--owner", 'O\'Brien "Bob"']),
    ("Separators in the body", "line\u2028separator\u2029paragraph\ufeffBOM \u200b zero-width\r\nCRLF\rCR", ["--owner", "Lee"]),
    ("Tabs\tin a title", "\tindented\t", ["--owner", "Lee", "--evidence", "https://example.com/a?b=c&d=\"e\"#f"]),
    ("</script><!-- & < > ` $ { }", "x" * 20_000, ["--owner", "Sam", "--option", "A \\ B", "--option", "中"]),
    ("Astral 𠀀 𝄞 \U0010fffd", "\U0001f600" * 500, ["--owner", "Kim", "--review-by", "2099-12-24"]),
]


def imported(proc) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def check_file(db) -> list[dict]:
    """Every line of the journal is orjson's canonical form of what it holds, and chains."""
    data = db.read_bytes()
    assert data.endswith(b"\n")
    header, *lines = data[:-1].split(b"\n")
    assert orjson_canonical(orjson.loads(header)) == header
    prev = hashlib.sha256(header).hexdigest()
    records = []
    for line in lines:
        record = orjson.loads(line)
        assert orjson_canonical(record) == line
        body = {k: v for k, v in record.items() if k != "hash"}
        assert record["prev_hash"] == prev
        assert record["hash"] == hashlib.sha256(prev.encode() + orjson_canonical(body)).hexdigest()
        prev = record["hash"]
        records.append(record)
    return records


def test_hostile_adds_write_orjsons_bytes(tmp_path, cli, cli_process):
    db = tmp_path / "journal.json"
    # A first record written in this process, where orjson is loaded: the orjson path.
    ok(cli("--db", str(db), "add", "note", "Written by orjson", "--body", "中文 🙂 \\ \""))
    for title, body, options in HOSTILE:
        proc = cli_process(
            "--db", str(db), "add", "decision", title, "--body", "-", *options, input=body, env={"PYTHONPROFILEIMPORTTIME": "1"}
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "orjson" not in imported(proc)  # the standard library wrote it
    records = check_file(db)
    assert [r["title"] for r in records] == ["Written by orjson", *(title for title, _, _ in HOSTILE)]
    # What was typed is what was stored, carriage returns included.
    assert [r["body"] for r in records[1:]] == [body for _, body, _ in HOSTILE]
    assert ok(cli_process("--db", str(db), "verify")).startswith("ok: 8 records")
    # And a later add in this process (orjson) chains on to them.
    ok(cli("--db", str(db), "add", "note", "Written by orjson again"))
    check_file(db)
    assert ok(cli_process("--db", str(db), "verify")).startswith("ok: 9 records")


def test_what_the_text_rules_refuse_writes_nothing(tmp_path, cli_process):
    db = tmp_path / "journal.json"
    ok(cli_process("--db", str(db), "add", "note", "First"))
    before = db.read_bytes()
    # Undecodable bytes arrive as lone surrogates, which neither encoder may write.
    refused(cli_process("--db", str(db), "add", "note", b"bad \xff byte".decode("utf-8", "surrogateescape")), "not UTF-8")
    refused(cli_process("--db", str(db), "add", "note", "bidi \u202e override"), "U+202E")
    refused(cli_process("--db", str(db), "add", "note", "separator \u2028 in a title"), "U+2028")
    assert db.read_bytes() == before
