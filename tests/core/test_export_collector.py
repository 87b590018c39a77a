"""An export runs the cyclic collector rarely (core/collector.py) and leaves its pace as it found it."""

import gc

import pytest

from pmjournal.core.query import Filter
from pmjournal.core.transfer import render_chunks


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


@pytest.mark.parametrize("fmt", ["markdown", "json", "csv"])
def test_the_pace_is_restored_when_an_export_ends_or_is_closed(journal, thresholds, fmt):
    for n in range(3):
        journal.add("decision", {"title": f"d{n}", "owner": "Dana"})
    whole = render_chunks(journal, Filter(), fmt)
    assert gc.get_threshold() == thresholds  # nothing changes before the export runs
    assert next(whole)
    assert gc.get_threshold()[0] > thresholds[0]
    b"".join(whole)
    assert gc.get_threshold() == thresholds
    stopped = render_chunks(journal, Filter(), fmt)
    next(stopped)
    stopped.close()  # a full disk, a closed pipe, a cancelled export
    assert gc.get_threshold() == thresholds


def test_overlapping_exports_restore_the_pace_once_the_last_ends(journal, thresholds):
    journal.add("decision", {"title": "d", "owner": "Dana"})
    first, second = render_chunks(journal, Filter(), "markdown"), render_chunks(journal, Filter(), "json")
    next(first)
    next(second)
    b"".join(first)
    assert gc.get_threshold()[0] > thresholds[0]  # the second is still under way
    b"".join(second)
    assert gc.get_threshold() == thresholds
