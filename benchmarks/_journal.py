"""Realistic synthetic journals for the benchmarks, built fast and cached.

`journal(n)` returns the path of a journal of `n` records (about 600 bytes
each: every kind, people with Latin and Chinese names in every role, projects,
tags, bodies in English and Chinese, amendments, retractions, caused_by
chains, and open loops: follow-ups, reviews, commitments and escalations, most
of them closed by `loop` records as people do), building it once under
benchmarks/out/ and reusing it afterwards.
The cached file is never written to: benchmarks that add entries work on
`copy_journal(n, folder)`.

Bodies go through pmjournal.core.model.build_entry (the same validation as
Journal.add) and are appended with Journal.append_raw in chunks, so the file
is sealed and chained exactly as the store writes it and 100k records build
in seconds. Dates are set after validation, already canonical, because
parsing 100k ISO strings through dateutil would dominate the build; so are
commitments (their due dates are dates), in the shape model.clean_commitments
gives them.

The content is seeded: the same n and GENERATOR_VERSION give the same
entries (ids differ: their random part comes from os.urandom). Bump
GENERATOR_VERSION whenever the output changes, so stale caches are not reused.

Usage from another benchmark:  sys.path.insert(0, <benchmarks folder>);
import _journal; path = _journal.journal(10_000); meta = _journal.meta(10_000).
"""

import heapq
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from filelock import FileLock

from pmjournal.core import dates, loops, model
from pmjournal.core.ids import new_id
from pmjournal.core.store import Journal

GENERATOR_VERSION = 3
SEED = 20261125
OUT = Path(__file__).resolve().parent / "out"
CHUNK = 5_000

# A word planted in about 1 % of entries, so `list --search` has a realistic,
# known number of hits rather than matching everything or nothing.
SEARCH_TERM = "kestrel"
SEARCH_RATE = 0.01

PEOPLE = [
    "Dana Whitfield",
    "Sam Okafor",
    "Priya Raman",
    "Marco Rossi",
    "Lena Fischer",
    "Tomás García",
    "Aiko Tanaka",
    "Jordan Blake",
    "Nadia Haddad",
    "Ben Carter",
    "王芳",
    "李伟",
    "张敏",
    "陈静",
    "刘洋",
    "Chen Wei",
    "Zhou Xin",
    "Olu Adeyemi",
    "Sofia Lindqvist",
    "Raj Patel",
]
STAKEHOLDERS = ["VP Eng", "VP Product", "CFO", "Legal", "Acme Corp", "Globex Ltd", "Initech", "客户成功部", "Security Council"]
RECORDERS = ["Pat PM", "Pat PM", "Pat PM", "林晓", "Alex Moreau"]
PROJECTS = ["apollo", "gemini", "Atlas Payments", "支付中台", "mobile-v2", "onboarding", "data-platform", "pricing"]
TAGS = ["launch", "pricing", "security", "q3", "q4", "customer", "infra", "ux", "compliance", "perf", "mobile", "api", "billing"]
EVIDENCE = [
    "https://wiki.example.com/pages/{n}",
    "JIRA-{n}",
    "https://mail.example.com/thread/{n}",
    "docs/decisions/{n}.md",
    "https://meet.example.com/rec/{n}",
]

SUBJECTS = [
    "offline mode",
    "the export to PDF",
    "SSO for enterprise tenants",
    "the pricing page",
    "checkout retries",
    "the mobile onboarding flow",
    "vendor API rate limits",
    "the data retention policy",
    "the beta for Globex",
    "search ranking",
    "invoice reminders",
    "the analytics dashboard",
    "dark mode",
    "the partner API",
    "two-factor login",
    "release 4.2",
]
VERBS = {
    "decision": ["Cut", "Ship", "Delay", "Keep", "Move", "Drop", "Fund", "Freeze"],
    "change": ["Add", "Rework", "Extend", "Split", "Replace", "Narrow"],
    "communication": ["Sync on", "Review of", "Update on", "Escalation about", "Customer call about", "Kick-off for"],
    "risk": ["Slip risk on", "Capacity risk for", "Security exposure in", "Dependency risk on", "Cost overrun on"],
    "incident": ["Outage in", "Regression in", "Data loss in", "Missed deadline for", "Customer escalation over"],
    "note": ["Notes on", "Thoughts about", "Retro notes:", "Open questions on", "Reading list for"],
}
SENTENCES_EN = [
    "We agreed to revisit this after the next sprint review.",
    "Engineering estimates two more weeks if the scope stays as it is.",
    "The customer asked for this in writing and we have the email on file.",
    "Design flagged that the current flow confuses first-time users.",
    "Finance wants a cost estimate before anything is committed.",
    "Support saw a spike in tickets after the last release.",
    "The team raised concerns about test coverage on the payment path.",
    "Marketing already announced the date, so slipping is expensive.",
    "Legal needs to review the wording before it goes to customers.",
    "We chose the smaller option to protect the launch date.",
    "Nobody owned the follow-up last time; this time it is explicit.",
    "The vendor confirmed the limit is per tenant, not per user.",
    "Metrics from the pilot were better than expected on retention.",
    "This replaces the earlier plan that assumed two more engineers.",
]
SENTENCES_ZH = [
    "客户要求在月底前上线，我们已经书面确认。",
    "研发评估需要额外两周时间。",
    "这个需求变更由销售提出，产品负责人已批准。",
    "上次复盘时没有明确负责人，这次写清楚。",
    "测试资源不足，回归测试只覆盖了主流程。",
    "市场部已经对外宣布了发布日期。",
]
REASONS = [
    "Owner changed after the reorg",
    "Wrong approver recorded; corrected from the meeting minutes",
    "Status updated after the steering meeting",
    "Typo in the title",
    "负责人调整",
    "Clarified after talking to the customer",
]
REVIEW_REASON = "Review date agreed in the follow-up meeting"
RETRACT_REASONS = ["Recorded in the wrong project", "Duplicate of an earlier entry", "Entered by mistake during a demo"]
PROMISES = [
    "send the pricing sheet",
    "share the test plan",
    "confirm the budget",
    "book the security review",
    "write up the decision",
    "send the revised timeline",
    "check with legal",
    "整理会议纪要",
    "get the vendor's answer in writing",
]
LOOP_NOTES = ["recap email sent", "done in the weekly sync", "answered by email", "已在周会确认", "see the thread", None, None]

KIND_WEIGHTS = [("decision", 20), ("change", 15), ("communication", 25), ("risk", 10), ("incident", 8), ("note", 22)]
AMEND_RATE = 0.03
RETRACT_RATE = 0.01
# Open loops (pmjournal.core.loops): how often an entry opens one, and how many are closed by a
# `loop` record (the rest stay open, most of them long overdue, as in a real journal).
FOLLOW_UP_RATE = 0.2  # of communications
COMMITMENT_RATE = 0.2  # of communications: one or two commitments
COMM_RAISED_RATE = 0.05  # of communications: raised to someone, waiting for an answer
RISK_RAISED_RATE = 0.5  # of risks
DECISION_REVIEW_RATE = 0.15
RISK_REVIEW_RATE = 0.3
CLOSE_RATE = 0.92
# The trace benchmark walks this chain: an incident whose causes go TRACE_DEPTH levels deep.
TRACE_DEPTH = 5
STEP = timedelta(minutes=30)
END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
ZONES = [timezone(timedelta(hours=8)), timezone(timedelta(hours=8)), timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))]


def _path(n: int) -> Path:
    return OUT / f"journal-v{GENERATOR_VERSION}-{n}.jsonl"


def _meta_path(n: int) -> Path:
    return OUT / f"journal-v{GENERATOR_VERSION}-{n}.meta.json"


class _Generator:
    def __init__(self, n: int):
        self.n = n
        self.rng = random.Random(SEED + n)
        self.kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
        self.entries: list[tuple[str, str, dict]] = []  # (id, kind, body) of entry records, for links and amendments
        self.retracted: set[str] = set()
        self.search_hits = 0
        self.evidence_counter = 1000
        # A Chinese name spelled the same everywhere; a Latin one sometimes in lower case,
        # as people type, so the directory's first-spelling rule has work to do.
        self.trace_seq: int | None = None
        self.trace_at = max(1, int(n * 0.9))
        self.closings: list[tuple] = []  # (when, entry id, loop key, occurred_at, by): loop records to write
        self.loop_records = 0

    def person(self) -> str:
        name = self.rng.choice(PEOPLE)
        return name.lower() if self.rng.random() < 0.03 else name

    def people(self, lo: int, hi: int, pool=None) -> list[str]:
        pool = pool or PEOPLE
        return self.rng.sample(pool, self.rng.randint(lo, hi))

    def body(self) -> str:
        rng = self.rng
        parts = rng.sample(SENTENCES_EN, 1 if rng.random() < 0.75 else 2)
        if rng.random() < 0.3:
            parts[0] = rng.choice(SENTENCES_ZH)
        if rng.random() < SEARCH_RATE:
            parts.insert(rng.randrange(len(parts) + 1), f"Codename {SEARCH_TERM.capitalize()} applies here.")
            self.search_hits += 1
        return " ".join(parts)

    def evidence(self) -> list[str]:
        self.evidence_counter += self.rng.randint(1, 40)
        return [self.rng.choice(EVIDENCE).format(n=self.evidence_counter)]

    def earlier(self, kinds: tuple[str, ...], window: int = 400) -> str | None:
        """The id of a recent earlier entry of one of `kinds`, for a caused_by link."""
        for _ in range(6):
            if not self.entries:
                return None
            idx = self.rng.randrange(max(0, len(self.entries) - window), len(self.entries))
            entry_id, kind, _ = self.entries[idx]
            if kind in kinds:
                return entry_id
        return None

    def values(self, kind: str) -> dict:
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        v: dict = {
            "title": f"{rng.choice(VERBS[kind])} {subject}",
            "project": rng.choice(PROJECTS),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "body": self.body(),
        }
        if rng.random() < 0.25:
            v["evidence"] = self.evidence()
        links = []
        if kind == "decision":
            v.update(
                owner=self.person(),
                approved_by=self.people(1, 2, PEOPLE + STAKEHOLDERS),
                consulted=self.people(0, 3),
                informed=self.people(0, 3),
                status=rng.choice(["accepted"] * 6 + ["proposed", "rejected"]),
                options=[f"Ship {subject} as planned", f"Cut {subject}", "Delay one sprint"][: rng.randint(2, 3)],
                rationale=rng.choice(SENTENCES_EN) if rng.random() < 0.6 else None,
            )
            if rng.random() < 0.2:
                cause = self.earlier(("risk", "communication", "change"))
                if cause:
                    links.append({"rel": "caused_by", "to": cause})
            if rng.random() < 0.03:
                old = self.earlier(("decision",), window=2000)
                if old:
                    links.append({"rel": "supersedes", "to": old})
        elif kind == "change":
            v.update(
                owner=self.person(),
                requested_by=self.people(1, 1, STAKEHOLDERS + PEOPLE),
                approved_by=self.people(1, 2),
                status=rng.choice(["requested", "approved", "approved", "done", "rejected"]),
                source=rng.choice(["customer", "internal", "regulatory", "market"]),
                previous=f"{subject} as specified in the original plan",
                impact={"scope": "+1 screen", "schedule": f"+{rng.randint(1, 4)} weeks", "cost": f"${rng.randint(2, 40)}k"},
            )
            if rng.random() < 0.3:
                cause = self.earlier(("communication",))
                if cause:
                    links.append({"rel": "caused_by", "to": cause})
        elif kind == "communication":
            v.update(
                channel=rng.choice(["meeting", "email", "chat", "call", "doc"]),
                participants=self.people(2, 5),
                acknowledged_by=self.people(0, 2),
                informed=self.people(0, 2, STAKEHOLDERS),
                raised_to=self.people(1, 2, STAKEHOLDERS) if rng.random() < COMM_RAISED_RATE else None,
                owner=self.person() if rng.random() < 0.6 else None,
            )
        elif kind == "risk":
            v.update(
                owner=self.person(),
                raised_by=self.person(),
                raised_to=self.people(1, 2, PEOPLE + STAKEHOLDERS) if rng.random() < RISK_RAISED_RATE else None,
                likelihood=rng.choice(model.LEVELS),
                impact=rng.choice(model.LEVELS),
                mitigation=rng.choice(SENTENCES_EN),
                status=rng.choice(["open", "mitigating", "accepted", "closed", "occurred"]),
            )
        elif kind == "incident":
            v.update(
                owner=self.person() if rng.random() < 0.7 else None,
                severity=rng.choice(["low", "medium", "high", "critical"]),
                status=rng.choice(["open", "resolved", "resolved"]),
                causes=rng.sample(
                    ["decision", "communication", "requirement-change", "resources", "ownership", "risk"], rng.randint(1, 2)
                ),
            )
            for _ in range(rng.randint(1, 2)):
                cause = self.earlier(("decision", "change", "risk", "communication"))
                if cause:
                    links.append({"rel": "caused_by", "to": cause})
        else:
            if rng.random() < 0.2:
                other = self.earlier(tuple(model.ENTRY_KINDS))
                if other:
                    links.append({"rel": "relates", "to": other})
        if links:
            v["links"] = links
        return v

    def dated(self, kind: str, body: dict, recorded: datetime) -> dict:
        zone = self.rng.choice(ZONES)
        occurred = (
            (recorded - timedelta(minutes=self.rng.randint(0, 3 * 24 * 60))).astimezone(zone).replace(second=0, microsecond=0)
        )
        body["occurred_at"] = dates.iso(occurred)
        rng = self.rng
        if (kind == "decision" and rng.random() < DECISION_REVIEW_RATE) or (kind == "risk" and rng.random() < RISK_REVIEW_RATE):
            body["review_by"] = self.day(occurred, rng.randint(14, 120))
        if kind == "communication":
            if rng.random() < FOLLOW_UP_RATE:
                body["follow_up_by"] = self.day(occurred, rng.randint(1, 14))
            if rng.random() < COMMITMENT_RATE:
                body["commitments"] = [
                    {"who": self.person(), "what": rng.choice(PROMISES), "due": self.day(occurred, rng.randint(1, 21))}
                    for _ in range(1 if rng.random() < 0.7 else 2)
                ]
        return body

    @staticmethod
    def day(occurred: datetime, days: int) -> str:
        """A due date `days` after `occurred`, as the model stores a typed date: that day at 00:00, in its zone."""
        day = occurred.replace(hour=0, minute=0) + timedelta(days=days)
        return dates.iso(day)

    def schedule_closings(self, body: dict) -> None:
        """Most loops the entry opens get a `loop` record saying they were done, around their due date."""
        rng = self.rng
        occurred = datetime.fromisoformat(body["occurred_at"])
        for loop in loops.loops_of({**body, "retracted": None, "history": []}, occurred.date()):
            if rng.random() >= CLOSE_RATE:
                continue
            if loop.type == "answer":
                done = occurred + timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 8))
            else:
                done = datetime.combine(loop.due, occurred.timetz()) + timedelta(days=rng.randint(-3, 4), hours=rng.randint(0, 6))
            done = max(done, occurred + timedelta(hours=1))
            by = loop.owes[0] if len(loop.owes) == 1 else rng.choice(loop.owes)
            heapq.heappush(self.closings, (done.astimezone(UTC), body["id"], loop.key, dates.iso(done), by))

    def closing(self, recorded: datetime) -> dict | None:
        """The next `loop` record due to be written by `recorded`, if any (none for a retracted entry)."""
        while self.closings and self.closings[0][0] <= recorded:
            _, entry_id, key, when, by = heapq.heappop(self.closings)
            if entry_id in self.retracted:
                continue
            body = {"kind": "loop", "target": entry_id, "loop": key, "state": "done", "occurred_at": when, "by": by}
            note = self.rng.choice(LOOP_NOTES)
            if note:
                body["note"] = note
            self.loop_records += 1
            return self.stamp(body, recorded)
        return None

    def stamp(self, body: dict, recorded: datetime) -> dict:
        """What Journal._stamp adds, at the synthetic time instead of now."""
        body["id"] = new_id(int(recorded.timestamp() * 1000))
        body["recorded_at"] = recorded.isoformat(timespec="milliseconds")
        body["recorded_by"] = self.rng.choice(RECORDERS)
        return body

    def entry(self, kind: str, recorded: datetime, values: dict | None = None) -> dict:
        values = values if values is not None else self.values(kind)
        body = self.dated(kind, model.build_entry(kind, values), recorded)
        body = self.stamp(body, recorded)
        self.entries.append((body["id"], kind, body))
        if loops.could_open({**body, "retracted": None}):
            self.schedule_closings(body)
        return body

    def meta_record(self, recorded: datetime) -> dict | None:
        rng = self.rng
        if len(self.entries) < 20:
            return None
        entry_id, kind, body = self.entries[rng.randrange(len(self.entries))]
        if entry_id in self.retracted:
            return None
        if rng.random() < RETRACT_RATE / (AMEND_RATE + RETRACT_RATE):
            self.retracted.add(entry_id)
            return self.stamp({"kind": "retraction", "target": entry_id, "reason": rng.choice(RETRACT_REASONS)}, recorded)
        fields = model.fields_for(kind)
        if kind == "decision" and "review_by" not in body and rng.random() < 0.1:
            # A review agreed after the call: an amendment that opens a loop on an entry without one.
            occurred = datetime.fromisoformat(body["occurred_at"])
            changes = {"review_by": self.day(occurred, rng.randint(30, 90))}
            return self.stamp({"kind": "amendment", "target": entry_id, "changes": changes, "reason": REVIEW_REASON}, recorded)
        if "owner" in fields and rng.random() < 0.5:
            changes = {"owner": self.person()}
        elif "status" in fields and rng.random() < 0.6:
            changes = {"status": rng.choice(fields["status"].choices)}
        else:
            changes = {"title": body["title"] + " (revised)"}
        changes = model.clean_changes(kind, changes)
        return self.stamp({"kind": "amendment", "target": entry_id, "changes": changes, "reason": rng.choice(REASONS)}, recorded)

    def trace_chain(self, recorded: datetime) -> list[dict]:
        """An incident whose caused_by links go TRACE_DEPTH levels deep, with a branch at each level."""
        out = []
        kinds = ["communication", "risk", "change", "decision", "decision"][:TRACE_DEPTH]
        below: list[str] = []
        for depth, kind in enumerate(kinds):
            values = self.values(kind)
            values["links"] = [{"rel": "caused_by", "to": t} for t in below]
            out.append(self.entry(kind, recorded, values))
            side = self.values("communication")
            side.pop("links", None)
            out.append(self.entry("communication", recorded + timedelta(seconds=depth + 1), side))
            below = [out[-2]["id"], out[-1]["id"]]
        values = self.values("incident")
        values["links"] = [{"rel": "caused_by", "to": t} for t in below]
        values["causes"] = ["decision", "ownership"]
        values["title"] = "Checkout outage traced through five levels of causes"
        out.append(self.entry("incident", recorded, values))
        return out

    def records(self):
        """Yield record bodies, n in all, in journal order."""
        rng = self.rng
        produced = 0
        while produced < self.n:
            recorded = END - STEP * (self.n - produced)
            if produced >= self.trace_at and self.trace_seq is None and self.n - produced > 2 * TRACE_DEPTH + 1:
                chain = self.trace_chain(recorded)
                self.trace_seq = produced + len(chain)
                produced += len(chain)
                yield from chain
                continue
            body = self.closing(recorded)
            if body is None and rng.random() < AMEND_RATE + RETRACT_RATE:
                body = self.meta_record(recorded)
            if body is None:
                body = self.entry(rng.choice(self.kinds), recorded)
            produced += 1
            yield body


def build(n: int, path: Path) -> dict:
    """Write a fresh n-record journal at `path`; return its metadata."""
    start = time.perf_counter()
    gen = _Generator(n)
    journal = Journal(path, user="Pat PM")
    chunk: list[dict] = []
    for body in gen.records():
        chunk.append(body)
        if len(chunk) >= CHUNK:
            journal.append_raw(chunk)
            chunk = []
    if chunk:
        journal.append_raw(chunk)
    by_kind: dict[str, int] = {}
    for _, kind, _ in gen.entries:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    size = path.stat().st_size
    return {
        "records": n,
        "entries": len(gen.entries),
        "by_kind": by_kind,
        "amendments_and_retractions": n - len(gen.entries) - gen.loop_records,
        "loop_records": gen.loop_records,
        "retracted": len(gen.retracted),
        "bytes": size,
        "bytes_per_record": round(size / max(n, 1)),
        "search_term": SEARCH_TERM,
        "search_planted": gen.search_hits,
        "trace_seq": gen.trace_seq,
        "trace_depth": TRACE_DEPTH,
        "generator_version": GENERATOR_VERSION,
        "build_seconds": round(time.perf_counter() - start, 2),
    }


def _intact(n: int) -> bool:
    """Whether the cache exists and still has the size it was built with.

    A benchmark that wrote to the cache by mistake (an add on the shared file
    rather than a copy) would skew every later figure; such a cache is rebuilt.
    """
    path, meta_path = _path(n), _meta_path(n)
    try:
        return path.stat().st_size == json.loads(meta_path.read_text(encoding="utf-8"))["bytes"]
    except (OSError, ValueError, KeyError):
        return False


def journal(n: int) -> Path:
    """The cached n-record journal (built on first use). Treat it as read-only."""
    path = _path(n)
    if _intact(n):
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    with FileLock(str(OUT / f".build-{n}.lock")):
        if _intact(n):
            return path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        for leftover in (tmp, Path(f"{tmp}.lock")):
            leftover.unlink(missing_ok=True)
        info = build(n, tmp)
        Path(f"{tmp}.lock").unlink(missing_ok=True)
        os.replace(tmp, path)
        _meta_path(n).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def meta(n: int) -> dict:
    """Facts about the cached n-record journal: search term and hits, trace root #seq, size."""
    journal(n)
    return json.loads(_meta_path(n).read_text(encoding="utf-8"))


def copy_journal(n: int, folder) -> Path:
    """A private writable copy of the cached n-record journal in `folder`."""
    dest = Path(folder) / f"journal-{n}.jsonl"
    shutil.copyfile(journal(n), dest)
    return dest


def scratch_dir() -> Path:
    """Where benchmarks put temporary files: on the same disk as the cache, never a tmpfs,
    so fsync costs what it costs for a real journal."""
    path = OUT / "scratch"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _jrnl_text(record: dict) -> str:
    """Everything a person typed into a record, as one jrnl entry's text after the title."""
    parts = [record.get("body", "")]
    for name in ("rationale", "mitigation", "previous"):
        if record.get(name):
            parts.append(record[name])
    for item in record.get("commitments") or ():
        parts.append(f"{item['who']} owes {item['what']} by {item['due'][:10]}.")
    for name in ("owner", "requested_by", "approved_by", "consulted", "informed", "participants", "raised_by", "raised_to"):
        value = record.get(name)
        if value:
            parts.append(f"{name.replace('_', ' ').capitalize()}: {value if isinstance(value, str) else ', '.join(value)}.")
    for name in ("options", "evidence"):
        if record.get(name):
            parts.append(f"{name.capitalize()}: {'; '.join(record[name])}.")
    if record.get("project"):
        parts.append(f"Project {record['project']}.")
    parts.extend(f"@{tag}" for tag in record.get("tags") or ())
    return " ".join(p for p in parts if p)


def write_jrnl_journal(n: int, path) -> int:
    """A jrnl 4.x plain-text journal of n entries with the same kind of text as `journal(n)`.

    The same generator (run a little longer, since jrnl has no amendments or
    retractions to count), with every field a person typed folded into the
    entry text (jrnl has only a title and a body); hashes, ids and other
    bookkeeping have no jrnl equivalent and are left out. Written for the
    config `timeformat: "%Y-%m-%d %H:%M"`; returns the file's size in bytes.
    """
    out = []
    # About 4 % of records are amendments or retractions: generate enough records for n entries.
    for record in _Generator(n + n // 10 + 50).records():
        if len(out) == n:
            break
        if record["kind"] in model.META_KINDS:
            continue
        when = datetime.fromisoformat(record["occurred_at"])
        title = record["title"].rstrip(".!?")
        out.append(f"[{when:%Y-%m-%d %H:%M}] {title}. {_jrnl_text(record)}\n\n")
    data = "".join(out).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["1000"]:
        count = int(arg.replace("k", "000"))
        journal(count)
        print(json.dumps(meta(count), ensure_ascii=False))
