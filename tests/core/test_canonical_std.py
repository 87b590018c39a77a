"""chain.canonical_std (the standard library's encoder) writes orjson's bytes, or declines.

`pmjournal add` seals and writes its record with the standard library's json while orjson
is not loaded (chain.py): a journal's hash chain is defined by orjson's canonical bytes, so
for every value the standard path either gives exactly orjson's bytes or returns None (and
orjson writes). chain.loads reads a line as orjson.loads does, or leaves it to orjson.
"""

import random
import sys

import orjson
import pytest

from pmjournal.core import chain


def orjson_canonical(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def same_as_orjson(value) -> None:
    data = chain.canonical_std(value)
    assert data is not None, value
    assert data == orjson_canonical(value)


HOSTILE_TEXT = [
    "",
    "plain ASCII",
    "产品经理背锅 · 决策失误",  # Chinese
    "emoji 🙂👍🏽👨‍👩‍👧 and flags 🇨🇳",
    'quotes " and \' and backslashes \\ \\\\ \\" \\u0041',
    "line\nbreaks\r\nand\ttabs",
    "controls \x00\x01\x07\x08\x0b\x0c\x0e\x1b[31m\x1f\x7f",
    "separators \u2028 \u2029 \x85 \u00a0 \ufeff \u200b \u200d \u202e",
    "private use \ue000 and noncharacters \ufdd0 \ufffe \uffff",
    "astral \U0001f600 \U0010ffff \U00020000",
    "</script><!-- & < > ' ` $ { }",
    "é composed vs e\u0301 decomposed",
    "full-width １５：００ and ideographic space \u3000",
    "x" * 10_000,
    "中" * 5_000,
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_as_value_and_key(text):
    same_as_orjson({"title": text, "body": [text, {"nested": text}], text: 1})
    same_as_orjson(text)
    same_as_orjson([text])


def test_every_code_point_but_surrogates():
    # In blocks, and each of the first 0x3000 on its own (escapes depend on nothing else).
    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(points), 4096):
        text = "".join(map(chr, points[start : start + 4096]))
        same_as_orjson({"k": text})
    for c in range(0x3000):
        if not 0xD800 <= c <= 0xDFFF:
            same_as_orjson({"k": chr(c), chr(c): chr(c)})


def test_keys_sort_as_orjson_sorts_them():
    keys = ["b", "a", "B", "_", "", " ", "aa", "a\x00", "é", "ё", "中", "\uff5e", "\uffff", "\U0001f600", "\U00010000", "~", "\x7f"]
    same_as_orjson(dict.fromkeys(keys, 0))
    same_as_orjson({k: {k2: k for k2 in keys} for k in keys})


def test_ints_bools_none_and_nesting():
    same_as_orjson(
        {
            "seq": 100_000,
            "zero": 0,
            "negative": -42,
            "i64 min": -(2**63),
            "u64 max": 2**64 - 1,
            "bools": [True, False, None],
            "empty": [{}, [], "", ()],
            "tuple": ("a", 1, ("b",)),
            "batch": [1, 5],
            "deep": [[[[[[[[["x"]]]]]]]]],
            "impact": {"scope": "+1 screen", "schedule": "+2 weeks", "cost": "¥20k"},
            "links": [{"rel": "caused_by", "to": "01M8TZ3V5H56CY7ZB2WP76G31R"}],
        }
    )
    nested: dict = {"leaf": 1}
    for _ in range(chain._MAX_DEPTH - 1):
        nested = {"n": nested}
    same_as_orjson(nested)


class Text(str):
    pass


class Number(int):
    pass


class Mapping(dict):
    pass


ELSE = {
    "float": {"x": 1.5},
    "large float": {"x": 1e16},
    "nan": {"x": float("nan")},
    "negative zero": {"x": -0.0},
    "int above u64": {"x": 2**64},
    "int below i64": {"x": -(2**63) - 1},
    "huge int": {"x": 10**30},
    "int key": {1: "int key"},
    "None key": {None: "None key"},
    "tuple key": {("a",): "tuple key"},
    "lone surrogate": {"x": "lone surrogate \ud800"},
    "lone surrogate key": {"lone \udcff": "key"},
    "str subclass": {"x": Text("str subclass")},
    "int subclass": {"x": Number(3)},
    "dict subclass": Mapping(x=1),
    "set": {"x": {"a", "b"}},
    "bytes": {"x": b"bytes"},
    "object": {"x": object()},
}


@pytest.mark.parametrize("name", ELSE)
def test_anything_else_is_left_to_orjson(name):
    assert chain.canonical_std(ELSE[name]) is None


def test_too_deep_is_left_to_orjson():
    nested: list = []
    for _ in range(chain._MAX_DEPTH + 1):
        nested = [nested]
    assert chain.canonical_std(nested) is None
    circular: list = []
    circular.append(circular)
    assert chain.canonical_std(circular) is None


def _random_text(rng: random.Random) -> str:
    alphabets = [
        (0x20, 0x7E),
        (0x00, 0x1F),
        (0x7F, 0xA0),
        (0x4E00, 0x4E80),
        (0x2000, 0x2030),
        (0xE000, 0xE010),
        (0xFFF0, 0xFFFF),
        (0x1F600, 0x1F64F),
        (0x10FF00, 0x10FFFF),
    ]
    out = []
    for _ in range(rng.randint(0, 40)):
        lo, hi = rng.choice(alphabets)
        out.append(chr(rng.randint(lo, hi)))
        if rng.random() < 0.2:
            out.append(rng.choice(['"', "\\", "\\u", "\n", "/", "'"]))
    return "".join(out)


def _random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return _random_text(rng)
    if roll < 0.55:
        return rng.choice([0, 1, -1, 2**53, -(2**63), 2**64 - 1, rng.randint(-(2**63), 2**64 - 1), True, False, None])
    if roll < 0.75:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_random_text(rng): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_random_records():
    rng = random.Random(20261202)
    for _ in range(1500):
        value = {_random_text(rng): _random_value(rng) for _ in range(rng.randint(1, 8))}
        same_as_orjson(value)


# -- reading: chain.loads -------------------------------------------------


@pytest.fixture
def standard_path(monkeypatch):
    """chain.loads and chain.canonical as a process that has not loaded orjson runs them."""
    monkeypatch.setattr(chain, "_orjson", None)
    modules = dict(sys.modules)
    modules.pop("orjson", None)
    monkeypatch.setattr(chain, "sys", type("Sys", (), {"modules": modules}))
    return chain


def test_canonical_uses_the_standard_encoder_without_orjson(standard_path, monkeypatch):
    record = {"title": "决策 🙂 \u2028", "seq": 7, "tags": ["a", "b"]}
    assert standard_path.canonical(record) == orjson_canonical(record)
    # a float goes to orjson, which writes it its own way
    assert standard_path.canonical({"x": 1e16}) == orjson_canonical({"x": 1e16})


def _outcome(read, line):
    try:
        return ("value", read(line))
    except ValueError as err:
        return ("error", type(err))


def test_loads_reads_canonical_lines_as_orjson_does(standard_path):
    rng = random.Random(7)
    lines = [orjson_canonical({"k": text}) for text in HOSTILE_TEXT]
    lines += [orjson_canonical({_random_text(rng): _random_value(rng) for _ in range(4)}) for _ in range(500)]
    for line in lines:
        assert standard_path.loads(line) == orjson.loads(line)


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": 1}',  # spaces
        b'{"b":1,"a":2}',  # unsorted
        b'{"a":"\\u0041"}',  # an escape orjson would not write
        b'{"a":1,"a":2}',  # a duplicate key
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":1.0}',
        b'{"a":-0}',
        b'{"a":18446744073709551616}',
        b'{"a":"\\ud800"}',  # an escaped lone surrogate
        b'{"a":"\xed\xa0\x80"}',  # an encoded one: not UTF-8
        b'{"a":"\xff"}',
        b'\xef\xbb\xbf{"a":1}',  # a byte order mark
        b'{"a":1}x',
        b'{"a":1',
        b"",
        b"[" * 5000 + b"]" * 5000,
        b'"just a string"',
        b"12",
        b"null",
    ],
)
def test_loads_leaves_everything_else_to_orjson(standard_path, line):
    assert _outcome(standard_path.loads, line) == _outcome(orjson.loads, line)


# -- SHA-256 without OpenSSL ------------------------------------------------


def test_own_sha256_gives_hashlib_digests():
    import hashlib

    own = chain._own_sha256()
    if own is None:
        pytest.skip("this Python has no sha256 module of its own")
    rng = random.Random(3)
    for size in (0, 1, 55, 56, 63, 64, 65, 1000, 100_000):
        data = rng.randbytes(size)
        assert own(data).hexdigest() == hashlib.sha256(data).hexdigest()
