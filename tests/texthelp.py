"""Comparing generated documents without pytest's diff, which is quadratic: on a
100 KB document that differs in a hash on every page it runs for many minutes."""

import pytest


def assert_same_text(current: str, expected: str, hint: str) -> None:
    if current == expected:
        return
    a, b = current.splitlines(), expected.splitlines()
    line = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    have = a[line][:200] if line < len(a) else "(end)"
    want = b[line][:200] if line < len(b) else "(end)"
    pytest.fail(f"{hint}; first difference at line {line + 1}:\n  committed: {have}\n  generated: {want}", pytrace=False)
