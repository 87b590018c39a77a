"""The evidence block written in pieces (evidence/proof.py): a chain's leaves and a document's
section digests are never one list or one string, and the text is what the whole values give."""

import json

import pytest

from pmjournal.core.evidence import proof

LEAVES = [bytes([n]) * 32 for n in range(5)]
SECTIONS = [["the document header", "a" * 64], ['#1 · Decision — "[/]" <b>', "b" * 64], ["中文 标题 `x`", "c" * 64]]


def _evidence(leaves, sections) -> dict:
    return {
        "format": proof.FORMAT,
        "chains": {"journal": {"size": 5, "leaves": leaves}, "dana": {"size": 0, "leaves": []}},
        "sections": sections,
        "query": {"kinds": ["decision"]},
    }


@pytest.mark.parametrize("indent", ["", "  "])
def test_lazy_lists_write_what_the_lists_would(indent):
    spooled = proof.SpooledItems()
    for part in SECTIONS:
        spooled.append(part)
    lazy = proof.dumps(_evidence(proof.Hexes(LEAVES), spooled), indent)
    whole = proof.dumps(_evidence([leaf.hex() for leaf in LEAVES], SECTIONS), indent)
    assert lazy == whole
    assert json.loads(whole)["chains"]["journal"]["leaves"][1] == "01" * 32
    # an empty lazy list, and one at a depth that spreads it: as the list
    assert proof.dumps({"x": proof.Hexes([])}) == proof.dumps({"x": []})
    assert proof.dumps(proof.Hexes(LEAVES[:2]), depth=1) == proof.dumps([leaf.hex() for leaf in LEAVES[:2]], depth=1)


def test_pieces_are_joined_up_to_about_64_kb():
    pieces = list(proof.iter_dumps({"chains": {"journal": {"leaves": proof.Hexes([b"\x07" * 32] * 5000)}}}))
    assert len(pieces) > 3
    assert all(len(p) < (1 << 16) + 200 for p in pieces)
    assert json.loads("".join(pieces))["chains"]["journal"]["leaves"] == ["07" * 32] * 5000


def test_spooled_items_read_back_in_order_past_memory_and_keep_appending():
    items = proof.SpooledItems()
    for n in range(40_000):  # ~4.6 MB of lines: past the 4 MB kept in memory
        items.append([f"#{n} · 标题", f"{n:064x}"])
    assert len(items) == 40_000
    first = list(items)
    assert first[0] == ["#0 · 标题", "0" * 64] and first[-1][0] == "#39999 · 标题"
    items.append(["last", "f" * 64])
    assert list(items)[-1] == ["last", "f" * 64] and len(list(items)) == 40_001


def test_sections_spooled_are_the_sections_of_the_whole_document():
    doc = (
        '# Evidence trail\n\nheader text\n\n## <a id="m-2026-11"></a>November 2026\n\n'
        '### <a id="e-1"></a>#1 · Decision — Ship\n\nbody `x`\n\n### #2 · 中文 标题\n\n| a | b |\n'
    ).encode()
    spooled = proof.Sections(spooled=True)
    for at in range(0, len(doc), 7):  # chunks that cut headings and characters in two
        spooled.feed(doc[at : at + 7])
    assert list(spooled.done()) == proof.sections(doc)
    assert len(proof.sections(doc)) == 4


def test_the_first_levels_are_spread_a_value_a_line_and_the_rest_is_one_line():
    """The block's layout, pinned: runs of flat lists (sections) are written in one piece."""
    value = {"a": [["h", "x"], ['中 "q"', 1, None]], "b": {"c": [[1, [2]], []], "d": []}, "e": 1.5}
    assert proof.dumps(value) == (
        '{\n  "a": [\n    [\n      "h",\n      "x"\n    ],\n    [\n      "中 \\"q\\"",\n      1,\n      null\n    ]\n  ],\n'
        '  "b": {\n    "c": [\n      [1,[2]],\n      []\n    ],\n    "d": []\n  },\n  "e": 1.5\n}'
    )
    assert proof.dumps(value, "  ", 2) == (
        '{\n    "a": [\n      ["h","x"],\n      ["中 \\"q\\"",1,null]\n    ],\n'
        '    "b": {\n      "c": [[1,[2]],[]],\n      "d": []\n    },\n    "e": 1.5\n  }'
    )
    many = [[f"#{n}", n] for n in range(1500)] + [{"k": [1]}] + [["z"]] * 700
    assert json.loads(proof.dumps({"s": many})) == {"s": many}
    assert proof.dumps({"s": many}).count('\n      "#') == 1500
