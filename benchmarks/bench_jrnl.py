"""The yardstick: jrnl 4.x adding an entry to a 10k-entry plain-text journal, as a process.

jrnl is not a pmjournal dependency and this script installs nothing. It uses
$JRNL, else benchmarks/out/jrnl-venv/bin/jrnl, and skips (saying how to install it)
when neither exists. It writes a jrnl journal of 10k entries with the same
kind of text as the pmjournal benchmarks, plus its own jrnl.yaml, in a
temporary folder whose HOME and XDG_* variables it points jrnl at, so a real
jrnl config is never read or touched.

Timed like bench_cli.py: `jrnl <entry text>` as a process, one untimed warm-up,
best and median of N runs.

    python benchmarks/bench_jrnl.py [--quick] [--runs N]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, time_process  # noqa: E402

DEFAULT_JRNL = str(Path(__file__).resolve().parent / "out" / "jrnl-venv" / "bin" / "jrnl")
INSTALL_HINT = (
    "jrnl not found; install it in a separate venv: python3 -m venv benchmarks/out/jrnl-venv && benchmarks/out/jrnl-venv/bin/pip install jrnl"
)
ENTRIES = 10_000
ENTRY_TEXT = "Cut offline mode from v1. Dana Whitfield owns it, VP Eng approved. Engineering estimates two more weeks. @launch"


def find_jrnl() -> str | None:
    for candidate in (os.environ.get("JRNL"), DEFAULT_JRNL):
        if candidate and (Path(candidate).exists() or shutil.which(candidate)):
            return candidate
    return None


def jrnl_home(folder: Path, entries: int) -> tuple[dict, Path]:
    """An environment and journal for jrnl that live entirely in `folder`."""
    home = folder / "home"
    env = isolated_env(home)
    for var in ("VISUAL", "EDITOR", "JRNL_CONFIG"):
        env.pop(var, None)
    journal = folder / "journal.txt"
    _journal.write_jrnl_journal(entries, journal)
    config_dir = Path(env["XDG_CONFIG_HOME"]) / "jrnl"
    config_dir.mkdir(parents=True, exist_ok=True)
    # jrnl takes a JSON config for a pre-2.0 one and offers to upgrade it, so this is YAML.
    config = (
        "version: v4.6\n"
        "journals:\n"
        f"  default:\n    journal: {json.dumps(str(journal))}\n"
        "editor: ''\n"
        "encrypt: false\n"
        "template: false\n"
        "default_hour: 9\n"
        "default_minute: 0\n"
        "timeformat: '%Y-%m-%d %H:%M'\n"
        "tagsymbols: '#@'\n"
        "highlight: false\n"
        "linewrap: 79\n"
        "indent_character: '|'\n"
        "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n"
    )
    (config_dir / "jrnl.yaml").write_text(config, encoding="utf-8")
    return env, journal


def jrnl_version(jrnl: str, env: dict) -> str:
    try:
        out = subprocess.run([jrnl, "--version"], env=env, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.splitlines()[0].strip() if out.strip() else "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, default=None, help="timed runs (default 5, quick 3)")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    heading(f"jrnl: adding to a {ENTRIES // 1000}k-entry journal")
    jrnl = find_jrnl()
    if jrnl is None:
        print(INSTALL_HINT)
        emit("jrnl.add.10k", "jrnl adds to a 10k-entry journal, process", None, "s", None, "skipped", error=INSTALL_HINT)
        return 0
    with tempfile.TemporaryDirectory(dir=_journal.scratch_dir()) as tmp:
        env, journal = jrnl_home(Path(tmp), ENTRIES)
        version = jrnl_version(jrnl, env)
        size = journal.stat().st_size
        print(f"{version} at {jrnl}; journal {size / 1e6:.1f} MB, {ENTRIES} entries")
        try:
            floor = time_process([jrnl, "--version"], runs, env)
            stats = time_process([jrnl, ENTRY_TEXT], runs, env)
        except RuntimeError as err:
            print(f"jrnl failed: {err}")
            emit("jrnl.add.10k", "jrnl adds to a 10k-entry journal, process", None, "s", None, "failed", error=str(err)[:300])
            return 1
        added = journal.read_text(encoding="utf-8").count("Cut offline mode from v1.")
        if added != runs + 1:
            print(f"jrnl reported success but the journal holds {added} of the {runs + 1} entries added")
            return 1
    print(f"`jrnl --version`: best {fmt_seconds(floor['best'])}, median {fmt_seconds(floor['median'])}")
    print(
        f"`jrnl <text>` at {ENTRIES // 1000}k: best {fmt_seconds(stats['best'])}, median {fmt_seconds(stats['median'])},"
        f" cpu {fmt_seconds(stats['cpu_median'])},"
        f" max RSS {stats['max_rss_mb']:.0f} MB (n={runs})"
    )
    emit(
        "jrnl.startup",
        "`jrnl --version`",
        round(floor["median"], 4),
        "s",
        None,
        f"median of {runs}",
        best=round(floor["best"], 4),
        median=round(floor["median"], 4),
        version=version,
    )
    emit(
        "jrnl.add.10k",
        "jrnl adds to a 10k-entry journal, process",
        round(stats["median"], 4),
        "s",
        None,
        f"median of {runs}",
        best=round(stats["best"], 4),
        median=round(stats["median"], 4),
        cpu_median=round(stats["cpu_median"], 4),
        max_rss_mb=round(stats["max_rss_mb"], 1),
        version=version,
        bytes=size,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
