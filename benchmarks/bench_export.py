"""`pmjournal export --format markdown` as a process, against jrnl's own Markdown export.

    python benchmarks/bench_export.py [--sizes 10000,100000] [--runs 5]

Targets (docs/DESIGN: performance): 10,000 entries no slower than `jrnl --export
markdown` on a 10,000-entry jrnl journal measured in the same run; 100,000 entries
under 10 s. The pmjournal journals come from _journal.py (realistic ~600-byte
records with roles, bodies in English and Chinese, amendments, retractions and
cause chains), sized so they hold at least the requested number of entries. jrnl
is looked for at $JRNL, then benchmarks/out/jrnl-venv/bin/jrnl, then on PATH; it runs with
a private HOME and XDG folders and its own config file, so it never reads or
writes a real configuration. Without jrnl the comparison is skipped with a message.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, pmjournal_command, run_once, time_process  # noqa: E402

TARGET_100K = 10.0


def journal_with_entries(entries: int) -> tuple[Path, dict]:
    """The cached journal with at least `entries` entries (records include amendments and retractions)."""
    records = entries
    while True:
        meta = _journal.meta(records)
        if meta["entries"] >= entries:
            return _journal.journal(records), meta
        records = int(records * entries / meta["entries"]) + 100


def find_jrnl() -> str | None:
    for candidate in (os.environ.get("JRNL"), str(Path(__file__).resolve().parent / "out" / "jrnl-venv" / "bin" / "jrnl"), shutil.which("jrnl")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def jrnl_setup(jrnl: str, entries: int, folder: Path) -> tuple[list[str], dict, Path]:
    """A jrnl journal of `entries` entries with its config; the export command and environment."""
    home = folder / "home"
    (home / ".config" / "jrnl").mkdir(parents=True)
    journal_file = folder / "journal.txt"
    _journal.write_jrnl_journal(entries, journal_file)
    version = subprocess.run([jrnl, "--version"], capture_output=True, text=True, env=jrnl_env(home)).stdout.split()[1]
    config = home / ".config" / "jrnl" / "jrnl.yaml"
    config.write_text(
        f"version: {version}\n"
        f"journals:\n  default:\n    journal: {journal_file}\n"
        "editor: ''\nencrypt: false\ntemplate: false\ndefault_hour: 9\ndefault_minute: 0\n"
        "timeformat: '%Y-%m-%d %H:%M'\ntagsymbols: '#@'\nhighlight: false\nlinewrap: 79\nindent_character: '|'\n"
        "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n",
        encoding="utf-8",
    )
    out = folder / "jrnl-export.md"
    return [jrnl, "--config-file", str(config), "--export", "markdown", "--file", str(out)], jrnl_env(home), out


def jrnl_env(home: Path) -> dict:
    env = no_bytecode_flag(isolated_env(home))
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    return env


def no_bytecode_flag(env: dict) -> dict:
    # With PYTHONDONTWRITEBYTECODE set, an editable install recompiles every
    # pmjournal module on each run, while jrnl's were compiled when pip installed
    # it; an installed pmjournal has its bytecode too, so time both that way.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def interleaved(a: list[str], a_env: dict, b: list[str], b_env: dict, runs: int) -> tuple[dict, dict]:
    """Time two commands alternately (after one warm-up each), so both see the same machine load."""
    for argv, env in ((a, a_env), (b, b_env)):
        check(run_once(argv, env), argv)
    times: tuple[list, list] = ([], [])
    rss: tuple[list, list] = ([], [])
    for _ in range(runs):
        for i, (argv, env) in enumerate(((a, a_env), (b, b_env))):
            result = check(run_once(argv, env), argv)
            times[i].append(result["seconds"])
            rss[i].append(result["max_rss_mb"])
    return tuple(
        {"best": min(t), "median": statistics.median(t), "runs": runs, "max_rss_mb": max(r)}
        for t, r in zip(times, rss, strict=True)
    )


def check(result: dict, argv: list[str]) -> dict:
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result['returncode']}: {result['stderr'].decode(errors='replace')[-500:]}")
    return result


def export_argv(db: Path, out: Path) -> list[str]:
    return [*pmjournal_command(), "--db", str(db), "export", "--format", "markdown", "-o", str(out), "--force"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="entry counts, comma-separated (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5; 100k uses 3)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jrnl = find_jrnl()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=_journal.scratch_dir()) as tmp:
        tmp = Path(tmp)
        env = no_bytecode_flag(isolated_env(tmp / "home"))
        for entries in sizes:
            db, meta = journal_with_entries(entries)
            heading(
                f"export --format markdown: {meta['entries']} entries ({meta['records']} records, {meta['bytes'] / 1e6:.1f} MB journal)"
            )
            out = tmp / f"evidence-{entries}.md"
            # A journal just built has no index yet: its first read builds one (200 MB at
            # 100k, one time), which is not what an export costs. Read it once untimed.
            check(run_once([*pmjournal_command(), "--db", str(db), "show", "1"], env), ["show", "1"])
            key, work = f"export.markdown.{entries // 1000}k", f"export --format markdown, {entries // 1000}k entries, process"
            if entries > 20_000 or jrnl is None:
                runs = min(args.runs, 3) if entries > 20_000 else args.runs
                ours = time_process(export_argv(db, out), runs, env=env)
                print(
                    f"pmjournal: best {fmt_seconds(ours['best'])}, median {fmt_seconds(ours['median'])} of {runs}; {out.stat().st_size / 1e6:.1f} MB written; peak RSS {ours['max_rss_mb']:.0f} MB"
                )
                target = TARGET_100K if entries >= 100_000 else None
                emit(
                    key,
                    work,
                    round(ours["median"], 3),
                    "s",
                    target,
                    f"median of {runs}",
                    best=round(ours["best"], 3),
                    max_rss_mb=round(ours["max_rss_mb"]),
                )
                ok &= target is None or ours["median"] < target
                if jrnl is None and entries <= 20_000:
                    print("jrnl not found ($JRNL, benchmarks/out/jrnl-venv/bin/jrnl or PATH): skipping the comparison.")
                    print(
                        "Install it apart from the project: python3 -m venv benchmarks/out/jrnl-venv && benchmarks/out/jrnl-venv/bin/pip install jrnl"
                    )
                continue
            # jrnl gets exactly as many entries as the pmjournal export holds.
            jargv, jenv, jout = jrnl_setup(jrnl, meta["entries"], tmp / f"jrnl-{entries}")
            ours, theirs = interleaved(export_argv(db, out), env, jargv, jenv, args.runs)
            ratio = ours["median"] / theirs["median"]
            print(
                f"pmjournal: best {fmt_seconds(ours['best'])}, median {fmt_seconds(ours['median'])} of {args.runs}; {out.stat().st_size / 1e6:.1f} MB written; peak RSS {ours['max_rss_mb']:.0f} MB"
            )
            print(
                f"jrnl:      best {fmt_seconds(theirs['best'])}, median {fmt_seconds(theirs['median'])} of {args.runs}; {jout.stat().st_size / 1e6:.1f} MB written ({jrnl})"
            )
            print(f"pmjournal/jrnl: {ratio:.2f} (medians), {ours['best'] / theirs['best']:.2f} (bests)")
            # The two documents differ in size (ours carries each entry's roles, loops and
            # history, and the evidence appendix): the rate written says how each does per byte.
            rate, jrnl_rate = out.stat().st_size / 1e6 / ours["median"], jout.stat().st_size / 1e6 / theirs["median"]
            print(f"written per second (medians): pmjournal {rate:.1f} MB/s, jrnl {jrnl_rate:.1f} MB/s")
            emit(
                key,
                work,
                round(ours["median"], 3),
                "s",
                round(theirs["median"], 3),
                f"median of {args.runs}, runs alternated with jrnl; target: jrnl's median",
                best=round(ours["best"], 3),
                jrnl=round(theirs["median"], 3),
                jrnl_best=round(theirs["best"], 3),
                ratio=round(ratio, 2),
                mb_per_s=round(rate, 1),
                jrnl_mb_per_s=round(jrnl_rate, 1),
                max_rss_mb=round(ours["max_rss_mb"]),
            )
            emit(
                f"export.jrnl.{entries // 1000}k",
                f"jrnl --export markdown, {entries // 1000}k entries, process (yardstick)",
                round(theirs["median"], 3),
                "s",
                None,
                f"median of {args.runs}, runs alternated with pmjournal",
                best=round(theirs["best"], 3),
                max_rss_mb=round(theirs["max_rss_mb"]),
            )
            ok &= ratio < 1.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
