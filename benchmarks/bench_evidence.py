"""Signed exports (evidence/): what signing and proofs cost, and how small a proof is.

On a copy of the cached realistic 100k-record journal, as processes, median of N:
- `export` (Markdown and JSON) of the whole journal, unsigned and signed with an
  ed25519 key;
- what signing itself adds to any export (the key's checks and `ssh-keygen -Y sign`),
  timed in-process (target: under 0.2 s);
- `export` of ten entries (`--search` for a phrase planted in a few records, then
  `--kind incident --since` narrowed until ten), signed: its size (target: under
  100 KB) and time;
- `verify --evidence` of that small export, on its own and with the journal.

    python benchmarks/bench_evidence.py [--runs N]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _journal  # noqa: E402
from _common import emit, fmt_seconds, heading, isolated_env, pmjournal_command, run_once, time_process  # noqa: E402

SIGN_TARGET = 0.2
SIZE_TARGET = 100_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    if shutil.which("ssh-keygen") is None:
        print("ssh-keygen is not on PATH: nothing measured")
        return
    root = Path(tempfile.mkdtemp(prefix="bench-evidence-", dir=_journal.scratch_dir()))
    try:
        db = _journal.copy_journal(args.records, root)
        key = root / "id"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        plain_env = isolated_env(root / "plain")
        signed_env = isolated_env(root / "signed")
        (root / "signed" / "config" / "config.toml").write_text(f'signing_key = "{key}"\n')
        cmd = pmjournal_command() + ["--db", str(db)]
        label = f"{args.records // 1000}k"
        heading(f"whole-journal exports, {label} records")
        for fmt in ("markdown", "json"):
            out = root / f"all.{fmt}"
            plain = time_process(cmd + ["export", "--format", fmt, "-o", str(out), "--force"], args.runs, plain_env)
            signed = time_process(cmd + ["export", "--format", fmt, "-o", str(out), "--force"], args.runs, signed_env)
            print(
                f"{fmt}: unsigned {fmt_seconds(plain['median'])}, signed {fmt_seconds(signed['median'])} "
                f"(their difference is within the noise of a {fmt_seconds(plain['median'])} run; signing itself is timed below), "
                f"{out.stat().st_size / 1e6:.0f} MB, peak {signed['max_rss_mb']:.0f} MB"
            )
            emit(f"evidence.export.{fmt}.{label}", f"signed `export --format {fmt}` of {label} records", signed["median"], "s", None, "median")
            emit(f"evidence.export.unsigned.{fmt}.{label}", f"unsigned `export --format {fmt}` of {label} records", plain["median"], "s", None, "median")
            check = time_process(pmjournal_command() + ["verify", "--evidence", str(out)], 1, signed_env, warmup=1)
            print(f"  verify --evidence of it, on its own: {fmt_seconds(check['median'])}, peak {check['max_rss_mb']:.0f} MB")
        heading("what signing adds to an export")
        # Everything an export does because a key is configured: check the key can sign
        # without a prompt, read its public half and fingerprint, sign the statement.
        # Timed in-process, median of 20: a difference of two multi-second exports
        # would only measure the machine's noise.
        import statistics
        import time

        from pmjournal.core.evidence.signing import SigningKey

        statement = ("pmjournal evidence 1\n" + "chain journal size 100000 head " + "0" * 64 + "\n" * 1).encode()
        costs = []
        for _ in range(20):
            started = time.perf_counter()
            signer = SigningKey(key)
            signer.check()
            public = signer.public()
            public.fingerprint()
            signer.sign(statement)
            costs.append(time.perf_counter() - started)
        cost = statistics.median(costs)
        print(f"signing (key check, public key, fingerprint, ssh-keygen -Y sign): median {fmt_seconds(cost)}, best {fmt_seconds(min(costs))}")
        emit("evidence.sign", "what signing adds to an export (any size)", cost, "s", SIGN_TARGET, "median of 20")
        heading(f"ten entries of {label} records, signed")
        meta = _journal.meta(args.records)
        term = meta["search_term"]
        small = root / "ten.md"
        found = run_once(cmd + ["list", "--search", term, "--format", "json"], plain_env)
        import json

        hits = json.loads(found["stdout"])
        picked = sorted(hits, key=lambda v: v["occurred_at"])[-10:]
        since = picked[0]["occurred_at"][:16]
        argv = cmd + ["export", "--search", term, "--since", since, "-o", str(small), "--force"]
        timed = time_process(argv, args.runs, signed_env)
        size = small.stat().st_size
        print(f"export of {len(picked)} entries (search {term!r} since {since}): {fmt_seconds(timed['median'])}, {size / 1000:.1f} KB")
        emit(f"evidence.small.{label}", f"signed export of 10 entries of {label}", size, "bytes", SIZE_TARGET, "size")
        emit(f"evidence.small.time.{label}", f"signed export of 10 entries of {label}", timed["median"], "s", None, "median")
        alone = time_process(pmjournal_command() + ["verify", "--evidence", str(small)], args.runs, signed_env)
        withdb = time_process(cmd + ["verify", "--evidence", str(small)], args.runs, signed_env)
        print(f"verify --evidence: on its own {fmt_seconds(alone['median'])}, with the journal {fmt_seconds(withdb['median'])}")
        emit(f"evidence.verify.small.{label}", f"`verify --evidence` of 10 entries of {label}, on its own", alone["median"], "s", None, "median")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
