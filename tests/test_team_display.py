"""A colleague's entry reads `dana#1` wherever a record is referred to (CLI, Markdown,
loops, the app), one's own `#1` as before; corrections two people made without seeing
each other's are marked concurrent wherever history is shown, the same on every machine."""

import asyncio
import re
import shutil
import time

import pytest
from clihelp import ok
from teamhelp import cli, team_of

from pmjournal.core.config import Config
from pmjournal.core.display import CONCURRENT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

MARK = f"({CONCURRENT})"


def shared_decision(tmp_path, *names):
    """The first member adds a decision (their #1); everyone syncs. Returns the members and its id."""
    members = team_of(tmp_path, *names)
    entry = members[0].journal().add("decision", {"title": "Ship on Friday", "owner": "Dana", "occurred_at": "2026-01-01"})
    for member in members:
        member.sync()
    return members, entry["id"]


def section(markdown: str, anchor: str) -> str:
    """One entry of a Markdown export: from its heading to the next heading or the end."""
    start = markdown.index(f'<a id="{anchor}"')
    ends = [i for i in (markdown.find("\n## ", start), markdown.find("\n### ", start), markdown.find("\n---", start)) if i > 0]
    return markdown[start : min(ends)]


def absolute(text: str, handle: str) -> str:
    """`text` with the writer's own references (#2, anchors e-2) named by handle, as a colleague names them."""
    text = re.sub(r"(?<![A-Za-z0-9-])#(\d+)", rf"{handle}#\1", text)
    return re.sub(r'(?<=[("#])e-(\d+)', rf"e-{handle}-\1", text)


def history_lines(shown: str) -> list[str]:
    lines = shown.splitlines()
    return lines[lines.index("History") + 1 : -1]


def test_list_show_and_export_name_a_colleagues_entry_by_handle(tmp_path):
    (dana, bob), _ = shared_decision(tmp_path, "Dana Whitfield", "Bob Li")
    bob.journal().add("note", {"title": "Bob's own note"})

    rows = ok(cli(bob, "list")).splitlines()
    assert rows[0].startswith("#     ")  # the # column is as wide as dana#1
    assert any(r.startswith("dana#1  ") and "Ship on Friday" in r for r in rows)
    assert any(r.startswith("#1      ") and "Bob's own note" in r for r in rows)  # one's own: #1, as always

    shown = ok(cli(bob, "show", "dana#1"))
    assert shown.splitlines()[0] == "dana#1 decision · accepted"
    assert ok(cli(bob, "show", "#1")).splitlines()[0] == "#1 note"

    markdown = ok(cli(bob, "export"))
    # Two authors' #1 each get their own heading and anchor.
    assert '### <a id="e-dana-1" name="e-dana-1"></a>dana#1 · Decision · 2026-01-01 — Ship on Friday' in markdown
    assert '<a id="e-1" name="e-1"></a>#1 · Note' in markdown
    anchors = re.findall(r'<a id="([^"]+)"', markdown)
    assert len(anchors) == len(set(anchors))
    # Dana's own export of the same entry still reads #1.
    assert '<a id="e-1" name="e-1"></a>#1 · Decision' in ok(cli(dana, "export"))


def test_the_list_column_fits_a_long_handle(tmp_path):
    (christabel, bob), _ = shared_decision(tmp_path, "Christabel Vance", "Bob Li")
    rows = ok(cli(bob, "list")).splitlines()
    header, rule, row = rows
    assert row.startswith("christabel#1  ")  # whole, not cut to the seven cells of #9999999
    assert rule.split("  ")[0] == "─" * len("christabel#1")
    assert header.index("when") == row.index("2026-01-01")


def test_links_amendments_and_retractions_name_the_colleagues_entry(tmp_path):
    (dana, bob), decision = shared_decision(tmp_path, "Dana Whitfield", "Bob Li")
    incident = bob.journal().add("incident", {"title": "Outage", "owner": "Bob"}, {"caused_by": ["dana#1"]})

    assert "caused by dana#1 decision: Ship on Friday" in ok(cli(bob, "show", "#1"))
    assert "led to #1 incident: Outage" in ok(cli(bob, "show", "dana#1"))
    tree = ok(cli(bob, "trace", "#1"))
    assert "#1 incident" in tree and "dana#1 decision" in tree
    assert (
        ok(cli(bob, "trace", "dana#1"))
        .splitlines()[-1]
        .startswith("dana#1 has no caused-by links (add them with `pmjournal amend dana#1 --caused-by")
    )
    markdown = ok(cli(bob, "export"))
    assert "[dana#1 · Decision · 2026-01-01 — Ship on Friday](#e-dana-1)" in markdown
    assert "(#e-1)" in markdown  # Bob's incident, linked back from Dana's decision

    assert ok(cli(bob, "amend", "dana#1", "--owner", "Marcus", "--reason", "handover")) == "#2 amends dana#1: owner\n"
    assert ok(cli(bob, "retract", "dana#1", "--reason", "made in error")) == "#3 retracts dana#1\n"
    assert "RETRACTED #3 " in ok(cli(bob, "show", "dana#1"))
    bob.sync()
    dana.sync()
    # On Dana's machine her entry is #1, and Bob's records are bob#2 and bob#3.
    shown = ok(cli(dana, "show", "#1"))
    assert "RETRACTED bob#3 " in shown
    assert "  bob#2 " in shown and "  bob#3 " in shown
    assert "caused by" not in shown and "led to bob#1 incident: Outage" in shown
    entry = section(ok(cli(dana, "export", "--include-retracted")), "e-1")
    assert "(record bob#3). Reason:" in entry and "(record bob#2). Reason:" in entry
    assert "[bob#1 · Incident" in entry and "](#e-bob-1)" in entry
    assert MARK not in entry  # each correction saw the one before it
    assert dana.journal().by_id(incident["id"])["links"] == [{"rel": "caused_by", "to": decision}]


def test_due_remind_and_done_name_a_colleagues_loop(tmp_path):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add(
        "communication",
        {
            "title": "Pricing call",
            "owner": "Dana",
            "occurred_at": "2026-01-01",
            "follow_up_by": "2026-01-05",
            "participants": ["Ann"],
        },
    )
    dana.journal().add("communication", {"title": "Vendor call", "owner": "Dana", "occurred_at": "2026-01-02"})
    bob.journal().add("note", {"title": "Bob's own"})
    dana.sync()
    bob.sync()
    # A loop given to a colleague's entry by one's own amendment (due reads it back from her chain).
    bob.journal().amend("dana#2", {"follow_up_by": "2026-01-08"}, "chase the vendor")

    rows = ok(cli(bob, "due", "--today", "2026-01-10")).splitlines()
    assert rows[2].startswith("dana#1  ") and "Pricing call" in rows[2] and "5 d overdue" in rows[2]
    assert rows[3].startswith("dana#2  ") and "Vendor call" in rows[3] and "2 d overdue" in rows[3]
    reminder = ok(cli(bob, "remind", "--today", "2026-01-10"))
    assert "dana#1 Pricing call: follow-up by Dana (due 5 Jan 2026)" in reminder
    assert "dana#2 Vendor call: follow-up by Dana (due 8 Jan 2026)" in reminder

    said = ok(cli(bob, "done", "dana#1", "--when", "2026-01-09", "--note", "recap sent"))
    assert said == "#3 closes dana#1: follow-up done 9 Jan 2026 by Dana: recap sent\n"
    assert [r.split()[0] for r in ok(cli(bob, "due", "--today", "2026-01-10")).splitlines()[2:-1]] == ["dana#2"]
    markdown = ok(cli(bob, "export"))
    assert "| follow-up | [dana#2](#e-dana-2) Vendor call | Dana |" in markdown
    assert "(record #3): follow-up done 9 Jan 2026 by Dana: recap sent" in markdown


def test_a_concurrent_amendment_is_marked_alike_on_both_machines(tmp_path):
    (dana, bob), entry = shared_decision(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().amend(entry, {"owner": "Marcus"}, "Dana heard it was Marcus")
    bob.journal().amend(entry, {"owner": "Priya"}, "Bob heard it was Priya")
    for _ in range(2):
        for member in (dana, bob):
            member.sync()

    shows = {m.handle: ok(cli(m, "show", ref)) for m, ref in ((dana, "#1"), (bob, "dana#1"))}
    for handle, shown in shows.items():
        history = history_lines(shown)
        marked = [line for line in history if line.startswith("  ") and not line.startswith("      ")]
        assert len(marked) == 2 and all(MARK in line for line in marked), (handle, history)
    # Line for line the same, once each side's own records are named by handle.
    assert absolute("\n".join(history_lines(shows["dana"])), "dana") == absolute("\n".join(history_lines(shows["bob"])), "bob")

    entries = {"dana": section(ok(cli(dana, "export")), "e-1"), "bob": section(ok(cli(bob, "export")), "e-dana-1")}
    for handle, text in entries.items():
        history = absolute(text[text.index("**History**") :], handle)
        assert history.count(MARK) == 2
        # Dana's amendment is her #2 (after the decision), Bob's his first record.
        assert f"(record dana#2) {MARK}. Reason:" in history and f"(record bob#1) {MARK}. Reason:" in history
    assert absolute(entries["dana"], "dana") == absolute(entries["bob"], "bob")

    # An amendment that saw both is not concurrent.
    dana.journal().amend(entry, {"owner": "Dana"}, "settled in the meeting")
    dana.sync()
    bob.sync()
    last = history_lines(ok(cli(bob, "show", "dana#1")))
    settled = next(line for line in last if "settled in the meeting" in line)
    assert settled.startswith("  dana#3 ") and MARK not in settled


def test_a_single_user_journal_shows_no_handle_and_no_marker(cli, journal):
    first = journal.add("decision", {"title": "Alone", "owner": "Pat"})
    journal.amend(first["id"], {"owner": "Sam"}, "handover")
    shown = ok(cli("show", "1"))
    assert shown.splitlines()[0] == "#1 decision · accepted"
    assert "  #2 " in shown and "concurrent" not in shown
    markdown = ok(cli("export"))
    assert '<a id="e-1" name="e-1"></a>#1 · Decision' in markdown and "(record #2). Reason:" in markdown
    assert "concurrent" not in markdown
    assert re.match(r"#1  \d{4}-", ok(cli("list")).splitlines()[2])  # the # column as wide as #1, as before


def test_the_app_shows_a_colleagues_reference_whole_and_marks_concurrent_history(tmp_path):
    from pmjournal.tui.app import build_app
    from pmjournal.tui.screens.trail import TrailScreen

    (christabel, bob), entry = shared_decision(tmp_path, "Christabel Vance", "Bob Li")
    christabel.journal().amend(entry, {"owner": "Marcus"}, "Christabel heard it was Marcus")
    bob.journal().amend(entry, {"owner": "Priya"}, "Bob heard it was Priya")
    for _ in range(2):
        for member in (christabel, bob):
            member.sync()
    bob.journal().add("incident", {"title": "Outage", "owner": "Bob"}, {"caused_by": ["christabel#1"]})

    def text(widget) -> str:
        return "\n".join(strip.text for strip in widget.render_lines(widget.region.reset_offset))

    async def run():
        app = build_app(bob.path, Config(name="Bob Li"))
        async with app.run_test(size=(120, 36)) as pilot:
            deadline = time.monotonic() + 10
            while not (isinstance(app.screen, TrailScreen) and app.screen.settled):
                assert time.monotonic() < deadline, "the app did not load"
                await pilot.pause(0.05)
            table = app.screen.table
            lines = [table.render_line(y).text for y in range(3)]
            assert lines[0].startswith(" " * 11 + "# When")  # the # column is as wide as christabel#1 (right-aligned)
            assert lines[1].startswith(" " * 10 + "#2 ") and "Outage" in lines[1]  # #1 is Bob's amendment
            assert lines[2].startswith("christabel#1 ") and "Ship on Friday" in lines[2]
            assert "christabel#1 decision: Ship on Friday" in str(
                app.screen.query_one("#detail-links").get_option_at_index(0).prompt
            )
            table.move_to(entry)
            await pilot.pause()
            assert text(app.screen.query_one("#detail-main")).startswith("christabel#1 decision")
            history = text(app.screen.query_one("#detail-history"))
            assert history.count("concurrent: made without seeing") == 2, history

    asyncio.run(run())
