"""The command line in Simplified Chinese (issue 17): every word the CLI shows is
translated under zh_CN, English stays today's English, the language is chosen as
documented (docs/translating.md), and a journal reads the same in either language.

The walk runs the CLI in this process (tests/clihelp.py run_cli) with LANG set, and
looks for English words left in what it printed: ASCII words of three letters or more,
minus what is not the interface's to translate (the user's data, ids and hashes,
option and command names, the values a user types, file paths, JSON keys).
"""

import json
import re
from pathlib import Path

import pytest
from clihelp import run_cli
from i18nhelp import unmarked

from pmjournal.cli import parser as cli_parser
from pmjournal.core.causes import BY_KEY
from pmjournal.core.model import ENTRY_KINDS, KIND_FIELDS, ROLES

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "en_US.UTF-8"}
CLI = Path(cli_parser.__file__).parent


def _typed_words() -> set[str]:
    """What a user types and the CLI therefore shows as it is: command names, metavars,
    choices (kinds, formats, statuses, levels...), role names, loop keys."""
    words = {"pmjournal", "zh_CN", "COMMAND", "language"}
    words |= set(cli_parser.COMMANDS)
    words |= set(ENTRY_KINDS) | set(ROLES) | set(BY_KEY)  # BY_KEY: what --cause takes
    for fields in KIND_FIELDS.values():
        for field in fields:
            words |= set(field.choices)
    words |= {"scope", "schedule", "cost", "follow-up", "review", "answer", "commitment-N", "review_by", "allowed_signers"}
    root = cli_parser.build()
    for sub in root._subparsers._group_actions[0].choices.values():
        for action in sub._actions:
            if isinstance(action.metavar, str):
                words |= set(re.findall(r"[A-Za-z_]+", action.metavar))
            elif action.option_strings and action.nargs != 0:
                words.add(action.dest.upper())
            words |= {str(c) for c in action.choices or ()}
    # Dates as a user may type them (the parser reads English and Chinese): examples in the help.
    words |= {"yesterday", "last", "fri", "next", "mon", "monday"}
    # Names of programs, formats and standards, written the same in Chinese.
    words |= {"ISO", "URL", "JSON", "CSV", "Markdown", "git", "ssh", "cron", "jrnl", "apollo", "UTC", "echo"}
    return {w.lower() for w in words}


TYPED = _typed_words()
_NOT_WORDS = [
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # options
    re.compile(r"\S*[/\\]\S*"),  # paths
    re.compile(r"\b[\w-]+\.(?:md|json|csv|toml|git)\b"),  # file names
    re.compile(r"\$[A-Z_]+"),  # environment variables
    re.compile(r"\b[0-9A-Z]{26}\b"),  # ULIDs
    re.compile(r"\b[0-9a-f]{8,}\b"),  # hashes
    re.compile(r"\bcommitment-\d+\b"),  # loop keys (what --loop takes)
]
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z]")


def english_left(text: str) -> list[str]:
    """ASCII words of 3+ letters that are not typed words: interface text left in English."""
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    return sorted({w for w in _WORD.findall(text) if len(w) >= 3 and w.lower() not in TYPED})


def cli(*args, env=ZH, check=True, input=None):
    proc = run_cli(*args, env=env, input=input)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _journal(env) -> None:
    """A small journal with Chinese data: a decision with a review, a communication with
    a follow-up, a commitment and an escalation, an incident caused by the decision, an amendment."""
    cli(
        "add",
        "decision",
        "砍掉离线模式",
        "--owner",
        "王丹",
        "--approved-by",
        "李雷",
        "--when",
        "2026-10-01 10:00",
        "--review-by",
        "2026-11-01",
        "--option",
        "保留",
        "--rationale",
        "人手不够",
        "--project",
        "阿波罗",
        env=env,
    )
    cli(
        "add",
        "communication",
        "周会",
        "--owner",
        "王丹",
        "--participants",
        "陈明",
        "--when",
        "2026-10-02",
        "--follow-up-by",
        "2026-10-10",
        "--commitment",
        "陈明; 发报价单; 2026-10-05",
        "--raised-to",
        "张总",
        env=env,
    )
    cli(
        "add",
        "incident",
        "结账故障",
        "--owner",
        "李雷",
        "--caused-by",
        "1",
        "--severity",
        "high",
        "--when",
        "2026-10-03",
        "--cause",
        "decision",
        env=env,
    )
    cli("amend", "1", "--status", "rejected", "--reason", "领导否决", env=env)
    cli("done", "2", "--loop", "follow-up", "--note", "已跟进", "--when", "2026-10-09", env=env)


@pytest.fixture
def chinese_user(tmp_path):
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text('name = "测试员"\n', encoding="utf-8")


WALK = [
    ("--help",),
    ("add", "--help"),
    ("list", "--help"),
    ("list",),
    ("list", "--include-retracted", "--kind", "decision"),
    ("show", "1"),
    ("show", "2"),
    ("show", "3"),
    ("who",),
    ("who", "王丹"),
    ("who", "陈明"),
    ("due", "--today", "2026-10-20"),
    ("due", "--today", "2026-10-20", "--overdue", "--person", "李雷"),
    ("remind", "--today", "2026-10-20"),
    ("trace", "3"),
    ("trace", "1"),
    ("verify",),
    ("paths",),
    ("causes",),
    ("amend", "3", "--severity", "critical", "--reason", "影响更大"),
    ("retract", "3", "--reason", "录错了"),
    ("done", "2", "--loop", "commitment-1", "--when", "2026-10-06"),
    ("reopen", "2", "--loop", "follow-up", "--note", "对方没收到"),
]


@pytest.mark.parametrize("args", WALK, ids=lambda a: " ".join(a))
def test_the_cli_speaks_chinese(args, chinese_user):
    _journal(ZH)
    proc = run_cli(*args, env=ZH)
    assert proc.returncode == 0, proc.stderr
    shown = proc.stdout + proc.stderr
    assert re.search(r"[\u4e00-\u9fff]", shown), shown
    assert english_left(shown) == [], shown


def test_export_import_verify_and_demo_speak_chinese(tmp_path, chinese_user):
    _journal(ZH)
    shown = []
    for args in (
        ("export", "-o", str(tmp_path / "e.md")),
        ("verify", "--evidence", str(tmp_path / "e.md")),
        ("export", "--format", "json", "-o", str(tmp_path / "e.json")),
        ("--db", str(tmp_path / "other.json"), "import", str(tmp_path / "e.json")),
        ("--db", str(tmp_path / "demo.json"), "demo"),
    ):
        proc = cli(*args)
        shown.append(proc.stdout + proc.stderr)
    text = "\n".join(shown)
    assert "已写入" in text and "已导入 5 条记录" in text and "条示例记录" in text, text
    assert english_left(text) == [], text


ERRORS = [
    (("add", "decision", "某决定", "--owner", "王丹", "--when", "下下下周八"), "无法理解日期"),
    (("show", "99"), "没有条目 #99"),
    (("show", "zzzz"), "没有 id 以"),
    (("add", "note", ""), "标题必填"),
    (("add", "decision", "没有负责人"), "需要一位负责人"),
    (("add", "banana", "x"), "无效的选择"),
    (("add",), "缺少必需的参数"),
    (("list", "--bogus"), "无法识别的参数"),
    (("due", "--within", "many"), "不是天数"),
    (("list", "--role", "boss", "--person", "王丹"), "未知的角色"),
    (("done", "2", "--loop", "nope"), "没有 'nope' 事项"),
]


@pytest.mark.parametrize("args, says", ERRORS, ids=lambda a: " ".join(a) if isinstance(a, tuple) else "")
def test_errors_are_one_chinese_line(args, says, chinese_user):
    _journal(ZH)
    proc = run_cli(*args, env=ZH)
    assert proc.returncode in (1, 2)
    assert proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("pmjournal"), line
    assert says in line, line
    typed = {w.lower() for a in args for w in re.findall(r"[A-Za-z]+", a)}  # the user's own words, quoted back
    assert [w for w in english_left(line) if w.lower() not in typed] == [], line


def test_english_is_todays_english():
    for env in (EN, {}):
        assert "usage: pmjournal" in cli("--help", env=env).stdout
        assert "record a new entry; prints its #seq and id" in cli("--help", env=env).stdout
        assert "positional arguments" in cli("add", "--help", env=env).stdout
        assert "show this help message and exit" in cli("add", "--help", env=env).stdout
    cli("add", "decision", "Cut offline mode", "--owner", "Dana", "--when", "2026-10-01", "--review-by", "2026-11-01", env=EN)
    listed = cli("list", env=EN).stdout
    assert listed.splitlines()[0].split() == ["#", "when", "kind", "title", "owner", "approved", "by", "status"]
    assert "decision" in listed and "accepted" in listed
    shown = cli("show", "1", env=EN).stdout
    assert "Review by" in shown and "Loops" in shown and "review due 1 Nov 2026" in shown
    assert "Mon 01 Nov" not in shown and not re.search(r"[\u4e00-\u9fff]", shown)
    due = cli("due", "--today", "2026-11-05", env=EN).stdout
    assert "1 open loop: 1 overdue, 0 due within 3 days" in due and "4 d overdue" in due
    proc = run_cli("show", "99", env=EN)
    assert proc.stderr == "pmjournal: no entry #99 in this journal\n"
    proc = run_cli("add", "banana", "x", env=EN)
    assert "pmjournal add: error: argument kind: invalid choice: 'banana'" in proc.stderr


def test_lang_option_beats_the_locale():
    cli("add", "note", "x", env=ZH)
    for args in (("--lang", "en", "list"), ("list", "--lang", "en"), ("list", "--lang=en")):
        assert cli(*args, env=ZH).stdout.splitlines()[0].split()[:3] == ["#", "when", "kind"]
    assert "时间" in cli("--lang", "zh_CN", "list", env=EN).stdout
    assert "usage:" in cli("--lang", "en", "--help", env=ZH).stdout
    assert "用法：" in cli("--lang", "zh_CN", "add", "--help", env=EN).stdout


def test_config_language_is_used_and_the_flag_beats_it(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('language = "zh_CN"\n', encoding="utf-8")
    cli("add", "note", "x", env={})
    assert "时间" in cli("list", env=EN).stdout
    assert "用法：" in cli("--help", env={}).stdout
    assert cli("--lang", "en", "list", env={}).stdout.startswith("#   when")


def test_an_unknown_language_is_refused_in_one_line():
    proc = run_cli("--lang", "fr", "list", env=ZH)
    assert proc.returncode == 2
    assert "fr" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_journal_written_in_chinese_reads_the_same_in_english(chinese_user):
    _journal(ZH)
    for args in (
        ("list", "--format", "json", "--include-retracted"),
        ("list", "--format", "csv"),
        ("show", "1", "--format", "json"),
        ("show", "2", "--format", "json"),
        ("due", "--today", "2026-10-20", "--format", "json"),
        ("due", "--today", "2026-10-20", "--format", "csv"),
        ("who", "--format", "json"),
        ("trace", "3", "--format", "json"),
        ("export", "--format", "csv"),
    ):
        chinese, english = cli(*args, env=ZH).stdout, cli(*args, env=EN).stdout
        assert chinese == english, args
        assert not re.search(
            r"[\u4e00-\u9fff]", re.sub(r'"[^"]*[\u4e00-\u9fff][^"]*"|[^,\n]*[\u4e00-\u9fff][^,\n]*', "", chinese)
        )
    exported = [json.loads(cli("export", "--format", "json", env=env).stdout) for env in (ZH, EN)]
    assert exported[0]["records"] == exported[1]["records"]  # the rest differs only in when it was generated
    stored = json.loads(cli("list", "--format", "json", env=ZH).stdout)
    assert {v["kind"] for v in stored} == {"decision", "communication", "incident"}
    assert {v.get("status") for v in stored} >= {"rejected", "open"}


# -- every user-visible string in pmjournal/cli is marked ----------------------------


def test_every_shown_string_in_the_cli_is_marked():
    found = [line for path in sorted(CLI.glob("*.py")) for line in unmarked(path)]
    assert found == [], "mark these with _() or N_():\n" + "\n".join(found)


def test_the_marked_string_check_sees_an_unmarked_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "print(f'pmjournal: {x}')\n"  # the program's name only: fine
        "print(_('wrote {f}').format(f=f))\n"
        "p.add_argument('--x', help='an English help')\n"
        "raise PmjournalError(f'{path} exists')\n"
        "_out('done' + '\\n')\n",
        encoding="utf-8",
    )
    assert [line.split(":")[1] for line in unmarked(sample)] == ["3", "4", "5"]


def test_lists_and_an_impact_read_as_chinese_writes_them(chinese_user):
    """The app and the CLI joined names with ", " in Chinese (王总, 刘经理) where the export
    joins them with 、, and showed an impact as "成本: 3 人周; 进度: +2 周; 范围: +1 周", in
    ASCII punctuation and the reverse of the form's order (a helper's tmux trial)."""
    args = ("add", "change", "报价调整", "--owner", "王丹", "--approved-by", "王总, 刘经理")
    impact = ("--impact-cost", "3 人周", "--impact-schedule", "+2 周", "--impact-scope", "+1 周")
    assert run_cli(*args, *impact, "--requested-by", "客户甲", env=ZH).returncode == 0
    shown = run_cli("show", "1", env=ZH).stdout
    assert "王总、刘经理" in shown
    assert "范围：+1 周；进度：+2 周；成本：3 人周" in shown
    assert "王总、刘经理" in run_cli("list", env=ZH).stdout  # the approved-by column too
    english = run_cli("show", "1", env=EN).stdout
    assert "王总, 刘经理" in english and "scope: +1 周; schedule: +2 周; cost: 3 人周" in english


def test_tags_and_a_changed_field_read_as_chinese_writes_them(chinese_user):
    """`show` joined tags with ", " in Chinese (离线, 上线) and wrote an amendment's changed
    field as "标签: 离线, 上线 → 新", with ASCII punctuation where the rest of the page has
    、 and ：(the review of the 2026-12-04 stops)."""
    assert run_cli("add", "note", "试一下", "--tag", "离线,上线", env=ZH).returncode == 0
    assert "标签    离线、上线" in run_cli("show", "1", env=ZH).stdout
    assert run_cli("amend", "1", "--tag", "新", "--reason", "改", env=ZH).returncode == 0
    shown = run_cli("show", "1", env=ZH).stdout
    assert "标签：离线、上线 → 新" in shown
    english = run_cli("show", "1", env=EN).stdout
    assert "Tags: 离线, 上线 → 新" in english


def test_names_and_loops_listed_in_a_chinese_message_are_joined_as_chinese_joins_them(tmp_path):
    """"#1 已上报给 陈总, 王小明：…" and "commitment-1（…）, commitment-2（…）": an ASCII comma
    between items of a Chinese sentence (a user trial); the list separator is 、 there."""
    from clihelp import run_cli

    db = str(tmp_path / "j.json")
    env = {"PMJOURNAL_CONFIG_DIR": str(tmp_path / "cfg")}
    run_cli("--db", db, "add", "risk", "风险", "--owner", "张伟", "--raised-to", "陈总", "--raised-to", "王小明", env=env, check=True)
    said = run_cli("--db", db, "--lang", "zh_CN", "done", "1", "--loop", "answer", env=env).stderr
    assert "陈总、王小明" in said, said
    run_cli(
        "--db", db, "add", "communication", "沟通", "--owner", "张伟", "--when", "2026-11-01",
        "--commitment", "甲; 报价; 2026-11-20", "--commitment", "乙; 合同; 2026-11-21", env=env, check=True,
    )
    said = run_cli("--db", db, "--lang", "zh_CN", "done", "2", env=env).stderr
    assert "）、commitment-2" in said, said


def test_due_names_each_loop_in_chinese_beside_the_key_loop_takes():
    """`due` in Chinese showed "answer" and "follow-up" where the app's Due view says 答复 and
    跟进 (a user trial); the key stays, as `--loop` takes it."""
    cli("add", "risk", "供应商延期", "--owner", "Dana", "--when", "2026-10-01", "--raised-to", "王芳", "--review-by", "2026-11-01", env=EN)
    due = cli("due", "--today", "2026-11-05", env=ZH).stdout
    assert "answer（答复）" in due and "review（复核）" in due, due
    assert "answer（" not in cli("due", "--today", "2026-11-05", env=EN).stdout
