import pytest

from pmjournal.core.causes import BY_KEY, CAUSES
from pmjournal.core.errors import ValidationError
from pmjournal.core.model import build_entry, clean_changes


def test_cause_taxonomy_is_complete_and_bilingual():
    assert len(CAUSES) == 20
    assert BY_KEY["requirement-change"].zh == "需求变更"
    assert all(c.label and c.zh for c in CAUSES)


def test_people_split_and_deduplicated_case_insensitively():
    rec = build_entry("decision", {"title": "t", "owner": " Alice ", "approved_by": ["Bob, carol", "bob"]})
    assert rec["owner"] == "Alice"
    assert rec["approved_by"] == ["Bob", "carol"]


def test_defaults_and_empty_fields_not_stored():
    rec = build_entry("decision", {"title": "t", "owner": "a", "consulted": [], "body": "  "})
    assert rec["status"] == "accepted"
    assert "consulted" not in rec and "body" not in rec
    assert rec["occurred_at"]


@pytest.mark.parametrize("kind", ["decision", "change", "risk"])
def test_owner_required(kind):
    with pytest.raises(ValidationError) as err:
        build_entry(kind, {"title": "t"})
    assert err.value.field == "owner"


@pytest.mark.parametrize("kind", ["communication", "incident", "note"])
def test_owner_optional(kind):
    assert build_entry(kind, {"title": "t"})["kind"] == kind


@pytest.mark.parametrize(
    "kind, values, field",
    [
        ("note", {"title": "   "}, "title"),
        ("note", {"title": "two\nlines"}, "title"),
        ("decision", {"title": "t", "owner": "a", "status": "maybe"}, "status"),
        ("change", {"title": "t", "owner": "a", "source": "aliens"}, "source"),
        ("communication", {"title": "t", "channel": "pigeon"}, "channel"),
        ("risk", {"title": "t", "owner": "a", "likelihood": "huge"}, "likelihood"),
        ("incident", {"title": "t", "causes": ["bad-luck"]}, "causes"),
        ("decision", {"title": "t", "owner": "Alice, Bob"}, "owner"),
        ("note", {"title": "t", "tags": ["two words!"]}, "tags"),
        ("note", {"title": "t", "channel": "email"}, "channel"),
        ("note", {"title": "t", "occurred_at": "someday"}, "occurred_at"),
    ],
)
def test_invalid_values_name_the_field(kind, values, field):
    with pytest.raises(ValidationError) as err:
        build_entry(kind, values)
    assert err.value.field == field
    assert "\n" not in str(err.value)


def test_unknown_kind():
    with pytest.raises(ValidationError):
        build_entry("memo", {"title": "t"})


def test_tags_lowercase_and_hash_stripped():
    assert build_entry("note", {"title": "t", "tags": ["#Launch", "q4 launch"]})["tags"] == ["launch", "q4"]


def test_amend_cannot_touch_system_fields_or_empty_required_ones():
    with pytest.raises(ValidationError):
        clean_changes("decision", {"seq": 3})
    with pytest.raises(ValidationError):
        clean_changes("decision", {"owner": None})
    with pytest.raises(ValidationError):
        clean_changes("decision", {"title": ""})
    assert clean_changes("decision", {"review_by": None}) == {"review_by": None}
