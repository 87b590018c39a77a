"""The journal's write lock (core/oslock.py): nestable in one process, exclusive against another
holder of the same lock file, filelock's included (older pmjournal versions take that one)."""

import subprocess
import sys
import threading
import time

import pytest

from pmjournal.core.oslock import LockTimeout, OsLock


def test_the_lock_nests_and_is_free_after_the_last_release(tmp_path):
    lock = OsLock(str(tmp_path / "j.lock"), timeout=0.2)
    with lock:
        with lock:
            assert lock.is_locked
        assert lock.is_locked
    assert not lock.is_locked
    with OsLock(str(tmp_path / "j.lock"), timeout=0.2):  # another holder gets it at once
        pass


def test_another_process_holding_it_times_out_the_writer(tmp_path):
    path = tmp_path / "j.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from filelock import FileLock; import sys, time; l = FileLock({str(path)!r}); l.acquire(); print('held', flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(LockTimeout), OsLock(str(path), timeout=0.3):
            pass
        assert time.monotonic() - start >= 0.3
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
    with OsLock(str(path), timeout=1):  # released by the other process: taken
        pass


def test_a_second_thread_waits_for_the_holder(tmp_path):
    lock = OsLock(str(tmp_path / "j.lock"), timeout=5)
    order = []
    lock.acquire()

    def other():
        with lock:
            order.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.2)
    order.append("holder")
    lock.release()
    thread.join(timeout=5)
    assert order == ["holder", "other"]
