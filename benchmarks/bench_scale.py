"""Reads that do not grow with the journal (issue 16): every reading command as a process on
realistic 100k- and 1,000,000-record journals, answered from the index (core/index).

For each size the cached journal (_journal.py; the 1M one is 663 MB, built once) is copied
to the scratch folder with one more entry whose title holds a unique word, so an export
of exactly one entry can be asked for. The copy and its index are kept between runs (an
index is built once and then only caught up), unless the cached journal changed.

Measured, median of 3 after one untimed run (which also measures the peak memory, with
GNU time): the index's first build (the first read after the copy: once per journal, not
a target), `add`, `show #N`, `list --search` for a phrase in no entry and for the word
planted in 1 % of entries (its output is 1 % of the journal), `who`, `due`, `verify` (the
full check, which never uses the index), and a Markdown export of one entry. Then the
commands whose answer is the whole journal, for issue 16's memory target ("no command holds
the whole journal"): `list` (text and JSON) and the Markdown and JSON exports of every entry,
one timed run each (a Markdown export of 1M entries takes minutes). `import` is measured by
bench_import.py, the TUI by bench_tui.py.

jrnl is not run at these sizes: its parse of a 40k-entry journal took 175 s here, and it
holds the whole journal in memory.

    python benchmarks/bench_scale.py [--sizes 100000 1000000] [--runs 3] [--quick] [--only export-all ...]
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, pmjournal_command, run_once, time_process  # noqa: E402

# (target at 100k, target at 1M) in seconds: issue 16's table
TARGETS = {
    "add": (0.1, 0.1),
    "show": (0.2, 0.2),
    "search-rare": (0.3, 0.5),
    "who": (0.5, 1.0),
    "due": (0.5, 1.0),
    "verify": (1.0, 10.0),
    "export-one": (0.3, 0.5),
}
MEMORY_TARGET_MB = 200.0
PROBE = "quillwort"  # in the title of the one entry `export-one` selects


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def prepare(n: int, env: dict) -> tuple[Path, float | None]:
    """The scratch copy of the n-record journal (with the probe entry) and, when its index had
    to be built now, how long the first read took."""
    source = _journal.journal(n)
    folder = _journal.scratch_dir() / f"scale-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "journal.json"
    stamp = folder / "source.size"
    fresh = not db.exists() or not stamp.exists() or stamp.read_text() != str(source.stat().st_size)
    if fresh:
        for leftover in folder.iterdir():
            leftover.unlink()
        shutil.copyfile(source, db)
        stamp.write_text(str(source.stat().st_size))
        probe = [*pmjournal_command(), "--db", str(db), "add", "note", f"Export probe {PROBE}", "--when", "2026-11-20 10:00"]
        env_off = {**env, "PMJOURNAL_INDEX": "off"}
        if run_once(probe, env_off)["returncode"]:
            raise RuntimeError("could not add the probe entry")
    built = None
    if not Path(f"{db}.index").exists():
        start = time.perf_counter()
        run = run_once([*pmjournal_command(), "--db", str(db), "list", "--search", "zzqqxv"], env)
        built = time.perf_counter() - start
        if run["returncode"]:
            raise RuntimeError(run["stderr"].decode(errors="replace")[-500:])
    return db, built


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="a 10k journal, 2 runs: a smoke test")
    ap.add_argument("--only", nargs="+", metavar="ROW", help="only these rows (add, show, export-all, ...)")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.runs = [10_000], 2
    home = _journal.scratch_dir() / "scale-home"
    env = isolated_env(home)
    for n in args.sizes:
        meta = _journal.meta(n)
        heading(f"{label(n)} records ({meta['bytes'] / 1e6:.0f} MB)")
        db, built = prepare(n, env)
        if built is not None:
            print(f"{'index built by the first read':<58} {fmt_seconds(built)}")
            emit(
                f"scale.index_build.{label(n)}",
                f"index build, first read of a {label(n)} journal",
                round(built, 2),
                "s",
                None,
                "one run",
            )
        today = "2026-12-01"
        seq = meta["trace_seq"]  # an entry (not an amendment) deep in the journal
        commands = {
            "add": ["add", "note", "One more note", "--when", "2026-11-30 12:00"],
            "show": ["show", f"#{seq}"],
            "search-rare": ["list", "--search", "zzqqxv nothing"],
            "search-1pct": ["list", "--search", meta["search_term"]],
            "who": ["who"],
            "due": ["due", "--today", today],
            "verify": ["verify"],
            "export-one": ["export", "--format", "markdown", "--search", PROBE],
            # The whole journal as the answer: no time target, but issue 16's memory one
            # ("no command holds the whole journal"); streamed from the index.
            "list-all": ["list"],
            "list-all-json": ["list", "--format", "json"],
            "export-all": ["export", "--format", "markdown", "-o", str(db.parent / "all.md"), "--force"],
            "export-all-json": ["export", "--format", "json", "-o", str(db.parent / "all.json"), "--force"],
            # Those exports checked, against the journal: the file is read in pieces (evidence/exportfile.py).
            "verify-all": ["verify", "--evidence", str(db.parent / "all.md")],
            "verify-all-json": ["verify", "--evidence", str(db.parent / "all.json")],
        }
        for name, argv in commands.items():
            if args.only and name not in args.only:
                continue
            runs = 1 if name.endswith(("-all", "-all-json")) else args.runs
            if name.startswith("verify-all") and not Path(argv[2]).exists():
                print(f"{name}: no {Path(argv[2]).name} to check (run the export-all rows first)")
                continue
            stats = time_process([*pmjournal_command(), "--db", str(db), *argv], runs, env)
            target = TARGETS.get(name, (None, None))[0 if n < 1_000_000 else 1]
            whole = " (every entry)" if name.startswith("export-all") else ""
            work = f"`{' '.join(argv[:3])}`{whole} at {label(n)}"
            if name.startswith("verify-all"):
                work = f"`verify --evidence` of the whole {Path(argv[2]).suffix[1:]} export, with the journal, at {label(n)}"
            print(
                f"{work:<58} median {fmt_seconds(stats['median']):>9}  best {fmt_seconds(stats['best']):>9}"
                f"  max RSS {stats['max_rss_mb']:6.1f} MB"
            )
            emit(
                f"scale.{name}.{label(n)}",
                work,
                round(stats["median"], 4),
                "s",
                target,
                f"median of {runs}",
                best=round(stats["best"], 4),
                max_rss_mb=round(stats["max_rss_mb"], 1),
                jrnl=None,
                note="jrnl cannot open a journal this size (175 s to parse 40k entries)",
            )
            emit(
                f"scale.{name}.{label(n)}.rss",
                f"peak memory of {work}",
                round(stats["max_rss_mb"], 1),
                "MB",
                MEMORY_TARGET_MB,
                "max RSS (GNU time)",
            )


if __name__ == "__main__":
    main()
