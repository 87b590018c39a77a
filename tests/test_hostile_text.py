"""Whatever a user types is stored and shown exactly as typed."""

import json

import pytest
from rich.cells import cell_len

HOSTILE = [
    "[/]",
    "[bold red]x[/bold red]",
    "<script>alert(1)</script>",
    "a | b | c",
    "中文标题：需求变更",
    "emoji 🚀✅",
    "\\",
    "[link=http://evil]x[/link]",
    "%s %d {0} {title}",
    "' OR 1=1 --",
]  # bidi overrides and control characters are refused, not stored: tests/test_text_rules.py


@pytest.mark.parametrize("title", HOSTILE)
def test_titles_round_trip_and_show_literally(cli, title):
    body = f"line one {title}\n\nline three | {title}\n" + "长" * 10_000
    proc = cli("add", "decision", title, "--owner", title.strip() or "x", "--body", "-", input=body)
    assert proc.returncode == 0, proc.stderr
    [entry] = json.loads(cli("list", "--format", "json").stdout)
    assert entry["title"] == title and entry["body"] == body and entry["owner"] == title
    for args in (("list",), ("show", "1")):
        assert title in cli(*args, env={"COLUMNS": "160"}).stdout, args
    assert title[:8] in cli("who").stdout
    assert cli("verify").returncode == 0


def test_cjk_columns_align_in_the_table(cli):
    cli("add", "decision", "中文标题很长很长", "--owner", "张伟", "--approved-by", "李娜", check=True)
    cli("add", "decision", "ascii title", "--owner", "Bob", "--approved-by", "Al", check=True)
    lines = cli("list", env={"COLUMNS": "100"}).stdout.splitlines()
    rows = [line for line in lines if line.startswith(("#1 ", "#2 "))]
    # the owner column starts at the same terminal cell in every row
    starts = [cell_len(row[: row.index(owner)]) for row, owner in zip(rows, ("张伟", "Bob"), strict=True)]
    assert starts[0] == starts[1]


def test_huge_body_is_kept_whole(cli):
    body = "x" * 200_000
    assert cli("add", "note", "big", "--body", "-", input=body).returncode == 0
    assert json.loads(cli("show", "1", "--format", "json").stdout)["body"] == body


def test_table_cells_are_fitted_alike_however_plain_the_row(cli):
    """`list` and `due` pad, cut and flatten every cell the same way whether its row is plain
    ASCII (fitted a row at a time) or holds wide text, runs of spaces or spaces at either end."""
    titles = ["plain title", "two  spaces", " leading", "trailing ", "中文标题", "x" * 80]
    for title in titles:
        cli("add", "communication", title, "--owner", "Dana", "--when", "2026-11-20",
            "--follow-up-by", "2026-11-25", check=True)  # fmt: skip
    shown = ["plain title", "two spaces", "leading", "trailing", "中文标题", "x" * 30]
    for args, after in ((("list",), "Dana"), (("due", "--today", "2026-12-01"), "follow-up")):
        rows = cli(*args, env={"COLUMNS": "100"}).stdout.splitlines()[2:8]
        assert [title in row for title, row in zip(shown, rows, strict=True)] == [True] * 6, rows
        assert "x" * 80 not in rows[5] and "…" in rows[5]  # too long for its column: cut, with an ellipsis
        # the column after the title starts at the same terminal cell in every row
        assert len({cell_len(row[: row.index(after)]) for row in rows}) == 1, rows
        assert not any(row.endswith(" ") for row in rows)
