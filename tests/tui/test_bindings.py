"""Bindings are data: each has a unique id, a help line, no key clash, and the guide names it."""

from pathlib import Path

from pmjournal.tui.bindings import APP, HELP, TRAIL

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "tui.md"


def test_every_binding_has_a_unique_id_and_help():
    from pmjournal.tui.screens.due import DueScreen
    from pmjournal.tui.screens.people import PeopleScreen
    from pmjournal.tui.screens.trace import TraceScreen

    ids = [b.id for b in APP + TRAIL]
    assert all(ids) and len(ids) == len(set(ids))
    views = [b.id for screen in (PeopleScreen, TraceScreen, DueScreen) for b in screen.BINDINGS if b.id]
    assert set(ids) | set(views) == set(HELP)


def test_no_two_bindings_share_a_key():
    keys = [k.strip() for b in APP + TRAIL for k in b.key.split(",")]
    assert len(keys) == len(set(keys))


def test_the_forms_keys_are_the_reserved_ones():
    by_id = {b.id: b.key for b in TRAIL}
    reserved = {"new_entry": "n", "new_decision": "d", "new_change": "c", "new_communication": "m"}
    reserved |= {"new_risk": "r", "new_incident": "i", "amend": "a", "retract": "x", "export": "e"}
    assert {k: by_id[k] for k in reserved} == reserved


def test_the_guide_names_every_binding_id():
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [b.id for b in APP + TRAIL if f"`{b.id}`" not in guide]
    assert not missing
