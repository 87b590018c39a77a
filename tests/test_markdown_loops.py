"""Open loops in the Markdown evidence export, on a fixed clock, read back through markdown-it-py.

A journal holds every loop type (follow-up, decision review, risk review,
commitment, answer to an escalation) in every state (done, overdue, due soon,
open), plus one done and re-opened. The export's "today" is the day it is
generated (pmjournal.core.dates.now, fixed here), and the document must say
what was overdue, who owed it to whom, for how long, and which escalations
were never answered.
"""

from datetime import datetime, timedelta, timezone

import pytest
from markdown_it import MarkdownIt
from test_markdown_export import check_document, inline_text, sections, table_rows

from pmjournal.core import dates, loops
from pmjournal.core.markdown import export_markdown
from pmjournal.core.query import Filter
from pmjournal.core.transfer import render

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))  # a Tuesday
TODAY = NOW.date()
DUE = {"done": "2026-11-25", "overdue": "2026-11-28", "soon": "2026-12-03", "open": "2026-12-20"}
# An escalation's answer is due 5 working days after it was raised.
RAISED = {"done": "2026-11-10", "overdue": "2026-11-16", "soon": "2026-11-27", "open": "2026-11-30"}


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(dates, "now", lambda: NOW)
    return NOW


@pytest.fixture
def loopy(journal, clock) -> dict:
    """Every loop type in every state; returns {(type, state): entry}."""
    made = {}
    for state, due in DUE.items():
        at = "2026-11-20 10:00"
        made["follow-up", state] = journal.add(
            "communication",
            {
                "title": f"Call with Acme ({state})",
                "owner": "Dana",
                "participants": ["Lee"],
                "follow_up_by": due,
                "occurred_at": at,
            },
        )
        made["decision review", state] = journal.add(
            "decision",
            {"title": f"Ship v2 ({state})", "owner": "Dana", "approved_by": ["Marcus"], "review_by": due, "occurred_at": at},
        )
        made["risk review", state] = journal.add(
            "risk", {"title": f"Rate limits ({state})", "owner": "Lee", "review_by": due, "occurred_at": at}
        )
        made["commitment", state] = journal.add(
            "communication",
            {
                "title": f"Pricing sync ({state})",
                "owner": "Dana",
                "commitments": [{"who": "Priya", "what": f"pricing sheet {state}", "due": due}],
                "occurred_at": at,
            },
        )
        made["answer", state] = journal.add(
            "risk",
            {
                "title": f"No sandbox ({state})",
                "owner": "Dana",
                "raised_by": "Dana",
                "raised_to": ["Marcus", "Sam"],
                "occurred_at": f"{RAISED[state]} 09:00",
            },
        )
    made["reopened"] = journal.add(
        "communication",
        {
            "title": "Brief fix",
            "owner": "Dana",
            "commitments": ["Lina; update the brief; 2026-11-24"],
            "raised_to": ["Marcus"],
            "occurred_at": "2026-11-20 11:00",
        },
    )
    for kind in ("follow-up", "decision review", "risk review", "commitment"):
        journal.close_loop(made[kind, "done"]["id"], occurred_at="2026-11-26 15:00", note=f"{kind} done")
    journal.close_loop(made["answer", "done"]["id"], by="Marcus", occurred_at="2026-11-19 12:00", note="no budget this quarter")
    journal.close_loop(made["reopened"]["id"], "commitment-1", occurred_at="2026-11-23", note="brief updated")
    journal.close_loop(made["reopened"]["id"], "commitment-1", state="open", occurred_at="2026-11-30", note="old brief still ran")
    journal.close_loop(made["reopened"]["id"], "answer", occurred_at="2026-11-21", note="go ahead")
    return made


def parse(text: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(text)


def loops_section(tokens) -> list:
    """The tokens from the Open loops heading to the next h2."""
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and inline_text(tokens[i + 1]) == "Open loops")
    end = next(i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open" and tokens[i].tag == "h2")
    return tokens[start:end]


def tables_by_label(section: list) -> dict[str, list[list[str]]]:
    """{'Overdue': rows, 'Not yet due': rows, 'Unanswered escalations': rows}: each bold label's table."""
    out, label = {}, None
    for i, token in enumerate(section):
        visible = [c for c in token.children or () if c.type != "text" or c.content]
        if token.type == "inline" and visible and visible[0].type == "strong_open":
            label = visible[1].content
        elif token.type == "table_open" and label:
            out[label] = table_rows(section[i:])
            label = None
    return out


def paragraphs(section: list) -> list[str]:
    return [inline_text(section[i + 1]) for i, t in enumerate(section) if t.type == "paragraph_open"]


def test_the_open_loops_section_lists_what_was_overdue_and_what_is_still_open(journal, loopy):
    out = export_markdown(journal, Filter())
    tokens = check_document(out, journal, Filter())  # its CommonMark parse, the same as parse(out)
    section = loops_section(tokens)
    tables = tables_by_label(section)
    seq = {key: entry["seq"] for key, entry in loopy.items()}

    def entry(key):
        return f"#{seq[key]} {loopy[key]['title']}"

    assert tables["Overdue"] == [
        ["Owed", "Entry", "Owed by", "Owed to", "Due", "Days overdue"],
        ["an answer", entry(("answer", "overdue")), "Marcus, Sam", "Dana", "Mon 23 Nov 2026", "8"],
        ["commitment: update the brief", entry("reopened"), "Lina", "Dana", "Tue 24 Nov 2026", "7"],
        ["follow-up", entry(("follow-up", "overdue")), "Dana", "Lee", "Sat 28 Nov 2026", "3"],
        ["review of this decision", entry(("decision review", "overdue")), "Dana", "Marcus", "Sat 28 Nov 2026", "3"],
        ["review of this risk", entry(("risk review", "overdue")), "Lee", "(nobody named)", "Sat 28 Nov 2026", "3"],
        ["commitment: pricing sheet overdue", entry(("commitment", "overdue")), "Priya", "Dana", "Sat 28 Nov 2026", "3"],
    ]
    assert tables["Not yet due"] == [
        ["Owed", "Entry", "Owed by", "Owed to", "Due", "Due in"],
        ["follow-up", entry(("follow-up", "soon")), "Dana", "Lee", "Thu 03 Dec 2026", "2 days (soon)"],
        ["review of this decision", entry(("decision review", "soon")), "Dana", "Marcus", "Thu 03 Dec 2026", "2 days (soon)"],
        ["review of this risk", entry(("risk review", "soon")), "Lee", "(nobody named)", "Thu 03 Dec 2026", "2 days (soon)"],
        ["commitment: pricing sheet soon", entry(("commitment", "soon")), "Priya", "Dana", "Thu 03 Dec 2026", "2 days (soon)"],
        ["an answer", entry(("answer", "soon")), "Marcus, Sam", "Dana", "Fri 04 Dec 2026", "3 days (soon)"],
        ["an answer", entry(("answer", "open")), "Marcus, Sam", "Dana", "Mon 07 Dec 2026", "6 days"],
        ["follow-up", entry(("follow-up", "open")), "Dana", "Lee", "Sun 20 Dec 2026", "19 days"],
        ["review of this decision", entry(("decision review", "open")), "Dana", "Marcus", "Sun 20 Dec 2026", "19 days"],
        ["review of this risk", entry(("risk review", "open")), "Lee", "(nobody named)", "Sun 20 Dec 2026", "19 days"],
        ["commitment: pricing sheet open", entry(("commitment", "open")), "Priya", "Dana", "Sun 20 Dec 2026", "19 days"],
    ]
    # The absence of an answer is evidence: every escalation still waiting, with how long it waited.
    assert tables["Unanswered escalations"] == [
        ["Entry", "Raised by", "Raised to", "Raised on", "Answer due", "Waited"],
        [entry(("answer", "overdue")), "Dana", "Marcus, Sam", "Mon 16 Nov 2026", "Mon 23 Nov 2026", "15 days"],
        [entry(("answer", "soon")), "Dana", "Marcus, Sam", "Fri 27 Nov 2026", "Fri 04 Dec 2026", "4 days"],
        [entry(("answer", "open")), "Dana", "Marcus, Sam", "Mon 30 Nov 2026", "Mon 07 Dec 2026", "1 day"],
    ]
    # Nothing done is listed as open; the counts add up.
    listed = " ".join(" ".join(row) for rows in tables.values() for row in rows)
    assert "(done)" not in listed and "Brief fix" in listed
    intro = paragraphs(section)[0]
    assert "on Tue 01 Dec 2026, the day this document was generated: 16 loops were open, 6 of them overdue; 6 were done" in intro
    assert "- [Open loops](#loops) (16 open, 6 overdue)\n" in out
    # Every entry link in the section leads to the entry's anchor.
    hrefs = {t.attrGet("href") for t in section[0:] for t in (t.children or ()) if t.type == "link_open"}
    assert hrefs == {f"#e-{n}" for key, n in seq.items() if key == "reopened" or key[1] != "done"}


def test_each_entry_tells_its_loops_story_and_history(journal, loopy):
    out = export_markdown(journal, Filter())
    entries = sections(parse(out))

    def items(key, label):
        tokens = entries[loopy[key]["seq"]]
        start = next(i for i, t in enumerate(tokens) if t.type == "inline" and inline_text(t).startswith(label))
        end = next(i for i in range(start, len(tokens)) if tokens[i].type == "bullet_list_close")
        return [inline_text(t) for t in tokens[start + 1 : end] if t.type == "inline"]

    assert items(("follow-up", "done"), "Loops") == [
        "follow-up due 25 Nov 2026, done 26 Nov 2026 by Dana: follow-up done (1 day late) · owed by Dana to Lee"
    ]
    assert items(("follow-up", "overdue"), "Loops") == ["follow-up due 28 Nov 2026, overdue by 3 d · owed by Dana to Lee"]
    assert items(("decision review", "soon"), "Loops") == ["review due 3 Dec 2026, due soon: in 2 days · owed by Dana to Marcus"]
    assert items(("risk review", "open"), "Loops") == ["review due 20 Dec 2026, still open: due in 19 days · owed by Lee"]
    assert items(("answer", "done"), "Loops") == [
        "answer due 17 Nov 2026, done 19 Nov 2026 by Marcus: no budget this quarter (2 days late) · owed by Marcus, Sam to Dana"
    ]
    assert items("reopened", "Loops") == [
        "commitment 1 (update the brief) due 24 Nov 2026, done 23 Nov 2026 by Lina: brief updated, "
        "re-opened 30 Nov 2026: old brief still ran, overdue by 7 d · owed by Lina to Dana",
        "answer due 27 Nov 2026, done 21 Nov 2026 by Marcus: go ahead · owed by Marcus to Dana",
    ]
    history = items("reopened", "History")
    assert [h.split(" ", 2)[:2] for h in history] == [["Loop", "done"], ["Loop", "re-opened"], ["Loop", "done"]]
    reopen = next(r for r in journal.records() if r["kind"] == "loop" and r["state"] == "open")
    assert history[1].endswith(
        f"by Pat PM (record #{reopen['seq']}): commitment 1 (update the brief) re-opened 30 Nov 2026: old brief still ran"
    )
    assert not any("Retracted" in h or "Amended" in h for h in history)
    # The structured commitment is a table of who, what and by when.
    tokens = entries[loopy["reopened"]["seq"]]
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and inline_text(t) == "Commitments")
    assert table_rows(tokens[start:]) == [["Who", "What", "By"], ["Lina", "update the brief", "Tue 24 Nov 2026"]]


def test_only_the_exported_entries_loops_are_listed(journal, loopy):
    filt = Filter(kinds=("decision",))
    out = export_markdown(journal, filt)
    tables = tables_by_label(loops_section(check_document(out, journal, filt)))  # its CommonMark parse
    owed = {row[0] for rows in tables.values() for row in rows[1:]}
    assert owed == {"review of this decision"}
    assert "Unanswered escalations" not in tables
    assert "Every escalation in these entries had been answered by Tue 01 Dec 2026 (an answer is due 5 working days after" in out
    assert "- [Open loops](#loops) (3 open, 1 overdue)\n" in out


def test_the_export_counts_on_the_day_it_is_generated(journal, loopy):
    later = NOW + timedelta(days=30)
    out = export_markdown(journal, Filter(), generated_at=later)
    assert "- **Generated:** Thu 31 Dec 2026 10:00 +08:00\n" in out
    assert "(16 open, 16 overdue)" in out
    # The CLI's path (transfer.render) takes the day from dates.now(), and the configured answer days.
    text = render(journal, Filter(), "markdown", answer_days=10).decode()
    assert "An answer is due 10 working days after the escalation" in text
    assert "| Mon 16 Nov 2026 | Mon 30 Nov 2026 | 15 days |" in text


def test_an_entry_with_no_loops_and_a_journal_without_any(journal, clock):
    journal.add("note", {"title": "Just a note", "occurred_at": "2026-11-20 10:00"})
    out = export_markdown(journal, Filter())
    check_document(out, journal, Filter())
    assert "None of these entries owed anything on Tue 01 Dec 2026" in out
    assert "**Loops**" not in out
    assert "- [Open loops](#loops) (0 open, 0 overdue)\n" in out


def test_legacy_text_commitments_render_as_before(journal, clock):
    from pmjournal.core import model

    body = model.build_entry(
        "communication",
        {"title": "Old call", "commitments": "Priya: *slides* | by Friday", "occurred_at": "2026-11-20 10:00"},
        stored=True,
    )
    journal.append_raw(
        [{**body, "id": "01LEGACY000000000000000000", "recorded_at": "2026-11-20T02:00:00.000+00:00", "recorded_by": "Pat"}]
    )
    out = export_markdown(journal, Filter())
    check_document(out, journal, Filter())
    assert "**Commitments**\n\nPriya: \\*slides\\* \\| by Friday\n\n" in out
    assert loops.loops_of(journal.views["01LEGACY000000000000000000"], TODAY) == []
