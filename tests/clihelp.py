"""What every CLI test asserts about a command's result (a CompletedProcess)."""


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
