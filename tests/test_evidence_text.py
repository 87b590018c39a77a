"""`verify --evidence` holds a Markdown export's entries against the records in its appendix.

The signature covers the document's bytes, not that its text is what the records say: an
export made from an index (journal.json.index) with a view edited in it showed the edited
owner, and `verify --evidence` passed it (a known gap since the signed exports)."""

import json
import sqlite3
from datetime import UTC

import pytest
from clihelp import ok, reworded

from pmjournal.core.demo import write_demo
from pmjournal.core.store import Journal


def _edit_view(db, seq: int, **changes) -> None:
    """What someone with write access to the index can do: no chain covers it."""
    index = sqlite3.connect(db.with_name(db.name + ".index"))
    vid, view = index.execute("SELECT vid, view FROM views WHERE seq = ?", (seq,)).fetchone()
    view = json.loads(view)
    view.update(changes)
    index.execute("UPDATE views SET view = ? WHERE vid = ?", (json.dumps(view).encode(), vid))
    index.commit()
    index.close()


def problems(proc) -> list[str]:
    """verify's lines, one a problem, after it failed."""
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr.strip().splitlines()


@pytest.fixture
def demo(db, cli):
    write_demo(Journal(db, user="Dana Whitfield"))
    ok(cli("list"))  # the index is built
    return db


@pytest.mark.parametrize(
    ("changes", "named"),
    (
        ({"owner": "Lena Park"}, "#2: the entry shown differs from its records (Owner)"),
        ({"title": "Launch when ready"}, "#2: the entry shown differs from its records (its heading)"),
        ({"body": "Nobody decided this."}, "#2: the entry shown differs from its records (its text)"),
    ),
)
def test_an_entry_edited_in_the_index_is_named_by_verify_evidence(demo, cli, tmp_path, changes, named):
    _edit_view(demo, 2, **changes)
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    said = problems(cli("verify", "--evidence", str(out)))
    assert said[0].endswith(named)


def test_every_entry_of_the_demo_holds_in_both_languages_and_filtered(demo, cli, tmp_path):
    """Links, loops, cause traces, histories, retractions, supersessions: no false alarm."""
    for n, args in enumerate((("--lang", "zh"), ("--person", "Marcus Chen"), ("--kind", "decision"), ("--since", "2026-10-15"))):
        out = tmp_path / f"ev{n}.md"
        ok(cli(*args, "export", "-o", str(out)) if args[0] == "--lang" else cli("export", *args, "-o", str(out)))
        ok(cli("verify", "--evidence", str(out)))


def test_a_name_spelled_two_ways_holds_but_a_changed_name_does_not(db, cli, tmp_path):
    """The document shows a name as the journal first spelled it (people.display)."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "first", "owner": "Dana Whitfield"})
    journal.add("decision", {"title": "second", "owner": "dana  whitfield", "approved_by": ["marcus chen"]})
    journal.add("note", {"title": "third", "informed": ["Marcus Chen"]})
    out = tmp_path / "ev.md"
    ok(cli("export", "--kind", "decision", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    _edit_view(db, 2, owner="Lena Park")
    ok(cli("export", "--kind", "decision", "-o", str(out), "--force"))
    assert problems(cli("verify", "--evidence", str(out)))[0].endswith("#2: the entry shown differs from its records (Owner)")


def test_hostile_and_wide_text_holds(db, cli, tmp_path):
    journal = Journal(db, user="Pat PM")
    first = journal.add("decision", {"title": "[/]Cut [bold]x <b>|</b> 决定 https://x.example/a_b|c", "owner": "张伟"})
    journal.add(
        "risk",
        {"title": "---", "body": "### not a heading\n**Links**\n- nor an item\n\n  indented | pipe", "owner": "Dana"},
    )
    journal.retract(first["id"], "typed in the wrong journal")
    out = tmp_path / "ev.md"
    for args in ((), ("--include-retracted",)):
        ok(cli("export", *args, "-o", str(out), "--force"))
        ok(cli("verify", "--evidence", str(out)))
    assert "<del>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "named"),
    (
        ("**Filters:** person Marcus Chen", "**Filters:** all entries", "its Filters line differs"),
        ("**Entries:** 21 (10 decisions", "**Entries:** 21 (11 decisions", "its Entries line differs"),
        ("**Chain head:** #68", "**Chain head:** #12", "its Chain head line differs"),
        ("| Marcus Chen | 6 | 0 | 8 |", "| Marcus Chen | 16 | 0 | 18 |", "the accountability summary differs"),
        # an entry's links: what it was caused by, what it led to, what superseded it
        ("- Caused by #13 (not in this export)", "- Caused by #2 (not in this export)", "#14: the entry shown differs from its records (its links)"),
        ("- Led to [#57", "- Caused by [#57", "#3: the entry shown differs from its records (its links)"),
        ("— Move the launch to 5 January](#e-34)", "— Keep the launch](#e-34)", "#2: the entry shown differs from its records (its links)"),
        # loops: an entry's story of what it owed, and the open-loops tables above the entries
        ("hand-off doc shared (1 day late)", "hand-off doc shared", "the entry shown differs from its records (its text)"),
        (
            "still blocked | Marcus Chen, Sam Okafor | Dana Whitfield |",
            "still blocked | Sam Okafor | Dana Whitfield |",
            "the open loops differ from what the entries' records owed",
        ),
        ("answered by", "answered at last by", "the open loops differ from what the entries' records owed"),
        # an incident's cause trace: who owned the call behind it, what caused it
        (
            "Skip the full load test to hold the date](#e-17) · owner Marcus Chen",
            "Skip the full load test to hold the date](#e-17) · owner Dana Whitfield",
            "the entry shown differs from its records (its cause trace)",
        ),
        ("  - #20 (not in this export)", "  - [#9 · Change", "the entry shown differs from its records (its cause trace)"),
    ),
)
def test_the_header_and_the_summary_are_held_against_the_statement_and_the_records(demo, cli, tmp_path, old, new, named):
    """A signer who overstated a colleague's accountability in the summary, or called a
    filtered export "all entries", and signed again passed `verify --evidence` (a user trial)."""
    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    reworded(out, old, new)
    assert named in problems(cli("verify", "--evidence", str(out)))[0]


def test_an_entry_changed_is_the_one_problem_named(db, cli, tmp_path):
    """A decision that differed was rendered again (as superseded, which a decision outside the
    export may make it), and that second rendering was counted: the header's Entries line and
    the summary were named as changed too, though they were not."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "Cut scope", "owner": "Dana Whitfield"})
    journal.add("note", {"title": "later"})
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    reworded(out, "| Owner | Dana Whitfield |", "| Owner | Lena Park |")
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and "the entry shown differs from its records (Owner)" in said[0]


def test_the_generated_day_is_the_statements(demo, cli, tmp_path):
    """The loops are counted on the day the document was generated: moved to another day (to
    make a loop look on time, or one not yet due), the document no longer holds."""
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    line = next(line for line in out.read_text(encoding="utf-8").split("\n") if line.startswith("- **Generated:** "))
    reworded(out, line, "- **Generated:** Mon 01 Jan 2024 10:00 +00:00")
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and said[0].endswith("the document header: its Generated line differs from the statement and the records")
    # the day kept, words added (only the day was held): the line is the statement's time
    ok(cli("export", "-o", str(out), "--force"))
    reworded(out, line := next(x for x in out.read_text(encoding="utf-8").split("\n") if x.startswith("- **Generated:** ")), line + " (approved by legal)")
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and said[0].endswith("the document header: its Generated line differs from the statement and the records")


def test_the_appendix_says_each_of_its_members_once_and_names_the_parts_as_they_are(demo, cli, tmp_path):
    """A reader of the appendix sees its first `query`, a JSON reader (and the check) the last;
    the list of the document's parts named one otherwise than it is. Neither is in the
    document's hash: an unsigned and a signed export passed alike."""
    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    twice = text.replace('"format": "pmjournal-evidence",', '"format": "pmjournal-evidence",\n  "query": {"person": "Everyone"},', 1)
    relabelled = text.replace('"the document header",', '"the document header (checked by HR)",', 1)
    for edited, named in ((twice, "evidence: query: written twice"), (relabelled, "sections: the appendix names the document's parts")):
        assert edited != text
        out.write_text(edited, encoding="utf-8")
        said = problems(cli("verify", "--evidence", str(out)))
        assert any(named in line for line in said), said


def test_loops_hold_with_the_exporters_answer_days(db, cli, tmp_path):
    """An escalation's answer is due `answer_days` working days after it (config): the document
    says how many, so its loops hold whatever the exporter had set, answered or not."""
    journal = Journal(db, user="Pat PM")
    risk = journal.add("risk", {"title": "Slip", "owner": "Dana", "raised_to": ["Marcus"], "occurred_at": "2026-11-20 09:00"})
    journal.close_loop(f"#{risk['seq']}", "answer", by="Marcus", occurred_at="2026-11-24")
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("answer_days = 10\n")
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    assert "an answer is due 10 working days after the escalation" in out.read_text(encoding="utf-8")
    (config / "config.toml").write_text("answer_days = 3\n")
    ok(cli("verify", "--evidence", str(out)))
    reworded(out, "answer due 4 Dec 2026", "answer due 27 Nov 2026")
    assert problems(cli("verify", "--evidence", str(out)))[0].endswith("#1: the entry shown differs from its records (its text)")


def test_a_cause_trace_line_dropped_or_moved_to_the_top_is_named(demo, cli, tmp_path):
    """The first level of a trace is what the incident's records say caused it."""
    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    start = text.index("**Cause trace**")
    first = text.index("\n- [#17 · Decision", start) + 1
    line = text[first : text.index("\n", first) + 1]
    reworded(out, line, "")
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and said[0].endswith("the entry shown differs from its records (its cause trace)")


def _line(out, start: str) -> str:
    """The document's first line that starts with `start`."""
    return next(line for line in out.read_text(encoding="utf-8").split("\n") if line.startswith(start))


def test_the_contents_period_and_order_are_the_entries(demo, cli, tmp_path):
    """A month's count in the contents, the period, or the order of two entries changed, and
    signed again, passed (the header's Period line and the contents were not held)."""
    import re

    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    original = out.read_bytes()
    month = re.search(r"^- \[[^\]]+\]\(#m-[0-9-]+\) \((\d+) entries\)$", out.read_text(encoding="utf-8"), re.M)
    reworded(out, month.group(0), month.group(0).replace(f"({month.group(1)} entries)", f"({int(month.group(1)) + 1} entries)"))
    assert problems(cli("verify", "--evidence", str(out)))[0].endswith("the document's contents differ from the entries it shows")

    out.write_bytes(original)
    period = _line(out, "- **Period:** ")
    reworded(out, period, period.replace(" to ", " to Mon 01 Jan 2024 and "))
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and said[0].endswith("the document header: its Period line differs from the statement and the records")

    out.write_bytes(original)
    text = out.read_text(encoding="utf-8")
    sections = list(re.finditer(r'^### <a id="e-\d+".*?(?=^### |^## |^---$)', text, re.M | re.S))
    a, b = sections[3], sections[4]
    assert a.end() == b.start()
    reworded(out, a.group(0) + b.group(0), b.group(0) + a.group(0))
    said = problems(cli("verify", "--evidence", str(out)))
    assert said[0].endswith("the document's entries are not in the order, or under the months, of their records")


def test_a_decision_superseded_outside_the_export_owes_no_review_there(db, cli, tmp_path):
    """Its review loop, which the records in the export alone would open, was counted by the
    check: the contents and the open loops of a genuine export were called changed."""
    journal = Journal(db, user="Pat PM")
    old = journal.add("decision", {"title": "Old plan", "owner": "Ann", "review_by": "2099-01-15"})
    journal.add("decision", {"title": "New plan", "owner": "Ann"}, links={"supersedes": [f"#{old['seq']}"]})
    out = tmp_path / "ev.md"
    ok(cli("export", "--search", "Old plan", "-o", str(out)))
    assert "**Status:** superseded" in out.read_text(encoding="utf-8") or "| Status | superseded |" in out.read_text(encoding="utf-8")
    ok(cli("verify", "--evidence", str(out)))


def test_an_export_of_no_entries_verifies(db, cli, tmp_path):
    """It has no accountability summary, and the check wanted one."""
    Journal(db, user="Pat PM").add("note", {"title": "something"})
    out = tmp_path / "ev.md"
    ok(cli("export", "--search", "no such words", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))


_END = "\n---\n\nEnd of the evidence trail"


@pytest.mark.parametrize(
    ("old", "new", "named"),
    (
        # a made-up entry without an anchor, which the check passed over
        (_END, "\n### #99 · Decision · 2026-12-04 — Ship it\n\n| Field | Value |\n|---|---|\n| Owner | Sam |\n" + _END, "text pmjournal does not write: ### #99"),
        # the real filter line hidden in an HTML comment, a false one shown
        (
            "- **Filters:** person Marcus Chen\n",
            "- **Filters:** all entries\n<!--\n- **Filters:** person Marcus Chen\n-->\n",
            "the document header differs from what pmjournal writes",
        ),
        # a second section under an entry's anchor
        (_END, '\n### <a id="e-2" name="e-2"></a>#2 · Decision · 2026-09-09 — Skip it\n' + _END, "the document shows #2 twice"),
        # a paragraph made to look like a block pmjournal leaves out of the entry's own text
        (
            "- Caused by #13 (not in this export)\n",
            "- Caused by #13 (not in this export)\n\n**Links** (note)\n\nMarcus Chen ordered this.\n",
            "#14: the entry shown differs from its records (its text)",
        ),
        # free text in a links line to an entry outside the export
        (
            "- Caused by #13 (not in this export)",
            "- Caused by #13 (not in this export, and Marcus Chen approved it)",
            "#14: the entry shown differs from its records (its links)",
        ),
        ("entries; chain head #", "entries (all approved); chain head #", "the document's footer differs"),
        # a lone carriage return ends a line for a renderer, not for the check: a line read by
        # its start (or held with a name's spacing forgiven) carried a whole other header
        ("- **Journal:** ", "- **Journal:** x\r- **Filters:** all entries\rx", "holds a carriage return"),
        # the parts the exporter chose, as pmjournal escapes them: no markup of their own
        ("- **Journal:** ", "- **Journal:** <b>x</b> ", "its Journal line holds markup pmjournal does not write"),
        ("# Evidence trail: ", "# Evidence trail: <!-- x --> ", "its title line holds markup pmjournal does not write"),
        # a second Links block in an entry: the first was held and every one left out of its text
        (
            '### <a id="e-6"',
            '**Links**\n\n\n**Links**\n\n- Approved by Marcus Chen in person\n\n### <a id="e-6"',
            "the entry shown differs from its records (its text)",
        ),
    ),
)
def test_nothing_but_what_pmjournal_writes_passes(demo, cli, tmp_path, old, new, named):
    """A user trial made a signed document say more than its records, in the parts the check
    passed over, and signed again: every part of the document is now held."""
    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    reworded(out, old, new)
    said = problems(cli("verify", "--evidence", str(out)))
    assert any(named in line for line in said), said


def test_a_paragraph_under_a_month_heading_is_named(demo, cli, tmp_path):
    import re

    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    heading = re.search(r'^## <a id="m-[0-9-]+" name="m-[0-9-]+"></a>.*\n', out.read_text(encoding="utf-8"), re.M).group(0)
    reworded(out, heading, heading + "\nAll calls this month were approved by Marcus Chen.\n")
    said = problems(cli("verify", "--evidence", str(out)))
    assert len(said) == 1 and "the document's heading for " in said[0], said


def test_a_retracted_entrys_links_hold_when_it_is_exported(db, cli, tmp_path):
    """With --include-retracted, a retracted entry that links to another exported one is shown
    as a backlink there, and the check, which left retracted sources out, refused the export."""
    journal = Journal(db, user="Pat PM")
    plan = journal.add("decision", {"title": "Plan A", "owner": "Ann"})
    note = journal.add("note", {"title": "Call notes", "owner": "Ann"}, links={"relates": [f"#{plan['seq']}"]})
    journal.retract(note["id"], "wrong entry")
    for fmt in ("markdown", "json"):
        out = tmp_path / f"ev.{'md' if fmt == 'markdown' else 'json'}"
        ok(cli("export", "--include-retracted", "--format", fmt, "-o", str(out)))
        ok(cli("verify", "--evidence", str(out)))


def test_a_name_markdown_escapes_holds_in_another_case(db, cli, tmp_path):
    """`R&D team` then `R&D Team`: the document shows the first spelling, escaped (R\\&D), and
    the allowance for a name spelled otherwise looked for it unescaped."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "Pick vendor", "owner": "R&D team"})
    journal.add("decision", {"title": "Freeze scope", "owner": "R&D Team", "approved_by": ["ann_smith"]})
    journal.add("note", {"title": "later", "informed": ["Ann_Smith"]})
    out = tmp_path / "ev.md"
    for args in ((), ("--lang", "zh")):
        ok(cli(*args, "export", "-o", str(out), "--force"))
        ok(cli("verify", "--evidence", str(out)))


def test_the_history_of_an_entry_whose_links_were_amended_is_held(db, cli, tmp_path):
    """Its history shows the titles of the entries it was linked to, so the check left the
    text after its History heading out: a signer could write any history there."""
    journal = Journal(db, user="Pat PM")
    risk = journal.add("risk", {"title": "Vendor may slip", "owner": "Eve", "tags": ["launch"]})
    other = journal.add("risk", {"title": "Budget cut", "owner": "Eve", "tags": ["launch"]})
    incident = journal.add(
        "incident", {"title": "Launch slipped", "owner": "Eve", "tags": ["launch"]}, links={"caused_by": [f"#{risk['seq']}"]}
    )
    journal.amend(incident["id"], {}, links={"caused_by": [f"#{other['seq']}"]}, reason="the budget, not the vendor")
    out = tmp_path / "ev.md"
    # its link targets in the export (all of it; by a filter the check cannot apply to what it
    # keeps of them: a false alarm on the first try), then outside it
    for args in ((), ("--tag", "launch"), ("--kind", "incident")):
        ok(cli("export", *args, "-o", str(out), "--force"))
        ok(cli("verify", "--evidence", str(out)))
    reworded(out, "Reason:\n\n  the budget, not the vendor", "Reason:\n\n  Eve insisted on it")
    assert problems(cli("verify", "--evidence", str(out)))[0].endswith("#3: the entry shown differs from its records (its history)")
    # the entries outside the export it names, by their #ref: held with the journal
    ok(cli("export", "--kind", "incident", "-o", str(out), "--force"))
    text = out.read_text(encoding="utf-8")
    assert "Caused by #1 (not in this export) → Caused by #1 (not in this export), Caused by #2" in text, text
    reworded(out, "→ Caused by #1 (not in this export), Caused by #2", "→ Caused by #4 (not in this export), Caused by #2")
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: #3: its history names entries outside the export otherwise than the journal does"], said


def test_a_names_spacing_is_forgiven_only_as_spacing(db, cli, tmp_path):
    """A line with a name is held with case and spacing forgiven (the journal's first
    spelling); a form feed or line separator there is no spacing pmjournal writes."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "first", "owner": "Dana Whitfield", "approved_by": ["Marcus Chen"]})
    out = tmp_path / "ev.md"
    for odd in ("\x0c", "\u2028", "\x1f"):
        ok(cli("export", "-o", str(out), "--force"))
        reworded(out, "| Approved by | Marcus Chen |", f"| Approved by{odd}| Marcus Chen |")
        said = problems(cli("verify", "--evidence", str(out)))
        assert any("the entry shown differs from its records" in line for line in said), (odd, said)


@pytest.mark.parametrize(
    ("old", "new"),
    (
        # a link to an entry outside the export, made to name another one
        ("- Caused by #13 (not in this export)", "- Caused by #12 (not in this export)"),
        # a backlink from an entry outside the export, made up
        ("- Led to #62 (not in this export)\n", "- Led to #62 (not in this export)\n- Led to #58 (not in this export)\n"),
        # one dropped
        ("- Led to #62 (not in this export)\n", ""),
    ),
)
def test_what_links_say_of_entries_outside_the_export_is_held(demo, cli, tmp_path, old, new):
    """Which entry outside the export a link names, and which of them link to an exported one:
    held against their records, which the evidence carries (`context`), and with --db against
    the journal. A tamper hunt added "Led to #58" and passed, with --db too."""
    from pmjournal.core.evidence import check

    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    text = out.read_text(encoding="utf-8")
    reworded(out, old, new)
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: #14: its links name entries outside the export otherwise than the journal does"], said
    with check.read(out) as ev:  # on its own
        assert check.check(ev).problems == ["#14: its links name entries outside the export otherwise than the journal does"]
    # Those records taken out: the statement names them
    out.write_text(_without_context(text, statement=False), encoding="utf-8")
    assert any("context: the statement names records" in line for line in problems(cli("verify", "--evidence", str(out))))
    # A document made before they were carried: on its own those lines are not held; with
    # the journal they are.
    out.write_text(_without_context(text), encoding="utf-8")
    ok(cli("verify", "--evidence", str(out)))
    reworded(out, old, new)
    with check.read(out) as ev:
        assert check.check(ev).ok
    assert problems(cli("verify", "--evidence", str(out))) == said


def _without_context(text: str, statement: bool = True) -> str:
    """A Markdown export as it was before its evidence carried `context` (and, with `statement`,
    before its statement named them)."""
    import re

    data = json.loads(text[text.index("```json\n") + 8 : text.rindex("```")])
    start = text.index(',\n  "context": {')
    end = text.index(',\n  "records": {', start)
    text = text[:start] + text[end:]
    assert "context" in data
    if statement:
        text = re.sub(r"\ncontext \d+ sha256:[0-9a-f]{64}", "", text)  # the statement shown
        text = re.sub(r"\\ncontext \d+ sha256:[0-9a-f]{64}", "", text)  # and in the JSON
    return text


def test_a_journal_named_that_is_not_there_is_said_not_checked_alone(demo, cli, tmp_path):
    """`verify --evidence F --db typo.json` said "checked on its own: give --db JOURNAL"."""
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    proc = cli("--db", str(tmp_path / "typo.json"), "verify", "--evidence", str(out))
    assert proc.returncode == 1 and proc.stderr.strip() == f"pmjournal: no journal at {tmp_path / 'typo.json'} to check {out} against"
    assert not (tmp_path / "typo.json").exists()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_cause_trace_is_held_whole_against_the_journal(demo, cli, tmp_path, lang):
    """Under an entry outside the export a trace shows that entry's causes, which only the
    journal has: with --db the whole trace is rendered again from it and held, lines outside
    the export and which line stands under which included. In Chinese an outside line's #ref
    has no space after it, and such a line naming an exported entry passed on its own."""
    out = tmp_path / "ev.md"
    ok(cli("--lang", lang, "export", "--person", "Marcus Chen", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    outside = "(not in this export)" if lang == "en" else "（不在本次导出中）"
    space = " " if lang == "en" else ""
    text = out.read_text(encoding="utf-8")
    assert f"  - #20{space}{outside}\n" in text
    reworded(out, f"  - #20{space}{outside}\n", f"  - #21{space}{outside}\n")
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: #57: its cause trace differs from what the journal shows"], said
    # an outside line may not name an exported entry (#2 is one), on its own either
    out.write_text(text, encoding="utf-8")
    reworded(out, f"  - #20{space}{outside}\n", f"  - #2{space}{outside}\n")
    from pmjournal.core.evidence import check

    with check.read(out) as ev:
        assert not check.check(ev).ok


def test_an_export_whose_filter_names_nobody_the_journal_has_is_refused(demo, cli, tmp_path):
    """A mistyped name wrote an evidence document of no entries and said only "wrote"; `list`
    says what the filter names that no entry has, and so does export now, writing nothing.
    A filter that names what the journal has but matches nothing still writes the document
    (no entries is a finding too), and says so."""
    out = tmp_path / "ev.md"
    for args, said in (
        (("--person", "Marcus Chenn"), "no one named Marcus Chenn (Marcus Chen?)"),
        (("--project", "checkout"), "no project checkout (checkout-v2?)"),
    ):
        proc = cli("export", *args, "-o", str(out))
        assert proc.returncode == 1 and proc.stderr == f"pmjournal: no entries match: {said}; nothing was exported\n", proc.stderr
        assert not out.exists()
    proc = cli("export", "--search", "nothing like this", "-o", str(out))
    assert proc.returncode == 0 and proc.stderr == f"wrote {out}: no entries match these filters\n"
    ok(cli("verify", "--evidence", str(out)))
    proc = cli("export", "--search", "nothing like this", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == "pmjournal: no entries match these filters; the document says so\n"


def test_a_json_export_laid_out_again_verifies_and_says_so(demo, cli, tmp_path):
    """Re-indented by `python -m json.tool`, an unsigned JSON export was refused as "differs
    from what was signed", after the note that it was not signed; `import` takes such a file.
    Its content is held whole against the records and the statement, so it holds, with a note."""
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    data = json.loads(out.read_text(encoding="utf-8"))
    out.write_text(json.dumps(data, indent=4, sort_keys=True), encoding="utf-8")
    said = ok(cli("verify", "--evidence", str(out)))
    assert "laid out again since it was exported" in said and said.rstrip().endswith(f"ok (not signed): {out}")
    data["entries"][0]["title"] += "!"
    out.write_text(json.dumps(data, indent=4), encoding="utf-8")
    said = problems(cli("verify", "--evidence", str(out)))
    assert said[0].endswith("document: the export's content differs from what its statement hashes (it was changed after it was exported)")
    assert "the entry shown differs from its records (title)" in said[1]


def _json_reworded(out, old: str, new: str) -> None:
    """A JSON export edited and its document hash recomputed (as reworded does a Markdown one)."""
    import hashlib
    import re

    text = out.read_text(encoding="utf-8")
    cut = text.rindex(',\n  "evidence": ')
    doc = text[:cut]
    assert old in doc
    doc = doc.replace(old, new, 1)
    digest = hashlib.sha256(doc.encode()).hexdigest()
    out.write_text(doc + re.sub(r"document sha256:[0-9a-f]{64}", "document sha256:" + digest, text[cut:]), encoding="utf-8")


def test_a_link_to_an_entry_outside_the_export_is_not_shown_as_missing(db, cli, tmp_path):
    """"Supersedes an entry not in this journal (ID)" for one that is there, outside the
    export: its number and that it exists hidden, and verify passed, alone and with --db."""
    journal = Journal(db, user="Pat PM")
    old = journal.add("decision", {"title": "Old call", "owner": "Ann", "project": "core"})
    journal.add("decision", {"title": "New call", "owner": "Ann", "project": "web"}, links={"supersedes": [old["id"]]})
    out = tmp_path / "ev.md"
    ok(cli("export", "--project", "web", "-o", str(out)))
    reworded(out, "- Supersedes #1 (not in this export)", f"- Supersedes an entry not in this journal ({old['id']})")
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: #2: its links name entries outside the export otherwise than the journal does"], said


def test_a_json_export_shows_no_entry_superseded_but_a_decision_and_no_item_but_entries(db, cli, tmp_path):
    """Its status was left out of the check whenever it was shown "superseded", whatever the
    kind (an open incident shown superseded passed); and an item among the entries that is not
    one (a note: "closed and approved by the CEO") was passed over."""
    journal = Journal(db, user="Pat PM")
    journal.add("incident", {"title": "Outage", "owner": "Ann"})
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    _json_reworded(out, '"status":"open"', '"status":"superseded"')
    said = problems(cli("verify", "--evidence", str(out)))
    assert any("#1: the entry shown differs from its records (status)" in line for line in said), said
    out.write_text(text, encoding="utf-8")
    _json_reworded(out, '"entries": [\n', '"entries": [\n    "NOTE: #1 was closed and approved by the CEO",\n')
    said = problems(cli("verify", "--evidence", str(out)))
    assert any("entries: item 1 is not an entry" in line for line in said), said


def test_a_member_written_twice_is_named_wherever_it_is(db, cli, tmp_path):
    """A reader of the file sees the first of two, a JSON reader (and the check) the last: an
    entry or a record given a leading "owner", the JSON export's `filter` twice, and a record in
    a Markdown appendix, which no hash of the document covers, all passed."""
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "Call", "owner": "Ann"})
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    for old, new, named in (
        ('"entries": [\n    {', '"entries": [\n    {"owner":"Marcus Chen",', "entry "),
        ('"records": [\n    {', '"records": [\n    {"owner":"Marcus Chen",', "record #1"),
        ('"filter": "all entries",', '"filter": "person Marcus Chen",\n  "filter": "all entries",', "filter"),
    ):
        out.write_text(text, encoding="utf-8")
        _json_reworded(out, old, new)
        said = problems(cli("verify", "--evidence", str(out)))
        assert any(named in line and "a member written twice" in line for line in said), said
    md = tmp_path / "ev.md"
    ok(cli("export", "-o", str(md)))
    body = md.read_text(encoding="utf-8")
    at = body.index('"records": {')
    record = body.index('\n      {"', at) + len('\n      {')
    md.write_text(body[:record] + '"owner":"Marcus Chen",' + body[record:], encoding="utf-8")
    said = problems(cli("verify", "--evidence", str(md)))
    assert any("record #1: a member written twice" in line for line in said), said


def test_only_a_names_own_spelling_is_forgiven_in_its_line(db, cli, tmp_path):
    """A line was held without case wherever any name (a person "Al", the login "root") was in
    it: an evidence link's document id changed in case passed. Now the rest of the line is
    held as it is, and a name spelled as the journal first spelled it still holds."""
    journal = Journal(db, user="Al")
    journal.add("decision", {"title": "Pick vendor", "owner": "Al", "evidence": ["https://docs.example.com/d/1AbCdEfGh/final Al"]})
    journal.add("decision", {"title": "Second", "owner": "dana  whitfield", "approved_by": ["Al"]})
    journal.add("note", {"title": "first spelling", "informed": ["Dana Whitfield"]}, )
    out = tmp_path / "ev.md"
    ok(cli("export", "--kind", "decision", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    reworded(out, "1AbCdEfGh", "1aBcDeFgH")
    said = problems(cli("verify", "--evidence", str(out)))
    assert any("#1: the entry shown differs from its records" in line for line in said), said


def test_an_export_dated_before_its_records_were_recorded_is_named(demo, cli, tmp_path, monkeypatch):
    """A statement (and the document's Generated line) backdated: the loops were counted on an
    earlier day, and the overdue ones showed not yet due. Its records say when they were
    recorded, which the export cannot be before."""
    from datetime import datetime

    from pmjournal.core import dates

    backdated = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(dates, "now", lambda: backdated)
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    monkeypatch.undo()
    said = problems(cli("verify", "--evidence", str(out)))
    assert any(f"{out}: generated: 2026-09-01T12:00" in line for line in said), said


def test_a_json_exports_links_from_entries_outside_it_are_held_with_the_journal(db, cli, tmp_path):
    """A JSON entry's linked_from and superseded_by naming entries outside the export were the
    exporter's word (a second tamper hunt reversed a supersession); with --db they are held
    against the journal, and a decision shown superseded by nothing is named on its own."""
    journal = Journal(db, user="Pat PM")
    old = journal.add("decision", {"title": "Old call", "owner": "Ann", "project": "web"})
    new = journal.add("decision", {"title": "New call", "owner": "Ann", "project": "core"}, links={"supersedes": [old["id"]]})
    other = journal.add("note", {"title": "Side note", "project": "core"})
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "--project", "web", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    text = out.read_text(encoding="utf-8")
    _json_reworded(out, f'"from":"{new["id"]}"', f'"from":"{other["id"]}"')
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: #1: its linked_from or superseded_by name entries outside the export otherwise than the journal does"], said
    out.write_text(text, encoding="utf-8")
    _json_reworded(out, f'"superseded_by":["{new["id"]}"]', '"superseded_by":[]')
    said = problems(cli("verify", "--evidence", str(out)))
    assert any("#1: the entry shown differs from its records (status)" in line for line in said), said


def test_a_json_exports_format_version_and_unverified_members_are_held(db, cli, tmp_path):
    """Set by hand ("version": 2, "unverified": true), they passed, a file laid out again with
    the note that its content was held whole (a third tamper hunt)."""
    Journal(db, user="Pat PM").add("decision", {"title": "Call", "owner": "Ann"})
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    for old, new, named in (
        ('"version": 1,', '"version": 2,', "its format or version is not the one pmjournal wrote"),
        ('  "entries": [', '  "unverified": true,\n  "entries": [', "it says its journal failed verification"),
    ):
        out.write_text(text, encoding="utf-8")
        _json_reworded(out, old, new)
        said = problems(cli("verify", "--evidence", str(out)))
        assert any(named in line for line in said), said
