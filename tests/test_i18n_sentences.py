"""Words the Chinese walk's allow-list lets through because they are also typed values:
in a sentence they are the interface's, so they are translated there."""

import json

from clihelp import run_cli

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "en_US.UTF-8"}


def _ok(*args, env=ZH):
    proc = run_cli(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_remind_names_each_loop_in_the_interface_language():
    _ok("add", "decision", "砍掉离线模式", "--owner", "王丹", "--when", "2026-10-01 10:00", "--review-by", "2026-11-01")
    _ok(
        "add",
        "communication",
        "周会",
        "--owner",
        "王丹",
        "--when",
        "2026-10-02",
        "--follow-up-by",
        "2026-10-10",
        "--commitment",
        "陈明; 发报价单; 2026-10-05",
    )
    chinese = _ok("remind", "--today", "2026-12-01")
    assert "复核（王丹）" in chinese and "跟进（王丹）" in chinese and "承诺 1（陈明）" in chinese
    for word in ("review", "follow-up", "commitment"):
        assert word not in chinese
    english = _ok("remind", "--today", "2026-12-01", env=EN)
    assert "review by 王丹" in english and "follow-up by 王丹" in english and "commitment-1 by 陈明" in english


def test_a_changed_header_of_a_chinese_export_is_named_in_chinese(tmp_path):
    _ok("add", "decision", "砍掉离线模式", "--owner", "王丹", "--when", "2026-10-01 10:00")
    out = tmp_path / "证据.md"
    _ok("export", "--lang", "zh_CN", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("\n", "\n多出来的一行\n", 1), encoding="utf-8")
    proc = run_cli("verify", "--evidence", str(out), env=ZH)
    assert proc.returncode == 1
    assert "文档开头" in proc.stdout + proc.stderr
    assert "the document header" not in proc.stdout + proc.stderr
    # The evidence block keeps the part's name as data, the same in every language.
    block = text[text.index("```json") + 7 : text.index("```", text.index("```json") + 7)]
    assert json.loads(block)["sections"][0][0] == "the document header"
