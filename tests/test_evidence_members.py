"""`verify --evidence` names what pmjournal does not write inside an export's members.

A third tamper hunt (2026-12-04) found these read past: a member added inside the evidence
block's `chains.<name>` or inside a `linked_from` item, a `linked_from` item shown twice,
`"seq": true` (Python's True == 1), a team JSON export's `chains.<name>.chain_head` changed,
and a Markdown appendix's `context` padded with exported records or put in another order.
Each passed `verify --evidence` with ok."""

import hashlib
import json
import re
import shutil

import pytest
from clihelp import ok
from test_evidence_text import _json_reworded, problems

from pmjournal.core.demo import write_demo
from pmjournal.core.store import Journal


def _evidence(path):
    """(text before the evidence JSON, the JSON, text after) of a Markdown export's appendix."""
    text = path.read_text(encoding="utf-8")
    start = text.rindex("```json\n") + len("```json\n")
    end = text.rindex("\n```\n")
    return text[:start], json.loads(text[start:end]), text[end:]


def _write_evidence(path, before: str, block: dict, after: str) -> None:
    path.write_text(before + json.dumps(block, indent=2, ensure_ascii=False) + after, encoding="utf-8")


def test_a_member_added_inside_a_chain_of_the_evidence_is_named(db, cli, tmp_path):
    Journal(db, user="Pat PM").add("decision", {"title": "Call", "owner": "Ann"})
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    before, block, after = _evidence(out)
    _write_evidence(out, before, block, after)
    ok(cli("verify", "--evidence", str(out)))  # laid out again, it holds
    block["chains"]["journal"]["audited_by"] = "KPMG"
    _write_evidence(out, before, block, after)
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: evidence: chains.journal.audited_by: not written by pmjournal (added after the export)"], said


@pytest.fixture
def linked(db, cli, tmp_path):
    """A JSON export of a decision and the incident it caused."""
    journal = Journal(db, user="Pat PM")
    call = journal.add("decision", {"title": "Cut QA", "owner": "Ann"})
    journal.add("incident", {"title": "Outage", "owner": "Bob"}, links={"caused_by": [call["id"]]})
    out = tmp_path / "ev.json"
    ok(cli("export", "--format", "json", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    return out


def _from(out) -> str:
    return re.search(r'\{"rel":"caused_by","from":"(\w+)"\}', out.read_text(encoding="utf-8")).group(0)


def test_a_member_added_to_a_linked_from_item_is_named(linked, cli):
    item = _from(linked)
    _json_reworded(linked, item, item[:-1] + ',"approved":true}')
    said = problems(cli("verify", "--evidence", str(linked)))
    assert said == [f"pmjournal: {linked}: #1: the entry shown differs from its records (linked_from, superseded_by)"], said


def test_a_linked_from_item_shown_twice_is_named(linked, cli):
    item = _from(linked)
    _json_reworded(linked, item, f"{item},{item}")
    said = problems(cli("verify", "--evidence", str(linked)))
    assert said == [f"pmjournal: {linked}: #1: the entry shown differs from its records (linked_from, superseded_by)"], said


def test_true_is_not_a_number_in_an_entry_or_a_header(linked, cli):
    text = linked.read_text(encoding="utf-8")
    _json_reworded(linked, '"seq":1,', '"seq":true,')
    said = problems(cli("verify", "--evidence", str(linked)))
    assert said == [f"pmjournal: {linked}: #1: the entry shown differs from its records (seq)"], said
    linked.write_text(text, encoding="utf-8")
    _json_reworded(linked, '"version": 1,', '"version": true,')
    said = problems(cli("verify", "--evidence", str(linked)))
    assert any("its format or version is not the one pmjournal wrote" in line for line in said), said


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_team_json_exports_colleague_chain_head_and_members_are_held(tmp_path):
    from teamhelp import cli, team_of

    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    bob.journal().add("risk", {"title": "Vendor limits", "owner": "Bob Li"})
    bob.journal().add("note", {"title": "second"})
    bob.sync()
    dana.journal().add("decision", {"title": "Ship", "owner": "Dana Whitfield"})
    dana.sync()
    out = tmp_path / "team.json"
    ok(cli(dana, "export", "--format", "json", "-o", str(out)))
    ok(cli(dana, "verify", "--evidence", str(out)))
    text = out.read_text(encoding="utf-8")
    head = re.search(r'"bob": \{"chain_head": \{"seq":2,', text).group(0)
    _json_reworded(out, head, head.replace('"seq":2', '"seq":1'))
    said = problems(cli(dana, "verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: chains.bob.chain_head: not the head the statement names"], said
    out.write_text(text, encoding="utf-8")
    _json_reworded(out, head, head.replace('{"chain_head"', '{"reviewed": "yes", "chain_head"'))
    said = problems(cli(dana, "verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: document: chains.bob.reviewed: not written by pmjournal (added after the export)"], said


def _restated(before: str, block: dict, after: str) -> tuple[str, dict, str]:
    """The statement made to name the block's context as it now is, where it is shown too (an
    unsigned export: anyone can; a signer can sign it again)."""
    records = [r for chain in block["context"].values() for r in chain]
    digest = hashlib.sha256("".join(f"{r['hash']}\n" for r in records).encode()).hexdigest()
    line = f"context {len(records)} sha256:{digest}"
    old = re.search(r"context \d+ sha256:[0-9a-f]{64}", block["statement"]).group(0)
    block["statement"] = block["statement"].replace(old, line)
    return before.replace(old, line), block, after


def test_a_context_padded_or_reordered_is_named(db, cli, tmp_path):
    write_demo(Journal(db, user="Dana Whitfield"))
    out = tmp_path / "ev.md"
    ok(cli("export", "--person", "Marcus Chen", "-o", str(out)))
    ok(cli("verify", "--evidence", str(out)))
    before, block, after = _evidence(out)
    _write_evidence(out, *_restated(before, json.loads(json.dumps(block)), after))
    ok(cli("verify", "--evidence", str(out)))  # restated as it was, it holds
    context = block["context"]["journal"]
    assert len(context) >= 2
    shuffled = json.loads(json.dumps(block))
    shuffled["context"]["journal"] = [context[1], context[0], *context[2:]]
    _write_evidence(out, *_restated(before, shuffled, after))
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: context: the records of journal are not in their chain's order, or one is there twice"], said
    padded = json.loads(json.dumps(block))
    exported = block["records"]["journal"][0]
    padded["context"]["journal"] = sorted([*context, exported], key=lambda r: r["seq"])
    _write_evidence(out, *_restated(before, padded, after))
    said = problems(cli("verify", "--evidence", str(out)))
    assert said == [f"pmjournal: {out}: context: it holds records the export holds already"], said


@pytest.mark.parametrize("member", ["recorded_at", "occurred_at"])
def test_a_record_short_of_a_member_the_document_shows_is_named_not_a_traceback(db, cli, tmp_path, member):
    """`"recorded_at"` renamed in the appendix's first record: a KeyError from the renderer
    (a robustness hunt)."""
    Journal(db, user="Pat PM").add("decision", {"title": "Call", "owner": "Ann"})
    out = tmp_path / "ev.md"
    ok(cli("export", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    at = text.index('"records": {')
    out.write_text(text[:at] + text[at:].replace(f'"{member}":', f'"{member}X":', 1), encoding="utf-8")
    said = problems(cli("verify", "--evidence", str(out)))
    assert f"pmjournal: {out}: #1: its content does not match its hash (the record was changed after it was exported)" in said, said
