"""Tests never see the user's machine: journal and config live in tmp_path,
and the clock's zone is fixed so dates print the same everywhere."""

import os
import subprocess
import sys
import time

import pytest

os.environ["TZ"] = "Asia/Shanghai"
time.tzset()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PMJOURNAL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PMJOURNAL_DB", str(tmp_path / "data" / "journal.json"))
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    yield


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "journal.json"


@pytest.fixture
def journal(db):
    from pmjournal.core.store import Journal

    return Journal(db, user="Pat PM")


def run_cli_process(*args, input=None, env=None, check=False):
    """Run `python -m pmjournal ARGS` as a user would; return the CompletedProcess.

    For what only a real process shows: exit paths, pipes, start-up imports."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "pmjournal", *args], input=input, capture_output=True, text=True, env=full_env, timeout=60
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"pmjournal {args} failed: {proc.stderr}")
    return proc


def run_cli(*args, input=None, env=None, check=False):
    """`pmjournal ARGS` in this process through `pmjournal.cli.main(argv)` (as harlequin's
    tests do): the same parsing, commands, output and exit code as the program, without
    paying for a Python start-up per call. Returns a CompletedProcess like the above."""
    import io

    from pmjournal.cli import main

    saved_env = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", newline="", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", newline="", write_through=True)
    streams = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    try:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: --help, --version, usage errors
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    finally:
        out.flush()
        err.flush()
        sys.stdin, sys.stdout, sys.stderr = streams
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    proc = subprocess.CompletedProcess(["pmjournal", *args], code, out_bytes.getvalue().decode("utf-8", "replace"),
                                       err_bytes.getvalue().decode("utf-8", "replace"))
    if check and proc.returncode != 0:
        raise AssertionError(f"pmjournal {args} failed: {proc.stderr}")
    return proc


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def cli_process():
    return run_cli_process


def forge_export(out, data):
    """Write an export's `data` as a forger would: every record resealed in order and the
    head moved, so the chain holds and only the importer's other checks can refuse it."""
    import json

    from pmjournal.core.chain import record_hash

    prev = data["records"][0]["prev_hash"]
    for seq, record in enumerate(data["records"], start=1):
        if isinstance(record, dict):
            record["seq"], record["prev_hash"] = seq, prev
            record["hash"] = prev = record_hash(record)
    data["chain_head"] = {"seq": len(data["records"]), "hash": prev}
    out.write_text(json.dumps(data))


@pytest.fixture
def forge():
    return forge_export
