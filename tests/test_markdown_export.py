"""The Markdown evidence export, read back through real CommonMark parsers.

Every check parses the document with markdown-it-py (CommonMark plus tables, and
the GitHub-like preset) and asserts on what a reader would see: the headings are
exactly the ones the export meant, table cells hold what was typed, the only raw
HTML is the export's own anchors, and user text comes back as typed.
"""

import hashlib
import os
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from clihelp import ok
from markdown_it import MarkdownIt
from texthelp import assert_same_text

from pmjournal.core.markdown import export_markdown
from pmjournal.core.query import Filter, who
from pmjournal.core.store import Journal

ROOT = Path(__file__).resolve().parent.parent
KIND_NAMES = {
    "decision": "Decision",
    "change": "Change",
    "communication": "Communication",
    "risk": "Risk",
    "incident": "Incident",
}
KIND_NAMES.update(note="Note")
MONTHS = "January February March April May June July August September October November December".split()
ANCHOR = re.compile(r'<a id="((?:e-\d+)|(?:m-\d{4}-\d{2})|summary|loops)" name="\1">')
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "p",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "code",
    "a",
    "br",
    "hr",
    "del",
}
ALLOWED_BLOCKS = {
    "heading_open",
    "heading_close",
    "paragraph_open",
    "paragraph_close",
    "inline",
    "table_open",
    "table_close",
    "thead_open",
    "thead_close",
    "tbody_open",
    "tbody_close",
    "tr_open",
    "tr_close",
    "th_open",
    "th_close",
    "td_open",
    "td_close",
    "bullet_list_open",
    "bullet_list_close",
    "list_item_open",
    "list_item_close",
    "hr",
}

HOSTILE = [
    "[/]",
    "[bold]x[/bold]",
    "<b>bold</b>",
    "a | b | c",
    "|---|---|",
    "line one\nline two",
    "# heading",
    "## h2 ##",
    "---",
    "***",
    "___",
    "===",
    "```",
    "```python\nprint('swallow the rest')",
    "~~~\nfenced",
    "> quoted",
    "*x* and **y**",
    "_x_ and __y__",
    "[link](javascript:alert(1))",
    "![img](http://example.com/x.png)",
    "[ref]: http://evil.example.com",
    "`code` and ``more``",
    "<!-- comment",
    "&amp; &lt;script&gt; &#x3C;",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<div>\n\nblock html",
    "<http://example.com>",
    "中文标题：需求变更",
    "emoji 🚀🔥👩‍💻 and ZWJ",
    "trailing backslash \\",
    "\\",
    "1. ordered",
    "2) ordered",
    "- bullet",
    "+ plus",
    "    four spaces of code",
    "\tTab indented",
    "~~strike~~",
    "$x^2$ and $$y$$",
    "[^1] footnote",
    "a\\*b\\*c",
    "#",
    "x\r\ny\rz",
    "Setext\n===",
    "Setext\n---",
    "table\n| a | b |\n|---|---|\n| 1 | 2 |",
    # 100 of each construct on one 2.2 KB line (a 250 KB document: the text is in ~110 places).
    # Nothing measures a length: the export escapes every character alike and never wraps or
    # cuts a field, and markdown-it has no line limit. At 400 (8.8 KB, a 1 MB document) the two
    # parses cost 2.9 s of CPU and proved nothing more.
    "very long " + ("*word* | <i>x</i> `y` " * 100),
    # Lines that would each open an ordered list, a heading or a quote, one and two digits
    # (1 to 12: the export escapes a line's leading number whatever its length).
    "\n".join(f"{i}. line {i} # {i} > {i}" for i in range(1, 13)),
    # URLs are written as autolinks where their text needs escaping (markdown_text.py).
    "see https://wiki.acme/Launch_Plan#risks, (https://en.wikipedia.org/wiki/Foo_(bar)) https://a.b/?a=3&page=x#c-3.",
    'https://x.y/<script>alert(1)</script> "https://x.y/a"onmouseover="alert(1)" [x](https://x.y/_)(javascript:alert(1)) '
    "https://x.y/a|b|c_d https://x.y/`c`_ <https://x.y/*a*> javascript:alert(1)//https://x.y/ xhttps://x.y/_ https://_x",
]
HOSTILE_IDS = [f"h{i:02d}" for i in range(len(HOSTILE))]


def parsers():
    out = [("commonmark", MarkdownIt("commonmark").enable("table"))]
    try:
        out.append(("gfm-like", MarkdownIt("gfm-like")))  # needs linkify-it-py (Textual brings it)
    except (ImportError, ModuleNotFoundError):
        pass
    return out


def one_line(text: str) -> str:
    """What a single-line field stores for `text` (validation strips it; it refuses line breaks)."""
    return text.replace("\r", " ").replace("\n", " ").strip() or "blank"


def inline_text(token) -> str:
    """The text a reader sees in an inline token (anchors and emphasis markers dropped)."""
    out = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append("\n")
        elif child.type == "hardbreak":
            out.append("\n")
    return "".join(out)


def walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def body_as_read(text: str) -> str:
    """How a multi-line text reads once rendered: line breaks kept, blank lines between paragraphs,
    trailing spaces dropped, leading indentation kept as non-breaking spaces."""
    paragraphs, para = [], []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip():
            stripped = raw.lstrip(" \t")
            lead = raw[: len(raw) - len(stripped)].replace("\t", "    ")
            para.append("\xa0" * len(lead) + stripped.rstrip())
        elif para:
            paragraphs.append("\n".join(para))
            para = []
    if para:
        paragraphs.append("\n".join(para))
    return "\n\n".join(paragraphs)


def sections(tokens) -> dict[int, list]:
    """#seq -> the block tokens of that entry's section (from its heading to the next heading)."""
    out, current = {}, None
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            current = None
            if token.tag == "h3":
                m = re.search(r'id="e-(\d+)"', tokens[i + 1].content)
                current = int(m.group(1))
                out[current] = []
                continue
        if current is not None:
            out[current].append(token)
    return out


def table_rows(tokens) -> list[list[str]]:
    """Rows of the first table in `tokens`, header included, as cell texts."""
    rows, row, inside = [], None, False
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            inside = True
        elif token.type == "table_close" and inside:
            break
        elif inside and token.type == "tr_open":
            row = []
        elif inside and token.type in ("th_open", "td_open"):
            row.append(inline_text(tokens[i + 1]))
        elif inside and token.type == "tr_close":
            rows.append(row)
    return rows


def paragraphs_after_table(tokens) -> list[str]:
    """The paragraphs right after an entry's fields table (its body), up to the first label."""
    out, seen_table, i = [], False, 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "table_close":
            seen_table = True
        elif seen_table and token.type == "paragraph_open":
            inline = tokens[i + 1]
            visible = [c for c in inline.children or () if c.type != "text" or c.content]
            if visible and visible[0].type == "strong_open":
                break
            out.append(inline_text(inline))
        elif seen_table and token.type in ("bullet_list_open", "heading_open", "hr"):
            break
        i += 1
    return out


def check_document(text: str, journal: Journal, filt: Filter) -> list:
    """Everything a hostile journal must not be able to change about the document.
    Returns the commonmark tokens, for further checks (a parse of a long hostile
    document costs seconds)."""
    views = filt.apply(journal.views.values())
    groups: list[tuple[str, list]] = []  # each month once; an entry a month "back" (other offset) stays put
    for v in views:
        month = v["occurred_at"][:7]
        if not groups or month > groups[-1][0]:
            groups.append((month, []))
        groups[-1][1].append(v)
    months = [m for m, _ in groups]
    first = None
    for name, md in parsers():
        tokens = md.parse(text)
        first = first or tokens
        # Only the block types the export writes: nothing opened a quote, code block, fence or HTML block.
        assert {t.type for t in tokens} <= ALLOWED_BLOCKS, (name, {t.type for t in tokens} - ALLOWED_BLOCKS)
        assert sum(t.type == "hr" for t in tokens) == 1  # the footer's rule, no other
        assert inline_text(tokens[-2]).startswith("End of the evidence trail:"), "something swallowed the end of the document"

        # Headings: exactly the ones the export meant.
        headings = [(t.tag, inline_text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]
        expected = [("h1", f"Evidence trail: {journal.path.name}")]
        if views:
            expected += [("h2", "Contents"), ("h2", "Accountability summary"), ("h2", "Open loops")]
        for month, members in groups:
            expected.append(("h2", f"{MONTHS[int(month[5:]) - 1]} {month[:4]}"))
            for v in members:
                title = f"#{v['seq']} · {KIND_NAMES[v['kind']]} · {v['occurred_at'][:10]} — {v['title']}"
                if v["retracted"]:
                    title = f"{title} (retracted)"
                expected.append(("h3", title))
        assert headings == expected, name

        # Raw HTML: only the export's anchors, never anything from user text.
        # Strikethrough (<del>) only where the export put it: retracted headings.
        html_tokens = [t for t in walk(tokens) if t.type in ("html_inline", "html_block")]
        assert all(t.type == "html_inline" for t in html_tokens)
        retracted = sum(1 for v in views if v["retracted"])
        assert sum(t.content == "<del>" for t in html_tokens) == sum(t.content == "</del>" for t in html_tokens) == retracted
        assert not [t for t in walk(tokens) if t.type == "s_open"]
        opens = [t.content for t in html_tokens if t.content not in ("</a>", "<del>", "</del>")]
        assert all(ANCHOR.fullmatch(c) for c in opens), opens
        assert len(opens) == sum(t.content == "</a>" for t in html_tokens) == len(views) + len(months) + (2 if views else 0)
        assert len(set(opens)) == len(opens), "anchors must be unique"
        # No emphasis, images or code from user text: the export itself writes none of these.
        assert not [t for t in walk(tokens) if t.type in ("em_open", "image")]

        # Links: only to anchors in this document, or web links: the autolinks the export writes
        # for http(s) URLs (a link in any parser) and those GitHub would also make. Never a link
        # inside a link (a URL in the title of an entry another one links to).
        anchors = {ANCHOR.fullmatch(c).group(1) for c in opens}
        inside = False
        for t in walk(tokens):
            if t.type == "link_close":
                inside = False
            if t.type == "link_open":
                assert not inside, "a link inside a link"
                inside = True
                href = t.attrGet("href")
                if href.startswith("#"):
                    assert href[1:] in anchors, href
                elif t.markup == "autolink":
                    assert href.startswith(("http://", "https://")), href
                else:
                    assert name == "gfm-like" and href.startswith(("http://", "https://", "mailto:")), href

        # Tables: every row has its header's cells; entry tables hold labelled rows.
        entry_sections = sections(tokens)
        assert sorted(entry_sections) == sorted(v["seq"] for v in views)
        for v in views:
            rows = table_rows(entry_sections[v["seq"]])
            assert rows[0] == ["Field", "Value"]
            assert all(len(r) == 2 for r in rows)
            cells = dict(rows[1:])
            assert cells["Id"] == v["id"]
            if v.get("owner"):
                assert cells["Owner"] == journal.people.display(v["owner"])
            if v.get("approved_by"):
                assert cells["Approved by"] == ", ".join(journal.people.display(p) for p in v["approved_by"])
            if v.get("project"):
                assert cells["Project"] == v["project"]
            if v.get("body"):
                assert "\n\n".join(paragraphs_after_table(entry_sections[v["seq"]])) == body_as_read(v["body"])
            if isinstance(v.get("commitments"), list):
                section = entry_sections[v["seq"]]
                at = next(i for i, t in enumerate(section) if t.type == "inline" and inline_text(t) == "Commitments")
                assert table_rows(section[at:])[1:] == [
                    [journal.people.display(c["who"]), c["what"], datetime.fromisoformat(c["due"]).strftime("%a %d %b %Y")]
                    for c in v["commitments"]
                ]
        if views:
            check_loops_section(tokens, views)

        html = md.renderer.render(tokens, md.options, {})  # what md.render(text) gives, without a second parse
        assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<!--" not in html
        assert not re.search(r"<[^>]*onerror", html)
        for _closing, tag, attrs in re.findall(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", html):
            assert tag in ALLOWED_TAGS, (name, tag, attrs)
    return first


def check_loops_section(tokens, views) -> None:
    """The Open loops section: its tables keep their columns, and every Entry cell is '#seq title' as typed."""
    titles = {v["seq"]: v["title"] for v in views}
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and inline_text(tokens[i + 1]) == "Open loops")
    end = next(i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open" and tokens[i].tag == "h2")
    section = tokens[start:end]
    for i, token in enumerate(section):
        if token.type != "table_open":
            continue
        rows = table_rows(section[i:])
        assert all(len(r) == len(rows[0]) for r in rows), rows
        column = rows[0].index("Entry")
        for row in rows[1:]:
            seq, _, title = row[column].partition(" ")
            assert titles[int(seq.lstrip("#"))] == title


def hostile_journal(db: Path, text: str, tmp_path_factory=None) -> tuple[Journal, Filter]:
    """Every user-text field of every kind holds `text` (or its one-line form).

    Given pytest's tmp_path_factory, the journal for `text` is written once for the whole run
    and its bytes laid at `db`: the English document's tests here and the Chinese one's
    (tests/test_i18n_export.py) take the same journal, whichever xdist worker comes first
    writing it (pytest-xdist's file-lock recipe, as tests/test_import_stream.py's exports)."""
    if tmp_path_factory is not None:
        from filelock import FileLock

        base = tmp_path_factory.getbasetemp()
        shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "hostile-journals"
        shared.mkdir(exist_ok=True)
        built = shared / f"{hashlib.sha256(text.encode()).hexdigest()[:24]}.json"
        with FileLock(str(built) + ".lock"):
            if not built.is_file():
                journal, _ = hostile_journal(built.with_suffix(".d") / "journal.json", text)
                built.write_bytes(journal.path.read_bytes())
        db.parent.mkdir(parents=True, exist_ok=True)
        db.write_bytes(built.read_bytes())
        return Journal(db, user="Pat PM"), Filter(include_retracted=True)
    line = one_line(text)
    person = line.replace(",", " ")
    journal = Journal(db, user=line)
    d = journal.add(
        "decision",
        {
            "title": line,
            "owner": person,
            "approved_by": [person, "Victor 王"],
            "consulted": [person],
            "project": line,
            "body": text,
            "rationale": text,
            "options": [line, "other"],
            "evidence": [line],
            "occurred_at": "2026-10-30 10:00",
        },
    )
    r = journal.add(
        "risk",
        {
            "title": line,
            "owner": person,
            "raised_by": person,
            "mitigation": text,
            "body": text,
            "occurred_at": "2026-11-01 09:00",
        },
    )
    c = journal.add(
        "change",
        {
            "title": line,
            "owner": person,
            "requested_by": [person],
            "previous": text,
            "impact": {"scope": text, "schedule": line},
            "occurred_at": "2026-11-02 09:00",
        },
    )
    m = journal.add(
        "communication",
        {
            "title": line,
            "participants": [person],
            "commitments": [
                {"who": person, "what": line, "due": "2026-11-10"},
                {"who": "Lee", "what": line, "due": "2026-11-11"},
            ],
            "follow_up_by": "2026-11-12",
            "raised_to": [person],
            "body": text,
            "occurred_at": "2026-11-03 09:00",
        },
    )
    # Loop records carry user text too: who did it and a note.
    journal.close_loop(f"#{m['seq']}", "commitment-1", by=person, note=text, occurred_at="2026-11-09")
    journal.close_loop(f"#{m['seq']}", "commitment-1", state="open", by=person, note=text, occurred_at="2026-11-10")
    journal.close_loop(f"#{m['seq']}", "follow-up", by=person, note=text, occurred_at="2026-11-12")
    journal.add(
        "incident",
        {"title": line, "causes": ["decision", "communication"], "body": text, "occurred_at": "2026-11-04 09:00"},
        links={"caused_by": [f"#{d['seq']}", f"#{c['seq']}"]},
    )
    journal.amend(f"#{d['seq']}", {"title": line + " v2", "body": text + "\nmore", "owner": "Bob"}, reason=text)
    journal.retract(f"#{r['seq']}", reason=text)
    return Journal(db, user="Pat PM"), Filter(include_retracted=True)


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_cannot_change_the_document(db, text, tmp_path_factory):
    journal, filt = hostile_journal(db, text, tmp_path_factory)
    out = export_markdown(journal, filt)
    tokens = check_document(out, journal, filt)
    # A loop's note reads as typed (on one line) in the entry's history and its Loops list.
    (view,) = [v for v in journal.views.values() if v["kind"] == "communication"]
    event = next(e for e in view["history"] if e["kind"] == "loop" and e["loop"] == "follow-up")
    flat = event["note"].replace("\r", " ").replace("\n", " ").strip()
    items = [inline_text(t) for t in sections(tokens)[view["seq"]] if t.type == "inline"]
    assert any(i.startswith("Loop done ") and i.endswith(f"follow-up done 12 Nov 2026 by {event['by']}: {flat}") for i in items)
    assert any(i.startswith("Loop re-opened ") for i in items)
    assert any(i.startswith(f"commitment 1 ({view['commitments'][0]['what']}) due 10 Nov 2026, done 9 Nov 2026") for i in items)


def test_a_huge_body_comes_back_whole(journal):
    body = "\n".join(f"Line {i}: *not emphasis* | <b>not bold</b> 中文 🚀 \\" for i in range(300))
    assert len(body) > 10_000
    journal.add("note", {"title": "Huge", "body": body})
    filt = Filter()
    out = export_markdown(journal, filt)
    tokens = check_document(out, journal, filt)  # its CommonMark (plus tables) parse
    assert paragraphs_after_table(sections(tokens)[1]) == [body_as_read(body)]


def test_header_names_the_journal_filters_period_and_chain_head(journal):
    journal.add("decision", {"title": "Ship it", "owner": "Alice", "occurred_at": "2026-11-02 10:00", "project": "atlas"})
    journal.add("note", {"title": "Aside", "occurred_at": "2026-11-20 10:00", "project": "other"})
    seq, head = journal.head()
    filt = Filter(project="atlas")
    out = export_markdown(journal, filt, generated_at=datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8))))
    assert out.startswith("# Evidence trail: journal.json\n")
    assert f"- **Journal:** {journal.path}" in out.replace("\\_", "_")
    assert "- **Filters:** project atlas\n" in out
    assert "- **Period:** Mon 02 Nov 2026 to Mon 02 Nov 2026\n" in out
    assert "- **Generated:** Wed 25 Nov 2026 09:30 +08:00\n" in out
    assert "- **Entries:** 1 (1 decision)\n" in out
    assert f"- **Chain head:** #{seq} `{head}`" in out
    assert "`pmjournal --db JOURNAL verify`" in out
    assert "Aside" not in out


def test_summary_table_matches_who(journal):
    journal.add("decision", {"title": "A", "owner": "Alice", "approved_by": ["Bob", "王芳"], "informed": ["carol"]})
    journal.add("change", {"title": "B", "owner": "alice", "requested_by": ["Acme | Corp"], "approved_by": ["Bob"]})
    filt = Filter()
    out = export_markdown(journal, filt)
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and "Accountability" in inline_text(tokens[i + 1]))
    rows = table_rows(tokens[start:])
    assert rows[0] == ["Person", "Owner", "Requested", "Approved", "Consulted", "Informed", "Other", "Entries"]
    expected = [
        [r["person"], *(str(r[k]) for k in ("owner", "requested", "approved", "consulted", "informed", "other")), str(r["total"])]
        for r in who(filt.apply(journal.views.values()), journal.people)
    ]
    assert rows[1:] == expected
    assert ["Alice", "2", "0", "0", "0", "0", "0", "2"] in rows  # first spelling wins, both entries counted
    assert ["Acme | Corp", "0", "1", "0", "0", "0", "0", "1"] in rows


def _summary_rows(text: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and "Accountability" in inline_text(tokens[i + 1]))
    return table_rows(tokens[start:])


@pytest.mark.parametrize("retracted", [(), ("--include-retracted",)])
def test_a_whole_exports_summary_is_the_one_its_entries_count(journal, cli, db, retracted):
    """A whole export's summary comes from the counts the index keeps (who_all); a filter that
    selects the same entries counts them as it writes them. Both say the same."""
    journal.add("decision", {"title": "A", "owner": "Alice", "approved_by": ["Bob", "王芳"], "informed": ["carol"]})
    journal.add("risk", {"title": "R", "owner": "sam", "raised_to": ["alice"], "raised_by": "Carol"})
    journal.add("communication", {"title": "C", "participants": ["Dana"], "acknowledged_by": ["dana", "Bob"]})
    gone = journal.add("decision", {"title": "X", "owner": "ALICE", "consulted": ["Eve"]})
    journal.retract(gone["id"], "wrong call")
    whole = ok(cli("--db", str(db), "export", *retracted))
    counted = ok(cli("--db", str(db), "export", "--since", "2000-01-01", *retracted))
    rows = _summary_rows(whole)
    assert rows == _summary_rows(counted)
    assert ["Alice", "1", "0", "0", "0", "0", "1", "3" if retracted else "2"] in rows
    assert (["Eve", "0", "0", "0", "0", "0", "0", "1"] in rows) == bool(retracted)


def test_history_shows_who_changed_what_when_and_why(journal):
    journal.add("decision", {"title": "Pick vendor", "owner": "Alice", "rationale": "Cheapest.\nFastest."})
    journal.amend("#1", {"owner": "Bob", "rationale": "Only one that passed security."}, reason="Alice left the team")
    out = export_markdown(journal, Filter())
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    section = sections(tokens)[1]
    texts = [inline_text(t) for t in section if t.type == "inline"]
    assert any(t.startswith("Amended ") and "by Pat PM (record #2). Reason:" in t for t in texts)
    assert "Alice left the team" in texts
    assert "Owner: Alice → Bob" in texts
    assert "Rationale, before:" in texts and "Cheapest.\nFastest." in texts
    assert "Rationale, after:" in texts
    assert table_rows(section)[2] == ["Owner", "Bob"]


def test_retracted_entries_are_struck_through_with_the_reason(journal):
    journal.add("note", {"title": "Wrong project"})
    journal.add("note", {"title": "Kept"})
    journal.retract("#1", reason="Logged in the wrong journal")
    assert "Wrong project" not in export_markdown(journal, Filter())
    out = export_markdown(journal, Filter(include_retracted=True))
    assert "<del>#1 · Note · " in out and "Wrong project</del> (retracted)" in out
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    heading = next(
        tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open" and "Wrong project" in tokens[i + 1].content
    )
    assert [c.content for c in heading.children if c.type == "html_inline"][2:] == ["<del>", "</del>"]
    assert inline_text(heading).endswith("Wrong project (retracted)")
    texts = [inline_text(t) for t in sections(tokens)[1] if t.type == "inline"]
    assert any(t.startswith("Retracted ") and "(record #3). Reason:" in t for t in texts)
    assert "Logged in the wrong journal" in texts
    assert "- **Entries:** 2 (2 notes), of which 1 retracted" in out


def test_links_go_both_ways_as_working_anchors(journal):
    journal.add("decision", {"title": "Launch 15 Dec", "owner": "Dana"})
    journal.add("decision", {"title": "Launch 5 Jan", "owner": "Dana"}, links={"supersedes": ["#1"]})
    journal.add("incident", {"title": "Outage", "causes": ["decision"]}, links={"caused_by": ["#2"]})
    out = export_markdown(journal, Filter())
    assert "- Superseded by [#2 · Decision · " in out
    assert "- Supersedes [#1 · Decision · " in out
    assert "- Led to [#3 · Incident · " in out
    assert "- Caused by [#2 · Decision · " in out
    md = MarkdownIt("gfm-like")
    anchors = set(re.findall(r'<a id="([^"]+)"', out))
    hrefs = [t.attrGet("href") for t in walk(md.parse(out)) if t.type == "link_open"]
    assert {"#e-1", "#e-2", "#e-3"} <= set(hrefs)
    assert all(h[1:] in anchors for h in hrefs if h.startswith("#"))
    assert "| Status | superseded |" in out


def test_links_read_the_same_however_far_ahead_the_export_reads(journal, cli, db, monkeypatch):
    """A link to an entry the export writes later is found among the views it has read ahead
    (markdown._AHEAD), else looked up in the index: the document is the same either way."""
    import pmjournal.core.markdown as markdown
    from pmjournal.core import dates

    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    monkeypatch.setattr(dates, "utc_stamp", lambda at=None: "2026-12-03T08:00:00+00:00")
    for n in range(1, 13):
        links = {"caused_by": [f"#{n - 1}"], "relates": [f"#{n - 5}"]} if n > 5 else {}
        journal.add("incident" if n > 5 else "decision", {"title": f"entry {n} [/]", "owner": "Dana"}, links=links)
    documents = []
    for ahead in (2_000, 3, 1, 0):
        monkeypatch.setattr(markdown, "_AHEAD", ahead)
        documents.append(ok(cli("--db", str(db), "export")))
        documents.append(export_markdown(journal, Filter()))
    assert len(set(documents[0::2])) == 1 and len(set(documents[1::2])) == 1
    assert "- Led to [#11 · Incident · " in documents[0] and "- Related from [#12 · Incident · " in documents[0]


URLS = [
    "https://en.wikipedia.org/wiki/Service_level_agreement",
    "https://acme.atlassian.net/browse/PM-12?a=3&page=x#comment-3",
    "https://wiki.acme/Launch_Plan#risks",
    "https://en.wikipedia.org/wiki/Foo_(bar)",
    "http://intranet.acme/~dana/q4_plan*final*.pdf",
]


def web_links(tokens) -> list[tuple[str, str]]:
    """(href, text) of every link that is not to an anchor of the document."""
    out, href, text = [], None, []
    for t in walk(tokens):
        if t.type == "link_open" and not t.attrGet("href").startswith("#"):
            href, text = t.attrGet("href"), []
        elif t.type == "link_close" and href is not None:
            out.append((href, "".join(text)))
            href = None
        elif href is not None and t.type == "text":
            text.append(t.content)
    return out


def test_urls_read_and_link_as_typed(journal):
    """GitHub's extended autolinks take every character up to a space, so a URL whose text was
    escaped (Launch\\_Plan) showed its backslashes and linked to Launch%5C_Plan. Such a URL is an
    autolink now: in either parser it reads as typed and links to exactly that URL, in evidence
    items, bodies, titles, table cells and a commitment's what; the punctuation after it stays
    outside, and in a link's text (an entry another one links to) it is no link of its own."""
    u = URLS
    d = journal.add(
        "decision",
        {
            "title": f"Adopt {u[0]}",
            "owner": "Dana",
            "project": u[2],
            "body": f"see {u[2]}, then\n({u[3]}) and {u[1]}.",
            "options": [f"{u[4]}?"],
            "evidence": [u[0], u[1], f"{u[4]}!"],
        },
    )
    journal.add(
        "communication",
        {
            "title": "Sync",
            "occurred_at": "2026-11-02",
            "commitments": [{"who": "Lee", "what": f"read {u[3]};", "due": "2026-11-10"}],
        },
    )
    journal.add("change", {"title": "Scope", "owner": "Dana", "impact": {"schedule": f"per {u[1]}"}})
    journal.add("incident", {"title": "Outage"}, links={"caused_by": [f"#{d['seq']}"]})
    filt = Filter()
    out = export_markdown(journal, filt)
    tokens = check_document(out, journal, filt)
    for name, md in parsers():
        tokens = md.parse(out)
        links = web_links(tokens)
        assert {(url, url) for url in u} <= set(links), name
        assert all(href == text for href, text in links), (name, links)
        entry = sections(tokens)[d["seq"]]
        assert "\n\n".join(paragraphs_after_table(entry)) == body_as_read(f"see {u[2]}, then\n({u[3]}) and {u[1]}.")
        items = [inline_text(t) for t in entry if t.type == "inline"]
        assert f"{u[4]}!" in items and f"{u[4]}?" in items
        assert ["Project", u[2]] in table_rows(entry)
        # The incident's link to the decision: its title as typed, in one link.
        incident = sections(tokens)[4]
        assert f"Caused by #1 · Decision · {d['occurred_at'][:10]} — Adopt {u[0]}" in [inline_text(t) for t in incident]


def test_a_bare_url_ending_a_body_line_keeps_the_line_break_out_of_its_link(journal):
    """Lines of a body are joined by a backslash hard break, and a plain URL ending a line (no
    escaping needed) took that backslash: https://x.y/spec linked to spec%5C and the break was
    lost (a review)."""
    journal.add("note", {"title": "Spec", "body": "spec: https://x.y/spec\nsecond line"})
    out = export_markdown(journal, Filter())
    check_document(out, journal, Filter())
    for name, md in parsers():
        links = web_links(md.parse(out))
        assert ("https://x.y/spec", "https://x.y/spec") in links, (name, links)


def test_controls_and_bidi_overrides_are_shown_as_the_terminal_shows_them(journal, cli, db):
    """A record written before the text rules (or by hand) may hold ESC, BEL, C1 controls and
    bidi overrides. The document shows them as `list` and `show` do (display.visible), so `cat`
    of an export runs no escape sequence and a reader sees no name reversed; its evidence
    appendix keeps the records byte for byte, and verify --evidence passes."""
    import json

    from teamhelp import rechained

    from pmjournal.core.display import visible

    journal.add("decision", {"title": "d", "owner": "O", "evidence": ["e"], "body": "b", "project": "p"})
    commitments = [{"who": "Lee", "what": "w", "due": "2026-11-10"}]
    journal.add("communication", {"title": "c", "occurred_at": "2026-11-02", "commitments": commitments})
    journal.add("incident", {"title": "i"}, links={"caused_by": ["#1"]})
    bad = "O\u001b]0;pwned\u0007\u009b2J\u202eanaD\u200b\u001f"
    lines = db.read_bytes().splitlines()
    record = json.loads(lines[1])
    record.update(owner=bad, title="t" + bad, evidence=["e" + bad], project="p" + bad, body=f"b{bad}\nnext{bad}")
    lines[1] = json.dumps(record).encode()
    record = json.loads(lines[2])
    record["commitments"][0]["what"] = "w" + bad
    lines[2] = json.dumps(record).encode()
    db.write_bytes(rechained(lines))
    ok(cli("--db", str(db), "verify"))
    path = db.parent / "export.md"
    ok(cli("--db", str(db), "export", "-o", str(path)))
    text = path.read_text(encoding="utf-8")
    document, appendix = text.split("```json\n")
    # (A zero-width space is refused in one-line fields only: a body may hold it, as `show` shows it.)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", document)
    for line in db.read_bytes().splitlines()[1:]:
        assert line.decode() in appendix  # the records as stored: what the hashes cover
    shown = visible(bad)  # O␛]0;pwned␇<U+009B>2J<U+202E>anaD<U+200B>␟
    assert shown == "O␛]0;pwned␇<U+009B>2J<U+202E>anaD<U+200B>␟"
    for name, md in parsers():
        tokens = md.parse(text)
        headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
        assert any(h.endswith(" — t" + shown) for h in headings), name
        entry = sections(tokens)[1]
        cells = dict(table_rows(entry)[1:])
        assert cells["Owner"] == shown and cells["Project"] == "p" + shown
        assert paragraphs_after_table(entry) == [f"b{visible(bad, multiline=True)}\nnext{visible(bad, multiline=True)}"]
        assert "e" + shown in [inline_text(t) for t in entry if t.type == "inline"]
        assert ["Lee", "w" + shown, "Tue 10 Nov 2026"] in table_rows(sections(tokens)[2][3:])
        summary = [inline_text(t) for t in tokens if t.type == "inline"]
        assert any(s == shown for s in summary)  # the accountability summary's Person cell
    for args in (("--db", str(db)), ()):
        ok(cli(*args, "verify", "--evidence", str(path)))


@pytest.mark.parametrize("odd", [["2026-11-10"], [1, True]])
def test_a_loop_record_whose_time_is_not_text_is_shown_as_it_is(journal, cli, db, odd):
    """A record the chain vouches for may hold what no form writes (a colleague's tool, an old
    version): a loop record's occurred_at that is a list, or 1 and then True. The export shows
    each as it is, as before its days were cached."""
    import json

    from teamhelp import rechained

    entry = journal.add(
        "decision", {"title": "D", "owner": "Dana", "occurred_at": "2026-11-02T10:00:00+08:00", "review_by": "2026-11-20"}
    )
    journal.close_loop(entry["id"], note="sent", occurred_at="2026-11-10T10:00:00+08:00")
    journal.close_loop(entry["id"], state="open", note="again", occurred_at="2026-11-11T10:00:00+08:00")
    values = iter(odd if len(odd) == 2 else [odd, odd])
    lines = []
    for line in db.read_bytes().splitlines():
        record = json.loads(line)
        if record.get("kind") == "loop":
            record["loop"], record["occurred_at"] = "bogus", next(values)
            line = json.dumps(record).encode()  # rechained writes it canonical
        lines.append(line)
    db.write_bytes(rechained(lines))
    ok(cli("--db", str(db), "verify"))
    out = ok(cli("--db", str(db), "export"))
    done, reopened = ["1", "True"] if len(odd) == 2 else [r"\['2026-11-10'\]"] * 2
    assert f"bogus done {done} by Dana: sent" in out and f"bogus re-opened {reopened}: again" in out


def test_entries_outside_the_export_are_named_but_not_shown(journal):
    journal.add("decision", {"title": "Secret call", "owner": "Dana", "project": "other"})
    journal.add("incident", {"title": "Outage", "project": "atlas"}, links={"caused_by": ["#1"]})
    out = export_markdown(journal, Filter(project="atlas"))
    assert "Secret call" not in out
    assert "- Caused by #1 (not in this export)" in out
    assert "](#e-1)" not in out


def test_incidents_carry_their_cause_trace_in_english_and_chinese(journal):
    journal.add("risk", {"title": "Sandbox unstable", "owner": "张伟", "causes": ["risk"]})
    journal.add("decision", {"title": "Skip load test", "owner": "Marcus", "causes": ["decision"]}, links={"caused_by": ["#1"]})
    journal.add("incident", {"title": "Outage", "causes": ["quality"]}, links={"caused_by": ["#2"]})
    out = export_markdown(journal, Filter())
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    section = sections(tokens)[3]
    start = next(i for i, t in enumerate(section) if t.type == "inline" and inline_text(t).startswith("Cause trace"))
    items = [inline_text(t) for t in section[start + 1 :] if t.type == "inline"]
    assert items[0].startswith("#2 · Decision · ") and "owner Marcus · causes: Decision error (决策失误)" in items[0]
    assert items[1].startswith("#1 · Risk · ") and "owner 张伟 · causes: Risk management (风险管理不足)" in items[1]
    levels = [t.level for t in section[start + 1 :] if t.type == "bullet_list_open"]
    assert levels[1] > levels[0]  # #1 is nested under #2
    assert "| Causes | Product quality (产品质量问题) |" in out


def test_a_cause_met_again_in_a_trace_lists_its_causes_once(journal):
    journal.add("note", {"title": "root"})
    journal.add("decision", {"title": "left", "owner": "Dana"}, links={"caused_by": ["#1"]})
    journal.add("decision", {"title": "right", "owner": "Dana"}, links={"caused_by": ["#2"]})
    journal.add("incident", {"title": "Outage"}, links={"caused_by": ["#3", "#2"]})
    out = export_markdown(journal, Filter())
    trace = out[out.index("**Cause trace**") :]
    trace = trace[: trace.index("\n\n", trace.index("- "))]
    lines = [line for line in trace.splitlines() if line.lstrip().startswith("- ")]
    assert [line.split(" · ")[0].strip() for line in lines] == ["- [#3", "- [#2", "- [#1", "- [#2"]
    assert lines[-1].endswith("(its causes are listed above)") and lines[-1].startswith("- ")
    check_document(out, Journal(journal.path, user="Pat PM"), Filter())


def test_a_cycle_in_the_causes_ends(journal):
    journal.add("incident", {"title": "A"})
    journal.add("incident", {"title": "B"}, links={"caused_by": ["#1"]})
    journal.amend("#1", {}, reason="link back", links={"caused_by": ["#2"]})
    out = export_markdown(journal, Filter())
    assert "(a cycle: already listed above)" in out
    check_document(out, Journal(journal.path, user="Pat PM"), Filter())


def test_months_in_mixed_offsets_appear_once(journal):
    journal.add("note", {"title": "Late October in New York", "occurred_at": "2026-10-31T20:00:00-05:00"})
    journal.add("note", {"title": "Early November in Shanghai", "occurred_at": "2026-11-01T01:00:00+08:00"})
    journal.add("note", {"title": "Mid November", "occurred_at": "2026-11-15T10:00:00+08:00"})
    filt = Filter()
    out = export_markdown(journal, filt)
    # The Shanghai entry (1 Nov 01:00 +08:00) came first in absolute time, so the New York one
    # (31 Oct 20:00 -05:00, hours later) joins November rather than reopening October.
    assert out.count('id="m-2026-11"') == 1 and 'id="m-2026-10"' not in out
    check_document(out, journal, filt)


def test_empty_selection_still_has_a_header_and_footer(journal):
    out = export_markdown(journal, Filter(kinds=("risk",)))
    assert "No entries match these filters." in out
    assert "- **Filters:** kind risk\n" in out
    check_document(out, journal, Filter(kinds=("risk",)))


def test_the_committed_example_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_example_evidence
    finally:
        sys.path.pop(0)
    current = (ROOT / "docs" / "example-evidence.md").read_text(encoding="utf-8")
    assert_same_text(
        current, make_example_evidence.render(), "docs/example-evidence.md is stale: run python scripts/make_example_evidence.py"
    )


def test_the_demo_export_reads_as_a_whole_document(tmp_path):
    from pmjournal.core.demo import write_demo

    journal = Journal(tmp_path / "demo.json", user="Dana")
    write_demo(journal)
    filt = Filter(include_retracted=True)
    out = export_markdown(journal, filt)
    check_document(out, journal, filt)
    assert "**Cause trace**" in out and "<del>" in out and "**History**" in out


# -- the command line ------------------------------------------------------


def test_cli_writes_markdown_to_stdout_with_filters(cli, journal):
    journal.add("decision", {"title": "Ship *now*", "owner": "Alice"})
    journal.add("note", {"title": "Aside"})
    proc = cli("export", "--format", "markdown", "--kind", "decision")
    assert proc.returncode == 0, proc.stderr
    assert '### <a id="e-1" name="e-1"></a>#1 · Decision · ' in proc.stdout
    assert "Ship \\*now\\*" in proc.stdout
    assert "Aside" not in proc.stdout
    assert "- **Filters:** kind decision\n" in proc.stdout


def test_a_document_of_several_megabytes_of_wide_text_comes_back_whole(cli, journal, tmp_path):
    # The document is written in 1 MB pieces of UTF-8: a piece may end inside a character,
    # and the file, the standard output and the evidence's digests must not notice.
    bodies = [f"{i} " + "决策记录中文🚀" * (400 + i % 7) for i in range(300)]
    for i, body in enumerate(bodies):
        journal.add("note", {"title": f"宽 {i}", "body": body})
    target = tmp_path / "wide.md"
    ok(cli("export", "--format", "markdown", "-o", str(target)))
    text = target.read_bytes().decode("utf-8")  # strict: a cut character would raise
    assert len(text.encode("utf-8")) > 3 << 20
    assert all(f"\n{body}\n" in text for body in bodies)
    assert "ok (not signed)" in ok(cli("verify", "--evidence", str(target)))
    stdout = ok(cli("export", "--format", "markdown", "-o", "-"))
    assert stdout.count("决策记录中文🚀") == text.count("决策记录中文🚀") and "\ufffd" not in stdout


def test_cli_output_file_is_not_overwritten_without_force(cli, journal, tmp_path):
    journal.add("decision", {"title": "First", "owner": "Alice"})
    target = tmp_path / "evidence.md"
    proc = cli("export", "--format", "markdown", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8").startswith("# Evidence trail: journal.json\n")
    assert proc.stdout == ""

    target.write_text("someone else's notes\n", encoding="utf-8")
    proc = cli("export", "--format", "markdown", "-o", str(target))
    assert proc.returncode == 1
    assert "exists" in proc.stderr and "--force" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert target.read_text(encoding="utf-8") == "someone else's notes\n"

    proc = cli("export", "--format", "markdown", "-o", str(target), "--force")
    assert proc.returncode == 0, proc.stderr
    assert "First" in target.read_text(encoding="utf-8")
    # Written through a temporary file renamed into place: nothing left beside it.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".evidence")) == []


def test_cli_output_into_a_missing_folder_fails_cleanly(cli, journal, tmp_path):
    journal.add("note", {"title": "x"})
    proc = cli("export", "--format", "markdown", "-o", str(tmp_path / "nope" / "out.md"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("pmjournal:")
    assert not (tmp_path / "nope").exists()


def test_hostile_filter_text_and_journal_path_stay_text(tmp_path):
    path = tmp_path / "[x]_*y* |z| <b>" / "journal `1`.json"
    journal = Journal(path, user="Pat PM")
    journal.add("note", {"title": "pipe | here <b>", "project": "p|q *r*"})
    filt = Filter(project="p|q *r*", search="| <b>")
    out = export_markdown(journal, filt)
    tokens = check_document(out, journal, filt)  # its CommonMark (plus tables) parse
    header = [
        inline_text(t) for t in tokens[: next(i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2")]
    ]
    assert f"Journal: {path}" in header
    assert f"Filters: {filt.describe()}" in header


def test_cli_output_to_a_fifo_writes_into_it_and_keeps_it(cli, journal, tmp_path):
    """-o onto something that is not a regular file (a FIFO, /dev/stdout, /dev/null)
    must write into it, never rename a temp file over it and replace it."""
    import os
    import stat
    import threading

    journal.add("note", {"title": "through the pipe"})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = cli("export", "--format", "markdown", "-o", str(fifo))
    reader.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert b"through the pipe" in got[0]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_cli_output_onto_a_folder_is_refused(cli, journal, tmp_path):
    journal.add("note", {"title": "x"})
    proc = cli("export", "-o", str(tmp_path))
    assert proc.returncode == 1 and "folder" in proc.stderr and "Traceback" not in proc.stderr


def test_the_filter_says_a_search_as_typed(journal):
    """The filter's words quoted a search as Python does: a\\b read 'a\\\\b', it's read "it's"."""
    from pmjournal.core.markdown import _filter_text, _words

    assert _filter_text(Filter(search="a\\b"), _words()) == "search 'a\\b'"
    assert _filter_text(Filter(search="it's"), _words()) == "search 'it's'"


@pytest.mark.parametrize("index", ("on", "off"))
def test_an_export_without_retracted_entries_says_it_leaves_them_out(cli, journal, monkeypatch, index):
    """"Filters: all entries" read as every entry while a retracted one was silently not there
    (a user trial)."""
    if index == "off":
        monkeypatch.setenv("PMJOURNAL_INDEX", "off")
    line = "- **Retracted entries:** left out; `--include-retracted` shows them, with why each was retracted"
    kept = journal.add("note", {"title": "kept"})
    assert line not in ok(cli("export"))  # nothing retracted: nothing to say
    gone = journal.add("note", {"title": "gone"})
    journal.retract(gone["id"], "wrong journal")
    said = ok(cli("export"))
    assert line in said and "- **Filters:** all entries" in said and "gone" not in said.split("## Contents")[0]
    assert line not in ok(cli("export", "--include-retracted"))
    assert kept["title"] in said
    # the app exports from the views it holds, and says the same
    assert line in export_markdown(journal, Filter())
