"""The Markdown evidence export in Simplified Chinese (issue 17): `export --lang zh_CN`.

The document is read back as a reader and a checker would: no English word of the
template is left once the user's own text, ids and hashes are taken out; headings and
table headers are Chinese; the tables stay tables with wide characters in them;
`verify --evidence` holds it as it holds an English one. English is what it always was,
and the data (JSON, CSV) never changes with the language.
"""

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from clihelp import ok, run_cli, ssh_keygen_verify, verify_alone
from markdown_it import MarkdownIt
from test_markdown_export import ALLOWED_BLOCKS, ANCHOR, HOSTILE, HOSTILE_IDS, hostile_journal, inline_text

from pmjournal.core import dates, i18n, markdown_proof, markdown_text
from pmjournal.core import markdown as md_mod
from pmjournal.core.causes import CAUSES
from pmjournal.core.demo import write_demo
from pmjournal.core.evidence import check, proof
from pmjournal.core.labels import field_labels, value_labels
from pmjournal.core.markdown import export_markdown
from pmjournal.core.model import COMMON, KIND_FIELDS
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal

ZONE = timezone(timedelta(hours=8))
REF = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)
# ASCII words the Chinese template may hold: the zone's name, formats and tools named as such.
ALLOWED = {"UTC", "JSON", "OpenSSH", "jrnl"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """The demo journal at a fixed day, the clock frozen there (two exports are byte for byte comparable)."""
    monkeypatch.setattr(dates, "now", lambda: REF)
    monkeypatch.setattr(dates, "utc_stamp", lambda at=None: "2026-11-25T01:00:00.000+00:00")
    db = tmp_path / "data" / "journal.json"
    db.parent.mkdir(parents=True, exist_ok=True)
    journal = Journal(db, user="Dana Whitfield")
    write_demo(journal, ref=REF)

    def cli(*args, env=None):
        return run_cli("--db", str(db), *args, env=env)

    cli.db, cli.tmp, cli.journal = db, tmp_path, journal
    return cli


def export(cli, name, *args, env=None, lead=()):
    out = cli.tmp / name
    ok(cli(*lead, "export", "-o", str(out), *args, env=env))
    return out


def user_strings(journal) -> set[str]:
    """Every piece of text the user typed (or the demo wrote for them): the document shows it as data."""
    found = set()

    def collect(value, key=None):
        if isinstance(value, str):
            if key not in ("kind", "rel", "status", "source", "channel", "likelihood", "severity", "state", "loop"):
                found.add(value)
        elif isinstance(value, list):
            for v in value:
                collect(v, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k == "impact" and isinstance(v, str):
                    continue  # a risk's impact: one of the levels, translated
                collect(v, k)

    for record in journal.records():
        collect(record)
    return {s for s in found if s.strip()}


def without_data(text: str, journal) -> str:
    """The document less its user text, code spans, fenced blocks, anchors, link targets and ids."""
    text = re.sub(r"\n(`{3,})[a-z]*\n.*?\n\1\n", "\n", text, flags=re.S)  # the appendix's statement, signature and JSON
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"<a [^>]*></a>|</?del>", " ", text)
    text = re.sub(r"\]\(#[^)]*\)", "]", text)
    text = re.sub(r"\b(?:ssh|ecdsa|sk)-[\w@.-]+", " ", text)  # a signing key's type (ssh-ed25519)
    text = re.sub(r"[0-9a-f]{16,}", " ", text)  # hashes, and a hash's first 16 digits
    for path in (md_mod._inline(str(journal.path)), str(journal.path), journal.path.name, "docs/evidence.md"):
        text = text.replace(path, " ")
    pieces = set()
    for s in user_strings(journal):
        pieces.add(s)
        pieces.add(md_mod._inline(s))
        for line in s.replace("\r", "\n").split("\n"):
            if line.strip():
                pieces.update({line.strip(), md_mod._inline(line.strip()), markdown_text._line(line.rstrip())})
                pieces.add(md_mod._item(line))
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, " ")
    return text


def english_words(text: str, journal) -> list[str]:
    left = without_data(text, journal)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", left) if w not in ALLOWED})


def walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def parse(text: str):
    parsers = [MarkdownIt("commonmark").enable("table")]
    try:
        parsers.append(MarkdownIt("gfm-like"))
    except (ImportError, ModuleNotFoundError):
        pass
    return [md.parse(text) for md in parsers]


# -- the document ------------------------------------------------------------------


def test_the_chinese_export_of_the_demo_has_no_english_word_of_its_template(demo):
    path = export(demo, "zh.md", "--lang", "zh_CN")
    text = path.read_text(encoding="utf-8")
    assert english_words(text, demo.journal) == []
    # The check itself finds the template's words: the English document is full of them.
    english = export(demo, "en.md").read_text(encoding="utf-8")
    assert {"Evidence", "trail", "Owner", "Appendix", "Statement", "overdue"} <= set(english_words(english, demo.journal))


def test_headings_and_table_headers_are_chinese_and_the_tables_stay_tables(demo):
    text = export(demo, "zh.md", "--lang", "zh_CN").read_text(encoding="utf-8")
    views = Filter().apply(demo.journal.views.values())
    body = text[: text.index(proof.MARKDOWN_MARK.split("</a>")[0])]  # the document, up to its appendix
    for tokens in parse(text):
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
        assert headings[:4] == [
            "证据记录：journal.json",
            "目录",
            '<a id="summary" name="summary"></a>问责汇总',
            '<a id="loops" name="loops"></a>未闭环事项',
        ]
        assert headings[-1] == '<a id="proof" name="proof"></a>附录：机器可读的证明'
        months = [h for h in headings if h.startswith('<a id="m-')]
        assert months and all(re.fullmatch(r'<a id="m-(\d{4})-(\d{2})" name="m-\1-\2"></a>\1年\d{1,2}月', h) for h in months)
        entries = [h for h in headings if h.startswith('<a id="e-')]
        assert len(entries) == len(views)
        kinds = {"决策", "变更", "沟通", "风险", "事故", "备注"}
        assert all(re.search(r"</a>(<del>)?#\d+ · (\S+) · ", h).group(2) in kinds for h in entries)
        # Every table parses as one, its header cells in Chinese, as many cells in each row as in its header.
        tables = 0
        for i, t in enumerate(tokens):
            if t.type != "table_open":
                continue
            tables += 1
            close = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            rows, cells, header = [], None, []
            for tok in tokens[i:close]:
                if tok.type == "tr_open":
                    cells = 0
                elif tok.type in ("th_open", "td_open"):
                    cells += 1
                elif tok.type == "tr_close":
                    rows.append(cells)
                elif tok.type == "inline" and not rows:
                    header.append(tok.content)
            assert len(set(rows)) == 1, rows
            assert all(HAN.search(cell) for cell in header), header
        assert tables >= len(views) + 4  # each entry's table, the summary, two loop tables, escalations
        # Bold closes next to Chinese punctuation too (CommonMark's flanking rules): no ** is left as text.
        assert not [t.content for t in walk(tokens) if t.type == "text" and "**" in t.content]
    # A wide-character table row is one line with the header's number of cells.
    assert "| 人员 | 负责人 | 提出 | 批准 | 咨询 | 知会 | 其他 | 条目数 |" in body
    assert "| 字段 | 值 |" in body and "| 时间 | 2026年" in body


def test_dates_read_naturally_in_chinese(demo):
    text = export(demo, "zh.md", "--lang", "zh_CN").read_text(encoding="utf-8")
    assert "- **生成时间**：2026年11月25日 周三 09:00 +08:00\n" in text
    assert "（截至 2026年11月25日 周三）" in text
    assert re.search(r"\| 记录于 \| 2026年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC，记录人 ", text)
    assert re.search(r"\| 时间 \| 2026年\d{1,2}月\d{1,2}日 周[一二三四五六日] \d\d:\d\d \+08:00 \|", text)
    assert not re.search(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", without_data(text, demo.journal)
    )


def test_user_text_is_data_never_translated_and_still_escaped(demo):
    journal = demo.journal
    journal.add(
        "decision", {"title": "Ship *now* | or [later](x)", "owner": "Alice <b>", "body": "# not a heading\n- not a list"}
    )
    zh = export(demo, "zh.md", "--lang", "zh_CN").read_text(encoding="utf-8")
    en = export(demo, "en.md").read_text(encoding="utf-8")
    for text in (zh, en):
        assert r"Ship \*now\* \| or \[later\](x)" in text
        assert r"Alice \<b>" in text
        assert "\\# not a heading\\\n\\- not a list" in text
    # The demo's Chinese and English user text reads the same in both documents.
    for s in ("复盘：上线故障的根本原因", "Checkout outage for 47 minutes on launch morning", "张伟", "checkout-v2"):
        assert s in zh and s in en


def test_english_is_the_document_it_always_was(demo):
    """`--lang en`, no --lang under LANG=C, and --lang en under a Chinese interface: the same bytes."""
    plain = export(demo, "plain.md", env={"LANG": "C"}).read_bytes()
    assert export(demo, "en.md", "--lang", "en", env={"LANG": "C"}).read_bytes() == plain
    assert export(demo, "en-zh-ui.md", "--lang", "en", env={"LANG": "zh_CN.UTF-8"}).read_bytes() == plain
    assert b'"language"' not in plain and proof.MARKDOWN_MARK.encode() in plain
    # And the same document the API writes with no language chosen (docs/example-evidence.md is pinned by test_markdown_export).
    with i18n.using("en"):
        api = export_markdown(demo.journal, Filter(), generated_at=REF)
    assert plain.decode("utf-8").startswith(api)


def test_a_chinese_interface_exports_in_chinese_unless_told_otherwise(demo):
    by_locale = export(demo, "locale.md", env={"LANG": "zh_CN.UTF-8"}).read_text(encoding="utf-8")
    by_option = export(demo, "option.md", lead=("--lang", "zh_CN")).read_text(encoding="utf-8")
    told = export(demo, "told.md", "--lang", "zh_CN", env={"LANG": "C"}).read_text(encoding="utf-8")
    assert by_locale == by_option == told
    assert by_locale.startswith("# 证据记录：journal.json\n")


def test_json_and_csv_exports_do_not_change_with_the_language(demo):
    for fmt in ("json", "csv"):
        en = export(demo, f"en.{fmt}", "--format", fmt, "--lang", "en").read_bytes()
        zh = export(demo, f"zh.{fmt}", "--format", fmt, "--lang", "zh_CN").read_bytes()
        ui = export(demo, f"ui.{fmt}", "--format", fmt, env={"LANG": "zh_CN.UTF-8"}).read_bytes()
        assert en == zh == ui, fmt
    assert all(key.isascii() for key in json.loads((demo.tmp / "zh.json").read_text(encoding="utf-8")))
    header = (demo.tmp / "zh.csv").read_text(encoding="utf-8").splitlines()[0]
    assert not HAN.search(header)


# -- verification ----------------------------------------------------------------


def test_a_chinese_export_verifies_on_its_own_and_against_its_journal(demo):
    path = export(demo, "zh.md", "--lang", "zh_CN")
    block = check.read(path).block
    assert block["language"] == "zh_CN"
    for lang in ("C", "zh_CN.UTF-8"):  # whatever the checker's interface language
        out = ok(verify_alone(demo.tmp, "--evidence", str(path), env={"LANG": lang}))
        assert str(path) in out.splitlines()[-1]
    assert "the filter selects exactly the exported entries" in ok(demo("verify", "--evidence", str(path)))
    # The English export of the same journal verifies as before, with no language recorded.
    english = export(demo, "en.md")
    assert "language" not in check.read(english).block
    ok(verify_alone(demo.tmp, "--evidence", str(english)))


def evidence_fails(demo, path, fragment):
    proc = verify_alone(demo.tmp, "--evidence", str(path))
    assert proc.returncode == 1, proc.stdout
    assert fragment in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_changed_chinese_export_fails_like_an_english_one(demo):
    path = export(demo, "zh.md", "--lang", "zh_CN")
    text = path.read_text(encoding="utf-8")
    # An edit of an entry is named by its (Chinese) heading.
    edited = demo.tmp / "edited.md"
    edited.write_text(text.replace("| 渠道 | 会议 |", "| 渠道 | 邮件 |", 1), encoding="utf-8")
    evidence_fails(demo, edited, "#1 · 沟通 · ")
    # The appendix said in another language than the block records, or its words changed.
    relabelled = demo.tmp / "relabelled.md"
    relabelled.write_text(text.replace('"language": "zh_CN"', '"language": "en"'), encoding="utf-8")
    evidence_fails(demo, relabelled, "the statement shown for ssh-keygen differs")
    reworded = demo.tmp / "reworded.md"
    reworded.write_text(text.replace("本文档**未签名**", "本文档**已签名**"), encoding="utf-8")
    evidence_fails(demo, reworded, "appendix")
    # The appendix's heading put back in English: the block still says zh_CN.
    swapped = demo.tmp / "swapped.md"
    swapped.write_text(text.replace(markdown_proof.mark("zh_CN"), proof.MARKDOWN_MARK), encoding="utf-8")
    evidence_fails(demo, swapped, "appendix")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH's ssh-keygen")
def test_a_signed_chinese_export_verifies_with_pmjournal_and_ssh_keygen_alone(demo, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    key = demo.tmp / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dana@test", "-f", str(key)], check=True)
    config = demo.tmp / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text(f'name = "Dana Whitfield"\nsigning_key = "{key}"\n')
    env = {"PMJOURNAL_CONFIG_DIR": str(config)}
    path = export(demo, "signed.md", "--lang", "zh_CN", env=env)
    text = path.read_text(encoding="utf-8")
    assert "本文档由密钥 `SHA256:" in text and english_words(text, demo.journal) == []
    assert "signed by the key SHA256:" in ok(run_cli("verify", "--evidence", str(path)))
    # A reader following the Chinese appendix: the blocks under 声明： and 签名：.
    statement = re.search(r"\n声明：\n\n(`{3,})text\n(.*?)\1\n", text, re.S).group(2)
    signature = re.search(r"\n签名：\n\n```text\n(.*?)```\n", text, re.S).group(1)
    done, _allowed = ssh_keygen_verify(demo.tmp, statement, signature, key.with_suffix(".pub"))
    assert done.returncode == 0, done.stderr
    # The statement is the same machine text in every language.
    assert statement.startswith("pmjournal evidence 1\nformat markdown\n")


# -- the catalog -------------------------------------------------------------------


def test_the_export_names_fields_as_the_model_does_in_english():
    with i18n.using("en"):
        labels = field_labels()
    for field in (*COMMON, *(f for fields in KIND_FIELDS.values() for f in fields)):
        assert labels[field.name] == field.label, field.name
    choices = {c for fields in KIND_FIELDS.values() for f in fields for c in f.choices}
    assert choices <= set(value_labels())


def test_chinese_names_of_kinds_roles_and_causes_are_the_products():
    with i18n.using("zh_CN"):
        w = md_mod._Words()
    assert w.kind_names == {
        "decision": "决策",
        "change": "变更",
        "communication": "沟通",
        "risk": "风险",
        "incident": "事故",
        "note": "备注",
    }
    assert w.role_headers[:5] == ("负责人", "提出", "批准", "咨询", "知会")
    assert {c.key: w.causes[c.key] for c in CAUSES} == {c.key: c.zh for c in CAUSES}
    with i18n.using("en"):
        w = md_mod._Words()
    assert w.causes["decision"] == "Decision error (决策失误)"


def test_a_document_keeps_its_language_while_the_interface_has_another():
    """`using()` is per thread: the export's words are chosen when it is rendered, not cached across languages."""
    with i18n.using("zh_CN"):
        zh = md_mod._words()
    en = md_mod._words()
    assert zh.lang == "zh_CN" and en.lang == "en" and zh.sep == "、" and en.sep == ", "
    block = {"statement": "pmjournal evidence 1\n", "signature": None, "language": "zh_CN"}
    assert proof.appendix_text(block).startswith('\n---\n\n## <a id="proof" name="proof"></a>附录：')
    assert proof.appendix_text({**block, "language": ["not", "a", "language"]}).startswith(proof.MARKDOWN_MARK)
    assert json.dumps(block)  # the block stays plain JSON


def test_an_unverified_chinese_export_says_so_in_chinese_on_every_entry(journal, db, cli):
    import orjson

    for i in range(1, 4):
        journal.add("decision", {"title": f"call {i}", "owner": "Dana"})
    lines = db.read_bytes().split(b"\n")
    record = orjson.loads(lines[2])
    record["title"] = "rewritten"
    lines[2] = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    db.write_bytes(b"\n".join(lines))
    text = ok(cli("export", "--unverified", "--lang", "zh_CN"))
    assert text.count("| 已验证 | **否**：日志在 #2 处未通过验证；本条目不受其哈希链担保 |") == 3
    assert "> **未经验证的导出。** 日志在 #2 处未通过验证" in text
    assert text.rstrip().endswith("**未经验证的导出**：日志在 #2 处未通过验证。")
    left = without_data(text, journal)
    # The verifier's own one-line reason is the core's message (pmjournal-core), quoted as it says it.
    reason = re.search(r"未通过验证（(.*?)）", left).group(1)
    left = left.replace(reason, " ")
    assert sorted({w for w in re.findall(r"[A-Za-z]{2,}", left)} - ALLOWED) == []


def test_imported_entries_say_where_they_came_from_in_chinese(tmp_path, cli):
    source = Journal(tmp_path / "source.json", user="Lena")
    first = source.add("change", {"title": "Scope cut", "owner": "Lena", "impact": {"scope": "no offline mode", "cost": "-15%"}})
    source.amend(first["id"], {"status": "approved", "previous": "offline mode in v1"}, reason="agreed in review")
    backup = tmp_path / "backup.json"
    with i18n.using("en"):
        from pmjournal.core.transfer import render

        backup.write_bytes(render(source, Filter(include_retracted=True), "json"))
    ok(cli("import", str(backup)))
    text = ok(cli("export", "--lang", "zh_CN"))
    assert re.search(r"\| 导入 \| 来自 \S*backup\.json（链头 #2 [0-9a-f]{16}…）；该文件称 #1 由 Lena 记录于 20\d\d年", text)
    assert "| 影响 | 成本：-15%；范围：no offline mode |" in text
    assert "  - 原状（修改前）：\n\n    （空）\n\n  - 原状（修改后）：\n\n    offline mode in v1\n\n" in text
    assert "  - 状态：（空） → 已批准\n\n" in text
    journal = Journal(tmp_path / "data" / "journal.json", user="Pat PM")
    left = without_data(text, journal).replace(md_mod._inline(str(backup)), " ")
    assert sorted({w for w in re.findall(r"[A-Za-z]{2,}", left)} - ALLOWED) == []


def test_the_filter_line_says_what_filter_describe_says_in_english_and_reads_in_chinese():
    since = datetime(2026, 1, 1, 9, 30, tzinfo=ZONE)
    filt = Filter(
        project="checkout-v2",
        kinds=("decision", "risk"),
        person="Dana",
        role="owner",
        tags=("launch", "q4"),
        cause="decision",
        since=since,
        until=since + timedelta(days=31),
        search="load test",
        author="dana",
        include_retracted=True,
    )
    for f in (filt, Filter(role="approved"), Filter(since=since.replace(tzinfo=None)), Filter()):
        with i18n.using("en"):
            assert md_mod._filter_text(f, md_mod._words()) == f.describe()
    with i18n.using("zh_CN"):
        text = md_mod._filter_text(filt, md_mod._words())
    assert text == (
        "项目 checkout-v2；类型 决策/风险；人员 Dana（角色：负责人）；标签 launch、q4；背锅原因 决策失误；"
        "自 2026年1月1日 09:30 +08:00 起；至 2026年2月1日 09:30 +08:00 止；搜索 'load test'；作者 dana；含已撤回的条目"
    )


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_cannot_change_the_chinese_document(db, text, tmp_path_factory):
    """test_markdown_export's hostile texts in every field: the Chinese template around them holds as the English does."""
    journal, filt = hostile_journal(db, text, tmp_path_factory)  # the English tests' journal for it
    with i18n.using("zh_CN"):
        out = export_markdown(journal, filt)
    views = filt.apply(journal.views.values())
    for tokens in parse(out):
        assert {t.type for t in tokens} <= ALLOWED_BLOCKS
        assert sum(t.type == "hr" for t in tokens) == 1
        assert inline_text(tokens[-2]).startswith("证据记录到此结束：")
        headings = [(t.tag, inline_text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]
        kinds = {
            "decision": "决策",
            "change": "变更",
            "communication": "沟通",
            "risk": "风险",
            "incident": "事故",
            "note": "备注",
        }
        expected = [f"#{v['seq']} · {kinds[v['kind']]} · {v['occurred_at'][:10]} — {v['title']}" for v in views]
        expected = [t + "（已撤回）" if v["retracted"] else t for t, v in zip(expected, views, strict=True)]
        assert [h for tag, h in headings if tag == "h3"] == expected
        html = [t.content for t in walk(tokens) if t.type in ("html_inline", "html_block")]
        assert all(ANCHOR.fullmatch(h) or h in ("<del>", "</del>", "</a>") for h in html), html


def test_the_committed_chinese_example_is_current():
    import sys
    from pathlib import Path

    from texthelp import assert_same_text

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "scripts"))
    try:
        import make_example_evidence
    finally:
        sys.path.pop(0)
    current = (root / "docs" / "zh" / "example-evidence.md").read_text(encoding="utf-8")
    assert_same_text(
        current,
        make_example_evidence.render("zh_CN"),
        "docs/zh/example-evidence.md is stale: run python scripts/make_example_evidence.py",
    )
    assert current.startswith("# 证据记录：Checkout v2 演示日志\n")
