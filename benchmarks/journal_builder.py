"""A large synthetic journal for the benchmarks: realistic sizes, fixed seed.

Bodies are built already valid and appended in chunks with `append_raw`, so a
100k-entry journal takes seconds to write rather than the minutes that 100k
separate `add` calls would.
"""

import random
from datetime import UTC, datetime, timedelta

from pmjournal.core.causes import BY_KEY
from pmjournal.core.ids import new_id
from pmjournal.core.store import Journal

PEOPLE = ["Ann Lee", "Bo Chen", "Carla Diaz", "Dev Patel", "王小明", "Eve Stone", "Finn Ross", "李娜", "Gus Moe", "Hana Ito"]
WORDS = "launch pricing api beta onboarding checkout search billing mobile release scope vendor audit 发布 定价 评审".split()
KINDS = ["decision", "change", "communication", "risk", "incident", "note"]
STATUS = {"decision": "accepted", "change": "approved", "risk": "open", "incident": "resolved"}


def body(rng: random.Random, i: int, start: datetime) -> dict:
    kind = KINDS[i % len(KINDS)]
    when = start + timedelta(minutes=37 * i)
    out = {
        "kind": kind,
        "id": new_id(int(when.timestamp() * 1000)),
        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} #{i}",
        "occurred_at": when.astimezone().isoformat(timespec="seconds"),
        "recorded_at": when.isoformat(timespec="milliseconds"),
        "recorded_by": "Bench",
        "owner": rng.choice(PEOPLE),
        "approved_by": rng.sample(PEOPLE, 2),
        "informed": rng.sample(PEOPLE, 3),
        "project": rng.choice(["apollo", "hermes", "zeus"]),
        "tags": rng.sample(["q4", "pricing", "mobile", "legal", "growth"], 2),
        "causes": [rng.choice(list(BY_KEY))],
        "body": " ".join(rng.choice(WORDS) for _ in range(60)),
    }
    if kind in STATUS:
        out["status"] = STATUS[kind]
    return out


def build(path, n: int, seed: int = 7, chunk: int = 5000) -> Journal:
    rng = random.Random(seed)
    journal = Journal(path, user="Bench")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for lo in range(0, n, chunk):
        journal.append_raw([body(rng, i, start) for i in range(lo, min(n, lo + chunk))])
    return journal


if __name__ == "__main__":
    import sys

    build(sys.argv[1], int(sys.argv[2]))
