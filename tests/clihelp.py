"""Running `pmjournal` in tests (in this process, or as a process) and what every CLI test
asserts about a command's result (a CompletedProcess)."""

import contextlib
import os
import re
import subprocess
import sys


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


def verify_alone(folder, *args, env=None):
    """`pmjournal verify --evidence ...` with no journal at hand (the default journal is
    `folder`/elsewhere.json, not there): the document checked on its own. A --db naming no
    journal is refused rather than checked alone."""
    return run_cli("verify", *args, env={"PMJOURNAL_DB": str(folder / "elsewhere.json"), **(env or {})})


# When an export was generated (and so the digests of the document and of its header, which
# state it) differs between two runs; nothing else may. The Markdown header says it to the
# minute, which two runs a second apart can straddle.
_GENERATED = re.compile(
    r"(?i)(generated(?:_at)?\W{0,6})\d{4}-\d\d-\d\dT[\d:.]+\+00:00|(document sha256:)[0-9a-f]{64}"
    r'|(\*\*Generated:\*\* )[^\n]+|("the document header",\s*")[0-9a-f]{64}'
)


def without_generation_time(text: str) -> str:
    """An export (Markdown or JSON, any language's header aside) less what depends on when it was made."""
    return _GENERATED.sub(r"\1\2\3\4", text)


@contextlib.contextmanager
def never_loaded(monkeypatch, *also):
    """Inside, Journal.records, own_records and views refuse to run, and so do the (owner, name)
    methods in `also`: what a command that reads a chunk at a time, or writes after a byte
    search, must never need (issue 16: no command holds the whole journal)."""
    from pmjournal.core.store import Journal

    def refused(*args, **kwargs):
        raise AssertionError("the whole journal (or the whole selection) was read")

    with monkeypatch.context() as patched:
        patched.setattr(Journal, "records", refused)
        patched.setattr(Journal, "own_records", refused)
        patched.setattr(Journal, "views", property(refused))
        for owner, name in also:
            patched.setattr(owner, name, refused)
        yield


def journal_once(tmp_path_factory, build) -> bytes:
    """The bytes of the journal `build(cli)` writes through the CLI (in this process) into a
    folder of its own: for a module fixture many tests start from, each writing these bytes
    to its own journal (`lay`) instead of running the same commands again."""
    folder = tmp_path_factory.mktemp("journal-once")
    env = {"PMJOURNAL_DB": str(folder / "data" / "journal.json"), "PMJOURNAL_CONFIG_DIR": str(folder / "config")}

    def cli(*args, env_=env):
        return run_cli(*args, env=env_)

    build(cli)
    return (folder / "data" / "journal.json").read_bytes()


def lay(journal: bytes):
    """Write `journal` (from journal_once) as the test's journal ($PMJOURNAL_DB)."""
    from pathlib import Path

    path = Path(os.environ["PMJOURNAL_DB"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(journal)


def ok(proc) -> str:
    """It succeeded; its standard output."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def refused(proc, fragment: str, code: int = 1) -> str:
    """It failed with one plain line naming the problem, never a traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert fragment in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    return proc.stderr


def ssh_keygen_verify(folder, statement: str, signature: str, public_key, principal: str = "dana@acme"):
    """What OpenSSH alone says of a signed statement (`ssh-keygen -Y verify`, as docs/evidence.md
    tells a reader to run it): (the finished process, the allowed_signers file it used)."""
    import subprocess

    (folder / "statement.txt").write_text(statement)
    (folder / "statement.sig").write_text(signature)
    allowed = folder / "allowed_signers"
    allowed.write_text(f"{principal} " + public_key.read_text())
    with open(folder / "statement.txt", "rb") as stdin:
        done = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal, "-n", "pmjournal", "-s", str(folder / "statement.sig")],
            stdin=stdin,
            capture_output=True,
            check=False,
        )
    return done, allowed


def reworded(out, old: str, new: str) -> None:
    """The document edited and its hash recomputed, as anyone can do to an unsigned export
    and its signer to a signed one (then signing again): what verify's hash check cannot see."""
    import hashlib
    import json
    import re

    from pmjournal.core.evidence.proof import Sections

    text = out.read_text(encoding="utf-8")
    cut = text.rfind("\n---\n\n## ")
    doc, appendix = text[:cut], text[cut:]
    assert old in doc
    doc = doc.replace(old, new, 1)
    digest = hashlib.sha256(doc.encode()).hexdigest()
    appendix = re.sub(r"document sha256:[0-9a-f]+", "document sha256:" + digest, appendix)
    # the appendix's list of the document's parts, made again (verify holds it to the document)
    parts = Sections()
    parts.feed(doc.encode())
    at = appendix.index("[", appendix.index('"sections": '))
    _old, end = json.JSONDecoder().raw_decode(appendix, at)
    out.write_text(doc + appendix[:at] + json.dumps(parts.done()) + appendix[end:], encoding="utf-8")
