"""One rule for whom --person names, in every command, said when it could be taken otherwise.

A user trial: `list --person dana` listed Dana Whitfield's calls until a commitment named
"Dana", then only Dana's, without a word; `due --person Dana` still listed Dana Whitfield's
loops (it matched the start of a name)."""

import json

from clihelp import ok

from pmjournal.core.store import Journal


def test_a_name_that_is_someone_and_begins_others_is_that_one_everywhere_and_said(db, cli):
    journal = Journal(db, user="Pat PM")
    journal.add("decision", {"title": "Cut offline mode", "owner": "Dana Whitfield"})
    journal.add(
        "communication",
        {"title": "Pricing call", "owner": "Lena Park", "commitments": "Dana; send the sheet; 2099-01-01", "follow_up_by": "2099-01-02"},
    )
    listed = cli("list", "--person", "dana", "--format", "json")
    assert [e["title"] for e in json.loads(listed.stdout)] == ["Pricing call"]
    assert "note: 'dana' is Dana, not Dana Whitfield: type more of the name for them" in listed.stderr
    due = cli("due", "--person", "Dana", "--format", "json")
    assert [row["owes"] for row in json.loads(due.stdout)] == [["Dana"]], due.stdout
    assert "not Dana Whitfield" in due.stderr
    whole = ok(cli("list", "--person", "dana w", "--format", "json"))
    assert [e["title"] for e in json.loads(whole)] == ["Cut offline mode"]
