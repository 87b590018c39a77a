"""The cyclic garbage collector's pace while an export streams a journal out, and in a one-shot command."""

import _thread
import gc

# An export allocates millions of short-lived containers that reference counting frees
# at once. At the default thresholds (700, 10, 10) the collector still ran ~1,500 times
# over a 100k-entry Markdown export, 11 of them full passes over all it holds: 0.87 s of
# ~15 s. At these, 0.09-0.15 s. What it creates in cycles (a cause trace's nested functions,
# the writer and its caches at the end) is still collected, a little later.
_RARER = (100_000, 50, 100)
_lock = _thread.allocate_lock()  # not threading: `add` must not pay for importing it
_running = 0  # exports under way in this process (the app exports in a worker thread)
_saved: tuple = ()


def rarer_collections(chunks):
    """`chunks` as they come, with the collector running rarely until the last export under
    way ends (or is closed): then the thresholds are what they were before the first."""
    global _running, _saved
    with _lock:
        if not _running:
            _saved = gc.get_threshold()
            gc.set_threshold(*_RARER)
        _running += 1
    try:
        yield from chunks
    finally:
        with _lock:
            _running -= 1
            if not _running:
                gc.set_threshold(*_saved)


def one_command() -> None:
    """The pace for a process that runs one command and exits (`pmjournal due`, not the app):
    `due` at 1M reads 14,000 views and builds as many loops, and at the default thresholds the
    collector rescanned them all along (1.03 s of its in-process time, 0.82 s at these). What
    such a command leaves in cycles is collected a little later or goes with the process."""
    gc.set_threshold(*_RARER)
